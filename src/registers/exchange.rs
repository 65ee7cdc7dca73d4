//! Records between vaults: what a bundle carries of a record, and how it merges into this
//! register — written once for every register.
//!
//! Contract: a record and each of its events are known across units by their origin (the
//! fingerprint of the unit where they were first recorded and their id there); this unit's own
//! have no row in `record_origins`/`event_origins`. A bundle carries each record's whole
//! history ([`WireRecord`]) and the other units' events it has already absorbed. Merging is by
//! event identity, never by comparing values:
//!
//! - a record unknown here is **added** (its registration rewritten to a local id and serial —
//!   the sender's serial when it is free here);
//! - a bundle with no event unknown here changes nothing (**unchanged**: importing the same
//!   bundle twice, or an older one, is a no-op);
//! - a bundle whose history extends this unit's is appended event by event (**changed**);
//! - a bundle that has seen every event of this unit's but went another way (its sender
//!   resolved a conflict) is adopted whole (**changed**, an [`ADOPTED`] row in the history);
//! - otherwise both sides changed the record since they last exchanged it: a **conflict**,
//!   which the officer resolves — keep mine, take theirs, or keep both (mine, with their
//!   values of the correctable fields recorded as corrections); nothing is overwritten
//!   silently, and the decision itself travels with the record's next bundle.
//!
//! Every event of a bundle goes through the register's own `apply` before anything is written;
//! an event the rules refuse refuses the whole import. Events of another unit are recorded as
//! they happened there: the pre-post gate and the effects outside the record
//! ([`Register::after`]) are this unit's business and are not replayed.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::events::{self, Adopted, Meta, Stored, ADOPTED};
use super::{table, Cx, Register};
use crate::error::{Error, Result};
use crate::vault::WriteCtx;

/// An event as a bundle carries it. `data` is the event exactly as the sender's event store
/// holds it (its JSON text, carried verbatim: hashed and signed as it is, parsed only here).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireEvent {
    pub origin: String,
    pub origin_id: i64,
    pub kind: String,
    pub occurred_on: String,
    pub recorded_at: String,
    /// Who recorded it, with their unit (`王五（某单位）`).
    pub actor: String,
    #[serde(default)]
    pub approval: Option<String>,
    pub data: Box<serde_json::value::RawValue>,
}

/// A record as a bundle carries it: who registered it, its whole history, and the events of
/// other units it absorbed when a conflict was resolved here.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireRecord {
    pub register: String,
    pub origin: String,
    pub origin_id: i64,
    /// The serial at the sender (for messages and the preview).
    pub serial: String,
    pub events: Vec<WireEvent>,
    #[serde(default)]
    pub absorbed: Vec<(String, i64)>,
}

/// What importing a record would do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Fate {
    Added,
    Changed,
    Unchanged,
    Conflict,
}

/// How the officer resolves a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Resolution {
    /// 保留本单位的记录.
    Mine,
    /// 采用对方的记录.
    Theirs,
    /// 都保留：本单位的记录不变，对方不同的字段值记为更正.
    Both,
}

impl Resolution {
    pub fn parse(text: &str) -> Option<Resolution> {
        match text.trim() {
            "mine" | "保留本方" => Some(Resolution::Mine),
            "theirs" | "采用对方" => Some(Resolution::Theirs),
            "both" | "都保留" => Some(Resolution::Both),
            _ => None,
        }
    }
}

/// One record of a bundle as the preview shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PlannedRecord {
    pub register: String,
    pub noun: String,
    /// `register:origin:origin_id`: how a conflict's resolution names the record.
    pub key: String,
    pub fate: Fate,
    /// The local record, when it exists.
    #[ts(type = "number | null")]
    pub local_id: Option<i64>,
    /// The serial here (the local record's, or the one an added record will get).
    pub serial: String,
    pub title: String,
    /// Status label here (None: not here yet).
    pub mine: Option<String>,
    /// Status label in the bundle.
    pub theirs: String,
    /// The bundle's events not known here, as timeline lines.
    pub incoming: Vec<String>,
    /// This unit's events the sender has not seen (what a conflict would set aside).
    pub unseen: Vec<String>,
}

