//! The carrier register: every rule of DESIGN §3 that concerns carriers, event → state,
//! search of any length, bulk hand-back and the monthly reconciliation.

use baomi::registers::documents::*;
use baomi::vault::roles::Role;
use baomi::vault::Session;
use baomi::Code;
use chrono::Duration;
use serde_json::json;

use crate::util::*;

fn input(v: serde_json::Value) -> DocInput {
    baomi::input::from_value(v).unwrap()
}

fn doc(level: &str) -> serde_json::Value {
    json!({
        "title": format!("关于加强{level}载体管理工作的通知"),
        "doc_no": "国保发〔2026〕12号",
        "origin_unit": "国家保密局",
        "level": level,
        "scope": ["办公室", "王五"],
        "carrier_type": "纸质文件",
        "custodian": "王五",
        "location": "1号保密柜",
        "received_on": "2026-11-01"
    })
}

fn add(s: &mut Session, level: &str) -> DocView {
    s.doc_add(&input(doc(level))).unwrap()
}

fn ev<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    baomi::input::from_value(v).unwrap()
}

#[test]
fn registration_numbers_per_level_and_year_and_defaults_the_period() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let a = add(&mut s, "机密");
    let b = add(&mut s, "机密");
    let c = add(&mut s, "绝密");
    assert_eq!(
        (a.serial.as_str(), b.serial.as_str(), c.serial.as_str()),
        ("机-2026-0001", "机-2026-0002", "绝-2026-0001")
    );
    assert_eq!(a.status, Status::InCustody);
    assert_eq!(a.secrecy_period, "20年");
    assert_eq!(c.secrecy_period, "30年");
    assert_eq!(a.secrecy_until.as_deref(), Some("2046-11-01"));
    let internal = s.doc_add(&input(json!({"title": "内部通讯录", "level": "内部", "carrier_type": "纸质文件", "custodian": "王五", "received_on": "2026-11-01"}))).unwrap();
    assert_eq!(
        (internal.serial.as_str(), internal.secrecy_period.as_str()),
        ("内-2026-0001", "长期")
    );
}

#[test]
fn the_unit_sets_its_own_serial_pattern() {
    let f = Fixture::new();
    let mut admin = f.login(ADMIN);
    assert_eq!(
        f.login(OFFICER).doc_serial_pattern().unwrap(),
        "{密级}-{年}-{序号:4}"
    );
    admin
        .set_doc_serial_pattern("{年}年{密级}字第{序号:3}号")
        .unwrap();
    assert_eq!(
        admin
            .set_doc_serial_pattern("无序号")
            .unwrap_err()
            .field
            .as_deref(),
        Some("pattern")
    );
    assert_eq!(
        admin
            .set_doc_serial_pattern("{密级}-{序号:x}")
            .unwrap_err()
            .field
            .as_deref(),
        Some("pattern")
    );
    assert_eq!(
        admin
            .set_doc_serial_pattern("{部门}-{序号}")
            .unwrap_err()
            .field
            .as_deref(),
        Some("pattern")
    );
    drop(admin);
    let mut s = f.login(OFFICER);
    assert_eq!(add(&mut s, "秘密").serial, "2026年秘字第001号");
}

#[test]
fn bad_input_names_the_field_and_changes_nothing() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let check = |s: &mut Session, edit: &dyn Fn(&mut serde_json::Value), field: &str| {
        let mut v = doc("机密");
        edit(&mut v);
        let e = match baomi::input::from_value::<DocInput>(v) {
            Ok(i) => s.doc_add(&i).unwrap_err(),
            Err(e) => e,
        };
        assert_eq!(e.code, Code::Validation, "{}", e.message);
        assert_eq!(e.field.as_deref(), Some(field), "{}", e.message);
        e.message
    };
    assert_eq!(
        check(&mut s, &|v| v["title"] = json!("  "), "title"),
        "标题：不能为空"
    );
    assert_eq!(
        check(
            &mut s,
            &|v| {
                v.as_object_mut().unwrap().remove("title");
            },
            "title"
        ),
        "缺少必填字段“title”"
    );
    assert!(check(&mut s, &|v| v["level"] = json!("超级机密"), "level")
        .contains("应为 绝密、机密、秘密"));
    assert!(check(&mut s, &|v| v["scope"] = json!([]), "scope").contains("须确定知悉范围"));
    assert!(check(
        &mut s,
        &|v| v["secrecy_period"] = json!("25年"),
        "secrecy_period"
    )
    .contains("不超过 20 年"));
    assert!(check(
        &mut s,
        &|v| v["secrecy_period"] = json!("很久"),
        "secrecy_period"
    )
    .contains("长期"));
    assert!(check(
        &mut s,
        &|v| v["received_on"] = json!("2026-02-30"),
        "received_on"
    )
    .contains("不是有效日期"));
    assert!(check(
        &mut s,
        &|v| v["received_on"] = json!("2026-12-31"),
        "received_on"
    )
    .contains("不能晚于今天"));
    assert!(check(&mut s, &|v| v["copies"] = json!(0), "copies").contains("1 到 9999"));
    assert_eq!(
        check(&mut s, &|v| v["colour"] = json!("红"), "colour"),
        "未知字段“colour”：请检查字段名拼写"
    );
    assert_eq!(s.doc_list(&DocQuery::default()).unwrap().total, 0);
}

