//! The one access-policy layer. A handler or job obtains a [`Permit`] for a
//! [`Capability`] from an authenticated [`Principal`]; storage functions that
//! read or write personal data take the permit as an argument, so a query
//! without a checked permission does not compile. Whether a particular
//! agency-owned record may be seen in full is decided by [`record_access`].
//!
//! The matrix (documented in `docs/permissions.md`) lives only here.

use crate::role::Role;
use serde::Serialize;
use std::marker::PhantomData;

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// A browser session cookie.
    Session,
    /// A bearer API token.
    ApiToken,
    /// The command line, run by whoever controls the server.
    Operator,
}

/// An authenticated user (or the operator at the command line).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Principal {
    /// User id (empty for the operator).
    pub user_id: String,
    /// The user's e-mail address.
    pub email: String,
    /// Name to show.
    pub display_name: String,
    /// Code of the agency the user belongs to.
    pub agency: String,
    /// Roles held.
    pub roles: Vec<Role>,
    /// How they authenticated.
    pub via: AuthMethod,
}

impl Principal {
    /// The operator at the command line: whoever controls the server
    /// administers the partnership (audited with source `cli`).
    pub fn operator() -> Self {
        Self {
            user_id: String::new(),
            email: String::new(),
            display_name: "Operator (command line)".into(),
            agency: String::new(),
            roles: vec![Role::PartnershipAdmin],
            via: AuthMethod::Operator,
        }
    }

    /// The operator importing records on behalf of `agency` (command line):
    /// may create that agency's records, as a CSP manager would.
    pub fn operator_for_agency(agency: &str) -> Self {
        Self { agency: agency.to_string(), roles: vec![Role::CspManager], ..Self::operator() }
    }

    /// True when the principal holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Checks `C` and returns the proof, or [`Denied`].
    pub fn permit<C: Capability>(&self) -> Result<Permit<C>, Denied> {
        if C::ROLES.iter().any(|r| self.has(*r)) {
            Ok(Permit { principal: self.clone(), _c: PhantomData })
        } else {
            Err(Denied { capability: C::NAME })
        }
    }

    /// True when `C` would be granted (for showing or hiding navigation).
    pub fn can<C: Capability>(&self) -> bool {
        C::ROLES.iter().any(|r| self.has(*r))
    }
}

/// The caller lacks a capability.
#[derive(Debug, Clone, thiserror::Error)]
#[error("you do not have permission to {capability}")]
pub struct Denied {
    /// What was refused, in words.
    pub capability: &'static str,
}

/// Something a principal may be allowed to do.
pub trait Capability {
    /// What it allows, in words ("manage users").
    const NAME: &'static str;
    /// The roles that grant it.
    const ROLES: &'static [Role];
}

/// Proof that `principal` was granted capability `C`. Only
/// [`Principal::permit`] makes one.
#[derive(Debug, Clone)]
pub struct Permit<C> {
    principal: Principal,
    _c: PhantomData<fn() -> C>,
}

impl<C> Permit<C> {
    /// Who holds the permit.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }
}

/// Capabilities whose holders see case records: viewing them, and changing
/// them (every role with [`EditRecords`] has [`ViewRecords`]: a test holds
/// the matrix to it). The visibility rules take a permit for either, so a
/// store write checks them with the edit permit it requires.
pub trait SeesRecords: Capability {}
impl SeesRecords for ViewRecords {}
impl SeesRecords for EditRecords {}

macro_rules! capabilities {
    ($($(#[$doc:meta])* $name:ident = $words:literal: [$($role:ident),*];)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Capability for $name {
            const NAME: &'static str = $words;
            const ROLES: &'static [Role] = &[$(Role::$role),*];
        }
    )*
    /// Every capability with the roles that grant it: the permission matrix.
    pub const MATRIX: &[(&str, &[Role])] = &[$(($words, &[$(Role::$role),*])),*];
    };
}

