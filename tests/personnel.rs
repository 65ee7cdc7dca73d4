//! The personnel register (涉密人员): on-boarding by review, training and the 上岗 letter, the
//! pre-post gate the carrier and device registers consult, leaving the post refused while
//! anything is held (第八条), the 脱密期 bounds (第七条), the linked account, and reminders.

use baomi::registers::personnel::*;
use baomi::vault::roles::Role;
use baomi::vault::Session;
use baomi::Code;
use chrono::Duration;
use serde_json::{json, Value};

use crate::util::*;

fn person(name: &str, class: &str) -> PersonInput {
    baomi::input::from_value(json!({
        "name": name, "department": "办公室", "post": "机要员", "class": class
    }))
    .unwrap()
}

fn carrier(custodian: &str) -> baomi::registers::documents::DocInput {
    baomi::input::from_value(carrier_json(custodian)).unwrap()
}

fn carrier_json(custodian: &str) -> Value {
    json!({
        "title": "关于做好年度保密检查工作的通知",
        "doc_no": "国保发〔2026〕3号",
        "origin_unit": "国家保密局",
        "level": "机密",
        "scope": ["办公室"],
        "carrier_type": "纸质文件",
        "custodian": custodian,
        "location": "1号保密柜",
        "received_on": "2026-11-01"
    })
}

fn medium(custodian: &str) -> Value {
    json!({
        "kind": "移动存储介质", "name": "专用U盘", "classified": true, "level": "机密",
        "label_no": "BM-U-001", "department": "办公室", "custodian": custodian,
        "in_service_on": "2026-03-01"
    })
}

/// Review, training and 上岗 letter: the three conditions of 第三条、第四条.
fn clear_for_post(s: &mut Session, id: i64) -> PersonView {
    s.person_act(
        id,
        "review",
        json!({"result": "政治可靠", "passed": true, "by": "人事处"}),
    )
    .unwrap();
    s.person_act(
        id,
        "train",
        json!({"content": "保密法律法规", "hours": 4, "score": 92, "passed": true}),
    )
    .unwrap();
    s.person_act(
        id,
        "pledge",
        json!({"kind": "上岗", "witness": "王五", "filed": true}),
    )
    .unwrap()
}

fn events_of(s: &mut Session, id: i64) -> usize {
    s.person_show(id).unwrap().history.unwrap().len()
}

#[test]
fn a_person_goes_on_post_only_after_review_training_and_the_letter() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let p = s.person_add(&person("张三", "核心")).unwrap();
    assert_eq!(p.serial, "RY-2026-0001");
    assert_eq!(p.status_label, "拟上岗");
    assert_eq!(
        p.missing,
        ["未经保密审查", "未通过保密培训", "未签订上岗保密承诺书"]
    );
    assert!(!p.admissible);

    // Each condition as data: (action, input) → status after it, what is still missing.
    let steps: &[(&str, Value, &str, &[&str])] = &[
        (
            "review",
            json!({"result": "有境外关系待核实", "passed": false, "by": "人事处"}),
            "拟上岗",
            &[
                "最近一次保密审查未通过",
                "未通过保密培训",
                "未签订上岗保密承诺书",
            ],
        ),
        (
            "train",
            json!({"content": "保密法", "hours": 2.5, "score": 55, "passed": false}),
            "拟上岗",
            &[
                "最近一次保密审查未通过",
                "未通过保密培训",
                "未签订上岗保密承诺书",
            ],
        ),
        (
            "pledge",
            json!({"kind": "上岗", "witness": "王五"}),
            "拟上岗",
            &["最近一次保密审查未通过", "未通过保密培训"],
        ),
        (
            "train",
            json!({"content": "保密法", "hours": 2.5, "score": 88, "passed": true}),
            "拟上岗",
            &["最近一次保密审查未通过"],
        ),
        (
            "review",
            json!({"result": "核实无问题", "passed": true, "by": "人事处"}),
            "在岗",
            &[],
        ),
    ];
    for (action, input, status, missing) in steps {
        let v = s.person_act(p.id, action, input.clone()).unwrap();
        assert_eq!(v.status_label, *status, "after {action}");
        assert_eq!(v.missing, *missing, "after {action}");
    }
    let v = s.person_show(p.id).unwrap();
    assert_eq!(v.on_post_since.as_deref(), Some("2026-11-22"));
    assert!(v.admissible);
    assert_eq!(v.trainings[0].hours_tenths, 25);
    assert_eq!(v.pledges[0].template_version, "内置模板");
    assert_eq!(v.history.as_ref().unwrap().len(), 6);

    // Letters out of turn and bad input are refused by name, and change nothing.
    let before = events_of(&mut s, p.id);
    for (input, field, reason) in [
        (json!({"kind": "上岗"}), "kind", "上岗前"),
        (json!({"kind": "离岗"}), "kind", "离岗手续"),
        (
            json!({"kind": "婚前"}),
            "kind",
            "上岗、年度、离岗、出国(境)前",
        ),
        (
            json!({"kind": "年度", "signed_on": "2030-01-01"}),
            "on",
            "不能晚于今天",
        ),
    ] {
        let e = s.person_act(p.id, "pledge", input).unwrap_err();
        assert_eq!(e.field.as_deref(), Some(field), "{e:?}");
        assert!(e.message.contains(reason), "{}", e.message);
    }
    let e = s
        .person_act(
            p.id,
            "train",
            json!({"content": "x", "hours": 0, "passed": true}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("hours"));
    let e = s
        .person_act(
            p.id,
            "train",
            json!({"content": "x", "hours": 1, "score": 101, "passed": true}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("score"));
    let e = s
        .person_act(
            p.id,
            "correct",
            json!({"field": "name", "value": "张叁", "reason": "笔误"}),
        )
        .unwrap_err();
    assert!(e.message.contains("姓名不能更正"), "{}", e.message);
    assert_eq!(events_of(&mut s, p.id), before);

    // The annual letter is for people on post.
    let v = s
        .person_act(p.id, "pledge", json!({"kind": "年度", "filed": false}))
        .unwrap();
    assert_eq!(v.pledges.len(), 2);

    // A name is one person: a second 张三 must be told apart.
    let e = s.person_add(&person("张三", "一般")).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("name"));
    assert!(e.message.contains("张三（办公室）"), "{}", e.message);
    let e = s
        .person_add(
            &baomi::input::from_value(
                json!({"name": "李四", "department": "办公室", "post": "文书", "class": "特级"}),
            )
            .unwrap(),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("class"));
    assert!(s.replay_mismatches().unwrap().is_empty());
}

