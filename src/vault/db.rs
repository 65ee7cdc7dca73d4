//! The encrypted databases: opening them with their pragmas, and their migrations.
//!
//! Contract: a vault holds two SQLCipher databases, each a [`Schema`]: `vault.db` (the system
//! schema: settings, accounts, the audit log) under the system key, and `registers.db` (every
//! register record) under the register key, which only business accounts are granted. [`open`]
//! is the only place a connection is made; [`attach_registers`] adds the register database to a
//! business account's connection as schema `reg`, so one transaction spans both files. Keys are
//! raw 256-bit keys (no passphrase KDF inside SQLCipher: Argon2id already did that work);
//! SQLCipher's per-page HMAC stays on, HMAC-SHA256 for every database made now ([`HMAC`]),
//! HMAC-SHA512 for those made before (each is opened with the one it was made with, found by
//! its first page); temporary storage is in memory so nothing plain reaches
//! the disk. Journals are rollback journals, not WAL: SQLite commits a transaction that spans
//! attached databases atomically (through a super-journal) only in rollback mode, and a
//! register change and its audit entry must never be committed one without the other.
//! Migrations are numbered SQL files per schema, embedded in the binary, applied in one
//! transaction (all or none); a database from a newer program is refused.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Code, Error, Result};
use crate::vault::crypto::Secret;

/// The system database's file.
pub const FILE_NAME: &str = "vault.db";
/// The register database's file.
pub const REGISTERS_FILE: &str = "registers.db";
/// The schema name the register database is attached under.
pub const REGISTERS_SCHEMA: &str = "reg";

/// One of the vault's two databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    System,
    Registers,
}

impl Schema {
    pub fn file(self) -> &'static str {
        match self {
            Schema::System => FILE_NAME,
            Schema::Registers => REGISTERS_FILE,
        }
    }

    /// The embedded migrations, in order; index + 1 is the schema version after applying one.
    /// Never edit a landed migration: add the next number.
    pub fn migrations(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Schema::System => &[
                (
                    "system/0001_system",
                    include_str!("../../migrations/system/0001_system.sql"),
                ),
                (
                    "system/0002_person_left",
                    include_str!("../../migrations/system/0002_person_left.sql"),
                ),
            ],
            Schema::Registers => &[
                (
                    "registers/0001_registers",
                    include_str!("../../migrations/registers/0001_registers.sql"),
                ),
                (
                    "registers/0002_personnel",
                    include_str!("../../migrations/registers/0002_personnel.sql"),
                ),
                (
                    "registers/0003_unit_keys",
                    include_str!("../../migrations/registers/0003_unit_keys.sql"),
                ),
                (
                    "registers/0004_exchange",
                    include_str!("../../migrations/registers/0004_exchange.sql"),
                ),
                (
                    "registers/0005_sheet_origins",
                    include_str!("../../migrations/registers/0005_sheet_origins.sql"),
                ),
                (
                    "registers/0006_received_on_month",
                    include_str!("../../migrations/registers/0006_received_on_month.sql"),
                ),
                (
                    "registers/0007_home_indexes",
                    include_str!("../../migrations/registers/0007_home_indexes.sql"),
                ),
                (
                    "registers/0008_documents_counts",
                    include_str!("../../migrations/registers/0008_documents_counts.sql"),
                ),
                (
                    "registers/0009_search_positions",
                    include_str!("../../migrations/registers/0009_search_positions.sql"),
                ),
                (
                    "registers/0010_search_pages",
                    include_str!("../../migrations/registers/0010_search_pages.sql"),
                ),
                (
                    "registers/0011_documents_state_in_columns",
                    include_str!("../../migrations/registers/0011_documents_state_in_columns.sql"),
                ),
                (
                    "registers/0012_sheet_imports",
                    include_str!("../../migrations/registers/0012_sheet_imports.sql"),
                ),
                (
                    "registers/0013_search_tokens",
                    include_str!("../../migrations/registers/0013_search_tokens.sql"),
                ),
            ],
        }
    }

    pub fn version(self) -> i64 {
        self.migrations().len() as i64
    }
}

