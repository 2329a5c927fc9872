//! E-mail notifications as data: the kinds a user can switch on or off, the
//! words of each message, and the retry schedule of the outbox.
//!
//! A message never carries personal data. It says what happened, names the
//! record only by its reference (e.g. `CASE-2026-00012`) and links to it;
//! names, addresses, dates of birth, descriptions, case titles, task titles
//! and plan text stay in SafetyNet, behind sign-in. [`Message`] is built only
//! from the fields below, which hold references, agency codes, dates and
//! counts, so a template cannot reach anything else.

use crate::policy::{EditRecords, ManagePartnershipWork, Principal};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// What a notification is about; each kind can be switched off per user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A case task was given to you or to your agency.
    TaskAssigned,
    /// A case was shared with your agency.
    CaseShared,
    /// A case you lead is due for review soon.
    ReviewDue,
    /// An ASB Case Review deadline (acknowledge, decide, meet) is near.
    CaseReviewDeadline,
    /// An operation task was given to your agency.
    OperationTask,
    /// The daily summary for CSP managers (counts only).
    DailyDigest,
    /// A public spaces protection order your agency made is ending.
    PspoEnding,
    /// A noise recording kit you booked out is due back.
    EquipmentDue,
    /// A referral you made was declined or completed.
    ReferralAnswered,
    /// A report a resident made moved to a new stage (sent to the address
    /// they gave; never to users).
    ReportUpdate,
    /// A victim is told how their case stands, at the points they agreed
    /// (sent to the address they gave; never to users).
    VictimUpdate,
}

impl Kind {
    /// Every kind, in the order shown on the account page.
    pub const ALL: [Kind; 11] = [
        Kind::TaskAssigned,
        Kind::CaseShared,
        Kind::ReviewDue,
        Kind::CaseReviewDeadline,
        Kind::OperationTask,
        Kind::PspoEnding,
        Kind::EquipmentDue,
        Kind::ReferralAnswered,
        Kind::ReportUpdate,
        Kind::VictimUpdate,
        Kind::DailyDigest,
    ];

    /// The stable name used in storage, forms and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::TaskAssigned => "task_assigned",
            Kind::CaseShared => "case_shared",
            Kind::ReviewDue => "review_due",
            Kind::CaseReviewDeadline => "case_review_deadline",
            Kind::OperationTask => "operation_task",
            Kind::DailyDigest => "daily_digest",
            Kind::PspoEnding => "pspo_ending",
            Kind::EquipmentDue => "equipment_due",
            Kind::ReferralAnswered => "referral_answered",
            Kind::ReportUpdate => "report_update",
            Kind::VictimUpdate => "victim_update",
        }
    }

    /// A label for the preferences form.
    pub fn label(self) -> &'static str {
        match self {
            Kind::TaskAssigned => "A case task is given to me or my agency",
            Kind::CaseShared => "A case is shared with my agency",
            Kind::ReviewDue => "A case I lead is due for review",
            Kind::CaseReviewDeadline => "An ASB Case Review deadline is near",
            Kind::OperationTask => "An operation task is given to my agency",
            Kind::DailyDigest => "Daily summary (CSP managers)",
            Kind::PspoEnding => "A public spaces protection order my agency made is ending",
            Kind::EquipmentDue => "A noise recording kit I booked out is due back",
            Kind::ReferralAnswered => "A referral I made is declined or completed",
            Kind::ReportUpdate => "A report a resident made moves on (residents only)",
            Kind::VictimUpdate => "A victim is told how their case stands (victims only)",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether it goes to users (and so is a choice in their preferences);
    /// `report_update` and `victim_update` go only to residents' addresses.
    pub fn to_users(self) -> bool {
        !matches!(self, Kind::ReportUpdate | Kind::VictimUpdate)
    }

    /// Whether someone with `p`'s roles can receive this kind: the daily
    /// summary goes to CSP managers ([`ManagePartnershipWork`]), the rest to
    /// those who work cases ([`EditRecords`]).
    pub fn applies_to(self, p: &Principal) -> bool {
        match self {
            Kind::DailyDigest => p.can::<ManagePartnershipWork>(),
            Kind::ReportUpdate | Kind::VictimUpdate => false,
            _ => p.can::<EditRecords>(),
        }
    }
}

/// When reminders are sent (`[notifications]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Schedule {
    /// Remind a case's lead officer this many days before its review date.
    pub review_days: u32,
    /// Remind the handling agency this many working days before each ASB
    /// Case Review deadline.
    pub case_review_working_days: u32,
    /// Hour of the day (UK time) from which the daily summary is sent.
    pub digest_hour: u32,
    /// Remind the council this many days before a public spaces protection
    /// order ends (time to consult on an extension, s60, s72).
    pub pspo_days: u32,
}

