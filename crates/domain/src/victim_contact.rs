//! Keeping victims informed (the Code of Practice for Victims of Crime,
//! right 6; the ASB guidance asks the same for ASB victims): on a case, each
//! victim chooses how they are told (e-mail, phone, letter, or not at all)
//! and at which points (someone has their case, action is taken, it is
//! closed: the milestones residents' reports use), and how often besides
//! (a regular update every so many days while the case is open); an update
//! at an agreed point is due once the case reaches it, until the officer
//! records one, and a regular update is due that many days after the last
//! update (or the choice).

use crate::public_reports::Milestone;
use crate::rules::StatutoryRule;
use crate::vocabulary::vocabulary;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

vocabulary! {
    /// How a victim wants to be told.
    ContactChannel {
        /// By e-mail, to the address they gave (sent by SafetyNet).
        Email = "email" / "E-mail",
        /// By phone (the officer calls, and records it).
        Phone = "phone" / "Phone call",
        /// By letter (the officer writes, and records it).
        Letter = "letter" / "Letter",
        /// They asked not to be contacted.
        None = "none" / "No updates, at their request",
    }
}

/// The points a victim may agree to be told at.
pub const AGREED_POINTS: [Milestone; 3] = [Milestone::Assigned, Milestone::ActionTaken, Milestone::Closed];

/// The shortest and longest agreed gap between regular updates, in days
/// (weekly to quarterly).
pub const REGULAR_DAYS: std::ops::RangeInclusive<u32> = 7..=91;

/// What an update given to a victim is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdatePoint {
    /// An agreed point the case reached (one of [`AGREED_POINTS`]).
    At(Milestone),
    /// A regular update, at the agreed frequency.
    Regular,
}

impl UpdatePoint {
    /// Every point an update can be about, in the order forms list them.
    pub const ALL: [UpdatePoint; 4] = [
        UpdatePoint::At(Milestone::Assigned),
        UpdatePoint::At(Milestone::ActionTaken),
        UpdatePoint::At(Milestone::Closed),
        UpdatePoint::Regular,
    ];

    /// Stable code (`assigned`, `action_taken`, `closed`, `regular`).
    pub fn as_str(self) -> &'static str {
        match self {
            UpdatePoint::At(m) => m.as_str(),
            UpdatePoint::Regular => "regular",
        }
    }

    /// Parses a stable code; `None` for anything else (`received` too).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// For the victim: what the update is about.
    pub fn label(self) -> &'static str {
        match self {
            UpdatePoint::At(m) => milestone_label(m),
            UpdatePoint::Regular => "An update on your case",
        }
    }
}

/// For the victim: what happened at `m`.
pub fn milestone_label(m: Milestone) -> &'static str {
    match m {
        Milestone::Received => "Your report has been received",
        Milestone::Assigned => "An officer has your case",
        Milestone::ActionTaken => "Action has been taken",
        Milestone::Closed => "Your case has been closed",
    }
}

/// A victim's choice of how and when they are told about their case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct VictimContact {
    /// The victim (a person on an incident of the case, as victim).
    pub person_id: String,
    /// How.
    pub channel: ContactChannel,
    /// Their e-mail address (needed for e-mail).
    #[serde(default)]
    pub email: String,
    /// When: `assigned`, `action_taken`, `closed` (none for no updates).
    #[serde(default)]
    pub points: Vec<String>,
    /// When they agreed it.
    pub agreed_on: NaiveDate,
    /// A regular update every so many days while the case is open
    /// ([`REGULAR_DAYS`]), besides the points; none if not agreed.
    #[serde(default)]
    pub every_days: Option<u32>,
}

fn refuse<T>(message: impl Into<String>) -> Result<T, StatutoryRule> {
    Err(StatutoryRule { rule: "victim_contact", message: message.into() })
}

impl VictimContact {
    /// The agreed points, checked: `victim_contact` when a point is not one
    /// of [`AGREED_POINTS`], when e-mail has no valid address, when updates
    /// are wanted at no point (or none wanted at some), or when regular
    /// updates are not [`REGULAR_DAYS`] apart (or wanted with none at all).
    pub fn checked_points(&self) -> Result<Vec<Milestone>, StatutoryRule> {
        let mut points = Vec::new();
        for p in &self.points {
            match Milestone::parse(p).filter(|m| AGREED_POINTS.contains(m)) {
                Some(m) if !points.contains(&m) => points.push(m),
                Some(_) => {}
                None => return refuse(format!("{p} is not a point to agree: assigned, action_taken or closed")),
            }
        }
        match self.channel {
            ContactChannel::None if !points.is_empty() || self.every_days.is_some() => {
                return refuse("a victim who asked not to be contacted has no points to be told at")
            }
            ContactChannel::None => {}
            _ if points.is_empty() => return refuse("choose at least one point at which the victim is told"),
            _ if self.every_days.is_some_and(|d| !REGULAR_DAYS.contains(&d)) => {
                return refuse(format!(
                    "regular updates are {} to {} days apart",
                    REGULAR_DAYS.start(),
                    REGULAR_DAYS.end()
                ))
            }
            ContactChannel::Email if !crate::public_reports::looks_like_email(self.email.trim()) => {
                return refuse("give the victim's e-mail address, like name@example.com")
            }
            _ => {}
        }
        Ok(points)
    }
}

