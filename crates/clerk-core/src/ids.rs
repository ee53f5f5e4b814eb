//! Identifier checks: citizen ID (GB 11643), unified social credit code
//! (GB 32100) and organisation code (GB 11714). Algorithms and test vectors:
//! domain.md §3. Each failure names the one rule that failed.

use std::fmt;

use crate::date::Date;

/// Why an identifier failed; each variant names one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    Length {
        expected: usize,
        found: usize,
    },
    /// The character at this 1-based position is not allowed there.
    Charset {
        position: usize,
    },
    CheckCharacter,
    /// USCC positions 3–8 (the registering authority's area code) must be digits.
    NumericArea,
    /// The birth date in a citizen ID does not exist (e.g. 30 February).
    ImpossibleDate,
    /// The birth date in a citizen ID lies after today.
    FutureDate,
    /// The number does not have the form of its document (passport,
    /// travel permit, the 2017 permanent-residence card).
    DocFormat {
        zh: &'static str,
        en: &'static str,
    },
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Length { expected, found } => {
                write!(f, "length must be {expected}, found {found}")
            }
            IdError::Charset { position } => write!(f, "character {position} is not allowed there"),
            IdError::CheckCharacter => write!(f, "check character is wrong"),
            IdError::NumericArea => write!(f, "positions 3–8 must be digits"),
            IdError::ImpossibleDate => write!(f, "the birth date does not exist"),
            IdError::FutureDate => write!(f, "the birth date is in the future"),
            IdError::DocFormat { en, .. } => write!(f, "{en}"),
        }
    }
}

impl IdError {
    /// The rule in Chinese, for the field error under the input.
    pub fn zh(&self) -> String {
        match self {
            IdError::Length { expected, found } => {
                format!("长度应为 {expected} 位，实际 {found} 位")
            }
            IdError::Charset { position } => format!("第 {position} 位字符不合规"),
            IdError::CheckCharacter => "校验位错误，请核对号码".into(),
            IdError::NumericArea => "第 3–8 位（登记管理机关行政区划码）应为数字".into(),
            IdError::ImpossibleDate => "出生日期不存在".into(),
            IdError::FutureDate => "出生日期晚于今天".into(),
            IdError::DocFormat { zh, .. } => (*zh).into(),
        }
    }
}

impl std::error::Error for IdError {}

/// The identity document a natural person shows (issue #14: Baoshan
/// borders Myanmar; travellers from Hong Kong, Macao and Taiwan apply too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdDocType {
    /// The 18-character number with the GB 11643 check: 居民身份证, 港澳台
    /// 居民居住证, 外国人永久居留身份证 (2023 edition).
    #[default]
    CitizenNumber,
    /// 护照, of any country.
    Passport,
    /// 港澳居民来往内地通行证.
    HkMacaoPermit,
    /// 台湾居民来往大陆通行证.
    TaiwanPermit,
    /// 外国人永久居留身份证, 2017 edition: 3 letters and 12 digits.
    ForeignPermanentResident2017,
}

impl IdDocType {
    pub fn zh(self) -> &'static str {
        match self {
            Self::CitizenNumber => "身份证件号码",
            Self::Passport => "护照号码",
            Self::HkMacaoPermit => "港澳居民来往内地通行证号码",
            Self::TaiwanPermit => "台湾居民来往大陆通行证号码",
            Self::ForeignPermanentResident2017 => "外国人永久居留身份证号码",
        }
    }
}

/// Check the number of an identity document of `kind`, normalised
/// (upper case, no spaces). Only the 18-character number has a public check
/// algorithm; the others are checked for their form [K: the current cards'
/// numbering — 港澳 H/M + 8 digits (+2 for a renewal count on older cards),
/// 台湾 8 digits, passports letters and digits up to the ICAO 9303 field;
/// the 2017 permanent-residence card per domain.md §3.1 [V]].
pub fn check_id_doc(kind: IdDocType, input: &str, today: Date) -> Result<String, IdError> {
    let v: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let all = |s: &str, f: fn(&u8) -> bool| s.bytes().all(|b| f(&b));
    if kind == IdDocType::CitizenNumber {
        return check_citizen_id(&v, today).map(|c| c.number);
    }
    let ok = v.is_ascii()
        && match kind {
            IdDocType::CitizenNumber => false,
            IdDocType::Passport => {
                (5..=17).contains(&v.len()) && all(&v, u8::is_ascii_alphanumeric)
            }
            IdDocType::HkMacaoPermit => {
                matches!(v.as_bytes().first(), Some(b'H' | b'M'))
                    && matches!(v.len(), 9 | 11)
                    && all(&v[1..], u8::is_ascii_digit)
            }
            IdDocType::TaiwanPermit => v.len() == 8 && all(&v, u8::is_ascii_digit),
            IdDocType::ForeignPermanentResident2017 => {
                v.len() == 15
                    && all(&v[..3], u8::is_ascii_uppercase)
                    && all(&v[3..], u8::is_ascii_digit)
            }
        };
    if ok {
        return Ok(v);
    }
    Err(IdError::DocFormat {
        zh: match kind {
            IdDocType::Passport => "护照号码应为 5–17 位字母或数字",
            IdDocType::HkMacaoPermit => {
                "港澳居民来往内地通行证号码应为 H 或 M 加 8 位（或 10 位）数字"
            }
            IdDocType::TaiwanPermit => "台湾居民来往大陆通行证号码应为 8 位数字",
            _ => "2017 版外国人永久居留身份证号码应为 3 位字母加 12 位数字",
        },
        en: match kind {
            IdDocType::Passport => "a passport number is 5–17 letters or digits",
            IdDocType::HkMacaoPermit => {
                "a Home Return Permit number is H or M and 8 (or 10) digits"
            }
            IdDocType::TaiwanPermit => "a Taiwan Compatriot Permit number is 8 digits",
            _ => "a 2017 permanent-residence card number is 3 letters and 12 digits",
        },
    })
}

