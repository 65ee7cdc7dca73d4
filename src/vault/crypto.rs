//! Cryptographic primitives of the vault, in one place.
//!
//! Contract: secrets live in [`Secret`] (zeroized on drop, never `Debug`-printed); a password
//! becomes a wrapping key only through Argon2id with parameters of at least
//! [`KdfParams::MIN_MEMORY_KIB`] and at most [`KdfParams::MAX_MEMORY_KIB`],
//! [`KdfParams::MAX_ITERATIONS`] and [`KdfParams::MAX_PARALLELISM`] (checked before Argon2
//! allocates anything, so a crafted key file cannot make a login exhaust memory or time);
//! every ciphertext is AES-256-GCM with a fresh random nonce
//! and the caller's header bound as associated data, so a moved or edited header fails to open.
//! Bundles name a [`Suite`]: the same constructions with AES-256-GCM and SHA-256, or with the
//! national (国密) algorithms SM4-GCM and SM3; no other module calls a cipher or hash itself.
//!
//! Each account has an [`Identity`]: an X25519 key pair that vault keys are wrapped to (a
//! [`Grant`]: ephemeral X25519, HKDF-SHA256, AES-256-GCM, with the caller's header bound), and
//! an Ed25519 key pair that signs what the account does. Wrapping to a public key needs no
//! password, so keys are granted and rotated without anyone learning anyone else's password.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use ed25519_dalek::{Signer, Verifier};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sm3::Sm3;
use sm4::Sm4;
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::{Error, Result};

/// 32 bytes of key material, wiped from memory when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret([u8; 32]);

impl Secret {
    pub fn random() -> Result<Self> {
        let mut k = [0u8; 32];
        fill_random(&mut k)?;
        Ok(Secret(k))
    }
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Secret(bytes)
    }
    pub fn expose(&self) -> &[u8; 32] {
        &self.0
    }
    /// A subkey for one purpose, so that one key never serves two uses.
    pub fn derive(&self, purpose: &str) -> Secret {
        let mut mac = hmac_sha256_init(&self.0);
        mac.update(b"baomi-subkey-v1:");
        mac.update(purpose.as_bytes());
        Secret(mac.finalize().into_bytes().into())
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

pub fn fill_random(buf: &mut [u8]) -> Result<()> {
    getrandom::getrandom(buf).map_err(|e| Error::internal(format!("系统随机数不可用：{e}")))
}

pub fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    fill_random(&mut b)?;
    Ok(b)
}

/// Argon2id cost parameters, stored beside each key slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    pub parallelism: u32,
}

impl KdfParams {
    /// The floor the product accepts: 64 MiB (DESIGN §4).
    pub const MIN_MEMORY_KIB: u32 = 64 * 1024;
    /// The ceilings: 4 GiB, 16 passes, 16 lanes.
    pub const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;
    pub const MAX_ITERATIONS: u32 = 16;
    pub const MAX_PARALLELISM: u32 = 16;

    /// The production default: 256 MiB, 2 passes (about 0.4 s on this project's machine).
    pub fn standard() -> Self {
        KdfParams {
            memory_kib: 256 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }

    /// The cheapest parameters still allowed (for tests and very slow machines).
    pub fn minimum() -> Self {
        KdfParams {
            memory_kib: Self::MIN_MEMORY_KIB,
            iterations: 1,
            parallelism: 1,
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.memory_kib < Self::MIN_MEMORY_KIB {
            return Err(Error::field(
                "kdf_memory",
                "密钥派生内存",
                "不得少于 64 MiB",
            ));
        }
        if self.memory_kib > Self::MAX_MEMORY_KIB {
            return Err(Error::field("kdf_memory", "密钥派生内存", "不得超过 4 GiB"));
        }
        if !(1..=Self::MAX_ITERATIONS).contains(&self.iterations) {
            return Err(Error::field(
                "kdf_iterations",
                "密钥派生迭代次数",
                "应在 1 到 16 之间",
            ));
        }
        if !(1..=Self::MAX_PARALLELISM).contains(&self.parallelism) {
            return Err(Error::field(
                "kdf_parallelism",
                "密钥派生并行度",
                "应在 1 到 16 之间",
            ));
        }
        Ok(())
    }
}

/// Derives a 256-bit key from a password with Argon2id.
pub fn derive_key(password: &str, salt: &[u8], params: KdfParams) -> Result<Secret> {
    params.validate()?;
    let p = argon2::Params::new(
        params.memory_kib,
        params.iterations,
        params.parallelism,
        Some(32),
    )
    .map_err(|e| Error::integrity(format!("密钥文件中的派生参数无效：{e}")))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, p);
    let mut out = [0u8; 32];
    argon
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|e| Error::internal(format!("密钥派生失败：{e}")))?;
    let key = Secret(out);
    out.zeroize();
    Ok(key)
}

