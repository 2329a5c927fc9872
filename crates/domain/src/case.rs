//! Cases and their problem-oriented plans: the status workflow (open, under
//! review, closed with an outcome, reopened) and task states.

use crate::partnership::AgencyCode;
use crate::text;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where a case is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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

/// What opens a case, as the page and the API take it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewCase {
    /// Short title.
    pub title: String,
    /// Scanning: the problem, in a sentence or two.
    pub problem: String,
    /// Incidents (ids or references) the case starts from.
    #[serde(default)]
    pub incidents: Vec<String>,
    /// Lead officer (user id); default the actor.
    #[serde(default)]
    pub lead_officer_id: Option<String>,
}

impl NewCase {
    /// The longest problem statement when opening a case.
    pub const MAX_PROBLEM: usize = 5_000;

    /// Checks the case as the page and the API both take it: a title of 1
    /// to [`Plan::MAX_TITLE`] characters and a problem of 1 to
    /// [`NewCase::MAX_PROBLEM`]; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        text::required("title", &self.title, Plan::MAX_TITLE)?;
        text::required("problem", &self.problem, Self::MAX_PROBLEM)?;
        Ok(())
    }
}

/// A new task in a plan (SARA: Response), as the page and the API take it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewTask {
    /// What is to be done.
    pub title: String,
    /// Owning agency (default the actor's).
    #[serde(default)]
    pub owner_agency: Option<String>,
    /// Owning officer.
    #[serde(default)]
    pub owner_officer_id: Option<String>,
    /// Due date.
    pub due_on: NaiveDate,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

impl NewTask {
    /// The longest task title.
    pub const MAX_TITLE: usize = 300;

    /// Checks the task as the page and the API both take it: a title of 1
    /// to [`NewTask::MAX_TITLE`] characters and notes of at most
    /// [`TaskUpdate::MAX_NOTES`]; the message names the field.
    pub fn check(&self) -> Result<(), String> {
        text::required("title", &self.title, Self::MAX_TITLE)?;
        text::optional("notes", &self.notes, TaskUpdate::MAX_NOTES)?;
        Ok(())
    }
}

/// A task's new status and notes, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskUpdate {
    /// The new status.
    pub status: TaskStatus,
    /// Notes (trimmed; may be empty).
    pub notes: String,
}

impl TaskUpdate {
    /// The longest task notes.
    pub const MAX_NOTES: usize = 5_000;

    /// A checked update from the status code and the notes, or the message to show.
    pub fn new(status: &str, notes: &str) -> Result<Self, String> {
        let status = TaskStatus::parse(status.trim())
            .ok_or_else(|| "status must be open, in_progress, done or cancelled".to_string())?;
        Ok(Self { status, notes: text::optional("notes", notes, Self::MAX_NOTES)? })
    }
}

/// A note added to a case's timeline (1 to [`CaseNote::MAX`] characters, trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseNote(String);

impl CaseNote {
    /// The longest note.
    pub const MAX: usize = 5_000;

    /// A checked note, or the message to show.
    pub fn new(text: &str) -> Result<Self, String> {
        text::required("note", text, Self::MAX).map(Self)
    }

    /// The note's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a scheduled case review found and decided (1 to
/// [`ReviewNote::MAX`] characters, trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewNote(String);

impl ReviewNote {
    /// The longest review note.
    pub const MAX: usize = 5_000;

    /// A checked review note, or the message to show.
    pub fn new(text: &str) -> Result<Self, String> {
        text::required("review notes", text, Self::MAX).map(Self)
    }

    /// The note's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Sharing a case with another agency under a lawful basis, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseShare {
    /// The agency shared with (upper-cased).
    pub agency: AgencyCode,
    /// The lawful basis (trimmed, 1 to [`CaseShare::MAX_BASIS`] characters).
    pub lawful_basis: String,
}

impl CaseShare {
    /// The longest lawful basis.
    pub const MAX_BASIS: usize = 200;

    /// A checked share, or the message to show.
    pub fn new(agency: &str, lawful_basis: &str) -> Result<Self, String> {
        let agency = AgencyCode::parse(agency).map_err(|e| e.to_string())?;
        Ok(Self { agency, lawful_basis: text::required("lawful_basis", lawful_basis, Self::MAX_BASIS)? })
    }
}

/// A requested status change: the status and, when closing, the outcome.
/// Whether the step is allowed from the current status is [`transition`]'s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status asked for.
    pub to: CaseStatus,
    /// The outcome (trimmed; `None` when blank).
    pub outcome: Option<String>,
}

