//! The device ledger: every rule of DESIGN §3 and seed 003 (第十一条–第十九条) that concerns
//! devices, written as data — (device, actions so far, next action) → expected status or
//! refusal — plus check-out and inspection reminders, search, and the checks that span
//! every register (replay, serial counters, highest level).

use baomi::registers::devices::*;
use baomi::registers::documents::Level;
use baomi::vault::Session;
use baomi::Code;
use chrono::Duration;
use serde_json::{json, Value};

use crate::util::*;

fn laptop(level: Option<&str>) -> Value {
    json!({
        "kind": "便携式计算机",
        "name": "联想昭阳笔记本",
        "model": "Lenovo K4e",
        "serial": "PF2K3ZQ1",
        "storage_serials": ["S4EWNF0M123456"],
        "classified": level.is_some(),
        "level": level,
        "label_no": if level.is_some() { "BM-2026-017" } else { "" },
        "department": "办公室",
        "custodian": "王五",
        "location": "1号保密柜",
        "in_service_on": "2026-01-05",
        "three_in_one": true,
        "wireless_removed": true,
        "label_affixed": true
    })
}

fn medium(level: Option<&str>, label: &str) -> Value {
    json!({
        "kind": "移动存储介质",
        "name": "专用U盘",
        "serial": format!("U-{label}"),
        "classified": level.is_some(),
        "level": level,
        "label_no": label,
        "department": "办公室",
        "custodian": "王五",
        "in_service_on": "2026-03-01"
    })
}

fn desktop(level: Option<&str>, label: &str) -> Value {
    json!({
        "kind": "台式计算机",
        "name": "涉密计算机",
        "classified": level.is_some(),
        "level": level,
        "label_no": label,
        "department": "办公室",
        "custodian": "王五",
        "in_service_on": "2026-02-01",
        "three_in_one": true,
        "wireless_removed": true,
        "label_affixed": true
    })
}

fn add(s: &mut Session, v: Value) -> DeviceView {
    s.device_add(&baomi::input::from_value(v).unwrap()).unwrap()
}

fn checkout() -> Value {
    json!({
        "user": "王五", "reason": "赴省局汇报", "destination": "省国家保密局",
        "due_on": "2026-11-25", "max_level": "秘密",
        "security_officer": "赵安全", "leader": "孙局长"
    })
}

fn external_repair() -> Value {
    json!({
        "kind": "维修", "external": true, "performer": "某某电脑维修中心",
        "vendor_agreement": "BMXY-2026-03", "supervisors": ["赵安全", "钱运维"],
        "storage_removed": true, "storage_serial": "S4EWNF0M123456", "storage_kept_at": "2号保密柜"
    })
}

fn retire(kind: &str) -> Value {
    json!({
        "kind": kind, "performer": "王五", "supervisors": ["赵安全", "钱运维"],
        "storage_removed": true, "storage_serial": "S4EWNF0M123456",
        "destruction": {"unit": "省保密技术服务中心", "certificate_no": "XH-2026-0088", "on": "2026-11-20"}
    })
}

fn without(mut v: Value, key: &str) -> Value {
    v.as_object_mut().unwrap().remove(key);
    v
}

fn with(mut v: Value, key: &str, value: Value) -> Value {
    v.as_object_mut().unwrap().insert(key.into(), value);
    v
}

