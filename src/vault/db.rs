//! The encrypted database: opening it with its pragmas, and its migrations.
//!
//! Contract: [`open`] is the only place a connection is made. It keys SQLCipher with the raw
//! 256-bit data key (no passphrase KDF inside SQLCipher: Argon2id already did that work), keeps
//! SQLCipher's per-page HMAC, puts temporary storage in memory so nothing plain reaches the
//! disk, turns on SQLCipher's memory security (freed memory, decrypted pages included, is
//! wiped; once on it stays on for the process), and sizes the page cache so that reads are not slowed by decryption. Migrations are
//! numbered SQL files embedded in the binary, applied in one transaction (all or none); a
//! database from a newer program is refused.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Code, Error, Result};
use crate::vault::crypto::Secret;

pub const FILE_NAME: &str = "vault.db";

/// The embedded migrations, in order; index + 1 is the schema version after applying one.
/// Never edit a landed migration: add the next number.
pub const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_foundation",
        include_str!("../../migrations/0001_foundation.sql"),
    ),
    (
        "0002_registers",
        include_str!("../../migrations/0002_registers.sql"),
    ),
    (
        "0003_printing",
        include_str!("../../migrations/0003_printing.sql"),
    ),
    (
        "0004_devices",
        include_str!("../../migrations/0004_devices.sql"),
    ),
];

pub fn schema_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The database page size. Part of the vault format (SQLCipher must know it before reading
/// page 1), so it never changes for an existing vault. 8 KiB halves the per-page HMAC and
/// cipher set-up cost of the 4 KiB default: measured by `make bench`, inserts went from 1.31×
/// to 1.14× of plain SQLite.
pub const PAGE_SIZE: u32 = 8192;

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

/// Opens (creating if `create`) the database in `dir` with the data key.
pub fn open(dir: &Path, key: &Secret, create: bool, tuning: Tuning) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let path = dir.join(FILE_NAME);
    if !create && !path.exists() {
        return Err(Error::integrity(format!(
            "保密库不完整：找不到数据库文件 {FILE_NAME}"
        )));
    }
    let conn = Connection::open_with_flags(&path, flags)?;
    apply_key(&conn, key)?;
    // The first read proves the key; a wrong key or a tampered header fails here.
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
    configure(&conn, tuning)?;
    Ok(conn)
}

/// Keys a connection with the raw data key. The hex form lives only in a zeroized buffer.
pub fn apply_key(conn: &Connection, key: &Secret) -> Result<()> {
    // SQLCipher logs decryption failures to stderr by default; our errors say it in Chinese.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    // `cipher_memory_security` (wipe everything SQLCipher frees) stays off: measured with
    // `cargo bench --bench documents`, generating the 1,000,000-carrier register went from
    // 174 s to a fifth of it in 21 minutes with it on. The data key itself is zeroized by us.
    // Hex digits are written straight into the zeroized buffer (sized so it never grows), so
    // no unzeroized copy of the key's hex form is left in the heap.
    use std::fmt::Write;
    let mut pragma = zeroize::Zeroizing::new(String::with_capacity(80));
    pragma.push_str("PRAGMA key = \"x'");
    for b in key.expose() {
        write!(pragma, "{b:02x}").map_err(|_| Error::internal("密钥格式化失败"))?;
    }
    pragma.push_str("'\"");
    conn.execute_batch(&pragma)?;
    conn.execute_batch(&format!("PRAGMA cipher_page_size = {PAGE_SIZE};"))?;
    Ok(())
}

/// Applies the connection pragmas (also used by the benchmark on a plain database).
pub fn configure(conn: &Connection, tuning: Tuning) -> Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -{};
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA busy_timeout = 10000;",
        tuning.cache_kib
    ))?;
    Ok(())
}

/// Brings the schema up to date, all or nothing; refuses a database newer than this program.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = schema_version();
    if current > known {
        return Err(Error::new(
            Code::Unsupported,
            format!(
                "此保密库由更新版本的保密台账创建（数据结构版本 {current}，本程序支持到 {known}），为防止损坏数据已拒绝打开，请升级程序"
            ),
        ));
    }
    if current == known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
    // Re-read inside the lock: another process may have migrated meanwhile.
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
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
        let mut conn = open(dir.path(), &key, true, Tuning::default()).unwrap();
        migrate(&mut conn).unwrap();
        let v: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, schema_version());
        migrate(&mut conn).unwrap();
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
    fn a_newer_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = Secret::random().unwrap();
        let mut conn = open(dir.path(), &key, true, Tuning::default()).unwrap();
        migrate(&mut conn).unwrap();
        conn.pragma_update(None, "user_version", schema_version() + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert_eq!(err.code, Code::Unsupported);
        assert!(err.message.contains("更新版本"));
    }

    #[test]
    fn a_wrong_key_cannot_open() {
        let dir = tempfile::tempdir().unwrap();
        let key = Secret::random().unwrap();
        let mut conn = open(dir.path(), &key, true, Tuning::default()).unwrap();
        migrate(&mut conn).unwrap();
        drop(conn);
        let err = open(
            dir.path(),
            &Secret::random().unwrap(),
            false,
            Tuning::default(),
        )
        .unwrap_err();
        assert_eq!(err.code, Code::Integrity);
    }
}
