//! Records between units as bundles: export, the import preview, merging by event, conflicts
//! the officer resolves, receipts, and bad bundles that change nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use baomi::bundle::exchange::{ExportRequest, ImportRequest, SenderStatus};
use baomi::registers::documents::DocInput;
use baomi::registers::exchange::Resolution;
use baomi::vault::Session;
use baomi::Code;
use serde_json::json;

use crate::util::*;

const PASSPHRASE: &str = "交换口令-2026-correct";

fn unit(name: &str) -> Fixture {
    let f = Fixture::new();
    f.login(ADMIN).set_unit_name(name).unwrap();
    f
}

fn carrier(s: &mut Session, title: &str) -> i64 {
    let input: DocInput = baomi::input::from_value(json!({
        "title": title,
        "doc_no": "国保发〔2026〕12号",
        "origin_unit": "国家保密局",
        "level": "机密",
        "scope": ["办公室", "王五", "赵六"],
        "carrier_type": "纸质文件",
        "custodian": "王五",
        "location": "1号保密柜",
        "received_on": "2026-11-01"
    }))
    .unwrap();
    s.doc_add(&input).unwrap().id
}

fn import(path: &Path) -> ImportRequest {
    ImportRequest {
        path: path.to_path_buf(),
        passphrase: Some(secret(PASSPHRASE)),
        ..Default::default()
    }
}

fn export(s: &mut Session, req: ExportRequest, out: &Path) -> baomi::bundle::exchange::Exported {
    s.export_bundle(&req, Some(PASSPHRASE), out).unwrap()
}

fn ids(list: &[i64]) -> Vec<String> {
    list.iter().map(|i| i.to_string()).collect()
}

/// Swaps key cards between two units (each checked on paper in real life).
fn exchange_cards(a: &Fixture, b: &Fixture, dir: &Path) -> (PathBuf, PathBuf) {
    let (ca, cb) = (dir.join("a.json"), dir.join("b.json"));
    a.login(OFFICER).unit_key_export(&ca).unwrap();
    b.login(OFFICER).unit_key_export(&cb).unwrap();
    a.login(OFFICER).unit_key_import(&cb, false).unwrap();
    b.login(OFFICER).unit_key_import(&ca, false).unwrap();
    (ca, cb)
}

fn history_len(s: &mut Session, id: i64) -> usize {
    s.show::<baomi::registers::documents::Documents>(id)
        .unwrap()
        .1
        .len()
}

