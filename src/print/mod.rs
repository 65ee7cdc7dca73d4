//! Printing: official A4 forms and register listings as PDFs, from templates a unit can adapt.
//!
//! Contract:
//! - Every form is one typst template in `assets/forms/` (compiled into the binary) fed with
//!   JSON built here from the vault; a unit may replace any template and add its own font
//!   files, both kept inside the vault and accepted only after a test render of every form
//!   that uses them succeeds (`assets`).
//! - Every print is one job: a print serial (`P2026-000001`) and a short digest of the printed
//!   data appear on every page; the job is written to the print log (immutable) and audited in
//!   the same transaction, so a paper copy can be matched to the vault. A template that fails
//!   or warns refuses the print and nothing is logged.
//! - Only officers print (`Op::Print`); only the system administrator changes templates and
//!   fonts (`Op::Settings`). Nothing here writes a file except `Printout::save`, called for a
//!   path the person chose, through [`write_atomic`] (owner-only, exclusive temporary file,
//!   never through a planted symbolic link).

pub mod assets;
pub use assets::{FontChoice, FontFile, FontSettings, TemplateInfo};
mod devices;
pub mod engine;
pub mod forms;
mod persons;

use std::path::Path;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use typst_layout::PagedDocument;

use crate::error::{Error, Result};
use crate::registers::devices::DeviceQuery;
use crate::registers::documents::DocQuery;
use crate::registers::personnel::PersonQuery;
use crate::vault::roles::Op;
use crate::vault::Session;

/// What a form prints from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Target {
    /// One record (`ids` has one id); `event` may pick the event to fill in.
    Record,
    /// Several records on one list (`ids`).
    Records,
    /// A recorded monthly reconciliation (`reconciliation`).
    Reconciliation,
    /// The register list under filters (`query`).
    List,
}

/// A printable form, as listed by `baomi print forms` and the print menus.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct FormInfo {
    /// The form's id (`doc-borrow`), also its template's file name without `.typ`.
    pub id: String,
    pub title: String,
    /// The register it belongs to (`doc`, `device`): `ids` and `query` are that register's.
    pub register: String,
    pub target: Target,
    /// The event kind that fills it in (`borrowed`), for forms printed from a timeline entry.
    #[ts(type = "string | null")]
    pub event: Option<String>,
    pub landscape: bool,
}

/// The built-in forms, in menu order.
pub fn forms() -> Vec<FormInfo> {
    forms::FORMS
        .iter()
        .map(|f| FormInfo {
            id: f.id.to_string(),
            title: f.title.to_string(),
            register: f.register.to_string(),
            target: f.target,
            event: f.event.map(str::to_string),
            landscape: f.landscape,
        })
        .collect()
}

/// What to print.
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PrintRequest {
    /// A form id from `forms()`.
    pub form: String,
    /// The records (ids, of the form's register) for record forms.
    #[serde(default)]
    #[ts(optional, type = "number[]")]
    pub ids: Option<Vec<i64>>,
    /// The timeline entry (event id) to fill the form from; default: the latest of its kind.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub event: Option<i64>,
    /// The reconciliation (id) for `doc-reconcile`.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub reconciliation: Option<i64>,
    /// The kind of a form that has several (the 保密承诺书: 上岗, 年度, 出国(境)前, 离岗),
    /// printed blank for signature before it is recorded; ignored when `event` is given.
    #[serde(default)]
    #[ts(optional)]
    pub kind: Option<String>,
    /// The filters of a listing: the list query of the form's register (`DocQuery` for
    /// `doc-list`, `DeviceQuery` for `device-list`), read when the form is known; paging is
    /// ignored.
    #[serde(default)]
    #[ts(optional, as = "Option<ListQuery>")]
    pub query: Option<serde_json::Value>,
}

/// A listing's filters, typed by the form's register (`PrintRequest::query` parsed).
#[derive(Debug, Clone, Serialize, TS)]
#[serde(untagged)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum ListQuery {
    Doc(DocQuery),
    Device(DeviceQuery),
    Person(PersonQuery),
}

impl ListQuery {
    /// The same filters and order without paging (a listing prints every row).
    fn unpaged(self) -> ListQuery {
        match self {
            ListQuery::Doc(q) => ListQuery::Doc(DocQuery {
                offset: None,
                limit: None,
                ..q
            }),
            ListQuery::Device(q) => ListQuery::Device(DeviceQuery {
                offset: None,
                limit: None,
                ..q
            }),
            ListQuery::Person(q) => ListQuery::Person(PersonQuery {
                offset: None,
                limit: None,
                ..q
            }),
        }
    }
}