/// The key a conflict's resolution is given by.
pub fn record_key(register: &str, origin: &str, origin_id: i64) -> String {
    format!("{register}:{origin}:{origin_id}")
}

/// The local id of a record known across units by `(origin, origin_id)`.
fn local_record<R: Register>(
    conn: &Connection,
    own: &str,
    origin: &str,
    origin_id: i64,
) -> Result<Option<i64>> {
    if origin == own {
        let exists: bool = conn
            .prepare_cached(&format!(
                "SELECT EXISTS (SELECT 1 FROM {} WHERE id = ?1)",
                R::TABLE
            ))?
            .query_row([origin_id], |r| r.get(0))?;
        return Ok(exists.then_some(origin_id));
    }
    Ok(conn
        .prepare_cached(
            "SELECT record_id FROM record_origins
             WHERE register = ?1 AND origin = ?2 AND origin_id = ?3",
        )?
        .query_row(params![R::NAME, origin, origin_id], |r| r.get(0))
        .optional()?)
}

/// The cross-unit identity of each local event of a record, oldest first, with its kind and
/// data (for the preview's lines).
fn local_events(
    conn: &Connection,
    register: &str,
    own: &str,
    record_id: i64,
) -> Result<Vec<LocalEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.id, e.kind, e.data, o.origin, o.origin_id
         FROM events e LEFT JOIN event_origins o ON o.event_id = e.id AND o.how = 'stored'
         WHERE e.register = ?1 AND e.record_id = ?2 ORDER BY e.id",
    )?;
    let rows = stmt
        .query_map(params![register, record_id], |r| {
            let id: i64 = r.get(0)?;
            Ok(LocalEvent {
                origin: r
                    .get::<_, Option<String>>(3)?
                    .unwrap_or_else(|| own.to_string()),
                origin_id: r.get::<_, Option<i64>>(4)?.unwrap_or(id),
                kind: r.get(1)?,
                data: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

struct LocalEvent {
    origin: String,
    origin_id: i64,
    kind: String,
    data: String,
}

/// The other units' events a record absorbed here.
fn absorbed(conn: &Connection, register: &str, record_id: i64) -> Result<Vec<(String, i64)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT origin, origin_id FROM event_origins
         WHERE register = ?1 AND record_id = ?2 AND how = 'absorbed' ORDER BY origin, origin_id",
    )?;
    let rows = stmt
        .query_map(params![register, record_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Records `ids` of `R` as a bundle carries them. This unit's own events are signed off with
/// `unit` after the actor's name. Reads the register's events, origins and serials in one
/// pass each (a bundle of a whole register costs four queries, not four per record).
pub fn export<R: Register>(
    conn: &Connection,
    own: &str,
    unit: &str,
    ids: &[i64],
) -> Result<Vec<WireRecord>> {
    let wanted: HashSet<i64> = ids.iter().copied().collect();
    let mut serials: HashMap<i64, String> = HashMap::with_capacity(ids.len());
    let mut stmt = conn.prepare(&format!("SELECT id, serial FROM {}", R::TABLE))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if wanted.contains(&id) {
            serials.insert(id, r.get(1)?);
        }
    }
    let mut origins: HashMap<i64, (String, i64)> = HashMap::new();
    let mut stmt = conn
        .prepare("SELECT record_id, origin, origin_id FROM record_origins WHERE register = ?1")?;
    let mut rows = stmt.query([R::NAME])?;
    while let Some(r) = rows.next()? {
        origins.insert(r.get(0)?, (r.get(1)?, r.get(2)?));
    }
    let mut absorbed: HashMap<i64, Vec<(String, i64)>> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT record_id, origin, origin_id FROM event_origins
         WHERE register = ?1 AND how = 'absorbed' ORDER BY record_id, origin, origin_id",
    )?;
    let mut rows = stmt.query([R::NAME])?;
    while let Some(r) = rows.next()? {
        absorbed
            .entry(r.get(0)?)
            .or_default()
            .push((r.get(1)?, r.get(2)?));
    }
    let mut events: HashMap<i64, Vec<WireEvent>> = HashMap::with_capacity(ids.len());
    let mut stmt = conn.prepare(
        "SELECT e.record_id, e.id, e.kind, e.occurred_on, e.recorded_at, e.actor, e.approval,
                e.data, o.origin, o.origin_id
         FROM events e LEFT JOIN event_origins o ON o.event_id = e.id AND o.how = 'stored'
         WHERE e.register = ?1 ORDER BY e.record_id, e.id",
    )?;
    let mut rows = stmt.query([R::NAME])?;
    while let Some(r) = rows.next()? {
        let record: i64 = r.get(0)?;
        if !wanted.contains(&record) {
            continue;
        }
        let id: i64 = r.get(1)?;
        let origin: Option<String> = r.get(8)?;
        let actor: String = r.get(5)?;
        let text: String = r.get(7)?;
        let data = serde_json::value::RawValue::from_string(text)
            .map_err(|err| Error::integrity(format!("事件 {id} 的内容已损坏：{err}")))?;
        events.entry(record).or_default().push(WireEvent {
            actor: match origin {
                None => format!("{actor}（{unit}）"),
                Some(_) => actor,
            },
            origin: origin.unwrap_or_else(|| own.to_string()),
            origin_id: r.get::<_, Option<i64>>(9)?.unwrap_or(id),
            kind: r.get(2)?,
            occurred_on: r.get(3)?,
            recorded_at: r.get(4)?,
            approval: r.get(6)?,
            data,
        });
    }
    ids.iter()
        .map(|&id| {
            let serial = serials
                .remove(&id)
                .ok_or_else(|| Error::not_found(format!("没有编号为 {id} 的{}", R::NOUN)))?;
            let (origin, origin_id) = origins.remove(&id).unwrap_or_else(|| (own.to_string(), id));
            Ok(WireRecord {
                register: R::NAME.to_string(),
                origin,
                origin_id,
                serial,
                events: events.remove(&id).unwrap_or_default(),
                absorbed: absorbed.remove(&id).unwrap_or_default(),
            })
        })
        .collect()
}

/// A bundle's record read against this vault: its fate and what applying it takes.
struct Plan<R: Register> {
    item: PlannedRecord,
    /// The bundle's events not known here (indices into the record's events).
    new: Vec<usize>,
    /// Their history folded (with this vault's id and serial for the record).
    theirs: R::State,
    /// Whether a `changed` record is appended event by event (else adopted whole).
    fast_forward: bool,
    /// Their events decoded for this vault, with their metadata.
    decoded: Vec<(Meta, Stored<R>)>,
}

fn uid(origin: &str, origin_id: i64) -> (String, i64) {
    (origin.to_string(), origin_id)
}

/// Rewrites another unit's registration (or adopted state) for this vault: the local id and
/// serial, and the carrier it was copied from when that one is known here too.
fn localize<R: Register>(
    conn: &Connection,
    own: &str,
    origin: &str,
    data: &mut serde_json::Value,
    id: i64,
    serial: &str,
) -> Result<()> {
    let Some(obj) = data.as_object_mut() else {
        return Err(Error::integrity("数据包中的事件不是 JSON 对象"));
    };
    obj.insert("id".into(), id.into());
    obj.insert("serial".into(), serial.into());
    if let Some(parent) = obj.get("parent_id").and_then(|p| p.as_i64()) {
        let local = local_record::<R>(conn, own, origin, parent)?;
        obj.insert(
            "parent_id".into(),
            local.map_or(serde_json::Value::Null, Into::into),
        );
    }
    Ok(())
}

/// The text a record is known by (its register's title column: title, name).
fn title_of<R: Register>(state: &R::State) -> String {
    let column = super::REGISTERS
        .iter()
        .find(|r| r.name == R::NAME)
        .map_or("title", |r| r.title);
    R::columns(state)
        .into_iter()
        .find(|(c, _)| *c == column)
        .and_then(|(_, v)| match v {
            rusqlite::types::Value::Text(t) => Some(t),
            _ => None,
        })
        .unwrap_or_default()
}

/// The serial an added record gets here: the sender's, unless a record here has it.
fn free_serial<R: Register>(conn: &Connection, serial: &str, origin: &str) -> Result<String> {
    if table::id_by_serial::<R>(conn, serial)?.is_none() {
        return Ok(serial.to_string());
    }
    let short: String = origin.chars().filter(|c| *c != '-').take(4).collect();
    let mut candidate = format!("{serial}/{short}");
    let mut n = 2;
    while table::id_by_serial::<R>(conn, &candidate)?.is_some() {
        candidate = format!("{serial}/{short}-{n}");
        n += 1;
    }
    Ok(candidate)
}

/// Reads one record of a bundle against this vault (nothing is written).
fn plan<R: Register>(conn: &Connection, own: &str, rec: &WireRecord) -> Result<Plan<R>> {
    let name = format!("数据包中的{} {}", R::NOUN, rec.serial);
    if rec.events.is_empty() {
        return Err(Error::integrity(format!("{name} 没有任何事件")));
    }
    let local = local_record::<R>(conn, own, &rec.origin, rec.origin_id)?;
    if local.is_none() && rec.origin == own {
        return Err(Error::integrity(format!(
            "{name} 注明由本单位登记，但本单位没有这条记录：数据包与本保密库不符"
        )));
    }
    let (id, serial) = match local {
        Some(id) => (
            id,
            table::load::<R>(conn, id).map(|s| R::serial(&s).to_string())?,
        ),
        None => (
            table::next_id::<R>(conn)?,
            free_serial::<R>(conn, &rec.serial, &rec.origin)?,
        ),
    };
    // Fold their history as this vault would store it.
    let mut theirs: Option<R::State> = None;
    let mut decoded = Vec::with_capacity(rec.events.len());
    for (i, e) in rec.events.iter().enumerate() {
        let refused =
            |why: String| Error::rule(format!("{name} 的第 {} 条事件不能导入：{why}", i + 1));
        let occurred_on =
            crate::dates::from_iso(&e.occurred_on).ok_or_else(|| refused("日期无效".into()))?;
        let meta = Meta {
            occurred_on,
            recorded_at: e.recorded_at.clone(),
            actor: e.actor.clone(),
            approval: e.approval.clone(),
        };
        let raw = e.data.get();
        if i == 0 && e.kind != "registered" {
            return Err(refused("记录的第一条事件应为登记".into()));
        }
        if e.kind == ADOPTED {
            // The adopted state names the sender's id and serial: rewritten for this vault.
            let mut data: serde_json::Value =
                serde_json::from_str(raw).map_err(|err| refused(err.to_string()))?;
            let state = data
                .get_mut("state")
                .ok_or_else(|| refused("缺少记录状态".into()))?;
            localize::<R>(conn, own, &rec.origin, state, id, &serial)?;
            let a: Adopted<R::State> =
                serde_json::from_value(data).map_err(|err| refused(err.to_string()))?;
            theirs = Some(a.state.clone());
            decoded.push((meta, Stored::Adopted(a)));
        } else {
            let event: R::Event = if i == 0 {
                // The registration names the sender's id and serial: rewritten for this vault.
                let mut data: serde_json::Value =
                    serde_json::from_str(raw).map_err(|err| refused(err.to_string()))?;
                localize::<R>(conn, own, &rec.origin, &mut data, id, &serial)?;
                serde_json::from_value(data).map_err(|err| refused(err.to_string()))?
            } else {
                serde_json::from_str(raw).map_err(|err| refused(err.to_string()))?
            };
            if R::kind(&event) != e.kind {
                return Err(refused("事件类型与内容不符".into()));
            }
            theirs =
                Some(R::apply(theirs.as_ref(), &event, &meta).map_err(|err| refused(err.message))?);
            decoded.push((meta, Stored::Event(event)));
        }
    }
    let theirs = theirs.ok_or_else(|| Error::integrity(format!("{name} 没有任何事件")))?;
    let line = |i: usize| match &decoded[i].1 {
        Stored::Event(event) => R::describe(event),
        Stored::Adopted(a) => events::adopted_summary(&a.from, &a.lines),
    };
    let mut item = PlannedRecord {
        register: R::NAME.to_string(),
        noun: R::NOUN.to_string(),
        key: record_key(R::NAME, &rec.origin, rec.origin_id),
        fate: Fate::Added,
        local_id: local,
        serial,
        title: title_of::<R>(&theirs),
        mine: None,
        theirs: R::status_label(&theirs).to_string(),
        incoming: Vec::new(),
        unseen: Vec::new(),
    };
    let Some(id) = local else {
        item.incoming = (0..rec.events.len()).map(line).collect();
        return Ok(Plan {
            item,
            new: (0..rec.events.len()).collect(),
            theirs,
            fast_forward: true,
            decoded,
        });
    };
    let mine = table::load::<R>(conn, id)?;
    item.mine = Some(R::status_label(&mine).to_string());
    item.title = title_of::<R>(&mine);
    let ours = local_events(conn, R::NAME, own, id)?;
    let our_absorbed: HashSet<(String, i64)> = absorbed(conn, R::NAME, id)?.into_iter().collect();
    let known: HashSet<(String, i64)> = ours
        .iter()
        .map(|e| uid(&e.origin, e.origin_id))
        .chain(our_absorbed.iter().cloned())
        .collect();
    let new: Vec<usize> = (0..rec.events.len())
        .filter(|&i| !known.contains(&uid(&rec.events[i].origin, rec.events[i].origin_id)))
        .collect();
    let seen_there: HashSet<(String, i64)> = rec
        .events
        .iter()
        .map(|e| uid(&e.origin, e.origin_id))
        .chain(rec.absorbed.iter().cloned())
        .collect();
    let unseen: Vec<&LocalEvent> = ours
        .iter()
        .filter(|e| !seen_there.contains(&uid(&e.origin, e.origin_id)))
        .collect();
    item.incoming = new.iter().map(|&i| line(i)).collect();
    item.unseen = unseen.iter().map(|e| local_line::<R>(e)).collect();
    // Their history extends ours exactly: append the rest.
    let prefix = ours.len() <= rec.events.len()
        && ours
            .iter()
            .zip(&rec.events)
            .all(|(a, b)| a.origin == b.origin && a.origin_id == b.origin_id)
        && new.iter().all(|&i| i >= ours.len());
    item.fate = if new.is_empty() {
        Fate::Unchanged
    } else if unseen.is_empty() {
        Fate::Changed
    } else {
        Fate::Conflict
    };
    Ok(Plan {
        item,
        new,
        theirs,
        fast_forward: prefix,
        decoded,
    })
}

/// The timeline line of a local event.
fn local_line<R: Register>(e: &LocalEvent) -> String {
    if e.kind == ADOPTED {
        return serde_json::from_str::<serde_json::Value>(&e.data)
            .ok()
            .and_then(|d| {
                let from = d.get("from")?.as_str()?.to_string();
                let lines: Vec<String> = serde_json::from_value(d.get("lines")?.clone()).ok()?;
                Some(events::adopted_summary(&from, &lines))
            })
            .unwrap_or_else(|| "采用另一单位的记录".to_string());
    }
    serde_json::from_str::<R::Event>(&e.data)
        .map(|ev| R::describe(&ev))
        .unwrap_or_else(|_| e.kind.clone())
}

fn mark(
    w: &WriteCtx<'_>,
    register: &str,
    record_id: i64,
    e: &WireEvent,
    how: &str,
    event_id: Option<i64>,
) -> Result<()> {
    w.tx.prepare_cached(
        "INSERT INTO event_origins (origin, origin_id, register, record_id, how, event_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        e.origin,
        e.origin_id,
        register,
        record_id,
        how,
        event_id
    ])?;
    Ok(())
}

/// Who the records come from and where they go.
#[derive(Debug, Clone, Copy)]
pub struct Peer<'a> {
    /// This unit's fingerprint.
    pub own: &'a str,
    /// The sending unit's name (for adoption and correction lines).
    pub from: &'a str,
    pub today: NaiveDate,
}

/// [`export`] of one register, as the register table holds it.
pub type ExportFn = fn(&Connection, &str, &str, &[i64]) -> Result<Vec<WireRecord>>;

/// [`apply`] of one register, as the register table holds it.
pub type ApplyFn =
    fn(&mut WriteCtx<'_>, Peer<'_>, &WireRecord, Option<Resolution>) -> Result<PlannedRecord>;

/// What importing `rec` would do here (nothing is written).
pub fn preview<R: Register>(
    conn: &Connection,
    own: &str,
    rec: &WireRecord,
) -> Result<PlannedRecord> {
    Ok(plan::<R>(conn, own, rec)?.item)
}

/// Imports `rec` inside the import's transaction, read against the vault as it is now (so
/// records added earlier in the same bundle count): `resolution` is required for a conflict
/// and ignored otherwise. Returns what was done.
pub fn apply<R: Register>(
    w: &mut WriteCtx<'_>,
    peer: Peer<'_>,
    rec: &WireRecord,
    resolution: Option<Resolution>,
) -> Result<PlannedRecord> {
    let plan = plan::<R>(w.tx, peer.own, rec)?;
    let item = plan.item.clone();
    merge::<R>(w, rec, plan, resolution, peer.from, peer.today)?;
    Ok(item)
}

fn merge<R: Register>(
    w: &mut WriteCtx<'_>,
    rec: &WireRecord,
    plan: Plan<R>,
    resolution: Option<Resolution>,
    from: &str,
    today: NaiveDate,
) -> Result<()> {
    let Plan {
        item,
        new,
        theirs,
        fast_forward,
        decoded,
    } = plan;
    let now = w.now().to_string();
    let meta_here = Meta {
        occurred_on: today,
        recorded_at: now.clone(),
        actor: w.actor().to_string(),
        approval: None,
    };
    match (item.fate, item.local_id) {
        (Fate::Unchanged, _) => Ok(()),
        (Fate::Added, _) | (Fate::Changed, Some(_)) if fast_forward => {
            let id = R::id(&theirs);
            if item.fate == Fate::Added {
                w.tx.prepare_cached(
                    "INSERT INTO record_origins (register, record_id, origin, origin_id)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![R::NAME, id, rec.origin, rec.origin_id])?;
            }
            let mut state = match item.local_id {
                Some(local) => Some(table::load::<R>(w.tx, local)?),
                None => None,
            };
            for i in new {
                let (meta, stored) = &decoded[i];
                let event_id = match stored {
                    Stored::Event(event) => {
                        state = Some(R::apply(state.as_ref(), event, meta)?);
                        events::append::<R>(w.tx, id, meta, event)?
                    }
                    Stored::Adopted(a) => {
                        state = Some(a.state.clone());
                        events::append_adopted::<R>(w.tx, id, meta, a)?
                    }
                };
                mark(w, R::NAME, id, &rec.events[i], "stored", Some(event_id))?;
            }
            let state = state.ok_or_else(|| Error::internal("导入记录没有状态"))?;
            w.save::<R>(&state, false)?;
            Ok(())
        }
        (Fate::Changed, Some(id)) => {
            adopt::<R>(w, rec, &new, &decoded, theirs, id, from, &meta_here)
        }
        (Fate::Conflict, Some(id)) => match resolution {
            None => Err(Error::rule(format!(
                "{} {} 双方都已修改，请选择保留本方、采用对方或都保留",
                R::NOUN,
                item.serial
            ))),
            Some(Resolution::Theirs) => {
                adopt::<R>(w, rec, &new, &decoded, theirs, id, from, &meta_here)
            }
            Some(Resolution::Mine) => {
                for &i in &new {
                    mark(w, R::NAME, id, &rec.events[i], "absorbed", None)?;
                }
                Ok(())
            }
            Some(Resolution::Both) => {
                let mut mine = table::load::<R>(w.tx, id)?;
                let mut last = None;
                for (field, value) in differing::<R>(&mine, &theirs) {
                    let input = serde_json::json!({
                        "field": field,
                        "value": value,
                        "reason": format!("{from}数据包中的值（双方都保留）"),
                    });
                    let cx = Cx {
                        conn: w.tx,
                        occurred_on: today,
                        today,
                        approval: None,
                    };
                    let event = super::event_of::<R>("correct", input, &mine, &cx)?;
                    mine = R::apply(Some(&mine), &event, &meta_here)?;
                    last = Some(events::append::<R>(w.tx, id, &meta_here, &event)?);
                }
                w.save::<R>(&mine, false)?;
                for &i in &new {
                    mark(w, R::NAME, id, &rec.events[i], "absorbed", last)?;
                }
                Ok(())
            }
        },
        (Fate::Added, _) | (_, None) => Err(Error::internal("导入计划与记录不符")),
    }
}

/// Takes their version of a record whole: one adoption row with their events' lines; their
/// events are absorbed into it.
#[allow(clippy::too_many_arguments)]
fn adopt<R: Register>(
    w: &mut WriteCtx<'_>,
    rec: &WireRecord,
    new: &[usize],
    decoded: &[(Meta, Stored<R>)],
    theirs: R::State,
    id: i64,
    from: &str,
    meta: &Meta,
) -> Result<()> {
    let lines = new
        .iter()
        .map(|&i| match &decoded[i].1 {
            Stored::Event(e) => R::describe(e),
            Stored::Adopted(a) => a.lines.join("；"),
        })
        .collect();
    let a = Adopted {
        state: theirs,
        from: from.to_string(),
        lines,
    };
    let event_id = events::append_adopted::<R>(w.tx, id, meta, &a)?;
    w.save::<R>(&a.state, false)?;
    for &i in new {
        mark(w, R::NAME, id, &rec.events[i], "absorbed", Some(event_id))?;
    }
    Ok(())
}

/// The correctable fields whose text differs between two states, with their value: found in
/// the state or its `fields` by the correction table's code.
fn differing<R: Register>(mine: &R::State, theirs: &R::State) -> Vec<(&'static str, String)> {
    let (Ok(a), Ok(b)) = (serde_json::to_value(mine), serde_json::to_value(theirs)) else {
        return Vec::new();
    };
    let get = |v: &serde_json::Value, f: &str| -> Option<serde_json::Value> {
        v.get("fields")
            .and_then(|x| x.get(f))
            .or_else(|| v.get(f))
            .cloned()
    };
    R::CORRECTABLE
        .iter()
        .filter_map(|(f, _)| {
            let (x, y) = (get(&a, f)?, get(&b, f)?);
            let text = |v: &serde_json::Value| match v {
                serde_json::Value::Null => Some(String::new()),
                serde_json::Value::String(s) => Some(s.clone()),
                _ => None,
            };
            let (x, y) = (text(&x)?, text(&y)?);
            (x != y && !y.is_empty()).then_some((*f, y))
        })
        .collect()
}
