//! Printing: every carrier form and the listing, checked the way a person checks paper —
//! the text (`pdftotext`), the fonts (`pdffonts`) and the look (`pdftoppm` against committed
//! reference images) — plus traceability, the unit's templates and fonts, and permissions.
//!
//! Reference images live in `tests/print-reference/`; after a deliberate layout change,
//! regenerate them with `BAOMI_UPDATE_REFERENCE=1 cargo test --test integration print::`
//! and look at every one before committing.

use std::path::{Path, PathBuf};
use std::process::Command;

use baomi::print::{PrintLogQuery, PrintRequest, Printout};
use baomi::registers::documents::*;
use baomi::vault::roles::Role;
use baomi::vault::Session;
use baomi::Code;
use serde_json::json;

use crate::util::*;

fn ev<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    baomi::input::from_value(v).unwrap()
}

fn add(s: &mut Session, title: &str, level: &str, custodian: &str, location: &str) -> DocView {
    s.doc_add(&ev(json!({
        "title": title,
        "doc_no": "国保发〔2026〕12号",
        "origin_unit": "国家保密局",
        "level": level,
        "scope": ["办公室", "王五"],
        "copies": 2,
        "copy_numbers": "003-004",
        "carrier_type": "纸质文件",
        "custodian": custodian,
        "location": location,
        "received_on": "2026-11-01"
    })))
    .unwrap()
}

/// A register with one carrier through each procedure that has a form.
struct Scene {
    f: Fixture,
    borrowed: DocView,
    circulated: DocView,
    copied: DocView,
    copies: Vec<String>,
    handed_back: Vec<DocView>,
    destroyed: Vec<DocView>,
    reconciliation: i64,
}

fn scene() -> Scene {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let borrowed = add(
        &mut s,
        "关于加强涉密载体管理工作的通知",
        "机密",
        "王五",
        "1号保密柜",
    );
    s.doc_borrow(
        borrowed.id,
        &ev(json!({"borrower": "王五", "department": "办公室", "due_on": "2026-11-29", "on": "2026-11-20"})),
    )
    .unwrap();
    s.doc_return(borrowed.id, &ev(json!({"on": "2026-11-21"})))
        .unwrap();
    let circulated = add(&mut s, "年度保密检查工作方案", "秘密", "王五", "1号保密柜");
    for (reader, dept) in [("王五", "办公室"), ("孙七", "综合处")] {
        s.doc_circulate(
            circulated.id,
            &ev(json!({"reader": reader, "department": dept, "approval": if reader == "孙七" { "审-2026-07" } else { "" }})),
        )
        .unwrap();
    }
    let copied = add(&mut s, "涉密会议纪要", "机密", "王五", "2号保密柜");
    let copy = s
        .doc_copy(
            copied.id,
            &ev(json!({"count": 2, "approver": "周八", "approver_role": "分管保密领导", "copy_kind": "复印", "custodian": "郑九", "approval": "复-2026-03"})),
        )
        .unwrap();
    let copies = copy.copies.iter().map(|c| c.serial.clone()).collect();
    let hb: Vec<DocView> = (0..2)
        .map(|i| {
            add(
                &mut s,
                &format!("上级来文第{}号", i + 1),
                "秘密",
                "王五",
                "1号保密柜",
            )
        })
        .collect();
    let ids: Vec<i64> = hb.iter().map(|d| d.id).collect();
    s.doc_handback(&ids, &ev(json!({"to": "市委机要局", "ids": ids})))
        .unwrap();
    let handed_back = ids.iter().map(|i| s.doc_show(*i).unwrap()).collect();
    let destroyed: Vec<DocView> = ["过期文件甲", "过期文件乙"]
        .iter()
        .map(|t| add(&mut s, t, "秘密", "王五", "3号保密柜"))
        .collect();
    for d in &destroyed {
        s.doc_destroy(
            d.id,
            &ev(json!({"approver": "周八", "supervisors": ["吴十", "冯十一"], "place": "市保密技术服务中心", "method": "粉碎", "list_no": "XH-2026-05"})),
        )
        .unwrap();
    }
    let r = s
        .doc_reconcile(&ev(json!({"custodian": "王五", "counted": ["机-2026-0001", "机-2099-0001"], "remarks": "月底清点"})))
        .unwrap();
    Scene {
        f,
        borrowed,
        circulated,
        copied,
        copies,
        handed_back,
        destroyed,
        reconciliation: r.id,
    }
}

fn request(form: &str, ids: &[i64]) -> PrintRequest {
    PrintRequest {
        form: form.into(),
        ids: Some(ids.to_vec()),
        ..Default::default()
    }
}

pub(crate) fn tool(cmd: &str, args: &[&str]) -> String {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} is needed (apt-get install poppler-utils): {e}"));
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Saves the printout and returns the PDF path and its text per page.
pub(crate) fn saved(p: &Printout, dir: &Path) -> (PathBuf, Vec<String>) {
    let path = dir.join(format!("{}.pdf", p.job.form));
    p.save(&path).unwrap();
    // To look at the forms as printed: BAOMI_KEEP_PRINTS=DIR keeps a copy of every PDF.
    if let Some(keep) = std::env::var_os("BAOMI_KEEP_PRINTS") {
        let name = format!("{}-{}.pdf", p.job.form, p.job.serial);
        std::fs::copy(&path, Path::new(&keep).join(name)).unwrap();
    }
    let text = tool("pdftotext", &["-layout", path.to_str().unwrap(), "-"]);
    let pages: Vec<String> = text
        .split('\u{c}')
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(
        pages.len() as u32,
        p.job.pages,
        "page count of {}",
        p.job.form
    );
    (path, pages)
}

/// Text with the layout's spacing removed, so a value wrapped or spaced still matches.
pub(crate) fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn assert_has(pages: &[String], values: &[&str], form: &str) {
    let all = squeeze(&pages.join(""));
    for v in values {
        assert!(
            all.contains(&squeeze(v)),
            "{form}: “{v}” is not in the printed text:\n{}",
            pages.join("\n----\n")
        );
    }
}

/// Every font in the PDF is embedded (pdffonts: the `emb` column is `yes`).
fn assert_fonts_embedded(pdf: &Path) -> Vec<String> {
    let out = tool("pdffonts", &[pdf.to_str().unwrap()]);
    let rows: Vec<&str> = out.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no fonts in {}", pdf.display());
    let mut names = Vec::new();
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type [encoding…] emb sub uni object ID
        let n = cols.len();
        assert!(n >= 7, "unexpected pdffonts row: {row}");
        assert_eq!(cols[n - 5], "yes", "font not embedded: {row}");
        names.push(cols[0].to_string());
    }
    names
}

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/print-reference")
}

fn gray_png(path: &Path) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    buf.truncate(info.buffer_size());
    // pdftoppm writes grey pages as RGB PNGs: keep one channel's worth (the mean).
    let gray = match info.color_type {
        png::ColorType::Grayscale => buf,
        png::ColorType::Rgb => buf
            .chunks_exact(3)
            .map(|p| ((p[0] as u16 + p[1] as u16 + p[2] as u16) / 3) as u8)
            .collect(),
        other => panic!("{}: unexpected colour type {other:?}", path.display()),
    };
    (info.width, info.height, gray)
}

