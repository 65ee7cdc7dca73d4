//! Officers' own Excel ledgers in and out of every register (`baomi::excel`): messy sheets as
//! offices keep them, the dry-run report, all-or-nothing imports, serials kept and continued,
//! where each record came from, and the round trip export → import for every register.

use std::path::{Path, PathBuf};

use baomi::excel::{SheetOptions, SheetReport};
use baomi::registers::columns::Sheet;
use baomi::registers::devices::Devices;
use baomi::registers::documents::Documents;
use baomi::registers::personnel::Persons;
use baomi::registers::Register;
use baomi::vault::Session;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{json, Value};

use crate::util::*;

/// A cell of a test sheet.
enum C {
    T(&'static str),
    N(f64),
    D(u16, u8, u8),
    E,
}
use C::{D, E, N, T};

/// Writes `rows` (from sheet row 1) to `path`, merging each `(first row, last row, first
/// column, last column)` region (0-based) with the value of its first cell.
fn xlsx(path: &Path, sheet: &str, rows: &[Vec<C>], merges: &[(u32, u32, u16, u16)]) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name(sheet).unwrap();
    let date = Format::new().set_num_format("yyyy/m/d");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell {
                T(s) => {
                    ws.write_string(r, c, *s).unwrap();
                }
                N(n) => {
                    ws.write_number(r, c, *n).unwrap();
                }
                D(y, m, d) => {
                    let x = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    ws.write_datetime_with_format(r, c, &x, &date).unwrap();
                }
                E => {}
            }
        }
    }
    for (r1, r2, c1, c2) in merges {
        let first = match &rows[*r1 as usize][*c1 as usize] {
            T(s) => s.to_string(),
            _ => String::new(),
        };
        ws.merge_range(*r1, *c1, *r2, *c2, &first, &Format::new())
            .unwrap();
    }
    book.save(path).unwrap();
}

fn import<R: Sheet>(s: &mut Session, path: &Path, options: &SheetOptions) -> SheetReport {
    s.import_sheet::<R>(path, options, &mut |_, _| {}).unwrap()
}

/// The carrier sheets here have no 载体类型 column: every row is paper, as the officer says.
fn paper() -> SheetOptions {
    SheetOptions {
        defaults: vec![("载体类型".into(), "纸质文件".into())],
        ..SheetOptions::default()
    }
}

fn dry() -> SheetOptions {
    SheetOptions {
        dry_run: true,
        ..paper()
    }
}

fn total<R: Register>(s: &mut Session) -> i64 {
    let spec = baomi::registers::ListSpec::page(None, vec![], None, None, None, None);
    s.list::<R>(&spec).unwrap().total
}

/// The rows and reasons of a report's errors.
fn errors(r: &SheetReport) -> Vec<(u32, Option<String>, String)> {
    r.errors
        .iter()
        .map(|n| (n.row, n.column.clone(), n.reason.clone()))
        .collect()
}

/// The carrier sheet of a real office: a merged title, the unit and date line, headers in its
/// own words and order, a blank row, a subtotal, a custodian merged over two rows, dates in
/// four spellings, levels with their periods, full-width digits, copy numbers as a range and
/// a list — and five rows that cannot come in.
fn messy_carriers(dir: &Path, with_bad_rows: bool) -> PathBuf {
    let path = dir.join(if with_bad_rows {
        "台账（含错误）.xlsx"
    } else {
        "台账.xlsx"
    });
    let mut rows = vec![
        vec![T("某某局涉密载体登记台账（2025年度）")],
        vec![
            T("填报单位：办公室"),
            E,
            E,
            E,
            E,
            E,
            E,
            E,
            E,
            T("填报日期：2025年12月31日"),
        ],
        vec![
            T("序号"),
            T("登记编号"),
            T("文号"),
            T("文件名称"),
            T("密级和保密期限"),
            T("份数"),
            T("份号"),
            T("来文单位"),
            T("保管人"),
            T("存放位置"),
            T("收文日期"),
            T("知悉范围"),
            T("页数"),
        ],
        vec![
            N(1.0),
            T("机-2025-0050"),
            T("国保发〔2025〕1号"),
            T("关于甲事项的通知"),
            T("机密★10年"),
            E,
            T("1-3"),
            T("国家保密局"),
            T("张三"),
            T("保密柜1"),
            T("2025.11.1"),
            T("办公室、机要室"),
            N(12.0),
        ],
        vec![],
        vec![
            N(2.0),
            E,
            E,
            T("关于乙事项的函"),
            T("秘密★"),
            N(2.0),
            T("1、2"),
            T("省保密局"),
            T("李四"),
            T("保密柜2"),
            D(2025, 11, 20),
            T("办公室"),
        ],
        vec![
            N(3.0),
            E,
            E,
            T("丙会议纪要"),
            T("机密"),
            T("３"),
            T("１～３"),
            T("本局"),
            T("李四"),
            E,
            T("2025年12月1日"),
            T("机要室"),
        ],
        vec![T("小计"), E, E, E, E, T("6件")],
        vec![
            N(4.0),
            E,
            E,
            T("丁工作方案"),
            T("秘密★5年"),
            E,
            E,
            E,
            T("王五"),
            E,
            N(45992.0),
            T("办公室"),
        ],
    ];
    if with_bad_rows {
        rows.extend([
            vec![
                N(5.0),
                E,
                E,
                T("戊"),
                T("非常机密"),
                E,
                E,
                E,
                T("张三"),
                E,
                T("2025-12-02"),
                T("办公室"),
            ],
            vec![
                N(6.0),
                E,
                E,
                T("己"),
                T("秘密"),
                N(5.0),
                T("1-3"),
                E,
                T("张三"),
                E,
                T("2025-12-02"),
                T("办公室"),
            ],
            vec![
                N(7.0),
                E,
                E,
                T("庚"),
                T("秘密"),
                E,
                E,
                E,
                T("张三"),
                E,
                T("2025.13.1"),
                T("办公室"),
            ],
            vec![
                N(8.0),
                E,
                E,
                T("辛"),
                T("秘密"),
                E,
                E,
                E,
                E,
                E,
                T("2025-12-03"),
                T("办公室"),
            ],
            vec![
                N(9.0),
                T("机-2025-0050"),
                E,
                T("壬"),
                T("机密"),
                E,
                E,
                E,
                T("张三"),
                E,
                T("2025-12-03"),
                T("办公室"),
            ],
        ]);
    }
    rows.push(vec![T("填表人：王五"), E, E, E, E, E, E, E, E, E, E, E]);
    xlsx(&path, "载体台账", &rows, &[(0, 0, 0, 12), (5, 6, 9, 9)]);
    path
}

