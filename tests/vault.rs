//! Creating, opening and locking vaults: passwords, lockout, idle lock, what reaches the disk.

use baomi::vault::roles::Role;
use baomi::vault::{self, NewAccount};
use baomi::Code;
use chrono::Duration;

use crate::util::*;

#[test]
fn wrong_password_is_refused_with_the_tries_left() {
    let f = Fixture::new();
    let err = f.try_login(OFFICER.0, "Wrong#12345").err().unwrap();
    assert_eq!(err.code, Code::AuthFailed);
    assert_eq!(
        err.message,
        "账户名或口令错误（还可尝试 4 次，之后账户将锁定 15 分钟）"
    );
    // An unknown account gets the same answer as a wrong password.
    let err = f.try_login("nobody", OFFICER.1).err().unwrap();
    assert_eq!(err.code, Code::AuthFailed);
    assert!(f.try_login(OFFICER.0, OFFICER.1).is_ok());
}

#[test]
fn five_failures_lock_the_account_until_the_lockout_expires() {
    let f = Fixture::new();
    for i in 1..=4 {
        let err = f.try_login(OFFICER.0, "Wrong#12345").err().unwrap();
        assert_eq!(err.code, Code::AuthFailed, "attempt {i}");
    }
    let err = f.try_login(OFFICER.0, "Wrong#12345").err().unwrap();
    assert_eq!(err.code, Code::Locked);
    assert!(err.message.contains("已锁定 15 分钟"), "{}", err.message);

    // Even the right password is refused while locked, and the message gives the time left.
    f.clock.advance(Duration::minutes(5));
    let err = f.try_login(OFFICER.0, OFFICER.1).err().unwrap();
    assert_eq!(err.code, Code::Locked);
    assert_eq!(
        err.message,
        "账户“wangwu”因连续口令错误已被锁定，请在 10 分 0 秒后再试"
    );

    // Other accounts are unaffected.
    assert!(f.try_login(ADMIN.0, ADMIN.1).is_ok());

    f.clock
        .advance(Duration::minutes(10) + Duration::seconds(1));
    assert!(f.try_login(OFFICER.0, OFFICER.1).is_ok());
    // A success resets the counter: four more failures do not lock.
    for _ in 0..4 {
        assert_eq!(
            f.try_login(OFFICER.0, "Wrong#12345").err().unwrap().code,
            Code::AuthFailed
        );
    }
}

#[test]
fn lockout_policy_is_configurable_and_enforced_from_the_key_file() {
    let f = Fixture::new();
    let mut s = f.login(SECADMIN);
    let mut p = s.policy().unwrap();
    p.max_failures = 3;
    p.lockout_minutes = 60;
    s.set_policy(p).unwrap();
    drop(s);
    for _ in 0..2 {
        assert_eq!(
            f.try_login(OFFICER.0, "x").err().unwrap().code,
            Code::AuthFailed
        );
    }
    let err = f.try_login(OFFICER.0, "x").err().unwrap();
    assert_eq!(err.code, Code::Locked);
    assert!(err.message.contains("锁定 60 分钟"), "{}", err.message);
}

#[test]
fn password_change_rewraps_one_slot_and_keeps_everything_readable() {
    let f = Fixture::new();
    let mut s = f.login(ADMIN);
    s.set_unit_name("改名后的单位").unwrap();
    s.change_password(ADMIN.1, "NewAdmin#2026").unwrap();
    drop(s);
    assert_eq!(
        f.try_login(ADMIN.0, ADMIN.1).err().unwrap().code,
        Code::AuthFailed
    );
    let s = f.try_login(ADMIN.0, "NewAdmin#2026").unwrap();
    assert_eq!(s.unit_name().unwrap(), "改名后的单位");
    // Other accounts' slots still open the same data.
    assert_eq!(f.login(OFFICER).info().unwrap().unit, "改名后的单位");
}

#[test]
fn password_change_checks_the_old_password_and_the_policy() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let e = s
        .change_password("Wrong#12345", "Another#2026")
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("old_password"));
    let e = s.change_password(OFFICER.1, "short").unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (Code::Validation, Some("password"))
    );
    let e = s.change_password(OFFICER.1, OFFICER.1).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("password"));
}