#[test]
fn copying_needs_the_right_approver_and_registers_linked_copies() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let top = add(&mut s, "绝密");
    let e = s
        .doc_copy(
            top.id,
            &ev(json!({"count": 2, "approver": "张局长", "approver_role": "分管保密领导"})),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("approver_role"));
    assert!(
        e.message.contains("绝密级载体须经制文机关"),
        "{}",
        e.message
    );
    assert_eq!(
        s.doc_list(&DocQuery::default()).unwrap().total,
        1,
        "a refused copy creates nothing"
    );

    let r = s.doc_copy(top.id, &ev(json!({"count": 2, "approver": "国家保密局", "approver_role": "制文机关", "custodian": "李四"}))).unwrap();
    assert_eq!(r.copies.len(), 2);
    for c in &r.copies {
        assert_eq!(c.level, Level::TopSecret);
        assert_eq!(c.parent_id, Some(top.id));
        assert_eq!(c.custodian, "李四");
        assert_eq!(c.status, Status::InCustody);
    }
    assert_eq!(r.copies[1].serial, "绝-2026-0003");
    let shown = s.doc_show(top.id).unwrap();
    assert_eq!(shown.history.unwrap().last().unwrap().kind, "copied");

    let mut no_copy = doc("秘密");
    no_copy["no_copy"] = json!(true);
    let nc = s.doc_add(&input(no_copy)).unwrap();
    let e = s
        .doc_copy(
            nc.id,
            &ev(json!({"approver": "张局长", "approver_role": "分管保密领导"})),
        )
        .unwrap_err();
    assert!(e.message.contains("不准复印"), "{}", e.message);
    let plain = add(&mut s, "秘密");
    assert!(s
        .doc_copy(
            plain.id,
            &ev(
                json!({"approver": "张局长", "approver_role": "分管保密领导", "copy_kind": "摘抄"})
            )
        )
        .is_ok());
}

#[test]
fn circulation_and_borrowing_outside_the_scope_need_an_approval() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let d = add(&mut s, "机密");
    let e = s
        .doc_circulate(d.id, &ev(json!({"reader": "赵六"})))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("approval"));
    assert!(
        e.message
            .contains("赵六不在该载体的知悉范围（办公室、王五）内"),
        "{}",
        e.message
    );
    // Inside the scope by name or by department.
    s.doc_circulate(d.id, &ev(json!({"reader": "王五"})))
        .unwrap();
    s.doc_circulate(d.id, &ev(json!({"reader": "钱七", "department": "办公室"})))
        .unwrap();
    let v = s
        .doc_circulate(
            d.id,
            &ev(json!({"reader": "赵六", "approval": "审-2026-7"})),
        )
        .unwrap();
    assert_eq!(v.status, Status::InCustody);
    let h = s.doc_show(d.id).unwrap().history.unwrap();
    assert_eq!(h.last().unwrap().approval.as_deref(), Some("审-2026-7"));
    assert!(h.last().unwrap().summary.contains("知悉范围外"));
    assert_eq!(
        s.doc_borrow(
            d.id,
            &ev(json!({"borrower": "赵六", "due_on": "2026-12-01"}))
        )
        .unwrap_err()
        .field
        .as_deref(),
        Some("approval")
    );
}

