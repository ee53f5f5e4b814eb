//! Scans attached to a case (sync-protocol §11): which files a window
//! takes, told by their bytes, never by their name.

use crate::intake::FieldError;

/// The largest scan a window takes (a multi-page colour PDF fits).
pub const MAX_BYTES: u64 = 100 * 1024 * 1024;

/// A file type a window takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Jpeg,
    Png,
}

impl Kind {
    pub fn mime(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
        }
    }

    pub fn from_mime(m: &str) -> Option<Kind> {
        [Kind::Pdf, Kind::Jpeg, Kind::Png]
            .into_iter()
            .find(|k| k.mime() == m)
    }
}

/// The type of a file from its first bytes (at least 8 of them).
pub fn sniff(head: &[u8]) -> Option<Kind> {
    if head.starts_with(b"%PDF-") {
        Some(Kind::Pdf)
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Kind::Jpeg)
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(Kind::Png)
    } else {
        None
    }
}

/// Check a file about to be attached: its first bytes and its size.
pub fn check(head: &[u8], size: u64) -> Result<Kind, FieldError> {
    check_size(size)?;
    sniff(head).ok_or_else(|| FieldError {
        field: "attachment".into(),
        zh: "附件只能是 PDF、JPEG 或 PNG 扫描件（按文件内容判断，不看扩展名）".into(),
        en: "Only PDF, JPEG or PNG scans can be attached (judged by content, not the file name)"
            .into(),
    })
}

/// The size alone (checked before a byte of the file is read).
pub fn check_size(size: u64) -> Result<(), FieldError> {
    if size == 0 {
        return Err(FieldError {
            field: "attachment".into(),
            zh: "附件为空文件，请重新扫描".into(),
            en: "The file is empty; please scan again".into(),
        });
    }
    if size > MAX_BYTES {
        return Err(FieldError {
            field: "attachment".into(),
            zh: format!(
                "附件过大（{} MB），单个文件不超过 {} MB，请降低扫描分辨率或分页扫描",
                size.div_ceil(1024 * 1024),
                MAX_BYTES / 1024 / 1024
            ),
            en: format!(
                "The file is too large ({} MB); at most {} MB per file",
                size.div_ceil(1024 * 1024),
                MAX_BYTES / 1024 / 1024
            ),
        });
    }
    Ok(())
}

/// A lower-case hex SHA-256.
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_told_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n%"), Some(Kind::Pdf));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0]),
            Some(Kind::Jpeg)
        );
        assert_eq!(
            sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
            Some(Kind::Png)
        );
        assert_eq!(sniff(b"PK\x03\x04 docx"), None);
        assert_eq!(Kind::from_mime("image/png"), Some(Kind::Png));
    }

    #[test]
    fn empty_huge_and_foreign_files_are_refused_with_the_rule() {
        let e = check(b"", 0).unwrap_err();
        assert!(e.zh.contains("空文件"));
        let e = check(b"%PDF-1.4", MAX_BYTES + 1).unwrap_err();
        assert!(e.zh.contains("不超过 100 MB"), "{}", e.zh);
        let e = check(b"GIF89a..", 10).unwrap_err();
        assert_eq!(e.field, "attachment");
        assert!(e.en.contains("PDF, JPEG or PNG"));
        assert_eq!(check(b"%PDF-1.4", 10).unwrap(), Kind::Pdf);
    }

    #[test]
    fn sha256_hex_is_lower_case_and_64_long() {
        assert!(is_sha256_hex(&"ab".repeat(32)));
        assert!(!is_sha256_hex(&"AB".repeat(32)));
        assert!(!is_sha256_hex("abc"));
    }
}
