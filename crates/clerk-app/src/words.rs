//! Codes in words: what the UI shows for a status or a kind, in Chinese
//! and English, from clerk-core's vocabularies.

use clerk_ipc::Text;

/// A window case's status in words (clerk-core's `CaseStatus`); a status
/// only the platform has is said as the platform says it.
pub fn status_text(code: &str) -> Text {
    match clerk_core::case::CaseStatus::parse(code) {
        Some(s) => Text {
            zh: s.zh().into(),
            en: s.en().into(),
        },
        None => platform_status_text(code),
    }
}

/// A platform status in words; one this version does not know is shown
/// as it is.
pub fn platform_status_text(code: &str) -> Text {
    Text {
        zh: clerk_core::case::platform_status_zh(code).into(),
        en: clerk_core::case::platform_status_en(code).into(),
    }
}
