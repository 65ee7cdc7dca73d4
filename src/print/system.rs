//! Forms of the system side: paper printed from keys and the log rather than from register
//! records — the 安全审计员's checkpoint slip (审计日志检查点单) and the 保密员's unit-key sheet
//! (单位数据交换密钥登记单, [`unit_key_sheet`]), which follows the same rules below.
//!
//! Contract: the auditor holds no register key, and the print log (`print_jobs`) lives in
//! `registers.db`, so a system form is not a print job of [`Session::print`]: it gets no
//! `P<year>-n` serial and no print-log row. It still goes through [`Engine::compile`], so the
//! core's frame (marking, serial, digest, page x / y) is stamped on every page and checked
//! there, and it reaches the disk only through [`Printout::save`]. What differs, and why:
//! - **Built-in template and embedded fonts only.** A unit's replacement templates and font
//!   files are the 系统管理员's to change; the slip is the paper the auditor later checks the
//!   log against, and a template that prints another hash, or a font that draws one hex digit
//!   as another, would falsify it. `checkpoint-slip.typ` is therefore not listed among the
//!   replaceable templates, and the unit's fonts are not loaded.
//! - **Serial and digest from the checkpoint.** The serial is `C<seq>`; the digest is the
//!   checkpoint's own ([`checkpoint_digest`]: 12 hex digits of SHA-256 over the vault id and
//!   the signed checkpoint), so the same checkpoint always prints the same frame.
//! - **Marking 内部.** The slip holds no state secret — hashes, a signature, the unit's and
//!   the auditor's names — but it is the unit's internal control record, so it is marked as
//!   such rather than left unmarked or given a level it does not hold.
//! - **Audited by sequence only.** Typesetting a slip (which is what the preview and the PDF
//!   come from) is recorded as `checkpoint_print` naming the checkpoint's sequence; a stored
//!   checkpoint whose signature does not verify is refused instead of printed.

use chrono::NaiveDate;
use serde_json::json;

use super::engine::{self, Engine};
use super::forms::COMMON;
use super::{with_common, FontChoice, PrintJob, Printout};
use crate::error::{Error, Result};
use crate::vault::audit::{self, Checkpoint};
use crate::vault::roles::Op;
use crate::vault::Session;

/// The checkpoint slip's form id (its template is `checkpoint-slip.typ`).
pub const CHECKPOINT_SLIP: &str = "checkpoint-slip";
/// The checkpoint slip's title, as printed.
pub const CHECKPOINT_SLIP_TITLE: &str = "审计日志检查点单";
/// The marking of the slip (see the module comment).
pub const CHECKPOINT_MARKING: &str = "内部";

const SOURCE: &str = include_str!("../../assets/forms/checkpoint-slip.typ");

/// What a checkpoint slip prints, besides the checkpoint itself.
#[derive(Debug, Clone)]
pub struct SlipFacts<'a> {
    pub unit: &'a str,
    pub vault_id: &'a str,
    /// The auditor's name as printed on forms (the checkpoint names the account).
    pub auditor_display: &'a str,
    /// When the checkpoint was signed, in the machine's local time, for people
    /// (`2026年11月22日 17:00:00`); the signed UTC time is printed beside it.
    pub signed_local: String,
    pub printed_on: NaiveDate,
}

/// `hex` in groups of four, `per_line` groups to a line: how a long hash is read aloud or
/// copied by hand.
pub fn grouped(hex: &str, per_line: usize) -> Vec<String> {
    let groups: Vec<String> = hex
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect())
        .collect();
    groups
        .chunks(per_line.max(1))
        .map(|line| line.join(" "))
        .collect()
}

/// The checkpoint's own digest: 12 hex digits of SHA-256 over the vault id and every signed
/// field, the value the frame prints as 数据摘要.
pub fn checkpoint_digest(vault_id: &str, c: &Checkpoint) -> String {
    super::digest(&json!({
        "vault_id": vault_id, "seq": c.seq, "head": c.head, "at": c.at,
        "auditor": c.auditor, "signer": c.signer, "sig": c.sig,
    }))
}

/// The slip's serial: `C` and the checkpoint's sequence.
pub fn checkpoint_serial(c: &Checkpoint) -> String {
    format!("C{}", c.seq)
}

/// The template's data for `c` (keys in `assets/forms/README.md`).
fn slip_data(facts: &SlipFacts<'_>, c: &Checkpoint) -> serde_json::Value {
    let data = json!({
        "vault_id": grouped(facts.vault_id, 8).join(" "),
        "seq": c.seq,
        "head": c.head,
        "head_lines": grouped(&c.head, 8),
        "check_code": c.fingerprint(),
        "signed_at": c.at,
        "signed_local": facts.signed_local,
        "auditor": c.auditor,
        "auditor_display": facts.auditor_display,
        "key_fingerprint": grouped(&c.signer.chars().take(16).collect::<String>(), 4).join(" "),
        "key_lines": grouped(&c.signer, 8),
        "sig_lines": grouped(&c.sig, 8),
    });
    with_common(
        data,
        json!({
            "unit": facts.unit, "title": CHECKPOINT_SLIP_TITLE,
            "serial": checkpoint_serial(c), "digest": checkpoint_digest(facts.vault_id, c),
            "printed_on": crate::dates::iso(facts.printed_on),
            "printed_by": facts.auditor_display, "marking": CHECKPOINT_MARKING,
            "fonts": FontChoice::default(),
        }),
    )
}

