//! A mutation fuzzer over bundles (`docs/bundle-format.md`): whatever bytes arrive on a medium,
//! `format::read_header` and `format::open` must end in a value or an error, never a panic.
//!
//! Run: `make fuzz` (1,000,000 executions), or `cargo run --example fuzz_bundle -- N [SEED]`
//! (`FUZZ_BUNDLE_SEEDS=DIR` also writes the seeds there, `FUZZ_BUNDLE_OUTCOMES=1` lists the
//! outcomes).
//! Not coverage-guided, like `fuzz_keyfile`: the seeds are real bundles sealed by
//! `format::seal` (both suites; a passphrase with `KdfParams::minimum()` or recipient units;
//! empty, small and multi-chunk payloads), and the mutations know the format: bit flips, byte
//! insertions and deletions, truncations, edits of the version and header-length fields,
//! header JSON leaves replaced by odd values and re-serialised, chunks swapped, repeated or
//! dropped, and headers spliced onto other bundles' bodies.
//!
//! Almost every mutation breaks the signature, which `open` checks first; so a share of the
//! inputs is signed again with the seeds' sender key (as a malicious but known sender could),
//! which takes them past the signature into key derivation, key unwrapping and the chunks.
//! Every input goes through `read_header` and `open` with this unit's key; `open` with the
//! passphrase runs only on inputs whose signature verifies and whose Argon2 costs are the
//! cheapest allowed (or invalid, which is refused before Argon2 runs), so Argon2 stays rare.
//! Besides panics, a refusal that breaks `format`'s contract fails the run too: an error
//! whose code is neither `Integrity` nor `AuthFailed`, or a message over 300 characters.
//! The distinct outcomes (error messages, digits folded) are printed as a measure of how much
//! of the reader the inputs reach.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use baomi::bundle::format::{
    self, passphrase_key, recipients, Header, KeyInfo, Opener, Sealing, Sender, CHUNK, SUITE_AES,
    SUITE_SM4,
};
use baomi::error::Code;
use baomi::vault::crypto::{Identity, KdfParams, Secret};

/// The signature's domain separation (`docs/bundle-format.md`, Signature).
const SIGNED: &[u8] = b"baomi-bundle-v1 signature\0";
const PASSPHRASE: &str = "模糊测试口令-fuzz";
/// A stored chunk: 64 KiB of ciphertext and the 16-byte tag.
const PIECE: usize = CHUNK + 16;

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
    fn chance(&mut self, one_in: u64) -> bool {
        self.next().is_multiple_of(one_in)
    }
}

struct Keys {
    sender: Identity,
    me: Identity,
    other: Identity,
}

fn sender_of(id: &Identity) -> Sender {
    let pk = id.public().signing;
    Sender {
        unit: "模糊测试发送单位".into(),
        signing_pub: hex::encode(pk),
        fingerprint: format::fingerprint(&pk),
    }
}

fn unit_of(id: &Identity) -> ([u8; 32], [u8; 32]) {
    (id.public().signing, id.public().agreement)
}

