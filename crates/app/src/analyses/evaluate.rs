//! Operation evaluation from before and after counts: the weighted
//! displacement difference (WDD, with standard error, Z and 95% interval),
//! the weighted displacement quotient (WDQ, when a buffer is given) and a
//! plain recommendation.

use super::limits;
use crate::{Error, Params};
use safetynet_analysis::evaluate::{advise, wdd, wdq, Advice, BeforeAfter, Wdd, WddInput, WdqInput};

/// Before and after counts for the four areas; the buffer's may be zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EvaluateRequest {
    /// The target area.
    pub target: BeforeAfter,
    /// Its control.
    pub control: BeforeAfter,
    /// The buffer around the target.
    pub buffer: BeforeAfter,
    /// The buffer's control.
    pub buffer_control: BeforeAfter,
}

impl EvaluateRequest {
    /// The request from counts, each from 0 to [`limits::MAX_EVALUATE_COUNT`].
    pub fn new(
        target: BeforeAfter,
        control: BeforeAfter,
        buffer: BeforeAfter,
        buffer_control: BeforeAfter,
    ) -> Result<Self, Error> {
        let counts = [target, control, buffer, buffer_control].into_iter().flat_map(|p| [p.before, p.after]);
        if !counts.into_iter().all(|c| c.is_finite() && (0.0..=limits::MAX_EVALUATE_COUNT).contains(&c)) {
            return Err(Error::Invalid(format!(
                "every count must be a number from 0 to {}",
                limits::MAX_EVALUATE_COUNT
            )));
        }
        Ok(Self { target, control, buffer, buffer_control })
    }

    /// The request from `target_before`, `target_after`, `control_before`,
    /// `control_after` (required) and the buffers' (default 0).
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        let count = |name: &str, required: bool| -> Result<f64, Error> {
            if required {
                p.required(name)?;
            }
            p.number(name, 0.0)
        };
        let pair = |area: &str, required: bool| -> Result<BeforeAfter, Error> {
            Ok(BeforeAfter::new(
                count(&format!("{area}_before"), required)?,
                count(&format!("{area}_after"), required)?,
            ))
        };
        Self::new(pair("target", true)?, pair("control", true)?, pair("buffer", false)?, pair("buffer_control", false)?)
    }
}

/// The evaluation.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Evaluation {
    /// The weighted displacement difference.
    pub wdd: Wdd,
    /// The weighted displacement quotient (with a buffer).
    pub wdq: Option<f64>,
    /// What to do.
    pub advice: Advice,
}

/// Evaluates an operation from its counts.
pub fn evaluate(req: &EvaluateRequest) -> Result<Evaluation, Error> {
    let w = wdd(&WddInput {
        treated: req.target,
        control: req.control,
        displacement_treated: req.buffer,
        displacement_control: req.buffer_control,
    })?;
    let has_buffer = req.buffer.before + req.buffer.after > 0.0;
    let quotient = has_buffer
        .then(|| wdq(&WdqInput { target: req.target, buffer: req.buffer, control: req.control }).ok())
        .flatten();
    Ok(Evaluation { advice: advise(&w, quotient), wdd: w, wdq: quotient })
}
