//! `make bench`: the carrier register at 1,000,000 rows. Generates the carriers straight into
//! an encrypted vault (one transaction, through the register's own projection and search
//! index code), then times `Session::doc_list` — the core API the UI and CLI call — for
//! search queries of 1, 2, 3 and 6 characters and for each filter: p50 and p95, target
//! p95 < 20 ms each. `BAOMI_BENCH_ROWS` changes the row count.

// A benchmark aborts on any failure: that is the point of it.
#![allow(clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use baomi::clock::SystemClock;
use baomi::registers::documents::rules::DocEvent;
use baomi::registers::documents::{
    DocFields, DocQuery, DocState, Documents, Level, SecrecyPeriod, Status,
};
use baomi::registers::{self, Meta};
use baomi::vault::crypto::KdfParams;
use baomi::vault::db::{self, Tuning};
use baomi::vault::keyfile::KeyFile;
use baomi::vault::keyfile::VaultKey;
use baomi::vault::marks::Marks;
use baomi::vault::{self, InitRequest, NewAccount, Options};
use chrono::NaiveDate;

const TITLE_PARTS: [&str; 16] = [
    "关于加强",
    "涉密载体",
    "管理工作",
    "的通知",
    "保密工作",
    "领导小组",
    "会议纪要",
    "信息系统",
    "分级保护",
    "实施方案",
    "年度检查",
    "情况通报",
    "宣传教育",
    "活动意见",
    "人员管理",
    "办法细则",
];
const UNITS: [&str; 8] = [
    "国家保密局",
    "省委办公厅",
    "市人民检察院",
    "市中级人民法院",
    "市市场监督管理局",
    "市财政局",
    "市公安局",
    "市人大常委会办公厅",
];
const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋"];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, a: &[&'a str]) -> &'a str {
        a[(self.next() % a.len() as u64) as usize]
    }
}