capabilities! {
    /// Browse recorded crime and ASB (open police.uk data) and the dashboard.
    ViewCrimeData = "view recorded crime and ASB": [PartnershipAdmin, CspManager, CaseOfficer, AgencyViewer];
    /// Download recorded crime as CSV.
    ExportCrimeData = "export recorded crime and ASB": [CspManager, CaseOfficer, AgencyViewer];
    /// Create and edit agencies.
    ManageAgencies = "manage agencies": [PartnershipAdmin];
    /// Create users, change roles, unlock and deactivate accounts.
    ManageUsers = "manage users and their roles": [PartnershipAdmin];
    /// Read, search and export the audit trail.
    ViewAudit = "view and export the audit trail": [Auditor];
    /// Read agency-owned records of people (subject to [`record_access`]).
    ViewRecords = "view case records": [CspManager, CaseOfficer, AgencyViewer];
    /// Create and change agency-owned records of people.
    EditRecords = "create and change case records": [CspManager, CaseOfficer];
    /// Record progress on the strategy commitments their agency owns.
    UpdateCommitments = "record progress on their agency's commitments": [CspManager, CaseOfficer];
    /// Edit the strategy, run operations and meetings, and produce meeting packs.
    ManagePartnershipWork = "manage the strategy, operations and meetings": [CspManager];
}

/// What a permitted viewer may see of one agency-owned record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "access", rename_all = "snake_case")]
pub enum RecordAccess {
    /// The whole record: the viewer's agency owns it or it is shared with it.
    Full,
    /// Only that the record exists and which agency to contact.
    Signpost {
        /// The agency that holds the record.
        contact_agency: String,
    },
}

/// Decides how much of a record owned by `owner_agency` and explicitly
/// shared with `shared_with` the holder of `permit` may see.
pub fn record_access<C: SeesRecords>(permit: &Permit<C>, owner_agency: &str, shared_with: &[String]) -> RecordAccess {
    let agency = &permit.principal().agency;
    if agency == owner_agency || shared_with.iter().any(|a| a == agency) {
        RecordAccess::Full
    } else {
        RecordAccess::Signpost { contact_agency: owner_agency.to_string() }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn whoever_may_edit_records_may_view_them() {
        for role in EditRecords::ROLES {
            assert!(ViewRecords::ROLES.contains(role), "{role:?} may edit but not view records");
        }
    }

    use super::*;

    fn user(agency: &str, roles: &[Role]) -> Principal {
        Principal {
            user_id: "u".into(),
            email: "u@example.gov.uk".into(),
            display_name: "U".into(),
            agency: agency.into(),
            roles: roles.to_vec(),
            via: AuthMethod::Session,
        }
    }

    #[test]
    fn roles_grant_exactly_their_capabilities() {
        let admin = user("SACDC", &[Role::PartnershipAdmin]);
        assert!(admin.permit::<ManageUsers>().is_ok());
        assert!(admin.permit::<ViewAudit>().is_err());
        assert!(admin.permit::<ViewRecords>().is_err());
        let auditor = user("SACDC", &[Role::Auditor]);
        assert!(auditor.permit::<ViewAudit>().is_ok());
        assert!(auditor.permit::<ViewCrimeData>().is_err());
        let none = user("SACDC", &[]);
        for (_, roles) in MATRIX {
            assert!(!roles.is_empty());
        }
        assert!(none.permit::<ViewCrimeData>().is_err());
    }

    #[test]
    fn owner_and_shared_agencies_see_records_others_are_signposted() {
        let police = user("HERTS-POLICE", &[Role::CaseOfficer]);
        let fire = user("HFRS", &[Role::CaseOfficer]);
        let council = user("SACDC", &[Role::AgencyViewer]);
        let shared = vec!["HFRS".to_string()];
        let p = police.permit::<ViewRecords>().expect("permit");
        let f = fire.permit::<ViewRecords>().expect("permit");
        let c = council.permit::<ViewRecords>().expect("permit");
        assert_eq!(record_access(&p, "HERTS-POLICE", &shared), RecordAccess::Full);
        assert_eq!(record_access(&f, "HERTS-POLICE", &shared), RecordAccess::Full);
        assert_eq!(
            record_access(&c, "HERTS-POLICE", &shared),
            RecordAccess::Signpost { contact_agency: "HERTS-POLICE".into() }
        );
    }
}

/// A record as a particular viewer may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(tag = "access", rename_all = "snake_case")]
pub enum Visible<T> {
    /// The whole record.
    Full {
        /// The record.
        record: T,
    },
    /// Only that it exists and whom to contact.
    Signpost {
        /// The agency that holds the record.
        contact_agency: String,
    },
}