#[test]
fn new_accounts_must_change_their_initial_password_first() {
    let f = Fixture::new();
    f.login(ADMIN)
        .add_account(&NewAccount {
            name: "zhangsan".into(),
            display: "张三".into(),
            password: "Initial#12345".into(),
        })
        .unwrap();
    // No role yet: refused with a clear message.
    let e = f.try_login("zhangsan", "Initial#12345").err().unwrap();
    assert_eq!(e.code, Code::Rule);
    assert!(e.message.contains("尚未分配角色"));
    f.login(SECADMIN)
        .assign_role("zhangsan", Role::Reader)
        .unwrap();
    // The register key is not the administrators' to give: it waits for a 保密员.
    let e = f.try_login("zhangsan", "Initial#12345").err().unwrap();
    assert!(e.message.contains("尚未获得登记簿密钥"), "{}", e.message);
    f.grant_keys();
    let mut s = f.try_login("zhangsan", "Initial#12345").unwrap();
    assert!(s.info().unwrap().must_change_password);
    let e = s.audit_list(&Default::default()).unwrap_err();
    assert_eq!(
        e.code,
        Code::Rule,
        "nothing but a password change before it"
    );
    s.change_password("Initial#12345", "Zhang#San2026").unwrap();
    assert!(!s.info().unwrap().must_change_password);
}

#[test]
fn disabled_accounts_cannot_sign_in_and_reset_passwords_work() {
    let f = Fixture::new();
    f.add_business_account("lisi", "李四", Role::Officer, "Lee#2026abcd");
    let mut admin = f.login(ADMIN);
    admin.set_account_disabled("lisi", true).unwrap();
    let e = f.try_login("lisi", "Lee#2026abcd").err().unwrap();
    assert!(e.message.contains("账户名或口令错误"), "{}", e.message);
    // Its keys were revoked: enabling it again needs a reset, which gives it new ones.
    let e = admin.set_account_disabled("lisi", false).unwrap_err();
    assert!(e.message.contains("请先为其重置口令"), "{}", e.message);
    admin.reset_password("lisi", "Reset#2026abc").unwrap();
    admin.set_account_disabled("lisi", false).unwrap();
    assert!(f.try_login("lisi", "Lee#2026abcd").is_err());
    // The reset cleared the business role: the account waits for the 安全保密管理员.
    let e = f.try_login("lisi", "Reset#2026abc").err().unwrap();
    assert!(e.message.contains("尚未分配角色"), "{}", e.message);
    f.login(SECADMIN)
        .assign_role("lisi", Role::Officer)
        .unwrap();
    f.grant_keys();
    assert!(
        f.try_login("lisi", "Reset#2026abc")
            .unwrap()
            .info()
            .unwrap()
            .must_change_password
    );
    // Administrators cannot be disabled or reset by the system administrator (三员分立).
    assert_eq!(
        admin
            .set_account_disabled(AUDITOR.0, true)
            .unwrap_err()
            .code,
        Code::Rule
    );
    assert_eq!(
        admin
            .reset_password(SECADMIN.0, "Reset#2026abc")
            .unwrap_err()
            .code,
        Code::Rule
    );
}

#[test]
fn idle_sessions_lock_themselves() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    f.clock.advance(Duration::seconds(599));
    assert!(s.touch().is_ok());
    f.clock.advance(Duration::seconds(601));
    assert!(s.idle_expired());
    assert_eq!(s.touch().unwrap_err().code, Code::SessionLocked);
}