#[test]
fn a_late_borrowing_becomes_overdue_and_shows_on_the_home_screen() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let d = add(&mut s, "机密");
    let e = s
        .doc_borrow(
            d.id,
            &ev(json!({"borrower": "王五", "due_on": "2026-11-01"})),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("due_on"));
    let v = s
        .doc_borrow(
            d.id,
            &ev(json!({"borrower": "王五", "due_on": "2026-11-25"})),
        )
        .unwrap();
    assert!(!v.overdue);
    assert_eq!(
        s.doc_borrow(
            d.id,
            &ev(json!({"borrower": "王五", "due_on": "2026-11-25"}))
        )
        .unwrap_err()
        .code,
        Code::Rule
    );
    drop(s);
    f.clock.advance(Duration::days(5));
    let mut s = f.login(OFFICER);
    let v = s.doc_show(d.id).unwrap();
    assert!(v.overdue);
    let r = s.doc_reminders().unwrap();
    assert_eq!(r.overdue.iter().map(|x| x.id).collect::<Vec<_>>(), [d.id]);
    let page = s
        .doc_list(&DocQuery {
            overdue: Some(true),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    let v = s.doc_return(d.id, &ReturnInput::default()).unwrap();
    assert_eq!((v.status, v.overdue), (Status::InCustody, false));
}

#[test]
fn destruction_needs_a_list_an_approver_a_place_a_method_and_two_different_supervisors() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let d = add(&mut s, "机密");
    let full = json!({"approver": "张局长", "supervisors": ["赵六", "钱七"], "place": "市保密局销毁中心", "method": "粉碎", "list_no": "XH-2026-01"});
    let try_with = |s: &mut Session, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v = full.clone();
        edit(&mut v);
        s.doc_destroy(d.id, &ev(v)).unwrap_err()
    };
    let e = try_with(&mut s, &|v| v["supervisors"] = json!(["赵六"]));
    assert_eq!(
        (e.field.as_deref(), e.message.as_str()),
        (
            Some("supervisors"),
            "监销人：销毁须由两人监销，当前填写了 1 人"
        )
    );
    assert_eq!(
        try_with(&mut s, &|v| v["supervisors"] = json!(["赵六", " 赵六 "])).message,
        "监销人：两名监销人须为不同人员"
    );
    assert_eq!(
        try_with(&mut s, &|v| v["list_no"] = json!(""))
            .field
            .as_deref(),
        Some("list_no")
    );
    assert_eq!(
        try_with(&mut s, &|v| v["approver"] = json!(null))
            .field
            .as_deref(),
        Some("approver")
    );
    assert_eq!(
        try_with(&mut s, &|v| v["place"] = json!(" "))
            .field
            .as_deref(),
        Some("place")
    );
    assert_eq!(
        try_with(&mut s, &|v| v["method"] = json!(""))
            .field
            .as_deref(),
        Some("method")
    );
    assert_eq!(s.doc_show(d.id).unwrap().status, Status::InCustody);

    // A borrowed carrier must come back first.
    s.doc_borrow(
        d.id,
        &ev(json!({"borrower": "王五", "due_on": "2026-11-30"})),
    )
    .unwrap();
    assert_eq!(
        s.doc_destroy(d.id, &ev(full.clone())).unwrap_err().code,
        Code::Rule
    );
    s.doc_return(d.id, &ReturnInput::default()).unwrap();
    let v = s.doc_destroy(d.id, &ev(full.clone())).unwrap();
    assert_eq!(v.status, Status::Destroyed);
    // A destroyed carrier takes no further lifecycle event.
    let e = s
        .doc_borrow(
            d.id,
            &ev(json!({"borrower": "王五", "due_on": "2026-11-30"})),
        )
        .unwrap_err();
    assert_eq!(e.code, Code::Rule);
    assert_eq!(e.message, "载体 机-2026-0001 已销毁，不能再办理任何手续");
    assert_eq!(
        s.doc_missing(d.id, &ev(json!({"since": "2026-11-20"})))
            .unwrap_err()
            .code,
        Code::Rule
    );
}

#[test]
fn missing_carriers_count_down_to_a_leak_incident_by_level() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let top = add(&mut s, "绝密");
    let sec = add(&mut s, "机密");
    let internal = s
        .doc_add(&input(json!({"title": "内部资料", "level": "内部", "carrier_type": "U盘", "custodian": "王五", "received_on": "2026-11-01"})))
        .unwrap();
    let v = s
        .doc_missing(top.id, &ev(json!({"since": "2026-11-20"})))
        .unwrap();
    assert_eq!(
        (v.incident_on.as_deref(), v.incident_days_left),
        (Some("2026-11-30"), Some(8))
    );
    let v = s
        .doc_missing(sec.id, &ev(json!({"since": "2026-11-20"})))
        .unwrap();
    assert_eq!(v.incident_on.as_deref(), Some("2027-01-19"));
    let v = s
        .doc_missing(internal.id, &ev(json!({"since": "2026-11-20"})))
        .unwrap();
    assert_eq!(v.incident_on, None, "not a state secret: no leak incident");
    assert_eq!(
        s.doc_missing(sec.id, &ev(json!({"since": "2026-12-20"})))
            .unwrap_err()
            .code,
        Code::Rule
    );
    let r = s.doc_reminders().unwrap();
    assert_eq!(
        r.missing.first().unwrap().id,
        top.id,
        "nearest incident first"
    );
    let v = s.doc_found(top.id, &FoundInput::default()).unwrap();
    assert_eq!((v.status, v.incident_on), (Status::InCustody, None));
}

