//! The bundle container, format 1 (`docs/bundle-format.md` is its specification): magic and
//! version, a JSON header authenticated as associated data of every chunk, the payload in
//! 64 KiB chunks under the header's cipher suite — AES-256-GCM/SHA-256, or the national
//! algorithms SM4-GCM/SM3 ([`SUITE_SM4`]) — as a STREAM (counter nonces and a last-chunk flag,
//! so a truncated, reordered or spliced bundle fails), and the sending unit's Ed25519
//! signature of everything before it.
//!
//! Contract: [`seal`] writes a whole bundle in memory; [`open`] refuses anything but a whole,
//! untouched bundle of this version, opened with the right passphrase or recipient key, and
//! returns the header and the payload only then — nothing of a bundle is used before all of it
//! is verified. Every refusal is an [`Error`] with a Chinese message naming the problem (an
//! integrity failure, exit 4, except a wrong passphrase). What the payload means (records,
//! manifest, receipts) is the next layer's; who a sender is (a known unit or not) is the
//! caller's decision, from [`Header::sender`].

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Code, Error, Result};
pub use crate::vault::crypto::Suite;
use crate::vault::crypto::{self, Identity, KdfParams, Secret};

/// The first 8 bytes of every bundle.
pub const MAGIC: &[u8; 8] = b"BAOMIBDL";
/// The format this program writes and the newest it reads.
pub const VERSION: u16 = 1;
/// Plaintext bytes per chunk (the last chunk holds 0 to `CHUNK` bytes).
pub const CHUNK: usize = 64 * 1024;
/// GCM tag length (both suites).
const TAG: usize = 16;
/// Ed25519 signature length: the bundle's last bytes.
const SIGNATURE: usize = 64;
/// The largest header read (its length is read before anything is allocated).
const MAX_HEADER: usize = 64 * 1024;
/// The default cipher suite of format 1: AES-256-GCM chunks; SHA-256 digests, HMAC-SHA256
/// and HKDF-SHA256 key derivation.
pub const SUITE_AES: &str = "AES-256-GCM/SHA-256";
/// The national-algorithm (国密) suite: SM4-GCM chunks; SM3 digests, HMAC-SM3 and HKDF-SM3
/// key derivation (signatures stay Ed25519, key agreement X25519, passphrases Argon2id).
pub const SUITE_SM4: &str = "SM4-GCM/SM3";

/// The suites this program writes and reads, default first: what `header.suite` may name.
pub fn suites() -> &'static [&'static str] {
    &[SUITE_AES, SUITE_SM4]
}

/// The algorithms a suite name stands for; `None` for a suite this program does not know.
pub fn suite(name: &str) -> Option<Suite> {
    match name {
        SUITE_AES => Some(Suite::Aes256GcmSha256),
        SUITE_SM4 => Some(Suite::Sm4GcmSm3),
        _ => None,
    }
}

fn known_suite(name: &str) -> Result<Suite> {
    suite(name).ok_or_else(|| Error::internal("不支持的加密套件或分块大小"))
}
/// Domain separation of the signature.
const SIGNED: &[u8] = b"baomi-bundle-v1 signature\0";
/// The shortest passphrase salt read (Argon2's minimum).
const MIN_SALT: usize = 8;
/// Domain separation of the payload key derived from a passphrase.
const PASSPHRASE_KEY: &str = "baomi-bundle-v1 passphrase";

/// Who made the bundle: the sending unit's name and its signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sender {
    pub unit: String,
    /// Ed25519 public key, hex.
    pub signing_pub: String,
    /// The first 16 bytes of SHA-256 of the signing key, hex, grouped by 4: what people
    /// compare on paper.
    pub fingerprint: String,
}

/// How the payload key is obtained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KeyInfo {
    /// Argon2id of the passphrase with this salt and these costs.
    Passphrase { kdf: KdfParams, salt: String },
    /// The payload key wrapped to each recipient unit's X25519 key.
    Recipients(Vec<Recipient>),
}

