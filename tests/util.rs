//! Fixtures: a fresh vault with the three administrators and one officer, a movable clock,
//! and a raw connection for the tests that play the attacker.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use baomi::clock::FixedClock;
use baomi::vault::crypto::KdfParams;
use baomi::vault::crypto::Secret;
use baomi::vault::db::{self, Schema, Tuning};
use baomi::vault::keyfile::{KeyFile, VaultKey};
use baomi::vault::marks::Marks;
use baomi::vault::{self, InitRequest, NewAccount, Options, Session};
use chrono::TimeZone;

pub const UNIT: &str = "某某市国家保密局测试处";
pub const ADMIN: (&str, &str) = ("sysadm", "Admin#12345");
pub const SECADMIN: (&str, &str) = ("secadm", "Secad#12345");
pub const AUDITOR: (&str, &str) = ("audit1", "Audit#12345");
pub const OFFICER: (&str, &str) = ("wangwu", "Offic#12345");

pub struct Fixture {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
    pub clock: FixedClock,
    /// This installation's state folder (its high-water marks), outside the vault.
    pub state: PathBuf,
    /// The recovery code shown once at creation (sealed in an envelope in real life).
    pub recovery_code: String,
}

/// Options for a vault whose installation keeps its marks in `state`.
pub fn options_at(state: &Path) -> Options {
    Options {
        kdf: KdfParams::minimum(),
        tuning: Tuning::default(),
        marks: Marks::new(state.to_path_buf()),
    }
}

fn account(name: &str, display: &str, password: &str) -> NewAccount {
    NewAccount {
        name: name.into(),
        display: display.into(),
        password: password.into(),
    }
}

pub fn init_request() -> InitRequest {
    InitRequest {
        unit: UNIT.into(),
        admin: account(ADMIN.0, "李系统", ADMIN.1),
        secadmin: account(SECADMIN.0, "赵安全", SECADMIN.1),
        auditor: account(AUDITOR.0, "钱审计", AUDITOR.1),
        officer: Some(account(OFFICER.0, "王五", OFFICER.1)),
    }
}

impl Fixture {
    pub fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("vault");
        let state = tmp.path().join("state");
        let clock = FixedClock::new(chrono::Utc.with_ymd_and_hms(2026, 11, 22, 9, 0, 0).unwrap());
        let code = vault::init(&dir, &init_request(), &options_at(&state), &clock).unwrap();
        Fixture {
            _tmp: tmp,
            dir,
            clock,
            state,
            recovery_code: code.to_string(),
        }
    }

    pub fn options(&self) -> Options {
        options_at(&self.state)
    }

    /// Options of another installation (another machine): no high-water mark for this vault.
    pub fn elsewhere(&self) -> Options {
        options_at(&self.dir.parent().unwrap().join("another-installation"))
    }

    /// Signs in from another installation.
    pub fn login_elsewhere(&self, who: (&str, &str)) -> Session {
        vault::login(
            &self.dir,
            who.0,
            who.1,
            Arc::new(self.clock.clone()),
            &self.elsewhere(),
        )
        .unwrap()
    }

    pub fn login(&self, who: (&str, &str)) -> Session {
        self.try_login(who.0, who.1).unwrap()
    }

    pub fn try_login(&self, user: &str, password: &str) -> baomi::Result<Session> {
        vault::login(
            &self.dir,
            user,
            password,
            Arc::new(self.clock.clone()),
            &self.options(),
        )
    }

    /// Creates a business account with `role` and its own password (already changed).
    pub fn add_business_account(
        &self,
        name: &str,
        display: &str,
        role: baomi::vault::roles::Role,
        password: &str,
    ) {
        let initial = "Initial#12345";
        self.login(ADMIN)
            .add_account(&account(name, display, initial))
            .unwrap();
        self.login(SECADMIN).assign_role(name, role).unwrap();
        // The register key reaches a new business account when a 保密员 next signs in.
        self.grant_keys();
        self.try_login(name, initial)
            .unwrap()
            .change_password(initial, password)
            .unwrap();
    }
}

impl Fixture {
    /// A 保密员 signs in, which grants the register key to business accounts that lack it.
    pub fn grant_keys(&self) {
        drop(self.login(OFFICER));
    }
}

/// Opens the system database directly with a password, as an insider bypassing the program
/// would: the password unwraps the account's private key, which opens its system-key grant.
pub fn raw_connection(dir: &Path, who: (&str, &str)) -> rusqlite::Connection {
    let key = raw_key(dir, who, VaultKey::System).expect("every account holds the system key");
    db::open(dir, Schema::System, &key, false, Tuning::default()).unwrap()
}

/// The vault key `which` as an insider with one password gets it offline, if that account
/// holds it at all.
pub fn raw_key(dir: &Path, who: (&str, &str), which: VaultKey) -> Option<Secret> {
    let kf = KeyFile::read(dir).unwrap();
    let id = kf.unwrap_identity(who.0, who.1).unwrap().unwrap();
    kf.open_grants(who.0, &id, which)
        .into_iter()
        .next()
        .map(|(_, k)| k)
}

/// Opens the register database directly with a password (a business account's), offline.
pub fn raw_registers(dir: &Path, who: (&str, &str)) -> rusqlite::Connection {
    let key = raw_key(dir, who, VaultKey::Registers).expect("this account holds the register key");
    db::open(dir, Schema::Registers, &key, false, Tuning::default()).unwrap()
}

/// Checks, on the vault's own file, that the carriers' kept counts (`documents_counts`, what
/// the home screen reads) equal counting the register; returns how many rows they have.
pub fn counts_kept(dir: &Path, who: (&str, &str)) -> usize {
    let conn = raw_registers(dir, who);
    let read = |sql: &str| -> Vec<(String, String, String, i64)> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let kept = read("SELECT status, level, custodian, n FROM documents_counts ORDER BY 1, 2, 3");
    let counted = read(
        "SELECT status, level, custodian, count(*) FROM documents GROUP BY 1, 2, 3
         ORDER BY 1, 2, 3",
    );
    assert_eq!(kept, counted, "the kept counts differ from the register");
    kept.len()
}

/// Every byte of every file in the vault folder.
pub fn all_vault_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (p.display().to_string(), std::fs::read(&p).unwrap())
        })
        .collect()
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// A password as `App` methods take it (wiped on drop).
pub fn secret(p: &str) -> baomi::app::Zeroizing<String> {
    baomi::app::Zeroizing::new(p.to_string())
}

/// One audit entry's own fields, as an attacker reads them to rebuild the chain.
pub struct LogRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// Every audit entry in order, read straight from the system database.
pub fn log_rows(conn: &rusqlite::Connection) -> Vec<LogRow> {
    conn.prepare("SELECT seq, at, actor, action, target, detail FROM audit_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok(LogRow {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                target: r.get(4)?,
                detail: r.get(5)?,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The vault id, read straight from the system database.
pub fn vault_id_of(conn: &rusqlite::Connection) -> String {
    conn.query_row(
        "SELECT value FROM settings WHERE key = 'vault_id'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}
