//! `make bench`: an officer's Excel ledger of 100,000 carriers. Builds the sheet as offices
//! keep it (序号, 登记编号, 文件名称, 密级★期限, 份数, 份号, 保管人, 收文日期 as Excel dates,
//! 知悉范围, 载体类型), then times, in the same run and on the same file:
//! `Session::import_sheet` as a dry run (read, map, check and register every row, rolled
//! back; a rehearsal makes no search tokens), the real import into a fresh vault (one
//! transaction), and LibreOffice converting the file to CSV (`soffice --headless --convert-to
//! csv`, Debian's `libreoffice-calc-nogui`): the yardstick, run once after each real import so
//! that each pair is measured side by side and the ratio is the median of the pairs'. Target:
//! the import as fast as LibreOffice or faster. Also times reading the file alone (row by row,
//! as the import reads it) and exporting the 100,000 records back to `.xlsx`. Without `soffice`
//! the yardstick is skipped with a note. `BAOMI_BENCH_ROWS` changes the row count;
//! `BAOMI_BENCH_ONLY=import` (or `dry`) runs one real import (or dry run) and nothing else (for
//! profiling).

// A benchmark aborts on any failure: that is the point of it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod seed;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use baomi::clock::SystemClock;
use baomi::excel::{SheetOptions, SheetReport};
use baomi::registers::documents::{Documents, Level};
use baomi::vault::{self, Session};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const HEADERS: [&str; 10] = [
    "序号",
    "登记编号",
    "文件名称",
    "密级",
    "份数",
    "份号",
    "保管人",
    "收文日期",
    "知悉范围",
    "载体类型",
];
const TITLES: [&str; 12] = [
    "关于加强涉密载体管理工作的通知",
    "保密工作领导小组会议纪要",
    "信息系统分级保护实施方案",
    "年度保密检查情况通报",
    "保密宣传教育活动意见",
    "涉密人员管理办法细则",
    "关于开展保密自查自评的通知",
    "定密工作规范",
    "重要会议保密工作方案",
    "涉密计算机使用管理规定",
    "保密要害部门部位管理办法",
    "关于做好节假日期间保密工作的通知",
];
const SCOPES: [&str; 6] = [
    "办公室",
    "办公室、财务科",
    "局领导、办公室",
    "保密办",
    "综合科、法规科",
    "全体涉密人员",
];
const CARRIERS: [&str; 4] = ["纸质文件", "纸质文件", "光盘", "U盘"];

/// How many real imports run, each followed by one LibreOffice conversion.
const PAIRS: usize = 5;

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Each run's seconds, as the table in docs/BENCHMARKS.md gives them: the noise of a shared
/// machine shows.
fn each(v: &[Duration]) -> String {
    let s: Vec<String> = v.iter().map(|d| format!("{:.2}", secs(*d))).collect();
    s.join(", ")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The officer's sheet of `rows` carriers at `path`; each row's 登记编号 follows the default
/// pattern (`机-2025-000001`), unique by its row.
fn build_sheet(path: &Path, rows: u32) {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("涉密载体登记台账").unwrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let mut rng = seed::Rng(0x9E37_79B9_7F4A_7C15);
    let base = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap();
    for i in 1..=rows {
        let r = i;
        let received = base + chrono::Duration::days((rng.next() % 3600) as i64);
        let level = Level::ALL[(rng.next() % 5) as usize];
        let marked = match level.max_years() {
            Some(max) => format!("{}★{}年", level.label(), [5, 10, max][(i % 3) as usize]),
            None => level.label().to_string(),
        };
        let copies = 1 + (rng.next() % 3) as u32;
        let copy_numbers = if copies == 1 {
            "1".to_string()
        } else {
            format!("1-{copies}")
        };
        let title = format!("{}（{}）", rng.pick(&TITLES), i % 997);
        let custodian = format!("{}{}", rng.pick(&seed::SURNAMES), rng.pick(&seed::GIVEN));
        let serial = format!("{}-{}-{i:06}", level.short(), received.year());
        ws.write_number(r, 0, f64::from(i)).unwrap();
        ws.write_string(r, 1, &serial).unwrap();
        ws.write_string(r, 2, &title).unwrap();
        ws.write_string(r, 3, &marked).unwrap();
        ws.write_number(r, 4, f64::from(copies)).unwrap();
        ws.write_string(r, 5, &copy_numbers).unwrap();
        ws.write_string(r, 6, &custodian).unwrap();
        let d = ExcelDateTime::from_ymd(
            received.year() as u16,
            received.month() as u8,
            received.day() as u8,
        )
        .unwrap();
        ws.write_datetime_with_format(r, 7, &d, &date).unwrap();
        ws.write_string(r, 8, rng.pick(&SCOPES)).unwrap();
        ws.write_string(r, 9, rng.pick(&CARRIERS)).unwrap();
    }
    book.save(path).unwrap();
}

fn login(dir: &Path, opts: &vault::Options) -> Session {
    vault::login(
        dir,
        seed::OFFICER.0,
        seed::OFFICER.1,
        Arc::new(SystemClock),
        opts,
    )
    .expect("login")
}

/// One import of `sheet`: its wall time, and how long it took to reach the first row's
/// registration (reading the file, finding the header, reading every row's cells).
fn import(s: &mut Session, sheet: &Path, dry_run: bool) -> (Duration, Duration, SheetReport) {
    let options = SheetOptions {
        dry_run,
        ..SheetOptions::default()
    };
    let t = Instant::now();
    let mut first = None;
    let report = s
        .import_sheet::<Documents>(sheet, &options, &mut |done, _| {
            if done == 0 && first.is_none() {
                first = Some(t.elapsed());
            }
        })
        .expect("import");
    let all = t.elapsed();
    (all, first.unwrap_or(all), report)
}

/// The `soffice` on the PATH, if any.
fn soffice() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("soffice"))
        .find(|p| p.is_file())
}

