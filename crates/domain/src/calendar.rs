//! England and Wales bank holidays as data, in GOV.UK's bank-holidays JSON
//! format (<https://www.gov.uk/bank-holidays.json>: divisions
//! `england-and-wales`, `scotland`, `northern-ireland`, each with `events` of
//! `title`, `date`, `notes`, `bunting`). Only the `england-and-wales`
//! division is read; the others are ignored.
//!
//! A copy is bundled in the binary ([`BankHolidays::bundled`], from
//! `data/bank-holidays/bank-holidays.json`, Open Government Licence v3.0);
//! `safetynet calendar load FILE` stores a newer one in the database, which
//! then takes its place. A calendar covers whole years, from 1 January of its
//! first year to 31 December of its last ([`BankHolidays::covers_until`]);
//! beyond that every weekday counts as a working day, so the dashboard warns
//! [`WARN_DAYS`] days before it runs out.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The division of GOV.UK's file that SafetyNet uses.
pub const DIVISION: &str = "england-and-wales";

/// The dashboard warns when the calendar in use runs out within this many days.
pub const WARN_DAYS: i64 = 90;

/// Most events a calendar file may list (GOV.UK's has about ten a year).
pub const MAX_EVENTS: usize = 2_000;

/// The bundled file (GOV.UK format; see `data/bank-holidays/SOURCE.txt`).
pub const BUNDLED_JSON: &str = include_str!("../../../data/bank-holidays/bank-holidays.json");

static BUNDLED: LazyLock<BankHolidays> = LazyLock::new(|| {
    // The bundled file is part of the source and parsed by a unit test.
    BankHolidays::parse(BUNDLED_JSON).expect("the bundled bank holidays file is valid")
});

/// One bank holiday.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankHoliday {
    /// The day.
    pub date: NaiveDate,
    /// Its name, e.g. "Easter Monday".
    pub title: String,
    /// GOV.UK's note, e.g. "Substitute day"; often empty.
    pub notes: String,
    /// GOV.UK's "bunting" flag (a day of celebration).
    pub bunting: bool,
}

/// A calendar of England and Wales bank holidays: at least one, sorted,
/// each date once, all on weekdays, and every year from the first to the
/// last listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHolidays {
    days: Vec<BankHoliday>,
}

/// Why a bank holidays file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Not JSON, or not the GOV.UK shape.
    #[error("not a GOV.UK bank holidays file: {0}")]
    Format(String),
    /// The `england-and-wales` division is missing.
    #[error("there is no \"england-and-wales\" division (found: {found})")]
    NoDivision {
        /// The divisions the file has.
        found: String,
    },
    /// The division lists no events.
    #[error("the england-and-wales division lists no bank holidays")]
    NoEvents,
    /// More events than [`MAX_EVENTS`].
    #[error("the england-and-wales division lists {0} events, more than the {MAX_EVENTS} a calendar may have")]
    TooMany(usize),
    /// An event's date is not `YYYY-MM-DD`.
    #[error("event {index} (\"{title}\"): '{date}' is not a date in the form YYYY-MM-DD")]
    BadDate {
        /// 1-based position in the events list.
        index: usize,
        /// The event's title.
        title: String,
        /// The date as written.
        date: String,
    },
    /// An event has an empty title.
    #[error("event {index} on {date}: the title is empty")]
    NoTitle {
        /// 1-based position in the events list.
        index: usize,
        /// The event's date.
        date: NaiveDate,
    },
    /// An event falls on a Saturday or Sunday.
    #[error("event {index} (\"{title}\"): {date} is a {weekday}, but bank holidays fall on weekdays (a substitute day is listed instead)")]
    Weekend {
        /// 1-based position in the events list.
        index: usize,
        /// The event's title.
        title: String,
        /// The date.
        date: NaiveDate,
        /// Saturday or Sunday.
        weekday: String,
    },
    /// The same date is listed twice.
    #[error("{date} is listed twice (\"{first}\" and \"{second}\")")]
    Duplicate {
        /// The date.
        date: NaiveDate,
        /// The first title.
        first: String,
        /// The second title.
        second: String,
    },
    /// A year between the first and the last has no bank holidays.
    #[error("the calendar runs from {first} to {last} but lists no bank holidays in {missing}")]
    MissingYear {
        /// First year listed.
        first: i32,
        /// Last year listed.
        last: i32,
        /// The year with none.
        missing: i32,
    },
}

