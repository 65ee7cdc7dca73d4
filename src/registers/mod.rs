//! The registers (台账) and the one mechanism they all stand on.
//!
//! Contract: a register is a folder here holding what is its own — its model (fields, input
//! DTOs, statuses), its rules (the pure [`Register::apply`] fold and the table of actions each
//! status allows), its projection columns, search text and tags, and its list filters. What
//! every register shares is written once, here and in the sibling modules: the immutable
//! event store ([`events`]), the projection table, list query and serial numbers
//! ([`table`]), registration ([`Session::register`]) and the one entry for every lifecycle
//! action ([`Session::act`]), which the desktop app and the CLI both call. Nothing in a
//! register's folder opens a transaction, writes the audit log or builds a list query.

pub mod columns;
pub mod devices;
pub mod documents;
pub mod due;
pub mod events;
pub mod exchange;
pub mod figures;
pub mod level;
pub mod origins;
pub mod personnel;
pub mod stats;
pub mod table;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use events::*;
pub use table::{Filter, ListSpec, Sort};

use crate::dates;
use crate::error::{Error, Result};
use crate::input::optional;
use crate::vault::roles::Op;
use crate::vault::{Session, WriteCtx};

/// One lifecycle action of a register: its stable code and its Chinese label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// The code the UI and the CLI send (e.g. `borrow`).
    pub kind: &'static str,
    /// The label on the button (e.g. `借阅`).
    pub label: &'static str,
}

/// An action as the UI receives it with a record: the ones its state allows, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ActionInfo {
    pub kind: String,
    pub label: String,
}

/// A code with its Chinese label (a status, a kind), for filters and selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Choice {
    pub value: String,
    pub label: String,
}

impl Choice {
    pub fn new(value: &str, label: &str) -> Choice {
        Choice {
            value: value.to_string(),
            label: label.to_string(),
        }
    }

    /// The choices of every value of an enum, by its code and label functions.
    pub fn all<S: Copy>(
        values: &[S],
        code: fn(S) -> &'static str,
        label: fn(S) -> &'static str,
    ) -> Vec<Choice> {
        values
            .iter()
            .map(|v| Choice::new(code(*v), label(*v)))
            .collect()
    }
}

/// A classification level as the forms offer it, with the law's numbers the core applies.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct LevelInfo {
    pub level: level::Level,
    pub state_secret: bool,
    /// What an empty 保密期限 becomes: the law's maximum (`30年`), or `长期`.
    pub default_period: String,
    /// Days a missing item may stay missing before it is a leak incident (10/60), if any.
    #[ts(type = "number | null")]
    pub missing_days: Option<i64>,
}

/// One register's vocabulary: its statuses and actions, in order.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct RegisterVocabulary {
    pub name: String,
    pub noun: String,
    pub statuses: Vec<Choice>,
    pub actions: Vec<ActionInfo>,
    /// The fields an Excel import can fill, for choosing what a column holds.
    pub sheet_fields: Vec<Choice>,
}

/// What the window shows in selects and filters, from the core (so the UI re-types none of
/// it): levels with their default periods, every register's statuses and actions, device
/// kinds, carrier types. It is the same for every unit, so `cargo test` writes it to
/// `ui/src/bindings/vocabulary.json`, which the UI imports like the type bindings.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Vocabulary {
    pub levels: Vec<LevelInfo>,
    pub registers: Vec<RegisterVocabulary>,
    pub device_kinds: Vec<Choice>,
    pub carrier_types: Vec<String>,
    /// 涉密人员类别, with the default review years and 脱密期 months.
    pub person_classes: Vec<Choice>,
    pub pledge_kinds: Vec<Choice>,
    pub leave_kinds: Vec<Choice>,
    pub review_kinds: Vec<Choice>,
}

fn register_vocabulary<R: columns::Sheet>() -> RegisterVocabulary {
    RegisterVocabulary {
        name: R::NAME.to_string(),
        noun: R::NOUN.to_string(),
        statuses: R::statuses(),
        actions: R::ACTIONS
            .iter()
            .map(|a| ActionInfo {
                kind: a.kind.to_string(),
                label: a.label.to_string(),
            })
            .collect(),
        sheet_fields: R::COLUMNS
            .iter()
            .filter(|c| c.import && c.field != columns::IGNORED)
            .map(|c| Choice::new(c.field, c.label))
            .collect(),
    }
}

/// The product's vocabulary (no vault data: the same for every unit).
pub fn vocabulary() -> Vocabulary {
    use level::Level;
    Vocabulary {
        levels: Level::ALL
            .into_iter()
            .map(|l| LevelInfo {
                level: l,
                state_secret: l.is_state_secret(),
                default_period: l
                    .max_years()
                    .map_or("长期".to_string(), |y| format!("{y}年")),
                missing_days: l.missing_days(),
            })
            .collect(),
        registers: vec![
            register_vocabulary::<documents::Documents>(),
            register_vocabulary::<devices::Devices>(),
            register_vocabulary::<personnel::Persons>(),
        ],
        device_kinds: devices::DeviceKind::ALL
            .into_iter()
            .map(|k| Choice::new(k.label(), k.label()))
            .collect(),
        carrier_types: documents::CARRIER_TYPES
            .iter()
            .map(|t| t.to_string())
            .collect(),
        person_classes: Choice::all(
            personnel::PersonClass::ALL,
            personnel::PersonClass::code,
            personnel::PersonClass::label,
        ),
        pledge_kinds: Choice::all(
            personnel::PledgeKind::ALL,
            personnel::PledgeKind::code,
            personnel::PledgeKind::label,
        ),
        leave_kinds: Choice::all(
            personnel::LeaveKind::ALL,
            personnel::LeaveKind::code,
            personnel::LeaveKind::label,
        ),
        review_kinds: Choice::all(
            personnel::ReviewKind::ALL,
            personnel::ReviewKind::code,
            personnel::ReviewKind::label,
        ),
    }
}