/// Renders every page at 40 dpi in grey and compares it with the committed reference: a
/// page differs when more than 0.5% of its pixels differ by more than a quarter of the range.
fn assert_looks_like_reference(pdf: &Path, name: &str, tmp: &Path) {
    let prefix = tmp.join(name);
    tool(
        "pdftoppm",
        &[
            "-r",
            "40",
            "-gray",
            "-png",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    let mut rendered: Vec<PathBuf> = std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{name}-"))
                && p.extension().is_some_and(|e| e == "png")
        })
        .collect();
    rendered.sort();
    assert!(!rendered.is_empty());
    let update = std::env::var_os("BAOMI_UPDATE_REFERENCE").is_some();
    let references = |name: &str| -> Vec<PathBuf> {
        std::fs::read_dir(reference_dir())
            .map(|d| {
                d.map(|e| e.unwrap().path())
                    .filter(|p| {
                        let f = p.file_name().unwrap().to_string_lossy().to_string();
                        f.strip_prefix(&format!("{name}-"))
                            .and_then(|rest| rest.strip_suffix(".png"))
                            .is_some_and(|n| n.parse::<u32>().is_ok())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    if update {
        for stale in references(name) {
            std::fs::remove_file(stale).unwrap();
        }
    } else {
        assert_eq!(
            references(name).len(),
            rendered.len(),
            "{name}: the number of pages differs from the reference images"
        );
    }
    for (i, page) in rendered.iter().enumerate() {
        let reference = reference_dir().join(format!("{name}-{}.png", i + 1));
        if update {
            std::fs::create_dir_all(reference_dir()).unwrap();
            std::fs::copy(page, &reference).unwrap();
            continue;
        }
        assert!(
            reference.exists(),
            "no reference image {} (run with BAOMI_UPDATE_REFERENCE=1, then look at it)",
            reference.display()
        );
        let (w, h, got) = gray_png(page);
        let (rw, rh, want) = gray_png(&reference);
        assert_eq!((w, h), (rw, rh), "{name} page {} changed size", i + 1);
        let differing = got
            .iter()
            .zip(&want)
            .filter(|(a, b)| a.abs_diff(**b) > 64)
            .count();
        let share = differing as f64 / got.len() as f64;
        assert!(
            share <= 0.005,
            "{name} page {} differs from {} in {:.2}% of its pixels (kept at {})",
            i + 1,
            reference.display(),
            share * 100.0,
            page.display()
        );
    }
}

/// Prints one form and checks its text, fonts, traceability and look.
fn check_form(s: &mut Session, req: &PrintRequest, values: &[&str], tmp: &Path) -> Printout {
    let p = s.print(req).unwrap();
    let (pdf, pages) = saved(&p, tmp);
    let mut all = values.to_vec();
    all.push(UNIT);
    all.push(p.job.title.as_str());
    assert_has(&pages, &all, &p.job.form);
    for (i, page) in pages.iter().enumerate() {
        let flat = squeeze(page);
        assert!(flat.contains(&p.job.serial), "page {} has no serial", i + 1);
        assert!(flat.contains(&p.job.digest), "page {} has no digest", i + 1);
        assert!(
            flat.contains(&format!("第{}页共{}页", i + 1, pages.len())),
            "page {} has no page x / y",
            i + 1
        );
    }
    assert_fonts_embedded(&pdf);
    assert_looks_like_reference(&pdf, &p.job.form, tmp);
    p
}

#[test]
fn every_carrier_form_prints_every_value_with_embedded_fonts_and_its_reference_look() {
    let sc = scene();
    let tmp = tempfile::tempdir().unwrap();
    let mut s = sc.f.login(OFFICER);
    let b = &sc.borrowed;
    check_form(
        &mut s,
        &request("doc-borrow", &[b.id]),
        &[
            &b.serial,
            &b.title,
            &b.doc_no,
            "机密",
            "办公室、王五",
            "王五",
            "办公室",
            "2026年11月20日",
            "2026年11月29日",
            "2026年11月21日",
            "003-004",
            "签字",
        ],
        tmp.path(),
    );
    let c = &sc.circulated;
    check_form(
        &mut s,
        &request("doc-circulate", &[c.id]),
        &[
            &c.serial,
            &c.title,
            "秘密",
            "孙七",
            "综合处",
            "2026-11-22",
            "阅读人签字",
        ],
        tmp.path(),
    );
    let o = &sc.copied;
    let mut copy_values = vec![
        o.serial.as_str(),
        o.title.as_str(),
        "复印",
        "2份",
        "周八",
        "分管保密领导",
        "郑九",
        "复-2026-03",
        "2026年11月22日",
    ];
    copy_values.extend(sc.copies.iter().map(String::as_str));
    check_form(
        &mut s,
        &request("doc-copy", &[o.id]),
        &copy_values,
        tmp.path(),
    );
    let ids: Vec<i64> = sc.handed_back.iter().map(|d| d.id).collect();
    let mut hb = vec!["市委机要局", "秘密 2 件", "移交人", "接收人"];
    for d in &sc.handed_back {
        hb.extend([d.serial.as_str(), d.title.as_str()]);
    }
    check_form(&mut s, &request("doc-handback", &ids), &hb, tmp.path());
    let ids: Vec<i64> = sc.destroyed.iter().map(|d| d.id).collect();
    let mut de = vec![
        "XH-2026-05",
        "市保密技术服务中心",
        "粉碎",
        "周八",
        "吴十",
        "冯十一",
        "涉密载体销毁清单",
        "共2件",
        "监销人",
    ];
    for d in &sc.destroyed {
        de.extend([d.serial.as_str(), d.title.as_str()]);
    }
    let p = check_form(&mut s, &request("doc-destroy", &ids), &de, tmp.path());
    assert_eq!(p.job.pages, 2, "approval form + destruction list");
    let rec = PrintRequest {
        form: "doc-reconcile".into(),
        reconciliation: Some(sc.reconciliation),
        ..Default::default()
    };
    check_form(
        &mut s,
        &rec,
        &[
            "王五",
            "月底清点",
            "在位",
            "未找到",
            "不应在此",
            "机-2099-0001",
            "机-2026-0001",
            &sc.circulated.serial,
            "核对人",
        ],
        tmp.path(),
    );
    // Six forms, six jobs in the log, six audit entries.
    let log = s.print_log(&PrintLogQuery::default()).unwrap();
    assert_eq!(log.total, 6);
    assert_eq!(log.rows[0].serial, "P2026-000006");
    assert_eq!(log.rows[5].serial, "P2026-000001");
    assert!(log.rows[5].subject.contains(&b.serial));
    let found = s
        .print_log(&PrintLogQuery {
            query: Some(sc.destroyed[1].serial.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.rows[0].form, "doc-destroy");
    drop(s);
    let mut auditor = sc.f.login(AUDITOR);
    let entries = auditor
        .audit_list(&ev(json!({ "action": "print", "limit": 100 })))
        .unwrap();
    assert_eq!(entries.total, 6);
    assert!(entries.rows.iter().any(|e| e.target == "P2026-000003"));
}

#[test]
fn a_blank_form_prints_before_the_procedure_is_recorded() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let d = add(&mut s, "待借阅文件", "绝密", "王五", "1号保密柜");
    let p = s.print(&request("doc-borrow", &[d.id])).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (_, pages) = saved(&p, tmp.path());
    // The record's facts are printed; borrower and dates are left to fill in by hand.
    assert_has(
        &pages,
        &[&d.serial, "待借阅文件", "绝密", "年月日", "借阅人（签字）"],
        "blank",
    );
    assert!(!squeeze(&pages[0]).contains("2026年11月29日"));
}

#[test]
fn the_listing_is_landscape_with_filters_page_numbers_and_the_marking_on_every_page() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    for i in 0..70 {
        add(
            &mut s,
            &format!("登记簿测试文件{i:03}"),
            if i == 7 { "机密" } else { "秘密" },
            "王五",
            "1号保密柜",
        );
    }
    add(&mut s, "别人的文件", "绝密", "赵六", "2号保密柜");
    let req = PrintRequest {
        form: "doc-list".into(),
        query: Some(ev(
            json!({"custodian": "王五", "sort": "serial", "desc": false}),
        )),
        ..Default::default()
    };
    let p = s.print(&req).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (pdf, pages) = saved(&p, tmp.path());
    assert!(pages.len() >= 2, "70 rows take more than one page");
    assert_has(
        &pages,
        &[
            "涉密载体登记簿",
            "责任人：王五",
            "共 70 件",
            "2026年11月22日",
            "王五",
            "登记簿测试文件000",
            "登记簿测试文件069",
        ],
        "doc-list",
    );
    assert!(!squeeze(&pages.join("")).contains("别人的文件"));
    for (i, page) in pages.iter().enumerate() {
        let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
        // The highest level listed (机密, not the unlisted 绝密) at the top and the bottom.
        assert_eq!(
            lines.first().map(|l| l.trim()),
            Some("机密"),
            "top of page {}",
            i + 1
        );
        assert!(
            lines.last().unwrap().contains("机密"),
            "bottom of page {}",
            i + 1
        );
        assert!(squeeze(page).contains(&format!("第{}页共{}页", i + 1, pages.len())));
    }
    // Landscape: wider than high.
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let size = info.lines().find(|l| l.starts_with("Page size:")).unwrap();
    assert!(size.contains("841.89 x 595.2"), "{size}");
    assert_fonts_embedded(&pdf);
    assert_looks_like_reference(&pdf, "doc-list", tmp.path());
    assert!(p.job.subject.contains("责任人：王五"));
}

#[test]
fn the_digest_follows_the_data_and_the_serial_follows_the_log() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let d = add(&mut s, "摘要测试", "秘密", "王五", "1号保密柜");
    let a = s.print(&request("doc-borrow", &[d.id])).unwrap().job;
    let b = s.print(&request("doc-borrow", &[d.id])).unwrap().job;
    assert_eq!(a.digest, b.digest, "same data, same digest");
    assert_ne!(a.serial, b.serial, "every print its own serial");
    assert_eq!(a.digest.len(), 12);
    s.doc_correct(
        d.id,
        &ev(json!({"field": "title", "value": "摘要测试（更正）", "reason": "笔误"})),
    )
    .unwrap();
    let c = s.print(&request("doc-borrow", &[d.id])).unwrap().job;
    assert_ne!(a.digest, c.digest, "changed data, changed digest");
    // A paper copy matched to the vault: the old print no longer matches, the new one does.
    let old = s.print_check(&a.serial).unwrap();
    assert!(!old.unchanged);
    assert_eq!(old.job.digest, a.digest);
    assert_eq!(old.current_digest, c.digest);
    assert!(s.print_check(&c.serial.to_lowercase()).unwrap().unchanged);
    let e = s.print_check("P2026-999999").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("serial"));
    // A listing is checked under the same filters and order it was printed with.
    let list = PrintRequest {
        form: "doc-list".into(),
        query: Some(ev(
            json!({"level": "秘密", "sort": "title", "desc": false, "offset": 0, "limit": 1}),
        )),
        ..Default::default()
    };
    let l = s.print(&list).unwrap().job;
    assert!(s.print_check(&l.serial).unwrap().unchanged);
    add(&mut s, "新登记的秘密文件", "秘密", "王五", "1号保密柜");
    assert!(
        !s.print_check(&l.serial).unwrap().unchanged,
        "a new row changes the listing"
    );
}

#[test]
fn bad_requests_are_refused_with_the_field_named_and_nothing_logged() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let d = add(&mut s, "甲", "秘密", "王五", "1号保密柜");
    let e = add(&mut s, "乙", "秘密", "王五", "1号保密柜");
    let cases: Vec<(PrintRequest, &str)> = vec![
        (request("doc-nothing", &[d.id]), "form"),
        (request("doc-borrow", &[]), "ids"),
        (request("doc-borrow", &[d.id, e.id]), "ids"),
        (
            PrintRequest {
                event: Some(999),
                ..request("doc-borrow", &[d.id])
            },
            "event",
        ),
        (
            PrintRequest {
                form: "doc-reconcile".into(),
                ..Default::default()
            },
            "reconciliation",
        ),
    ];
    for (req, field) in cases {
        let err = s.print(&req).err().unwrap();
        assert_eq!(err.field.as_deref(), Some(field), "{}", err.message);
    }
    let missing = s.print(&request("doc-borrow", &[424242])).err().unwrap();
    assert_eq!(missing.code, Code::NotFound);
    assert_eq!(s.print_log(&PrintLogQuery::default()).unwrap().total, 0);
}

#[test]
fn only_officers_print_and_only_the_administrator_changes_templates() {
    let f = Fixture::new();
    f.add_business_account("chayue", "查阅员", Role::Reader, "Reader#12345");
    let mut officer = f.login(OFFICER);
    let d = add(&mut officer, "甲", "秘密", "王五", "1号保密柜");
    assert!(officer.print_templates().is_err());
    drop(officer);
    let mut reader = f.login(("chayue", "Reader#12345"));
    assert_eq!(
        reader
            .print(&request("doc-borrow", &[d.id]))
            .err()
            .unwrap()
            .code,
        Code::Permission
    );
    assert!(reader.print_log(&PrintLogQuery::default()).is_err());
    drop(reader);
    let mut admin = f.login(ADMIN);
    assert_eq!(
        admin
            .print(&request("doc-borrow", &[d.id]))
            .err()
            .unwrap()
            .code,
        Code::Permission
    );
    assert_eq!(admin.print_templates().unwrap().len(), 16);
}

#[test]
fn a_broken_template_or_a_missing_font_is_refused_and_changes_nothing() {
    let f = Fixture::new();
    let mut admin = f.login(ADMIN);
    let original = admin.print_template_source("doc-borrow.typ").unwrap();
    // A syntax error: refused with the file and the line.
    let broken = original.replace(
        "#form-title(d, \"涉密载体借阅单\")",
        "#form-title(d, \"涉密载体借阅单\"",
    );
    let e = admin
        .print_set_template("doc-borrow.typ", &broken)
        .err()
        .unwrap();
    assert_eq!(e.field.as_deref(), Some("template"));
    assert!(e.message.contains("doc-borrow.typ 第"), "{}", e.message);
    // A key the data does not have.
    let unknown = original.replace("val(d.borrower)", "val(d.borrower_name)");
    let e = admin
        .print_set_template("doc-borrow.typ", &unknown)
        .err()
        .unwrap();
    assert!(e.message.contains("borrower_name"), "{}", e.message);
    // A font that is not installed: typst would fall back silently; here it is an error.
    let fangsong = original.replace(
        "#show: page-setup.with(d)",
        "#show: page-setup.with(d)\n#set text(font: \"FangSong_GB2312\")",
    );
    let e = admin
        .print_set_template("doc-borrow.typ", &fangsong)
        .err()
        .unwrap();
    // (typst matches family names in lower case, and says so.)
    assert!(
        e.message.to_lowercase().contains("fangsong_gb2312") && e.message.contains("不存在"),
        "{}",
        e.message
    );
    let e = admin
        .print_set_fonts(&ev(
            json!({"body": "FangSong_GB2312", "title": "WenQuanYi Micro Hei"}),
        ))
        .err()
        .unwrap();
    assert_eq!(e.field.as_deref(), Some("body"));
    assert!(e.message.contains("不存在"));
    // Unknown template names and garbage fonts.
    assert_eq!(
        admin
            .print_set_template("evil.typ", &original)
            .err()
            .unwrap()
            .field
            .as_deref(),
        Some("name")
    );
    assert_eq!(
        admin
            .print_add_font("fake.ttf", b"not a font".to_vec())
            .err()
            .unwrap()
            .field
            .as_deref(),
        Some("font")
    );
    assert_eq!(
        admin
            .print_add_font("fake.exe", b"x".to_vec())
            .err()
            .unwrap()
            .field
            .as_deref(),
        Some("name")
    );
    // Nothing changed.
    assert!(admin.print_templates().unwrap().iter().all(|t| !t.custom));
    assert_eq!(admin.print_fonts().unwrap().files.len(), 2);
    assert_eq!(
        admin.print_template_source("doc-borrow.typ").unwrap(),
        original
    );
}

#[test]
fn a_units_template_and_font_are_kept_in_the_vault_and_used() {
    let f = Fixture::new();
    let mut admin = f.login(ADMIN);
    let original = admin.print_template_source("doc-borrow.typ").unwrap();
    let adapted = original.replace("涉密载体借阅单\")", "涉密载体借阅登记单\")");
    assert_ne!(adapted, original);
    let info = admin
        .print_set_template("doc-borrow.typ", &adapted)
        .unwrap();
    assert!(info.custom);
    let font = std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
        .expect("fonts-dejavu-core (scripts/setup.sh installs it)");
    let added = admin.print_add_font("DejaVuSans.ttf", font).unwrap();
    assert_eq!(added.families, ["DejaVu Sans"]);
    admin
        .print_set_fonts(&ev(
            json!({"body": "DejaVu Sans", "title": "WenQuanYi Micro Hei"}),
        ))
        .unwrap();
    let e = admin.print_remove_font("DejaVuSans.ttf").err().unwrap();
    assert_eq!(e.code, Code::Rule, "a font in use stays");
    drop(admin);

    let mut s = f.login(OFFICER);
    let d = add(&mut s, "模板测试", "秘密", "王五", "1号保密柜");
    let p = s.print(&request("doc-borrow", &[d.id])).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (pdf, pages) = saved(&p, tmp.path());
    assert_has(&pages, &["涉密载体借阅登记单", "模板测试"], "adapted");
    let fonts = assert_fonts_embedded(&pdf);
    assert!(fonts.iter().any(|n| n.contains("DejaVuSans")), "{fonts:?}");
    drop(s);

    // The font file lives inside the encrypted vault, nowhere else.
    let marker = b"DejaVu Sans";
    for (name, bytes) in all_vault_bytes(&f.dir) {
        assert!(!contains(&bytes, marker), "font name readable in {name}");
    }
    let mut admin = f.login(ADMIN);
    admin
        .print_set_fonts(&ev(
            json!({"body": "AR PL SungtiL GB", "title": "WenQuanYi Micro Hei"}),
        ))
        .unwrap();
    admin.print_remove_font("DejaVuSans.ttf").unwrap();
    admin.print_reset_template("doc-borrow.typ").unwrap();
    assert_eq!(
        admin.print_template_source("doc-borrow.typ").unwrap(),
        original
    );
    drop(admin);
    let mut auditor = f.login(AUDITOR);
    let actions: Vec<String> = auditor
        .audit_list(&ev(json!({ "limit": 200 })))
        .unwrap()
        .rows
        .into_iter()
        .map(|e| e.action)
        .collect();
    for a in [
        "print_template_set",
        "print_font_add",
        "print_fonts_set",
        "print_font_remove",
        "print_template_reset",
    ] {
        assert!(actions.iter().any(|x| x == a), "{a} not audited");
    }
}

#[test]
fn the_desktop_keeps_printouts_for_preview_and_output_only_while_signed_in() {
    let f = Fixture::new();
    let app = baomi::app::App::new(
        f.dir.clone(),
        std::sync::Arc::new(f.clock.clone()),
        f.options(),
    );
    app.login(OFFICER.0, secret(OFFICER.1)).unwrap();
    let d = app
        .doc_add(json!({"title": "预览测试", "level": "秘密", "scope": ["办公室"], "carrier_type": "纸质文件",
                        "custodian": "王五", "received_on": "2026-11-01"}))
        .unwrap();
    let e = app
        .print(json!({"form": "doc-borrow", "ids": [d.id], "colour": true}))
        .unwrap_err();
    assert!(
        e.message.contains("colour"),
        "unknown fields are refused: {}",
        e.message
    );
    let job = app
        .print(json!({"form": "doc-borrow", "ids": [d.id]}))
        .unwrap();
    let page = app.print_page(&job.serial, 0, 1.0).unwrap();
    assert!(page.starts_with("data:image/png;base64,"));
    // 595 × 842 pt at 1 px/pt: a real A4 page image, not a placeholder.
    assert!(page.len() > 10_000, "{}", page.len());
    assert_eq!(
        app.print_page(&job.serial, 1, 1.0).unwrap_err().code,
        Code::NotFound
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("借阅单.pdf");
    app.print_save(&job.serial, &out).unwrap();
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"));
    app.print_sent(&job.serial).unwrap();
    assert!(
        std::fs::read_dir(tmp.path()).unwrap().count() == 1,
        "no temporary file left"
    );
    app.lock(false).unwrap();
    app.login(OFFICER.0, secret(OFFICER.1)).unwrap();
    // A new session does not see the old session's printouts.
    assert_eq!(
        app.print_page(&job.serial, 0, 1.0).unwrap_err().code,
        Code::NotFound
    );
    app.lock(false).unwrap();
    let mut auditor = f.login(AUDITOR);
    let actions: Vec<String> = auditor
        .audit_list(&ev(json!({ "text": job.serial.clone(), "limit": 50 })))
        .unwrap()
        .rows
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        ["print", "print_save", "print_send"]
            .iter()
            .all(|a| actions.iter().any(|x| x == a)),
        "{actions:?}"
    );
}

// ---- The device ledger's forms ----

fn device(s: &mut Session, v: serde_json::Value) -> baomi::registers::devices::DeviceView {
    s.device_add(&ev(v)).unwrap()
}

fn laptop() -> serde_json::Value {
    json!({
        "kind": "便携式计算机", "name": "联想昭阳笔记本", "model": "Lenovo K4e",
        "serial": "PF2K3ZQ1", "storage_serials": ["S4EWNF0M123456"], "classified": true,
        "level": "机密", "label_no": "BM-2026-017", "department": "办公室", "custodian": "王五",
        "location": "1号保密柜", "in_service_on": "2026-01-05", "three_in_one": true,
        "wireless_removed": true, "label_affixed": true
    })
}

fn desktop(label: &str) -> serde_json::Value {
    json!({
        "kind": "台式计算机", "name": "涉密计算机", "model": "长城 TN12", "serial": format!("GW-{label}"),
        "storage_serials": [format!("HD-{label}")], "classified": true, "level": "秘密",
        "label_no": label, "department": "办公室", "custodian": "王五", "location": "机要室",
        "in_service_on": "2026-02-01", "three_in_one": true, "wireless_removed": true,
        "label_affixed": true
    })
}

/// The id of the `n`-th event of `kind` in the device's timeline (from 0).
fn event_id(s: &mut Session, id: i64, kind: &str, n: usize) -> i64 {
    s.device_show(id)
        .unwrap()
        .history
        .unwrap()
        .iter()
        .filter(|e| e.kind == kind)
        .nth(n)
        .unwrap()
        .id
}

#[test]
fn every_device_form_prints_every_value_with_embedded_fonts_and_its_reference_look() {
    let f = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let mut s = f.login(OFFICER);
    let l = device(&mut s, laptop());
    // A check-out with its return check, then a second one still open.
    s.device_act(
        l.id,
        "checkout",
        json!({"user": "王五", "reason": "赴省局汇报工作", "destination": "省国家保密局",
               "out_on": "2026-11-10", "due_on": "2026-11-13", "max_level": "秘密",
               "security_officer": "赵安全", "security_officer_on": "2026-11-09",
               "leader": "孙局长", "leader_on": "2026-11-09",
               "ports_opened": "USB接口（投影仪）", "approval": "外审-2026-08"}),
    )
    .unwrap();
    s.device_act(
        l.id,
        "checkin",
        json!({"returned_on": "2026-11-12", "checked_by": "钱运维", "seals_intact": true,
               "no_unauthorized_connection": true, "ports_closed": true, "wiped": true}),
    )
    .unwrap();
    s.device_act(
        l.id,
        "checkout",
        json!({"user": "孙七", "reason": "参加培训", "destination": "市委党校",
               "out_on": "2026-11-20", "due_on": "2026-11-27", "max_level": "机密",
               "security_officer": "赵安全", "leader": "孙局长"}),
    )
    .unwrap();
    let first = event_id(&mut s, l.id, "checked_out", 0);
    check_form(
        &mut s,
        &PrintRequest {
            event: Some(first),
            ..request("device-checkout", &[l.id])
        },
        &[
            &l.serial,
            "BM-2026-017",
            "联想昭阳笔记本",
            "便携式计算机",
            "Lenovo K4e",
            "PF2K3ZQ1",
            "S4EWNF0M123456",
            "机密",
            "王五",
            "办公室",
            "赴省局汇报工作",
            "省国家保密局",
            "2026年11月10日",
            "2026年11月13日",
            "秘密",
            "USB接口（投影仪）",
            "赵安全",
            "孙局长",
            "2026年11月9日",
            "外审-2026-08",
            "使用人（签字）",
            "安全保密负责人（签字）",
            "领导（签字）",
            "归还检查",
            "2026年11月12日",
            "钱运维",
            "封条完好",
            "未违规连接",
            "端口已关闭",
            "信息已消除",
        ],
        tmp.path(),
    );
    // By default: the check-out still open, with its return check blank.
    let p = s.print(&request("device-checkout", &[l.id])).unwrap();
    let (_, pages) = saved(&p, tmp.path());
    assert_has(
        &pages,
        &["孙七", "参加培训", "市委党校", "2026年11月27日"],
        "open check-out",
    );
    assert!(!squeeze(&pages.join("")).contains("钱运维"));

    // Maintenance: an external repair (storage out, then new disks), and a retirement.
    let d = device(&mut s, desktop("BM-2026-031"));
    s.device_act(
        d.id,
        "maintain",
        json!({"kind": "维修", "external": true, "performer": "某某电脑维修中心",
               "content": "主板故障，送外维修", "vendor_agreement": "BMXY-2026-03",
               "supervisors": ["赵安全", "钱运维"], "storage_removed": true,
               "storage_serial": "HD-BM-2026-031", "storage_kept_at": "2号保密柜",
               "approval": "维审-2026-02", "on": "2026-11-18"}),
    )
    .unwrap();
    s.device_act(
        d.id,
        "repaired",
        json!({"checked_by": "钱运维", "new_storage_serials": ["HD-NEW-0001"], "on": "2026-11-21"}),
    )
    .unwrap();
    check_form(
        &mut s,
        &request("device-maintenance", &[d.id]),
        &[
            &d.serial,
            "BM-2026-031",
            "涉密计算机",
            "台式计算机",
            "长城 TN12",
            "GW-BM-2026-031",
            "HD-NEW-0001",
            "■ 维修",
            "□ 淘汰",
            "■ 送外",
            "2026年11月18日",
            "主板故障，送外维修",
            "某某电脑维修中心",
            "BMXY-2026-03",
            "赵安全、钱运维",
            "HD-BM-2026-031",
            "2号保密柜",
            "钱运维2026年11月21日",
            "维审-2026-02",
            "维护淘汰负责人（签字）",
            "监督人员（安全保密、运行管理负责人）（签字）",
        ],
        tmp.path(),
    );
    let r = device(&mut s, desktop("BM-2026-032"));
    s.device_act(
        r.id,
        "maintain",
        json!({"kind": "淘汰", "performer": "钱运维", "supervisors": ["赵安全", "钱运维"],
               "storage_removed": true, "storage_serial": "HD-BM-2026-032",
               "destruction": {"unit": "市保密技术服务中心", "certificate_no": "XH-2026-17",
                               "on": "2026-11-19"}}),
    )
    .unwrap();
    let p = s.print(&request("device-maintenance", &[r.id])).unwrap();
    let (_, pages) = saved(&p, tmp.path());
    assert_has(
        &pages,
        &[
            "■ 淘汰",
            "□ 维修",
            "■ 本单位内部",
            "市保密技术服务中心",
            "XH-2026-17",
            "2026年11月19日",
            "HD-BM-2026-032",
        ],
        "retirement",
    );

    // Two changes: each form shows the values just before it.
    let t = device(&mut s, desktop("BM-2026-033"));
    s.device_act(
        t.id,
        "transfer",
        json!({"custodian": "李四", "department": "综合处", "location": "综合处保密柜",
               "wiped": true, "approval": "保领审〔2026〕5号", "on": "2026-11-15"}),
    )
    .unwrap();
    s.device_act(
        t.id,
        "transfer",
        json!({"custodian": "赵六", "approval": "保领审〔2026〕9号"}),
    )
    .unwrap();
    let first = event_id(&mut s, t.id, "transferred", 0);
    check_form(
        &mut s,
        &PrintRequest {
            event: Some(first),
            ..request("device-transfer", &[t.id])
        },
        &[
            &t.serial,
            "BM-2026-033",
            "涉密计算机",
            "GW-BM-2026-033",
            "HD-BM-2026-033",
            "秘密",
            "责任人王五李四",
            "使用部门办公室综合处",
            "放置地点机要室综合处保密柜",
            "2026年11月15日",
            "保领审〔2026〕5号",
            "原责任人（签字）",
            "新责任人（签字）",
            "保密工作领导小组审批意见",
        ],
        tmp.path(),
    );
    let p = s.print(&request("device-transfer", &[t.id])).unwrap();
    let (_, pages) = saved(&p, tmp.path());
    assert_has(
        &pages,
        &[
            "责任人李四赵六",
            "使用部门综合处综合处",
            "保领审〔2026〕9号",
        ],
        "second change",
    );
    // Every print logged under the device's ledger number.
    let found = s
        .print_log(&PrintLogQuery {
            query: Some(t.serial.clone()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.total, 2);
    assert!(found.rows.iter().all(|j| j.form == "device-transfer"));
    assert!(s.print_check(&found.rows[0].serial).unwrap().unchanged);
}

#[test]
fn a_blank_checkout_form_prints_before_the_check_out_is_recorded() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    let l = device(&mut s, laptop());
    let tmp = tempfile::tempdir().unwrap();
    let blank = |s: &mut Session, form: &str| {
        let p = s.print(&request(form, &[l.id])).unwrap();
        let (_, pages) = saved(&p, tmp.path());
        pages
    };
    let pages = blank(&mut s, "device-checkout");
    // The device's facts are printed; the person, dates and signatures are left blank.
    assert_has(
        &pages,
        &[
            &l.serial,
            "BM-2026-017",
            "联想昭阳笔记本",
            "机密",
            "年月日",
            "使用人（签字）",
            "领导（签字）",
            "归还检查",
        ],
        "blank",
    );
    assert!(!squeeze(&pages[0]).contains("2026年11月"));
    // Back from a check-out, the next one gets a blank form again (the past one by its event).
    s.device_act(
        l.id,
        "checkout",
        json!({"user": "孙七", "reason": "参加培训", "destination": "市委党校",
               "out_on": "2026-11-20", "due_on": "2026-11-21",
               "security_officer": "赵安全", "leader": "孙局长"}),
    )
    .unwrap();
    s.device_act(l.id, "checkin", json!({"checked_by": "钱运维"}))
        .unwrap();
    assert!(!squeeze(&blank(&mut s, "device-checkout").join("")).contains("孙七"));
    // A blank maintenance record and a blank change form (old values: the current ones).
    assert_has(
        &blank(&mut s, "device-maintenance"),
        &["□ 维修", "□ 改作非涉密", "维护淘汰负责人（签字）"],
        "blank maintenance",
    );
    assert_has(
        &blank(&mut s, "device-transfer"),
        &["责任人王五", "使用部门办公室", "放置地点1号保密柜"],
        "blank change",
    );
}

#[test]
fn the_device_listing_is_landscape_with_filters_and_the_highest_level_on_every_page() {
    let f = Fixture::new();
    let mut s = f.login(OFFICER);
    for i in 0..60 {
        let mut d = desktop(&format!("BM-2026-{i:03}"));
        d["name"] = json!(format!("台账测试计算机{i:03}"));
        if i == 9 {
            d["level"] = json!("机密");
        }
        device(&mut s, d);
    }
    let mut other = desktop("BM-2026-900");
    other["level"] = json!("绝密");
    other["department"] = json!("综合处");
    other["name"] = json!("别处的计算机");
    device(&mut s, other);
    let mut plain = desktop("");
    plain["classified"] = json!(false);
    plain["level"] = json!(null);
    plain["name"] = json!("非涉密打印机");
    plain["kind"] = json!("打印机");
    device(&mut s, plain);
    let req = PrintRequest {
        form: "device-list".into(),
        query: Some(json!({"department": "办公室", "sort": "serial", "desc": false})),
        ..Default::default()
    };
    let p = s.print(&req).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (pdf, pages) = saved(&p, tmp.path());
    assert!(pages.len() >= 2, "61 rows take more than one page");
    assert_has(
        &pages,
        &[
            "涉密信息设备台账",
            UNIT,
            "使用部门：办公室",
            "共 61 台（件）",
            "2026年11月22日",
            "台账测试计算机000",
            "台账测试计算机059",
            "非涉密打印机",
            "非密",
            "BM-2026-059",
            "GW-BM-2026-059、",
            "HD-BM-2026-059",
            "长城 TN12",
            "机要室",
            "2026-02-01",
            "在用",
        ],
        "device-list",
    );
    assert!(!squeeze(&pages.join("")).contains("别处的计算机"));
    for (i, page) in pages.iter().enumerate() {
        let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
        // The highest level listed (机密, not the unlisted 绝密) at the top and the bottom.
        assert_eq!(
            lines.first().map(|l| l.trim()),
            Some("机密"),
            "top of page {}",
            i + 1
        );
        assert!(
            lines.last().unwrap().contains("机密"),
            "bottom of page {}",
            i + 1
        );
        let flat = squeeze(page);
        assert!(flat.contains(&p.job.serial) && flat.contains(&p.job.digest));
        assert!(flat.contains(&format!("第{}页共{}页", i + 1, pages.len())));
    }
    let info = tool("pdfinfo", &[pdf.to_str().unwrap()]);
    let size = info.lines().find(|l| l.starts_with("Page size:")).unwrap();
    assert!(size.contains("841.89 x 595.2"), "{size}");
    assert_fonts_embedded(&pdf);
    assert_looks_like_reference(&pdf, "device-list", tmp.path());
    assert!(p.job.subject.contains("使用部门：办公室"));
    // Checked later under the same filters.
    assert!(s.print_check(&p.job.serial).unwrap().unchanged);
    device(&mut s, desktop("BM-2026-950"));
    assert!(!s.print_check(&p.job.serial).unwrap().unchanged);
    // A carrier filter is not a device filter.
    let e = s
        .print(&PrintRequest {
            form: "device-list".into(),
            query: Some(json!({"received_from": "2026-01-01"})),
            ..Default::default()
        })
        .err()
        .unwrap();
    assert_eq!(e.field.as_deref(), Some("received_from"), "{}", e.message);
}

#[test]
fn device_forms_refuse_a_wrong_event_or_several_devices_and_only_officers_print_them() {
    let f = Fixture::new();
    f.add_business_account("chayue", "查阅员", Role::Reader, "Reader#12345");
    let mut s = f.login(OFFICER);
    let a = device(&mut s, desktop("BM-2026-001"));
    let b = device(&mut s, desktop("BM-2026-002"));
    let registered = event_id(&mut s, a.id, "registered", 0);
    let cases: Vec<(PrintRequest, &str)> = vec![
        (request("device-checkout", &[a.id, b.id]), "ids"),
        (request("device-transfer", &[]), "ids"),
        (
            PrintRequest {
                event: Some(registered),
                ..request("device-maintenance", &[a.id])
            },
            "event",
        ),
    ];
    for (req, field) in cases {
        let err = s.print(&req).err().unwrap();
        assert_eq!(err.field.as_deref(), Some(field), "{}", err.message);
    }
    let e = s
        .print(&request("device-checkout", &[424242]))
        .err()
        .unwrap();
    assert_eq!(e.code, Code::NotFound);
    assert_eq!(s.print_log(&PrintLogQuery::default()).unwrap().total, 0);
    drop(s);
    let mut reader = f.login(("chayue", "Reader#12345"));
    for form in ["device-checkout", "device-maintenance", "device-transfer"] {
        let e = reader.print(&request(form, &[a.id])).err().unwrap();
        assert_eq!(e.code, Code::Permission, "{form}");
    }
    let list = PrintRequest {
        form: "device-list".into(),
        ..Default::default()
    };
    assert_eq!(reader.print(&list).err().unwrap().code, Code::Permission);
    drop(reader);
    let mut admin = f.login(ADMIN);
    assert_eq!(admin.print(&list).err().unwrap().code, Code::Permission);
    let forms = baomi::print::forms();
    let device_forms: Vec<&str> = forms
        .iter()
        .filter(|f| f.register == "device")
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(
        device_forms,
        [
            "device-checkout",
            "device-maintenance",
            "device-transfer",
            "media-lend",
            "device-list"
        ]
    );
    assert!(forms
        .iter()
        .filter(|f| f.id.starts_with("doc-"))
        .all(|f| f.register == "doc"));
}

#[test]
fn device_forms_print_through_the_cli() {
    let f = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    {
        let mut s = f.login(OFFICER);
        let l = device(&mut s, laptop());
        s.device_act(
            l.id,
            "checkout",
            json!({"user": "王五", "reason": "汇报", "destination": "省局", "due_on": "2026-11-25",
                   "security_officer": "赵安全", "leader": "孙局长"}),
        )
        .unwrap();
        let d = device(&mut s, desktop("BM-2026-031"));
        s.device_act(
            d.id,
            "maintain",
            json!({"kind": "保养", "performer": "钱运维", "supervisors": ["赵安全"]}),
        )
        .unwrap();
        s.device_act(
            d.id,
            "transfer",
            json!({"custodian": "李四", "approval": "保领审〔2026〕5号"}),
        )
        .unwrap();
    }
    let run = |args: &[&str]| {
        let o = crate::cli::baomi(&f.dir, Some(OFFICER), args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    let forms = run(&["--json", "print", "forms"]);
    assert!(forms
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == "device-checkout" && f["register"] == "device"));
    // By 保密编号, by ledger number, by id.
    for (form, key, subject) in [
        ("device-checkout", "BM-2026-017", "SB-2026-0001"),
        ("device-maintenance", "SB-2026-0002", "SB-2026-0002"),
        ("device-transfer", "2", "SB-2026-0002"),
    ] {
        let out = tmp.path().join(format!("{form}.pdf"));
        let job = run(&["--json", "print", form, key, "--out", out.to_str().unwrap()]);
        assert_eq!(
            (job["form"].as_str(), job["subject"].as_str()),
            (Some(form), Some(subject))
        );
        assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF"));
    }
    let event = {
        let mut s = f.login(OFFICER);
        event_id(&mut s, 1, "checked_out", 0).to_string()
    };
    let out = tmp.path().join("by-event.pdf");
    run(&[
        "--json",
        "print",
        "device-checkout",
        "1",
        "--event",
        &event,
        "--out",
        out.to_str().unwrap(),
    ]);
    let list = tmp.path().join("devices.pdf");
    let o = crate::cli::baomi(
        &f.dir,
        Some(OFFICER),
        &[
            "print",
            "list",
            "device",
            "--level",
            "机密",
            "--out",
            list.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        said.contains("涉密信息设备台账") && said.contains("密级：机密（1 台）"),
        "{said}"
    );
    let text = tool("pdftotext", &[list.to_str().unwrap(), "-"]);
    assert!(
        text.contains("SB-2026-0001") && !text.contains("SB-2026-0002"),
        "{text}"
    );
    // A listing is not printed as a form.
    let o = crate::cli::baomi(
        &f.dir,
        Some(OFFICER),
        &["print", "device-list", "1", "--out", list.to_str().unwrap()],
    );
    assert!(!o.status.success());
}

#[test]
fn device_templates_pass_the_test_render_and_a_wrong_key_is_refused() {
    let f = Fixture::new();
    let mut admin = f.login(ADMIN);
    // Each device template, and common.typ (rendered with every form), with the sample data.
    for name in [
        "device-checkout.typ",
        "device-maintenance.typ",
        "device-transfer.typ",
        "media-lend.typ",
        "device-list.typ",
        "common.typ",
    ] {
        let source = admin.print_template_source(name).unwrap();
        let info = admin
            .print_set_template(name, &format!("{source}\n// 本单位修改\n"))
            .unwrap_or_else(|e| panic!("{name}: {}", e.message));
        assert!(info.custom);
        admin.print_reset_template(name).unwrap();
    }
    let list = admin.print_template_source("device-list.typ").unwrap();
    let e = admin
        .print_set_template(
            "device-list.typ",
            &list.replace("r.in_service_on, r.status", "r.received_on, r.status"),
        )
        .err()
        .unwrap();
    assert!(
        e.message.contains("涉密信息设备台账") && e.message.contains("received_on"),
        "{}",
        e.message
    );
}

#[test]
fn a_mediums_loans_print_on_its_loan_register() {
    let f = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let mut s = f.login(OFFICER);
    let computer = device(&mut s, desktop("BM-2026-031"));
    let medium = device(
        &mut s,
        json!({
            "kind": "移动存储介质", "name": "专用U盘", "model": "朗科 U208", "serial": "U-0001",
            "classified": true, "level": "秘密", "label_no": "BM-U-001", "department": "办公室",
            "custodian": "王五", "in_service_on": "2026-03-01"
        }),
    );
    s.device_act(
        medium.id,
        "lend",
        json!({"borrower": "孙七", "computer": "BM-2026-031", "max_level": "秘密",
               "due_on": "2026-11-21", "on": "2026-11-20", "approval": "借-2026-04"}),
    )
    .unwrap();
    s.device_act(
        medium.id,
        "give_back",
        json!({"wiped": true, "on": "2026-11-21"}),
    )
    .unwrap();
    s.device_act(
        medium.id,
        "lend",
        json!({"borrower": "李四", "computer": computer.serial, "due_on": "2026-11-30"}),
    )
    .unwrap();
    let p = check_form(
        &mut s,
        &request("media-lend", &[medium.id]),
        &[
            &medium.serial,
            "BM-U-001",
            "专用U盘",
            "朗科 U208",
            "U-0001",
            "秘密",
            "王五",
            "2026-11-20",
            "孙七",
            &computer.serial,
            "2026-11-21",
            "是",
            "李四",
            "2026-11-30",
            "使用的计算机",
        ],
        tmp.path(),
    );
    assert_eq!(p.job.subject, medium.serial);
    // Only a removable medium has a loan register.
    let e = s
        .print(&request("media-lend", &[computer.id]))
        .err()
        .unwrap();
    assert_eq!(e.field.as_deref(), Some("ids"), "{}", e.message);
}

#[test]
fn every_personnel_form_prints_every_value_with_its_reference_look() {
    use baomi::registers::personnel::PersonInput;
    let f = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let mut s = f.login(OFFICER);
    let input: PersonInput = ev(json!({
        "name": "赵六", "department": "机要室", "post": "机要员", "class": "核心"
    }));
    let p = s.person_add(&input).unwrap();
    s.person_act(
        p.id,
        "review",
        json!({"result": "合格", "passed": true, "by": "人事处"}),
    )
    .unwrap();
    s.person_act(
        p.id,
        "train",
        json!({"content": "保密法", "hours": 4, "score": 95, "passed": true}),
    )
    .unwrap();

    // Before the letter is recorded: a blank 上岗 letter to sign, no date, the person's data.
    let blank = PrintRequest {
        kind: Some("上岗".into()),
        ..request("person-pledge", &[p.id])
    };
    let printed = s.print(&blank).unwrap();
    let (_, pages) = saved(&printed, tmp.path());
    let text = squeeze(&pages.join(""));
    assert!(
        text.contains("保密承诺书（上岗）") && text.contains("赵六"),
        "{text}"
    );
    assert!(
        text.contains("签订日期：年月日"),
        "the date is left blank: {text}"
    );
    // The print check rebuilds the same blank letter from the recorded request, kind included.
    assert!(s.print_check(&printed.job.serial).unwrap().unchanged);

    s.person_act(
        p.id,
        "pledge",
        json!({"kind": "上岗", "witness": "王五", "filed": true}),
    )
    .unwrap();
    check_form(
        &mut s,
        &request("person-pledge", &[p.id]),
        &[
            "保密承诺书（上岗）",
            "赵六",
            "机要室",
            "机要员",
            "核心涉密人员",
            "RY-2026-0001",
            "即将在涉密岗位工作",
            "2026年11月22日",
            "王五",
            "模板：内置模板",
        ],
        tmp.path(),
    );

    // A carrier handed on, a medium still held: the checklist shows both, one 未清退.
    let doc = add(
        &mut s,
        "关于做好机要工作的通知",
        "机密",
        "赵六",
        "机要室保密柜",
    );
    s.doc_act(doc.id, "distribute", json!({"to": "王五"}))
        .unwrap();
    let usb = device(
        &mut s,
        json!({
            "kind": "移动存储介质", "name": "机要专用U盘", "classified": true, "level": "秘密",
            "label_no": "BM-U-009", "department": "机要室", "custodian": "赵六",
            "in_service_on": "2026-03-01"
        }),
    );
    let list = check_form(
        &mut s,
        &request("person-handback", &[p.id]),
        &[
            "涉密人员离岗清退清单",
            &doc.serial,
            "关于做好机要工作的通知",
            &usb.serial,
            "机要专用U盘",
            "未清退",
            "共2项，其中未清退1项",
        ],
        tmp.path(),
    );
    let (_, pages) = saved(&list, tmp.path());
    assert!(
        pages[0].trim_start().starts_with("机密"),
        "the marking is the highest level listed: {}",
        pages[0]
    );

    s.device_act(
        usb.id,
        "transfer",
        json!({"custodian": "王五", "approval": "保领〔2026〕3号"}),
    )
    .unwrap();
    s.person_act(p.id, "offboard", json!({"kind": "调动", "witness": "王五"}))
        .unwrap();
    let leave = s.print(&request("person-pledge", &[p.id])).unwrap();
    let (_, pages) = saved(&leave, tmp.path());
    let text = squeeze(&pages.join(""));
    assert!(
        text.contains("保密承诺书（离岗）")
            && text.contains("因调动离开涉密岗位")
            && text.contains("为期36个月的脱密期管理"),
        "{text}"
    );
    let listing = PrintRequest {
        query: Some(json!({"class": "核心"})),
        ..request("person-list", &[])
    };
    check_form(
        &mut s,
        &listing,
        &[
            "涉密人员登记表",
            "类别：核心",
            "赵六",
            "机要室",
            "脱密期",
            "2029-11-21",
        ],
        tmp.path(),
    );
    // The person changed since the blank letter was printed: the paper no longer matches.
    assert!(!s.print_check(&printed.job.serial).unwrap().unchanged);
}

// ---- The auditor's checkpoint slip (a form of the system side) ----

/// Every line of a grouped hash is on the paper as printed (groups of four, eight a line).
fn assert_grouped(pages: &[String], hex: &str, what: &str) {
    for line in baomi::print::system::grouped(hex, 8) {
        assert_has(pages, &[line.as_str()], what);
    }
}

#[test]
fn the_auditors_checkpoint_slip_prints_seq_head_and_signature_under_the_core_frame() {
    let f = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let mut a = f.login(AUDITOR);
    let c = a.audit_checkpoint().unwrap();
    let p = a.audit_checkpoint_slip(c.seq).unwrap();
    assert_eq!(p.job.serial, format!("C{}", c.seq));
    assert_eq!(p.job.form, "checkpoint-slip");
    assert_eq!(
        p.job.digest,
        baomi::print::system::checkpoint_digest(a.vault_id(), &c)
    );
    let (pdf, pages) = saved(&p, tmp.path());
    assert_eq!(pages.len(), 1);
    assert_has(
        &pages,
        &[
            UNIT,
            "审计日志检查点单",
            &format!("审计日志第{}条", c.seq),
            &c.fingerprint(),
            &c.at,
            "钱审计",
            AUDITOR.0,
            &c.signer[..4],
            "安全审计员（签字）",
            "年月日",
            &format!("baomi audit verify --checkpoint {}:", c.seq),
            "对照纸质检查点校验",
        ],
        "checkpoint-slip",
    );
    assert_grouped(&pages, a.vault_id(), "vault id");
    assert_grouped(&pages, &c.head, "head");
    assert_grouped(&pages, &c.sig, "signature");
    assert_grouped(&pages, &c.signer, "public key");
    // The core's frame: marking, serial, digest, page x / y.
    let flat = squeeze(&pages[0]);
    for v in [
        "内部".to_string(),
        format!("打印编号：{}", p.job.serial),
        format!("数据摘要：{}", p.job.digest),
        "第1页共1页".to_string(),
    ] {
        assert!(flat.contains(&v), "{v} missing:\n{}", pages[0]);
    }
    assert_fonts_embedded(&pdf);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&pdf).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }

    // Audited by sequence only: no head, no signature, no path.
    let page = a
        .audit_list(&ev(json!({ "action": "checkpoint_print" })))
        .unwrap();
    assert_eq!(page.total, 1);
    let e = &page.rows[0];
    assert_eq!(e.target, p.job.serial);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&e.detail).unwrap(),
        json!({ "seq": c.seq })
    );
    assert!(a.audit_verify().unwrap().intact);

    // No checkpoint there: nothing to print.
    assert_eq!(
        a.audit_checkpoint_slip(c.seq + 1000).err().unwrap().code,
        Code::NotFound
    );
}

/// The look of the slip, from fixed facts (a real checkpoint's hashes are random).
#[test]
fn the_checkpoint_slip_looks_like_its_reference() {
    let tmp = tempfile::tempdir().unwrap();
    let c = baomi::vault::audit::Checkpoint {
        seq: 1234,
        head: "3fa9".repeat(16),
        at: "2026-11-22T09:00:00Z".into(),
        auditor: AUDITOR.0.into(),
        signer: "5e6c".repeat(16),
        sig: "93ee".repeat(32),
    };
    let facts = baomi::print::system::SlipFacts {
        unit: UNIT,
        vault_id: "f0ca0acbd02477912ceffe6ebc764ee8",
        auditor_display: "钱审计",
        signed_local: "2026年11月22日 17:00:00".into(),
        printed_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
    };
    let p = baomi::print::system::checkpoint_slip(&facts, &c).unwrap();
    let (pdf, pages) = saved(&p, tmp.path());
    assert_has(
        &pages,
        &["C1234", "2026年11月22日17:00:00"],
        "checkpoint-slip",
    );
    assert_looks_like_reference(&pdf, "checkpoint-slip", tmp.path());
}

/// Only the auditor prints a slip, and no template or font of the 系统管理员's reaches it: the
/// slip is not among the replaceable templates, and a replaced `common.typ` is not used.
#[test]
fn only_the_auditor_prints_a_slip_and_the_units_templates_never_reach_it() {
    let f = Fixture::new();
    let seq = f.login(AUDITOR).audit_checkpoint().unwrap().seq;
    for who in [ADMIN, SECADMIN, OFFICER] {
        let e = f.login(who).audit_checkpoint_slip(seq).err().unwrap();
        assert_eq!(e.code, Code::Permission, "{who:?}: {}", e.message);
    }
    let mut admin = f.login(ADMIN);
    let e = admin
        .print_set_template(
            "checkpoint-slip.typ",
            "#let d = sys.inputs.data\n改过的检查点单",
        )
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("name"), "{}", e.message);
    assert!(e.message.contains("不能替换"), "{}", e.message);
    let common = admin.print_template_source("common.typ").unwrap();
    let changed = common.replace(
        "  set par(leading: 0.75em, justify: false)",
        "  set par(leading: 0.75em, justify: false)\n  [单位改过的公共模板]",
    );
    assert_ne!(changed, common);
    admin.print_set_template("common.typ", &changed).unwrap();
    drop(admin);
    let tmp = tempfile::tempdir().unwrap();
    let p = f.login(AUDITOR).audit_checkpoint_slip(seq).unwrap();
    let (_, pages) = saved(&p, tmp.path());
    assert!(
        !squeeze(&pages.join("")).contains("单位改过的公共模板"),
        "{}",
        pages.join("")
    );
    // The officer's forms do use it (the replacement was accepted and is in force).
    let mut o = f.login(OFFICER);
    let d = add(&mut o, "模板生效测试", "秘密", "王五", "1号柜");
    let borrow = o.print(&request("doc-borrow", &[d.id])).unwrap();
    let (_, pages) = saved(&borrow, tmp.path());
    assert!(squeeze(&pages.join("")).contains("单位改过的公共模板"));
}

