//! Attacks from issue 10 (security model v2), each written as the attacker would try it and
//! now prevented or detected. See docs/security-model.md for the threat model.

use baomi::vault::roles::Role;
use baomi::Code;

use crate::util::*;

/// F5: the 系统管理员 alone resets a 保密员's password and tries to use the account.
#[test]
fn an_administrator_alone_cannot_take_over_a_business_account() {
    let f = Fixture::new();
    f.add_business_account("chayue", "查阅人", Role::Reader, "Reader#2026ab");
    f.login(ADMIN)
        .reset_password(OFFICER.0, "Taken#2026over")
        .unwrap();
    // The attack: sign in with the password the administrator chose, change it, read.
    let attempt = f.try_login(OFFICER.0, "Taken#2026over").and_then(|mut s| {
        s.change_password("Taken#2026over", "Mine#2026taken")?;
        s.doc_list(&Default::default())?;
        Ok(())
    });
    let e = attempt.unwrap_err();
    assert_eq!(e.code, Code::Rule, "{}", e.message);
    assert!(e.message.contains("尚未分配角色"), "{}", e.message);

    // The second person, the 安全保密管理员, gives the role back; only then can it be used.
    f.login(SECADMIN)
        .assign_role(OFFICER.0, Role::Officer)
        .unwrap();
    // The reset gave the account a new key pair: the register key went with the old one, and
    // only a business account that holds it can give it back (here the 查阅 account).
    let e = f.try_login(OFFICER.0, "Taken#2026over").err().unwrap();
    assert!(e.message.contains("尚未获得登记簿密钥"), "{}", e.message);
    drop(f.login(("chayue", "Reader#2026ab")));
    let mut s = f.try_login(OFFICER.0, "Taken#2026over").unwrap();
    s.change_password("Taken#2026over", "Back#2026again")
        .unwrap();
    s.doc_list(&Default::default()).unwrap();

    // Both steps are in the log, the reset naming the role it cleared.
    let mut a = f.login(AUDITOR);
    let log = |a: &mut baomi::vault::Session, action: &str| {
        a.audit_list(&baomi::vault::audit::Filter {
            action: Some(action.into()),
            ..Default::default()
        })
        .unwrap()
    };
    let reset = log(&mut a, "password_reset");
    assert_eq!(reset.total, 1);
    assert_eq!(reset.rows[0].actor, ADMIN.0);
    let detail: serde_json::Value = serde_json::from_str(&reset.rows[0].detail).unwrap();
    assert_eq!(detail["role_cleared"], "officer");
    let assign = log(&mut a, "role_assign");
    assert_eq!(assign.rows[0].target, OFFICER.0);
    assert_eq!(assign.rows[0].actor, SECADMIN.0);
    let detail: serde_json::Value = serde_json::from_str(&assign.rows[0].detail).unwrap();
    assert_eq!(detail["old"], serde_json::Value::Null);
    assert_eq!(detail["new"], "officer");
}

/// Edits the key file as JSON, the way an insider with a text editor would.
fn edit_key_file(f: &Fixture, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = baomi::vault::keyfile::path(&f.dir);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
}

/// Signs in as the officer, turning a panic into a test failure that names the case.
fn login_without_panic(f: &Fixture, user: &str, password: &str, case: &str) -> baomi::Result<()> {
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        f.try_login(user, password).map(drop)
    }));
    match outcome {
        Ok(r) => r,
        Err(_) => panic!("login panicked on a crafted key file: {case}"),
    }
}

fn assert_integrity(r: baomi::Result<()>, case: &str) {
    let e = r.err().unwrap_or_else(|| panic!("{case}: accepted"));
    assert_eq!(e.code, Code::Integrity, "{case}: {}", e.message);
    assert_eq!(e.code.exit_status(), 4);
    assert!(e.message.starts_with("密钥文件"), "{case}: {}", e.message);
}