/// 清退: the carriers handed back to the issuing unit go to it addressed to its key; it sees
/// exactly what will be added, imports them once (a second import changes nothing), and its
/// receipt closes the transfer at the sender. Nobody else can open the bundle; the sender
/// cannot import its own bundle; a receipt imported twice is refused.
#[test]
fn a_handback_travels_to_the_issuing_unit_and_its_receipt_closes_it() {
    let a = unit("甲市保密办");
    let b = unit("国家保密局");
    let c = unit("丙县保密办");
    let tmp = tempfile::tempdir().unwrap();
    let (_, b_card) = exchange_cards(&a, &b, tmp.path());

    let mut s = a.login(OFFICER);
    let kept = carrier(&mut s, "留存的载体");
    let first = carrier(&mut s, "关于清退的第一份通知");
    let second = carrier(&mut s, "关于清退的第二份通知");
    s.doc_act(
        kept,
        "borrow",
        json!({"borrower": "王五", "due_on": "2026-12-01"}),
    )
    .unwrap();
    s.doc_handback(
        &[first, second],
        &baomi::input::from_value(json!({"to": "国家保密局", "ids": [first, second]})).unwrap(),
    )
    .unwrap();
    let b_fp = baomi::bundle::unit::KeyCard::parse(&std::fs::read_to_string(&b_card).unwrap())
        .unwrap()
        .fingerprint;
    let out = tmp.path().join("清退.bdl");
    let exported = s
        .export_bundle(
            &ExportRequest {
                handback_to: Some("国家保密局".into()),
                to_units: vec![b_fp.clone()],
                suite: Some("sm4".into()),
                ..Default::default()
            },
            None,
            &out,
        )
        .unwrap();
    assert_eq!(exported.records, 2);
    // The 国密 suite, named by the header, answered in kind by the receipt below.
    let suite_of = |p: &Path| {
        baomi::bundle::format::read_header(&std::fs::read(p).unwrap())
            .unwrap()
            .0
            .suite
    };
    assert_eq!(suite_of(&out), "SM4-GCM/SM3");
    assert_eq!(exported.recipients, ["国家保密局"]);
    assert!(exported.selection.contains("清退给国家保密局的载体 2 件"));
    let serials: Vec<String> = [first, second]
        .iter()
        .map(|id| s.doc_show(*id).unwrap().serial)
        .collect();
    // The export is audited with the bundle's hash, and no title reaches the log.
    drop(s);
    let log = a.login(AUDITOR).audit_list(&Default::default()).unwrap();
    let entry = log
        .rows
        .iter()
        .find(|e| e.action == "bundle_export")
        .unwrap();
    assert_eq!(entry.target, exported.hash);
    assert!(!entry.detail.contains("清退"), "{}", entry.detail);

    // Only the addressee opens it.
    let mut s = c.login(OFFICER);
    let e = s.import_bundle(&import(&out)).unwrap_err();
    assert!(e.message.contains("不是发给本单位的"), "{}", e.message);
    drop(s);
    let mut s = a.login(OFFICER);
    let e = s.import_bundle(&import(&out)).unwrap_err();
    assert!(e.message.contains("本单位自己导出的"), "{}", e.message);
    drop(s);

    // The preview names the sender as known and lists the two carriers; nothing is written.
    let mut s = b.login(OFFICER);
    let before = all_vault_bytes(&b.dir);
    let preview = s
        .import_bundle(&ImportRequest {
            dry_run: true,
            ..import(&out)
        })
        .unwrap();
    assert_eq!(preview.sender.status, SenderStatus::Known);
    assert_eq!(preview.sender.unit, "甲市保密办");
    assert_eq!(preview.added.len(), 2);
    assert!(preview.changed.is_empty() && preview.conflicts.is_empty());
    assert!(!preview.applied);
    let added: Vec<&str> = preview.added.iter().map(|r| r.serial.as_str()).collect();
    assert_eq!(added, serials);
    assert_eq!(preview.added[0].title, "关于清退的第一份通知");
    assert_eq!(preview.added[0].theirs, "已清退");
    assert!(
        all_vault_bytes(&b.dir) == before,
        "a preview wrote to the vault"
    );

    let done = s.import_bundle(&import(&out)).unwrap();
    assert!(done.applied);
    let receipt = PathBuf::from(done.receipt.clone().unwrap());
    assert_eq!(suite_of(&receipt), "SM4-GCM/SM3");
    let page = s.doc_list(&Default::default()).unwrap();
    assert_eq!(page.total, 2);
    let here = page.rows.iter().find(|d| d.serial == serials[0]).unwrap();
    let (_, history) = s
        .show::<baomi::registers::documents::Documents>(here.id)
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].summary, "清退给国家保密局");
    assert_eq!(history[0].actor, "wangwu（甲市保密办）");
    assert!(s.replay_mismatches().unwrap().is_empty());
    assert!(counts_kept(&b.dir, OFFICER) > 0);

    // The same bundle again: recognised, nothing written.
    let before = all_vault_bytes(&b.dir);
    let again = s.import_bundle(&import(&out)).unwrap();
    assert!(again.imported_before.is_some() && !again.applied);
    assert_eq!(again.unchanged, 2);
    assert!(all_vault_bytes(&b.dir) == before, "a second import wrote");

    // A new carrier at B continues B's numbering without taking the imported serials.
    let mut fresh = Vec::new();
    for n in 0..3 {
        let id = carrier(&mut s, &format!("乙的载体{n}"));
        fresh.push(s.doc_show(id).unwrap().serial);
    }
    assert!(fresh.iter().all(|f| !serials.contains(f)), "{fresh:?}");
    drop(s);

    // The receipt closes the transfer at A, once.
    let mut s = a.login(OFFICER);
    let r = s.import_bundle(&import(&receipt)).unwrap();
    assert_eq!(r.kind, "receipt");
    assert_eq!(r.acknowledged, 2);
    let sent = s.bundles_sent().unwrap();
    assert_eq!(sent[0].hash, exported.hash);
    assert_eq!(sent[0].received_by.as_deref(), Some("国家保密局"));
    let before = all_vault_bytes(&a.dir);
    let e = s.import_bundle(&import(&receipt)).unwrap_err();
    assert_eq!(e.code, Code::Integrity);
    assert!(e.message.contains("已于"), "{}", e.message);
    assert!(all_vault_bytes(&a.dir) == before);
}