fn main() {
    let rows: i64 = std::env::var("BAOMI_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("vault");
    let account = |n: &str, p: &str| NewAccount {
        name: n.into(),
        display: n.into(),
        password: p.into(),
    };
    let req = InitRequest {
        unit: "基准测试单位".into(),
        admin: account("sysadm", "Admin#12345"),
        secadmin: account("secadm", "Secad#12345"),
        auditor: account("audit1", "Audit#12345"),
        officer: Some(account("wangwu", "Offic#12345")),
    };
    vault::init(
        &dir,
        &req,
        &Options {
            kdf: KdfParams::minimum(),
            tuning: Tuning::default(),
            marks: Marks::new(tmp.path().join("state")),
        },
        &SystemClock,
    )
    .expect("init");

    // Generate straight into the encrypted database with the register's own code.
    let start = Instant::now();
    // The 保密员's password unwraps its keys, which open its grant of the register key.
    let kf = KeyFile::read(&dir).expect("keys");
    let id = kf
        .unwrap_identity("wangwu", "Offic#12345")
        .expect("unwrap")
        .expect("identity");
    let (_, key) = kf
        .open_grants("wangwu", &id, VaultKey::Registers)
        .into_iter()
        .next()
        .expect("register key");
    let mut conn =
        db::open(&dir, db::Schema::Registers, &key, false, Tuning::default()).expect("open");
    let mut rng = Rng(0x2545F4914F6CDD1D);
    let mut titles = Vec::new();
    let tx = conn.transaction().expect("tx");
    let base = NaiveDate::from_ymd_opt(2016, 1, 1).expect("date");
    for id in 1..=rows {
        let level = Level::ALL[(rng.next() % 5) as usize];
        let title = format!(
            "{}{}{}（{}）",
            rng.pick(&TITLE_PARTS),
            rng.pick(&TITLE_PARTS),
            rng.pick(&TITLE_PARTS),
            id % 997
        );
        let custodian = format!("{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN));
        let received_on = base + chrono::Duration::days((rng.next() % 3600) as i64);
        if titles.len() < 2000 {
            titles.push(title.clone());
        }
        let fields = DocFields {
            title,
            doc_no: format!(
                "{}发〔{}〕{}号",
                &rng.pick(&UNITS)[..3],
                2016 + id % 10,
                id % 300
            ),
            origin_unit: rng.pick(&UNITS).to_string(),
            level,
            secrecy_period: SecrecyPeriod::Years(level.max_years().unwrap_or(10)),
            scope: vec!["办公室".into()],
            copies: 1,
            copy_numbers: "1".into(),
            carrier_type: "纸质文件".into(),
            custodian,
            location: format!("{}号保密柜", id % 40),
            received_on,
            no_copy: false,
            remarks: String::new(),
        };
        let serial = format!("{}-{}-{:07}", level.short(), 2016 + id % 10, id);
        let meta = Meta {
            occurred_on: received_on,
            recorded_at: "2026-11-22T00:00:00Z".into(),
            actor: "wangwu".into(),
            approval: None,
        };
        let event = DocEvent::Registered {
            id,
            serial: serial.clone(),
            fields: fields.clone(),
            parent_id: None,
        };
        registers::append::<Documents>(&tx, id, &meta, &event).expect("event");
        let status = match rng.next() % 10 {
            0 => Status::Borrowed,
            1 => Status::Archived,
            2 => Status::Destroyed,
            _ => Status::InCustody,
        };
        let state = DocState {
            id,
            serial,
            fields,
            status,
            resume: None,
            borrower: None,
            due_on: None,
            missing_since: None,
            parent_id: None,
        };
        registers::table::save::<Documents>(&tx, &state, "2026-11-22T00:00:00Z").expect("save");
    }
    tx.commit().expect("commit");
    drop(conn);
    let size: u64 = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").metadata().expect("meta").len())
        .sum();
    println!(
        "generated {rows} carriers in {:.1} s; vault {:.0} MB on disk",
        start.elapsed().as_secs_f64(),
        size as f64 / 1e6
    );

    let mut s = vault::login(
        &dir,
        "wangwu",
        "Offic#12345",
        Arc::new(SystemClock),
        &Options {
            kdf: KdfParams::minimum(),
            tuning: Tuning::default(),
            marks: Marks::new(tmp.path().join("state")),
        },
    )
    .expect("login");
    // Warm the cache once, as a running app would be.
    s.doc_list(&DocQuery::default()).expect("warm");

    let mut queries: Vec<(String, Vec<String>)> = Vec::new();
    for len in [1usize, 2, 3, 6] {
        let qs: Vec<String> = (0..200)
            .map(|_| {
                let t: Vec<char> = titles[(rng.next() % titles.len() as u64) as usize]
                    .chars()
                    .collect();
                let at = (rng.next() % (t.len() - len) as u64) as usize;
                t[at..at + len].iter().collect()
            })
            .collect();
        queries.push((
            format!("search, {len} character{}", if len > 1 { "s" } else { "" }),
            qs,
        ));
    }
    let names: Vec<String> = (0..50)
        .map(|i| format!("{}{}", SURNAMES[i % 12], GIVEN[(i * 7) % 10]))
        .collect();
    let q1 = |s: &str| vec![s.to_string()];
    println!(
        "\n{:<28}{:>10}{:>10}{:>10}",
        "query (limit 50)", "p50", "p95", "rows"
    );
    let mut worst = Duration::ZERO;
    let mut run = |label: &str, make: &dyn Fn(&str) -> DocQuery, inputs: &[String]| {
        let mut times = Vec::new();
        let mut total = 0i64;
        for i in inputs.iter().cycle().take(200) {
            let q = make(i);
            let t = Instant::now();
            let page = s.doc_list(&q).expect("query");
            times.push(t.elapsed());
            total += page.total;
        }
        times.sort();
        let p50 = times[times.len() / 2];
        let p95 = times[times.len() * 95 / 100];
        worst = worst.max(p95);
        println!(
            "{label:<28}{:>8.2}ms{:>8.2}ms{:>10}",
            p50.as_secs_f64() * 1e3,
            p95.as_secs_f64() * 1e3,
            total / 200
        );
    };
    for (label, qs) in &queries {
        run(
            label,
            &|q| DocQuery {
                query: Some(q.into()),
                ..Default::default()
            },
            qs,
        );
    }
    let levels: Vec<String> = Level::ALL.iter().map(|l| l.label().to_string()).collect();
    run(
        "filter: level",
        &|l| DocQuery {
            level: Some(l.into()),
            ..Default::default()
        },
        &levels,
    );
    let statuses: Vec<String> = ["in_custody", "borrowed", "archived", "destroyed"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    run(
        "filter: status",
        &|st| DocQuery {
            status: Some(st.into()),
            ..Default::default()
        },
        &statuses,
    );
    run(
        "filter: custodian",
        &|c| DocQuery {
            custodian: Some(c.into()),
            ..Default::default()
        },
        &names,
    );
    let years: Vec<String> = (2016..2026).map(|y| y.to_string()).collect();
    run(
        "filter: received in a year",
        &|y| DocQuery {
            received_from: Some(format!("{y}-01-01")),
            received_to: Some(format!("{y}-12-31")),
            ..Default::default()
        },
        &years,
    );
    run(
        "search + level filter",
        &|q| DocQuery {
            query: Some(q.into()),
            level: Some("机密".into()),
            ..Default::default()
        },
        &queries[1].1,
    );
    run("first page, no filter", &|_| DocQuery::default(), &q1("-"));
    println!(
        "\nworst p95 {:.2} ms (target < 20 ms)",
        worst.as_secs_f64() * 1e3
    );
}
