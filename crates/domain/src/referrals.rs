//! Referrals between partners into the programmes they run: Safe and Well
//! visits and the LiFE course (fire and rescue), the youth offer (Services
//! for Young People), the No More outreach worker and the Phoenix programme
//! (the council). Any agency refers a person, with their consent; the
//! agency that runs the programme accepts, declines or completes it, and
//! what happened goes back to the referrer.

use crate::interventions::StatutoryRule;
use crate::powers::Sector;
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

vocabulary! {
    /// A programme a person can be referred to.
    Programme {
        /// A fire and rescue Safe and Well visit at home.
        SafeAndWell = "safe_and_well" / "Safe and Well visit",
        /// The fire service's LiFE course for young people.
        Life = "life" / "LiFE course",
        /// The county's targeted youth offer.
        YouthOffer = "youth_offer" / "Youth offer",
        /// The No More outreach worker (knife crime and serious criminality).
        NoMore = "no_more" / "No More outreach",
        /// Phoenix: training and mentoring for victims of domestic abuse.
        Phoenix = "phoenix" / "Phoenix programme",
    }
}

impl Programme {
    /// The kind of agency that runs it.
    pub fn sector(self) -> Sector {
        match self {
            Programme::SafeAndWell | Programme::Life => Sector::Fire,
            Programme::YouthOffer => Sector::YouthServices,
            Programme::NoMore | Programme::Phoenix => Sector::Council,
        }
    }

    /// Whether it is for young people (a date of birth is needed, and
    /// meeting packs show counts only).
    pub fn for_young_people(self) -> bool {
        matches!(self, Programme::Life | Programme::YouthOffer | Programme::NoMore)
    }

    /// What "achieved" means when a referral is completed, if the
    /// programme measures it.
    pub fn achievement(self) -> Option<&'static str> {
        match self {
            Programme::Phoenix => Some("Gained employment or a qualification"),
            _ => None,
        }
    }
}

vocabulary! {
    /// Why a person is referred.
    ReferralReason {
        /// Moved into a new tenancy.
        NewTenancy = "new_tenancy" / "New tenancy",
        /// Vulnerable at home (age, health, living alone).
        Vulnerability = "vulnerability" / "Vulnerable at home",
        /// A fire risk seen at the property (hoarding, smoking, unsafe heating).
        FireRisk = "fire_risk" / "Fire risk seen",
        /// Domestic abuse.
        DomesticAbuse = "domestic_abuse" / "Domestic abuse",
        /// At risk of exploitation or County Lines.
        Exploitation = "exploitation" / "At risk of exploitation",
        /// At risk of knife crime or serious violence.
        KnifeCrime = "knife_crime" / "At risk of knife crime or serious violence",
        /// Anti-social behaviour.
        Asb = "asb" / "Anti-social behaviour",
        /// Something else (say in the details).
        Other = "other" / "Other",
    }
}

vocabulary! {
    /// Who gave consent to the referral.
    ConsentBy {
        /// The person referred.
        Person = "person" / "The person referred",
        /// Their parent or guardian.
        ParentOrGuardian = "parent_or_guardian" / "Their parent or guardian",
    }
}

vocabulary! {
    /// Where a referral stands.
    ReferralStatus {
        /// Sent; the receiving agency has not answered.
        Referred = "referred" / "Referred",
        /// Taken on.
        Accepted = "accepted" / "Accepted",
        /// Not taken on (the reason goes back to the referrer).
        Declined = "declined" / "Declined",
        /// Done (the outcome goes back to the referrer).
        Completed = "completed" / "Completed",
    }
}

impl ReferralStatus {
    /// Whether nothing more happens to it.
    pub fn is_closed(self) -> bool {
        matches!(self, ReferralStatus::Declined | ReferralStatus::Completed)
    }
}

