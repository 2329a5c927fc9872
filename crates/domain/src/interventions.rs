//! The escalation ladder of interventions under the Anti-social Behaviour,
//! Crime and Policing Act 2014 (plus the informal warning letter and
//! acceptable behaviour contract), and the statutory checks a proposed
//! intervention must pass before it is recorded: a CPW before a CPN, minimum
//! ages, closure durations and fixed penalty limits.
//!
//! Each refusal is a [`StatutoryRule`] whose `rule` name is a stable contract
//! (stored, shown in the API and tested): `cpn_requires_cpw`,
//! `cpn_minimum_age`, `date_of_birth_required`, `injunction_minimum_age`,
//! `cbo_minimum_age`, `closure_notice_max_48_hours`, `expiry_required`,
//! `closure_order_max_6_months`, `fpn_amount_required`,
//! `fpn_amount_above_maximum`, `expiry_before_start`.
//!
//! **Ages** are whole years on the issue date. Someone born on 29 February
//! attains an age on 1 March in a year that is not a leap year (the
//! protective reading for minimum-age rules).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::uk_time::london_add_months;

/// A kind of intervention, lowest rung first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InterventionKind {
    /// An informal warning letter.
    WarningLetter,
    /// An acceptable behaviour contract (voluntary, non-statutory).
    AcceptableBehaviourContract,
    /// A community protection warning (s43): must precede a notice.
    CommunityProtectionWarning,
    /// A community protection notice (s43), recipient 16 or over.
    CommunityProtectionNotice,
    /// A fixed penalty notice (s52 for a CPN breach, s68 for a PSPO breach).
    FixedPenaltyNotice,
    /// A civil injunction (Part 1), respondent 10 or over.
    CivilInjunction,
    /// A criminal behaviour order (Part 2), offender 10 or over.
    CriminalBehaviourOrder,
    /// A closure notice (s76), at most 48 hours.
    ClosureNotice,
    /// A closure order (s80), at most 6 months in total.
    ClosureOrder,
    /// A breach of a public spaces protection order (s67).
    PspoBreach,
}

impl InterventionKind {
    /// Every kind, lowest rung first.
    pub const ALL: [InterventionKind; 10] = [
        InterventionKind::WarningLetter,
        InterventionKind::AcceptableBehaviourContract,
        InterventionKind::CommunityProtectionWarning,
        InterventionKind::CommunityProtectionNotice,
        InterventionKind::FixedPenaltyNotice,
        InterventionKind::CivilInjunction,
        InterventionKind::CriminalBehaviourOrder,
        InterventionKind::ClosureNotice,
        InterventionKind::ClosureOrder,
        InterventionKind::PspoBreach,
    ];

    /// The stable name used in storage, the API and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            InterventionKind::WarningLetter => "warning_letter",
            InterventionKind::AcceptableBehaviourContract => "acceptable_behaviour_contract",
            InterventionKind::CommunityProtectionWarning => "community_protection_warning",
            InterventionKind::CommunityProtectionNotice => "community_protection_notice",
            InterventionKind::FixedPenaltyNotice => "fixed_penalty_notice",
            InterventionKind::CivilInjunction => "civil_injunction",
            InterventionKind::CriminalBehaviourOrder => "criminal_behaviour_order",
            InterventionKind::ClosureNotice => "closure_notice",
            InterventionKind::ClosureOrder => "closure_order",
            InterventionKind::PspoBreach => "pspo_breach",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            InterventionKind::WarningLetter => "Warning letter",
            InterventionKind::AcceptableBehaviourContract => "Acceptable behaviour contract",
            InterventionKind::CommunityProtectionWarning => "Community protection warning",
            InterventionKind::CommunityProtectionNotice => "Community protection notice",
            InterventionKind::FixedPenaltyNotice => "Fixed penalty notice",
            InterventionKind::CivilInjunction => "Civil injunction",
            InterventionKind::CriminalBehaviourOrder => "Criminal behaviour order",
            InterventionKind::ClosureNotice => "Closure notice",
            InterventionKind::ClosureOrder => "Closure order",
            InterventionKind::PspoBreach => "Public spaces protection order breach",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Result<Self, UnknownIntervention> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownIntervention(s.chars().take(40).collect()))
    }
}

