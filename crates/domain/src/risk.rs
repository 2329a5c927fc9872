//! Risk assessment: versioned yes/no questionnaires (the ASB victim risk
//! assessment and the DASH checklist), scoring to a [`RiskLevel`],
//! professional judgement, the DASH escalation and MARAC rules, and when an
//! assessment is next due for review.
//!
//! Questionnaires are data: TOML files under `crates/domain/questionnaires`
//! (weights and thresholds are documented there), embedded at build time by
//! [`default_questionnaires`]. An [`Assessment`] records the questionnaire id
//! and version it was scored against, so old assessments stay explainable
//! when a questionnaire changes.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The DASH escalation rule: this many incidents or more in the last 12
/// months makes a DASH assessment high, whatever the score.
pub const DASH_ESCALATION_INCIDENTS: u32 = 3;

/// How much risk a victim is assessed to face. Ordered: `Standard < Medium < High`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// No significant current indicators of risk of serious harm.
    Standard,
    /// Identifiable indicators of risk; serious harm unlikely unless circumstances change.
    Medium,
    /// Risk of serious harm: the event could happen at any time.
    High,
}

impl RiskLevel {
    /// Every level, lowest first.
    pub const ALL: [RiskLevel; 3] = [RiskLevel::Standard, RiskLevel::Medium, RiskLevel::High];

    /// The stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Standard => "standard",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            RiskLevel::Standard => "Standard",
            RiskLevel::Medium => "Medium",
            RiskLevel::High => "High",
        }
    }

    /// Parses a stable name (`standard`, `medium`, `high`).
    pub fn parse(s: &str) -> Result<Self, RiskError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| RiskError::UnknownLevel(s.chars().take(40).collect()))
    }
}

impl fmt::Display for RiskLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which kind of questionnaire this is; decides the DASH-only rules
/// (escalation, MARAC referral).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionnaireKind {
    /// The ASB victim risk assessment.
    AsbVictim,
    /// The DASH (domestic abuse, stalking, harassment and honour based violence) checklist.
    Dash,
}

/// One yes/no question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable id, unique within the questionnaire (the key in [`Answers`]).
    pub id: String,
    /// The question as asked.
    pub text: String,
    /// Points added to the score by a "yes".
    pub weight: u32,
    /// A single "yes" makes the assessment high on its own (use sparingly).
    #[serde(default)]
    pub high_if_yes: bool,
}

/// A versioned questionnaire, as loaded from TOML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    /// Stable id, e.g. `asb-victim` or `dash`.
    pub id: String,
    /// Version, 1 or more; a changed questionnaire gets a new version.
    pub version: u32,
    /// Human title.
    pub title: String,
    /// Which rules apply beyond the score.
    pub kind: QuestionnaireKind,
    /// The questions, in the order asked.
    pub questions: Vec<Question>,
    /// A score at or above this is medium.
    pub medium_at: u32,
    /// A score at or above this is high.
    pub high_at: u32,
}

/// One answer: yes, no, or (on the DASH checklist) not known. In JSON,
/// `true` and `false` (or "yes" and "no") and "not_known".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// Yes.
    Yes,
    /// No.
    No,
    /// The victim did not know, or would not say (DASH only).
    NotKnown,
}

impl From<bool> for Answer {
    fn from(yes: bool) -> Self {
        if yes {
            Answer::Yes
        } else {
            Answer::No
        }
    }
}

impl Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Answer::Yes => s.serialize_bool(true),
            Answer::No => s.serialize_bool(false),
            Answer::NotKnown => s.serialize_str("not_known"),
        }
    }
}

impl<'de> Deserialize<'de> for Answer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Flag(bool),
            Word(String),
        }
        match Raw::deserialize(d)? {
            Raw::Flag(b) => Ok(b.into()),
            Raw::Word(w) => match w.as_str() {
                "yes" => Ok(Answer::Yes),
                "no" => Ok(Answer::No),
                "not_known" => Ok(Answer::NotKnown),
                _ => Err(serde::de::Error::custom("an answer is true, false or \"not_known\"")),
            },
        }
    }
}

/// Answers keyed by question id.
pub type Answers = BTreeMap<String, Answer>;