/// The schema version recorded in the audit log at creation: system and register versions.
pub fn schema_version() -> i64 {
    Schema::System.version() * 1000 + Schema::Registers.version()
}

/// The database page size. Part of the vault format (SQLCipher must know it before reading
/// page 1), so it never changes for an existing vault. 8 KiB halves the per-page HMAC and
/// cipher set-up cost of the 4 KiB default: measured by `make bench`, inserts went from 1.31×
/// to 1.14× of plain SQLite.
pub const PAGE_SIZE: u32 = 8192;

/// The HMAC that authenticates each page of a database made by this build. SHA-256 instead of
/// SQLCipher 4's default SHA-512: this machine's processor computes SHA-256 in hardware (2.3
/// times the throughput of SHA-512 in OpenSSL's own `speed` test), and the page HMAC was a
/// twelfth of a 100,000-row sheet's import, every page written or read from the file passing
/// through it (`make bench`). A 256-bit HMAC key and tag keep the forgery bound at 2^-256,
/// the same strength as the AES-256 keys. Like the page size, part of a database's format.
pub const HMAC: &str = "HMAC_SHA256";

/// The page HMAC of the databases made before [`HMAC`] (SQLCipher 4's default); such a
/// database keeps it, and [`open`] finds which one a file has by trying this one second.
pub const LEGACY_HMAC: &str = "HMAC_SHA512";

/// Serializes setting SQLCipher's process-wide default HMAC with the `ATTACH` that reads it
/// (see [`attach_registers`]).
static ATTACHING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Tuning knobs; [`Tuning::default`] is what the vault uses.
#[derive(Debug, Clone, Copy)]
pub struct Tuning {
    /// Page cache in KiB (negative `cache_size`).
    pub cache_kib: i64,
}

impl Default for Tuning {
    fn default() -> Self {
        // 256 MiB upper bound: SQLite allocates pages only as they are used, so a small vault
        // costs little, and a large register stays decrypted in memory once read.
        Tuning {
            cache_kib: 256 * 1024,
        }
    }
}

/// Opens (creating if `create`) the database of `schema` in `dir` with its key.
pub fn open(
    dir: &Path,
    schema: Schema,
    key: &Secret,
    create: bool,
    tuning: Tuning,
) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let path = dir.join(schema.file());
    if !create && !path.exists() {
        return Err(Error::integrity(format!(
            "保密库不完整：找不到数据库文件 {}",
            schema.file()
        )));
    }
    // The first read proves the key; a wrong key or a tampered header fails here. A database
    // made before [`HMAC`] fails it too, and opens with the HMAC it was made with.
    let keyed = |hmac: &str| -> Result<Connection> {
        let conn = Connection::open_with_flags(&path, flags)?;
        apply_key(&conn, key, hmac)?;
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        Ok(conn)
    };
    let conn = match keyed(HMAC) {
        Err(e) if e.code == Code::Integrity => keyed(LEGACY_HMAC).map_err(|_| e)?,
        other => other?,
    };
    configure(&conn, tuning)?;
    // The search's one FTS5 function (`crate::search`), on every connection of the vault.
    baomi_fts::register(&conn)?;
    Ok(conn)
}

/// Creates the register database in `dir` under `key` and brings it to the current schema.
pub fn create_registers(dir: &Path, key: &Secret, tuning: Tuning) -> Result<()> {
    let path = dir.join(REGISTERS_FILE);
    if path.exists() {
        return Err(Error::integrity(
            "登记簿数据库已存在，但保密库记录中没有它的密钥：拒绝覆盖",
        ));
    }
    let mut conn = open(dir, Schema::Registers, key, true, tuning)?;
    crate::vault::keyfile::restrict(&path, false);
    migrate(&mut conn, Schema::Registers)?;
    Ok(())
}

