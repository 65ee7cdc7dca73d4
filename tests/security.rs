//! Attacks from issue 10 (security model v2), each written as the attacker would try it and
//! now prevented or detected. See docs/security-model.md for the threat model.

use baomi::vault::roles::Role;
use baomi::Code;

use crate::util::*;

/// F5: the 系统管理员 alone resets a 保密员's password and tries to use the account.
#[test]
fn an_administrator_alone_cannot_take_over_a_business_account() {
    let f = Fixture::new();
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
    assert_eq!(assign.total, 1);
    assert_eq!(assign.rows[0].actor, SECADMIN.0);
    let detail: serde_json::Value = serde_json::from_str(&assign.rows[0].detail).unwrap();
    assert_eq!(detail["old"], serde_json::Value::Null);
    assert_eq!(detail["new"], "officer");
}