/// Real bundles: for each suite, passphrase bundles of 0, 100 and 2 × 64 KiB + 300 bytes, and
/// bundles to this unit and another, to this unit alone (a full chunk and an empty last one),
/// and to another unit only.
fn seeds(keys: &Keys) -> Vec<(String, Vec<u8>)> {
    let kdf = KdfParams::minimum();
    let salt = *b"fuzz-salt-16byte";
    let mut out = Vec::new();
    for suite in format::suites() {
        let seal = |key: KeyInfo, payload_key: &Secret, payload: &[u8]| {
            let header = Header {
                suite: suite.to_string(),
                kind: "records".into(),
                created_at: "2026-12-01T08:00:00Z".into(),
                sender: sender_of(&keys.sender),
                records: 3,
                events: 7,
                chunk_size: CHUNK as u32,
                nonce_prefix: "0a0b0c0d0e0f10".into(),
                key,
            };
            format::seal(
                &Sealing {
                    header,
                    payload_key,
                    signer: &keys.sender,
                },
                payload,
            )
            .unwrap()
        };
        let pkey = passphrase_key(suite, PASSPHRASE, kdf, &salt).unwrap();
        let pinfo = KeyInfo::Passphrase {
            kdf,
            salt: hex::encode(salt),
        };
        let payload = |n: usize| -> Vec<u8> { (0..n).map(|i| (i % 253) as u8).collect() };
        for n in [0, 100, 2 * CHUNK + 300] {
            out.push((
                format!("{suite} passphrase {n} B"),
                seal(pinfo.clone(), &pkey, &payload(n)),
            ));
        }
        let rkey = Secret::random().unwrap();
        let to = |units: &[([u8; 32], [u8; 32])]| recipients(suite, &rkey, units).unwrap();
        let both = to(&[unit_of(&keys.me), unit_of(&keys.other)]);
        out.push((
            format!("{suite} recipients 100 B"),
            seal(both, &rkey, &payload(100)),
        ));
        let me = to(&[unit_of(&keys.me)]);
        out.push((
            format!("{suite} recipient {CHUNK} B"),
            seal(me, &rkey, &payload(CHUNK)),
        ));
        let other = to(&[unit_of(&keys.other)]);
        out.push((
            format!("{suite} other recipient 10 B"),
            seal(other, &rkey, &payload(10)),
        ));
    }
    out
}

/// A seed cut into its parts: the header JSON and the chunks and signature after it.
struct Parts {
    json: serde_json::Value,
    paths: Vec<String>,
    start: usize,
}

fn parts(seed: &[u8]) -> Parts {
    let (_, start) = format::read_header(seed).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&seed[14..start]).unwrap();
    let mut paths = Vec::new();
    pointers(&json, String::new(), &mut paths);
    Parts { json, paths, start }
}

