//! The working-day calendar and deadline arithmetic.
//!
//! 行政许可法 art. 82: periods count working days, without statutory
//! holidays. Working days are Monday–Friday, minus the holidays, plus the
//! make-up weekend days (调休) of the State Council's yearly notice. The
//! official schedule is data: bundled (`data/calendar/cn-workdays.json`),
//! published by the platform, or imported by IT (see [`YearSchedule`]).
//!
//! **A year without its official schedule never stops the counter.** From
//! 2025 on, such a year is answered from the holiday law alone
//! ([`law_holidays`]): 《全国年节及纪念日放假办法》 art. 2 as revised on
//! 2024-11-10 (in force 2025-01-01). No make-up working days and no
//! in-lieu days (art. 6 補假: the law says a working day is given, not
//! which) are guessed, so such a date is *provisional* (暂定) and the case
//! remembers the years it was provisional for, to be recomputed when the
//! schedule arrives. Before 2025 (the law then had 11 days) or after
//! [`LAW_ONLY_LAST_YEAR`] a year without data is a clear error.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use crate::catalogue::{DayUnit, TimeLimit};
use crate::date::Date;

/// The calendar that ships with the app.
pub const CN_WORKDAYS_JSON: &str = include_str!("../../../data/calendar/cn-workdays.json");

/// The first year of the holiday law as revised on 2024-11-10 (13 days).
pub const LAW_FROM_YEAR: i32 = 2025;
/// The last year the law alone is asked. The law has been revised four
/// times since 1949 (1999, 2007, 2013, 2024); answering for decades ahead
/// would be a guess about the law itself.
pub const LAW_ONLY_LAST_YEAR: i32 = 2050;

/// The note printed and shown beside a provisional date.
pub const PROVISIONAL_NOTE_ZH: &str = "暂定，以国务院公布的节假日安排为准";
pub const PROVISIONAL_NOTE_EN: &str =
    "provisional: subject to the State Council's holiday schedule";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("no holiday schedule for {0}, and the holiday law answers only for {LAW_FROM_YEAR}–{LAW_ONLY_LAST_YEAR}: load the State Council holiday schedule of that year")]
    Missing(i32),
    #[error("calendar file: {0}")]
    Data(String),
}

impl CalendarError {
    pub fn zh(&self) -> String {
        match self {
            CalendarError::Missing(y) => format!(
                "缺少 {y} 年的节假日安排，且该年不在按《全国年节及纪念日放假办法》推算的范围（{LAW_FROM_YEAR}–{LAW_ONLY_LAST_YEAR} 年）内，无法计算期限"
            ),
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
    years: BTreeMap<i32, YearBody>,
}

/// One year of the State Council's schedule, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct YearBody {
    source: String,
    holidays: Vec<(String, String, String)>,
    make_up_workdays: Vec<String>,
}

/// One year's official schedule as a file of its own: what the platform
/// publishes (`publish-calendar`), the client keeps and IT imports
/// (`clerkctl calendar import`). `{"format": 1, "year": 2027, "source":
/// "国务院办公厅关于2027年部分节假日安排的通知（…）", "holidays": [["2027-01-01",
/// "2027-01-01", "元旦"], …], "make_up_workdays": ["…"]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSchedule {
    pub year: i32,
    pub source: String,
    pub holidays: BTreeSet<Date>,
    pub make_up: BTreeSet<Date>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct YearFile {
    format: u32,
    year: i32,
    #[serde(flatten)]
    body: YearBody,
}

impl YearSchedule {
    /// Parse and check one year's file: dates of that year, ranges in
    /// order, make-up days on weekends and not holidays, and (from 2025)
    /// every holiday the law itself fixes present, so a mistyped file is
    /// refused before it moves a deadline.
    pub fn parse(json: &str) -> Result<Self, CalendarError> {
        let f: YearFile =
            serde_json::from_str(json).map_err(|e| CalendarError::Data(e.to_string()))?;
        if f.format != 1 {
            return Err(CalendarError::Data(format!(
                "format {} is not supported",
                f.format
            )));
        }
        Self::from_body(f.year, f.body)
    }

