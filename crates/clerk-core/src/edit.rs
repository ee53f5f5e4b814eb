//! Field-level edits of a case after intake (sync-protocol §6): which
//! intake fields a window may still change, in which states, and how a
//! new value is checked. The same rules run at the window and on the
//! platform.

use crate::intake::{phone_ok, FieldError};

/// A field a window may change after intake: (path in the case, zh, en).
/// Name and ID number are not here: changing them is a correction, not
/// an edit (the receipt the citizen holds names them).
pub const EDITABLE: &[(&str, &str, &str)] = &[
    ("applicant.phone", "联系电话", "phone"),
    ("applicant.address", "联系地址", "address"),
    ("applicant.agent_name", "经办人姓名", "agent's name"),
];

/// The field's Chinese label.
pub fn label_zh(field: &str) -> Option<&'static str> {
    EDITABLE.iter().find(|f| f.0 == field).map(|f| f.1)
}

/// The field's English label.
pub fn label_en(field: &str) -> Option<&'static str> {
    EDITABLE.iter().find(|f| f.0 == field).map(|f| f.2)
}

/// A platform status in which a window may still edit the intake fields:
/// before department review, never after a decision.
pub fn editable_in(status: &str) -> bool {
    matches!(
        status,
        "received"
            | "accepted"
            | "accepted_with_gaps"
            | "supplement_requested"
            | "online_submitted"
    )
}

/// Check and normalise a new value for `field`.
pub fn normalise(field: &str, value: &str) -> Result<String, FieldError> {
    let err = |zh: String, en: String| FieldError {
        field: field.to_owned(),
        zh,
        en,
    };
    let Some((_, zh, en)) = EDITABLE.iter().find(|f| f.0 == field) else {
        return Err(err(
            "该项受理后不能修改（申请人名称、证件号码需办理更正）".into(),
            format!("{field} cannot be changed after intake (name and ID need a correction)"),
        ));
    };
    if !crate::intake::text_ok(value, false) {
        return Err(crate::intake::control_char_error(field));
    }
    let v = value.trim();
    match field {
        "applicant.phone" => {
            let p = v.replace(' ', "");
            if !phone_ok(&p) {
                return Err(err(
                    "联系电话应为 11 位手机号或带区号的固定电话".into(),
                    "The phone must be an 11-digit mobile or a landline with area code".into(),
                ));
            }
            Ok(p)
        }
        _ => {
            if v.is_empty() || v.chars().count() > 120 {
                return Err(err(
                    format!("{zh}不能为空，且不超过 120 个字"),
                    format!("The {en} must not be empty and at most 120 characters"),
                ));
            }
            Ok(v.to_owned())
        }
    }
}

/// Read a dotted field from a case as JSON (`applicant.phone`).
pub fn get<'a>(case: &'a serde_json::Value, field: &str) -> Option<&'a str> {
    field
        .split('.')
        .try_fold(case, |v, k| v.get(k))
        .and_then(|v| v.as_str())
}

/// Set a dotted field in a case as JSON.
pub fn set(case: &mut serde_json::Value, field: &str, value: &str) {
    let mut v = case;
    let parts: Vec<&str> = field.split('.').collect();
    for k in &parts[..parts.len() - 1] {
        if !v.get(*k).is_some_and(|x| x.is_object()) {
            v[*k] = serde_json::json!({});
        }
        v = &mut v[*k];
    }
    v[parts[parts.len() - 1]] = serde_json::Value::String(value.to_owned());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_contact_fields_are_editable_and_are_checked() {
        assert_eq!(
            normalise("applicant.phone", " 139 8750 0001 ").unwrap(),
            "13987500001"
        );
        assert!(normalise("applicant.phone", "12345")
            .unwrap_err()
            .zh
            .contains("11 位"));
        assert!(normalise("applicant.id_no", "x")
            .unwrap_err()
            .zh
            .contains("更正"));
        assert!(normalise("applicant.address", " ").is_err());
        assert_eq!(label_zh("applicant.address"), Some("联系地址"));
    }

    #[test]
    fn edits_stop_at_department_review() {
        assert!(editable_in("accepted"));
        assert!(!editable_in("in_review"));
        assert!(!editable_in("completed"));
    }

    #[test]
    fn dotted_fields_read_and_write() {
        let mut c = serde_json::json!({"applicant": {"phone": "1"}});
        assert_eq!(get(&c, "applicant.phone"), Some("1"));
        set(&mut c, "applicant.address", "保山");
        assert_eq!(get(&c, "applicant.address"), Some("保山"));
        assert_eq!(get(&c, "nope.x"), None);
    }
}