/// What a new record's first event needs besides its id and serial.
pub struct Registration<F> {
    /// The day it entered the register (received, put in service).
    pub occurred_on: NaiveDate,
    /// The character for `{密级}` in the serial pattern (机, 秘, or 非 for a non-classified
    /// device).
    pub level_mark: char,
    pub fields: F,
}

/// What building an event may look at besides the record's own state.
pub struct Cx<'a> {
    /// The open transaction: other records may be consulted (a medium's computer).
    pub conn: &'a Connection,
    /// The day the event happened (the input's `on`, default today).
    pub occurred_on: NaiveDate,
    pub today: NaiveDate,
    /// The approval reference given with the event, if any.
    pub approval: Option<&'a str>,
}

/// How a register's state is projected into its own table and shown. Implemented in the
/// register's `store.rs`; the SQL that uses it is [`table`]'s.
/// What every record's state has: its id, its serial (ledger number) and its status's label.
/// A register's state gets it from its `id`, `serial` and `status` fields with
/// [`record_state!`](crate::record_state), written once for every register.
pub trait Identified {
    fn identity(&self) -> (i64, &str, &'static str);
}

/// Implements [`Identified`] for a register's state, from the `id`, `serial` and `status`
/// (whose `label()` names it) that every state has.
#[macro_export]
macro_rules! record_state {
    ($state:ty) => {
        impl $crate::registers::Identified for $state {
            fn identity(&self) -> (i64, &str, &'static str) {
                (self.id, &self.serial, self.status.label())
            }
        }
    };
}

pub trait Projection {
    type State: Identified + Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned;
    /// A record as lists and detail pages show it.
    type View: Serialize;
    /// Sort keys of the list besides `id`, `serial` and `level` (which every register has):
    /// the columns, each with how its ties are ordered.
    const SORTS: &'static [Sort];

    /// The record's id, serial (ledger number) and status label ([`Identified`]).
    fn id(state: &Self::State) -> i64 {
        state.identity().0
    }
    fn serial(state: &Self::State) -> &str {
        state.identity().1
    }
    fn status_label(state: &Self::State) -> &'static str {
        state.identity().2
    }
    /// The projection's own columns (besides `id`, `serial`, `state`, `updated_at`).
    fn columns(state: &Self::State) -> Vec<(&'static str, rusqlite::types::Value)>;
    /// Whether the columns, with `id` and `serial`, hold the whole state, so that the row
    /// leaves its `state` (JSON) empty and [`Projection::from_columns`] reads the state back.
    /// The JSON repeated the columns: for carriers it was 527 of a row's 760 bytes, and
    /// leaving it out took a 100,000-row import from 4.2 to 3.6 s (`make bench`). A state
    /// holding lists (a person's reviews, trainings and letters) keeps its JSON.
    const STATE_IN_COLUMNS: bool = false;
    /// The state of a row whose `state` is empty, read back from its columns: the inverse of
    /// [`Projection::columns`] (see [`Projection::STATE_IN_COLUMNS`]). A register that keeps
    /// its JSON never writes an empty state, so the default calls such a row damaged.
    fn from_columns(row: &table::Columns<'_>) -> Result<Self::State> {
        Err(row.broken("state"))
    }
    /// The texts a search looks in.
    fn search_text(state: &Self::State) -> Vec<String>;
    /// Extra index tokens (level, status), so filtered searches stay inside the index.
    fn tags(state: &Self::State) -> Vec<String>;
    fn view(state: &Self::State, today: NaiveDate) -> Self::View;
}

/// A register: its name in the event store, its events, its rules, and its actions; its
/// state and view are its [`Projection`]'s.
pub trait Register: Projection + Sized + 'static {
    /// The register's name in the `events` table and in serial counters (e.g. `doc`).
    const NAME: &'static str;
    /// The projection table; its search index is `{TABLE}_search`.
    const TABLE: &'static str;
    /// What one record is called in messages (载体, 设备).
    const NOUN: &'static str;
    /// The serial pattern when the unit has set none.
    const DEFAULT_SERIAL_PATTERN: &'static str;
    /// Every action of the register, in the order of the paper form's columns.
    const ACTIONS: &'static [Action];

    /// The register's events: an enum declared with [`crate::register_event!`], so it
    /// carries the one 更正 variant every register shares.
    type Event: RegisterEvent;
    /// The registration input (the public JSON contract of `add`).
    type Input: DeserializeOwned;
    /// The validated registration data carried by the first event.
    type Fields: Send + 'static;

    /// Every status (code and label), in the order filters show them.
    fn statuses() -> Vec<Choice>;
    /// The stable code of an event kind: the event's `kind` tag as serialized (e.g.
    /// `borrowed`; every register's events are `#[serde(tag = "kind", rename_all = "snake_case")]`).
    fn kind(event: &Self::Event) -> String {
        serde_json::to_value(event)
            .ok()
            .and_then(|v| v.get("kind")?.as_str().map(str::to_string))
            .unwrap_or_default()
    }
    /// A one-line Chinese description for the timeline.
    fn describe(event: &Self::Event) -> String;
    /// The fields a correction (更正) may change, as `(code, Chinese label)`.
    const CORRECTABLE: &'static [(&'static str, &'static str)];
    /// The fields an event changes by name, as `(code, Chinese label)` from the register's
    /// field table (a correction names its field): what the audit log records instead of the
    /// values. Only corrections change a named field.
    fn changed_fields(event: &Self::Event) -> Vec<(&'static str, &'static str)> {
        event
            .correction()
            .and_then(|c| correctable::<Self>(&c.field))
            .into_iter()
            .collect()
    }
    /// The next state, or a refusal naming the rule. `state` is `None` before the first event.
    fn apply(state: Option<&Self::State>, event: &Self::Event, meta: &Meta) -> Result<Self::State>;