#[derive(Deserialize)]
struct RawDivision {
    #[serde(default)]
    division: Option<String>,
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
struct RawEvent {
    title: String,
    date: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    bunting: bool,
}

impl BankHolidays {
    /// Reads the `england-and-wales` division of a file in GOV.UK's format.
    pub fn parse(json: &str) -> Result<Self, CalendarError> {
        let divisions: BTreeMap<String, serde_json::Value> =
            serde_json::from_str(json).map_err(|e| CalendarError::Format(e.to_string()))?;
        let Some(value) = divisions.get(DIVISION) else {
            let found: Vec<&str> = divisions.keys().map(String::as_str).take(10).collect();
            let found = if found.is_empty() { "none".to_string() } else { found.join(", ") };
            return Err(CalendarError::NoDivision { found });
        };
        let raw = RawDivision::deserialize(value).map_err(|e| CalendarError::Format(format!("{DIVISION}: {e}")))?;
        if let Some(name) = raw.division.as_deref().filter(|d| *d != DIVISION) {
            return Err(CalendarError::Format(format!("the \"{DIVISION}\" entry says its division is \"{name}\"")));
        }
        if raw.events.len() > MAX_EVENTS {
            return Err(CalendarError::TooMany(raw.events.len()));
        }
        let mut days = Vec::with_capacity(raw.events.len());
        for (i, e) in raw.events.into_iter().enumerate() {
            let Ok(date) = NaiveDate::parse_from_str(e.date.trim(), "%Y-%m-%d") else {
                let date: String = e.date.chars().take(40).collect();
                let title: String = e.title.chars().take(80).collect();
                return Err(CalendarError::BadDate { index: i + 1, title, date });
            };
            days.push(BankHoliday {
                date,
                title: e.title.trim().to_string(),
                notes: e.notes.trim().to_string(),
                bunting: e.bunting,
            });
        }
        Self::from_days(days)
    }

    /// A calendar from its days (in any order), checked as [`BankHolidays::parse`] checks a file.
    pub fn from_days(mut days: Vec<BankHoliday>) -> Result<Self, CalendarError> {
        if days.is_empty() {
            return Err(CalendarError::NoEvents);
        }
        if days.len() > MAX_EVENTS {
            return Err(CalendarError::TooMany(days.len()));
        }
        for (i, d) in days.iter().enumerate() {
            if d.title.is_empty() {
                return Err(CalendarError::NoTitle { index: i + 1, date: d.date });
            }
            if matches!(d.date.weekday(), Weekday::Sat | Weekday::Sun) {
                let weekday = if d.date.weekday() == Weekday::Sat { "Saturday" } else { "Sunday" };
                return Err(CalendarError::Weekend {
                    index: i + 1,
                    title: d.title.chars().take(80).collect(),
                    date: d.date,
                    weekday: weekday.into(),
                });
            }
        }
        days.sort_by_key(|d| d.date);
        for pair in days.windows(2) {
            if let [a, b] = pair {
                if a.date == b.date {
                    return Err(CalendarError::Duplicate {
                        date: a.date,
                        first: a.title.chars().take(80).collect(),
                        second: b.title.chars().take(80).collect(),
                    });
                }
                if let Some(missing) = (a.date.year() + 1..b.date.year()).next() {
                    return Err(CalendarError::MissingYear {
                        first: days.first().map_or(missing, |d| d.date.year()),
                        last: days.last().map_or(missing, |d| d.date.year()),
                        missing,
                    });
                }
            }
        }
        Ok(Self { days })
    }

    /// The calendar bundled in the binary (2018 to 2028 at release).
    pub fn bundled() -> &'static BankHolidays {
        &BUNDLED
    }

    /// Every bank holiday, by date.
    pub fn days(&self) -> &[BankHoliday] {
        &self.days
    }