#[test]
fn a_messy_carrier_sheet_is_reported_row_by_row_and_comes_in_all_or_nothing() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let bad = messy_carriers(f.dir.parent().unwrap(), true);
    let before = all_vault_bytes(&f.dir);

    let report = import::<Documents>(&mut s, &bad, &dry());
    assert_eq!((report.sheet.as_str(), report.header_row), ("载体台账", 3));
    let read: Vec<(&str, Option<&str>)> = report
        .columns
        .iter()
        .map(|c| (c.header.as_str(), c.field.as_deref()))
        .collect();
    assert_eq!(
        read,
        [
            ("序号", None),
            ("登记编号", Some("ledger_no")),
            ("文号", Some("doc_no")),
            ("文件名称", Some("title")),
            ("密级和保密期限", Some("level")),
            ("份数", Some("copies")),
            ("份号", Some("copy_numbers")),
            ("来文单位", Some("origin_unit")),
            ("保管人", Some("custodian")),
            ("存放位置", Some("location")),
            ("收文日期", Some("received_on")),
            ("知悉范围", Some("scope")),
            ("页数", None),
        ]
    );
    assert_eq!(report.imported, 4, "{:?}", report.errors);
    assert_eq!(report.rows, 11, "the blank row does not count");
    let skipped: Vec<(u32, &str)> = report
        .skipped
        .iter()
        .map(|n| (n.row, n.reason.as_str()))
        .collect();
    assert_eq!(skipped, [(8, "合计行，不是记录"), (15, "没有可导入的内容")]);
    let errs = errors(&report);
    assert_eq!(
        errs.iter().map(|e| e.0).collect::<Vec<_>>(),
        [10, 11, 12, 13, 14]
    );
    assert_eq!(errs[0].1.as_deref(), Some("E"));
    assert!(
        errs[0].2.starts_with("密级：") && errs[0].2.contains("非常机密"),
        "{}",
        errs[0].2
    );
    assert_eq!(errs[1].2, "份号“1-3”共 3 份，与份数“5”不符");
    assert_eq!(errs[2].1.as_deref(), Some("K"));
    assert!(errs[2].2.contains("2025.13.1"), "{}", errs[2].2);
    assert_eq!(
        (errs[3].1.as_deref(), errs[3].2.as_str()),
        (Some("I"), "缺少责任人")
    );
    assert_eq!(errs[4].1.as_deref(), Some("B"));
    assert!(
        errs[4].2.contains("“机-2025-0050”已是载体"),
        "{}",
        errs[4].2
    );
    assert!(report.dry_run && !report.committed);

    // Without the default, every row lacks its carrier type, and says so.
    let bare = SheetOptions {
        dry_run: true,
        ..SheetOptions::default()
    };
    let report = import::<Documents>(&mut s, &bad, &bare);
    assert_eq!(report.errors[0].row, 4);
    assert_eq!(
        report.errors[0].reason,
        "缺少载体类型：表中没有这一列，可在列对应中指定，或给出默认值"
    );

    // The real import refuses the whole sheet while any row is wrong, and changes nothing.
    let refused = import::<Documents>(&mut s, &bad, &paper());
    assert!(!refused.committed && refused.imported == 0 && refused.errors.len() == 5);
    assert_eq!(total::<Documents>(&mut s), 0);

    // A default the register cannot take refuses the import before any row, by its field.
    for (field, value, said) in [
        ("页数", "3", "没有“页数”字段可以填默认值"),
        ("received_on", "明天", "收到日期：默认值"),
    ] {
        let wrong = SheetOptions {
            defaults: vec![(field.into(), value.into())],
            ..paper()
        };
        let e = s
            .import_sheet::<Documents>(&bad, &wrong, &mut |_, _| {})
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("defaults"));
        assert!(e.message.contains(said), "{}", e.message);
    }
    assert_eq!(total::<Documents>(&mut s), 0);
    drop(s);
    assert_eq!(
        all_vault_bytes(&f.dir),
        before,
        "a dry run and a refused import change no byte"
    );
}