/// Changes merge by event: an extension is appended, an unknown sender waits for the
/// officer's decision, a record changed on both sides is a conflict the officer resolves
/// (theirs, mine, or both with their values as corrections), and a resolution travels back
/// without raising the conflict again.
#[test]
fn changes_merge_by_event_and_conflicts_wait_for_the_officer() {
    let a = unit("甲市保密办");
    let b = unit("乙区保密办");
    let tmp = tempfile::tempdir().unwrap();
    let file = |n: &str| tmp.path().join(n);

    let mut s = a.login(OFFICER);
    let one = carrier(&mut s, "第一份");
    let two = carrier(&mut s, "第二份");
    let three = carrier(&mut s, "第三份");
    export(
        &mut s,
        ExportRequest {
            register: Some("doc".into()),
            ..Default::default()
        },
        &file("1.bdl"),
    );
    drop(s);

    // Unknown sender (no key card): the preview says so and the import waits for a decision.
    let mut s = b.login(OFFICER);
    let before = all_vault_bytes(&b.dir);
    let e = s.import_bundle(&import(&file("1.bdl"))).unwrap_err();
    assert!(e.message.contains("密钥卡尚未导入"), "{}", e.message);
    assert!(all_vault_bytes(&b.dir) == before);
    let r = s
        .import_bundle(&ImportRequest {
            accept_sender: true,
            ..import(&file("1.bdl"))
        })
        .unwrap();
    assert_eq!(r.sender.status, SenderStatus::Unknown);
    assert_eq!(r.added.len(), 3);
    let local = |s: &mut Session, title: &str| {
        s.doc_list(&Default::default())
            .unwrap()
            .rows
            .into_iter()
            .find(|d| d.title == title)
            .unwrap()
            .id
    };
    let (b_one, b_two, b_three) = (
        local(&mut s, "第一份"),
        local(&mut s, "第二份"),
        local(&mut s, "第三份"),
    );
    drop(s);

    // A lends the first one out: B's copy is an extension and is appended.
    let mut s = a.login(OFFICER);
    s.doc_act(
        one,
        "borrow",
        json!({"borrower": "赵六", "due_on": "2026-12-01"}),
    )
    .unwrap();
    export(
        &mut s,
        ExportRequest {
            register: Some("doc".into()),
            ids: ids(&[one, two, three]),
            ..Default::default()
        },
        &file("2.bdl"),
    );
    drop(s);
    let mut s = b.login(OFFICER);
    let r = s
        .import_bundle(&ImportRequest {
            accept_sender: true,
            ..import(&file("2.bdl"))
        })
        .unwrap();
    assert_eq!((r.added.len(), r.changed.len(), r.unchanged), (0, 1, 2));
    assert_eq!(r.changed[0].incoming.len(), 1);
    assert!(
        r.changed[0].incoming[0].contains("赵六"),
        "{:?}",
        r.changed[0].incoming
    );
    assert_eq!(s.doc_show(b_one).unwrap().status_label, "借出");

    // Both sides change all three since then: three conflicts.
    s.doc_act(b_one, "return", json!({})).unwrap();
    for id in [b_two, b_three] {
        s.doc_act(
            id,
            "correct",
            json!({"field": "location", "value": "乙的柜子", "reason": "搬迁"}),
        )
        .unwrap();
    }
    drop(s);
    let mut s = a.login(OFFICER);
    s.doc_act(one, "return", json!({})).unwrap();
    for id in [two, three] {
        s.doc_act(
            id,
            "correct",
            json!({"field": "location", "value": "甲的柜子", "reason": "调整"}),
        )
        .unwrap();
        s.doc_act(
            id,
            "correct",
            json!({"field": "title", "value": format!("甲改过的标题{id}"), "reason": "笔误"}),
        )
        .unwrap();
    }
    export(
        &mut s,
        ExportRequest {
            register: Some("doc".into()),
            ..Default::default()
        },
        &file("3.bdl"),
    );
    drop(s);

    let mut s = b.login(OFFICER);
    let before = all_vault_bytes(&b.dir);
    let req = ImportRequest {
        accept_sender: true,
        ..import(&file("3.bdl"))
    };
    let preview = s
        .import_bundle(&ImportRequest {
            dry_run: true,
            ..req.clone()
        })
        .unwrap();
    assert_eq!(preview.conflicts.len(), 3);
    let key = |title: &str| {
        preview
            .conflicts
            .iter()
            .find(|c| c.title == title)
            .unwrap()
            .key
            .clone()
    };
    let c_two = preview
        .conflicts
        .iter()
        .find(|c| c.title == "第二份")
        .unwrap();
    assert_eq!(
        c_two.unseen,
        ["更正存放位置：“1号保密柜” → “乙的柜子”（搬迁）"]
    );
    assert_eq!(c_two.incoming.len(), 2);
    // Unresolved: refused, naming every conflict, nothing written.
    let e = s.import_bundle(&req).unwrap_err();
    assert_eq!(e.code, Code::Rule);
    assert!(e.message.contains("须逐条选择"), "{}", e.message);
    assert!(all_vault_bytes(&b.dir) == before);

    let mut resolutions = BTreeMap::new();
    resolutions.insert(key("第一份"), Resolution::Mine);
    resolutions.insert(key("第二份"), Resolution::Theirs);
    // The third by its serial here.
    resolutions.insert(s.doc_show(b_three).unwrap().serial, Resolution::Both);
    let r = s
        .import_bundle(&ImportRequest {
            resolutions,
            ..req.clone()
        })
        .unwrap();
    assert!(r.applied);
    // Mine: unchanged. Theirs: A's record, adopted whole, one line in the history.
    assert_eq!(s.doc_show(b_one).unwrap().status_label, "在管");
    let two_here = s.doc_show(b_two).unwrap();
    assert_eq!(two_here.title, format!("甲改过的标题{two}"));
    assert_eq!(two_here.location, "甲的柜子");
    let (_, history) = s
        .show::<baomi::registers::documents::Documents>(b_two)
        .unwrap();
    let last = history.last().unwrap();
    assert_eq!(last.kind, "_adopted");
    assert!(
        last.summary.starts_with("采用甲市保密办数据包中的记录"),
        "{}",
        last.summary
    );
    // Both: B's location stays; A's title and location are recorded as corrections.
    let three_here = s.doc_show(b_three).unwrap();
    assert_eq!(three_here.title, format!("甲改过的标题{three}"));
    assert_eq!(three_here.location, "甲的柜子");
    let (_, history) = s
        .show::<baomi::registers::documents::Documents>(b_three)
        .unwrap();
    assert!(history.iter().any(|h| h.summary
        == "更正存放位置：“乙的柜子” → “甲的柜子”（甲市保密办数据包中的值（双方都保留））"));
    assert!(s.replay_mismatches().unwrap().is_empty());

    // The same bundle again changes nothing, even with the conflicts now settled.
    let counts: Vec<usize> = [b_one, b_two, b_three]
        .iter()
        .map(|id| history_len(&mut s, *id))
        .collect();
    let again = s
        .import_bundle(&ImportRequest {
            dry_run: true,
            ..req
        })
        .unwrap();
    assert!(again.imported_before.is_some());
    assert_eq!(again.unchanged, 3);
    // B sends its settled records back: A takes them without a conflict (B had seen all of
    // A's changes), and nothing of A's is lost from its history.
    export(
        &mut s,
        ExportRequest {
            register: Some("doc".into()),
            ids: ids(&[b_one, b_two, b_three]),
            ..Default::default()
        },
        &file("4.bdl"),
    );
    assert_eq!(
        counts,
        [b_one, b_two, b_three]
            .iter()
            .map(|id| history_len(&mut s, *id))
            .collect::<Vec<_>>()
    );
    drop(s);
    let mut s = a.login(OFFICER);
    let before: Vec<usize> = [one, two, three]
        .iter()
        .map(|id| history_len(&mut s, *id))
        .collect();
    let r = s
        .import_bundle(&ImportRequest {
            accept_sender: true,
            ..import(&file("4.bdl"))
        })
        .unwrap();
    assert!(r.conflicts.is_empty(), "{:?}", r.conflicts);
    assert_eq!(r.changed.len(), 3, "{:?}", r.changed);
    // Kept-mine record one: B's return is B's own event, which A now adopts.
    assert_eq!(s.doc_show(one).unwrap().status_label, "在管");
    assert_eq!(s.doc_show(three).unwrap().location, "甲的柜子");
    let after: Vec<usize> = [one, two, three]
        .iter()
        .map(|id| history_len(&mut s, *id))
        .collect();
    assert!(after.iter().zip(&before).all(|(x, y)| x >= y));
    assert!(s.replay_mismatches().unwrap().is_empty());
}

