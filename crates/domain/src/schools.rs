//! Sessions delivered in schools and colleges (County Lines workshops,
//! Healthy Relationships courses, the fire service's arson and driver
//! safety talks): the school, the day, the topic and how many pupils were
//! reached. Counts only: no child's details are ever recorded.

use crate::interventions::StatutoryRule;
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// What a session was about.
    Topic {
        /// County Lines and criminal exploitation.
        CountyLines = "county_lines" / "County Lines",
        /// Healthy Relationships.
        HealthyRelationships = "healthy_relationships" / "Healthy Relationships",
        /// Knife crime.
        KnifeCrime = "knife_crime" / "Knife crime",
        /// Staying safe online.
        OnlineSafety = "online_safety" / "Online safety",
        /// Arson awareness (fire and rescue).
        ArsonAwareness = "arson_awareness" / "Arson awareness",
        /// Driver and road safety (fire and rescue).
        DriverSafety = "driver_safety" / "Driver and road safety",
        /// Detached youth work: youth workers out in an area of concern
        /// (the place in `school`, the young people engaged in `pupils`).
        DetachedYouthWork = "detached_youth_work" / "Detached youth work (outreach in an area of concern)",
        /// Anything else (say in the notes).
        Other = "other" / "Other",
    }
}

impl Topic {
    /// The fire service's safety talks (the `fire_safety_talks` measure).
    pub fn is_fire_safety_talk(self) -> bool {
        matches!(self, Topic::ArsonAwareness | Topic::DriverSafety)
    }
}

/// A session as the page and the API take it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSchoolSession {
    /// The school or college.
    pub school: String,
    /// The day it was held.
    pub held_on: NaiveDate,
    /// What it was about.
    pub topic: Topic,
    /// How many pupils or students took part.
    pub pupils: u32,
    /// Notes (no child's details).
    #[serde(default)]
    pub notes: String,
}

/// The most pupils one session may record.
pub const MAX_PUPILS: u32 = 3_000;

impl NewSchoolSession {
    /// Checks the session on `today`: `session_text` (the school named,
    /// notes bounded), `session_date` (held, so not in the future),
    /// `session_pupils` (1 to [`MAX_PUPILS`]).
    pub fn check(&self, today: NaiveDate) -> Result<(), StatutoryRule> {
        let bad = |rule: &'static str, message: String| Err(StatutoryRule { rule, message });
        if let Err(m) = crate::text::required("school", &self.school, 200) {
            return bad("session_text", m);
        }
        if let Err(m) = crate::text::optional("notes", &self.notes, 2_000) {
            return bad("session_text", m);
        }
        if self.held_on > today {
            return bad(
                "session_date",
                format!("record a session once it has been held ({} is in the future)", self.held_on),
            );
        }
        if !(1..=MAX_PUPILS).contains(&self.pupils) {
            return bad("session_pupils", format!("enter the number of pupils, from 1 to {MAX_PUPILS}"));
        }
        Ok(())
    }
}

/// The key that makes "St Albans Girls' School" and "st albans girls school"
/// the same school (the same key people and addresses are matched by).
pub fn school_key(name: &str) -> String {
    crate::incident::match_key(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> NewSchoolSession {
        NewSchoolSession {
            school: "Sandringham School".into(),
            held_on: "2026-01-12".parse().expect("date"),
            topic: Topic::CountyLines,
            pupils: 180,
            notes: String::new(),
        }
    }

    #[test]
    fn a_session_is_held_names_its_school_and_counts_pupils() {
        let today = "2026-01-15".parse().expect("date");
        assert!(session().check(today).is_ok());
        let rule = |s: NewSchoolSession| s.check(today).err().map(|e| e.rule);
        assert_eq!(rule(NewSchoolSession { pupils: 0, ..session() }), Some("session_pupils"));
        assert_eq!(rule(NewSchoolSession { pupils: MAX_PUPILS + 1, ..session() }), Some("session_pupils"));
        assert_eq!(rule(NewSchoolSession { school: " ".into(), ..session() }), Some("session_text"));
        assert_eq!(
            rule(NewSchoolSession { held_on: "2026-01-16".parse().expect("date"), ..session() }),
            Some("session_date")
        );
    }

    #[test]
    fn schools_are_the_same_whatever_the_punctuation_or_case() {
        assert_eq!(school_key("St Albans Girls' School"), school_key("st  albans girls school"));
        assert_ne!(school_key("Verulam School"), school_key("Marlborough School"));
    }
}
