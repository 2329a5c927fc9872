//! Noise investigations (the council's Environmental Protection team): the
//! register of noise recording equipment and its bookings to a complaint
//! (a kit is never in two homes at once, and is due back on a day), and
//! officers' visits to witness the noise, out of hours or not.

use crate::interventions::StatutoryRule;
use crate::uk_time::london_local;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// The longest booking, in days.
pub const MAX_BOOKING_DAYS: i64 = 42;
/// How far back a booking or a visit may be recorded, in days.
pub const BACKDATE_DAYS: i64 = 31;

fn refuse<T>(rule: &'static str, message: impl Into<String>) -> Result<T, StatutoryRule> {
    Err(StatutoryRule { rule, message: message.into() })
}

/// A recording kit as the page and the API add it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewEquipment {
    /// The asset tag, unique in the agency.
    pub asset_tag: String,
    /// What it is (e.g. "Cirrus Noise-Box, app-triggered").
    #[serde(default)]
    pub description: String,
}

impl NewEquipment {
    /// `equipment_text`: an asset tag of 1 to 40 characters and a
    /// description of at most 200.
    pub fn check(&self) -> Result<(), StatutoryRule> {
        crate::text::required("asset tag", &self.asset_tag, 40).or_else(|m| refuse("equipment_text", m))?;
        crate::text::optional("description", &self.description, 200).or_else(|m| refuse("equipment_text", m))?;
        Ok(())
    }
}

/// A booking of a kit to a noise complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    /// The complaint: an incident's id or reference the agency may see.
    pub incident: String,
    /// The first day it is out.
    pub starts_on: NaiveDate,
    /// The day it is due back.
    pub due_back_on: NaiveDate,
}

impl NewBooking {
    /// `booking_dates`: due back on or after it goes out, within
    /// [`MAX_BOOKING_DAYS`], not booked more than a year ahead of `today`
    /// nor recorded more than [`BACKDATE_DAYS`] after it went out.
    pub fn check(&self, today: NaiveDate) -> Result<(), StatutoryRule> {
        if self.due_back_on < self.starts_on {
            return refuse("booking_dates", "the kit must be due back on or after the day it goes out");
        }
        if self.due_back_on - self.starts_on > Duration::days(MAX_BOOKING_DAYS) {
            return refuse("booking_dates", format!("book a kit for at most {MAX_BOOKING_DAYS} days"));
        }
        if self.starts_on > today + Duration::days(366) {
            return refuse("booking_dates", "book a kit at most a year ahead");
        }
        if self.starts_on < today - Duration::days(BACKDATE_DAYS) {
            return refuse(
                "booking_dates",
                format!("record a booking within {BACKDATE_DAYS} days of the kit going out"),
            );
        }
        Ok(())
    }
}

/// Whether two inclusive date ranges share a day.
pub fn overlaps(a: (NaiveDate, NaiveDate), b: (NaiveDate, NaiveDate)) -> bool {
    a.0 <= b.1 && b.0 <= a.1
}

/// A visit to witness noise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewNoiseVisit {
    /// The complaint: an incident's id or reference the agency may see.
    pub incident: String,
    /// When the officer was there.
    pub visited_at: DateTime<Utc>,
    /// The officer heard the noise.
    #[serde(default)]
    pub witnessed: bool,
    /// In the officer's judgement, a statutory nuisance (EPA 1990 s79).
    #[serde(default)]
    pub statutory_nuisance: bool,
    /// What was heard, for how long, from where.
    #[serde(default)]
    pub notes: String,
}

impl NewNoiseVisit {
    /// `visit_date` (not in the future, not more than [`BACKDATE_DAYS`]
    /// ago), `visit_nuisance_needs_witness`
    /// (a nuisance is judged on noise the officer heard), `visit_text`.
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), StatutoryRule> {
        if self.visited_at > now {
            return refuse("visit_date", "record a visit once it has been made");
        }
        if self.visited_at < now - Duration::days(BACKDATE_DAYS) {
            return refuse("visit_date", format!("record a visit within {BACKDATE_DAYS} days of making it"));
        }
        if self.statutory_nuisance && !self.witnessed {
            return refuse(
                "visit_nuisance_needs_witness",
                "a statutory nuisance is judged on noise the officer witnessed",
            );
        }
        crate::text::optional("notes", &self.notes, 4_000).or_else(|m| refuse("visit_text", m))?;
        Ok(())
    }
}

/// Whether a visit at `at` was out of hours: UK local time before 09:00 or
/// from 17:00, or at a weekend (bank holidays are not taken into account).
pub fn out_of_hours(at: DateTime<Utc>) -> bool {
    let local = london_local(at);
    matches!(local.weekday(), Weekday::Sat | Weekday::Sun) || local.hour() < 9 || local.hour() >= 17
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn bookings_run_forwards_for_at_most_six_weeks_and_clash_when_they_share_a_day() {
        let today = d("2026-01-15");
        let b = |s, e| NewBooking { incident: "INC-1".into(), starts_on: d(s), due_back_on: d(e) };
        assert!(b("2026-01-15", "2026-01-29").check(today).is_ok());
        assert!(b("2026-01-15", "2026-02-26").check(today).is_ok());
        assert_eq!(b("2026-01-15", "2026-02-27").check(today).err().map(|e| e.rule), Some("booking_dates"));
        assert_eq!(b("2026-01-15", "2026-01-14").check(today).err().map(|e| e.rule), Some("booking_dates"));
        assert!(overlaps((d("2026-01-01"), d("2026-01-10")), (d("2026-01-10"), d("2026-01-20"))));
        assert!(!overlaps((d("2026-01-01"), d("2026-01-09")), (d("2026-01-10"), d("2026-01-20"))));
    }

    #[test]
    fn out_of_hours_is_evenings_nights_and_weekends_in_uk_time() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("time");
        assert!(!out_of_hours(at("2026-01-15T09:00:00Z")), "a Thursday morning in GMT");
        assert!(out_of_hours(at("2026-01-15T17:00:00Z")));
        assert!(out_of_hours(at("2026-07-16T16:30:00Z")), "17:30 in BST");
        assert!(out_of_hours(at("2026-01-17T12:00:00Z")), "a Saturday");
        let v = NewNoiseVisit {
            incident: "INC-1".into(),
            visited_at: at("2026-01-15T23:00:00Z"),
            witnessed: false,
            statutory_nuisance: true,
            notes: String::new(),
        };
        assert_eq!(v.check(at("2026-01-16T09:00:00Z")).err().map(|e| e.rule), Some("visit_nuisance_needs_witness"));
        assert_eq!(v.check(at("2026-01-15T22:00:00Z")).err().map(|e| e.rule), Some("visit_date"));
    }
}