#[test]
fn declassifying_and_downgrading() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let d = add(&mut s, "机密");
    let e = s
        .doc_declassify(
            d.id,
            &ev(json!({"new_level": "绝密", "approver": "张局长"})),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("new_level"));
    assert_eq!(
        s.doc_declassify(d.id, &ev(json!({"new_level": "秘密"})))
            .unwrap_err()
            .field
            .as_deref(),
        Some("approver")
    );
    let v = s
        .doc_declassify(
            d.id,
            &ev(json!({"new_level": "秘密", "approver": "张局长"})),
        )
        .unwrap();
    assert_eq!(
        (v.level, v.status),
        (Level::Confidential, Status::InCustody)
    );
    let v = s
        .doc_declassify(
            d.id,
            &ev(json!({"new_level": "解密", "approver": "张局长"})),
        )
        .unwrap();
    assert_eq!(v.status, Status::Declassified);
    assert_eq!(s.doc_highest_level().unwrap(), None);
}

#[test]
fn the_secrecy_period_ending_asks_for_a_review() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let mut v = doc("秘密");
    v["secrecy_period"] = json!("2027-01-31");
    let d = s.doc_add(&input(v)).unwrap();
    assert!(d.review_due, "ends within 90 days");
    let far = add(&mut s, "秘密");
    assert!(!far.review_due);
    assert_eq!(
        s.doc_reminders()
            .unwrap()
            .review_due
            .iter()
            .map(|x| x.id)
            .collect::<Vec<_>>(),
        [d.id]
    );
}

#[test]
fn year_end_hand_back_is_all_or_nothing() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let ids: Vec<i64> = (0..4).map(|_| add(&mut s, "秘密").id).collect();
    s.doc_destroy(ids[3], &ev(json!({"approver": "张局长", "supervisors": ["赵六", "钱七"], "place": "销毁中心", "method": "粉碎", "list_no": "X1"}))).unwrap();
    let e = s
        .doc_handback(&ids, &ev(json!({"to": "国家保密局"})))
        .unwrap_err();
    assert!(e.message.contains("秘-2026-0004"), "{}", e.message);
    assert_eq!(
        s.doc_list(&DocQuery {
            status: Some("handed_back".into()),
            ..Default::default()
        })
        .unwrap()
        .total,
        0
    );
    let done = s
        .doc_handback(&ids[..2], &ev(json!({"to": "国家保密局", "ids": [ids[2]]})))
        .unwrap();
    assert_eq!(done.len(), 3);
    assert!(done.iter().all(|d| d.status == Status::HandedBack));
    assert_eq!(
        s.doc_archive(ids[0], &ArchiveInput::default())
            .unwrap_err()
            .message,
        "载体 秘-2026-0001 已清退，不能再办理任何手续"
    );
}

#[test]
fn the_monthly_reconciliation_lists_the_differences() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let a = add(&mut s, "秘密");
    let b = add(&mut s, "秘密");
    let c = add(&mut s, "秘密");
    s.doc_borrow(
        c.id,
        &ev(json!({"borrower": "王五", "due_on": "2026-11-30"})),
    )
    .unwrap();
    let mut other = doc("秘密");
    other["custodian"] = json!("李四");
    let d = s.doc_add(&input(other)).unwrap();
    let r = s
        .doc_reconcile(&ev(
            json!({"custodian": "王五", "counted": [a.serial, d.serial, "秘-1999-0001"]}),
        ))
        .unwrap();
    assert_eq!(r.expected, [a.serial.clone(), b.serial.clone()]);
    assert_eq!(r.not_found, std::slice::from_ref(&b.serial));
    assert_eq!(r.unexpected, ["秘-1999-0001".to_string(), d.serial.clone()]);
    assert_eq!(r.borrowed_out, std::slice::from_ref(&c.serial));
    assert_eq!(
        s.doc_reconcile(&ReconcileInput::default())
            .unwrap_err()
            .field
            .as_deref(),
        Some("custodian")
    );
}