    /// Validates a registration input on its own, as of `today`: nothing else in the vault
    /// is consulted, so a sheet's rows are validated as they are read, beside the thread that
    /// registers them.
    fn registration(input: &Self::Input, today: NaiveDate) -> Result<Registration<Self::Fields>>;
    /// Checks a validated registration against the vault (an account it names must exist; a
    /// person may be registered once); nothing by default. [`WriteCtx::register_as`] calls it
    /// in the registering transaction, so no way in can register without it.
    fn admissible(_reg: &Registration<Self::Fields>, _conn: &Connection) -> Result<()> {
        Ok(())
    }
    /// The first event of a new record.
    fn registered(id: i64, serial: String, fields: Self::Fields) -> Self::Event;
    /// The action codes `state` allows now (a subset of [`Register::ACTIONS`]).
    fn allowed(state: &Self::State) -> Vec<&'static str>;
    /// Builds the event of action `kind` from its JSON input and the record's state.
    fn event(
        kind: &str,
        input: serde_json::Value,
        state: &Self::State,
        cx: &Cx<'_>,
    ) -> Result<Self::Event>;
    /// The register's 更正 table: the old and the validated new value of `field` (new value
    /// `raw`) when the register lets it be corrected, else a refusal that says why. The 更正
    /// action itself is the same in every register ([`event_of`]), so `event` never sees it.
    fn corrected(
        state: &Self::State,
        field: &str,
        raw: &str,
        cx: &Cx<'_>,
    ) -> Result<(String, String)>;

    /// The input field that is the action's date on its paper form (外出日期 `out_on`), read
    /// as the event's date when `on` is absent.
    fn date_field(kind: &str) -> Option<&'static str> {
        let _ = kind;
        None
    }

    /// The people an event puts in charge of the record (custodian, borrower, user), as
    /// `(input field, Chinese label, name)`: each must pass the personnel register's pre-post
    /// gate ([`personnel::admit`]) before the event is recorded.
    fn assigns(event: &Self::Event) -> Vec<(&'static str, &'static str, &str)> {
        let _ = event;
        Vec::new()
    }

    /// What an accepted event does outside the register's own table, inside the same
    /// transaction (leaving the post marks the person's app account). Most events do nothing.
    fn after(conn: &Connection, next: &Self::State, event: &Self::Event) -> Result<()> {
        let _ = (conn, next, event);
        Ok(())
    }

    /// The refusal of an action `state` does not allow (the register may say more).
    fn refusal(state: &Self::State, action: &Action) -> Error {
        refused::<Self>(state, action.label)
    }
}

/// The label of action `kind` of `R` (a generic phrase for a code it does not have).
pub fn action_label<R: Register>(kind: &str) -> &'static str {
    R::ACTIONS
        .iter()
        .find(|a| a.kind == kind)
        .map_or("办理该手续", |a| a.label)
}

/// The actions `state` allows, with their labels, for the record's view.
pub fn actions_of<R: Register>(state: &R::State) -> Vec<ActionInfo> {
    let allowed = R::allowed(state);
    R::ACTIONS
        .iter()
        .filter(|a| allowed.contains(&a.kind))
        .map(|a| ActionInfo {
            kind: a.kind.to_string(),
            label: a.label.to_string(),
        })
        .collect()
}

/// Declares an event input DTO: the given optional fields plus `on` (the date it happened),
/// `approval` (审批单号) and `remarks`, which every event of every register accepts.
#[macro_export]
macro_rules! event_input {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $f:ident : $t:ty),* $(,)? }) => {
        $(#[$m])*
        #[derive(
            Debug, Clone, Default, serde::Serialize, serde::Deserialize, ts_rs::TS, schemars::JsonSchema,
        )]
        #[serde(deny_unknown_fields)]
        #[ts(export, export_to = "../ui/src/bindings/")]
        pub struct $name {
            $($(#[$fm])* #[serde(default)] #[ts(optional)] pub $f: Option<$t>,)*
            /// The date it happened, YYYY-MM-DD (default: today).
            #[serde(default)]
            #[ts(optional)]
            pub on: Option<String>,
            /// Approval reference (审批单号), where the rule needs one.
            #[serde(default)]
            #[ts(optional)]
            pub approval: Option<String>,
            /// 备注.
            #[serde(default)]
            #[ts(optional)]
            pub remarks: Option<String>,
        }
    };
}

/// The fields every event input carries, read before the register's own DTO.
#[derive(Debug, Default, Deserialize)]
struct Common {
    #[serde(default)]
    on: Option<String>,
    #[serde(default)]
    approval: Option<String>,
}

fn common(
    input: &serde_json::Value,
    date_field: Option<&str>,
) -> Result<(Option<String>, Option<String>)> {
    let mut c = Common::default();
    let mut alias = None;
    if let Some(obj) = input.as_object() {
        let date = date_field.unwrap_or("on");
        for (key, slot) in [
            ("on", &mut c.on),
            ("approval", &mut c.approval),
            (date, &mut alias),
        ] {
            match obj.get(key) {
                None | Some(serde_json::Value::Null) => {}
                Some(serde_json::Value::String(s)) => *slot = Some(s.clone()),
                Some(_) => {
                    return Err(Error {
                        field: Some(key.to_string()),
                        ..Error::validation(format!("字段“{key}”应为文本"))
                    })
                }
            }
        }
    } else if !input.is_null() {
        return Err(Error::validation("输入应为 JSON 对象"));
    }
    Ok((c.on.or(alias), c.approval))
}

