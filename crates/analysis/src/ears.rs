//! The CDC EARS C1, C2 and C3 rules exactly as R's `surveillance::earsC`
//! (version 1.20.3) computes them, checked against its output on real
//! series in `tests/ears_cusum.rs`.
//!
//! Parameter mapping to `earsC(sts, control = list(method, baseline,
//! minSigma, alpha, range))`: [`EarsParams::method`] = `method`,
//! [`EarsParams::baseline`] = `baseline` (default 7, at least 3),
//! [`EarsParams::min_sigma`] = `minSigma` (default 0),
//! [`EarsParams::alpha`] = `alpha` (when `alpha` is not given R uses 0.001
//! for C1 and C2 and 0.025 for C3, and so does [`EarsParams::new`]);
//! `range` = every time point that can be evaluated (from index `baseline`
//! for C1, `baseline + 2` for C2 and `baseline + 4` for C3, counting from 0),
//! which is R's default range.
//!
//! With t counted from 0 and z = Φ⁻¹(1 − alpha):
//! - C1: the baseline is x[t−b..t] (the b periods before t); mean ȳ and
//!   sample standard deviation s (n − 1); σ = max(s, minSigma); upper bound
//!   ȳ + z σ; statistic C1 = (x_t − ȳ) / σ.
//! - C2: the same with the baseline x[t−b−2..t−2] (a two-period guard band).
//! - C3: with C2 as above, R's upper bound is
//!   max(0, x_t + σ_t (z − max(0, C2_{t−2} − 1) − max(0, C2_{t−1} − 1))).
//!   Note that R adds this to the observed count x_t, not to the baseline
//!   mean, so its C3 alarm (x_t above the bound) fires exactly when the two
//!   lagged terms alone exceed z: the current period's C2 does not enter.
//!   This module reproduces that. The statistic reported is the textbook
//!   C3 = C2_t + max(0, C2_{t−1} − 1) + max(0, C2_{t−2} − 1).
//!
//! In every method the alarm is x_t > upper bound (strictly), as in R.
//! If the counts were normal with the baseline's mean and standard
//! deviation, C1 and C2 would fire by chance with probability `alpha` per
//! period (about once in 1 / `alpha` periods); with a 7-period baseline the
//! real rate is higher, since the standard deviation is estimated. R's C3
//! has no such simple rate.
//! With `min_sigma` 0 and a flat baseline the ratio is undefined: the
//! statistic is then `None`; where R's upper bound is `NA` (C3 only) the
//! bound is `None` and there is no alarm (R gives `NA`).

use crate::normal::qnorm;
use crate::AnalysisError;
use serde::Serialize;

/// Which EARS rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EarsMethod {
    /// C1-MILD: baseline the periods just before t.
    C1,
    /// C2-MEDIUM: baseline with a two-period guard band.
    C2,
    /// C3-HIGH: C2 plus the excesses of the two previous C2 values.
    C3,
}

/// Parameters of [`ears_c`], named as in R's `earsC` control list.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EarsParams {
    /// C1, C2 or C3.
    pub method: EarsMethod,
    /// Number of periods in the baseline (R `baseline`, default 7, at least 3).
    pub baseline: usize,
    /// Floor on the baseline standard deviation (R `minSigma`, default 0).
    pub min_sigma: f64,
    /// One-sided false-alarm probability per period (R `alpha`).
    pub alpha: f64,
}

impl EarsParams {
    /// R's defaults for a method: baseline 7, minSigma 0, alpha 0.001 for C1
    /// and C2 and 0.025 for C3 (R's choice when `alpha` is not given).
    pub fn new(method: EarsMethod) -> Self {
        let alpha = match method {
            EarsMethod::C1 | EarsMethod::C2 => 0.001,
            EarsMethod::C3 => 0.025,
        };
        EarsParams { method, baseline: 7, min_sigma: 0.0, alpha }
    }

    /// The first period (from 0) the rule can evaluate: `baseline` for C1,
    /// `baseline + 2` for C2 and `baseline + 4` for C3.
    pub fn first_evaluable(&self) -> usize {
        match self.method {
            EarsMethod::C1 => self.baseline,
            EarsMethod::C2 => self.baseline + 2,
            EarsMethod::C3 => self.baseline + 4,
        }
    }
}

/// The rule's result at one period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EarsPoint {
    /// Period index in the series (from 0).
    pub t: usize,
    /// Observed count.
    pub observed: f64,
    /// Baseline mean (for C3 the C2 baseline mean at t).
    pub expected: f64,
    /// Baseline standard deviation after the `min_sigma` floor.
    pub sigma: f64,
    /// C1, C2 or C3 statistic; `None` when σ is 0 and the ratio is undefined.
    pub statistic: Option<f64>,
    /// R's upper bound on the count scale; `None` where R gives `NA`.
    pub upperbound: Option<f64>,
    /// Observed above the upper bound.
    pub alarm: bool,
}

