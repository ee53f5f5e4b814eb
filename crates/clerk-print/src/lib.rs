//! The documents a window issues (标准文书), as PDF.
//!
//! A document is a template (data: `data/templates/<kind>.json`, one file
//! per type, overridable per hall) filled from a flat map of values built
//! from the case. Layout follows GB/T 9704 figures (A4, top margin 37 mm,
//! left 28 mm, 156 mm text width, title 22 pt) unless the template says
//! otherwise. Text is real Unicode in a subset of an open-licence CJK font,
//! so it stays extractable; a character the font lacks is an error naming
//! the field and the character, never a blank box.

pub mod issue;
mod layout;
pub mod printing;
mod template;
pub mod testing;
mod values;

pub use issue::{Issuer, Made};
pub use template::{Block, Template, TemplateError, KINDS};
pub use values::{sample_values, values_for_case, yuan, CaseDocInput, Values};

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How the copy is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marking {
    /// The original, as issued.
    Original,
    /// A reprint from the journal: 副本.
    Copy,
    /// On-screen preview: 预览 无效, never printable as the original.
    Preview,
}

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("template {kind}: {source}")]
    Template { kind: String, source: TemplateError },
    #[error("the font has no glyph for {ch:?} (U+{code:04X}) in {field}; install a font that covers it (GB 18030 rare characters) — the document was not made")]
    MissingGlyph { ch: char, code: u32, field: String },
    #[error("font {path}: {why}")]
    Font { path: PathBuf, why: String },
    #[error("seal image {path}: {why}")]
    Seal { path: PathBuf, why: String },
    #[error("value {0} is used by the template but not provided")]
    MissingValue(String),
}

impl PrintError {
    /// For the clerk: what is wrong and who fixes it. The parser's or the
    /// file system's own text is in `Display`, for the log.
    pub fn zh(&self) -> String {
        match self {
            PrintError::Template { kind, .. } => {
                format!("文书模板 {kind} 有误，文书未生成；请联系信息科")
            }
            PrintError::MissingGlyph { ch, code, field } => {
                format!("字库中没有「{ch}」（U+{code:04X}，位于 {field}），文书未生成。请安装覆盖该生僻字的字体")
            }
            PrintError::Font { .. } => {
                "本机配置的文书字体无法使用，文书未生成；请联系信息科".into()
            }
            PrintError::Seal { .. } => "本机配置的印章区图片无法使用；请联系信息科".into(),
            PrintError::MissingValue(v) => format!("文书缺少内容：{v}"),
        }
    }

    pub fn en(&self) -> String {
        match self {
            PrintError::Template { kind, .. } => {
                format!("The template {kind} is not valid: the document was not made; contact IT")
            }
            PrintError::MissingGlyph { ch, code, field } => format!(
                "The font has no glyph for {ch} (U+{code:04X}) in {field}: the document was not made; install a font that covers it"
            ),
            PrintError::Font { .. } => {
                "The font configured for documents cannot be used: the document was not made; contact IT".into()
            }
            PrintError::Seal { .. } => "The seal image configured cannot be used; contact IT".into(),
            PrintError::MissingValue(v) => format!("The document lacks a value: {v}"),
        }
    }
}

/// A loaded font, parsed once and shared (parsing a CJK face is the slow part).
#[derive(Clone)]
pub struct Font {
    parsed: Arc<printpdf::ParsedFont>,
    pub path: PathBuf,
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font").field("path", &self.path).finish()
    }
}

/// Where the open-licence font is looked for when the hall configures none:
/// Noto Serif CJK SC (SIL OFL 1.1; Debian's fonts-noto-cjk, face 2 of the
/// collection), then Noto Sans CJK SC.
pub const DEFAULT_FONTS: &[(&str, usize)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
];

/// The font the Windows installer ships next to the app (SIL OFL 1.1, its
/// licence beside it): `fonts/NotoSerifCJKsc-Regular.otf` under the
/// install folder (installers/README.md).
pub const BUNDLED_FONT: &str = "fonts/NotoSerifCJKsc-Regular.otf";

/// Where the installed app looks for its fonts: the bundled font next to
/// the executable first, then the system's (Debian's fonts-noto-cjk, which
/// the .deb and .rpm depend on).
pub fn font_candidates() -> Vec<(std::path::PathBuf, usize)> {
    let mut out = Vec::new();
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        out.push((dir.join(BUNDLED_FONT), 0));
    }
    out.extend(
        DEFAULT_FONTS
            .iter()
            .map(|(p, i)| (std::path::PathBuf::from(p), *i)),
    );
    out
}

impl Font {
    pub fn load(path: &Path, index: usize) -> Result<Font, PrintError> {
        let bytes = std::fs::read(path).map_err(|e| PrintError::Font {
            path: path.into(),
            why: e.to_string(),
        })?;
        let mut warnings = Vec::new();
        let parsed =
            printpdf::ParsedFont::from_bytes(&bytes, index, &mut warnings).ok_or_else(|| {
                PrintError::Font {
                    path: path.into(),
                    why: "not a font this build can read".into(),
                }
            })?;
        Ok(Font {
            parsed: Arc::new(parsed),
            path: path.into(),
        })
    }

    /// The first default font that exists.
    pub fn default_font() -> Result<Font, PrintError> {
        for (p, i) in font_candidates() {
            if p.exists() {
                return Font::load(&p, i);
            }
        }
        Err(PrintError::Font {
            path: DEFAULT_FONTS[0].0.into(),
            why: format!(
                "not installed (Debian: fonts-noto-cjk; Windows: {BUNDLED_FONT} next to the app)"
            ),
        })
    }

    pub fn has(&self, ch: char) -> bool {
        // Glyph 0 is .notdef: the blank box we must never print.
        self.parsed
            .lookup_glyph_index(ch as u32)
            .is_some_and(|g| g != 0)
    }

