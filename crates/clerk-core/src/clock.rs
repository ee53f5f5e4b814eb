//! The case clock after acceptance: the limit, extensions (行政许可法
//! art. 42: +10 working days for one decision, +15 in the joint regime of
//! art. 26), pauses for special procedures that do not count (art. 45:
//! hearing, testing, expert review…), and the yellow/red warning lights.

use crate::calendar::{CalendarError, StartDay, WorkCalendar};
use crate::catalogue::{DayUnit, TimeLimit};
use crate::date::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Regime {
    /// One agency decides: 20 working days, one extension of at most 10.
    Standard,
    /// 统一办理 / 联合办理 / 集中办理 (art. 26): 45 working days, one
    /// extension of at most 15.
    Joint,
}

impl Regime {
    pub fn max_extension(self) -> u32 {
        match self {
            Regime::Standard => 10,
            Regime::Joint => 15,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pause {
    pub from: Date,
    /// `None` while the special procedure is still running.
    pub until: Option<Date>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    /// Day 0: the acceptance date.
    pub start: Date,
    pub limit: TimeLimit,
    pub rule: StartDay,
    /// Extension granted, in the limit's unit (at most one).
    pub extension: Option<u32>,
    pub pauses: Vec<Pause>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("the limit was already extended once")]
    AlreadyExtended,
    #[error("an extension is at most {max} days in this regime, not {asked}")]
    ExtensionTooLong { asked: u32, max: u32 },
    #[error("an extension needs a reason")]
    ReasonMissing,
    #[error("a pause is already running since {0}")]
    AlreadyPaused(Date),
    #[error("no pause is running")]
    NotPaused,
    #[error("a pause cannot end ({until}) before it starts ({from})")]
    PauseBackwards { from: Date, until: Date },
    #[error("a pause cannot start ({0}) before the acceptance date")]
    PauseBeforeStart(Date),
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

impl ClockError {
    pub fn zh(&self) -> String {
        match self {
            ClockError::AlreadyExtended => "该件已延期一次，不能再次延期".into(),
            ClockError::ExtensionTooLong { asked, max } => {
                format!("延期最长 {max} 日，不能延期 {asked} 日")
            }
            ClockError::ReasonMissing => "延期须写明理由".into(),
            ClockError::AlreadyPaused(d) => format!("自 {d} 起已在特别程序中"),
            ClockError::NotPaused => "当前不在特别程序中".into(),
            ClockError::PauseBackwards { from, until } => {
                format!("特别程序结束日 {until} 早于开始日 {from}")
            }
            ClockError::PauseBeforeStart(d) => format!("特别程序开始日 {d} 早于受理日"),
            ClockError::Calendar(e) => e.zh(),
        }
    }
}

/// Where a case stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    Green,
    /// At most `yellow` working days left.
    Yellow,
    /// At most `red` working days left (the due day itself counts 0).
    Red,
    Overdue,
    /// A special procedure is running; the clock stands still.
    Paused,
}

/// Warning thresholds in working days left, configurable per hall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub yellow: u32,
    pub red: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { yellow: 3, red: 1 }
    }
}

impl Clock {
    pub fn new(start: Date, limit: TimeLimit, rule: StartDay) -> Clock {
        Clock {
            start,
            limit,
            rule,
            extension: None,
            pauses: Vec::new(),
        }
    }

    pub fn extend(&mut self, days: u32, regime: Regime, reason: &str) -> Result<(), ClockError> {
        if self.extension.is_some() {
            return Err(ClockError::AlreadyExtended);
        }
        if reason.trim().is_empty() {
            return Err(ClockError::ReasonMissing);
        }
        if days == 0 || days > regime.max_extension() {
            return Err(ClockError::ExtensionTooLong {
                asked: days,
                max: regime.max_extension(),
            });
        }
        self.extension = Some(days);
        Ok(())
    }

    pub fn pause(&mut self, from: Date, reason: &str) -> Result<(), ClockError> {
        if let Some(p) = self.pauses.iter().find(|p| p.until.is_none()) {
            return Err(ClockError::AlreadyPaused(p.from));
        }
        if from < self.start {
            return Err(ClockError::PauseBeforeStart(from));
        }
        self.pauses.push(Pause {
            from,
            until: None,
            reason: reason.to_owned(),
        });
        Ok(())
    }

    pub fn resume(&mut self, until: Date) -> Result<(), ClockError> {
        let p = self
            .pauses
            .iter_mut()
            .find(|p| p.until.is_none())
            .ok_or(ClockError::NotPaused)?;
        if until < p.from {
            return Err(ClockError::PauseBackwards {
                from: p.from,
                until,
            });
        }
        p.until = Some(until);
        Ok(())
    }