/// One print job as the print log keeps it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PrintJob {
    /// The print serial on every page (`P2026-000001`).
    pub serial: String,
    pub form: String,
    /// The form's title (`涉密载体借阅单`).
    pub title: String,
    /// What was printed: record serials, the reconciliation, or the filters.
    pub subject: String,
    /// The short digest of the printed data on every page (12 hex digits).
    pub digest: String,
    #[ts(type = "number")]
    pub pages: u32,
    pub printed_at: String,
    pub actor: String,
}

/// A finished print: the logged job, the PDF and the typeset pages (for previews).
pub struct Printout {
    pub job: PrintJob,
    /// The PDF holds record data: its bytes are wiped when the printout is dropped (at lock,
    /// or when newer printouts push it out).
    pub pdf: zeroize::Zeroizing<Vec<u8>>,
    document: PagedDocument,
}

impl Printout {
    /// Page `index` (from 0) as a PNG at `pixel_per_pt` (1.0 = 72 dpi).
    pub fn page_png(&self, index: usize, pixel_per_pt: f64) -> Result<Vec<u8>> {
        engine::png(&self.document, index, pixel_per_pt)
    }

    /// Writes the PDF to `path` (a temporary file renamed over it, so no half file remains).
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomic(path, &self.pdf)
    }
}

/// Writes `data` to `path` through a temporary file in the same folder, readable by its owner
/// only (0600 on unix). The temporary file has an unpredictable name and is created
/// exclusively (`create_new`, i.e. `O_CREAT | O_EXCL`, which by POSIX fails on an existing
/// name, a symbolic link included, without following it), so a link planted beside the
/// target can neither redirect the data nor widen its permissions; the rename then replaces
/// whatever is at `path` (a link itself, never its target).
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| Error::field("out", "保存位置", "请给出文件名"))?;
    let suffix = hex::encode(crate::vault::crypto::random_bytes::<8>()?);
    let tmp = dir.join(format!(".{}.{suffix}.part", name.to_string_lossy()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(&tmp)
        .map_err(|e| Error::io(&format!("写入 {}", path.display()), &e))?;
    let result = (|| -> std::io::Result<()> {
        f.write_all(data)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        // Only the file this call created is removed.
        let _ = std::fs::remove_file(&tmp);
        Error::io(&format!("写入 {}", path.display()), &e)
    })
}

/// A paper copy matched to the vault.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PrintCheck {
    pub job: PrintJob,
    /// The digest of the same data as the vault holds it now.
    pub current_digest: String,
    /// The printed data is unchanged since the print.
    pub unchanged: bool,
}