#[test]
fn nobody_is_put_in_charge_before_being_cleared_unless_an_approved_exception_is_open() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let p = s.person_add(&person("李四", "重要")).unwrap();

    // Custodian of a carrier, borrower of one, custodian of a device, borrower of a medium.
    let e = s.doc_add(&carrier("李四")).unwrap_err();
    assert_eq!(e.code, Code::Validation);
    assert_eq!(e.field.as_deref(), Some("custodian"));
    assert!(
        e.message.contains("李四 尚不能担任责任人")
            && e.message
                .contains("未经保密审查、未通过保密培训、未签订上岗保密承诺书"),
        "{}",
        e.message
    );
    let d = s.doc_add(&carrier("王五")).unwrap();
    let e = s
        .doc_act(
            d.id,
            "borrow",
            json!({"borrower": "李四", "department": "办公室", "due_on": "2026-11-30"}),
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("borrower"));
    let e = s
        .device_add(&baomi::input::from_value(medium("李四")).unwrap())
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("custodian"));
    assert_eq!(s.doc_show(d.id).unwrap().status_label, "在管");

    // An exception needs its approval reference; then the gate lets the person through, and
    // the home screen lists it until the person is on post.
    let e = s
        .person_act(p.id, "exception", json!({"reason": "保密检查期间临时保管"}))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("approval"));
    let v = s
        .person_act(
            p.id,
            "exception",
            json!({"reason": "保密检查期间临时保管", "approval": "保审〔2026〕7号"}),
        )
        .unwrap();
    assert_eq!(v.exception.as_ref().unwrap().approval, "保审〔2026〕7号");
    assert!(v.admissible);
    let history = s.person_show(p.id).unwrap().history.unwrap();
    assert_eq!(
        history.last().unwrap().approval.as_deref(),
        Some("保审〔2026〕7号")
    );
    let r = s.person_reminders().unwrap();
    assert_eq!(r.exceptions_open.len(), 1);
    assert_eq!(r.not_cleared.len(), 1);
    let borrowed = s
        .doc_act(
            d.id,
            "borrow",
            json!({"borrower": "李四", "department": "办公室", "due_on": "2026-11-30"}),
        )
        .unwrap();
    assert_eq!(borrowed.status_label, "借出");

    let v = clear_for_post(&mut s, p.id);
    assert_eq!(v.status_label, "在岗");
    assert!(
        v.exception.is_none(),
        "the exception ends when the person is on post"
    );
    let r = s.person_reminders().unwrap();
    assert!(r.exceptions_open.is_empty() && r.not_cleared.is_empty());

    // A failed periodic review takes the person off the gate again (第五条: 调离).
    s.person_act(
        p.id,
        "review",
        json!({"result": "不宜继续在涉密岗位", "passed": false, "by": "联合检查组"}),
    )
    .unwrap();
    let e = s.doc_add(&carrier("李四")).unwrap_err();
    assert!(
        e.message.contains("最近一次保密审查未通过"),
        "{}",
        e.message
    );

    // Names nobody in the register bears are let through and listed, nothing changed.
    s.doc_add(&carrier("周八")).unwrap();
    assert_eq!(s.person_unregistered().unwrap(), ["周八", "王五"]);
    s.person_add(&person("周八", "一般")).unwrap();
    assert_eq!(s.person_unregistered().unwrap(), ["王五"]);
    assert!(s.replay_mismatches().unwrap().is_empty());
}