#[test]
fn imported_carriers_keep_the_sheets_serials_values_and_origin() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let good = messy_carriers(f.dir.parent().unwrap(), false);
    let mut calls = Vec::new();
    let report = s
        .import_sheet::<Documents>(&good, &paper(), &mut |d, t| calls.push((d, t)))
        .unwrap();
    assert!(report.committed && report.errors.is_empty());
    assert_eq!(report.imported, 4);
    assert_eq!(
        calls.last(),
        Some(&(4, 4)),
        "the progress ends at every row done"
    );
    assert_eq!(total::<Documents>(&mut s), 4);

    let doc = |s: &mut Session, title: &str| {
        let q = baomi::input::from_value(json!({ "query": title })).unwrap();
        let page = s.doc_list(&q).unwrap();
        assert_eq!(page.rows.len(), 1, "{title}");
        serde_json::to_value(&page.rows[0]).unwrap()
    };
    let a = doc(&mut s, "关于甲事项的通知");
    assert_eq!(a["serial"], "机-2025-0050");
    assert_eq!(a["secrecy_period"], "10年");
    assert_eq!(
        (a["copies"].clone(), a["copy_numbers"].clone()),
        (json!(3), json!("1-3"))
    );
    assert_eq!(a["scope"], json!(["办公室", "机要室"]));
    assert_eq!(a["received_on"], "2025-11-01");
    let b = doc(&mut s, "关于乙事项的函");
    assert_eq!(
        (b["level"].clone(), b["secrecy_period"].clone()),
        (json!("秘密"), json!("10年"))
    );
    assert_eq!(b["received_on"], "2025-11-20", "an Excel date cell");
    assert_eq!(b["copy_numbers"], "1、2");
    assert_eq!(b["location"], "保密柜2");
    let c = doc(&mut s, "丙会议纪要");
    assert_eq!(
        c["location"], "保密柜2",
        "merged over two rows: read in both"
    );
    assert_eq!(
        (c["copies"].clone(), c["copy_numbers"].clone()),
        (json!(3), json!("1-3"))
    );
    assert_eq!(c["received_on"], "2025-12-01");
    let d = doc(&mut s, "丁工作方案");
    assert_eq!(
        d["received_on"], "2025-12-01",
        "a serial number in a date column"
    );
    assert_eq!(d["secrecy_period"], "5年");
    // Rows without their own 编号 were numbered by the unit's pattern; a carrier registered
    // now continues after the highest imported number of its prefix.
    assert_eq!(b["serial"], "秘-2025-0001");
    assert_eq!(
        c["serial"], "机-2025-0051",
        "after the sheet's own 机-2025-0050"
    );
    let next = baomi::input::from_value(json!({
        "title": "新登记", "level": "机密", "scope": ["办公室"], "carrier_type": "纸质文件",
        "custodian": "张三", "received_on": "2025-12-20"
    }))
    .unwrap();
    assert_eq!(s.doc_add(&next).unwrap().serial, "机-2025-0052");

    // Where it came from is in its history; the audit log has the file's hash and the counts,
    // never a title.
    let id = a["id"].as_i64().unwrap();
    let (_, history) = s.show::<Documents>(id).unwrap();
    assert!(
        history[0]
            .summary
            .contains("导入自“台账.xlsx”工作表“载体台账”第 4 行"),
        "{history:?}"
    );
    // Each record keeps its own row across the blank and the subtotal rows left out; the
    // carrier registered by hand after the import has none.
    let origin = |s: &mut Session, record: &serde_json::Value| {
        let (_, history) = s.show::<Documents>(record["id"].as_i64().unwrap()).unwrap();
        history[0].summary.clone()
    };
    for (record, row) in [(&b, 6), (&c, 7), (&d, 9)] {
        let summary = origin(&mut s, record);
        assert!(
            summary.ends_with(&format!("（导入自“台账.xlsx”工作表“载体台账”第 {row} 行）")),
            "{summary}"
        );
    }
    let by_hand = doc(&mut s, "新登记");
    assert!(!origin(&mut s, &by_hand).contains("导入自"));
    drop(s);
    let mut auditor = f.login(AUDITOR);
    let log = auditor
        .audit_list(&baomi::vault::audit::Filter::default())
        .unwrap();
    let entry = log
        .rows
        .iter()
        .find(|e| e.action == "sheet_import")
        .unwrap();
    let detail = &entry.detail;
    assert!(
        detail.contains("\"imported\":4") && detail.contains("sha256"),
        "{detail}"
    );
    assert!(!detail.contains("甲事项") && !detail.contains("台账.xlsx"));
    // The import is one act: its entry names the serials it registered, and no record of the
    // sheet has an entry of its own (the carrier registered by hand afterwards has).
    assert!(
        detail.contains("\"first_serial\":\"") && detail.contains("\"last_serial\":\""),
        "{detail}"
    );
    let registered: Vec<&str> = log
        .rows
        .iter()
        .filter(|e| e.action == "doc_registered")
        .map(|e| e.target.as_str())
        .collect();
    assert_eq!(registered, ["机-2025-0052"]);
    // The chain with the one entry verifies.
    assert!(auditor.audit_verify().unwrap().intact);
}

