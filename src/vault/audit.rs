//! The audit log: an append-only SHA-256 hash chain of signed entries inside the vault.
//!
//! Contract: [`append`] is the only writer; it runs inside the caller's transaction, so an
//! entry exists exactly when the change it records does. Entry `n` stores the hash of entry
//! `n-1`; the first links to a genesis value derived from the vault id. Every entry is signed
//! (Ed25519, over its hash) by the acting account's key, except failed sign-ins and lockouts,
//! which happen before any key is unwrapped: those are marked unsigned and may only be of those
//! kinds, in time order. Which key belongs to which account is itself in the chain: the keys of
//! the first accounts in the `vault_create` entry, later ones in the `account_create` or
//! `password_reset` entry that gave the account its key, each signed by an administrator. So
//! holding the system key (every account does) lets nobody forge another account's entries.
//! After each commit the newest (seq, hash) is sealed into the key file, signed; the auditor's
//! checkpoints (sequence, head hash, time, signed with the auditor's key, and kept on paper)
//! pin the log as the auditor saw it. [`verify`] detects an edited, removed, reordered or
//! inserted entry (the chain or a signature breaks), a forged signer, a cut-off tail (the chain
//! ends before the seal or the checkpoint), and a missing or forged seal. Only the auditor reads
//! the log; nobody has an operation that changes it.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use std::collections::{HashMap, HashSet};

use crate::error::Result;
use crate::vault::crypto::{self, Identity};
use crate::vault::keyfile::{Seal, UNSIGNED_ACTIONS};

/// One entry as stored and as shown to the auditor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Entry {
    #[ts(type = "number")]
    pub seq: i64,
    /// UTC, RFC 3339.
    pub at: String,
    /// The account that acted ("-" for events before anyone signed in).
    pub actor: String,
    /// Stable action code, e.g. `login`, `login_failed`, `account_create`.
    pub action: String,
    /// Chinese label of the action.
    pub action_label: String,
    /// What was acted on (an account name, a record id…).
    pub target: String,
    /// Details as JSON text.
    pub detail: String,
    /// The details in Chinese, for people.
    pub detail_text: String,
    pub hash: String,
    /// Whether the entry is signed by the actor's key (only failed sign-ins and lockouts,
    /// recorded before anyone signed in, are not).
    pub signed: bool,
}

