//! Outbreak detection in a count series with the improved Farrington method
//! (Farrington et al. 1996; Noufaily et al. 2013), ported from
//! `farringtonFlexible` of the R package surveillance 1.20.3 and checked
//! against it in `tests/farrington.rs` (fixtures and the R script in
//! `tests/fixtures/surveillance/`).
//!
//! For the period `t` a quasi-Poisson GLM with log link (intercept, an
//! optional linear time trend, an optional seasonal factor) is fitted to a
//! baseline taken from the `b` earlier years, reweighted once to damp past
//! outbreaks, and the upper bound of the count expected at `t` is compared
//! with the observed count.
//!
//! Time points: the series is a plain vector of counts with `freq` periods a
//! year (12 monthly, 52 weekly). The reference time points of `t` are
//! `t − j·freq` for `j = 1..b` (R's rule for an `sts` object with
//! `epochAsDate = FALSE`); the baseline windows are those points `± w`. R's
//! date-based rule (`epochAsDate = TRUE`, "the same weekday one calendar year
//! earlier") is not implemented. Indices here are 0-based; R's `k` is `t + 1`
//! and the time covariate is R's 1-based index.
//!
//! Everything R does is reproduced, quirks included: the seasonal blocks are
//! laid out with R's `a:b` (which counts down when `b < a`), the trend test is
//! R's `summary.glm` t-test on the reweighted fit, the prediction's standard
//! error uses the fit's own dispersion (not the floored `phi`) computed as R
//! computes it after reweighting — R stores the reweighting weights ω in the
//! glm's working-weights slot, so that dispersion is Σ ω·r² / df with the
//! working residuals r — and the
//! "nbPlugin" score is `(y − η₀)/(U − η₀)` on the link scale `η₀`, as in R.
//! Where R gives up (no convergence with or without the trend, or its
//! reweighting stops on a 0/0 Anscombe residual) the result is `None`; where R gives `NA` (too few recent cases, an infinite quantile)
//! the field is `None`.

use crate::normal::qnorm;
use crate::AnalysisError;
use serde::Serialize;

/// How the upper bound is computed (R's `thresholdMethod`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdMethod {
    /// Farrington et al. (1996): normal approximation on a power scale, with
    /// the estimation error by the delta method (R's `"delta"`).
    Delta,
    /// Noufaily et al. (2013): negative binomial quantile with the fitted mean
    /// plugged in (R's `"nbPlugin"`).
    NbPlugin,
    /// Negative binomial quantile at the upper `1 − α` confidence limit of the
    /// fitted mean (R's `"muan"`).
    Muan,
}

/// The power transformation of the [`ThresholdMethod::Delta`] bound (R's `powertrans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PowerTransform {
    /// No transformation (`"none"`).
    None,
    /// Square root (`"1/2"`).
    Half,
    /// Two-thirds power, the skewness-correcting default (`"2/3"`).
    TwoThirds,
}

impl PowerTransform {
    fn exponent(self) -> f64 {
        match self {
            PowerTransform::None => 1.0,
            PowerTransform::Half => 0.5,
            PowerTransform::TwoThirds => 2.0 / 3.0,
        }
    }
}

/// Settings, named after R's `control` list of `farringtonFlexible`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FarringtonOptions {
    /// Years back in the baseline (`b`).
    pub b: usize,
    /// Half-width of the baseline window around each reference point (`w`).
    pub w: usize,
    /// Levels of the seasonal factor (`noPeriods`); 1 means no factor.
    pub no_periods: usize,
    /// Most recent periods left out of the baseline (`pastWeeksNotIncluded`);
    /// `None` means `w`, as in R.
    pub past_weeks_not_included: Option<usize>,
    /// Try a linear time trend (`trend`).
    pub trend: bool,
    /// The trend is kept when its two-sided p-value is below this (`pThresholdTrend`).
    pub p_threshold_trend: f64,
    /// One minus the quantile of the upper bound (`alpha`).
    pub alpha: f64,
    /// Refit with weights that damp past outbreaks (`reweight`).
    pub reweight: bool,
    /// Anscombe residuals above this are down-weighted (`weightsThreshold`).
    pub weights_threshold: f64,
    /// How the upper bound is computed (`thresholdMethod`).
    pub threshold_method: ThresholdMethod,
    /// Power transformation for the delta method (`powertrans`).
    pub pow_trans: PowerTransform,
    /// No bound and no alarm unless the last `.1` periods (including `t`) hold
    /// at least `.0` cases (`limit54`).
    pub limit54: (usize, usize),
    /// Periods a year: 52 weekly, 12 monthly (the `sts` frequency).
    pub freq: usize,
}

