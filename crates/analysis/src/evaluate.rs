//! "Did it work?": the weighted displacement difference (Wheeler & Ratcliffe
//! 2018) with its Poisson standard error, and the weighted displacement
//! quotient (Bowers & Johnson 2003), with a plain recommendation.

use crate::AnalysisError;
use serde::{Deserialize, Serialize};

/// Counts before and after an operation in one area.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BeforeAfter {
    /// Count in the period before.
    pub before: f64,
    /// Count in the period after.
    pub after: f64,
}

impl BeforeAfter {
    /// A pair of counts.
    pub fn new(before: f64, after: f64) -> Self {
        Self { before, after }
    }

    fn change(self) -> f64 {
        self.after - self.before
    }
}

/// The four areas of a WDD design.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WddInput {
    /// The target (treated) area.
    pub treated: BeforeAfter,
    /// Its control area.
    pub control: BeforeAfter,
    /// The displacement (buffer) area around the target.
    pub displacement_treated: BeforeAfter,
    /// The displacement area's control.
    pub displacement_control: BeforeAfter,
}

/// The WDD result. Negative means fewer crimes than expected (the operation helped).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Wdd {
    /// ΔT − ΔC + ΔD − ΔDc.
    pub wdd: f64,
    /// Standard error: the square root of the sum of the eight counts.
    pub standard_error: f64,
    /// WDD / SE.
    pub z: f64,
    /// 95% interval, low end.
    pub ci_low: f64,
    /// 95% interval, high end.
    pub ci_high: f64,
}

/// Computes the weighted displacement difference.
pub fn wdd(i: &WddInput) -> Result<Wdd, AnalysisError> {
    let all = [i.treated, i.control, i.displacement_treated, i.displacement_control];
    if !all.iter().all(|c| c.before >= 0.0 && c.after >= 0.0 && c.before.is_finite() && c.after.is_finite()) {
        return Err(AnalysisError::Invalid("counts must be zero or more".into()));
    }
    let variance: f64 = all.iter().map(|c| c.before + c.after).sum();
    if variance <= 0.0 {
        return Err(AnalysisError::NoVariation("0".into()));
    }
    let wdd =
        i.treated.change() - i.control.change() + i.displacement_treated.change() - i.displacement_control.change();
    let se = variance.sqrt();
    Ok(Wdd { wdd, standard_error: se, z: wdd / se, ci_low: wdd - 1.96 * se, ci_high: wdd + 1.96 * se })
}

/// Counts in the target (R), buffer (D) and control (C) areas.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WdqInput {
    /// The target area.
    pub target: BeforeAfter,
    /// The buffer around it.
    pub buffer: BeforeAfter,
    /// The control area.
    pub control: BeforeAfter,
}

/// The weighted displacement quotient: (Da/Ca − Db/Cb) / (Ra/Ca − Rb/Cb).
/// Below 0: displacement; 0: none; above 0: diffusion of benefits (above 1:
/// the benefit in the buffer exceeds the reduction in the target).
pub fn wdq(i: &WdqInput) -> Result<f64, AnalysisError> {
    let (cb, ca) = (i.control.before, i.control.after);
    if cb <= 0.0 || ca <= 0.0 {
        return Err(AnalysisError::Invalid("the control area needs crimes in both periods to compute the WDQ".into()));
    }
    let success = i.target.after / ca - i.target.before / cb;
    if success >= 0.0 {
        return Err(AnalysisError::Invalid(
            "the target area did not improve relative to its control, so the WDQ (which measures displacement of a success) is not defined".into(),
        ));
    }
    Ok((i.buffer.after / ca - i.buffer.before / cb) / success)
}

/// What the partnership should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recommendation {
    /// Significant reduction without displacement: scale back and monitor.
    ScaleBack,
    /// Moving the right way but not yet conclusive: continue.
    Continue,
    /// No reduction, or harm displaced: change approach.
    ChangeApproach,
}

/// A recommendation with the reasoning shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Advice {
    /// What to do.
    pub recommendation: Recommendation,
    /// Why, in plain words, with the figures.
    pub reasoning: Vec<String>,
}