/// What the next action must give.
enum Expect {
    /// Done; the device is now in this status.
    Status(DeviceStatus),
    /// Refused as a rule of the lifecycle, with this message.
    Rule(&'static str),
    /// Refused, naming this input field.
    Field(&'static str),
    /// Refused: not an action of the register.
    Unknown,
}

/// Registers `device`, runs `steps` (each must succeed), then `next`, and checks it against
/// `expect`; a refusal must change nothing (same view, same number of events).
fn check(device: Value, steps: &[(&str, Value)], next: (&str, Value), expect: Expect) {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    // A classified desktop and a non-classified one, for the media cases.
    add(&mut s, desktop(Some("机密"), "BM-PC-01"));
    add(&mut s, desktop(Some("秘密"), "BM-PC-02"));
    add(&mut s, desktop(None, ""));
    let d = add(&mut s, device);
    for (kind, input) in steps {
        s.device_act(d.id, kind, input.clone())
            .unwrap_or_else(|e| panic!("step {kind}: {}", e.message));
    }
    let before = serde_json::to_value(s.device_show(d.id).unwrap()).unwrap();
    let got = s.device_act(d.id, next.0, next.1.clone());
    let refused = got.is_err();
    match (expect, got) {
        (Expect::Status(want), Ok(v)) => assert_eq!(v.status, want, "{}", next.0),
        (Expect::Rule(msg), Err(e)) => {
            assert_eq!(
                (e.code, e.message.as_str()),
                (Code::Rule, msg),
                "{}",
                next.0
            )
        }
        (Expect::Field(field), Err(e)) => {
            assert_eq!(e.field.as_deref(), Some(field), "{}: {}", next.0, e.message);
            assert!(
                matches!(e.code, Code::Validation | Code::Rule),
                "{:?}",
                e.code
            );
        }
        (Expect::Unknown, Err(e)) => {
            assert_eq!(e.code, Code::Validation);
            assert!(e.message.starts_with("未知的手续类型"), "{}", e.message);
        }
        (_, got) => panic!("{}: unexpected {:?}", next.0, got.map(|v| v.status)),
    }
    if refused {
        // A refusal changes nothing: same fields, status and history.
        let after = serde_json::to_value(s.device_show(d.id).unwrap()).unwrap();
        assert_eq!(before, after, "{}", next.0);
    }
    assert!(s.replay_mismatches().unwrap().is_empty());
}

#[test]
fn checkout_rules_as_data() {
    use DeviceStatus::*;
    let classified = || laptop(Some("机密"));
    // Out and back.
    check(
        classified(),
        &[],
        ("checkout", checkout()),
        Expect::Status(Out),
    );
    check(
        classified(),
        &[("checkout", checkout())],
        (
            "checkin",
            json!({"checked_by": "赵安全", "seals_intact": true, "no_unauthorized_connection": true}),
        ),
        Expect::Status(InUse),
    );
    check(
        classified(),
        &[("checkout", checkout())],
        (
            "checkin",
            json!({"checked_by": "赵安全", "returned_on": "2026-11-01"}),
        ),
        Expect::Field("on"),
    );
    // A device that is out, in repair, retired or destroyed cannot be checked out.
    check(
        classified(),
        &[("checkout", checkout())],
        ("checkout", checkout()),
        Expect::Rule("设备 SB-2026-0004 当前状态为“外出”，不能外出"),
    );
    check(
        classified(),
        &[("maintain", external_repair())],
        ("checkout", checkout()),
        Expect::Rule("设备 SB-2026-0004 当前状态为“维修”，不能外出"),
    );
    check(
        classified(),
        &[("maintain", retire("淘汰"))],
        ("checkout", checkout()),
        Expect::Rule("设备 SB-2026-0004 已淘汰，不能再办理任何手续"),
    );
    check(
        classified(),
        &[(
            "destroy",
            json!({"approver": "孙局长", "supervisors": ["赵安全"], "destruction": {"unit": "省保密技术服务中心", "certificate_no": "XH-1", "on": "2026-11-20"}}),
        )],
        ("checkout", checkout()),
        Expect::Rule("设备 SB-2026-0004 已销毁，不能再办理任何手续"),
    );
    // The signed form: 安全保密负责人 and 领导 for a classified device.
    check(
        classified(),
        &[],
        ("checkout", without(checkout(), "leader")),
        Expect::Field("leader"),
    );
    check(
        classified(),
        &[],
        ("checkout", without(checkout(), "security_officer")),
        Expect::Field("security_officer"),
    );
    // No information above the device's own level; none classified on a non-classified one.
    check(
        classified(),
        &[],
        ("checkout", with(checkout(), "max_level", json!("绝密"))),
        Expect::Field("max_level"),
    );
    check(
        laptop(None),
        &[],
        ("checkout", checkout()),
        Expect::Field("max_level"),
    );
    // A non-classified device needs no form.
    check(
        laptop(None),
        &[],
        (
            "checkout",
            json!({"user": "王五", "reason": "培训", "destination": "党校", "due_on": "2026-11-23"}),
        ),
        Expect::Status(Out),
    );
    check(
        classified(),
        &[],
        ("checkout", with(checkout(), "due_on", json!("2026-11-01"))),
        Expect::Field("due_on"),
    );
}

#[test]
fn transfer_and_maintenance_rules_as_data() {
    use DeviceStatus::*;
    let classified = || laptop(Some("机密"));
    // 第十五条: a change of responsible person or department needs the leading group's approval.
    check(
        classified(),
        &[],
        ("transfer", json!({"custodian": "李四", "wiped": true})),
        Expect::Field("approval"),
    );
    check(
        classified(),
        &[],
        (
            "transfer",
            json!({"custodian": "李四", "approval": "保领审〔2026〕5号"}),
        ),
        Expect::Status(InUse),
    );
    check(
        laptop(None),
        &[],
        ("transfer", json!({"department": "综合科"})),
        Expect::Status(InUse),
    );
    check(
        classified(),
        &[],
        ("transfer", json!({})),
        Expect::Field("custodian"),
    );
    // A medium (or any classified device) re-graded: approval too; never to or from 非密.
    check(
        classified(),
        &[],
        ("transfer", json!({"level": "秘密"})),
        Expect::Field("approval"),
    );
    check(
        classified(),
        &[],
        (
            "transfer",
            json!({"level": "绝密", "approval": "保领审〔2026〕6号"}),
        ),
        Expect::Status(InUse),
    );
    check(
        classified(),
        &[],
        (
            "transfer",
            json!({"level": "内部", "approval": "保领审〔2026〕6号"}),
        ),
        Expect::Field("level"),
    );
    check(
        laptop(None),
        &[],
        (
            "transfer",
            json!({"level": "秘密", "approval": "保领审〔2026〕6号"}),
        ),
        Expect::Field("level"),
    );
    // 第十八条: external repair only with the storage removed (and its serial and where kept).
    check(
        classified(),
        &[],
        (
            "maintain",
            with(external_repair(), "storage_removed", json!(false)),
        ),
        Expect::Field("storage_removed"),
    );
    check(
        classified(),
        &[],
        ("maintain", without(external_repair(), "storage_kept_at")),
        Expect::Field("storage_kept_at"),
    );
    check(
        classified(),
        &[],
        ("maintain", without(external_repair(), "vendor_agreement")),
        Expect::Field("vendor_agreement"),
    );
    check(
        classified(),
        &[],
        (
            "maintain",
            with(external_repair(), "supervisors", json!([])),
        ),
        Expect::Field("supervisors"),
    );
    check(
        classified(),
        &[],
        ("maintain", external_repair()),
        Expect::Status(InRepair),
    );
    check(
        classified(),
        &[("maintain", external_repair())],
        (
            "repaired",
            json!({"checked_by": "赵安全", "new_storage_serials": ["NEWDISK-1"]}),
        ),
        Expect::Status(InUse),
    );
    check(
        classified(),
        &[],
        (
            "maintain",
            json!({"kind": "保养", "performer": "钱运维", "supervisors": ["赵安全"]}),
        ),
        Expect::Status(InUse),
    );
    // 第十九条: retiring or repurposing needs the storage removed and destroyed by a
    // designated unit.
    check(
        classified(),
        &[],
        ("maintain", without(retire("淘汰"), "destruction")),
        Expect::Field("destruction"),
    );
    check(
        classified(),
        &[],
        (
            "maintain",
            with(retire("改作非涉密"), "storage_removed", json!(false)),
        ),
        Expect::Field("storage_removed"),
    );
    check(
        classified(),
        &[],
        (
            "maintain",
            with(
                retire("淘汰"),
                "destruction",
                json!({"unit": "省保密技术服务中心", "on": "2026-11-20"}),
            ),
        ),
        Expect::Field("destruction.certificate_no"),
    );
    check(
        classified(),
        &[],
        ("maintain", retire("淘汰")),
        Expect::Status(Retired),
    );
    check(
        classified(),
        &[],
        ("maintain", retire("改作非涉密")),
        Expect::Status(InUse),
    );
    check(
        classified(),
        &[("maintain", external_repair())],
        ("maintain", retire("淘汰")),
        Expect::Status(Retired),
    );
    check(
        classified(),
        &[("suspend", json!({"reason": "闲置"}))],
        ("checkout", checkout()),
        Expect::Rule("设备 SB-2026-0004 当前状态为“停用”，不能外出"),
    );
    check(
        classified(),
        &[("suspend", json!({}))],
        ("resume", json!({})),
        Expect::Status(InUse),
    );
    check(
        classified(),
        &[],
        ("maintain", json!({"kind": "拆机", "performer": "王五"})),
        Expect::Field("kind"),
    );
    check(classified(), &[], ("fly", json!({})), Expect::Unknown);
}

#[test]
fn removable_media_rules_as_data() {
    use DeviceStatus::*;
    let lend = |computer: &str, level: &str| json!({"borrower": "李四", "computer": computer, "max_level": level, "due_on": "2026-11-30"});
    let secret_medium = || medium(Some("机密"), "BM-U-01");
    // Lent for a classified computer of at least its level, content up to its own level.
    check(
        secret_medium(),
        &[],
        ("lend", lend("BM-PC-01", "机密")),
        Expect::Status(Lent),
    );
    check(
        secret_medium(),
        &[("lend", lend("BM-PC-01", "秘密"))],
        ("give_back", json!({"wiped": true})),
        Expect::Status(InUse),
    );
    check(
        secret_medium(),
        &[],
        ("lend", lend("BM-PC-01", "绝密")),
        Expect::Field("max_level"),
    );
    // 严禁在非涉密计算机上使用涉密存储介质; nor on a computer of a lower level.
    check(
        secret_medium(),
        &[],
        ("lend", lend("SB-2026-0003", "秘密")),
        Expect::Field("computer"),
    );
    check(
        secret_medium(),
        &[],
        ("lend", lend("BM-PC-02", "秘密")),
        Expect::Field("computer"),
    );
    // 严禁在涉密计算机上使用非涉密存储介质.
    check(
        medium(None, ""),
        &[],
        ("lend", lend("BM-PC-02", "")),
        Expect::Field("computer"),
    );
    check(
        secret_medium(),
        &[],
        ("lend", lend("NO-SUCH", "秘密")),
        Expect::Field("computer"),
    );
    check(
        secret_medium(),
        &[("lend", lend("BM-PC-01", "秘密"))],
        ("lend", lend("BM-PC-01", "秘密")),
        Expect::Rule("设备 SB-2026-0004 当前状态为“借出”，不能借用"),
    );
    // Issue (配备) and loans are for removable media only.
    check(
        secret_medium(),
        &[],
        ("issue", json!({"to": "李四", "department": "综合科"})),
        Expect::Status(InUse),
    );
    check(
        laptop(Some("机密")),
        &[],
        ("issue", json!({"to": "李四"})),
        Expect::Rule("SB-2026-0004 是便携式计算机，只有移动存储介质可以配备"),
    );
    // Carried out like any device.
    check(
        secret_medium(),
        &[],
        ("checkout", checkout()),
        Expect::Status(Out),
    );
}

#[test]
fn registration_validates_every_field_and_numbers_per_register() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let bad = |s: &mut Session, v: Value| {
        let input: DeviceInput = match baomi::input::from_value(v) {
            Ok(i) => i,
            Err(e) => return e,
        };
        s.device_add(&input).unwrap_err()
    };
    let cases: [(Value, &str); 8] = [
        (with(laptop(Some("机密")), "kind", json!("飞机")), "kind"),
        (with(laptop(Some("机密")), "level", json!(null)), "level"),
        (
            with(laptop(Some("机密")), "level", json!("工作秘密")),
            "level",
        ),
        (with(laptop(None), "level", json!("秘密")), "level"),
        (
            with(laptop(Some("机密")), "label_no", json!("")),
            "label_no",
        ),
        (
            with(laptop(Some("机密")), "in_service_on", json!("2027-01-01")),
            "in_service_on",
        ),
        (
            with(laptop(Some("机密")), "storage_serials", json!(["A", "A"])),
            "storage_serials",
        ),
        (without(laptop(Some("机密")), "custodian"), "custodian"),
    ];
    for (v, field) in cases {
        let e = bad(&mut s, v);
        assert_eq!(e.field.as_deref(), Some(field), "{}", e.message);
    }
    assert_eq!(s.device_list(&Default::default()).unwrap().total, 0);

    // Numbers: SB-<year>-<n>, the device's own counter even with the carriers' pattern.
    let a = add(&mut s, laptop(Some("机密")));
    let b = add(&mut s, medium(Some("秘密"), "BM-U-9"));
    assert_eq!(
        (a.serial.as_str(), b.serial.as_str()),
        ("SB-2026-0001", "SB-2026-0002")
    );
    let mut admin = f.login(ADMIN);
    admin
        .set_serial_pattern::<Devices>("{密级}-{年}-{序号:4}")
        .unwrap();
    let doc: baomi::registers::documents::DocInput = baomi::input::from_value(json!({
        "title": "通知", "level": "机密", "scope": ["办公室"], "carrier_type": "纸质文件",
        "custodian": "王五", "received_on": "2026-11-01"
    }))
    .unwrap();
    let c = s
        .device_add(&baomi::input::from_value(laptop(Some("机密"))).unwrap())
        .unwrap();
    let d = s.doc_add(&doc).unwrap();
    assert_eq!(
        (c.serial.as_str(), d.serial.as_str()),
        ("机-2026-0001", "机-2026-0001")
    );
    // The view carries what the UI shows: level label, missing measures, allowed actions.
    let n = add(&mut s, with(laptop(None), "three_in_one", json!(false)));
    assert_eq!(n.level_label, "非密");
    assert!(n.measures_missing.is_empty());
    let m = add(
        &mut s,
        with(laptop(Some("秘密")), "wireless_removed", json!(false)),
    );
    assert_eq!(m.measures_missing, ["未拆除无线模块"]);
    let kinds: Vec<&str> = m.actions.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["checkout", "transfer", "maintain", "inspect", "suspend", "destroy", "correct"]
    );
    assert_eq!(m.actions[0].label, "外出");
    // Looked up by ledger number or 保密编号.
    assert_eq!(s.device_resolve("BM-U-9").unwrap(), b.id);
    assert_eq!(s.device_resolve(&a.serial).unwrap(), a.id);
    assert_eq!(
        s.device_resolve("nothing").unwrap_err().code,
        Code::NotFound
    );
}