    fn from_body(year: i32, y: YearBody) -> Result<Self, CalendarError> {
        let data = |m: String| CalendarError::Data(m);
        if !(2000..=2100).contains(&year) {
            return Err(data(format!("{year} is not a plausible year")));
        }
        if y.source.trim().is_empty() {
            return Err(data(format!(
                "{year}: the source (the notice's title and number) is empty"
            )));
        }
        let date = |s: &str| {
            Date::parse_iso(s)
                .filter(|d| d.year() == year)
                .ok_or_else(|| data(format!("{s} is not a date of {year}")))
        };
        let mut holidays = BTreeSet::new();
        for (from, to, _name) in &y.holidays {
            let (from, to) = (date(from)?, date(to)?);
            if from > to {
                return Err(data(format!("holiday {from}…{to} ends before it starts")));
            }
            let mut d = from;
            while d <= to {
                holidays.insert(d);
                d = d.add_days(1);
            }
        }
        let mut make_up = BTreeSet::new();
        for s in &y.make_up_workdays {
            let d = date(s)?;
            if d.weekday() < 6 {
                return Err(data(format!(
                    "make-up working day {d} is not a weekend day"
                )));
            }
            if holidays.contains(&d) {
                return Err(data(format!(
                    "{d} is both a holiday and a make-up working day"
                )));
            }
            make_up.insert(d);
        }
        if let Some(law) = law_holidays(year) {
            let absent: Vec<String> = law
                .iter()
                .filter(|(d, _)| !holidays.contains(d))
                .map(|(d, name)| format!("{d} {name}"))
                .collect();
            if !absent.is_empty() {
                return Err(data(format!(
                    "{year}: the holiday law's days are not all holidays here (missing {}): is this the right file?",
                    absent.join(", ")
                )));
            }
        }
        Ok(YearSchedule {
            year,
            source: y.source,
            holidays,
            make_up,
        })
    }

    /// The canonical file text (what is hashed and published).
    pub fn to_json(&self) -> String {
        // Holidays as single-day ranges keep the format one shape; runs are
        // merged back into ranges for readability.
        let mut ranges: Vec<(String, String, String)> = Vec::new();
        let mut run: Option<(Date, Date)> = None;
        for d in &self.holidays {
            run = match run {
                Some((a, b)) if b.add_days(1) == *d => Some((a, *d)),
                Some((a, b)) => {
                    ranges.push((a.to_string(), b.to_string(), String::new()));
                    Some((*d, *d))
                }
                None => Some((*d, *d)),
            };
        }
        if let Some((a, b)) = run {
            ranges.push((a.to_string(), b.to_string(), String::new()));
        }
        serde_json::json!({
            "format": 1,
            "year": self.year,
            "source": self.source,
            "holidays": ranges,
            "make_up_workdays": self.make_up.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        })
        .to_string()
    }
}

/// Where a year's working days come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YearBasis {
    /// The State Council's schedule is loaded.
    Official,
    /// Only the holiday law: dates are provisional (暂定).
    LawOnly,
    /// Neither: deadlines into this year cannot be computed.
    Unknown,
}