/// SM4 (GB/T 32907, 128-bit key) in GCM mode with a 96-bit nonce and a 128-bit tag: the
/// AEAD_SM4_GCM of RFC 8998.
type Sm4Gcm = aes_gcm::AesGcm<Sm4, aes_gcm::aead::consts::U12>;

/// The symmetric algorithms of a bundle: the cipher of its chunks and wrapped keys, and the
/// hash of its digests and key derivations. X25519, Ed25519 and Argon2id are the same in every
/// suite. Keys stay 32-byte [`Secret`]s in both; SM4 takes the first 16 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Suite {
    /// AES-256-GCM; SHA-256, HMAC-SHA256, HKDF-SHA256.
    Aes256GcmSha256,
    /// The national algorithms: SM4-GCM (key = the first 16 bytes of the 32-byte key); SM3,
    /// HMAC-SM3, HKDF-SM3.
    Sm4GcmSm3,
}

impl Suite {
    /// The suite's 32-byte digest: SHA-256 or SM3.
    pub fn hash(self, data: &[u8]) -> [u8; 32] {
        match self {
            Suite::Aes256GcmSha256 => sha256(data),
            Suite::Sm4GcmSm3 => sm3(data),
        }
    }

    /// [`Secret::derive`] with the suite's HMAC: HMAC-H(key, "baomi-subkey-v1:" ‖ purpose).
    pub fn derive(self, key: &Secret, purpose: &str) -> Secret {
        match self {
            Suite::Aes256GcmSha256 => key.derive(purpose),
            Suite::Sm4GcmSm3 => {
                let mut mac = hmac_sm3_init(key.expose());
                mac.update(b"baomi-subkey-v1:");
                mac.update(purpose.as_bytes());
                Secret(mac.finalize().into_bytes().into())
            }
        }
    }

    /// HKDF with the suite's hash (RFC 5869), 32 bytes of output. With SM4, whose key is the
    /// first 16 bytes, this equals HKDF with 16 bytes of output (HKDF's output is a prefix).
    fn hkdf(self, salt: &[u8], ikm: &[u8], info: &[u8]) -> Secret {
        let mut out = [0u8; 32];
        // 32 bytes is far below HKDF's limit of 255 hash lengths, so expansion cannot fail.
        match self {
            Suite::Aes256GcmSha256 => {
                let _ = hkdf::Hkdf::<Sha256>::new(Some(salt), ikm).expand(info, &mut out);
            }
            Suite::Sm4GcmSm3 => {
                let _ = hkdf::Hkdf::<Sm3>::new(Some(salt), ikm).expand(info, &mut out);
            }
        }
        let key = Secret::from_bytes(out);
        out.zeroize();
        key
    }

    /// The suite's AEAD: ciphertext followed by the 16-byte tag.
    fn encrypt(self, key: &Secret, nonce: &[u8; 12], msg: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        let nonce = Nonce::from_slice(nonce);
        let sealed = match self {
            Suite::Aes256GcmSha256 => Aes256Gcm::new_from_slice(key.expose())
                .map_err(|_| Error::internal("密钥长度错误"))?
                .encrypt(nonce, Payload { msg, aad }),
            Suite::Sm4GcmSm3 => Sm4Gcm::new_from_slice(&key.expose()[..16])
                .map_err(|_| Error::internal("密钥长度错误"))?
                .encrypt(nonce, Payload { msg, aad }),
        };
        sealed.map_err(|_| Error::internal("加密失败"))
    }