/// Action codes and their Chinese labels; unknown codes show as themselves.
pub fn action_label(action: &str) -> &str {
    match action {
        "vault_create" => "创建保密库",
        "login" => "登录",
        "login_failed" => "登录失败",
        "account_locked" => "账户锁定",
        "logout" => "退出",
        "lock" => "锁定会话",
        "idle_lock" => "闲置自动锁定",
        "account_create" => "创建账户",
        "account_disable" => "停用账户",
        "account_enable" => "启用账户",
        "account_unlock" => "解除锁定",
        "password_reset" => "重置口令",
        "password_change" => "修改口令",
        "role_assign" => "分配角色",
        "policy_set" => "修改安全策略",
        "settings_set" => "修改系统设置",
        "permission_denied" => "越权操作被拒绝",
        "audit_verify" => "校验审计日志",
        "audit_checkpoint" => "审计检查点",
        "checkpoint_print" => "打印检查点单",
        "restore_acknowledged" => "确认恢复保密库",
        "key_grant" => "授予密钥",
        "key_recovered" => "用恢复码取回密钥",
        "key_rotate" => "轮换密钥",
        "keyfile_tampered" => "密钥文件被篡改",
        "backup" => "备份保密库",
        "print" => "打印",
        "export" => "导出",
        "import" => "导入",
        "sheet_import" => "从 Excel 导入",
        "search_rebuilt" => "重建检索索引",
        "stats_print" => "打印年度统计表",
        "office_check" => "登记保密检查",
        "stats_export" => "导出年度统计表",
        "sheet_export" => "导出为 Excel",
        "doc_registered" => "登记载体",
        "doc_distributed" => "分发载体",
        "doc_circulated" => "传阅载体",
        "doc_borrowed" => "借出载体",
        "doc_returned" => "归还载体",
        "doc_copied" => "复印载体",
        "doc_handed_back" => "清退载体",
        "doc_archived" => "归档载体",
        "doc_declassified" => "解密载体",
        "doc_missing" => "载体下落不明",
        "doc_found" => "找回载体",
        "doc_destroyed" => "销毁载体",
        "doc_corrected" => "更正载体登记",
        "doc_reconcile" => "月核对",
        "device_registered" => "登记设备",
        "device_transferred" => "变更设备责任人",
        "device_checked_out" => "设备外出",
        "device_checked_in" => "设备外出归还",
        "device_maintained" => "设备维护淘汰",
        "device_repaired" => "设备维修完成",
        "device_suspended" => "设备停用",
        "device_resumed" => "设备恢复使用",
        "device_issued" => "配备介质",
        "device_lent" => "借用介质",
        "device_given_back" => "归还介质",
        "device_inspected" => "设备检查",
        "device_destroyed" => "销毁设备",
        "device_corrected" => "更正设备登记",
        "person_registered" => "登记涉密人员",
        "person_reviewed" => "保密审查",
        "person_trained" => "保密培训",
        "person_pledged" => "签订保密承诺书",
        "person_exception_opened" => "准入例外",
        "person_exception_closed" => "结束准入例外",
        "person_offboarded" => "涉密人员离岗",
        "person_cooled_down" => "脱密期满",
        "person_corrected" => "更正人员登记",
        "unit_key_create" => "生成单位密钥",
        "unit_key_export" => "导出单位密钥卡",
        "unit_key_import" => "导入单位密钥卡",
        "print_save" => "打印件存为 PDF",
        "print_send" => "打印件送交系统打印",
        "print_template_set" => "替换打印模板",
        "print_template_reset" => "恢复内置打印模板",
        "print_font_add" => "添加字体",
        "print_font_remove" => "删除字体",
        "print_fonts_set" => "设置表单字体",
        other => other,
    }
}

