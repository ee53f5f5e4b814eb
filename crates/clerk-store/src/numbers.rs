//! The numbers a clerk action hands out: the receipt counter, the outbox
//! `seq` and the hybrid logical clock. Each is "the last one used", read
//! from the rows that carry it, never below a floor kept in `counters`.
//!
//! Why not just bump `counters` (as sync-protocol §2 sketches)? The intake's
//! durable commit would then write the counters page too: one more page to
//! encrypt, write to the WAL and fsync in every intake (issue #3: within 2×
//! a bare insert + fsync). The rows already say it:
//! * receipt: the case row's id *is* its receipt counter (rightmost leaf);
//! * seq: the outbox row's id *is* its seq (rightmost leaf);
//! * HLC: the newest outbox row's `hlc`.
//!
//! The floors in `counters` keep what the rows cannot: a counter moved up
//! past its mirror or to the platform's re-enrolment floor (receipt), and
//! anything an action wrote without a new row of its own (a retry copies an
//! older HLC, so it raises the HLC floor first). Neither cases nor outbox
//! rows are ever deleted (the outbox is the re-push archive); a purge, if
//! one is ever added, must first raise the `seq` floor to the last seq, so
//! a seq is never handed out twice (§2: "not the implicit rowid").

use rusqlite::Connection;

/// The last receipt counter used (or skipped).
pub(crate) const LAST_RECEIPT: &str = "max((SELECT value FROM counters WHERE name = 'receipt'), \
     coalesce((SELECT max(receipt_counter) FROM cases), 0))";

/// The last outbox seq handed out.
pub(crate) const LAST_SEQ: &str = "max((SELECT value FROM counters WHERE name = 'seq'), \
     coalesce((SELECT max(seq) FROM outbox), 0))";

/// The last HLC issued, as millis * 10000 + counter.
pub(crate) const LAST_HLC: &str = "max((SELECT value FROM counters WHERE name = 'hlc'), \
     coalesce((SELECT CAST(substr(hlc, 1, 13) AS INTEGER) * 10000 + CAST(substr(hlc, 15) AS INTEGER) \
               FROM outbox ORDER BY seq DESC LIMIT 1), 0))";

fn read(conn: &Connection, expr: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached(&format!("SELECT {expr}"))?
        .query_row([], |r| r.get(0))
}

pub(crate) fn last_receipt(conn: &Connection) -> rusqlite::Result<i64> {
    read(conn, LAST_RECEIPT)
}

pub(crate) fn last_seq(conn: &Connection) -> rusqlite::Result<i64> {
    read(conn, LAST_SEQ)
}

/// The next seq, kept as the floor too (for actions that write `counters`
/// anyway: not the intake).
pub(crate) fn bump_seq(conn: &Connection) -> rusqlite::Result<i64> {
    let next = last_seq(conn)? + 1;
    conn.prepare_cached("UPDATE counters SET value = ?1 WHERE name = 'seq'")?
        .execute([next])?;
    Ok(next)
}

/// The next HLC for `now_millis` (wall clock if it is ahead, else last + 1),
/// as millis * 10000 + counter.
pub(crate) fn next_hlc_value(last: i64, now_millis: i64) -> i64 {
    (last + 1).max(now_millis.saturating_mul(10_000))
}

/// The next HLC, kept as the floor too.
pub(crate) fn bump_hlc(conn: &Connection, now_millis: i64) -> rusqlite::Result<i64> {
    let next = next_hlc_value(read(conn, LAST_HLC)?, now_millis);
    raise_hlc_floor(conn, next)?;
    Ok(next)
}

/// Keep the HLC floor at least `value` (before writing a row whose `hlc`
/// is older than the last one issued).
pub(crate) fn raise_hlc_floor(conn: &Connection, value: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE counters SET value = max(value, ?1) WHERE name = 'hlc'")?
        .execute([value])?;
    Ok(())
}

pub(crate) fn last_hlc(conn: &Connection) -> rusqlite::Result<i64> {
    read(conn, LAST_HLC)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_hlc_follows_the_wall_clock_and_never_goes_back() {
        let now = 1_772_416_800_000;
        assert_eq!(super::next_hlc_value(0, now), now * 10_000);
        assert_eq!(
            super::next_hlc_value(now * 10_000 + 3, now),
            now * 10_000 + 4
        );
        // The PC clock went back a minute.
        assert_eq!(
            super::next_hlc_value(now * 10_000 + 3, now - 60_000),
            now * 10_000 + 4
        );
    }
}
