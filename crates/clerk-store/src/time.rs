//! Wall-clock helpers. Correctness never depends on these (sync-protocol
//! §7); they stamp audit rows and give the local "today".

use std::time::{SystemTime, UNIX_EPOCH};

use clerk_core::date::Date;

/// China Standard Time, the offset the halls work in (no daylight saving).
pub const CST_OFFSET_MINUTES: i32 = 8 * 60;

pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `2026-11-24T12:34:56.789Z`
pub fn iso_utc(millis: i64) -> String {
    let secs = millis.div_euclid(1000);
    let ms = millis.rem_euclid(1000);
    let day = Date::from_days_since_epoch(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{day}T{:02}:{:02}:{:02}.{ms:03}Z",
        s / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// The local calendar date at `millis` for a fixed offset.
pub fn local_date(millis: i64, offset_minutes: i32) -> Date {
    let local = millis.div_euclid(1000) + i64::from(offset_minutes) * 60;
    Date::from_days_since_epoch(local.div_euclid(86_400))
}

/// `HH:MM` in China Standard Time for a stored UTC timestamp
/// (`2026-11-24T17:05:00.000Z` → `01:05`); None when it is not one.
pub fn local_hhmm(iso_utc: &str) -> Option<String> {
    let (h, m) = iso_utc.get(11..16)?.split_once(':')?;
    let minutes = h.parse::<i32>().ok()? * 60 + m.parse::<i32>().ok()? + CST_OFFSET_MINUTES;
    Some(format!(
        "{:02}:{:02}",
        minutes.rem_euclid(1440) / 60,
        minutes.rem_euclid(60)
    ))
}

/// Milliseconds since the epoch from `iso_utc`'s format.
pub fn parse_iso_millis(s: &str) -> Option<i64> {
    let day = Date::parse_iso(s.get(..10)?)?;
    let h: i64 = s.get(11..13)?.parse().ok()?;
    let m: i64 = s.get(14..16)?.parse().ok()?;
    let sec: i64 = s.get(17..19)?.parse().ok()?;
    let ms: i64 = s.get(20..23).and_then(|x| x.parse().ok()).unwrap_or(0);
    Some(((day.days_since_epoch() * 86_400 + h * 3600 + m * 60 + sec) * 1000) + ms)
}

/// `2026-03-02 09:14` in the hall's time from a stored UTC timestamp.
pub fn local_datetime(iso_utc: &str) -> Option<String> {
    let day = clerk_core::date::Date::parse_iso(iso_utc.get(..10)?)?;
    let (h, m) = iso_utc.get(11..16)?.split_once(':')?;
    let minutes = h.parse::<i32>().ok()? * 60 + m.parse::<i32>().ok()? + CST_OFFSET_MINUTES;
    let day = day.add_days(i64::from(minutes.div_euclid(1440)));
    Some(format!(
        "{day} {:02}:{:02}",
        minutes.rem_euclid(1440) / 60,
        minutes.rem_euclid(60)
    ))
}

/// Hybrid logical clock as text, `<13-digit millis>-<4-digit counter>`,
/// from its value (millis * 10000 + counter): sorts as text like the value.
/// The next one is `numbers::next_hlc_value`; SQL reads the text back in
/// `numbers::LAST_HLC`.
pub fn hlc_text(v: i64) -> String {
    format!("{:013}-{:04}", v / 10_000, v % 10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_utc(1_795_000_000_123), "2026-11-18T11:06:40.123Z");
        // 2026-11-24 17:00 UTC is already the 25th in Baoshan.
        let t = 1_795_539_600_000;
        assert_eq!(iso_utc(t), "2026-11-24T17:00:00.000Z");
        assert_eq!(local_date(t, CST_OFFSET_MINUTES).to_string(), "2026-11-25");
        assert_eq!(local_hhmm(&iso_utc(t)).as_deref(), Some("01:00"));
        assert_eq!(
            local_datetime("2026-03-01T17:05:00.000Z").as_deref(),
            Some("2026-03-02 01:05"),
            "after 16:00 UTC it is the next day in the hall"
        );
        assert_eq!(parse_iso_millis(&iso_utc(t)), Some(t));
        assert_eq!(
            local_datetime("2026-03-02T01:14:00.000Z").as_deref(),
            Some("2026-03-02 09:14")
        );
        assert_eq!(
            local_hhmm("2026-03-02T02:14:00.000Z").as_deref(),
            Some("10:14")
        );
        assert_eq!(local_hhmm("nonsense"), None);
    }

    #[test]
    fn hlc_text_sorts_like_its_value() {
        let values = [
            1_000 * 10_000,
            1_000 * 10_000 + 1,
            1_000 * 10_000 + 9_999,
            1_001 * 10_000,
            1_772_416_800_000 * 10_000,
        ];
        let texts: Vec<String> = values.iter().map(|&v| hlc_text(v)).collect();
        assert!(texts.windows(2).all(|w| w[0] < w[1]), "{texts:?}");
        assert_eq!(texts[4], "1772416800000-0000");
    }
}