/// The year-end statistics report: every register's tables on A4, the counts as the core
/// made them, under the core's frame; read by business accounts only, audited by year.
#[test]
fn the_year_end_statistics_print_every_table_with_its_counts() {
    let f = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let mut s = f.login(OFFICER);
    for level in ["机密", "秘密", "秘密"] {
        let input = baomi::input::from_value(json!({
            "title": "统计用文件", "level": level, "scope": ["办公室"], "carrier_type": "纸质文件",
            "custodian": "王五", "received_on": "2026-03-01"
        }))
        .unwrap();
        s.doc_add(&input).unwrap();
    }
    let stats = s.stats(2026).unwrap();
    let p = s.year_stats_report(2026).unwrap();
    assert_eq!(p.job.form, "year-stats");
    assert!(p.job.serial.starts_with("TJ2026-"), "{}", p.job.serial);
    let (pdf, pages) = saved(&p, tmp.path());
    let all = pages.iter().map(|p| squeeze(p)).collect::<String>();
    for t in &stats.tables {
        assert!(all.contains(&squeeze(&t.title)), "{} missing", t.title);
    }
    let received = &stats.tables[0];
    let row = received.rows.iter().find(|r| r.total == 3).unwrap();
    assert!(all.contains(&squeeze(&row.label)), "{}", row.label);
    assert!(all.contains("年度保密工作统计表") && all.contains("内部"));
    assert_fonts_embedded(&pdf);
    drop(s);
    assert_eq!(
        f.login(ADMIN).year_stats_report(2026).err().unwrap().code,
        Code::Permission
    );
    let page = f
        .login(AUDITOR)
        .audit_list(&ev(json!({ "action": "stats_print" })))
        .unwrap();
    assert_eq!((page.total, page.rows[0].target.as_str()), (1, "2026"));
}

