//! The home screen's figures: what every register holds by level, department and status, and
//! the movements of the last twelve months, merged across registers and moved with the clock.

use baomi::registers::figures::{Figure, FigureAxis, HomeFigures, UNKNOWN_DEPARTMENT};
use baomi::vault::roles::Role;
use baomi::vault::Session;
use baomi::Code;
use chrono::Duration;
use serde_json::{json, Value};

use crate::util::*;

fn figure<'a>(h: &'a HomeFigures, key: &str) -> &'a Figure {
    h.figures.iter().find(|f| f.key == key).unwrap()
}

/// The figure's series as (name, values), in order.
fn series(f: &Figure) -> Vec<(&str, Vec<i64>)> {
    f.series
        .iter()
        .map(|s| (s.name.as_str(), s.values.clone()))
        .collect()
}

fn doc(s: &mut Session, level: &str, custodian: &str, received_on: &str) -> i64 {
    let input = baomi::input::from_value(json!({
        "title": format!("{level}文件"), "level": level, "scope": ["办公室"],
        "carrier_type": "纸质文件", "custodian": custodian, "received_on": received_on
    }))
    .unwrap();
    s.doc_add(&input).unwrap().id
}

fn device(s: &mut Session, v: Value) -> i64 {
    s.device_add(&baomi::input::from_value(v).unwrap())
        .unwrap()
        .id
}

