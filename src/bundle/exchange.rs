//! Export and import of records as bundles, and the receipts that close a transfer.
//!
//! Contract: an export is what an officer sends — chosen carriers, the carriers handed back to
//! one issuing unit (清退), one person's file, devices, or everything changed since a date —
//! sealed by [`super::format`] to a passphrase or to known units, signed with the unit's key,
//! written atomically to the path the officer chose, and audited with the bundle's SHA-256.
//! An import verifies all of a bundle (signature, every chunk, the manifest of every record's
//! SHA-256, the counts) before it reads a record; its preview says what would be added,
//! changed and what conflicts ([`crate::registers::exchange`] decides each record), and it
//! writes nothing until the officer has accepted an unknown or changed sender and resolved
//! every conflict; then one transaction applies it all and audits it, and a receipt — itself
//! a signed bundle addressed to the sender — is written beside it. Importing the receipt marks
//! the sender's bundle received. A refused bundle or receipt leaves the vault unchanged.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zeroize::Zeroizing;

use super::format::{self, Header, KeyInfo, Opener, Sealing, Sender};
use crate::error::{Code, Error, Result};
use crate::registers::exchange::{Peer, PlannedRecord, Resolution, WireRecord};
use crate::registers::{register_info, table, RegisterInfo, REGISTERS};
use crate::vault::crypto::{self, Secret};
use crate::vault::roles::Op;
use crate::vault::Session;

/// The payload format name of a records bundle.
pub const RECORDS_FORMAT: &str = "baomi-records";
/// The payload format name of a receipt.
pub const RECEIPT_FORMAT: &str = "baomi-receipt";
/// The largest bundle read into memory.
const MAX_BUNDLE: u64 = 4 << 30;
/// The shortest passphrase accepted for a bundle.
const MIN_PASSPHRASE: usize = 8;

/// One line of the manifest: a record and the SHA-256 of its JSON in the payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestEntry {
    pub register: String,
    pub origin: String,
    pub origin_id: i64,
    pub sha256: String,
}

/// The payload of a records bundle (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordsPayload {
    pub format: String,
    pub version: u32,
    pub unit: String,
    /// The sender's X25519 key (hex), so the receipt can be addressed back.
    pub agreement_pub: String,
    /// What the officer chose to send, in words.
    pub selection: String,
    pub records: Vec<WireRecord>,
    pub manifest: Vec<ManifestEntry>,
}

/// One record a receipt acknowledges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptItem {
    pub register: String,
    pub origin: String,
    pub origin_id: i64,
    /// `added`, `changed`, `unchanged` or `conflict` (resolved).
    pub fate: String,
}

/// The payload of a receipt (JSON).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptPayload {
    pub format: String,
    pub version: u32,
    /// SHA-256 of the bundle received, hex.
    pub bundle: String,
    pub unit: String,
    pub received_at: String,
    pub items: Vec<ReceiptItem>,
}

/// What to send.
#[derive(Debug, Clone, Default, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ExportRequest {
    /// `doc`, `device` or `person`; absent: every register (with `since`).
    #[serde(default)]
    #[ts(optional)]
    pub register: Option<String>,
    /// Records by id or serial.
    #[serde(default)]
    pub ids: Vec<String>,
    /// The carriers handed back (清退) to this issuing unit.
    #[serde(default)]
    #[ts(optional)]
    pub handback_to: Option<String>,
    /// Everything changed since this date.
    #[serde(default)]
    #[ts(optional)]
    pub since: Option<String>,
    /// Fingerprints of known units to address it to (else a passphrase).
    #[serde(default)]
    pub to_units: Vec<String>,
    /// The cipher suite: `aes` (AES-256-GCM/SHA-256, the default) or `sm4` (国密
    /// SM4-GCM/SM3), or the suite's full name.
    #[serde(default)]
    #[ts(optional)]
    pub suite: Option<String>,
}

/// The suite an export names: `aes`, `sm4`, a full suite name, or the default.
pub fn suite_name(given: Option<&str>) -> Result<String> {
    let given = given.map(str::trim).filter(|g| !g.is_empty());
    let name = match given {
        None | Some("aes") | Some("AES") => format::SUITE_AES,
        Some("sm4") | Some("SM4") | Some("国密") => format::SUITE_SM4,
        Some(other) => format::suites()
            .iter()
            .copied()
            .find(|s| *s == other)
            .ok_or_else(|| {
                Error::field(
                    "suite",
                    "加密套件",
                    format!(
                        "没有“{other}”，可选：aes（AES-256-GCM/SHA-256）、sm4（国密 SM4-GCM/SM3）"
                    ),
                )
            })?,
    };
    Ok(name.to_string())
}