/// Every kind of bad bundle is refused with its reason and leaves the vault byte for byte as
/// it was: a wrong passphrase, every header bit, 10,000 random body bits and truncation
/// points, an extra byte, wrong magic, a newer version, and a bundle whose manifest does not
/// match its records even though its signature does.
#[test]
fn bad_bundles_are_refused_and_change_nothing() {
    let a = unit("甲市保密办");
    let b = unit("乙区保密办");
    let tmp = tempfile::tempdir().unwrap();
    let mut s = a.login(OFFICER);
    carrier(&mut s, "一份载体");
    let good = tmp.path().join("good.bdl");
    export(&mut s, ExportRequest::default(), &good);
    drop(s);
    let bytes = std::fs::read(&good).unwrap();

    let mut s = b.login(OFFICER);
    let before = all_vault_bytes(&b.dir);
    let e = s
        .import_bundle(&ImportRequest {
            passphrase: Some(secret("wrong passphrase")),
            ..import(&good)
        })
        .unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (Code::AuthFailed, "数据包口令错误")
    );

    let bad = tmp.path().join("bad.bdl");
    let mut refuse = |b: &[u8]| {
        std::fs::write(&bad, b).unwrap();
        let e = s
            .import_bundle(&ImportRequest {
                accept_sender: true,
                ..import(&bad)
            })
            .unwrap_err();
        assert!(
            matches!(e.code, Code::Integrity | Code::AuthFailed),
            "{e:?}"
        );
        e
    };
    let (_, start) = baomi::bundle::format::read_header(&bytes).unwrap();
    for bit in 0..start * 8 {
        let mut b = bytes.clone();
        b[bit / 8] ^= 1 << (bit % 8);
        refuse(&b);
    }
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    for i in 0..10_000 {
        if i % 10 == 0 {
            refuse(&bytes[..next() % bytes.len()]);
        } else {
            let bit = start * 8 + next() % ((bytes.len() - start) * 8);
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            refuse(&b);
        }
    }
    let mut longer = bytes.clone();
    longer.push(0);
    refuse(&longer);
    let mut magic = bytes.clone();
    magic[..8].copy_from_slice(b"NOTABDL!");
    assert!(refuse(&magic).message.contains("不是保密台账数据包"));
    let mut newer = bytes.clone();
    newer[9] = 9;
    assert!(refuse(&newer).message.contains("版本 9 高于"));
    assert!(
        all_vault_bytes(&b.dir) == before,
        "a refused bundle wrote to the vault"
    );
}

