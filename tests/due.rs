//! The deadline engine: every register's deadlines and the office's cadence in one list, most
//! urgent first, moved through time with the injected clock.

use baomi::registers::due::{Due, OfficeCheck};
use chrono::Duration;
use serde_json::json;

use crate::util::*;

fn kinds(list: &[Due]) -> Vec<(String, String, i64)> {
    list.iter()
        .map(|d| (d.kind.clone(), d.serial.clone(), d.days_overdue))
        .collect()
}

#[test]
fn every_deadline_of_every_register_comes_in_one_list_by_urgency() {
    let f = Fixture::new(); // today: 2026-11-22
    let mut s = f.login(OFFICER);
    // A vault never backed up: the backup is due today, with the monthly reconciliation, the
    // quarter's inspection and (in the last quarter) the leading group's yearly one.
    let cadence = s.due().unwrap();
    assert_eq!(
        kinds(&cadence),
        [
            ("backup".to_string(), String::new(), 0),
            ("reconcile".to_string(), String::new(), -8),
            ("annual_check".to_string(), String::new(), -39),
            ("quarterly_check".to_string(), String::new(), -39),
        ]
    );
    // Recorded as done, the inspections move on: the quarter's to the next quarter's end,
    // the yearly one off the list until next October.
    s.record_office_check(OfficeCheck::parse("季检查").unwrap(), Some("2026-11-20"))
        .unwrap();
    s.record_office_check(OfficeCheck::Annual, None).unwrap();
    let after: Vec<(String, String)> = s
        .due()
        .unwrap()
        .iter()
        .map(|d| (d.kind.clone(), d.due_on.clone()))
        .collect();
    assert!(
        after.contains(&("quarterly_check".into(), "2027-03-31".into())),
        "{after:?}"
    );
    assert!(after.iter().all(|(k, _)| k != "annual_check"), "{after:?}");
    assert_eq!(
        s.record_office_check(OfficeCheck::Quarterly, Some("2026-12-01"))
            .unwrap_err()
            .field
            .as_deref(),
        Some("on"),
        "not in the future"
    );
    assert_eq!(
        OfficeCheck::parse("月检查").unwrap_err().field.as_deref(),
        Some("kind")
    );
    assert!(f
        .login(ADMIN)
        .record_office_check(OfficeCheck::Annual, None)
        .is_err());
    let backup = f.dir.parent().unwrap().join("backup-1.bdl");
    f.login(ADMIN).backup(&backup, "备份口令-due").unwrap();

    // A carrier borrowed until 11-20 (2 days overdue), a 秘密 one missing since 11-10 (60 days
    // to incident), a medium out of inspection, a person not cleared with an open exception.
    let doc = |title: &str| -> baomi::registers::documents::DocInput {
        baomi::input::from_value(json!({
            "title": title, "level": "秘密", "scope": ["办公室"], "carrier_type": "纸质文件",
            "custodian": "王五", "received_on": "2026-01-05", "secrecy_period": "2026-12-31"
        }))
        .unwrap()
    };
    let lent = s.doc_add(&doc("借出的文件")).unwrap();
    s.doc_act(
        lent.id,
        "borrow",
        json!({"borrower": "王五", "department": "办公室", "due_on": "2026-11-20", "on": "2026-11-15"}),
    )
    .unwrap();
    let lost = s.doc_add(&doc("找不到的文件")).unwrap();
    s.doc_act(lost.id, "missing", json!({"since": "2026-11-10"}))
        .unwrap();
    let usb: baomi::registers::devices::DeviceInput = baomi::input::from_value(json!({
        "kind": "移动存储介质", "name": "专用U盘", "classified": true, "level": "秘密",
        "label_no": "BM-U-1", "department": "办公室", "custodian": "王五",
        "in_service_on": "2026-09-01"
    }))
    .unwrap();
    let usb = s.device_add(&usb).unwrap();
    let p: baomi::registers::personnel::PersonInput = baomi::input::from_value(json!({
        "name": "新人甲", "department": "办公室", "post": "文书", "class": "一般"
    }))
    .unwrap();
    let p = s.person_add(&p).unwrap();
    s.person_act(
        p.id,
        "exception",
        json!({"reason": "临时保管", "approval": "保审1号", "on": "2026-11-12"}),
    )
    .unwrap();

    let list = s.due().unwrap();
    let got = kinds(&list);
    // The medium's inspection (30 days after 09-01: 10-01) is the most overdue, then the
    // exception (since 11-12), the borrowing (11-20), the person not cleared (today); the
    // reconciliation at the month's end; the secrecy periods ending 12-31 (review within 90
    // days); the missing carrier's incident day 60 days after 11-10.
    assert_eq!(
        got,
        [
            ("device_inspection".into(), usb.serial.clone(), 52),
            ("person_exception".into(), p.serial.clone(), 10),
            ("doc_overdue".into(), lent.serial.clone(), 2),
            ("person_not_cleared".into(), p.serial.clone(), 0),
            ("reconcile".into(), String::new(), -8),
            ("doc_review".into(), lent.serial.clone(), -39),
            ("doc_review".into(), lost.serial.clone(), -39),
            ("doc_missing".into(), lost.serial.clone(), -48),
            ("quarterly_check".into(), String::new(), -129),
        ]
        .map(|(k, s, d): (String, String, i64)| (k, s, d))
    );
    let overdue = list.iter().find(|d| d.kind == "doc_overdue").unwrap();
    assert_eq!(
        (
            overdue.register.as_str(),
            overdue.id,
            overdue.subject.as_str(),
            overdue.label.as_str()
        ),
        ("doc", Some(lent.id), "借出的文件", "借阅逾期未还")
    );
    let missing = list.iter().find(|d| d.kind == "doc_missing").unwrap();
    assert_eq!(missing.due_on, "2027-01-09");

    // A reconciliation this month moves the next one to the end of next month; in December
    // the year-end hand-back joins the list.
    s.doc_reconcile(
        &baomi::input::from_value(json!({"custodian": "王五", "counted": [lent.serial]})).unwrap(),
    )
    .unwrap();
    drop(s);
    f.clock.advance(Duration::days(10)); // 2026-12-02
    let mut s = f.login(OFFICER);
    let list = s.due().unwrap();
    let year_end = list.iter().find(|d| d.kind == "year_end").unwrap();
    assert_eq!(
        (year_end.due_on.as_str(), year_end.days_overdue),
        ("2026-12-31", -29)
    );
    let reconcile = list.iter().find(|d| d.kind == "reconcile").unwrap();
    assert_eq!(
        reconcile.due_on, "2026-12-31",
        "the month after the last check"
    );
    assert!(
        list.iter().all(|d| d.kind != "backup"),
        "backed up 10 days ago"
    );
    drop(s);
    f.clock.advance(Duration::days(21)); // 2026-12-23: 31 days after the backup
    let list = f.login(OFFICER).due().unwrap();
    let backup = list.iter().find(|d| d.kind == "backup").unwrap();
    assert_eq!(
        (backup.due_on.as_str(), backup.days_overdue),
        ("2026-12-22", 1)
    );
    assert!(
        backup.label.contains("上次备份：2026-11-22"),
        "{}",
        backup.label
    );
    // The 系统管理员 sets the interval (within bounds); the officer cannot.
    let mut admin = f.login(ADMIN);
    assert_eq!(
        admin
            .set_backup_reminder_days(0)
            .unwrap_err()
            .field
            .as_deref(),
        Some("remind_days")
    );
    admin.set_backup_reminder_days(60).unwrap();
    drop(admin);
    let mut s = f.login(OFFICER);
    assert!(s.set_backup_reminder_days(60).is_err());
    assert!(
        s.due().unwrap().iter().all(|d| d.kind != "backup"),
        "60 days now"
    );
}