/// R's `pmax` for two numbers: NaN if either is NaN.
fn pmax(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

/// Mean and sample standard deviation (two-pass, n − 1) of a window.
fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    // R's mean adds the mean residual as a second-pass correction.
    let mean = mean + xs.iter().map(|x| x - mean).sum::<f64>() / n;
    let ss: f64 = xs.iter().map(|x| (x - mean).powi(2)).sum();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// Mean, floored standard deviation and C ratio for the window `lo..hi`
/// against the count at t.
fn window(x: &[f64], lo: usize, hi: usize, t: usize, min_sigma: f64) -> (f64, f64, f64) {
    let (mean, sd) = mean_sd(&x[lo..hi]);
    let sigma = pmax(sd, min_sigma);
    (mean, sigma, (x[t] - mean) / sigma)
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// Runs EARS C1, C2 or C3 on a count series (oldest first) and returns one
/// [`EarsPoint`] for every period from [`EarsParams::first_evaluable`] to
/// the end, as R's `earsC` with its default `range`.
///
/// Errors: `baseline` below 3, a negative or non-finite `min_sigma`, `alpha`
/// outside (0, 1), a non-finite count, or a series too short for one point.
pub fn ears_c(observed: &[f64], params: &EarsParams) -> Result<Vec<EarsPoint>, AnalysisError> {
    let b = params.baseline;
    if b < 3 {
        return Err(AnalysisError::Invalid("the EARS baseline must be at least 3 periods".into()));
    }
    if !params.min_sigma.is_finite() || params.min_sigma < 0.0 {
        return Err(AnalysisError::Invalid("the EARS minimum sigma must be 0 or more".into()));
    }
    if !(params.alpha > 0.0 && params.alpha < 1.0) {
        return Err(AnalysisError::Invalid("the EARS alpha must be between 0 and 1".into()));
    }
    if observed.iter().any(|v| !v.is_finite()) {
        return Err(AnalysisError::Invalid("every count must be a finite number".into()));
    }
    let first = params.first_evaluable();
    if observed.len() <= first {
        return Err(AnalysisError::TooFew { what: "periods", needed: first + 1, found: observed.len() });
    }
    let z = qnorm(1.0 - params.alpha);
    let x = observed;
    let ms = params.min_sigma;
    // C2 at s: the window s−b−2..s−2.
    let c2 = |s: usize| window(x, s - b - 2, s - 2, s, ms);
    let points = (first..x.len())
        .map(|t| {
            let (expected, sigma, statistic, upperbound) = match params.method {
                EarsMethod::C1 => {
                    let (m, s, c) = window(x, t - b, t, t, ms);
                    (m, s, c, m + z * s)
                }
                EarsMethod::C2 => {
                    let (m, s, c) = c2(t);
                    (m, s, c, m + z * s)
                }
                EarsMethod::C3 => {
                    let (m, s, c) = c2(t);
                    let lag1 = pmax(0.0, c2(t - 1).2 - 1.0);
                    let lag2 = pmax(0.0, c2(t - 2).2 - 1.0);
                    let bound = pmax(0.0, x[t] + s * (z - (lag2 + lag1)));
                    (m, s, c + lag1 + lag2, bound)
                }
            };
            let upperbound = (!upperbound.is_nan()).then_some(upperbound);
            EarsPoint {
                t,
                observed: x[t],
                expected,
                sigma,
                statistic: finite(statistic),
                upperbound,
                alarm: upperbound.is_some_and(|u| x[t] > u),
            }
        })
        .collect();
    Ok(points)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_by_hand() {
        // Baseline 1..7: mean 4, sd √(28/6); x = 12.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 12.0];
        let r = ears_c(&x, &EarsParams::new(EarsMethod::C1)).expect("reference case");
        assert_eq!(r.len(), 1);
        let sd = (28.0f64 / 6.0).sqrt();
        assert!((r[0].expected - 4.0).abs() < 1e-12);
        assert!((r[0].statistic.expect("reference case") - 8.0 / sd).abs() < 1e-12);
        assert!((r[0].upperbound.expect("reference case") - (4.0 + 3.090_232_306_167_813 * sd)).abs() < 1e-12);
        assert!(r[0].alarm);
    }

    #[test]
    fn c2_guard_band_and_c3_start() {
        let x: Vec<f64> = (0..14).map(|i| f64::from(i % 3) + 5.0).collect();
        let c2 = ears_c(&x, &EarsParams::new(EarsMethod::C2)).expect("reference case");
        assert_eq!(c2[0].t, 9);
        let (m, _) = mean_sd(&x[0..7]);
        assert!((c2[0].expected - m).abs() < 1e-12);
        let c3 = ears_c(&x, &EarsParams::new(EarsMethod::C3)).expect("reference case");
        assert_eq!(c3[0].t, 11);
        assert_eq!(c3.len(), 3);
    }

    #[test]
    fn flat_baseline() {
        let mut x = vec![3.0; 10];
        x.push(4.0);
        let r = ears_c(&x, &EarsParams::new(EarsMethod::C1)).expect("reference case");
        let last = r.last().expect("reference case");
        assert_eq!(last.statistic, None);
        assert_eq!(last.upperbound, Some(3.0));
        assert!(last.alarm);
        let p = EarsParams { min_sigma: 0.5, ..EarsParams::new(EarsMethod::C1) };
        let r = ears_c(&x, &p).expect("reference case");
        assert!((r.last().expect("reference case").statistic.expect("reference case") - 2.0).abs() < 1e-12);
    }

    #[test]
    fn bad_input() {
        let p = EarsParams::new(EarsMethod::C1);
        assert!(matches!(ears_c(&[1.0; 7], &p), Err(AnalysisError::TooFew { needed: 8, .. })));
        assert!(ears_c(&[1.0; 9], &EarsParams { baseline: 2, ..p }).is_err());
        assert!(ears_c(&[1.0; 9], &EarsParams { alpha: 1.0, ..p }).is_err());
        assert!(ears_c(&[f64::NAN; 9], &p).is_err());
    }
}