impl fmt::Display for InterventionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not one of [`InterventionKind::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown intervention kind '{0}'")]
pub struct UnknownIntervention(pub String);

/// An intervention about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposed {
    /// What it is.
    pub kind: InterventionKind,
    /// The behaviour it addresses (compared with earlier interventions trimmed and case-insensitively).
    pub conduct: String,
    /// The subject's date of birth, if an individual and known.
    pub subject_date_of_birth: Option<NaiveDate>,
    /// The subject is a business or body, not an individual (age rules do not apply).
    pub subject_is_business: bool,
    /// The date it is issued (ages are computed on this date).
    pub issued_on: NaiveDate,
    /// When it takes effect.
    pub starts_at: DateTime<Utc>,
    /// When it ends, if it does.
    pub expires_at: Option<DateTime<Utc>>,
    /// The fixed penalty amount, for a fixed penalty notice.
    pub fpn_amount_pence: Option<i64>,
}

/// An earlier intervention against the same subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prior {
    /// What it was.
    pub kind: InterventionKind,
    /// The behaviour it addressed.
    pub conduct: String,
    /// The date it was issued.
    pub issued_on: NaiveDate,
}

/// Maximum fixed penalty amounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FpnLimits {
    /// The usual maximum (default 10,000 pence = GBP 100).
    pub default_max_pence: i64,
    /// The maximum for fly-tipping (default 100,000 pence = GBP 1,000).
    pub fly_tipping_max_pence: i64,
}

impl Default for FpnLimits {
    fn default() -> Self {
        Self { default_max_pence: 10_000, fly_tipping_max_pence: 100_000 }
    }
}

impl FpnLimits {
    /// The maximum for this conduct.
    pub fn max_for(&self, conduct: &str) -> i64 {
        if is_fly_tipping(conduct) {
            self.fly_tipping_max_pence
        } else {
            self.default_max_pence
        }
    }
}

/// The conduct mentions fly-tipping ("fly-tip", "fly tip", any case).
pub fn is_fly_tipping(conduct: &str) -> bool {
    let c = conduct.to_lowercase();
    c.contains("fly-tip") || c.contains("fly tip")
}

/// Conduct as compared: trimmed, lower case, inner whitespace collapsed.
pub fn normalise_conduct(conduct: &str) -> String {
    conduct.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A statutory rule the proposed intervention breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct StatutoryRule {
    /// Stable rule name (see the module documentation).
    pub rule: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
}

fn refuse(rule: &'static str, message: impl Into<String>) -> Result<(), StatutoryRule> {
    Err(StatutoryRule { rule, message: message.into() })
}

/// Whole years of age on `on` for someone born on `dob` (negative if `on` is
/// before `dob`). A 29 February birthday falls on 1 March in other years.
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - dob.year();
    let birthday = NaiveDate::from_ymd_opt(on.year(), dob.month(), dob.day())
        .or_else(|| NaiveDate::from_ymd_opt(on.year(), 3, 1))
        .unwrap_or(on);
    if on < birthday {
        age -= 1;
    }
    age
}

fn check_age(p: &Proposed, min: i32, rule: &'static str) -> Result<(), StatutoryRule> {
    if p.subject_is_business {
        return Ok(());
    }
    let Some(dob) = p.subject_date_of_birth else {
        return refuse(
            "date_of_birth_required",
            format!(
                "a {} to an individual needs their date of birth to check their age",
                p.kind.label().to_lowercase()
            ),
        );
    };
    let age = age_on(dob, p.issued_on);
    if age < min {
        return refuse(
            rule,
            format!(
                "a {} can only be given to someone aged {min} or over; the subject is {age} on {}",
                p.kind.label().to_lowercase(),
                p.issued_on
            ),
        );
    }
    Ok(())
}

/// Checks a proposed intervention against the 2014 Act rules, given earlier
/// interventions against the same subject. Returns the first rule broken, in
/// this order: expiry (`expiry_before_start`, `expiry_required`, closure
/// durations), age, CPW before CPN, fixed penalty amount.
///
/// - `expiry_before_start`: `expires_at` strictly before `starts_at`.
/// - `expiry_required`: closure notices and orders must have an expiry.
/// - `closure_notice_max_48_hours`: `expires_at - starts_at` at most 48 hours.
/// - `closure_order_max_6_months`: expires no later than `starts_at` plus 6
///   calendar months in UK local time (day clamped to a shorter month's end).
/// - `cpn_minimum_age` (16), `injunction_minimum_age` (10), `cbo_minimum_age`
///   (10): individuals only; `date_of_birth_required` when unknown.
/// - `cpn_requires_cpw`: a community protection warning for the same conduct
///   (trimmed, case-insensitive) issued strictly before the CPN's issue date.
/// - `fpn_amount_required` (missing, zero or negative) and
///   `fpn_amount_above_maximum` ([`FpnLimits::max_for`] the conduct).
pub fn check(p: &Proposed, prior: &[Prior], limits: &FpnLimits) -> Result<(), StatutoryRule> {
    use InterventionKind as K;

    if let Some(exp) = p.expires_at {
        if exp < p.starts_at {
            return refuse("expiry_before_start", format!("it expires ({exp}) before it starts ({})", p.starts_at));
        }
    }
    if matches!(p.kind, K::ClosureNotice | K::ClosureOrder) {
        let Some(exp) = p.expires_at else {
            return refuse("expiry_required", format!("a {} must say when it expires", p.kind.label().to_lowercase()));
        };
        if p.kind == K::ClosureNotice && exp - p.starts_at > Duration::hours(48) {
            return refuse("closure_notice_max_48_hours", "a closure notice can last at most 48 hours");
        }
        if p.kind == K::ClosureOrder && exp > london_add_months(p.starts_at, 6) {
            return refuse("closure_order_max_6_months", "a closure order can last at most 6 months in total");
        }
    }

    match p.kind {
        K::CommunityProtectionNotice => check_age(p, 16, "cpn_minimum_age")?,
        K::CivilInjunction => check_age(p, 10, "injunction_minimum_age")?,
        K::CriminalBehaviourOrder => check_age(p, 10, "cbo_minimum_age")?,
        _ => {}
    }

    if p.kind == K::CommunityProtectionNotice {
        let conduct = normalise_conduct(&p.conduct);
        let warned = prior.iter().any(|x| {
            x.kind == K::CommunityProtectionWarning
                && x.issued_on < p.issued_on
                && normalise_conduct(&x.conduct) == conduct
        });
        if !warned {
            return refuse(
                "cpn_requires_cpw",
                "a community protection notice needs an earlier community protection warning to the same subject for the same conduct",
            );
        }
    }

    if p.kind == K::FixedPenaltyNotice {
        let max = limits.max_for(&p.conduct);
        match p.fpn_amount_pence {
            None => return refuse("fpn_amount_required", "a fixed penalty notice needs an amount"),
            Some(a) if a <= 0 => return refuse("fpn_amount_required", "a fixed penalty amount must be more than zero"),
            Some(a) if a > max => {
                return refuse(
                    "fpn_amount_above_maximum",
                    format!(
                        "a fixed penalty for this conduct can be at most {} (asked for {})",
                        pounds(max),
                        pounds(a)
                    ),
                )
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn pounds(pence: i64) -> String {
    format!("GBP {}.{:02}", pence / 100, (pence % 100).abs())
}

/// Ids of items that expire within `within_days` days of `now` (at or after
/// `now`, at or before `now + within_days`), soonest first (ties by id).
/// Items already expired or without an expiry are left out.
pub fn expiring(items: &[(String, Option<DateTime<Utc>>)], now: DateTime<Utc>, within_days: i64) -> Vec<String> {
    let until = Duration::try_days(within_days).and_then(|d| now.checked_add_signed(d)).unwrap_or(if within_days < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    });
    let mut hits: Vec<(DateTime<Utc>, &String)> =
        items.iter().filter_map(|(id, e)| e.filter(|t| *t >= now && *t <= until).map(|t| (t, id))).collect();
    hits.sort();
    hits.into_iter().map(|(_, id)| id.clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use InterventionKind as K;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
    }

    fn proposed(kind: InterventionKind) -> Proposed {
        Proposed {
            kind,
            conduct: "Noise at night".into(),
            subject_date_of_birth: Some(d(1990, 5, 1)),
            subject_is_business: false,
            issued_on: d(2025, 6, 10),
            starts_at: utc("2025-06-10T09:00:00Z"),
            expires_at: None,
            fpn_amount_pence: None,
        }
    }

    fn cpw(conduct: &str, on: NaiveDate) -> Prior {
        Prior { kind: K::CommunityProtectionWarning, conduct: conduct.into(), issued_on: on }
    }

    fn rule(r: Result<(), StatutoryRule>) -> Option<&'static str> {
        r.err().map(|e| e.rule)
    }

    #[test]
    fn kinds_round_trip() {
        for k in K::ALL {
            assert_eq!(K::parse(k.as_str()), Ok(k));
            assert_eq!(serde_json::to_string(&k).ok(), Some(format!("\"{}\"", k.as_str())));
        }
        assert!(K::parse("asbo").is_err());
        assert_eq!(K::PspoBreach.as_str(), "pspo_breach");
        assert_eq!(K::AcceptableBehaviourContract.as_str(), "acceptable_behaviour_contract");
    }

    #[test]
    fn ages_and_leap_day_births() {
        assert_eq!(age_on(d(2009, 6, 10), d(2025, 6, 10)), 16);
        assert_eq!(age_on(d(2009, 6, 10), d(2025, 6, 9)), 15);
        assert_eq!(age_on(d(2008, 2, 29), d(2024, 2, 29)), 16);
        assert_eq!(age_on(d(2008, 2, 29), d(2024, 2, 28)), 15);
        assert_eq!(age_on(d(2008, 2, 29), d(2025, 3, 1)), 17);
        assert_eq!(age_on(d(2008, 2, 29), d(2025, 2, 28)), 16);
        assert_eq!(age_on(d(2009, 2, 28), d(2025, 2, 28)), 16);
        assert_eq!(age_on(d(2009, 3, 1), d(2025, 2, 28)), 15);
    }

    #[test]
    fn cpn_requires_earlier_cpw_for_same_conduct() {
        let p = proposed(K::CommunityProtectionNotice);
        let limits = FpnLimits::default();
        assert_eq!(rule(check(&p, &[], &limits)), Some("cpn_requires_cpw"));
        // same conduct, different case and spacing: ok
        assert_eq!(check(&p, &[cpw("  NOISE at   night ", d(2025, 5, 1))], &limits), Ok(()));
        // the day before: ok; the same day or after: refused
        assert_eq!(check(&p, &[cpw("noise at night", d(2025, 6, 9))], &limits), Ok(()));
        assert_eq!(rule(check(&p, &[cpw("noise at night", d(2025, 6, 10))], &limits)), Some("cpn_requires_cpw"));
        assert_eq!(rule(check(&p, &[cpw("noise at night", d(2025, 6, 11))], &limits)), Some("cpn_requires_cpw"));
        // different conduct or a different kind of earlier intervention: refused
        assert_eq!(rule(check(&p, &[cpw("graffiti", d(2025, 5, 1))], &limits)), Some("cpn_requires_cpw"));
        let letter = Prior { kind: K::WarningLetter, conduct: "noise at night".into(), issued_on: d(2025, 5, 1) };
        assert_eq!(rule(check(&p, &[letter], &limits)), Some("cpn_requires_cpw"));
    }

    #[test]
    fn cpn_minimum_age_and_businesses() {
        let limits = FpnLimits::default();
        let warned = [cpw("noise at night", d(2023, 1, 1))];
        let mut p = proposed(K::CommunityProtectionNotice);
        p.subject_date_of_birth = Some(d(2009, 6, 10)); // exactly 16 on the issue date
        assert_eq!(check(&p, &warned, &limits), Ok(()));
        p.subject_date_of_birth = Some(d(2009, 6, 11)); // 16 tomorrow
        let e = check(&p, &warned, &limits).expect_err("refused");
        assert_eq!(e.rule, "cpn_minimum_age");
        assert_eq!(e.to_string(), e.message);
        p.subject_date_of_birth = None;
        assert_eq!(rule(check(&p, &warned, &limits)), Some("date_of_birth_required"));
        p.subject_is_business = true;
        assert_eq!(check(&p, &warned, &limits), Ok(()));
        // 16 on 29 February of a leap year, not the day before
        let mut p = proposed(K::CommunityProtectionNotice);
        p.subject_date_of_birth = Some(d(2008, 2, 29));
        p.issued_on = d(2024, 2, 29);
        assert_eq!(check(&p, &warned, &limits), Ok(()));
        p.issued_on = d(2024, 2, 28);
        assert_eq!(rule(check(&p, &warned, &limits)), Some("cpn_minimum_age"));
    }

    #[test]
    fn injunction_and_cbo_minimum_age() {
        let limits = FpnLimits::default();
        for (kind, name) in
            [(K::CivilInjunction, "injunction_minimum_age"), (K::CriminalBehaviourOrder, "cbo_minimum_age")]
        {
            let mut p = proposed(kind);
            p.subject_date_of_birth = Some(d(2015, 6, 10)); // 10 today
            assert_eq!(check(&p, &[], &limits), Ok(()));
            p.subject_date_of_birth = Some(d(2015, 6, 11));
            assert_eq!(rule(check(&p, &[], &limits)), Some(name));
            p.subject_date_of_birth = None;
            assert_eq!(rule(check(&p, &[], &limits)), Some("date_of_birth_required"));
        }
        // leap-day birth turning 10 in a common year: 10 on 1 March
        let mut p = proposed(K::CivilInjunction);
        p.subject_date_of_birth = Some(d(2016, 2, 29));
        p.issued_on = d(2026, 3, 1);
        assert_eq!(check(&p, &[], &limits), Ok(()));
        p.issued_on = d(2026, 2, 28);
        assert_eq!(rule(check(&p, &[], &limits)), Some("injunction_minimum_age"));
        // no age rule for a warning letter
        let mut p = proposed(K::WarningLetter);
        p.subject_date_of_birth = None;
        assert_eq!(check(&p, &[], &limits), Ok(()));
    }

    #[test]
    fn closure_notice_at_most_48_hours() {
        let limits = FpnLimits::default();
        let mut p = proposed(K::ClosureNotice);
        assert_eq!(rule(check(&p, &[], &limits)), Some("expiry_required"));
        p.expires_at = Some(p.starts_at + Duration::hours(48));
        assert_eq!(check(&p, &[], &limits), Ok(()));
        p.expires_at = Some(p.starts_at + Duration::hours(48) + Duration::seconds(1));
        assert_eq!(rule(check(&p, &[], &limits)), Some("closure_notice_max_48_hours"));
        p.expires_at = Some(p.starts_at - Duration::seconds(1));
        assert_eq!(rule(check(&p, &[], &limits)), Some("expiry_before_start"));
    }

    #[test]
    fn closure_order_at_most_6_calendar_months() {
        let limits = FpnLimits::default();
        let mut p = proposed(K::ClosureOrder);
        assert_eq!(rule(check(&p, &[], &limits)), Some("expiry_required"));
        // 10:00 BST 10 June to 10:00 GMT 10 December: exactly 6 months of local time
        p.expires_at = Some(utc("2025-12-10T10:00:00Z"));
        assert_eq!(check(&p, &[], &limits), Ok(()));
        p.expires_at = Some(utc("2025-12-10T10:00:01Z"));
        assert_eq!(rule(check(&p, &[], &limits)), Some("closure_order_max_6_months"));
        // month-end clamp: from 31 August, 6 months ends 28 February
        p.starts_at = utc("2025-08-31T09:00:00Z");
        p.expires_at = Some(utc("2026-02-28T10:00:00Z"));
        assert_eq!(check(&p, &[], &limits), Ok(()));
        p.expires_at = Some(utc("2026-03-01T10:00:00Z"));
        assert_eq!(rule(check(&p, &[], &limits)), Some("closure_order_max_6_months"));
    }

    #[test]
    fn fixed_penalty_amounts() {
        let limits = FpnLimits::default();
        let mut p = proposed(K::FixedPenaltyNotice);
        assert_eq!(rule(check(&p, &[], &limits)), Some("fpn_amount_required"));
        p.fpn_amount_pence = Some(0);
        assert_eq!(rule(check(&p, &[], &limits)), Some("fpn_amount_required"));
        p.fpn_amount_pence = Some(10_000);
        assert_eq!(check(&p, &[], &limits), Ok(()));
        p.fpn_amount_pence = Some(10_001);
        let e = check(&p, &[], &limits).expect_err("refused");
        assert_eq!(e.rule, "fpn_amount_above_maximum");
        assert!(e.message.contains("GBP 100.00"), "{}", e.message);
        p.conduct = "Fly-tipping of household waste".into();
        assert_eq!(check(&p, &[], &limits), Ok(()));
        p.conduct = "FLY TIPPING".into();
        p.fpn_amount_pence = Some(100_000);
        assert_eq!(check(&p, &[], &limits), Ok(()));
        p.fpn_amount_pence = Some(100_001);
        assert_eq!(rule(check(&p, &[], &limits)), Some("fpn_amount_above_maximum"));
        assert!(!is_fly_tipping("flytipping") && is_fly_tipping("Fly-tip"));
    }

    #[test]
    fn expiry_before_start_for_any_kind() {
        let mut p = proposed(K::CivilInjunction);
        p.expires_at = Some(p.starts_at);
        assert_eq!(check(&p, &[], &FpnLimits::default()), Ok(()));
        p.expires_at = Some(p.starts_at - Duration::days(1));
        assert_eq!(rule(check(&p, &[], &FpnLimits::default())), Some("expiry_before_start"));
    }

    #[test]
    fn expiring_within_days() {
        let now = utc("2025-06-10T12:00:00Z");
        let items = vec![
            ("late".to_string(), Some(now + Duration::days(7))),
            ("over".to_string(), Some(now + Duration::days(7) + Duration::seconds(1))),
            ("soon".to_string(), Some(now + Duration::hours(1))),
            ("gone".to_string(), Some(now - Duration::seconds(1))),
            ("open".to_string(), None),
            ("now".to_string(), Some(now)),
        ];
        assert_eq!(expiring(&items, now, 7), vec!["now", "soon", "late"]);
        assert_eq!(expiring(&items, now, 0), vec!["now"]);
        assert!(expiring(&items, now, -1).is_empty());
        assert_eq!(expiring(&items, now, i64::MAX).len(), 4);
        assert!(expiring(&items, now, i64::MIN).is_empty());
    }
}

/// A breach of an intervention as reported (by the page or the API): when
/// it happened, never after `now`, and what happened (1 to
/// [`BreachReport::MAX_NOTES`] characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachReport {
    /// When the breach happened.
    pub breached_at: DateTime<Utc>,
    /// What happened (trimmed).
    pub notes: String,
}

impl BreachReport {
    /// The longest account of a breach.
    pub const MAX_NOTES: usize = 5_000;

    /// A checked report, or the message to show.
    pub fn new(breached_at: DateTime<Utc>, notes: &str, now: DateTime<Utc>) -> Result<Self, String> {
        if breached_at > now {
            return Err("a breach cannot be in the future".into());
        }
        let notes = notes.trim();
        match notes.chars().count() {
            0 => Err("say what happened".into()),
            n if n > Self::MAX_NOTES => Err(format!("what happened must be {} characters or fewer", Self::MAX_NOTES)),
            _ => Ok(Self { breached_at, notes: notes.to_string() }),
        }
    }
}

#[cfg(test)]
mod breach_tests {
    use super::*;

    #[test]
    fn a_breach_is_in_the_past_and_says_what_happened() {
        let now = DateTime::parse_from_rfc3339("2026-01-15T09:00:00Z").map(|t| t.with_timezone(&Utc)).expect("t");
        let earlier = now - chrono::Duration::hours(3);
        assert_eq!(
            BreachReport::new(earlier, "  shouted at a neighbour ", now).map(|b| b.notes),
            Ok("shouted at a neighbour".into())
        );
        assert!(BreachReport::new(now + chrono::Duration::minutes(1), "x", now).is_err_and(|e| e.contains("future")));
        assert!(BreachReport::new(earlier, "   ", now).is_err());
        assert!(BreachReport::new(earlier, &"x".repeat(5_001), now).is_err_and(|e| e.contains("5000")));
        assert!(BreachReport::new(earlier, &"x".repeat(5_000), now).is_ok());
    }
}

/// A new intervention.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewIntervention {
    /// Kind.
    pub kind: InterventionKind,
    /// The subject, when recorded as a person.
    #[serde(default)]
    pub person_id: Option<String>,
    /// Subject's name (taken from the person when `person_id` is given).
    #[serde(default)]
    pub subject_name: String,
    /// Subject's date of birth (taken from the person when recorded).
    #[serde(default)]
    pub subject_date_of_birth: Option<NaiveDate>,
    /// The subject is a business.
    #[serde(default)]
    pub subject_is_business: bool,
    /// The behaviour addressed.
    pub conduct: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// In force from.
    pub starts_at: DateTime<Utc>,
    /// Expires.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Fixed penalty amount in pence.
    #[serde(default)]
    pub amount_pence: Option<i64>,
}

impl NewIntervention {
    /// The longest account of the behaviour addressed.
    pub const MAX_CONDUCT: usize = 1_000;
    /// The longest subject name.
    pub const MAX_SUBJECT: usize = 200;

    /// Checks the intervention as the page and the API both take it: the
    /// conduct 1 to [`NewIntervention::MAX_CONDUCT`] characters and the
    /// subject's name at most [`NewIntervention::MAX_SUBJECT`]; the message
    /// names the field. The statutory checks ([`check`], each rule named:
    /// dates, amounts, the ladder) come after, with the case's history.
    pub fn check(&self) -> Result<(), String> {
        crate::text::required("conduct", &self.conduct, Self::MAX_CONDUCT)?;
        crate::text::optional("subject_name", &self.subject_name, Self::MAX_SUBJECT)?;
        Ok(())
    }
}

#[cfg(test)]
mod new_intervention_tests {
    use super::*;

    #[test]
    fn an_intervention_is_checked_with_the_field_named() {
        let start = DateTime::parse_from_rfc3339("2026-01-15T09:00:00Z").map(|t| t.with_timezone(&Utc)).expect("t");
        let ok = NewIntervention {
            kind: InterventionKind::WarningLetter,
            person_id: None,
            subject_name: "Sam Example".into(),
            subject_date_of_birth: None,
            subject_is_business: false,
            conduct: "Threats".into(),
            issued_on: start.date_naive(),
            starts_at: start,
            expires_at: None,
            amount_pence: None,
        };
        assert_eq!(ok.check(), Ok(()));
        let blank = NewIntervention { conduct: "  ".into(), ..ok.clone() };
        assert_eq!(blank.check(), Err("conduct must not be empty".into()));
        let long = NewIntervention { subject_name: "x".repeat(201), ..ok.clone() };
        assert_eq!(long.check(), Err("subject_name must be 200 characters or fewer".into()));
        assert_eq!(NewIntervention { subject_name: "x".repeat(200), ..ok }.check(), Ok(()));
    }
}