/// F9: a pending event whose account id is multibyte made every login panic (a string was
/// sliced by bytes); a short one must not either.
#[test]
fn a_crafted_pending_account_id_never_panics_login() {
    for (case, account) in [
        ("multibyte", "中文中文中文"),
        ("short", "ab"),
        ("empty", ""),
    ] {
        let f = Fixture::new();
        edit_key_file(&f, |v| {
            v["pending"] = serde_json::json!([{
                "at": "2026-11-22T09:00:00Z", "account": account,
                "action": "login_failed", "detail": "{}"
            }]);
        });
        login_without_panic(&f, OFFICER.0, OFFICER.1, case).unwrap();
        let mut a = f.login(AUDITOR);
        let page = a
            .audit_list(&baomi::vault::audit::Filter {
                action: Some("login_failed".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.total, 1, "{case}");
        assert!(page.rows[0].target.starts_with("未知账户#"), "{case}");
    }
}

/// F4: KDF parameters in a slot are refused above their bounds before anything is allocated,
/// whichever account signs in (an unknown name spends the first slot's effort).
#[test]
fn a_slot_with_huge_kdf_parameters_is_an_integrity_error_before_any_allocation() {
    let cases: [(&str, &str, u64); 4] = [
        ("memory u32::MAX", "memory_kib", u64::from(u32::MAX)),
        ("memory just above 4 GiB", "memory_kib", 4 * 1024 * 1024 + 1),
        ("iterations 64", "iterations", 64),
        ("parallelism 17", "parallelism", 17),
    ];
    for (case, field, value) in cases {
        let f = Fixture::new();
        edit_key_file(&f, |v| v["slots"][0]["kdf"][field] = value.into());
        for user in [OFFICER.0, "nobody"] {
            let started = std::time::Instant::now();
            assert_integrity(login_without_panic(&f, user, OFFICER.1, case), case);
            assert!(
                started.elapsed() < std::time::Duration::from_secs(2),
                "{case}"
            );
        }
    }
}

/// Garbage, truncated and mistyped key files: a clear Chinese integrity error, no panic.
#[test]
fn a_garbage_or_truncated_key_file_is_an_integrity_error() {
    let f = Fixture::new();
    let path = baomi::vault::keyfile::path(&f.dir);
    let original = std::fs::read(&path).unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"\x00\xffnot json at all".to_vec()),
        ("empty", Vec::new()),
        ("truncated", original[..original.len() / 2].to_vec()),
        ("array", b"[1, 2, 3]".to_vec()),
        ("deeply nested", "[".repeat(100_000).into_bytes()),
    ];
    for (case, bytes) in cases {
        std::fs::write(&path, bytes).unwrap();
        assert_integrity(login_without_panic(&f, OFFICER.0, OFFICER.1, case), case);
    }
    // A lockout policy mirror outside the policy's own bounds, a short salt: refused too.
    type Edit = fn(&mut serde_json::Value);
    let edits: [(&str, Edit); 3] = [
        ("max_failures 0", |v| v["policy"]["max_failures"] = 0.into()),
        ("lockout u32::MAX", |v| {
            v["policy"]["lockout_minutes"] = u32::MAX.into()
        }),
        ("short salt", |v| {
            for s in v["slots"].as_array_mut().unwrap() {
                s["salt"] = "AAAA".into();
            }
        }),
    ];
    for (case, edit) in edits {
        std::fs::write(&path, &original).unwrap();
        edit_key_file(&f, edit);
        assert_integrity(login_without_panic(&f, OFFICER.0, OFFICER.1, case), case);
    }
    std::fs::write(&path, &original).unwrap();
    login_without_panic(&f, OFFICER.0, OFFICER.1, "original").unwrap();
}

