//! The audit chain: every kind of tampering is found and named.

use baomi::Code;

use crate::util::*;

/// A vault with a dozen entries, and an auditor to check it.
fn fixture() -> Fixture {
    let f = Fixture::new();
    for i in 0..3 {
        f.login(ADMIN).set_unit_name(&format!("单位{i}")).unwrap();
    }
    f
}

/// Verifies the log as the auditor. Where the tampering moved the log's head behind this
/// installation's high-water mark, sign-in itself refuses the vault as rolled back; the log is
/// then also verified from another installation (no mark), so each test shows that the chain,
/// signatures and seal catch the edit on their own too.
fn verify(f: &Fixture) -> baomi::vault::audit::Report {
    match f.try_login(AUDITOR.0, AUDITOR.1) {
        Ok(mut a) => a.audit_verify().unwrap(),
        Err(e) => {
            assert_eq!(e.code, Code::RolledBack, "{}", e.message);
            assert!(e.message.contains("更旧"), "{}", e.message);
            let elsewhere = options_at(&f.dir.parent().unwrap().join("another-installation"));
            baomi::vault::login(
                &f.dir,
                AUDITOR.0,
                AUDITOR.1,
                std::sync::Arc::new(f.clock.clone()),
                &elsewhere,
            )
            .unwrap()
            .audit_verify()
            .unwrap()
        }
    }
}

fn tamper(f: &Fixture, sql: &str) {
    let conn = raw_connection(&f.dir, OFFICER);
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn an_untouched_log_verifies_and_records_every_kind_of_event() {
    let f = fixture();
    let _ = f.try_login(OFFICER.0, "Wrong#12345");
    let r = verify(&f);
    assert!(r.intact, "{}", r.problem);
    let page = f.login(AUDITOR).audit_list(&Default::default()).unwrap();
    let actions: Vec<&str> = page.rows.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "vault_create",
        "account_create",
        "login",
        "login_failed",
        "settings_set",
        "audit_verify",
    ] {
        assert!(actions.contains(&a), "missing {a} in {actions:?}");
    }
    let failed = page
        .rows
        .iter()
        .find(|e| e.action == "login_failed")
        .unwrap();
    assert_eq!(
        failed.target, OFFICER.0,
        "the key file's account id maps back to the name"
    );
    assert_eq!(failed.action_label, "登录失败");
}

#[test]
fn the_log_cannot_be_changed_through_sql_without_dropping_its_guards() {
    let f = fixture();
    let conn = raw_connection(&f.dir, OFFICER);
    assert!(conn
        .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1", [])
        .is_err());
    assert!(conn
        .execute("DELETE FROM audit_log WHERE seq = 1", [])
        .is_err());
}

#[test]
fn an_edited_entry_is_named() {
    let f = fixture();
    tamper(&f, "UPDATE audit_log SET target = '别的单位' WHERE seq = 3");
    let r = verify(&f);
    assert!(!r.intact);
    assert_eq!(r.first_broken, Some(3));
    assert_eq!(r.problem, "第 3 条记录的内容被修改");
}

#[test]
fn a_deleted_entry_is_named() {
    let f = fixture();
    tamper(&f, "DELETE FROM audit_log WHERE seq = 4");
    let r = verify(&f);
    assert_eq!(r.first_broken, Some(4));
    assert!(r.problem.contains("缺失"), "{}", r.problem);
}

#[test]
fn reordered_entries_are_named() {
    let f = fixture();
    // Swap the contents of entries 5 and 6 (sequence numbers stay in place).
    tamper(
        &f,
        "UPDATE audit_log SET seq = -5 WHERE seq = 5;
         UPDATE audit_log SET seq = 5 WHERE seq = 6;
         UPDATE audit_log SET seq = 6 WHERE seq = -5;",
    );
    let r = verify(&f);
    assert_eq!(r.first_broken, Some(5), "{}", r.problem);
}

#[test]
fn a_recomputed_chain_is_still_caught_by_the_seal() {
    let f = fixture();
    // An insider rewrites an entry and recomputes every later hash: the chain is consistent,
    // but the sealed head in the key file no longer matches.
    let conn = raw_connection(&f.dir, OFFICER);
    conn.execute_batch("DROP TRIGGER audit_log_no_update;")
        .unwrap();
    let vault_id = vault_id_of(&conn);
    let mut prev = baomi::vault::audit::genesis(&vault_id);
    for mut e in log_rows(&conn) {
        if e.seq == 2 {
            e.target = "forged".into();
        }
        let hash = baomi::vault::audit::entry_hash(
            e.seq, &e.at, &e.actor, &e.action, &e.target, &e.detail, &prev,
        );
        conn.execute(
            "UPDATE audit_log SET target=?1, prev=?2, hash=?3 WHERE seq=?4",
            rusqlite::params![e.target, prev, hash, e.seq],
        )
        .unwrap();
        prev = hash;
    }
    drop(conn);
    let r = verify(&f);
    assert!(!r.intact);
    // The rewritten entry 2 was signed by the 系统管理员: the signature breaks first.
    assert!(r.problem.contains("签名"), "{}", r.problem);
    assert_eq!(r.first_broken, Some(2));
}

#[test]
fn a_truncated_tail_is_found() {
    let f = fixture();
    let last: i64 = raw_connection(&f.dir, OFFICER)
        .query_row("SELECT max(seq) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    tamper(
        &f,
        &format!("DELETE FROM audit_log WHERE seq > {}", last - 2),
    );
    // The auditor's own login appends after the cut, so the break shows at or just after it.
    let r = verify(&f);
    assert!(!r.intact);
    let at = r.first_broken.unwrap();
    assert!((last - 1..=last).contains(&at), "{at}: {}", r.problem);
    assert!(
        r.problem.contains("截断") || r.problem.contains("封印"),
        "{}",
        r.problem
    );
}

#[test]
fn a_forged_seal_is_found() {
    let f = fixture();
    let path = baomi::vault::keyfile::path(&f.dir);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let seq = v["seal"]["seq"].as_i64().unwrap();
    v["seal"]["seq"] = (seq - 3).into();
    std::fs::write(&path, serde_json::to_vec(&v).unwrap()).unwrap();
    let r = f.login(AUDITOR).audit_verify().unwrap();
    assert!(!r.intact);
    assert!(r.problem.contains("封印"), "{}", r.problem);
}

#[test]
fn only_the_auditor_reads_the_log() {
    let f = fixture();
    for who in [ADMIN, SECADMIN, OFFICER] {
        assert_eq!(
            f.login(who)
                .audit_list(&Default::default())
                .unwrap_err()
                .code,
            Code::Permission
        );
        assert_eq!(
            f.login(who).audit_verify().unwrap_err().code,
            Code::Permission
        );
    }
}