#[cfg(test)]
mod doc_tests {
    use super::*;

    #[test]
    fn identity_documents_other_than_the_citizen_number() {
        let today = Date::parse_iso("2026-03-02").unwrap();
        use IdDocType as T;
        let rows: &[(T, &str, Option<&str>)] = &[
            (T::Passport, "e12345678", Some("E12345678")),
            (T::Passport, "MA 123 4567", Some("MA1234567")),
            (T::Passport, "AB12", None),
            (T::Passport, "E1234567-8", None),
            (T::HkMacaoPermit, "h12345678", Some("H12345678")),
            (T::HkMacaoPermit, "M1234567801", Some("M1234567801")),
            (T::HkMacaoPermit, "K12345678", None),
            (T::HkMacaoPermit, "H1234567", None),
            (T::TaiwanPermit, "12345678", Some("12345678")),
            (T::TaiwanPermit, "1234567A", None),
            (T::ForeignPermanentResident2017, "a中12345678901", None),
            (
                T::ForeignPermanentResident2017,
                "usa123456789012",
                Some("USA123456789012"),
            ),
            (T::ForeignPermanentResident2017, "US1234567890123", None),
            (
                T::CitizenNumber,
                "530502200503071231",
                Some("530502200503071231"),
            ),
            (T::CitizenNumber, "530502200503071232", None),
        ];
        for (kind, input, want) in rows {
            let got = check_id_doc(*kind, input, today);
            assert_eq!(got.as_deref().ok(), *want, "{kind:?} {input}: {got:?}");
            if let Err(e) = got {
                assert!(!e.zh().is_empty() && !e.to_string().is_empty());
            }
        }
    }
}

/// What kind of 18-character GB 11643-format number it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CitizenIdKind {
    /// 居民身份证
    ResidentId,
    /// 港澳台居民居住证 (address codes 810000 / 820000 / 830000)
    HkMacaoTaiwanPermit,
    /// 外国人永久居留身份证, 2023 edition (first digit 9)
    ForeignPermanentResident,
}

/// A checked citizen-ID-format number, normalised (upper-case X).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenId {
    pub number: String,
    pub kind: CitizenIdKind,
    pub birth_date: Date,
    /// GB 11643: the 17th digit is odd for male, even for female.
    pub male: bool,
}

const RIC_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RIC_CHECK: &[u8; 11] = b"10X98765432";

