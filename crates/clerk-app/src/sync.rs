//! Sync with the platform: status, enrolment, sync now, and the outbox
//! as the sync panel shows it.

use crate::errors::*;
use crate::shell::mode;
use crate::state::AppCore;
use clerk_ipc::{CmdError, ErrorKind, MutationKind, OutboxItem, SyncStatus, Text};

pub async fn sync_status(core: &AppCore) -> CmdResult<SyncStatus> {
    core.user("sync_status")?;
    let store = core.store().await?;
    let sync = core.sync().await;
    // Also where a year that arrived by sync is noticed (and its cases'
    // dates worked out again): the status bar asks every few seconds.
    let calendar = core.calendar().await;
    let reader = store.clone();
    let (q, unseen) = blocking(move || {
        let q = reader.queue_state().map_err(storage)?;
        let moves = reader.deadline_moves(1000).map_err(storage)?;
        Ok((q, moves.iter().filter(|m| !m.seen).count() as u32))
    })
    .await?;
    let oldest_unsent_secs = q.oldest_pending.as_deref().and_then(|t| {
        let now = clerk_store::time::now_millis();
        clerk_store::time::parse_iso_millis(t).map(|then| ((now - then).max(0) / 1000) as u32)
    });
    let (online, enrolled, needs_login, problem) = match &sync {
        Some(h) => {
            let w = h.worker.state();
            (
                w.online,
                h.client.enrolled(),
                w.paused_for_login,
                w.last_error_zh
                    .zip(w.last_error)
                    .map(|(zh, en)| Text { zh, en }),
            )
        }
        None => (false, false, false, None),
    };
    let progress = sync.as_ref().and_then(|h| h.client.progress());
    Ok(SyncStatus {
        online,
        mode: mode(core),
        unsent: q.pending as u32,
        oldest_unsent_secs,
        rejected: q.rejected as u32,
        enrolled,
        needs_login,
        problem,
        progress_done: progress.map(|p| p.0 as u32),
        progress_total: progress.map(|p| p.1 as u32),
        calendar_missing_year: calendar.missing_schedule(core.today()),
        deadline_moves_unseen: unseen,
    })
}

async fn sync_handle(core: &AppCore) -> Result<std::sync::Arc<crate::state::SyncHandle>, CmdError> {
    core.sync().await.ok_or_else(|| {
        CmdError::new(
            ErrorKind::Config,
            "本机为单机模式：配置文件未填写平台服务器（[platform] server_url）",
            "Standalone: no platform server in the config ([platform] server_url)",
        )
    })
}

/// Enrol this PC with a one-time code from the platform's administrator.
pub async fn enroll_device(core: &AppCore, code: String) -> CmdResult<String> {
    let me = core.user("enroll_device")?;
    let code = platform_api::enrolment_code(&code)
        .map_err(|(zh, en)| CmdError::new(ErrorKind::Validation, zh, en).on_field("code"))?;
    let h = sync_handle(core).await?;
    let r = h
        .client
        .enroll(&code, &core.actor_of(&me))
        .await
        .map_err(sync_error)?;
    h.worker.poke_all();
    Ok(r.device_code)
}

/// Sync now (push everything, then pull), and say how it went.
pub async fn sync_now(core: &AppCore) -> CmdResult<SyncStatus> {
    core.user("sync_now")?;
    let h = sync_handle(core).await?;
    let r = h.client.sync_now().await.map(|_| ());
    h.worker.note(r.as_ref().map(|_| ()));
    r.map_err(sync_error)?;
    sync_status(core).await
}

/// The outbox for the sync panel: every item with its state; refused ones
/// show the platform's reason.
pub async fn outbox_items(core: &AppCore) -> CmdResult<Vec<OutboxItem>> {
    core.user("outbox_items")?;
    let store = core.store().await?;
    let rows = blocking(move || store.outbox_entries(200).map_err(storage)).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            use clerk_ipc::OutboxState as S;
            let state = match (r.requeued_as, r.state.as_str()) {
                (Some(_), _) => S::Requeued,
                (None, "pending") => S::Pending,
                (None, "acked") => S::Acked,
                (None, "rejected") => S::Rejected,
                (None, _) => S::Conflict,
            };
            let result: Option<serde_json::Value> = r
                .result
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok());
            let refused = result.as_ref().and_then(|v| {
                let en = v["message"].as_str()?.to_owned();
                let zh = v["message_zh"]
                    .as_str()
                    .map(|zh| format!("平台的理由：{zh}"))
                    .unwrap_or_else(|| format!("平台的理由：{en}"));
                Some((zh, en))
            });
            OutboxItem {
                kind_text: match clerk_core::mutation::MutationKind::parse(&r.kind) {
                    Some(k) => Text {
                        zh: k.zh().into(),
                        en: k.en().into(),
                    },
                    None => Text {
                        zh: "其他操作".into(),
                        en: format!("Other ({})", r.kind),
                    },
                },
                // A failed attempt's own text (HTTP, URLs) stays in the log
                // (the error contract); the platform's reason for a refusal
                // is shown.
                reason: match state {
                    S::Pending => r.last_error.as_ref().map(|_| Text {
                        zh: "上次发送未成功，将自动重试".into(),
                        en: "The last attempt did not go through; it is retried by itself".into(),
                    }),
                    _ => refused.map(|(zh, en)| Text { zh, en }),
                },
                queued_at: clerk_store::time::local_datetime(&r.wall_time).unwrap_or(r.wall_time),
                seq: r.seq,
                kind: MutationKind::from_code(&r.kind),
                receipt_no: r.receipt_no,
                state,
                attempts: r.attempts,
            }
        })
        .collect())
}

/// Put a refused item back in the queue (after the cause was fixed).
pub async fn retry_outbox_item(core: &AppCore, seq: i64) -> CmdResult<()> {
    let me = core.user("retry_outbox_item")?;
    let store = core.store().await?;
    let actor = core.actor_of(&me);
    let done = blocking(move || {
        store
            .retry_rejected(seq, &actor, clerk_store::time::now_millis())
            .map_err(storage)
    })
    .await?;
    if !done {
        return Err(CmdError::new(
            ErrorKind::Validation,
            "只有被平台退回的项目可以重试",
            "Only refused items can be retried",
        ));
    }
    if let Some(h) = core.sync().await {
        h.worker.poke_all();
    }
    Ok(())
}