/// What is known of a DASH victim's history when they are assessed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VictimHistory {
    /// Domestic abuse incidents concerning this victim in the 12 months
    /// before the assessment (every agency's records).
    pub domestic_abuse_incidents: u32,
    /// A repeat: the victim's last MARAC referral's date and the first
    /// domestic abuse incident after it, within 12 months of it (never
    /// printed: either may be another agency's record).
    pub repeat: Option<(NaiveDate, NaiveDate)>,
}

/// The first domestic abuse incident (by date) after a MARAC referral made
/// on `referred_on` and no more than 12 calendar months after it (same day
/// number, clamped to a shorter month's end): SafeLives' definition of a
/// repeat, which goes back to MARAC. An incident on the day of the referral
/// is the one that led to it, not a repeat.
pub fn repeat_after(referred_on: NaiveDate, incidents: &[NaiveDate]) -> Option<NaiveDate> {
    let until = referred_on.checked_add_months(chrono::Months::new(12))?;
    incidents.iter().copied().filter(|d| *d > referred_on && *d <= until).min()
}

/// A practitioner's professional judgement: may raise the computed level,
/// never lower it, and always needs a reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Judgement {
    /// The level the practitioner judges right.
    pub level: RiskLevel,
    /// Why (required, recorded in the assessment's reasons).
    pub reason: String,
}

impl Judgement {
    /// The longest reason (checked by [`assess`], for the page and the API alike).
    pub const MAX_REASON: usize = 2_000;
}

/// A request to assess a case's risk, as the page and the API take it: the
/// questionnaire (by id), the answers and, optionally, professional
/// judgement. [`assess`] checks it against the questionnaire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AssessmentRequest {
    /// The questionnaire's id (its latest version is used).
    pub questionnaire: String,
    /// Every question's answer, keyed by question id: `true` is "yes",
    /// `false` "no", and (DASH only) "not_known".
    #[cfg_attr(feature = "schema", schema(value_type = std::collections::BTreeMap<String, serde_json::Value>))]
    pub answers: Answers,
    /// Professional judgement, if any.
    #[serde(default)]
    pub judgement: Option<Judgement>,
    /// The victim assessed (a person on the case): required for DASH, which
    /// is about one victim, not a case.
    #[serde(default)]
    pub person_id: Option<String>,
}

impl Questionnaire {
    /// The questions `answers` leaves unanswered, in order; [`assess`]
    /// refuses answers while any is.
    pub fn unanswered<'a>(&'a self, answers: &'a Answers) -> impl Iterator<Item = &'a Question> + 'a {
        self.questions.iter().filter(|q| !answers.contains_key(&q.id))
    }
}

/// The result of scoring one set of answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Assessment {
    /// The questionnaire's id.
    pub questionnaire_id: String,
    /// The questionnaire's version.
    pub questionnaire_version: u32,
    /// Sum of the weights of the "yes" answers.
    pub score: u32,
    /// Number of "yes" answers.
    pub yes_count: u32,
    /// The level from the score and rules alone (before professional judgement).
    pub computed: RiskLevel,
    /// The final level (computed, possibly raised by professional judgement).
    pub level: RiskLevel,
    /// Why the final level is what it is, in plain words.
    pub reasons: Vec<String>,
    /// A DASH assessment whose final level is high, or a repeat: refer to MARAC.
    pub marac_referral: bool,
    /// Questions answered "not known".
    pub not_known: u32,
    /// A new domestic abuse incident within 12 months of the victim's last
    /// MARAC referral: a repeat referral.
    pub repeat_marac: bool,
}

/// Why a questionnaire or an assessment was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RiskError {
    /// The TOML could not be read as a questionnaire.
    #[error("questionnaire is not valid TOML: {0}")]
    Toml(String),
    /// The questionnaire was read but breaks a rule.
    #[error("invalid questionnaire: {0}")]
    Invalid(String),
    /// An answer names a question the questionnaire does not have.
    #[error("answer to unknown question '{0}'")]
    UnknownQuestion(String),
    /// A question was not answered; every question must be.
    #[error("question '{0}' was not answered")]
    Unanswered(String),
    /// Professional judgement may not lower the computed level.
    #[error("professional judgement cannot lower the level from {computed} to {requested}")]
    JudgementLowers {
        /// The level from the score and rules.
        computed: RiskLevel,
        /// The level asked for.
        requested: RiskLevel,
    },
    /// Professional judgement was given without a reason.
    #[error("professional judgement needs a reason")]
    JudgementNeedsReason,
    /// The reason for professional judgement is too long.
    #[error("judgement_reason must be {} characters or fewer", Judgement::MAX_REASON)]
    JudgementReasonTooLong,
    /// Not a risk level name.
    #[error("unknown risk level '{0}' (expected one of: standard, medium, high)")]
    UnknownLevel(String),
    /// "Not known" on a questionnaire that is yes or no only.
    #[error("question '{0}' must be answered yes or no: only the DASH checklist takes \"not known\"")]
    NotKnownNotAllowed(String),
}