/// A referral as the page and the API take it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewReferral {
    /// The programme.
    pub programme: Programme,
    /// The agency that runs it (its code).
    pub to_agency: String,
    /// The person's full name.
    pub full_name: String,
    /// Their date of birth (required for young people's programmes).
    #[serde(default)]
    pub date_of_birth: Option<NaiveDate>,
    /// Their address.
    pub address: String,
    /// How to reach them (telephone or e-mail).
    #[serde(default)]
    pub contact: String,
    /// Why they are referred.
    pub reason: ReferralReason,
    /// What the receiving agency should know.
    #[serde(default)]
    pub details: String,
    /// The incident it comes from, if any (one the referrer may see).
    #[serde(default)]
    pub incident_id: Option<String>,
    /// They (or their parent or guardian) agreed to the referral.
    #[serde(default)]
    pub consent: bool,
    /// Who agreed.
    #[serde(default)]
    pub consent_by: Option<ConsentBy>,
    /// The day of the referral.
    pub referred_on: NaiveDate,
}

/// The longest name, address or contact.
const MAX_FIELD: usize = 200;
/// The longest details or outcome.
const MAX_TEXT: usize = 4_000;

fn refuse<T>(rule: &'static str, message: impl Into<String>) -> Result<T, StatutoryRule> {
    Err(StatutoryRule { rule, message: message.into() })
}

fn text(rule: &'static str, r: Result<String, String>) -> Result<String, StatutoryRule> {
    r.or_else(|m| refuse(rule, m))
}

impl NewReferral {
    /// Checks the referral on `today`, each refusal a named rule:
    /// `referral_text` (name and address given, every field bounded),
    /// `consent_required` (the person, or their parent or guardian, agreed,
    /// and who is recorded), `date_of_birth_required` (for young people's
    /// programmes), `referral_date` (not in the future, not before the
    /// person was born).
    pub fn check(&self, today: NaiveDate) -> Result<(), StatutoryRule> {
        text("referral_text", crate::text::required("full name", &self.full_name, MAX_FIELD))?;
        text("referral_text", crate::text::required("address", &self.address, MAX_FIELD))?;
        text("referral_text", crate::text::optional("contact", &self.contact, MAX_FIELD))?;
        text("referral_text", crate::text::optional("details", &self.details, MAX_TEXT))?;
        if !self.consent || self.consent_by.is_none() {
            return refuse(
                "consent_required",
                "record that the person (or their parent or guardian) agreed to the referral, and who agreed",
            );
        }
        if self.programme.for_young_people() && self.date_of_birth.is_none() {
            return refuse(
                "date_of_birth_required",
                format!("enter the young person's date of birth for the {}", self.programme.label()),
            );
        }
        if self.referred_on > today {
            return refuse("referral_date", format!("the referral date ({}) is in the future", self.referred_on));
        }
        if self.date_of_birth.is_some_and(|d| d > self.referred_on) {
            return refuse("referral_date", "the date of birth is after the referral date");
        }
        Ok(())
    }
}

/// The receiving agency's answer or result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralUpdate {
    /// The new status.
    pub status: ReferralStatus,
    /// What happened, for the referrer (required to decline or complete).
    #[serde(default)]
    pub outcome: String,
    /// For programmes that measure it (Phoenix): the person achieved its aim.
    #[serde(default)]
    pub achieved: bool,
    /// The day it happened.
    pub on: NaiveDate,
}

