//! The partnership's strategy as data: a period, its priorities, and the
//! commitments under each with the agency that owns them, a measure and a
//! status. A strategy is a TOML file (see `data/strategy/`); progress is
//! recorded against commitments as updates with a red/amber/green rating.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A strategy file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StrategyDef {
    /// Stable code, e.g. `st-albans-2024-2027`.
    pub code: String,
    /// Title.
    pub title: String,
    /// First day of the period.
    #[serde(deserialize_with = "toml_date")]
    pub starts_on: NaiveDate,
    /// Last day of the period.
    #[serde(deserialize_with = "toml_date")]
    pub ends_on: NaiveDate,
    /// The priorities, in order.
    #[serde(rename = "priority")]
    pub priorities: Vec<PriorityDef>,
}

/// One priority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorityDef {
    /// Stable code.
    pub code: String,
    /// Title, as the strategy words it.
    pub title: String,
    /// A sentence on what it covers.
    #[serde(default)]
    pub summary: String,
    /// police.uk crime types the RAG reports against this priority.
    #[serde(default)]
    pub crime_types: Vec<String>,
    /// Commitments, in order.
    #[serde(rename = "commitment", default)]
    pub commitments: Vec<CommitmentDef>,
}

/// One commitment: something an agency has said it will do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentDef {
    /// Stable code, unique in the strategy.
    pub code: String,
    /// What will be done.
    pub title: String,
    /// Agency code of the owner.
    pub owner_agency: String,
    /// Team within the owning agency (e.g. Licensing).
    #[serde(default)]
    pub team: String,
    /// Other agencies taking part.
    #[serde(default)]
    pub partners: Vec<String>,
    /// How progress is measured.
    #[serde(default)]
    pub measure: String,
    /// A numeric target where the strategy states one (ten schools).
    #[serde(default)]
    pub target: Option<f64>,
    /// The measure SafetyNet computes from the programmes' records
    /// (`crate::measures::MeasureSource`), if progress is counted rather
    /// than typed in.
    #[serde(default)]
    pub measured_by: Option<crate::measures::MeasureSource>,
    /// Days between progress updates (default 90: once a quarter).
    #[serde(default = "default_update_days")]
    pub update_every_days: u32,
}

/// A date written as a TOML local date (`2024-04-01`) or as a string.
fn toml_date<'de, D: serde::Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Toml(toml::value::Datetime),
        Text(String),
    }
    let text = match Raw::deserialize(d)? {
        Raw::Toml(t) => t.to_string(),
        Raw::Text(s) => s,
    };
    NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(serde::de::Error::custom)
}

fn default_update_days() -> u32 {
    90
}

/// Why a strategy was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StrategyError {
    /// Not valid TOML of the expected shape.
    #[error("the strategy file is not valid: {0}")]
    Syntax(String),
    /// A code is malformed.
    #[error("code '{0}' must be 2 to 60 lower-case letters, digits or hyphens")]
    BadCode(String),
    /// A code appears twice.
    #[error("code '{0}' appears more than once")]
    Duplicate(String),
    /// A title is empty or too long.
    #[error("'{0}' needs a title of 1 to 400 characters")]
    BadTitle(String),
    /// The period ends before it starts.
    #[error("the strategy ends before it starts")]
    BadPeriod,
    /// An update interval outside 7 to 366 days.
    #[error("commitment '{0}': update_every_days must be between 7 and 366")]
    BadInterval(String),
    /// A target that is not a positive number.
    #[error("commitment '{0}': the target must be a positive number")]
    BadTarget(String),
    /// A strategy without priorities.
    #[error("the strategy has no priorities")]
    Empty,
}

fn valid_code(code: &str) -> bool {
    (2..=60).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn check_title(code: &str, title: &str) -> Result<(), StrategyError> {
    if title.trim().is_empty() || title.chars().count() > 400 {
        return Err(StrategyError::BadTitle(code.to_string()));
    }
    Ok(())
}

/// Parses and checks a strategy file. Agency codes are checked against the
/// partnership when the strategy is loaded.
pub fn parse_strategy(text: &str) -> Result<StrategyDef, StrategyError> {
    let s: StrategyDef = toml::from_str(text).map_err(|e| StrategyError::Syntax(e.message().to_string()))?;
    if !valid_code(&s.code) {
        return Err(StrategyError::BadCode(s.code.chars().take(60).collect()));
    }
    check_title(&s.code, &s.title)?;
    if s.ends_on < s.starts_on {
        return Err(StrategyError::BadPeriod);
    }
    if s.priorities.is_empty() {
        return Err(StrategyError::Empty);
    }
    let mut seen = BTreeSet::new();
    for p in &s.priorities {
        if !valid_code(&p.code) {
            return Err(StrategyError::BadCode(p.code.chars().take(60).collect()));
        }
        if !seen.insert(p.code.clone()) {
            return Err(StrategyError::Duplicate(p.code.clone()));
        }
        check_title(&p.code, &p.title)?;
        for c in &p.commitments {
            if !valid_code(&c.code) {
                return Err(StrategyError::BadCode(c.code.chars().take(60).collect()));
            }
            if !seen.insert(c.code.clone()) {
                return Err(StrategyError::Duplicate(c.code.clone()));
            }
            check_title(&c.code, &c.title)?;
            if !(7..=366).contains(&c.update_every_days) {
                return Err(StrategyError::BadInterval(c.code.clone()));
            }
            if c.target.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
                return Err(StrategyError::BadTarget(c.code.clone()));
            }
        }
    }
    Ok(s)
}