impl Default for Schedule {
    fn default() -> Self {
        Self { review_days: 3, case_review_working_days: 2, digest_hour: 7, pspo_days: 90 }
    }
}

impl Schedule {
    /// Checks the ranges (0 to 60 days, 0 to 20 working days, hour 0 to
    /// 23, 0 to 366 days for orders).
    pub fn check(&self) -> Result<(), String> {
        if self.pspo_days > 366 {
            return Err("notifications pspo_days must be between 0 and 366".into());
        }
        if self.review_days > 60 {
            return Err("notifications review_days must be between 0 and 60".into());
        }
        if self.case_review_working_days > 20 {
            return Err("notifications case_review_working_days must be between 0 and 20".into());
        }
        if self.digest_hour > 23 {
            return Err("notifications digest_hour must be between 0 and 23".into());
        }
        Ok(())
    }
}

/// An ASB Case Review stage whose deadline a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Acknowledge the application.
    Acknowledge,
    /// Decide whether the threshold is met.
    Decide,
    /// Hold the review meeting.
    Meet,
}

impl Stage {
    /// Stable name (part of the reminder's once-only key).
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Acknowledge => "acknowledge",
            Stage::Decide => "decide",
            Stage::Meet => "meet",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Stage::Acknowledge => "acknowledged (if you have not already done so)",
            Stage::Decide => "decided (is the threshold met?)",
            Stage::Meet => "reviewed at a Case Review meeting",
        }
    }
}

/// The day's counts for a CSP manager's summary: numbers only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Digest {
    /// Open tasks past their due date on cases the agency may see.
    pub overdue_tasks: i64,
    /// Live cases whose review date has come.
    pub reviews_due: i64,
    /// Live high-risk cases.
    pub high_risk_cases: i64,
    /// ASB Case Reviews of the agency not yet decided.
    pub case_reviews_open: i64,
    /// Messages that could not be delivered and were given up on (last day).
    pub undelivered: i64,
}

/// What happened, with only the fields a message may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A case task was given to a person or an agency.
    TaskAssigned {
        /// Case reference.
        reference: String,
        /// The agency that owns the task.
        agency: String,
        /// Whether it was given to the recipient personally.
        personal: bool,
        /// The task's due date.
        due_on: NaiveDate,
    },
    /// A case was shared with the recipient's agency.
    CaseShared {
        /// Case reference.
        reference: String,
        /// The lead agency.
        lead_agency: String,
        /// The agency it was shared with.
        agency: String,
    },
    /// A case's review date is near.
    ReviewDue {
        /// Case reference.
        reference: String,
        /// The review date.
        due_on: NaiveDate,
    },
    /// An ASB Case Review deadline is near.
    CaseReviewDeadline {
        /// Application reference.
        reference: String,
        /// Which deadline.
        stage: Stage,
        /// The deadline (end of this day).
        due_on: NaiveDate,
    },
    /// A public spaces protection order the recipient's agency made is ending.
    PspoEnding {
        /// The order's reference.
        reference: String,
        /// Its last day in force.
        ends_on: NaiveDate,
    },
    /// A referral the recipient made was declined or completed.
    ReferralAnswered {
        /// The referral's reference.
        reference: String,
        /// The programme's name.
        programme: String,
        /// The agency that answered.
        agency: String,
        /// "declined" or "completed".
        status: String,
    },
    /// A report the recipient (a resident) made reached a milestone.
    ReportUpdate {
        /// The report's reference.
        reference: String,
        /// The kind of problem.
        service: String,
        /// Where it stands, in words.
        status: String,
        /// What the officer wrote for the reporter.
        note: String,
    },
    /// A victim (the recipient) is told how their case stands.
    VictimUpdate {
        /// The case's reference.
        reference: String,
        /// The agency keeping them informed, by name.
        agency: String,
        /// Where the case stands, in words.
        milestone: String,
        /// What the officer wrote for them.
        note: String,
    },
    /// A noise recording kit the recipient booked out is due back.
    EquipmentDue {
        /// The kit's asset tag.
        asset_tag: String,
        /// The day it is due back.
        due_back_on: NaiveDate,
    },
    /// An operation task was given to the recipient's agency.
    OperationTask {
        /// Operation reference.
        reference: String,
        /// The agency that owns the task.
        agency: String,
        /// The task's due date.
        due_on: NaiveDate,
    },
    /// The day's summary.
    DailyDigest {
        /// The day (UK).
        on: NaiveDate,
        /// The counts.
        counts: Digest,
    },
}

