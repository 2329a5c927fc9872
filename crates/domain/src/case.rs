//! Cases and their problem-oriented plans: the status workflow (open, under
//! review, closed with an outcome, reopened) and task states.

use serde::{Deserialize, Serialize};

/// Where a case is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Being worked.
    Open,
    /// Being reviewed (by the lead officer, a panel or the JAG).
    UnderReview,
    /// Closed with an outcome.
    Closed,
    /// Reopened after closure.
    Reopened,
}

impl CaseStatus {
    /// Every status.
    pub const ALL: [CaseStatus; 4] = [Self::Open, Self::UnderReview, Self::Closed, Self::Reopened];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::UnderReview => "under_review",
            Self::Closed => "closed",
            Self::Reopened => "reopened",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::UnderReview => "Under review",
            Self::Closed => "Closed",
            Self::Reopened => "Reopened",
        }
    }

    /// Parses a stable code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// True while the case is live (reviews and tasks apply).
    pub fn is_live(self) -> bool {
        self != Self::Closed
    }

    /// Statuses reachable from this one.
    pub fn next(self) -> &'static [CaseStatus] {
        match self {
            Self::Open | Self::Reopened => &[Self::UnderReview, Self::Closed],
            Self::UnderReview => &[Self::Open, Self::Closed],
            Self::Closed => &[Self::Reopened],
        }
    }
}

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// Not a permitted step.
    #[error("a case cannot go from {from} to {to}")]
    NotAllowed {
        /// Current status label.
        from: &'static str,
        /// Requested status label.
        to: &'static str,
    },
    /// Closing needs an outcome.
    #[error("closing a case needs an outcome: say what was achieved")]
    OutcomeRequired,
}

/// Checks a status change; closing requires a non-empty outcome.
pub fn transition(from: CaseStatus, to: CaseStatus, outcome: Option<&str>) -> Result<(), TransitionError> {
    if !from.next().contains(&to) {
        return Err(TransitionError::NotAllowed { from: from.label(), to: to.label() });
    }
    if to == CaseStatus::Closed && outcome.is_none_or(|o| o.trim().is_empty()) {
        return Err(TransitionError::OutcomeRequired);
    }
    Ok(())
}

/// A task in a problem-oriented plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Not started.
    Open,
    /// Under way.
    InProgress,
    /// Finished.
    Done,
    /// No longer needed.
    Cancelled,
}

impl TaskStatus {
    /// Every status.
    pub const ALL: [TaskStatus; 4] = [Self::Open, Self::InProgress, Self::Done, Self::Cancelled];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::InProgress => "in_progress",
            Self::Done => "done",
            Self::Cancelled => "cancelled",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::InProgress => "In progress",
            Self::Done => "Done",
            Self::Cancelled => "Cancelled",
        }
    }

    /// Parses a stable code.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// True while the task still needs doing.
    pub fn is_outstanding(self) -> bool {
        matches!(self, Self::Open | Self::InProgress)
    }
}

/// Lawful bases recorded when a case is shared with another agency.
pub const LAWFUL_BASES: &[&str] = &[
    "Crime and Disorder Act 1998 s115",
    "UK GDPR Art 6(1)(e) public task",
    "UK GDPR Art 6(1)(c) legal obligation",
    "Data Protection Act 2018 s35 (law enforcement)",
    "Children Act 2004 s11 (safeguarding)",
    "Care Act 2014 s42 (adult safeguarding)",
];

/// The SARA plan fields a lead officer edits.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Plan {
    /// Title.
    pub title: String,
    /// Scanning: the problem.
    pub problem: String,
    /// Analysis: the victim side of the problem-analysis triangle.
    pub analysis_victim: String,
    /// Analysis: the offender side.
    pub analysis_offender: String,
    /// Analysis: the location side.
    pub analysis_location: String,
    /// Analysis: handlers, guardians and place managers.
    pub analysis_controllers: String,
    /// Assessment: did it work, and the evidence.
    pub assessment: String,
}

impl Plan {
    /// The longest title.
    pub const MAX_TITLE: usize = 200;
    /// The longest of the other fields.
    pub const MAX_TEXT: usize = 10_000;

    /// Checks the plan as the page and the API both take it: a title of 1
    /// to [`Plan::MAX_TITLE`] characters, every other field at most
    /// [`Plan::MAX_TEXT`]; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        match self.title.trim().chars().count() {
            0 => return Err("title must not be empty".into()),
            n if n > Self::MAX_TITLE => return Err(format!("title must be {} characters or fewer", Self::MAX_TITLE)),
            _ => {}
        }
        let fields = [
            ("problem", &self.problem),
            ("analysis_victim", &self.analysis_victim),
            ("analysis_offender", &self.analysis_offender),
            ("analysis_location", &self.analysis_location),
            ("analysis_controllers", &self.analysis_controllers),
            ("assessment", &self.assessment),
        ];
        match fields.iter().find(|(_, v)| v.chars().count() > Self::MAX_TEXT) {
            Some((name, _)) => Err(format!("{name} must be {} characters or fewer", Self::MAX_TEXT)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow() {
        use CaseStatus::*;
        assert_eq!(transition(Open, UnderReview, None), Ok(()));
        assert_eq!(transition(Open, Closed, None), Err(TransitionError::OutcomeRequired));
        assert_eq!(transition(Open, Closed, Some("  ")), Err(TransitionError::OutcomeRequired));
        assert_eq!(transition(UnderReview, Closed, Some("Perpetrator moved; no reports for 8 weeks")), Ok(()));
        assert!(matches!(transition(Closed, Open, None), Err(TransitionError::NotAllowed { .. })));
        assert_eq!(transition(Closed, Reopened, None), Ok(()));
        assert_eq!(transition(Reopened, UnderReview, None), Ok(()));
        assert!(matches!(transition(Open, Open, None), Err(TransitionError::NotAllowed { .. })));
        assert!(!Closed.is_live() && Reopened.is_live());
        assert!(TaskStatus::InProgress.is_outstanding() && !TaskStatus::Done.is_outstanding());
        assert_eq!(CaseStatus::parse("under_review"), Some(UnderReview));
    }
}