    /// Opens what [`Suite::encrypt`] sealed; `None` when the key, nonce, ciphertext, tag or
    /// `aad` differ.
    fn decrypt(self, key: &Secret, nonce: &[u8; 12], msg: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        let nonce = Nonce::from_slice(nonce);
        match self {
            Suite::Aes256GcmSha256 => Aes256Gcm::new_from_slice(key.expose())
                .ok()?
                .decrypt(nonce, Payload { msg, aad })
                .ok(),
            Suite::Sm4GcmSm3 => Sm4Gcm::new_from_slice(&key.expose()[..16])
                .ok()?
                .decrypt(nonce, Payload { msg, aad })
                .ok(),
        }
    }
}

/// Encrypts `plain` under `key` with `aad` bound; returns (nonce, ciphertext-with-tag).
pub fn seal(key: &Secret, plain: &[u8], aad: &[u8]) -> Result<([u8; 12], Vec<u8>)> {
    let cipher =
        Aes256Gcm::new_from_slice(key.expose()).map_err(|_| Error::internal("密钥长度错误"))?;
    let nonce = random_bytes::<12>()?;
    let ct = cipher
        .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
        .map_err(|_| Error::internal("加密失败"))?;
    Ok((nonce, ct))
}

/// Decrypts; `None` when the key is wrong or anything (ciphertext, nonce, aad) was changed.
pub fn open(key: &Secret, nonce: &[u8], ct: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
    if nonce.len() != 12 {
        return None;
    }
    let cipher = Aes256Gcm::new_from_slice(key.expose()).ok()?;
    cipher
        .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
        .ok()
}

/// The nonce of chunk `counter` of a STREAM (Hoang, Reyhanitabar, Rogaway, Vizár 2015):
/// the stream's 7-byte prefix, the counter (big-endian), and 1 on the last chunk, else 0. A
/// reordered, dropped, repeated or truncated chunk is then opened under the wrong nonce and
/// fails, and so does a stream cut at a chunk boundary (its new last chunk was sealed as not
/// last).
fn stream_nonce(prefix: &[u8; 7], counter: u32, last: bool) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[..7].copy_from_slice(prefix);
    nonce[7..11].copy_from_slice(&counter.to_be_bytes());
    nonce[11] = u8::from(last);
    nonce
}

/// Seals chunk `counter` of a STREAM under the suite's AEAD (AES-256-GCM or SM4-GCM) with
/// `aad` bound (ciphertext + tag).
pub fn stream_seal(
    suite: Suite,
    key: &Secret,
    prefix: &[u8; 7],
    counter: u32,
    last: bool,
    plain: &[u8],
    aad: &[u8],
) -> Result<Vec<u8>> {
    suite.encrypt(key, &stream_nonce(prefix, counter, last), plain, aad)
}

/// Opens chunk `counter` of a STREAM; `None` when the key is wrong or the chunk, its place,
/// its last flag or `aad` was changed.
pub fn stream_open(
    suite: Suite,
    key: &Secret,
    prefix: &[u8; 7],
    counter: u32,
    last: bool,
    ct: &[u8],
    aad: &[u8],
) -> Option<Vec<u8>> {
    suite.decrypt(key, &stream_nonce(prefix, counter, last), ct, aad)
}

/// An account's private keys: X25519 for receiving wrapped vault keys, Ed25519 for signing.
/// Both are wiped from memory when dropped; only [`PublicKeys`] ever leave it.
pub struct Identity {
    agreement: x25519_dalek::StaticSecret,
    signing: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Identity(…)")
    }
}

/// The public halves of an [`Identity`], as stored beside the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicKeys {
    pub agreement: [u8; 32],
    pub signing: [u8; 32],
}

impl PublicKeys {
    /// The signing key in hex: how entries and checkpoints name their signer.
    pub fn signer(&self) -> String {
        hex::encode(self.signing)
    }
}

