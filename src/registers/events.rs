//! The event store every register shares: immutable events, history, replay.
//!
//! Contract: a record's history is the list of its events in the `events` table (who, when,
//! what, approval reference), which nothing can update or delete (triggers, and no API).
//! A register implements [`Register`]: a pure `apply` that takes the current state and one
//! event and returns the next state or refuses the transition with a Chinese message. The
//! register's own table is only a projection of that fold, written in the same transaction as
//! the event, and [`replay`] rebuilds it from the events alone (tests compare the two).
//! Corrections are events too: the old value stays in the history.

use chrono::NaiveDate;
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Register;
use crate::error::{Error, Result};

/// Facts about an event that are not part of the register's payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    /// When it happened (entered by the officer; defaults to today).
    pub occurred_on: NaiveDate,
    /// When it was recorded (the clock).
    pub recorded_at: String,
    /// The account that recorded it.
    pub actor: String,
    /// The approval reference (审批单号 or approver), when the event needed one.
    pub approval: Option<String>,
}

/// Appends one event to the store (inside the caller's transaction); returns its id.
pub fn append<R: Register>(
    conn: &Connection,
    record_id: i64,
    meta: &Meta,
    event: &R::Event,
) -> Result<i64> {
    let data = to_json(event)?;
    // Events are internally tagged, and serde writes the tag first: the kind is read off the
    // text rather than serialized a second time.
    let kind = data
        .strip_prefix("{\"kind\":\"")
        .and_then(|rest| rest.split('"').next())
        .map_or_else(|| R::kind(event), str::to_string);
    insert(conn, R::NAME, record_id, &kind, meta, data)
}

fn to_json<T: Serialize>(data: &T) -> Result<String> {
    serde_json::to_string(data).map_err(|e| Error::internal(format!("事件序列化失败：{e}")))
}