#[test]
fn leaving_the_post_is_refused_while_anything_is_held_then_starts_the_cooling_period() {
    let f = Fixture::new();
    f.add_business_account("zhaoliu", "赵六", Role::Reader, "Reader#12345");
    let mut s = f.login(OFFICER);
    let p = s.person_add(&person("赵六", "核心")).unwrap();
    // Only an existing business account can be linked.
    for (account, reason) in [
        ("nobody", "没有名为“nobody”的登录账户"),
        ("sysadm", "是管理员账户"),
    ] {
        let e = s
            .person_act(
                p.id,
                "correct",
                json!({"field": "account", "value": account, "reason": "关联"}),
            )
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("value"));
        assert!(e.message.contains(reason), "{}", e.message);
    }
    s.person_act(
        p.id,
        "correct",
        json!({"field": "account", "value": "zhaoliu", "reason": "关联登录账户"}),
    )
    .unwrap();
    clear_for_post(&mut s, p.id);
    let doc = s.doc_add(&carrier("赵六")).unwrap();
    let other = s.doc_add(&carrier("王五")).unwrap();
    s.doc_act(
        other.id,
        "borrow",
        json!({"borrower": "赵六", "department": "办公室", "due_on": "2026-11-30"}),
    )
    .unwrap();
    let usb = s
        .device_add(&baomi::input::from_value(medium("赵六")).unwrap())
        .unwrap();

    let shown = s.person_show(p.id).unwrap();
    let held: Vec<(&str, &str)> = shown
        .holdings
        .as_ref()
        .unwrap()
        .iter()
        .map(|h| (h.serial.as_str(), h.capacity.as_str()))
        .collect();
    assert_eq!(
        held,
        [
            (doc.serial.as_str(), "责任人"),
            (other.serial.as_str(), "借阅人"),
            (usb.serial.as_str(), "责任人")
        ]
    );

    let before = events_of(&mut s, p.id);
    let e = s
        .person_act(p.id, "offboard", json!({"kind": "调动"}))
        .unwrap_err();
    assert_eq!(e.code, Code::Rule);
    for needle in [
        "还有 3 项未清退",
        doc.serial.as_str(),
        "《关于做好年度保密检查工作的通知》",
        other.serial.as_str(),
        usb.serial.as_str(),
        "专用U盘",
    ] {
        assert!(
            e.message.contains(needle),
            "{needle} missing in {}",
            e.message
        );
    }
    assert_eq!(events_of(&mut s, p.id), before);
    assert_eq!(s.person_show(p.id).unwrap().status_label, "在岗");

    // Hand everything back: the carrier to the officer, the borrowed one returned, the medium
    // to another custodian.
    s.doc_act(doc.id, "distribute", json!({"to": "王五"}))
        .unwrap();
    s.doc_act(other.id, "return", json!({})).unwrap();
    s.device_act(
        usb.id,
        "transfer",
        json!({"custodian": "王五", "approval": "保领〔2026〕2号"}),
    )
    .unwrap();
    assert!(s.person_show(p.id).unwrap().holdings.unwrap().is_empty());

    // 脱密期 bounds (第七条): 6 to 36 months; the default by class (核心 36).
    for months in [5, 37, 0] {
        let e = s
            .person_act(p.id, "offboard", json!({"kind": "调动", "months": months}))
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("months"), "{months}");
    }
    let v = s
        .person_act(p.id, "offboard", json!({"kind": "调动", "witness": "王五"}))
        .unwrap();
    assert_eq!(v.status_label, "脱密期");
    let leaving = v.leaving.as_ref().unwrap();
    assert_eq!(
        (leaving.months, leaving.ends_on.as_str()),
        (36, "2029-11-21")
    );
    assert_eq!(v.pledges.last().unwrap().pledge, PledgeKind::Leave);
    let e = s.doc_add(&carrier("赵六")).unwrap_err();
    assert!(e.message.contains("脱密期"), "{}", e.message);

    // The linked account stops working for register business the same day, and the
    // 系统管理员 sees it to disable.
    let mut reader = f.login(("zhaoliu", "Reader#12345"));
    let e = reader.doc_list(&Default::default()).unwrap_err();
    assert_eq!(e.code, Code::Permission);
    assert!(e.message.contains("已于 2026-11-22 离岗"), "{}", e.message);
    let accounts = f.login(ADMIN).list_accounts().unwrap();
    let zhao = accounts.iter().find(|a| a.name == "zhaoliu").unwrap();
    assert_eq!(zhao.person_left_on.as_deref(), Some("2026-11-22"));

    // 脱密期满 only from its last day; then 调离.
    let e = s.person_act(p.id, "clear", json!({})).unwrap_err();
    assert!(e.message.contains("2029年11月21日"), "{}", e.message);
    f.clock.advance(Duration::days(365 * 3));
    let mut s = f.login(OFFICER);
    let r = s.person_reminders().unwrap();
    assert_eq!(r.cooling_ending.len(), 1);
    assert_eq!(r.cooling_ending[0].due_on, "2029-11-21");
    let v = s.person_act(p.id, "clear", json!({})).unwrap();
    assert_eq!(v.status_label, "调离");
    assert_eq!(
        v.actions
            .iter()
            .map(|a| a.kind.as_str())
            .collect::<Vec<_>>(),
        ["correct"]
    );
    assert!(s.replay_mismatches().unwrap().is_empty());
}

