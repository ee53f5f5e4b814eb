//! counter-sync v1 on the wire (../shared/sync-protocol.md): what Window
//! Clerk and the central platform send each other. Plain serde types, no
//! I/O; the `openapi` feature adds the schemas the reference server
//! publishes at `/openapi.json`.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The protocol version a push carries.
pub const PROTOCOL: u32 = 1;

/// Push batch limits (sync-protocol §3).
pub const MAX_BATCH: usize = 100;
pub const MAX_BATCH_BYTES: usize = 256 * 1024;

/// Error codes a response body carries next to its HTTP status (§3 table).
pub mod codes {
    pub const PUSH_IN_PROGRESS: &str = "push_in_progress";
    pub const GAP: &str = "gap";
    pub const REENROLL_REQUIRED: &str = "reenroll_required";
    pub const MUST_RESYNC: &str = "must_resync";
    pub const MALFORMED: &str = "malformed";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const FORBIDDEN: &str = "forbidden";
    pub const USER_DISABLED: &str = "user_disabled";
    pub const UPGRADE_REQUIRED: &str = "upgrade_required";
    pub const UNAVAILABLE: &str = "unavailable";
    pub const NOT_FOUND: &str = "not_found";
    pub const BAD_CODE: &str = "bad_enrolment_code";
    /// Too many wrong enrolment codes from one address (429).
    pub const THROTTLED: &str = "throttled";
    /// A user or device locked after failed sign-ins (429).
    pub const LOCKED: &str = "locked";
    /// The PC's audit chain does not continue the one the platform holds
    /// (409): a local audit row was edited or deleted.
    pub const AUDIT_CHAIN_BROKEN: &str = "audit_chain_broken";
    // Rejection codes in push results.
    pub const INVALID_STATE: &str = "INVALID_STATE";
    pub const DUPLICATE_ID: &str = "DUPLICATE_ID";
    pub const VALIDATION: &str = "VALIDATION";
    pub const UNKNOWN_TYPE: &str = "UNKNOWN_TYPE";
    /// A field changed meanwhile at another window: the platform's value stays.
    pub const CONFLICT: &str = "CONFLICT";
}

/// Every non-2xx answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ErrorBody {
    /// Machine-readable code (`gap`, `must_resync`, …).
    pub error: String,
    pub message: String,
    /// For `gap` and `reenroll_required`: where the server is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_applied_seq: Option<i64>,
}

// ---------------------------------------------------------------- enrolment

/// `POST /v1/devices/enroll`: online only, with a one-time code an admin
/// issued for a hall and window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EnrollRequest {
    pub code: String,
    /// The local database's id (a restored or copied file has another).
    pub db_instance_id: String,
    /// The highest receipt counter the device has used (provisional
    /// receipts printed before enrolment).
    pub max_receipt_counter: i64,
    pub app_version: String,
    /// The device codes this database has numbered receipts with before:
    /// its provisional one (from before any enrolment, starting with `0`)
    /// and any the platform issued it earlier. Its unsent receipts keep
    /// them; the platform accepts them from this device only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub former_codes: Vec<String>,
    /// The highest seq the platform has acknowledged to this database (a
    /// re-enrolment goes on from there, or from where the platform's
    /// record of the database ends, whichever is lower).
    #[serde(default)]
    pub pushed_through: i64,
    /// The last audit row the platform said it holds for this database.
    #[serde(default)]
    pub audit_acked: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EnrollResponse {
    pub device_id: String,
    /// 4 characters, Crockford base32, never reused.
    pub device_code: String,
    pub device_epoch: i64,
    pub office_id: String,
    pub office_name: String,
    pub window_code: String,
    /// The device credential (kept in the OS keyring).
    pub device_secret: String,
    /// The first receipt counter this enrolment may use.
    pub receipt_counter_floor: i64,
    pub server_time: String,
    /// A re-enrolment: the seq the platform's record of this database goes
    /// on from (0 for a first enrolment). Mutations after it that the
    /// platform applied before are answered from its ledger, not applied
    /// again.
    #[serde(default)]
    pub pushed_through: i64,
    /// The audit row the platform holds this database's chain through (the
    /// next push's audit segment starts after it).
    #[serde(default)]
    pub audit_head: i64,
}

/// `GET /v1/devices/me`: the server's view of this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DeviceInfo {
    pub device_id: String,
    pub device_code: String,
    pub device_epoch: i64,
    pub office_id: String,
    pub last_applied_seq: i64,
    pub max_receipt_counter: i64,
    /// Outbox depth the device reported on its last push.
    pub outbox_depth: i64,
}

// --------------------------------------------------------------------- auth

/// `POST /v1/auth/login`: a clerk's session on an enrolled device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LoginRequest {
    pub device_id: String,
    pub device_secret: String,
    pub user_id: String,
    pub password: String,
}