impl Default for FarringtonOptions {
    /// The defaults of R's `farringtonFlexible` control list, weekly.
    fn default() -> Self {
        FarringtonOptions {
            b: 5,
            w: 3,
            no_periods: 1,
            past_weeks_not_included: None,
            trend: true,
            p_threshold_trend: 0.05,
            alpha: 0.05,
            reweight: true,
            weights_threshold: 2.58,
            threshold_method: ThresholdMethod::Delta,
            pow_trans: PowerTransform::TwoThirds,
            limit54: (5, 4),
            freq: 52,
        }
    }
}

impl FarringtonOptions {
    /// The original Farrington et al. (1996) settings as in R's
    /// `algo.farrington` (b = 5, w = 3, residual threshold 1, delta method)
    /// for a series with `freq` periods a year.
    pub fn original(freq: usize) -> Self {
        FarringtonOptions { weights_threshold: 1.0, freq, ..Self::default() }
    }

    /// The Noufaily et al. (2013) settings as the surveillance documentation
    /// and Salmon et al. (2016) give them: 10-level seasonal factor, the last
    /// 26 weeks (half a year: `freq / 2` periods) left out, residual threshold
    /// 2.58, trend always tried (`pThresholdTrend = 1`), negative binomial
    /// plug-in quantile; b = 5, w = 3.
    pub fn noufaily(freq: usize) -> Self {
        FarringtonOptions {
            no_periods: 10,
            past_weeks_not_included: Some(freq / 2),
            p_threshold_trend: 1.0,
            threshold_method: ThresholdMethod::NbPlugin,
            freq,
            ..Self::default()
        }
    }

    /// The first 0-based period that has a full baseline: `b·freq + w`
    /// (R's default `range` starts at `freq·b + w + 1`, 1-based).
    pub fn first_period(&self) -> usize {
        self.b.saturating_mul(self.freq).saturating_add(self.w)
    }
}

/// The outcome for one period, with R's names.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FarringtonResult {
    /// The period (0-based index into the series).
    pub t: usize,
    /// The observed count at `t`.
    pub observed: f64,
    /// The fitted mean at `t` (R's `expected`); `None` where R has `NA`
    /// (too few recent cases, or no upper bound).
    pub expected: Option<f64>,
    /// The fitted mean at `t` whatever [`FarringtonOptions::limit54`] says.
    pub fitted: f64,
    /// The upper bound (R's `upperbound`); `None` where R has `NA`.
    pub upperbound: Option<f64>,
    /// Whether the observed count is above the bound (R's `alarm`): enough
    /// recent cases, score above 1 and a non-zero count.
    pub alarm: bool,
    /// Whether the time trend was kept in the final model.
    pub trend: bool,
    /// The dispersion used for the bound, at least 1 (R's `phiVector`).
    pub phi: f64,
    /// The exceedance score (R's `score`): above 1 means above the bound.
    pub score: Option<f64>,
    /// Whether the last `limit54.1` periods hold at least `limit54.0` cases.
    pub enough_cases: bool,
}

/// Most baseline periods (`b · freq`) accepted, to bound the work per period.
pub const MAX_BASELINE: usize = 20_000;
/// Most seasonal factor levels accepted.
pub const MAX_PERIODS: usize = 100;

/// Runs the algorithm for period `t` (0-based) of `series`.
///
/// `Ok(None)` when the GLM converges neither with nor without the trend (R
/// gives `NA` and a warning), cannot be fitted (a rank-deficient design) or
/// cannot be reweighted (a 0/0 Anscombe residual: R stops with an error). Errors: bad options, `t` without a full
/// baseline (`t < b·freq + w`), negative or non-finite counts up to `t`.
pub fn farrington_flexible(
    series: &[f64],
    t: usize,
    opts: &FarringtonOptions,
) -> Result<Option<FarringtonResult>, AnalysisError> {
    validate(series, t, opts)?;
    evaluate(series, t, opts)
}

/// Runs the algorithm for every period from [`FarringtonOptions::first_period`]
/// to the end of the series (R's default `range`), as `(t, result)` pairs.
pub fn farrington_flexible_all(
    series: &[f64],
    opts: &FarringtonOptions,
) -> Result<Vec<(usize, Option<FarringtonResult>)>, AnalysisError> {
    let first = opts.first_period();
    if series.len() <= first {
        return Err(AnalysisError::TooFew { what: "periods", needed: first.saturating_add(1), found: series.len() });
    }
    let mut out = Vec::with_capacity(series.len() - first);
    for t in first..series.len() {
        out.push((t, farrington_flexible(series, t, opts)?));
    }
    Ok(out)
}

