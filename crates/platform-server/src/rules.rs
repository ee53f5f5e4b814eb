//! The rules the platform re-checks a window's commands with (issue #13):
//! clerk-core's own, on the catalogue versions and the working-day
//! calendar this platform published. Catalogue versions are immutable, so
//! a parsed version is kept; the calendar is read per batch (a correction
//! is a new revision and applies to the next batch).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use clerk_core::calendar::{WorkCalendar, YearSchedule};
use clerk_core::catalogue::Catalogue;

use crate::db::Cached;
use crate::ApiError;

/// Parsed catalogue versions (`None`: not published here, or unreadable).
#[derive(Default)]
pub struct Catalogues(Mutex<HashMap<i32, Option<Arc<Catalogue>>>>);

impl Catalogues {
    pub async fn get(
        &self,
        tx: &deadpool_postgres::Transaction<'_>,
        version: i32,
    ) -> Result<Option<Arc<Catalogue>>, ApiError> {
        if let Some(c) = self.0.lock().unwrap().get(&version) {
            return Ok(c.clone());
        }
        let row = tx
            .q_opt(
                "SELECT body FROM catalogue_versions WHERE version = $1",
                &[&version],
            )
            .await?;
        let Some(row) = row else {
            // Not cached: it may be published later.
            return Ok(None);
        };
        let body: Vec<u8> = row.get(0);
        let parsed = std::str::from_utf8(&body)
            .ok()
            .and_then(|t| Catalogue::parse(t).ok())
            .map(Arc::new);
        self.0.lock().unwrap().insert(version, parsed.clone());
        Ok(parsed)
    }
}

/// The working-day calendar as the windows get it: the bundled years, and
/// every year's latest published revision over them.
pub async fn calendar(tx: &deadpool_postgres::Transaction<'_>) -> Result<WorkCalendar, ApiError> {
    let rows = tx
        .query(
            "SELECT DISTINCT ON (year) body FROM calendar_years ORDER BY year, revision DESC",
            &[],
        )
        .await?;
    let mut cal = WorkCalendar::bundled();
    for r in rows {
        let body: Vec<u8> = r.get(0);
        if let Some(y) = std::str::from_utf8(&body)
            .ok()
            .and_then(|t| YearSchedule::parse(t).ok())
        {
            cal.add_year(y);
        }
    }
    Ok(cal)
}
