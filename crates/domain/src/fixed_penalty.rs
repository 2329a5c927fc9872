//! Fixed penalty notices: the legal basis each is issued under, chosen from a
//! list (never read from the conduct's wording), and the most each basis
//! allows. The maxima are the statutory amounts in force from 31 July 2023;
//! every one can be changed in configuration (`[safety.fpn]`, e.g.
//! `fly_tipping = 100000` pence) because Parliament changes them.

use crate::powers::Sector;
use crate::rules::StatutoryRule;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The enactment a fixed penalty notice is issued under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FpnBasis {
    /// Unauthorised deposit of waste (Environmental Protection Act 1990 s33ZA).
    FlyTipping,
    /// Dropping litter (Environmental Protection Act 1990 s88).
    Litter,
    /// Household waste duty of care (Environmental Protection Act 1990 s34ZA).
    HouseholdWasteDutyOfCare,
    /// Graffiti or fly-posting (Anti-social Behaviour Act 2003 s43).
    GraffitiFlyPosting,
    /// Failing to comply with a community protection notice (2014 Act s52).
    CpnBreach,
    /// Failing to comply with a public spaces protection order (2014 Act s68).
    PspoBreach,
    /// Night noise from a dwelling above the permitted level (Noise Act 1996 s8).
    NoiseDwelling,
    /// Night noise from licensed premises above the permitted level (Noise Act 1996 s8).
    NoiseLicensedPremises,
}

impl FpnBasis {
    /// Every basis, in the order forms list them.
    pub const ALL: [FpnBasis; 8] = [
        FpnBasis::FlyTipping,
        FpnBasis::Litter,
        FpnBasis::HouseholdWasteDutyOfCare,
        FpnBasis::GraffitiFlyPosting,
        FpnBasis::CpnBreach,
        FpnBasis::PspoBreach,
        FpnBasis::NoiseDwelling,
        FpnBasis::NoiseLicensedPremises,
    ];

    /// The stable name used in storage, the API and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            FpnBasis::FlyTipping => "fly_tipping",
            FpnBasis::Litter => "litter",
            FpnBasis::HouseholdWasteDutyOfCare => "household_waste_duty_of_care",
            FpnBasis::GraffitiFlyPosting => "graffiti_fly_posting",
            FpnBasis::CpnBreach => "cpn_breach",
            FpnBasis::PspoBreach => "pspo_breach",
            FpnBasis::NoiseDwelling => "noise_dwelling",
            FpnBasis::NoiseLicensedPremises => "noise_licensed_premises",
        }
    }

    /// What the offence is and its section, as shown on forms and notices.
    pub fn label(self) -> &'static str {
        match self {
            FpnBasis::FlyTipping => "Fly-tipping (Environmental Protection Act 1990, s33ZA)",
            FpnBasis::Litter => "Litter (Environmental Protection Act 1990, s88)",
            FpnBasis::HouseholdWasteDutyOfCare => {
                "Household waste duty of care (Environmental Protection Act 1990, s34ZA)"
            }
            FpnBasis::GraffitiFlyPosting => "Graffiti or fly-posting (Anti-social Behaviour Act 2003, s43)",
            FpnBasis::CpnBreach => "Breach of a community protection notice (2014 Act, s52)",
            FpnBasis::PspoBreach => "Breach of a public spaces protection order (2014 Act, s68)",
            FpnBasis::NoiseDwelling => "Night noise from a dwelling (Noise Act 1996, s8)",
            FpnBasis::NoiseLicensedPremises => "Night noise from licensed premises (Noise Act 1996, s8)",
        }
    }

    /// The sectors whose officers may issue a penalty under this basis:
    /// council officers for the Environmental Protection Act, Anti-social
    /// Behaviour Act 2003 and Noise Act penalties; an authorised person
    /// (council, police or designated housing provider, s53) for a CPN
    /// breach; the police or the council for a PSPO breach (s68).
    pub fn holders(self) -> &'static [Sector] {
        match self {
            FpnBasis::CpnBreach => &[Sector::Council, Sector::Police, Sector::HousingProvider],
            FpnBasis::PspoBreach => &[Sector::Council, Sector::Police],
            _ => &[Sector::Council],
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|b| b.as_str() == s).ok_or_else(|| {
            format!(
                "unknown fixed penalty basis '{}': use one of {}",
                s.chars().take(40).collect::<String>(),
                Self::ALL.map(Self::as_str).join(", ")
            )
        })
    }
}

impl fmt::Display for FpnBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The most a fixed penalty may be under each basis, in pence
/// (`[safety.fpn]`; each key is an [`FpnBasis`] name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FpnLimits {
    /// s33ZA EPA 1990 (default GBP 1,000).
    pub fly_tipping: i64,
    /// s88 EPA 1990 (default GBP 500).
    pub litter: i64,
    /// s34ZA EPA 1990 (default GBP 600).
    pub household_waste_duty_of_care: i64,
    /// s43 ASBA 2003 (default GBP 500).
    pub graffiti_fly_posting: i64,
    /// s52 of the 2014 Act (default GBP 100).
    pub cpn_breach: i64,
    /// s68 of the 2014 Act (default GBP 100).
    pub pspo_breach: i64,
    /// s8 Noise Act 1996, dwellings (default GBP 110).
    pub noise_dwelling: i64,
    /// s8 Noise Act 1996, licensed premises (default GBP 500).
    pub noise_licensed_premises: i64,
}

