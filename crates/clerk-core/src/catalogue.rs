//! The matter catalogue (事项目录 / 实施清单), versioned.
//!
//! A catalogue file is data (`data/catalogue/*.json`), parsed and checked
//! here. Codes are opaque strings (domain.md §4.2): we check length and
//! character set, never parse them for meaning.

use serde::Deserialize;
use std::collections::HashSet;

use crate::ids;

/// The catalogue file format this build reads.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub format: u32,
    pub version: u32,
    pub published_at: String,
    pub effective_from: String,
    /// True for demonstration data (示例数据).
    #[serde(default)]
    pub sample: bool,
    pub notice: String,
    pub issuer: String,
    pub departments: Vec<Department>,
    pub matters: Vec<Matter>,
    /// Search keys per matter, built once after parsing.
    #[serde(skip)]
    search_keys: Vec<SearchKeys>,
}

/// Search forms of a matter name: each character's pinyin readings (every
/// reading of a polyphone: 行 → hang / xing; ü typed as v, as in every IME)
/// and a bitmask of their initials, so matching needs no string building.
#[derive(Debug, Clone, Default)]
struct SearchKeys {
    readings: Vec<Vec<String>>,
    initials: Vec<u32>,
    /// Every letter in any reading: a query with another letter cannot match.
    letters: u32,
}

fn letter_bit(b: u8) -> u32 {
    if b.is_ascii_lowercase() {
        1 << (b - b'a')
    } else {
        0
    }
}

impl SearchKeys {
    fn of(name: &str) -> Self {
        use pinyin::ToPinyinMulti;
        let mut keys = SearchKeys::default();
        for c in name.chars() {
            let mut r: Vec<String> = match c.to_pinyin_multi() {
                Some(multi) => multi
                    .into_iter()
                    .map(|p| p.plain().replace('ü', "v"))
                    .collect(),
                // Digits, punctuation, rare characters stand for themselves.
                None => vec![c.to_lowercase().collect()],
            };
            r.dedup();
            keys.initials.push(
                r.iter()
                    .map(|x| letter_bit(x.as_bytes()[0]))
                    .fold(0, |a, b| a | b),
            );
            keys.letters |= r
                .iter()
                .flat_map(|x| x.bytes())
                .map(letter_bit)
                .fold(0, |a, b| a | b);
            keys.readings.push(r);
        }
        keys
    }

    /// `q` is lower-case ASCII letters.
    fn matches(&self, q: &str) -> bool {
        let q = q.as_bytes();
        if q.iter().any(|&b| self.letters & letter_bit(b) == 0) {
            return false;
        }
        // Initials: consecutive characters whose initials spell q.
        if q.len() <= self.initials.len()
            && self
                .initials
                .windows(q.len())
                .any(|w| w.iter().zip(q).all(|(m, &b)| m & letter_bit(b) != 0))
        {
            return true;
        }
        // Full pinyin from any character; the query may end mid-syllable.
        let first = letter_bit(q[0]);
        q.len() >= 2
            && (0..self.readings.len())
                .any(|start| self.initials[start] & first != 0 && self.full_from(start, q))
    }