/// Filters of the print log.
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PrintLogQuery {
    /// Only this form.
    #[ts(optional)]
    pub form: Option<String>,
    /// Print serial or part of the subject (a carrier serial).
    #[ts(optional)]
    pub query: Option<String>,
    #[ts(optional)]
    pub offset: Option<u32>,
    /// At most 500 (default 50).
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// A page of the print log; its total is always exact.
pub type PrintLogPage = crate::page::Page<PrintJob>;

/// The columns of a print job, in the order `job_from_row` reads them.
const JOB_COLUMNS: &str = "serial, form, title, subject, digest, pages, printed_at, actor";

fn job_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PrintJob> {
    Ok(PrintJob {
        serial: r.get(0)?,
        form: r.get(1)?,
        title: r.get(2)?,
        subject: r.get(3)?,
        digest: r.get(4)?,
        pages: r.get(5)?,
        printed_at: r.get(6)?,
        actor: r.get(7)?,
    })
}

/// A form's data with the keys every print has (unit, title, serial, digest, printed_on,
/// printed_by, marking, fonts — `assets/forms/README.md`) added to it.
pub(crate) fn with_common(
    mut data: serde_json::Value,
    common: serde_json::Value,
) -> serde_json::Value {
    if let (Some(obj), serde_json::Value::Object(c)) = (data.as_object_mut(), common) {
        obj.extend(c);
    }
    data
}

/// The short digest printed on the pages: the first 12 hex digits of SHA-256 over the data's
/// canonical JSON (keys sorted), so the same data always gives the same digest.
pub fn digest(data: &serde_json::Value) -> String {
    let canonical = serde_json::to_vec(data).unwrap_or_default();
    hex::encode(crate::vault::crypto::sha256(&canonical))[..12].to_string()
}

/// How many record serials a print's audit entry names; a longer listing is named by its
/// count and the first ones (the job's request rebuilds the rest: `print_check`).
const AUDIT_MAX_RECORDS: usize = 500;

/// What the audit log records of a print: the form, the records by id and serial, their
/// count, the digest and pages — never the subject or a listing's filters (a search text is
/// what someone looked for), only which filter fields were set.
fn print_audit(
    form: &forms::Form,
    req: &PrintRequest,
    content: &forms::Content,
    digest: &str,
    pages: u32,
) -> serde_json::Value {
    let mut detail = serde_json::json!({
        "form": form.id, "title": form.title, "count": content.records.len(),
        "records": content.records.iter().take(AUDIT_MAX_RECORDS).collect::<Vec<_>>(),
        "digest": digest, "pages": pages,
    });
    if let Some(ids) = &req.ids {
        detail["ids"] = serde_json::json!(ids);
    }
    if let Some(r) = req.reconciliation {
        detail["reconciliation"] = serde_json::json!(r);
    }
    if let Some(q) = req.query.as_ref().and_then(|q| q.as_object()) {
        let set: Vec<&str> = q
            .iter()
            .filter(|(_, v)| !v.is_null() && v.as_str() != Some(""))
            .map(|(k, _)| k.as_str())
            .collect();
        detail["filters"] = serde_json::json!(set);
    }
    detail
}

impl Session {
    /// The forms this account may print (none for a role that cannot print).
    pub fn print_forms(&mut self) -> Result<Vec<FormInfo>> {
        self.require(Op::Print)?;
        Ok(forms())
    }

    /// Typesets `req`, logs and audits the job, and returns the printout.
    pub fn print(&mut self, req: &PrintRequest) -> Result<Printout> {
        self.require(Op::Print)?;
        let form = forms::find(&req.form)?;
        let content = forms::content(self, form, req)?;
        let digest = digest(&content.data);
        let engine = assets::engine(self)?;
        let fonts = assets::font_choice(self)?;
        let unit = self.unit_name()?;
        let today = self.today();
        let printed_by = self.display_name().to_string();
        // What was asked, so `print_check` can rebuild the same data later (paging aside).
        let query = forms::list_query(form, req)?.map(ListQuery::unpaged);
        let request = serde_json::json!({
            "form": req.form, "ids": req.ids, "event": req.event,
            "reconciliation": req.reconciliation, "query": query, "kind": req.kind,
        });
        self.write(|w| {
            let id: i64 = w.tx.query_row(
                "SELECT coalesce(max(id), 0) + 1 FROM print_jobs",
                [],
                |r| r.get(0),
            )?;
            let serial = format!("P{}-{id:06}", chrono::Datelike::year(&today));
            let data = with_common(
                content.data.clone(),
                serde_json::json!({
                    "unit": unit, "title": form.title, "serial": serial, "digest": digest,
                    "printed_on": crate::dates::iso(today), "printed_by": printed_by,
                    "marking": content.marking, "fonts": fonts,
                }),
            );
            let document = engine.compile(&format!("{}.typ", form.id), &data)?;
            let pdf = engine::pdf(&document, &serial)?;
            let pages = document.pages().len() as u32;
            w.tx.execute(
                "INSERT INTO print_jobs (id, serial, form, title, subject, request, digest, pages, printed_at, actor)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                rusqlite::params![
                    id, serial, form.id, form.title, content.subject, request.to_string(),
                    digest, pages, w.now(), w.actor()
                ],
            )?;
            w.audit("print", &serial, print_audit(form, req, &content, &digest, pages))?;
            Ok(Printout {
                job: PrintJob {
                    serial: serial.clone(),
                    form: form.id.to_string(),
                    title: form.title.to_string(),
                    subject: content.subject.clone(),
                    digest: digest.clone(),
                    pages,
                    printed_at: w.now().to_string(),
                    actor: w.actor().to_string(),
                },
                pdf: zeroize::Zeroizing::new(pdf),
                document,
            })
        })
    }

    /// Records where a printout went: saved as a PDF (`path`) or sent to a printer.
    pub fn print_delivered(&mut self, serial: &str, to: Delivery<'_>) -> Result<()> {
        self.require(Op::Print)?;
        let (action, target) = match to {
            Delivery::Pdf(p) => ("print_save", p.display().to_string()),
            Delivery::Printer => ("print_send", String::new()),
        };
        self.write(|w| w.audit(action, serial, serde_json::json!({ "path": target })))
    }

    /// Matches a paper copy to the vault: the job of `serial`, and whether the data it printed
    /// is still what the vault holds (the digest of the same request, rebuilt now).
    pub fn print_check(&mut self, serial: &str) -> Result<PrintCheck> {
        self.require(Op::Print)?;
        let serial = serial.trim().to_uppercase();
        let row = self.conn().query_row(
            &format!("SELECT {JOB_COLUMNS}, request FROM print_jobs WHERE serial = ?1"),
            [&serial],
            |r| Ok((job_from_row(r)?, r.get::<_, String>(8)?)),
        );
        let (job, request) = match row {
            Ok(found) => found,
            Err(rusqlite::Error::QueryReturnedNoRows) => {
                return Err(Error::field(
                    "serial",
                    "打印编号",
                    format!("打印记录中没有“{serial}”"),
                ))
            }
            Err(e) => return Err(e.into()),
        };
        let req: PrintRequest = serde_json::from_str(&request)
            .map_err(|e| Error::integrity(format!("打印记录 {serial} 的请求已损坏：{e}")))?;
        let form = forms::find(&req.form)?;
        let current = digest(&forms::content(self, form, &req)?.data);
        Ok(PrintCheck {
            unchanged: current == job.digest,
            current_digest: current,
            job,
        })
    }

    /// The print log, newest first.
    pub fn print_log(&mut self, q: &PrintLogQuery) -> Result<PrintLogPage> {
        self.require(Op::Print)?;
        let mut clauses = vec!["1 = 1".to_string()];
        let mut args: Vec<String> = Vec::new();
        if let Some(f) = q.form.as_deref().filter(|f| !f.is_empty()) {
            forms::find(f)?;
            args.push(f.to_string());
            clauses.push(format!("form = ?{}", args.len()));
        }
        if let Some(t) = q.query.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            args.push(format!("%{}%", t.replace(['%', '_'], "")));
            clauses.push(format!(
                "(serial LIKE ?{n} OR subject LIKE ?{n})",
                n = args.len()
            ));
        }
        let filter = clauses.join(" AND ");
        let total: i64 = self.conn().query_row(
            &format!("SELECT count(*) FROM print_jobs WHERE {filter}"),
            rusqlite::params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        let limit = q.limit.unwrap_or(50).clamp(1, 500);
        let offset = q.offset.unwrap_or(0);
        let mut stmt = self.conn().prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM print_jobs
             WHERE {filter} ORDER BY id DESC LIMIT {limit} OFFSET {offset}"
        ))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), job_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(PrintLogPage::exact(rows, total))
    }
}

