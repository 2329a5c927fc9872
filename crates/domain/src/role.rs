//! The roles a user can hold. What each role may do is decided in
//! [`crate::policy`], never by comparing role names elsewhere.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A role held by a user of one agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the system for the whole partnership: agencies, users, roles.
    PartnershipAdmin,
    /// CSP manager or analyst: partnership-wide data and analysis.
    CspManager,
    /// Works cases for their agency (ASB officer, neighbourhood officer, ...).
    CaseOfficer,
    /// Read-only access to what their agency may see.
    AgencyViewer,
    /// Reads and exports the audit trail; nothing else.
    Auditor,
}

impl Role {
    /// Every role, in the order shown to administrators.
    pub const ALL: [Role; 5] =
        [Role::PartnershipAdmin, Role::CspManager, Role::CaseOfficer, Role::AgencyViewer, Role::Auditor];

    /// The stable name used on the command line, in the API and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::PartnershipAdmin => "partnership_admin",
            Role::CspManager => "csp_manager",
            Role::CaseOfficer => "case_officer",
            Role::AgencyViewer => "agency_viewer",
            Role::Auditor => "auditor",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            Role::PartnershipAdmin => "Partnership administrator",
            Role::CspManager => "CSP manager / analyst",
            Role::CaseOfficer => "Case officer",
            Role::AgencyViewer => "Agency viewer",
            Role::Auditor => "Auditor",
        }
    }

    /// Parses a stable role name.
    pub fn parse(s: &str) -> Result<Self, UnknownRole> {
        Self::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.chars().take(40).collect()))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role name that is not one of [`Role::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown role '{0}' (expected one of: partnership_admin, csp_manager, case_officer, agency_viewer, auditor)")]
pub struct UnknownRole(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()).ok(), Some(r));
        }
        assert!(Role::parse("root").is_err());
    }
}