/// Attaches the register database to `conn` (whose main is the system database) as `reg`,
/// migrating it first on a connection of its own.
pub fn attach_registers(conn: &Connection, dir: &Path, key: &Secret, tuning: Tuning) -> Result<()> {
    let hmac = {
        let mut own = open(dir, Schema::Registers, key, false, tuning)?;
        migrate(&mut own, Schema::Registers)?;
        hmac_of(&own, "main")?
    };
    let path = dir.join(REGISTERS_FILE);
    let path = path
        .to_str()
        .ok_or_else(|| Error::internal("保密库路径含有无法识别的字符"))?;
    // ATTACH reads the file with SQLCipher's defaults, not the main database's settings:
    // every vault database uses the same page size, and the HMAC is the one the register
    // database was found to have. The defaults are the whole process's, so they are set and
    // read under one lock (another thread may be attaching another vault's file).
    {
        let _attaching = ATTACHING.lock().unwrap_or_else(|e| e.into_inner());
        conn.execute_batch(&format!(
            "PRAGMA cipher_default_page_size = {PAGE_SIZE};
             PRAGMA cipher_default_hmac_algorithm = {hmac};"
        ))?;
        conn.execute(
            &format!("ATTACH DATABASE ?1 AS {REGISTERS_SCHEMA} KEY ?2"),
            rusqlite::params![path, key_literal(key)?.as_str()],
        )?;
    }
    let proof = conn.query_row(
        &format!("SELECT count(*) FROM {REGISTERS_SCHEMA}.sqlite_schema"),
        [],
        |_| Ok(()),
    );
    if let Err(e) = proof {
        // Leave the connection as it was, so the caller may try another key.
        let _ = conn.execute_batch(&format!("DETACH DATABASE {REGISTERS_SCHEMA};"));
        return Err(e.into());
    }
    conn.execute_batch(&format!(
        "PRAGMA {REGISTERS_SCHEMA}.journal_mode = DELETE;
         PRAGMA {REGISTERS_SCHEMA}.synchronous = FULL;
         PRAGMA {REGISTERS_SCHEMA}.cache_size = -{};",
        tuning.cache_kib
    ))?;
    Ok(())
}

/// Re-encrypts the database `schema` names on `conn` under `key` (`PRAGMA rekey`).
pub fn rekey(conn: &Connection, schema: &str, key: &Secret) -> Result<()> {
    let mut pragma = zeroize::Zeroizing::new(String::with_capacity(96));
    pragma.push_str("PRAGMA ");
    pragma.push_str(schema);
    pragma.push_str(".rekey = \"");
    pragma.push_str(&key_literal(key)?);
    pragma.push('"');
    conn.execute_batch(&pragma)?;
    Ok(())
}

/// SQLCipher's raw-key form `x'<64 hex digits>'`, built only inside a zeroized buffer (sized
/// so it never grows), so no unzeroized copy of the key's hex form is left in the heap.
fn key_literal(key: &Secret) -> Result<zeroize::Zeroizing<String>> {
    use std::fmt::Write;
    let mut lit = zeroize::Zeroizing::new(String::with_capacity(72));
    lit.push_str("x'");
    for b in key.expose() {
        write!(lit, "{b:02x}").map_err(|_| Error::internal("密钥格式化失败"))?;
    }
    lit.push('\'');
    Ok(lit)
}

/// The page HMAC of database `schema` on `conn` (one of [`HMAC`], [`LEGACY_HMAC`]).
pub fn hmac_of(conn: &Connection, schema: &str) -> Result<&'static str> {
    let name: String =
        conn.query_row(&format!("PRAGMA {schema}.cipher_hmac_algorithm"), [], |r| {
            r.get(0)
        })?;
    [HMAC, LEGACY_HMAC]
        .into_iter()
        .find(|h| *h == name)
        .ok_or_else(|| Error::internal(format!("未知的数据库页校验算法：{name}")))
}

