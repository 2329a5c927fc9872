//! Calendar months as police.uk publishes them (`YYYY-MM`).

use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid `YYYY-MM` month (years 1900 to 2999).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Month {
    year: u16,
    month: u8,
}

/// Police.uk publishes a month's crime about two months after it ends, so
/// the newest month held being older than this many months is stale: pages
/// and packs say so.
pub const STALE_AFTER_MONTHS: i32 = 3;

/// Why a month string was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("'{0}' is not a month in the form YYYY-MM")]
pub struct MonthError(pub String);

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Result<Self, MonthError> {
        let err = || MonthError(s.chars().take(40).collect());
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return Err(err());
        }
        let year: u16 = s[..4].parse().map_err(|_| err())?;
        let month: u8 = s[5..].parse().map_err(|_| err())?;
        if !(1900..=2999).contains(&year) || !(1..=12).contains(&month) {
            return Err(err());
        }
        Ok(Self { year, month })
    }

    /// The month containing `d` (none outside the years 1900 to 2999).
    pub fn of_date(d: chrono::NaiveDate) -> Option<Self> {
        use chrono::Datelike;
        let year = u16::try_from(d.year()).ok().filter(|y| (1900..=2999).contains(y))?;
        Some(Self { year, month: u8::try_from(d.month()).ok()? })
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        if self.month == 12 {
            Self { year: self.year + 1, month: 1 }
        } else {
            Self { year: self.year, month: self.month + 1 }
        }
    }

    /// The month before this one.
    pub fn previous(self) -> Self {
        if self.month == 1 {
            Self { year: self.year - 1, month: 12 }
        } else {
            Self { year: self.year, month: self.month - 1 }
        }
    }

    /// Whole months from this one to `later` (negative when `later` is earlier).
    pub fn months_until(self, later: Self) -> i32 {
        (i32::from(later.year) - i32::from(self.year)) * 12 + i32::from(later.month) - i32::from(self.month)
    }

    /// As the newest month of data held: its age in months on `day` when
    /// that is more than [`STALE_AFTER_MONTHS`] (stale), else none.
    pub fn stale_on(self, day: chrono::NaiveDate) -> Option<i32> {
        Self::of_date(day).map(|m| self.months_until(m)).filter(|age| *age > STALE_AFTER_MONTHS)
    }

    /// "Jan 21".
    pub fn short_name(self) -> String {
        let long = self.long_name();
        format!("{} {:02}", &long[..3], self.year % 100)
    }

    /// "January 2021".
    pub fn long_name(self) -> String {
        const NAMES: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!("{} {}", NAMES[usize::from(self.month - 1)], self.year)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl TryFrom<String> for Month {
    type Error = MonthError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Month> for String {
    fn from(m: Month) -> Self {
        m.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_until_counts_across_years() {
        let m = |s: &str| Month::parse(s).expect("month");
        assert_eq!(m("2021-07").months_until(m("2026-12")), 65);
        assert_eq!(m("2026-12").months_until(m("2026-12")), 0);
        assert_eq!(m("2027-01").months_until(m("2026-12")), -1);
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        assert_eq!(m("2026-08").stale_on(day("2026-12-03")), Some(4));
        assert_eq!(m("2026-09").stale_on(day("2026-12-03")), None, "three months is how long police.uk takes");
    }

    #[test]
    fn parses_and_rejects() {
        assert_eq!(Month::parse("2021-01").map(|m| m.to_string()), Ok("2021-01".into()));
        assert!(Month::parse("2021-13").is_err());
        assert!(Month::parse("2021-1").is_err());
        assert!(Month::parse("21-01x").is_err());
        assert!(Month::parse("' OR 1=1").is_err());
        assert_eq!(Month::parse("2021-01").map(Month::previous), Month::parse("2020-12"));
        assert_eq!(Month::parse("2021-03").map(Month::long_name), Ok("March 2021".into()));
        assert_eq!(Month::parse("2021-03").map(Month::short_name), Ok("Mar 21".into()));
    }
}
