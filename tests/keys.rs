//! Issue 10's key model, tested as the attacks of the review: the vault folder and one password
//! used offline with our own primitives (as the reviewer's Python did), copies of the folder or
//! of one file put back, edits to the key file. Each is now prevented or detected.

use std::path::Path;

use baomi::vault::crypto::Identity;
use baomi::vault::db::{self, Schema, Tuning};
use baomi::vault::keyfile::{KeyFile, Seal, VaultKey};
use baomi::vault::roles::Role;
use baomi::Code;
use serde_json::json;

use crate::util::*;

const READER: (&str, &str) = ("chayue", "Reader#2026ab");
const TITLE: &str = "绝密演习方案甲号";

/// A vault with a 查阅 account and one carrier whose title the attacks look for.
fn fixture() -> Fixture {
    let f = Fixture::new();
    f.add_business_account(READER.0, "查阅人", Role::Reader, READER.1);
    let input = baomi::input::from_value(json!({
        "title": TITLE, "level": "机密", "scope": ["办公室"], "carrier_type": "纸质文件",
        "custodian": "王五", "received_on": "2026-11-01"
    }))
    .unwrap();
    f.login(OFFICER).doc_add(&input).unwrap();
    f
}

/// Every text value of every table of an open database, joined: what an attacker dumps.
fn dump(conn: &rusqlite::Connection) -> String {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut out = String::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
        let n = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..n {
                if let Ok(s) = r.get::<_, String>(i) {
                    out.push_str(&s);
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// The reviewer's first step: the password unwraps the slot, the slot's keys open the grants.
fn offline_identity(dir: &Path, who: (&str, &str)) -> (KeyFile, Identity) {
    let kf = KeyFile::read(dir).unwrap();
    let id = kf.unwrap_identity(who.0, who.1).unwrap().unwrap();
    (kf, id)
}

/// F1: offline, with one password each, what every role can open. Administrators' passwords
/// open the system database (accounts, policy, log) and nothing of the registers.
#[test]
fn offline_each_roles_password_opens_only_what_the_role_may_read() {
    let f = fixture();
    let roles = [
        (ADMIN, false),
        (SECADMIN, false),
        (AUDITOR, false),
        (OFFICER, true),
        (READER, true),
    ];
    for (who, business) in roles {
        let (kf, id) = offline_identity(&f.dir, who);
        let system = kf.open_grants(who.0, &id, VaultKey::System);
        assert_eq!(
            system.len(),
            1,
            "{}: every account holds the system key",
            who.0
        );
        let sys = db::open(
            &f.dir,
            Schema::System,
            &system[0].1,
            false,
            Tuning::default(),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", who.0));
        assert!(
            !dump(&sys).contains(TITLE),
            "{}: the system database holds no register content",
            who.0
        );
        let registers = kf.open_grants(who.0, &id, VaultKey::Registers);
        assert_eq!(!registers.is_empty(), business, "{}", who.0);
        if business {
            let reg = db::open(
                &f.dir,
                Schema::Registers,
                &registers[0].1,
                false,
                Tuning::default(),
            )
            .unwrap();
            assert!(dump(&reg).contains(TITLE), "{}", who.0);
        } else {
            // No register grant in the file opens with its keys (checked above), and the
            // system key does not open the register database either.
            assert!(kf.grants.iter().any(|g| g.key == VaultKey::Registers));
            let e = db::open(
                &f.dir,
                Schema::Registers,
                &system[0].1,
                false,
                Tuning::default(),
            )
            .unwrap_err();
            assert_eq!(e.code, Code::Integrity, "{}", who.0);
        }
    }
}

/// F2, the reviewer's attack: with the 查阅 account's password, offline, change an entry's
/// actor, delete three entries, rebuild the chain and its guards, sign everything again with
/// the only key he has, and reseal. Verification names the first forged entry.
#[test]
fn a_log_rebuilt_and_resigned_with_one_accounts_key_fails_verification() {
    let f = fixture();
    let (mut kf, id) = offline_identity(&f.dir, READER);
    let key = kf.open_grants(READER.0, &id, VaultKey::System).remove(0).1;
    let conn = db::open(&f.dir, Schema::System, &key, false, Tuning::default()).unwrap();
    let vault_id = vault_id_of(&conn);
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
         UPDATE audit_log SET actor = 'wangwu' WHERE seq = 5;
         DELETE FROM audit_log WHERE seq IN (6, 7, 8);",
    )
    .unwrap();
    let rows = log_rows(&conn);
    conn.execute("DELETE FROM audit_log", []).unwrap();
    let mut prev = baomi::vault::audit::genesis(&vault_id);
    for (n, e) in rows.into_iter().enumerate() {
        let seq = n as i64 + 1;
        let LogRow {
            at,
            actor,
            action,
            target,
            detail,
            ..
        } = e;
        let hash =
            baomi::vault::audit::entry_hash(seq, &at, &actor, &action, &target, &detail, &prev);
        let sig =
            hex::encode(id.sign(format!("baomi-audit-entry-v2|{vault_id}|{hash}").as_bytes()));
        conn.execute(
            "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev, hash, signer, sig)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            rusqlite::params![seq, at, actor, action, target, detail, prev, hash, id.public().signer(), sig],
        )
        .unwrap();
        prev = hash.clone();
        kf.seal = Some(Seal::make(&id, &vault_id, seq, &hash));
    }
    conn.execute_batch(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END;
         CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'x'); END;",
    )
    .unwrap();
    drop(conn);
    kf.write(&f.dir).unwrap();

    // On this machine the log is behind its high-water mark: refused at sign-in.
    let e = f.try_login(AUDITOR.0, AUDITOR.1).err().unwrap();
    assert_eq!(e.code, Code::RolledBack);
    // Elsewhere (a copy taken to another machine), the signatures give it away.
    let r = f.login_elsewhere(AUDITOR).audit_verify().unwrap();
    assert!(!r.intact);
    assert_eq!(r.first_broken, Some(1), "{}", r.problem);
    assert!(r.problem.contains("签名"), "{}", r.problem);
}

/// F3: an older copy of the whole folder put back (a borrowing erased) is refused until the
/// 安全审计员 accepts the restore, which is audited; then everyone signs in again.
#[test]
fn an_older_copy_of_the_folder_is_refused_until_the_auditor_accepts_the_restore() {
    let f = fixture();
    let copy = f.dir.parent().unwrap().join("old-copy");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(&f.dir).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, copy.join(p.file_name().unwrap())).unwrap();
    }
    f.login(ADMIN).set_unit_name("回退之后").unwrap();
    for entry in std::fs::read_dir(&copy).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, f.dir.join(p.file_name().unwrap())).unwrap();
    }
    for who in [OFFICER, ADMIN, AUDITOR] {
        let e = f.try_login(who.0, who.1).err().unwrap();
        assert_eq!(e.code, Code::RolledBack, "{}", e.message);
        assert_eq!(e.code.exit_status(), 4, "an integrity failure for scripts");
        assert!(e.message.contains("更旧"), "{}", e.message);
        // The desktop's way and the CLI's are both named.
        assert!(e.message.contains("确认恢复备份"), "{}", e.message);
        assert!(
            e.message.contains("baomi audit accept-restore"),
            "{}",
            e.message
        );
    }
    // Only the auditor may accept it.
    let clock = std::sync::Arc::new(f.clock.clone());
    let e = baomi::vault::accept_restore(&f.dir, ADMIN.0, ADMIN.1, clock.clone(), &f.options())
        .unwrap_err();
    assert_eq!(e.code, Code::Permission);
    let mut a =
        baomi::vault::accept_restore(&f.dir, AUDITOR.0, AUDITOR.1, clock, &f.options()).unwrap();
    let page = a
        .audit_list(&baomi::vault::audit::Filter {
            action: Some("restore_acknowledged".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    assert!(a.audit_verify().unwrap().intact);
    drop(a);
    assert_eq!(f.login(OFFICER).unit_name().unwrap(), UNIT);
}

/// F3: an older `vault.keys` alone (to revive an old password) is refused.
#[test]
fn an_older_key_file_alone_is_refused() {
    let f = fixture();
    let old = std::fs::read(baomi::vault::keyfile::path(&f.dir)).unwrap();
    f.login(OFFICER)
        .change_password(OFFICER.1, "Newer#2026pass")
        .unwrap();
    std::fs::write(baomi::vault::keyfile::path(&f.dir), &old).unwrap();
    let e = f.try_login(OFFICER.0, OFFICER.1).err().unwrap();
    assert_eq!(e.code, Code::Integrity);
    assert!(e.message.contains("密钥文件比数据库旧"), "{}", e.message);
}

/// F3: the seal is never made again: removed from the key file, it stays missing and
/// verification says so (exit 4 in the CLI).
#[test]
fn a_removed_seal_is_an_integrity_failure_and_never_recreated() {
    let f = fixture();
    let path = baomi::vault::keyfile::path(&f.dir);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v["seal"] = serde_json::Value::Null;
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    let r = f.login(AUDITOR).audit_verify().unwrap();
    assert!(!r.intact);
    assert!(r.problem.contains("缺少审计封印"), "{}", r.problem);
    assert!(KeyFile::read(&f.dir).unwrap().seal.is_none());
    let out = crate::cli::baomi(&f.dir, Some(AUDITOR), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(4));
}

/// F4: counters erased, the lockout threshold raised, a backdated lockout and a register event
/// injected into the key file: the next sign-in records the tampering, refuses the injected
/// events and puts the counters and the policy back, so the lockout still comes.
#[test]
fn key_file_edits_are_detected_recorded_and_undone() {
    let f = fixture();
    for _ in 0..3 {
        assert!(f.try_login(READER.0, "Wrong#12345").is_err());
    }
    let path = baomi::vault::keyfile::path(&f.dir);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v["logins"] = json!({});
    v["policy"]["max_failures"] = 10.into();
    let account = v["slots"][0]["account"].clone();
    let pending = v["pending"].as_array_mut().unwrap();
    pending.push(json!({"at": "2020-01-01T00:00:00Z", "account": account,
        "action": "account_locked", "detail": "{\"minutes\":30}"}));
    pending.push(json!({"at": "2026-11-22T09:00:00Z", "account": account,
        "action": "doc_destroyed", "detail": "{}"}));
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();

    drop(f.login(OFFICER));
    let kf = KeyFile::read(&f.dir).unwrap();
    assert_eq!(kf.policy.max_failures, 5, "the policy mirror is put back");
    let mut a = f.login(AUDITOR);
    let list = |a: &mut baomi::vault::Session, action: &str| {
        a.audit_list(&baomi::vault::audit::Filter {
            action: Some(action.into()),
            ..Default::default()
        })
        .unwrap()
    };
    let t = list(&mut a, "keyfile_tampered");
    assert_eq!(
        t.total,
        1,
        "{:?}",
        t.rows
            .iter()
            .map(|e| (&e.seq, &e.actor, &e.detail))
            .collect::<Vec<_>>()
    );
    let d: serde_json::Value = serde_json::from_str(&t.rows[0].detail).unwrap();
    for finding in ["policy_changed", "pending_forged", "logins_changed"] {
        assert!(
            d["findings"].as_array().unwrap().contains(&json!(finding)),
            "{d}"
        );
    }
    assert_eq!(d["refused_events"], 2);
    assert_eq!(list(&mut a, "doc_destroyed").total, 0);
    assert_eq!(list(&mut a, "account_locked").total, 0);
    let failed = list(&mut a, "login_failed");
    assert_eq!(
        failed.total,
        3,
        "{:?}",
        failed
            .rows
            .iter()
            .map(|e| (&e.actor, &e.target, &e.detail))
            .collect::<Vec<_>>()
    );
    assert!(
        t.rows[0].detail_text.contains("已恢复"),
        "{}",
        t.rows[0].detail_text
    );
    assert!(a.audit_verify().unwrap().intact);
    drop(a);
    // The three failures still count: two more lock the account.
    assert_eq!(
        f.try_login(READER.0, "Wrong#12345").unwrap_err().code,
        Code::AuthFailed
    );
    assert_eq!(
        f.try_login(READER.0, "Wrong#12345").unwrap_err().code,
        Code::Locked
    );
}

/// F11: a disabled account's password, with a copy of the key file from before, opens
/// nothing: its slot is gone and both keys were rotated.
#[test]
fn a_disabled_accounts_old_password_and_old_key_file_open_nothing() {
    let f = fixture();
    let old = KeyFile::read(&f.dir).unwrap();
    f.login(ADMIN).set_account_disabled(READER.0, true).unwrap();
    assert!(KeyFile::read(&f.dir).unwrap().slot(READER.0).is_none());
    // The next 保密员 to sign in rotates the register key; the log says so.
    drop(f.login(OFFICER));
    let id = old.unwrap_identity(READER.0, READER.1).unwrap().unwrap();
    for (which, schema) in [
        (VaultKey::System, Schema::System),
        (VaultKey::Registers, Schema::Registers),
    ] {
        let keys = old.open_grants(READER.0, &id, which);
        assert!(!keys.is_empty());
        for (_, key) in keys {
            let e = db::open(&f.dir, schema, &key, false, Tuning::default()).unwrap_err();
            assert_eq!(e.code, Code::Integrity, "{which:?}");
        }
    }
    // Everyone else still opens both.
    f.login(OFFICER).doc_list(&Default::default()).unwrap();
    let mut a = f.login(AUDITOR);
    let rotations = a
        .audit_list(&baomi::vault::audit::Filter {
            action: Some("key_rotate".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        rotations.total, 2,
        "system key at the disable, register key after"
    );
    assert!(a.audit_verify().unwrap().intact);
    // On demand too: the old key file's grants stop working at each rotation.
    let before = KeyFile::read(&f.dir).unwrap();
    f.login(OFFICER).rotate_keys().unwrap();
    let (_, oid) = offline_identity(&f.dir, OFFICER);
    let stale = before
        .open_grants(OFFICER.0, &oid, VaultKey::Registers)
        .remove(0)
        .1;
    assert!(db::open(&f.dir, Schema::Registers, &stale, false, Tuning::default()).is_err());
}

/// The register key survives every holder losing their password: the recovery code sealed at
/// creation gives it back to a business account, audited; administrators cannot use it, a
/// mistyped code is named, and a recovery key swapped in the database is refused.
#[test]
fn the_recovery_code_gives_the_register_key_back_and_only_to_business_accounts() {
    let f = Fixture::new();
    f.login(ADMIN)
        .reset_password(OFFICER.0, "Reset#2026abc")
        .unwrap();
    f.login(SECADMIN)
        .assign_role(OFFICER.0, Role::Officer)
        .unwrap();
    let e = f.try_login(OFFICER.0, "Reset#2026abc").err().unwrap();
    assert!(e.message.contains("恢复码"), "{}", e.message);
    let clock = std::sync::Arc::new(f.clock.clone());
    let recover = |who: (&str, &str), code: &str| {
        baomi::vault::recover(&f.dir, who.0, who.1, code, clock.clone(), &f.options())
    };
    let mut typo = f.recovery_code.clone().into_bytes();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    let e = recover(
        (OFFICER.0, "Reset#2026abc"),
        std::str::from_utf8(&typo).unwrap(),
    )
    .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("recovery_code"));
    let e = recover(ADMIN, &f.recovery_code).unwrap_err();
    assert_eq!(e.code, Code::Permission);
    let mut s = recover((OFFICER.0, "Reset#2026abc"), &f.recovery_code).unwrap();
    s.change_password("Reset#2026abc", "Back#2026again")
        .unwrap();
    s.doc_list(&Default::default()).unwrap();
    drop(s);
    let mut a = f.login(AUDITOR);
    let page = a
        .audit_list(&baomi::vault::audit::Filter {
            action: Some("key_recovered".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].actor, OFFICER.0);
    drop(a);

    // An insider with the system key swaps in a recovery key of his own, hoping the next
    // rotation grants him the register key: the rotation refuses.
    let conn = raw_connection(&f.dir, ADMIN);
    let mine = Identity::generate().unwrap();
    conn.execute(
        "UPDATE settings SET value = ?1 WHERE key = 'recovery_pub'",
        [hex::encode(mine.public().agreement)],
    )
    .unwrap();
    drop(conn);
    let e = f
        .login((OFFICER.0, "Back#2026again"))
        .rotate_keys()
        .unwrap_err();
    assert_eq!(e.code, Code::Integrity, "{}", e.message);
}

/// F2: the auditor's checkpoint pins the log; a log rewritten behind it (its checkpoints table
/// emptied too) still disagrees with the paper slip.
#[test]
fn the_paper_checkpoint_catches_a_log_rewritten_behind_it() {
    let f = fixture();
    let c = f.login(AUDITOR).audit_checkpoint().unwrap();
    assert!(c.is_authentic(&KeyFile::read(&f.dir).unwrap().vault_id));
    f.login(ADMIN).set_unit_name("单位甲").unwrap();
    assert!(f.login(AUDITOR).audit_verify().unwrap().intact);
    let r = f.login(AUDITOR).audit_verify_paper(c.seq, &c.head).unwrap();
    assert!(r.intact, "{}", r.problem);
    // The insider empties the checkpoints and rewrites the entry the slip pinned.
    let conn = raw_connection(&f.dir, ADMIN);
    conn.execute_batch(&format!(
        "DROP TRIGGER checkpoints_no_delete; DELETE FROM checkpoints;
         DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET hash = 'ff' || substr(hash, 3) WHERE seq = {};",
        c.seq
    ))
    .unwrap();
    drop(conn);
    let r = f
        .login_elsewhere(AUDITOR)
        .audit_verify_paper(c.seq, &c.head)
        .unwrap();
    assert!(!r.intact);
    assert!(r.problem.contains("纸质检查点"), "{}", r.problem);
}

/// The desktop's ways in and out of the key model, through `App` as the window calls them: a
/// rolled-back folder refused with its own code until the auditor accepts it from the login
/// screen, the recovery code, checkpoints with their slip and paper verification, rotation.
#[test]
fn the_desktop_accepts_a_restore_recovers_checkpoints_and_rotates() {
    let f = fixture();
    let app = baomi::app::App::new(
        f.dir.clone(),
        std::sync::Arc::new(f.clock.clone()),
        f.options(),
    );

    // The auditor signs a checkpoint, prints its slip and checks the paper.
    app.login(AUDITOR.0, secret(AUDITOR.1)).unwrap();
    let c = app.audit_checkpoint().unwrap();
    let job = app.audit_checkpoint_slip(c.seq).unwrap();
    assert_eq!(job.serial, format!("C{}", c.seq));
    assert!(app
        .print_page(&job.serial, 0, 1.0)
        .unwrap()
        .starts_with("data:image/png;base64,"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("检查点单.pdf");
    // The officer's save path refuses the auditor before anything is written.
    assert_eq!(
        app.print_save(&job.serial, &out).unwrap_err().code,
        Code::Permission
    );
    assert!(!out.exists());
    app.audit_checkpoint_save(&job.serial, &out).unwrap();
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"));
    // Typed as printed: groups separated by spaces, upper case.
    let typed = baomi::print::system::grouped(&c.head, 8)
        .join("\n")
        .to_uppercase();
    let r = app.audit_verify_paper(c.seq, &typed).unwrap();
    assert!(r.intact, "{}", r.problem);
    let wrong = format!(
        "{}{}",
        &c.head[..63],
        if c.head.ends_with('0') { '1' } else { '0' }
    );
    let r = app.audit_verify_paper(c.seq, &wrong).unwrap();
    assert!(!r.intact);
    assert!(r.problem.contains("纸质检查点不符"), "{}", r.problem);
    let e = app.audit_verify_paper(c.seq, "3fa9").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("head"), "{}", e.message);
    // The auditor has no key to rotate.
    assert_eq!(app.rotate_keys().unwrap_err().code, Code::Permission);
    app.lock(false).unwrap();

    // Each key's holder rotates it.
    app.login(ADMIN.0, secret(ADMIN.1)).unwrap();
    assert_eq!(app.rotate_keys().unwrap(), vec![VaultKey::System]);
    app.login(OFFICER.0, secret(OFFICER.1)).unwrap();
    assert_eq!(app.rotate_keys().unwrap(), vec![VaultKey::Registers]);
    app.lock(false).unwrap();

    // A folder put back: refused with its own code until the auditor accepts it.
    let copy = f.dir.parent().unwrap().join("desktop-copy");
    std::fs::create_dir_all(&copy).unwrap();
    for entry in std::fs::read_dir(&f.dir).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, copy.join(p.file_name().unwrap())).unwrap();
    }
    f.login(ADMIN).set_unit_name("回退之后").unwrap();
    for entry in std::fs::read_dir(&copy).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, f.dir.join(p.file_name().unwrap())).unwrap();
    }
    let e = app.login(OFFICER.0, secret(OFFICER.1)).unwrap_err();
    assert_eq!(e.code, Code::RolledBack, "{}", e.message);
    let e = app.accept_restore(ADMIN.0, secret(ADMIN.1)).unwrap_err();
    assert_eq!(e.code, Code::Permission, "{}", e.message);
    let e = app
        .accept_restore(AUDITOR.0, secret("Wrong#12345"))
        .unwrap_err();
    assert_eq!(e.code, Code::AuthFailed, "{}", e.message);
    let info = app.accept_restore(AUDITOR.0, secret(AUDITOR.1)).unwrap();
    assert_eq!(info.role, Role::Auditor);
    assert!(app.status().unwrap().session.is_some());
    // Not behind any more: nothing to accept.
    assert_eq!(
        app.accept_restore(AUDITOR.0, secret(AUDITOR.1))
            .unwrap_err()
            .code,
        Code::Rule
    );
    assert_eq!(app.login(OFFICER.0, secret(OFFICER.1)).unwrap().unit, UNIT);

    // The recovery code: a 保密员 whose key went with a reset signs in with it.
    f.login(ADMIN)
        .reset_password(OFFICER.0, "Reset#2026abc")
        .unwrap();
    f.login(SECADMIN)
        .assign_role(OFFICER.0, Role::Officer)
        .unwrap();
    let e = app.login(OFFICER.0, secret("Reset#2026abc")).unwrap_err();
    assert!(e.message.contains("使用恢复码"), "{}", e.message);
    let e = app
        .recover(OFFICER.0, secret("Reset#2026abc"), secret("0000-0000"))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("recovery_code"), "{}", e.message);
    let e = app
        .recover(AUDITOR.0, secret(AUDITOR.1), secret(&f.recovery_code))
        .unwrap_err();
    assert_eq!(e.code, Code::Permission, "{}", e.message);
    let info = app
        .recover(OFFICER.0, secret("Reset#2026abc"), secret(&f.recovery_code))
        .unwrap();
    assert_eq!(info.role, Role::Officer);
    assert!(info.must_change_password);
}