/// The details of an entry in Chinese (the JSON stays the record of truth).
pub fn detail_text(action: &str, detail: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(detail).unwrap_or(serde_json::Value::Null);
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let n = |k: &str| v.get(k).and_then(|x| x.as_i64()).unwrap_or(0);
    let list = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(|x| x.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let role = |r: &str| {
        crate::vault::roles::Role::parse(r)
            .map(|r| r.label().to_string())
            .unwrap_or_else(|_| r.to_string())
    };
    match action {
        "login_failed" => match s("reason").as_str() {
            "wrong_password" => format!("口令错误（连续第 {} 次）", n("failures")),
            "account_locked" => "账户处于锁定期".into(),
            "account_disabled" => "账户已停用".into(),
            "no_role" => "账户尚未分配角色".into(),
            "no_account" => "账户不存在".into(),
            other => other.to_string(),
        },
        "account_locked" => format!("连续口令错误，锁定 {} 分钟", n("minutes")),
        "search_rebuilt" => format!(
            "{}：{} 条记录的检索索引按新格式重写",
            s("noun"),
            n("records")
        ),
        "sheet_import" => format!(
            "{}：导入 {} 条，跳过 {} 行；文件 SHA-256 {}",
            s("noun"),
            n("imported"),
            n("skipped"),
            s("sha256")
        ),
        "sheet_export" => format!(
            "{}：导出 {} 条{}；文件 SHA-256 {}",
            s("noun"),
            n("rows"),
            if s("marking").is_empty() {
                String::new()
            } else {
                format!("，标注“{}”", s("marking"))
            },
            s("sha256")
        ),
        "account_create" => {
            let r = s("role");
            if r.is_empty() {
                format!("姓名：{}", s("display"))
            } else {
                format!("姓名：{}，角色：{}", s("display"), role(&r))
            }
        }
        "role_assign" => format!("角色设为{}", role(&s("new"))),
        "password_reset" => match s("role_cleared").as_str() {
            "" => "须在首次登录时修改口令".into(),
            r => format!(
                "须在首次登录时修改口令；已清除角色（{}），待安全保密管理员重新分配",
                role(r)
            ),
        },
        "permission_denied" => {
            let op = v.get("op").and_then(|o| o.as_str()).unwrap_or("");
            let label = crate::vault::roles::Op::ALL
                .into_iter()
                .find(|x| {
                    serde_json::to_value(x)
                        .ok()
                        .and_then(|j| j.as_str().map(|t| t == op))
                        .unwrap_or(false)
                })
                .map(|x| x.label())
                .unwrap_or(op);
            format!("{}试图{}", role(&s("role")), label)
        }
        "policy_set" => {
            let (old, new) = (&v["old"], &v["new"]);
            let labels = [
                ("min_length", "口令最小长度"),
                ("min_classes", "口令字符种类"),
                ("max_failures", "锁定次数"),
                ("lockout_minutes", "锁定分钟"),
                ("idle_lock_seconds", "闲置锁定秒数"),
            ];
            let changes: Vec<String> = labels
                .iter()
                .filter(|(k, _)| old[*k] != new[*k])
                .map(|(k, l)| format!("{l} {} → {}", old[*k], new[*k]))
                .collect();
            if changes.is_empty() {
                "未改变".into()
            } else {
                changes.join("，")
            }
        }
        "settings_set" => format!("改为“{}”", s("new")),
        "audit_verify" => format!("完好，共 {} 条", n("entries")),
        "audit_checkpoint" => format!("检查点：第 {} 条，{}", n("seq"), s("head")),
        "checkpoint_print" => format!("第 {} 条的检查点单", n("seq")),
        "restore_acknowledged" => format!(
            "本机记录到第 {} 条，恢复的保密库只到第 {} 条",
            n("mark_seq"),
            n("head")
        ),
        "key_recovered" => format!("登记簿密钥（第 {} 代），经恢复码取回", n("epoch")),
        "key_grant" => format!(
            "{}密钥（第 {} 代）",
            if s("key") == "registers" {
                "登记簿"
            } else {
                "系统"
            },
            n("epoch")
        ),
        "key_rotate" => format!(
            "{}密钥轮换至第 {} 代，授予 {} 个账户（{}）",
            if s("key") == "registers" {
                "登记簿"
            } else {
                "系统"
            },
            n("epoch"),
            n("accounts"),
            s("reason")
        ),
        "keyfile_tampered" => {
            let findings: Vec<String> = v["findings"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|f| f.as_str())
                        .map(|f| {
                            match f {
                                "guard_missing" => "登录前状态的签名缺失",
                                "guard_forged" => "登录前状态的签名无效",
                                "policy_changed" => "锁定策略被改动（已恢复）",
                                "pending_removed" => "待记事件被删除",
                                "pending_forged" => "待记事件被伪造（已拒收）",
                                "logins_changed" => "登录失败计数被改动（已恢复）",
                                other => other,
                            }
                            .to_string()
                        })
                        .collect()
                })
                .unwrap_or_default();
            findings.join("；")
        }
        "vault_create" => format!("数据结构版本 {}", n("schema_version")),
        // A register event names its record and, for a correction, the fields by label —
        // never a value (the register's own history holds those).
        _ if v.get("register").is_some() && v.get("serial").is_some() => {
            let record = format!("{} {}（#{}）", s("noun"), s("serial"), n("id"));
            match list("field_labels") {
                fields if fields.is_empty() => record,
                fields => format!("{record}；更正字段：{}", fields.join("、")),
            }
        }
        "doc_reconcile" => {
            let by: Vec<&str> = list("by")
                .iter()
                .map(|b| match b.as_str() {
                    "custodian" => "责任人",
                    "location" => "存放位置",
                    _ => "",
                })
                .filter(|b| !b.is_empty())
                .collect();
            let not_found = list("not_found");
            let found = list("found_missing");
            let mut text = format!(
                "月核对 #{}（按{}）：应在 {} 件，清点 {} 件，未找到 {} 件",
                n("id"),
                by.join("、"),
                n("expected"),
                n("counted"),
                not_found.len()
            );
            if !not_found.is_empty() {
                text += &format!("（{}）", not_found.join("、"));
            }
            text += &format!(
                "，不应在此 {} 件，找到下落不明 {} 件",
                n("unexpected"),
                found.len()
            );
            if !found.is_empty() {
                text += &format!("（{}）", found.join("、"));
            }
            text
        }
        "print" => {
            let records = list("records");
            let count = n("count");
            let mut text = format!("{}，{} 页", s("title"), n("pages"));
            if v.get("reconciliation").is_some() {
                text += &format!("，月核对 #{}", n("reconciliation"));
            }
            if count > 0 {
                let named = if records.len() as i64 == count {
                    records.join("、")
                } else {
                    format!("{} 等", records.join("、"))
                };
                text += &format!("，共 {count} 件：{named}");
            }
            if !list("filters").is_empty() {
                text += "（按筛选条件）";
            }
            format!("{text}；摘要 {}", s("digest"))
        }
        "print_save" => format!("另存为 PDF：{}", s("path")),
        "print_send" => "送交系统打印对话框".into(),
        // Template and font changes, and entries written before the log named only records.
        _ if v.get("summary").is_some() => s("summary"),
        _ => {
            if detail == "{}" {
                String::new()
            } else {
                detail.to_string()
            }
        }
    }
}

