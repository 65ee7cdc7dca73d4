//! A mutation fuzzer over the key file (`vault.keys`): everything the program does with the
//! file before and around sign-in, on inputs made by mutating a real key file, must end in a
//! value or an error, never a panic.
//!
//! Run: `make fuzz` (1,000,000 executions), or `cargo run --example fuzz_keyfile -- N [SEED]`.
//! Not coverage-guided (libFuzzer would need a nightly sanitizer build of SQLCipher and typst);
//! mutations are structure-aware instead: byte flips, insertions, deletions and truncations of
//! the JSON text, and replacement of every kind of leaf with odd values. One input in 20,000
//! also goes through Argon2 (`unwrap_identity`), which is too slow to run on every input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use baomi::clock::FixedClock;
use baomi::vault::crypto::{Identity, KdfParams, RecoveryKey};
use baomi::vault::db::Tuning;
use baomi::vault::keyfile::{KeyFile, VaultKey};
use baomi::vault::marks::Marks;
use baomi::vault::{self, InitRequest, NewAccount, Options};
use chrono::TimeZone;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn account(name: &str, password: &str) -> NewAccount {
    NewAccount {
        name: name.into(),
        display: "测试".into(),
        password: password.into(),
    }
}

/// A real key file with slots, grants, a seal, a guard, a pending event and a counter.
fn seed_file() -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let clock = FixedClock::new(chrono::Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap());
    let opts = Options {
        kdf: KdfParams::minimum(),
        tuning: Tuning::default(),
        marks: Marks::new(tmp.path().join("state")),
    };
    let req = InitRequest {
        unit: "模糊测试单位".into(),
        admin: account("sysadm", "Admin#12345"),
        secadmin: account("secadm", "Secad#12345"),
        auditor: account("audit1", "Audit#12345"),
        officer: Some(account("wangwu", "Offic#12345")),
    };
    vault::init(&dir, &req, &opts, &clock).unwrap();
    let arc = std::sync::Arc::new(clock);
    let _ = vault::login(&dir, "wangwu", "Wrong#12345", arc, &opts);
    std::fs::read(baomi::vault::keyfile::path(&dir)).unwrap()
}

fn leaves(v: &serde_json::Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                path.push(k.clone());
                leaves(x, path, out);
                path.pop();
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                path.push(i.to_string());
                leaves(x, path, out);
                path.pop();
            }
        }
        _ => out.push(path.clone()),
    }
    out.push(path.clone());
}

/// The value at `path`, if an earlier mutation of the same input left it in place.
fn at<'a>(v: &'a mut serde_json::Value, path: &[String]) -> Option<&'a mut serde_json::Value> {
    let pointer: String = path
        .iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect();
    v.pointer_mut(&pointer)
}

fn odd(rng: &mut Rng, original: &serde_json::Value) -> serde_json::Value {
    match rng.below(14) {
        0 => serde_json::json!(""),
        1 => serde_json::json!("中文中文中文中文中文中文"),
        2 => serde_json::json!(0),
        3 => serde_json::json!(u64::MAX),
        4 => serde_json::json!(-1),
        5 => serde_json::Value::Null,
        6 => serde_json::json!([]),
        7 => serde_json::json!({}),
        8 => serde_json::json!(true),
        9 => serde_json::json!("A".repeat(rng.below(5000))),
        10 => serde_json::json!("2026-11-30T09:00:00Z"),
        11 => serde_json::json!(u32::MAX),
        12 => serde_json::json!([original.clone(), original.clone()]),
        _ => serde_json::json!("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    }
}

fn mutate(rng: &mut Rng, seed: &[u8], json: &serde_json::Value, paths: &[Vec<String>]) -> Vec<u8> {
    match rng.below(6) {
        0 | 1 => {
            let mut v = json.clone();
            for _ in 0..=rng.below(3) {
                let p = &paths[rng.below(paths.len())];
                if let Some(target) = at(&mut v, p) {
                    let replacement = odd(rng, target);
                    *target = replacement;
                }
            }
            serde_json::to_vec(&v).unwrap()
        }
        2 => {
            let mut b = seed.to_vec();
            for _ in 0..=rng.below(8) {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            b
        }
        3 => {
            let mut b = seed.to_vec();
            let i = rng.below(b.len());
            let n = rng.below(64);
            b.drain(i..(i + n).min(b.len()));
            b
        }
        4 => {
            let mut b = seed.to_vec();
            let i = rng.below(b.len());
            let j = rng.below(b.len());
            let chunk: Vec<u8> = b[j..(j + rng.below(64)).min(b.len())].to_vec();
            b.splice(i..i, chunk);
            b
        }
        _ => seed[..rng.below(seed.len())].to_vec(),
    }
}

/// Everything the program does with a key file that needs no password.
fn exercise(bytes: &[u8], id: &Identity, recovery: &RecoveryKey, argon: bool) {
    let Ok(mut kf) = KeyFile::parse(bytes) else {
        return;
    };
    for name in ["wangwu", "sysadm", "nobody", "中文"] {
        let _ = kf.slot(name).map(|s| s.public());
        let _ = kf.login_state_of(name);
        for key in [VaultKey::System, VaultKey::Registers] {
            let _ = kf.open_grants(name, id, key);
            let _ = kf.has_grant(name, key, 1);
        }
    }
    let _ = kf.open_recovery_grants(recovery);
    if let Some(seal) = &kf.seal {
        let _ = seal.is_authentic(&kf.vault_id);
    }
    if let Some(guard) = &kf.guard {
        let _ = guard.is_authentic(&kf.vault_id);
    }
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 11, 30, 10, 0, 0)
        .unwrap();
    let _ = kf.clone().unsigned_changes(now, |_| true);
    let _ = kf.clone().unsigned_changes(now, |_| false);
    let _ = serde_json::to_vec(&kf);
    if argon {
        let _ = kf.unwrap_identity("wangwu", "Offic#12345");
    }
    kf.revoke("wangwu");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs: u64 = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed_value: u64 = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0x9E37_79B9_7F4A_7C15);
    let seed = seed_file();
    // Panics are what we look for: keep the default hook quiet, count them ourselves.
    std::panic::set_hook(Box::new(|_| {}));
    let json: serde_json::Value = serde_json::from_slice(&seed).unwrap();
    let mut paths = Vec::new();
    leaves(&json, &mut Vec::new(), &mut paths);
    let id = Identity::generate().unwrap();
    let recovery = RecoveryKey::generate().unwrap();
    let mut rng = Rng(seed_value | 1);
    let started = Instant::now();
    let mut panics = 0u64;
    let mut parsed = 0u64;
    for n in 0..runs {
        let input = mutate(&mut rng, &seed, &json, &paths);
        if KeyFile::parse(&input).is_ok() {
            parsed += 1;
        }
        let argon = n % 20_000 == 0;
        if catch_unwind(AssertUnwindSafe(|| exercise(&input, &id, &recovery, argon))).is_err() {
            panics += 1;
            let file = format!("target/fuzz-keyfile-panic-{n}.json");
            let _ = std::fs::write(&file, &input);
            eprintln!("panic on input {n}, saved to {file}");
        }
    }
    println!(
        "fuzz_keyfile: {runs} executions in {:.1} s, {parsed} parsed as key files, {} leaves mutated, seed {seed_value}, {panics} panics",
        started.elapsed().as_secs_f64(),
        paths.len()
    );
    if panics > 0 {
        std::process::exit(1);
    }
}