/// Typesets the slip of checkpoint `c` with the built-in template and the embedded fonts
/// only, under the core's frame. Pure: reads no vault and records nothing (see
/// [`Session::audit_checkpoint_slip`] for the audited path).
pub fn checkpoint_slip(facts: &SlipFacts<'_>, c: &Checkpoint) -> Result<Printout> {
    typeset(
        Builtin {
            form: CHECKPOINT_SLIP,
            title: CHECKPOINT_SLIP_TITLE,
            source: SOURCE,
        },
        &slip_data(facts, c),
        PrintJob {
            serial: checkpoint_serial(c),
            form: CHECKPOINT_SLIP.to_string(),
            title: CHECKPOINT_SLIP_TITLE.to_string(),
            subject: format!("审计日志第 {} 条的检查点", c.seq),
            digest: checkpoint_digest(facts.vault_id, c),
            pages: 0,
            printed_at: c.at.clone(),
            actor: c.auditor.clone(),
        },
    )
}

/// A built-in system form: its id, printed title and template source.
struct Builtin {
    form: &'static str,
    title: &'static str,
    source: &'static str,
}

/// Typesets a built-in system form from `data` with the built-in `common.typ` and the
/// embedded fonts only, under the core's frame; `job` names it (its page count is filled in).
fn typeset(form: Builtin, data: &serde_json::Value, mut job: PrintJob) -> Result<Printout> {
    let sources = [
        (COMMON.0.to_string(), COMMON.1.to_string()),
        (format!("{}.typ", form.form), form.source.to_string()),
    ]
    .into_iter()
    .collect();
    let engine = Engine::new(&sources, &[]);
    let document = engine.compile(&format!("{}.typ", form.form), data)?;
    let pdf = engine::pdf(&document, &job.serial)?;
    job.pages = document.pages().len() as u32;
    debug_assert_eq!(job.title, form.title);
    Ok(Printout {
        job,
        pdf: zeroize::Zeroizing::new(pdf),
        document,
    })
}

/// The unit-key sheet's form id (its template is `unit-key-sheet.typ`).
pub const UNIT_KEY_SHEET: &str = "unit-key-sheet";
/// The unit-key sheet's title, as printed.
pub const UNIT_KEY_SHEET_TITLE: &str = "单位数据交换密钥登记单";
const UNIT_KEY_SOURCE: &str = include_str!("../../assets/forms/unit-key-sheet.typ");

/// The unit-key sheet: this unit's public keys and fingerprint on paper, to be handed to the
/// units it exchanges bundles with (and theirs compared with the key card they import). Built-in
/// template and embedded fonts only, like the checkpoint slip, for the same reason: a changed
/// template or font could print another fingerprint. Serial `K` + the fingerprint's first 8
/// hex digits; the digest is of the card; marked 内部.
pub fn unit_key_sheet(
    card: &crate::bundle::unit::KeyCard,
    officer: &str,
    printed_on: NaiveDate,
    printed_at: &str,
) -> Result<Printout> {
    let serial = format!(
        "K{}",
        card.fingerprint
            .replace('-', "")
            .chars()
            .take(8)
            .collect::<String>()
    );
    let digest = super::digest(&json!(card));
    let data = with_common(
        json!({
            "fingerprint": card.fingerprint.replace('-', " "),
            "signing_lines": grouped(&card.signing_pub, 8),
            "agreement_lines": grouped(&card.agreement_pub, 8),
        }),
        json!({
            "unit": card.unit, "title": UNIT_KEY_SHEET_TITLE, "serial": serial,
            "digest": digest, "printed_on": crate::dates::iso(printed_on),
            "printed_by": officer, "marking": CHECKPOINT_MARKING,
            "fonts": FontChoice::default(),
        }),
    );
    typeset(
        Builtin {
            form: UNIT_KEY_SHEET,
            title: UNIT_KEY_SHEET_TITLE,
            source: UNIT_KEY_SOURCE,
        },
        &data,
        PrintJob {
            serial,
            form: UNIT_KEY_SHEET.to_string(),
            title: UNIT_KEY_SHEET_TITLE.to_string(),
            subject: format!("{}的数据交换密钥", card.unit),
            digest,
            pages: 0,
            printed_at: printed_at.to_string(),
            actor: officer.to_string(),
        },
    )
}