/// Turns a WDD (and optional WDQ) into plain advice.
pub fn advise(w: &Wdd, q: Option<f64>) -> Advice {
    let mut reasoning = vec![format!(
        "Weighted displacement difference {:.1} crimes (95% interval {:.1} to {:.1}, Z = {:.2}).",
        w.wdd, w.ci_low, w.ci_high, w.z
    )];
    let displaced = q.is_some_and(|q| q < 0.0);
    if let Some(q) = q {
        reasoning.push(match q {
            q if q < 0.0 => format!("WDQ {q:.2}: some crime appears to have moved into the buffer area."),
            q if q > 0.0 => format!("WDQ {q:.2}: benefits spread into the buffer area (diffusion of benefits)."),
            _ => "WDQ 0: no sign of displacement.".to_string(),
        });
    }
    let recommendation = if w.ci_high < 0.0 && !displaced {
        reasoning.push(
            "The reduction is statistically significant at 95% and was not displaced: scale back and keep monitoring."
                .into(),
        );
        Recommendation::ScaleBack
    } else if w.wdd < 0.0 && !displaced {
        reasoning.push("Crime fell, but not by enough to rule out chance: continue and evaluate again.".into());
        Recommendation::Continue
    } else {
        reasoning.push("No reduction beyond the control, or displacement into the buffer: change approach.".into());
        Recommendation::ChangeApproach
    };
    Advice { recommendation, reasoning }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published example in the issue (Wheeler & Ratcliffe 2018).
    #[test]
    fn wdd_matches_the_published_example() {
        let w = wdd(&WddInput {
            control: BeforeAfter::new(308.0, 318.0),
            treated: BeforeAfter::new(207.0, 110.0),
            displacement_control: BeforeAfter::new(150.0, 140.0),
            displacement_treated: BeforeAfter::new(178.0, 157.0),
        })
        .expect("wdd");
        assert_eq!(w.wdd, -118.0);
        assert!((w.standard_error - 1568f64.sqrt()).abs() < 1e-12);
        assert!((w.z - -2.98).abs() < 0.005, "{}", w.z);
        assert!((w.ci_low - -196.0).abs() < 0.5 && (w.ci_high - -40.0).abs() < 0.5, "{w:?}");
        assert_eq!(advise(&w, None).recommendation, Recommendation::ScaleBack);
    }

    #[test]
    fn wdq_matches_the_published_examples() {
        let flat = BeforeAfter::new(100.0, 100.0);
        let q = wdq(&WdqInput {
            target: BeforeAfter::new(100.0, 50.0),
            buffer: BeforeAfter::new(100.0, 150.0),
            control: flat,
        })
        .expect("wdq");
        assert!((q - -1.0).abs() < 1e-12);
        let q = wdq(&WdqInput {
            target: BeforeAfter::new(100.0, 50.0),
            buffer: BeforeAfter::new(100.0, 75.0),
            control: flat,
        })
        .expect("wdq");
        assert!((q - 0.5).abs() < 1e-12);
    }

    #[test]
    fn bad_input_is_an_error_not_a_nan() {
        let zero = BeforeAfter::new(0.0, 0.0);
        assert!(wdd(&WddInput {
            treated: zero,
            control: zero,
            displacement_treated: zero,
            displacement_control: zero
        })
        .is_err());
        assert!(wdd(&WddInput {
            treated: BeforeAfter::new(-1.0, 2.0),
            control: zero,
            displacement_treated: zero,
            displacement_control: zero
        })
        .is_err());
        assert!(wdq(&WdqInput { target: BeforeAfter::new(10.0, 5.0), buffer: zero, control: zero }).is_err());
        assert!(wdq(&WdqInput {
            target: BeforeAfter::new(10.0, 12.0),
            buffer: zero,
            control: BeforeAfter::new(5.0, 5.0)
        })
        .is_err());
        let w = wdd(&WddInput {
            treated: BeforeAfter::new(10.0, 12.0),
            control: BeforeAfter::new(10.0, 10.0),
            displacement_treated: zero,
            displacement_control: zero,
        })
        .expect("wdd");
        assert_eq!(advise(&w, None).recommendation, Recommendation::ChangeApproach);
    }
}