impl Default for FpnLimits {
    fn default() -> Self {
        Self {
            fly_tipping: 100_000,
            litter: 50_000,
            household_waste_duty_of_care: 60_000,
            graffiti_fly_posting: 50_000,
            cpn_breach: 10_000,
            pspo_breach: 10_000,
            noise_dwelling: 11_000,
            noise_licensed_premises: 50_000,
        }
    }
}

impl FpnLimits {
    /// The most a penalty under `basis` may be, in pence.
    pub fn max_for(&self, basis: FpnBasis) -> i64 {
        match basis {
            FpnBasis::FlyTipping => self.fly_tipping,
            FpnBasis::Litter => self.litter,
            FpnBasis::HouseholdWasteDutyOfCare => self.household_waste_duty_of_care,
            FpnBasis::GraffitiFlyPosting => self.graffiti_fly_posting,
            FpnBasis::CpnBreach => self.cpn_breach,
            FpnBasis::PspoBreach => self.pspo_breach,
            FpnBasis::NoiseDwelling => self.noise_dwelling,
            FpnBasis::NoiseLicensedPremises => self.noise_licensed_premises,
        }
    }

    /// Checks a penalty under `basis` of `amount` pence issued by an agency
    /// of `sector`: `fpn_legal_basis_required`, `power_not_available` (the
    /// basis's [`FpnBasis::holders`]), `fpn_amount_required` and
    /// `fpn_amount_above_maximum` (this maximum). Returns the basis.
    pub fn check(
        &self,
        basis: Option<FpnBasis>,
        amount: Option<i64>,
        sector: Sector,
    ) -> Result<FpnBasis, StatutoryRule> {
        let refuse = |rule, message: String| Err(StatutoryRule { rule, message });
        let Some(basis) = basis else {
            return refuse(
                "fpn_legal_basis_required",
                "choose the legal basis the fixed penalty is issued under".into(),
            );
        };
        if !basis.holders().contains(&sector) {
            return refuse(
                "power_not_available",
                format!(
                    "a fixed penalty under {} cannot be issued by a {} agency",
                    basis.label(),
                    sector.label().to_lowercase()
                ),
            );
        }
        let max = self.max_for(basis);
        match amount {
            None => refuse("fpn_amount_required", "a fixed penalty notice needs an amount".into()),
            Some(a) if a <= 0 => refuse("fpn_amount_required", "a fixed penalty amount must be more than zero".into()),
            Some(a) if a > max => refuse(
                "fpn_amount_above_maximum",
                format!(
                    "a fixed penalty under {} can be at most {} (asked for {})",
                    basis.label(),
                    pounds(max),
                    pounds(a)
                ),
            ),
            Some(_) => Ok(basis),
        }
    }

    /// Refuses a maximum that is not a positive amount, naming the key.
    pub fn validate(&self) -> Result<(), String> {
        let bad: Vec<String> = FpnBasis::ALL
            .into_iter()
            .filter(|b| self.max_for(*b) <= 0)
            .map(|b| format!("fpn.{} must be more than 0 pence, not {}", b.as_str(), self.max_for(b)))
            .collect();
        if bad.is_empty() {
            Ok(())
        } else {
            Err(bad.join("; "))
        }
    }
}

/// An amount in pence as pounds and pence ("GBP 1,000.00").
pub fn pounds(pence: i64) -> String {
    let whole = (pence / 100).abs().to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if pence < 0 { "-" } else { "" };
    format!("GBP {sign}{grouped}.{:02}", (pence % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_basis_round_trips_and_has_a_positive_default() {
        let limits = FpnLimits::default();
        for b in FpnBasis::ALL {
            assert_eq!(FpnBasis::parse(b.as_str()), Ok(b));
            assert_eq!(serde_json::to_string(&b).ok(), Some(format!("\"{}\"", b.as_str())));
            assert!(limits.max_for(b) > 0);
        }
        assert!(FpnBasis::parse("flytipping").is_err_and(|e| e.contains("fly_tipping")));
        assert_eq!(limits.validate(), Ok(()));
    }

    #[test]
    fn the_statutory_maxima_by_default() {
        let l = FpnLimits::default();
        assert_eq!(l.max_for(FpnBasis::FlyTipping), 100_000);
        assert_eq!(l.max_for(FpnBasis::Litter), 50_000);
        assert_eq!(l.max_for(FpnBasis::HouseholdWasteDutyOfCare), 60_000);
        assert_eq!(l.max_for(FpnBasis::CpnBreach), 10_000);
        assert_eq!(l.max_for(FpnBasis::PspoBreach), 10_000);
    }

    #[test]
    fn limits_are_configurable_by_basis_name() {
        let l: FpnLimits = toml::from_str("pspo_breach = 50000").expect("limits");
        assert_eq!(l.max_for(FpnBasis::PspoBreach), 50_000);
        assert_eq!(l.max_for(FpnBasis::CpnBreach), 10_000);
        assert!(toml::from_str::<FpnLimits>("default_max_pence = 1").is_err());
        let zero: FpnLimits = toml::from_str("litter = 0").expect("limits");
        assert_eq!(zero.validate(), Err("fpn.litter must be more than 0 pence, not 0".into()));
    }

    #[test]
    fn pounds_are_grouped() {
        assert_eq!(pounds(100_000), "GBP 1,000.00");
        assert_eq!(pounds(15_050), "GBP 150.50");
        assert_eq!(pounds(99), "GBP 0.99");
        assert_eq!(pounds(123_456_789), "GBP 1,234,567.89");
    }
}
