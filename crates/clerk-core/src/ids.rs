//! Identifier checks: citizen ID (GB 11643), unified social credit code
//! (GB 32100) and organisation code (GB 11714). Algorithms and vectors:
//! domain.md §3.

use std::fmt;

/// Why an identifier failed; each variant names one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    Length { expected: usize, found: usize },
    Charset { position: usize },
    CheckCharacter,
    NumericArea,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdError::Length { expected, found } => write!(f, "length must be {expected}, found {found}"),
            IdError::Charset { position } => write!(f, "character {position} is not allowed"),
            IdError::CheckCharacter => write!(f, "check character is wrong"),
            IdError::NumericArea => write!(f, "positions 3–8 must be digits"),
        }
    }
}

impl std::error::Error for IdError {}

/// GB 32100 alphabet: digits and upper-case letters without I O Z S V.
const USCC_ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Check a unified social credit code (upper-case expected).
pub fn check_uscc(code: &str) -> Result<(), IdError> {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() != 18 {
        return Err(IdError::Length { expected: 18, found: chars.len() });
    }
    let mut values = [0u32; 18];
    for (i, c) in chars.iter().enumerate() {
        let v = USCC_ALPHABET.iter().position(|&a| a as char == *c);
        values[i] = v.ok_or(IdError::Charset { position: i + 1 })? as u32;
    }
    if !chars[2..8].iter().all(|c| c.is_ascii_digit()) {
        return Err(IdError::NumericArea);
    }
    // weights 3^(i-1) mod 31
    let mut w = 1u32;
    let mut sum = 0u32;
    for v in &values[..17] {
        sum += v * w;
        w = w * 3 % 31;
    }
    let check = (31 - sum % 31) % 31;
    if values[17] != check {
        return Err(IdError::CheckCharacter);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uscc_vectors_from_domain_guide() {
        let table: &[(&str, Result<(), IdError>)] = &[
            ("91530502MA6K2R8L31", Ok(())),
            ("1153050001512345X2", Ok(())),
            ("91530502MA6K2R8L32", Err(IdError::CheckCharacter)),
            ("91530502MA6K2R8LI1", Err(IdError::Charset { position: 17 })),
            ("91530502MA6K2R8L3", Err(IdError::Length { expected: 18, found: 17 })),
        ];
        for (input, want) in table {
            assert_eq!(&check_uscc(input), want, "{input}");
        }
    }
}