/// A written bundle.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Exported {
    pub path: String,
    /// SHA-256 of the file, hex.
    pub hash: String,
    #[ts(type = "number")]
    pub records: u64,
    #[ts(type = "number")]
    pub events: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    pub selection: String,
    /// The units it is addressed to (empty: a passphrase).
    pub recipients: Vec<String>,
}

/// Whether the sender of a bundle is a unit this vault knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum SenderStatus {
    /// Its key card was imported: the fingerprint was checked on paper.
    Known,
    /// No unit of that name or key is known.
    Unknown,
    /// A unit of that name is known under another key.
    Changed,
}

/// The sender as a bundle names it, and what this vault knows of it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SenderInfo {
    pub unit: String,
    pub fingerprint: String,
    pub status: SenderStatus,
    /// The fingerprint this vault knows for that unit name, when it differs.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_fingerprint: Option<String>,
}

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportRequest {
    pub path: PathBuf,
    pub passphrase: Option<Zeroizing<String>>,
    /// Only the preview; nothing is written.
    pub dry_run: bool,
    /// The officer accepts a sender that is unknown or whose key changed.
    pub accept_sender: bool,
    /// Conflicts resolved, by the record's key or its serial here.
    pub resolutions: BTreeMap<String, Resolution>,
    /// Where the receipt goes (default: beside the bundle, `<name>.receipt.bdl`).
    pub receipt: Option<PathBuf>,
}

/// What an import did, or would do.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ImportReport {
    /// `records` or `receipt`.
    pub kind: String,
    pub hash: String,
    pub created_at: String,
    pub sender: SenderInfo,
    pub selection: String,
    pub added: Vec<PlannedRecord>,
    pub changed: Vec<PlannedRecord>,
    pub conflicts: Vec<PlannedRecord>,
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Whether it was applied (false for a preview or a bundle imported before).
    pub applied: bool,
    /// When this bundle was imported before, the time it was.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub imported_before: Option<String>,
    /// The receipt written.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    /// For a receipt: the records the other unit acknowledged.
    #[ts(type = "number")]
    pub acknowledged: u64,
}

/// A bundle this unit sent, and its receipt.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SentBundle {
    pub hash: String,
    pub created_at: String,
    pub created_by: String,
    pub selection: String,
    pub recipients: Vec<String>,
    #[ts(type = "number")]
    pub records: u64,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_at: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_by: Option<String>,
}