fn invalid(msg: impl Into<String>) -> AnalysisError {
    AnalysisError::Invalid(msg.into())
}

fn validate(series: &[f64], t: usize, o: &FarringtonOptions) -> Result<(), AnalysisError> {
    if o.b == 0 || o.freq == 0 || o.no_periods == 0 {
        return Err(invalid("b, freq and the number of seasonal periods must be at least 1"));
    }
    if o.b.saturating_mul(o.freq) > MAX_BASELINE || o.no_periods > MAX_PERIODS {
        return Err(AnalysisError::TooLarge(format!(
            "the baseline may span at most {MAX_BASELINE} periods and the seasonal factor {MAX_PERIODS} levels"
        )));
    }
    if !(o.alpha > 0.0 && o.alpha < 1.0) {
        return Err(invalid("alpha must be between 0 and 1"));
    }
    if o.p_threshold_trend.is_nan() || o.weights_threshold.is_nan() {
        return Err(invalid("the trend and weights thresholds must be numbers"));
    }
    if o.limit54.1 == 0 {
        return Err(invalid("limit54 needs a period count of at least 1"));
    }
    if t >= series.len() {
        return Err(invalid(format!("period {t} is past the end of the series ({} periods)", series.len())));
    }
    let first = o.first_period();
    if t < first {
        return Err(AnalysisError::TooFew { what: "earlier periods", needed: first, found: t });
    }
    let past = o.past_weeks_not_included.unwrap_or(o.w);
    if past > t || o.limit54.1 > t + 1 {
        return Err(invalid("the left-out recent periods and limit54 must fit in the series before t"));
    }
    if o.no_periods > 1 {
        // R: period = freq − 2w − 1 between windows; it stops when this is
        // below noPeriods − (2w + 1). A negative gap (overlapping windows) is
        // refused here too.
        let period = o.freq as i64 - 2 * o.w as i64 - 1;
        if period < 0 || period < o.no_periods as i64 - (2 * o.w as i64 + 1) {
            return Err(invalid("too many seasonal periods for the gap between baseline windows"));
        }
    }
    if series[..=t].iter().any(|x| !x.is_finite() || *x < 0.0) {
        return Err(invalid("counts must be finite and not negative"));
    }
    Ok(())
}

/// R's `a:b` as 1-based indices (counts down when `b < a`).
fn r_colon(a: i64, b: i64) -> Vec<i64> {
    if a <= b {
        (a..=b).collect()
    } else {
        (b..=a).rev().collect()
    }
}

/// R's `blocks()`: the seasonal level of each 1-based position up to `k`.
fn blocks(k: i64, b: usize, w: i64, p: usize, freq: i64) -> Vec<Option<usize>> {
    let mut f: Vec<Option<usize>> = vec![None; k as usize + 1];
    let mut set = |idx: &[i64], level: usize| {
        for &i in idx {
            if i >= 1 && i <= k {
                f[i as usize] = Some(level);
            }
        }
    };
    set(&r_colon(k - w, k), p);
    // referenceWeeks[i] = k − (i − 1)·freq (R reverses the ascending list).
    let reference = |i: usize| k - (i as i64 - 1) * freq;
    for i in 1..=b {
        let ref_week = reference(i + 1);
        set(&r_colon(ref_week - w, ref_week + w), p);
        if p != 1 {
            let period = reference(i) - 2 * w - 1 - ref_week;
            let levels = p as i64 - 1;
            let length = period.div_euclid(levels);
            let rest = period.rem_euclid(levels);
            let mut lengths = vec![0i64; p];
            for (j, len) in lengths.iter_mut().enumerate().skip(1) {
                *len = length + i64::from((j as i64) <= rest);
            }
            let mut cum = vec![0i64; p];
            let mut acc = 0;
            for j in 0..p {
                acc += lengths[j];
                cum[j] = acc;
            }
            for j in 1..p {
                let start = ref_week + w + 1 + cum[j - 1];
                let end = ref_week + w + 1 + cum[j] - 1;
                set(&r_colon(start, end), j);
            }
        }
    }
    f
}

