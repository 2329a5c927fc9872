//! The partnership, its agencies, and the validated values that identify
//! them (agency codes, e-mail addresses, display names).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Whether an agency is a statutory responsible authority under the Crime
/// and Disorder Act 1998 or a co-operating partner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// A responsible authority (council, police, fire, probation, health).
    ResponsibleAuthority,
    /// Any other partner organisation.
    Partner,
}

impl AgencyKind {
    /// Stable storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            AgencyKind::ResponsibleAuthority => "responsible_authority",
            AgencyKind::Partner => "partner",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            AgencyKind::ResponsibleAuthority => "Responsible authority",
            AgencyKind::Partner => "Partner",
        }
    }

    /// Parses a stable storage name.
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        match s {
            "responsible_authority" => Ok(Self::ResponsibleAuthority),
            "partner" => Ok(Self::Partner),
            _ => Err(InvalidValue::new("agency kind", "must be responsible_authority or partner")),
        }
    }
}

/// A value that failed validation, with the field and a reason a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidValue {
    /// Which field.
    pub field: &'static str,
    /// What is wrong, in plain words.
    pub reason: &'static str,
}

impl InvalidValue {
    /// A new validation failure.
    pub fn new(field: &'static str, reason: &'static str) -> Self {
        Self { field, reason }
    }
}

/// An agency code: 2 to 20 characters of upper-case letters, digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AgencyCode(String);

impl AgencyCode {
    /// Validates (and upper-cases) an agency code.
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        let s = s.trim().to_ascii_uppercase();
        let ok =
            (2..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s))
        } else {
            Err(InvalidValue::new("agency code", "use 2 to 20 letters, digits or hyphens, for example HERTS-POLICE"))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A normalised (trimmed, lower-case) e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Email(String);

impl Email {
    /// Validates an e-mail address: one `@`, a non-empty local part, a dotted domain.
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        let s = s.trim().to_lowercase();
        let err = InvalidValue::new("email", "enter an email address like name@example.gov.uk");
        if s.len() > 254 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err);
        }
        let (local, domain) = s.split_once('@').ok_or(err.clone())?;
        if local.is_empty() || domain.contains('@') || !domain.contains('.') {
            return Err(err);
        }
        if domain.starts_with('.') || domain.ends_with('.') {
            return Err(err);
        }
        Ok(Self(s))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trims a free-text name and checks its length (1 to `max` characters).
pub fn parse_name(field: &'static str, s: &str, max: usize) -> Result<String, InvalidValue> {
    let s = s.trim();
    if s.is_empty() {
        return Err(InvalidValue::new(field, "must not be empty"));
    }
    if s.chars().count() > max || s.chars().any(char::is_control) {
        return Err(InvalidValue::new(field, "is too long or contains control characters"));
    }
    Ok(s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agency_codes() {
        assert_eq!(AgencyCode::parse(" herts-police ").map(|c| c.0), Ok("HERTS-POLICE".into()));
        assert!(AgencyCode::parse("x").is_err());
        assert!(AgencyCode::parse("A B").is_err());
        assert!(AgencyCode::parse("'; DROP TABLE users;--").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(Email::parse(" A.B@Example.GOV.uk").map(|e| e.0), Ok("a.b@example.gov.uk".into()));
        for bad in ["", "no-at", "a@b", "@x.uk", "a@@x.uk", "a b@x.uk", "a@.uk", "a@x.uk."] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names() {
        assert!(parse_name("name", "  ", 10).is_err());
        assert_eq!(parse_name("name", " Jo ", 10), Ok("Jo".to_string()));
        assert!(parse_name("name", "x".repeat(11).as_str(), 10).is_err());
    }
}

/// An agency of the partnership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Agency {
    /// Short code (e.g. `HERTS-POLICE`).
    pub code: AgencyCode,
    /// Full name.
    pub name: String,
    /// Responsible authority or partner.
    pub kind: AgencyKind,
    /// What kind of body it is, which decides the powers it holds (`None`
    /// until set: it cannot use statutory powers until then).
    pub sector: Option<crate::powers::Sector>,
}

/// The partnership this installation serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partnership {
    /// Name.
    pub name: String,
    /// ONS local authority district codes it covers (e.g. `E07000240`).
    pub lad_codes: Vec<String>,
}

/// A user as administrators see them (never the password hash).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct UserSummary {
    /// Id.
    pub id: String,
    /// E-mail address (sign-in name).
    pub email: String,
    /// Name to show.
    pub display_name: String,
    /// Agency code.
    pub agency: String,
    /// Roles held.
    pub roles: Vec<crate::role::Role>,
    /// False when deactivated.
    pub active: bool,
    /// Locked after failed sign-ins until this time (Unix ms), if locked.
    pub locked_until_ms: Option<i64>,
}
