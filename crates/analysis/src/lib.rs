//! SafetyNet's analysis methods as plain functions over plain data: spatial
//! weights, global and local spatial autocorrelation (Moran's I, Getis-Ord
//! Gi*), multiple-testing control, operation evaluation (WDD, WDQ) and
//! hotspot accuracy (PAI, PEI), and outbreak detection in count series
//! (the improved Farrington method of R's surveillance package).
//!
//! Invariants: no SQL, no HTTP, no clock; every Monte Carlo method takes a
//! seed and gives the same answer for the same seed. Bad input (empty data,
//! islands, all-zero counts) returns an [`AnalysisError`], never a panic or
//! a NaN in the output. Every input that sizes memory or work (bands,
//! cells, kernel reach, windows, pairs) has a limit checked before anything
//! is allocated, and the long loops check an [`interrupt::Interrupt`] so the
//! caller can stop them. Results are checked against the reference tools'
//! numbers kept in `tests/fixtures/` with the scripts that produced them.

pub mod bng;
pub mod cusum;
pub mod density;
pub mod ears;
pub mod evaluate;
pub mod farrington;
pub mod fdr;
pub mod grid;
pub mod interrupt;
pub mod knox;
pub mod local;
pub mod moran;
pub mod normal;
pub mod pai;
pub mod scan;
pub mod trends;
pub mod weights;

/// Why an analysis could not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnalysisError {
    /// Nothing to analyse.
    #[error("there is no data to analyse: widen the dates or the area")]
    Empty,
    /// Too few observations for the statistic.
    #[error("at least {needed} {what} are needed, found {found}")]
    TooFew {
        /// What is counted ("incidents", "areas or cells").
        what: &'static str,
        /// Minimum.
        needed: usize,
        /// Found.
        found: usize,
    },
    /// All values are equal, so there is no variation to test.
    #[error("every count is the same ({0}): there is no pattern to find")]
    NoVariation(String),
    /// Inputs that do not fit together.
    #[error("{0}")]
    Invalid(String),
    /// The input would need more memory or work than an analysis may use.
    #[error("{0}")]
    TooLarge(String),
    /// The caller raised the [`interrupt::Interrupt`] before the analysis finished.
    #[error("the analysis was stopped before it finished")]
    Interrupted,
}