/// The date an event happened: given, or today; never in the future.
pub fn event_date(on: Option<&str>, today: NaiveDate) -> Result<NaiveDate> {
    let d = dates::parse_opt("on", "办理日期", on)?.unwrap_or(today);
    if d > today {
        return Err(Error::field("on", "办理日期", "不能晚于今天"));
    }
    Ok(d)
}

/// An approval reference: trimmed, bounded, absent when empty.
pub fn approval_ref(a: Option<&str>) -> Result<Option<String>> {
    let a = optional("approval", "审批单号", a.unwrap_or(""), 60)?;
    Ok(if a.is_empty() { None } else { Some(a) })
}

/// What the audit log records of a register event: the record (register, id, serial), the
/// event kind and the names of the fields it changed — never a title, a name or a value, which
/// stay in the register's own history (`events`), read only by business accounts. The labels
/// are stored with the codes so the log reads in Chinese without knowing any register.
pub fn audit_detail<R: Register>(id: i64, serial: &str, event: &R::Event) -> serde_json::Value {
    let fields = R::changed_fields(event);
    let mut detail = serde_json::json!({
        "register": R::NAME, "noun": R::NOUN, "id": id, "serial": serial, "event": R::kind(event),
    });
    if !fields.is_empty() {
        detail["fields"] = fields.iter().map(|(f, _)| *f).collect();
        detail["field_labels"] = fields.iter().map(|(_, l)| *l).collect();
    }
    detail
}

impl WriteCtx<'_> {
    /// Applies `event` to `state` (None: a new record), appends it to the event store,
    /// refreshes the projection and the search index, and audits it (inside
    /// [`WriteCtx::as_one_act`], the act's own entry does); returns the new state.
    pub fn record<R: Register>(
        &mut self,
        state: Option<&R::State>,
        id: i64,
        meta: &Meta,
        event: &R::Event,
    ) -> Result<R::State> {
        let next = R::apply(state, event, meta)?;
        for (field, label, name) in R::assigns(event) {
            personnel::admit(self.tx, field, label, name)?;
        }
        append::<R>(self.tx, id, meta, event)?;
        self.save::<R>(&next, state.is_none())?;
        R::after(self.tx, &next, event)?;
        if !self.one_act {
            self.audit(
                &format!("{}_{}", R::NAME, R::kind(event)),
                R::serial(&next),
                audit_detail::<R>(id, R::serial(&next), event),
            )?;
        }
        Ok(next)
    }

    /// Writes `s`'s projection row and search tokens (a `fresh` record has none to replace);
    /// inside [`WriteCtx::as_one_act`] the tokens wait for the act's end, and a rehearsal
    /// ([`WriteCtx::rehearsal`]) has none.
    pub fn save<R: Register>(&mut self, s: &R::State, fresh: bool) -> Result<()> {
        table::write_projection::<R>(self.tx, s, self.now(), fresh)?;
        if self.rehearsal {
            return Ok(());
        }
        let index = table::index_row::<R>(s, fresh);
        if self.one_act {
            self.deferred_index.push(index);
            Ok(())
        } else {
            table::write_index(self.tx, &[index])
        }
    }

    /// Registers a new record from a validated registration; returns its state.
    pub fn register_new<R: Register>(
        &mut self,
        reg: Registration<R::Fields>,
        pattern: &str,
        approval: Option<String>,
    ) -> Result<R::State> {
        self.register_as::<R>(reg, pattern, None, approval)
    }

    /// The next serial of `R` from `pattern` that no record has
    /// ([`table::next_free_serial`]), drawn after the counters this act has moved are written.
    pub fn next_free_serial<R: Register>(
        &mut self,
        pattern: &str,
        level_mark: char,
        year: i32,
    ) -> Result<String> {
        self.write_counters()?;
        table::next_free_serial::<R>(self.tx, pattern, level_mark, year)
    }

    /// Registers a new record under `serial` when given (a sheet's own 编号, which no record
    /// may have yet; numbering continues after it when it follows `pattern`), else under the
    /// next serial of `pattern`.
    pub fn register_as<R: Register>(
        &mut self,
        reg: Registration<R::Fields>,
        pattern: &str,
        serial: Option<&str>,
        approval: Option<String>,
    ) -> Result<R::State> {
        R::admissible(&reg, self.tx)?;
        let id = table::next_id::<R>(self.tx)?;
        let serial = match serial {
            Some(given) => {
                let (serial, counter) = table::claim_serial(pattern, given)?;
                if let Some((prefix, last)) = counter {
                    self.move_counter(R::NAME, prefix, last)?;
                }
                serial
            }
            None => self.next_free_serial::<R>(
                pattern,
                reg.level_mark,
                chrono::Datelike::year(&reg.occurred_on),
            )?,
        };
        let meta = Meta {
            occurred_on: reg.occurred_on,
            recorded_at: self.now().to_string(),
            actor: self.actor().to_string(),
            approval,
        };
        self.record::<R>(None, id, &meta, &R::registered(id, serial, reg.fields))
    }
}

