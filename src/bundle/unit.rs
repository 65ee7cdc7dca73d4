//! The unit's keys for bundles, and the other units it knows.
//!
//! Contract: each vault has one unit identity (Ed25519 to sign what the unit sends, X25519 to
//! receive bundles addressed to it), made the first time a 保密员 needs it and kept only in the
//! register database (under the register key: business accounts only, never an
//! administrator). Its public half leaves the vault as a key card (a small JSON file, also
//! printed on paper to compare the fingerprint), and other units' cards are imported into
//! `known_units`. A card is refused unless its fingerprint matches its key; a new key for a
//! unit already known under another key is refused unless the officer says it replaces the
//! old one (after checking the fingerprint on paper), and both are audited.

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::format::fingerprint;
use crate::error::{Error, Result};
use crate::input::required;
use crate::vault::crypto::Identity;
use crate::vault::roles::{self, Op};
use crate::vault::Session;

/// The format name of a key card file.
pub const CARD_FORMAT: &str = "baomi-unit-key";
/// The largest key card read.
const MAX_CARD: u64 = 16 * 1024;

/// A unit's public keys as exchanged: the key card file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct KeyCard {
    pub format: String,
    pub version: u32,
    pub unit: String,
    /// Ed25519, hex.
    pub signing_pub: String,
    /// X25519, hex.
    pub agreement_pub: String,
    /// 16 bytes of SHA-256 of the signing key, hex in groups of 4.
    pub fingerprint: String,
}

/// A unit known to this vault (imported from its key card).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct KnownUnit {
    pub unit: String,
    pub fingerprint: String,
    pub signing_pub: String,
    pub agreement_pub: String,
    pub imported_at: String,
    pub imported_by: String,
}

fn key32(field: &str, hex_text: &str) -> Result<[u8; 32]> {
    hex::decode(hex_text.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| Error::field(field, "公钥", "应为 64 位十六进制字符"))
}

impl KeyCard {
    /// Reads and checks a card: its format, its keys, and that the fingerprint is its key's.
    pub fn parse(text: &str) -> Result<KeyCard> {
        let card: KeyCard = crate::input::from_json(text)?;
        if card.format != CARD_FORMAT || card.version != 1 {
            return Err(Error::field(
                "format",
                "密钥卡格式",
                "不是保密台账的单位密钥卡（或版本过新）",
            ));
        }
        required("unit", "单位名称", &card.unit, 60)?;
        let signing = key32("signing_pub", &card.signing_pub)?;
        key32("agreement_pub", &card.agreement_pub)?;
        if ed25519_dalek_check(&signing).is_none() {
            return Err(Error::field(
                "signing_pub",
                "签名公钥",
                "不是有效的 Ed25519 公钥",
            ));
        }
        if fingerprint(&signing) != card.fingerprint.trim() {
            return Err(Error::field(
                "fingerprint",
                "密钥指纹",
                "与公钥不符：密钥卡已被改动，请向对方单位核实",
            ));
        }
        Ok(card)
    }
}

/// Whether 32 bytes are a valid Ed25519 point (a card with a junk key is refused at import,
/// not at the first bundle).
fn ed25519_dalek_check(key: &[u8; 32]) -> Option<()> {
    crate::vault::crypto::valid_signing_key(key).then_some(())
}

