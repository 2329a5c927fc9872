//! Commitment measures computed from the partners' programme data instead
//! of typed in: which measure a strategy commitment names (`measured_by` in
//! the strategy file), the counts the store gathers for it, and the figure
//! and sentence the strategy page and the RAG pack show.

use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::Serialize;

vocabulary! {
    /// A measure SafetyNet computes from data.
    MeasureSource {
        /// Distinct schools that have had a County Lines workshop.
        CountyLinesSchools = "county_lines_schools" / "Schools that have had a County Lines workshop",
        /// Distinct schools and pupils reached by Healthy Relationships sessions.
        HealthyRelationshipsSchools = "healthy_relationships_schools" / "Schools and pupils reached by Healthy Relationships sessions",
        /// Arson and driver safety talks given, and LiFE referrals completed.
        FireSafetyTalks = "fire_safety_talks" / "Safety talks given and LiFE referrals completed",
        /// Safe and Well referrals completed (visits done).
        SafeAndWellVisits = "safe_and_well_visits" / "Safe and Well visits completed",
        /// Safe and Well visits to people in a new tenancy.
        NewTenancyVisits = "new_tenancy_visits" / "New tenants visited",
        /// Young people taken on by the No More outreach worker.
        NoMoreSupported = "no_more_supported" / "Young people supported by No More outreach",
        /// Young people taken on by the youth offer.
        YouthOfferEngaged = "youth_offer_engaged" / "Young people engaged by the youth offer",
        /// Young people engaged by detached youth work in areas of concern, and the sessions.
        YouthOutreachReached = "youth_outreach_reached" / "Young people reached by detached youth work in areas of concern",
        /// Phoenix participants who gained employment or a qualification.
        PhoenixOutcomes = "phoenix_outcomes" / "Phoenix participants gaining employment or qualifications",
        /// Business premises given a fire safety inspection.
        PremisesInspected = "premises_inspected" / "Business premises inspected under the Risk Based Inspection Programme",
        /// Licensed premises given drink spiking advice.
        DrinkSpikingPremises = "drink_spiking_premises" / "Licensed premises given drink spiking advice",
        /// Licensed premises whose staff had safeguarding training.
        SafeguardingPremises = "safeguarding_premises" / "Licensed premises whose staff had safeguarding training",
        /// Operation Vigilant deployments (nights) and the premises they visited.
        VigilantDeployments = "vigilant_deployments" / "Operation Vigilant deployments",
        /// Noise complaints investigated (a visit or recording equipment) and kits deployed.
        NoiseInvestigations = "noise_investigations" / "Noise complaints investigated and recording equipment deployments",
        /// Fly-tipping incidents the fire and rescue service recorded on the shared system.
        FlyTippingReportedByFire = "fly_tipping_reported_by_fire" / "Fly-tipping reports passed on by the fire and rescue service",
        /// Fixed penalty notices issued and prosecutions brought for fly-tipping.
        FlyTippingEnforcement = "fly_tipping_enforcement" / "Fixed penalty notices and prosecutions for fly-tipping",
        /// Arson vigilance checks made, and the fire risks they found.
        VigilanceChecks = "vigilance_checks" / "Arson vigilance checks carried out",
        /// VAWG scrutiny panels held.
        VawgPanelsHeld = "vawg_panels_held" / "VAWG scrutiny panels held",
        /// Licensed drivers checked with the DBS update service in the last six months.
        TaxiDbsChecked = "taxi_dbs_checked" / "Licensed drivers checked in the last six months",
    }
}

impl MeasureSource {
    /// Whether it counts what happened over the strategy so far (rather
    /// than how things stand on the day).
    pub fn is_cumulative(self) -> bool {
        self != MeasureSource::TaxiDbsChecked
    }
}

/// What the store counts for a measure: the count, what it is out of
/// (drivers on the register, Phoenix completions) and a second count shown
/// beside it (pupils, LiFE referrals).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// The count measured.
    pub count: i64,
    /// What it is a share of, where it is one.
    pub of: Option<i64>,
    /// A second figure shown beside it.
    pub also: Option<i64>,
}

/// A computed measure for one commitment on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Measured {
    /// Which measure.
    pub source: MeasureSource,
    /// The figure against the commitment's target (a percentage for shares).
    pub figure: Option<f64>,
    /// The figure in words, e.g. "7 of 10 schools".
    pub text: String,
    /// The first day counted (the strategy's start; for a share, the day itself).
    pub from: NaiveDate,
    /// The day it was measured.
    pub to: NaiveDate,
}

