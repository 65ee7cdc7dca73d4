//! Kill -9 at random moments never leaves a vault that fails to open, never loses an
//! acknowledged write, and never breaks the audit chain.
//!
//! Trials: 50 by default; `BAOMI_CRASH_TRIALS` raises it (`make bench` runs 300).

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::*;

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn kill_9_during_writes_loses_nothing_acknowledged() {
    let f = Fixture::new();
    let trials: u32 = std::env::var("BAOMI_CRASH_TRIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("crash test seed {seed}, {trials} trials");
    let mut rng = XorShift(seed);

    // Time one uninterrupted write to spread the kills over its whole duration.
    let start = Instant::now();
    let probe = write(&f, "probe").wait_with_output().unwrap();
    assert!(
        probe.status.success(),
        "{}",
        String::from_utf8_lossy(&probe.stderr)
    );
    let span = start.elapsed().as_micros() as u64 * 3 / 2;

    let mut acknowledged = HashSet::from(["probe".to_string()]);
    let mut killed = 0;
    for i in 0..trials {
        let name = format!("u{i}");
        let mut child = write(&f, &name);
        std::thread::sleep(Duration::from_micros(rng.next() % span.max(1)));
        match child.try_wait().unwrap() {
            Some(status) => {
                assert!(status.success(), "trial {i} failed on its own: {status}");
                acknowledged.insert(name);
            }
            None => {
                child.kill().unwrap(); // SIGKILL on Unix
                child.wait().unwrap();
                killed += 1;
            }
        }
        // The vault must open after every trial.
        let mut s = f
            .try_login(ADMIN.0, ADMIN.1)
            .unwrap_or_else(|e| panic!("trial {i}: vault does not open: {e}"));
        let names: HashSet<String> = s
            .list_accounts()
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        for a in &acknowledged {
            assert!(
                names.contains(a),
                "trial {i}: acknowledged account {a} lost"
            );
        }
    }
    eprintln!("killed {killed} of {trials} writes mid-flight");
    assert!(
        killed > 0,
        "no trial was interrupted: the test did not test anything"
    );
    let r = f.login(AUDITOR).audit_verify().unwrap();
    assert!(r.intact, "audit chain broken after crashes: {}", r.problem);
}

fn write(f: &Fixture, name: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_baomi"))
        .args([
            "--vault",
            f.dir.to_str().unwrap(),
            "--user",
            ADMIN.0,
            "user",
            "add",
            name,
            "--display",
            "测试",
        ])
        .env("BAOMI_STATE", &f.state)
        .env("BAOMI_PASSWORD", ADMIN.1)
        .env("BAOMI_NEW_PASSWORD", "Initial#12345")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}