/// The payload key wrapped to one recipient (ephemeral X25519, then HKDF and the AEAD of the
/// bundle's suite, with the magic, version and recipient fingerprint bound).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The recipient unit's fingerprint (of its signing key).
    pub fingerprint: String,
    /// The recipient's X25519 public key, hex.
    pub agreement_pub: String,
    pub ephemeral: String,
    pub nonce: String,
    pub wrapped: String,
}

/// What a bundle says of itself, authenticated with every chunk and signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub suite: String,
    /// `records`, `receipt` or `backup`.
    pub kind: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub sender: Sender,
    pub records: u64,
    pub events: u64,
    pub chunk_size: u32,
    /// The STREAM's 7-byte nonce prefix, hex.
    pub nonce_prefix: String,
    pub key: KeyInfo,
}

/// The fingerprint of a signing key: 16 bytes of its SHA-256, hex in groups of 4.
pub fn fingerprint(signing_pub: &[u8; 32]) -> String {
    let h = hex::encode(&crypto::sha256(signing_pub)[..16]);
    h.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The key that opens a bundle.
pub enum Opener<'a> {
    Passphrase(&'a str),
    /// A recipient unit's identity.
    Unit(&'a Identity),
}

/// What [`seal`] writes besides the payload: chosen at random in use, fixed in test vectors.
pub struct Sealing<'a> {
    pub header: Header,
    pub payload_key: &'a Secret,
    pub signer: &'a Identity,
}

fn integrity(message: impl Into<String>) -> Error {
    Error::integrity(message)
}

/// At most `max` characters of a value read from a bundle, for an error message: a crafted
/// header must not make a message of 64 KiB.
fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// The bytes before the chunks: magic, version, header length, header.
fn prefix(header: &Header) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(header).map_err(|e| Error::internal(e.to_string()))?;
    if json.len() > MAX_HEADER {
        return Err(Error::internal("数据包头过长"));
    }
    let mut out = Vec::with_capacity(14 + json.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_be_bytes());
    out.extend_from_slice(&(json.len() as u32).to_be_bytes());
    out.extend_from_slice(&json);
    Ok(out)
}

fn nonce_prefix(header: &Header) -> Result<[u8; 7]> {
    hex::decode(&header.nonce_prefix)
        .ok()
        .and_then(|b| <[u8; 7]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| integrity("数据包头中的随机数前缀无效"))
}

/// The payload key of a passphrase bundle of `suite` (a name from [`suites`]): Argon2id, then
/// the suite's HMAC (HMAC-SHA256 or HMAC-SM3) with the bundle's purpose.
pub fn passphrase_key(
    suite: &str,
    passphrase: &str,
    kdf: KdfParams,
    salt: &[u8],
) -> Result<Secret> {
    let suite = known_suite(suite)?;
    Ok(suite.derive(&crypto::derive_key(passphrase, salt, kdf)?, PASSPHRASE_KEY))
}

/// The associated data of a recipient's wrapped key.
fn recipient_aad(fingerprint: &str) -> Vec<u8> {
    let mut aad = MAGIC.to_vec();
    aad.extend_from_slice(&VERSION.to_be_bytes());
    aad.extend_from_slice(fingerprint.as_bytes());
    aad
}

/// Wraps `payload_key` to each recipient unit of a bundle of `suite` (a name from
/// [`suites`]): HKDF-SHA256 and AES-256-GCM, or HKDF-SM3 and SM4-GCM.
pub fn recipients(
    suite: &str,
    payload_key: &Secret,
    units: &[([u8; 32], [u8; 32])],
) -> Result<KeyInfo> {
    let suite = known_suite(suite)?;
    let mut out = Vec::new();
    for (signing, agreement) in units {
        let fingerprint = fingerprint(signing);
        let g = crypto::grant_to_in(suite, agreement, payload_key, &recipient_aad(&fingerprint))?;
        out.push(Recipient {
            fingerprint,
            agreement_pub: hex::encode(agreement),
            ephemeral: hex::encode(g.ephemeral),
            nonce: hex::encode(g.nonce),
            wrapped: hex::encode(&g.wrapped),
        });
    }
    Ok(KeyInfo::Recipients(out))
}