/// Writes one row of the store: register event or adoption alike (`data` as JSON).
fn insert(
    conn: &Connection,
    register: &str,
    record_id: i64,
    kind: &str,
    meta: &Meta,
    data: String,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO events (register, record_id, kind, occurred_on, recorded_at, actor, approval, data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
            register,
            record_id,
            kind,
            crate::dates::iso(meta.occurred_on),
            meta.recorded_at,
            meta.actor,
            meta.approval,
            data
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The event kind of a record adopted whole from another unit's bundle (a conflict resolved
/// by taking theirs, or a bundle whose sender had already seen this unit's changes): its data
/// is an [`Adopted`]. It is the one kind the event store knows itself: registers never see it
/// ([`events`] leaves it out), [`replay`] and [`history`] read it.
pub const ADOPTED: &str = "_adopted";

/// The data of an [`ADOPTED`] event: the state taken, whose it was, and the timeline lines
/// of the other unit's events it stands for.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Adopted<S> {
    pub state: S,
    pub from: String,
    pub lines: Vec<String>,
}

/// One stored row of a record's history: a register event or an adoption.
pub enum Stored<R: Register> {
    Event(R::Event),
    Adopted(Adopted<R::State>),
}

/// Every row of one record's history, oldest first, decoded.
pub fn stored<R: Register>(
    conn: &Connection,
    record_id: i64,
) -> Result<Vec<(i64, Meta, Stored<R>)>> {
    let mut stmt = conn.prepare(
        "SELECT id, occurred_on, recorded_at, actor, approval, kind, data FROM events
         WHERE register = ?1 AND record_id = ?2 ORDER BY id",
    )?;
    let rows = stmt
        .query_map(params![R::NAME, record_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(id, on, recorded_at, actor, approval, kind, data)| {
            let occurred_on = crate::dates::from_iso(&on)
                .ok_or_else(|| Error::integrity(format!("事件 {id} 的日期已损坏")))?;
            let broken =
                |e: serde_json::Error| Error::integrity(format!("事件 {id} 的内容已损坏：{e}"));
            let stored = if kind == ADOPTED {
                Stored::Adopted(serde_json::from_str(&data).map_err(broken)?)
            } else {
                Stored::Event(serde_json::from_str(&data).map_err(broken)?)
            };
            Ok((
                id,
                Meta {
                    occurred_on,
                    recorded_at,
                    actor,
                    approval,
                },
                stored,
            ))
        })
        .collect()
}

/// Every register event of one record, oldest first (adoptions left out: a form is filled
/// from the register's own events).
pub fn events<R: Register>(
    conn: &Connection,
    record_id: i64,
) -> Result<Vec<(i64, Meta, R::Event)>> {
    Ok(stored::<R>(conn, record_id)?
        .into_iter()
        .filter_map(|(id, meta, s)| match s {
            Stored::Event(e) => Some((id, meta, e)),
            Stored::Adopted(_) => None,
        })
        .collect())
}

/// Appends an adoption to the store (inside the caller's transaction); returns its id.
pub fn append_adopted<R: Register>(
    conn: &Connection,
    record_id: i64,
    meta: &Meta,
    adopted: &Adopted<R::State>,
) -> Result<i64> {
    insert(conn, R::NAME, record_id, ADOPTED, meta, to_json(adopted)?)
}

/// Rebuilds a record's state from its events alone.
pub fn replay<R: Register>(conn: &Connection, record_id: i64) -> Result<Option<R::State>> {
    let mut state: Option<R::State> = None;
    for (_, meta, s) in stored::<R>(conn, record_id)? {
        state = Some(match s {
            Stored::Event(event) => R::apply(state.as_ref(), &event, &meta)?,
            Stored::Adopted(a) => a.state,
        });
    }
    Ok(state)
}

/// One entry of a record's timeline, as the UI and the CLI show it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct HistoryEntry {
    #[ts(type = "number")]
    pub id: i64,
    /// Event kind code (e.g. `borrowed`).
    pub kind: String,
    /// Chinese description.
    pub summary: String,
    pub occurred_on: String,
    pub recorded_at: String,
    pub actor: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approval: Option<String>,
    /// The event's full payload.
    #[ts(type = "unknown")]
    pub data: serde_json::Value,
}

/// One timeline entry; the event is serialized once, and its kind read from that (its tag).
fn entry<R: Register>(
    id: i64,
    occurred_on: String,
    recorded_at: String,
    actor: String,
    approval: Option<String>,
    event: &R::Event,
) -> Result<HistoryEntry> {
    let data = serde_json::to_value(event).map_err(|e| Error::internal(e.to_string()))?;
    Ok(HistoryEntry {
        id,
        kind: data
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_default()
            .to_string(),
        summary: R::describe(event),
        occurred_on,
        recorded_at,
        actor,
        approval,
        data,
    })
}

/// A record's timeline.
pub fn history<R: Register>(conn: &Connection, record_id: i64) -> Result<Vec<HistoryEntry>> {
    let mut entries = stored::<R>(conn, record_id)?
        .into_iter()
        .map(|(id, meta, s)| match s {
            Stored::Event(event) => entry::<R>(
                id,
                crate::dates::iso(meta.occurred_on),
                meta.recorded_at,
                meta.actor,
                meta.approval,
                &event,
            ),
            Stored::Adopted(a) => Ok(HistoryEntry {
                id,
                kind: ADOPTED.to_string(),
                summary: adopted_summary(&a.from, &a.lines),
                occurred_on: crate::dates::iso(meta.occurred_on),
                recorded_at: meta.recorded_at,
                actor: meta.actor,
                approval: meta.approval,
                data: serde_json::json!({ "from": a.from, "lines": a.lines }),
            }),
        })
        .collect::<Result<Vec<_>>>()?;
    if let Some(first) = entries.first_mut() {
        if let Some(origin) = super::origins::of(conn, R::NAME, record_id)? {
            first.summary = format!("{}（{origin}）", first.summary);
        }
    }
    Ok(entries)
}

/// The timeline line of an adoption.
pub fn adopted_summary(from: &str, lines: &[String]) -> String {
    if lines.is_empty() {
        format!("采用{from}数据包中的记录")
    } else {
        format!("采用{from}数据包中的记录：{}", lines.join("；"))
    }
}

/// One event in a register's log of one kind of procedure (the 外出 or 维护淘汰 book): the
/// record it belongs to and the event as its timeline shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct LoggedEvent {
    #[ts(type = "number")]
    pub record_id: i64,
    /// The record's serial (ledger number).
    pub serial: String,
    pub entry: HistoryEntry,
}

/// The events of `kinds` across every record of `R`, newest first: a page of `limit` from
/// `offset`, with the exact total.
pub fn log<R: Register>(
    conn: &Connection,
    kinds: &[&str],
    offset: u32,
    limit: u32,
) -> Result<crate::page::Page<LoggedEvent>> {
    let marks = (0..kinds.len())
        .map(|i| format!("?{}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let mut args: Vec<String> = vec![R::NAME.to_string()];
    args.extend(kinds.iter().map(|k| k.to_string()));
    let filter = format!("e.register = ?1 AND e.kind IN ({marks})");
    let total: i64 = conn.query_row(
        &format!("SELECT count(*) FROM events e WHERE {filter}"),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare(&format!(
        "SELECT e.id, e.record_id, r.serial, e.occurred_on, e.recorded_at, e.actor, e.approval, e.data
         FROM events e JOIN {} r ON r.id = e.record_id
         WHERE {filter} ORDER BY e.id DESC LIMIT {limit} OFFSET {offset}",
        R::TABLE
    ))?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let rows = rows
        .into_iter()
        .map(
            |(id, record_id, serial, occurred_on, recorded_at, actor, approval, data)| {
                let event: R::Event = serde_json::from_str(&data)
                    .map_err(|e| Error::integrity(format!("事件 {id} 的内容已损坏：{e}")))?;
                Ok(LoggedEvent {
                    record_id,
                    serial,
                    entry: entry::<R>(id, occurred_on, recorded_at, actor, approval, &event)?,
                })
            },
        )
        .collect::<Result<Vec<_>>>()?;
    Ok(crate::page::Page::exact(rows, total))
}