/// The baseline of period `t` (0-based) as 1-based positions with their
/// seasonal level (R's `dataGLM` rows: the blocks before the left-out
/// recent periods).
fn baseline_positions(t: usize, o: &FarringtonOptions) -> Vec<(usize, usize)> {
    let k = t as i64 + 1;
    let past = o.past_weeks_not_included.unwrap_or(o.w) as i64;
    let levels_at = blocks(k, o.b, o.w as i64, o.no_periods, o.freq as i64);
    (1..k - past).filter_map(|pos| levels_at[pos as usize].map(|level| (pos as usize, level))).collect()
}

/// How many baseline periods each seasonal level present in the baseline of
/// period `t` holds, by level (one level when `no_periods` is 1). The same
/// checks as [`farrington_flexible`] (the series only gives its length).
pub fn baseline_level_sizes(
    series: &[f64],
    t: usize,
    opts: &FarringtonOptions,
) -> Result<std::collections::BTreeMap<usize, usize>, AnalysisError> {
    validate(series, t, opts)?;
    let mut sizes = std::collections::BTreeMap::new();
    for (_, level) in baseline_positions(t, opts) {
        *sizes.entry(level).or_insert(0) += 1;
    }
    Ok(sizes)
}

fn evaluate(series: &[f64], t: usize, o: &FarringtonOptions) -> Result<Option<FarringtonResult>, AnalysisError> {
    let k = t as i64 + 1;
    let mut wtime = Vec::new();
    let mut groups = Vec::new();
    let mut y = Vec::new();
    for (pos, level) in baseline_positions(t, o) {
        wtime.push(pos as f64);
        groups.push(level);
        y.push(series[pos - 1]);
    }
    let data = Baseline::new(wtime, groups, y, o.no_periods > 1);
    let Some(model) = data.fit_flexible(o.trend, o) else { return Ok(None) };

    let now_time = k as f64;
    let mut with_trend = model.trend;
    let mut model = model;
    if with_trend {
        let (eta, _) = data.predict(&model, now_time, o.no_periods);
        let fit_response = linkinv(eta);
        let significant = model.trend_p_value().is_some_and(|p| p < o.p_threshold_trend);
        let max_y = data.y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let keep = o.b >= 3 && significant && fit_response <= max_y;
        if !keep {
            with_trend = false;
            match data.fit_flexible(false, o) {
                Some(m) => model = m,
                None => return Ok(None),
            }
        }
    }
    let (eta0, se_eta) = data.predict(&model, now_time, o.no_periods);
    let y_now = series[t];
    let phi = model.phi;
    let (fit, upper, score) = match o.threshold_method {
        ThresholdMethod::Delta => {
            let mu0 = linkinv(eta0);
            let se_fit = se_eta * mu0.max(f64::EPSILON);
            let upper = delta_upper(mu0, se_fit, phi, o.pow_trans, o.alpha);
            (mu0, upper, upper.map(|u| (y_now - mu0) / (u - mu0)))
        }
        ThresholdMethod::NbPlugin | ThresholdMethod::Muan => {
            let mu_q = if o.threshold_method == ThresholdMethod::NbPlugin {
                eta0.exp()
            } else {
                (eta0 + qnorm(1.0 - o.alpha) * se_eta).exp()
            };
            let upper = if mu_q.is_finite() { Some(count_quantile(1.0 - o.alpha, mu_q, phi)?) } else { None };
            (eta0.exp(), upper, upper.map(|u| (y_now - eta0) / (u - eta0)))
        }
    };
    let recent: f64 = series[(t + 1 - o.limit54.1)..=t].iter().sum();
    let enough_cases = recent >= o.limit54.0 as f64;
    let alarm = enough_cases && score.is_some_and(|s| s > 1.0) && y_now != 0.0;
    Ok(Some(FarringtonResult {
        t,
        observed: y_now,
        expected: if enough_cases && upper.is_some() { Some(fit) } else { None },
        fitted: fit,
        upperbound: if enough_cases { upper } else { None },
        alarm,
        trend: with_trend,
        phi,
        score,
        enough_cases,
    }))
}

/// R's `algo.farrington.threshold.farrington` upper bound (`None` for `NA`).
fn delta_upper(mu0: f64, se_fit: f64, phi: f64, pow: PowerTransform, alpha: f64) -> Option<f64> {
    let tau = phi + se_fit * se_fit / mu0;
    let e = pow.exponent();
    let se = match pow {
        PowerTransform::None => (mu0 * tau).sqrt(),
        PowerTransform::Half => (0.25 * tau).sqrt(),
        PowerTransform::TwoThirds => (4.0 / 9.0 * mu0.powf(1.0 / 3.0) * tau).sqrt(),
    };
    let z = qnorm(1.0 - alpha);
    let a = (mu0.powf(e) - z * se).powf(1.0 / e);
    let b = (mu0.powf(e) + z * se).powf(1.0 / e);
    // sort(c(a, b), na.last = FALSE)[2]: the larger, or the one that is not NaN.
    match (a.is_nan(), b.is_nan()) {
        (true, true) => None,
        (true, false) => Some(b),
        (false, true) => Some(a),
        (false, false) => Some(a.max(b)),
    }
}