/// A device ledger saved as CSV by Chinese Excel (GB18030), with the headers offices use.
#[test]
fn a_device_csv_in_gb18030_comes_in_with_levels_deciding_classified() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let text = "设备台账\n\
        序号,设备名称,类型,品牌型号,序列号,硬盘序列号,涉密标签,密级,使用人,部门,启用日期\n\
        1,机要室计算机,台式计算机,联想 M720,SN001,\"HD-1、HD-2\",BM-001,机密,张三,机要室,2024/3/5\n\
        2,办公打印机,打印机,HP 1020,SN002,,,非密,李四,办公室,2024年4月1日\n\
        3,无名设备,扫地机,,,,BM-003,秘密,李四,办公室,2024-04-01\n";
    let (bytes, _, _) = encoding_rs::GB18030.encode(text);
    let path = f.dir.parent().unwrap().join("设备.csv");
    std::fs::write(&path, &bytes).unwrap();

    let report = import::<Devices>(
        &mut s,
        &path,
        &SheetOptions {
            dry_run: true,
            ..SheetOptions::default()
        },
    );
    assert_eq!(report.header_row, 2);
    let errs = errors(&report);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!((errs[0].0, errs[0].1.as_deref()), (5, Some("C")));
    assert!(errs[0].2.contains("扫地机"), "{}", errs[0].2);

    let options = SheetOptions {
        map: vec![("C".into(), "-".into())],
        defaults: vec![("设备类型".into(), "其他".into())],
        ..SheetOptions::default()
    };
    let report = import::<Devices>(&mut s, &path, &options);
    assert!(report.committed, "{:?}", report.errors);
    assert_eq!(report.imported, 3);
    let page = s
        .device_list(&baomi::input::from_value(json!({"query": "机要室计算机"})).unwrap())
        .unwrap();
    let v = serde_json::to_value(&page.rows[0]).unwrap();
    assert_eq!(
        (v["classified"].clone(), v["level"].clone()),
        (json!(true), json!("机密"))
    );
    assert_eq!(v["storage_serials"], json!(["HD-1", "HD-2"]));
    assert_eq!(
        (v["label_no"].clone(), v["custodian"].clone()),
        (json!("BM-001"), json!("张三"))
    );
    assert_eq!(v["in_service_on"], "2024-03-05");
    let page = s
        .device_list(&baomi::input::from_value(json!({"query": "办公打印机"})).unwrap())
        .unwrap();
    let v = serde_json::to_value(&page.rows[0]).unwrap();
    assert_eq!(
        v["classified"],
        json!(false),
        "非密 is a non-classified device"
    );
}

#[test]
fn bad_files_and_choices_are_refused_in_chinese_naming_what() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let dir = f.dir.parent().unwrap().to_path_buf();
    let fake = dir.join("假的.xlsx");
    std::fs::write(&fake, b"PK\x03\x04 not really a workbook").unwrap();
    let e = s
        .import_sheet::<Documents>(&fake, &dry(), &mut |_, _| {})
        .unwrap_err();
    assert!(
        e.message.contains("假的.xlsx") && e.message.contains("无法读取"),
        "{}",
        e.message
    );

    let good = messy_carriers(&dir, false);
    let e = s
        .import_sheet::<Documents>(
            &good,
            &SheetOptions {
                sheet: Some("第二页".into()),
                ..dry()
            },
            &mut |_, _| {},
        )
        .unwrap_err();
    assert!(
        e.message.contains("第二页") && e.message.contains("载体台账"),
        "{}",
        e.message
    );
    let e = s
        .import_sheet::<Documents>(
            &good,
            &SheetOptions {
                map: vec![("颜色".into(), "title".into())],
                ..dry()
            },
            &mut |_, _| {},
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("map"));
    let e = s
        .import_sheet::<Persons>(&good, &dry(), &mut |_, _| {})
        .unwrap_err();
    assert!(e.message.contains("没有找到表头"), "{}", e.message);

    // Every truncation of a real workbook is an error, never a panic.
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.join("截断.xlsx");
    for n in (0..bytes.len()).step_by(97) {
        std::fs::write(&cut, &bytes[..n]).unwrap();
        assert!(s
            .import_sheet::<Documents>(&cut, &dry(), &mut |_, _| {})
            .is_err());
    }
    assert_eq!(total::<Documents>(&mut s), 0);
}