/// The GB 11643 check character (ISO 7064 MOD 11-2) of 17 digits.
pub fn citizen_id_check_char(body: &str) -> Option<char> {
    if body.len() != 17 || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = body
        .bytes()
        .zip(RIC_WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(RIC_CHECK[(sum % 11) as usize] as char)
}

/// Check a citizen identity number (also residence permits and the 2023
/// foreign permanent-residence card, which share the format). `today` comes
/// in as an argument: the core reads no clock.
///
/// The address code is not checked against a code list: numbers keep the
/// code of first registration, including abolished ones (domain.md §3.1).
pub fn check_citizen_id(input: &str, today: Date) -> Result<CitizenId, IdError> {
    let number = input.trim().to_ascii_uppercase();
    let chars: Vec<char> = number.chars().collect();
    if chars.len() != 18 {
        return Err(IdError::Length {
            expected: 18,
            found: chars.len(),
        });
    }
    if let Some(i) = chars[..17].iter().position(|c| !c.is_ascii_digit()) {
        return Err(IdError::Charset { position: i + 1 });
    }
    if !(chars[17].is_ascii_digit() || chars[17] == 'X') {
        return Err(IdError::Charset { position: 18 });
    }
    if citizen_id_check_char(&number[..17]) != Some(chars[17]) {
        return Err(IdError::CheckCharacter);
    }
    let birth_date = Date::new(
        number[6..10].parse().map_err(|_| IdError::ImpossibleDate)?,
        number[10..12]
            .parse()
            .map_err(|_| IdError::ImpossibleDate)?,
        number[12..14]
            .parse()
            .map_err(|_| IdError::ImpossibleDate)?,
    )
    .filter(|d| d.year() >= 1850)
    .ok_or(IdError::ImpossibleDate)?;
    if birth_date > today {
        return Err(IdError::FutureDate);
    }
    let kind = match &number[..2] {
        "81" | "82" | "83" => CitizenIdKind::HkMacaoTaiwanPermit,
        _ if number.starts_with('9') => CitizenIdKind::ForeignPermanentResident,
        _ => CitizenIdKind::ResidentId,
    };
    let male = (chars[16] as u8 - b'0') % 2 == 1;
    Ok(CitizenId {
        number,
        kind,
        birth_date,
        male,
    })
}

/// Convert a legacy 15-digit number (first-generation card) to 18 digits:
/// insert "19" before the year and add the check character. Only for
/// importing history; such cards are no longer valid documents.
pub fn upgrade_15_digit(old: &str) -> Option<String> {
    let old = old.trim();
    if old.len() != 15 || !old.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let body = format!("{}19{}", &old[..6], &old[6..]);
    let check = citizen_id_check_char(&body)?;
    Some(format!("{body}{check}"))
}

/// GB 32100 alphabet: digits and upper-case letters without I O Z S V.
const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Check a unified social credit code. Lower-case input is accepted and
/// compared upper-case (codes are always stored upper-case).
pub fn check_uscc(code: &str) -> Result<(), IdError> {
    let code = code.trim().to_ascii_uppercase();
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(IdError::Length {
            expected: 18,
            found: chars.len(),
        });
    }
    let mut values = [0u32; 18];
    for (i, c) in chars.iter().enumerate() {
        let v = USCC_ALPHABET.iter().position(|&a| a as char == *c);
        values[i] = v.ok_or(IdError::Charset { position: i + 1 })? as u32;
    }
    if !chars[2..8].iter().all(|c| c.is_ascii_digit()) {
        return Err(IdError::NumericArea);
    }
    // Weights 3^(i-1) mod 31.
    let mut w = 1u32;
    let mut sum = 0u32;
    for v in &values[..17] {
        sum += v * w;
        w = w * 3 % 31;
    }
    if values[17] != (31 - sum % 31) % 31 {
        return Err(IdError::CheckCharacter);
    }
    Ok(())
}

/// The organisation code embedded in a USCC (positions 9–17) passes its own
/// GB 11714 check. Only a soft warning when it does not (domain.md §3.2).
pub fn uscc_embedded_org_code_ok(uscc: &str) -> bool {
    let u = uscc.trim().to_ascii_uppercase();
    u.len() == 18 && u.is_ascii() && check_org_code(&u[8..17]).is_ok()
}