fn linkinv(eta: f64) -> f64 {
    eta.exp().max(f64::EPSILON)
}

/// The GLM data of one period (R's `dataGLM`).
struct Baseline {
    wtime: Vec<f64>,
    groups: Vec<usize>,
    y: Vec<f64>,
    /// Sorted distinct levels when the seasonal factor is used.
    levels: Vec<usize>,
}

/// A fitted quasi-Poisson GLM, as much of R's `glm` object as is used.
struct Model {
    trend: bool,
    coef: Vec<f64>,
    /// Inverse of the R factor of the last IRLS step's weighted QR.
    rinv: Vec<Vec<f64>>,
    dispersion: f64,
    df_residual: usize,
    phi: f64,
}

impl Model {
    /// `summary.glm` p-value of the trend coefficient (column 1).
    fn trend_p_value(&self) -> Option<f64> {
        if !self.trend || self.df_residual == 0 {
            return None;
        }
        let var: f64 = self.rinv[1].iter().map(|v| v * v).sum::<f64>() * self.dispersion;
        let tval = self.coef[1] / var.sqrt();
        let df = self.df_residual as f64;
        let p = incomplete_beta(df / 2.0, 0.5, df / (df + tval * tval));
        p.is_finite().then_some(p)
    }
}

/// Raw IRLS output.
struct Irls {
    coef: Vec<f64>,
    mu: Vec<f64>,
    rinv: Vec<Vec<f64>>,
    /// Square roots of the last step's working weights.
    sqrt_w: Vec<f64>,
    /// Working residuals at the final fit.
    resid: Vec<f64>,
    dispersion: f64,
    df_residual: usize,
    converged: bool,
}

impl Baseline {
    fn new(wtime: Vec<f64>, groups: Vec<usize>, y: Vec<f64>, factors: bool) -> Self {
        let mut levels = Vec::new();
        if factors {
            levels = groups.clone();
            levels.sort_unstable();
            levels.dedup();
        }
        Baseline { wtime, groups, y, levels }
    }

    fn row(&self, trend: bool, time: f64, group: usize) -> Vec<f64> {
        let mut r = vec![1.0];
        if trend {
            r.push(time);
        }
        for &l in self.levels.iter().skip(1) {
            r.push(if group == l { 1.0 } else { 0.0 });
        }
        r
    }

    fn design(&self, trend: bool) -> Vec<Vec<f64>> {
        self.wtime.iter().zip(&self.groups).map(|(&t, &g)| self.row(trend, t, g)).collect()
    }

    /// R's `algo.farrington.fitGLM.flexible`: fit (falling back to no trend
    /// when the fit does not converge), then reweight once.
    fn fit_flexible(&self, trend: bool, o: &FarringtonOptions) -> Option<Model> {
        let mut trend = trend;
        let mut x = self.design(trend);
        let mut fit = irls(&x, &self.y, None)?;
        if !fit.converged {
            if trend {
                trend = false;
                x = self.design(false);
                fit = irls(&x, &self.y, None)?;
            }
            if !fit.converged {
                return None;
            }
        }
        let mut phi = fit.dispersion.max(1.0);
        if o.reweight {
            let s: Vec<f64> = (0..self.y.len())
                .map(|i| {
                    let h = hat(&x[i], fit.sqrt_w[i], &fit.rinv);
                    let (yi, mu) = (self.y[i], fit.mu[i]);
                    1.5 * (yi.powf(2.0 / 3.0) * mu.powf(-1.0 / 6.0) - mu.sqrt()) / (phi * (1.0 - h)).sqrt()
                })
                .collect();
            // A 0/0 residual (an exact fit at a hat value of 1) makes R's
            // weights all NA and its refit stop with an error: no result.
            if s.iter().any(|v| v.is_nan()) {
                return None;
            }
            let omega = assign_weights(&s, o.weights_threshold);
            fit = irls(&x, &self.y, Some(&omega))?;
            phi = fit.dispersion.max(1.0);
            // R then stores omega as the model's `weights`, the slot where
            // glm keeps the working weights, so every later summary.glm (the
            // trend test) and predict.glm (the standard error) computes the
            // dispersion as sum(omega · r²) / df with the working residuals r.
            let weighted: f64 = omega.iter().zip(&fit.resid).map(|(w, r)| w * r * r).sum();
            fit.dispersion = weighted / fit.df_residual as f64;
        }
        Some(Model {
            trend,
            coef: fit.coef,
            rinv: fit.rinv,
            dispersion: fit.dispersion,
            df_residual: fit.df_residual,
            phi,
        })
    }

