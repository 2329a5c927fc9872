//! VAWG scrutiny panels (police, with the public and partners): each panel
//! scrutinises a random sample of domestic abuse cases closed in the year
//! before it, shown depersonalised; it records a finding per case and
//! learning actions carried from panel to panel until done.

use crate::interventions::StatutoryRule;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Cases sampled for each panel.
pub const SAMPLE_SIZE: usize = 5;
/// Cases closed this many months before the panel are sampled.
pub const SAMPLE_MONTHS: u32 = 12;

fn refuse<T>(rule: &'static str, message: impl Into<String>) -> Result<T, StatutoryRule> {
    Err(StatutoryRule { rule, message: message.into() })
}

/// A panel as the page and the API schedule it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewPanel {
    /// The day it meets.
    pub held_on: NaiveDate,
    /// Who chairs it.
    pub chair: String,
    /// Where.
    #[serde(default)]
    pub location: String,
}

impl NewPanel {
    /// `panel_text` (a chair named, fields bounded), `panel_date` (within a
    /// year either side of `today`).
    pub fn check(&self, today: NaiveDate) -> Result<(), StatutoryRule> {
        crate::text::required("chair", &self.chair, 200).or_else(|m| refuse("panel_text", m))?;
        crate::text::optional("location", &self.location, 200).or_else(|m| refuse("panel_text", m))?;
        if self.held_on < today - Duration::days(366) || self.held_on > today + Duration::days(366) {
            return refuse("panel_date", "schedule a panel within a year of today");
        }
        Ok(())
    }
}

/// A finding about one sampled case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewFinding {
    /// The case's number in the panel's sample, from 1.
    pub case_no: u32,
    /// What the panel found.
    pub finding: String,
}

impl NewFinding {
    /// `finding_text`: 1 to 2,000 characters. Depersonalised: the panel sees
    /// no names, so the finding should hold none.
    pub fn check(&self) -> Result<(), StatutoryRule> {
        crate::text::required("finding", &self.finding, 2_000).or_else(|m| refuse("finding_text", m))?;
        Ok(())
    }
}

/// A learning action raised by a panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewLearningAction {
    /// What is to be done.
    pub title: String,
    /// The agency that owns it.
    pub owner_agency: String,
    /// Due by.
    pub due_on: NaiveDate,
}

impl NewLearningAction {
    /// `action_text` (a title), `action_due` (not before the panel that raised it).
    pub fn check(&self, held_on: NaiveDate) -> Result<(), StatutoryRule> {
        crate::text::required("title", &self.title, 300).or_else(|m| refuse("action_text", m))?;
        if self.due_on < held_on {
            return refuse(
                "action_due",
                format!("an action cannot be due before the panel that raised it ({held_on})"),
            );
        }
        Ok(())
    }
}

/// The order a case is drawn in for a panel: a hash of the two ids, so the
/// sample is random but the same every time the panel is opened.
pub fn draw_order(panel_id: &str, case_id: &str) -> String {
    hex::encode(Sha256::digest(format!("{panel_id}:{case_id}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn panels_findings_and_actions_are_checked() {
        let today = d("2026-01-15");
        let p = NewPanel { held_on: d("2026-02-10"), chair: "Chief Inspector".into(), location: String::new() };
        assert!(p.check(today).is_ok());
        assert_eq!(
            NewPanel { held_on: d("2028-01-01"), ..p.clone() }.check(today).err().map(|e| e.rule),
            Some("panel_date")
        );
        assert_eq!(NewPanel { chair: " ".into(), ..p }.check(today).err().map(|e| e.rule), Some("panel_text"));
        assert_eq!(
            NewFinding { case_no: 1, finding: String::new() }.check().err().map(|e| e.rule),
            Some("finding_text")
        );
        let a = NewLearningAction {
            title: "Brief the teams".into(),
            owner_agency: "HERTS-POLICE".into(),
            due_on: d("2026-02-09"),
        };
        assert_eq!(a.check(d("2026-02-10")).err().map(|e| e.rule), Some("action_due"));
    }

    #[test]
    fn the_draw_is_random_but_repeatable() {
        assert_eq!(draw_order("p1", "c1"), draw_order("p1", "c1"));
        assert_ne!(draw_order("p1", "c1"), draw_order("p2", "c1"));
        assert_eq!(draw_order("p1", "c1").len(), 64);
    }
}