    /// Advance of `ch` in em.
    pub fn advance(&self, ch: char) -> f32 {
        let upem = f32::from(self.parsed.font_metrics.units_per_em.max(1));
        match self.parsed.lookup_glyph_index(ch as u32) {
            Some(g) => f32::from(self.parsed.get_horizontal_advance(g)) / upem,
            None => 1.0,
        }
    }
}

/// Render one document to PDF bytes (the seal area shows the empty box).
pub fn render(
    template: &Template,
    values: &Values,
    font: &Font,
    marking: Marking,
) -> Result<Vec<u8>, PrintError> {
    layout::render(template, values, font, marking, None)
}

/// Render with the hall's seal-area image (on the original only).
pub fn render_with_seal(
    template: &Template,
    values: &Values,
    font: &Font,
    marking: Marking,
    seal: Option<&SealImage>,
) -> Result<Vec<u8>, PrintError> {
    layout::render(template, values, font, marking, seal)
}

/// The image a hall provides for the seal area (`[notices] seal_image`, PNG).
///
/// domain.md §5.4: never an image of a real seal. What a hall may put there
/// is its placement mark (e.g. 「受理专用章 盖章处」) or an e-seal rendering
/// the platform issued; real seals are stamped by hand. It is printed on the
/// original only — a 副本 or a preview keeps the empty box.
#[derive(Clone)]
pub struct SealImage {
    raw: Arc<printpdf::RawImage>,
}

impl std::fmt::Debug for SealImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealImage")
            .field("width", &self.raw.width)
            .field("height", &self.raw.height)
            .finish()
    }
}

impl SealImage {
    pub fn load(path: &Path) -> Result<SealImage, PrintError> {
        let bad = |why: String| PrintError::Seal {
            path: path.into(),
            why,
        };
        let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        if !bytes.starts_with(b"\x89PNG") {
            return Err(bad("not a PNG file".into()));
        }
        let mut warnings = Vec::new();
        let raw = printpdf::RawImage::decode_from_bytes(&bytes, &mut warnings).map_err(bad)?;
        if raw.width == 0 || raw.height == 0 || raw.width > 4000 || raw.height > 4000 {
            return Err(bad(format!(
                "{}×{} pixels; use 1–4000 pixels a side",
                raw.width, raw.height
            )));
        }
        Ok(SealImage { raw: Arc::new(raw) })
    }
}

/// The template for a catalogue document kind.
pub fn template_kind(d: clerk_core::catalogue::DocumentKind) -> &'static str {
    use clerk_core::catalogue::DocumentKind as D;
    match d {
        D::Receipt => "receipt",
        D::AcceptanceNotice => "acceptance_notice",
        D::NonAcceptanceNotice => "non_acceptance_notice",
        D::SupplementNotice => "supplement_notice",
        D::GapAcceptanceNotice => "gap_acceptance_notice",
        D::FeeNotice => "fee_notice",
        D::ResultNotice => "result_notice",
        D::TerminationNotice => "termination_notice",
        D::WithdrawalNotice => "withdrawal_notice",
        D::DeliveryReceipt => "delivery_receipt",
        D::ExtensionNotice => "extension_notice",
        D::SpecialProcedureNotice => "special_procedure_notice",
    }
}

/// Title of a template kind, for lists.
pub fn kind_title(kind: &str) -> &'static str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, t)| *t)
        .unwrap_or("文书")
}

/// The document number (文书编号): the kind's prefix, the year, and the
/// case's receipt series — this PC's device code and its counter — so two
/// PCs of one hall never print the same number (issue #14); a receipt
/// number of another shape is printed as it is.
pub fn doc_no(kind: &str, year: i32, receipt_no: &str) -> String {
    let p = match kind {
        "receipt" | "receipt_80mm" => "收",
        "acceptance_notice" => "受",
        "non_acceptance_notice" => "不受",
        "supplement_notice" => "补正",
        "gap_acceptance_notice" => "容缺",
        "fee_notice" => "缴费",
        "result_notice" => "办结",
        "termination_notice" => "终止",
        "withdrawal_notice" => "撤回",
        "delivery_receipt" => "送达",
        "extension_notice" => "延期",
        "special_procedure_notice" => "特别程序",
        _ => "文",
    };
    // {OFFICE}-{DEVICE}-{COUNTER}-{CHECK}: the device and the counter.
    let parts: Vec<&str> = receipt_no.split('-').collect();
    let series = match parts[..] {
        [_, device, counter, _] if counter.bytes().all(|b| b.is_ascii_digit()) => {
            format!("{device}-{counter}")
        }
        _ => receipt_no.to_owned(),
    };
    format!("{p}字〔{year}〕第{series}号")
}

/// The bundled templates (`data/templates/*.json`), compiled in.
pub fn bundled_template(kind: &str) -> Option<&'static str> {
    template::BUNDLED
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, t)| *t)
}

/// Load the template for `kind`: the hall's override in `dir` when there is
/// one, else the bundled one.
pub fn load_template(kind: &str, hall_dir: Option<&Path>) -> Result<Template, PrintError> {
    let text = match hall_dir
        .map(|d| d.join(format!("{kind}.json")))
        .filter(|p| p.exists())
    {
        Some(p) => std::fs::read_to_string(&p).map_err(|e| PrintError::Template {
            kind: kind.into(),
            source: TemplateError::Read(e.to_string()),
        })?,
        None => bundled_template(kind)
            .ok_or_else(|| PrintError::Template {
                kind: kind.into(),
                source: TemplateError::UnknownKind,
            })?
            .to_owned(),
    };
    Template::parse(&text).map_err(|source| PrintError::Template {
        kind: kind.into(),
        source,
    })
}