/// The desktop state (`App`, one call per window command): the export request as raw JSON
/// with its errors by field, the passphrase asked for by field, the preview, the unknown
/// sender to accept, the receipt written where asked and closing the transfer at the sender,
/// and the key cards.
#[test]
fn the_desktop_state_carries_a_bundle_and_its_receipt() {
    let (a, b) = (unit("甲市保密办"), unit("乙县保密局"));
    let tmp = tempfile::tempdir().unwrap();
    let id = carrier(&mut a.login(OFFICER), "经桌面程序交换的载体").to_string();
    let desktop = |f: &Fixture| {
        let app = baomi::app::App::new(
            f.dir.clone(),
            std::sync::Arc::new(f.clock.clone()),
            f.options(),
        );
        app.login(OFFICER.0, secret(OFFICER.1)).unwrap();
        app
    };
    let (app_a, app_b) = (desktop(&a), desktop(&b));
    let out = tmp.path().join("x.bdl");
    let e = app_a
        .bundle_export(
            json!({"register": "doc", "idz": [id]}),
            Some(secret(PASSPHRASE)),
            &out,
        )
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        (Code::Validation, Some("idz"))
    );
    let e = app_a
        .bundle_export(
            json!({"register": "doc", "ids": [id]}),
            Some(secret("短口令")),
            &out,
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("passphrase"));
    assert!(!out.exists());
    let sent = app_a
        .bundle_export(
            json!({"register": "doc", "ids": [id], "suite": "sm4"}),
            Some(secret(PASSPHRASE)),
            &out,
        )
        .unwrap();
    assert_eq!((sent.records, sent.recipients.len()), (1, 0));

    let none = BTreeMap::<String, Resolution>::new;
    let e = app_b
        .bundle_import(&out, None, true, false, none(), None)
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("passphrase"));
    let preview = app_b
        .bundle_import(&out, Some(secret(PASSPHRASE)), true, false, none(), None)
        .unwrap();
    assert_eq!(preview.added.len(), 1);
    assert_eq!(preview.sender.status, SenderStatus::Unknown);
    assert!(!preview.applied);
    let e = app_b
        .bundle_import(&out, Some(secret(PASSPHRASE)), false, false, none(), None)
        .unwrap_err();
    assert_eq!(e.code, Code::Rule);
    let receipt = tmp.path().join("回执.bdl");
    let done = app_b
        .bundle_import(
            &out,
            Some(secret(PASSPHRASE)),
            false,
            true,
            none(),
            Some(&receipt),
        )
        .unwrap();
    assert!(done.applied);
    assert_eq!(done.receipt.as_deref(), receipt.to_str());
    let ack = app_a
        .bundle_import(&receipt, None, false, false, none(), None)
        .unwrap();
    assert_eq!((ack.kind.as_str(), ack.acknowledged), ("receipt", 1));
    assert_eq!(
        app_a.bundles_sent().unwrap()[0].received_by.as_deref(),
        Some("乙县保密局")
    );

    let card = app_a.unit_key().unwrap();
    let file = tmp.path().join("a.json");
    assert_eq!(app_a.unit_key_export(&file).unwrap(), card);
    let known = app_b.unit_key_import(&file, false).unwrap();
    assert_eq!(known.fingerprint, card.fingerprint);
    assert_eq!(app_b.known_units().unwrap(), vec![known]);
}
