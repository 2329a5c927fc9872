//! The enforcement ladder: the powers of the Anti-social Behaviour, Crime and
//! Policing Act 2014 (plus the informal warning letter, the acceptable
//! behaviour contract and the statutory nuisance abatement notice), and the
//! statutory checks a proposed intervention must pass before it is recorded.
//!
//! Each refusal is a [`StatutoryRule`] whose `rule` name is a stable contract
//! (stored, shown in the API and tested); [`check`] lists every rule with the
//! section of the Act it comes from, and `docs/enforcement.md` states each
//! one for officers and solicitors.
//!
//! **Ages** are whole years on the issue date. Someone born on 29 February
//! attains an age on 1 March in a year that is not a leap year (the
//! protective reading for minimum-age rules).
//!
//! **Durations** in months are calendar months of UK local time from the
//! moment the power takes effect (a day missing from a shorter month is
//! clamped to its last day); durations in hours are exact. Every maximum
//! includes its edge: a closure notice of exactly 24 hours is allowed.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::fixed_penalty::{FpnBasis, FpnLimits};
use crate::powers::{Authoriser, Sector};
pub use crate::rules::StatutoryRule;
use crate::uk_time::{london_add_months, london_date};

/// A kind of intervention, lowest rung first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InterventionKind {
    /// An informal warning letter.
    WarningLetter,
    /// An acceptable behaviour contract (voluntary, non-statutory).
    AcceptableBehaviourContract,
    /// A community protection warning (s43(5)): must precede a notice.
    CommunityProtectionWarning,
    /// A community protection notice (s43), recipient 16 or over.
    CommunityProtectionNotice,
    /// A fixed penalty notice, under one [`FpnBasis`].
    FixedPenaltyNotice,
    /// A community remedy (s101 to s103), an out-of-court outcome.
    CommunityRemedy,
    /// An abatement notice for a statutory nuisance (EPA 1990 s80).
    AbatementNotice,
    /// A civil injunction (Part 1), respondent 10 or over.
    CivilInjunction,
    /// A criminal behaviour order (Part 2), on conviction, offender 10 or over.
    CriminalBehaviourOrder,
    /// A direction to leave a dispersal area (Part 3, s35).
    DispersalDirection,
    /// A closure notice (s76), 24 hours or, authorised, 48 hours.
    ClosureNotice,
    /// A closure order (s80), up to 3 months.
    ClosureOrder,
    /// An extension of a closure order (s82), up to 6 months in total.
    ClosureOrderExtension,
    /// A breach of a public spaces protection order (s67).
    PspoBreach,
    /// Possession on the absolute ground for anti-social behaviour (Part 5).
    PossessionAbsoluteGround,
}

impl InterventionKind {
    /// Every kind, lowest rung first.
    pub const ALL: [InterventionKind; 15] = [
        InterventionKind::WarningLetter,
        InterventionKind::AcceptableBehaviourContract,
        InterventionKind::CommunityProtectionWarning,
        InterventionKind::CommunityProtectionNotice,
        InterventionKind::FixedPenaltyNotice,
        InterventionKind::CommunityRemedy,
        InterventionKind::AbatementNotice,
        InterventionKind::CivilInjunction,
        InterventionKind::CriminalBehaviourOrder,
        InterventionKind::DispersalDirection,
        InterventionKind::ClosureNotice,
        InterventionKind::ClosureOrder,
        InterventionKind::ClosureOrderExtension,
        InterventionKind::PspoBreach,
        InterventionKind::PossessionAbsoluteGround,
    ];

    /// The stable name used in storage, the API and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            InterventionKind::WarningLetter => "warning_letter",
            InterventionKind::AcceptableBehaviourContract => "acceptable_behaviour_contract",
            InterventionKind::CommunityProtectionWarning => "community_protection_warning",
            InterventionKind::CommunityProtectionNotice => "community_protection_notice",
            InterventionKind::FixedPenaltyNotice => "fixed_penalty_notice",
            InterventionKind::CommunityRemedy => "community_remedy",
            InterventionKind::AbatementNotice => "abatement_notice",
            InterventionKind::CivilInjunction => "civil_injunction",
            InterventionKind::CriminalBehaviourOrder => "criminal_behaviour_order",
            InterventionKind::DispersalDirection => "dispersal_direction",
            InterventionKind::ClosureNotice => "closure_notice",
            InterventionKind::ClosureOrder => "closure_order",
            InterventionKind::ClosureOrderExtension => "closure_order_extension",
            InterventionKind::PspoBreach => "pspo_breach",
            InterventionKind::PossessionAbsoluteGround => "possession_absolute_ground",
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
            InterventionKind::CommunityRemedy => "Community remedy",
            InterventionKind::AbatementNotice => "Abatement notice (statutory nuisance)",
            InterventionKind::CivilInjunction => "Civil injunction",
            InterventionKind::CriminalBehaviourOrder => "Criminal behaviour order",
            InterventionKind::DispersalDirection => "Dispersal direction",
            InterventionKind::ClosureNotice => "Closure notice",
            InterventionKind::ClosureOrder => "Closure order",
            InterventionKind::ClosureOrderExtension => "Closure order extension",
            InterventionKind::PspoBreach => "Public spaces protection order breach",
            InterventionKind::PossessionAbsoluteGround => "Possession: absolute ground for anti-social behaviour",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Result<Self, UnknownIntervention> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownIntervention(s.chars().take(40).collect()))
    }

    /// The kind must name the earlier intervention it follows from (a CPN
    /// its warning, a closure order its notice, an extension its order).
    pub fn needs_earlier(self) -> bool {
        matches!(
            self,
            InterventionKind::CommunityProtectionNotice
                | InterventionKind::ClosureOrder
                | InterventionKind::ClosureOrderExtension
        )
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

/// The earlier intervention a new one follows from, as the store found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earlier {
    /// What it was.
    pub kind: InterventionKind,
    /// The date it was issued.
    pub issued_on: NaiveDate,
    /// When it took effect (a closure notice: when it was served).
    pub starts_at: DateTime<Utc>,
    /// When it ends, if it does (a closure order: with its latest extension).
    pub expires_at: Option<DateTime<Utc>>,
    /// A warning's compliance date.
    pub compliance_by: Option<NaiveDate>,
    /// It is against the same person record as the new one.
    pub same_subject: bool,
    /// It is on the same case as the new one.
    pub same_case: bool,
    /// Breaches recorded against it.
    pub breaches: i64,
}

/// The public spaces protection order a breach or fixed penalty is against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PspoTerm {
    /// Its reference.
    pub reference: String,
    /// The first day it is in force.
    pub starts_on: NaiveDate,
    /// The last day it is in force, with any extensions.
    pub ends_on: NaiveDate,
}

/// An intervention about to be recorded, with what the store knows of its
/// subject, its issuer and the records it points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposed {
    /// What it is.
    pub kind: InterventionKind,
    /// The issuing agency's sector (`None`: not set yet).
    pub issuer: Option<Sector>,
    /// The subject is recorded as a person (or business) record.
    pub has_person_record: bool,
    /// The subject's date of birth, if an individual and known.
    pub subject_date_of_birth: Option<NaiveDate>,
    /// The subject is a business or body, not an individual (age rules do not apply).
    pub subject_is_business: bool,
    /// The date it is issued (ages are computed on this date).
    pub issued_on: NaiveDate,
    /// When it takes effect (a closure order: when the court made it).
    pub starts_at: DateTime<Utc>,
    /// When it ends, if it does.
    pub expires_at: Option<DateTime<Utc>>,
    /// The fixed penalty amount, for a fixed penalty notice.
    pub fpn_amount_pence: Option<i64>,
    /// The fixed penalty's legal basis.
    pub legal_basis: Option<FpnBasis>,
    /// Who authorised it (closure notices, dispersal).
    pub authorised_by: Option<Authoriser>,
    /// The earlier intervention it follows from, when one was named.
    pub earlier: Option<Earlier>,
    /// The order a PSPO breach or PSPO fixed penalty is against.
    pub pspo: Option<PspoTerm>,
    /// A warning's compliance date: the behaviour must stop by then.
    pub compliance_by: Option<NaiveDate>,
    /// The conviction a criminal behaviour order is made on.
    pub convicted_on: Option<NaiveDate>,
    /// The youth offending team was consulted (a respondent under 18).
    pub yot_consulted: bool,
    /// A dispersal authorisation's area was given (3 or more corners).
    pub has_area: bool,
}

