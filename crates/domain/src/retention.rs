//! The retention schedule (UK GDPR Article 5(1)(e), storage limitation):
//! how long each kind of record keeps its personal data, and what is left
//! when it is anonymised. Counts survive: an anonymised incident keeps its
//! category, dates, LSOA and a location rounded to about 100 metres, so
//! statistics, hotspots and meeting packs do not change.

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

/// What replaces free text past retention.
pub const REMOVED: &str = "[removed under the retention schedule]";

/// What replaces a person's name past retention.
pub const ANONYMISED_NAME: &str = "Anonymised";

/// Decimal places kept of an anonymised incident's latitude and longitude
/// (3: about 110 m north-south, 70 m east-west in England).
pub const COORDINATE_DECIMALS: i32 = 3;

/// The schedule: `[retention]` in the configuration file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Schedule {
    /// Years after a case is closed before it, its incidents, tasks,
    /// notes, assessments and interventions are anonymised (default 6).
    pub closed_case_years: u32,
    /// Years after an incident in no case was reported before it is
    /// anonymised; also how long a person on no current record is kept
    /// after being recorded (default 3).
    pub unlinked_incident_years: u32,
    /// Whether `serve` runs the schedule once a day (default false: run
    /// `safetynet retention run --dry-run` first, then turn it on).
    pub scheduled: bool,
}

impl Default for Schedule {
    fn default() -> Self {
        Self { closed_case_years: 6, unlinked_incident_years: 3, scheduled: false }
    }
}

/// The most years a schedule may name.
pub const MAX_YEARS: u32 = 100;

impl Schedule {
    /// Checks the years are in range (0 to [`MAX_YEARS`]).
    pub fn check(&self) -> Result<(), String> {
        for (name, v) in
            [("closed_case_years", self.closed_case_years), ("unlinked_incident_years", self.unlinked_incident_years)]
        {
            if v > MAX_YEARS {
                return Err(format!("retention {name} must be between 0 and {MAX_YEARS}"));
            }
        }
        Ok(())
    }

    /// The cut-offs (Unix ms) as of `now`: records closed or reported
    /// before them are past retention.
    pub fn cutoffs(&self, now: DateTime<Utc>) -> Cutoffs {
        let back = |years: u32| {
            now.checked_sub_months(Months::new(years.saturating_mul(12))).map_or(i64::MIN, |t| t.timestamp_millis())
        };
        Cutoffs {
            closed_case_before: back(self.closed_case_years),
            unlinked_before: back(self.unlinked_incident_years),
        }
    }
}

/// The instants before which records are past retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cutoffs {
    /// Cases closed before this (Unix ms).
    pub closed_case_before: i64,
    /// Unlinked incidents reported, and people recorded, before this (Unix ms).
    pub unlinked_before: i64,
}

/// A coordinate rounded to [`COORDINATE_DECIMALS`] places.
pub fn coarsen(v: f64) -> f64 {
    let f = 10f64.powi(COORDINATE_DECIMALS);
    (v * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutoffs_go_back_whole_years() {
        let now = DateTime::parse_from_rfc3339("2032-01-15T09:00:00Z").map(|t| t.with_timezone(&Utc)).expect("time");
        let c = Schedule::default().cutoffs(now);
        let six = DateTime::parse_from_rfc3339("2026-01-15T09:00:00Z").expect("time").timestamp_millis();
        assert_eq!(c.closed_case_before, six);
        assert!(c.unlinked_before > six);
        assert_eq!(coarsen(51.752_049), 51.752);
        assert!(Schedule { closed_case_years: 101, ..Schedule::default() }.check().is_err());
    }
}
