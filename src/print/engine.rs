//! The typesetting engine: typst templates + JSON data → a paged document → PDF or PNG pages.
//!
//! Contract: a template is compiled with only the fonts given here (the open CJK fonts embedded
//! in the binary, plus the unit's own fonts from the vault) and only the template sources
//! given here (no file system, no packages, no network). Every typst warning is an error: a
//! font family that is not installed, or any other warning, refuses the print with a Chinese
//! message naming the template and the line, instead of falling back silently.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Array, Bytes, Dict, IntoValue, Smart, Str, Value};
use typst::text::Font;
use typst::WorldExt;
use typst_as_lib::{TypstAsLibError, TypstEngine};
use typst_layout::PagedDocument;

use crate::error::{Error, Result};

static SERIF: &[u8] = include_bytes!(env!("BAOMI_FONT_SERIF"));
static SANS: &[u8] = include_bytes!(env!("BAOMI_FONT_SANS"));

/// The family names of the embedded fonts, as typst matches them.
pub const SERIF_FAMILY: &str = "AR PL SungtiL GB";
pub const SANS_FAMILY: &str = "WenQuanYi Micro Hei";

/// The embedded fonts, parsed once per process.
fn embedded_fonts() -> &'static [Font] {
    static FONTS: OnceLock<Vec<Font>> = OnceLock::new();
    FONTS.get_or_init(|| {
        [SERIF, SANS]
            .into_iter()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect()
    })
}

/// Parses a font file (TTF, OTF or a collection); refuses a file that holds no font.
pub fn parse_font(name: &str, data: Vec<u8>) -> Result<Vec<Font>> {
    let fonts: Vec<Font> = Font::iter(Bytes::new(data)).collect();
    if fonts.is_empty() {
        return Err(Error::field(
            "font",
            "字体文件",
            format!("“{name}”不是可用的字体文件（支持 TTF、OTF、TTC）"),
        ));
    }
    Ok(fonts)
}

/// The family names of the faces in `fonts`, without repeats, in order.
pub fn families(fonts: &[Font]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in fonts {
        if !out.contains(&f.info().family) {
            out.push(f.info().family.clone());
        }
    }
    out
}

/// The family names of the embedded fonts.
pub fn embedded_families() -> Vec<String> {
    families(embedded_fonts())
}

/// A compiled set of templates and fonts. Cheap to keep; build one per change of the
/// unit's templates or fonts.
pub struct Engine {
    typst: TypstEngine,
    names: Vec<String>,
}

impl Engine {
    /// An engine over `sources` (file name → typst source) and the embedded fonts plus `extra`.
    pub fn new(sources: &BTreeMap<String, String>, extra: &[Font]) -> Engine {
        let fonts: Vec<Font> = embedded_fonts().iter().chain(extra).cloned().collect();
        let typst = TypstEngine::builder()
            .fonts(fonts)
            .with_static_source_file_resolver(
                sources
                    .iter()
                    .map(|(name, text)| (name.as_str(), text.clone()))
                    .collect::<Vec<_>>(),
            )
            .build();
        Engine {
            typst,
            names: sources.keys().cloned().collect(),
        }
    }

    /// Typesets `main` with `data` available to the template as `sys.inputs.data`.
    pub fn compile(&self, main: &str, data: &serde_json::Value) -> Result<PagedDocument> {
        if !self.names.iter().any(|n| n == main) {
            return Err(Error::not_found(format!("没有打印模板“{main}”")));
        }
        let mut inputs = Dict::new();
        inputs.insert("data".into(), to_typst(data));
        let warned = self.typst.compile_with_input(main, inputs);
        let doc = match warned.output {
            Ok(doc) => doc,
            Err(e) => return Err(self.failure(main, e)),
        };
        if let Some(w) = warned
            .warnings
            .iter()
            .find(|w| w.severity == Severity::Warning)
        {
            return Err(self.diagnostic(main, w));
        }
        Ok(doc)
    }

