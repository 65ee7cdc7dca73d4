//! Shared by the benchmarks: a vault with the four accounts and minimum KDF cost, and carriers
//! generated straight into its encrypted register database (one transaction, through the
//! register's own event store, projection and search index code).

// A benchmark aborts on any failure: that is the point of it.
#![allow(clippy::expect_used, dead_code)]

use std::path::{Path, PathBuf};

use baomi::clock::SystemClock;
use baomi::registers::documents::rules::DocEvent;
use baomi::registers::documents::{DocFields, DocState, Documents, Level, SecrecyPeriod, Status};
use baomi::registers::{self, Meta};
use baomi::vault::crypto::KdfParams;
use baomi::vault::db::{self, Tuning};
use baomi::vault::keyfile::{KeyFile, VaultKey};
use baomi::vault::marks::Marks;
use baomi::vault::{self, InitRequest, NewAccount, Options};
use chrono::NaiveDate;

pub const OFFICER: (&str, &str) = ("wangwu", "Offic#12345");

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
pub const SURNAMES: [&str; 12] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙",
];
pub const GIVEN: [&str; 10] = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋"];

pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn pick<'a>(&mut self, a: &[&'a str]) -> &'a str {
        a[(self.next() % a.len() as u64) as usize]
    }
}

/// A new vault of `unit` in `parent/name`, with this installation's marks in `parent/state`.
pub fn vault(parent: &Path, name: &str, unit: &str) -> (PathBuf, Options) {
    let dir = parent.join(name);
    let account = |n: &str, p: &str| NewAccount {
        name: n.into(),
        display: n.into(),
        password: p.into(),
    };
    let req = InitRequest {
        unit: unit.into(),
        admin: account("sysadm", "Admin#12345"),
        secadmin: account("secadm", "Secad#12345"),
        auditor: account("audit1", "Audit#12345"),
        officer: Some(account(OFFICER.0, OFFICER.1)),
    };
    let opts = Options {
        kdf: KdfParams::minimum(),
        tuning: Tuning::default(),
        marks: Marks::new(parent.join("state")),
    };
    vault::init(&dir, &req, &opts, &SystemClock).expect("init");
    (dir, opts)
}

/// Generates `rows` carriers into the vault at `dir`, each status chosen by `status`;
/// returns up to 2,000 of their titles (for search queries).
pub fn carriers(dir: &Path, rows: i64, mut status: impl FnMut(&mut Rng) -> Status) -> Vec<String> {
    let mut conn = registers_db(dir);
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
        let status = status(&mut rng);
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
    titles
}

/// The titles [`carriers`] returned for the vault at `dir` (its first 2,000 carriers').
pub fn titles(dir: &Path) -> Vec<String> {
    let conn = registers_db(dir);
    let mut stmt = conn
        .prepare("SELECT title FROM documents WHERE id <= 2000 ORDER BY id")
        .expect("titles");
    stmt.query_map([], |r| r.get(0))
        .expect("titles")
        .collect::<rusqlite::Result<Vec<String>>>()
        .expect("titles")
}

/// The vault's register database at `dir`, opened with the 保密员's grant of the register key.
pub fn registers_db(dir: &Path) -> rusqlite::Connection {
    // The 保密员's password unwraps its keys, which open its grant of the register key.
    let kf = KeyFile::read(dir).expect("keys");
    let id = kf
        .unwrap_identity(OFFICER.0, OFFICER.1)
        .expect("unwrap")
        .expect("identity");
    let (_, key) = kf
        .open_grants(OFFICER.0, &id, VaultKey::Registers)
        .into_iter()
        .next()
        .expect("register key");
    db::open(dir, db::Schema::Registers, &key, false, Tuning::default()).expect("open")
}

/// Merges the carrier search index into one segment (FTS5 `optimize`); returns how long it
/// took.
pub fn optimize_search(dir: &Path) -> std::time::Duration {
    let conn = registers_db(dir);
    let t = std::time::Instant::now();
    conn.execute_batch("INSERT INTO documents_search(documents_search) VALUES ('optimize')")
        .expect("optimize");
    t.elapsed()
}

/// The size of the vault's files on disk.
pub fn size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").metadata().expect("meta").len())
        .sum()
}
