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

    /// Make every document the case needs that is not in `have` (kinds
    /// already issued: a document is issued once, then reprinted).
    /// `counter` numbers the documents (the receipt counter of the case).
    pub fn make(
        &self,
        case: &PreparedCase,
        matter: &Matter,
        input: &CaseDocInput,
        counter: u64,
        have: &[String],
    ) -> Result<Vec<Made>, PrintError> {
        let mut out = Vec::new();
        for kind in self.kinds_for(case, matter) {
            // The A4 and the 80 mm receipt are the same document.
            let same =
                |h: &String| h == kind || (h.starts_with("receipt") && kind.starts_with("receipt"));
            if have.iter().any(same) {
                continue;
            }
            let template = self.template(kind)?;
            let no = doc_no(kind, case.received_on.year(), counter);
            let values = values_for_case(
                case,
                matter,
                &CaseDocInput {
                    doc_no: no.clone(),
                    ..input.clone()
                },
            );
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

    /// The on-screen preview of an issued document, from the values it was
    /// issued with: 预览 无效 on every page, no seal image.
    pub fn preview(&self, kind: &str, values_json: &str) -> Result<Vec<u8>, PrintError> {
        let values = Values::from_json(values_json)
            .ok_or_else(|| PrintError::MissingValue("journalled values".into()))?;
        let template = self.template(kind)?;
        self.render(&template, &values, Marking::Preview)
    }
}