impl Proposed {
    /// A proposal with nothing but its kind, issuer and dates set (tests
    /// and callers fill in the rest).
    pub fn new(kind: InterventionKind, issuer: Option<Sector>, issued_on: NaiveDate, starts_at: DateTime<Utc>) -> Self {
        Self {
            kind,
            issuer,
            has_person_record: false,
            subject_date_of_birth: None,
            subject_is_business: false,
            issued_on,
            starts_at,
            expires_at: None,
            fpn_amount_pence: None,
            legal_basis: None,
            authorised_by: None,
            earlier: None,
            pspo: None,
            compliance_by: None,
            convicted_on: None,
            yot_consulted: false,
            has_area: false,
        }
    }

    fn age(&self) -> Option<i32> {
        self.subject_date_of_birth.filter(|_| !self.subject_is_business).map(|dob| age_on(dob, self.issued_on))
    }
}

/// The sectors that may use a power, and the section that says so.
pub fn holders(kind: InterventionKind) -> (&'static [Sector], &'static str) {
    use InterventionKind as K;
    use Sector as S;
    match kind {
        K::WarningLetter | K::AcceptableBehaviourContract => (&Sector::ALL, "any partner"),
        K::CommunityProtectionWarning | K::CommunityProtectionNotice => (
            &[S::Council, S::Police, S::HousingProvider],
            "s53: a council, the police or a designated housing provider",
        ),
        K::FixedPenaltyNotice => (&[S::Council, S::Police, S::HousingProvider], "s52, s68 and the enabling Acts"),
        K::CivilInjunction => (
            &[S::Council, S::Police, S::HousingProvider, S::Transport],
            "s5: a council, a housing provider, the police or a transport authority",
        ),
        K::CriminalBehaviourOrder => (
            &[S::Prosecutor, S::Police, S::Council],
            "s22: on the prosecution's application, at police or council request",
        ),
        K::DispersalDirection => (&[S::Police], "s35: a constable or PCSO in uniform, under an authorisation"),
        K::ClosureNotice => (&[S::Police, S::Council], "s76: a police inspector or above, or the council"),
        K::ClosureOrder | K::ClosureOrderExtension => {
            (&[S::Police, S::Council], "s80 and s82: the police or the council")
        }
        K::PspoBreach => (&[S::Council, S::Police], "s67 and s68: the council or the police"),
        K::CommunityRemedy => (&[S::Police], "s101 to s103: a police officer"),
        K::PossessionAbsoluteGround => (
            &[S::Council, S::HousingProvider],
            "Part 5: the landlord (Housing Act 1985 s84A; Housing Act 1988 Schedule 2 Ground 7A)",
        ),
        K::AbatementNotice => (&[S::Council], "Environmental Protection Act 1990 s80: the council"),
    }
}

/// The sector may use the power.
pub fn may_use(kind: InterventionKind, sector: Sector) -> bool {
    holders(kind).0.contains(&sector)
}

fn refuse<T>(rule: &'static str, message: impl Into<String>) -> Result<T, StatutoryRule> {
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
    let Some(age) = p.age() else {
        return refuse(
            "date_of_birth_required",
            format!("a {} to an individual needs their date of birth to check their age", lower(p.kind)),
        );
    };
    if age < min {
        return refuse(
            rule,
            format!(
                "a {} can only be given to someone aged {min} or over; the subject is {age} on {}",
                lower(p.kind),
                p.issued_on
            ),
        );
    }
    Ok(())
}

fn lower(kind: InterventionKind) -> String {
    kind.label().to_lowercase()
}

/// The subject is an individual under 18 on the issue date.
fn is_youth(p: &Proposed) -> bool {
    p.age().is_some_and(|a| a < 18)
}

fn expiry(p: &Proposed) -> Result<DateTime<Utc>, StatutoryRule> {
    match p.expires_at {
        Some(t) => Ok(t),
        None => refuse("expiry_required", format!("a {} must say when it ends", lower(p.kind))),
    }
}

/// What an officer should do about a warning the checks gave, by its rule
/// name (the page shows it after the intervention is recorded).
pub fn warning_advice(rule: &str) -> Option<&'static str> {
    match rule {
        "cpw_older_than_12_months" => Some(
            "Recorded. The warning this notice follows was issued 12 months or more ago: check that the behaviour it describes is still going on.",
        ),
        _ => None,
    }
}

/// A CPW this many months old or more draws a warning on a CPN.
pub const CPW_STALE_MONTHS: u32 = 12;

/// Checks a proposed intervention against the law. Returns the warnings to
/// show when it passes, or the first rule it breaks, in this order:
///
/// - `expiry_before_start`: it ends before it starts.
/// - `agency_sector_required`: the issuing agency's sector is not set (any
///   agency may send a warning letter or agree an acceptable behaviour
///   contract without one); `power_not_available`: the sector does not hold the power (s5, s22,
///   s35, s53, s76, Part 5, EPA 1990 s80; see [`holders`]).
/// - Ages (individuals only; `date_of_birth_required` when unknown):
///   `cpn_minimum_age` 16 (s43(1)), `injunction_minimum_age` 10 (s1(1)),
///   `cbo_minimum_age` 10 (the age of criminal responsibility, Children and
///   Young Persons Act 1933 s50); `dispersal_minimum_age` 10 (s36(1)) only
///   when the person's date of birth is known (the Act asks whether they
///   appear to be under 10, and no date of birth is needed).
/// - Community protection warning: `cpw_compliance_date_required` (s43(5):
///   the warning gives time to deal with the matter), and
///   `cpw_compliance_date_before_issue`.
/// - Community protection notice: `person_record_required`,
///   `cpn_requires_cpw` (the named earlier intervention is a CPW issued
///   before the CPN's issue date), `cpw_other_subject` (the CPW is to a
///   different person record), `cpw_compliance_period_running` (issued on or
///   before the CPW's compliance date); a warning `cpw_older_than_12_months`.
/// - Fixed penalty notice: `fpn_legal_basis_required`, `power_not_available`
///   (the basis's [`FpnBasis::holders`]), `fpn_amount_required`,
///   `fpn_amount_above_maximum` (the basis's [`FpnLimits`]), `fpn_requires_cpn`
///   (s52: a CPN to the same person issued before), `pspo_required` and
///   `pspo_not_in_force` (s68).
/// - Civil injunction to someone under 18: `injunction_youth_max_12_months`
///   (s1(6)), `yot_consultation_required` (s14(1)).
/// - Criminal behaviour order: `cbo_requires_conviction` (s22(1)); under 18:
///   `cbo_youth_duration` (1 to 3 years, s25(5)(a)) and
///   `yot_consultation_required` (s22(8)); adults: `cbo_adult_minimum_2_years`
///   (at least 2 years or indefinite, s25(5)(b)).
/// - Dispersal direction: `dispersal_area_required` (the authorised area,
///   s34(1), s36), `dispersal_authorisation_rank` (an inspector or
///   above, s34(1)), `expiry_required`, `dispersal_max_48_hours` (s34(1),
///   s35(4)).
/// - Closure notice: `closure_notice_authorisation_rank` (a police notice is
///   authorised by an inspector or above, s76(1)), `expiry_required`,
///   `closure_notice_max_48_hours` and `closure_notice_max_24_hours` (over 24
///   hours needs a superintendent or the council's chief executive, s76(2),
///   s77).
/// - Closure order: `closure_order_requires_notice` (a closure notice on the
///   same case, before the order), `closure_hearing_within_48_hours` (s80(3):
///   the order is made within 48 hours of the notice's service),
///   `expiry_required`, `closure_order_max_3_months` (s80(6)).
/// - Closure order extension: `extension_requires_closure_order` (the order
///   on the same case), `extension_after_order_ended` (s82: sought while the
///   order, as already extended, is in force), `closure_order_max_6_months`
///   (s82: 6 months in total from the order).
/// - PSPO breach: `pspo_required`, `pspo_not_in_force`.
/// - Possession on the absolute ground: `possession_condition_required`
///   (Housing Act 1985 s84A, Housing Act 1988 Schedule 2 Ground 7A: a
///   conviction, or a named injunction, CBO or abatement notice with a
///   breach recorded, or a closure order) and `possession_notice_out_of_time`
///   (s83ZA: within the 12 months beginning with the day of the
///   conviction, or the 3 months beginning with the day the closure order
///   was made).
pub fn check(p: &Proposed, limits: &FpnLimits) -> Result<Vec<StatutoryRule>, StatutoryRule> {
    use InterventionKind as K;

    if let Some(exp) = p.expires_at {
        if exp < p.starts_at {
            return refuse("expiry_before_start", format!("it ends ({exp}) before it starts ({})", p.starts_at));
        }
    }
    let (sectors, who) = holders(p.kind);
    let Some(sector) = p.issuer.or((sectors.len() == Sector::ALL.len()).then_some(Sector::Other)) else {
        return refuse(
            "agency_sector_required",
            "set your agency's sector (council, police, housing provider...) before using statutory powers",
        );
    };
    if !may_use(p.kind, sector) {
        return refuse(
            "power_not_available",
            format!("a {} cannot be issued by a {} agency ({who})", lower(p.kind), sector.label().to_lowercase()),
        );
    }
    match p.kind {
        K::CommunityProtectionNotice => check_age(p, 16, "cpn_minimum_age")?,
        K::CivilInjunction => check_age(p, 10, "injunction_minimum_age")?,
        K::CriminalBehaviourOrder => check_age(p, 10, "cbo_minimum_age")?,
        K::DispersalDirection if p.age().is_some() => check_age(p, 10, "dispersal_minimum_age")?,
        _ => {}
    }
    let mut warnings = Vec::new();
    match p.kind {
        K::CommunityProtectionWarning => check_cpw(p)?,
        K::CommunityProtectionNotice => warnings.extend(check_cpn(p)?),
        K::FixedPenaltyNotice => check_fpn(p, sector, limits)?,
        K::CivilInjunction => check_injunction(p)?,
        K::CriminalBehaviourOrder => check_cbo(p)?,
        K::DispersalDirection => check_dispersal(p)?,
        K::ClosureNotice => check_closure_notice(p, sector)?,
        K::ClosureOrder => check_closure_order(p)?,
        K::ClosureOrderExtension => check_closure_extension(p)?,
        K::PspoBreach => check_pspo(p)?,
        K::PossessionAbsoluteGround => check_possession(p)?,
        K::WarningLetter | K::AcceptableBehaviourContract | K::CommunityRemedy | K::AbatementNotice => {}
    }
    Ok(warnings)
}