/// Reads and validates a questionnaire: at least one question, question ids
/// unique and non-empty, every weight 1 or more, `version >= 1`,
/// `0 < medium_at < high_at`, and `high_at` reachable by answering yes to everything.
pub fn parse_questionnaire(toml_text: &str) -> Result<Questionnaire, RiskError> {
    let q: Questionnaire = toml::from_str(toml_text).map_err(|e| RiskError::Toml(e.message().to_string()))?;
    let invalid = |m: String| Err(RiskError::Invalid(m));
    if q.id.trim().is_empty() {
        return invalid("the id is empty".into());
    }
    if q.version < 1 {
        return invalid(format!("{}: version must be 1 or more", q.id));
    }
    if q.questions.is_empty() {
        return invalid(format!("{}: has no questions", q.id));
    }
    let mut seen = BTreeSet::new();
    for question in &q.questions {
        if question.id.trim().is_empty() {
            return invalid(format!("{}: a question has an empty id", q.id));
        }
        if question.text.trim().is_empty() {
            return invalid(format!("{}: question '{}' has no text", q.id, question.id));
        }
        if question.weight == 0 {
            return invalid(format!("{}: question '{}' has weight 0", q.id, question.id));
        }
        if !seen.insert(question.id.as_str()) {
            return invalid(format!("{}: question id '{}' is repeated", q.id, question.id));
        }
    }
    if q.medium_at == 0 || q.medium_at >= q.high_at {
        return invalid(format!("{}: need 0 < medium_at ({}) < high_at ({})", q.id, q.medium_at, q.high_at));
    }
    let total: u64 = q.questions.iter().map(|x| u64::from(x.weight)).sum();
    if u64::from(q.high_at) > total {
        return invalid(format!("{}: high_at ({}) is more than the total weight ({total})", q.id, q.high_at));
    }
    Ok(q)
}

/// The ASB victim risk assessment, version 1 (TOML source).
pub const ASB_VICTIM_V1: &str = include_str!("../questionnaires/asb-victim-v1.toml");
/// The DASH checklist, version 1 (TOML source).
pub const DASH_V1: &str = include_str!("../questionnaires/dash-v1.toml");

/// The questionnaires shipped with SafetyNet: `asb-victim` v1 and `dash` v1.
/// Both are checked by the test suite, so a file that fails to parse is a
/// build-time test failure, never a runtime one; an invalid file is skipped.
pub fn default_questionnaires() -> Vec<Questionnaire> {
    [ASB_VICTIM_V1, DASH_V1].into_iter().filter_map(|t| parse_questionnaire(t).ok()).collect()
}