/// The serialized private keys inside a slot: 32 bytes X25519 secret, 32 bytes Ed25519 seed.
pub const IDENTITY_LEN: usize = 64;

impl Identity {
    pub fn generate() -> Result<Identity> {
        let a = Secret::random()?;
        let s = Secret::random()?;
        Ok(Self::from_parts(&a, &s))
    }

    fn from_parts(agreement: &Secret, signing: &Secret) -> Identity {
        Identity {
            agreement: x25519_dalek::StaticSecret::from(*agreement.expose()),
            signing: ed25519_dalek::SigningKey::from_bytes(signing.expose()),
        }
    }

    /// The 64 secret bytes, in a buffer wiped when dropped.
    pub fn to_bytes(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let mut out = zeroize::Zeroizing::new(Vec::with_capacity(IDENTITY_LEN));
        out.extend_from_slice(self.agreement.as_bytes());
        out.extend_from_slice(self.signing.as_bytes());
        out
    }

    /// Reads the 64 bytes written by [`Identity::to_bytes`]; `None` for any other length.
    pub fn from_bytes(bytes: &[u8]) -> Option<Identity> {
        if bytes.len() != IDENTITY_LEN {
            return None;
        }
        let mut a = [0u8; 32];
        let mut s = [0u8; 32];
        a.copy_from_slice(&bytes[..32]);
        s.copy_from_slice(&bytes[32..]);
        let (a, s) = (Secret::from_bytes(a), Secret::from_bytes(s));
        Some(Self::from_parts(&a, &s))
    }

    pub fn public(&self) -> PublicKeys {
        PublicKeys {
            agreement: x25519_dalek::PublicKey::from(&self.agreement).to_bytes(),
            signing: self.signing.verifying_key().to_bytes(),
        }
    }

    /// The signing key in hex, as [`PublicKeys::signer`] gives it, without deriving the
    /// agreement key (audit entries name their signer on every write).
    pub fn signer(&self) -> String {
        hex::encode(self.signing.verifying_key().to_bytes())
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }

    /// Unwraps a key granted to this identity; `None` if it was granted to someone else or
    /// anything (the grant, or the header bound to it) was changed.
    pub fn open_grant(&self, grant: &Grant, aad: &[u8]) -> Option<Secret> {
        open_grant_with(Suite::Aes256GcmSha256, &self.agreement, grant, aad)
    }

    /// [`Identity::open_grant`] for a key wrapped by [`grant_to_in`] under `suite`.
    pub fn open_grant_in(&self, suite: Suite, grant: &Grant, aad: &[u8]) -> Option<Secret> {
        open_grant_with(suite, &self.agreement, grant, aad)
    }
}

fn open_grant_with(
    suite: Suite,
    secret: &x25519_dalek::StaticSecret,
    grant: &Grant,
    aad: &[u8],
) -> Option<Secret> {
    let shared = secret.diffie_hellman(&x25519_dalek::PublicKey::from(grant.ephemeral));
    let recipient = x25519_dalek::PublicKey::from(secret).to_bytes();
    let wrapping = grant_key(suite, shared.as_bytes(), &grant.ephemeral, &recipient);
    let mut plain = suite.decrypt(&wrapping, &grant.nonce, &grant.wrapped, aad)?;
    let key: Option<[u8; 32]> = plain.as_slice().try_into().ok();
    plain.zeroize();
    key.map(Secret::from_bytes)
}

/// The vault's recovery key: an X25519 key pair whose private half exists only as the code
/// printed once at vault creation, to be sealed in an envelope and kept in the unit's safe.
/// The register key is granted to its public half at every epoch, so the registers survive the
/// loss of every business account's password; no administrator holds it.
pub struct RecoveryKey {
    secret: x25519_dalek::StaticSecret,
}

impl std::fmt::Debug for RecoveryKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryKey(…)")
    }
}

/// Crockford-style base32 alphabet (no I, L, O, U: nothing to misread when copying by hand).
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 32 key bytes and 3 check bytes: 280 bits, 56 characters, 14 groups of 4.
const CODE_BYTES: usize = 35;

