//! Taxi and private hire driver licensing: the licensing authority's
//! register of drivers and the six-monthly DBS re-check through the DBS
//! update service (the Statutory Taxi and Private Hire Vehicle Standards,
//! 2020, para 4.8: licensing authorities should check the update service
//! every six months). A driver whose licence has expired is off the count.

use crate::interventions::StatutoryRule;
use crate::vocabulary::vocabulary;
use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Months between DBS checks.
pub const RECHECK_MONTHS: u32 = 6;
/// A check due within this many days is "due soon".
pub const DUE_SOON_DAYS: i64 = 28;

vocabulary! {
    /// The licence a driver holds.
    LicenceKind {
        /// Hackney carriage.
        HackneyCarriage = "hackney_carriage" / "Hackney carriage",
        /// Private hire.
        PrivateHire = "private_hire" / "Private hire",
        /// Both (a dual licence).
        Dual = "dual" / "Dual (hackney carriage and private hire)",
    }
}

vocabulary! {
    /// What a DBS check found.
    DbsResult {
        /// The certificate is current: no new information.
        Clear = "clear" / "No new information",
        /// New information: the licence is to be reviewed.
        NewInformation = "new_information" / "New information: licence to be reviewed",
    }
}

vocabulary! {
    /// Where a driver stands against the six-monthly check.
    DbsState {
        /// Checked within six months and not due for more than 28 days.
        Current = "current" / "Checked",
        /// The next check is due within 28 days.
        DueSoon = "due_soon" / "Due soon",
        /// The check is overdue (or the driver has never been checked).
        Overdue = "overdue" / "Overdue",
        /// The licence has expired: not counted.
        LicenceExpired = "licence_expired" / "Licence expired",
    }
}

/// The day the check after one on `last` falls due.
pub fn next_check_due(last: NaiveDate) -> NaiveDate {
    last.checked_add_months(Months::new(RECHECK_MONTHS)).unwrap_or(NaiveDate::MAX)
}

/// Where a driver stands on `today`: a check is current through the day
/// it falls due (a check on 3 June is due by 3 December).
pub fn dbs_state(last_check: Option<NaiveDate>, licence_expires: NaiveDate, today: NaiveDate) -> DbsState {
    if licence_expires < today {
        return DbsState::LicenceExpired;
    }
    match last_check.map(next_check_due) {
        Some(due) if due < today => DbsState::Overdue,
        Some(due) if due <= today + Duration::days(DUE_SOON_DAYS) => DbsState::DueSoon,
        Some(_) => DbsState::Current,
        None => DbsState::Overdue,
    }
}

/// A driver as the page and the API add them to the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDriver {
    /// The licence number, unique on the register.
    pub licence_number: String,
    /// The driver's full name.
    pub full_name: String,
    /// The licence held.
    pub licence_kind: LicenceKind,
    /// The licence's last day.
    pub licence_expires: NaiveDate,
    /// Subscribed to the DBS update service.
    #[serde(default)]
    pub update_service: bool,
    /// The day they completed safeguarding training, if they have.
    #[serde(default)]
    pub safeguarding_trained_on: Option<NaiveDate>,
}

impl NewDriver {
    /// Checks the driver: `driver_licence_number` (1 to 30 letters, digits,
    /// hyphens or slashes), `driver_text` (a name of at most 200
    /// characters), `driver_licence_expires` (a last day from 2000 to ten
    /// years ahead: a typo'd year would count a current driver as expired),
    /// `driver_training_date` (training not in the future).
    pub fn check(&self, today: NaiveDate) -> Result<(), StatutoryRule> {
        let n = self.licence_number.trim();
        if n.is_empty() || n.len() > 30 || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/') {
            return Err(StatutoryRule {
                rule: "driver_licence_number",
                message: "the licence number must be 1 to 30 letters, digits, hyphens or slashes".into(),
            });
        }
        crate::text::required("full name", &self.full_name, 200)
            .map_err(|message| StatutoryRule { rule: "driver_text", message })?;
        check_licence_expires(self.licence_expires, today)?;
        check_training(self.safeguarding_trained_on, today)
    }
}

/// `driver_licence_expires`: a licence's last day from 2000 to ten years
/// after `today` (a typo'd year would count a current driver as expired).
pub fn check_licence_expires(last_day: NaiveDate, today: NaiveDate) -> Result<(), StatutoryRule> {
    if last_day.year() > today.year() + 10 || last_day.year() < 2000 {
        return Err(StatutoryRule {
            rule: "driver_licence_expires",
            message: format!("check the licence's last day ({last_day}): a licence runs for a few years"),
        });
    }
    Ok(())
}

/// `driver_training_date`: safeguarding training is recorded once done.
pub fn check_training(on: Option<NaiveDate>, today: NaiveDate) -> Result<(), StatutoryRule> {
    match on {
        Some(d) if d > today => Err(StatutoryRule {
            rule: "driver_training_date",
            message: format!("record training once it is done ({d} is in the future)"),
        }),
        _ => Ok(()),
    }
}

/// A DBS check as the page and the API record it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDbsCheck {
    /// The day the update service was checked.
    pub checked_on: NaiveDate,
    /// What it found.
    pub result: DbsResult,
    /// Notes (required when there is new information: what happens next).
    #[serde(default)]
    pub notes: String,
}