    fn full_from(&self, pos: usize, q: &[u8]) -> bool {
        if q.is_empty() {
            return true;
        }
        let Some(readings) = self.readings.get(pos) else {
            return false;
        };
        readings.iter().any(|r| {
            let r = r.as_bytes();
            if q.len() <= r.len() {
                r.starts_with(q)
            } else {
                q.starts_with(r) && self.full_from(pos + 1, &q[r.len()..])
            }
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    /// Unified social credit code of the department (GB 32100).
    pub code: String,
    /// The full name: the deciding agency every notice names (issue #14).
    pub name: String,
    pub short_name: String,
    /// Where an applicant applies for administrative reconsideration of
    /// this department's acts (行政复议机关). Since the 2023 revision of the
    /// 行政复议法 (in force 2024-01-01): the people's government at the
    /// department's level for a department of that government (保山市人民政府
    /// for a 保山市 bureau); the department one level up for vertically
    /// managed bodies (税务, 海关, 金融监管, 国家安全…) — domain.md §1.4.
    /// Absent: a notice stating the remedies is not issued as an original.
    #[serde(default)]
    pub review_body: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatterType {
    Licensing,
    Confirmation,
    Benefit,
    PublicService,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// 即办件
    Instant,
    /// 承诺件
    Promised,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayUnit {
    Working,
    Calendar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeLimit {
    pub value: u32,
    pub unit: DayUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceObject {
    NaturalPerson,
    LegalPerson,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialForm {
    Original,
    Copy,
    OriginalAndCopy,
    Electronic,
}

impl MaterialForm {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Original => "原件",
            Self::Copy => "复印件",
            Self::OriginalAndCopy => "原件及复印件",
            Self::Electronic => "电子件",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::Original => "original",
            Self::Copy => "copy",
            Self::OriginalAndCopy => "original and copy",
            Self::Electronic => "electronic",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialRequirement {
    /// Stable within one matter version.
    pub id: String,
    pub name: String,
    pub required: bool,
    /// 容缺: may be missing at acceptance, to be supplied later.
    pub may_be_missing: bool,
    pub form: MaterialForm,
    pub copies: u8,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeItem {
    pub name: String,
    /// In fen (分), to keep money exact.
    pub amount_fen: u64,
    pub unit: String,
    /// 收费依据: 行政许可法 art. 58 allows a fee only on a legal basis.
    pub basis: String,
    /// When it is charged only on a condition (e.g. 「申请第二本及以上证书的」
    /// for 证书工本费): listed on the fee notice with its condition, never
    /// added to the total (issue #14: a single-owner transfer was billed
    /// 90 元 for 80). Absent: charged on every case.
    #[serde(default)]
    pub condition: Option<String>,
}

impl FeeItem {
    /// Charged on every case of the matter (no condition).
    pub fn always(&self) -> bool {
        self.condition.is_none()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fee {
    /// Empty for free matters (most are).
    pub items: Vec<FeeItem>,
    /// Who collects it (收款单位); absent: the deciding department.
    #[serde(default)]
    pub payee: Option<String>,
}

impl Fee {
    pub fn charged(&self) -> bool {
        !self.items.is_empty()
    }

    /// What every case of the matter pays, in fen: the items without a
    /// condition.
    pub fn total_fen(&self) -> u64 {
        self.items
            .iter()
            .filter(|i| i.always())
            .map(|i| i.amount_fen)
            .sum()
    }
}

/// The standard documents (标准文书) a window may issue for a matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 收件凭证
    Receipt,
    /// 受理通知书
    AcceptanceNotice,
    /// 不予受理通知书
    NonAcceptanceNotice,
    /// 补正材料通知书 / 一次性告知书
    SupplementNotice,
    /// 容缺受理通知书 (with the 承诺书)
    GapAcceptanceNotice,
    /// 缴费通知书
    FeeNotice,
    /// 办结通知
    ResultNotice,
    /// 终止办理通知书: 容缺 items not supplied by their date.
    TerminationNotice,
    /// 终止审查通知书: the applicant withdrew the application.
    WithdrawalNotice,
    /// 送达回证: the result handed over, signed by the recipient.
    DeliveryReceipt,
    /// 延长期限告知书: the decision period extended (art. 42).
    ExtensionNotice,
    /// 特别程序告知书: a special procedure's time does not count (art. 45).
    SpecialProcedureNotice,
}

/// When a matter's intake decision is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntakeRule {
    /// 行政许可法 art. 32: what is missing is told within five working
    /// days of receipt (then the application counts as accepted).
    #[default]
    Art32,
    /// 不动产登记暂行条例 art. 17: accepted or not on the spot, in writing;
    /// not told on the spot → deemed accepted. No five-day window.
    OnTheSpot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandlingForm {
    Window,
    Online,
    Post,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matter {
    /// 实施编码, ≤ 36 characters.
    pub code: String,
    /// 基本编码, 12 characters.
    pub catalog_code: String,
    pub name: String,
    /// Code of the implementing department.
    pub department: String,
    pub matter_type: MatterType,
    pub case_kind: CaseKind,
    pub service_objects: Vec<ServiceObject>,
    pub statutory_limit: TimeLimit,
    pub promised_limit: TimeLimit,
    pub legal_basis: String,
    pub acceptance_conditions: String,
    pub materials: Vec<MaterialRequirement>,
    pub fee: Fee,
    pub documents: Vec<DocumentKind>,
    pub handling_forms: Vec<HandlingForm>,
    pub max_visits: u8,
    /// When the intake decision is due (art. 32's five working days, or
    /// on the spot for 不动产登记); art. 32 when absent.
    #[serde(default)]
    pub intake_rule: IntakeRule,
}

impl Matter {
    /// Working days after receipt within which the applicant is told what
    /// is missing (0: on the spot).
    pub fn notice_working_days(&self) -> u32 {
        match self.intake_rule {
            IntakeRule::Art32 => crate::calendar::SUPPLEMENT_NOTICE_WORKING_DAYS,
            IntakeRule::OnTheSpot => 0,
        }
    }

    /// The name of one of this matter's materials.
    pub fn material_name(&self, id: &str) -> Option<&str> {
        self.materials
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.name.as_str())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CatalogueError {
    #[error("catalogue file is not valid JSON of the expected shape: {0}")]
    Parse(String),
    #[error("catalogue format {found} is not supported (this build reads {FORMAT})")]
    Format { found: u32 },
    #[error("matter {matter}: {rule}")]
    Matter { matter: String, rule: String },
    #[error("department {department}: {rule}")]
    Department { department: String, rule: String },
}

impl Catalogue {
    /// Parse and check a catalogue file.
    pub fn parse(json: &str) -> Result<Self, CatalogueError> {
        let mut cat: Catalogue =
            serde_json::from_str(json).map_err(|e| CatalogueError::Parse(e.to_string()))?;
        cat.check()?;
        cat.search_keys = cat
            .matters
            .iter()
            .map(|m| SearchKeys::of(&m.name))
            .collect();
        Ok(cat)
    }

    fn check(&self) -> Result<(), CatalogueError> {
        if self.format != FORMAT {
            return Err(CatalogueError::Format { found: self.format });
        }
        let mut dept_codes = HashSet::new();
        for d in &self.departments {
            let bad = |rule: &str| CatalogueError::Department {
                department: d.code.clone(),
                rule: rule.to_owned(),
            };
            if let Err(e) = ids::check_uscc(&d.code) {
                return Err(bad(&format!(
                    "code is not a valid unified social credit code: {e}"
                )));
            }
            if !dept_codes.insert(d.code.as_str()) {
                return Err(bad("code appears twice"));
            }
            if d.review_body
                .as_deref()
                .is_some_and(|b| b.trim().is_empty() || !crate::intake::text_ok(b, false))
            {
                return Err(bad("review_body is empty or has control characters"));
            }
        }
        let mut matter_codes = HashSet::new();
        for m in &self.matters {
            let bad = |rule: &str| CatalogueError::Matter {
                matter: m.code.clone(),
                rule: rule.to_owned(),
            };
            if m.code.is_empty()
                || m.code.chars().count() > 36
                || !m.code.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(bad(
                    "implementation code must be 1–36 ASCII letters or digits",
                ));
            }
            if m.catalog_code.len() != 12
                || !m.catalog_code.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(bad(
                    "basic catalogue code must be 12 ASCII letters or digits",
                ));
            }
            if !matter_codes.insert(m.code.as_str()) {
                return Err(bad("implementation code appears twice"));
            }
            if !dept_codes.contains(m.department.as_str()) {
                return Err(bad("department is not in the catalogue"));
            }
            if m.name.trim().is_empty() {
                return Err(bad("name is empty"));
            }
            if m.statutory_limit.value == 0 || m.promised_limit.value == 0 {
                return Err(bad("time limits must be at least one day"));
            }
            // The promised limit is the one clerks are judged on; the
            // statutory one is the hard ceiling (domain.md §1.2 note 3).
            if m.promised_limit.unit == m.statutory_limit.unit
                && m.promised_limit.value > m.statutory_limit.value
            {
                return Err(bad("promised limit exceeds the statutory limit"));
            }
            if m.materials.is_empty() {
                return Err(bad("a matter lists its materials (行政许可法 art. 30)"));
            }
            let mut ids = HashSet::new();
            for mat in &m.materials {
                if !ids.insert(mat.id.as_str()) {
                    return Err(bad(&format!("material id {} appears twice", mat.id)));
                }
                if mat.may_be_missing && !mat.required {
                    return Err(bad(&format!(
                        "material {} is marked 容缺 but is not required",
                        mat.id
                    )));
                }
                if mat.copies == 0 {
                    return Err(bad(&format!(
                        "material {} must have at least one copy",
                        mat.id
                    )));
                }
            }
            for f in &m.fee.items {
                if f.basis.trim().is_empty() {
                    return Err(bad("a fee needs its legal basis (行政许可法 art. 58)"));
                }
                if f.condition
                    .as_deref()
                    .is_some_and(|c| c.trim().is_empty() || !crate::intake::text_ok(c, false))
                {
                    return Err(bad("a fee's condition is empty or has control characters"));
                }
            }
            let docs: HashSet<_> = m.documents.iter().copied().collect();
            for needed in [
                DocumentKind::Receipt,
                DocumentKind::AcceptanceNotice,
                DocumentKind::NonAcceptanceNotice,
                DocumentKind::SupplementNotice,
            ] {
                if !docs.contains(&needed) {
                    return Err(bad(&format!(
                        "documents must include {needed:?} (行政许可法 art. 32)"
                    )));
                }
            }
            if m.materials.iter().any(|x| x.may_be_missing)
                && !docs.contains(&DocumentKind::GapAcceptanceNotice)
            {
                return Err(bad(
                    "a matter with 容缺 materials issues the gap-acceptance notice",
                ));
            }
            if m.fee.charged() != docs.contains(&DocumentKind::FeeNotice) {
                return Err(bad(
                    "a fee notice is issued exactly when the matter charges a fee",
                ));
            }
        }
        Ok(())
    }

    pub fn department(&self, code: &str) -> Option<&Department> {
        self.departments.iter().find(|d| d.code == code)
    }

    pub fn matter(&self, code: &str) -> Option<&Matter> {
        self.matters.iter().find(|m| m.code == code)
    }

    /// Matters matching `query`: a substring of the name or the code, or
    /// pinyin — initials (`spjyxk` → 食品经营许可) or full pinyin
    /// (`shipin`), spaces ignored. An empty query lists everything in
    /// catalogue order.
    pub fn search(&self, query: &str) -> Vec<&Matter> {
        let q: String = query.split_whitespace().collect();
        let upper = q.to_uppercase();
        let lower = q.to_lowercase();
        let latin = !lower.is_empty() && lower.bytes().all(|b| b.is_ascii_lowercase());
        self.matters
            .iter()
            .zip(&self.search_keys)
            .filter(|(m, keys)| {
                q.is_empty()
                    || m.name.contains(q.as_str())
                    || m.code.contains(upper.as_str())
                    || (latin && keys.matches(&lower))
            })
            .map(|(m, _)| m)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SAMPLE_CATALOGUE_JSON;
    use std::collections::HashSet;

    fn sample() -> Catalogue {
        Catalogue::parse(SAMPLE_CATALOGUE_JSON)
            .expect("sample catalogue parses and passes its checks")
    }

    #[test]
    fn sample_catalogue_covers_what_a_hall_handles() {
        let c = sample();
        assert!(c.sample, "the bundled catalogue is marked as sample data");
        assert!(
            c.matters.len() >= 20,
            "at least 20 matters, got {}",
            c.matters.len()
        );
        let depts: HashSet<_> = c.matters.iter().map(|m| m.department.as_str()).collect();
        assert!(
            depts.len() >= 6,
            "at least 6 departments, got {}",
            depts.len()
        );
        assert!(c.matters.iter().any(|m| m.case_kind == CaseKind::Instant));
        assert!(c.matters.iter().any(|m| m.case_kind == CaseKind::Promised));
        assert!(
            c.matters.iter().any(|m| m.fee.charged()),
            "some matter charges a fee"
        );
        assert!(c
            .matters
            .iter()
            .any(|m| m.materials.iter().any(|x| x.may_be_missing)));
        for name in [
            "食品经营许可",
            "个体工商户设立登记",
            "建筑工程施工许可证核发",
            "道路货物运输经营许可",
            "药品零售企业经营许可",
            "社会团体成立登记",
        ] {
            assert!(
                c.matters.iter().any(|m| m.name == name),
                "{name} is in the sample"
            );
        }
    }

    #[test]
    fn search_matches_name_and_code() {
        let c = sample();
        let food: Vec<_> = c.search("食品").iter().map(|m| m.name.as_str()).collect();
        assert_eq!(food, ["食品经营许可"]);
        let code = &c.matters[3].code;
        assert_eq!(c.search(&code.to_lowercase()).len(), 1);
        assert_eq!(c.search("  ").len(), c.matters.len());
        assert!(c.search("不存在的事项").is_empty());
    }

    #[test]
    fn pinyin_search_by_initials_and_full_pinyin() {
        let c = sample();
        let names = |q: &str| {
            c.search(q)
                .iter()
                .map(|m| m.name.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(names("spjyxk"), ["食品经营许可"]);
        assert_eq!(names("SPJY"), ["食品经营许可"]);
        assert_eq!(names("yyzz"), ["营业执照遗失补领"]);
        assert_eq!(names("shipin"), ["食品经营许可"]);
        assert_eq!(names("shi pin jing"), ["食品经营许可"]);
        assert!(names("gtgsh").contains(&"个体工商户设立登记"));
        // 行 reads hang or xing: both find 旅行社.
        assert_eq!(names("lxs"), ["旅行社业务经营许可"]);
        assert_eq!(names("lvxingshe").len() + names("luxingshe").len(), 1);
        assert!(names("qqqqzz").is_empty());
    }

    fn broken(edit: impl FnOnce(&mut serde_json::Value)) -> CatalogueError {
        let mut v: serde_json::Value = serde_json::from_str(SAMPLE_CATALOGUE_JSON).unwrap();
        edit(&mut v);
        Catalogue::parse(&v.to_string()).unwrap_err()
    }

    #[test]
    fn checks_name_the_rule_that_failed() {
        type Edit = Box<dyn FnOnce(&mut serde_json::Value)>;
        let cases: Vec<(&str, Edit)> = vec![
            (
                "format 2 is not supported",
                Box::new(|v| v["format"] = 2.into()),
            ),
            (
                "promised limit exceeds the statutory limit",
                Box::new(|v| v["matters"][0]["promised_limit"]["value"] = 99.into()),
            ),
            (
                "department is not in the catalogue",
                Box::new(|v| v["matters"][0]["department"] = "X".into()),
            ),
            (
                "not a valid unified social credit code",
                Box::new(|v| v["departments"][0]["code"] = "91530502MA6K2R8L32".into()),
            ),
            (
                "review_body is empty",
                Box::new(|v| v["departments"][0]["review_body"] = " ".into()),
            ),
            (
                "marked 容缺 but is not required",
                Box::new(|v| {
                    v["matters"][0]["materials"][0]["required"] = false.into();
                    v["matters"][0]["materials"][0]["may_be_missing"] = true.into();
                }),
            ),
            (
                "needs its legal basis",
                Box::new(|v| {
                    let m = v["matters"]
                        .as_array_mut()
                        .unwrap()
                        .iter_mut()
                        .find(|m| !m["fee"]["items"].as_array().unwrap().is_empty())
                        .unwrap();
                    m["fee"]["items"][0]["basis"] = "".into();
                }),
            ),
            (
                "implementation code appears twice",
                Box::new(|v| {
                    let c = v["matters"][0]["code"].clone();
                    v["matters"][1]["code"] = c;
                }),
            ),
            (
                "unknown field",
                Box::new(|v| v["matters"][0]["colour"] = "red".into()),
            ),
        ];
        for (want, edit) in cases {
            let err = broken(edit).to_string();
            assert!(err.contains(want), "expected {want:?} in {err:?}");
        }
    }
}
