//! Arson vigilance checks: fire crews and Community Volunteers walking an
//! area identified as at risk of deliberate fires, recording the fire risks
//! and likely arson targets they found and what was done about them. Places
//! and risks, never people.

use crate::interventions::StatutoryRule;
use crate::powers::Sector;
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// Who carried out the check.
    CheckedBy {
        /// An operational fire crew.
        Crew = "crew" / "Fire crew",
        /// The fire service's Community Volunteers.
        CommunityVolunteers = "community_volunteers" / "Community Volunteers",
    }
}

vocabulary! {
    /// A fire risk or likely arson target found.
    FireRisk {
        /// Dumped waste or fly-tipping.
        DumpedWaste = "dumped_waste" / "Dumped waste or fly-tipping",
        /// Wheelie bins or refuse left out, near buildings.
        BinsLeftOut = "bins_left_out" / "Bins or refuse left out near buildings",
        /// An abandoned or burnt-out vehicle.
        AbandonedVehicle = "abandoned_vehicle" / "Abandoned vehicle",
        /// An empty building open to entry.
        InsecureBuilding = "insecure_building" / "Empty building open to entry",
        /// Combustible materials stacked against a building.
        Combustibles = "combustibles" / "Combustibles against a building",
        /// Dry grass, gorse or scrub near homes (wildfire risk).
        DryVegetation = "dry_vegetation" / "Dry grass or scrub near homes",
        /// Signs of earlier deliberate fires.
        FireDamage = "fire_damage" / "Signs of earlier deliberate fires",
        /// Anything else (say in the notes).
        Other = "other" / "Other",
    }
}

/// The most days back a check may be recorded.
pub const BACKDATE_DAYS: i64 = 31;

/// A vigilance check as the page and the API record it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewVigilanceCheck {
    /// The area walked, e.g. "Cottonmill estate garages".
    pub area: String,
    /// WGS84 latitude of the area's centre, for the map.
    pub latitude: f64,
    /// WGS84 longitude of the area's centre.
    pub longitude: f64,
    /// The day of the check.
    pub checked_on: NaiveDate,
    /// Who carried it out.
    pub checked_by: CheckedBy,
    /// The risks found (none is a finding too).
    #[serde(default)]
    pub risks: Vec<FireRisk>,
    /// What was done: removed, reported to the council, letters to owners.
    #[serde(default)]
    pub action_taken: String,
}

fn refuse<T>(rule: &'static str, message: impl Into<String>) -> Result<T, StatutoryRule> {
    Err(StatutoryRule { rule, message: message.into() })
}

impl NewVigilanceCheck {
    /// Checks the record by an agency of `sector` on `today`:
    /// `vigilance_not_for_agency` (fire and rescue services record them),
    /// `vigilance_text`, `vigilance_location`, `vigilance_date` (not in the
    /// future, at most [`BACKDATE_DAYS`] back), `vigilance_risks` (each risk
    /// once).
    pub fn check(&self, sector: Option<Sector>, today: NaiveDate) -> Result<(), StatutoryRule> {
        if sector != Some(Sector::Fire) {
            return refuse("vigilance_not_for_agency", "vigilance checks are recorded by the fire and rescue service");
        }
        crate::text::required("area", &self.area, 200).or_else(|m| refuse("vigilance_text", m))?;
        crate::text::optional("action taken", &self.action_taken, 2_000).or_else(|m| refuse("vigilance_text", m))?;
        if !(-90.0..=90.0).contains(&self.latitude) || !(-180.0..=180.0).contains(&self.longitude) {
            return refuse("vigilance_location", "give the area's latitude and longitude, for the map");
        }
        if self.checked_on > today || (today - self.checked_on).num_days() > BACKDATE_DAYS {
            return refuse(
                "vigilance_date",
                format!("record a check made in the last {BACKDATE_DAYS} days, not in the future"),
            );
        }
        let mut seen = Vec::new();
        for r in &self.risks {
            if seen.contains(r) {
                return refuse("vigilance_risks", format!("{} is given twice", r.label()));
            }
            seen.push(*r);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn the_fire_service_records_checks_made_recently_with_each_risk_once() {
        let today = d("2026-01-15");
        let check = NewVigilanceCheck {
            area: "Cottonmill garages".into(),
            latitude: 51.745,
            longitude: -0.345,
            checked_on: d("2026-01-14"),
            checked_by: CheckedBy::CommunityVolunteers,
            risks: vec![FireRisk::DumpedWaste, FireRisk::BinsLeftOut],
            action_taken: "Reported the waste to the council".into(),
        };
        let rule = |c: &NewVigilanceCheck, s| c.check(s, today).err().map(|e| e.rule);
        assert_eq!(rule(&check, Some(Sector::Fire)), None);
        assert_eq!(rule(&check, Some(Sector::Council)), Some("vigilance_not_for_agency"));
        assert_eq!(rule(&check, None), Some("vigilance_not_for_agency"));
        let twice = NewVigilanceCheck { risks: vec![FireRisk::Combustibles, FireRisk::Combustibles], ..check.clone() };
        assert_eq!(rule(&twice, Some(Sector::Fire)), Some("vigilance_risks"));
        let old = NewVigilanceCheck { checked_on: d("2025-12-14"), ..check.clone() };
        assert_eq!(rule(&old, Some(Sector::Fire)), Some("vigilance_date"));
        let edge = NewVigilanceCheck { checked_on: d("2025-12-15"), ..check.clone() };
        assert_eq!(rule(&edge, Some(Sector::Fire)), None);
        let ahead = NewVigilanceCheck { checked_on: d("2026-01-16"), ..check.clone() };
        assert_eq!(rule(&ahead, Some(Sector::Fire)), Some("vigilance_date"));
        let nowhere = NewVigilanceCheck { longitude: 200.0, ..check };
        assert_eq!(rule(&nowhere, Some(Sector::Fire)), Some("vigilance_location"));
    }
}
