//! The unit's own print templates and fonts, kept inside the vault, and the engine built
//! from them.
//!
//! Contract: the built-in templates and the embedded fonts always exist; a unit's template
//! replaces the built-in one of the same file name, a unit's font file adds its families. A
//! replacement template, a new font and a new choice of fonts are each accepted only after a
//! test render (sample data, every form concerned) succeeds without warnings; otherwise the
//! vault is not changed. Every change is audited. Only `Op::Settings` (系统管理员) changes them.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use typst::text::Font;

use super::engine::{self, Engine};
use super::forms::{self, Form, COMMON, FORMS};
use crate::error::{Error, Result};
use crate::vault::roles::Op;
use crate::vault::Session;

/// Largest template source accepted.
const MAX_TEMPLATE_BYTES: usize = 256 * 1024;
/// Largest font file accepted.
const MAX_FONT_BYTES: usize = 64 * 1024 * 1024;

/// The fonts the forms use: the body text and the titles (family names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct FontChoice {
    /// 正文字体, e.g. `AR PL SungtiL GB` or a unit's `FangSong_GB2312`.
    pub body: String,
    /// 标题字体.
    pub title: String,
}

impl Default for FontChoice {
    fn default() -> Self {
        FontChoice {
            body: engine::SERIF_FAMILY.to_string(),
            title: engine::SANS_FAMILY.to_string(),
        }
    }
}

/// A template as the settings screen lists it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct TemplateInfo {
    /// File name (`doc-borrow.typ`, `common.typ`).
    pub name: String,
    /// The forms it prints (all of them for `common.typ`).
    pub forms: Vec<String>,
    /// Replaced by the unit (else built in).
    pub custom: bool,
    /// SHA-256 of the source in use.
    pub sha256: String,
    #[ts(type = "string | null")]
    pub changed_at: Option<String>,
    #[ts(type = "string | null")]
    pub changed_by: Option<String>,
}

/// A font file as the settings screen lists it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct FontFile {
    pub name: String,
    pub families: Vec<String>,
    /// Embedded in the program (cannot be removed).
    pub builtin: bool,
    #[ts(type = "number")]
    pub size: u64,
    #[ts(type = "string | null")]
    pub added_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct FontSettings {
    pub files: Vec<FontFile>,
    pub choice: FontChoice,
}

fn builtin_sources() -> BTreeMap<String, String> {
    std::iter::once((COMMON.0.to_string(), COMMON.1.to_string()))
        .chain(
            FORMS
                .iter()
                .map(|f| (format!("{}.typ", f.id), f.source.to_string())),
        )
        .collect()
}

/// The sources in use: built-in, replaced by the unit's.
fn sources(s: &Session) -> Result<BTreeMap<String, String>> {
    let mut out = builtin_sources();
    let mut stmt = s
        .conn()
        .prepare("SELECT name, data FROM print_assets WHERE kind = 'template'")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    for row in rows {
        let (name, data) = row?;
        let text = String::from_utf8(data)
            .map_err(|_| Error::integrity(format!("保密库中的打印模板 {name} 已损坏")))?;
        out.insert(name, text);
    }
    Ok(out)
}

/// A font file the unit added: file name, its faces, size in bytes, when it was added.
type UnitFont = (String, Vec<Font>, u64, String);

fn unit_fonts(s: &Session) -> Result<Vec<UnitFont>> {
    let mut stmt = s.conn().prepare(
        "SELECT name, data, added_at FROM print_assets WHERE kind = 'font' ORDER BY name",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, Vec<u8>>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (name, data, at) = row?;
        let size = data.len() as u64;
        out.push((name.clone(), engine::parse_font(&name, data)?, size, at));
    }
    Ok(out)
}

/// The faces of every font file the unit added, except the file `except`.
fn unit_faces(s: &Session, except: Option<&str>) -> Result<Vec<Font>> {
    Ok(unit_fonts(s)?
        .into_iter()
        .filter(|(n, _, _, _)| Some(n.as_str()) != except)
        .flat_map(|(_, f, _, _)| f)
        .collect())
}

