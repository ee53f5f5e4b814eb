//! The kinds of mutation a window sends the platform (sync-protocol §3):
//! one vocabulary for the outbox, the platform's dispatch, the role check
//! and the sync panel.

use serde::{Deserialize, Serialize};

use crate::access::{Role, DESK};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MutationKind {
    /// 收件/受理: a case taken in at the window.
    #[serde(rename = "case.create")]
    CaseCreate,
    /// 网上申报预审受理: an online application accepted after pre-review.
    #[serde(rename = "case.accept_online")]
    CaseAcceptOnline,
    /// A scan attached to a case.
    #[serde(rename = "case.attach")]
    CaseAttach,
    /// Contact fields changed after intake (field-level merge).
    #[serde(rename = "case.update_fields")]
    CaseUpdateFields,
    /// The case after intake: supplements, termination, withdrawal,
    /// delivery (lifecycle.rs), re-applied by the platform.
    #[serde(rename = "case.progress")]
    CaseProgress,
}

impl MutationKind {
    pub const ALL: [MutationKind; 5] = [
        Self::CaseCreate,
        Self::CaseAcceptOnline,
        Self::CaseAttach,
        Self::CaseUpdateFields,
        Self::CaseProgress,
    ];

    /// The wire name (`type` of a pushed mutation).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CaseCreate => "case.create",
            Self::CaseAcceptOnline => "case.accept_online",
            Self::CaseAttach => "case.attach",
            Self::CaseUpdateFields => "case.update_fields",
            Self::CaseProgress => "case.progress",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::CaseCreate => "收件/受理",
            Self::CaseAcceptOnline => "网上申报预审受理",
            Self::CaseAttach => "添加扫描件",
            Self::CaseUpdateFields => "修改受理信息",
            Self::CaseProgress => "办件后续办理",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::CaseCreate => "Case taken in",
            Self::CaseAcceptOnline => "Online application accepted",
            Self::CaseAttach => "Scan attached",
            Self::CaseUpdateFields => "Intake fields changed",
            Self::CaseProgress => "Case progressed",
        }
    }

    /// Who may send it (the platform checks every mutation's actor).
    pub fn roles(self) -> &'static [Role] {
        match self {
            Self::CaseCreate
            | Self::CaseAcceptOnline
            | Self::CaseAttach
            | Self::CaseUpdateFields
            | Self::CaseProgress => DESK,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_parse() {
        for k in MutationKind::ALL {
            assert_eq!(MutationKind::parse(k.as_str()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::String(k.as_str().into())
            );
            assert!(!k.zh().is_empty() && !k.en().is_empty());
        }
        assert_eq!(MutationKind::parse("case.delete"), None);
    }
}