    /// Days of a closed pause that do not count, in the limit's unit: the
    /// pause runs from `from` to `until`, both inclusive.
    fn paused_days(
        &self,
        cal: &WorkCalendar,
        p: &Pause,
        until: Date,
    ) -> Result<u32, CalendarError> {
        match self.limit.unit {
            DayUnit::Working => cal.working_days_between(p.from.add_days(-1), until),
            DayUnit::Calendar => {
                Ok((until.days_since_epoch() - p.from.days_since_epoch() + 1) as u32)
            }
        }
    }

    /// The due date, or `None` while a pause is running.
    pub fn due(&self, cal: &WorkCalendar) -> Result<Option<Date>, CalendarError> {
        if self.pauses.iter().any(|p| p.until.is_none()) {
            return Ok(None);
        }
        let limit = TimeLimit {
            value: self.limit.value + self.extension.unwrap_or(0),
            unit: self.limit.unit,
        };
        let mut due = cal.due_date(self.start, limit, self.rule)?;
        let mut pauses: Vec<&Pause> = self.pauses.iter().collect();
        pauses.sort_by_key(|p| p.from);
        for p in pauses {
            if p.from > due {
                continue;
            }
            let n = self.paused_days(cal, p, p.until.expect("closed"))?;
            due = match self.limit.unit {
                DayUnit::Working => cal.add_working_days(due, n, StartDay::DayZero)?,
                DayUnit::Calendar => due.add_days(i64::from(n)),
            };
        }
        Ok(Some(due))
    }

    /// Working days left on `today` (negative once overdue), or `None` while paused.
    pub fn working_days_left(
        &self,
        cal: &WorkCalendar,
        today: Date,
    ) -> Result<Option<i64>, CalendarError> {
        let Some(due) = self.due(cal)? else {
            return Ok(None);
        };
        Ok(Some(if today <= due {
            i64::from(cal.working_days_between(today, due)?)
        } else {
            -i64::from(cal.working_days_between(due, today)?.max(1))
        }))
    }

    pub fn light(
        &self,
        cal: &WorkCalendar,
        today: Date,
        t: Thresholds,
    ) -> Result<Light, CalendarError> {
        Ok(match self.working_days_left(cal, today)? {
            None => Light::Paused,
            Some(n) if n < 0 => Light::Overdue,
            Some(n) if n <= i64::from(t.red) => Light::Red,
            Some(n) if n <= i64::from(t.yellow) => Light::Yellow,
            Some(_) => Light::Green,
        })
    }
}