/// An entry as stored, every column: what [`verify`] and [`genesis_claims`] check.
struct Stored {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    target: String,
    detail: String,
    prev: String,
    hash: String,
    signer: String,
    sig: String,
}

const STORED_COLUMNS: &str = "seq, at, actor, action, target, detail, prev, hash, signer, sig";

impl Stored {
    fn read(r: &rusqlite::Row<'_>) -> rusqlite::Result<Stored> {
        Ok(Stored {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            detail: r.get(5)?,
            prev: r.get(6)?,
            hash: r.get(7)?,
            signer: r.get(8)?,
            sig: r.get(9)?,
        })
    }

    /// Whether the stored hash is the hash of the stored fields.
    fn hash_holds(&self) -> bool {
        entry_hash(
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            &self.target,
            &self.detail,
            &self.prev,
        ) == self.hash
    }
}

/// The details of the log's first entry (`vault_create`), after checking that it is intact and
/// signed by the 系统管理员's key it names, and that this key is still the 系统管理员's in the
/// accounts table (administrators' keys never change). What it says (the first accounts' keys,
/// the recovery key) is then as trustworthy as that signature.
pub fn genesis_claims(conn: &Connection, vault_id: &str) -> Result<serde_json::Value> {
    let bad =
        || crate::error::Error::integrity("审计日志的建库记录被篡改：无法确认保密库的初始密钥");
    let first = conn
        .query_row(
            &format!("SELECT {STORED_COLUMNS} FROM audit_log WHERE seq = 1"),
            [],
            Stored::read,
        )
        .optional()?;
    let Some(Stored {
        actor,
        action,
        detail,
        prev,
        hash,
        sig,
        ..
    }) = first.filter(Stored::hash_holds)
    else {
        return Err(bad());
    };
    if action != "vault_create" || prev != genesis(vault_id) {
        return Err(bad());
    }
    let claims: serde_json::Value = serde_json::from_str(&detail).map_err(|_| bad())?;
    let admin_key = claims["keys"][actor.as_str()]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let current: Option<String> = conn
        .query_row(
            "SELECT signing_pub FROM accounts WHERE name = ?1 AND role = 'admin'",
            [&actor],
            |r| r.get(0),
        )
        .optional()?;
    if claims["admin"] != actor.as_str()
        || current.as_deref() != Some(admin_key.as_str())
        || !crypto::verify_hex(&admin_key, &signed_message(vault_id, &hash), &sig)
    {
        return Err(bad());
    }
    Ok(claims)
}

pub fn genesis(vault_id: &str) -> String {
    hex::encode(crypto::sha256(
        format!("baomi-audit-genesis-v1|{vault_id}").as_bytes(),
    ))
}

/// The hash of an entry: SHA-256 over an unambiguous JSON array of all its fields and `prev`.
pub fn entry_hash(
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
    prev: &str,
) -> String {
    let canonical = serde_json::json!([
        "baomi-audit-v1",
        seq,
        at,
        actor,
        action,
        target,
        detail,
        prev
    ]);
    hex::encode(crypto::sha256(canonical.to_string().as_bytes()))
}