#[test]
fn overdue_checkouts_and_due_inspections_reach_the_home_screen() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let l = add(&mut s, laptop(Some("机密")));
    let u = add(&mut s, medium(Some("机密"), "BM-U-01"));
    add(&mut s, desktop(Some("机密"), "BM-PC-01"));
    s.device_act(l.id, "checkout", checkout()).unwrap();
    let r = s.device_reminders().unwrap();
    assert_eq!(r.overdue_total, 0);
    // The medium came into service on 2026-03-01: monthly inspection long due; the laptop
    // (out) and the desktop are quarterly.
    let due: Vec<&str> = r
        .inspections
        .iter()
        .map(|i| i.device.serial.as_str())
        .collect();
    assert_eq!(due, ["SB-2026-0002", "SB-2026-0003"]);
    assert_eq!(r.inspections[0].due_on, "2026-03-31");
    s.device_act(
        u.id,
        "inspect",
        json!({"inspector": "赵安全", "result": "标签完好"}),
    )
    .unwrap();
    f.clock.advance(Duration::days(5));
    let mut s = f.login(OFFICER);
    let r = s.device_reminders().unwrap();
    assert_eq!(r.overdue_total, 1);
    assert_eq!(r.overdue[0].serial, l.serial);
    assert_eq!(r.overdue[0].overdue_days, Some(2));
    let due: Vec<&str> = r
        .inspections
        .iter()
        .map(|i| i.device.serial.as_str())
        .collect();
    assert_eq!(due, ["SB-2026-0003"]);
    // The unit shortens the media interval: the medium inspected 5 days ago is due again.
    let mut admin = f.login(ADMIN);
    admin
        .set_device_inspection_interval("移动存储介质", 3)
        .unwrap();
    let media = admin.device_inspection_intervals().unwrap();
    assert_eq!(media[2].days, 3, "the administrator reads back what it set");
    assert_eq!(
        admin
            .set_device_inspection_interval("移动存储介质", 0)
            .unwrap_err()
            .field
            .as_deref(),
        Some("days")
    );
    let r = s.device_reminders().unwrap();
    assert_eq!(r.inspections_total, 2);
    let overdue = s
        .device_list(&DeviceQuery {
            overdue: Some(true),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(overdue.rows.len(), 1);
}

#[test]
fn the_checkout_and_maintenance_books_list_every_procedure_newest_first() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let a = add(&mut s, laptop(Some("机密")));
    let b = add(&mut s, desktop(Some("机密"), "BM-PC-01"));
    s.device_act(a.id, "checkout", checkout()).unwrap();
    s.device_act(b.id, "maintain", external_repair()).unwrap();
    s.device_act(
        a.id,
        "checkin",
        json!({"checked_by": "赵安全", "seals_intact": true}),
    )
    .unwrap();
    s.device_act(b.id, "repaired", json!({"checked_by": "赵安全"}))
        .unwrap();
    let book = |s: &mut Session, name: &str| -> Vec<(String, String)> {
        s.device_book(name, None, None)
            .unwrap()
            .rows
            .into_iter()
            .map(|e| (e.serial, e.entry.kind))
            .collect()
    };
    let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
    assert_eq!(
        book(&mut s, "checkout"),
        [
            pair("SB-2026-0001", "checked_in"),
            pair("SB-2026-0001", "checked_out")
        ]
    );
    assert_eq!(
        book(&mut s, "maintenance"),
        [
            pair("SB-2026-0002", "repaired"),
            pair("SB-2026-0002", "maintained")
        ]
    );
    let page = s.device_book("checkout", Some(1), Some(1)).unwrap();
    assert_eq!((page.total, page.rows.len()), (2, 1));
    assert_eq!(page.rows[0].entry.data["destination"], "省国家保密局");
    assert_eq!(
        s.device_book("parking", None, None)
            .unwrap_err()
            .field
            .as_deref(),
        Some("book")
    );
}