/// Characters of an enrolment code (Crockford base32, 5 bits each).
pub const ENROLMENT_CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// An enrolment code is 15 characters (75 bits from the OS random
/// generator), printed in three groups of five: `K7QMZ-4H2NP-XR8TB`.
pub const ENROLMENT_CODE_LEN: usize = 15;

/// An enrolment code as an IT admin reads it out: 15 letters or digits in
/// three groups (case, spaces and dashes do not matter; O is read as 0 and
/// I, L as 1). Returns it normalised, or the rule in Chinese and English.
/// The window checks it before sending; the platform makes codes of this
/// shape and reads them the same way.
pub fn enrolment_code(input: &str) -> Result<String, (&'static str, &'static str)> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    if code.len() == ENROLMENT_CODE_LEN
        && code.bytes().all(|b| ENROLMENT_CODE_ALPHABET.contains(&b))
    {
        Ok(code)
    } else {
        Err((
            "登记码有误：应为 15 位字母或数字（三组，每组 5 位）",
            "Enrolment code: 15 letters or digits (three groups of five)",
        ))
    }
}

#[cfg(test)]
mod enrolment_code_format {
    #[test]
    fn codes_are_fifteen_characters_read_out_loosely() {
        assert_eq!(
            super::enrolment_code(" k7qmz-4h2np-xr8tb "),
            Ok("K7QMZ4H2NPXR8TB".into())
        );
        assert_eq!(
            super::enrolment_code("K7QMO 4H2NI XR8TL"),
            Ok("K7QM04H2N1XR8T1".into()),
            "O, I and L read as 0 and 1"
        );
        assert!(super::enrolment_code("K7QMZ-4H2NP-XR8T").is_err());
        assert!(super::enrolment_code("K7QMZ-4H2NP-XR8TU").is_err(), "no U");
        assert!(super::enrolment_code("K7QM2X4P").is_err(), "the old 8");
    }
}

/// `POST /v1/auth/refresh`: rotation; the old token is spent, except within
/// the grace window, where it returns the same successor (§9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token lives.
    pub expires_in: u64,
    pub user_id: String,
    pub server_time: String,
    /// The user's name as notices print it (经办人).
    #[serde(default)]
    pub display_name: String,
    /// `clerk`, `supervisor`, `admin`, `auditor`.
    #[serde(default)]
    pub roles: Vec<String>,
    /// How long after this sign-in the window may let the user sign in
    /// offline on this PC.
    #[serde(default)]
    pub offline_valid_secs: i64,
}

/// `GET /v1/users`: the users of the caller's office, so a window refuses a
/// disabled user (or a removed role) offline from its next sync on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OfficeUser {
    pub user_id: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub disabled: bool,
}

/// `POST /v1/admin/users/{user_id}/disabled`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SetDisabled {
    pub disabled: bool,
}

// --------------------------------------------------------------------- push

/// `POST /v1/sync/push`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushRequest {
    pub protocol: u32,
    pub device_id: String,
    pub device_epoch: i64,
    pub db_instance_id: String,
    pub app_version: String,
    /// Pending mutations on the device (shown to admins before a device is
    /// decommissioned).
    #[serde(default)]
    pub outbox_depth: i64,
    pub mutations: Vec<Mutation>,
    /// The audit rows the platform has not acknowledged (issue #13).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit: Option<AuditChain>,
}

/// A run of the PC's audit chain: the rows after `after`, as digests (the
/// platform never sees the rows), and the link the PC holds for `after`.
/// The platform checks that `prev_link` is the link it holds for `after`
/// and that the rows follow on one by one, then keeps their links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditChain {
    /// The last row the PC believes the platform holds (0: none).
    pub after: i64,
    /// Hex SM3 link of row `after` (64 zeros for 0).
    pub prev_link: String,
    /// At most [`MAX_AUDIT_ROWS`], ids `after + 1`, `after + 2`, …
    pub rows: Vec<AuditRow>,
}

/// One audit row as the chain carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditRow {
    pub id: i64,
    /// Hex SM3 of the row's canonical bytes.
    pub digest: String,
}

/// Audit rows per push.
pub const MAX_AUDIT_ROWS: usize = 1000;