impl ReferralUpdate {
    /// Checks the update against the referral's status and date on
    /// `today`: `referral_closed` (a declined or completed referral does
    /// not change), `referral_status` (only forward: accepted, declined or
    /// completed), `outcome_required` (declining or completing says what
    /// happened, for the referrer), `referral_text`, `referral_date` (on or
    /// after the referral, not in the future).
    pub fn check(
        &self,
        current: ReferralStatus,
        referred_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<(), StatutoryRule> {
        if current.is_closed() {
            return refuse("referral_closed", format!("the referral is already {}", current.label().to_lowercase()));
        }
        if self.status == ReferralStatus::Referred || self.status == current {
            return refuse("referral_status", "choose accepted, declined or completed");
        }
        let outcome = text("referral_text", crate::text::optional("outcome", &self.outcome, MAX_TEXT))?;
        if self.status.is_closed() && outcome.is_empty() {
            return refuse("outcome_required", "say what happened: the referring agency is told");
        }
        if self.on < referred_on || self.on > today {
            return refuse("referral_date", format!("the date must be from {referred_on} to {today}"));
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

    fn referral(programme: Programme) -> NewReferral {
        NewReferral {
            programme,
            to_agency: "HFRS".into(),
            full_name: "Ann Example".into(),
            date_of_birth: None,
            address: "1 High Street".into(),
            contact: String::new(),
            reason: ReferralReason::NewTenancy,
            details: String::new(),
            incident_id: None,
            consent: true,
            consent_by: Some(ConsentBy::Person),
            referred_on: d("2026-01-10"),
        }
    }

    fn rule(r: Result<(), StatutoryRule>) -> &'static str {
        r.err().map_or("ok", |e| e.rule)
    }

    #[test]
    fn a_referral_needs_consent_and_who_gave_it() {
        let today = d("2026-01-15");
        assert_eq!(rule(referral(Programme::SafeAndWell).check(today)), "ok");
        let mut r = referral(Programme::SafeAndWell);
        r.consent = false;
        assert_eq!(rule(r.check(today)), "consent_required");
        let mut r = referral(Programme::SafeAndWell);
        r.consent_by = None;
        assert_eq!(rule(r.check(today)), "consent_required");
    }

    #[test]
    fn young_peoples_programmes_need_a_date_of_birth() {
        let today = d("2026-01-15");
        let mut r = referral(Programme::YouthOffer);
        assert_eq!(rule(r.check(today)), "date_of_birth_required");
        r.date_of_birth = Some(d("2011-05-01"));
        assert_eq!(rule(r.check(today)), "ok");
        r.date_of_birth = Some(d("2026-01-11"));
        assert_eq!(rule(r.check(today)), "referral_date");
    }

    #[test]
    fn referrals_are_not_dated_in_the_future_and_need_a_name() {
        let mut r = referral(Programme::Phoenix);
        assert_eq!(rule(r.check(d("2026-01-09"))), "referral_date");
        r.full_name = "  ".into();
        assert_eq!(rule(r.check(d("2026-01-15"))), "referral_text");
    }

    #[test]
    fn updates_move_forward_and_closing_says_what_happened() {
        let (on, today) = (d("2026-01-10"), d("2026-01-15"));
        let update =
            |status, outcome: &str| ReferralUpdate { status, outcome: outcome.into(), achieved: false, on: today };
        assert_eq!(rule(update(ReferralStatus::Accepted, "").check(ReferralStatus::Referred, on, today)), "ok");
        assert_eq!(
            rule(update(ReferralStatus::Completed, "").check(ReferralStatus::Accepted, on, today)),
            "outcome_required"
        );
        assert_eq!(
            rule(update(ReferralStatus::Completed, "Visit done; alarms fitted").check(
                ReferralStatus::Accepted,
                on,
                today
            )),
            "ok"
        );
        assert_eq!(
            rule(update(ReferralStatus::Accepted, "").check(ReferralStatus::Completed, on, today)),
            "referral_closed"
        );
        assert_eq!(
            rule(update(ReferralStatus::Referred, "").check(ReferralStatus::Accepted, on, today)),
            "referral_status"
        );
        assert_eq!(
            rule(update(ReferralStatus::Accepted, "").check(ReferralStatus::Accepted, on, today)),
            "referral_status"
        );
        let early = ReferralUpdate { on: d("2026-01-09"), ..update(ReferralStatus::Accepted, "") };
        assert_eq!(rule(early.check(ReferralStatus::Referred, on, today)), "referral_date");
    }

    #[test]
    fn each_programme_is_run_by_its_kind_of_agency() {
        assert_eq!(Programme::SafeAndWell.sector(), Sector::Fire);
        assert_eq!(Programme::YouthOffer.sector(), Sector::YouthServices);
        assert_eq!(Programme::NoMore.sector(), Sector::Council);
        assert_eq!(Programme::parse("phoenix"), Some(Programme::Phoenix));
        assert!(Programme::Phoenix.achievement().is_some());
    }
}