/// What to record; `detail` is any JSON value.
pub struct NewEntry<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: serde_json::Value,
    /// The acting account's keys; `None` only for events recorded without a key.
    pub signer: Option<&'a Identity>,
}

impl<'a> NewEntry<'a> {
    /// An entry by `actor`, signed with `id`.
    pub fn signed(
        at: &'a str,
        actor: &'a str,
        id: &'a Identity,
        action: &'a str,
        target: &'a str,
        detail: serde_json::Value,
    ) -> Self {
        NewEntry {
            at,
            actor,
            action,
            target,
            detail,
            signer: Some(id),
        }
    }
}

/// What an entry's signature covers: the vault and the entry hash (which covers every field
/// and the previous entry).
fn signed_message(vault_id: &str, hash: &str) -> Vec<u8> {
    format!("baomi-audit-entry-v2|{vault_id}|{hash}").into_bytes()
}

/// What a checkpoint's signature covers.
fn checkpoint_message(vault_id: &str, seq: i64, head: &str, at: &str, auditor: &str) -> Vec<u8> {
    serde_json::json!([
        "baomi-audit-checkpoint-v1",
        vault_id,
        seq,
        head,
        at,
        auditor
    ])
    .to_string()
    .into_bytes()
}

/// Appends one entry in the caller's transaction; returns its (seq, hash).
pub fn append(conn: &Connection, vault_id: &str, e: NewEntry<'_>) -> Result<(i64, String)> {
    let last: Option<(i64, String)> = conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, genesis(vault_id)),
    };
    let detail = e.detail.to_string();
    let hash = entry_hash(seq, e.at, e.actor, e.action, e.target, &detail, &prev);
    let (signer, sig) = match e.signer {
        Some(id) => (
            id.signer(),
            hex::encode(id.sign(&signed_message(vault_id, &hash))),
        ),
        None => (String::new(), String::new()),
    };
    conn.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, target, detail, prev, hash, signer, sig)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        seq, e.at, e.actor, e.action, e.target, detail, prev, hash, signer, sig
    ])?;
    Ok((seq, hash))
}