impl RecoveryKey {
    pub fn generate() -> Result<RecoveryKey> {
        let s = Secret::random()?;
        Ok(RecoveryKey {
            secret: x25519_dalek::StaticSecret::from(*s.expose()),
        })
    }

    pub fn public(&self) -> [u8; 32] {
        x25519_dalek::PublicKey::from(&self.secret).to_bytes()
    }

    /// The code to write down: 14 groups of 4 characters.
    pub fn code(&self) -> zeroize::Zeroizing<String> {
        let mut bytes = zeroize::Zeroizing::new([0u8; CODE_BYTES]);
        bytes[..32].copy_from_slice(self.secret.as_bytes());
        let check = sha256(&bytes[..32]);
        bytes[32..].copy_from_slice(&check[..3]);
        let mut out = zeroize::Zeroizing::new(String::with_capacity(70));
        let (mut acc, mut bits, mut n) = (0u32, 0u32, 0usize);
        for b in bytes.iter() {
            acc = (acc << 8) | u32::from(*b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                if n > 0 && n % 4 == 0 {
                    out.push('-');
                }
                out.push(char::from(CODE_ALPHABET[((acc >> bits) & 31) as usize]));
                n += 1;
            }
        }
        acc.zeroize();
        out
    }

    /// Reads a code as typed: case, spaces and dashes do not matter, and O/I/L are read as
    /// 0/1/1. A mistyped code is refused by its check bytes, naming the field.
    pub fn from_code(code: &str) -> Result<RecoveryKey> {
        let bad = |why: &str| Error::field("recovery_code", "恢复码", why.to_string());
        let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(CODE_BYTES));
        let (mut acc, mut bits, mut n) = (0u32, 0u32, 0usize);
        for c in code.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let c = match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            };
            let Some(v) = CODE_ALPHABET.iter().position(|a| char::from(*a) == c) else {
                return Err(bad("含有无效字符（应为数字和字母，I、L、O、U 除外）"));
            };
            acc = (acc << 5) | v as u32;
            bits += 5;
            n += 1;
            if bits >= 8 {
                bits -= 8;
                bytes.push((acc >> bits) as u8);
            }
            acc &= 0xff;
        }
        acc.zeroize();
        if n != 56 || bytes.len() != CODE_BYTES {
            return Err(bad("长度不对：应为 56 个字符（14 组，每组 4 个）"));
        }
        let check = sha256(&bytes[..32]);
        if bytes[32..] != check[..3] {
            return Err(bad("校验不符：有字符抄错了，请逐组核对"));
        }
        let mut k = [0u8; 32];
        k.copy_from_slice(&bytes[..32]);
        let key = RecoveryKey {
            secret: x25519_dalek::StaticSecret::from(k),
        };
        k.zeroize();
        Ok(key)
    }

    /// Unwraps a key granted to the recovery key.
    pub fn open_grant(&self, grant: &Grant, aad: &[u8]) -> Option<Secret> {
        open_grant_with(Suite::Aes256GcmSha256, &self.secret, grant, aad)
    }
}

/// A vault key wrapped to one account's X25519 public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub ephemeral: [u8; 32],
    pub nonce: [u8; 12],
    pub wrapped: Vec<u8>,
}

/// The wrapping key of a grant: HKDF (the suite's hash) of the shared X25519 secret, salted
/// with both public keys.
fn grant_key(
    suite: Suite,
    shared: &[u8; 32],
    ephemeral: &[u8; 32],
    recipient: &[u8; 32],
) -> Secret {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(recipient);
    suite.hkdf(&salt, shared, b"baomi-grant-v1")
}

/// Wraps `key` to `recipient` (an X25519 public key) with `aad` bound.
pub fn grant_to(recipient: &[u8; 32], key: &Secret, aad: &[u8]) -> Result<Grant> {
    grant_to_in(Suite::Aes256GcmSha256, recipient, key, aad)
}