#[test]
fn the_home_figures_count_every_register_and_the_last_twelve_months() {
    let f = Fixture::new(); // today: 2026-11-22, so the months run from 2025-12 to 2026-11
    let mut s = f.login(OFFICER);

    // Carriers: two in the custody of 赵六 (办公室, registered below), one of 王五 (nobody in
    // the personnel register) lent out, one from before the window destroyed in October.
    let _a = doc(&mut s, "机密", "赵六", "2026-03-01");
    let b = doc(&mut s, "秘密", "王五", "2026-04-01");
    let c = doc(&mut s, "秘密", "王五", "2025-06-01");
    let _d = doc(&mut s, "秘密", "赵六", "2025-12-01");
    s.doc_act(
        b,
        "borrow",
        json!({"borrower": "王五", "department": "办公室", "due_on": "2026-11-30", "on": "2026-11-15"}),
    )
    .unwrap();
    s.doc_act(c, "destroy", json!({"approval": "销毁审批2026-1", "approver": "李主任", "supervisors": ["赵六", "钱七"], "place": "保密销毁中心", "method": "粉碎", "list_no": "XH-2026-1", "on": "2026-10-01"}))
        .unwrap();

    // Devices: a 机密 laptop of 科技处 out since 11-20, a 秘密 medium of 办公室, and an
    // unclassified desktop (registered, but not a holding).
    let laptop = device(
        &mut s,
        json!({
            "kind": "便携式计算机", "name": "笔记本", "classified": true, "level": "机密",
            "label_no": "BM-2026-017", "department": "科技处", "custodian": "王五",
            "in_service_on": "2026-01-05", "three_in_one": true, "wireless_removed": true,
            "label_affixed": true
        }),
    );
    device(
        &mut s,
        json!({
            "kind": "移动存储介质", "name": "专用U盘", "classified": true, "level": "秘密",
            "label_no": "BM-U-1", "department": "办公室", "custodian": "王五",
            "in_service_on": "2026-03-01"
        }),
    );
    device(
        &mut s,
        json!({
            "kind": "台式计算机", "name": "办公计算机", "classified": false, "level": null,
            "label_no": "", "department": "办公室", "custodian": "王五",
            "in_service_on": "2026-02-01"
        }),
    );
    s.device_act(
        laptop,
        "checkout",
        json!({
            "user": "王五", "reason": "赴省局汇报", "destination": "省国家保密局",
            "due_on": "2026-11-25", "max_level": "秘密", "on": "2026-11-20",
            "security_officer": "赵安全", "leader": "孙局长"
        }),
    )
    .unwrap();

    // A person of 办公室, registered today (拟上岗), trained in June.
    let p = baomi::input::from_value(json!({
        "name": "赵六", "department": "办公室", "post": "文书", "class": "重要"
    }))
    .unwrap();
    let p = s.person_add(&p).unwrap().id;
    s.act::<baomi::registers::personnel::Persons>(
        p,
        "train",
        json!({"on": "2026-06-01", "content": "保密法", "hours": 2, "score": 90, "passed": true}),
    )
    .unwrap();

    let h = s.figures().unwrap();
    assert_eq!(h.today, "2026-11-22");
    let keys: Vec<&str> = h.figures.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "level",
            "department",
            "doc_status",
            "movements",
            "device_status",
            "person_status"
        ]
    );

    // Held by level: carriers and devices side by side; the destroyed carrier and the
    // unclassified desktop are not holdings.
    let level = figure(&h, "level");
    assert_eq!(level.axis, FigureAxis::Level);
    assert_eq!(level.labels, ["绝密", "机密", "秘密", "工作秘密", "内部"]);
    assert_eq!(
        series(level),
        [
            ("涉密载体", vec![0, 1, 2, 0, 0]),
            ("涉密设备", vec![0, 1, 1, 0, 0])
        ]
    );

    // By department: a carrier's is its custodian's in the personnel register; 王五 is in it
    // nowhere, so his carrier counts under 未登记部门, which comes last.
    let dept = figure(&h, "department");
    assert_eq!(dept.axis, FigureAxis::Department);
    assert_eq!(dept.labels, ["办公室", "科技处", UNKNOWN_DEPARTMENT]);
    assert_eq!(
        series(dept),
        [
            ("涉密载体", vec![2, 0, 1]),
            ("涉密设备", vec![1, 1, 0]),
            ("涉密人员", vec![1, 0, 0])
        ]
    );

    // By status, each register with its own statuses of what it still holds.
    let docs = figure(&h, "doc_status");
    assert_eq!(docs.labels, ["在管", "借出", "已归档", "下落不明"]);
    assert_eq!(docs.series[0].values, [2, 1, 0, 0]);
    let devices = figure(&h, "device_status");
    assert_eq!(devices.axis, FigureAxis::Status);
    assert_eq!(devices.labels[..2], ["在用", "外出"]);
    assert_eq!(devices.series[0].values, [1, 1, 0, 0, 0]);
    let people = figure(&h, "person_status");
    assert_eq!(people.labels, ["拟上岗", "在岗", "脱密期"]);
    assert_eq!(people.series[0].values, [1, 0, 0]);

    // Movements per month, every register's groups added up; groups with nothing this year
    // (归还, 清退, 其他手续) are left out.
    let moves = figure(&h, "movements");
    assert_eq!(moves.axis, FigureAxis::Month);
    assert_eq!(moves.labels.len(), 12);
    assert_eq!(moves.labels[0], "2025年12月");
    assert_eq!(moves.labels[11], "2026年11月");
    assert_eq!(
        series(moves),
        [
            // 12: carrier d; 1: laptop; 2: desktop; 3: carrier a and the medium; 4: carrier
            // b; 11: the person.
            ("登记", vec![1, 1, 1, 2, 1, 0, 0, 0, 0, 0, 0, 1]),
            ("借阅借用", vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            ("外出", vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
            ("销毁", vec![0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]),
            ("人员手续", vec![0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]),
        ]
    );

    // A month later the window has moved: December 2025 is gone, December 2026 is empty.
    drop(s);
    f.clock.advance(Duration::days(13)); // 2026-12-05
    let mut s = f.login(OFFICER);
    let h = s.figures().unwrap();
    let moves = figure(&h, "movements");
    assert_eq!(moves.labels[0], "2026年1月");
    assert_eq!(moves.series[0].values, [1, 1, 2, 1, 0, 0, 0, 0, 0, 0, 1, 0]);
    drop(s);

    // Register figures: the administrators may not read them, a reader may.
    assert_eq!(f.login(ADMIN).figures().unwrap_err().code, Code::Permission);
    f.add_business_account("reader1", "查阅人", Role::Reader, "Reader#2026ab");
    assert!(f.login(("reader1", "Reader#2026ab")).figures().is_ok());
}

#[test]
fn an_empty_vault_has_its_figures_with_nothing_in_them() {
    let f = Fixture::new();
    let h = f.login(OFFICER).figures().unwrap();
    let level = figure(&h, "level");
    assert_eq!(level.labels.len(), 5);
    assert!(level.series.is_empty());
    assert!(figure(&h, "department").labels.is_empty());
    assert!(figure(&h, "movements").series.is_empty());
}