/// Compares what a record registered: its serial and its registration fields.
fn registered<R: Register>(s: &mut Session) -> Vec<Value> {
    let spec =
        baomi::registers::ListSpec::page(None, vec![], Some("id"), Some(false), None, Some(500));
    let ids: Vec<i64> = s
        .list::<R>(&spec)
        .unwrap()
        .rows
        .iter()
        .map(|v| serde_json::to_value(v).unwrap()["id"].as_i64().unwrap())
        .collect();
    let mut records: Vec<Value> = ids
        .into_iter()
        .map(|id| {
            let state = serde_json::to_value(s.replay::<R>(id).unwrap().unwrap()).unwrap();
            json!({ "serial": state["serial"], "fields": state["fields"] })
        })
        .collect();
    records.sort_by_key(|r| r["serial"].as_str().unwrap_or("").to_string());
    records
}

fn round_trip<R: Sheet>(from: &mut Session, to: &mut Session, out: &Path) {
    let result = baomi::excel::export::<R>(from, Value::Null, out).unwrap();
    let report = import::<R>(to, out, &SheetOptions::default());
    assert_eq!(report.skipped, [], "{}", R::NAME);
    assert!(report.committed, "{}: {:?}", R::NAME, report.errors);
    assert_eq!(report.imported, result.rows);
    assert_eq!(registered::<R>(from), registered::<R>(to), "{}", R::NAME);
}

#[test]
fn every_register_round_trips_export_then_import_to_identical_records() {
    let a = Fixture::new();
    let b = Fixture::new();
    let mut s = a.login(OFFICER);
    let mut t = b.login(OFFICER);
    let dir = a.dir.parent().unwrap().to_path_buf();
    for (i, (level, period, copies, numbers)) in [
        ("机密", Some("至2035-06-30"), 3, Some("1、3、5")),
        ("秘密", None, 1, None),
        ("绝密", Some("长期"), 2, Some("1-2")),
        ("内部", None, 1, None),
    ]
    .into_iter()
    .enumerate()
    {
        let mut input = json!({
            "title": format!("文件{i}，含“引号”与逗号"), "doc_no": "国保发〔2025〕7号",
            "origin_unit": "国家保密局", "level": level, "scope": ["办公室", "机要室"],
            "copies": copies, "carrier_type": "纸质文件", "custodian": "张三",
            "location": "保密柜1", "received_on": "2025-07-01", "no_copy": i % 2 == 0,
            "remarks": "第一行\n第二行"
        });
        if let Some(p) = period {
            input["secrecy_period"] = json!(p.trim_start_matches('至'));
        }
        if let Some(n) = numbers {
            input["copy_numbers"] = json!(n);
        }
        s.doc_add(&baomi::input::from_value(input).unwrap())
            .unwrap();
    }
    for (name, kind, level) in [
        ("涉密计算机", "台式计算机", Some("机密")),
        ("U盘", "移动存储介质", Some("秘密")),
        ("打印机", "打印机", None),
    ] {
        let mut input = json!({
            "kind": kind, "name": name, "model": "型号X", "serial": "SN-1",
            "storage_serials": ["HD-1", "HD-2"], "classified": level.is_some(),
            "label_no": format!("BM-{name}"), "department": "机要室", "custodian": "张三",
            "location": "机房", "in_service_on": "2024-01-02", "three_in_one": true,
            "wireless_removed": true, "label_affixed": level.is_some(), "remarks": ""
        });
        if let Some(l) = level {
            input["level"] = json!(l);
        }
        s.device_add(&baomi::input::from_value(input).unwrap())
            .unwrap();
    }
    for (name, class) in [("赵六", "核心"), ("钱七", "重要"), ("孙八", "一般")] {
        let input = json!({ "name": name, "department": "办公室", "post": "文书", "class": class, "remarks": "调入" });
        s.person_add(&baomi::input::from_value(input).unwrap())
            .unwrap();
    }
    round_trip::<Documents>(&mut s, &mut t, &dir.join("载体.xlsx"));
    round_trip::<Devices>(&mut s, &mut t, &dir.join("设备.xlsx"));
    round_trip::<Persons>(&mut s, &mut t, &dir.join("人员.xlsx"));
}