/// [`grant_to`] under `suite`: HKDF-SHA256 and AES-256-GCM, or HKDF-SM3 and SM4-GCM.
pub fn grant_to_in(suite: Suite, recipient: &[u8; 32], key: &Secret, aad: &[u8]) -> Result<Grant> {
    let eph_secret = Secret::random()?;
    let eph = x25519_dalek::StaticSecret::from(*eph_secret.expose());
    let ephemeral = x25519_dalek::PublicKey::from(&eph).to_bytes();
    let shared = eph.diffie_hellman(&x25519_dalek::PublicKey::from(*recipient));
    let wrapping = grant_key(suite, shared.as_bytes(), &ephemeral, recipient);
    let nonce = random_bytes::<12>()?;
    let wrapped = suite.encrypt(&wrapping, &nonce, key.expose(), aad)?;
    Ok(Grant {
        ephemeral,
        nonce,
        wrapped,
    })
}

/// Checks an Ed25519 signature made by [`Identity::sign`]; any malformed input is `false`.
pub fn verify_signature(signer: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Ok(pk) = <[u8; 32]>::try_from(signer) else {
        return false;
    };
    let Ok(sig) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    let Ok(vk) = ed25519_dalek::VerifyingKey::from_bytes(&pk) else {
        return false;
    };
    vk.verify(message, &ed25519_dalek::Signature::from_bytes(&sig))
        .is_ok()
}

/// Whether 32 bytes are a valid Ed25519 public key.
pub fn valid_signing_key(key: &[u8; 32]) -> bool {
    ed25519_dalek::VerifyingKey::from_bytes(key).is_ok()
}

/// [`verify_signature`] over hex-encoded signer and signature, as stored.
pub fn verify_hex(signer: &str, message: &[u8], signature: &str) -> bool {
    match (hex::decode(signer), hex::decode(signature)) {
        (Ok(pk), Ok(sig)) => verify_signature(&pk, message, &sig),
        _ => false,
    }
}

fn hmac_sha256_init(key: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable_hmac(),
    }
}

#[cold]
fn unreachable_hmac() -> Hmac<Sha256> {
    // Hmac::new_from_slice only fails for fixed-size-key MACs; SHA-256 HMAC takes any length.
    <Hmac<Sha256> as KeyInit>::new(&Default::default())
}

fn hmac_sm3_init(key: &[u8]) -> Hmac<Sm3> {
    // As for SHA-256: HMAC-SM3 takes keys of any length, so this cannot fail.
    match <Hmac<Sm3> as Mac>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => <Hmac<Sm3> as KeyInit>::new(&Default::default()),
    }
}

pub fn hmac_sha256(key: &Secret, data: &[u8]) -> [u8; 32] {
    let mut mac = hmac_sha256_init(key.expose());
    mac.update(data);
    mac.finalize().into_bytes().into()
}

