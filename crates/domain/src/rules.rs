//! `StatutoryRule`: a business or statutory rule a proposed change breaks
//! (or, as a warning, something the officer should know before going
//! ahead), named so pages show it at the field and the API returns it as
//! `error.rule`. Every module's checks refuse with one.

use serde::Serialize;

/// A rule a proposed change breaks, or a warning about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[error("{message}")]
pub struct StatutoryRule {
    /// Stable rule name (each module's `check` lists its own).
    pub rule: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
}