fn main() {
    let rows: u32 = std::env::var("BAOMI_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let tmp = tempfile::tempdir().expect("tmp");
    let sheet = tmp.path().join("涉密载体登记台账.xlsx");
    let t = Instant::now();
    build_sheet(&sheet, rows);
    let size = std::fs::metadata(&sheet).expect("sheet").len();
    println!(
        "built a sheet of {rows} carriers ({:.1} MB) in {:.1} s",
        size as f64 / 1e6,
        secs(t.elapsed())
    );

    // Reading alone: the file row by row, as the import reads it, three times.
    let mut reads = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let book = baomi::excel::read::open(&sheet).expect("open");
        let mut read = 0u32;
        book.stream(
            None,
            |_| {},
            |_| {
                read += 1;
                true
            },
        )
        .expect("read");
        reads.push(t.elapsed());
        assert_eq!(read, rows + 1);
    }
    let read = median(reads);

    // `BAOMI_BENCH_ONLY=import` (or `dry`): one real import (or dry run) and nothing else
    // (for profiling).
    let only = std::env::var("BAOMI_BENCH_ONLY").unwrap_or_default();
    if only == "import" || only == "dry" {
        let (dir, opts) = seed::vault(tmp.path(), "only", "甲市保密办");
        let mut s = login(&dir, &opts);
        let dry = only == "dry";
        let (all, parse, report) = import(&mut s, &sheet, dry);
        assert!(report.committed != dry, "{:?}", &report.errors);
        assert_eq!(report.imported, rows);
        println!(
            "{} {:.2} s, of which reading and mapping the rows {:.2} s; vault {:.1} MB",
            if dry { "dry run" } else { "import" },
            secs(all),
            secs(parse),
            seed::size(&dir) as f64 / 1e6
        );
        return;
    }
    // The dry run, three times in one vault (each rolls back).
    let (dir, opts) = seed::vault(tmp.path(), "dry", "甲市保密办");
    let mut s = login(&dir, &opts);
    let mut dry = Vec::new();
    let mut dry_parse = Vec::new();
    for _ in 0..3 {
        let (all, parse, report) = import(&mut s, &sheet, true);
        assert!(report.errors.is_empty(), "{:?}", &report.errors[..3]);
        assert_eq!(report.imported, rows);
        assert!(!report.committed);
        dry.push(all);
        dry_parse.push(parse);
    }
    let dry_runs = each(&dry);
    let (dry, dry_parse) = (median(dry), median(dry_parse));
    drop(s);

    // The yardstick: LibreOffice converting the same file to CSV, with its own profile (so
    // that no running LibreOffice takes the job); one untimed run creates the profile.
    let csv_dir = tmp.path().join("csv");
    let lo = soffice().map(|bin| {
        let profile = format!("file://{}", tmp.path().join("lo-profile").display());
        let (csv_dir, sheet) = (csv_dir.clone(), sheet.clone());
        let run = move || {
            let t = Instant::now();
            let status = Command::new(&bin)
                .arg(format!("-env:UserInstallation={profile}"))
                .args(["--headless", "--convert-to", "csv", "--outdir"])
                .arg(&csv_dir)
                .arg(&sheet)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("run soffice");
            assert!(status.success(), "soffice failed");
            t.elapsed()
        };
        let warm = run();
        (run, warm)
    });

    // The real import, each into a fresh vault, side by side with LibreOffice: each import is
    // followed by one conversion, so that the shared machine's slow and fast stretches (tens
    // of per cent within a minute) fall on both, and each pair gives a ratio of its own. The
    // last vault is exported.
    let mut real = Vec::new();
    let mut real_parse = Vec::new();
    let mut converted = Vec::new();
    let mut last = None;
    for run in 0..PAIRS {
        let (dir, opts) = seed::vault(tmp.path(), &format!("real-{run}"), "甲市保密办");
        let mut s = login(&dir, &opts);
        let (all, parse, report) = import(&mut s, &sheet, false);
        assert!(report.committed, "{:?}", &report.errors);
        assert_eq!(report.imported, rows);
        real.push(all);
        real_parse.push(parse);
        last = Some((s, dir));
        if let Some((convert, _)) = &lo {
            converted.push(convert());
        }
    }
    if lo.is_some() {
        let csv = csv_dir.join("涉密载体登记台账.csv");
        let lines = std::fs::read(&csv)
            .expect("soffice wrote no CSV")
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        assert_eq!(lines as u32, rows + 1, "soffice's CSV lines");
    }
    let ratios: Vec<f64> = real
        .iter()
        .zip(&converted)
        .map(|(r, c)| secs(*r) / secs(*c))
        .collect();
    let real_runs = each(&real);
    let (real, real_parse) = (median(real), median(real_parse));
    let (mut s, dir) = last.expect("imported");
    let vault_mb = seed::size(&dir) as f64 / 1e6;

    // Exporting the 100,000 records back to .xlsx, three times.
    let mut exports = Vec::new();
    let mut exported = None;
    for run in 0..3 {
        let out = tmp.path().join(format!("export-{run}.xlsx"));
        let t = Instant::now();
        let e =
            baomi::excel::export::<Documents>(&mut s, serde_json::json!({}), &out).expect("export");
        exports.push(t.elapsed());
        exported = Some((e, std::fs::metadata(&out).expect("out").len()));
    }
    let export = median(exports);
    let (exported, export_bytes) = exported.expect("exported");
    assert_eq!(exported.rows, rows);

    println!(
        "Excel import of {rows} carriers ({:.1} MB .xlsx):",
        size as f64 / 1e6
    );
    println!("  read alone (row by row, median of 3) {:.2} s", secs(read));
    println!(
        "  import dry run (read + check + register every row without its search tokens, rolled back; median of 3: {dry_runs}) {:.2} s, of which reading and mapping the rows {:.2} s",
        secs(dry),
        secs(dry_parse)
    );
    println!(
        "  import into a fresh vault (one transaction; median of {PAIRS}: {real_runs}) {:.2} s, of which reading and mapping the rows {:.2} s; vault {vault_mb:.1} MB",
        secs(real),
        secs(real_parse)
    );
    match lo {
        Some((_, warm)) => {
            let soffice = median(converted.clone());
            println!(
                "  soffice --headless --convert-to csv (after each import, median of {PAIRS} after one untimed run of {:.2} s: {}) {:.2} s",
                secs(warm),
                each(&converted),
                secs(soffice)
            );
            println!(
                "  ratio dry run/soffice {:.2} (target ≤ 1.00) {}",
                secs(dry) / secs(soffice),
                if dry <= soffice { "ok" } else { "OVER TARGET" }
            );
            let pairs: Vec<String> = ratios.iter().map(|r| format!("{r:.2}")).collect();
            let mut sorted = ratios.clone();
            sorted.sort_by(f64::total_cmp);
            let ratio = sorted[sorted.len() / 2];
            println!(
                "  ratio import/soffice, median of the {PAIRS} side-by-side pairs ({}) {ratio:.2} (target ≤ 1.00) {}",
                pairs.join(", "),
                if ratio <= 1.0 { "ok" } else { "OVER TARGET" }
            );
        }
        None => println!(
            "  soffice not found: LibreOffice comparison skipped (apt install libreoffice-calc-nogui, or scripts/setup.sh bench)"
        ),
    }
    println!(
        "Excel export of {rows} carriers (median of 3) {:.2} s ({:.1} MB .xlsx)",
        secs(export),
        export_bytes as f64 / 1e6
    );
}
