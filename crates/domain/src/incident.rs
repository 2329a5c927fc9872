//! Incidents as recorded by any agency: their fixed vocabularies (source,
//! hate strand, the roles people play) and the validation every new
//! incident passes, with the clock as an input.

use crate::categories::Category;
use crate::vocabulary::vocabulary;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// Who reported the incident.
    Source {
        /// A member of the public.
        Public = "public" / "Member of the public",
        /// Police.
        Police = "police" / "Police",
        /// Council.
        Council = "council" / "Council",
        /// Housing provider.
        Housing = "housing" / "Housing provider",
        /// Fire and rescue.
        Fire = "fire" / "Fire and rescue",
        /// School or college.
        School = "school" / "School or college",
        /// Health.
        Health = "health" / "Health",
        /// Probation.
        Probation = "probation" / "Probation",
        /// Youth services.
        Youth = "youth" / "Youth services",
        /// Anyone else.
        Other = "other" / "Other",
    }
}

vocabulary! {
    /// The monitored hate crime strands.
    HateStrand {
        /// Race or ethnicity.
        Race = "race" / "Race or ethnicity",
        /// Religion or belief.
        Religion = "religion" / "Religion or belief",
        /// Sexual orientation.
        SexualOrientation = "sexual_orientation" / "Sexual orientation",
        /// Disability.
        Disability = "disability" / "Disability",
        /// Transgender identity.
        Transgender = "transgender" / "Transgender identity",
        /// Another hostility.
        Other = "other" / "Other hostility",
    }
}

vocabulary! {
    /// The part a person plays in an incident.
    PersonRole {
        /// Victim.
        Victim = "victim" / "Victim",
        /// Complainant (may not be the victim).
        Complainant = "complainant" / "Complainant",
        /// Witness.
        Witness = "witness" / "Witness",
        /// Perpetrator or suspect.
        Perpetrator = "perpetrator" / "Perpetrator or suspect",
        /// Parent or guardian.
        Guardian = "guardian" / "Parent or guardian",
    }
}

/// Longest description accepted.
pub const MAX_DESCRIPTION: usize = 5_000;
/// Longest address accepted.
pub const MAX_ADDRESS: usize = 300;

/// A new incident before it is stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct IncidentInput {
    /// Category code.
    pub category: String,
    /// When it happened (or started).
    pub occurred_from: DateTime<Utc>,
    /// End of the period, if a range.
    pub occurred_to: Option<DateTime<Utc>>,
    /// When it was reported.
    pub reported_at: DateTime<Utc>,
    /// WGS84 latitude of the map pin.
    pub latitude: Option<f64>,
    /// WGS84 longitude of the map pin.
    pub longitude: Option<f64>,
    /// Address or description of the place.
    pub address: String,
    /// Unique Property Reference Number, when known.
    pub uprn: Option<String>,
    /// What happened.
    pub description: String,
    /// Who reported it.
    pub source: Source,
    /// Hate motivated, and the strand.
    pub hate_strand: Option<HateStrand>,
    /// Domestic-abuse related.
    pub domestic_abuse: bool,
    /// Involves a child.
    pub involves_child: bool,
    /// Reported as a repeat.
    pub repeat: bool,
    /// Why a location outside the partnership's area is recorded anyway.
    pub outside_area_reason: Option<String>,
}

/// A problem with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field.
    pub field: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, message: message.into() }
}

/// Checks a new incident. `now` comes from the clock; `inside_area` says
/// whether the pin is inside the partnership's area (`None`: unknown). A
/// location outside it needs a reason.
pub fn validate(
    i: &IncidentInput,
    now: DateTime<Utc>,
    categories: &[Category],
    inside_area: Option<bool>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if !categories.iter().any(|c| c.code == i.category) {
        errors.push(err("category", "choose a category from the list"));
    }
    let slack = Duration::minutes(5);
    if i.reported_at > now + slack {
        errors.push(err("reported_at", "the report time cannot be in the future"));
    }
    // One message per cause: a future time is not also "after it was reported".
    if i.occurred_from > now + slack {
        errors.push(err("occurred_from", "the incident cannot have happened in the future"));
    } else if i.occurred_from > i.reported_at {
        errors.push(err("occurred_from", "the incident cannot have happened after it was reported"));
    } else if i.occurred_from.timestamp() < 631_152_000 {
        errors.push(err("occurred_from", "the date is before 1990: check the year"));
    }
    if let Some(to) = i.occurred_to {
        if to < i.occurred_from {
            errors.push(err("occurred_to", "the end of the period must be after its start"));
        } else if to > i.reported_at {
            errors.push(err("occurred_to", "the period cannot end after the incident was reported"));
        }
    }
    let desc = i.description.trim();
    if desc.is_empty() {
        errors.push(err("description", "describe what happened"));
    } else if desc.chars().count() > MAX_DESCRIPTION {
        errors.push(err("description", format!("the description must be {MAX_DESCRIPTION} characters or fewer")));
    }
    if i.address.chars().count() > MAX_ADDRESS {
        errors.push(err("address", format!("the address must be {MAX_ADDRESS} characters or fewer")));
    }
    if i.uprn.as_deref().is_some_and(|u| u.is_empty() || u.len() > 12 || !u.bytes().all(|b| b.is_ascii_digit())) {
        errors.push(err("uprn", "a UPRN is up to 12 digits"));
    }
    match (i.latitude, i.longitude) {
        (None, None) if i.address.trim().is_empty() => {
            errors.push(err("address", "give an address or drop a pin on the map"))
        }
        (None, None) => {}
        (Some(lat), Some(lon)) => {
            if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                errors.push(err("latitude", "the coordinates are not valid"));
            } else if inside_area == Some(false) && i.outside_area_reason.as_deref().is_none_or(|r| r.trim().is_empty())
            {
                errors.push(err(
                    "outside_area_reason",
                    "the location is outside the partnership's area: check the pin, or give a reason to record it anyway",
                ));
            }
        }
        _ => errors.push(err("latitude", "give both latitude and longitude, or neither")),
    }
    errors
}