/// The agreed points the case has reached that no update has been
/// recorded for: `reached` are the milestones the case has reached,
/// `told` those the victim has been told about.
pub fn updates_due(agreed: &[Milestone], reached: &[Milestone], told: &[Milestone]) -> Vec<Milestone> {
    AGREED_POINTS.into_iter().filter(|m| agreed.contains(m) && reached.contains(m) && !told.contains(m)).collect()
}

/// The day a regular update falls due for `contact`: `every_days` after
/// the last update told (`last_told`) or, before any, after the choice was
/// agreed; none without a frequency, for a victim who asked for no
/// updates, or once the case is closed (`live` false).
pub fn regular_update_due_on(contact: &VictimContact, last_told: Option<NaiveDate>, live: bool) -> Option<NaiveDate> {
    let every = contact.every_days.filter(|_| live && contact.channel != ContactChannel::None)?;
    let since = last_told.map_or(contact.agreed_on, |d| d.max(contact.agreed_on));
    Some(since + Duration::days(i64::from(every)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(channel: ContactChannel, email: &str, points: &[&str]) -> VictimContact {
        VictimContact {
            person_id: "p".into(),
            channel,
            email: email.into(),
            points: points.iter().map(|p| p.to_string()).collect(),
            agreed_on: NaiveDate::from_ymd_opt(2026, 1, 15).expect("date"),
            every_days: None,
        }
    }

    #[test]
    fn a_choice_needs_points_and_for_email_an_address() {
        let rule = |c: VictimContact| c.checked_points().err().map(|e| e.rule);
        assert_eq!(rule(contact(ContactChannel::Email, "rita@example.org", &["closed"])), None);
        assert_eq!(rule(contact(ContactChannel::Email, "rita", &["closed"])), Some("victim_contact"));
        assert_eq!(rule(contact(ContactChannel::Phone, "", &[])), Some("victim_contact"));
        assert_eq!(rule(contact(ContactChannel::Phone, "", &["weekly"])), Some("victim_contact"));
        assert_eq!(
            rule(contact(ContactChannel::Phone, "", &["received"])),
            Some("victim_contact"),
            "not a point to agree"
        );
        assert_eq!(rule(contact(ContactChannel::None, "", &[])), None);
        assert_eq!(rule(contact(ContactChannel::None, "", &["closed"])), Some("victim_contact"));
        let every = |channel, days| VictimContact { every_days: Some(days), ..contact(channel, "", &["closed"]) };
        assert_eq!(rule(every(ContactChannel::Phone, 28)), None);
        assert_eq!(rule(every(ContactChannel::Phone, 6)), Some("victim_contact"), "more often than weekly");
        assert_eq!(rule(every(ContactChannel::Phone, 92)), Some("victim_contact"), "less often than quarterly");
        let none = VictimContact { every_days: Some(28), ..contact(ContactChannel::None, "", &[]) };
        assert_eq!(rule(none), Some("victim_contact"), "no updates means no regular ones");
        let twice = contact(ContactChannel::Letter, "", &["closed", "closed", "assigned"]).checked_points();
        assert_eq!(twice.ok(), Some(vec![Milestone::Closed, Milestone::Assigned]));
    }

    #[test]
    fn an_update_is_due_at_an_agreed_point_reached_and_not_yet_told() {
        let agreed = [Milestone::Assigned, Milestone::Closed];
        let reached = [Milestone::Assigned, Milestone::ActionTaken];
        assert_eq!(updates_due(&agreed, &reached, &[]), vec![Milestone::Assigned], "action taken was not agreed");
        assert_eq!(updates_due(&agreed, &reached, &[Milestone::Assigned]), vec![]);
        let closed = [Milestone::Assigned, Milestone::ActionTaken, Milestone::Closed];
        assert_eq!(updates_due(&agreed, &closed, &[Milestone::Assigned]), vec![Milestone::Closed]);
    }

    #[test]
    fn a_regular_update_falls_due_that_many_days_after_the_last_while_the_case_is_open() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 2, d).expect("date");
        let four_weekly = VictimContact { every_days: Some(28), ..contact(ContactChannel::Phone, "", &["closed"]) };
        assert_eq!(regular_update_due_on(&four_weekly, None, true), Some(day(12)), "28 days after 15 January");
        assert_eq!(regular_update_due_on(&four_weekly, Some(day(1)), true), NaiveDate::from_ymd_opt(2026, 3, 1));
        assert_eq!(regular_update_due_on(&four_weekly, Some(day(1)), false), None, "closed");
        assert_eq!(regular_update_due_on(&contact(ContactChannel::Phone, "", &["closed"]), None, true), None);
        assert_eq!(UpdatePoint::parse("regular"), Some(UpdatePoint::Regular));
        assert_eq!(UpdatePoint::parse("action_taken"), Some(UpdatePoint::At(Milestone::ActionTaken)));
        assert_eq!(UpdatePoint::parse("received"), None, "not a point a victim is told at");
    }
}