impl Session {
    /// The unit's identity, made (and audited) the first time a 保密员 needs it.
    pub(crate) fn unit_identity(&mut self) -> Result<Identity> {
        if let Some(id) = self.stored_unit_identity()? {
            return Ok(id);
        }
        if !roles::allows(self.role(), Op::WriteRegisters) {
            return Err(Error::rule(
                "本单位尚未生成数据交换密钥，请保密员登录后生成",
            ));
        }
        let id = Identity::generate()?;
        let public = id.public();
        let secret = id.to_bytes();
        let fp = fingerprint(&public.signing);
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO unit_keys (id, identity, signing_pub, agreement_pub, created_at, created_by)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                rusqlite::params![
                    secret.as_slice(),
                    hex::encode(public.signing),
                    hex::encode(public.agreement),
                    w.now().to_string(),
                    w.actor().to_string()
                ],
            )?;
            w.audit("unit_key_create", &fp, serde_json::json!({ "fingerprint": fp }))
        })?;
        Ok(id)
    }

    /// The unit's identity if it was made (nothing is written).
    pub(crate) fn stored_unit_identity(&mut self) -> Result<Option<Identity>> {
        self.require(Op::ReadRegisters)?;
        let stored: Option<Vec<u8>> = self
            .conn()
            .query_row("SELECT identity FROM unit_keys WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?;
        stored
            .map(|bytes| {
                let bytes = zeroize::Zeroizing::new(bytes);
                Identity::from_bytes(&bytes).ok_or_else(|| Error::integrity("本单位密钥已损坏"))
            })
            .transpose()
    }

    /// This unit's key card (making the unit's keys the first time).
    pub fn unit_key(&mut self) -> Result<KeyCard> {
        let id = self.unit_identity()?;
        let public = id.public();
        Ok(KeyCard {
            format: CARD_FORMAT.to_string(),
            version: 1,
            unit: self.unit_name()?,
            signing_pub: hex::encode(public.signing),
            agreement_pub: hex::encode(public.agreement),
            fingerprint: fingerprint(&public.signing),
        })
    }

    /// Writes this unit's key card to `path` (public keys only), audited.
    pub fn unit_key_export(&mut self, path: &std::path::Path) -> Result<KeyCard> {
        self.require(Op::WriteRegisters)?;
        let card = self.unit_key()?;
        let json =
            serde_json::to_string_pretty(&card).map_err(|e| Error::internal(e.to_string()))?;
        crate::print::write_atomic(path, json.as_bytes())?;
        self.write(|w| {
            w.audit(
                "unit_key_export",
                &card.fingerprint,
                serde_json::json!({ "fingerprint": card.fingerprint }),
            )
        })?;
        Ok(card)
    }

    /// Imports another unit's key card from `path`. A unit already known under another key
    /// is refused unless `replace` (the officer checked the new fingerprint with that unit).
    pub fn unit_key_import(&mut self, path: &std::path::Path, replace: bool) -> Result<KnownUnit> {
        self.require(Op::WriteRegisters)?;
        let size = std::fs::metadata(path)
            .map_err(|e| Error::io(&format!("读取 {}", path.display()), &e))?
            .len();
        if size > MAX_CARD {
            return Err(Error::field("file", "密钥卡", "文件过大，不是单位密钥卡"));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(&format!("读取 {}", path.display()), &e))?;
        let card = KeyCard::parse(&text)?;
        let own = self.unit_key()?;
        if own.fingerprint == card.fingerprint {
            return Err(Error::field(
                "file",
                "密钥卡",
                "这是本单位自己的密钥卡，不需要导入",
            ));
        }
        let unit = card.unit.trim().to_string();
        let other: Option<String> = self
            .conn()
            .query_row(
                "SELECT fingerprint FROM known_units WHERE unit = ?1 AND fingerprint <> ?2",
                [&unit, &card.fingerprint],
                |r| r.get(0),
            )
            .optional()?;
        if let (Some(old), false) = (&other, replace) {
            return Err(Error::rule(format!(
                "单位“{unit}”已有另一把密钥（指纹 {old}），新密钥卡的指纹为 {}。请与对方单位核对新指纹，确认对方已更换密钥后再选择替换导入",
                card.fingerprint
            )));
        }
        self.write(|w| {
            if let Some(old) = &other {
                w.tx.execute("DELETE FROM known_units WHERE fingerprint = ?1", [old])?;
            }
            w.tx.execute(
                "INSERT INTO known_units (fingerprint, unit, signing_pub, agreement_pub, imported_at, imported_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT(fingerprint) DO UPDATE SET unit = excluded.unit",
                rusqlite::params![
                    card.fingerprint,
                    unit,
                    card.signing_pub.trim(),
                    card.agreement_pub.trim(),
                    w.now().to_string(),
                    w.actor().to_string()
                ],
            )?;
            w.audit(
                "unit_key_import",
                &card.fingerprint,
                serde_json::json!({ "fingerprint": card.fingerprint, "unit": unit, "replaced": other }),
            )
        })?;
        self.known_units()?
            .into_iter()
            .find(|k| k.fingerprint == card.fingerprint)
            .ok_or_else(|| Error::internal("导入的单位密钥未找到"))
    }

    /// The units whose key cards were imported, by name.
    pub fn known_units(&mut self) -> Result<Vec<KnownUnit>> {
        self.require(Op::ReadRegisters)?;
        let mut stmt = self.conn().prepare(
            "SELECT unit, fingerprint, signing_pub, agreement_pub, imported_at, imported_by
             FROM known_units ORDER BY unit, imported_at",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KnownUnit {
                unit: r.get(0)?,
                fingerprint: r.get(1)?,
                signing_pub: r.get(2)?,
                agreement_pub: r.get(3)?,
                imported_at: r.get(4)?,
                imported_by: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