    fn failure(&self, main: &str, e: TypstAsLibError) -> Error {
        match e {
            TypstAsLibError::TypstSource(diags) => match diags.first() {
                Some(d) => self.diagnostic(main, d),
                None => Error::validation(format!("打印模板 {main} 排版失败")),
            },
            other => Error::validation(format!("打印模板 {main} 排版失败：{other}")),
        }
    }

    /// A Chinese message for one typst diagnostic: which template, which line, what.
    fn diagnostic(&self, main: &str, d: &SourceDiagnostic) -> Error {
        let file = d
            .span
            .id()
            .map(|id| id.vpath().get_without_slash().to_string())
            .unwrap_or_else(|| main.to_string());
        let line = self
            .typst
            .with_world(main, |world| {
                let (id, range) = d.span.id().zip(world.range(d.span))?;
                let source = typst::World::source(&world, id).ok()?;
                source.lines().byte_to_line(range.start).map(|l| l + 1)
            })
            .ok()
            .flatten();
        let place = match line {
            Some(l) => format!("{file} 第 {l} 行"),
            None => file,
        };
        let what = translate(&d.message);
        let kind = if d.severity == Severity::Warning {
            "（警告按错误处理）"
        } else {
            ""
        };
        let mut msg = format!("{place}：{what}{kind}");
        for h in &d.hints {
            msg.push_str(&format!("；提示：{}", h.v));
        }
        Error::field("template", "打印模板", msg)
    }
}

/// The typst messages an officer is likely to meet, in Chinese; others keep typst's words.
fn translate(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown font family: ") {
        return format!("字体“{rest}”不存在（请先在系统设置中添加该字体文件）");
    }
    if let Some(rest) = message.strip_prefix("dictionary does not contain key ") {
        return format!("数据中没有字段 {rest}");
    }
    if let Some(rest) = message.strip_prefix("unknown variable: ") {
        return format!("未定义的名称 {rest}");
    }
    message.to_string()
}

/// Empties typst's process-wide memoization cache, which keeps the layouts of the last
/// printouts (record data) until evicted: called whenever a session ends.
pub fn forget_cache() {
    typst::comemo::evict(0);
}

/// The PDF of `doc`, deterministic for the same document and `ident` (no timestamp).
pub fn pdf(doc: &PagedDocument, ident: &str) -> Result<Vec<u8>> {
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some("保密台账".to_string())),
        timestamp: None,
        // An untagged PDF: accessibility tags double the export time of a long listing and
        // serve no one on paper.
        tagged: false,
        ..Default::default()
    };
    typst_pdf::pdf(doc, &options).map_err(|diags| {
        let msg = diags
            .first()
            .map(|d| d.message.to_string())
            .unwrap_or_default();
        Error::internal(format!("生成 PDF 失败：{msg}"))
    })
}

/// Page `index` (from 0) of `doc` as a PNG at `pixel_per_pt` (2.0 ≈ 144 dpi).
pub fn png(doc: &PagedDocument, index: usize, pixel_per_pt: f64) -> Result<Vec<u8>> {
    let page = doc
        .pages()
        .get(index)
        .ok_or_else(|| Error::not_found(format!("没有第 {} 页", index + 1)))?;
    let options = typst_render::RenderOptions {
        pixel_per_pt: typst::utils::Scalar::new(pixel_per_pt.clamp(0.25, 6.0)),
        render_bleed: false,
    };
    typst_render::render(page, &options)
        .encode_png()
        .map_err(|e| Error::internal(format!("生成页面图像失败：{e}")))
}

/// JSON → typst value (objects become dictionaries, integers stay integers).
pub fn to_typst(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::None,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Value::Str(Str::from(s.as_str())),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(to_typst).collect::<Array>()),
        serde_json::Value::Object(o) => {
            let mut d = Dict::new();
            for (k, v) in o {
                d.insert(k.as_str().into(), to_typst(v));
            }
            d.into_value()
        }
    }
}
