//! The working-day calendar and deadline arithmetic.
//!
//! 行政许可法 art. 82: periods count working days, without statutory
//! holidays. Working days are Monday–Friday, minus the holidays, plus the
//! make-up weekend days (调休) of the State Council's yearly notice. The
//! calendar is data (`data/calendar/cn-workdays.json`); a year without data
//! is an error ("calendar missing"), never a guessed date.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

use crate::catalogue::{DayUnit, TimeLimit};
use crate::date::Date;

/// The calendar that ships with the app.
pub const CN_WORKDAYS_JSON: &str = include_str!("../../../data/calendar/cn-workdays.json");

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("calendar missing for {0}: load the State Council holiday schedule of that year")]
    Missing(i32),
    #[error("calendar file: {0}")]
    Data(String),
}

impl CalendarError {
    pub fn zh(&self) -> String {
        match self {
            CalendarError::Missing(y) => format!("缺少 {y} 年的节假日安排，无法计算期限"),
            CalendarError::Data(m) => format!("节假日数据有误：{m}"),
        }
    }
}

/// How the start day counts (domain.md §1.2 note 2; the law is silent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartDay {
    /// The start day is day 0; the deadline is the end of the N-th working
    /// day after it. Our default.
    #[default]
    DayZero,
    /// The start day counts as day 1 when it is a working day.
    DayOne,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: u32,
    #[allow(dead_code)]
    note: String,
    years: BTreeMap<i32, YearFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    #[allow(dead_code)]
    source: String,
    holidays: Vec<(String, String, String)>,
    make_up_workdays: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeSet<i32>,
    holidays: BTreeSet<Date>,
    make_up: BTreeSet<Date>,
}

impl WorkCalendar {
    pub fn parse(json: &str) -> Result<Self, CalendarError> {
        let data = |m: String| CalendarError::Data(m);
        let f: File = serde_json::from_str(json).map_err(|e| data(e.to_string()))?;
        if f.format != 1 {
            return Err(data(format!("format {} is not supported", f.format)));
        }
        let mut cal = WorkCalendar::default();
        for (year, y) in f.years {
            let date = |s: &str| {
                Date::parse_iso(s)
                    .filter(|d| d.year() == year)
                    .ok_or_else(|| data(format!("{s} is not a date of {year}")))
            };
            for (from, to, _name) in &y.holidays {
                let (from, to) = (date(from)?, date(to)?);
                if from > to {
                    return Err(data(format!("holiday {from}…{to} ends before it starts")));
                }
                let mut d = from;
                while d <= to {
                    cal.holidays.insert(d);
                    d = d.add_days(1);
                }
            }
            for s in &y.make_up_workdays {
                let d = date(s)?;
                if d.weekday() < 6 {
                    return Err(data(format!(
                        "make-up working day {d} is not a weekend day"
                    )));
                }
                if cal.holidays.contains(&d) {
                    return Err(data(format!(
                        "{d} is both a holiday and a make-up working day"
                    )));
                }
                cal.make_up.insert(d);
            }
            cal.years.insert(year);
        }
        Ok(cal)
    }

    /// The calendar bundled with the app.
    pub fn bundled() -> Self {
        Self::parse(CN_WORKDAYS_JSON).expect("the bundled calendar is valid")
    }

    pub fn has_year(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, d: Date) -> Result<bool, CalendarError> {
        if !self.has_year(d.year()) {
            return Err(CalendarError::Missing(d.year()));
        }
        Ok(self.make_up.contains(&d) || (d.weekday() <= 5 && !self.holidays.contains(&d)))
    }