#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    /// The official schedule of each year loaded, with its source.
    sources: BTreeMap<i32, String>,
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
            cal.add_year(YearSchedule::from_body(year, y)?);
        }
        Ok(cal)
    }

    /// The calendar bundled with the app.
    pub fn bundled() -> Self {
        static BUNDLED: OnceLock<WorkCalendar> = OnceLock::new();
        BUNDLED
            .get_or_init(|| Self::parse(CN_WORKDAYS_JSON).expect("the bundled calendar is valid"))
            .clone()
    }

    /// Load (or replace) one year's official schedule.
    pub fn add_year(&mut self, y: YearSchedule) {
        let in_year = |d: &Date| d.year() == y.year;
        self.holidays.retain(|d| !in_year(d));
        self.make_up.retain(|d| !in_year(d));
        self.holidays.extend(y.holidays.iter().copied());
        self.make_up.extend(y.make_up.iter().copied());
        self.sources.insert(y.year, y.source);
    }

    /// The years whose official schedule is loaded.
    pub fn official_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.sources.keys().copied()
    }

    /// The source (notice) of a year's official schedule.
    pub fn source(&self, year: i32) -> Option<&str> {
        self.sources.get(&year).map(String::as_str)
    }

    pub fn has_year(&self, year: i32) -> bool {
        self.sources.contains_key(&year)
    }

    pub fn basis(&self, year: i32) -> YearBasis {
        if self.has_year(year) {
            YearBasis::Official
        } else if law_holidays(year).is_some() {
            YearBasis::LawOnly
        } else {
            YearBasis::Unknown
        }
    }

    pub fn is_working_day(&self, d: Date) -> Result<bool, CalendarError> {
        match self.basis(d.year()) {
            YearBasis::Official => {
                Ok(self.make_up.contains(&d) || (d.weekday() <= 5 && !self.holidays.contains(&d)))
            }
            YearBasis::LawOnly => Ok(d.weekday() <= 5 && !is_law_holiday(d)),
            YearBasis::Unknown => Err(CalendarError::Missing(d.year())),
        }
    }

    /// The year whose official schedule should be loaded by `today` and is
    /// not: this year at any time, next year from 1 November (the State
    /// Council usually publishes it in November or December). Supervisors
    /// and IT are warned before the first provisional date is printed.
    pub fn missing_schedule(&self, today: Date) -> Option<i32> {
        let y = today.year();
        if !self.has_year(y) {
            Some(y)
        } else if today.month() >= 11 && !self.has_year(y + 1) {
            Some(y + 1)
        } else {
            None
        }
    }

    /// The years from `from` to `to` (both included) answered by the law
    /// alone: a working-day period over them is provisional. Empty when
    /// every year's official schedule is loaded.
    pub fn provisional_years(&self, from: Date, to: Date) -> Vec<i32> {
        (from.year()..=to.year())
            .filter(|y| self.basis(*y) == YearBasis::LawOnly)
            .collect()
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

/// The holidays the law itself fixes for `year` (《全国年节及纪念日放假办法》
/// art. 2, revised 2024-11-10, in force 2025-01-01): 元旦 1 Jan; 春节 除夕
/// and 正月初一 to 初三; 清明 on the day of the solar term; 劳动节 1–2 May;
/// 端午 (5th day of the 5th lunar month); 中秋 (15th of the 8th); 国庆
/// 1–3 Oct. Thirteen days, with their names; None outside
/// [`LAW_FROM_YEAR`]..=[`LAW_ONLY_LAST_YEAR`]. Lunar dates and the solar
/// term come from `tyme4rs` (ShouXing algorithms, Beijing time); checked
/// against the 2025 and 2026 schedules and domain.md's 2027 dates in the
/// tests.
pub fn law_holidays(year: i32) -> Option<&'static [(Date, &'static str)]> {
    static TABLE: OnceLock<BTreeMap<i32, Vec<(Date, &'static str)>>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            (LAW_FROM_YEAR..=LAW_ONLY_LAST_YEAR)
                .map(|y| (y, compute_law_holidays(y)))
                .collect()
        })
        .get(&year)
        .map(Vec::as_slice)
}

fn is_law_holiday(d: Date) -> bool {
    law_holidays(d.year()).is_some_and(|l| l.iter().any(|(h, _)| *h == d))
}

