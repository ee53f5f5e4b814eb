use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stable, machine-readable error class. The UI may branch on it; the
/// spelling is part of the contract and is pinned by a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// Bad input; `field` names the field and the message names the rule.
    Validation,
    NotFound,
    /// Machine configuration is missing or wrong (for IT staff).
    Config,
    /// The local database could not be read or written.
    Storage,
    Network,
    /// Nobody is signed in (the sign-in screen shows).
    Unauthenticated,
    /// The screen is locked (idle, or 锁屏): unlock with the password.
    Locked,
    /// Signed in, but the role may not do this.
    Permission,
    Conflict,
    /// Anything unexpected. The message is generic; details are in the log.
    Internal,
}

/// The one error type every command returns.
///
/// Invariant: `message` and `message_en` are safe to show: they never carry
/// citizens' personal data or internal details (paths, SQL, stack traces).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CmdError {
    pub kind: ErrorKind,
    /// zh-CN message, shown by default.
    pub message: String,
    /// English message, shown when the UI language is English.
    pub message_en: String,
    /// The input field the error belongs to, when there is one.
    pub field: Option<String>,
}

impl CmdError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, message_en: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            message_en: message_en.into(),
            field: None,
        }
    }

    pub fn on_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The masked error for anything unexpected: the details go to the log,
    /// never to the UI.
    pub fn internal() -> Self {
        Self::new(
            ErrorKind::Internal,
            "系统内部错误，请稍后重试；如仍失败请联系信息科。",
            "Internal error. Please try again; if it keeps failing, contact IT.",
        )
    }
}

impl std::fmt::Display for CmdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message_en)
    }
}

impl std::error::Error for CmdError {}

#[cfg(test)]
mod tests {
    use super::*;
    use expect_test::expect;

    /// The JSON shape is a contract with the UI: pin it.
    #[test]
    fn error_json_shape_is_stable() {
        let e = CmdError::new(
            ErrorKind::Validation,
            "身份证号码校验位错误",
            "ID number check digit is wrong",
        )
        .on_field("applicant.id_no");
        expect![[r#"{"kind":"validation","message":"身份证号码校验位错误","message_en":"ID number check digit is wrong","field":"applicant.id_no"}"#]]
            .assert_eq(&serde_json::to_string(&e).unwrap());
        expect![[r#"{"kind":"internal","message":"系统内部错误，请稍后重试；如仍失败请联系信息科。","message_en":"Internal error. Please try again; if it keeps failing, contact IT.","field":null}"#]]
            .assert_eq(&serde_json::to_string(&CmdError::internal()).unwrap());
    }

    #[test]
    fn every_kind_has_a_stable_snake_case_name() {
        let kinds = [
            ErrorKind::Validation,
            ErrorKind::NotFound,
            ErrorKind::Config,
            ErrorKind::Storage,
            ErrorKind::Network,
            ErrorKind::Permission,
            ErrorKind::Conflict,
            ErrorKind::Internal,
        ];
        let names: Vec<String> = kinds
            .iter()
            .map(|k| serde_json::to_string(k).unwrap())
            .collect();
        expect![[r#"["\"validation\"", "\"not_found\"", "\"config\"", "\"storage\"", "\"network\"", "\"permission\"", "\"conflict\"", "\"internal\""]"#]]
            .assert_eq(&format!("{names:?}"));
    }
}