/// Keys a connection with the raw data key and the page HMAC `hmac`. The hex form lives only
/// in a zeroized buffer.
fn apply_key(conn: &Connection, key: &Secret, hmac: &str) -> Result<()> {
    // SQLCipher logs decryption failures to stderr by default; our errors say it in Chinese.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    // `cipher_memory_security` (wipe everything SQLCipher frees) stays off: measured with
    // `cargo bench --bench documents`, generating the 1,000,000-carrier register went from
    // 174 s to a fifth of it in 21 minutes with it on. The keys themselves are zeroized by us.
    let mut pragma = zeroize::Zeroizing::new(String::with_capacity(96));
    pragma.push_str("PRAGMA key = \"");
    pragma.push_str(&key_literal(key)?);
    pragma.push('"');
    conn.execute_batch(&pragma)?;
    conn.execute_batch(&format!(
        "PRAGMA cipher_page_size = {PAGE_SIZE};
         PRAGMA cipher_hmac_algorithm = {hmac};"
    ))?;
    Ok(())
}

/// Applies the connection pragmas (also used by the benchmark on a plain database).
/// `temp_store = MEMORY` is a security setting, not a speed one: a sort larger than the page
/// cache writes its sorted runs to temporary files, which SQLCipher does not encrypt
/// (`/var/tmp/etilqs_…` with `FILE`; see the test of a large sort below).
pub fn configure(conn: &Connection, tuning: Tuning) -> Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -{};
         PRAGMA journal_mode = DELETE;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;",
        tuning.cache_kib
    ))?;
    Ok(())
}