/// The light for a known due date (no pause running).
pub fn light_for_due(
    cal: &WorkCalendar,
    today: Date,
    due: Date,
    t: Thresholds,
) -> Result<(Light, i64), CalendarError> {
    let left = if today <= due {
        i64::from(cal.working_days_between(today, due)?)
    } else {
        -i64::from(cal.working_days_between(due, today)?.max(1))
    };
    let light = match left {
        n if n < 0 => Light::Overdue,
        n if n <= i64::from(t.red) => Light::Red,
        n if n <= i64::from(t.yellow) => Light::Yellow,
        _ => Light::Green,
    };
    Ok((light, left))
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
            Light::Overdue => "overdue",
            Light::Paused => "paused",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn wd(n: u32) -> TimeLimit {
        TimeLimit {
            value: n,
            unit: DayUnit::Working,
        }
    }

    fn cal() -> WorkCalendar {
        WorkCalendar::bundled()
    }

    #[test]
    fn extensions_follow_the_regime() {
        // Accepted Mon 2026-03-02, 20 working days → Mon 2026-03-30.
        let mut c = Clock::new(d("2026-03-02"), wd(20), StartDay::DayZero);
        assert_eq!(c.due(&cal()).unwrap(), Some(d("2026-03-30")));
        assert_eq!(
            c.extend(11, Regime::Standard, "现场核查"),
            Err(ClockError::ExtensionTooLong { asked: 11, max: 10 })
        );
        assert_eq!(
            c.extend(10, Regime::Standard, " "),
            Err(ClockError::ReasonMissing)
        );
        c.extend(10, Regime::Standard, "现场核查").unwrap();
        // +10 working days; 2026-04-06 is 清明 (Qingming, Mon 4-4..4-6 off).
        assert_eq!(c.due(&cal()).unwrap(), Some(d("2026-04-14")));
        assert_eq!(
            c.extend(1, Regime::Standard, "再延"),
            Err(ClockError::AlreadyExtended)
        );

        let mut j = Clock::new(d("2026-03-02"), wd(45), StartDay::DayZero);
        j.extend(15, Regime::Joint, "并联审批").unwrap();
        let mut j2 = Clock::new(d("2026-03-02"), wd(45), StartDay::DayZero);
        assert!(j2.extend(16, Regime::Joint, "x").is_err());
    }

    #[test]
    fn pauses_do_not_count() {
        let mut c = Clock::new(d("2026-03-02"), wd(20), StartDay::DayZero);
        c.pause(d("2026-03-09"), "专家评审").unwrap();
        assert_eq!(c.due(&cal()).unwrap(), None, "no due date while paused");
        assert_eq!(
            c.light(&cal(), d("2026-03-10"), Thresholds::default())
                .unwrap(),
            Light::Paused
        );
        assert_eq!(
            c.pause(d("2026-03-10"), "again"),
            Err(ClockError::AlreadyPaused(d("2026-03-09")))
        );
        assert_eq!(
            c.resume(d("2026-03-08")),
            Err(ClockError::PauseBackwards {
                from: d("2026-03-09"),
                until: d("2026-03-08")
            })
        );
        // Mon 9 – Fri 13 March: five working days do not count.
        c.resume(d("2026-03-13")).unwrap();
        assert_eq!(
            c.due(&cal()).unwrap(),
            Some(d("2026-04-07")),
            "30 March + 5 working days, over 清明"
        );
        assert_eq!(c.resume(d("2026-03-14")), Err(ClockError::NotPaused));
        // A pause over a weekend only costs nothing in working days.
        let mut w = Clock::new(d("2026-03-02"), wd(20), StartDay::DayZero);
        w.pause(d("2026-03-07"), "听证").unwrap();
        w.resume(d("2026-03-08")).unwrap();
        assert_eq!(w.due(&cal()).unwrap(), Some(d("2026-03-30")));
        assert_eq!(
            Clock::new(d("2026-03-02"), wd(20), StartDay::DayZero).pause(d("2026-03-01"), "x"),
            Err(ClockError::PauseBeforeStart(d("2026-03-01")))
        );
    }

    #[test]
    fn calendar_day_limits_pause_in_calendar_days() {
        let mut c = Clock::new(
            d("2026-03-02"),
            TimeLimit {
                value: 30,
                unit: DayUnit::Calendar,
            },
            StartDay::DayZero,
        );
        assert_eq!(c.due(&cal()).unwrap(), Some(d("2026-04-01")));
        c.pause(d("2026-03-10"), "检测").unwrap();
        c.resume(d("2026-03-12")).unwrap();
        assert_eq!(c.due(&cal()).unwrap(), Some(d("2026-04-04")));
    }

    #[test]
    fn lights_table() {
        let c = Clock::new(d("2026-03-02"), wd(20), StartDay::DayZero); // due Mon 30 March
        let t = Thresholds { yellow: 3, red: 1 };
        for (today, light, left) in [
            ("2026-03-02", Light::Green, 20),
            ("2026-03-24", Light::Green, 4),
            ("2026-03-25", Light::Yellow, 3),
            ("2026-03-27", Light::Red, 1),
            ("2026-03-28", Light::Red, 1),
            ("2026-03-30", Light::Red, 0),
            ("2026-03-31", Light::Overdue, -1),
            ("2026-04-03", Light::Overdue, -4),
        ] {
            assert_eq!(c.light(&cal(), d(today), t).unwrap(), light, "{today}");
            assert_eq!(
                c.working_days_left(&cal(), d(today)).unwrap(),
                Some(left),
                "{today}"
            );
        }
        for (today, _, left) in [("2026-03-25", (), 3), ("2026-03-31", (), -1)] {
            let (l, n) = light_for_due(&cal(), d(today), d("2026-03-30"), t).unwrap();
            assert_eq!(n, left);
            assert_eq!(Some(l), c.light(&cal(), d(today), t).ok());
        }
        let strict = Thresholds { yellow: 5, red: 2 };
        assert_eq!(
            c.light(&cal(), d("2026-03-23"), strict).unwrap(),
            Light::Yellow
        );
    }

    #[test]
    fn a_year_the_law_cannot_answer_is_an_error_not_a_date() {
        let c = Clock::new(d("2050-12-01"), wd(40), StartDay::DayZero);
        assert_eq!(c.due(&cal()), Err(CalendarError::Missing(2051)));
        // 2027 has no schedule loaded: the law alone answers (provisional).
        let c = Clock::new(d("2026-12-01"), wd(40), StartDay::DayZero);
        assert_eq!(c.due(&cal()).unwrap(), Some(d("2027-01-27")));
    }
}