/// Every JSON pointer in the header: leaves and the objects and arrays holding them.
fn pointers(v: &serde_json::Value, at: String, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                pointers(x, format!("{at}/{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// Odd header values: wrong types, huge and negative numbers, empty, long and non-hex
/// strings, hex of the wrong length, the other or an unknown suite, other kinds, other shapes
/// of the key block.
fn odd(rng: &mut Rng, original: &serde_json::Value) -> serde_json::Value {
    use serde_json::json;
    match rng.below(34) {
        0 => json!(""),
        1 => json!("中文中文中文"),
        2 => json!(0),
        3 => json!(1),
        4 => json!(u64::MAX),
        5 => json!(u32::MAX),
        6 => json!(u64::from(u32::MAX) + 1),
        7 => json!(-1),
        8 => json!(1.5),
        9 => json!(1e308),
        10 => serde_json::Value::Null,
        11 => json!(true),
        12 => json!([]),
        13 => json!({}),
        14 => json!("zz"),
        15 => json!("abc"),
        16 => json!("00".repeat(rng.below(80))),
        17 => json!("ff".repeat(1 + rng.below(40))),
        18 => json!("A".repeat(rng.below(70_000))),
        19 => json!(SUITE_AES),
        20 => json!(SUITE_SM4),
        21 => json!("SM4-GCM/SM3 "),
        22 => json!("sm4-gcm/sm3"),
        23 => json!("AES-128-GCM/SHA-256"),
        24 => json!("receipt"),
        25 => json!("backup"),
        26 => json!(65_536),
        27 => json!(65_535),
        28 => {
            json!({"passphrase": {"kdf": {"memory_kib": 1, "iterations": 1, "parallelism": 1}, "salt": "00"}})
        }
        29 => {
            json!({"passphrase": {"kdf": {"memory_kib": 65_536, "iterations": 1, "parallelism": 1}, "salt": ""}})
        }
        30 => json!({"recipients": []}),
        31 => json!({"recipients": [original.clone()]}),
        32 => json!([original.clone(), original.clone()]),
        _ => json!("0000-0000-0000-0000-0000-0000-0000-0000"),
    }
}

/// A bundle with `json` as its header and `rest` (chunks and signature) after it.
fn with_header(json: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut b = Vec::with_capacity(14 + json.len() + rest.len());
    b.extend_from_slice(format::MAGIC);
    b.extend_from_slice(&format::VERSION.to_be_bytes());
    b.extend_from_slice(&(json.len() as u32).to_be_bytes());
    b.extend_from_slice(json);
    b.extend_from_slice(rest);
    b
}

const MUTATIONS: [&str; 12] = [
    "bit flips",
    "header bit flips",
    "insertion",
    "deletion",
    "truncation",
    "header length",
    "version",
    "header leaves",
    "chunks",
    "appended",
    "splice",
    "re-serialised header",
];

fn mutate(rng: &mut Rng, seeds: &[(String, Vec<u8>)], all: &[Parts], i: usize) -> (usize, Vec<u8>) {
    let seed = &seeds[i].1;
    let p = &all[i];
    let m = rng.below(MUTATIONS.len());
    let mut b = seed.clone();
    match m {
        0 => {
            for _ in 0..=rng.below(8) {
                let at = rng.below(b.len());
                b[at] ^= 1 << rng.below(8);
            }
        }
        1 => {
            for _ in 0..=rng.below(4) {
                let at = rng.below(p.start);
                b[at] ^= 1 << rng.below(8);
            }
        }
        2 => {
            let at = rng.below(b.len() + 1);
            let most = if rng.chance(4) { 200 } else { 8 };
            let n = 1 + rng.below(most);
            let bytes: Vec<u8> = if rng.chance(2) {
                (0..n).map(|_| rng.next() as u8).collect()
            } else {
                let from = rng.below(b.len());
                b[from..(from + n).min(b.len())].to_vec()
            };
            b.splice(at..at, bytes);
        }
        3 => {
            let at = rng.below(b.len());
            let most = if rng.chance(4) { PIECE + 100 } else { 16 };
            let n = 1 + rng.below(most);
            b.drain(at..(at + n).min(b.len()));
        }
        4 => {
            let cut = match rng.below(4) {
                0 => rng.below(p.start + 1),
                1 => b.len() - 1 - rng.below(80.min(b.len())),
                _ => rng.below(b.len()),
            };
            b.truncate(cut);
        }
        5 => {
            let len = (p.start - 14) as u32;
            let v = match rng.below(8) {
                0 => 0,
                1 => len + 1,
                2 => len - 1,
                3 => u32::MAX,
                4 => 65_536,
                5 => 65_537,
                6 => b.len() as u32,
                _ => rng.next() as u32 % (2 * len + 100),
            };
            b[10..14].copy_from_slice(&v.to_be_bytes());
        }
        6 => {
            let v: u16 = [0, 2, u16::MAX, 0x0100][rng.below(4)];
            b[8..10].copy_from_slice(&v.to_be_bytes());
        }
        7 => {
            let mut json = p.json.clone();
            for _ in 0..=rng.below(3) {
                let path = &p.paths[rng.below(p.paths.len())];
                let replacement = match json.pointer(path) {
                    Some(target) => odd(rng, target),
                    None => continue,
                };
                if path.is_empty() {
                    json = replacement;
                } else if let Some(target) = json.pointer_mut(path) {
                    *target = replacement;
                }
            }
            b = with_header(&serde_json::to_vec(&json).unwrap(), &seed[p.start..]);
        }
        8 => {
            let sig = b.len() - 64;
            let mut pieces: Vec<Vec<u8>> =
                b[p.start..sig].chunks(PIECE).map(<[u8]>::to_vec).collect();
            let n = pieces.len();
            // Every choice changes the input (a swap or reversal needs two pieces).
            match rng.below(5) {
                0 if n > 1 => {
                    let a = rng.below(n);
                    pieces.swap(a, (a + 1 + rng.below(n - 1)) % n);
                }
                2 if n > 1 => {
                    pieces.remove(rng.below(n));
                }
                3 if n > 1 => pieces.reverse(),
                0..=3 => {
                    let d = pieces[rng.below(n)].clone();
                    pieces.insert(rng.below(n + 1), d);
                }
                _ => {
                    // A piece cut short, as if a chunk lost its tail.
                    let k = rng.below(n);
                    let keep = rng.below(pieces[k].len());
                    pieces[k].truncate(keep);
                }
            }
            let mut out = b[..p.start].to_vec();
            for piece in pieces {
                out.extend_from_slice(&piece);
            }
            out.extend_from_slice(&b[sig..]);
            b = out;
        }
        9 => {
            let most = if rng.chance(8) { 70_000 } else { 64 };
            for _ in 0..=rng.below(most) {
                b.push(rng.next() as u8);
            }
        }
        10 => {
            // This header on the chunks and signature of a seed with another header (another
            // key block, often the other suite).
            let mut j = rng.below(seeds.len());
            while seeds[j].1[..all[j].start] == seed[..p.start] {
                j = rng.below(seeds.len());
            }
            b = with_header(&seed[14..p.start], &seeds[j].1[all[j].start..]);
        }
        _ => {
            // The same header re-serialised with whitespace and another key order.
            let text = serde_json::to_string_pretty(&p.json).unwrap();
            b = with_header(text.as_bytes(), &seed[p.start..]);
        }
    }
    (m, b)
}

/// Signs `b` again as the seeds' sender, with the digest of the suite its header names.
fn resign(b: &mut [u8], sender: &Identity) -> bool {
    let Ok((header, _)) = format::read_header(b) else {
        return false;
    };
    let Some(suite) = format::suite(&header.suite) else {
        return false;
    };
    let at = b.len() - 64;
    let mut signed = SIGNED.to_vec();
    signed.extend_from_slice(&suite.hash(&b[..at]));
    b[at..].copy_from_slice(&sender.sign(&signed));
    true
}

/// How `r` breaks the contract of `format` (every refusal an integrity failure or a wrong
/// key, with a short message), if it does.
fn violation<T>(what: &str, r: &baomi::error::Result<T>) -> Option<String> {
    let e = r.as_ref().err()?;
    let code_ok = matches!(e.code, Code::Integrity | Code::AuthFailed);
    let length = e.message.chars().count();
    (!code_ok || length > 300).then(|| format!("{what}: {:?}, {length} characters", e.code))
}

/// An outcome as counted: the error message with digits folded (serde's line and column
/// numbers would otherwise make every position its own outcome).
fn outcome<T>(what: &str, r: &baomi::error::Result<T>) -> String {
    let text = match r {
        Ok(_) => "Ok".to_string(),
        Err(e) => format!("{:?}: {}", e.code, e.message),
    };
    let mut out = String::with_capacity(what.len() + text.len() + 2);
    out.push_str(what);
    out.push_str(": ");
    let mut digit = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !digit {
                out.push('N');
            }
            digit = true;
        } else {
            digit = false;
            out.push(c);
        }
    }
    out
}

/// Whether `open` with the passphrase may run Argon2 on this header at more than the floor's
/// cost: such inputs are skipped (their parameters are valid, so they are not a reader bug).
fn argon_too_dear(header: &Header) -> bool {
    match &header.key {
        KeyInfo::Passphrase { kdf, .. } => kdf.validate().is_ok() && *kdf != KdfParams::minimum(),
        KeyInfo::Recipients(_) => false,
    }
}

#[derive(Default)]
struct Stats {
    outcomes: BTreeMap<String, u64>,
    resigned: u64,
    signature_ok: u64,
    argon: u64,
    opened: u64,
    panics: u64,
    violations: u64,
}

/// One input through everything a reader does: counts the outcomes and returns the broken
/// contracts, or panics.
fn exercise(input: &[u8], keys: &Keys, stats: &mut Stats) -> Vec<String> {
    let header = format::read_header(input);
    let mut seen = vec![outcome("read_header", &header)];
    let mut broken: Vec<String> = violation("read_header", &header).into_iter().collect();
    let unit = format::open(input, &Opener::Unit(&keys.me));
    seen.push(outcome("open(unit)", &unit));
    broken.extend(violation("open(unit)", &unit));
    let signature_ok = match (&header, &unit) {
        (Err(_), _) => false,
        (Ok(_), Ok(_)) => true,
        (Ok(_), Err(e)) => !e.message.starts_with("数据包签名无效"),
    };
    if unit.is_ok() {
        stats.opened += 1;
    }
    if signature_ok {
        stats.signature_ok += 1;
        let (h, _) = header.as_ref().unwrap();
        if !argon_too_dear(h) {
            if matches!(h.key, KeyInfo::Passphrase { .. }) {
                stats.argon += 1;
            }
            let p = format::open(input, &Opener::Passphrase(PASSPHRASE));
            if p.is_ok() {
                stats.opened += 1;
            }
            seen.push(outcome("open(passphrase)", &p));
            broken.extend(violation("open(passphrase)", &p));
        }
    }
    for s in seen {
        *stats.outcomes.entry(s).or_default() += 1;
    }
    broken
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
        .unwrap_or(0x2545_F491_4F6C_DD1D);
    let keys = Keys {
        sender: Identity::from_bytes(&[0x11; 64]).unwrap(),
        me: Identity::from_bytes(&[0x22; 64]).unwrap(),
        other: Identity::from_bytes(&[0x33; 64]).unwrap(),
    };
    let seeds = seeds(&keys);
    let all: Vec<Parts> = seeds.iter().map(|(_, s)| parts(s)).collect();
    // Every seed opens as sealed: the fuzzer starts from bundles the reader accepts.
    for (name, s) in &seeds {
        let opener = if name.contains("passphrase") {
            Opener::Passphrase(PASSPHRASE)
        } else {
            Opener::Unit(&keys.me)
        };
        let r = format::open(s, &opener);
        assert_eq!(r.is_ok(), !name.contains("other"), "seed {name}: {r:?}");
    }
    // The seeds as files, for checking an independent decoder against them.
    if let Some(out) = std::env::var_os("FUZZ_BUNDLE_SEEDS") {
        std::fs::create_dir_all(&out).unwrap();
        for (name, s) in &seeds {
            let file: String = name
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            std::fs::write(std::path::Path::new(&out).join(file + ".bdl"), s).unwrap();
        }
    }
    let dir =
        std::path::PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or("target".into()));
    // Panics are what we look for: keep the default hook quiet, count them ourselves.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed_value | 1);
    let mut stats = Stats::default();
    let mut by_mutation = [0u64; MUTATIONS.len()];
    let started = Instant::now();
    for n in 0..runs {
        let i = rng.below(seeds.len());
        let (m, mut input) = mutate(&mut rng, &seeds, &all, i);
        by_mutation[m] += 1;
        // Re-sign often for bundles to units (cheap to open), rarely for passphrase bundles
        // (each one that verifies costs an Argon2 run at the floor, about 65 ms).
        let passphrase = seeds[i].0.contains("passphrase");
        let odds = if passphrase { 100 } else { 3 };
        if input.len() >= 64 && rng.chance(odds) && resign(&mut input, &keys.sender) {
            stats.resigned += 1;
        }
        let r = catch_unwind(AssertUnwindSafe(|| exercise(&input, &keys, &mut stats)));
        let failure = match r {
            Err(_) => {
                stats.panics += 1;
                Some(("panic", "panic".to_string()))
            }
            Ok(broken) if !broken.is_empty() => {
                stats.violations += 1;
                Some(("contract", broken.join("; ")))
            }
            Ok(_) => None,
        };
        if let Some((kind, what)) = failure {
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("fuzz-bundle-{kind}-{n}.bdl"));
            let _ = std::fs::write(&file, &input);
            eprintln!(
                "{what} on input {n} (seed “{}”, mutation “{}”, {} bytes), saved to {}",
                seeds[i].0,
                MUTATIONS[m],
                input.len(),
                file.display()
            );
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    if std::env::var_os("FUZZ_BUNDLE_OUTCOMES").is_some() {
        for (o, count) in &stats.outcomes {
            println!("{count:>9}  {o}");
        }
    }
    let mix: Vec<String> = MUTATIONS
        .iter()
        .zip(by_mutation)
        .map(|(name, c)| format!("{name} {c}"))
        .collect();
    println!("mutations: {}", mix.join(", "));
    println!(
        "fuzz_bundle: {runs} executions in {elapsed:.1} s, {} distinct outcomes (corpus), {} seeds, \
         {} re-signed, {} past the signature, {} Argon2 runs, {} opened, seed {seed_value}, {} panics, \
         {} broken contracts",
        stats.outcomes.len(),
        seeds.len(),
        stats.resigned,
        stats.signature_ok,
        stats.argon,
        stats.opened,
        stats.panics,
        stats.violations
    );
    if stats.panics + stats.violations > 0 {
        std::process::exit(1);
    }
}