#[test]
fn the_unit_sets_review_intervals_and_cooling_periods_and_reminders_follow_them() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let core = s.person_add(&person("钱核心", "核心")).unwrap();
    let general = s.person_add(&person("孙一般", "一般")).unwrap();
    clear_for_post(&mut s, core.id);
    clear_for_post(&mut s, general.id);
    let r = s.person_reminders().unwrap();
    assert!(r.reviews_due.is_empty() && r.letters_due.is_empty());

    // Eleven months on: the core person's yearly review and everyone's annual letter come due
    // within 30 days; the general one's review (3 years) does not.
    f.clock.advance(Duration::days(340));
    let mut s = f.login(OFFICER);
    let r = s.person_reminders().unwrap();
    let names = |d: &[PersonDue]| d.iter().map(|d| d.person.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&r.reviews_due), ["钱核心"]);
    assert_eq!(r.reviews_due[0].due_on, "2027-11-22");
    assert_eq!(names(&r.letters_due).len(), 2);
    s.person_act(core.id, "pledge", json!({"kind": "年度"}))
        .unwrap();
    assert_eq!(
        names(&s.person_reminders().unwrap().letters_due),
        ["孙一般"]
    );

    // Intervals are a unit setting of the 系统管理员, within the law's bounds.
    let e = s.set_person_periods("一般", 1, 12).unwrap_err();
    assert_eq!(e.code, Code::Permission);
    let mut admin = f.login(ADMIN);
    let e = admin.set_person_periods("一般", 1, 40).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("months"));
    let e = admin.set_person_periods("一般", 9, 12).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("review_years"));
    let set = admin.set_person_periods("一般", 1, 6).unwrap();
    assert_eq!(
        set.iter()
            .map(|p| (p.class_label.as_str(), p.review_years, p.cooling_months))
            .collect::<Vec<_>>(),
        [("核心", 1, 36), ("重要", 2, 24), ("一般", 1, 6)]
    );
    drop(admin);
    let mut s = f.login(OFFICER);
    let r = s.person_reminders().unwrap();
    assert_eq!(names(&r.reviews_due), ["钱核心", "孙一般"]);
    let v = s
        .person_act(general.id, "offboard", json!({"kind": "退休"}))
        .unwrap();
    assert_eq!(v.leaving.unwrap().months, 6);
}