    /// Linear predictor and its standard error at time `time` in the
    /// current-window level `p` (R's `predict.glm(..., se.fit = TRUE)` with the
    /// fit's own dispersion).
    fn predict(&self, m: &Model, time: f64, p: usize) -> (f64, f64) {
        let x0 = self.row(m.trend, time, p);
        let eta: f64 = x0.iter().zip(&m.coef).map(|(a, b)| a * b).sum();
        // x0' (R'R)^-1 x0 = |Rinv' x0|^2
        let q = quad(&x0, &m.rinv);
        (eta, (q * m.dispersion).sqrt())
    }
}

/// |Rinv' x|^2 for an upper-triangular inverse `rinv` (rows).
fn quad(x: &[f64], rinv: &[Vec<f64>]) -> f64 {
    let p = x.len();
    (0..p)
        .map(|j| {
            // (Rinv' x)_j = sum_i rinv[i][j] x_i
            let v: f64 = (0..=j).map(|i| rinv[i][j] * x[i]).sum();
            v * v
        })
        .sum()
}

/// Hat value of a row (R's `hatvalues`, with its rounding to 1).
fn hat(x: &[f64], sqrt_w: f64, rinv: &[Vec<f64>]) -> f64 {
    let h = quad(x, rinv) * sqrt_w * sqrt_w;
    if h > 1.0 - 10.0 * f64::EPSILON {
        1.0
    } else {
        h
    }
}

/// R's `algo.farrington.assign.weights`.
fn assign_weights(s: &[f64], threshold: f64) -> Vec<f64> {
    let denom: f64 = s.iter().map(|&si| if si > threshold { si.powi(-2) } else { 1.0 }).sum();
    let gamma = s.len() as f64 / denom;
    s.iter().map(|&si| if si > threshold { gamma * si.powi(-2) } else { gamma }).collect()
}

/// Poisson deviance (R's `poisson()$dev.resids` summed).
fn deviance(y: &[f64], mu: &[f64], wt: &[f64]) -> f64 {
    y.iter()
        .zip(mu)
        .zip(wt)
        .map(|((&y, &mu), &w)| if y > 0.0 { 2.0 * w * (y * (y / mu).ln() - (y - mu)) } else { 2.0 * mu * w })
        .sum()
}

/// R's `glm.fit` for `quasipoisson(link = "log")`: start at `y + 0.1`, at most
/// 25 IRLS steps, stop when the relative deviance change is below 1e-8.
/// `None` when a step gives a rank-deficient design (R would drop the
/// aliased column) or a non-finite deviance (R would halve the step).
fn irls(x: &[Vec<f64>], y: &[f64], prior: Option<&[f64]>) -> Option<Irls> {
    let n = y.len();
    let p = x.first().map_or(0, Vec::len);
    if n <= p || p == 0 {
        return None;
    }
    let ones = vec![1.0; n];
    let wt = prior.unwrap_or(&ones);
    let mut eta: Vec<f64> = y.iter().map(|&v| (v + 0.1).ln()).collect();
    let mut mu: Vec<f64> = eta.iter().map(|&e| linkinv(e)).collect();
    let mut devold = deviance(y, &mu, wt);
    let mut converged = false;
    let mut last = None;
    for _ in 0..25 {
        let mut a = vec![vec![0.0; p]; n];
        let mut z = vec![0.0; n];
        let mut sqrt_w = vec![0.0; n];
        for i in 0..n {
            let mu_eta = linkinv(eta[i]);
            let zi = eta[i] + (y[i] - mu[i]) / mu_eta;
            let wi = (wt[i] * mu_eta * mu_eta / mu[i]).sqrt();
            sqrt_w[i] = wi;
            z[i] = zi * wi;
            for j in 0..p {
                a[i][j] = x[i][j] * wi;
            }
        }
        let (coef, rinv) = least_squares(a, z)?;
        if coef.iter().any(|c| !c.is_finite()) {
            break;
        }
        for i in 0..n {
            eta[i] = x[i].iter().zip(&coef).map(|(a, b)| a * b).sum();
            mu[i] = linkinv(eta[i]);
        }
        let dev = deviance(y, &mu, wt);
        if !dev.is_finite() {
            return None;
        }
        let done = (dev - devold).abs() / (dev.abs() + 0.1) < 1e-8;
        last = Some((coef, rinv, sqrt_w));
        if done {
            converged = true;
            break;
        }
        devold = dev;
    }
    let (coef, rinv, sqrt_w) = last?;
    let df_residual = n - p;
    // Working residuals at the final fit, working weights of the last step.
    let resid: Vec<f64> = (0..n).map(|i| (y[i] - mu[i]) / linkinv(eta[i])).collect();
    let pearson: f64 = resid.iter().zip(&sqrt_w).map(|(r, w)| w * w * r * r).sum();
    let dispersion = pearson / df_residual as f64;
    Some(Irls { coef, mu, rinv, sqrt_w, resid, dispersion, df_residual, converged })
}