/// Where a printout went.
pub enum Delivery<'a> {
    Pdf(&'a Path),
    Printer,
}

#[cfg(all(test, unix))]
mod tests {
    use super::write_atomic;
    use std::os::unix::fs::PermissionsExt;

    /// The attack: links planted at the old predictable temporary name and at the target
    /// itself, pointing at a file the victim can write. Neither is followed.
    #[test]
    fn a_planted_symlink_is_not_followed_and_the_file_is_owner_only() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim.txt");
        std::fs::write(&victim, b"untouched").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
        let out = tmp.path().join("out.pdf");
        std::os::unix::fs::symlink(&victim, tmp.path().join(".out.pdf.part")).unwrap();
        write_atomic(&out, b"%PDF-1 first").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"untouched");
        assert_eq!(std::fs::read(&out).unwrap(), b"%PDF-1 first");
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");

        // A link at the chosen path is replaced, not written through.
        let linked = tmp.path().join("linked.pdf");
        std::os::unix::fs::symlink(&victim, &linked).unwrap();
        write_atomic(&linked, b"%PDF-1 second").unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"untouched");
        let meta = std::fs::symlink_metadata(&linked).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        // No temporary file is left behind.
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".part") && n != ".out.pdf.part")
            .collect();
        assert!(left.is_empty(), "{left:?}");
    }
}