#[test]
fn an_export_is_a_sheet_for_people_marked_with_its_highest_level() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    for (title, level) in [("甲", "秘密"), ("乙", "机密"), ("丙", "内部")] {
        let input = json!({
            "title": title, "level": level, "scope": ["办公室"], "carrier_type": "纸质文件",
            "custodian": "张三", "received_on": "2026-11-01"
        });
        s.doc_add(&baomi::input::from_value(input).unwrap())
            .unwrap();
    }
    let dir = f.dir.parent().unwrap().to_path_buf();
    let out = dir.join("导出.xlsx");
    let r = baomi::excel::export::<Documents>(&mut s, json!({"level": "秘密"}), &out).unwrap();
    assert_eq!(
        (r.rows, r.marking.as_deref()),
        (1, Some("秘密")),
        "the filters select"
    );
    let r = baomi::excel::export::<Documents>(&mut s, Value::Null, &out).unwrap();
    assert_eq!((r.rows, r.marking.as_deref()), (3, Some("机密")));

    let mut zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap()).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(
        &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut xml,
    )
    .unwrap();
    assert!(xml.contains("state=\"frozen\""), "the header row is frozen");
    assert!(
        xml.contains("<oddHeader>&amp;C&amp;\"-,Bold\"&amp;14机密</oddHeader>"),
        "{xml}"
    );
    assert!(xml.contains("<oddFooter>&amp;C&amp;\"-,Bold\"&amp;14机密&amp;R第 &amp;P 页"));
    assert!(xml.contains("<col "), "column widths are set");

    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&out).unwrap();
    let range = book.worksheet_range("载体").unwrap();
    let header: Vec<String> = range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(&header[..5], ["序号", "编号", "文号", "标题", "来文单位"]);
    let received = header.iter().position(|h| h == "收到日期").unwrap();
    let first = range.rows().nth(1).unwrap();
    assert!(
        matches!(first[received], calamine::Data::DateTime(_)),
        "dates are dates"
    );

    let e =
        baomi::excel::export::<Documents>(&mut s, json!({"level": "很机密"}), &out).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("level"));
    let e = baomi::excel::export::<Documents>(&mut s, json!({"colour": "红"}), &out).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("filters.colour"));
    drop(s);
    let mut auditor = f.login(AUDITOR);
    let log = auditor
        .audit_list(&baomi::vault::audit::Filter::default())
        .unwrap();
    assert_eq!(
        log.rows
            .iter()
            .filter(|e| e.action == "sheet_export")
            .count(),
        2
    );
}

