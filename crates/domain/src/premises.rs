//! Premises the partners visit: business premises on the fire service's
//! Risk Based Inspection Programme (a risk band and the next inspection
//! due) and licensed premises (safeguarding training for staff, drink
//! spiking advice, Operation Vigilant deployments, licensing checks).
//! Premises and visits are about businesses, not people: no personal data.

use crate::interventions::StatutoryRule;
use crate::powers::Sector;
use crate::vocabulary::vocabulary;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// What kind of premises.
    PremisesKind {
        /// Business premises on the Risk Based Inspection Programme.
        Business = "business" / "Business premises",
        /// Licensed premises (pubs, clubs, bars, late-night venues).
        Licensed = "licensed" / "Licensed premises",
    }
}

vocabulary! {
    /// The fire service's risk band for business premises.
    RiskBand {
        /// Very high risk (sleeping risk, vulnerable occupants).
        VeryHigh = "very_high" / "Very high",
        /// High risk.
        High = "high" / "High",
        /// Medium risk.
        Medium = "medium" / "Medium",
        /// Low risk.
        Low = "low" / "Low",
    }
}

impl RiskBand {
    /// Months from one inspection to the next (SafetyNet's defaults; the
    /// inspector may set another date on the visit).
    pub fn interval_months(self) -> u32 {
        match self {
            RiskBand::VeryHigh => 12,
            RiskBand::High => 24,
            RiskBand::Medium => 36,
            RiskBand::Low => 60,
        }
    }
}

vocabulary! {
    /// What a visit was for.
    VisitKind {
        /// A fire safety inspection on the Risk Based Inspection Programme.
        FireInspection = "fire_inspection" / "Fire safety inspection",
        /// Safeguarding training for the premises' staff.
        SafeguardingTraining = "safeguarding_training" / "Safeguarding training for staff",
        /// Drink spiking advice, testing kits and posters.
        DrinkSpikingAdvice = "drink_spiking_advice" / "Drink spiking advice",
        /// An Operation Vigilant night-time deployment at the premises.
        VigilantDeployment = "vigilant_deployment" / "Operation Vigilant deployment",
        /// A licensing compliance check.
        LicensingCheck = "licensing_check" / "Licensing compliance check",
        /// Advice on noise from the premises (the council's Environmental Protection team).
        NoiseAdvice = "noise_advice" / "Noise advice",
    }
}

impl VisitKind {
    /// The kinds of premises it is made to.
    pub fn premises(self) -> PremisesKind {
        match self {
            VisitKind::FireInspection => PremisesKind::Business,
            _ => PremisesKind::Licensed,
        }
    }

    /// The kinds of agency that make it.
    pub fn sectors(self) -> &'static [Sector] {
        match self {
            VisitKind::FireInspection => &[Sector::Fire],
            VisitKind::VigilantDeployment => &[Sector::Police],
            VisitKind::NoiseAdvice => &[Sector::Council],
            VisitKind::SafeguardingTraining | VisitKind::DrinkSpikingAdvice | VisitKind::LicensingCheck => {
                &[Sector::Council, Sector::Police]
            }
        }
    }
}

/// Premises as the page and the API add them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPremises {
    /// Business or licensed.
    pub kind: PremisesKind,
    /// The trading name.
    pub name: String,
    /// The address.
    pub address: String,
    /// WGS84 latitude, for the map.
    #[serde(default)]
    pub latitude: Option<f64>,
    /// WGS84 longitude, for the map.
    #[serde(default)]
    pub longitude: Option<f64>,
    /// The risk band (business premises).
    #[serde(default)]
    pub risk_band: Option<RiskBand>,
    /// The premises licence number (licensed premises).
    #[serde(default)]
    pub licence_number: String,
}

fn refuse<T>(rule: &'static str, message: impl Into<String>) -> Result<T, StatutoryRule> {
    Err(StatutoryRule { rule, message: message.into() })
}

impl NewPremises {
    /// Checks the premises: `premises_text` (name and address given and
    /// bounded), `premises_location` (both coordinates or neither, each
    /// valid), `premises_risk_band_required` (business premises are banded).
    pub fn check(&self) -> Result<(), StatutoryRule> {
        for (field, value, max) in [("name", &self.name, 200), ("address", &self.address, 300)] {
            crate::text::required(field, value, max).or_else(|m| refuse("premises_text", m))?;
        }
        crate::text::optional("licence number", &self.licence_number, 40).or_else(|m| refuse("premises_text", m))?;
        match (self.latitude, self.longitude) {
            (None, None) => {}
            (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {}
            _ => return refuse("premises_location", "give both a latitude and a longitude, or neither"),
        }
        if self.kind == PremisesKind::Business && self.risk_band.is_none() {
            return refuse(
                "premises_risk_band_required",
                "choose the premises' risk band for the inspection programme",
            );
        }
        Ok(())
    }
}

/// A visit as the page and the API record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    /// What it was for.
    pub kind: VisitKind,
    /// The day of the visit.
    pub visited_on: NaiveDate,
    /// What was found or done.
    #[serde(default)]
    pub outcome: String,
    /// Staff trained (safeguarding training).
    #[serde(default)]
    pub staff_trained: Option<u32>,
    /// The next inspection (fire inspections; default from the risk band).
    #[serde(default)]
    pub next_inspection_due: Option<NaiveDate>,
}

