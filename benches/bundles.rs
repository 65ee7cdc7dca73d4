//! `make bench`: bundles of 100,000 carriers. Times `Session::export_bundle` (read every
//! record's history, manifest, seal, sign, write, audit) and `Session::import_bundle` into
//! another unit's vault (verify, preview, apply in one transaction, receipt), each against
//! `age` (Debian's package) encrypting and decrypting a file of the same size in the same run:
//! the yardstick. Target: export as fast as `age` or faster. `BAOMI_BENCH_ROWS` changes the
//! record count; `BAOMI_BENCH_SUITE=sm4` benches the 国密 suite.

// A benchmark aborts on any failure: that is the point of it.
#![allow(clippy::expect_used)]

mod seed;

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use baomi::bundle::exchange::{ExportRequest, ImportRequest};
use baomi::clock::SystemClock;
use baomi::registers::documents::Status;
use baomi::vault;

const PASSPHRASE: &str = "基准测试口令-bundle";

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Runs `cmd` and returns its wall time; fails the bench if it fails.
fn timed(cmd: &mut Command) -> Duration {
    let t = Instant::now();
    let status = cmd.status().expect("run age");
    assert!(status.success(), "{cmd:?} failed");
    t.elapsed()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rows: i64 = std::env::var("BAOMI_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let suite = std::env::var("BAOMI_BENCH_SUITE").ok();
    let tmp = tempfile::tempdir().expect("tmp");
    let (a_dir, a_opts) = seed::vault(tmp.path(), "a", "甲市保密办");
    let (b_dir, b_opts) = seed::vault(tmp.path(), "b", "乙区保密办");
    let t = Instant::now();
    seed::carriers(&a_dir, rows, |_| Status::InCustody);
    println!("generated {rows} carriers in {:.1} s", secs(t.elapsed()));
    let login = |dir: &std::path::Path, opts: &vault::Options| {
        vault::login(
            dir,
            seed::OFFICER.0,
            seed::OFFICER.1,
            Arc::new(SystemClock),
            opts,
        )
        .expect("login")
    };
    let mut a = login(&a_dir, &a_opts);
    let mut b = login(&b_dir, &b_opts);

    // Export three times (the last bundle is the one imported).
    let out = tmp.path().join("bundle.bdl");
    let mut exports = Vec::new();
    let mut exported = None;
    for run in 0..3 {
        let path = tmp.path().join(format!("bundle-{run}.bdl"));
        let t = Instant::now();
        let e = a
            .export_bundle(
                &ExportRequest {
                    register: Some("doc".into()),
                    suite: suite.clone(),
                    ..Default::default()
                },
                Some(PASSPHRASE),
                &path,
            )
            .expect("export");
        exports.push(t.elapsed());
        std::fs::rename(&path, &out).expect("rename");
        exported = Some(e);
    }
    let exported = exported.expect("exported");
    let export = median(exports);

    // The yardstick: age on a file of the same size (random bytes, so nothing compresses).
    let plain = tmp.path().join("plain.bin");
    let mut bytes = vec![0u8; exported.bytes as usize];
    let mut rng = seed::Rng(0x9E37_79B9_7F4A_7C15);
    for chunk in bytes.chunks_mut(8) {
        let r = rng.next().to_le_bytes();
        chunk.copy_from_slice(&r[..chunk.len()]);
    }
    std::fs::write(&plain, &bytes).expect("write plain");
    let identity = tmp.path().join("age.key");
    let keygen = Command::new("age-keygen")
        .arg("-o")
        .arg(&identity)
        .output()
        .expect("age-keygen (apt install age)");
    assert!(keygen.status.success());
    let recipient = String::from_utf8_lossy(&keygen.stderr)
        .trim()
        .trim_start_matches("Public key: ")
        .to_string();
    let sealed = tmp.path().join("plain.age");
    let mut age_enc = Vec::new();
    let mut age_dec = Vec::new();
    for _ in 0..3 {
        age_enc.push(timed(
            Command::new("age")
                .arg("-r")
                .arg(&recipient)
                .arg("-o")
                .arg(&sealed)
                .arg(&plain),
        ));
        age_dec.push(timed(
            Command::new("age")
                .arg("-d")
                .arg("-i")
                .arg(&identity)
                .arg("-o")
                .arg(tmp.path().join("opened.bin"))
                .arg(&sealed),
        ));
    }
    let (age_enc, age_dec) = (median(age_enc), median(age_dec));

    // Import once into the other unit's vault (an unknown sender, accepted).
    let t = Instant::now();
    let report = b
        .import_bundle(&ImportRequest {
            path: out.clone(),
            passphrase: Some(zeroize::Zeroizing::new(PASSPHRASE.to_string())),
            accept_sender: true,
            ..Default::default()
        })
        .expect("import");
    let import = t.elapsed();
    assert_eq!(report.added.len() as i64, rows);
    // The preview alone, again (everything is now unchanged).
    let t = Instant::now();
    let again = b
        .import_bundle(&ImportRequest {
            path: out.clone(),
            passphrase: Some(zeroize::Zeroizing::new(PASSPHRASE.to_string())),
            dry_run: true,
            ..Default::default()
        })
        .expect("preview");
    let preview = t.elapsed();
    assert_eq!(again.unchanged as i64, rows);

    println!(
        "bundle of {rows} carriers ({} events, {:.1} MB, suite {}):",
        exported.events,
        exported.bytes as f64 / 1e6,
        suite.as_deref().unwrap_or("aes")
    );
    println!(
        "  export (median of 3) {:.2} s; age -r on the same size {:.2} s; ratio {:.2} (target ≤ 1.00) {}",
        secs(export),
        secs(age_enc),
        secs(export) / secs(age_enc),
        if export <= age_enc { "ok" } else { "OVER TARGET" }
    );
    println!(
        "  import (verify, preview, apply, receipt) {:.2} s; age -d {:.2} s; ratio {:.2}",
        secs(import),
        secs(age_dec),
        secs(import) / secs(age_dec)
    );
    println!(
        "  second import of the same bundle (verify and preview only) {:.2} s",
        secs(preview)
    );
}