#[test]
fn the_app_state_locks_an_idle_session_and_audits_it() {
    let f = Fixture::new();
    let app = baomi::app::App::new(
        f.dir.clone(),
        std::sync::Arc::new(f.clock.clone()),
        f.options(),
    );
    assert!(app.status().unwrap().vault_exists);
    app.login(SECADMIN.0, secret(SECADMIN.1)).unwrap();
    let mut p = app.policy().unwrap();
    p.idle_lock_seconds = 30;
    app.set_policy(p).unwrap();
    assert!(app.status().unwrap().session.is_some());
    f.clock.advance(Duration::seconds(31));
    assert!(app.status().unwrap().session.is_none());
    assert_eq!(app.policy().unwrap_err().code, Code::SessionLocked);
    assert_eq!(
        app.policy().unwrap_err().message,
        "尚未登录或会话已锁定，请登录"
    );
    app.login(AUDITOR.0, secret(AUDITOR.1)).unwrap();
    let page = app
        .audit_list(&baomi::vault::audit::Filter {
            action: Some("idle_lock".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].actor, SECADMIN.0);
}

#[test]
fn nothing_readable_reaches_the_disk() {
    let f = Fixture::new();
    f.add_business_account("zhangsanfeng", "张三丰", Role::Officer, "Zsf#2026abcd");
    let mut admin = f.login(ADMIN);
    admin.set_unit_name("绝密测试单位甲乙丙").unwrap();
    // Keep a session open so the WAL file exists while we look.
    let _open = f.login(OFFICER);
    let needles: [&[u8]; 9] = [
        "绝密测试单位甲乙丙".as_bytes(),
        UNIT.as_bytes(),
        "张三丰".as_bytes(),
        "王五".as_bytes(),
        b"zhangsanfeng",
        b"wangwu",
        b"sysadm",
        b"account_create",
        b"SQLite format",
    ];
    let files = all_vault_bytes(&f.dir);
    assert!(files.iter().any(|(n, _)| n.ends_with("vault.db")));
    assert!(files.iter().any(|(n, _)| n.ends_with("vault.keys")));
    for (name, bytes) in &files {
        for needle in needles {
            assert!(
                !contains(bytes, needle),
                "{name} contains {:?}",
                String::from_utf8_lossy(needle)
            );
        }
    }
}

#[test]
fn a_newer_vault_is_refused_with_a_clear_message() {
    let f = Fixture::new();
    let conn = raw_connection(&f.dir, OFFICER);
    conn.pragma_update(
        None,
        "user_version",
        baomi::vault::db::Schema::System.version() + 1,
    )
    .unwrap();
    drop(conn);
    let e = f.try_login(OFFICER.0, OFFICER.1).err().unwrap();
    assert_eq!(e.code, Code::Unsupported);
    assert!(e.message.contains("更新版本"), "{}", e.message);

    // A key file from a newer version is refused too.
    let f = Fixture::new();
    let path = baomi::vault::keyfile::path(&f.dir);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v["version"] = 99.into();
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    let e = f.try_login(OFFICER.0, OFFICER.1).err().unwrap();
    assert_eq!(e.code, Code::Unsupported);
}

#[test]
fn init_validates_every_field_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let clock = baomi::clock::SystemClock;
    let check = |edit: &dyn Fn(&mut vault::InitRequest), field: &str| {
        let mut req = init_request();
        edit(&mut req);
        let e =
            vault::init(&dir, &req, &options_at(&tmp.path().join("state")), &clock).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{}", e.message);
        assert!(!dir.exists(), "a refused init must leave nothing behind");
        e.message
    };
    assert_eq!(
        check(&|r| r.unit = " ".into(), "unit"),
        "单位名称：不能为空"
    );
    assert_eq!(
        check(&|r| r.secadmin.name = ADMIN.0.into(), "secadmin.name"),
        "安全保密管理员的账户名：“sysadm”已被其他角色使用：三员分立，每个角色须由不同账户担任"
    );
    assert!(
        check(&|r| r.auditor.password = "abc".into(), "auditor.password")
            .starts_with("安全审计员的口令：")
    );
    assert!(check(&|r| r.admin.name = "9abc".into(), "admin.name").contains("应以英文字母开头"));
    check(
        &|r| r.officer.as_mut().unwrap().display = "".into(),
        "officer.display",
    );

    vault::init(
        &dir,
        &init_request(),
        &options_at(&tmp.path().join("state")),
        &clock,
    )
    .unwrap();
    let e = vault::init(
        &dir,
        &init_request(),
        &options_at(&tmp.path().join("state")),
        &clock,
    )
    .unwrap_err();
    assert_eq!(e.code, Code::Conflict);
}