/// One clerk action, as written to the outbox in the same transaction as
/// the local change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Mutation {
    /// Per device, gapless from 1: order and dedup key.
    pub seq: i64,
    /// UUIDv7, for logs and the ledger.
    pub id: String,
    /// `case.create`, …
    #[serde(rename = "type")]
    pub kind: String,
    pub type_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_version: Option<i64>,
    pub actor_user_id: String,
    /// Raw local time with its offset.
    pub wall_time: String,
    pub hlc: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResultStatus {
    Applied,
    /// Permanent (invalid in the current state, failed validation); the
    /// seq still advances so the queue never wedges.
    Rejected,
    Conflict,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MutationResult {
    pub seq: i64,
    pub status: ResultStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The same reason in Chinese, for the clerk (when the platform has
    /// it: the rules' own words for a re-check that failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_zh: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PushResponse {
    pub last_applied_seq: i64,
    pub results: Vec<MutationResult>,
    pub server_time: String,
    /// The last audit row of this PC the platform holds, when the push
    /// carried its chain: the next push's `after`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_head: Option<i64>,
}

// --------------------------------------------------------------------- pull

/// One entry of the server's change log, in the device's office scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Change {
    pub change_seq: i64,
    /// `case`
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub version: i64,
    /// `put` or `delete`
    pub op: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// `GET /v1/sync/pull?cursor=&limit=` and `GET /v1/sync/snapshot?cursor=`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Opaque; saved in the same transaction as the changes.
    pub next_cursor: String,
    pub has_more: bool,
    /// This device's last applied seq, on the last page only, read in the
    /// same snapshot as the page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_seq: Option<i64>,
    /// The catalogue version in effect.
    pub catalogue_current: u32,
    pub server_time: String,
}

// ---------------------------------------------------------------- catalogue

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CatalogueVersionInfo {
    pub version: u32,
    pub published_at: String,
    pub effective_from: String,
    pub withdrawn: bool,
    /// Hex SHA-256 of the body served at `/v1/catalogue/versions/{v}`.
    pub sha256: String,
    pub size: i64,
}

/// `GET /v1/catalogue/manifest`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CatalogueManifest {
    pub current: u32,
    pub versions: Vec<CatalogueVersionInfo>,
}

// ----------------------------------------------------------------- calendar

/// One year of the State Council's holiday schedule as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CalendarYearInfo {
    pub year: i32,
    /// Rises with each correction; the client keeps the highest.
    pub revision: i64,
    /// Hex SHA-256 of the body served at `/v1/calendar/years/{year}`.
    pub sha256: String,
    pub size: i64,
    /// The notice the schedule comes from.
    pub source: String,
    pub published_at: String,
}

/// `GET /v1/calendar/manifest`: the newest revision of each published year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CalendarManifest {
    pub years: Vec<CalendarYearInfo>,
}

// ------------------------------------------------- the platform's own side

/// `POST /v1/admin/enrolment-codes`: a one-time code binding a PC to a
/// hall and window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewEnrolmentCode {
    pub office_id: String,
    pub window_code: String,
    /// A PC enrolled to another hall may be moved here with this code (an
    /// explicit, audited admin step); without it such a PC is refused.
    #[serde(default)]
    pub allow_move: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EnrolmentCode {
    pub code: String,
    pub expires_at: String,
}

/// `POST /v1/admin/users`: a clerk who may log in at the office's windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewUser {
    pub user_id: String,
    pub name: String,
    pub office_id: String,
    pub password: String,
    /// Default: `["clerk"]`.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// What a department does at its node of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NodeAction {
    Approve,
    /// 退回补正: back to the window for supplement.
    Return,
    Refuse,
}

/// `POST /v1/admin/cases/{case_id}/nodes`: a department's decision. A
/// parallel-approval case (并联审批) completes when every department has
/// approved; one refusal refuses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NodeDecision {
    pub department: String,
    pub action: NodeAction,
    #[serde(default)]
    pub note: String,
}

/// `POST /v1/admin/cases/{case_id}/route`: the departments of a parallel
/// approval (the case's own department when absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Route {
    pub departments: Vec<String>,
}

/// `POST /v1/admin/online-applications`: 网上申报 for a hall; it appears in
/// that hall's queue for pre-review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OnlineApplication {
    pub office_id: String,
    pub matter_code: String,
    pub matter_version: u32,
    pub matter_name: String,
    pub applicant_name: String,
    pub applicant_id_no: String,
    pub applicant_phone: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub form: serde_json::Value,
    /// The day it was submitted (`YYYY-MM-DD`, China Standard Time; today
    /// when absent): the art. 32 five working days count from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CaseRef {
    pub case_id: String,
    pub receipt_no: String,
    pub version: i64,
    pub status: String,
}

/// `POST /v1/admin/catalogue/versions`: publish a new version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PublishCatalogue {
    pub effective_from: String,
    /// The catalogue document (the same JSON the client bundles).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub body: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mutation_reads_as_the_protocol_writes_it() {
        let m: Mutation = serde_json::from_value(serde_json::json!({
            "seq": 42, "id": "0190", "type": "case.create", "type_version": 1,
            "case_id": "c1", "actor_user_id": "u-17",
            "wall_time": "2025-03-02T09:14:03+08:00", "hlc": "1-0",
            "payload": {"receipt_no": "3201-K7QM-000123-X"}
        }))
        .unwrap();
        assert_eq!(m.kind, "case.create");
        assert_eq!(m.base_version, None);
        let back = serde_json::to_value(&m).unwrap();
        assert_eq!(back["type"], "case.create");
        assert!(back.get("base_version").is_none());
        let r: MutationResult = serde_json::from_str(
            r#"{"seq":44,"status":"rejected","code":"INVALID_STATE","message":"…"}"#,
        )
        .unwrap();
        assert_eq!(r.status, ResultStatus::Rejected);
    }
}