fn plural(n: i64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The figure and sentence for `counts` of `source`, against `target`.
pub fn describe(
    source: MeasureSource,
    counts: Counts,
    target: Option<f64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Measured {
    let Counts { count, of, also } = counts;
    let mut figure = Some(count as f64);
    let text = match source {
        MeasureSource::CountyLinesSchools => match target {
            Some(t) => format!("{count} of {t} schools"),
            None => plural(count, "school", "schools"),
        },
        MeasureSource::HealthyRelationshipsSchools => {
            format!("{}, {}", plural(count, "school", "schools"), plural(also.unwrap_or(0), "pupil", "pupils"))
        }
        MeasureSource::FireSafetyTalks => format!(
            "{}; {} completed",
            plural(count, "talk", "talks"),
            plural(also.unwrap_or(0), "LiFE referral", "LiFE referrals")
        ),
        MeasureSource::SafeAndWellVisits => plural(count, "visit completed", "visits completed"),
        MeasureSource::NewTenancyVisits => plural(count, "new tenant visited", "new tenants visited"),
        MeasureSource::NoMoreSupported | MeasureSource::YouthOfferEngaged => {
            plural(count, "young person", "young people")
        }
        MeasureSource::YouthOutreachReached => format!(
            "{} reached in {}",
            plural(count, "young person", "young people"),
            plural(also.unwrap_or(0), "outreach session", "outreach sessions")
        ),
        MeasureSource::PhoenixOutcomes => {
            format!("{count} of {}", plural(of.unwrap_or(0), "participant who finished", "participants who finished"))
        }
        MeasureSource::PremisesInspected => format!(
            "{} inspected; {} overdue",
            plural(count, "business premises", "business premises"),
            also.unwrap_or(0)
        ),
        MeasureSource::DrinkSpikingPremises | MeasureSource::SafeguardingPremises => {
            format!("{} engaged", plural(count, "licensed premises", "licensed premises"))
        }
        MeasureSource::VigilantDeployments => format!(
            "{} at {}",
            plural(count, "deployment", "deployments"),
            plural(also.unwrap_or(0), "licensed premises", "licensed premises")
        ),
        MeasureSource::NoiseInvestigations => format!(
            "{} investigated; {}",
            plural(count, "complaint", "complaints"),
            plural(also.unwrap_or(0), "equipment deployment", "equipment deployments")
        ),
        MeasureSource::FlyTippingReportedByFire => plural(count, "report passed on", "reports passed on"),
        MeasureSource::FlyTippingEnforcement => format!(
            "{}; {}",
            plural(count, "fixed penalty notice", "fixed penalty notices"),
            plural(also.unwrap_or(0), "prosecution", "prosecutions")
        ),
        MeasureSource::VigilanceChecks => format!(
            "{}; {} found",
            plural(count, "vigilance check", "vigilance checks"),
            plural(also.unwrap_or(0), "fire risk", "fire risks")
        ),
        MeasureSource::VawgPanelsHeld => plural(count, "panel held", "panels held"),
        MeasureSource::TaxiDbsChecked => match of {
            Some(n) if n > 0 => {
                let share = count as f64 * 100.0 / n as f64;
                figure = Some((share * 10.0).round() / 10.0);
                format!(
                    "{share:.0}% of {} checked within 6 months ({count})",
                    plural(n, "licensed driver", "licensed drivers")
                )
            }
            _ => {
                figure = None;
                "No licensed drivers on the register".into()
            }
        },
    };
    Measured { source, figure, text, from, to }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn measures_read_as_sentences_against_their_targets() {
        let (from, to) = (d("2024-04-01"), d("2026-01-15"));
        let m =
            describe(MeasureSource::CountyLinesSchools, Counts { count: 7, ..Counts::default() }, Some(10.0), from, to);
        assert_eq!((m.figure, m.text.as_str()), (Some(7.0), "7 of 10 schools"));
        let m = describe(
            MeasureSource::TaxiDbsChecked,
            Counts { count: 24, of: Some(25), also: None },
            Some(100.0),
            to,
            to,
        );
        assert_eq!(
            (m.figure, m.text.as_str()),
            (Some(96.0), "96% of 25 licensed drivers checked within 6 months (24)")
        );
        let m = describe(MeasureSource::TaxiDbsChecked, Counts::default(), Some(100.0), to, to);
        assert_eq!(m.figure, None);
        let m = describe(
            MeasureSource::HealthyRelationshipsSchools,
            Counts { count: 1, of: None, also: Some(30) },
            None,
            from,
            to,
        );
        assert_eq!(m.text, "1 school, 30 pupils");
        let m = describe(MeasureSource::PhoenixOutcomes, Counts { count: 2, of: Some(3), also: None }, None, from, to);
        assert_eq!(m.text, "2 of 3 participants who finished");
    }

    #[test]
    fn every_source_has_a_stable_name() {
        for s in MeasureSource::ALL {
            assert_eq!(MeasureSource::parse(s.as_str()), Some(*s));
        }
    }
}