/// F4: a bogus first slot with weaker (still valid) KDF parameters must not become the
/// parameters of the next password change.
#[test]
fn a_password_change_keeps_its_own_slots_kdf_parameters_not_the_first_slots() {
    use baomi::vault::crypto::KdfParams;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let clock = baomi::clock::FixedClock::new(chrono::Utc::now());
    let strong = KdfParams {
        iterations: 2,
        ..KdfParams::minimum()
    };
    let opts = baomi::vault::Options {
        kdf: strong,
        ..options_at(&tmp.path().join("state"))
    };
    baomi::vault::init(&dir, &init_request(), &opts, &clock).unwrap();
    let path = baomi::vault::keyfile::path(&dir);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    v["slots"][0]["kdf"]["iterations"] = 1.into();
    std::fs::write(&path, serde_json::to_vec_pretty(&v).unwrap()).unwrap();

    let mut s = baomi::vault::login(
        &dir,
        OFFICER.0,
        OFFICER.1,
        std::sync::Arc::new(clock.clone()),
        &opts,
    )
    .unwrap();
    s.change_password(OFFICER.1, "Stronger#2026x").unwrap();
    let kf = baomi::vault::keyfile::KeyFile::read(&dir).unwrap();
    assert_eq!(kf.slot(OFFICER.0).unwrap().kdf, strong);
}

/// Every leaf of a JSON value, as a path of keys and indexes.
fn leaves(
    v: &serde_json::Value,
    path: &mut Vec<serde_json::Value>,
    out: &mut Vec<Vec<serde_json::Value>>,
) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                path.push(k.as_str().into());
                leaves(x, path, out);
                path.pop();
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(i.into());
                leaves(x, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
}

fn at<'a>(v: &'a mut serde_json::Value, path: &[serde_json::Value]) -> &'a mut serde_json::Value {
    path.iter().fold(v, |v, p| match p {
        serde_json::Value::String(k) => &mut v[k.as_str()],
        p => &mut v[p.as_u64().unwrap() as usize],
    })
}

/// F9, as a deterministic mutation test: a real key file (with a login counter and a pending
/// event in it) flipped byte by byte, truncated at many lengths and with every value replaced
/// by odd ones; whatever login answers, it never panics.
#[test]
fn mutated_key_files_never_panic_login() {
    let f = Fixture::new();
    assert!(f.try_login(OFFICER.0, "Wrong#12345").is_err());
    let path = baomi::vault::keyfile::path(&f.dir);
    let original = std::fs::read(&path).unwrap();
    let mut tried = 0;
    let mut attempt = |bytes: &[u8], case: &str| {
        std::fs::write(&path, bytes).unwrap();
        let _ = login_without_panic(&f, OFFICER.0, OFFICER.1, case);
        tried += 1;
    };
    for len in (0..original.len()).step_by(23) {
        attempt(&original[..len], &format!("truncated at {len}"));
    }
    for i in (0..original.len()).step_by(31) {
        for mask in [0x01u8, 0x80] {
            let mut b = original.clone();
            b[i] ^= mask;
            attempt(&b, &format!("byte {i} ^ {mask:#x}"));
        }
    }
    let json: serde_json::Value = serde_json::from_slice(&original).unwrap();
    let mut paths = Vec::new();
    leaves(&json, &mut Vec::new(), &mut paths);
    let odd = [
        serde_json::json!(""),
        serde_json::json!("中文中文中文中文中文"),
        serde_json::json!(0),
        serde_json::json!(u32::MAX),
        serde_json::json!(-1),
        serde_json::json!(null),
    ];
    for p in &paths {
        for value in &odd {
            let mut v = json.clone();
            *at(&mut v, p) = value.clone();
            attempt(
                &serde_json::to_vec(&v).unwrap(),
                &format!("{p:?} = {value}"),
            );
        }
    }
    assert!(tried > 300, "{tried}");
    // The original file is now older than the database (every login above that got through
    // counted a generation): refused as a key file put back, cleanly.
    std::fs::write(&path, &original).unwrap();
    let e = login_without_panic(&f, OFFICER.0, OFFICER.1, "original").unwrap_err();
    assert_eq!(e.code, Code::Integrity);
    assert!(e.message.contains("密钥文件比数据库旧"), "{}", e.message);
}

fn app(f: &Fixture) -> baomi::app::App {
    baomi::app::App::new(
        f.dir.clone(),
        std::sync::Arc::new(f.clock.clone()),
        f.options(),
    )
}

