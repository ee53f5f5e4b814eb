//! Making the documents a case needs: which ones (clerk-core, from the
//! decision and the catalogue), from which template (the hall's override or
//! the bundled one), with which values, as original and 副本. Used by the
//! app after a decision and by `clerkctl render --case`.

use std::path::PathBuf;

use clerk_core::catalogue::Matter;
use clerk_core::intake::PreparedCase;

use crate::{
    doc_no, load_template, render_with_seal, template_kind, values_for_case, CaseDocInput, Font,
    Marking, PrintError, SealImage, Template, Values,
};

/// What a hall's documents are made with.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub font: Font,
    /// The hall's template folder (overrides per type); None: bundled only.
    pub templates: Option<PathBuf>,
    pub seal: Option<SealImage>,
    /// A thermal receipt printer is configured: the 收件凭证 is made in its
    /// 80 mm form.
    pub receipt_80mm: bool,
}

/// One document made for a case.
#[derive(Debug, Clone)]
pub struct Made {
    pub kind: String,
    pub doc_no: String,
    pub values: Values,
    pub pdf: Vec<u8>,
    pub copy_pdf: Vec<u8>,
}

impl Issuer {
    pub fn new(font: Font) -> Issuer {
        Issuer {
            font,
            templates: None,
            seal: None,
            receipt_80mm: false,
        }
    }

    pub fn template(&self, kind: &str) -> Result<Template, PrintError> {
        load_template(kind, self.templates.as_deref())
    }

    /// The template kinds this case needs, in issue order.
    pub fn kinds_for(&self, case: &PreparedCase, matter: &Matter) -> Vec<&'static str> {
        clerk_core::intake::documents_for_case(case, matter)
            .into_iter()
            .map(template_kind)
            .map(|k| match k {
                "receipt" if self.receipt_80mm => "receipt_80mm",
                k => k,
            })
            .collect()
    }

    /// The documents the case needs, not issued yet, that cannot be issued
    /// as originals now: they state the applicant's remedies and the
    /// catalogue names no reconsideration body for the deciding department
    /// (issue #14). They are withheld — previewed, never printed — until
    /// the catalogue says where to apply.
    pub fn withheld(
        &self,
        case: &PreparedCase,
        matter: &Matter,
        input: &CaseDocInput,
        have: &[String],
    ) -> Result<Vec<&'static str>, PrintError> {
        if !input.reconsideration_body.trim().is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        for kind in self.kinds_for(case, matter) {
            if !have.iter().any(|h| h == kind) && self.template(kind)?.states_remedies() {
                out.push(kind);
            }
        }
        Ok(out)
    }

    /// The values of a document of `kind` for this case.
    pub fn values(
        &self,
        kind: &str,
        case: &PreparedCase,
        matter: &Matter,
        input: &CaseDocInput,
    ) -> Values {
        let mut values = values_for_case(
            case,
            matter,
            &CaseDocInput {
                doc_no: doc_no(kind, case.received_on.year(), &input.receipt_no),
                ..input.clone()
            },
        );
        if kind.starts_with("receipt") {
            // A receipt of materials: the hall received them.
            values.set("signer", &input.hall_name);
        }
        values
    }

    /// Make every document the case needs that is not in `have` (kinds
    /// already issued: a document is issued once, then reprinted) and not
    /// withheld (see [`Issuer::withheld`]). They are numbered from the
    /// case's receipt number.
    pub fn make(
        &self,
        case: &PreparedCase,
        matter: &Matter,
        input: &CaseDocInput,
        have: &[String],
    ) -> Result<Vec<Made>, PrintError> {
        let mut out = Vec::new();
        let withheld = self.withheld(case, matter, input, have)?;
        for kind in self.kinds_for(case, matter) {
            // The A4 and the 80 mm receipt are the same document.
            let same =
                |h: &String| h == kind || (h.starts_with("receipt") && kind.starts_with("receipt"));
            if have.iter().any(same) || withheld.contains(&kind) {
                continue;
            }
            let template = self.template(kind)?;
            let values = self.values(kind, case, matter, input);
            let no = values.text.get("doc_no").cloned().unwrap_or_default();
            let pdf = self.render(&template, &values, Marking::Original)?;
            let copy_pdf = self.render(&template, &values, Marking::Copy)?;
            out.push(Made {
                kind: kind.to_owned(),
                doc_no: no,
                values,
                pdf,
                copy_pdf,
            });
        }
        Ok(out)
    }

    pub fn render(
        &self,
        template: &Template,
        values: &Values,
        marking: Marking,
    ) -> Result<Vec<u8>, PrintError> {
        render_with_seal(template, values, &self.font, marking, self.seal.as_ref())
    }

    /// The preview of a withheld document (marked 预览 无效), made from the
    /// case now; it is not issued or journalled.
    pub fn preview_withheld(
        &self,
        kind: &str,
        case: &PreparedCase,
        matter: &Matter,
        input: &CaseDocInput,
    ) -> Result<Vec<u8>, PrintError> {
        let mut values = self.values(kind, case, matter, input);
        values.set("reconsideration_body", "（未配置行政复议机关）");
        self.render(&self.template(kind)?, &values, Marking::Preview)
    }

    /// The on-screen preview of an issued document, from the values it was
    /// issued with: 预览 无效 on every page, no seal image.
    pub fn preview(&self, kind: &str, values_json: &str) -> Result<Vec<u8>, PrintError> {
        let values = Values::from_json(values_json)
            .ok_or_else(|| PrintError::MissingValue("journalled values".into()))?;
        let template = self.template(kind)?;
        self.render(&template, &values, Marking::Preview)
    }
}