    /// The N-th working day after `start` (see [`StartDay`]).
    pub fn add_working_days(
        &self,
        start: Date,
        n: u32,
        rule: StartDay,
    ) -> Result<Date, CalendarError> {
        let mut left = n;
        if rule == StartDay::DayOne && left > 0 && self.is_working_day(start)? {
            left -= 1;
            if left == 0 {
                return Ok(start);
            }
        }
        let mut d = start;
        while left > 0 {
            d = d.add_days(1);
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// The last day of a limit that starts on `start`.
    pub fn due_date(
        &self,
        start: Date,
        limit: TimeLimit,
        rule: StartDay,
    ) -> Result<Date, CalendarError> {
        match limit.unit {
            DayUnit::Working => self.add_working_days(start, limit.value, rule),
            DayUnit::Calendar => {
                let offset = match rule {
                    StartDay::DayZero => i64::from(limit.value),
                    StartDay::DayOne => i64::from(limit.value.saturating_sub(1)),
                };
                Ok(start.add_days(offset))
            }
        }
    }

    /// Working days from `a` (exclusive) to `b` (inclusive); 0 when b ≤ a.
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<u32, CalendarError> {
        let mut n = 0;
        let mut d = a;
        while d < b {
            d = d.add_days(1);
            if self.is_working_day(d)? {
                n += 1;
            }
        }
        Ok(n)
    }
}

/// 行政许可法 art. 32: the one-time supplement notice is due within five
/// working days of receipt; afterwards the application counts as accepted
/// from the receipt date.
pub const SUPPLEMENT_NOTICE_WORKING_DAYS: u32 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn w(n: u32) -> TimeLimit {
        TimeLimit {
            value: n,
            unit: DayUnit::Working,
        }
    }

    #[test]
    fn deadlines_table() {
        let cal = WorkCalendar::bundled();
        let table: &[(&str, TimeLimit, &str, &str)] = &[
            // domain.md §1.2 worked examples.
            (
                "2025-03-03",
                w(20),
                "2025-03-31",
                "20 working days, no holiday",
            ),
            (
                "2025-03-07",
                w(5),
                "2025-03-14",
                "art. 32 five-day guard from a Friday",
            ),
            // 2026 Spring Festival: Sat 14 Feb is a make-up working day, 15–23 Feb off.
            ("2026-02-13", w(1), "2026-02-14", "make-up Saturday counts"),
            (
                "2026-02-13",
                w(5),
                "2026-02-27",
                "across the Spring Festival",
            ),
            (
                "2026-02-12",
                w(3),
                "2026-02-24",
                "holiday days do not count",
            ),
            ("2026-02-27", w(1), "2026-02-28", "second make-up Saturday"),
            // 2026 National Day: Sun 20 Sep and Sat 10 Oct are make-up days, 1–7 Oct off.
            (
                "2026-09-18",
                w(1),
                "2026-09-20",
                "make-up Sunday before National Day",
            ),
            ("2026-09-30", w(5), "2026-10-13", "across National Day"),
            ("2026-09-24", w(1), "2026-09-28", "Mid-Autumn 25–27 Sep off"),
            // 2025 Spring Festival and National Day.
            (
                "2025-01-24",
                w(1),
                "2025-01-26",
                "make-up Sunday 26 Jan 2025",
            ),
            (
                "2025-09-30",
                w(3),
                "2025-10-11",
                "make-up Saturday 11 Oct 2025",
            ),
            (
                "2025-12-31",
                w(1),
                "2026-01-04",
                "New Year 1–3 Jan off, make-up Sunday 4 Jan",
            ),
            (
                "2026-03-02",
                TimeLimit {
                    value: 30,
                    unit: DayUnit::Calendar,
                },
                "2026-04-01",
                "calendar days ignore holidays",
            ),
        ];
        for (start, limit, want, why) in table {
            let got = cal.due_date(d(start), *limit, StartDay::DayZero).unwrap();
            assert_eq!(got.to_string(), *want, "{why}");
        }
    }

    #[test]
    fn start_day_convention_is_configurable() {
        let cal = WorkCalendar::bundled();
        assert_eq!(
            cal.due_date(d("2025-03-03"), w(20), StartDay::DayOne)
                .unwrap(),
            d("2025-03-28")
        );
        // A start on a holiday does not count even as day one.
        assert_eq!(
            cal.due_date(d("2026-10-01"), w(1), StartDay::DayOne)
                .unwrap(),
            d("2026-10-08")
        );
    }

    #[test]
    fn a_year_without_data_is_calendar_missing() {
        let cal = WorkCalendar::bundled();
        assert_eq!(
            cal.due_date(d("2026-12-28"), w(10), StartDay::DayZero),
            Err(CalendarError::Missing(2027))
        );
        assert_eq!(
            cal.is_working_day(d("2024-06-03")),
            Err(CalendarError::Missing(2024))
        );
        assert!(CalendarError::Missing(2027).zh().contains("2027"));
    }

    #[test]
    fn bad_calendar_data_is_refused() {
        let bad = CN_WORKDAYS_JSON.replace("\"2026-01-04\"", "\"2026-01-05\"");
        let e = WorkCalendar::parse(&bad).unwrap_err();
        assert!(e.to_string().contains("not a weekend day"), "{e}");
        let bad = CN_WORKDAYS_JSON.replace("[\"2026-06-19\"", "[\"2025-06-19\"");
        assert!(WorkCalendar::parse(&bad).is_err());
    }

    proptest::proptest! {
        /// For every start in the covered years and every N: the due date is
        /// a working day, exactly N working days lie in (start, due], and a
        /// larger N never gives an earlier date.
        #[test]
        fn working_day_laws(offset in 0i64..650, n in 1u32..40) {
            let cal = WorkCalendar::bundled();
            let start = d("2025-01-01").add_days(offset);
            if let Ok(due) = cal.add_working_days(start, n, StartDay::DayZero) {
                proptest::prop_assert!(due > start);
                proptest::prop_assert!(cal.is_working_day(due).unwrap());
                proptest::prop_assert_eq!(cal.working_days_between(start, due).unwrap(), n);
                if let Ok(next) = cal.add_working_days(start, n + 1, StartDay::DayZero) {
                    proptest::prop_assert!(next > due);
                }
            }
        }
    }
}