impl Session {
    /// Writes again, once, each register's search index that predates the pairs' positions
    /// (migration 0009; see [`crate::search`]), each as one audited act; returns the
    /// registers rebuilt with their record counts. The window and the CLI call it at
    /// sign-in; with every index current, or without the register key, it does nothing.
    pub fn upgrade_search(&mut self) -> Result<Vec<(&'static str, usize)>> {
        if !self.holds_registers() {
            return Ok(vec![]);
        }
        let mut done = Vec::new();
        for r in REGISTERS {
            if table::search_positioned(self.conn(), r.table)? {
                continue;
            }
            let n = self.write(|w| {
                let n = (r.rebuild_search)(w.tx)?;
                w.audit(
                    "search_rebuilt",
                    r.table,
                    serde_json::json!({ "noun": r.noun, "records": n }),
                )?;
                Ok(n)
            })?;
            done.push((r.name, n));
        }
        Ok(done)
    }

    /// Today in the machine's time zone (from the injected clock).
    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&chrono::Local).date_naive()
    }

    /// The unit's serial pattern for register `R` (its default until the unit sets one).
    pub fn serial_pattern<R: Register>(&self) -> Result<String> {
        Ok(
            crate::vault::setting(self.conn(), &format!("{}_serial_pattern", R::NAME))
                .unwrap_or_else(|_| R::DEFAULT_SERIAL_PATTERN.to_string()),
        )
    }

    /// Sets register `R`'s serial pattern (系统管理员, as a unit setting).
    pub fn set_serial_pattern<R: Register>(&mut self, pattern: &str) -> Result<()> {
        self.require(Op::Settings)?;
        table::validate_pattern(pattern)?;
        let p = pattern.trim().to_string();
        let key = format!("{}_serial_pattern", R::NAME);
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [&key, &p],
            )?;
            w.audit("settings_set", &key, serde_json::json!({ "new": p }))
        })
    }

    /// Registers a new record of `R`; returns it with its serial and status.
    pub fn register<R: Register>(&mut self, input: &R::Input) -> Result<R::View> {
        self.require(Op::WriteRegisters)?;
        let today = self.today();
        let pattern = self.serial_pattern::<R>()?;
        let reg = R::registration(input, today)?;
        let state = self.write(|w| w.register_new::<R>(reg, &pattern, None))?;
        Ok(R::view(&state, today))
    }

    /// Runs lifecycle action `kind` on record `id` of `R` with its JSON `input` (the same
    /// shapes as `baomi <register> <kind>` reads on stdin): the action must be one the
    /// record's status allows, then the register builds the event and its rules decide.
    pub fn act<R: Register>(
        &mut self,
        id: i64,
        kind: &str,
        input: serde_json::Value,
    ) -> Result<R::View> {
        self.require(Op::WriteRegisters)?;
        let Some(action) = R::ACTIONS.iter().find(|a| a.kind == kind) else {
            return Err(unknown_action::<R>(kind));
        };
        let today = self.today();
        let (on, approval) = common(&input, R::date_field(action.kind))?;
        let occurred_on = event_date(on.as_deref(), today)?;
        let approval = approval_ref(approval.as_deref())?;
        let user = self.user().to_string();
        let state = self.write(|w| {
            let state = table::load::<R>(w.tx, id)?;
            if !R::allowed(&state).contains(&action.kind) {
                return Err(R::refusal(&state, action));
            }
            let cx = Cx {
                conn: w.tx,
                occurred_on,
                today,
                approval: approval.as_deref(),
            };
            let event = event_of::<R>(kind, input, &state, &cx)?;
            let meta = Meta {
                occurred_on,
                recorded_at: w.now().to_string(),
                actor: user,
                approval: approval.clone(),
            };
            w.record::<R>(Some(&state), id, &meta, &event)
        })?;
        Ok(R::view(&state, today))
    }

    /// One record of `R` with its whole history.
    pub fn show<R: Register>(&mut self, id: i64) -> Result<(R::View, Vec<HistoryEntry>)> {
        self.require(Op::ReadRegisters)?;
        let state = table::load::<R>(self.conn(), id)?;
        Ok((
            R::view(&state, self.today()),
            history::<R>(self.conn(), id)?,
        ))
    }

    /// Finds a record of `R` by id or serial number.
    pub fn resolve<R: Register>(&mut self, key: &str) -> Result<i64> {
        self.require(Op::ReadRegisters)?;
        if let Ok(id) = key.trim().parse::<i64>() {
            return Ok(id);
        }
        table::id_by_serial::<R>(self.conn(), key)?
            .ok_or_else(|| Error::not_found(format!("没有编号为“{key}”的{}", R::NOUN)))
    }

    /// A page of `R`'s list.
    pub fn list<R: Register>(&mut self, spec: &ListSpec) -> Result<crate::page::Page<R::View>> {
        self.require(Op::ReadRegisters)?;
        let today = self.today();
        Ok(table::list::<R>(self.conn(), spec)?.map(|s| R::view(&s, today)))
    }

    /// The events of `kinds` (event kind codes of `R`) across all of `R`'s records, newest
    /// first: the book of one procedure (every 外出, every 维护淘汰).
    pub fn event_log<R: Register>(
        &mut self,
        kinds: &[&str],
        offset: Option<u32>,
        limit: Option<u32>,
    ) -> Result<crate::page::Page<LoggedEvent>> {
        self.require(Op::ReadRegisters)?;
        log::<R>(
            self.conn(),
            kinds,
            offset.unwrap_or(0),
            limit.unwrap_or(50).clamp(1, 500),
        )
    }

    /// The state rebuilt from the events alone (for checks; equals the stored projection).
    pub fn replay<R: Register>(&mut self, id: i64) -> Result<Option<R::State>> {
        self.require(Op::ReadRegisters)?;
        replay::<R>(self.conn(), id)
    }

    /// Every record of every register whose stored projection differs from the fold of its
    /// events, as `(register, id)`; empty when the vault is consistent.
    pub fn replay_mismatches(&mut self) -> Result<Vec<(&'static str, i64)>> {
        self.require(Op::ReadRegisters)?;
        let mut out = Vec::new();
        for r in REGISTERS {
            out.extend(
                (r.replay_mismatches)(self.conn())?
                    .into_iter()
                    .map(|id| (r.name, id)),
            );
        }
        Ok(out)
    }

    /// The highest level of any record still held in any register (for the banner).
    pub fn highest_level(&mut self) -> Result<Option<level::Level>> {
        self.require(Op::ReadRegisters)?;
        for level in level::Level::ALL {
            for r in REGISTERS {
                let Some(held) = r.held else { continue };
                let held: bool = self.conn().query_row(
                    &format!(
                        "SELECT EXISTS (SELECT 1 FROM {} r WHERE r.level = ?1 AND {})",
                        r.table, held
                    ),
                    [level.label()],
                    |row| row.get(0),
                )?;
                if held {
                    return Ok(Some(level));
                }
            }
        }
        Ok(None)
    }
}

