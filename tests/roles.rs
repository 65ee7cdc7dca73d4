//! The whole role × operation matrix, walked through the real API (三员分立).

use baomi::vault::roles::Role;
use baomi::vault::{NewAccount, Session};
use baomi::Code;

use crate::util::*;

type Op = (&'static str, fn(&mut Session, &str) -> baomi::Result<()>);

fn operations() -> Vec<Op> {
    vec![
        ("list_accounts", |s, _| s.list_accounts().map(drop)),
        ("add_account", |s, tag| {
            s.add_account(&NewAccount {
                name: format!("new{tag}"),
                display: "新人".into(),
                password: "Initial#12345".into(),
            })
        }),
        ("disable_account", |s, _| {
            // Disabling revokes the keys: enabling again needs a reset (a new key pair).
            s.set_account_disabled("target1", true)
                .and_then(|_| s.reset_password("target1", "Reset#2026abc"))
                .and_then(|_| s.set_account_disabled("target1", false))
        }),
        ("reset_password", |s, _| {
            s.reset_password("target1", "Reset#2026abc")
        }),
        ("assign_role", |s, _| s.assign_role("target1", Role::Reader)),
        ("view_policy", |s, _| s.policy().map(drop)),
        ("set_policy", |s, _| {
            let p = baomi::vault::policy::Policy::default();
            s.set_policy(p).map(drop)
        }),
        ("audit_list", |s, _| {
            s.audit_list(&Default::default()).map(drop)
        }),
        ("audit_verify", |s, _| s.audit_verify().map(drop)),
        ("set_unit_name", |s, _| s.set_unit_name("新单位名")),
        ("backup", |s, tag| {
            let dest = s.dir().parent().unwrap().join(format!("backup-{tag}.bdl"));
            s.backup(&dest, "备份口令-roles").map(drop)
        }),
        ("doc_list", |s, _| s.doc_list(&Default::default()).map(drop)),
        ("doc_add", |s, _| {
            let input = baomi::input::from_value(serde_json::json!({
                "title": "测试文件", "level": "秘密", "scope": ["办公室"], "carrier_type": "纸质文件",
                "custodian": "王五", "received_on": "2026-11-01"
            }))?;
            s.doc_add(&input).map(drop)
        }),
        ("device_list", |s, _| {
            s.device_list(&Default::default()).map(drop)
        }),
        ("device_add", |s, _| {
            let input = baomi::input::from_value(serde_json::json!({
                "kind": "移动存储介质", "name": "专用U盘", "classified": true, "level": "秘密",
                "label_no": "BM-U-1", "department": "办公室", "custodian": "王五",
                "in_service_on": "2026-11-01"
            }))?;
            s.device_add(&input).map(drop)
        }),
        ("device_interval", |s, _| {
            s.set_device_inspection_interval("移动存储介质", 30)
        }),
        ("print_log", |s, _| {
            s.print_log(&Default::default()).map(drop)
        }),
        ("print_templates", |s, _| s.print_templates().map(drop)),
        ("rotate_keys", |s, _| s.rotate_keys().map(drop)),
        ("audit_checkpoint", |s, _| s.audit_checkpoint().map(drop)),
        ("person_list", |s, _| {
            s.person_list(&Default::default()).map(drop)
        }),
        ("person_add", |s, tag| {
            let input = baomi::input::from_value(serde_json::json!({
                "name": format!("人员{tag}"), "department": "办公室", "post": "文书", "class": "一般"
            }))?;
            s.person_add(&input).map(drop)
        }),
        ("person_reminders", |s, _| s.person_reminders().map(drop)),
        ("person_periods", |s, _| {
            s.set_person_periods("一般", 3, 12).map(drop)
        }),
        ("bundle_export", |s, tag| {
            let out = s.dir().parent().unwrap().join(format!("export-{tag}.bdl"));
            s.export_bundle(&Default::default(), Some("交换口令-roles"), &out)
                .map(drop)
        }),
        ("bundles_sent", |s, _| s.bundles_sent().map(drop)),
        ("unit_key_sheet", |s, _| s.unit_key_sheet().map(drop)),
    ]
}

/// The expected matrix, written out by hand: Y allowed, n refused (same order as above).
const MATRIX: [(&str, Role, &str); 5] = [
    ("admin", Role::Admin, "YYYYnYnnnYYnnnnYnYYnnnnYnnn"),
    ("secadmin", Role::Secadmin, "YnnnYYYnnnnnnnnnnnnnnnnnnnn"),
    ("auditor", Role::Auditor, "nnnnnnnYYnnnnnnnnnnYnnnnnnn"),
    ("officer", Role::Officer, "nnnnnnnnnnnYYYYnYnYnYYYnYYY"),
    ("reader", Role::Reader, "nnnnnnnnnnnYnYnnnnnnYnYnnYn"),
];

#[test]
fn every_role_can_do_exactly_its_operations() {
    let f = Fixture::new();
    f.add_business_account("target1", "靶子", Role::Officer, "Target#2026ab");
    f.add_business_account("reader1", "查阅人", Role::Reader, "Reader#2026ab");
    let who = |role: Role| match role {
        Role::Admin => ADMIN,
        Role::Secadmin => SECADMIN,
        Role::Auditor => AUDITOR,
        Role::Officer => OFFICER,
        Role::Reader => ("reader1", "Reader#2026ab"),
    };
    let mut denials = 0;
    for (tag, role, expected) in MATRIX {
        let mut s = f.login(who(role));
        assert_eq!(s.role(), role);
        for ((name, op), want) in operations().into_iter().zip(expected.chars()) {
            let got = op(&mut s, tag);
            match (want, got) {
                ('Y', Ok(())) => {}
                ('n', Err(e)) if e.code == Code::Permission => {
                    denials += 1;
                    assert!(e.message.starts_with("权限不足："), "{}", e.message);
                }
                (w, g) => panic!("{tag} {name}: expected {w}, got {g:?}"),
            }
        }
    }
    // Every refusal was itself recorded for the auditor.
    let mut a = f.login(AUDITOR);
    let page = a
        .audit_list(&baomi::vault::audit::Filter {
            action: Some("permission_denied".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, denials);
}

#[test]
fn administrator_roles_are_fixed_and_cannot_be_given_or_taken() {
    let f = Fixture::new();
    let mut s = f.login(SECADMIN);
    let e = s.assign_role(OFFICER.0, Role::Auditor).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (Code::Validation, Some("role"))
    );
    let e = s.assign_role(ADMIN.0, Role::Officer).unwrap_err();
    assert_eq!(e.code, Code::Rule);
    assert!(e.message.contains("三员分立"));
    let e = s.assign_role("ghost", Role::Officer).unwrap_err();
    assert_eq!(e.code, Code::NotFound);
}

#[test]
fn the_session_reports_what_its_role_may_see() {
    let f = Fixture::new();
    let nav = |who| {
        f.login(who)
            .info()
            .unwrap()
            .nav
            .into_iter()
            .map(|n| n.key)
            .collect::<Vec<_>>()
    };
    assert_eq!(nav(AUDITOR), ["audit"]);
    assert_eq!(nav(ADMIN), ["accounts", "settings"]);
    assert_eq!(nav(OFFICER)[..2], ["home", "documents"]);
}
