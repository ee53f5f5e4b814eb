//! Templates are data: one JSON file per document type.

use serde::Deserialize;

/// The document types, in the order `clerkctl render --list` prints them.
pub const KINDS: &[(&str, &str)] = &[
    ("receipt", "收件凭证"),
    ("receipt_80mm", "收件凭证（80 mm 热敏小票）"),
    ("acceptance_notice", "受理通知书"),
    ("non_acceptance_notice", "不予受理通知书"),
    ("supplement_notice", "补正材料通知书（一次性告知书）"),
    ("gap_acceptance_notice", "容缺受理通知书（附承诺书）"),
    ("fee_notice", "缴费通知书"),
    ("result_notice", "办结通知书"),
    ("termination_notice", "终止办理通知书"),
    ("withdrawal_notice", "终止审查通知书（撤回申请）"),
    ("delivery_receipt", "送达回证"),
    ("extension_notice", "延长期限告知书"),
    ("special_procedure_notice", "特别程序告知书"),
];

pub(crate) const BUNDLED: &[(&str, &str)] = &[
    (
        "receipt",
        include_str!("../../../data/templates/receipt.json"),
    ),
    (
        "receipt_80mm",
        include_str!("../../../data/templates/receipt_80mm.json"),
    ),
    (
        "acceptance_notice",
        include_str!("../../../data/templates/acceptance_notice.json"),
    ),
    (
        "non_acceptance_notice",
        include_str!("../../../data/templates/non_acceptance_notice.json"),
    ),
    (
        "supplement_notice",
        include_str!("../../../data/templates/supplement_notice.json"),
    ),
    (
        "gap_acceptance_notice",
        include_str!("../../../data/templates/gap_acceptance_notice.json"),
    ),
    (
        "fee_notice",
        include_str!("../../../data/templates/fee_notice.json"),
    ),
    (
        "result_notice",
        include_str!("../../../data/templates/result_notice.json"),
    ),
    (
        "termination_notice",
        include_str!("../../../data/templates/termination_notice.json"),
    ),
    (
        "withdrawal_notice",
        include_str!("../../../data/templates/withdrawal_notice.json"),
    ),
    (
        "delivery_receipt",
        include_str!("../../../data/templates/delivery_receipt.json"),
    ),
    (
        "extension_notice",
        include_str!("../../../data/templates/extension_notice.json"),
    ),
    (
        "special_procedure_notice",
        include_str!("../../../data/templates/special_procedure_notice.json"),
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("not a template: {0}")]
    Parse(String),
    #[error("format {0} is not supported (this build reads 1)")]
    Format(u32),
    #[error("no such document type")]
    UnknownKind,
    #[error("cannot read the hall's template: {0}")]
    Read(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    #[default]
    A4,
    /// 80 mm thermal roll; the page is as long as the content.
    Receipt80,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// A paragraph; `{name}` is replaced by a value. `indent` in characters.
    Text {
        text: String,
        #[serde(default)]
        align: Align,
        size: Option<f32>,
        #[serde(default)]
        indent: u8,
        #[serde(default)]
        bold: bool,
        /// Printed only when this value is set and not empty (e.g.
        /// `provisional_years`, for the note beside provisional dates).
        #[serde(default)]
        when: Option<String>,
    },
    /// Label / value rows.
    Fields { rows: Vec<(String, String)> },
    /// A numbered list from a list value (e.g. `owed`, `materials`).
    List {
        title: String,
        items: String,
        #[serde(default)]
        empty: String,
    },
    /// Seal box, issuing agency and date at the right; QR code at the left.
    Signature,
    /// A line for the applicant's signature.
    SignLine { text: String },
    /// Vertical space in mm.
    Space { mm: f32 },
    /// A rule across the text width.
    Rule,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub format: u32,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub paper: Paper,
    #[serde(default = "default_title_size")]
    pub title_size: f32,
    #[serde(default = "default_body_size")]
    pub body_size: f32,
    /// Margins in mm: top, left, right (GB/T 9704: 37, 28, 26).
    #[serde(default = "default_margins")]
    pub margins: (f32, f32, f32),
    pub blocks: Vec<Block>,
    /// Where the wording of the rights it states comes from (law and
    /// article, with how sure we are); data for the reviewer, not printed.
    #[serde(default)]
    pub sources: Vec<String>,
}

fn default_title_size() -> f32 {
    22.0
}
fn default_body_size() -> f32 {
    14.0
}
fn default_margins() -> (f32, f32, f32) {
    (37.0, 28.0, 26.0)
}

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        let t: Template =
            serde_json::from_str(text).map_err(|e| TemplateError::Parse(e.to_string()))?;
        if t.format != 1 {
            return Err(TemplateError::Format(t.format));
        }
        Ok(t)
    }

    /// Whether any block prints the value `name` (`{name}`).
    pub fn uses(&self, name: &str) -> bool {
        let needle = format!("{{{name}}}");
        self.blocks.iter().any(|b| match b {
            Block::Text { text, .. } | Block::SignLine { text } => text.contains(&needle),
            Block::Fields { rows } => rows
                .iter()
                .any(|(l, v)| l.contains(&needle) || v.contains(&needle)),
            Block::List { title, items, .. } => title.contains(&needle) || items == name,
            Block::Signature | Block::Space { .. } | Block::Rule => false,
        })
    }

    /// Whether it tells the applicant of their remedies: it names the
    /// reconsideration body, so it cannot be an original without one.
    pub fn states_remedies(&self) -> bool {
        self.uses("reconsideration_body")
    }
}
