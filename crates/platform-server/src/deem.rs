//! 视为受理 (行政许可法 art. 32 ¶1 (4), issue #14): an online application
//! that no window pre-reviewed within five working days of its submission
//! counts as accepted from the day it was submitted. The platform turns
//! such applications to `accepted` itself, with `deemed_accepted` (from,
//! on, basis) in the case data, as one change per case that every window
//! pulls: visible in the hall list, never silent. `serve` runs it every ten
//! minutes on the day in China Standard Time; `admin deem-accepted` runs it
//! on a given day (operations, tests).

use clerk_core::date::Date;
use serde_json::json;

use crate::db::{case_payload, log_change, CASE_COLS};
use crate::{ApiError, AppState};

/// The legal basis written into the case.
pub const BASIS: &str = "《中华人民共和国行政许可法》第三十二条第一款第（四）项";

/// Today in the halls' time zone (UTC+8).
pub fn today_cst() -> Date {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    Date::from_days_since_epoch((millis + 8 * 3_600_000).div_euclid(86_400_000))
}

/// Deem accepted every online application of every hall whose five working
/// days ran out before `today`. Returns their receipt numbers.
pub async fn deem_overdue(state: &AppState, today: Date) -> Result<Vec<String>, ApiError> {
    let mut c = state.pool.get().await?;
    let tx = c.transaction().await?;
    let calendar = crate::rules::calendar(&tx).await?;
    let rows = tx
        .query(
            "SELECT case_id, office_id, receipt_no, data->'case'->>'received_on', \
             ((created_at AT TIME ZONE 'Asia/Shanghai')::date)::text \
             FROM cases WHERE status = 'online_submitted' ORDER BY created_at FOR UPDATE",
            &[],
        )
        .await?;
    let mut deemed = Vec::new();
    for r in rows {
        let (case_id, office, receipt): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        let received = r
            .get::<_, Option<String>>(3)
            .or_else(|| r.get::<_, Option<String>>(4))
            .and_then(|d| Date::parse_iso(&d));
        let Some(received) = received else {
            continue;
        };
        let from = match clerk_core::lifecycle::deemed_accepted(
            received,
            today,
            &calendar,
            state.settings.start_day,
        ) {
            Ok(Some(from)) => from,
            Ok(None) => continue,
            Err(e) => {
                tracing::warn!(receipt = %receipt, error = %e, "deemed acceptance not worked out");
                continue;
            }
        };
        let note = json!({"from": from.to_string(), "on": today.to_string(), "basis": BASIS});
        let row = tx
            .query_one(
                &format!(
                    "UPDATE cases SET status = 'accepted', version = version + 1, \
                     data = jsonb_set(data, '{{deemed_accepted}}', $2) WHERE case_id = $1 RETURNING {CASE_COLS}"
                ),
                &[&case_id, &note],
            )
            .await?;
        let version: i64 = row.get("version");
        log_change(&tx, &office, "case", &case_id, version, &case_payload(&row)).await?;
        tracing::info!(receipt = %receipt, from = %from, "online application deemed accepted (art. 32)");
        deemed.push(receipt);
    }
    tx.commit().await?;
    Ok(deemed)
}