/// Least squares by Householder QR: the coefficients and the inverse of R.
/// `None` when a column is (numerically) dependent on the earlier ones,
/// with R's `glm.fit` tolerance (1e-11 of the column's norm).
#[allow(clippy::needless_range_loop)] // row-major matrix, column operations
fn least_squares(mut a: Vec<Vec<f64>>, mut z: Vec<f64>) -> Option<(Vec<f64>, Vec<Vec<f64>>)> {
    let n = a.len();
    let p = a.first().map_or(0, Vec::len);
    let norms: Vec<f64> = (0..p).map(|j| a.iter().map(|r| r[j] * r[j]).sum::<f64>().sqrt()).collect();
    for j in 0..p {
        let norm = (j..n).map(|i| a[i][j] * a[i][j]).sum::<f64>().sqrt();
        if norm.is_nan() || norm <= 1e-11 * norms[j] {
            return None;
        }
        let alpha = if a[j][j] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = (j..n).map(|i| a[i][j]).collect();
        v[0] -= alpha;
        let vnorm2: f64 = v.iter().map(|x| x * x).sum();
        if vnorm2 > 0.0 {
            for c in j..p {
                let d: f64 = (j..n).map(|i| v[i - j] * a[i][c]).sum::<f64>() * 2.0 / vnorm2;
                for i in j..n {
                    a[i][c] -= d * v[i - j];
                }
            }
            let d: f64 = (j..n).map(|i| v[i - j] * z[i]).sum::<f64>() * 2.0 / vnorm2;
            for i in j..n {
                z[i] -= d * v[i - j];
            }
        }
    }
    // Invert the upper-triangular R.
    let mut rinv = vec![vec![0.0; p]; p];
    for j in 0..p {
        rinv[j][j] = 1.0 / a[j][j];
        for i in (0..j).rev() {
            let s: f64 = ((i + 1)..=j).map(|m| a[i][m] * rinv[m][j]).sum();
            rinv[i][j] = -s / a[i][i];
        }
    }
    let coef = (0..p).map(|i| (i..p).map(|j| rinv[i][j] * z[j]).sum()).collect();
    Some((coef, rinv))
}

/// Most terms summed for one count quantile.
const MAX_QUANTILE_TERMS: usize = 10_000_000;