#[test]
fn corrections_keep_the_old_value_and_the_state_is_a_fold_of_the_events() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let d = add(&mut s, "机密");
    s.doc_correct(
        d.id,
        &ev(json!({"field": "title", "value": "关于加强涉密载体管理的通知", "reason": "登记笔误"})),
    )
    .unwrap();
    assert_eq!(
        s.doc_correct(
            d.id,
            &ev(json!({"field": "level", "value": "秘密", "reason": "x"}))
        )
        .unwrap_err()
        .field
        .as_deref(),
        Some("field")
    );
    s.doc_distribute(d.id, &ev(json!({"to": "李四", "location": "2号保密柜"})))
        .unwrap();
    s.doc_borrow(
        d.id,
        &ev(json!({"borrower": "王五", "due_on": "2026-11-30"})),
    )
    .unwrap();
    let shown = s.doc_show(d.id).unwrap();
    assert_eq!(
        (
            shown.title.as_str(),
            shown.custodian.as_str(),
            shown.location.as_str()
        ),
        ("关于加强涉密载体管理的通知", "李四", "2号保密柜")
    );
    let history = shown.history.unwrap();
    let kinds: Vec<&str> = history.iter().map(|h| h.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["registered", "corrected", "distributed", "borrowed"]
    );
    assert_eq!(history[1].data["old"], "关于加强机密载体管理工作的通知");
    assert_eq!(
        history[1].summary,
        "更正标题：“关于加强机密载体管理工作的通知” → “关于加强涉密载体管理的通知”（登记笔误）"
    );
    // Replaying the events alone gives exactly the stored state.
    for id in 1..=1 {
        let replayed = s.doc_replay(id).unwrap().unwrap();
        let stored = s.doc_show(id).unwrap();
        assert_eq!(replayed.fields.title, stored.title);
        assert_eq!(replayed.status, stored.status);
        assert_eq!(replayed.fields.custodian, stored.custodian);
        assert_eq!(replayed.borrower, stored.borrower);
    }
    // The events themselves cannot be changed.
    let conn = raw_registers(&f.dir, OFFICER);
    let n: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert!(n > 0);
    assert!(conn
        .execute("UPDATE events SET data = '{}' WHERE id = 1", [])
        .is_err());
    assert!(conn.execute("DELETE FROM events WHERE id = 1", []).is_err());
}