impl NewDbsCheck {
    /// Checks it on `today`: `dbs_check_date` (not in the future),
    /// `dbs_notes_required` (new information says what happens next),
    /// `driver_text` (notes bounded).
    pub fn check(&self, today: NaiveDate) -> Result<(), StatutoryRule> {
        let bad = |rule: &'static str, message: String| Err(StatutoryRule { rule, message });
        if self.checked_on > today {
            return bad(
                "dbs_check_date",
                format!("record a check once it is done ({} is in the future)", self.checked_on),
            );
        }
        let notes = match crate::text::optional("notes", &self.notes, 2_000) {
            Ok(n) => n,
            Err(m) => return bad("driver_text", m),
        };
        if self.result == DbsResult::NewInformation && notes.is_empty() {
            return bad(
                "dbs_notes_required",
                "say what happens next: new information means the licence is reviewed".into(),
            );
        }
        Ok(())
    }
}

/// A concern about a licensed driver (a passenger's complaint, something
/// the licensing team learned) shared with the police with the lawful
/// basis for sharing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewConcern {
    /// The day the concern was raised.
    pub raised_on: NaiveDate,
    /// What the concern is.
    pub details: String,
    /// The police agency it is shared with (its code).
    pub share_with: String,
    /// The lawful basis for sharing, e.g. "Crime and Disorder Act 1998 s115".
    pub lawful_basis: String,
}

impl NewConcern {
    /// Checks it on `today`: `concern_date` (not in the future),
    /// `concern_text` (details given and bounded), `concern_lawful_basis`
    /// (a lawful basis named).
    pub fn check(&self, today: NaiveDate) -> Result<(), StatutoryRule> {
        let bad = |rule: &'static str, message: String| Err(StatutoryRule { rule, message });
        if self.raised_on > today {
            return bad("concern_date", format!("the concern cannot be raised in the future ({})", self.raised_on));
        }
        if let Err(m) = crate::text::required("details", &self.details, 2_000) {
            return bad("concern_text", m);
        }
        if let Err(m) = crate::text::required("lawful basis", &self.lawful_basis, 300) {
            return bad("concern_lawful_basis", format!("name the lawful basis for sharing it with the police: {m}"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_check_is_current_through_the_day_six_months_on() {
        let expires = d("2027-12-31");
        assert_eq!(next_check_due(d("2026-06-03")), d("2026-12-03"));
        assert_eq!(next_check_due(d("2026-08-31")), d("2027-02-28"));
        assert_eq!(dbs_state(Some(d("2026-06-03")), expires, d("2026-12-03")), DbsState::DueSoon);
        assert_eq!(dbs_state(Some(d("2026-06-03")), expires, d("2026-12-04")), DbsState::Overdue);
        assert_eq!(dbs_state(Some(d("2026-06-03")), expires, d("2026-11-05")), DbsState::DueSoon);
        assert_eq!(dbs_state(Some(d("2026-06-03")), expires, d("2026-11-04")), DbsState::Current);
        assert_eq!(dbs_state(None, expires, d("2026-11-04")), DbsState::Overdue);
        assert_eq!(dbs_state(Some(d("2026-06-03")), d("2026-07-01"), d("2026-07-02")), DbsState::LicenceExpired);
    }

    #[test]
    fn drivers_and_checks_are_checked() {
        let today = d("2026-01-15");
        let driver = NewDriver {
            licence_number: "PH/2024/0117".into(),
            full_name: "Sam Driver".into(),
            licence_kind: LicenceKind::PrivateHire,
            licence_expires: d("2027-01-31"),
            update_service: true,
            safeguarding_trained_on: Some(d("2025-10-01")),
        };
        assert!(driver.check(today).is_ok());
        let rule = |x: NewDriver| x.check(today).err().map(|e| e.rule);
        assert_eq!(rule(NewDriver { licence_number: "PH 1".into(), ..driver.clone() }), Some("driver_licence_number"));
        assert_eq!(rule(NewDriver { full_name: "".into(), ..driver.clone() }), Some("driver_text"));
        assert_eq!(
            rule(NewDriver { safeguarding_trained_on: Some(d("2026-01-16")), ..driver }),
            Some("driver_training_date")
        );
        let check = NewDbsCheck { checked_on: today, result: DbsResult::NewInformation, notes: String::new() };
        assert_eq!(check.check(today).err().map(|e| e.rule), Some("dbs_notes_required"));
        let future = NewDbsCheck { checked_on: d("2026-01-16"), result: DbsResult::Clear, notes: String::new() };
        assert_eq!(future.check(today).err().map(|e| e.rule), Some("dbs_check_date"));
    }

    #[test]
    fn a_concern_is_shared_with_a_lawful_basis() {
        let c = NewConcern {
            raised_on: d("2026-01-14"),
            details: "Passenger complaint of inappropriate comments".into(),
            share_with: "HERTS-POLICE".into(),
            lawful_basis: String::new(),
        };
        let today = d("2026-01-15");
        assert_eq!(c.check(today).err().map(|e| e.rule), Some("concern_lawful_basis"));
        let c = NewConcern { lawful_basis: "Crime and Disorder Act 1998 s115".into(), ..c };
        assert!(c.check(today).is_ok());
        assert_eq!(
            NewConcern { raised_on: d("2026-01-16"), ..c.clone() }.check(today).err().map(|e| e.rule),
            Some("concern_date")
        );
        assert_eq!(NewConcern { details: " ".into(), ..c }.check(today).err().map(|e| e.rule), Some("concern_text"));
    }
}
