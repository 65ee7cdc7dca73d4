//! The year-end statistics (年度保密工作统计): every register's figures for a year.

use baomi::registers::stats::{StatTable, YearStats};
use baomi::vault::roles::Role;
use baomi::Code;
use serde_json::json;

use crate::util::*;

fn table<'a>(s: &'a YearStats, title: &str) -> &'a StatTable {
    s.tables.iter().find(|t| t.title == title).unwrap()
}

fn cell(t: &StatTable, row: &str, column: &str) -> i64 {
    let j = t.columns.iter().position(|c| c == column).unwrap();
    t.rows.iter().find(|r| r.label == row).unwrap().values[j]
}

fn total(t: &StatTable, row: &str) -> i64 {
    t.rows.iter().find(|r| r.label == row).unwrap().total
}

#[test]
fn the_year_end_statistics_count_each_registers_year() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let doc = |s: &mut baomi::vault::Session, level: &str, on: &str| {
        let input = baomi::input::from_value(json!({
            "title": format!("{level}文件"), "level": level, "scope": ["办公室"],
            "carrier_type": "纸质文件", "custodian": "王五", "received_on": on
        }))
        .unwrap();
        s.doc_add(&input).unwrap().id
    };
    let a = doc(&mut s, "机密", "2026-03-01");
    let b = doc(&mut s, "秘密", "2026-04-01");
    let _c = doc(&mut s, "秘密", "2026-05-01");
    s.doc_act(b, "destroy", json!({"approval": "销毁审批2026-1", "approver": "李主任", "supervisors": ["赵六", "钱七"], "place": "保密销毁中心", "method": "粉碎", "list_no": "XH-2026-1", "on": "2026-10-01"}))
        .unwrap();
    s.doc_handback(
        &[a],
        &baomi::input::from_value(json!({"to": "国家保密局", "ids": [a], "on": "2026-11-01"}))
            .unwrap(),
    )
    .unwrap();
    let person = baomi::input::from_value(json!({
        "name": "赵六", "department": "办公室", "post": "文书", "class": "重要"
    }))
    .unwrap();
    let p = s.person_add(&person).unwrap().id;
    s.act::<baomi::registers::personnel::Persons>(
        p,
        "train",
        json!({"on": "2026-06-01", "content": "保密法", "hours": 2, "score": 90, "passed": true}),
    )
    .unwrap();

    let y = s.stats(2026).unwrap();
    assert_eq!(y.year, 2026);
    assert_eq!(y.unit, UNIT);
    let moves = table(&y, "涉密载体收发与处置（按密级）");
    assert_eq!(cell(moves, "登记收文", "秘密"), 2);
    assert_eq!(cell(moves, "登记收文", "机密"), 1);
    assert_eq!(total(moves, "登记收文"), 3);
    assert_eq!(cell(moves, "销毁", "秘密"), 1);
    assert_eq!(cell(moves, "清退", "机密"), 1);
    let people = table(&y, "当前涉密人员（按类别和状态）");
    assert_eq!(total(people, "重要"), 1);
    let work = table(&y, "年度承诺书、审查和培训");
    assert_eq!(total(work, "保密培训（人次）"), 1);
    assert_eq!(total(work, "培训合格（人次）"), 1);
    assert_eq!(total(work, "签订上岗承诺书"), 0);
    // Another year has none of this year's movements.
    let before = s.stats(2025).unwrap();
    assert_eq!(
        total(table(&before, "涉密载体收发与处置（按密级）"), "登记收文"),
        0
    );
    assert_eq!(s.stats(1900).unwrap_err().field.as_deref(), Some("year"));
    drop(s);
    // Register figures: the administrators may not read them.
    assert_eq!(
        f.login(ADMIN).stats(2026).unwrap_err().code,
        Code::Permission
    );
    f.add_business_account("reader1", "查阅人", Role::Reader, "Reader#2026ab");
    assert!(f.login(("reader1", "Reader#2026ab")).stats(2026).is_ok());
}