/// Writes a whole bundle: prefix, chunks, signature.
pub fn seal(s: &Sealing<'_>, payload: &[u8]) -> Result<Vec<u8>> {
    let suite = known_suite(&s.header.suite)?;
    if s.header.chunk_size as usize != CHUNK {
        return Err(Error::internal("不支持的加密套件或分块大小"));
    }
    let mut out = prefix(&s.header)?;
    let aad = suite.hash(&out);
    let np = nonce_prefix(&s.header)?;
    let count = payload.len() / CHUNK + 1;
    out.reserve(payload.len() + count * TAG + SIGNATURE);
    // A payload that fills its chunks exactly (or is empty) ends with an empty last chunk.
    let mut chunks = payload.chunks(CHUNK);
    for i in 0..count {
        let plain = chunks.next().unwrap_or(&[]);
        let counter = u32::try_from(i).map_err(|_| Error::internal("数据包过大"))?;
        out.extend(crypto::stream_seal(
            suite,
            s.payload_key,
            &np,
            counter,
            i + 1 == count,
            plain,
            &aad,
        )?);
    }
    let digest = suite.hash(&out);
    let mut signed = SIGNED.to_vec();
    signed.extend_from_slice(&digest);
    out.extend_from_slice(&s.signer.sign(&signed));
    Ok(out)
}

/// Reads the header of a bundle (not yet verified: only for deciding how to open it, and for
/// saying what a refused bundle claimed to be). Returns it and where the chunks start.
pub fn read_header(bytes: &[u8]) -> Result<(Header, usize)> {
    parse_header(bytes).map(|(header, _, start)| (header, start))
}

/// [`read_header`] and the header's suite.
fn parse_header(bytes: &[u8]) -> Result<(Header, Suite, usize)> {
    if bytes.len() < 14 || &bytes[..8] != MAGIC {
        return Err(integrity("这不是保密台账数据包（文件标识不符）"));
    }
    let version = u16::from_be_bytes([bytes[8], bytes[9]]);
    if version > VERSION {
        return Err(integrity(format!(
            "数据包格式版本 {version} 高于本程序支持的版本 {VERSION}，请升级程序后再导入"
        )));
    }
    if version == 0 {
        return Err(integrity("数据包格式版本无效"));
    }
    let len = u32::from_be_bytes([bytes[10], bytes[11], bytes[12], bytes[13]]) as usize;
    if len > MAX_HEADER || bytes.len() < 14 + len + TAG + SIGNATURE {
        return Err(integrity("数据包不完整（已被截断）或数据包头损坏"));
    }
    let header: Header = serde_json::from_slice(&bytes[14..14 + len])
        .map_err(|e| integrity(format!("数据包头无法读取：{}", clip(&e.to_string(), 200))))?;
    let Some(suite) = suite(&header.suite) else {
        return Err(integrity(format!(
            "未知的加密套件“{}”",
            clip(&header.suite, 40)
        )));
    };
    if header.chunk_size as usize != CHUNK {
        return Err(integrity("数据包的分块大小不符合格式 1"));
    }
    Ok((header, suite, 14 + len))
}