fn check_cpw(p: &Proposed) -> Result<(), StatutoryRule> {
    match p.compliance_by {
        None => refuse(
            "cpw_compliance_date_required",
            "a community protection warning must give a date by which the behaviour must stop (s43(5))",
        ),
        Some(by) if by < p.issued_on => refuse(
            "cpw_compliance_date_before_issue",
            format!("the compliance date ({by}) is before the warning is issued ({})", p.issued_on),
        ),
        Some(_) => Ok(()),
    }
}

fn check_cpn(p: &Proposed) -> Result<Vec<StatutoryRule>, StatutoryRule> {
    if !p.has_person_record {
        return refuse(
            "person_record_required",
            "record the subject as a person (or business) so the notice can be matched to their warning",
        );
    }
    let cpw = match &p.earlier {
        Some(e) if e.kind == InterventionKind::CommunityProtectionWarning && e.issued_on < p.issued_on => e,
        _ => return refuse(
            "cpn_requires_cpw",
            "a community protection notice needs the community protection warning (CPW) it follows, issued before it",
        ),
    };
    if !cpw.same_subject {
        return refuse("cpw_other_subject", "the community protection warning chosen was given to someone else");
    }
    if let Some(by) = cpw.compliance_by.filter(|by| p.issued_on <= *by) {
        return refuse(
            "cpw_compliance_period_running",
            format!("the warning gave until {by} to stop; a notice can be issued from the day after"),
        );
    }
    let stale =
        cpw.issued_on.checked_add_months(chrono::Months::new(CPW_STALE_MONTHS)).is_some_and(|d| d <= p.issued_on);
    Ok(if stale {
        vec![StatutoryRule {
            rule: "cpw_older_than_12_months",
            message: format!(
                "the warning was issued on {}, {CPW_STALE_MONTHS} months or more ago: check the behaviour it describes is still going on",
                cpw.issued_on
            ),
        }]
    } else {
        Vec::new()
    })
}

fn check_fpn(p: &Proposed, sector: Sector, limits: &FpnLimits) -> Result<(), StatutoryRule> {
    let basis = limits.check(p.legal_basis, p.fpn_amount_pence, sector)?;
    match basis {
        FpnBasis::CpnBreach => {
            let ok = p.earlier.as_ref().is_some_and(|e| {
                e.kind == InterventionKind::CommunityProtectionNotice && e.same_subject && e.issued_on < p.issued_on
            });
            if !ok {
                return refuse(
                    "fpn_requires_cpn",
                    "a fixed penalty for breaching a community protection notice must name that notice, issued earlier to the same person (s52)",
                );
            }
            Ok(())
        }
        FpnBasis::PspoBreach => check_pspo(p),
        _ => Ok(()),
    }
}

fn check_pspo(p: &Proposed) -> Result<(), StatutoryRule> {
    let Some(order) = &p.pspo else {
        return refuse("pspo_required", "name the public spaces protection order that was breached");
    };
    if p.issued_on < order.starts_on || p.issued_on > order.ends_on {
        return refuse(
            "pspo_not_in_force",
            format!(
                "{} is in force from {} to {}, not on {}",
                order.reference, order.starts_on, order.ends_on, p.issued_on
            ),
        );
    }
    Ok(())
}

fn check_injunction(p: &Proposed) -> Result<(), StatutoryRule> {
    if !is_youth(p) {
        return Ok(());
    }
    let ok = p.expires_at.is_some_and(|e| e <= london_add_months(p.starts_at, 12));
    if !ok {
        return refuse(
            "injunction_youth_max_12_months",
            "an injunction against someone under 18 must end within 12 months (s1(6))",
        );
    }
    check_yot(p, "s14(1)")
}

fn check_yot(p: &Proposed, section: &str) -> Result<(), StatutoryRule> {
    if p.yot_consulted {
        Ok(())
    } else {
        refuse(
            "yot_consultation_required",
            format!("consult the youth offending team before applying against someone under 18 ({section})"),
        )
    }
}

fn check_cbo(p: &Proposed) -> Result<(), StatutoryRule> {
    if p.convicted_on.is_none_or(|c| c > p.issued_on) {
        return refuse(
            "cbo_requires_conviction",
            "a criminal behaviour order is made only on conviction: record the conviction date, on or before the order (s22(1))",
        );
    }
    if is_youth(p) {
        let ok = p
            .expires_at
            .is_some_and(|e| e >= london_add_months(p.starts_at, 12) && e <= london_add_months(p.starts_at, 36));
        if !ok {
            return refuse(
                "cbo_youth_duration",
                "an order against someone under 18 must last from 1 to 3 years (s25(5)(a))",
            );
        }
        return check_yot(p, "s22(8)");
    }
    if p.expires_at.is_some_and(|e| e < london_add_months(p.starts_at, 24)) {
        return refuse(
            "cbo_adult_minimum_2_years",
            "an order against an adult lasts at least 2 years, or has no end date (s25(5)(b))",
        );
    }
    Ok(())
}

fn check_dispersal(p: &Proposed) -> Result<(), StatutoryRule> {
    if !p.has_area {
        return refuse(
            "dispersal_area_required",
            "a dispersal authorisation specifies the locality it covers: draw the area (s34(1), s36)",
        );
    }
    if !p.authorised_by.is_some_and(Authoriser::is_inspector_or_above) {
        return refuse(
            "dispersal_authorisation_rank",
            "a dispersal authorisation is given by a police inspector or above (s34(1))",
        );
    }
    if expiry(p)? - p.starts_at > Duration::hours(48) {
        return refuse("dispersal_max_48_hours", "a dispersal authorisation lasts at most 48 hours (s34(1), s35(4))");
    }
    Ok(())
}