/// The records chosen for a bundle, by register.
type Selection = Vec<(&'static RegisterInfo, Vec<i64>)>;

fn record_hash(rec: &WireRecord) -> Result<String> {
    let json = serde_json::to_vec(rec).map_err(|e| Error::internal(e.to_string()))?;
    Ok(hex::encode(crypto::sha256(&json)))
}

fn stamp(now: chrono::DateTime<chrono::Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn passphrase_ok(p: &str) -> Result<()> {
    if p.chars().count() < MIN_PASSPHRASE {
        return Err(Error::field(
            "passphrase",
            "数据包口令",
            format!("至少 {MIN_PASSPHRASE} 个字符"),
        ));
    }
    Ok(())
}

fn read_bundle(path: &Path) -> Result<Vec<u8>> {
    let meta =
        std::fs::metadata(path).map_err(|e| Error::io(&format!("读取 {}", path.display()), &e))?;
    if meta.len() > MAX_BUNDLE {
        return Err(Error::field(
            "file",
            "数据包",
            "文件过大，不是保密台账数据包",
        ));
    }
    std::fs::read(path).map_err(|e| Error::io(&format!("读取 {}", path.display()), &e))
}

impl Session {
    /// The records `req` selects, by register.
    fn selection(&mut self, req: &ExportRequest) -> Result<(Selection, String)> {
        let registers: Vec<&'static RegisterInfo> = match req.register.as_deref() {
            Some(name) => vec![register_info(name.trim()).ok_or_else(|| {
                Error::field(
                    "register",
                    "台账",
                    format!("没有“{name}”台账，可选：doc（载体）、device（设备）、person（人员）"),
                )
            })?],
            None if req.ids.is_empty() && req.handback_to.is_none() => REGISTERS.iter().collect(),
            None => vec![register_info("doc").ok_or_else(|| Error::internal("缺少载体台账"))?],
        };
        let since = crate::dates::parse_opt("since", "起始日期", req.since.as_deref())?;
        let mut out = Vec::new();
        let mut words = Vec::new();
        for r in registers {
            let mut ids: Vec<i64> = Vec::new();
            let mut chosen = false;
            if !req.ids.is_empty() {
                chosen = true;
                for key in &req.ids {
                    let key = key.trim();
                    let id: Option<i64> = match key.parse::<i64>() {
                        Ok(id) => Some(id),
                        Err(_) => self
                            .conn()
                            .query_row(
                                &format!("SELECT id FROM {} WHERE serial = ?1", r.table),
                                [key],
                                |row| row.get(0),
                            )
                            .optional()?,
                    };
                    let exists = match id {
                        Some(id) => self.conn().query_row(
                            &format!("SELECT EXISTS (SELECT 1 FROM {} WHERE id = ?1)", r.table),
                            [id],
                            |row| row.get::<_, bool>(0),
                        )?,
                        None => false,
                    };
                    match (id, exists) {
                        (Some(id), true) => ids.push(id),
                        _ => {
                            return Err(Error::field(
                                "ids",
                                "记录",
                                format!("没有编号为“{key}”的{}", r.noun),
                            ))
                        }
                    }
                }
                words.push(format!("选定的{} {} 件", r.noun, ids.len()));
            }
            if let Some(unit) = req.handback_to.as_deref() {
                let unit = unit.trim();
                if r.name != "doc" {
                    return Err(Error::field(
                        "handback_to",
                        "清退单位",
                        "只有载体台账有清退",
                    ));
                }
                chosen = true;
                let list = crate::registers::documents::handed_back_to(self.conn(), unit)?;
                if list.is_empty() {
                    return Err(Error::field(
                        "handback_to",
                        "清退单位",
                        format!("没有已清退给“{unit}”的载体"),
                    ));
                }
                words.push(format!("清退给{unit}的载体 {} 件", list.len()));
                ids.extend(list);
            }
            if let Some(since) = since {
                let changed: Vec<i64> = self
                    .conn()
                    .prepare(
                        "SELECT DISTINCT record_id FROM events
                         WHERE register = ?1 AND recorded_at >= ?2 ORDER BY record_id",
                    )?
                    .query_map(params![r.name, crate::dates::iso(since)], |row| row.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                if chosen {
                    let keep: HashSet<i64> = changed.into_iter().collect();
                    ids.retain(|id| keep.contains(id));
                } else {
                    words.push(format!(
                        "{}起有变动的{} {} 件",
                        crate::dates::chinese(since),
                        r.noun,
                        changed.len()
                    ));
                    ids = changed;
                }
                chosen = true;
            }
            if !chosen {
                let all: Vec<i64> = self
                    .conn()
                    .prepare(&format!("SELECT id FROM {} ORDER BY id", r.table))?
                    .query_map([], |row| row.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
                words.push(format!("全部{} {} 件", r.noun, all.len()));
                ids = all;
            }
            ids.sort_unstable();
            ids.dedup();
            if !ids.is_empty() {
                out.push((r, ids));
            }
        }
        if out.is_empty() {
            return Err(Error::rule("没有符合条件的记录，不生成数据包"));
        }
        Ok((out, words.join("；")))
    }

    /// Writes a bundle of the records `req` selects to `out`, sealed to the known units
    /// `req.to_units` or else to `passphrase`; audited with its SHA-256.
    pub fn export_bundle(
        &mut self,
        req: &ExportRequest,
        passphrase: Option<&str>,
        out: &Path,
    ) -> Result<Exported> {
        self.require(Op::WriteRegisters)?;
        let suite = suite_name(req.suite.as_deref())?;
        let (chosen, selection) = self.selection(req)?;
        let identity = self.unit_identity()?;
        let unit = self.unit_name()?;
        let public = identity.public();
        let own = format::fingerprint(&public.signing);
        let known = self.known_units()?;
        let mut recipients = Vec::new();
        for fp in &req.to_units {
            let k =
                known
                    .iter()
                    .find(|k| k.fingerprint == fp.trim())
                    .ok_or_else(|| {
                        Error::field(
                    "to_units",
                    "收件单位",
                    format!("指纹为 {fp} 的单位密钥卡尚未导入本保密库：请先核对指纹并导入密钥卡"),
                )
                    })?;
            recipients.push(k.clone());
        }
        let mut records = Vec::new();
        {
            // One read transaction: every register read from the same snapshot.
            let read = self.conn().unchecked_transaction()?;
            for (r, ids) in &chosen {
                records.extend((r.export)(&read, &own, &unit, ids)?);
            }
        }
        let events: u64 = records.iter().map(|r| r.events.len() as u64).sum();
        let manifest = records
            .iter()
            .map(|r| {
                Ok(ManifestEntry {
                    register: r.register.clone(),
                    origin: r.origin.clone(),
                    origin_id: r.origin_id,
                    sha256: record_hash(r)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let payload = RecordsPayload {
            format: RECORDS_FORMAT.into(),
            version: 1,
            unit: unit.clone(),
            agreement_pub: hex::encode(public.agreement),
            selection: selection.clone(),
            records,
            manifest,
        };
        let json = Zeroizing::new(
            serde_json::to_vec(&payload).map_err(|e| Error::internal(e.to_string()))?,
        );
        let payload_key = Secret::random()?;
        let key = if recipients.is_empty() {
            let p = passphrase.ok_or_else(|| {
                Error::field("passphrase", "数据包口令", "未指定收件单位时须设置口令")
            })?;
            passphrase_ok(p)?;
            let kdf = self.kdf_params();
            let salt = crypto::random_bytes::<16>()?;
            let key = format::passphrase_key(&suite, p, kdf, &salt)?;
            (
                KeyInfo::Passphrase {
                    kdf,
                    salt: hex::encode(salt),
                },
                key,
            )
        } else {
            let units: Vec<([u8; 32], [u8; 32])> = recipients
                .iter()
                .map(|k| {
                    let s = hex::decode(&k.signing_pub)
                        .ok()
                        .and_then(|b| b.try_into().ok());
                    let a = hex::decode(&k.agreement_pub)
                        .ok()
                        .and_then(|b| b.try_into().ok());
                    s.zip(a)
                        .ok_or_else(|| Error::integrity("已导入的单位密钥已损坏"))
                })
                .collect::<Result<_>>()?;
            (
                format::recipients(&suite, &payload_key, &units)?,
                payload_key,
            )
        };
        let header = Header {
            suite: suite.clone(),
            kind: "records".into(),
            created_at: stamp(self.now()),
            sender: Sender {
                unit: unit.clone(),
                signing_pub: hex::encode(public.signing),
                fingerprint: own.clone(),
            },
            records: payload.records.len() as u64,
            events,
            chunk_size: format::CHUNK as u32,
            nonce_prefix: hex::encode(crypto::random_bytes::<7>()?),
            key: key.0,
        };
        let bytes = format::seal(
            &Sealing {
                header: header.clone(),
                payload_key: &key.1,
                signer: &identity,
            },
            &json,
        )?;
        let hash = hex::encode(crypto::sha256(&bytes));
        crate::print::write_atomic(out, &bytes)?;
        let to: Vec<String> = recipients.iter().map(|k| k.fingerprint.clone()).collect();
        let to_json = serde_json::to_string(&to).map_err(|e| Error::internal(e.to_string()))?;
        let result = self.write(|w| {
            w.tx.execute(
                "INSERT INTO bundles_sent (hash, kind, created_at, created_by, selection, recipients, records, events)
                 VALUES (?1, 'records', ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    hash,
                    header.created_at,
                    w.actor(),
                    selection,
                    to_json,
                    header.records as i64,
                    events as i64
                ],
            )?;
            let mut item = w.tx.prepare_cached(
                "INSERT INTO bundle_items (hash, register, record_id) VALUES (?1, ?2, ?3)",
            )?;
            for (r, ids) in &chosen {
                for id in ids {
                    item.execute(params![hash, r.name, id])?;
                }
            }
            drop(item);
            w.audit(
                "bundle_export",
                &hash,
                serde_json::json!({
                    "hash": hash, "records": header.records, "events": events,
                    "recipients": to, "passphrase": to.is_empty(),
                }),
            )
        });
        if let Err(e) = result {
            // The bundle is only ever on the medium together with its audit entry.
            let _ = std::fs::remove_file(out);
            return Err(e);
        }
        Ok(Exported {
            path: out.display().to_string(),
            hash,
            records: header.records,
            events,
            bytes: bytes.len() as u64,
            selection,
            recipients: recipients.iter().map(|k| k.unit.clone()).collect(),
        })
    }

    /// What this vault knows of a bundle's sender.
    fn sender_info(&mut self, sender: &Sender) -> Result<SenderInfo> {
        let known = self.known_units()?;
        let by_key = known.iter().find(|k| k.fingerprint == sender.fingerprint);
        let by_name = known.iter().find(|k| k.unit == sender.unit.trim());
        let (status, known_fingerprint) = match (by_key, by_name) {
            (Some(_), _) => (SenderStatus::Known, None),
            (None, Some(k)) => (SenderStatus::Changed, Some(k.fingerprint.clone())),
            (None, None) => (SenderStatus::Unknown, None),
        };
        Ok(SenderInfo {
            unit: by_key.map_or_else(|| sender.unit.clone(), |k| k.unit.clone()),
            fingerprint: sender.fingerprint.clone(),
            status,
            known_fingerprint,
        })
    }

    /// Verifies and opens a bundle file for this unit (nothing is written).
    fn open_bundle(&mut self, req: &ImportRequest) -> Result<(format::Opened, String)> {
        let bytes = read_bundle(&req.path)?;
        let (header, _) = format::read_header(&bytes)?;
        let own = self.stored_unit_identity()?;
        let own_fp = own
            .as_ref()
            .map(|id| format::fingerprint(&id.public().signing));
        // Named first, before any key is tried (the bundle is refused either way).
        if own_fp.as_deref() == Some(header.sender.fingerprint.as_str()) {
            return Err(Error::rule(
                "这是本单位自己导出的数据包，不能导入本单位的保密库",
            ));
        }
        let opener = match (&header.key, &own) {
            (KeyInfo::Passphrase { .. }, _) => {
                Opener::Passphrase(req.passphrase.as_deref().map(|p| p.as_str()).ok_or_else(
                    || Error::field("passphrase", "数据包口令", "该数据包用口令加密，请输入口令"),
                )?)
            }
            (KeyInfo::Recipients(_), Some(identity)) => Opener::Unit(identity),
            (KeyInfo::Recipients(_), None) => {
                return Err(Error::new(
                    Code::AuthFailed,
                    "该数据包发给指定单位，而本单位尚未生成数据交换密钥：不是发给本单位的",
                ))
            }
        };
        let opened = format::open(&bytes, &opener)?;
        Ok((opened, hex::encode(crypto::sha256(&bytes))))
    }

    /// Imports a bundle (records or a receipt): verified whole first; a preview when
    /// `req.dry_run`; otherwise applied in one transaction once the sender is accepted and
    /// every conflict resolved.
    pub fn import_bundle(&mut self, req: &ImportRequest) -> Result<ImportReport> {
        self.require(Op::WriteRegisters)?;
        let (opened, hash) = self.open_bundle(req)?;
        let sender = self.sender_info(&opened.header.sender)?;
        match opened.header.kind.as_str() {
            "records" => self.import_records(req, opened, hash, sender),
            "receipt" => self.import_receipt(req, opened, hash, sender),
            other => Err(Error::integrity(format!("未知的数据包类型“{other}”"))),
        }
    }

    fn import_records(
        &mut self,
        req: &ImportRequest,
        opened: format::Opened,
        hash: String,
        sender: SenderInfo,
    ) -> Result<ImportReport> {
        let header = opened.header;
        let payload: RecordsPayload = serde_json::from_slice(&opened.payload)
            .map_err(|e| Error::integrity(format!("数据包内容无法读取：{e}")))?;
        drop(opened.payload);
        check_manifest(&header, &payload)?;
        // A vault that never made its unit key has no records of its own origin yet.
        let own = match self.stored_unit_identity()? {
            Some(id) => format::fingerprint(&id.public().signing),
            None => String::from("-"),
        };
        let mut report = ImportReport {
            kind: "records".into(),
            hash: hash.clone(),
            created_at: header.created_at.clone(),
            sender: sender.clone(),
            selection: payload.selection.clone(),
            added: vec![],
            changed: vec![],
            conflicts: vec![],
            unchanged: 0,
            applied: false,
            imported_before: None,
            receipt: None,
            acknowledged: 0,
        };
        let mut planned = Vec::with_capacity(payload.records.len());
        {
            // One read transaction for the whole preview: one lock and a warm page cache
            // instead of both per statement. Nothing is written; it ends by rolling back.
            let read = self.conn().unchecked_transaction()?;
            for rec in &payload.records {
                let r = register_info(&rec.register).ok_or_else(|| {
                    Error::integrity(format!("数据包含本程序不认识的台账“{}”", rec.register))
                })?;
                let item = (r.preview)(&read, &own, rec)?;
                report.push(item.clone());
                planned.push(item);
            }
        }
        report.imported_before = self
            .conn()
            .query_row(
                "SELECT imported_at FROM bundles_received WHERE hash = ?1",
                [&hash],
                |r| r.get(0),
            )
            .optional()?;
        if req.dry_run || report.imported_before.is_some() {
            return Ok(report);
        }
        if sender.status != SenderStatus::Known && !req.accept_sender {
            return Err(Error::rule(match sender.status {
                SenderStatus::Changed => format!(
                    "发件单位“{}”的密钥与本单位记录的不同（数据包指纹 {}，已知指纹 {}）：请与对方核对指纹，确认后再选择接受该发件单位",
                    sender.unit,
                    sender.fingerprint,
                    sender.known_fingerprint.clone().unwrap_or_default()
                ),
                _ => format!(
                    "发件单位“{}”（指纹 {}）的密钥卡尚未导入：请与对方核对指纹，确认后再选择接受该发件单位",
                    sender.unit, sender.fingerprint
                ),
            }));
        }
        let resolution = |item: &PlannedRecord| {
            req.resolutions
                .get(&item.key)
                .or_else(|| req.resolutions.get(&item.serial))
                .copied()
        };
        let open: Vec<String> = report
            .conflicts
            .iter()
            .filter(|c| resolution(c).is_none())
            .map(|c| format!("{} {}", c.noun, c.serial))
            .collect();
        if !open.is_empty() {
            return Err(Error::rule(format!(
                "以下记录双方都已修改，须逐条选择保留本方、采用对方或都保留后再导入：{}",
                open.join("、")
            )));
        }
        let resolved: BTreeMap<String, Resolution> = report
            .conflicts
            .iter()
            .filter_map(|c| resolution(c).map(|r| (c.key.clone(), r)))
            .collect();
        let today = self.today();
        let receipt_path = req
            .receipt
            .clone()
            .unwrap_or_else(|| receipt_beside(&req.path));
        let identity = self.unit_identity()?;
        let unit = self.unit_name()?;
        let receipt_items: Vec<ReceiptItem> = payload
            .records
            .iter()
            .zip(&planned)
            .map(|(rec, item)| ReceiptItem {
                register: rec.register.clone(),
                origin: rec.origin.clone(),
                origin_id: rec.origin_id,
                fate: serde_json::to_value(item.fate)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
            })
            .collect();
        let receipt = ReceiptPayload {
            format: RECEIPT_FORMAT.into(),
            version: 1,
            bundle: hash.clone(),
            unit: unit.clone(),
            received_at: stamp(self.now()),
            items: receipt_items,
        };
        let to = (
            <[u8; 32]>::try_from(
                hex::decode(&header.sender.signing_pub)
                    .unwrap_or_default()
                    .as_slice(),
            )
            .map_err(|_| Error::integrity("发件单位签名公钥无效"))?,
            <[u8; 32]>::try_from(
                hex::decode(&payload.agreement_pub)
                    .unwrap_or_default()
                    .as_slice(),
            )
            .map_err(|_| Error::integrity("发件单位加密公钥无效"))?,
        );
        let receipt_bytes = seal_receipt(
            &header.suite,
            &identity,
            &unit,
            &receipt,
            to,
            &stamp(self.now()),
        )?;
        let from = sender.unit.clone();
        let counts = (
            report.added.len(),
            report.changed.len(),
            report.conflicts.len(),
        );
        let result = self.write(|w| {
            let peer = Peer {
                own: &own,
                from: &from,
                today,
            };
            // A register that takes more records than it holds takes them with its indexes
            // dropped and built again at the end (see `table::suspend_indexes`).
            let mut incoming: BTreeMap<&str, usize> = BTreeMap::new();
            for rec in &payload.records {
                *incoming.entry(rec.register.as_str()).or_default() += 1;
            }
            let mut suspended = Vec::new();
            for (name, n) in incoming {
                if let Some(r) = register_info(name) {
                    suspended.extend(table::suspend_indexes(w.tx, r, n)?);
                }
            }
            // One act: the bundle's entry below stands for its records, and their search
            // tokens are written together at the end.
            w.as_one_act(|w| {
                for rec in &payload.records {
                    let r = register_info(&rec.register)
                        .ok_or_else(|| Error::internal("台账不存在"))?;
                    let key = crate::registers::exchange::record_key(&rec.register, &rec.origin, rec.origin_id);
                    (r.apply)(w, peer, rec, resolved.get(&key).copied())?;
                }
                Ok(())
            })?;
            table::rebuild_indexes(w.tx, &suspended)?;
            w.tx.execute(
                "INSERT INTO bundles_received (hash, sender, unit, created_at, imported_at, imported_by, added, changed, conflicts)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    hash,
                    header.sender.fingerprint,
                    from,
                    header.created_at,
                    w.now().to_string(),
                    w.actor(),
                    counts.0 as i64,
                    counts.1 as i64,
                    counts.2 as i64
                ],
            )?;
            w.audit(
                "bundle_import",
                &hash,
                serde_json::json!({
                    "hash": hash, "sender": header.sender.fingerprint,
                    "sender_status": sender.status, "added": counts.0, "changed": counts.1,
                    "conflicts": counts.2,
                    "resolutions": resolved.values().collect::<Vec<_>>(),
                }),
            )?;
            // The receipt is on the medium before the import commits; removed if it fails.
            crate::print::write_atomic(&receipt_path, &receipt_bytes)
        });
        if let Err(e) = result {
            if e.code != Code::Io {
                let _ = std::fs::remove_file(&receipt_path);
            }
            return Err(e);
        }
        report.applied = true;
        report.receipt = Some(receipt_path.display().to_string());
        Ok(report)
    }

    fn import_receipt(
        &mut self,
        req: &ImportRequest,
        opened: format::Opened,
        hash: String,
        sender: SenderInfo,
    ) -> Result<ImportReport> {
        let receipt: ReceiptPayload = serde_json::from_slice(&opened.payload)
            .map_err(|e| Error::integrity(format!("回执内容无法读取：{e}")))?;
        if receipt.format != RECEIPT_FORMAT || receipt.version != 1 {
            return Err(Error::integrity("不是保密台账的回执（或版本过新）"));
        }
        let sent: Option<(String, Option<String>, String)> = self
            .conn()
            .query_row(
                "SELECT recipients, received_at, selection FROM bundles_sent WHERE hash = ?1",
                [&receipt.bundle],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((recipients, received_at, selection)) = sent else {
            return Err(Error::rule("这份回执对应的数据包不是本单位发出的"));
        };
        if let Some(at) = received_at {
            return Err(Error::integrity(format!(
                "这份回执已于 {at} 导入过：重复的回执不再导入"
            )));
        }
        let recipients: Vec<String> = serde_json::from_str(&recipients).unwrap_or_default();
        if !recipients.is_empty() && !recipients.contains(&sender.fingerprint) {
            return Err(Error::integrity(
                "回执不是由该数据包的收件单位签发的，拒绝导入",
            ));
        }
        let items: i64 = self.conn().query_row(
            "SELECT count(*) FROM bundle_items WHERE hash = ?1",
            [&receipt.bundle],
            |r| r.get(0),
        )?;
        let report = ImportReport {
            kind: "receipt".into(),
            hash: hash.clone(),
            created_at: opened.header.created_at.clone(),
            sender: sender.clone(),
            selection,
            added: vec![],
            changed: vec![],
            conflicts: vec![],
            unchanged: 0,
            applied: !req.dry_run,
            imported_before: None,
            receipt: None,
            acknowledged: (receipt.items.len() as u64).min(items.max(0) as u64),
        };
        if req.dry_run {
            return Ok(report);
        }
        self.write(|w| {
            w.tx.execute(
                "UPDATE bundles_sent SET received_at = ?1, received_by = ?2, receipt_hash = ?3
                 WHERE hash = ?4",
                params![receipt.received_at, sender.unit, hash, receipt.bundle],
            )?;
            w.audit(
                "bundle_receipt",
                &receipt.bundle,
                serde_json::json!({
                    "bundle": receipt.bundle, "receipt": hash, "by": sender.fingerprint,
                    "items": receipt.items.len(),
                }),
            )
        })?;
        Ok(report)
    }

    /// The bundles this unit sent, newest first, with their receipts.
    pub fn bundles_sent(&mut self) -> Result<Vec<SentBundle>> {
        self.require(Op::ReadRegisters)?;
        let mut stmt = self.conn().prepare(
            "SELECT hash, created_at, created_by, selection, recipients, records, received_at, received_by
             FROM bundles_sent ORDER BY created_at DESC, rowid DESC",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(SentBundle {
                    hash: r.get(0)?,
                    created_at: r.get(1)?,
                    created_by: r.get(2)?,
                    selection: r.get(3)?,
                    recipients: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or_default(),
                    records: r.get::<_, i64>(5)?.max(0) as u64,
                    received_at: r.get(6)?,
                    received_by: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

impl ImportReport {
    fn push(&mut self, item: PlannedRecord) {
        use crate::registers::exchange::Fate;
        match item.fate {
            Fate::Added => self.added.push(item),
            Fate::Changed => self.changed.push(item),
            Fate::Conflict => self.conflicts.push(item),
            Fate::Unchanged => self.unchanged += 1,
        }
    }
}

/// `<bundle>.receipt.bdl` beside the bundle.
fn receipt_beside(bundle: &Path) -> PathBuf {
    let stem = bundle
        .file_stem()
        .map_or_else(|| "bundle".into(), |s| s.to_string_lossy().into_owned());
    bundle.with_file_name(format!("{stem}.receipt.bdl"))
}

/// Checks the payload against the header's counts and its manifest.
fn check_manifest(header: &Header, payload: &RecordsPayload) -> Result<()> {
    if payload.format != RECORDS_FORMAT || payload.version != 1 {
        return Err(Error::integrity(
            "数据包内容不是保密台账的记录（或版本过新）",
        ));
    }
    let events: u64 = payload.records.iter().map(|r| r.events.len() as u64).sum();
    if header.records != payload.records.len() as u64 || header.events != events {
        return Err(Error::integrity("数据包头中的记录数或事件数与内容不符"));
    }
    if payload.manifest.len() != payload.records.len() {
        return Err(Error::integrity("数据包清单与记录数不符"));
    }
    let mut seen = HashSet::new();
    for (rec, entry) in payload.records.iter().zip(&payload.manifest) {
        if entry.register != rec.register
            || entry.origin != rec.origin
            || entry.origin_id != rec.origin_id
            || entry.sha256 != record_hash(rec)?
        {
            return Err(Error::integrity(format!(
                "数据包清单校验失败：{} 的摘要与清单不符",
                rec.serial
            )));
        }
        if !seen.insert((&rec.register, &rec.origin, rec.origin_id)) {
            return Err(Error::integrity(format!(
                "数据包中的记录 {} 重复",
                rec.serial
            )));
        }
    }
    Ok(())
}

/// Seals a receipt to the sender of the bundle it acknowledges, in that bundle's suite.
fn seal_receipt(
    suite: &str,
    identity: &crypto::Identity,
    unit: &str,
    receipt: &ReceiptPayload,
    to: ([u8; 32], [u8; 32]),
    created_at: &str,
) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(receipt).map_err(|e| Error::internal(e.to_string()))?;
    let key = Secret::random()?;
    let public = identity.public();
    let header = Header {
        suite: suite.to_string(),
        kind: "receipt".into(),
        created_at: created_at.to_string(),
        sender: Sender {
            unit: unit.to_string(),
            signing_pub: hex::encode(public.signing),
            fingerprint: format::fingerprint(&public.signing),
        },
        records: receipt.items.len() as u64,
        events: 0,
        chunk_size: format::CHUNK as u32,
        nonce_prefix: hex::encode(crypto::random_bytes::<7>()?),
        key: format::recipients(suite, &key, &[to])?,
    };
    format::seal(
        &Sealing {
            header,
            payload_key: &key,
            signer: identity,
        },
        &json,
    )
}