#[test]
fn search_of_every_length_finds_exactly_the_containing_records() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let titles = [
        "保密工作领导小组会议纪要",
        "涉密信息系统分级保护方案",
        "年度保密检查情况通报",
        "关于开展保密宣传教育月活动的意见",
        "Network 安全 Plan",
    ];
    for (i, t) in titles.iter().enumerate() {
        let mut v = doc("秘密");
        v["title"] = json!(t);
        v["custodian"] = json!(["王五", "李四", "欧阳明"][i % 3]);
        s.doc_add(&input(v)).unwrap();
    }
    for q in [
        "密",
        "保密",
        "保密检",
        "领导小组会议",
        "李",
        "欧阳",
        "plan",
        "12号",
        "〔2026〕12",
        "秘-2026-0003",
        "不存在的词",
    ] {
        let page = s
            .doc_list(&DocQuery {
                query: Some(q.into()),
                limit: Some(500),
                ..Default::default()
            })
            .unwrap();
        let mut got: Vec<String> = page.rows.iter().map(|r| r.serial.clone()).collect();
        got.sort();
        let all = s
            .doc_list(&DocQuery {
                limit: Some(500),
                ..Default::default()
            })
            .unwrap();
        let needle = q.to_lowercase().replace(['〔', '〕'], "");
        let mut want: Vec<String> = all
            .rows
            .iter()
            .filter(|r| {
                [
                    &r.serial,
                    &r.doc_no,
                    &r.title,
                    &r.origin_unit,
                    &r.custodian,
                    &r.remarks,
                ]
                .iter()
                .any(|f| f.to_lowercase().replace(['〔', '〕'], "").contains(&needle))
            })
            .map(|r| r.serial.clone())
            .collect();
        want.sort();
        assert_eq!(got, want, "query {q}");
        assert_eq!(page.total as usize, want.len());
    }
    // Filters combine with search; sorting works.
    let page = s
        .doc_list(&DocQuery {
            query: Some("保密".into()),
            custodian: Some("王五".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        page.rows
            .iter()
            .map(|r| r.title.as_str())
            .collect::<Vec<_>>(),
        [
            "关于开展保密宣传教育月活动的意见",
            "保密工作领导小组会议纪要"
        ]
    );
    let asc = s
        .doc_list(&DocQuery {
            sort: Some("serial".into()),
            desc: Some(false),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(asc.rows[0].serial, "秘-2026-0001");
    assert_eq!(
        s.doc_list(&DocQuery {
            sort: Some("colour".into()),
            ..Default::default()
        })
        .unwrap_err()
        .field
        .as_deref(),
        Some("sort")
    );
    assert_eq!(
        s.doc_list(&DocQuery {
            level: Some("顶级".into()),
            ..Default::default()
        })
        .unwrap_err()
        .field
        .as_deref(),
        Some("level")
    );
}

/// A long search in a register big enough for one pair to be rare is matched by the pairs
/// that cover it, each at its place (never by pairs of two runs that happen to line up); an
/// index written before the pairs kept their places is searched by the phrase until the next
/// sign-in writes it again, once, audited.
/// Registers one 秘密 carrier for each title; returns their serials.
fn add_titled(s: &mut Session, titles: &[&str]) -> Vec<String> {
    titles
        .iter()
        .map(|t| {
            let mut v = doc("秘密");
            v["title"] = json!(t);
            s.doc_add(&input(v)).unwrap().serial
        })
        .collect()
}

/// The serials of the carriers a search for `q` lists (up to 500), newest first.
fn found(s: &mut Session, q: &str) -> Vec<String> {
    s.doc_list(&DocQuery {
        query: Some(q.into()),
        limit: Some(500),
        ..Default::default()
    })
    .unwrap()
    .rows
    .into_iter()
    .map(|r| r.serial)
    .collect()
}

#[test]
fn long_searches_match_by_their_cover_and_old_indexes_are_written_again_once() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let mut titles = vec!["通知保密工作的要求", "通知保、Y密工作的要求"];
    titles.extend(std::iter::repeat_n("保密工作领导小组会议纪要", 58));
    let serials = add_titled(&mut s, &titles);
    // 知保 is in 2 of the 60 records: the plan matches 知保密工作的 by a cover.
    assert!(baomi::search::plan(&[2, 59, 60, 60, 2], 60).is_some());
    let expect = [
        ("知保密工作的", vec![serials[0].clone()]),
        ("密工作的要求", vec![serials[1].clone(), serials[0].clone()]),
        (
            "保密工作领导小组",
            serials[2..].iter().rev().cloned().collect(),
        ),
        ("Y密工作", vec![serials[1].clone()]),
        ("知保密工作领", vec![]),
    ];
    for (q, want) in &expect {
        assert_eq!(&found(&mut s, q), want, "query {q}");
    }

    // The same vault as an older version left it: its index is not marked as positioned.
    drop(s);
    let raw = raw_registers(&f.dir, OFFICER);
    raw.execute("UPDATE search_format SET positioned = 0", [])
        .unwrap();
    drop(raw);
    let mut s = f.login(OFFICER);
    for (q, want) in &expect {
        assert_eq!(&found(&mut s, q), want, "query {q} (by the phrase)");
    }
    assert_eq!(
        s.upgrade_search().unwrap(),
        [("doc", 60), ("device", 0), ("person", 0)]
    );
    assert_eq!(s.upgrade_search().unwrap(), []);
    for (q, want) in &expect {
        assert_eq!(&found(&mut s, q), want, "query {q} (written again)");
    }
    drop(s);
    let log = f.login(AUDITOR).audit_list(&Default::default()).unwrap();
    let rebuilt: Vec<&str> = log
        .rows
        .iter()
        .filter(|e| e.action == "search_rebuilt")
        .map(|e| e.detail_text.as_str())
        .collect();
    assert_eq!(rebuilt.len(), 3, "{rebuilt:?}");
    assert!(
        rebuilt.contains(&"载体：60 条记录的检索索引按新格式重写"),
        "{rebuilt:?}"
    );
}

#[test]
fn an_index_split_by_the_old_tokenizer_is_made_again_and_written_again_at_sign_in() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let serials = add_titled(&mut s, &["Windows 系统维护手册", "保密工作会议纪要"]);
    let expect = [
        ("WINDOWS", vec![serials[0].clone()]),
        ("维护手", vec![serials[0].clone()]),
        ("会议纪要", vec![serials[1].clone()]),
    ];
    drop(s);
    // The register database as version 12 left it: the carriers' index split by
    // `unicode61`, written and marked current.
    let sql_of = |raw: &rusqlite::Connection| -> String {
        raw.query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'documents_search'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    let raw = raw_registers(&f.dir, OFFICER);
    assert!(sql_of(&raw).contains("'ascii'"), "{}", sql_of(&raw));
    raw.execute_batch(
        "DROP TABLE documents_search;
         CREATE VIRTUAL TABLE documents_search USING fts5(
             uni, bi, tags, content = '', contentless_delete = 1,
             tokenize = 'unicode61 remove_diacritics 0');
         PRAGMA user_version = 12;",
    )
    .unwrap();
    baomi::registers::table::rebuild_search::<Documents>(&raw).unwrap();
    drop(raw);

    // Signing in migrates: the index is made again with `ascii`, empty, and marked stale.
    let mut s = f.login(OFFICER);
    let raw = raw_registers(&f.dir, OFFICER);
    assert!(sql_of(&raw).contains("'ascii'"), "{}", sql_of(&raw));
    let stale: Vec<(String, bool)> = raw
        .prepare("SELECT tbl, positioned FROM search_format ORDER BY tbl")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        stale,
        [
            ("devices".to_string(), true),
            ("documents".to_string(), false),
            ("persons".to_string(), true)
        ]
    );
    drop(raw);
    assert_eq!(s.upgrade_search().unwrap(), [("doc", 2)]);
    for (q, want) in &expect {
        assert_eq!(&found(&mut s, q), want, "query {q}");
    }
}

#[test]
fn readers_read_officers_write_administrators_see_nothing() {
    let f = Fixture::new();
    f.add_business_account("reader1", "查阅人", Role::Reader, "Reader#2026ab");
    let mut s = f.login(OFFICER);
    let d = add(&mut s, "秘密");
    let mut r = f.login(("reader1", "Reader#2026ab"));
    assert_eq!(r.doc_list(&DocQuery::default()).unwrap().total, 1);
    assert!(r.doc_show(d.id).is_ok());
    assert_eq!(
        r.doc_add(&input(doc("秘密"))).unwrap_err().code,
        Code::Permission
    );
    assert_eq!(
        r.doc_return(d.id, &ReturnInput::default())
            .unwrap_err()
            .code,
        Code::Permission
    );
    for who in [ADMIN, SECADMIN, AUDITOR] {
        assert_eq!(
            f.login(who)
                .doc_list(&DocQuery::default())
                .unwrap_err()
                .code,
            Code::Permission
        );
        assert_eq!(
            f.login(who).doc_add(&input(doc("秘密"))).unwrap_err().code,
            Code::Permission
        );
    }
    // Every change is in the audit log.
    let page = f
        .login(AUDITOR)
        .audit_list(&baomi::vault::audit::Filter {
            action: Some("doc_registered".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].target, d.serial);
}

#[test]
fn the_desktop_state_reports_malformed_record_json_by_field() {
    let f = Fixture::new();
    let app = baomi::app::App::new(
        f.dir.clone(),
        std::sync::Arc::new(f.clock.clone()),
        f.options(),
    );
    app.login(OFFICER.0, secret(OFFICER.1)).unwrap();
    let e = app.doc_add(json!({"level": "机密"})).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (Code::Validation, Some("title"))
    );
    let v = app.doc_add(doc("秘密")).unwrap();
    let e = app.doc_event(v.id, "fly", json!({})).unwrap_err();
    assert!(
        e.message.starts_with("未知的手续类型“fly”"),
        "{}",
        e.message
    );
    let e = app
        .doc_event(
            v.id,
            "borrow",
            json!({"borrower": "王五", "due_on": 20261130}),
        )
        .unwrap_err();
    assert!(e.message.starts_with("字段类型错误"), "{}", e.message);
    let r = app
        .doc_event(v.id, "missing", json!({"since": "2026-11-20"}))
        .unwrap();
    assert_eq!(r.status, Status::Missing);
    // A missing carrier counted in the cabinet is reported as found, not as foreign.
    let rec = app
        .doc_reconcile(json!({"custodian": "王五", "counted": [v.serial]}))
        .unwrap();
    assert_eq!(
        (
            rec.found_missing.len(),
            rec.unexpected.len(),
            rec.missing.len()
        ),
        (1, 0, 1)
    );
    let rem = app.doc_reminders().unwrap();
    assert_eq!(rem.missing_total, 1);
}

/// A register of 1,100 carriers received over three years: a text search counts exactly only
/// up to 1,000 ("1000+"), and a range of received days — read month by month — pages exactly
/// like filtering every row, newest or oldest first, with either end open.
#[test]
fn a_large_register_counts_searches_to_a_thousand_and_pages_ranges_of_days_exactly() {
    use baomi::excel::SheetOptions;
    use chrono::NaiveDate;

    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let mut csv = String::from("文件名称,文号,来文单位,密级,载体类型,保管人,收文日期,知悉范围\n");
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let start = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    for i in 0..1100 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let day = start + Duration::days((x % 1000) as i64);
        csv.push_str(&format!(
            "关于第{i}项保密工作的通知,国保发〔2026〕{i}号,国家保密局,秘密,纸质文件,王五,{day},办公室\n"
        ));
    }
    let path = f.dir.parent().unwrap().join("大台账.csv");
    std::fs::write(&path, csv).unwrap();
    let report = s
        .import_sheet::<Documents>(&path, &SheetOptions::default(), &mut |_, _| {})
        .unwrap();
    assert_eq!(
        (report.imported, report.errors.len()),
        (1100, 0),
        "{:?}",
        report.errors.first()
    );

    // Counting a search stops at 1,000; a list without search text counts them all.
    let list = |s: &mut Session, q: DocQuery| s.doc_list(&q).unwrap();
    let searched = list(
        &mut s,
        DocQuery {
            query: Some("保密工作".into()),
            ..Default::default()
        },
    );
    assert_eq!((searched.total, searched.total_exact), (1000, false));
    assert_eq!(searched.rows.len(), 50);
    let few = list(
        &mut s,
        DocQuery {
            query: Some("第1099项".into()),
            ..Default::default()
        },
    );
    assert_eq!((few.total, few.total_exact, few.rows.len()), (1, true, 1));
    let everything = list(
        &mut s,
        DocQuery {
            limit: Some(500),
            ..Default::default()
        },
    );
    assert_eq!((everything.total, everything.total_exact), (1100, true));

    // Every record, oldest registered first, with its day: what each range must equal.
    let mut all = Vec::new();
    for offset in [0, 500, 1000] {
        let page = list(
            &mut s,
            DocQuery {
                desc: Some(false),
                offset: Some(offset),
                limit: Some(500),
                ..Default::default()
            },
        );
        all.extend(
            page.rows
                .into_iter()
                .map(|r| (r.id, r.received_on, r.title)),
        );
    }
    assert_eq!(all.len(), 1100);
    // A search with fewer hits than the cap pages from the ids its count collected.
    let hits: Vec<i64> = all
        .iter()
        .filter(|(_, _, t)| t.contains("第10"))
        .map(|(id, _, _)| *id)
        .collect();
    assert_eq!(hits.len(), 111);
    // A search with more hits than the cap (all 1,100 titles): its pages, within the ids one
    // walk collected and past them, are the same as paging every record.
    let ids: Vec<i64> = all.iter().map(|(id, _, _)| *id).collect();
    let (few, many) = (("第10", &hits, 111, true), ("保密工作", &ids, 1000, false));
    for ((query, matching, total, exact), desc, offset, limit) in [
        (few, false, 100, 20),
        (few, true, 0, 20),
        (few, true, 90, 20),
        (many, true, 0, 50),
        (many, false, 0, 50),
        (many, true, 950, 51),
        (many, true, 960, 100),
        (many, false, 1050, 100),
    ] {
        let page = list(
            &mut s,
            DocQuery {
                query: Some(query.into()),
                desc: Some(desc),
                offset: Some(offset),
                limit: Some(limit),
                ..Default::default()
            },
        );
        let mut want = matching.clone();
        if desc {
            want.reverse();
        }
        let want: Vec<i64> = want
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
        assert_eq!(
            (got, page.total, page.total_exact),
            (want, total, exact),
            "{query} {desc} {offset}"
        );
    }
    let day = |d: &str| Some(d.to_string());
    for (from, to) in [
        (day("2024-01-01"), day("2024-12-31")),
        (day("2023-03-15"), day("2023-04-02")),
        (day("2025-06-01"), None),
        (None, day("2023-02-28")),
        (day("2022-01-01"), day("2030-12-31")),
        (day("2024-02-10"), day("2024-02-10")),
        (day("2019-01-01"), day("2019-12-31")),
    ] {
        let want: Vec<i64> = all
            .iter()
            .filter(|(_, d, _)| {
                from.as_deref().is_none_or(|f| d.as_str() >= f)
                    && to.as_deref().is_none_or(|t| d.as_str() <= t)
            })
            .map(|(id, _, _)| *id)
            .collect();
        for desc in [true, false] {
            let mut ordered = want.clone();
            if desc {
                ordered.reverse();
            }
            for (offset, limit) in [(0, 50), (50, 50), (37, 13), (0, 500)] {
                let page = list(
                    &mut s,
                    DocQuery {
                        received_from: from.clone(),
                        received_to: to.clone(),
                        desc: Some(desc),
                        offset: Some(offset),
                        limit: Some(limit),
                        ..Default::default()
                    },
                );
                let got: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
                let expect: Vec<i64> = ordered
                    .iter()
                    .skip(offset as usize)
                    .take(limit as usize)
                    .copied()
                    .collect();
                assert_eq!(
                    got, expect,
                    "{from:?}..{to:?} desc {desc} at {offset}+{limit}"
                );
                assert_eq!(page.total as usize, want.len());
            }
        }
    }
    // A listing or an export asks for every row: the search's 1,100 hits and a range's
    // rows, read in chunks, in order.
    let every: Vec<i64> = all.iter().rev().map(|(id, _, _)| *id).collect();
    let listed = s
        .doc_list_all(
            &DocQuery {
                query: Some("保密工作".into()),
                ..Default::default()
            },
            2000,
        )
        .unwrap();
    let got: Vec<i64> = listed.rows.iter().map(|r| r.id).collect();
    assert_eq!(
        (got, listed.total, listed.total_exact),
        (every.clone(), 1100, true)
    );
    let listed = s
        .doc_list_all(
            &DocQuery {
                received_from: day("2020-01-01"),
                ..Default::default()
            },
            2000,
        )
        .unwrap();
    let got: Vec<i64> = listed.rows.iter().map(|r| r.id).collect();
    assert_eq!(got, every);

    // With another filter the range is a plain condition: the same rows.
    let both = list(
        &mut s,
        DocQuery {
            received_from: day("2024-01-01"),
            received_to: day("2024-12-31"),
            level: Some("秘密".into()),
            limit: Some(500),
            ..Default::default()
        },
    );
    let plain = list(
        &mut s,
        DocQuery {
            received_from: day("2024-01-01"),
            received_to: day("2024-12-31"),
            limit: Some(500),
            ..Default::default()
        },
    );
    let ids = |p: &baomi::page::Page<DocView>| p.rows.iter().map(|r| r.id).collect::<Vec<_>>();
    assert!(!plain.rows.is_empty());
    assert_eq!(ids(&both), ids(&plain));
}
