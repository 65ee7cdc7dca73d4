//! `make bench`: printing. Times `Session::print` — the core API the UI and CLI call, which
//! typesets, writes the PDF, logs and audits — for one form, warm (target: under 100 ms), and
//! for the carrier register's listing of 10,000 rows (target: under 5 s). `BAOMI_BENCH_ROWS`
//! changes the listing's row count.

// A benchmark aborts on any failure: that is the point of it.
#![allow(clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use baomi::clock::SystemClock;
use baomi::print::PrintRequest;
use baomi::vault::crypto::KdfParams;
use baomi::vault::db::Tuning;
use baomi::vault::marks::Marks;
use baomi::vault::{self, InitRequest, NewAccount, Options};

fn account(name: &str, password: &str) -> NewAccount {
    NewAccount {
        name: name.into(),
        display: name.into(),
        password: password.into(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let rows: usize = std::env::var("BAOMI_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("vault");
    let req = InitRequest {
        unit: "某某市国家保密局".into(),
        admin: account("sysadm", "Admin#12345"),
        secadmin: account("secadm", "Secad#12345"),
        auditor: account("audit1", "Audit#12345"),
        officer: Some(account("wangwu", "Offic#12345")),
    };
    let opts = Options {
        kdf: KdfParams::minimum(),
        tuning: Tuning::default(),
        marks: Marks::new(tmp.path().join("state")),
    };
    vault::init(&dir, &req, &opts, &SystemClock).expect("init");
    let mut s =
        vault::login(&dir, "wangwu", "Offic#12345", Arc::new(SystemClock), &opts).expect("login");

    let started = Instant::now();
    for i in 0..rows {
        let input = serde_json::json!({
            "title": format!("关于做好2026年度第{i}批涉密载体清查工作的通知"),
            "doc_no": format!("国保发〔2026〕{i}号"),
            "origin_unit": "国家保密局",
            "level": if i % 10 == 0 { "机密" } else { "秘密" },
            "scope": ["办公室"],
            "carrier_type": "纸质文件",
            "custodian": "王五",
            "location": "1号保密柜",
            "received_on": "2026-11-01",
        });
        s.doc_add(&baomi::input::from_value(input).expect("input"))
            .expect("add");
    }
    println!(
        "registered {rows} carriers in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // One form, warm: the first print builds the engine and parses the fonts.
    let form = PrintRequest {
        form: "doc-borrow".into(),
        ids: Some(vec![1]),
        ..Default::default()
    };
    let cold = Instant::now();
    s.print(&form).expect("print");
    println!(
        "doc-borrow first print (engine, fonts): {:.1} ms",
        ms(cold.elapsed())
    );
    let mut times = Vec::new();
    for _ in 0..30 {
        let t = Instant::now();
        let p = s.print(&form).expect("print");
        times.push(t.elapsed());
        assert!(p.pdf.starts_with(b"%PDF"));
    }
    times.sort();
    let p95 = percentile(&times, 0.95);
    println!(
        "doc-borrow warm, 30 prints: p50 {:.1} ms, p95 {:.1} ms (target < 100 ms) {}",
        ms(percentile(&times, 0.5)),
        ms(p95),
        if p95 < Duration::from_millis(100) {
            "ok"
        } else {
            "OVER TARGET"
        }
    );

    let list = PrintRequest {
        form: "doc-list".into(),
        query: Some(
            baomi::input::from_value(serde_json::json!({"sort": "serial", "desc": false}))
                .expect("query"),
        ),
        ..Default::default()
    };
    for run in 1..=3 {
        let t = Instant::now();
        let p = s.print(&list).expect("listing");
        let took = t.elapsed();
        println!(
            "doc-list {rows} rows, run {run}: {:.2} s, {} pages, {:.1} MB PDF (target < 5 s) {}",
            took.as_secs_f64(),
            p.job.pages,
            p.pdf.len() as f64 / 1e6,
            if took < Duration::from_secs(5) {
                "ok"
            } else {
                "OVER TARGET"
            }
        );
    }
}