/// One message as stored in the outbox: the link is a path; the sender puts
/// the public address in front of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The kind (for preferences).
    pub kind: Kind,
    /// Subject line.
    pub subject: String,
    /// Plain text, without the link.
    pub body: String,
    /// Path of the record, e.g. `/cases/0190...`.
    pub link_path: String,
}

fn long_date(d: NaiveDate) -> String {
    d.format("%A %-d %B %Y").to_string()
}

impl Event {
    /// The kind of notification this is.
    pub fn kind(&self) -> Kind {
        match self {
            Event::TaskAssigned { .. } => Kind::TaskAssigned,
            Event::CaseShared { .. } => Kind::CaseShared,
            Event::ReviewDue { .. } => Kind::ReviewDue,
            Event::CaseReviewDeadline { .. } => Kind::CaseReviewDeadline,
            Event::OperationTask { .. } => Kind::OperationTask,
            Event::DailyDigest { .. } => Kind::DailyDigest,
            Event::PspoEnding { .. } => Kind::PspoEnding,
            Event::EquipmentDue { .. } => Kind::EquipmentDue,
            Event::ReferralAnswered { .. } => Kind::ReferralAnswered,
            Event::ReportUpdate { .. } => Kind::ReportUpdate,
            Event::VictimUpdate { .. } => Kind::VictimUpdate,
        }
    }

    /// The message, linking to `link_path`.
    pub fn message(&self, link_path: &str) -> Message {
        let (subject, body) = match self {
            Event::TaskAssigned { reference, agency, personal, due_on } => (
                format!("SafetyNet: a task on {reference} for {}", if *personal { "you" } else { agency.as_str() }),
                format!(
                    "A task on case {reference} has been given to {}. It is due by {}.\n\nSign in to SafetyNet to see the task and the case.",
                    if *personal { format!("you ({agency})") } else { format!("your agency, {agency}") },
                    long_date(*due_on)
                ),
            ),
            Event::CaseShared { reference, lead_agency, agency } => (
                format!("SafetyNet: case {reference} shared with {agency}"),
                format!(
                    "{lead_agency} has shared case {reference} with your agency, {agency}, under a recorded lawful basis.\n\nSign in to SafetyNet to see the case."
                ),
            ),
            Event::ReviewDue { reference, due_on } => (
                format!("SafetyNet: review of {reference} due {}", due_on.format("%-d %B")),
                format!(
                    "Case {reference}, which you lead, is due for review by {}.\n\nSign in to SafetyNet to record the review.",
                    long_date(*due_on)
                ),
            ),
            Event::CaseReviewDeadline { reference, stage, due_on } => (
                format!("SafetyNet: ASB Case Review {reference} deadline {}", due_on.format("%-d %B")),
                format!(
                    "ASB Case Review {reference} must be {} by the end of {}.\n\nSign in to SafetyNet to record what has been done.",
                    stage.words(),
                    long_date(*due_on)
                ),
            ),
            Event::PspoEnding { reference, ends_on } => (
                format!("SafetyNet: public spaces protection order {reference} ends {}", ends_on.format("%-d %B %Y")),
                format!(
                    "Public spaces protection order {reference} is in force until the end of {}. To extend it, consult the police, the police and crime commissioner and community representatives, and decide before then (Anti-social Behaviour, Crime and Policing Act 2014, sections 60 and 72).\n\nSign in to SafetyNet to see the order and its breaches.",
                    long_date(*ends_on)
                ),
            ),
            Event::ReferralAnswered { reference, programme, agency, status } => (
                format!("SafetyNet: referral {reference} {status}"),
                format!(
                    "{agency} has {status} referral {reference} to the {programme} and said what happened.\n\nSign in to SafetyNet to read it."
                ),
            ),
            Event::ReportUpdate { reference, service, status, note } => (
                format!("Your report {reference}: {}", status.to_lowercase()),
                format!(
                    "Your report {reference} ({service}) is now: {status}.{}\n\nFollow it with the private link you were given when you reported. Do not reply to this e-mail.",
                    if note.is_empty() { String::new() } else { format!("\n\n{note}") }
                ),
            ),
            Event::VictimUpdate { reference, agency, milestone, note } => (
                format!("Your case {reference}: {}", milestone.to_lowercase()),
                format!(
                    "{agency} is keeping you informed about the problem you reported, as you agreed (case {reference}).\n\n{milestone}.\n\n{note}\n\nTo talk to someone about it, contact {agency}. Do not reply to this e-mail."
                ),
            ),
            Event::EquipmentDue { asset_tag, due_back_on } => (
                format!("SafetyNet: recording kit {asset_tag} due back {}", due_back_on.format("%-d %B")),
                format!(
                    "Noise recording kit {asset_tag}, which you booked out, is due back by the end of {}. Arrange its collection, or book it again if the monitoring should go on: it cannot be booked to anyone else until it is returned.\n\nSign in to SafetyNet to record its return.",
                    long_date(*due_back_on)
                ),
            ),
            Event::OperationTask { reference, agency, due_on } => (
                format!("SafetyNet: a task on operation {reference} for {agency}"),
                format!(
                    "A task on operation {reference} has been given to your agency, {agency}. It is due by {}.\n\nSign in to SafetyNet to see the task.",
                    long_date(*due_on)
                ),
            ),
            Event::DailyDigest { on, counts } => (
                format!("SafetyNet: daily summary for {}", on.format("%-d %B %Y")),
                format!(
                    "Your SafetyNet summary for {}:\n\n  Overdue tasks:                 {}\n  Case reviews due:              {}\n  Live high-risk cases:          {}\n  ASB Case Reviews not decided:  {}\n  E-mails that could not be sent in the last day: {}\n\nSign in to SafetyNet to see the details.",
                    long_date(*on),
                    counts.overdue_tasks,
                    counts.reviews_due,
                    counts.high_risk_cases,
                    counts.case_reviews_open,
                    counts.undelivered
                ),
            ),
        };
        Message { kind: self.kind(), subject: ascii(&subject), body: ascii(&body), link_path: link_path.to_string() }
    }
}