/// Checks the sender's signature over the suite's digest of everything before it.
fn verify_signature(bytes: &[u8], header: &Header, suite: Suite) -> Result<()> {
    let (body, sig) = bytes.split_at(bytes.len() - SIGNATURE);
    let signer = hex::decode(&header.sender.signing_pub).unwrap_or_default();
    let fp_ok = <[u8; 32]>::try_from(signer.as_slice())
        .is_ok_and(|k| fingerprint(&k) == header.sender.fingerprint);
    let mut signed = SIGNED.to_vec();
    signed.extend_from_slice(&suite.hash(body));
    if !fp_ok || !crypto::verify_signature(&signer, &signed, sig) {
        return Err(integrity(
            "数据包签名无效：数据包在签发后被改动、截断或拼接，拒绝导入",
        ));
    }
    Ok(())
}

fn payload_key(header: &Header, suite: Suite, opener: &Opener<'_>) -> Result<Secret> {
    match (&header.key, opener) {
        (KeyInfo::Passphrase { kdf, salt }, Opener::Passphrase(p)) => {
            // A crafted header's costs or salt are the bundle's fault (integrity), not a field
            // of a form or a defect of this program.
            kdf.validate()
                .map_err(|e| integrity(format!("数据包头中的密钥派生参数无效（{}）", e.message)))?;
            let salt = hex::decode(salt)
                .ok()
                .filter(|s| s.len() >= MIN_SALT)
                .ok_or_else(|| integrity("数据包头中的盐值无效"))?;
            Ok(suite.derive(&crypto::derive_key(p, &salt, *kdf)?, PASSPHRASE_KEY))
        }
        (KeyInfo::Recipients(list), Opener::Unit(me)) => {
            let mine = fingerprint(&me.public().signing);
            let r = list.iter().find(|r| r.fingerprint == mine).ok_or_else(|| {
                Error::new(
                    Code::AuthFailed,
                    "该数据包不是发给本单位的（收件单位中没有本单位的密钥）",
                )
            })?;
            let grant = crypto::Grant {
                ephemeral: hex::decode(&r.ephemeral)
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
                    .ok_or_else(|| integrity("收件密钥无效"))?,
                nonce: hex::decode(&r.nonce)
                    .ok()
                    .and_then(|b| <[u8; 12]>::try_from(b.as_slice()).ok())
                    .ok_or_else(|| integrity("收件密钥无效"))?,
                wrapped: hex::decode(&r.wrapped).map_err(|_| integrity("收件密钥无效"))?,
            };
            me.open_grant_in(suite, &grant, &recipient_aad(&r.fingerprint))
                .ok_or_else(|| integrity("无法用本单位密钥解开数据包密钥：数据包已损坏"))
        }
        (KeyInfo::Passphrase { .. }, Opener::Unit(_)) => Err(Error::new(
            Code::AuthFailed,
            "该数据包用口令加密，请输入数据包口令",
        )),
        (KeyInfo::Recipients(_), Opener::Passphrase(_)) => Err(Error::new(
            Code::AuthFailed,
            "该数据包发给指定单位，须用收件单位的密钥打开，不用口令",
        )),
    }
}

/// A verified, opened bundle.
#[derive(Debug)]
pub struct Opened {
    pub header: Header,
    pub payload: Zeroizing<Vec<u8>>,
}