    /// `d` is a listed bank holiday.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.days.binary_search_by_key(&d, |h| h.date).is_ok()
    }

    /// 1 January of the first year listed.
    pub fn covers_from(&self) -> NaiveDate {
        let year = self.days.first().map_or(1970, |d| d.date.year());
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)
    }

    /// 31 December of the last year listed: the last day whose bank holidays are known.
    pub fn covers_until(&self) -> NaiveDate {
        let year = self.days.last().map_or(1970, |d| d.date.year());
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
    }

    /// The calendar runs out within [`WARN_DAYS`] days of `today` (or already has).
    pub fn runs_out_soon(&self, today: NaiveDate) -> bool {
        (self.covers_until() - today).num_days() < WARN_DAYS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn file(events: &str) -> String {
        format!(r#"{{"england-and-wales": {{"division": "england-and-wales", "events": [{events}]}}}}"#)
    }

    fn event(title: &str, date: &str) -> String {
        format!(r#"{{"title": "{title}", "date": "{date}", "notes": "", "bunting": true}}"#)
    }

    #[test]
    fn the_bundled_file_covers_2018_to_2028() {
        let b = BankHolidays::bundled();
        assert_eq!((b.covers_from(), b.covers_until()), (d(2018, 1, 1), d(2028, 12, 31)));
        assert_eq!(b.days().len(), 91);
        // the one-off days and the substitute days are there
        for day in [d(2020, 5, 8), d(2022, 6, 3), d(2022, 9, 19), d(2023, 5, 8), d(2026, 12, 28), d(2028, 1, 3)] {
            assert!(b.contains(day), "{day}");
        }
        assert!(!b.contains(d(2020, 5, 4)), "the early May bank holiday moved to VE day in 2020");
        // what used to be hard-coded for 2024 to 2027, unchanged
        let old = [
            (2024, 1, 1),
            (2024, 3, 29),
            (2024, 4, 1),
            (2024, 5, 6),
            (2024, 5, 27),
            (2024, 8, 26),
            (2024, 12, 25),
            (2024, 12, 26),
            (2025, 1, 1),
            (2025, 4, 18),
            (2025, 4, 21),
            (2025, 5, 5),
            (2025, 5, 26),
            (2025, 8, 25),
            (2025, 12, 25),
            (2025, 12, 26),
            (2026, 1, 1),
            (2026, 4, 3),
            (2026, 4, 6),
            (2026, 5, 4),
            (2026, 5, 25),
            (2026, 8, 31),
            (2026, 12, 25),
            (2026, 12, 28),
            (2027, 1, 1),
            (2027, 3, 26),
            (2027, 3, 29),
            (2027, 5, 3),
            (2027, 5, 31),
            (2027, 8, 30),
            (2027, 12, 27),
            (2027, 12, 28),
        ];
        let listed: Vec<NaiveDate> =
            b.days().iter().map(|h| h.date).filter(|x| (2024..=2027).contains(&x.year())).collect();
        let old: Vec<NaiveDate> = old.iter().map(|&(y, m, day)| d(y, m, day)).collect();
        assert_eq!(listed, old);
        let sub = b.days().iter().find(|h| h.date == d(2026, 12, 28)).expect("28 Dec 2026");
        assert_eq!((sub.title.as_str(), sub.notes.as_str()), ("Boxing Day", "Substitute day"));
    }

    #[test]
    fn easter_in_the_bundled_file_follows_the_computus() {
        // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
        fn easter(y: i32) -> NaiveDate {
            let (a, b, c) = (y % 19, y / 100, y % 100);
            let (dd, e) = (b / 4, b % 4);
            let f = (b + 8) / 25;
            let g = (b - f + 1) / 3;
            let h = (19 * a + b - dd - g + 15) % 30;
            let (i, k) = (c / 4, c % 4);
            let l = (32 + 2 * e + 2 * i - h - k) % 7;
            let m = (a + 11 * h + 22 * l) / 451;
            let month = (h + l - 7 * m + 114) / 31;
            let day = (h + l - 7 * m + 114) % 31 + 1;
            NaiveDate::from_ymd_opt(y, month as u32, day as u32).expect("easter")
        }
        let b = BankHolidays::bundled();
        for y in 2018..=2028 {
            let sunday = easter(y);
            let good_friday = sunday - chrono::Duration::days(2);
            let easter_monday = sunday + chrono::Duration::days(1);
            assert!(b.days().iter().any(|h| h.date == good_friday && h.title == "Good Friday"), "{y}");
            assert!(b.days().iter().any(|h| h.date == easter_monday && h.title == "Easter Monday"), "{y}");
        }
    }

    #[test]
    fn a_full_govuk_file_is_read_for_england_and_wales_only() {
        let json = r#"{
            "england-and-wales": {"division": "england-and-wales", "events": [
                {"title": "Boxing Day", "date": "2029-12-26", "notes": "", "bunting": true},
                {"title": "New Year’s Day", "date": "2029-01-01", "notes": "", "bunting": true}
            ]},
            "scotland": {"division": "scotland", "events": [
                {"title": "2nd January", "date": "2029-01-02", "notes": "", "bunting": true}
            ]},
            "northern-ireland": {"division": "northern-ireland", "events": []}
        }"#;
        let b = BankHolidays::parse(json).expect("parse");
        assert_eq!(b.days().len(), 2);
        assert_eq!(b.days()[0].title, "New Year’s Day", "sorted by date");
        assert!(!b.contains(d(2029, 1, 2)), "Scotland's days are not England's");
        assert_eq!(b.covers_until(), d(2029, 12, 31));
        // notes and bunting may be absent
        let b = BankHolidays::parse(&file(r#"{"title": "X", "date": "2029-01-01"}"#)).expect("parse");
        assert!(!b.days()[0].bunting && b.days()[0].notes.is_empty());
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let err = |json: &str| BankHolidays::parse(json).expect_err("refused").to_string();
        assert!(err("not json").starts_with("not a GOV.UK bank holidays file"), "{}", err("not json"));
        assert!(err("[]").starts_with("not a GOV.UK bank holidays file"));
        assert_eq!(
            err(r#"{"scotland": {"division": "scotland", "events": []}}"#),
            "there is no \"england-and-wales\" division (found: scotland)"
        );
        assert!(err(r#"{"england-and-wales": {"events": "none"}}"#).contains("england-and-wales: invalid type"));
        assert_eq!(err(&file("")), "the england-and-wales division lists no bank holidays");
        assert_eq!(
            err(&file(&event("Christmas Day", "25/12/2029"))),
            "event 1 (\"Christmas Day\"): '25/12/2029' is not a date in the form YYYY-MM-DD"
        );
        assert_eq!(
            err(&file(&format!("{},{}", event("A", "2029-01-01"), event("B", "2029-02-30")))),
            "event 2 (\"B\"): '2029-02-30' is not a date in the form YYYY-MM-DD"
        );
        assert_eq!(
            err(&file(&event("Christmas Day", "2027-12-25"))),
            "event 1 (\"Christmas Day\"): 2027-12-25 is a Saturday, but bank holidays fall on weekdays (a substitute day is listed instead)"
        );
        assert_eq!(err(&file(&event(" ", "2029-01-01"))), "event 1 on 2029-01-01: the title is empty");
        assert_eq!(
            err(&file(&format!("{},{}", event("A", "2029-01-01"), event("B", "2029-01-01")))),
            "2029-01-01 is listed twice (\"A\" and \"B\")"
        );
        assert_eq!(
            err(&file(&format!("{},{}", event("A", "2027-01-01"), event("B", "2029-01-01")))),
            "the calendar runs from 2027 to 2029 but lists no bank holidays in 2028"
        );
        let many: Vec<String> = (0..=MAX_EVENTS).map(|_| event("A", "2029-01-01")).collect();
        assert!(err(&file(&many.join(","))).contains("more than the 2000"));
        assert!(err(r#"{"england-and-wales": {"division": "scotland", "events": []}}"#).contains("\"scotland\""));
    }

    #[test]
    fn warns_ninety_days_before_the_end() {
        let b = BankHolidays::bundled();
        assert!(!b.runs_out_soon(d(2026, 12, 2)));
        assert!(!b.runs_out_soon(d(2028, 10, 2)), "90 days before 31 December 2028");
        assert!(b.runs_out_soon(d(2028, 10, 3)), "89 days before");
        assert!(b.runs_out_soon(d(2029, 3, 1)), "already run out");
    }
}