/// Keeps messages printable 7-bit text (so they travel as written through
/// any server).
fn ascii(s: &str) -> String {
    s.chars().map(|c| if c == '\n' || (c.is_ascii() && !c.is_ascii_control()) { c } else { '?' }).collect()
}

/// The full text sent: the body, the link, and how to stop these e-mails.
/// `public_url` is the server's public address (no trailing slash); without
/// it the link is the bare path.
pub fn full_body(body: &str, link_path: &str, public_url: Option<&str>) -> String {
    let base = public_url.map(|u| u.trim_end_matches('/')).unwrap_or("");
    format!(
        "{body}\n\n{base}{link_path}\n\n--\nThis e-mail was sent by SafetyNet. It holds no personal data: follow the link and sign in to see the record.\nChoose which e-mails you get on your account page: {base}/account\n"
    )
}

/// How long after the `attempts`-th failed attempt to try again: 1, 5, 15
/// and 60 minutes, then hourly.
pub fn retry_delay(attempts: u32) -> Duration {
    match attempts {
        0 | 1 => Duration::minutes(1),
        2 => Duration::minutes(5),
        3 => Duration::minutes(15),
        _ => Duration::minutes(60),
    }
}

/// A message still undelivered this long after it was queued is given up
/// (its last error is kept).
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);

/// When to try again after the `attempts`-th failure of a message queued at
/// `created_ms`, at `now_ms`; `None` gives up.
pub fn next_attempt_ms(created_ms: i64, attempts: u32, now_ms: i64) -> Option<i64> {
    let next = now_ms + retry_delay(attempts).num_milliseconds();
    (next < created_ms + GIVE_UP_AFTER.num_milliseconds()).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("spam"), None);
    }

    #[test]
    fn backoff_grows_then_gives_up_after_a_day() {
        let mins: Vec<i64> = (1..=6).map(|n| retry_delay(n).num_minutes()).collect();
        assert_eq!(mins, [1, 5, 15, 60, 60, 60]);
        let created = 0;
        assert_eq!(next_attempt_ms(created, 1, 0), Some(60_000));
        let almost = GIVE_UP_AFTER.num_milliseconds() - 30 * 60_000;
        assert_eq!(next_attempt_ms(created, 9, almost), None, "the next try would be after a day");
    }

    #[test]
    fn messages_carry_references_dates_and_agencies_only() {
        let m = Event::TaskAssigned {
            reference: "CASE-2026-00012".into(),
            agency: "HERTS-POLICE".into(),
            personal: false,
            due_on: d("2026-02-01"),
        }
        .message("/cases/x");
        assert!(m.subject.contains("CASE-2026-00012") && m.subject.contains("HERTS-POLICE"), "{m:?}");
        assert!(m.body.contains("Sunday 1 February 2026"), "{m:?}");
        let full = full_body(&m.body, &m.link_path, Some("https://safetynet.example.gov.uk/"));
        assert!(full.contains("https://safetynet.example.gov.uk/cases/x"), "{full}");
        assert!(full.is_ascii());
    }

    #[test]
    fn schedule_ranges_are_checked() {
        assert!(Schedule::default().check().is_ok());
        assert!(Schedule { digest_hour: 24, ..Default::default() }.check().is_err());
        assert!(Schedule { review_days: 61, ..Default::default() }.check().is_err());
    }
}