/// A sheet of 10,000 carriers, more than the register holds, is entered with the register's
/// indexes and counting triggers dropped and made again at its end (`table::suspend_indexes`):
/// afterwards the vault has the same indexes and triggers, word for word, the lists that read
/// them agree with the sheet, and the counts agree with the register, then and after the next
/// change. A dry run and a refused sheet of the same size leave the schema as it was.
#[test]
fn a_large_sheet_comes_in_with_the_registers_indexes_built_again() {
    use baomi::registers::documents::DocQuery;

    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let indexes = || -> Vec<(String, Option<String>)> {
        raw_registers(&f.dir, OFFICER)
            .prepare(
                "SELECT name, sql FROM sqlite_schema WHERE type IN ('index', 'trigger')
                 AND tbl_name = 'documents' ORDER BY name",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let before = indexes();
    assert!(before.len() > 11, "{before:?}");
    assert_eq!(
        before
            .iter()
            .filter(|(name, _)| name.starts_with("documents_counts_"))
            .count(),
        3
    );

    const ROWS: usize = 10_000;
    const NAMES: [&str; 3] = ["王五", "赵六", "孙七"];
    let sheet = |bad_row: Option<usize>| {
        let mut csv = String::from("文件名称,密级,保管人,收文日期,知悉范围\n");
        for i in 0..ROWS {
            let level = match (bad_row == Some(i), i % 3) {
                (true, _) => "特别机密",
                (false, 0) => "机密",
                _ => "秘密",
            };
            let day = 1 + i % 28;
            csv.push_str(&format!(
                "关于第{i}项工作的通知,{level},{},2025-03-{day:02},办公室\n",
                NAMES[i % 3],
            ));
        }
        let path = f
            .dir
            .parent()
            .unwrap()
            .join(format!("万行台账{}.csv", bad_row.is_some()));
        std::fs::write(&path, csv).unwrap();
        path
    };

    // A dry run rolls back, indexes and all.
    let report = import::<Documents>(&mut s, &sheet(None), &dry());
    assert_eq!((report.imported, report.committed), (ROWS as u32, false));
    assert_eq!(indexes(), before);
    // One bad row refuses the whole sheet, named by its row (the header is row 1).
    let report = import::<Documents>(&mut s, &sheet(Some(6000)), &paper());
    assert!(!report.committed);
    let refused = errors(&report);
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].0, 6002);
    assert_eq!((total::<Documents>(&mut s), indexes()), (0, before.clone()));
    assert_eq!(counts_kept(&f.dir, OFFICER), 0);

    let report = import::<Documents>(&mut s, &sheet(None), &paper());
    assert!(report.committed, "{:?}", report.errors.first());
    assert_eq!(report.imported, ROWS as u32);
    assert_eq!(indexes(), before);
    // Built in one pass from sorted entries, an index's leaves are full (99.5 % here);
    // entered record by record at three places (the three custodians) they were 91 % full
    // (measured with the bulk path turned off): the register's indexes were built again.
    let fill: f64 = raw_registers(&f.dir, OFFICER)
        .query_row(
            "SELECT sum(pgsize - unused) * 1.0 / sum(pgsize) FROM dbstat
             WHERE name = 'documents_custodian' AND pagetype = 'leaf'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(fill > 0.97, "leaves {fill:.3} full");
    // The search index's leaves fill the vault's pages, without overflowing them (migration
    // 0010: FTS5's default leaves of about 4,050 bytes filled half of each).
    let (fill, overflow): (f64, i64) = raw_registers(&f.dir, OFFICER)
        .query_row(
            "SELECT sum(CASE WHEN pagetype = 'leaf' THEN payload END) * 1.0
                    / sum(CASE WHEN pagetype = 'leaf' THEN pgsize END),
                    count(CASE WHEN pagetype = 'overflow' THEN 1 END)
             FROM dbstat WHERE name = 'documents_search_data'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(
        fill > 0.9 && overflow == 0,
        "{fill:.3} full, {overflow} overflow pages"
    );
    // Lists answered from the rebuilt indexes agree with the sheet.
    let mut count = |q: DocQuery| s.doc_list(&q).unwrap().total;
    let by_level = count(DocQuery {
        level: Some("机密".into()),
        ..Default::default()
    });
    assert_eq!(by_level, (0..ROWS).filter(|i| i % 3 == 0).count() as i64);
    for (n, name) in NAMES.iter().enumerate() {
        let held = count(DocQuery {
            custodian: Some(name.to_string()),
            ..Default::default()
        });
        assert_eq!(
            held,
            (0..ROWS).filter(|i| i % 3 == n).count() as i64,
            "{name}"
        );
    }
    let days = count(DocQuery {
        received_from: Some("2025-03-01".into()),
        received_to: Some("2025-03-02".into()),
        ..Default::default()
    });
    assert_eq!(days, (0..ROWS).filter(|i| i % 28 < 2).count() as i64);
    let found = s
        .doc_list(&DocQuery {
            query: Some("第4321项".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.rows.len(), 1);
    assert_eq!(found.rows[0].title, "关于第4321项工作的通知");
    // The counts the home screen reads were kept through the bulk path: one row per
    // custodian (each has one level here), and the figure per level adds them up.
    assert_eq!(counts_kept(&f.dir, OFFICER), 3);
    let figures = s.figures().unwrap();
    let level = figures.figures.iter().find(|f| f.key == "level").unwrap();
    let at = |label: &str| level.labels.iter().position(|l| l == label).unwrap();
    let carriers = &level
        .series
        .iter()
        .find(|s| s.name == "涉密载体")
        .unwrap()
        .values;
    assert_eq!(carriers[at("机密")], by_level);
    assert_eq!(carriers[at("秘密")], ROWS as i64 - by_level);
    // The triggers count the next carrier: a fourth custodian's row.
    let next = json!({"title": "会后补登的通知", "level": "秘密", "carrier_type": "纸质文件",
        "custodian": "周八", "received_on": "2025-04-01", "scope": ["办公室"]});
    s.doc_add(&baomi::input::from_value(next).unwrap()).unwrap();
    assert_eq!(counts_kept(&f.dir, OFFICER), 4);
}

/// A sheet is read as its file is, and its rows are registered as they come: a file that
/// breaks after thousands of good rows (here a cell of row 11,000 pointing at no text) has
/// them registered first, then refuses the whole import, real or dry, naming the file and the
/// sheet, and leaves the register and its indexes as they were; so does a sheet whose rows
/// are written out of order.
#[test]
fn a_sheet_that_breaks_after_its_first_rows_changes_nothing() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let dir = f.dir.parent().unwrap().to_path_buf();
    let schema = |f: &Fixture| -> Vec<String> {
        raw_registers(&f.dir, OFFICER)
            .prepare("SELECT name FROM sqlite_schema WHERE tbl_name = 'documents' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let before = schema(&f);

    let good = dir.join("完好.xlsx");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("载体台账").unwrap();
    for (c, h) in ["文件名称", "密级", "保管人", "收文日期", "知悉范围"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=12_000u32 {
        ws.write_string(r, 0, format!("关于第{r}项工作的通知"))
            .unwrap();
        ws.write_string(r, 1, "秘密").unwrap();
        ws.write_string(r, 2, "王五").unwrap();
        ws.write_string(r, 3, "2025-03-01").unwrap();
        ws.write_string(r, 4, "办公室").unwrap();
    }
    book.save(&good).unwrap();
    let report = import::<Documents>(&mut s, &good, &dry());
    assert_eq!((report.imported, report.errors.len()), (12_000, 0));

    // The same workbook with one cell of row 11,000 broken inside the sheet's XML.
    let bad = dir.join("损坏.xlsx");
    with_sheet_xml(&good, &bad, |xml| {
        let at = xml.find(r#"<c r="C11000" t="s"><v>"#).unwrap() + 22;
        let end = at + xml[at..].find("</v>").unwrap();
        format!("{}x{}", &xml[..at], &xml[end..])
    });

    for options in [paper(), dry()] {
        let mut done = 0;
        let e = s
            .import_sheet::<Documents>(&bad, &options, &mut |d, _| done = done.max(d))
            .unwrap_err();
        assert!(
            done >= 10_500,
            "rows registered before the break was read: {done}"
        );
        assert!(
            e.message.contains("损坏.xlsx") && e.message.contains("工作表“载体台账”已损坏"),
            "{}",
            e.message
        );
    }
    assert_eq!(total::<Documents>(&mut s), 0);
    assert_eq!(schema(&f), before, "the indexes are as they were");

    // Rows written out of order cannot be read as a stream: refused the same way.
    let swapped = dir.join("乱序.xlsx");
    with_sheet_xml(&good, &swapped, |xml| {
        let at = |r: u32| xml.find(&format!(r#"<row r="{r}""#)).unwrap();
        let (a, b, c) = (at(100), at(101), at(102));
        format!("{}{}{}{}", &xml[..a], &xml[b..c], &xml[a..b], &xml[c..])
    });
    let e = s
        .import_sheet::<Documents>(&swapped, &paper(), &mut |_, _| {})
        .unwrap_err();
    assert!(
        e.message.contains("乱序.xlsx") && e.message.contains("第 100 行写在第 101 行之后"),
        "{}",
        e.message
    );
    assert_eq!(total::<Documents>(&mut s), 0);
    let report = import::<Documents>(&mut s, &good, &paper());
    assert!(report.committed && report.imported == 12_000);
    let count: i64 = raw_registers(&f.dir, OFFICER)
        .query_row("SELECT count(*) FROM documents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 12_000);
}

/// Writes `out`: the workbook `good` with its first sheet's XML changed by `edit`.
fn with_sheet_xml(good: &Path, out: &Path, edit: impl FnOnce(String) -> String) {
    use std::io::{Read, Write};
    let mut from = zip::ZipArchive::new(std::fs::File::open(good).unwrap()).unwrap();
    let mut to = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let mut edit = Some(edit);
    for i in 0..from.len() {
        let mut part = from.by_index(i).unwrap();
        let name = part.name().unwrap().to_string();
        let mut data = Vec::new();
        part.read_to_end(&mut data).unwrap();
        if name == "xl/worksheets/sheet1.xml" {
            let xml = String::from_utf8(data).unwrap();
            data = edit.take().unwrap()(xml).into_bytes();
        }
        to.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        to.write_all(&data).unwrap();
    }
    to.finish().unwrap();
    assert!(edit.is_none(), "the workbook has no first sheet");
}

/// The messy sheet of carriers beside the fixture's vault, and a copy of it named `name` with
/// its sheet's XML changed by `edit`.
fn messy_edited(
    f: &Fixture,
    name: &str,
    edit: impl FnOnce(String) -> String,
) -> (PathBuf, PathBuf) {
    let dir = f.dir.parent().unwrap().to_path_buf();
    let good = messy_carriers(&dir, false);
    let edited = dir.join(name);
    with_sheet_xml(&good, &edited, edit);
    (good, edited)
}

/// What a sheet claims of its size is only an estimate: one whose used range reaches
/// Excel's last row (past this program's limit of rows) but holds four carriers imports
/// them, and its progress ends at its rows.
#[test]
fn a_sheet_claiming_more_rows_than_it_holds_comes_in() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let (_, wide) = messy_edited(&f, "整列.xlsx", |xml| {
        let at = xml.find(r#"<dimension ref=""#).unwrap() + 16;
        let end = at + xml[at..].find('"').unwrap();
        format!("{}A1:K1048576{}", &xml[..at], &xml[end..])
    });
    let mut calls = Vec::new();
    let report = s
        .import_sheet::<Documents>(&wide, &paper(), &mut |d, t| calls.push((d, t)))
        .unwrap();
    assert!(report.committed && report.errors.is_empty(), "{report:?}");
    assert_eq!(report.imported, 4);
    assert_eq!(calls.last(), Some(&(4, 4)));
    assert_eq!(total::<Documents>(&mut s), 4);
}

/// A sheet that writes no used range (`<dimension>`, which some programs leave out) still
/// gives its progress a whole from its first call: the same calls as the sheet with it.
#[test]
fn a_sheet_without_a_used_range_has_the_same_progress() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let (good, bare) = messy_edited(&f, "无范围.xlsx", |xml| {
        let at = xml.find("<dimension ").unwrap();
        let end = at + xml[at..].find("/>").unwrap() + 2;
        format!("{}{}", &xml[..at], &xml[end..])
    });
    let dry = SheetOptions {
        dry_run: true,
        ..paper()
    };
    let calls = |s: &mut Session, path: &Path| {
        let mut calls = Vec::new();
        let report = s
            .import_sheet::<Documents>(path, &dry, &mut |d, t| calls.push((d, t)))
            .unwrap();
        assert_eq!(report.imported, 4, "{report:?}");
        calls
    };
    let with = calls(&mut s, &good);
    let without = calls(&mut s, &bare);
    assert!(
        with[0].1 > 4,
        "the first call's whole is the sheet's rows: {with:?}"
    );
    assert_eq!(without, with);
}