/// The engine for this vault's templates and fonts, rebuilt only when they change.
pub fn engine(s: &Session) -> Result<Arc<Engine>> {
    static CACHE: Mutex<Option<(String, Arc<Engine>)>> = Mutex::new(None);
    let mut fingerprint = s.vault_id().to_string();
    {
        let mut stmt = s
            .conn()
            .prepare("SELECT kind, name, sha256 FROM print_assets ORDER BY kind, name")?;
        let rows = stmt.query_map([], |r| {
            Ok(format!(
                "|{}/{}/{}",
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?
            ))
        })?;
        for row in rows {
            fingerprint.push_str(&row?);
        }
    }
    let mut cache = CACHE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((f, e)) = cache.as_ref() {
        if *f == fingerprint {
            return Ok(e.clone());
        }
    }
    let fonts = unit_faces(s, None)?;
    let e = Arc::new(Engine::new(&sources(s)?, &fonts));
    *cache = Some((fingerprint, e.clone()));
    Ok(e)
}

/// The fonts the forms use now.
pub fn font_choice(s: &Session) -> Result<FontChoice> {
    let v: Option<String> = s
        .conn()
        .query_row(
            "SELECT value FROM settings WHERE key = 'print_fonts'",
            [],
            |r| r.get(0),
        )
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            other => Err(other),
        })?;
    Ok(v.and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or_default())
}

/// Typesets every form in `only` (all when empty) with sample data; the first failure wins.
fn test_render(
    s: &Session,
    sources: &BTreeMap<String, String>,
    fonts: &[Font],
    choice: &FontChoice,
    only: &[&Form],
) -> Result<()> {
    let e = Engine::new(sources, fonts);
    let list: Vec<&Form> = if only.is_empty() {
        FORMS.iter().collect()
    } else {
        only.to_vec()
    };
    for form in list {
        let data = super::with_common(
            forms::sample(form, s.today()),
            serde_json::json!({
                "unit": "示例单位", "title": form.title, "serial": "P0000-000000",
                "digest": "000000000000", "printed_on": crate::dates::iso(s.today()),
                "printed_by": "示例", "marking": "机密", "fonts": choice,
            }),
        );
        let doc = e
            .compile(&format!("{}.typ", form.id), &data)
            .map_err(|err| {
                Error::field(
                    "template",
                    "打印模板",
                    format!("测试排版“{}”未通过：{}", form.title, err.message),
                )
            })?;
        engine::pdf(&doc, "test")?;
    }
    Ok(())
}

fn template_name(name: &str) -> Result<(String, Vec<&'static Form>)> {
    let name = name.trim();
    if name == COMMON.0 {
        return Ok((name.to_string(), FORMS.iter().collect()));
    }
    let id = name.strip_suffix(".typ").unwrap_or(name);
    if id == super::system::CHECKPOINT_SLIP {
        return Err(Error::field(
            "name",
            "模板",
            "检查点单是安全审计员日后核对审计日志的凭据，只用内置模板和字体打印，不能替换",
        ));
    }
    let form = forms::find(id).map_err(|_| {
        let mut known: Vec<String> = FORMS.iter().map(|f| format!("{}.typ", f.id)).collect();
        known.insert(0, COMMON.0.to_string());
        Error::field(
            "name",
            "模板",
            format!("没有模板“{name}”，可替换的模板：{}", known.join("、")),
        )
    })?;
    Ok((format!("{}.typ", form.id), vec![form]))
}

fn font_file_name(name: &str) -> Result<String> {
    let name = std::path::Path::new(name.trim())
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let lower = name.to_lowercase();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Error::field(
            "name",
            "字体文件名",
            "不能为空，且不超过 100 个字符",
        ));
    }
    if ![".ttf", ".otf", ".ttc", ".otc"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return Err(Error::field(
            "name",
            "字体文件名",
            format!("“{name}”不是字体文件（支持 .ttf、.otf、.ttc）"),
        ));
    }
    Ok(name)
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(crate::vault::crypto::sha256(data))
}

