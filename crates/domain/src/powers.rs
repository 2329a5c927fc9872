//! The kinds of body that hold powers: an agency's [`Sector`] (council,
//! police, housing provider...) and the rank or office that must authorise a
//! closure notice or a dispersal ([`Authoriser`]). Which sector holds which
//! power is `interventions::holders`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of body an agency is, for deciding which powers it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sector {
    /// A district, borough, unitary or county council.
    Council,
    /// A police force (including the British Transport Police).
    Police,
    /// A fire and rescue service.
    Fire,
    /// A housing provider (social landlord).
    HousingProvider,
    /// An NHS body.
    Health,
    /// The probation service.
    Probation,
    /// Youth services or a youth offending team.
    YouthServices,
    /// A prosecutor (the Crown Prosecution Service).
    Prosecutor,
    /// Transport for London or another transport authority.
    Transport,
    /// Any other partner.
    Other,
}

impl Sector {
    /// Every sector, in the order forms list them.
    pub const ALL: [Sector; 10] = [
        Sector::Council,
        Sector::Police,
        Sector::Fire,
        Sector::HousingProvider,
        Sector::Health,
        Sector::Probation,
        Sector::YouthServices,
        Sector::Prosecutor,
        Sector::Transport,
        Sector::Other,
    ];

    /// The stable name used in storage, the API and the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Sector::Council => "council",
            Sector::Police => "police",
            Sector::Fire => "fire",
            Sector::HousingProvider => "housing_provider",
            Sector::Health => "health",
            Sector::Probation => "probation",
            Sector::YouthServices => "youth_services",
            Sector::Prosecutor => "prosecutor",
            Sector::Transport => "transport",
            Sector::Other => "other",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Sector::Council => "Council",
            Sector::Police => "Police",
            Sector::Fire => "Fire and rescue",
            Sector::HousingProvider => "Housing provider",
            Sector::Health => "Health",
            Sector::Probation => "Probation",
            Sector::YouthServices => "Youth services",
            Sector::Prosecutor => "Prosecutor",
            Sector::Transport => "Transport authority",
            Sector::Other => "Other partner",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| {
            format!(
                "unknown sector '{}': use one of {}",
                s.chars().take(40).collect::<String>(),
                Self::ALL.map(Self::as_str).join(", ")
            )
        })
    }
}

impl fmt::Display for Sector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who authorised a closure notice or a dispersal, by rank or office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Authoriser {
    /// A police inspector (or above, but below superintendent).
    Inspector,
    /// A police superintendent or above.
    Superintendent,
    /// A council officer.
    CouncilOfficer,
    /// The council's chief executive or their designate.
    ChiefExecutive,
}

impl Authoriser {
    /// Every authoriser.
    pub const ALL: [Authoriser; 4] =
        [Authoriser::Inspector, Authoriser::Superintendent, Authoriser::CouncilOfficer, Authoriser::ChiefExecutive];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Authoriser::Inspector => "inspector",
            Authoriser::Superintendent => "superintendent",
            Authoriser::CouncilOfficer => "council_officer",
            Authoriser::ChiefExecutive => "chief_executive",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Authoriser::Inspector => "Police inspector",
            Authoriser::Superintendent => "Police superintendent or above",
            Authoriser::CouncilOfficer => "Council officer",
            Authoriser::ChiefExecutive => "Council chief executive (or designate)",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|x| x.as_str() == s).ok_or_else(|| {
            format!(
                "unknown authoriser '{}': use one of {}",
                s.chars().take(40).collect::<String>(),
                Self::ALL.map(Self::as_str).join(", ")
            )
        })
    }

    /// A police officer of at least the rank of inspector.
    pub fn is_inspector_or_above(self) -> bool {
        matches!(self, Authoriser::Inspector | Authoriser::Superintendent)
    }

    /// May extend a closure notice to 48 hours (s76(2), s77): a
    /// superintendent or the council's chief executive (or designate).
    pub fn may_authorise_48_hours(self) -> bool {
        matches!(self, Authoriser::Superintendent | Authoriser::ChiefExecutive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in Sector::ALL {
            assert_eq!(Sector::parse(s.as_str()), Ok(s));
        }
        for a in Authoriser::ALL {
            assert_eq!(Authoriser::parse(a.as_str()), Ok(a));
        }
        assert!(Sector::parse("county").is_err_and(|e| e.contains("council")));
        assert!(Authoriser::parse("sergeant").is_err());
    }

    #[test]
    fn ranks() {
        assert!(Authoriser::Inspector.is_inspector_or_above());
        assert!(!Authoriser::CouncilOfficer.is_inspector_or_above());
        assert!(!Authoriser::Inspector.may_authorise_48_hours());
        assert!(Authoriser::Superintendent.may_authorise_48_hours());
        assert!(Authoriser::ChiefExecutive.may_authorise_48_hours());
    }
}