fn compute_law_holidays(year: i32) -> Vec<(Date, &'static str)> {
    use tyme4rs::tyme::lunar::LunarDay;
    use tyme4rs::tyme::solar::{SolarDay, SolarTerm};
    let solar = |s: SolarDay| {
        Date::new(s.get_year() as i32, s.get_month() as u8, s.get_day() as u8)
            .expect("tyme4rs gives valid dates")
    };
    let fixed = |m: u8, d: u8| Date::new(year, m, d).expect("a fixed holiday is a date");
    let lunar = |m: isize, d: usize| solar(LunarDay::from_ymd(year as isize, m, d).get_solar_day());
    let new_year = lunar(1, 1);
    let mut days = vec![
        (fixed(1, 1), "元旦"),
        (new_year.add_days(-1), "春节（除夕）"),
        (new_year, "春节"),
        (new_year.add_days(1), "春节"),
        (new_year.add_days(2), "春节"),
        (
            solar(SolarTerm::from_name(year as isize, "清明").get_solar_day()),
            "清明节",
        ),
        (fixed(5, 1), "劳动节"),
        (fixed(5, 2), "劳动节"),
        (lunar(5, 5), "端午节"),
        (lunar(8, 15), "中秋节"),
        (fixed(10, 1), "国庆节"),
        (fixed(10, 2), "国庆节"),
        (fixed(10, 3), "国庆节"),
    ];
    days.sort();
    days
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
    fn a_year_the_law_cannot_answer_is_an_error() {
        let cal = WorkCalendar::bundled();
        assert_eq!(
            cal.is_working_day(d("2024-06-03")),
            Err(CalendarError::Missing(2024))
        );
        assert_eq!(
            cal.due_date(d("2050-12-20"), w(20), StartDay::DayZero),
            Err(CalendarError::Missing(2051))
        );
        assert_eq!(cal.basis(2024), YearBasis::Unknown);
        assert_eq!(cal.basis(2026), YearBasis::Official);
        assert_eq!(cal.basis(2027), YearBasis::LawOnly);
        assert!(CalendarError::Missing(2051).zh().contains("2051"));
    }

    /// domain.md §1.2 note 1: the lunar dates for 2027 checked against a
    /// lunar-calendar library (除夕 5 Feb, 春节 6 Feb, 清明 5 Apr, 端午 9 Jun,
    /// 中秋 15 Sep), and the thirteen days of art. 2.
    #[test]
    fn the_law_alone_gives_the_2027_holidays() {
        let days: Vec<String> = law_holidays(2027)
            .unwrap()
            .iter()
            .map(|(d, n)| format!("{d} {n}"))
            .collect();
        assert_eq!(
            days,
            [
                "2027-01-01 元旦",
                "2027-02-05 春节（除夕）",
                "2027-02-06 春节",
                "2027-02-07 春节",
                "2027-02-08 春节",
                "2027-04-05 清明节",
                "2027-05-01 劳动节",
                "2027-05-02 劳动节",
                "2027-06-09 端午节",
                "2027-09-15 中秋节",
                "2027-10-01 国庆节",
                "2027-10-02 国庆节",
                "2027-10-03 国庆节",
            ]
        );
        assert!(law_holidays(2024).is_none());
        assert!(law_holidays(LAW_ONLY_LAST_YEAR).is_some());
        assert!(law_holidays(LAW_ONLY_LAST_YEAR + 1).is_none());
    }

    /// Provisional deadlines into 2027 (the official 2026 schedule, then the
    /// law alone), against an independent count over the 2027 law days.
    #[test]
    fn provisional_2027_deadlines_table() {
        let cal = WorkCalendar::bundled();
        let table: &[(&str, [&str; 3])] = &[
            ("2026-12-01", ["2026-12-08", "2026-12-29", "2027-02-03"]),
            ("2026-12-04", ["2026-12-11", "2027-01-04", "2027-02-10"]),
            ("2026-12-20", ["2026-12-25", "2027-01-18", "2027-02-24"]),
            ("2026-12-25", ["2027-01-04", "2027-01-25", "2027-03-03"]),
            ("2026-12-28", ["2027-01-05", "2027-01-26", "2027-03-04"]),
            ("2026-12-31", ["2027-01-08", "2027-01-29", "2027-03-09"]),
        ];
        for (start, want) in table {
            for (n, want) in [5, 20, 45].into_iter().zip(want) {
                let due = cal.due_date(d(start), w(n), StartDay::DayZero).unwrap();
                assert_eq!(due.to_string(), *want, "{n} working days from {start}");
                let provisional = !cal.provisional_years(d(start), due).is_empty();
                assert_eq!(provisional, due.year() == 2027, "{n} from {start}");
            }
        }
    }

    #[test]
    fn an_official_year_replaces_the_law_only_answer() {
        let mut cal = WorkCalendar::bundled();
        assert_eq!(
            cal.provisional_years(d("2026-12-20"), d("2027-01-18")),
            [2027]
        );
        // A made-up schedule (tests only): 2027-01-04 a holiday too.
        let y = YearSchedule::parse(&test_year_2027(&[("2027-01-01", "2027-01-04")], &[])).unwrap();
        cal.add_year(y);
        assert!(cal
            .provisional_years(d("2026-12-20"), d("2027-01-18"))
            .is_empty());
        assert_eq!(
            cal.due_date(d("2026-12-20"), w(20), StartDay::DayZero)
                .unwrap(),
            d("2027-01-19")
        );
        assert_eq!(cal.source(2027), Some("测试用：非官方安排"));
    }

    #[test]
    fn next_years_schedule_is_asked_for_from_november() {
        let cal = WorkCalendar::bundled();
        assert_eq!(cal.missing_schedule(d("2026-10-31")), None);
        assert_eq!(cal.missing_schedule(d("2026-11-01")), Some(2027));
        assert_eq!(cal.missing_schedule(d("2026-12-20")), Some(2027));
        assert_eq!(cal.missing_schedule(d("2027-01-20")), Some(2027));
        assert_eq!(cal.missing_schedule(d("2025-11-15")), None);
    }

    #[test]
    fn a_year_file_is_checked_before_it_is_used() {
        // The 2026 file as published round-trips through the one-year format.
        let cal = WorkCalendar::bundled();
        let text = test_year_2027(&[], &["2027-02-20"]);
        let y = YearSchedule::parse(&text).unwrap();
        assert_eq!(YearSchedule::parse(&y.to_json()).unwrap(), y);
        assert!(cal.has_year(2026));
        // Missing a day the law fixes (the mistyped 中秋 of a real notice).
        let bad = text.replace("[\"2027-09-15\", \"2027-09-15\", \"中秋节\"],", "");
        let e = YearSchedule::parse(&bad).unwrap_err();
        assert!(e.to_string().contains("2027-09-15 中秋节"), "{e}");
        // A make-up day on a Monday, a date of another year, no source.
        for bad in [
            test_year_2027(&[], &["2027-02-22"]),
            test_year_2027(&[("2026-12-31", "2027-01-01")], &[]),
            text.replace("测试用：非官方安排", " "),
            text.replace("\"format\": 1", "\"format\": 2"),
        ] {
            assert!(YearSchedule::parse(&bad).is_err(), "{bad}");
        }
    }

    /// A schedule for 2027 shaped like the real one: the law's days plus
    /// `extra` ranges and `make_up` days. Not the official schedule (which
    /// this code never guesses): test data only.
    fn test_year_2027(extra: &[(&str, &str)], make_up: &[&str]) -> String {
        let mut holidays: Vec<String> = law_holidays(2027)
            .unwrap()
            .iter()
            .map(|(d, n)| format!("[\"{d}\", \"{d}\", \"{n}\"]"))
            .collect();
        holidays.extend(
            extra
                .iter()
                .map(|(a, b)| format!("[\"{a}\", \"{b}\", \"\"]")),
        );
        let make_up: Vec<String> = make_up.iter().map(|d| format!("\"{d}\"")).collect();
        format!(
            "{{\"format\": 1, \"year\": 2027, \"source\": \"测试用：非官方安排\", \"holidays\": [{}], \"make_up_workdays\": [{}]}}",
            holidays.join(", "),
            make_up.join(", ")
        )
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
        /// For 2025–2026 every day the law alone names is a holiday of the
        /// official schedule (so the law-only calendar never invents a day
        /// off that the State Council did not give).
        #[test]
        fn law_days_are_official_holidays(offset in 0i64..730) {
            let cal = WorkCalendar::bundled();
            let day = d("2025-01-01").add_days(offset);
            if is_law_holiday(day) {
                proptest::prop_assert!(!cal.is_working_day(day).unwrap(), "{day}");
                proptest::prop_assert!(cal.holidays.contains(&day), "{day}");
            }
        }

        /// For every start in the covered years and every N: the due date is
        /// a working day, exactly N working days lie in (start, due], and a
        /// larger N never gives an earlier date.
        #[test]
        fn working_day_laws(offset in 0i64..1100, n in 1u32..40) {
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