/// F10: a file the core writes for the person (here a template exported by the 系统管理员)
/// goes through an owner-only, exclusive temporary file; a symbolic link planted at the old
/// predictable temporary name does not redirect it.
#[cfg(unix)]
#[test]
fn an_exported_file_is_owner_only_and_never_written_through_a_planted_link() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    let out_dir = f.dir.parent().unwrap().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let victim = out_dir.join("victim.txt");
    std::fs::write(&victim, b"untouched").unwrap();
    std::os::unix::fs::symlink(&victim, out_dir.join(".doc-borrow.typ.part")).unwrap();
    let app = app(&f);
    app.login(ADMIN.0, secret(ADMIN.1)).unwrap();
    let out = out_dir.join("doc-borrow.typ");
    app.print_export_template("doc-borrow.typ", &out).unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"untouched");
    assert!(!std::fs::read(&out).unwrap().is_empty());
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{mode:o}");
}

/// F8: a password change on a session that went idle fails like every other call — and, like
/// every other call, locks and drops the session (audited, key zeroized) instead of leaving
/// it and its key in memory.
#[test]
fn a_password_change_on_an_idle_session_locks_and_drops_it() {
    let f = Fixture::new();
    let app = app(&f);
    app.login(OFFICER.0, secret(OFFICER.1)).unwrap();
    f.clock.advance(chrono::Duration::seconds(601));
    let e = app
        .change_password(secret(OFFICER.1), secret("Another#2026ab"))
        .unwrap_err();
    assert_eq!(e.code, Code::SessionLocked);
    // The lock is in the log before the app is asked anything else.
    let mut a = f.login(AUDITOR);
    let page = a
        .audit_list(&baomi::vault::audit::Filter {
            action: Some("idle_lock".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].actor, OFFICER.0);
    // The session is gone, and the password did not change.
    let e = app.touch().unwrap_err();
    assert_eq!(e.message, "尚未登录或会话已锁定，请登录");
    assert!(f.try_login(OFFICER.0, OFFICER.1).is_ok());
}

/// F6: the auditor reads the log and must learn who did what to which record, never what the
/// records say. Carriers and devices are registered, moved and corrected with distinctive
/// titles, names, places and values, then printed with a search text; no entry holds any of
/// them, while every serial and the corrected fields' names are there.
#[test]
fn the_audit_log_names_records_and_fields_never_their_contents() {
    use baomi::print::PrintRequest;
    use baomi::registers::devices::Devices;
    use baomi::registers::documents::Documents;
    use serde_json::json;

    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let secrets = [
        "甲乙丙演习方案",
        "国保密〔2026〕77号",
        "某某特别机关",
        "欧阳保管员",
        "东三号保密柜",
        "司马借阅人",
        "更正后的丁戊题名",
        "南宫新责任人",
        "特征设备庚型",
        "ZX-99-SECRET",
        "诸葛责任人",
        "机要室西侧",
        "某外地会场辛",
        "汇报壬癸事项",
        "北四号保密柜",
        "演习方案",
        "未登记的扫描码",
        "丁戊题名",
    ];
    let doc = s
        .doc_add(
            &baomi::input::from_value(json!({
                "title": "关于甲乙丙演习方案的通知", "doc_no": "国保密〔2026〕77号",
                "origin_unit": "某某特别机关", "level": "机密", "carrier_type": "纸质文件",
                "custodian": "欧阳保管员", "location": "东三号保密柜", "received_on": "2026-11-01",
                "scope": ["办公室", "司马借阅人"]
            }))
            .unwrap(),
        )
        .unwrap();
    s.act::<Documents>(
        doc.id,
        "borrow",
        json!({"borrower": "司马借阅人", "due_on": "2026-11-30"}),
    )
    .unwrap();
    s.act::<Documents>(doc.id, "return", json!({})).unwrap();
    for (field, value) in [("title", "更正后的丁戊题名"), ("custodian", "南宫新责任人")]
    {
        s.act::<Documents>(
            doc.id,
            "correct",
            json!({"field": field, "value": value, "reason": "登记有误"}),
        )
        .unwrap();
    }
    let device = s
        .device_add(
            &baomi::input::from_value(json!({
                "kind": "便携式计算机", "name": "特征设备庚型", "serial": "ZX-99-SECRET",
                "classified": true, "level": "机密", "label_no": "BM-2026-901",
                "department": "办公室", "custodian": "诸葛责任人", "location": "机要室西侧",
                "in_service_on": "2026-01-05", "three_in_one": true, "wireless_removed": true,
                "label_affixed": true
            }))
            .unwrap(),
        )
        .unwrap();
    s.act::<Devices>(
        device.id,
        "checkout",
        json!({
            "user": "诸葛责任人", "reason": "汇报壬癸事项", "destination": "某外地会场辛",
            "due_on": "2026-11-25", "max_level": "秘密", "security_officer": "赵安全",
            "leader": "孙局长", "approval": "审批-2026-01"
        }),
    )
    .unwrap();
    s.act::<Devices>(
        device.id,
        "checkin",
        json!({"checked_by": "赵安全", "seals_intact": true,
               "no_unauthorized_connection": true, "ports_closed": true}),
    )
    .unwrap();
    s.act::<Devices>(
        device.id,
        "correct",
        json!({"field": "location", "value": "北四号保密柜", "reason": "搬迁"}),
    )
    .unwrap();
    let reconciliation = s
        .doc_reconcile(
            &baomi::input::from_value(json!({
                "custodian": "南宫新责任人", "counted": [doc.serial, "未登记的扫描码"]
            }))
            .unwrap(),
        )
        .unwrap();
    let prints = [
        PrintRequest {
            form: "doc-list".into(),
            ids: None,
            event: None,
            reconciliation: None,
            kind: None,
            query: Some(json!({"query": "丁戊题名"})),
        },
        PrintRequest {
            form: "device-list".into(),
            ids: None,
            event: None,
            reconciliation: None,
            kind: None,
            query: Some(json!({"query": "特征设备庚型"})),
        },
        PrintRequest {
            form: "doc-borrow".into(),
            ids: Some(vec![doc.id]),
            event: None,
            reconciliation: None,
            kind: None,
            query: None,
        },
        PrintRequest {
            form: "doc-reconcile".into(),
            ids: None,
            event: None,
            reconciliation: Some(reconciliation.id),
            kind: None,
            query: None,
        },
    ];
    for req in &prints {
        let p = s.print(req).unwrap();
        s.print_delivered(&p.job.serial, baomi::print::Delivery::Printer)
            .unwrap();
    }
    // The register's own history keeps every value for the people who keep the register.
    let (_, history) = s.show::<Documents>(doc.id).unwrap();
    assert!(history.iter().any(|h| h.summary.contains("司马借阅人")));
    drop(s);

    let log = f
        .login(AUDITOR)
        .audit_list(&baomi::vault::audit::Filter {
            limit: Some(10_000),
            ..Default::default()
        })
        .unwrap();
    for e in &log.rows {
        let seen = format!(
            "{} {} {} {} {} {}",
            e.action, e.action_label, e.target, e.actor, e.detail, e.detail_text
        );
        for secret in secrets {
            assert!(
                !seen.contains(secret),
                "entry {} ({}) reveals “{secret}”: {seen}",
                e.seq,
                e.action
            );
        }
    }
    let text = |action: &str| -> Vec<String> {
        log.rows
            .iter()
            .filter(|e| e.action == action)
            .map(|e| e.detail_text.clone())
            .collect()
    };
    // Who did what to which record is all there.
    let borrowed = text("doc_borrowed");
    assert_eq!(
        borrowed,
        [format!("载体 {}（#{}）", doc.serial, doc.id)],
        "{borrowed:?}"
    );
    let corrected = text("doc_corrected");
    assert_eq!(corrected.len(), 2);
    assert!(corrected.iter().any(|t| t.ends_with("更正字段：标题")));
    assert!(corrected.iter().any(|t| t.ends_with("更正字段：责任人")));
    assert!(text("device_corrected")[0].contains(&format!("设备 {}", device.serial)));
    assert!(text("device_corrected")[0].ends_with("更正字段：放置地点"));
    assert!(text("device_checked_out")[0].contains(&device.serial));
    let reconciled = text("doc_reconcile");
    assert!(
        reconciled[0].contains("按责任人") && reconciled[0].contains("不应在此 1 件"),
        "{reconciled:?}"
    );
    let printed = text("print");
    assert_eq!(printed.len(), 4);
    assert!(
        printed
            .iter()
            .any(|t| t.contains("共 1 件") && t.contains(&doc.serial) && t.contains("按筛选条件")),
        "{printed:?}"
    );
    assert!(printed.iter().any(|t| t.contains(&device.serial)));
    assert!(printed
        .iter()
        .any(|t| t.contains(&format!("月核对 #{}", reconciliation.id))));
    let print_entry = log.rows.iter().find(|e| e.action == "print").unwrap();
    let detail: serde_json::Value = serde_json::from_str(&print_entry.detail).unwrap();
    assert!(detail["digest"].as_str().is_some_and(|d| d.len() == 12));
    assert_eq!(
        log.rows.iter().filter(|e| e.action == "print_send").count(),
        4
    );
}

/// F8: nobody touches the window. The shell's timer calls `lock_if_idle`; a session still
/// within the idle limit is left alone, one past it is locked, dropped and audited as
/// `idle_lock` — with no call from the webview at all.
#[test]
fn an_idle_session_is_locked_by_the_core_without_any_call_from_the_window() {
    let f = Fixture::new();
    let app = app(&f);
    app.login(OFFICER.0, secret(OFFICER.1)).unwrap();
    let job = app.print(serde_json::json!({"form": "doc-list"})).unwrap();
    assert!(app.print_page(&job.serial, 0, 0.5).is_ok());
    assert!(!app.lock_if_idle().unwrap(), "no session is idle yet");
    // Not idle: 10 minutes is the policy; the sweep leaves the session and its work alone.
    f.clock.advance(chrono::Duration::seconds(599));
    assert!(!app.lock_if_idle().unwrap());
    assert!(app.status().unwrap().session.is_some());
    app.touch().unwrap();
    f.clock.advance(chrono::Duration::seconds(599));
    assert!(
        !app.lock_if_idle().unwrap(),
        "activity restarted the idle time"
    );
    // Idle: the sweep alone locks it.
    f.clock.advance(chrono::Duration::seconds(2));
    assert!(app.lock_if_idle().unwrap());
    assert!(!app.lock_if_idle().unwrap(), "locked once");
    assert!(app.status().unwrap().session.is_none());
    let e = app.touch().unwrap_err();
    assert_eq!(e.code, Code::SessionLocked);
    assert_eq!(e.message, "尚未登录或会话已锁定，请登录");
    let e = app.print_sent(&job.serial).unwrap_err();
    assert_eq!(e.code, Code::NotFound, "the printout went with the session");
    let page = f
        .login(AUDITOR)
        .audit_list(&baomi::vault::audit::Filter {
            action: Some("idle_lock".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].actor, OFFICER.0);
}

/// F8: asking for the app's status is no way around the lock: an idle session is locked and
/// dropped there too, not only hidden from the window.
#[test]
fn the_status_of_an_idle_session_locks_it() {
    let f = Fixture::new();
    let app = app(&f);
    app.login(OFFICER.0, secret(OFFICER.1)).unwrap();
    f.clock.advance(chrono::Duration::seconds(601));
    assert!(app.status().unwrap().session.is_none());
    assert!(!app.lock_if_idle().unwrap(), "already locked by status");
    let page = f
        .login(AUDITOR)
        .audit_list(&baomi::vault::audit::Filter {
            action: Some("idle_lock".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
}

/// Dark pixels (luminance under half) in the rows `rows` of a page rendered as an RGBA PNG.
fn dark_pixels(png_bytes: &[u8], rows: std::ops::Range<f64>) -> usize {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = match info.color_type {
        png::ColorType::Rgba => 4,
        png::ColorType::Rgb => 3,
        other => panic!("unexpected colour type {other:?}"),
    };
    let (w, h) = (info.width as usize, info.height as usize);
    let (from, to) = (
        (rows.start * h as f64) as usize,
        (rows.end * h as f64) as usize,
    );
    (from..to)
        .flat_map(|y| (0..w).map(move |x| (y * w + x) * channels))
        .filter(|&i| (buf[i] as u32 + buf[i + 1] as u32 + buf[i + 2] as u32) / 3 < 128)
        .count()
}

/// F7: the 系统管理员 replaces the listing's template with ones that leave the frame out,
/// blank the page header and footer, or paint the whole page white over everything. Each
/// prints with the classification marking, the print serial and the digest on every page,
/// drawn by the core on top of what the template drew; a template that would push them off
/// the paper (not A4) is refused; the built-in templates are accepted as they are.
#[test]
fn a_unit_template_cannot_remove_cover_or_push_off_the_marking_serial_and_digest() {
    use baomi::print::PrintRequest;
    use serde_json::json;
    let f = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let mut s = f.login(OFFICER);
    for i in 0..40 {
        s.doc_add(
            &baomi::input::from_value(json!({
                "title": format!("清单测试载体{i}"), "level": if i == 7 { "机密" } else { "秘密" },
                "scope": ["办公室"], "carrier_type": "纸质文件", "custodian": "王五",
                "received_on": "2026-11-01"
            }))
            .unwrap(),
        )
        .unwrap();
    }
    let mut admin = f.login(ADMIN);
    let rows = "#let d = sys.inputs.data\n#for r in d.rows [#r.serial #r.title #v(1cm)]\n";
    let attacks = [
        ("leaves the frame out", format!("#set page(paper: \"a4\")\n{rows}")),
        (
            "blanks the header and footer",
            format!(
                "#set page(paper: \"a4\", flipped: true, margin: 0pt, header: none, footer: none)\n{rows}"
            ),
        ),
        (
            "paints the page white over everything",
            format!(
                "#set page(paper: \"a4\", foreground: rect(width: 100%, height: 100%, fill: white))\n{rows}"
            ),
        ),
    ];
    for (what, source) in &attacks {
        admin
            .print_set_template("doc-list.typ", source)
            .unwrap_or_else(|e| panic!("{what}: {}", e.message));
        let p = s
            .print(&PrintRequest {
                form: "doc-list".into(),
                ..Default::default()
            })
            .unwrap();
        assert!(p.job.pages >= 2, "{what}: {} pages", p.job.pages);
        let (_, pages) = crate::print::saved(&p, tmp.path());
        for (i, page) in pages.iter().enumerate() {
            let text = crate::print::squeeze(page);
            for needed in ["机密", p.job.serial.as_str(), p.job.digest.as_str()] {
                assert!(
                    text.contains(needed),
                    "{what}: page {} lacks “{needed}”",
                    i + 1
                );
            }
            assert!(text.contains(&format!("第{}页共{}页", i + 1, p.job.pages)));
        }
        // Drawn last: visible even where the template painted white over the whole page.
        let png = p.page_png(0, 1.0).unwrap();
        assert!(
            dark_pixels(&png, 0.0..0.1) > 20,
            "{what}: marking not visible"
        );
        assert!(
            dark_pixels(&png, 0.92..1.0) > 20,
            "{what}: footer not visible"
        );
    }
    let covered = s
        .print(&PrintRequest {
            form: "doc-list".into(),
            ..Default::default()
        })
        .unwrap()
        .page_png(0, 1.0)
        .unwrap();
    assert_eq!(
        dark_pixels(&covered, 0.1..0.92),
        0,
        "the white page covers the template's own rows, not the frame"
    );

    for (what, source) in [
        ("A5 paper", "#set page(paper: \"a5\")\n内容"),
        (
            "a page too small to hold the frame",
            "#set page(width: 3cm, height: 3cm)\n内容",
        ),
    ] {
        let e = admin
            .print_set_template("doc-list.typ", source)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("template"), "{what}");
        assert!(e.message.contains("不是 A4 纸"), "{what}: {}", e.message);
    }
    // Nothing refused was kept; the built-in templates pass as they are.
    for t in admin.print_templates().unwrap() {
        admin.print_reset_template(&t.name).ok();
        let source = admin.print_template_source(&t.name).unwrap();
        admin
            .print_set_template(&t.name, &source)
            .unwrap_or_else(|e| panic!("{}: {}", t.name, e.message));
    }
}