/// Check a GB 11714 organisation code: 8 characters `0-9A-Z` and a check
/// character, with or without the hyphen (`01512345-X`).
pub fn check_org_code(code: &str) -> Result<(), IdError> {
    let code: String = code
        .trim()
        .to_ascii_uppercase()
        .chars()
        .filter(|&c| c != '-')
        .collect();
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 9 {
        return Err(IdError::Length {
            expected: 9,
            found: chars.len(),
        });
    }
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let mut sum = 0;
    for (i, c) in chars[..8].iter().enumerate() {
        let v = c
            .to_digit(36)
            .filter(|_| c.is_ascii_alphanumeric())
            .ok_or(IdError::Charset { position: i + 1 })?;
        sum += v * W[i];
    }
    // C9 = 11 − (S mod 11); 10 → X, 11 → 0.
    let want = match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).unwrap_or('?'),
    };
    if chars[8] != want {
        return Err(IdError::CheckCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 11, 24).unwrap()
    }

    #[test]
    fn citizen_id_vectors_from_domain_guide() {
        use CitizenIdKind::*;
        let ok: &[(&str, CitizenIdKind, &str, bool)] = &[
            ("530502200503071231", ResidentId, "2005-03-07", true),
            ("53058120160824109X", ResidentId, "2016-08-24", true),
            ("53058120160824109x", ResidentId, "2016-08-24", true),
            (" 530502200503071231 ", ResidentId, "2005-03-07", true),
            (
                "810000199201150024",
                HkMacaoTaiwanPermit,
                "1992-01-15",
                false,
            ),
            // Pre-2000 Baoshan codes stay valid (stdnum's place/year rule is not copied).
            ("533001196508120426", ResidentId, "1965-08-12", false),
        ];
        for (input, kind, birth, male) in ok {
            let id = check_citizen_id(input, today()).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(
                (id.kind, id.birth_date.to_string().as_str(), id.male),
                (*kind, *birth, *male),
                "{input}"
            );
            assert!(!id.number.contains('x'));
        }
        let bad: &[(&str, IdError)] = &[
            ("530502200503071232", IdError::CheckCharacter),
            ("530502200502301234", IdError::ImpossibleDate),
            ("530502210001011238", IdError::FutureDate),
            (
                "53050220050307123",
                IdError::Length {
                    expected: 18,
                    found: 17,
                },
            ),
            (
                "5305022005030712311",
                IdError::Length {
                    expected: 18,
                    found: 19,
                },
            ),
            ("53050A200503071231", IdError::Charset { position: 6 }),
            ("53050220050307123Y", IdError::Charset { position: 18 }),
            (
                "５３０５０２２００５０３０７１２３１",
                IdError::Charset { position: 1 },
            ),
        ];
        for (input, want) in bad {
            assert_eq!(
                &check_citizen_id(input, today()).unwrap_err(),
                want,
                "{input}"
            );
        }
    }

    #[test]
    fn foreign_permanent_resident_card_2023_uses_the_same_check() {
        let body = "93330020000101001";
        let n = format!("{body}{}", citizen_id_check_char(body).unwrap());
        assert_eq!(
            check_citizen_id(&n, today()).unwrap().kind,
            CitizenIdKind::ForeignPermanentResident
        );
    }

    #[test]
    fn legacy_15_digit_numbers_upgrade() {
        assert_eq!(
            upgrade_15_digit("530502800101001").as_deref(),
            Some("530502198001010017")
        );
        assert_eq!(upgrade_15_digit("53050280010100"), None);
    }

    #[test]
    fn uscc_vectors_from_domain_guide() {
        let table: &[(&str, Result<(), IdError>)] = &[
            ("91530502MA6K2R8L31", Ok(())),
            ("91530502ma6k2r8l31", Ok(())),
            ("1153050001512345X2", Ok(())),
            ("91530502MA6K2R8L32", Err(IdError::CheckCharacter)),
            ("91530502MA6K2R8LI1", Err(IdError::Charset { position: 17 })),
            (
                "91530502MA6K2R8L3",
                Err(IdError::Length {
                    expected: 18,
                    found: 17,
                }),
            ),
            ("915305A2MA6K2R8L31", Err(IdError::NumericArea)),
        ];
        for (input, want) in table {
            assert_eq!(&check_uscc(input), want, "{input}");
        }
        assert!(uscc_embedded_org_code_ok("1153050001512345X2"));
        assert!(uscc_embedded_org_code_ok("91530502MA6K2R8L31"));
    }

    #[test]
    fn org_code_vectors_from_domain_guide() {
        assert_eq!(check_org_code("01512345-X"), Ok(()));
        assert_eq!(check_org_code("MA6K2R8L3"), Ok(()));
        assert_eq!(check_org_code("MA6K2R8L-4"), Err(IdError::CheckCharacter));
        assert_eq!(
            check_org_code("0151234"),
            Err(IdError::Length {
                expected: 9,
                found: 7
            })
        );
        assert_eq!(
            check_org_code("0151*345X"),
            Err(IdError::Charset { position: 5 })
        );
    }

    #[test]
    fn every_error_has_a_chinese_rule() {
        for e in [
            IdError::Length {
                expected: 18,
                found: 3,
            },
            IdError::Charset { position: 2 },
            IdError::CheckCharacter,
            IdError::NumericArea,
            IdError::ImpossibleDate,
            IdError::FutureDate,
        ] {
            assert!(!e.zh().is_empty() && !e.to_string().is_empty());
        }
    }
}

/// Masked ID number for lists and search results (domain.md §5.3): first
/// four and last four characters, the rest as `*`.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < 4 || i >= n - 4 { *c } else { '*' })
        .collect()
}

/// Masked phone: `138****1234`.
pub fn mask_phone(phone: &str) -> String {
    let d: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    if d.len() < 8 {
        return "*".repeat(d.len());
    }
    let n = d.len();
    d.iter()
        .enumerate()
        .map(|(i, c)| if i < 3 || i >= n - 4 { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod mask_tests {
    #[test]
    fn masks() {
        assert_eq!(super::mask_id("530502199001011231"), "5305**********1231");
        assert_eq!(super::mask_id("1234"), "****");
        assert_eq!(super::mask_phone("13808721234"), "138****1234");
        assert_eq!(super::mask_phone("0875-2123456"), "087****3456");
    }
}