/// Normalises a name or address for duplicate detection: lower case,
/// letters and digits only, single spaces.
pub fn match_key(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::categories::default_categories;
    use crate::geo::BoundingBox;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).expect("time")
    }

    fn input() -> IncidentInput {
        IncidentInput {
            category: "asb-nuisance".into(),
            occurred_from: t("2026-01-14T22:00:00Z"),
            occurred_to: None,
            reported_at: t("2026-01-15T08:00:00Z"),
            latitude: Some(51.75),
            longitude: Some(-0.34),
            address: "1 High Street, St Albans".into(),
            uprn: Some("100080000001".into()),
            description: "Loud music and shouting".into(),
            source: Source::Public,
            hate_strand: None,
            domestic_abuse: false,
            involves_child: false,
            repeat: false,
            outside_area_reason: None,
        }
    }

    fn fields(i: &IncidentInput) -> Vec<&'static str> {
        let inside = match (i.longitude, i.latitude) {
            (Some(lon), Some(lat)) => Some(BoundingBox::ST_ALBANS.contains(lon, lat)),
            _ => None,
        };
        validate(i, t("2026-01-15T09:00:00Z"), &default_categories(), inside).into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_good_incident_passes() {
        assert!(fields(&input()).is_empty());
    }

    #[test]
    fn impossible_dates_are_refused() {
        let mut i = input();
        i.occurred_from = t("2026-01-15T08:30:00Z");
        assert_eq!(fields(&i), vec!["occurred_from"], "after reported");
        let mut i = input();
        i.reported_at = t("2026-01-16T08:00:00Z");
        i.occurred_from = t("2026-01-16T07:00:00Z");
        assert_eq!(fields(&i), vec!["reported_at", "occurred_from"], "future");
        let mut i = input();
        i.occurred_to = Some(t("2026-01-14T21:00:00Z"));
        assert_eq!(fields(&i), vec!["occurred_to"]);
        let mut i = input();
        i.occurred_from = t("1970-01-01T00:00:00Z");
        assert_eq!(fields(&i), vec!["occurred_from"]);
    }

    #[test]
    fn a_future_start_gives_one_message_not_two() {
        let mut i = input();
        i.occurred_from = t("2026-02-01T08:00:00Z");
        let errors = validate(&i, t("2026-01-15T09:00:00Z"), &default_categories(), None);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, "the incident cannot have happened in the future");
    }

    #[test]
    fn text_categories_and_places_are_checked() {
        let mut i = input();
        i.category = "unknown".into();
        i.description = "x".repeat(MAX_DESCRIPTION + 1);
        i.uprn = Some("12a".into());
        assert_eq!(fields(&i), vec!["category", "description", "uprn"]);
        let mut i = input();
        i.latitude = None;
        assert_eq!(fields(&i), vec!["latitude"]);
        let mut i = input();
        i.latitude = None;
        i.longitude = None;
        i.address = " ".into();
        assert_eq!(fields(&i), vec!["address"]);
    }

    #[test]
    fn outside_the_area_needs_a_reason() {
        let mut i = input();
        i.latitude = Some(51.50);
        i.longitude = Some(-0.12);
        assert_eq!(fields(&i), vec!["outside_area_reason"]);
        i.outside_area_reason = Some("Victim lives in St Albans; incident on a day trip".into());
        assert!(fields(&i).is_empty());
    }

    #[test]
    fn match_keys_normalise() {
        assert_eq!(match_key("  O'Brien,  Mary-Jane "), "o brien mary jane");
        assert_eq!(match_key("1 High St."), match_key("1 high st"));
        assert_eq!(Source::parse("school"), Some(Source::School));
        assert_eq!(PersonRole::ALL.len(), 5);
        assert_eq!(HateStrand::parse("disability").map(HateStrand::label), Some("Disability"));
    }
}