/// A correction (更正) as every register records it: the field, its old and new value and the
/// reason; nothing is overwritten, the record's history keeps both values. Every register's
/// event enum embeds it as its variant `Corrected(Correction)`; serialized inside the enum's
/// `kind` tag it reads `{"kind":"corrected","field":…,"old":…,"new":…,"reason":…}`, the same
/// bytes as the struct variants events were first stored with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub field: String,
    pub old: String,
    pub new: String,
    pub reason: String,
}

/// What every register's event enum is: serializable with its `kind` tag and carrying the
/// 更正 variant. Implemented by [`crate::register_event!`], never by hand.
pub trait RegisterEvent: Clone + Serialize + DeserializeOwned + From<Correction> {
    /// The correction this event is, if it is one.
    fn correction(&self) -> Option<&Correction>;
}

/// Declares a register's event enum: every register's events are tagged by `kind` in
/// snake_case (`R::kind`, the audit action and the `events.kind` column are that tag), and the
/// last variant is `Corrected(Correction)`, written here once. The enum's own variants are
/// the register's; the 更正 variant, [`RegisterEvent`] and `From<Correction>` come with it.
#[macro_export]
macro_rules! register_event {
    ($(#[$m:meta])* $vis:vis enum $name:ident { $($body:tt)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "kind", rename_all = "snake_case")]
        $vis enum $name {
            $($body)*
            /// 更正: a field's old and new value, with the reason.
            Corrected($crate::registers::Correction),
        }

        impl $crate::registers::RegisterEvent for $name {
            fn correction(&self) -> Option<&$crate::registers::Correction> {
                match self {
                    $name::Corrected(c) => Some(c),
                    _ => None,
                }
            }
        }

        impl From<$crate::registers::Correction> for $name {
            fn from(c: $crate::registers::Correction) -> Self {
                $name::Corrected(c)
            }
        }
    };
}

/// Reads a 更正 input the same way in every register: the field and the reason are required,
/// then `values(field, raw new value)` — the register's own table — returns the old and the
/// validated new value of a field it may correct, or refuses; the same value again is refused.
pub fn correction<E: RegisterEvent>(
    field: &Option<String>,
    value: &Option<String>,
    reason: &Option<String>,
    values: impl FnOnce(&str, &str) -> Result<(String, String)>,
) -> Result<E> {
    let field = crate::input::required("field", "更正字段", field, 30)?;
    let reason = crate::input::required("reason", "更正原因", reason, 200)?;
    let (old, new) = values(&field, value.as_deref().unwrap_or(""))?;
    if old == new {
        return Err(Error::field("value", "新值", "与原值相同"));
    }
    Ok(E::from(Correction {
        field,
        old,
        new,
        reason,
    }))
}

event_input!(
    /// Input of 更正, the same in every register: the field (its code), the new value and the
    /// reason.
    CorrectInput { field: String, value: String, reason: String }
);

/// The event of action `kind` on `state`: 更正 read here the same way for every register
/// (its table is [`Register::corrected`]), every other action by the register's own
/// [`Register::event`].
pub fn event_of<R: Register>(
    kind: &str,
    input: serde_json::Value,
    state: &R::State,
    cx: &Cx<'_>,
) -> Result<R::Event> {
    if kind != "correct" {
        return R::event(kind, input, state, cx);
    }
    let i: CorrectInput = crate::input::from_value(input)?;
    correction(&i.field, &i.value, &i.reason, |field, raw| {
        R::corrected(state, field, raw, cx)
    })
}

/// The refusal of an action `R` does not have, naming the ones it has: [`Session::act`]
/// gives it before anything else, and each register's [`Register::event`] for a kind it
/// builds no event of.
pub fn unknown_action<R: Register>(kind: &str) -> Error {
    Error::validation(format!(
        "未知的手续类型“{kind}”，{}台账的手续有：{}",
        R::NOUN,
        R::ACTIONS
            .iter()
            .map(|a| a.kind)
            .collect::<Vec<_>>()
            .join("、")
    ))
}

/// Field `field` of `R`'s correction table, as `(code, label)`, if it may be corrected.
pub fn correctable<R: Register>(field: &str) -> Option<(&'static str, &'static str)> {
    R::CORRECTABLE.iter().find(|(f, _)| *f == field).copied()
}

/// The timeline line of a correction, the same in every register.
pub fn describe_correction<R: Register>(c: &Correction) -> String {
    let label = correctable::<R>(&c.field).map_or(c.field.as_str(), |(_, l)| l);
    format!("更正{label}：“{}” → “{}”（{}）", c.old, c.new, c.reason)
}

/// The refusal of a correction of a field that cannot be corrected (the register's rules
/// name what can).
pub fn not_correctable(field: &str) -> Error {
    Error::field("field", "更正字段", format!("“{field}”不能更正"))
}

/// What `apply` checks first in a register whose lifecycle is its action table: the event of
/// `action` (the action an event belongs to, `register` for a registration) on the existing
/// record `state` is refused unless the state allows it, with the register's
/// [`Register::refusal`].
pub fn check_allowed<R: Register>(state: &R::State, action: &'static str) -> Result<()> {
    if action == "register" {
        return Err(Error::conflict(format!(
            "{} {} 已经登记",
            R::NOUN,
            R::serial(state)
        )));
    }
    if R::allowed(state).contains(&action) {
        return Ok(());
    }
    let action = Action {
        kind: action,
        label: action_label::<R>(action),
    };
    Err(R::refusal(state, &action))
}

/// The refusal of an action the record's status does not allow.
pub fn refused<R: Register>(state: &R::State, what: &str) -> Error {
    if R::allowed(state).iter().all(|a| *a == "correct") {
        return Error::rule(format!(
            "{} {} {}，不能再办理任何手续",
            R::NOUN,
            R::serial(state),
            R::status_label(state)
        ));
    }
    Error::rule(format!(
        "{} {} 当前状态为“{}”，不能{what}",
        R::NOUN,
        R::serial(state),
        R::status_label(state)
    ))
}

/// What the product knows of each register, for the checks that span them all.
pub struct RegisterInfo {
    pub name: &'static str,
    pub noun: &'static str,
    pub table: &'static str,
    /// SQL condition (alias `r`) of a record still held: it counts for the highest level
    /// (None: the register's records have no level).
    pub held: Option<&'static str>,
    /// SQL of what the person named `?1` still holds here, as rows of (id, serial, title,
    /// status code, capacity): what refuses leaving the post (None: nothing is held).
    pub held_by: Option<&'static str>,
    /// SQL of the names (column `n`) in charge of records still held here: the names the
    /// personnel register must know.
    pub people: Option<&'static str>,
    pub statuses: fn() -> Vec<Choice>,
    /// The projection's column a record is known by (title, name) and its level column.
    pub title: &'static str,
    /// The records whose events put a person in charge ([`Register::assigns`]), each with
    /// the day of the next event after the last such one (when it left their hands).
    pub assigned: fn(&Connection, &str) -> Result<Vec<personnel::Assigned>>,
    /// The register's deadlines for the one list of [`Session::due`].
    pub due: fn(&mut Session) -> Result<Vec<due::Due>>,
    pub replay_mismatches: fn(&Connection) -> Result<Vec<i64>>,
    /// Writes the register's search index again ([`table::rebuild_search`]).
    pub rebuild_search: fn(&Connection) -> Result<usize>,
    /// Statements that compute again, from the projection alone, every table its triggers
    /// keep (empty: its triggers keep none, or it has none). A bulk load drops the
    /// projection's triggers with its indexes and runs these once at its end instead (see
    /// [`table::suspend_indexes`]).
    pub recount: &'static [&'static str],
    /// Records by id as a bundle carries them (this unit's fingerprint and name given).
    pub export: exchange::ExportFn,
    /// What importing a bundle's record would do here.
    pub preview: fn(&Connection, &str, &exchange::WireRecord) -> Result<exchange::PlannedRecord>,
    /// Imports a bundle's record in the import's transaction.
    pub apply: exchange::ApplyFn,
    /// The register's tables of the year-end statistics.
    pub stats: fn(&Connection, i32) -> Result<Vec<stats::StatTable>>,
    /// Imports an officer's sheet into the register ([`crate::excel`]).
    pub import_sheet: crate::excel::ImportFn,
    /// Exports the records its list filters select to a sheet.
    pub export_sheet: crate::excel::ExportFn,
    /// The register's part of the home screen's figures, as of the given day: what it holds
    /// by level, department and status, and its movements per month.
    pub figures: fn(&Connection, NaiveDate) -> Result<Vec<figures::Figure>>,
}

