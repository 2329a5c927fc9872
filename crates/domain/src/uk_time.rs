//! UK local time (Europe/London): the calendar date of an instant, local
//! midnight, calendar months added in local time, and reading and writing
//! local wall-clock times. Every rule about days (Case Review windows and
//! clocks, reviews due, packs "as at" a date, daily jobs) uses these, so a
//! complaint received at 00:30 BST on 1 April counts as received on 1 April
//! even though it is still 31 March in UTC.
//!
//! This is the only module that knows the time zone; it never reads the
//! clock (callers pass the instant).

use chrono::{DateTime, LocalResult, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Europe::London;

/// The UK local (Europe/London) calendar date of an instant.
pub fn london_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&London).date_naive()
}

/// The UK local calendar date of an instant given in Unix milliseconds (an
/// instant out of range counts as the Unix epoch).
pub fn london_date_at_ms(at_ms: i64) -> NaiveDate {
    london_date(DateTime::from_timestamp_millis(at_ms).unwrap_or_default())
}

/// The UK local wall-clock date and time of an instant.
pub fn london_local(t: DateTime<Utc>) -> NaiveDateTime {
    t.with_timezone(&London).naive_local()
}

/// The UK local hour (0 to 23) of an instant.
pub fn london_hour(t: DateTime<Utc>) -> u32 {
    t.with_timezone(&London).hour()
}

/// The instant of a UK local wall-clock time: the earlier one when the
/// autumn change makes it ambiguous, `None` when it falls in the spring gap.
pub fn london_to_utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    London.from_local_datetime(&local).earliest().map(|t| t.with_timezone(&Utc))
}

/// The instant of UK local midnight at the start of `d`. (UK clocks change at
/// 01:00/02:00, so local midnight always exists and is never ambiguous.)
pub fn london_midnight(d: NaiveDate) -> DateTime<Utc> {
    let naive = d.and_time(chrono::NaiveTime::MIN);
    match London.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => naive.and_utc(),
    }
}

/// Adds calendar months to an instant in UK local time, clamping the day to
/// the end of a shorter month, keeping the local wall-clock time (the earlier
/// instant if it is ambiguous, an hour later if it falls in the spring gap).
pub fn london_add_months(t: DateTime<Utc>, months: u32) -> DateTime<Utc> {
    let local = london_local(t);
    let Some(target) = local.checked_add_months(Months::new(months)) else {
        return DateTime::<Utc>::MAX_UTC;
    };
    match London.from_local_datetime(&target) {
        LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => x.with_timezone(&Utc),
        LocalResult::None => {
            let later = target + chrono::Duration::hours(1);
            match London.from_local_datetime(&later) {
                LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => x.with_timezone(&Utc),
                LocalResult::None => target.and_utc(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("local")
    }

    #[test]
    fn local_dates_across_bst_changes() {
        assert_eq!(london_date(utc("2025-03-31T23:30:00Z")), d(2025, 4, 1)); // 00:30 BST on 1 April
        assert_eq!(london_date(utc("2025-03-30T00:30:00Z")), d(2025, 3, 30)); // before the change (01:00 UTC)
        assert_eq!(london_date(utc("2025-10-25T23:30:00Z")), d(2025, 10, 26)); // 00:30 BST, last Sunday of October
        assert_eq!(london_date(utc("2025-10-26T23:30:00Z")), d(2025, 10, 26)); // 23:30 GMT
        assert_eq!(london_midnight(d(2025, 4, 1)), utc("2025-03-31T23:00:00Z"));
        assert_eq!(london_midnight(d(2025, 12, 1)), utc("2025-12-01T00:00:00Z"));
        assert_eq!(london_hour(utc("2025-06-01T08:30:00Z")), 9);
        assert_eq!(london_local(utc("2025-06-01T08:30:00Z")), local("2025-06-01 09:30"));
    }

    #[test]
    fn local_wall_clock_times_to_instants() {
        assert_eq!(london_to_utc(local("2025-06-01 09:30")), Some(utc("2025-06-01T08:30:00Z")));
        assert_eq!(london_to_utc(local("2025-12-01 09:30")), Some(utc("2025-12-01T09:30:00Z")));
        // 01:30 on 26 October 2025 happens twice: the earlier (BST) instant
        assert_eq!(london_to_utc(local("2025-10-26 01:30")), Some(utc("2025-10-26T00:30:00Z")));
        // 01:30 on 30 March 2025 never happens
        assert_eq!(london_to_utc(local("2025-03-30 01:30")), None);
    }

    #[test]
    fn london_add_months_keeps_local_time() {
        // 10:00 BST on 1 May plus 6 months is 10:00 GMT on 1 November
        assert_eq!(london_add_months(utc("2025-05-01T09:00:00Z"), 6), utc("2025-11-01T10:00:00Z"));
        // 31 August plus 6 months clamps to 28 February
        assert_eq!(london_add_months(utc("2025-08-31T09:00:00Z"), 6), utc("2026-02-28T10:00:00Z"));
        // landing in the spring-forward gap moves an hour later
        assert_eq!(london_add_months(utc("2025-09-29T00:30:00Z"), 6), utc("2026-03-29T01:30:00Z"));
    }
}
