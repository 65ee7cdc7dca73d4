//! The typesetting engine: typst templates + JSON data → a paged document → PDF or PNG pages.
//!
//! Contract: a template is compiled with only the fonts given here (the open CJK fonts embedded
//! in the binary, plus the unit's own fonts from the vault) and only the template sources
//! given here (no file system, no packages, no network). Every typst warning is an error: a
//! font family that is not installed, or any other warning, refuses the print with a Chinese
//! message naming the template and the line, instead of falling back silently.
//!
//! The frame of every print — classification marking, print serial, data digest, page x / y —
//! is the core's, not a template's: [`Engine::compile`] lays out the core-owned `_frame.typ`
//! with the size of each finished page and draws it on top of that page, then refuses the
//! document unless every page is A4 and its typeset text holds the marking, serial and digest.
//! A unit's template can therefore leave the frame out, blank the page header and footer or
//! paint over the margins: the frame is drawn after it, above it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use typst::diag::{Severity, SourceDiagnostic};
use typst::foundations::{Array, Bytes, Dict, IntoValue, Smart, Str, Value};
use typst::layout::{Frame, FrameItem, Point};
use typst::model::Document;
use typst::text::Font;
use typst::WorldExt;
use typst_as_lib::{TypstAsLibError, TypstEngine};
use typst_layout::{Page, PagedDocument};

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

/// The core's frame, stamped on every page; compiled in, never one of the replaceable sources.
pub const FRAME: (&str, &str) = ("_frame.typ", include_str!("../../assets/forms/_frame.typ"));

/// A4 in points (210 × 297 mm), and how far a page may differ from it.
const A4: (f64, f64) = (595.2756, 841.8898);
const A4_TOLERANCE: f64 = 1.0;

impl Engine {
    /// An engine over `sources` (file name → typst source) and the embedded fonts plus `extra`;
    /// the core's [`FRAME`] is added last, so no source of that name replaces it.
    pub fn new(sources: &BTreeMap<String, String>, extra: &[Font]) -> Engine {
        let fonts: Vec<Font> = embedded_fonts().iter().chain(extra).cloned().collect();
        let mut all: BTreeMap<&str, String> = sources
            .iter()
            .map(|(name, text)| (name.as_str(), text.clone()))
            .collect();
        all.insert(FRAME.0, FRAME.1.to_string());
        let typst = TypstEngine::builder()
            .fonts(fonts)
            .with_static_source_file_resolver(all.into_iter().collect::<Vec<_>>())
            .build();
        Engine {
            typst,
            names: sources
                .keys()
                .filter(|n| n.as_str() != FRAME.0)
                .cloned()
                .collect(),
        }
    }

    /// Typesets `main` with `data` available to the template as `sys.inputs.data`, stamps the
    /// core's frame on every page (`data` must hold `marking`, `serial`, `digest` and `fonts`)
    /// and checks it is there: see the module comment.
    pub fn compile(&self, main: &str, data: &serde_json::Value) -> Result<PagedDocument> {
        let doc = self.compile_source(main, data)?;
        let sizes: Vec<[f64; 2]> = doc
            .pages()
            .iter()
            .map(|p| [p.frame.width().to_pt(), p.frame.height().to_pt()])
            .collect();
        for (i, [w, h]) in sizes.iter().enumerate() {
            let a4 =
                |(a, b): (f64, f64)| (w - a).abs() <= A4_TOLERANCE && (h - b).abs() <= A4_TOLERANCE;
            if !a4(A4) && !a4((A4.1, A4.0)) {
                return Err(Error::field(
                    "template",
                    "打印模板",
                    format!(
                        "{main} 第 {} 页不是 A4 纸（{:.0} × {:.0} 毫米）：密级标志、打印编号和数据摘要须完整印在 A4 纸上",
                        i + 1,
                        w / 72.0 * 25.4,
                        h / 72.0 * 25.4
                    ),
                ));
            }
        }
        let mut frame_data = data.clone();
        if let Some(obj) = frame_data.as_object_mut() {
            obj.insert("frame_pages".into(), serde_json::json!(sizes));
        }
        let frame = self.compile_source(FRAME.0, &frame_data)?;
        if frame.pages().len() != doc.pages().len() {
            return Err(Error::internal("打印框排版页数与表单不符"));
        }
        let pages: typst::ecow::EcoVec<Page> = doc
            .pages()
            .iter()
            .zip(frame.pages())
            .map(|(page, stamp)| {
                let mut page = page.clone();
                page.frame.push_frame(Point::zero(), stamp.frame.clone());
                page
            })
            .collect();
        let stamped = PagedDocument::new(pages, Document::info(&doc).clone());
        check_frame(main, &stamped, data)?;
        Ok(stamped)
    }

    /// Typesets one source as it is.
    fn compile_source(&self, main: &str, data: &serde_json::Value) -> Result<PagedDocument> {
        if main != FRAME.0 && !self.names.iter().any(|n| n == main) {
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

/// The text typeset on one page, in drawing order (groups included).
pub fn page_text(frame: &Frame) -> String {
    let mut out = String::new();
    for (_, item) in frame.items() {
        match item {
            FrameItem::Text(t) => out.push_str(&t.text),
            FrameItem::Group(g) => out.push_str(&page_text(&g.frame)),
            _ => {}
        }
    }
    out
}

/// Refuses a document unless every page's typeset text holds the marking (when the print has
/// one), the print serial and the digest — the last line of defence should the frame ever
/// fail to be drawn.
fn check_frame(main: &str, doc: &PagedDocument, data: &serde_json::Value) -> Result<()> {
    let text_of = |k: &str| data.get(k).and_then(|v| v.as_str()).unwrap_or("");
    let required = [
        ("密级标志", text_of("marking")),
        ("打印编号", text_of("serial")),
        ("数据摘要", text_of("digest")),
    ];
    if doc.pages().is_empty() {
        return Err(Error::field(
            "template",
            "打印模板",
            format!("{main} 排版结果没有任何页面"),
        ));
    }
    for (i, page) in doc.pages().iter().enumerate() {
        let text = page_text(&page.frame);
        for (label, value) in required {
            if !value.is_empty() && !text.contains(value) {
                return Err(Error::field(
                    "template",
                    "打印模板",
                    format!("{main} 第 {} 页缺少{label}“{value}”，不能打印", i + 1),
                ));
            }
        }
    }
    Ok(())
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