/// Brings `schema` (the main database of `conn`) up to date, all or nothing; refuses a
/// database newer than this program.
pub fn migrate(conn: &mut Connection, schema: Schema) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = schema.version();
    if current > known {
        return Err(Error::new(
            Code::Unsupported,
            format!(
                "此保密库由更新版本的保密台账创建（{} 数据结构版本 {current}，本程序支持到 {known}），为防止损坏数据已拒绝打开，请升级程序",
                schema.file()
            ),
        ));
    }
    if current == known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
    // Re-read inside the lock: another process may have migrated meanwhile.
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, (name, sql)) in schema
        .migrations()
        .iter()
        .enumerate()
        .skip(current.max(0) as usize)
    {
        tx.execute_batch(sql)
            .map_err(|e| Error::internal(format!("数据库升级步骤 {name} 失败：{e}")))?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_applies_to_a_fresh_vault_and_reapplying_is_a_no_op() {
        let dir = tempfile::tempdir().unwrap();
        let key = Secret::random().unwrap();
        let mut conn = open(dir.path(), Schema::System, &key, true, Tuning::default()).unwrap();
        migrate(&mut conn, Schema::System).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, Schema::System.version());
        migrate(&mut conn, Schema::System).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn the_register_database_attaches_and_one_transaction_spans_both() {
        let dir = tempfile::tempdir().unwrap();
        let (sys, reg) = (Secret::random().unwrap(), Secret::random().unwrap());
        let mut conn = open(dir.path(), Schema::System, &sys, true, Tuning::default()).unwrap();
        migrate(&mut conn, Schema::System).unwrap();
        create_registers(dir.path(), &reg, Tuning::default()).unwrap();
        attach_registers(&conn, dir.path(), &reg, Tuning::default()).unwrap();
        write_both(&conn, 1);
        drop(conn);
        // Each file opens under its own key only.
        let reg_conn = open(
            dir.path(),
            Schema::Registers,
            &reg,
            false,
            Tuning::default(),
        )
        .unwrap();
        let n: i64 = reg_conn
            .query_row("SELECT count(*) FROM register_serials", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
        assert!(open(
            dir.path(),
            Schema::Registers,
            &sys,
            false,
            Tuning::default()
        )
        .is_err());
        // A wrong register key is refused at attach.
        let conn = open(dir.path(), Schema::System, &sys, false, Tuning::default()).unwrap();
        assert!(attach_registers(&conn, dir.path(), &sys, Tuning::default()).is_err());
        // ...and leaves the connection free to try the right one.
        attach_registers(&conn, dir.path(), &reg, Tuning::default()).unwrap();
    }

    /// One transaction writing a setting (system database) and a serial counter at `last`
    /// (the attached register database).
    fn write_both(conn: &Connection, last: i64) {
        let tx = conn.unchecked_transaction().unwrap();
        tx.execute("INSERT INTO settings (key, value) VALUES ('k', 'v')", [])
            .unwrap();
        tx.execute(
            "INSERT INTO register_serials (register, prefix, last) VALUES ('doc', 'A', ?1)",
            [last],
        )
        .unwrap();
        tx.commit().unwrap();
    }

    /// A database as builds before [`HMAC`] made it: its pages authenticated by `hmac`.
    fn made_with(dir: &Path, schema: Schema, key: &Secret, hmac: &str) {
        let mut conn = Connection::open(dir.join(schema.file())).unwrap();
        apply_key(&conn, key, hmac).unwrap();
        migrate(&mut conn, schema).unwrap();
    }

    /// Whether `schema`'s file reads under `key` with the page HMAC `hmac` alone.
    fn reads_with(dir: &Path, schema: Schema, key: &Secret, hmac: &str) -> bool {
        let conn = Connection::open(dir.join(schema.file())).unwrap();
        apply_key(&conn, key, hmac).unwrap();
        conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
            .is_ok()
    }

    #[test]
    fn new_databases_use_hmac_sha256_and_older_ones_keep_sha512_attached_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let (sys, reg) = (Secret::random().unwrap(), Secret::random().unwrap());
        // Made now: SHA-256, which SQLCipher's default (SHA-512) does not read.
        let mut conn = open(dir.path(), Schema::System, &sys, true, Tuning::default()).unwrap();
        migrate(&mut conn, Schema::System).unwrap();
        assert_eq!(hmac_of(&conn, "main").unwrap(), HMAC);
        assert!(reads_with(dir.path(), Schema::System, &sys, HMAC));
        assert!(!reads_with(dir.path(), Schema::System, &sys, LEGACY_HMAC));
        // A register database made before: it opens, attaches beside the new one, and one
        // transaction writes both.
        made_with(dir.path(), Schema::Registers, &reg, LEGACY_HMAC);
        let own = open(
            dir.path(),
            Schema::Registers,
            &reg,
            false,
            Tuning::default(),
        )
        .unwrap();
        assert_eq!(hmac_of(&own, "main").unwrap(), LEGACY_HMAC);
        drop(own);
        attach_registers(&conn, dir.path(), &reg, Tuning::default()).unwrap();
        assert_eq!(hmac_of(&conn, REGISTERS_SCHEMA).unwrap(), LEGACY_HMAC);
        write_both(&conn, 7);
        drop(conn);
        // Each file kept its own HMAC, and the default left by the attach changes no open.
        assert!(reads_with(dir.path(), Schema::Registers, &reg, LEGACY_HMAC));
        assert!(!reads_with(dir.path(), Schema::Registers, &reg, HMAC));
        let conn = open(dir.path(), Schema::System, &sys, false, Tuning::default()).unwrap();
        assert_eq!(hmac_of(&conn, "main").unwrap(), HMAC);
        attach_registers(&conn, dir.path(), &reg, Tuning::default()).unwrap();
        let last: i64 = conn
            .query_row("SELECT last FROM register_serials", [], |r| r.get(0))
            .unwrap();
        assert_eq!(last, 7);
        // A key that is neither file's is still refused, whichever HMAC is tried.
        let other = Secret::random().unwrap();
        let e = open(
            dir.path(),
            Schema::Registers,
            &other,
            false,
            Tuning::default(),
        )
        .unwrap_err();
        assert_eq!(e.code, Code::Integrity);
    }

    #[test]
    fn a_byte_changed_in_any_page_is_refused_under_either_hmac() {
        for hmac in [HMAC, LEGACY_HMAC] {
            let dir = tempfile::tempdir().unwrap();
            let key = Secret::random().unwrap();
            let path = dir.path().join(Schema::Registers.file());
            let conn = Connection::open(&path).unwrap();
            apply_key(&conn, &key, hmac).unwrap();
            conn.execute_batch(
                "CREATE TABLE filler (x TEXT);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40)
                 INSERT INTO filler SELECT printf('%.1000c', char(64 + i % 26)) FROM n;",
            )
            .unwrap();
            drop(conn);
            let read_all = || -> Result<i64> {
                let conn = open(
                    dir.path(),
                    Schema::Registers,
                    &key,
                    false,
                    Tuning::default(),
                )?;
                Ok(conn.query_row("SELECT sum(length(x)) FROM filler", [], |r| r.get(0))?)
            };
            assert_eq!(read_all().unwrap(), 40_000, "{hmac}");
            let original = std::fs::read(&path).unwrap();
            let pages = original.len() / PAGE_SIZE as usize;
            assert!(pages >= 5, "{pages} pages");
            // The first page (past its 16-byte salt), the table's root, and its last page: in
            // the ciphertext, in the IV and in the HMAC tag at the page's end.
            for (page, at) in [(0, 100), (1, 4000), (pages - 1, PAGE_SIZE as usize - 1)] {
                let mut changed = original.clone();
                changed[page * PAGE_SIZE as usize + at] ^= 0x01;
                std::fs::write(&path, &changed).unwrap();
                let e = read_all().unwrap_err();
                assert_eq!(e.code, Code::Integrity, "{hmac}, page {page}: {e}");
            }
            std::fs::write(&path, &original).unwrap();
            assert_eq!(read_all().unwrap(), 40_000, "{hmac}");
        }
    }

    #[test]
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = Secret::random().unwrap();
        let mut conn = open(dir.path(), Schema::System, &key, true, Tuning::default()).unwrap();
        migrate(&mut conn, Schema::System).unwrap();
        conn.pragma_update(None, "user_version", Schema::System.version() + 1)
            .unwrap();
        let err = migrate(&mut conn, Schema::System).unwrap_err();
        assert_eq!(err.code, Code::Unsupported);
        assert!(err.message.contains("更新版本"));
    }

    #[test]
    fn a_wrong_key_cannot_open() {
        let dir = tempfile::tempdir().unwrap();
        let key = Secret::random().unwrap();
        let mut conn = open(dir.path(), Schema::System, &key, true, Tuning::default()).unwrap();
        migrate(&mut conn, Schema::System).unwrap();
        drop(conn);
        let err = open(
            dir.path(),
            Schema::System,
            &Secret::random().unwrap(),
            false,
            Tuning::default(),
        )
        .unwrap_err();
        assert_eq!(err.code, Code::Integrity);
    }

    /// A sort larger than the page cache writes its sorted runs to temporary files, which
    /// SQLCipher does not encrypt, unless `temp_store = MEMORY` ([`configure`]) keeps them in
    /// memory. The attack: a 12 MB sort of record-like text on a vault connection with a
    /// 1 MiB cache. While its rows are read, the process must hold no SQLite temporary file
    /// (`etilqs_…`, unlinked as soon as it is made, so it shows only among the open files).
    /// With `temp_store = FILE` this test fails: the sort opens `/var/tmp/etilqs_…`.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_sort_larger_than_the_cache_writes_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let key = Secret::random().unwrap();
        let mut conn = open(
            dir.path(),
            Schema::System,
            &key,
            true,
            Tuning { cache_kib: 1024 },
        )
        .unwrap();
        let tx = conn.transaction().unwrap();
        tx.execute_batch("CREATE TABLE t (x TEXT)").unwrap();
        for i in 0..60_000 {
            tx.execute(
                "INSERT INTO t VALUES (?1)",
                [format!("涉密载体{:0>190}", (i * 7919) % 60_000)],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        let temporary = || -> Vec<String> {
            std::fs::read_dir("/proc/self/fd")
                .unwrap()
                .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
                .map(|target| target.display().to_string())
                .filter(|target| target.contains("etilqs_"))
                .collect()
        };
        let mut sorted = conn.prepare("SELECT x FROM t ORDER BY x").unwrap();
        let mut rows = sorted.query([]).unwrap();
        let first: String = rows.next().unwrap().unwrap().get(0).unwrap();
        assert!(first.ends_with("0000"), "{first}");
        assert_eq!(temporary(), Vec::<String>::new());
        let mut n = 1;
        while rows.next().unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, 60_000);
    }
}