/// Scores `answers` against `q`, applies the DASH escalation rule (the
/// victim's `history` holding `DASH_ESCALATION_INCIDENTS` or more domestic
/// abuse incidents in 12 months makes a DASH assessment high) and
/// professional judgement (may raise, never lower; needs a reason), and
/// flags MARAC referral for a high DASH assessment or a repeat (a new
/// incident within 12 months of the last referral).
///
/// Every question must be answered and no answer may name an unknown
/// question; "not known" counts as not yes, and only DASH takes it.
pub fn assess(
    q: &Questionnaire,
    answers: &Answers,
    judgement: Option<&Judgement>,
    history: &VictimHistory,
) -> Result<Assessment, RiskError> {
    if let Some(unknown) = answers.keys().find(|k| !q.questions.iter().any(|x| &x.id == *k)) {
        return Err(RiskError::UnknownQuestion(unknown.chars().take(80).collect()));
    }
    if let Some(question) = q.unanswered(answers).next() {
        return Err(RiskError::Unanswered(question.id.clone()));
    }
    let is_dash = q.kind == QuestionnaireKind::Dash;
    if let Some((id, _)) = answers.iter().find(|(_, a)| !is_dash && **a == Answer::NotKnown) {
        return Err(RiskError::NotKnownNotAllowed(id.chars().take(80).collect()));
    }
    let mut score: u32 = 0;
    let mut yes_count: u32 = 0;
    let not_known = u32::try_from(answers.values().filter(|a| **a == Answer::NotKnown).count()).unwrap_or(u32::MAX);
    let mut high_triggers = Vec::new();
    for question in &q.questions {
        match answers.get(&question.id) {
            None | Some(Answer::No) | Some(Answer::NotKnown) => {}
            Some(Answer::Yes) => {
                score = score.saturating_add(question.weight);
                yes_count += 1;
                if question.high_if_yes {
                    high_triggers.push(question.text.as_str());
                }
            }
        }
    }

    let mut reasons = Vec::new();
    let unit = if is_dash { "yes answers" } else { "points" };
    let measure = if is_dash { yes_count } else { score };
    let by_score = if score >= q.high_at {
        reasons.push(format!("{} or more {unit} on {} ({measure})", q.high_at, q.title));
        RiskLevel::High
    } else if score >= q.medium_at {
        reasons.push(format!("{} or more {unit} on {} ({measure})", q.medium_at, q.title));
        RiskLevel::Medium
    } else {
        reasons.push(format!("fewer than {} {unit} on {} ({measure})", q.medium_at, q.title));
        RiskLevel::Standard
    };
    let mut computed = by_score;
    for text in high_triggers {
        reasons.push(format!("yes to \"{text}\", which makes the risk high on its own"));
        computed = RiskLevel::High;
    }
    if not_known > 0 {
        reasons.push(format!("{not_known} question(s) answered not known: find out where you can"));
    }
    let incidents = history.domestic_abuse_incidents;
    if is_dash && incidents >= DASH_ESCALATION_INCIDENTS {
        reasons.push(format!("{incidents} domestic abuse incidents concerning the victim in 12 months (escalation)"));
        computed = RiskLevel::High;
    }

    let mut level = computed;
    if let Some(j) = judgement {
        if j.level < computed {
            return Err(RiskError::JudgementLowers { computed, requested: j.level });
        }
        let reason = j.reason.trim();
        if reason.is_empty() {
            return Err(RiskError::JudgementNeedsReason);
        }
        if reason.chars().count() > Judgement::MAX_REASON {
            return Err(RiskError::JudgementReasonTooLong);
        }
        if j.level > computed {
            reasons.push(format!("professional judgement raised the level to {}: {reason}", j.level.label()));
        } else {
            reasons.push(format!("professional judgement confirmed {}: {reason}", j.level.label()));
        }
        level = j.level;
    }

    let repeat_marac = is_dash && history.repeat.is_some();
    // Undated: the referral and the incident may be other agencies' records.
    if repeat_marac {
        reasons
            .push("a new domestic abuse incident within 12 months of a MARAC referral: refer again as a repeat".into());
    }
    let marac_referral = is_dash && (level == RiskLevel::High || repeat_marac);
    if is_dash && level == RiskLevel::High {
        reasons.push("high risk on DASH: refer to MARAC".into());
    }
    Ok(Assessment {
        questionnaire_id: q.id.clone(),
        questionnaire_version: q.version,
        score,
        yes_count,
        computed,
        level,
        reasons,
        marac_referral,
        not_known,
        repeat_marac,
    })
}

/// How many days after an assessment it is due for review, by level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewIntervals {
    /// Days between reviews at high risk (default 14).
    pub high_days: u32,
    /// Days between reviews at medium risk (default 28).
    pub medium_days: u32,
    /// Days between reviews at standard risk (default 56).
    pub standard_days: u32,
}

impl Default for ReviewIntervals {
    fn default() -> Self {
        Self { high_days: 14, medium_days: 28, standard_days: 56 }
    }
}