// ---------------------------------------------------------------- attachments

/// The resumable upload lane (sync-protocol §11): tus 1.0 core with the
/// creation, checksum, expiration and termination extensions.
/// The pull cursor (sync-protocol §4): opaque to the window,
/// `base64(c1:<log_epoch>:<change_seq>:<office>)` on the platform.
pub mod cursor {
    use base64::Engine;

    fn b64() -> base64::engine::GeneralPurpose {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
    }

    pub fn make(epoch: &str, seq: i64, office: &str) -> String {
        b64().encode(format!("c1:{epoch}:{seq}:{office}"))
    }

    /// (log epoch, change seq, office), or `None` for anything else.
    pub fn parse(c: &str) -> Option<(String, i64, String)> {
        let raw = String::from_utf8(b64().decode(c).ok()?).ok()?;
        let mut it = raw.splitn(4, ':');
        if it.next()? != "c1" {
            return None;
        }
        Some((
            it.next()?.to_owned(),
            it.next()?.parse().ok()?,
            it.next()?.to_owned(),
        ))
    }
}

pub mod tus {
    /// `bytes=a-b`, `bytes=a-` or `bytes=-n` within `size`: the inclusive
    /// byte range, or `None` (416).
    pub fn parse_range(v: &str, size: u64) -> Option<(u64, u64)> {
        let r = v.strip_prefix("bytes=")?;
        if r.contains(',') {
            return None;
        }
        let (a, b) = r.split_once('-')?;
        let (start, end) = match (a.trim(), b.trim()) {
            ("", n) => {
                let n: u64 = n.parse().ok()?;
                (size.checked_sub(n.min(size))?, size.checked_sub(1)?)
            }
            (a, "") => (a.parse().ok()?, size.checked_sub(1)?),
            (a, b) => (
                a.parse().ok()?,
                b.parse::<u64>().ok()?.min(size.checked_sub(1)?),
            ),
        };
        (start <= end && end < size).then_some((start, end))
    }

    pub const VERSION: &str = "1.0.0";
    pub const EXTENSIONS: &str = "creation,checksum,expiration,termination";
    pub const CHECKSUM_ALGORITHMS: &str = "sha256";
    pub const OFFSET_CONTENT_TYPE: &str = "application/offset+octet-stream";
    /// The checksum of a PATCH body did not match (`Upload-Checksum`).
    pub const CHECKSUM_MISMATCH: u16 = 460;
    /// Largest PATCH body the platform takes.
    pub const MAX_CHUNK: usize = 8 * 1024 * 1024;
    /// Days an unfinished upload is kept.
    pub const EXPIRES_DAYS: i64 = 7;
}

/// Payload of `case.attach` v1: metadata first, the bytes go through the
/// upload lane; the platform keeps the reference as `pending_blob` until
/// the blob is stored (add-wins set keyed by `(sha256, role)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttachPayload {
    /// Lower-case hex SHA-256 of the whole file.
    pub sha256: String,
    pub size: i64,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub mime: String,
    /// Which material the scan is (the catalogue's material id), or `other`.
    pub role: String,
}

/// An attachment as a case's payload lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AttachmentInfo {
    pub sha256: String,
    pub role: String,
    pub mime: String,
    pub size: i64,
    /// `pending_blob` until the platform holds the bytes, then `stored`.
    pub state: String,
}

// ---------------------------------------------------------------- field edits

/// One field changed at a window: what the window saw, what it wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FieldChange {
    /// Dotted path in the case (`applicant.phone`).
    pub field: String,
    /// The value the window changed from (None: it had none).
    pub old: Option<String>,
    pub new: String,
}

/// Payload of `case.update_fields` v1 (sync-protocol §6): field-level
/// optimistic. A field nobody else changed takes the new value; a field
/// changed meanwhile to something else keeps the platform's value, and
/// the window's value is kept as a conflict for a person to resolve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UpdateFieldsPayload {
    pub changes: Vec<FieldChange>,
}

/// A field two windows changed differently, as a case's payload lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FieldConflict {
    pub field: String,
    /// The value the platform kept.
    pub platform_value: Option<String>,
    /// The value the later window wanted.
    pub window_value: String,
    /// The window whose value was not applied.
    pub window: String,
    pub at: String,
}
