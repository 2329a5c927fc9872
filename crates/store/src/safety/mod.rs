//! Risk assessments and review scheduling, interventions with their
//! statutory checks, the public spaces protection order register, the daily
//! review of new incidents, and ASB Case Reviews. The rules themselves live
//! in `safetynet_domain::{risk, interventions, pspo, case_review}`; this
//! module loads what they need inside the transaction that records the
//! result.
//!
//! One module per area: `risk_assessments`, `reviews`, `interventions`,
//! `pspos`, `daily_review` and `case_reviews`; their types are re-exported
//! here.

mod case_reviews;
mod daily_review;
mod interventions;
mod pspos;
mod reviews;
mod risk_assessments;

pub use case_reviews::{CaseReview, CaseReviewApplication, CaseReviewUpdate, EligibilityReport, MAX_RECOMMENDATIONS};
pub use daily_review::DailyItem;
pub use interventions::{Intervention, NewIntervention, NextDate, Recorded};
pub use pspos::{Pspo, PspoExtensionRecord};
pub use risk_assessments::StoredAssessment;

use crate::StoreError;

fn rule(name: &'static str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Rule(name, e.to_string())
}