/// Verifies and opens a whole bundle: header, signature, every chunk in order, the last flag.
pub fn open(bytes: &[u8], opener: &Opener<'_>) -> Result<Opened> {
    let (header, suite, start) = parse_header(bytes)?;
    verify_signature(bytes, &header, suite)?;
    let key = payload_key(&header, suite, opener)?;
    let aad = suite.hash(&bytes[..start]);
    let np = nonce_prefix(&header)?;
    let body = &bytes[start..bytes.len() - SIGNATURE];
    let pieces: Vec<&[u8]> = body.chunks(CHUNK + TAG).collect();
    let mut payload = Zeroizing::new(Vec::with_capacity(body.len()));
    for (i, piece) in pieces.iter().enumerate() {
        let last = i + 1 == pieces.len();
        let counter = u32::try_from(i).map_err(|_| integrity("数据包过大"))?;
        let plain =
            crypto::stream_open(suite, &key, &np, counter, last, piece, &aad).ok_or_else(|| {
                if i == 0 {
                    match opener {
                        Opener::Passphrase(_) => Error::new(Code::AuthFailed, "数据包口令错误"),
                        Opener::Unit(_) => integrity("数据包第 1 块无法解密：数据包已损坏"),
                    }
                } else {
                    integrity(format!(
                        "数据包第 {} 块校验失败：数据包被截断、重排或篡改",
                        i + 1
                    ))
                }
            })?;
        payload.extend_from_slice(&plain);
    }
    Ok(Opened { header, payload })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(seed: u8) -> Identity {
        Identity::from_bytes(&[seed; 64]).unwrap()
    }

    fn sender(id: &Identity) -> Sender {
        let pk = id.public().signing;
        Sender {
            unit: "某某市国家保密局测试处".into(),
            signing_pub: hex::encode(pk),
            fingerprint: fingerprint(&pk),
        }
    }

    /// The fixed inputs of the committed test vectors (`tests/bundle-vectors/`).
    fn vector_header(suite: &str, key: KeyInfo) -> Header {
        Header {
            suite: suite.into(),
            kind: "records".into(),
            created_at: "2026-12-01T00:00:00Z".into(),
            sender: sender(&signer(1)),
            records: 1,
            events: 2,
            chunk_size: CHUNK as u32,
            nonce_prefix: "00010203040506".into(),
            key,
        }
    }

    const SALT: [u8; 16] = *b"baomi-test-salt!";
    const PASSPHRASE: &str = "测试口令-correct horse";

    /// Two chunks: 65,536 + 100 bytes.
    fn vector_payload() -> Vec<u8> {
        (0..CHUNK + 100).map(|i| (i % 251) as u8).collect()
    }

    fn vector(suite: &str) -> Vec<u8> {
        let kdf = KdfParams::minimum();
        let header = vector_header(
            suite,
            KeyInfo::Passphrase {
                kdf,
                salt: hex::encode(SALT),
            },
        );
        let key = passphrase_key(suite, PASSPHRASE, kdf, &SALT).unwrap();
        let id = signer(1);
        seal(
            &Sealing {
                header,
                payload_key: &key,
                signer: &id,
            },
            &vector_payload(),
        )
        .unwrap()
    }

    /// A committed vector is what this program writes from the fixed inputs, and opens to the
    /// fixed payload: an independent decoder can be checked against the file.
    fn reproduce_and_open(suite: &str, file: &str) {
        let path = format!("{}/tests/bundle-vectors/{file}", env!("CARGO_MANIFEST_DIR"));
        let made = vector(suite);
        if std::env::var_os("BAOMI_UPDATE_VECTORS").is_some() {
            std::fs::write(&path, &made).unwrap();
        }
        let committed = std::fs::read(&path).expect("run with BAOMI_UPDATE_VECTORS=1 once");
        assert!(
            made == committed,
            "the writer no longer reproduces the vector {file}"
        );
        let opened = open(&committed, &Opener::Passphrase(PASSPHRASE)).unwrap();
        assert_eq!(*opened.payload, vector_payload());
        assert_eq!(opened.header.records, 1);
        assert_eq!(opened.header.suite, suite);
        let e = open(&committed, &Opener::Passphrase("wrong")).unwrap_err();
        assert_eq!(e.code, Code::AuthFailed);
        assert_eq!(e.message, "数据包口令错误");
    }

    #[test]
    fn the_committed_test_vector_is_reproduced_and_opens() {
        reproduce_and_open(SUITE_AES, "v1-passphrase.bdl");
    }

    #[test]
    fn the_committed_sm4_test_vector_is_reproduced_and_opens() {
        reproduce_and_open(SUITE_SM4, "v1-passphrase-sm4.bdl");
    }

    fn small(suite: &str, payload: &[u8]) -> (Vec<u8>, Secret) {
        let key = passphrase_key(suite, PASSPHRASE, KdfParams::minimum(), &SALT).unwrap();
        let id = signer(2);
        let mut header = vector_header(
            suite,
            KeyInfo::Passphrase {
                kdf: KdfParams::minimum(),
                salt: hex::encode(SALT),
            },
        );
        header.sender = sender(&id);
        let bytes = seal(
            &Sealing {
                header,
                payload_key: &key,
                signer: &id,
            },
            payload,
        )
        .unwrap();
        (bytes, key)
    }

    /// Every header bit flipped, 10,000 random body bits flipped and every truncation point
    /// of a small bundle are refused (here by the signature, before any key is derived).
    fn every_flipped_bit_and_every_truncation_is_refused_in(suite: &str) {
        let (bytes, _) = small(suite, &[7u8; 3000]);
        let (_, start) = read_header(&bytes).unwrap();
        let refuse = |b: &[u8]| {
            let e = open(b, &Opener::Passphrase(PASSPHRASE)).unwrap_err();
            assert!(
                matches!(e.code, Code::Integrity | Code::AuthFailed),
                "{e:?}"
            );
        };
        for bit in 0..start * 8 {
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            refuse(&b);
        }
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..10_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let bit = start * 8 + (state as usize) % ((bytes.len() - start) * 8);
            let mut b = bytes.clone();
            b[bit / 8] ^= 1 << (bit % 8);
            refuse(&b);
        }
        for cut in 0..bytes.len() {
            refuse(&bytes[..cut]);
        }
        let mut longer = bytes.clone();
        longer.push(0);
        refuse(&longer);
    }

    #[test]
    fn every_flipped_bit_and_every_truncation_is_refused() {
        every_flipped_bit_and_every_truncation_is_refused_in(SUITE_AES);
    }

    #[test]
    fn every_flipped_bit_and_every_truncation_of_an_sm4_bundle_is_refused() {
        every_flipped_bit_and_every_truncation_is_refused_in(SUITE_SM4);
    }

    #[test]
    fn chunks_are_bound_to_their_place_and_the_last_one_is_marked() {
        let key = Secret::from_bytes([3; 32]);
        let np = [1u8; 7];
        for name in suites() {
            let suite = suite(name).unwrap();
            let a = crypto::stream_seal(suite, &key, &np, 0, false, b"first", b"h").unwrap();
            let b = crypto::stream_seal(suite, &key, &np, 1, true, b"last", b"h").unwrap();
            assert!(crypto::stream_open(suite, &key, &np, 0, false, &a, b"h").is_some());
            // Reordered, marked last too early (truncation), or under another header: refused.
            assert!(crypto::stream_open(suite, &key, &np, 1, true, &a, b"h").is_none());
            assert!(crypto::stream_open(suite, &key, &np, 0, true, &a, b"h").is_none());
            assert!(crypto::stream_open(suite, &key, &np, 0, false, &b, b"h").is_none());
            assert!(crypto::stream_open(suite, &key, &np, 1, true, &b, b"other").is_none());
            // An empty payload is one empty last chunk; a full chunk is followed by an empty
            // one.
            for len in [0, CHUNK] {
                let (bytes, _) = small(name, &vec![5u8; len]);
                let opened = open(&bytes, &Opener::Passphrase(PASSPHRASE)).unwrap();
                assert_eq!(opened.payload.len(), len);
            }
        }
    }

    fn a_bundle_to_units_opens_only_with_a_recipients_key_in(suite: &str) {
        let sender_id = signer(4);
        let (alice, bob, eve) = (signer(5), signer(6), signer(7));
        let key = Secret::from_bytes([8; 32]);
        let units: Vec<([u8; 32], [u8; 32])> = [&alice, &bob]
            .iter()
            .map(|u| (u.public().signing, u.public().agreement))
            .collect();
        let mut header = vector_header(suite, recipients(suite, &key, &units).unwrap());
        header.sender = sender(&sender_id);
        let bytes = seal(
            &Sealing {
                header,
                payload_key: &key,
                signer: &sender_id,
            },
            b"payload",
        )
        .unwrap();
        for u in [&alice, &bob] {
            assert_eq!(
                &**open(&bytes, &Opener::Unit(u)).unwrap().payload,
                b"payload"
            );
        }
        let e = open(&bytes, &Opener::Unit(&eve)).unwrap_err();
        assert!(e.message.contains("不是发给本单位的"), "{}", e.message);
        let e = open(&bytes, &Opener::Passphrase("x")).unwrap_err();
        assert!(e.message.contains("不用口令"), "{}", e.message);
    }

    #[test]
    fn a_bundle_to_units_opens_only_with_a_recipients_key() {
        a_bundle_to_units_opens_only_with_a_recipients_key_in(SUITE_AES);
        a_bundle_to_units_opens_only_with_a_recipients_key_in(SUITE_SM4);
    }

    /// The suite is the header's: both names are read, and what each derives differs, so a
    /// key made for one suite does not open a bundle of the other.
    #[test]
    fn both_suites_are_known_and_keys_are_per_suite() {
        assert_eq!(suites(), &[SUITE_AES, SUITE_SM4]);
        assert_eq!(suite(SUITE_AES), Some(Suite::Aes256GcmSha256));
        assert_eq!(suite(SUITE_SM4), Some(Suite::Sm4GcmSm3));
        assert_eq!(suite("SM4-GCM/SHA-256"), None);
        let kdf = KdfParams::minimum();
        let aes = passphrase_key(SUITE_AES, PASSPHRASE, kdf, &SALT).unwrap();
        let sm4 = passphrase_key(SUITE_SM4, PASSPHRASE, kdf, &SALT).unwrap();
        assert_ne!(aes.expose(), sm4.expose());
        assert!(passphrase_key("ROT13", PASSPHRASE, kdf, &SALT).is_err());
        // Sealed with the other suite's key: the signature holds, the first chunk does not.
        let id = signer(2);
        let mut header = vector_header(
            SUITE_SM4,
            KeyInfo::Passphrase {
                kdf,
                salt: hex::encode(SALT),
            },
        );
        header.sender = sender(&id);
        let bytes = seal(
            &Sealing {
                header: header.clone(),
                payload_key: &aes,
                signer: &id,
            },
            b"x",
        )
        .unwrap();
        let e = open(&bytes, &Opener::Passphrase(PASSPHRASE)).unwrap_err();
        assert_eq!(e.message, "数据包口令错误");
        header.suite = "AES-128-GCM/SHA-256".into();
        let e = seal(
            &Sealing {
                header,
                payload_key: &aes,
                signer: &id,
            },
            b"x",
        )
        .unwrap_err();
        assert_eq!(e.code, Code::Internal);
    }

    /// Found by `examples/fuzz_bundle.rs`: a signed header whose salt Argon2 refuses, or whose
    /// costs are out of bounds, was refused as a defect of this program (Internal) or a form
    /// field (Validation) instead of as a damaged bundle.
    #[test]
    fn crafted_kdf_costs_and_salts_are_integrity_failures() {
        let id = signer(2);
        let key = Secret::from_bytes([1; 32]);
        let floor = KdfParams::minimum();
        let cases = [
            (floor, "00".to_string(), "盐值无效"),
            (floor, String::new(), "盐值无效"),
            (floor, "00".repeat(7), "盐值无效"),
            (
                KdfParams {
                    memory_kib: 1,
                    ..floor
                },
                hex::encode(SALT),
                "密钥派生参数无效（密钥派生内存：不得少于 64 MiB）",
            ),
            (
                KdfParams {
                    iterations: 0,
                    ..floor
                },
                hex::encode(SALT),
                "密钥派生参数无效",
            ),
            (
                KdfParams {
                    parallelism: u32::MAX,
                    ..floor
                },
                hex::encode(SALT),
                "密钥派生参数无效",
            ),
        ];
        for suite in suites() {
            for (kdf, salt, says) in &cases {
                let mut header = vector_header(
                    suite,
                    KeyInfo::Passphrase {
                        kdf: *kdf,
                        salt: salt.clone(),
                    },
                );
                header.sender = sender(&id);
                let sealing = Sealing {
                    header,
                    payload_key: &key,
                    signer: &id,
                };
                let bytes = seal(&sealing, b"x").unwrap();
                let e = open(&bytes, &Opener::Passphrase(PASSPHRASE)).unwrap_err();
                assert_eq!(e.code, Code::Integrity, "{e:?}");
                assert!(e.message.contains(says), "{}", e.message);
            }
        }
    }

    /// Found by `examples/fuzz_bundle.rs`: a header's own text (a 60,000-character suite name,
    /// a long string where a number belongs) was quoted whole in the error message.
    #[test]
    fn error_messages_quote_at_most_a_little_of_a_crafted_header() {
        let (bytes, _) = small(SUITE_SM4, b"x");
        let (header, start) = read_header(&bytes).unwrap();
        let long = "长".repeat(20_000);
        let mut h = header.clone();
        h.suite = long.clone();
        let mut b = prefix(&h).unwrap();
        b.extend_from_slice(&bytes[start..]);
        let e = read_header(&b).unwrap_err();
        assert_eq!(e.code, Code::Integrity);
        assert_eq!(e.message, format!("未知的加密套件“{}…”", "长".repeat(40)));
        let mut json = serde_json::to_value(&header).unwrap();
        json["records"] = serde_json::json!(long);
        let text = serde_json::to_vec(&json).unwrap();
        let mut b = MAGIC.to_vec();
        b.extend_from_slice(&VERSION.to_be_bytes());
        b.extend_from_slice(&(text.len() as u32).to_be_bytes());
        b.extend_from_slice(&text);
        b.extend_from_slice(&bytes[start..]);
        let e = read_header(&b).unwrap_err();
        assert_eq!(e.code, Code::Integrity);
        assert!(e
            .message
            .starts_with("数据包头无法读取：invalid type: string"));
        assert!(e.message.chars().count() < 230, "{}", e.message);
    }

    #[test]
    fn wrong_magic_newer_version_and_unknown_suite_are_named() {
        let (bytes, _) = small(SUITE_AES, b"x");
        let mut b = bytes.clone();
        b[0] = b'X';
        assert!(open(&b, &Opener::Passphrase(PASSPHRASE))
            .unwrap_err()
            .message
            .contains("不是保密台账数据包"));
        let mut b = bytes.clone();
        b[9] = 2;
        let e = open(&b, &Opener::Passphrase(PASSPHRASE)).unwrap_err();
        assert!(e.message.contains("版本 2 高于"), "{}", e.message);
        assert_eq!(e.code, Code::Integrity);
        let at = bytes
            .windows(SUITE_AES.len())
            .position(|w| w == SUITE_AES.as_bytes())
            .unwrap();
        let mut b = bytes.clone();
        b[at + SUITE_AES.len() - 1] = b'1';
        let e = open(&b, &Opener::Passphrase(PASSPHRASE)).unwrap_err();
        assert!(e.message.contains("未知的加密套件"), "{}", e.message);
        // The SM suite's name, one letter off, is refused the same way.
        let (bytes, _) = small(SUITE_SM4, b"x");
        assert_eq!(read_header(&bytes).unwrap().0.suite, SUITE_SM4);
        let at = bytes
            .windows(SUITE_SM4.len())
            .position(|w| w == SUITE_SM4.as_bytes())
            .unwrap();
        let mut b = bytes.clone();
        b[at] = b'X';
        let e = read_header(&b).unwrap_err();
        assert_eq!(e.message, "未知的加密套件“XM4-GCM/SM3”");
    }
}
