//! Receipt numbers that print offline and never change (sync-protocol §8).
//!
//! Format `{OFFICE}-{DEVICE}-{COUNTER}-{CHECK}`, e.g. `3201-K7QM-000123-H`:
//! the office code and the 4-character device code come from enrolment
//! (the device code is never reused), the counter never resets and lives in
//! the same database transaction as the case, and the check character is
//! ISO 7064 MOD 37-2 over the other characters, to catch a mistyped or
//! swapped character when a citizen quotes the number. No date in the
//! number: the date is printed next to it.

use std::fmt;

const ALPHABET: &[u8; 37] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";
/// Crockford base32 (no I, L, O, U): the device-code alphabet.
const CROCKFORD: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReceiptNo {
    office: String,
    device: String,
    counter: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("office code must be 1–8 upper-case letters or digits")]
    Office,
    #[error("device code must be 4 Crockford base32 characters")]
    Device,
    #[error("counter must be a number from 1")]
    Counter,
    #[error("a receipt number has four parts joined by '-'")]
    Shape,
    #[error("check character is wrong: the number was mistyped")]
    Check,
}

impl ReceiptError {
    pub fn zh(&self) -> &'static str {
        match self {
            ReceiptError::Office => "大厅代码应为 1–8 位大写字母或数字",
            ReceiptError::Device => "设备代码应为 4 位（Crockford base32）",
            ReceiptError::Counter => "流水号应为从 1 开始的数字",
            ReceiptError::Shape => "受理编号应由“-”连接的四段组成",
            ReceiptError::Check => "受理编号校验位不符，请核对是否输错",
        }
    }
}

/// ISO 7064 MOD 37-2 check character over `0-9A-Z`.
/// The receipt number's office part from a hall (office) code: upper-case
/// letters and digits, at most 8 (`530502-ZWZX` → `530502ZW`); `0000` when
/// nothing is left. The window and the platform derive it the same way.
pub fn office_code(hall: &str) -> String {
    let c: String = hall
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .take(8)
        .collect();
    if c.is_empty() {
        "0000".into()
    } else {
        c
    }
}

pub fn mod37_2(s: &str) -> Option<char> {
    let mut p: u32 = 0;
    for c in s.bytes() {
        let v = ALPHABET[..36].iter().position(|&a| a == c)? as u32;
        p = (p + v) * 2 % 37;
    }
    Some(ALPHABET[((38 - p) % 37) as usize] as char)
}

impl ReceiptNo {
    pub fn new(office: &str, device: &str, counter: u64) -> Result<Self, ReceiptError> {
        if office.is_empty()
            || office.len() > 8
            || !office
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
        {
            return Err(ReceiptError::Office);
        }
        if device.len() != 4 || !device.chars().all(|c| CROCKFORD.contains(c)) {
            return Err(ReceiptError::Device);
        }
        if counter == 0 {
            return Err(ReceiptError::Counter);
        }
        Ok(Self {
            office: office.to_owned(),
            device: device.to_owned(),
            counter,
        })
    }

    /// Parse a number as a citizen or clerk typed it (case and spaces forgiven).
    pub fn parse(s: &str) -> Result<Self, ReceiptError> {
        let s: String = s
            .trim()
            .to_ascii_uppercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let parts: Vec<&str> = s.split('-').collect();
        let [office, device, counter, check] = parts.as_slice() else {
            return Err(ReceiptError::Shape);
        };
        if counter.len() < 6 || !counter.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ReceiptError::Counter);
        }
        let n = Self::new(
            office,
            device,
            counter.parse().map_err(|_| ReceiptError::Counter)?,
        )?;
        if check.len() != 1 || n.check() != check.chars().next().unwrap_or(' ') {
            return Err(ReceiptError::Check);
        }
        Ok(n)
    }

    pub fn counter(&self) -> u64 {
        self.counter
    }

    /// The office part (`530502ZW`).
    pub fn office(&self) -> &str {
        &self.office
    }

    /// The device part: the code the platform issued, or the device's own
    /// provisional code (starting with `0`) from before its enrolment.
    pub fn device(&self) -> &str {
        &self.device
    }

    fn check(&self) -> char {
        mod37_2(&format!(
            "{}{}{:06}",
            self.office, self.device, self.counter
        ))
        .unwrap_or('*')
    }
}

impl fmt::Display for ReceiptNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:06}-{}",
            self.office,
            self.device,
            self.counter,
            self.check()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_back() {
        let n = ReceiptNo::new("3201", "K7QM", 123).unwrap();
        assert_eq!(n.to_string(), "3201-K7QM-000123-H");
        assert_eq!(ReceiptNo::parse(" 3201-k7qm-000123-h ").unwrap(), n);
        // The counter grows past six digits without a reset.
        let big = ReceiptNo::new("3201", "K7QM", 1_234_567).unwrap();
        assert_eq!(
            ReceiptNo::parse(&big.to_string()).unwrap().counter(),
            1_234_567
        );
    }

    #[test]
    fn bad_parts_name_their_rule() {
        assert_eq!(ReceiptNo::new("32-1", "K7QM", 1), Err(ReceiptError::Office));
        assert_eq!(
            ReceiptNo::new("3201", "K7QL", 1),
            Err(ReceiptError::Device),
            "L is not Crockford"
        );
        assert_eq!(
            ReceiptNo::new("3201", "K7QM", 0),
            Err(ReceiptError::Counter)
        );
        assert_eq!(
            ReceiptNo::parse("3201-K7QM-000123"),
            Err(ReceiptError::Shape)
        );
        assert_eq!(
            ReceiptNo::parse("3201-K7QM-000123-X"),
            Err(ReceiptError::Check)
        );
    }

    /// MOD 37-2 catches every single substitution and every swap of two
    /// adjacent different characters.
    #[test]
    fn every_single_typo_and_adjacent_swap_is_caught() {
        let good = ReceiptNo::new("3201", "K7QM", 4711).unwrap().to_string();
        let chars: Vec<char> = good.chars().collect();
        let symbols: Vec<char> = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".chars().collect();
        for i in 0..chars.len() - 1 {
            if chars[i] == '-' {
                continue;
            }
            for &c in &symbols {
                if c == chars[i] {
                    continue;
                }
                let mut t = chars.clone();
                t[i] = c;
                let typo: String = t.into_iter().collect();
                assert!(ReceiptNo::parse(&typo).is_err(), "{typo} accepted");
            }
            if chars[i + 1] != '-' && chars[i + 1] != chars[i] && i + 1 < chars.len() - 2 {
                let mut t = chars.clone();
                t.swap(i, i + 1);
                let swapped: String = t.into_iter().collect();
                assert!(ReceiptNo::parse(&swapped).is_err(), "{swapped} accepted");
            }
        }
    }
}