/// A red/amber/green rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Rag {
    /// Off track: needs the partnership's attention.
    Red,
    /// At risk or behind.
    Amber,
    /// On track or done.
    Green,
}

impl Rag {
    /// Every rating, worst first.
    pub const ALL: [Rag; 3] = [Rag::Red, Rag::Amber, Rag::Green];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Red => "red",
            Rag::Amber => "amber",
            Rag::Green => "green",
        }
    }

    /// Label for people.
    pub fn label(self) -> &'static str {
        match self {
            Rag::Red => "Red",
            Rag::Amber => "Amber",
            Rag::Green => "Green",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// Where a commitment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CommitmentStatus {
    /// Not yet begun.
    NotStarted,
    /// Under way.
    InProgress,
    /// Delivered.
    Completed,
    /// Paused (e.g. funding).
    Paused,
    /// No longer pursued (with the reason in its update).
    Withdrawn,
}

impl CommitmentStatus {
    /// Every status in workflow order.
    pub const ALL: [CommitmentStatus; 5] = [
        CommitmentStatus::NotStarted,
        CommitmentStatus::InProgress,
        CommitmentStatus::Completed,
        CommitmentStatus::Paused,
        CommitmentStatus::Withdrawn,
    ];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
            Self::Paused => "paused",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotStarted => "Not started",
            Self::InProgress => "In progress",
            Self::Completed => "Completed",
            Self::Paused => "Paused",
            Self::Withdrawn => "Withdrawn",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether the owner is still asked for updates.
    pub fn is_live(self) -> bool {
        matches!(self, Self::NotStarted | Self::InProgress | Self::Paused)
    }
}

/// The day the next update falls due, `every_days` after `from`.
pub fn next_update_due(from: NaiveDate, every_days: u32) -> NaiveDate {
    from.checked_add_days(Days::new(u64::from(every_days))).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ST_ALBANS: &str = include_str!("../../../data/strategy/st-albans-2024-2027.toml");

    #[test]
    fn the_st_albans_strategy_parses_with_its_three_priorities() {
        let s = parse_strategy(ST_ALBANS).expect("valid");
        let titles: Vec<&str> = s.priorities.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Protecting communities and making them feel safe",
                "Tackling crime and anti-social behaviour",
                "Responding to emerging issues effectively and proportionately"
            ]
        );
        let all: Vec<&CommitmentDef> = s.priorities.iter().flat_map(|p| &p.commitments).collect();
        assert_eq!(all.len(), 28);
        let schools = all.iter().find(|c| c.code == "county-lines-workshops").expect("county lines");
        assert_eq!((schools.owner_agency.as_str(), schools.target), ("SACDC", Some(10.0)));
        let dbs = all.iter().find(|c| c.code == "taxi-dbs-checks").expect("dbs");
        assert_eq!((dbs.team.as_str(), dbs.update_every_days), ("Licensing", 30));
        assert_eq!(
            all.iter().find(|c| c.code == "safe-and-well-visits").map(|c| c.owner_agency.as_str()),
            Some("HFRS")
        );
        assert_eq!(
            all.iter().find(|c| c.code == "operation-vigilant").map(|c| c.owner_agency.as_str()),
            Some("HERTS-POLICE")
        );
    }

    #[test]
    fn bad_files_are_refused_with_the_reason() {
        let dup = ST_ALBANS.replace("code = \"phoenix-programme\"", "code = \"white-ribbon\"");
        assert_eq!(parse_strategy(&dup), Err(StrategyError::Duplicate("white-ribbon".into())));
        let bad = ST_ALBANS.replace("update_every_days = 30", "update_every_days = 3");
        assert_eq!(parse_strategy(&bad), Err(StrategyError::BadInterval("taxi-dbs-checks".into())));
        let period = ST_ALBANS.replace("ends_on = 2027-03-31", "ends_on = 2023-03-31");
        assert_eq!(parse_strategy(&period), Err(StrategyError::BadPeriod));
        assert!(matches!(parse_strategy("code = 1"), Err(StrategyError::Syntax(_))));
        let target = ST_ALBANS.replace("target = 10", "target = -1");
        assert_eq!(parse_strategy(&target), Err(StrategyError::BadTarget("county-lines-workshops".into())));
    }

    #[test]
    fn ratings_and_statuses_round_trip_and_updates_fall_due() {
        for r in Rag::ALL {
            assert_eq!(Rag::parse(r.as_str()), Some(r));
        }
        for s in CommitmentStatus::ALL {
            assert_eq!(CommitmentStatus::parse(s.as_str()), Some(s));
        }
        assert!(!CommitmentStatus::Completed.is_live());
        let d = NaiveDate::from_ymd_opt(2026, 1, 31).expect("date");
        assert_eq!(next_update_due(d, 30), NaiveDate::from_ymd_opt(2026, 3, 2).expect("date"));
    }
}