/// The register named `name` (`doc`, `device`, `person`), or a validation error listing them.
pub fn register_named(name: &str) -> Result<&'static RegisterInfo> {
    REGISTERS
        .iter()
        .find(|r| r.name == name.trim())
        .ok_or_else(|| {
            Error::field(
                "register",
                "台账",
                format!(
                    "没有“{}”台账，可用的有：{}",
                    name.trim(),
                    REGISTERS
                        .iter()
                        .map(|r| format!("{}（{}）", r.name, r.noun))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            )
        })
}

/// The register called `name` in the event store (`doc`, `device`, `person`).
pub fn register_info(name: &str) -> Option<&'static RegisterInfo> {
    REGISTERS.iter().find(|r| r.name == name)
}

/// Every register of the product.
pub const REGISTERS: &[RegisterInfo] = &[
    RegisterInfo {
        name: documents::Documents::NAME,
        noun: documents::Documents::NOUN,
        table: documents::Documents::TABLE,
        held: Some(documents::HELD),
        held_by: Some(documents::HELD_BY),
        people: Some(documents::PEOPLE),
        statuses: documents::Documents::statuses,
        title: "title",
        assigned: personnel::assigned_records::<documents::Documents>,
        due: documents::due,
        replay_mismatches: table::replay_mismatches::<documents::Documents>,
        rebuild_search: table::rebuild_search::<documents::Documents>,
        recount: documents::RECOUNT,
        export: exchange::export::<documents::Documents>,
        preview: exchange::preview::<documents::Documents>,
        apply: exchange::apply::<documents::Documents>,
        stats: documents::stats,
        import_sheet: crate::excel::import::<documents::Documents>,
        export_sheet: crate::excel::export::<documents::Documents>,
        figures: documents::figures,
    },
    RegisterInfo {
        name: devices::Devices::NAME,
        noun: devices::Devices::NOUN,
        table: devices::Devices::TABLE,
        held: Some(devices::HELD),
        held_by: Some(devices::HELD_BY),
        people: Some(devices::PEOPLE),
        statuses: devices::Devices::statuses,
        title: "name",
        assigned: personnel::assigned_records::<devices::Devices>,
        due: devices::due,
        replay_mismatches: table::replay_mismatches::<devices::Devices>,
        rebuild_search: table::rebuild_search::<devices::Devices>,
        recount: &[],
        export: exchange::export::<devices::Devices>,
        preview: exchange::preview::<devices::Devices>,
        apply: exchange::apply::<devices::Devices>,
        stats: devices::stats,
        import_sheet: crate::excel::import::<devices::Devices>,
        export_sheet: crate::excel::export::<devices::Devices>,
        figures: devices::figures,
    },
    RegisterInfo {
        name: personnel::Persons::NAME,
        noun: personnel::Persons::NOUN,
        table: personnel::Persons::TABLE,
        held: None,
        held_by: None,
        people: None,
        statuses: personnel::Persons::statuses,
        title: "name",
        assigned: personnel::assigned_records::<personnel::Persons>,
        due: personnel::due,
        replay_mismatches: table::replay_mismatches::<personnel::Persons>,
        rebuild_search: table::rebuild_search::<personnel::Persons>,
        recount: &[],
        export: exchange::export::<personnel::Persons>,
        preview: exchange::preview::<personnel::Persons>,
        apply: exchange::apply::<personnel::Persons>,
        stats: personnel::stats,
        import_sheet: crate::excel::import::<personnel::Persons>,
        export_sheet: crate::excel::export::<personnel::Persons>,
        figures: personnel::figures,
    },
];