#[test]
fn a_backup_opens_with_the_same_passwords_and_an_intact_log() {
    let f = Fixture::new();
    let file = f.dir.parent().unwrap().join("backup.bdl");
    let made = f.login(ADMIN).backup(&file, "备份口令-2026").unwrap();
    // Verified without a vault: the manifest names the vault, the log's head and each file.
    let info = baomi::bundle::backup::verify(&file, "备份口令-2026").unwrap();
    assert_eq!(info, made);
    assert_eq!(info.files.len(), 3);
    assert!(info.seq > 0 && info.head.len() == 64);
    assert_eq!(
        baomi::bundle::backup::verify(&file, "错误的备份口令")
            .unwrap_err()
            .code,
        baomi::Code::AuthFailed
    );
    let dest = f.dir.parent().unwrap().join("backup");
    baomi::bundle::backup::restore(&file, "备份口令-2026", &dest).unwrap();
    // Opened on another machine (another installation's marks).
    let elsewhere = options_at(&f.dir.parent().unwrap().join("other-machine"));
    let s = vault::login(
        &dest,
        OFFICER.0,
        OFFICER.1,
        std::sync::Arc::new(f.clock.clone()),
        &elsewhere,
    )
    .unwrap();
    assert_eq!(s.unit_name().unwrap(), UNIT);
    drop(s);
    let mut a = vault::login(
        &dest,
        AUDITOR.0,
        AUDITOR.1,
        std::sync::Arc::new(f.clock.clone()),
        &elsewhere,
    )
    .unwrap();
    let r = a.audit_verify().unwrap();
    assert!(r.intact, "{}", r.problem);
    // A restore only goes into a new or empty folder; a backup is a file, not a folder.
    let e = baomi::bundle::backup::restore(&file, "备份口令-2026", &dest).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("vault"));
    let e = f.login(ADMIN).backup(&dest, "备份口令-2026").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("out"));
    // A flipped byte anywhere, or a records bundle offered as a backup, is refused.
    let mut bytes = std::fs::read(&file).unwrap();
    let n = bytes.len();
    bytes[n / 3] ^= 4;
    let bad = f.dir.parent().unwrap().join("bad.bdl");
    std::fs::write(&bad, &bytes).unwrap();
    assert_eq!(
        baomi::bundle::backup::verify(&bad, "备份口令-2026")
            .unwrap_err()
            .code,
        baomi::Code::Integrity
    );
}

/// A backup taken while a 保密员 keeps writing is consistent: every copy restores into a vault
/// whose log verifies and whose registers equal the fold of their events.
#[test]
fn a_backup_taken_during_writes_is_consistent() {
    let f = Fixture::new();
    let writer = {
        let mut s = f.login(OFFICER);
        std::thread::spawn(move || {
            for i in 0..40 {
                let input = baomi::input::from_value(serde_json::json!({
                    "title": format!("备份期间登记的载体{i}"), "level": "秘密", "scope": ["办公室"],
                    "carrier_type": "纸质文件", "custodian": "王五", "received_on": "2026-11-01"
                }))
                .unwrap();
                s.doc_add(&input).unwrap();
            }
        })
    };
    let parent = f.dir.parent().unwrap().to_path_buf();
    let mut admin = f.login(ADMIN);
    let files: Vec<_> = (0..4)
        .map(|n| {
            let file = parent.join(format!("during-{n}.bdl"));
            admin.backup(&file, "备份口令-2026").unwrap();
            file
        })
        .collect();
    writer.join().unwrap();
    let elsewhere = options_at(&parent.join("other-machine"));
    for (n, file) in files.iter().enumerate() {
        let dest = parent.join(format!("restored-{n}"));
        baomi::bundle::backup::restore(file, "备份口令-2026", &dest).unwrap();
        let clock = std::sync::Arc::new(f.clock.clone());
        let mut a = vault::login(&dest, AUDITOR.0, AUDITOR.1, clock.clone(), &elsewhere).unwrap();
        let r = a.audit_verify().unwrap();
        assert!(r.intact, "backup {n}: {}", r.problem);
        drop(a);
        let mut o = vault::login(&dest, OFFICER.0, OFFICER.1, clock, &elsewhere).unwrap();
        assert!(o.replay_mismatches().unwrap().is_empty());
    }
}