impl StatusChange {
    /// The longest outcome.
    pub const MAX_OUTCOME: usize = 2_000;

    /// A checked change from the status code and outcome, or the message to show.
    pub fn new(status: &str, outcome: Option<&str>) -> Result<Self, String> {
        let to = CaseStatus::parse(status.trim())
            .ok_or_else(|| "status must be open, under_review, closed or reopened".to_string())?;
        let outcome = text::optional("outcome", outcome.unwrap_or(""), Self::MAX_OUTCOME)?;
        Ok(Self { to, outcome: Some(outcome).filter(|o| !o.is_empty()) })
    }
}

/// An incident to link to a case, by id or reference (trimmed, 1 to
/// [`IncidentLink::MAX`] characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentLink(String);

impl IncidentLink {
    /// The longest id or reference.
    pub const MAX: usize = 100;

    /// A checked link, or the message to show.
    pub fn new(incident: &str) -> Result<Self, String> {
        text::required("incident", incident, Self::MAX).map(Self)
    }

    /// The incident's id or reference.
    pub fn as_str(&self) -> &str {
        &self.0
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

    #[test]
    fn commands_are_checked_with_the_field_named() {
        assert_eq!(CaseNote::new("  seen ").map(|n| n.as_str().to_string()), Ok("seen".into()));
        assert_eq!(CaseNote::new(" "), Err("note must not be empty".into()));
        assert_eq!(CaseNote::new(&"x".repeat(5_001)), Err("note must be 5000 characters or fewer".into()));
        assert_eq!(ReviewNote::new(""), Err("review notes must not be empty".into()));
        assert!(ReviewNote::new(&"x".repeat(5_000)).is_ok());
        assert_eq!(TaskUpdate::new("done", " ok "), Ok(TaskUpdate { status: TaskStatus::Done, notes: "ok".into() }));
        assert_eq!(TaskUpdate::new("finished", ""), Err("status must be open, in_progress, done or cancelled".into()));
        assert_eq!(TaskUpdate::new("done", &"x".repeat(5_001)), Err("notes must be 5000 characters or fewer".into()));
        let task = |title: &str, notes: &str| NewTask {
            title: title.into(),
            owner_agency: None,
            owner_officer_id: None,
            due_on: NaiveDate::from_ymd_opt(2026, 1, 20).unwrap_or_default(),
            notes: notes.into(),
        };
        assert_eq!(task("Visit", "").check(), Ok(()));
        assert_eq!(task(" ", "").check(), Err("title must not be empty".into()));
        assert_eq!(task("Visit", &"x".repeat(5_001)).check(), Err("notes must be 5000 characters or fewer".into()));
        let share = CaseShare::new(" herts-police ", " Crime and Disorder Act 1998 s115 ").expect("share");
        assert_eq!(
            (share.agency.as_str(), share.lawful_basis.as_str()),
            ("HERTS-POLICE", "Crime and Disorder Act 1998 s115")
        );
        assert!(CaseShare::new("HERTS-POLICE", "").is_err_and(|e| e == "lawful_basis must not be empty"));
        assert!(CaseShare::new("", "basis").is_err_and(|e| e.starts_with("agency code")));
        assert_eq!(StatusChange::new("closed", Some("  ")), Ok(StatusChange { to: CaseStatus::Closed, outcome: None }));
        assert_eq!(
            StatusChange::new("shut", None),
            Err("status must be open, under_review, closed or reopened".into())
        );
        assert_eq!(
            StatusChange::new("closed", Some(&"x".repeat(2_001))),
            Err("outcome must be 2000 characters or fewer".into())
        );
        assert_eq!(IncidentLink::new(" INC-1 ").map(|l| l.as_str().to_string()), Ok("INC-1".into()));
        assert_eq!(IncidentLink::new(""), Err("incident must not be empty".into()));
        let case = |title: &str, problem: &str| NewCase {
            title: title.into(),
            problem: problem.into(),
            incidents: Vec::new(),
            lead_officer_id: None,
        };
        assert_eq!(case("Noise", "Loud music").check(), Ok(()));
        assert_eq!(case("Noise", " ").check(), Err("problem must not be empty".into()));
        assert_eq!(case(&"x".repeat(201), "p").check(), Err("title must be 200 characters or fewer".into()));
    }
}