impl Session {
    /// Every template, built in or replaced by the unit.
    pub fn print_templates(&mut self) -> Result<Vec<TemplateInfo>> {
        self.require(Op::Settings)?;
        let current = sources(self)?;
        let mut custom: BTreeMap<String, (String, String)> = BTreeMap::new();
        {
            let mut stmt = self.conn().prepare(
                "SELECT name, added_at, actor FROM print_assets WHERE kind = 'template'",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            for row in rows {
                let (n, at, by) = row?;
                custom.insert(n, (at, by));
            }
        }
        let mut out = Vec::new();
        for (name, text) in &current {
            let (_, forms) = template_name(name)?;
            let c = custom.get(name);
            out.push(TemplateInfo {
                name: name.clone(),
                forms: forms.iter().map(|f| f.title.to_string()).collect(),
                custom: c.is_some(),
                sha256: sha256_hex(text.as_bytes()),
                changed_at: c.map(|c| c.0.clone()),
                changed_by: c.map(|c| c.1.clone()),
            });
        }
        // common.typ first, then in menu order.
        out.sort_by_key(|t| {
            if t.name == COMMON.0 {
                0
            } else {
                1 + FORMS
                    .iter()
                    .position(|f| format!("{}.typ", f.id) == t.name)
                    .unwrap_or(FORMS.len())
            }
        });
        Ok(out)
    }

    /// The source of a template in use (to adapt it and load it back).
    pub fn print_template_source(&mut self, name: &str) -> Result<String> {
        self.require(Op::Settings)?;
        let (name, _) = template_name(name)?;
        sources(self)?
            .remove(&name)
            .ok_or_else(|| Error::not_found(format!("没有模板“{name}”")))
    }

    /// Replaces a template with the unit's, after a test render of every form it prints.
    pub fn print_set_template(&mut self, name: &str, source: &str) -> Result<TemplateInfo> {
        self.require(Op::Settings)?;
        let (name, affected) = template_name(name)?;
        if source.len() > MAX_TEMPLATE_BYTES {
            return Err(Error::field("source", "模板内容", "超过 256 KB"));
        }
        if source.trim().is_empty() {
            return Err(Error::field("source", "模板内容", "不能为空"));
        }
        let mut candidate = sources(self)?;
        candidate.insert(name.clone(), source.to_string());
        let fonts = unit_faces(self, None)?;
        test_render(self, &candidate, &fonts, &font_choice(self)?, &affected)?;
        let sha = sha256_hex(source.as_bytes());
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO print_assets (kind, name, data, sha256, added_at, actor)
                 VALUES ('template', ?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (kind, name) DO UPDATE SET data = excluded.data,
                   sha256 = excluded.sha256, added_at = excluded.added_at, actor = excluded.actor",
                rusqlite::params![name, source.as_bytes(), sha, w.now(), w.actor()],
            )?;
            w.audit(
                "print_template_set",
                &name,
                serde_json::json!({ "sha256": sha, "summary": format!("替换打印模板 {name}（测试排版通过）") }),
            )
        })?;
        self.template_info(&name)
    }

    /// Goes back to the built-in template.
    pub fn print_reset_template(&mut self, name: &str) -> Result<TemplateInfo> {
        self.require(Op::Settings)?;
        let (name, _) = template_name(name)?;
        self.write(|w| {
            let n = w.tx.execute(
                "DELETE FROM print_assets WHERE kind = 'template' AND name = ?1",
                [&name],
            )?;
            if n == 0 {
                return Err(Error::rule(format!("模板 {name} 未被替换，无需恢复")));
            }
            w.audit(
                "print_template_reset",
                &name,
                serde_json::json!({ "summary": format!("恢复内置打印模板 {name}") }),
            )
        })?;
        self.template_info(&name)
    }

    fn template_info(&mut self, name: &str) -> Result<TemplateInfo> {
        self.print_templates()?
            .into_iter()
            .find(|t| t.name == name)
            .ok_or_else(|| Error::not_found(format!("没有模板“{name}”")))
    }

    /// The font files (embedded and the unit's) and the fonts the forms use.
    pub fn print_fonts(&mut self) -> Result<FontSettings> {
        self.require(Op::Settings)?;
        let mut files = vec![
            FontFile {
                name: "gbsn00lp.ttf".to_string(),
                families: vec![engine::SERIF_FAMILY.to_string()],
                builtin: true,
                size: 0,
                added_at: None,
            },
            FontFile {
                name: "wqy-microhei.ttc".to_string(),
                families: engine::embedded_families()
                    .into_iter()
                    .filter(|f| f != engine::SERIF_FAMILY)
                    .collect(),
                builtin: true,
                size: 0,
                added_at: None,
            },
        ];
        for (name, fonts, size, at) in unit_fonts(self)? {
            files.push(FontFile {
                name,
                families: engine::families(&fonts),
                builtin: false,
                size,
                added_at: Some(at),
            });
        }
        Ok(FontSettings {
            files,
            choice: font_choice(self)?,
        })
    }

    /// Keeps a font file in the vault, after a test render of every form in its families.
    pub fn print_add_font(&mut self, name: &str, data: Vec<u8>) -> Result<FontFile> {
        self.require(Op::Settings)?;
        let name = font_file_name(name)?;
        if data.len() > MAX_FONT_BYTES {
            return Err(Error::field("font", "字体文件", "超过 64 MB"));
        }
        let sha = sha256_hex(&data);
        let size = data.len() as u64;
        let new_fonts = engine::parse_font(&name, data.clone())?;
        let families = engine::families(&new_fonts);
        let mut fonts = unit_faces(self, Some(&name))?;
        fonts.extend(new_fonts);
        let sources = sources(self)?;
        for family in &families {
            let probe = FontChoice {
                body: family.clone(),
                title: family.clone(),
            };
            test_render(self, &sources, &fonts, &probe, &[]).map_err(|e| {
                Error::field(
                    "font",
                    "字体文件",
                    format!("字体“{family}”测试排版未通过：{}", e.message),
                )
            })?;
        }
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO print_assets (kind, name, data, sha256, added_at, actor)
                 VALUES ('font', ?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (kind, name) DO UPDATE SET data = excluded.data,
                   sha256 = excluded.sha256, added_at = excluded.added_at, actor = excluded.actor",
                rusqlite::params![name, data, sha, w.now(), w.actor()],
            )?;
            w.audit(
                "print_font_add",
                &name,
                serde_json::json!({
                    "families": families, "sha256": sha,
                    "summary": format!("添加字体文件 {name}（{}）", families.join("、")),
                }),
            )?;
            Ok(FontFile {
                name: name.clone(),
                families: families.clone(),
                builtin: false,
                size,
                added_at: Some(w.now().to_string()),
            })
        })
    }

    /// Removes a unit's font file that the forms no longer use.
    pub fn print_remove_font(&mut self, name: &str) -> Result<()> {
        self.require(Op::Settings)?;
        let choice = font_choice(self)?;
        let file = unit_fonts(self)?
            .into_iter()
            .find(|(n, _, _, _)| n == name)
            .ok_or_else(|| {
                Error::field("name", "字体文件", format!("没有添加过字体文件“{name}”"))
            })?;
        let families = engine::families(&file.1);
        if families
            .iter()
            .any(|f| *f == choice.body || *f == choice.title)
        {
            return Err(Error::rule(format!(
                "字体文件 {name} 正被表单使用（{}），请先改用其他字体",
                families.join("、")
            )));
        }
        self.write(|w| {
            w.tx.execute(
                "DELETE FROM print_assets WHERE kind = 'font' AND name = ?1",
                [name],
            )?;
            w.audit(
                "print_font_remove",
                name,
                serde_json::json!({ "summary": format!("删除字体文件 {name}") }),
            )
        })
    }

    /// Chooses the body and title fonts, after a test render of every form with them.
    pub fn print_set_fonts(&mut self, choice: &FontChoice) -> Result<FontChoice> {
        self.require(Op::Settings)?;
        let choice = FontChoice {
            body: choice.body.trim().to_string(),
            title: choice.title.trim().to_string(),
        };
        let fonts = unit_faces(self, None)?;
        let mut known = engine::embedded_families();
        known.extend(engine::families(&fonts));
        for (field, label, family) in [
            ("body", "正文字体", &choice.body),
            ("title", "标题字体", &choice.title),
        ] {
            if !known.iter().any(|k| k.eq_ignore_ascii_case(family)) {
                return Err(Error::field(
                    field,
                    label,
                    format!("字体“{family}”不存在，可用：{}", known.join("、")),
                ));
            }
        }
        test_render(self, &sources(self)?, &fonts, &choice, &[])?;
        let value = serde_json::to_string(&choice).map_err(|e| Error::internal(e.to_string()))?;
        self.write(|w| {
            w.tx.execute(
                "INSERT INTO settings (key, value) VALUES ('print_fonts', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [&value],
            )?;
            w.audit(
                "print_fonts_set",
                "",
                serde_json::json!({
                    "body": choice.body, "title": choice.title,
                    "summary": format!("表单字体：正文 {}，标题 {}", choice.body, choice.title),
                }),
            )
        })?;
        Ok(choice)
    }
}