#[test]
fn the_ledger_searches_and_filters_like_every_register() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    add(&mut s, laptop(Some("机密")));
    add(&mut s, medium(Some("秘密"), "BM-U-01"));
    add(&mut s, desktop(None, ""));
    let q = |s: &mut Session, q: DeviceQuery| -> Vec<String> {
        s.device_list(&q)
            .unwrap()
            .rows
            .into_iter()
            .map(|v| v.serial)
            .collect()
    };
    let text = |t: &str| DeviceQuery {
        query: Some(t.into()),
        ..Default::default()
    };
    assert_eq!(q(&mut s, text("联")), ["SB-2026-0001"]);
    assert_eq!(q(&mut s, text("U盘")), ["SB-2026-0002"]);
    assert_eq!(q(&mut s, text("s4ewnf0m")), ["SB-2026-0001"]);
    assert_eq!(q(&mut s, text("办公室")).len(), 3);
    let level = |l: &str, t: Option<&str>| DeviceQuery {
        level: Some(l.into()),
        query: t.map(String::from),
        ..Default::default()
    };
    assert_eq!(q(&mut s, level("非密", None)), ["SB-2026-0003"]);
    assert_eq!(q(&mut s, level("秘密", Some("办公室"))), ["SB-2026-0002"]);
    let kind = DeviceQuery {
        kind: Some("移动存储介质".into()),
        ..Default::default()
    };
    assert_eq!(q(&mut s, kind), ["SB-2026-0002"]);
    let e = s
        .device_list(&DeviceQuery {
            kind: Some("飞机".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("kind"));
    let e = s
        .device_list(&DeviceQuery {
            sort: Some("colour".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("sort"));
}

#[test]
fn every_register_counts_for_the_banner_and_replays_to_its_projection() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    assert_eq!(s.highest_level().unwrap(), None);
    let l = add(&mut s, laptop(Some("绝密")));
    assert_eq!(s.highest_level().unwrap(), Some(Level::TopSecret));
    s.device_act(l.id, "maintain", retire("淘汰")).unwrap();
    assert_eq!(s.highest_level().unwrap(), None);
    // A mixed history in both registers: every projection equals the fold of its events.
    let m = add(&mut s, medium(Some("机密"), "BM-U-01"));
    add(&mut s, desktop(Some("机密"), "BM-PC-01"));
    s.device_act(
        m.id,
        "lend",
        json!({"borrower": "李四", "computer": "BM-PC-01", "due_on": "2026-11-30"}),
    )
    .unwrap();
    s.device_act(m.id, "give_back", json!({})).unwrap();
    s.device_act(
        m.id,
        "correct",
        json!({"field": "label_affixed", "value": "是", "reason": "已补贴"}),
    )
    .unwrap();
    let doc: baomi::registers::documents::DocInput = baomi::input::from_value(json!({
        "title": "通知", "level": "秘密", "scope": ["办公室"], "carrier_type": "纸质文件",
        "custodian": "王五", "received_on": "2026-11-01"
    }))
    .unwrap();
    let d = s.doc_add(&doc).unwrap();
    s.doc_act(d.id, "archive", json!({})).unwrap();
    assert!(s.replay_mismatches().unwrap().is_empty());
    assert_eq!(s.highest_level().unwrap(), Some(Level::Secret));
    let v = s.device_show(m.id).unwrap();
    let kinds: Vec<&str> = v
        .history
        .iter()
        .flatten()
        .map(|h| h.kind.as_str())
        .collect();
    assert_eq!(kinds, ["registered", "lent", "given_back", "corrected"]);
    assert!(v.label_affixed);
    // Nothing of a device reaches the disk in the clear (names, serials, 保密编号).
    drop(s);
    for (file, bytes) in all_vault_bytes(&f.dir) {
        for needle in ["联想昭阳笔记本", "S4EWNF0M123456", "BM-U-01", "专用U盘"] {
            assert!(!contains(&bytes, needle.as_bytes()), "{needle} in {file}");
        }
    }
    let mut s = f.login(OFFICER);
    // An insider who edits the projection behind the program's back is caught by replay.
    let conn = raw_registers(&f.dir, OFFICER);
    conn.execute(
        "UPDATE devices SET state = replace(state, '\"custodian\":\"王五\"', '\"custodian\":\"张三\"') WHERE id = ?1",
        [m.id],
    )
    .unwrap();
    assert_eq!(s.replay_mismatches().unwrap(), [("device", m.id)]);
    // Every action is audited by kind and record.
    let mut a = f.login(AUDITOR);
    let page = a
        .audit_list(&baomi::vault::audit::Filter {
            action: Some("device_lent".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.rows[0].target, m.serial);
}

#[test]
fn readers_read_the_ledger_and_administrators_see_nothing() {
    let f = Fixture::new();
    f.add_business_account(
        "reader1",
        "查阅人",
        baomi::vault::roles::Role::Reader,
        "Reader#2026ab",
    );
    let mut s = f.login(OFFICER);
    let l = add(&mut s, laptop(Some("机密")));
    let mut r = f.login(("reader1", "Reader#2026ab"));
    assert_eq!(r.device_list(&Default::default()).unwrap().total, 1);
    assert_eq!(r.device_show(l.id).unwrap().serial, l.serial);
    let e = r.device_act(l.id, "checkout", checkout()).unwrap_err();
    assert_eq!(e.code, Code::Permission);
    for who in [ADMIN, SECADMIN, AUDITOR] {
        let mut a = f.login(who);
        assert_eq!(
            a.device_list(&Default::default()).unwrap_err().code,
            Code::Permission
        );
        assert_eq!(a.device_reminders().unwrap_err().code, Code::Permission);
    }
}