/// The day the next inspection falls due after one on `last` in `band`.
pub fn next_inspection(last: NaiveDate, band: RiskBand) -> NaiveDate {
    last.checked_add_months(Months::new(band.interval_months())).unwrap_or(NaiveDate::MAX)
}

impl NewVisit {
    /// Checks the visit to premises of `kind` by an agency of `sector` on
    /// `today`: `visit_date` (not in the future; a next inspection after
    /// the visit), `visit_kind_premises` (fire inspections are of business
    /// premises, the rest of licensed premises), `visit_not_for_agency`
    /// (the agency's sector makes this kind of visit), `visit_text`.
    pub fn check(&self, kind: PremisesKind, sector: Option<Sector>, today: NaiveDate) -> Result<(), StatutoryRule> {
        if self.visited_on > today {
            return refuse(
                "visit_date",
                format!("record a visit once it has been made ({} is in the future)", self.visited_on),
            );
        }
        if self.next_inspection_due.is_some_and(|d| d <= self.visited_on) {
            return refuse("visit_date", "the next inspection must be after this visit");
        }
        if self.kind.premises() != kind {
            return refuse(
                "visit_kind_premises",
                format!(
                    "a {} is made to {}",
                    self.kind.label().to_lowercase(),
                    self.kind.premises().label().to_lowercase()
                ),
            );
        }
        if !sector.is_some_and(|s| self.kind.sectors().contains(&s)) {
            let who: Vec<&str> = self.kind.sectors().iter().map(|s| s.label()).collect();
            return refuse(
                "visit_not_for_agency",
                format!("a {} is recorded by: {}", self.kind.label().to_lowercase(), who.join(", ")),
            );
        }
        crate::text::optional("outcome", &self.outcome, 2_000).or_else(|m| refuse("visit_text", m))?;
        if self.staff_trained.is_some_and(|n| n > 1_000) {
            return refuse("visit_text", "enter the number of staff trained, at most 1,000");
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

    fn visit(kind: VisitKind) -> NewVisit {
        NewVisit {
            kind,
            visited_on: d("2026-01-14"),
            outcome: String::new(),
            staff_trained: None,
            next_inspection_due: None,
        }
    }

    #[test]
    fn each_visit_suits_its_premises_and_its_agency() {
        let today = d("2026-01-15");
        let rule = |v: NewVisit, k, s| v.check(k, Some(s), today).err().map(|e| e.rule);
        assert_eq!(rule(visit(VisitKind::FireInspection), PremisesKind::Business, Sector::Fire), None);
        assert_eq!(
            rule(visit(VisitKind::FireInspection), PremisesKind::Licensed, Sector::Fire),
            Some("visit_kind_premises")
        );
        assert_eq!(
            rule(visit(VisitKind::FireInspection), PremisesKind::Business, Sector::Council),
            Some("visit_not_for_agency")
        );
        assert_eq!(rule(visit(VisitKind::VigilantDeployment), PremisesKind::Licensed, Sector::Police), None);
        assert_eq!(
            rule(visit(VisitKind::VigilantDeployment), PremisesKind::Licensed, Sector::Council),
            Some("visit_not_for_agency")
        );
        assert_eq!(rule(visit(VisitKind::DrinkSpikingAdvice), PremisesKind::Licensed, Sector::Council), None);
        assert_eq!(rule(visit(VisitKind::NoiseAdvice), PremisesKind::Licensed, Sector::Council), None);
        assert_eq!(
            rule(visit(VisitKind::NoiseAdvice), PremisesKind::Licensed, Sector::Police),
            Some("visit_not_for_agency")
        );
        let future = NewVisit { visited_on: d("2026-01-16"), ..visit(VisitKind::LicensingCheck) };
        assert_eq!(rule(future, PremisesKind::Licensed, Sector::Council), Some("visit_date"));
        let backwards = NewVisit { next_inspection_due: Some(d("2026-01-14")), ..visit(VisitKind::FireInspection) };
        assert_eq!(rule(backwards, PremisesKind::Business, Sector::Fire), Some("visit_date"));
        assert_eq!(
            visit(VisitKind::FireInspection).check(PremisesKind::Business, None, today).err().map(|e| e.rule),
            Some("visit_not_for_agency")
        );
    }

    #[test]
    fn business_premises_are_banded_and_inspected_on_their_interval() {
        let p = NewPremises {
            kind: PremisesKind::Business,
            name: "Example Care Home".into(),
            address: "1 High Street".into(),
            latitude: Some(51.75),
            longitude: None,
            risk_band: None,
            licence_number: String::new(),
        };
        assert_eq!(p.check().err().map(|e| e.rule), Some("premises_location"));
        let p = NewPremises { longitude: Some(-0.34), ..p };
        assert_eq!(p.check().err().map(|e| e.rule), Some("premises_risk_band_required"));
        assert!(NewPremises { risk_band: Some(RiskBand::High), ..p }.check().is_ok());
        assert_eq!(next_inspection(d("2026-01-31"), RiskBand::VeryHigh), d("2027-01-31"));
        assert_eq!(next_inspection(d("2024-02-29"), RiskBand::High), d("2026-02-28"));
    }
}