/// The `prob` quantile of the count distribution with mean `mu` and
/// variance `phi·mu`: negative binomial (R's `qnbinom(prob, mu/(phi−1),
/// 1/phi)`) when `phi > 1`, else Poisson (`qpois`). The smallest `x` with
/// `P(X ≤ x) ≥ prob·(1 − 64ε)`, the probabilities summed term by term in
/// log space from 30 standard deviations below the mean.
fn count_quantile(prob: f64, mu: f64, phi: f64) -> Result<f64, AnalysisError> {
    if mu <= 0.0 {
        return Ok(0.0);
    }
    let nb = phi > 1.0;
    let (size, q) = (mu / (phi - 1.0), 1.0 - 1.0 / phi);
    let sd = (mu * phi.max(1.0)).sqrt();
    let start = (mu - 30.0 * sd).floor().max(0.0);
    // log of term ratio P(x + 1) / P(x)
    let ratio = |x: f64| if nb { ((size + x) / (x + 1.0)).ln() + q.ln() } else { mu.ln() - (x + 1.0).ln() };
    let mut logs = vec![0.0f64];
    let mut x = start;
    let mut max = 0.0f64;
    loop {
        let r = ratio(x);
        let next = logs[logs.len() - 1] + r;
        x += 1.0;
        max = max.max(next);
        logs.push(next);
        // Past the mode, stop once the remaining tail is negligible: the
        // ratio is at most max(r, q) from here on (q bounds it when size < 1).
        let rmax = if nb { r.exp().max(if size < 1.0 { q } else { 0.0 }) } else { r.exp() };
        if x > mu && rmax < 1.0 && next - max + (rmax / (1.0 - rmax)).ln() < -50.0 {
            break;
        }
        if logs.len() > MAX_QUANTILE_TERMS {
            return Err(AnalysisError::TooLarge("the expected count is too large for the count quantile".into()));
        }
    }
    let total: f64 = logs.iter().map(|l| (l - max).exp()).sum();
    let target = prob * (1.0 - 64.0 * f64::EPSILON) * total;
    let mut cum = 0.0;
    for (i, l) in logs.iter().enumerate() {
        cum += (l - max).exp();
        if cum >= target {
            return Ok(start + i as f64);
        }
    }
    Ok(start + (logs.len() - 1) as f64)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = G[0];
    let t = x + 7.5;
    for (i, g) in G.iter().enumerate().skip(1) {
        a += g / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised incomplete beta function I_x(a, b) (continued fraction).
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=1000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        // One modified Lentz step for the coefficient `aa`: the factor h moves by.
        let mut lentz = |aa: f64| {
            d = 1.0 + aa * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + aa / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            d * c
        };
        h *= lentz(m * (b - m) * x / ((qam + m2) * (a + m2)));
        let del = lentz(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)));
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

#[cfg(test)]
#[allow(clippy::excessive_precision)] // R's printed values, 17 digits
mod tests {
    use super::*;

    #[test]
    fn two_sided_t_p_values_match_r() {
        // 2 * pt(-|t|, df) in R.
        for (t, df, r) in
            [(1.7, 10.0, 0.11996934590902038), (2.5, 3.5, 0.07569464380949005), (0.3, 40.0, 0.76573071677101912)]
        {
            let p = incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
            assert!((p - r).abs() < 1e-12, "t {t} df {df}: {p} vs {r}");
        }
        for (x, r) in [(0.5, 0.57236494292470008), (7.3, 7.14789252302224920), (1234.5, 7550.55090107789419562)] {
            assert!((ln_gamma(x) - r).abs() < 1e-12 * r.abs().max(1.0), "lgamma({x})");
        }
    }

    #[test]
    fn count_quantiles_match_r() {
        // qnbinom(0.95, 2.5, 0.4): mu = size (1 - prob) / prob, phi = 1 / prob.
        let nb = |p: f64, size: f64, prob: f64| count_quantile(p, size * (1.0 - prob) / prob, 1.0 / prob).expect("q");
        assert_eq!(nb(0.95, 2.5, 0.4), 10.0);
        assert_eq!(nb(0.99, 3000.0, 0.5), 3182.0);
        assert_eq!(nb(0.95, 0.01, 0.2), 0.0);
        assert_eq!(count_quantile(0.95, 3.2, 1.0).expect("q"), 6.0);
        assert_eq!(count_quantile(0.95, 1e-11, 1.0).expect("q"), 0.0);
    }

    #[test]
    fn r_colon_counts_down() {
        assert_eq!(r_colon(3, 5), vec![3, 4, 5]);
        assert_eq!(r_colon(5, 4), vec![5, 4]);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let opts = FarringtonOptions { b: 2, w: 1, freq: 12, ..FarringtonOptions::default() };
        let series = vec![3.0; 40];
        assert!(matches!(farrington_flexible(&series, 10, &opts), Err(AnalysisError::TooFew { .. })));
        assert!(farrington_flexible(&series, 40, &opts).is_err());
        let mut bad = series.clone();
        bad[3] = -1.0;
        assert!(farrington_flexible(&bad, 30, &opts).is_err());
        let too_many = FarringtonOptions { no_periods: 20, ..opts.clone() };
        assert!(farrington_flexible(&series, 30, &too_many).is_err());
        let flat = farrington_flexible(&series, 30, &opts).expect("runs").expect("fits");
        assert!((flat.fitted - 3.0).abs() < 1e-9 && !flat.alarm && !flat.trend);
    }

    #[test]
    fn all_zero_baseline_gives_no_alarm() {
        let opts = FarringtonOptions::noufaily(12);
        let series = vec![0.0; 80];
        for (_, r) in farrington_flexible_all(&series, &opts).expect("runs") {
            assert!(r.is_none_or(|r| !r.alarm && r.upperbound.is_none()));
        }
    }
}