/// The unit-key sheet: the fingerprint and both public keys on paper under the core's frame,
/// only for the 保密员, audited by fingerprint.
#[test]
fn the_unit_key_sheet_prints_the_fingerprint_and_both_public_keys() {
    let f = Fixture::new();
    let tmp = tempfile::tempdir().unwrap();
    let mut s = f.login(OFFICER);
    let card = s.unit_key().unwrap();
    let p = s.unit_key_sheet().unwrap();
    assert_eq!(p.job.form, "unit-key-sheet");
    assert!(p.job.serial.starts_with('K'));
    let (pdf, pages) = saved(&p, tmp.path());
    assert_eq!(pages.len(), 1);
    assert_has(
        &pages,
        &[
            UNIT,
            "单位数据交换密钥登记单",
            &card.fingerprint.replace('-', ""),
            "对方单位核对人（签字）",
            "baomi unit key export",
        ],
        "unit-key-sheet",
    );
    assert_grouped(&pages, &card.signing_pub, "signing key");
    assert_grouped(&pages, &card.agreement_pub, "agreement key");
    let flat = squeeze(&pages[0]);
    for v in [
        "内部".to_string(),
        format!("打印编号：{}", p.job.serial),
        format!("数据摘要：{}", p.job.digest),
    ] {
        assert!(flat.contains(&v), "{v} missing:\n{}", pages[0]);
    }
    assert_fonts_embedded(&pdf);
    drop(s);
    assert_eq!(
        f.login(ADMIN).unit_key_sheet().err().unwrap().code,
        Code::Permission
    );
    let page = f
        .login(AUDITOR)
        .audit_list(&ev(json!({ "action": "unit_key_print" })))
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.rows[0].target, card.fingerprint);
}