#[cfg(test)]
mod tests {
    /// Writes the vocabulary where the UI imports it (`ui/src/bindings/vocabulary.json`),
    /// like the ts-rs bindings: regenerated by `cargo test`, committed, and checked for drift
    /// by `make test`, so the window's selects come from the core's tables.
    #[test]
    fn export_vocabulary() {
        let json = serde_json::to_string_pretty(&super::vocabulary()).unwrap() + "\n";
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/ui/src/bindings/vocabulary.json"
        );
        if std::fs::read_to_string(path).ok().as_deref() != Some(json.as_str()) {
            std::fs::write(path, json).unwrap();
        }
    }

    /// The audit entry of a correction reads in Chinese with the register's own label of the
    /// field, and holds neither the old nor the new value.
    #[test]
    fn a_correction_is_audited_by_field_name_only() {
        use crate::registers::documents::{DocEvent, Documents};
        let event = DocEvent::Corrected(super::Correction {
            field: "custodian".into(),
            old: "欧阳旧".into(),
            new: "南宫新".into(),
            reason: "登记有误".into(),
        });
        let detail = super::audit_detail::<Documents>(12, "机-2026-0001", &event).to_string();
        assert!(
            !detail.contains("欧阳旧")
                && !detail.contains("南宫新")
                && !detail.contains("登记有误")
        );
        assert_eq!(
            crate::vault::audit::detail_text("doc_corrected", &detail),
            "载体 机-2026-0001（#12）；更正字段：责任人"
        );
        let returned = super::audit_detail::<Documents>(12, "机-2026-0001", &DocEvent::Returned);
        assert_eq!(
            crate::vault::audit::detail_text("doc_returned", &returned.to_string()),
            "载体 机-2026-0001（#12）"
        );
    }

    /// A correction keeps the bytes it was stored with in vaults and bundles: every register's
    /// `Corrected(Correction)` serializes exactly as the struct variant it replaced, and reads
    /// it back.
    #[test]
    fn a_correction_keeps_its_stored_json() {
        use crate::registers::devices::DeviceEvent;
        use crate::registers::documents::DocEvent;
        use crate::registers::personnel::PersonEvent;
        use crate::registers::RegisterEvent;
        fn check<E: RegisterEvent + std::fmt::Debug>(json: &str) {
            let event: E = serde_json::from_str(json).unwrap();
            let c = event.correction().unwrap();
            assert_eq!((c.field.as_str(), c.new.as_str()), ("remarks", "新\"值"));
            assert_eq!(serde_json::to_string(&event).unwrap(), json, "{event:?}");
        }
        let json =
            r#"{"kind":"corrected","field":"remarks","old":"","new":"新\"值","reason":"登记有误"}"#;
        check::<DocEvent>(json);
        check::<DeviceEvent>(json);
        check::<PersonEvent>(json);
        let returned: DocEvent = serde_json::from_str(r#"{"kind":"returned"}"#).unwrap();
        assert!(returned.correction().is_none());
    }

    #[test]
    fn the_vocabulary_is_the_cores_own_tables() {
        let v = super::vocabulary();
        let periods: Vec<&str> = v.levels.iter().map(|l| l.default_period.as_str()).collect();
        assert_eq!(periods, ["30年", "20年", "10年", "长期", "长期"]);
        assert_eq!(v.levels[0].missing_days, Some(10));
        let names: Vec<&str> = v.registers.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["doc", "device", "person"]);
        assert_eq!(v.registers[0].statuses[1].label, "借出");
        assert_eq!(v.registers[1].statuses[1].label, "外出");
        assert_eq!(v.registers[1].actions[0].label, "外出");
        assert_eq!(v.device_kinds.len(), 9);
        assert_eq!(v.carrier_types[0], "纸质文件");
    }
}
