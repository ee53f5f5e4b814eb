//! The error contract: every failure reaches the UI as a [`CmdError`]
//! with a Chinese and an English message that says what to do; an
//! internal error's own text (SQLite, HTTP, URLs, a server's message) goes
//! to the log under a reference the message shows ([`with_ref`]).

use clerk_ipc::{CmdError, ErrorKind};

pub type CmdResult<T> = Result<T, CmdError>;

/// A short reference that ties what the UI shows to the log line with the
/// details (the error contract: internal text — SQLite, HTTP, URLs, a
/// server's own message — goes to the log, never to the UI).
pub fn error_ref() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() ^ (d.as_secs() as u32))
        .unwrap_or(0);
    format!(
        "{:08X}",
        nanos.wrapping_mul(2_654_435_761) ^ N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A safe message for the UI, with the reference of the log line that
/// holds `detail`.
pub fn with_ref(kind: ErrorKind, zh: &str, en: &str, detail: &dyn std::fmt::Display) -> CmdError {
    let r = error_ref();
    tracing::error!(error_ref = %r, error = %detail, "{en}");
    CmdError::new(kind, format!("{zh}（编号 {r}）"), format!("{en} (ref {r})"))
}

pub fn sync_error(e: clerk_sync::SyncError) -> CmdError {
    use clerk_sync::SyncError as S;
    let kind = match e {
        S::Network(_) => ErrorKind::Network,
        S::LoginNeeded(_) => ErrorKind::Permission,
        _ => ErrorKind::Config,
    };
    let (zh, en): (String, &str) = match &e {
        // These say only what the clerk needs (no server text, no URL).
        S::Network(_) => (e.zh(), "The platform cannot be reached: working offline, synced when it is back"),
        S::LoginNeeded(_) => (e.zh(), "The sign-in has expired: sync is paused, everything is kept; sign in again online"),
        S::NotEnrolled => (e.zh(), "This PC is not enrolled with the platform"),
        S::Corrupt(_) => (e.zh(), "A download did not match its checksum: the old version is kept, retried later"),
        S::Server { status, .. } if *status == 429 || *status >= 500 => (
            e.zh(),
            "The platform is unavailable for now: retried later, everything is kept",
        ),
        S::Server { status: 426, .. } => (e.zh(), "This version is too old for the platform: please update"),
        S::Server { code, .. } if code == platform_api::codes::AUDIT_CHAIN_BROKEN => (
            e.zh(),
            "This PC's audit trail does not match what the platform holds: sync is paused, everything is kept; contact IT",
        ),
        S::Server { code, .. } if code == platform_api::codes::BAD_CODE => (
            "登记码无效、已用过或已过期：请向平台管理员重新申请".into(),
            "The enrolment code is unknown, used or expired: ask the platform's administrator for a new one",
        ),
        S::Server { status, .. } => (
            format!("平台拒绝了本次操作（{status}），数据均已保留；请联系信息科"),
            "The platform refused the call; everything is kept. Please contact IT",
        ),
        S::Store(_) => ("本地数据库读写失败，数据均已保留；请联系信息科".into(), "The local database could not be read or written; please contact IT"),
        S::Secrets(_) => ("系统密钥环不可用；请联系信息科".into(), "The system keyring is not available; please contact IT"),
        S::Refused(_) => (e.zh(), "The connection to the platform is not secure (not https://, or its certificate is not trusted): sync is paused, everything is kept; IT should check [platform] server_url and ca_bundle"),
    };
    with_ref(kind, &zh, en, &e)
}

/// Wire ⇄ domain for types whose JSON shapes are the same by design (both
/// sides pin them in tests).
pub fn convert<A: serde::Serialize, B: serde::de::DeserializeOwned>(a: &A) -> CmdResult<B> {
    serde_json::to_value(a)
        .and_then(serde_json::from_value)
        .map_err(|e| {
            tracing::error!(error = %e, "wire/domain shape mismatch");
            CmdError::internal()
        })
}

pub fn storage(e: clerk_store::StoreError) -> CmdError {
    if let clerk_store::StoreError::Invalid(f) = &e {
        return CmdError::new(ErrorKind::Validation, f.zh.clone(), f.en.clone()).on_field(&f.field);
    }
    let (zh, en) = match &e {
        clerk_store::StoreError::Receipt(r) => (
            format!("受理编号无法生成：{}", r.zh()),
            "No receipt number could be made",
        ),
        clerk_store::StoreError::Data(_) => (
            "本地数据有误，本次操作未完成；请联系信息科".to_owned(),
            "Local data could not be read; the action was not done. Please contact IT",
        ),
        _ => (
            "本地数据库读写失败，本次操作未保存，已填写的内容仍在草稿中".to_owned(),
            "The local database could not be written; nothing was saved, the form is kept as a draft",
        ),
    };
    with_ref(ErrorKind::Storage, &zh, en, &e)
}

/// Run blocking store work off the async runtime's worker threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        tracing::error!(error = %e, "blocking task failed");
        CmdError::internal()
    })?
}

pub fn print_error(e: &clerk_print::PrintError) -> CmdError {
    with_ref(ErrorKind::Validation, &e.zh(), &e.en(), e)
}

/// A search box's text: at most 100 characters.
pub fn search_text(query: &str) -> CmdResult<()> {
    if query.chars().count() > 100 {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "搜索内容过长：最多 100 个字符",
            "Search text too long: at most 100 characters",
        )
        .on_field("query"));
    }
    Ok(())
}

#[cfg(test)]
mod error_contract {
    use super::*;

    /// An internal error's text (SQLite, HTTP, URLs, the server's own
    /// message) never reaches the UI in either language; the UI gets a
    /// reference to the log line that has it.
    #[test]
    fn internal_text_stays_in_the_log_and_the_ui_gets_a_reference() {
        let cases = [
            sync_error(clerk_sync::SyncError::Network(
                "error sending request for url (http://10.0.0.5:8080/v1/sync/push)".into(),
            )),
            sync_error(clerk_sync::SyncError::Server {
                status: 403,
                code: "forbidden".into(),
                message: "the mutation's actor u2 is not the signed-in user u1".into(),
                retry_after: None,
                last_applied_seq: None,
            }),
            sync_error(clerk_sync::SyncError::Store(
                "database disk image is malformed".into(),
            )),
            storage(clerk_store::StoreError::Io(
                "database is locked: /home/clerk/.local/share/x/clerk.db".into(),
            )),
            storage(clerk_store::StoreError::Data(
                "expected value at line 1 column 1".into(),
            )),
        ];
        for e in cases {
            for text in [&e.message, &e.message_en] {
                for secret in [
                    "http",
                    "10.0.0.5",
                    "u2",
                    "malformed",
                    "disk",
                    "line 1",
                    "SQLITE",
                    "database is locked",
                ] {
                    assert!(!text.contains(secret), "{secret} in {text:?}");
                }
            }
            assert!(e.message.contains("（编号 "), "{}", e.message);
            assert!(e.message_en.contains("(ref "), "{}", e.message_en);
            let zh_ref = e
                .message
                .split("编号 ")
                .nth(1)
                .unwrap()
                .trim_end_matches('）');
            assert!(
                e.message_en.contains(zh_ref),
                "one reference in both languages"
            );
        }
        assert_ne!(error_ref(), error_ref());
    }
}