impl ReviewIntervals {
    /// The interval for `level`, in days.
    pub fn days(&self, level: RiskLevel) -> u32 {
        match level {
            RiskLevel::High => self.high_days,
            RiskLevel::Medium => self.medium_days,
            RiskLevel::Standard => self.standard_days,
        }
    }
}

/// The date the next review is due: `assessed_on` plus the level's interval
/// in calendar days (saturating at the last representable date).
pub fn next_review(level: RiskLevel, assessed_on: NaiveDate, intervals: &ReviewIntervals) -> NaiveDate {
    assessed_on.checked_add_days(Days::new(u64::from(intervals.days(level)))).unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dash() -> Questionnaire {
        parse_questionnaire(DASH_V1).expect("dash parses")
    }

    fn asb() -> Questionnaire {
        parse_questionnaire(ASB_VICTIM_V1).expect("asb parses")
    }

    /// Answers with the first `yes` questions answered yes, the rest no.
    fn answers(q: &Questionnaire, yes: usize) -> Answers {
        q.questions.iter().enumerate().map(|(i, x)| (x.id.clone(), (i < yes).into())).collect()
    }

    fn answers_yes(q: &Questionnaire, ids: &[&str]) -> Answers {
        q.questions.iter().map(|x| (x.id.clone(), ids.contains(&x.id.as_str()).into())).collect()
    }

    /// A victim with `n` domestic abuse incidents in the last 12 months.
    fn history(n: u32) -> VictimHistory {
        VictimHistory { domestic_abuse_incidents: n, repeat: None }
    }

    #[test]
    fn embedded_questionnaires_parse() {
        let all = default_questionnaires();
        assert_eq!(all.len(), 2);
        let d = dash();
        assert_eq!((d.id.as_str(), d.version, d.kind), ("dash", 1, QuestionnaireKind::Dash));
        assert_eq!(d.questions.len(), 27);
        assert!(d.questions.iter().all(|x| x.weight == 1 && !x.high_if_yes));
        assert_eq!((d.medium_at, d.high_at), (10, 14));
        let a = asb();
        assert_eq!((a.id.as_str(), a.version, a.kind), ("asb-victim", 1, QuestionnaireKind::AsbVictim));
        assert!((12..=16).contains(&a.questions.len()));
        assert_eq!((a.medium_at, a.high_at), (8, 16));
    }

    #[test]
    fn levels_round_trip_and_order() {
        for l in RiskLevel::ALL {
            assert_eq!(RiskLevel::parse(l.as_str()), Ok(l));
        }
        assert!(RiskLevel::parse("severe").is_err());
        assert!(RiskLevel::Standard < RiskLevel::Medium && RiskLevel::Medium < RiskLevel::High);
        assert_eq!(serde_json::to_string(&RiskLevel::High).ok(), Some("\"high\"".into()));
        assert_eq!(RiskLevel::Medium.label(), "Medium");
    }

    #[test]
    fn parse_refuses_bad_questionnaires() {
        let base = |body: &str| format!("id = \"x\"\nversion = 1\ntitle = \"X\"\nkind = \"asb_victim\"\n{body}");
        let q = "[[questions]]\nid = \"a\"\ntext = \"A?\"\nweight = 2\n[[questions]]\nid = \"b\"\ntext = \"B?\"\nweight = 2\n";
        assert!(parse_questionnaire(&base(&format!("medium_at = 1\nhigh_at = 4\n{q}"))).is_ok());
        // medium_at must be below high_at
        assert!(matches!(
            parse_questionnaire(&base(&format!("medium_at = 4\nhigh_at = 4\n{q}"))),
            Err(RiskError::Invalid(_))
        ));
        // high_at unreachable
        assert!(matches!(
            parse_questionnaire(&base(&format!("medium_at = 1\nhigh_at = 5\n{q}"))),
            Err(RiskError::Invalid(_))
        ));
        // duplicate id
        let dup = "[[questions]]\nid = \"a\"\ntext = \"A?\"\nweight = 2\n[[questions]]\nid = \"a\"\ntext = \"B?\"\nweight = 2\n";
        assert!(matches!(
            parse_questionnaire(&base(&format!("medium_at = 1\nhigh_at = 4\n{dup}"))),
            Err(RiskError::Invalid(m)) if m.contains("repeated")
        ));
        // no questions
        assert!(matches!(
            parse_questionnaire(&base("medium_at = 1\nhigh_at = 4\nquestions = []\n")),
            Err(RiskError::Invalid(_))
        ));
        // version 0
        let v0 = base(&format!("medium_at = 1\nhigh_at = 4\n{q}")).replace("version = 1", "version = 0");
        assert!(matches!(parse_questionnaire(&v0), Err(RiskError::Invalid(_))));
        // unknown field, bad kind, not TOML
        assert!(matches!(
            parse_questionnaire(&base(&format!("medium_at = 1\nhigh_at = 4\nextra = 1\n{q}"))),
            Err(RiskError::Toml(_))
        ));
        let bad_kind = base(&format!("medium_at = 1\nhigh_at = 4\n{q}")).replace("asb_victim", "marac");
        assert!(matches!(parse_questionnaire(&bad_kind), Err(RiskError::Toml(_))));
        assert!(matches!(parse_questionnaire("not = [toml"), Err(RiskError::Toml(_))));
    }

    #[test]
    fn dash_thresholds_at_their_edges() {
        let q = dash();
        let level = |yes| assess(&q, &answers(&q, yes), None, &history(0)).map(|a| (a.level, a.marac_referral));
        assert_eq!(level(0), Ok((RiskLevel::Standard, false)));
        assert_eq!(level(9), Ok((RiskLevel::Standard, false)));
        assert_eq!(level(10), Ok((RiskLevel::Medium, false)));
        assert_eq!(level(13), Ok((RiskLevel::Medium, false)));
        assert_eq!(level(14), Ok((RiskLevel::High, true)));
        assert_eq!(level(27), Ok((RiskLevel::High, true)));
        let a = assess(&q, &answers(&q, 14), None, &history(0)).expect("assessed");
        assert_eq!((a.score, a.yes_count, a.computed), (14, 14, RiskLevel::High));
        assert_eq!((a.questionnaire_id.as_str(), a.questionnaire_version), ("dash", 1));
        assert!(a.reasons.iter().any(|r| r.starts_with("14 or more yes answers on")), "{:?}", a.reasons);
    }

    #[test]
    fn asb_thresholds_and_high_if_yes() {
        let q = asb();
        // 3 + 3 + 2 = 8 points: medium exactly at the threshold
        let a = assess(&q, &answers_yes(&q, &["harm", "threats_or_violence", "repeat_victim"]), None, &history(0))
            .expect("ok");
        assert_eq!((a.score, a.yes_count, a.level), (8, 3, RiskLevel::Medium));
        assert!(!a.marac_referral);
        // 7 points: standard
        let a = assess(
            &q,
            &answers_yes(&q, &["harm", "repeat_victim", "isolated", "considering_moving"]),
            None,
            &history(0),
        )
        .expect("ok");
        assert_eq!((a.score, a.level), (7, RiskLevel::Standard));
        // 15 points: medium; 16: high
        let fifteen = [
            "harm",
            "threats_or_violence",
            "hate_motivated",
            "repeat_victim",
            "health_impact",
            "isolated",
            "fear_of_reprisals",
        ];
        let a = assess(&q, &answers_yes(&q, &fifteen), None, &history(0)).expect("ok");
        assert_eq!((a.score, a.level), (15, RiskLevel::Medium));
        let mut sixteen = fifteen.to_vec();
        sixteen.push("considering_moving");
        let a = assess(&q, &answers_yes(&q, &sixteen), None, &history(0)).expect("ok");
        assert_eq!((a.score, a.level), (16, RiskLevel::High));
        assert!(!a.marac_referral, "MARAC referral is for DASH only");
        // a single high_if_yes answer is high on its own
        let a = assess(&q, &answers_yes(&q, &["self_harm_or_suicide"]), None, &history(0)).expect("ok");
        assert_eq!((a.score, a.computed, a.level), (3, RiskLevel::High, RiskLevel::High));
        let asked = &q.questions.iter().find(|x| x.id == "self_harm_or_suicide").expect("question").text;
        assert!(
            a.reasons.iter().any(|r| r.contains(asked.as_str()) && !r.contains("self_harm_or_suicide")),
            "the question as asked, not its key"
        );
        // escalation is a DASH rule
        let a = assess(&q, &answers(&q, 0), None, &history(10)).expect("ok");
        assert_eq!(a.level, RiskLevel::Standard);
    }

    #[test]
    fn judgement_raises_never_lowers_and_needs_reason() {
        let q = dash();
        let raise = Judgement { level: RiskLevel::High, reason: "victim disclosed a new threat".into() };
        let a = assess(&q, &answers(&q, 5), Some(&raise), &history(0)).expect("ok");
        assert_eq!((a.computed, a.level, a.marac_referral), (RiskLevel::Standard, RiskLevel::High, true));
        assert!(a.reasons.iter().any(|r| r.contains("professional judgement") && r.contains("new threat")));

        let same = Judgement { level: RiskLevel::Medium, reason: "agree".into() };
        let a = assess(&q, &answers(&q, 10), Some(&same), &history(0)).expect("ok");
        assert_eq!(a.level, RiskLevel::Medium);

        let lower = Judgement { level: RiskLevel::Medium, reason: "feels safer".into() };
        assert_eq!(
            assess(&q, &answers(&q, 14), Some(&lower), &history(0)),
            Err(RiskError::JudgementLowers { computed: RiskLevel::High, requested: RiskLevel::Medium })
        );
        let blank = Judgement { level: RiskLevel::High, reason: "  \n ".into() };
        assert_eq!(assess(&q, &answers(&q, 1), Some(&blank), &history(0)), Err(RiskError::JudgementNeedsReason));
        let empty = Judgement { level: RiskLevel::High, reason: String::new() };
        assert_eq!(assess(&q, &answers(&q, 1), Some(&empty), &history(0)), Err(RiskError::JudgementNeedsReason));
        let essay = Judgement { level: RiskLevel::High, reason: "x".repeat(Judgement::MAX_REASON + 1) };
        assert_eq!(assess(&q, &answers(&q, 1), Some(&essay), &history(0)), Err(RiskError::JudgementReasonTooLong));
        let full = Judgement { level: RiskLevel::High, reason: "x".repeat(Judgement::MAX_REASON) };
        assert!(assess(&q, &answers(&q, 1), Some(&full), &history(0)).is_ok());
    }

    #[test]
    fn unknown_and_missing_answers_are_refused() {
        let q = dash();
        let mut a = answers(&q, 0);
        a.insert("favourite_colour".into(), Answer::Yes);
        assert_eq!(assess(&q, &a, None, &history(0)), Err(RiskError::UnknownQuestion("favourite_colour".into())));
        let mut a = answers(&q, 0);
        a.remove("strangulation");
        assert_eq!(assess(&q, &a, None, &history(0)), Err(RiskError::Unanswered("strangulation".into())));
        assert!(matches!(assess(&q, &Answers::new(), None, &history(0)), Err(RiskError::Unanswered(_))));
        assert_eq!(q.unanswered(&a).map(|x| x.id.as_str()).collect::<Vec<_>>(), ["strangulation"]);
        assert_eq!(q.unanswered(&Answers::new()).count(), q.questions.len());
    }

    #[test]
    fn an_assessment_request_reads_as_the_api_takes_it() {
        let r: AssessmentRequest = serde_json::from_value(serde_json::json!({
            "questionnaire": "dash", "answers": { "strangulation": true },
            "judgement": { "level": "high", "reason": "new threat" }
        }))
        .expect("request");
        assert_eq!(r.answers.get("strangulation"), Some(&Answer::Yes));
        assert_eq!(r.judgement.map(|j| j.level), Some(RiskLevel::High));
        let r: AssessmentRequest =
            serde_json::from_value(serde_json::json!({ "questionnaire": "dash", "answers": {} })).expect("request");
        assert_eq!(r.judgement, None);
    }

    #[test]
    fn dash_escalation_at_three_incidents() {
        let q = dash();
        let a = assess(&q, &answers(&q, 2), None, &history(DASH_ESCALATION_INCIDENTS - 1)).expect("ok");
        assert_eq!(a.level, RiskLevel::Standard);
        let a = assess(&q, &answers(&q, 2), None, &history(DASH_ESCALATION_INCIDENTS)).expect("ok");
        assert_eq!((a.computed, a.level, a.marac_referral), (RiskLevel::High, RiskLevel::High, true));
        assert!(
            a.reasons.iter().any(|r| r == "3 domestic abuse incidents concerning the victim in 12 months (escalation)"),
            "{:?}",
            a.reasons
        );
        // judgement cannot undo escalation
        let lower = Judgement { level: RiskLevel::Medium, reason: "x".into() };
        assert!(matches!(
            assess(&q, &answers(&q, 2), Some(&lower), &history(3)),
            Err(RiskError::JudgementLowers { .. })
        ));
    }

    #[test]
    fn not_known_answers_count_as_not_yes_on_dash_only() {
        let q = dash();
        let mut a = answers(&q, 14);
        let first = q.questions[0].id.clone();
        a.insert(first.clone(), Answer::NotKnown);
        let r = assess(&q, &a, None, &history(0)).expect("ok");
        assert_eq!((r.yes_count, r.not_known, r.level), (13, 1, RiskLevel::Medium));
        assert!(r.reasons.iter().any(|x| x.contains("1 question(s) answered not known")), "{:?}", r.reasons);
        let asb = asb();
        let mut b = answers(&asb, 0);
        b.insert(asb.questions[0].id.clone(), Answer::NotKnown);
        assert!(matches!(assess(&asb, &b, None, &history(0)), Err(RiskError::NotKnownNotAllowed(_))));
        let json: Answers =
            serde_json::from_value(serde_json::json!({ "a": true, "b": "no", "c": "not_known" })).expect("answers");
        assert_eq!(json.values().copied().collect::<Vec<_>>(), vec![Answer::Yes, Answer::No, Answer::NotKnown]);
        assert_eq!(
            serde_json::to_value(&json).ok(),
            Some(serde_json::json!({ "a": true, "b": false, "c": "not_known" }))
        );
        assert!(serde_json::from_value::<Answers>(serde_json::json!({ "a": "maybe" })).is_err());
    }

    #[test]
    fn a_new_incident_within_12_months_of_a_marac_referral_is_a_repeat() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let referred = d(2025, 3, 31);
        assert_eq!(repeat_after(referred, &[d(2025, 3, 31)]), None, "the incident that led to it");
        assert_eq!(repeat_after(referred, &[d(2026, 4, 1), d(2025, 4, 1)]), Some(d(2025, 4, 1)));
        assert_eq!(repeat_after(referred, &[d(2026, 3, 31)]), Some(d(2026, 3, 31)), "12 months to the day");
        assert_eq!(repeat_after(referred, &[d(2026, 4, 1)]), None, "a day more than 12 months");
        assert_eq!(repeat_after(d(2024, 2, 29), &[d(2025, 2, 28)]), Some(d(2025, 2, 28)), "clamped");
        assert_eq!(repeat_after(d(2024, 2, 29), &[d(2025, 3, 1)]), None);
        let q = dash();
        let repeat = VictimHistory { domestic_abuse_incidents: 1, repeat: Some((referred, d(2025, 4, 1))) };
        let a = assess(&q, &answers(&q, 2), None, &repeat).expect("ok");
        assert_eq!((a.level, a.marac_referral, a.repeat_marac), (RiskLevel::Standard, true, true));
        let asb = asb();
        let a = assess(&asb, &answers(&asb, 0), None, &repeat).expect("ok");
        assert!(!a.repeat_marac && !a.marac_referral, "MARAC is for DASH only");
    }

    #[test]
    fn review_intervals() {
        let i = ReviewIntervals::default();
        assert_eq!((i.days(RiskLevel::High), i.days(RiskLevel::Medium), i.days(RiskLevel::Standard)), (14, 28, 56));
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(next_review(RiskLevel::High, d(2024, 2, 20), &i), d(2024, 3, 5));
        assert_eq!(next_review(RiskLevel::Medium, d(2024, 12, 20), &i), d(2025, 1, 17));
        assert_eq!(next_review(RiskLevel::Standard, d(2025, 1, 1), &i), d(2025, 2, 26));
        let custom = ReviewIntervals { high_days: 7, ..ReviewIntervals::default() };
        assert_eq!(next_review(RiskLevel::High, d(2025, 1, 1), &custom), d(2025, 1, 8));
        assert_eq!(next_review(RiskLevel::High, NaiveDate::MAX, &i), NaiveDate::MAX);
    }
}