fn check_closure_notice(p: &Proposed, sector: Sector) -> Result<(), StatutoryRule> {
    if sector == Sector::Police && !p.authorised_by.is_some_and(Authoriser::is_inspector_or_above) {
        return refuse(
            "closure_notice_authorisation_rank",
            "a police closure notice is issued by an inspector or above (s76(1))",
        );
    }
    let length = expiry(p)? - p.starts_at;
    if length > Duration::hours(48) {
        return refuse("closure_notice_max_48_hours", "a closure notice can last at most 48 hours (s76(2), s77)");
    }
    // s77(2): a superintendent for the police's notice, the chief executive
    // (or designate) for the council's.
    let senior = if sector == Sector::Police { Authoriser::Superintendent } else { Authoriser::ChiefExecutive };
    if length > Duration::hours(24) && p.authorised_by != Some(senior) {
        return refuse(
            "closure_notice_max_24_hours",
            format!(
                "a closure notice lasts at most 24 hours unless the {} authorises up to 48 (s76(2), s77(2))",
                senior.label().to_lowercase()
            ),
        );
    }
    Ok(())
}

fn check_closure_order(p: &Proposed) -> Result<(), StatutoryRule> {
    let notice = match &p.earlier {
        Some(e) if e.kind == InterventionKind::ClosureNotice && e.same_case && e.starts_at <= p.starts_at => e,
        _ => {
            return refuse(
                "closure_order_requires_notice",
                "a closure order must name the closure notice on this case that it follows",
            )
        }
    };
    if p.starts_at > hearing_deadline(notice.starts_at) {
        return refuse(
            "closure_hearing_within_48_hours",
            "the court must hear the application within 48 hours of the closure notice being served, not counting Christmas Day (s80(3), s80(4))",
        );
    }
    if expiry(p)? > london_add_months(p.starts_at, 3) {
        return refuse("closure_order_max_3_months", "a closure order lasts at most 3 months (s80(6))");
    }
    Ok(())
}

/// The latest a closure order application may be heard after the notice
/// was served at `served`: 48 hours, disregarding Christmas Day (s80(4)),
/// counted as 48 hours of time outside 25 December (UK time). Served at
/// 10:00 on 23 December: heard by 10:00 on 26 December; served at 10:00 on
/// Christmas Day: the hours start at midnight, so by 00:00 on 28 December.
pub fn hearing_deadline(served: DateTime<Utc>) -> DateTime<Utc> {
    use crate::uk_time::london_midnight;
    let mut t = served;
    let mut left = Duration::hours(48);
    while left > Duration::zero() {
        let day = london_date(t);
        let next_midnight = day.succ_opt().map_or(DateTime::<Utc>::MAX_UTC, london_midnight);
        if day.month() == 12 && day.day() == 25 {
            t = next_midnight;
            continue;
        }
        let step = (next_midnight - t).min(left);
        t += step;
        left -= step;
    }
    t
}

fn check_closure_extension(p: &Proposed) -> Result<(), StatutoryRule> {
    let order = match &p.earlier {
        Some(e) if e.kind == InterventionKind::ClosureOrder && e.same_case => e,
        _ => {
            return refuse(
                "extension_requires_closure_order",
                "an extension must name the closure order on this case that it extends",
            )
        }
    };
    if order.expires_at.is_some_and(|end| p.starts_at > end) {
        return refuse(
            "extension_after_order_ended",
            "an extension is sought while the closure order (with any extension) is still in force (s82)",
        );
    }
    if expiry(p)? > london_add_months(order.starts_at, 6) {
        return refuse(
            "closure_order_max_6_months",
            "a closure order with its extensions lasts at most 6 months in total (s82)",
        );
    }
    Ok(())
}

fn check_possession(p: &Proposed) -> Result<(), StatutoryRule> {
    use InterventionKind as K;
    // "The period of N months beginning with the day of" the conviction or
    // order: its last day is the day before the same date N months on.
    let within = |from: NaiveDate, months: u32| {
        from.checked_add_months(chrono::Months::new(months))
            .and_then(|d| d.pred_opt())
            .is_some_and(|last| p.issued_on <= last)
    };
    let late = |what: &str, months: u32| {
        refuse(
            "possession_notice_out_of_time",
            format!("notice of possession proceedings on the absolute ground is served within {months} months of {what} (Housing Act 1985 s83ZA)"),
        )
    };
    if let Some(c) = p.convicted_on.filter(|c| *c <= p.issued_on) {
        return if within(c, 12) { Ok(()) } else { late("the conviction", 12) };
    }
    match &p.earlier {
        Some(e) if e.kind == K::ClosureOrder => {
            if within(london_date(e.starts_at), 3) {
                Ok(())
            } else {
                late("the closure order", 3)
            }
        }
        Some(e) if matches!(e.kind, K::CivilInjunction | K::CriminalBehaviourOrder | K::AbatementNotice) && e.breaches > 0 => {
            Ok(())
        }
        _ => refuse(
            "possession_condition_required",
            "the absolute ground needs one of its conditions: a conviction for a serious offence, a breach of an injunction found by a court, a conviction for breaching a criminal behaviour order or a noise abatement notice, or a closure order (Housing Act 1985 s84A; Housing Act 1988 Schedule 2 Ground 7A)",
        ),
    }
}