impl Session {
    /// The slip of the checkpoint signed at `seq` (安全审计员 only), audited as
    /// `checkpoint_print`. A checkpoint whose signature does not verify is not printed.
    pub fn audit_checkpoint_slip(&mut self, seq: i64) -> Result<Printout> {
        self.require(Op::ReadAudit)?;
        let c = audit::checkpoint_at(self.conn(), seq)?
            .ok_or_else(|| Error::not_found(format!("没有在第 {seq} 条签署的检查点")))?;
        if !c.is_authentic(self.vault_id()) {
            return Err(Error::integrity(format!(
                "第 {seq} 条的检查点签名不符，已拒绝打印（检查点记录被篡改）"
            )));
        }
        let signed_local = crate::vault::parse_time(&c.at)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y年%-m月%-d日 %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_else(|| c.at.clone());
        let unit = self.unit_name()?;
        let display = self.display_name().to_string();
        let vault_id = self.vault_id().to_string();
        let mut printout = checkpoint_slip(
            &SlipFacts {
                unit: &unit,
                vault_id: &vault_id,
                auditor_display: &display,
                signed_local,
                printed_on: self.today(),
            },
            &c,
        )?;
        printout.job.printed_at = crate::clock::stamp(self.now());
        self.write(|w| {
            w.audit(
                "checkpoint_print",
                &checkpoint_serial(&c),
                json!({ "seq": c.seq }),
            )
        })?;
        Ok(printout)
    }
}

/// The year-end statistics report's form id (its template is `year-stats.typ`).
pub const YEAR_STATS: &str = "year-stats";
/// The report's title, as printed.
pub const YEAR_STATS_TITLE: &str = "年度保密工作统计表";
const YEAR_STATS_SOURCE: &str = include_str!("../../assets/forms/year-stats.typ");

/// The year-end statistics (年度保密工作统计) on A4, every register's tables as counted, for the
/// report to the superior secrecy department. Built-in template and embedded fonts only, so the
/// paper says what the core counted. Serial `TJ` + the year + the digest's first 6 hex digits;
/// marked 内部.
pub fn year_stats(
    stats: &crate::registers::stats::YearStats,
    officer: &str,
    printed_on: NaiveDate,
    printed_at: &str,
) -> Result<Printout> {
    let digest = super::digest(&json!(stats));
    let serial = format!("TJ{}-{}", stats.year, &digest[..6.min(digest.len())]);
    let data = with_common(
        json!({ "year": stats.year, "tables": stats.tables }),
        json!({
            "unit": stats.unit, "title": YEAR_STATS_TITLE, "serial": serial,
            "digest": digest, "printed_on": crate::dates::iso(printed_on),
            "printed_by": officer, "marking": CHECKPOINT_MARKING,
            "fonts": FontChoice::default(),
        }),
    );
    typeset(
        Builtin {
            form: YEAR_STATS,
            title: YEAR_STATS_TITLE,
            source: YEAR_STATS_SOURCE,
        },
        &data,
        PrintJob {
            serial,
            form: YEAR_STATS.to_string(),
            title: YEAR_STATS_TITLE.to_string(),
            subject: format!("{} 年度保密工作统计", stats.year),
            digest,
            pages: 0,
            printed_at: printed_at.to_string(),
            actor: officer.to_string(),
        },
    )
}

impl Session {
    /// The year-end statistics of `year` as an A4 report (保密员 and 查阅 may read them),
    /// audited as `stats_print` naming the year.
    pub fn year_stats_report(&mut self, year: i32) -> Result<Printout> {
        let stats = self.stats(year)?;
        let printout = year_stats(
            &stats,
            self.display_name(),
            self.today(),
            &crate::clock::stamp(self.now()),
        )?;
        self.write(|w| {
            w.audit(
                "stats_print",
                &year.to_string(),
                json!({ "year": year, "pages": printout.job.pages }),
            )
        })?;
        Ok(printout)
    }
}

impl Session {
    /// This unit's key sheet (保密员), audited as `unit_key_print` naming the fingerprint.
    pub fn unit_key_sheet(&mut self) -> Result<Printout> {
        self.require(Op::WriteRegisters)?;
        let card = self.unit_key()?;
        let printout = unit_key_sheet(
            &card,
            self.display_name(),
            self.today(),
            &crate::clock::stamp(self.now()),
        )?;
        self.write(|w| {
            w.audit(
                "unit_key_print",
                &card.fingerprint,
                json!({ "fingerprint": card.fingerprint }),
            )
        })?;
        Ok(printout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_hashes_are_grouped_by_four_for_reading_aloud() {
        let head = "0123456789abcdef".repeat(4);
        let lines = grouped(&head, 8);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], "0123 4567 89ab cdef 0123 4567 89ab cdef");
        assert_eq!(lines.concat().replace(' ', ""), head);
        assert_eq!(grouped(&"f".repeat(128), 8).len(), 4);
    }
}
