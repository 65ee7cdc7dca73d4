//! `make bench`: the encrypted vault against plain SQLite on the same 100k-row workload with
//! Chinese text — one-transaction insert, indexed lookups, full scan — printing both times and
//! the ratio (target: at most 1.3× on each). Also times unlocking (Argon2id) once.

// A benchmark aborts on any failure: that is the point of it.
#![allow(clippy::expect_used)]

use std::time::{Duration, Instant};

use baomi::vault::crypto::{KdfParams, Secret};
use baomi::vault::db::{self, Tuning};
use rusqlite::Connection;

const ROWS: i64 = 100_000;
const LOOKUPS: i64 = 20_000;

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let key = Secret::random().expect("key");
    let plain_dir = tmp.path().join("plain");
    let vault_dir = tmp.path().join("vault");
    std::fs::create_dir_all(&plain_dir).expect("mkdir");
    std::fs::create_dir_all(&vault_dir).expect("mkdir");

    // Plain SQLite twice: with its default 4 KiB pages, and with the vault's page size.
    let plain = Connection::open(plain_dir.join(db::FILE_NAME)).expect("open plain");
    db::configure(&plain, Tuning::default()).expect("pragmas");
    let plain_same = Connection::open(plain_dir.join("same-pages.db")).expect("open plain");
    plain_same
        .execute_batch(&format!("PRAGMA page_size = {};", db::PAGE_SIZE))
        .expect("page size");
    db::configure(&plain_same, Tuning::default()).expect("pragmas");
    let vault = db::open(
        &vault_dir,
        db::Schema::Registers,
        &key,
        true,
        Tuning::default(),
    )
    .expect("open vault");

    println!("{ROWS} rows, {LOOKUPS} indexed lookups; times are the best of 3 runs");
    println!("SQLite = plain SQLite, default 4 KiB pages; SQLite-8K = plain with the vault's page size\n");
    println!(
        "{:<18}{:>11}{:>11}{:>11}{:>9}{:>10}",
        "operation", "SQLite", "SQLite-8K", "vault", "ratio", "ratio-8K"
    );
    let mut worst: f64 = 0.0;
    for (name, op) in [
        ("insert (1 tx)", insert as fn(&Connection) -> Duration),
        ("indexed lookups", lookups),
        ("full scan", scan),
    ] {
        let p = op(&plain);
        let p8 = op(&plain_same);
        let v = op(&vault);
        let ratio = v.as_secs_f64() / p.as_secs_f64();
        let ratio8 = v.as_secs_f64() / p8.as_secs_f64();
        worst = worst.max(ratio);
        println!(
            "{name:<18}{:>9.1}ms{:>9.1}ms{:>9.1}ms{:>8.2}×{:>9.2}×",
            ms(p),
            ms(p8),
            ms(v),
            ratio,
            ratio8
        );
    }
    println!("\nworst ratio vs plain SQLite {worst:.2}× (target ≤ 1.30×)");

    for params in [KdfParams::minimum(), KdfParams::standard()] {
        let start = Instant::now();
        baomi::vault::crypto::derive_key("口令Password#1", b"0123456789abcdef", params)
            .expect("kdf");
        println!(
            "Argon2id {} MiB, t={}: {:.0} ms per unlock",
            params.memory_kib / 1024,
            params.iterations,
            ms(start.elapsed())
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

const TITLES: [&str; 8] = [
    "关于加强涉密载体管理工作的通知",
    "国家秘密载体销毁工作规范",
    "保密工作领导小组会议纪要",
    "涉密信息系统分级保护方案",
    "年度保密检查情况通报",
    "关于开展保密宣传教育月活动的意见",
    "涉密人员离岗脱密期管理办法",
    "涉密计算机维修审批记录",
];
const UNITS: [&str; 4] = [
    "市国家保密局",
    "市人民检察院",
    "市中级人民法院",
    "市市场监督管理局",
];
const LEVELS: [&str; 3] = ["绝密", "机密", "秘密"];

fn insert(conn: &Connection) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        conn.execute_batch(
            "DROP TABLE IF EXISTS docs;
             CREATE TABLE docs (id INTEGER PRIMARY KEY, serial TEXT NOT NULL, title TEXT NOT NULL,
                 origin TEXT NOT NULL, level TEXT NOT NULL, custodian TEXT NOT NULL, remarks TEXT NOT NULL);
             CREATE UNIQUE INDEX docs_serial ON docs(serial);",
        )
        .expect("schema");
        let start = Instant::now();
        conn.execute_batch("BEGIN").expect("begin");
        {
            let mut stmt = conn
                .prepare("INSERT INTO docs (serial, title, origin, level, custodian, remarks) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
                .expect("prepare");
            for i in 0..ROWS {
                let n = i as usize;
                stmt.execute(rusqlite::params![
                    format!("机-2026-{i:06}"),
                    format!("{}（第{}号）", TITLES[n % 8], i),
                    UNITS[n % 4],
                    LEVELS[n % 3],
                    format!("保密员{}", n % 37),
                    format!("存放于{}号保密柜，不准复印", n % 12),
                ])
                .expect("insert");
            }
        }
        conn.execute_batch("COMMIT").expect("commit");
        best = best.min(start.elapsed());
    }
    best
}

fn lookups(conn: &Connection) -> Duration {
    let mut stmt = conn
        .prepare("SELECT title, level FROM docs WHERE serial = ?1")
        .expect("prepare");
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let mut x: u64 = 0x9E3779B97F4A7C15;
        for _ in 0..LOOKUPS {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let serial = format!("机-2026-{:06}", x % ROWS as u64);
            let (title, _level): (String, String) = stmt
                .query_row([serial], |r| Ok((r.get(0)?, r.get(1)?)))
                .expect("lookup");
            assert!(!title.is_empty());
        }
        best = best.min(start.elapsed());
    }
    best
}

fn scan(conn: &Connection) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM docs WHERE title LIKE '%保密%' OR remarks LIKE '%7号%'",
                [],
                |r| r.get(0),
            )
            .expect("scan");
        assert!(n > 0);
        best = best.min(start.elapsed());
    }
    best
}