#[test]
fn free_text_names_already_in_the_registers_are_matched_to_people_and_nothing_is_lost() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    // A unit's registers from before the personnel register: names typed freely.
    let doc = s.doc_add(&carrier("钱七")).unwrap();
    let usb = s
        .device_add(&baomi::input::from_value(medium("孙八")).unwrap())
        .unwrap();
    let before_doc = s.doc_show(doc.id).unwrap();
    assert_eq!(s.person_unregistered().unwrap(), ["孙八", "钱七"]);

    // Registering 钱七 matches the carrier already in his custody: it is his holding now, and
    // leaving the post is refused over it; 孙八 stays listed for the officer to register.
    let p = s.person_add(&person("钱七", "一般")).unwrap();
    let shown = s.person_show(p.id).unwrap();
    let held = shown.holdings.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        (held[0].serial.as_str(), held[0].noun.as_str()),
        (doc.serial.as_str(), "载体")
    );
    assert_eq!(s.person_unregistered().unwrap(), ["孙八"]);
    clear_for_post(&mut s, p.id);
    let e = s
        .person_act(p.id, "offboard", json!({"kind": "离岗"}))
        .unwrap_err();
    assert!(e.message.contains(&doc.serial), "{}", e.message);

    // Nothing was rewritten: the records read exactly as before, and replay agrees.
    let after_doc = s.doc_show(doc.id).unwrap();
    assert_eq!(
        serde_json::to_value(&before_doc).unwrap(),
        serde_json::to_value(&after_doc).unwrap()
    );
    assert_eq!(s.device_show(usb.id).unwrap().custodian, "孙八");
    assert!(s.replay_mismatches().unwrap().is_empty());
}

#[test]
fn the_audit_log_names_the_person_record_never_the_person() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let p = s.person_add(&person("欧阳奇", "核心")).unwrap();
    s.person_act(
        p.id,
        "review",
        json!({"result": "政审结论甲乙丙", "passed": true, "by": "人事处"}),
    )
    .unwrap();
    drop(s);
    let entries = f.login(AUDITOR).audit_list(&Default::default()).unwrap();
    let text = serde_json::to_string(&entries).unwrap();
    assert!(
        text.contains("person_registered") && text.contains("person_reviewed"),
        "{text}"
    );
    assert!(text.contains(&p.serial));
    for secret in ["欧阳奇", "政审结论甲乙丙", "人事处"] {
        assert!(!text.contains(secret), "{secret} reached the audit log");
    }
    // Nor the disk in the clear: the person lives in the register database only, encrypted.
    for (file, bytes) in all_vault_bytes(&f.dir) {
        for secret in ["欧阳奇", "政审结论甲乙丙"] {
            assert!(!contains(&bytes, secret.as_bytes()), "{secret} in {file}");
        }
    }
}

#[test]
fn the_names_to_register_are_everyone_in_charge_of_a_carrier_still_held_at_any_level() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let held = |s: &mut Session, level: &str, custodian: &str| {
        let mut v = carrier_json(custodian);
        v["level"] = json!(level);
        s.doc_add(&baomi::input::from_value(v).unwrap()).unwrap().id
    };
    // One name at several levels, and each state a carrier can be held in.
    held(&mut s, "机密", "甲一");
    held(&mut s, "秘密", "甲一");
    held(&mut s, "绝密", "甲一");
    let lost = held(&mut s, "绝密", "乙二");
    s.doc_act(lost, "missing", json!({"since": "2026-11-20"}))
        .unwrap();
    let lend = |s: &mut Session, id: i64, borrower: &str| {
        let input = json!({"borrower": borrower, "due_on": "2026-11-30", "approval": "审-2026-8"});
        s.doc_act(id, "borrow", input).unwrap();
    };
    let lent = held(&mut s, "秘密", "丙三");
    lend(&mut s, lent, "丁四");
    // Nobody answers any more for a destroyed carrier, nor a borrower for one brought back.
    let gone = held(&mut s, "机密", "戊五");
    s.doc_act(
        gone,
        "destroy",
        json!({"approver": "张局长", "supervisors": ["赵六", "钱七"], "place": "市保密局销毁中心", "method": "粉碎", "list_no": "XH-2026-01"}),
    )
    .unwrap();
    let back = held(&mut s, "机密", "己六");
    lend(&mut s, back, "庚七");
    s.doc_act(back, "return", json!({})).unwrap();

    let mut expected = vec!["甲一", "乙二", "丙三", "丁四", "己六"];
    expected.sort_unstable();
    assert_eq!(s.person_unregistered().unwrap(), expected);
    s.person_add(&person("甲一", "一般")).unwrap();
    s.person_add(&person("丁四", "一般")).unwrap();
    expected.retain(|n| !["甲一", "丁四"].contains(n));
    assert_eq!(s.person_unregistered().unwrap(), expected);
    assert_eq!(
        s.person_reminders().unwrap().unregistered,
        expected,
        "the home screen lists the same names"
    );
}