/// The next date an intervention needs attention, and what for: the end of
/// an abatement notice's 21-day appeal window, or the annual review of a
/// criminal behaviour order while its subject is under 18 (s28).
pub fn next_date(
    kind: InterventionKind,
    issued_on: NaiveDate,
    starts_on: NaiveDate,
    expires_on: Option<NaiveDate>,
    subject_date_of_birth: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<(&'static str, NaiveDate)> {
    match kind {
        InterventionKind::AbatementNotice => {
            let ends = issued_on + Duration::days(ABATEMENT_APPEAL_DAYS - 1);
            (ends >= today).then_some(("Appeal window ends", ends))
        }
        InterventionKind::CriminalBehaviourOrder => {
            let dob = subject_date_of_birth?;
            cbo_reviews(starts_on, expires_on, dob)
                .into_iter()
                .find(|d| *d >= today)
                .map(|d| ("Youth review due by", d))
        }
        _ => None,
    }
}

/// Days, beginning with the day of service, in which an abatement notice
/// may be appealed (EPA 1990 s80(3)): served on the 10th, the last day to
/// appeal is the 30th.
pub const ABATEMENT_APPEAL_DAYS: i64 = 21;

/// When a criminal behaviour order must be reviewed (s28): by the end of
/// each 12-month period from the day it takes effect, while the subject will be
/// under 18 at the end of the period and the order runs until then.
pub fn cbo_reviews(takes_effect: NaiveDate, expires_on: Option<NaiveDate>, dob: NaiveDate) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    for year in 1..=18u32 {
        let Some(end) = takes_effect.checked_add_months(chrono::Months::new(12 * year)).and_then(|d| d.pred_opt())
        else {
            break;
        };
        if age_on(dob, end) >= 18 || expires_on.is_some_and(|e| e < end) {
            break;
        }
        out.push(end);
    }
    out
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

    fn limits() -> FpnLimits {
        FpnLimits::default()
    }

    /// A proposal by the council to an adult with a person record, issued
    /// 10 June 2025 at 09:00 UTC.
    fn proposed(kind: InterventionKind) -> Proposed {
        let mut p = Proposed::new(kind, Some(Sector::Council), d(2025, 6, 10), utc("2025-06-10T09:00:00Z"));
        p.has_person_record = true;
        p.subject_date_of_birth = Some(d(1990, 5, 1));
        p
    }

    fn earlier(kind: InterventionKind, on: NaiveDate) -> Earlier {
        Earlier {
            kind,
            issued_on: on,
            starts_at: crate::uk_time::london_midnight(on),
            expires_at: None,
            compliance_by: None,
            same_subject: true,
            same_case: true,
            breaches: 0,
        }
    }

    fn cpw(on: NaiveDate, by: NaiveDate) -> Earlier {
        Earlier { compliance_by: Some(by), ..earlier(K::CommunityProtectionWarning, on) }
    }

    fn rule(r: Result<Vec<StatutoryRule>, StatutoryRule>) -> Option<&'static str> {
        r.err().map(|e| e.rule)
    }

    fn ok(r: Result<Vec<StatutoryRule>, StatutoryRule>) -> bool {
        r.is_ok_and(|w| w.is_empty())
    }

    #[test]
    fn each_power_has_its_holders() {
        assert!(may_use(K::CommunityProtectionNotice, Sector::HousingProvider));
        assert!(!may_use(K::CommunityProtectionNotice, Sector::Fire));
        assert!(may_use(K::DispersalDirection, Sector::Police));
        assert!(!may_use(K::DispersalDirection, Sector::Council));
        assert!(may_use(K::ClosureNotice, Sector::Council));
        assert!(!may_use(K::ClosureNotice, Sector::HousingProvider));
        assert!(may_use(K::AbatementNotice, Sector::Council));
        assert!(!may_use(K::AbatementNotice, Sector::Police));
        assert!(!may_use(K::CommunityRemedy, Sector::Council));
        assert!(may_use(K::PossessionAbsoluteGround, Sector::HousingProvider));
        assert!(!may_use(K::PossessionAbsoluteGround, Sector::Police));
        for s in Sector::ALL {
            assert!(may_use(K::WarningLetter, s));
        }
        for k in InterventionKind::ALL {
            assert!(!holders(k).1.is_empty());
        }
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
    fn the_issuing_agency_must_hold_the_power() {
        let mut p = proposed(K::WarningLetter);
        p.issuer = None;
        assert!(ok(check(&p, &limits())), "a letter is not a statutory power");
        let mut cpw = proposed(K::CommunityProtectionWarning);
        cpw.compliance_by = Some(d(2025, 6, 24));
        cpw.issuer = None;
        assert_eq!(rule(check(&cpw, &limits())), Some("agency_sector_required"));
        p.issuer = Some(Sector::Fire);
        assert!(ok(check(&p, &limits())), "anyone may send a warning letter");
        let mut p = proposed(K::CommunityProtectionWarning);
        p.compliance_by = Some(d(2025, 6, 24));
        p.issuer = Some(Sector::Fire);
        let e = check(&p, &limits()).expect_err("fire holds no CPW power");
        assert_eq!(e.rule, "power_not_available");
        assert!(e.message.contains("s53"), "{}", e.message);
        p.issuer = Some(Sector::HousingProvider);
        assert!(ok(check(&p, &limits())));
        let mut p = proposed(K::AbatementNotice);
        p.issuer = Some(Sector::Police);
        assert_eq!(rule(check(&p, &limits())), Some("power_not_available"));
        p.issuer = Some(Sector::Council);
        assert!(ok(check(&p, &limits())));
        let mut p = proposed(K::CommunityRemedy);
        assert_eq!(rule(check(&p, &limits())), Some("power_not_available"));
        p.issuer = Some(Sector::Police);
        assert!(ok(check(&p, &limits())));
    }

    #[test]
    fn a_warning_gives_a_date_to_comply_by() {
        let mut p = proposed(K::CommunityProtectionWarning);
        assert_eq!(rule(check(&p, &limits())), Some("cpw_compliance_date_required"));
        p.compliance_by = Some(d(2025, 6, 9));
        assert_eq!(rule(check(&p, &limits())), Some("cpw_compliance_date_before_issue"));
        p.compliance_by = Some(d(2025, 6, 10));
        assert!(ok(check(&p, &limits())));
    }

    #[test]
    fn a_notice_follows_its_warning_to_the_same_person_after_the_compliance_date() {
        let mut p = proposed(K::CommunityProtectionNotice);
        assert_eq!(rule(check(&p, &limits())), Some("cpn_requires_cpw"));
        p.earlier = Some(cpw(d(2025, 5, 1), d(2025, 5, 15)));
        assert!(ok(check(&p, &limits())));
        // The warning must come first: the day before is fine, the same day is not.
        p.earlier = Some(cpw(d(2025, 6, 9), d(2025, 6, 9)));
        assert!(ok(check(&p, &limits())));
        p.earlier = Some(cpw(d(2025, 6, 10), d(2025, 6, 10)));
        assert_eq!(rule(check(&p, &limits())), Some("cpn_requires_cpw"));
        // A letter is not a warning.
        p.earlier = Some(earlier(K::WarningLetter, d(2025, 5, 1)));
        assert_eq!(rule(check(&p, &limits())), Some("cpn_requires_cpw"));
        // To someone else.
        p.earlier = Some(Earlier { same_subject: false, ..cpw(d(2025, 5, 1), d(2025, 5, 15)) });
        assert_eq!(rule(check(&p, &limits())), Some("cpw_other_subject"));
        // The compliance period: issued on its last day is refused, the day after is allowed.
        p.earlier = Some(cpw(d(2025, 6, 1), d(2025, 6, 10)));
        assert_eq!(rule(check(&p, &limits())), Some("cpw_compliance_period_running"));
        p.earlier = Some(cpw(d(2025, 6, 1), d(2025, 6, 9)));
        assert!(ok(check(&p, &limits())));
        // Without a person record it cannot be matched.
        p.has_person_record = false;
        assert_eq!(rule(check(&p, &limits())), Some("person_record_required"));
    }

    #[test]
    fn an_old_warning_is_flagged_at_12_months() {
        let mut p = proposed(K::CommunityProtectionNotice);
        p.earlier = Some(cpw(d(2024, 6, 11), d(2024, 6, 20)));
        assert!(ok(check(&p, &limits())), "a day short of 12 months");
        p.earlier = Some(cpw(d(2024, 6, 10), d(2024, 6, 20)));
        let w = check(&p, &limits()).expect("allowed with a warning");
        assert_eq!(w.iter().map(|w| w.rule).collect::<Vec<_>>(), vec!["cpw_older_than_12_months"]);
        assert!(w.iter().all(|w| warning_advice(w.rule).is_some()), "every warning has advice for the page");
        assert_eq!(warning_advice("<script>"), None);
    }

    #[test]
    fn cpn_minimum_age_and_businesses() {
        let mut p = proposed(K::CommunityProtectionNotice);
        p.earlier = Some(cpw(d(2023, 1, 1), d(2023, 1, 15)));
        p.subject_date_of_birth = Some(d(2009, 6, 10)); // exactly 16 on the issue date
        assert!(check(&p, &limits()).is_ok());
        p.subject_date_of_birth = Some(d(2009, 6, 11)); // 16 tomorrow
        let e = check(&p, &limits()).expect_err("refused");
        assert_eq!(e.rule, "cpn_minimum_age");
        assert_eq!(e.to_string(), e.message);
        p.subject_date_of_birth = None;
        assert_eq!(rule(check(&p, &limits())), Some("date_of_birth_required"));
        p.subject_is_business = true;
        assert!(check(&p, &limits()).is_ok());
        // 16 on 29 February of a leap year, not the day before
        let mut p = proposed(K::CommunityProtectionNotice);
        p.earlier = Some(cpw(d(2023, 1, 1), d(2023, 1, 15)));
        p.subject_date_of_birth = Some(d(2008, 2, 29));
        p.issued_on = d(2024, 2, 29);
        assert!(check(&p, &limits()).is_ok());
        p.issued_on = d(2024, 2, 28);
        assert_eq!(rule(check(&p, &limits())), Some("cpn_minimum_age"));
    }

    #[test]
    fn fixed_penalties_take_their_cap_from_the_legal_basis() {
        let mut p = proposed(K::FixedPenaltyNotice);
        p.fpn_amount_pence = Some(15_000);
        assert_eq!(rule(check(&p, &limits())), Some("fpn_legal_basis_required"));
        p.legal_basis = Some(FpnBasis::Litter);
        assert!(ok(check(&p, &limits())), "GBP 150 for litter");
        p.fpn_amount_pence = Some(50_000);
        assert!(ok(check(&p, &limits())));
        p.fpn_amount_pence = Some(50_001);
        let e = check(&p, &limits()).expect_err("over the litter cap");
        assert_eq!(e.rule, "fpn_amount_above_maximum");
        assert!(e.message.contains("GBP 500.00") && e.message.contains("s88"), "{}", e.message);
        p.legal_basis = Some(FpnBasis::HouseholdWasteDutyOfCare);
        p.fpn_amount_pence = Some(60_000);
        assert!(ok(check(&p, &limits())));
        p.fpn_amount_pence = Some(60_001);
        assert_eq!(rule(check(&p, &limits())), Some("fpn_amount_above_maximum"));
        p.legal_basis = Some(FpnBasis::FlyTipping);
        p.fpn_amount_pence = Some(100_000);
        assert!(ok(check(&p, &limits())));
        p.fpn_amount_pence = Some(100_001);
        assert_eq!(rule(check(&p, &limits())), Some("fpn_amount_above_maximum"));
        p.fpn_amount_pence = None;
        assert_eq!(rule(check(&p, &limits())), Some("fpn_amount_required"));
        p.fpn_amount_pence = Some(0);
        assert_eq!(rule(check(&p, &limits())), Some("fpn_amount_required"));
        // A configured cap replaces the default.
        let raised = FpnLimits { litter: 60_000, ..FpnLimits::default() };
        p.legal_basis = Some(FpnBasis::Litter);
        p.fpn_amount_pence = Some(60_000);
        assert!(ok(check(&p, &raised)));
    }

    #[test]
    fn each_fixed_penalty_basis_has_its_issuers() {
        let mut p = proposed(K::FixedPenaltyNotice);
        p.issuer = Some(Sector::Police);
        p.legal_basis = Some(FpnBasis::Litter);
        p.fpn_amount_pence = Some(10_000);
        assert_eq!(rule(check(&p, &limits())), Some("power_not_available"), "litter penalties are the council's");
        p.legal_basis = Some(FpnBasis::PspoBreach);
        p.pspo = Some(PspoTerm { reference: "P".into(), starts_on: d(2025, 1, 1), ends_on: d(2026, 1, 1) });
        assert!(ok(check(&p, &limits())));
        p.issuer = Some(Sector::HousingProvider);
        assert_eq!(rule(check(&p, &limits())), Some("power_not_available"));
        p.legal_basis = Some(FpnBasis::CpnBreach);
        p.earlier = Some(earlier(K::CommunityProtectionNotice, d(2025, 6, 9)));
        assert!(ok(check(&p, &limits())), "a designated housing provider for its own CPN");
    }

    #[test]
    fn a_cpn_breach_penalty_names_the_notice_and_is_capped_at_100() {
        let mut p = proposed(K::FixedPenaltyNotice);
        p.legal_basis = Some(FpnBasis::CpnBreach);
        p.fpn_amount_pence = Some(10_000);
        assert_eq!(rule(check(&p, &limits())), Some("fpn_requires_cpn"));
        p.earlier = Some(earlier(K::CommunityProtectionNotice, d(2025, 6, 9)));
        assert!(ok(check(&p, &limits())));
        p.earlier = Some(earlier(K::CommunityProtectionNotice, d(2025, 6, 10)));
        assert_eq!(rule(check(&p, &limits())), Some("fpn_requires_cpn"), "issued the same day");
        p.earlier = Some(Earlier { same_subject: false, ..earlier(K::CommunityProtectionNotice, d(2025, 6, 9)) });
        assert_eq!(rule(check(&p, &limits())), Some("fpn_requires_cpn"));
        p.earlier = Some(earlier(K::CommunityProtectionWarning, d(2025, 6, 9)));
        assert_eq!(rule(check(&p, &limits())), Some("fpn_requires_cpn"));
        // Fly-tipping conduct does not lift a CPN-breach penalty to GBP 1,000.
        p.earlier = Some(earlier(K::CommunityProtectionNotice, d(2025, 6, 9)));
        p.fpn_amount_pence = Some(10_001);
        assert_eq!(rule(check(&p, &limits())), Some("fpn_amount_above_maximum"));
    }

    #[test]
    fn a_pspo_breach_names_an_order_in_force_that_day() {
        let order = PspoTerm { reference: "PSPO-2024-001".into(), starts_on: d(2024, 6, 10), ends_on: d(2025, 6, 10) };
        for kind in [K::PspoBreach, K::FixedPenaltyNotice] {
            let mut p = proposed(kind);
            p.legal_basis = Some(FpnBasis::PspoBreach);
            p.fpn_amount_pence = Some(10_000);
            assert_eq!(rule(check(&p, &limits())), Some("pspo_required"));
            p.pspo = Some(order.clone());
            assert!(ok(check(&p, &limits())), "its last day");
            p.issued_on = d(2025, 6, 11);
            assert_eq!(rule(check(&p, &limits())), Some("pspo_not_in_force"));
            p.issued_on = d(2024, 6, 10);
            assert!(ok(check(&p, &limits())), "its first day");
            p.issued_on = d(2024, 6, 9);
            assert_eq!(rule(check(&p, &limits())), Some("pspo_not_in_force"));
        }
    }

    #[test]
    fn injunction_and_cbo_minimum_age() {
        for (kind, name) in
            [(K::CivilInjunction, "injunction_minimum_age"), (K::CriminalBehaviourOrder, "cbo_minimum_age")]
        {
            let mut p = proposed(kind);
            p.convicted_on = Some(d(2025, 6, 1));
            p.yot_consulted = true;
            p.subject_date_of_birth = Some(d(2015, 6, 10)); // 10 today
            p.expires_at = Some(utc("2026-06-10T09:00:00Z"));
            assert!(ok(check(&p, &limits())), "{kind}");
            p.subject_date_of_birth = Some(d(2015, 6, 11));
            assert_eq!(rule(check(&p, &limits())), Some(name));
            p.subject_date_of_birth = None;
            assert_eq!(rule(check(&p, &limits())), Some("date_of_birth_required"));
        }
    }

    #[test]
    fn a_youth_injunction_ends_within_12_months_after_consulting_the_yot() {
        let mut p = proposed(K::CivilInjunction);
        p.subject_date_of_birth = Some(d(2008, 6, 11)); // 17, 18 tomorrow
        p.yot_consulted = true;
        assert_eq!(rule(check(&p, &limits())), Some("injunction_youth_max_12_months"), "no end date");
        // 10:00 BST 10 June 2025 to 10:00 BST 10 June 2026: exactly 12 months
        p.expires_at = Some(utc("2026-06-10T09:00:00Z"));
        assert!(ok(check(&p, &limits())));
        p.expires_at = Some(utc("2026-06-10T09:00:01Z"));
        assert_eq!(rule(check(&p, &limits())), Some("injunction_youth_max_12_months"));
        p.expires_at = Some(utc("2026-06-10T09:00:00Z"));
        p.yot_consulted = false;
        assert_eq!(rule(check(&p, &limits())), Some("yot_consultation_required"));
        // 18 on the day: an adult, no 12-month limit or consultation.
        p.subject_date_of_birth = Some(d(2007, 6, 10));
        p.expires_at = None;
        assert!(ok(check(&p, &limits())));
    }

    #[test]
    fn a_cbo_needs_a_conviction_and_lasts_as_the_act_says() {
        let mut p = proposed(K::CriminalBehaviourOrder);
        p.issuer = Some(Sector::Prosecutor);
        assert_eq!(rule(check(&p, &limits())), Some("cbo_requires_conviction"));
        p.convicted_on = Some(d(2025, 6, 11));
        assert_eq!(rule(check(&p, &limits())), Some("cbo_requires_conviction"), "convicted after the order");
        p.convicted_on = Some(d(2025, 6, 10));
        assert!(ok(check(&p, &limits())), "an adult's order may be indefinite");
        p.expires_at = Some(utc("2027-06-10T09:00:00Z"));
        assert!(ok(check(&p, &limits())), "exactly 2 years");
        p.expires_at = Some(utc("2027-06-10T08:59:59Z"));
        assert_eq!(rule(check(&p, &limits())), Some("cbo_adult_minimum_2_years"));
        // Under 18: from 1 to 3 years, and the YOT consulted.
        p.subject_date_of_birth = Some(d(2010, 1, 1));
        p.yot_consulted = true;
        p.expires_at = None;
        assert_eq!(rule(check(&p, &limits())), Some("cbo_youth_duration"), "indefinite");
        p.expires_at = Some(utc("2026-06-10T09:00:00Z"));
        assert!(ok(check(&p, &limits())), "exactly 1 year");
        p.expires_at = Some(utc("2026-06-10T08:59:59Z"));
        assert_eq!(rule(check(&p, &limits())), Some("cbo_youth_duration"));
        p.expires_at = Some(utc("2028-06-10T09:00:00Z"));
        assert!(ok(check(&p, &limits())), "exactly 3 years");
        p.expires_at = Some(utc("2028-06-10T09:00:01Z"));
        assert_eq!(rule(check(&p, &limits())), Some("cbo_youth_duration"));
        p.expires_at = Some(utc("2027-06-10T09:00:00Z"));
        p.yot_consulted = false;
        assert_eq!(rule(check(&p, &limits())), Some("yot_consultation_required"));
    }

    #[test]
    fn youth_cbo_reviews_fall_yearly_until_18() {
        // Made 10 June 2025 on someone born 1 January 2010 (15), no end date.
        let reviews = cbo_reviews(d(2025, 6, 10), None, d(2010, 1, 1));
        assert_eq!(reviews, vec![d(2026, 6, 9), d(2027, 6, 9)], "18 on 1 January 2028");
        // Turning 18 exactly at the end of a period: no review then.
        assert_eq!(cbo_reviews(d(2025, 6, 10), None, d(2008, 6, 9)), vec![]);
        assert_eq!(cbo_reviews(d(2025, 6, 10), None, d(2008, 6, 10)), vec![d(2026, 6, 9)]);
        // The order ends before the period does: no review.
        assert_eq!(cbo_reviews(d(2025, 6, 10), Some(d(2026, 6, 8)), d(2010, 1, 1)), vec![]);
        assert_eq!(cbo_reviews(d(2025, 6, 10), Some(d(2026, 6, 9)), d(2010, 1, 1)), vec![d(2026, 6, 9)]);
        assert_eq!(
            next_date(
                K::CriminalBehaviourOrder,
                d(2025, 6, 10),
                d(2025, 6, 10),
                None,
                Some(d(2010, 1, 1)),
                d(2026, 6, 10)
            ),
            Some(("Youth review due by", d(2027, 6, 9)))
        );
        assert_eq!(
            next_date(
                K::CriminalBehaviourOrder,
                d(2025, 6, 10),
                d(2025, 6, 10),
                None,
                Some(d(1990, 1, 1)),
                d(2025, 6, 10)
            ),
            None
        );
    }

    #[test]
    fn an_abatement_notice_can_be_appealed_for_21_days() {
        let on = d(2025, 6, 10);
        assert_eq!(
            next_date(K::AbatementNotice, on, on, None, None, d(2025, 6, 30)),
            Some(("Appeal window ends", d(2025, 6, 30)))
        );
        assert_eq!(next_date(K::AbatementNotice, on, on, None, None, d(2025, 7, 1)), None);
        assert_eq!(next_date(K::WarningLetter, on, on, None, None, on), None);
    }

    #[test]
    fn dispersal_by_an_inspector_for_up_to_48_hours_to_those_aged_10() {
        let mut p = proposed(K::DispersalDirection);
        p.issuer = Some(Sector::Police);
        p.expires_at = Some(p.starts_at + Duration::hours(48));
        assert_eq!(rule(check(&p, &limits())), Some("dispersal_area_required"));
        p.has_area = true;
        assert_eq!(rule(check(&p, &limits())), Some("dispersal_authorisation_rank"));
        p.authorised_by = Some(Authoriser::CouncilOfficer);
        assert_eq!(rule(check(&p, &limits())), Some("dispersal_authorisation_rank"));
        p.authorised_by = Some(Authoriser::Inspector);
        assert!(ok(check(&p, &limits())));
        p.expires_at = Some(p.starts_at + Duration::hours(48) + Duration::seconds(1));
        assert_eq!(rule(check(&p, &limits())), Some("dispersal_max_48_hours"));
        p.expires_at = None;
        assert_eq!(rule(check(&p, &limits())), Some("expiry_required"));
        p.expires_at = Some(p.starts_at + Duration::hours(2));
        p.subject_date_of_birth = Some(d(2015, 6, 11)); // 10 tomorrow
        assert_eq!(rule(check(&p, &limits())), Some("dispersal_minimum_age"));
        p.subject_date_of_birth = Some(d(2015, 6, 10));
        assert!(ok(check(&p, &limits())));
        p.subject_date_of_birth = None;
        assert!(ok(check(&p, &limits())), "no date of birth needed on the street");
        p.issuer = Some(Sector::Council);
        assert_eq!(rule(check(&p, &limits())), Some("power_not_available"));
    }

    #[test]
    fn a_closure_notice_lasts_24_hours_or_48_when_authorised() {
        let mut p = proposed(K::ClosureNotice);
        assert_eq!(rule(check(&p, &limits())), Some("expiry_required"));
        p.expires_at = Some(p.starts_at + Duration::hours(24));
        assert!(ok(check(&p, &limits())), "the council, 24 hours");
        p.expires_at = Some(p.starts_at + Duration::hours(24) + Duration::seconds(1));
        assert_eq!(rule(check(&p, &limits())), Some("closure_notice_max_24_hours"));
        p.authorised_by = Some(Authoriser::CouncilOfficer);
        assert_eq!(rule(check(&p, &limits())), Some("closure_notice_max_24_hours"));
        p.authorised_by = Some(Authoriser::ChiefExecutive);
        assert!(ok(check(&p, &limits())));
        p.expires_at = Some(p.starts_at + Duration::hours(48));
        assert!(ok(check(&p, &limits())));
        p.expires_at = Some(p.starts_at + Duration::hours(48) + Duration::seconds(1));
        assert_eq!(rule(check(&p, &limits())), Some("closure_notice_max_48_hours"));
        p.expires_at = Some(p.starts_at - Duration::seconds(1));
        assert_eq!(rule(check(&p, &limits())), Some("expiry_before_start"));
        // The police: an inspector issues for 24 hours, a superintendent for 48.
        let mut p = proposed(K::ClosureNotice);
        p.issuer = Some(Sector::Police);
        p.expires_at = Some(p.starts_at + Duration::hours(24));
        assert_eq!(rule(check(&p, &limits())), Some("closure_notice_authorisation_rank"));
        p.authorised_by = Some(Authoriser::Inspector);
        assert!(ok(check(&p, &limits())));
        p.expires_at = Some(p.starts_at + Duration::hours(30));
        assert_eq!(rule(check(&p, &limits())), Some("closure_notice_max_24_hours"));
        p.authorised_by = Some(Authoriser::ChiefExecutive);
        assert_eq!(rule(check(&p, &limits())), Some("closure_notice_authorisation_rank"), "a police notice");
        p.authorised_by = Some(Authoriser::Superintendent);
        assert!(ok(check(&p, &limits())));
        let mut council = proposed(K::ClosureNotice);
        council.expires_at = Some(council.starts_at + Duration::hours(30));
        council.authorised_by = Some(Authoriser::Superintendent);
        assert_eq!(
            rule(check(&council, &limits())),
            Some("closure_notice_max_24_hours"),
            "the council's is its chief executive's"
        );
    }

    #[test]
    fn christmas_day_does_not_count_towards_the_48_hours() {
        // Served 10:00 on 23 December: heard by 10:00 on the 26th, not the 25th.
        let served = utc("2025-12-23T10:00:00Z");
        assert_eq!(hearing_deadline(served), utc("2025-12-26T10:00:00Z"));
        assert_eq!(hearing_deadline(utc("2025-12-10T10:00:00Z")), utc("2025-12-12T10:00:00Z"));
        assert_eq!(
            hearing_deadline(utc("2025-12-25T10:00:00Z")),
            utc("2025-12-28T00:00:00Z"),
            "counting starts after Christmas Day"
        );
        assert_eq!(
            hearing_deadline(utc("2025-12-23T00:00:00Z")),
            utc("2025-12-25T00:00:00Z"),
            "ends as Christmas Day begins"
        );
        assert_eq!(
            hearing_deadline(utc("2025-12-26T00:30:00Z")),
            utc("2025-12-28T00:30:00Z"),
            "served after Christmas Day"
        );
        let mut p = proposed(K::ClosureOrder);
        p.earlier = Some(notice_served_at("2025-12-23T10:00:00Z"));
        p.starts_at = utc("2025-12-26T10:00:00Z");
        p.expires_at = Some(utc("2026-03-26T10:00:00Z"));
        assert!(ok(check(&p, &limits())));
        p.starts_at = utc("2025-12-26T10:00:01Z");
        assert_eq!(rule(check(&p, &limits())), Some("closure_hearing_within_48_hours"));
    }

    fn notice_served_at(at: &str) -> Earlier {
        let t = utc(at);
        Earlier { starts_at: t, expires_at: Some(t + Duration::hours(24)), ..earlier(K::ClosureNotice, t.date_naive()) }
    }

    #[test]
    fn a_closure_order_follows_its_notice_within_48_hours_for_up_to_3_months() {
        let mut p = proposed(K::ClosureOrder);
        p.expires_at = Some(utc("2025-09-10T09:00:00Z"));
        assert_eq!(rule(check(&p, &limits())), Some("closure_order_requires_notice"));
        p.earlier = Some(Earlier { same_case: false, ..notice_served_at("2025-06-09T09:00:00Z") });
        assert_eq!(rule(check(&p, &limits())), Some("closure_order_requires_notice"), "another case's notice");
        p.earlier = Some(notice_served_at("2025-06-08T09:00:00Z"));
        assert!(ok(check(&p, &limits())), "heard exactly 48 hours after service");
        p.earlier = Some(notice_served_at("2025-06-08T08:59:59Z"));
        assert_eq!(rule(check(&p, &limits())), Some("closure_hearing_within_48_hours"));
        p.earlier = Some(notice_served_at("2025-06-09T09:00:00Z"));
        // 10:00 BST 10 June to 10:00 BST 10 September: exactly 3 months
        assert!(ok(check(&p, &limits())));
        p.expires_at = Some(utc("2025-09-10T09:00:01Z"));
        assert_eq!(rule(check(&p, &limits())), Some("closure_order_max_3_months"));
        p.expires_at = Some(utc("2025-12-10T10:00:00Z"));
        assert_eq!(rule(check(&p, &limits())), Some("closure_order_max_3_months"), "6 months at once");
        p.expires_at = None;
        assert_eq!(rule(check(&p, &limits())), Some("expiry_required"));
    }

    #[test]
    fn an_extension_keeps_the_order_within_6_months_in_total() {
        let order = Earlier {
            starts_at: utc("2025-06-10T09:00:00Z"),
            expires_at: Some(utc("2025-09-10T09:00:00Z")),
            ..earlier(K::ClosureOrder, d(2025, 6, 10))
        };
        let mut p = proposed(K::ClosureOrderExtension);
        p.issued_on = d(2025, 9, 1);
        p.starts_at = utc("2025-09-01T09:00:00Z");
        p.expires_at = Some(utc("2025-12-10T10:00:00Z")); // 10:00 GMT: 6 months of local time
        assert_eq!(rule(check(&p, &limits())), Some("extension_requires_closure_order"));
        p.earlier = Some(order.clone());
        assert!(ok(check(&p, &limits())));
        p.expires_at = Some(utc("2025-12-10T10:00:01Z"));
        assert_eq!(rule(check(&p, &limits())), Some("closure_order_max_6_months"));
        p.expires_at = Some(utc("2025-12-01T10:00:00Z"));
        p.starts_at = utc("2025-09-10T09:00:01Z");
        assert_eq!(rule(check(&p, &limits())), Some("extension_after_order_ended"));
        p.starts_at = utc("2025-09-10T09:00:00Z");
        assert!(ok(check(&p, &limits())));
        p.earlier = Some(notice_served_at("2025-06-09T09:00:00Z"));
        assert_eq!(rule(check(&p, &limits())), Some("extension_requires_closure_order"));
    }

    #[test]
    fn possession_on_the_absolute_ground_needs_a_condition() {
        let mut p = proposed(K::PossessionAbsoluteGround);
        p.issuer = Some(Sector::HousingProvider);
        assert_eq!(rule(check(&p, &limits())), Some("possession_condition_required"));
        p.earlier = Some(earlier(K::CivilInjunction, d(2025, 1, 1)));
        assert_eq!(rule(check(&p, &limits())), Some("possession_condition_required"), "no breach yet");
        p.earlier = Some(Earlier { breaches: 1, ..earlier(K::CivilInjunction, d(2025, 1, 1)) });
        assert!(ok(check(&p, &limits())));
        p.earlier = Some(earlier(K::ClosureOrder, d(2025, 3, 11)));
        assert!(ok(check(&p, &limits())), "the last day of the 3 months beginning with the order's day");
        p.earlier = Some(earlier(K::ClosureOrder, d(2025, 3, 10)));
        assert_eq!(rule(check(&p, &limits())), Some("possession_notice_out_of_time"));
        p.earlier = None;
        p.convicted_on = Some(d(2025, 6, 10));
        assert!(ok(check(&p, &limits())));
        p.convicted_on = Some(d(2024, 6, 11));
        assert!(ok(check(&p, &limits())), "the last day of the 12 months beginning with the conviction");
        p.convicted_on = Some(d(2024, 6, 10));
        assert_eq!(rule(check(&p, &limits())), Some("possession_notice_out_of_time"));
        p.convicted_on = Some(d(2025, 6, 11));
        assert_eq!(rule(check(&p, &limits())), Some("possession_condition_required"));
    }

    #[test]
    fn expiry_before_start_for_any_kind() {
        let mut p = proposed(K::WarningLetter);
        p.expires_at = Some(p.starts_at);
        assert!(ok(check(&p, &limits())));
        p.expires_at = Some(p.starts_at - Duration::days(1));
        assert_eq!(rule(check(&p, &limits())), Some("expiry_before_start"));
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
    /// A fixed penalty's legal basis (which sets its maximum).
    #[serde(default)]
    pub legal_basis: Option<FpnBasis>,
    /// The earlier intervention this one follows from: a CPN's warning, a
    /// CPN-breach penalty's notice, a closure order's notice, an extension's
    /// order, or the order breached for possession on the absolute ground.
    #[serde(default)]
    pub follows_id: Option<String>,
    /// The public spaces protection order breached (a PSPO breach or a PSPO
    /// fixed penalty).
    #[serde(default)]
    pub pspo_id: Option<String>,
    /// Who authorised it (a closure notice or a dispersal).
    #[serde(default)]
    pub authorised_by: Option<Authoriser>,
    /// A warning's compliance date: the behaviour must stop by then.
    #[serde(default)]
    pub compliance_by: Option<NaiveDate>,
    /// The conviction a criminal behaviour order (or possession) rests on.
    #[serde(default)]
    pub convicted_on: Option<NaiveDate>,
    /// The youth offending team was consulted (respondents under 18).
    #[serde(default)]
    pub yot_consulted: bool,
    /// For a dispersal direction: items surrendered (s37), if any.
    #[serde(default)]
    pub items_surrendered: String,
    /// For a dispersal direction: the authorised area's corners, longitude
    /// and latitude pairs (WGS84; the ring is closed for you).
    #[serde(default)]
    pub area: Option<Vec<[f64; 2]>>,
}

impl NewIntervention {
    /// The longest account of the behaviour addressed.
    pub const MAX_CONDUCT: usize = 1_000;
    /// The longest subject name.
    pub const MAX_SUBJECT: usize = 200;

    /// Checks the intervention as the page and the API both take it: the
    /// conduct 1 to [`NewIntervention::MAX_CONDUCT`] characters, the
    /// subject's name at most [`NewIntervention::MAX_SUBJECT`], an area of 3
    /// to 2,000 valid corners; the message
    /// names the field. The statutory checks ([`check`], each rule named:
    /// dates, amounts, the ladder) come after, with the case's history.
    pub fn check(&self) -> Result<(), String> {
        crate::text::required("conduct", &self.conduct, Self::MAX_CONDUCT)?;
        crate::text::optional("subject_name", &self.subject_name, Self::MAX_SUBJECT)?;
        crate::text::optional("items_surrendered", &self.items_surrendered, Self::MAX_SUBJECT)?;
        if let Some(area) = &self.area {
            let ok = (3..=2_000).contains(&crate::geo::distinct_corners(area).len())
                && area.iter().all(|[lon, lat]| (-180.0..=180.0).contains(lon) && (-90.0..=90.0).contains(lat));
            if !ok {
                return Err("area must have 3 to 2000 corners, each a longitude and latitude".into());
            }
        }
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
            legal_basis: None,
            follows_id: None,
            pspo_id: None,
            authorised_by: None,
            compliance_by: None,
            convicted_on: None,
            yot_consulted: false,
            items_surrendered: String::new(),
            area: None,
        };
        assert_eq!(ok.check(), Ok(()));
        let blank = NewIntervention { conduct: "  ".into(), ..ok.clone() };
        assert_eq!(blank.check(), Err("conduct must not be empty".into()));
        let long = NewIntervention { subject_name: "x".repeat(201), ..ok.clone() };
        assert_eq!(long.check(), Err("subject_name must be 200 characters or fewer".into()));
        assert_eq!(NewIntervention { subject_name: "x".repeat(200), ..ok }.check(), Ok(()));
    }
}
