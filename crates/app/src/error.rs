//! What a use case can fail with, independent of how a front door shows it.

use safetynet_store::StoreError;

/// A use case's failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request value is wrong, with a message the user can act on.
    #[error("{0}")]
    Invalid(String),
    /// Well-formed but refused by a named rule (e.g. `analysis_budget`).
    #[error("{message}")]
    Refused {
        /// The rule's stable name.
        rule: &'static str,
        /// What to do about it.
        message: String,
    },
    /// Too busy to take this on now; try again shortly.
    #[error("{0}")]
    Busy(String),
    /// The caller lacks the capability the use case needs.
    #[error(transparent)]
    Denied(#[from] safetynet_domain::policy::Denied),
    /// The store failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Anything else (for logs, not users).
    #[error("{0}")]
    Internal(String),
}

impl From<safetynet_analysis::AnalysisError> for Error {
    fn from(e: safetynet_analysis::AnalysisError) -> Self {
        use safetynet_analysis::AnalysisError;
        let rule = match e {
            AnalysisError::TooLarge(_) => "analysis_limit",
            AnalysisError::Interrupted => "analysis_budget",
            _ => "analysis",
        };
        Error::Refused { rule, message: e.to_string() }
    }
}