/// The newest entry's (seq, hash), if any.
pub fn head(conn: &Connection) -> Result<Option<(i64, String)>> {
    Ok(conn
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// The stored hash of entry `seq`, if it exists.
pub fn hash_at(conn: &Connection, seq: i64) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Advances the key file's seal to the log head, if the current seal still matches the log.
pub fn seal_head(
    conn: &Connection,
    kf: &mut crate::vault::keyfile::KeyFile,
    id: &Identity,
) -> Result<()> {
    let Some((seq, hash)) = head(conn)? else {
        return Ok(());
    };
    let sealed = match &kf.seal {
        Some(s) => hash_at(conn, s.seq)?,
        None => None,
    };
    kf.advance_seal(id, seq, &hash, sealed.as_deref());
    Ok(())
}

/// Filters for listing the log.
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Filter {
    #[ts(optional)]
    pub actor: Option<String>,
    #[ts(optional)]
    pub action: Option<String>,
    /// Inclusive lower bound, `YYYY-MM-DD` or RFC 3339.
    #[ts(optional)]
    pub from: Option<String>,
    /// Inclusive upper bound, `YYYY-MM-DD` or RFC 3339.
    #[ts(optional)]
    pub to: Option<String>,
    /// Free text searched in target and detail.
    #[ts(optional)]
    pub text: Option<String>,
    #[ts(optional)]
    pub limit: Option<u32>,
    #[ts(optional)]
    pub offset: Option<u32>,
}

/// A page of the audit log; its total is always exact.
pub type Page = crate::page::Page<Entry>;

/// Lists entries matching `f`, newest first.
pub fn list(conn: &Connection, f: &Filter) -> Result<Page> {
    let mut clauses = Vec::new();
    let mut args: Vec<String> = Vec::new();
    if let Some(a) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        args.push(a.to_string());
        clauses.push(format!("actor = ?{}", args.len()));
    }
    if let Some(a) = f.action.as_deref().filter(|s| !s.is_empty()) {
        args.push(a.to_string());
        clauses.push(format!("action = ?{}", args.len()));
    }
    if let Some(d) = f.from.as_deref().filter(|s| !s.is_empty()) {
        args.push(d.to_string());
        clauses.push(format!("at >= ?{}", args.len()));
    }
    if let Some(d) = f.to.as_deref().filter(|s| !s.is_empty()) {
        // A bare date includes the whole day.
        let bound = if d.len() == 10 {
            format!("{d}T23:59:59Z")
        } else {
            d.to_string()
        };
        args.push(bound);
        clauses.push(format!("at <= ?{}", args.len()));
    }
    if let Some(t) = f.text.as_deref().filter(|s| !s.is_empty()) {
        args.push(format!(
            "%{}%",
            t.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        ));
        clauses.push(format!(
            "(target LIKE ?{n} ESCAPE '\\' OR detail LIKE ?{n} ESCAPE '\\' OR actor LIKE ?{n} ESCAPE '\\')",
            n = args.len()
        ));
    }
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM audit_log {filter}"),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let limit = f.limit.unwrap_or(200).min(10_000);
    let offset = f.offset.unwrap_or(0);
    let mut stmt = conn.prepare(&format!(
        "SELECT seq, at, actor, action, target, detail, hash, sig <> '' FROM audit_log {filter}
         ORDER BY seq DESC LIMIT {limit} OFFSET {offset}"
    ))?;
    let entries = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            let action: String = r.get(3)?;
            Ok(Entry {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action_label: action_label(&action).to_string(),
                detail_text: String::new(),
                action,
                target: r.get(4)?,
                detail: r.get(5)?,
                hash: r.get(6)?,
                signed: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .map(|mut e| {
            e.detail_text = detail_text(&e.action, &e.detail);
            e
        })
        .collect();
    Ok(Page::exact(entries, total))
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Report {
    pub intact: bool,
    /// Entries checked.
    #[ts(type = "number")]
    pub entries: i64,
    /// The sequence number of the first entry found broken (or where the log was cut).
    #[ts(type = "number | null")]
    pub first_broken: Option<i64>,
    /// What is wrong, in Chinese; empty when intact.
    pub problem: String,
}

impl Report {
    fn broken(entries: i64, at: i64, problem: String) -> Report {
        Report {
            intact: false,
            entries,
            first_broken: Some(at),
            problem,
        }
    }
}

/// An auditor's checkpoint: the log head as the auditor saw it, signed with the auditor's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Checkpoint {
    #[ts(type = "number")]
    pub seq: i64,
    pub head: String,
    pub at: String,
    pub auditor: String,
    /// The auditor's signing key (hex).
    pub signer: String,
    pub sig: String,
}

impl Checkpoint {
    /// Signs the head (`seq`, `head`) as `auditor` at `at`.
    pub fn make(
        vault_id: &str,
        id: &Identity,
        auditor: &str,
        seq: i64,
        head: &str,
        at: &str,
    ) -> Checkpoint {
        Checkpoint {
            seq,
            head: head.to_string(),
            at: at.to_string(),
            auditor: auditor.to_string(),
            signer: id.public().signer(),
            sig: hex::encode(id.sign(&checkpoint_message(vault_id, seq, head, at, auditor))),
        }
    }

    pub fn is_authentic(&self, vault_id: &str) -> bool {
        crypto::verify_hex(
            &self.signer,
            &checkpoint_message(vault_id, self.seq, &self.head, &self.at, &self.auditor),
            &self.sig,
        )
    }

    /// A short fingerprint to copy by hand from the printed slip: the first 16 hex digits of
    /// the head hash, in groups of four.
    pub fn fingerprint(&self) -> String {
        self.head
            .chars()
            .take(16)
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// Reads a head hash as a person types it from the paper slip: spaces, line breaks and dashes
/// between the groups do not matter, nor does case. Refused unless 64 hex digits remain.
pub fn parse_head(text: &str) -> Result<String> {
    let head: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_lowercase();
    if head.len() != 64 || !head.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(crate::Error::field(
            "head",
            "头哈希",
            format!(
                "应为 64 位十六进制数字（检查点单上分组印出，分组间的空格可照抄），现在是 {} 位",
                head.chars().count()
            ),
        ));
    }
    Ok(head)
}

/// The checkpoint signed at `seq`, if the auditor made one there.
pub fn checkpoint_at(conn: &Connection, seq: i64) -> Result<Option<Checkpoint>> {
    Ok(conn
        .query_row(
            "SELECT seq, head, at, auditor, signer, sig FROM checkpoints WHERE seq = ?1",
            [seq],
            checkpoint_from_row,
        )
        .optional()?)
}

fn checkpoint_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Checkpoint> {
    Ok(Checkpoint {
        seq: r.get(0)?,
        head: r.get(1)?,
        at: r.get(2)?,
        auditor: r.get(3)?,
        signer: r.get(4)?,
        sig: r.get(5)?,
    })
}

/// Stores a checkpoint (in the caller's transaction).
pub fn store_checkpoint(conn: &Connection, c: &Checkpoint) -> Result<()> {
    conn.execute(
        "INSERT INTO checkpoints (seq, head, at, auditor, signer, sig) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![c.seq, c.head, c.at, c.auditor, c.signer, c.sig],
    )?;
    Ok(())
}

/// The newest checkpoint, if the auditor ever made one.
pub fn latest_checkpoint(conn: &Connection) -> Result<Option<Checkpoint>> {
    Ok(conn
        .query_row(
            "SELECT seq, head, at, auditor, signer, sig FROM checkpoints ORDER BY seq DESC LIMIT 1",
            [],
            checkpoint_from_row,
        )
        .optional()?)
}

/// Which signing keys belong to which account, and which accounts are auditors, as the chain
/// itself established them.
#[derive(Debug, Default)]
struct Keys {
    by_account: HashMap<String, HashSet<String>>,
    auditors: HashSet<String>,
    /// The 系统管理员: the only account whose entries may give an account a key.
    admins: HashSet<String>,
}

impl Keys {
    fn holds(&self, account: &str, signer: &str) -> bool {
        self.by_account
            .get(account)
            .is_some_and(|keys| keys.contains(signer))
    }
    fn any(&self, signer: &str) -> bool {
        self.by_account.values().any(|keys| keys.contains(signer))
    }
    /// Learns the keys an entry introduces: the first accounts' keys from `vault_create`, later
    /// ones only from the 系统管理员's signed `account_create` or `password_reset`.
    fn learn(&mut self, actor: &str, action: &str, target: &str, detail: &serde_json::Value) {
        match action {
            "vault_create" => {
                if let Some(keys) = detail["keys"].as_object() {
                    for (account, k) in keys {
                        if let Some(k) = k.as_str() {
                            self.by_account
                                .entry(account.clone())
                                .or_default()
                                .insert(k.to_string());
                        }
                    }
                }
                if let Some(a) = detail["auditor"].as_str() {
                    self.auditors.insert(a.to_string());
                }
                if let Some(a) = detail["admin"].as_str() {
                    self.admins.insert(a.to_string());
                }
            }
            "account_create" | "password_reset" if self.admins.contains(actor) => {
                if let Some(k) = detail["signing_pub"].as_str() {
                    self.by_account
                        .entry(target.to_string())
                        .or_default()
                        .insert(k.to_string());
                }
            }
            _ => {}
        }
    }
}

/// What [`verify`] checks the log against: the seal from the key file and the newest
/// checkpoint (from the vault, or typed in from the paper slip).
pub struct Anchors<'a> {
    pub seal: Option<&'a Seal>,
    pub checkpoint: Option<&'a Checkpoint>,
}

/// Walks the whole chain: links, hashes and signatures, then the seal and the checkpoint.
pub fn verify(conn: &Connection, vault_id: &str, anchors: Anchors<'_>) -> Result<Report> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {STORED_COLUMNS} FROM audit_log ORDER BY rowid"
    ))?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1i64;
    let mut prev_hash = genesis(vault_id);
    let mut count = 0i64;
    let mut hashes: HashMap<i64, String> = HashMap::new();
    let mut keys = Keys::default();
    let mut last_at = String::new();
    while let Some(r) = rows.next()? {
        let entry = Stored::read(r)?;
        let hash_holds = entry.hash_holds();
        let Stored {
            seq,
            at,
            actor,
            action,
            target,
            detail,
            prev,
            hash,
            signer,
            sig,
        } = entry;
        count += 1;
        if seq != expected_seq {
            let problem = if seq > expected_seq {
                format!("第 {expected_seq} 条记录缺失（被删除），日志在此断开")
            } else {
                format!("第 {seq} 条记录顺序错乱或重复")
            };
            return Ok(Report::broken(count, expected_seq.min(seq), problem));
        }
        if prev != prev_hash {
            return Ok(Report::broken(
                count,
                seq,
                format!("第 {seq} 条记录与前一条不衔接（记录被删除、插入或调换顺序）"),
            ));
        }
        if !hash_holds {
            return Ok(Report::broken(
                count,
                seq,
                format!("第 {seq} 条记录的内容被修改"),
            ));
        }
        let detail_json: serde_json::Value =
            serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null);
        if seq == 1 {
            if action != "vault_create" {
                return Ok(Report::broken(count, 1, "日志的第一条不是建库记录".into()));
            }
            keys.learn(&actor, &action, &target, &detail_json);
        }
        if sig.is_empty() && signer.is_empty() {
            // Recorded before anyone signed in: only these kinds, by nobody, never back in time.
            if !UNSIGNED_ACTIONS.contains(&action.as_str()) || actor != "-" || at < last_at {
                return Ok(Report::broken(
                    count,
                    seq,
                    format!("第 {seq} 条记录没有签名，而它不是登录失败或账户锁定记录（伪造）"),
                ));
            }
        } else if !keys.holds(&actor, &signer)
            || !crypto::verify_hex(&signer, &signed_message(vault_id, &hash), &sig)
        {
            return Ok(Report::broken(
                count,
                seq,
                format!("第 {seq} 条记录的签名无效：它不是由“{actor}”的密钥签署的（伪造或被修改）"),
            ));
        } else if seq > 1 {
            keys.learn(&actor, &action, &target, &detail_json);
        }
        last_at = last_at.max(at);
        hashes.insert(seq, hash.clone());
        prev_hash = hash;
        expected_seq += 1;
    }
    let Some(seal) = anchors.seal else {
        return Ok(Report::broken(
            count,
            count.max(1),
            "密钥文件中缺少审计封印：封印只在建库时生成，缺失即被篡改".to_string(),
        ));
    };
    if !seal.is_authentic(vault_id) || !keys.any(&seal.signer) {
        return Ok(Report::broken(
            count,
            seal.seq.max(1),
            "密钥文件中的审计封印被篡改（签名无效或签署者不是本库账户）".to_string(),
        ));
    }
    if seal.seq > count {
        return Ok(Report::broken(
            count,
            count + 1,
            format!(
                "日志末尾被截断：封印记录共 {} 条，库中只有 {count} 条，自第 {} 条起缺失",
                seal.seq,
                count + 1
            ),
        ));
    }
    if hashes.get(&seal.seq) != Some(&seal.hash) {
        return Ok(Report::broken(
            count,
            seal.seq,
            format!("第 {} 条记录与封印不符（日志被替换）", seal.seq),
        ));
    }
    if let Some(c) = anchors.checkpoint {
        let by_auditor = keys.auditors.contains(&c.auditor) && keys.holds(&c.auditor, &c.signer);
        if !c.is_authentic(vault_id) || !by_auditor {
            return Ok(Report::broken(
                count,
                c.seq.max(1),
                "审计检查点的签名无效（不是安全审计员签署的）".to_string(),
            ));
        }
        if hashes.get(&c.seq) != Some(&c.head) {
            return Ok(Report::broken(
                count,
                c.seq.min(count + 1).max(1),
                format!(
                    "日志与审计检查点不符：检查点记录第 {} 条为 {}，库中{}（日志被改写或回退）",
                    c.seq,
                    c.fingerprint(),
                    if c.seq > count {
                        format!("只有 {count} 条")
                    } else {
                        "该条内容不同".to_string()
                    }
                ),
            ));
        }
    }
    Ok(Report {
        intact: true,
        entries: count,
        first_broken: None,
        problem: String::new(),
    })
}