pub fn hmac_verify(key: &Secret, data: &[u8], tag: &[u8]) -> bool {
    let mut mac = hmac_sha256_init(key.expose());
    mac.update(data);
    mac.verify_slice(tag).is_ok()
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// SM3 (GB/T 32905), 32 bytes.
pub fn sm3(data: &[u8]) -> [u8; 32] {
    Sm3::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_aad_binding() {
        let k = Secret::random().unwrap();
        let (n, ct) = seal(&k, b"data", b"header").unwrap();
        assert_eq!(open(&k, &n, &ct, b"header").unwrap(), b"data");
        assert!(open(&k, &n, &ct, b"other header").is_none());
        let mut bad = ct.clone();
        bad[0] ^= 1;
        assert!(open(&k, &n, &bad, b"header").is_none());
        assert!(open(&Secret::random().unwrap(), &n, &ct, b"header").is_none());
    }

    #[test]
    fn grants_open_only_for_their_recipient_and_header() {
        let alice = Identity::generate().unwrap();
        let bob = Identity::generate().unwrap();
        let key = Secret::random().unwrap();
        let g = grant_to(&alice.public().agreement, &key, b"hdr").unwrap();
        assert_eq!(alice.open_grant(&g, b"hdr").unwrap().expose(), key.expose());
        assert!(alice.open_grant(&g, b"other").is_none());
        assert!(bob.open_grant(&g, b"hdr").is_none());
        let round = Identity::from_bytes(&alice.to_bytes()).unwrap();
        assert_eq!(round.public(), alice.public());
        assert!(Identity::from_bytes(&[0u8; 63]).is_none());
    }

    #[test]
    fn recovery_codes_round_trip_and_catch_typos() {
        let r = RecoveryKey::generate().unwrap();
        let code = r.code();
        assert_eq!(code.len(), 56 + 13);
        let back = RecoveryKey::from_code(&code.to_lowercase().replace('-', " ")).unwrap();
        assert_eq!(back.public(), r.public());
        let key = Secret::random().unwrap();
        let g = grant_to(&r.public(), &key, b"hdr").unwrap();
        assert_eq!(back.open_grant(&g, b"hdr").unwrap().expose(), key.expose());
        // One character changed: the check bytes catch it.
        let mut typo: Vec<char> = code.chars().collect();
        typo[5] = if typo[5] == 'A' { 'B' } else { 'A' };
        let e = RecoveryKey::from_code(&typo.into_iter().collect::<String>()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("recovery_code"));
        assert!(RecoveryKey::from_code("ABCD").is_err());
        assert!(RecoveryKey::from_code(&"U".repeat(56)).is_err());
    }

    #[test]
    fn signatures_verify_only_for_their_signer_and_message() {
        let a = Identity::generate().unwrap();
        let b = Identity::generate().unwrap();
        let sig = a.sign(b"entry");
        assert!(verify_signature(&a.public().signing, b"entry", &sig));
        assert!(!verify_signature(&a.public().signing, b"entrY", &sig));
        assert!(!verify_signature(&b.public().signing, b"entry", &sig));
        assert!(!verify_signature(&[1, 2, 3], b"entry", &sig));
        assert!(!verify_hex("zz", b"entry", "00"));
    }

    #[test]
    fn kdf_floor_is_enforced() {
        let weak = KdfParams {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        };
        assert_eq!(
            weak.validate().unwrap_err().field.as_deref(),
            Some("kdf_memory")
        );
        assert!(KdfParams::standard().validate().is_ok());
    }

    /// GB/T 32905 (GM/T 0004-2012) Appendix A: "abc" and "abcd" repeated 16 times.
    #[test]
    fn sm3_matches_the_standard_vectors() {
        assert_eq!(
            hex::encode(sm3(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert_eq!(
            hex::encode(sm3(&b"abcd".repeat(16))),
            "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        );
        assert_eq!(Suite::Sm4GcmSm3.hash(b"abc"), sm3(b"abc"));
        assert_eq!(Suite::Aes256GcmSha256.hash(b"abc"), sha256(b"abc"));
    }

    /// GB/T 32907-2016 Appendix A, example 1: one block, key = plaintext.
    #[test]
    fn sm4_matches_the_standard_block_vector() {
        use aes_gcm::aead::generic_array::GenericArray;
        use sm4::cipher::BlockEncrypt;
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let cipher = <Sm4 as KeyInit>::new_from_slice(&key).unwrap();
        let mut block = GenericArray::clone_from_slice(&key);
        cipher.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    /// RFC 8998 Appendix A.1 (AEAD_SM4_GCM), through the suite's own AEAD: the SM4 key is the
    /// first 16 bytes of the 32-byte key.
    #[test]
    fn sm4_gcm_matches_rfc_8998() {
        let mut k = [0u8; 32];
        k[..16].copy_from_slice(&hex::decode("0123456789ABCDEFFEDCBA9876543210").unwrap());
        let key = Secret::from_bytes(k);
        let nonce: [u8; 12] = hex::decode("00001234567800000000ABCD")
            .unwrap()
            .try_into()
            .unwrap();
        let aad = hex::decode("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2").unwrap();
        let plain = hex::decode(
            "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD\
             EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA",
        )
        .unwrap();
        let expected = "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735\
                        D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D\
                        83DE3541E4C2B58177E065A9BF7B62EC";
        let sealed = Suite::Sm4GcmSm3
            .encrypt(&key, &nonce, &plain, &aad)
            .unwrap();
        assert_eq!(hex::encode_upper(&sealed), expected);
        let opened = Suite::Sm4GcmSm3
            .decrypt(&key, &nonce, &sealed, &aad)
            .unwrap();
        assert_eq!(opened, plain);
        let mut bad = sealed.clone();
        bad[70] ^= 0x80;
        assert!(Suite::Sm4GcmSm3.decrypt(&key, &nonce, &bad, &aad).is_none());
        assert!(Suite::Aes256GcmSha256
            .decrypt(&key, &nonce, &sealed, &aad)
            .is_none());
    }

    /// HMAC-SM3 and HKDF-SM3 agree with an independent implementation (OpenSSL 3's SM3 through
    /// Python's `hmac`, HKDF written out per RFC 5869), and the AES suite's derivations are
    /// the ones the vault already uses.
    #[test]
    fn suite_key_derivations_use_the_suites_hash() {
        let key = Secret::from_bytes(*b"0123456789abcdef0123456789abcdef");
        assert_eq!(
            Suite::Aes256GcmSha256.derive(&key, "p").expose(),
            key.derive("p").expose()
        );
        assert_eq!(
            hex::encode(
                Suite::Sm4GcmSm3
                    .derive(&key, "baomi-bundle-v1 passphrase")
                    .expose()
            ),
            HMAC_SM3
        );
        assert_eq!(
            hex::encode(Suite::Sm4GcmSm3.hkdf(b"salt", b"ikm", b"info").expose()),
            HKDF_SM3
        );
        assert_ne!(
            Suite::Aes256GcmSha256
                .hkdf(b"salt", b"ikm", b"info")
                .expose(),
            Suite::Sm4GcmSm3.hkdf(b"salt", b"ikm", b"info").expose()
        );
    }

    const HMAC_SM3: &str = "cb028f9553ee7f6499e42f7d0e3897d48cb37e82f11cb18d6f0e522a902338da";
    const HKDF_SM3: &str = "315a3171a989f11d4b10d39d48360982fc7f586ccbc688699af779c6e05a3355";

    #[test]
    fn grants_and_stream_chunks_open_only_under_their_suite() {
        let alice = Identity::generate().unwrap();
        let key = Secret::random().unwrap();
        for suite in [Suite::Aes256GcmSha256, Suite::Sm4GcmSm3] {
            let g = grant_to_in(suite, &alice.public().agreement, &key, b"hdr").unwrap();
            assert_eq!(g.wrapped.len(), 48);
            let opened = alice.open_grant_in(suite, &g, b"hdr").unwrap();
            assert_eq!(opened.expose(), key.expose());
            assert!(alice.open_grant_in(suite, &g, b"other").is_none());
            let other = match suite {
                Suite::Aes256GcmSha256 => Suite::Sm4GcmSm3,
                Suite::Sm4GcmSm3 => Suite::Aes256GcmSha256,
            };
            assert!(alice.open_grant_in(other, &g, b"hdr").is_none());
            let c = stream_seal(suite, &key, &[9; 7], 3, true, b"chunk", b"aad").unwrap();
            assert_eq!(
                stream_open(suite, &key, &[9; 7], 3, true, &c, b"aad").unwrap(),
                b"chunk"
            );
            assert!(stream_open(other, &key, &[9; 7], 3, true, &c, b"aad").is_none());
        }
        // The AES suite's grant is the vault's own.
        let g = grant_to(&alice.public().agreement, &key, b"hdr").unwrap();
        assert!(alice
            .open_grant_in(Suite::Aes256GcmSha256, &g, b"hdr")
            .is_some());
    }

    #[test]
    fn derive_is_deterministic_per_salt() {
        let p = KdfParams::minimum();
        let a = derive_key("口令Abc12345", b"0123456789abcdef", p).unwrap();
        let b = derive_key("口令Abc12345", b"0123456789abcdef", p).unwrap();
        let c = derive_key("口令Abc12345", b"fedcba9876543210", p).unwrap();
        assert_eq!(a.expose(), b.expose());
        assert_ne!(a.expose(), c.expose());
    }
}
