//! The standardised Poisson CUSUM of R's `surveillance::cusum` /
//! `algo.cusum` (version 1.20.3), checked against its output on real series
//! in `tests/ears_cusum.rs`, and the in-control average run length (ARL) of
//! a CUSUM of standard normal values, so that an alarm can say how often it
//! would fire by chance.
//!
//! Parameter mapping to `cusum(sts, control = list(range, k, h, m, trans))`:
//! `range` = `first..` (counting from 0: R's `range = (first + 1):n`), the
//! training periods being `0..first`; [`CusumParams::k`] = `k` (default
//! 1.04); [`CusumParams::h`] = `h` (default 2.26); [`InControlMean`] = `m`
//! (`NULL`, `"glm"` or a number); [`CusumTransform`] = `trans` (`"standard"`
//! or `"anscombe"`). R does not restart the sum after an alarm, and neither
//! does this module unless [`CusumParams::reset_after_alarm`] is set.
//!
//! With m_t the in-control mean, the standardised count is
//! z_t = (x_t − m_t) / √m_t (`"standard"`) or
//! z_t = 3/2 (x_t^{2/3} − m_t^{2/3}) / m_t^{1/6} (`"anscombe"`);
//! S_0 = 0, S_t = max(0, S_{t−1} + z_t − k), alarm when S_t ≥ h. The upper
//! bound is the smallest count that would have raised the alarm, on the count
//! scale: ⌈√m_t (h + k − S_{t−1}) + m_t⌉ for `"standard"`,
//! (2/3 m_t^{1/6} (h + k − S_{t−1}) + m_t^{2/3})^{3/2} for `"anscombe"`
//! (0 where the base is negative), floored at 0.

use crate::normal::{dnorm, pnorm};
use crate::AnalysisError;
use serde::Serialize;
use std::f64::consts::PI;

/// How counts are standardised (R `trans`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CusumTransform {
    /// (x − m) / √m (R `"standard"`, the default).
    Standard,
    /// Anscombe residual 3/2 (x^{2/3} − m^{2/3}) / m^{1/6} (R `"anscombe"`).
    Anscombe,
}

/// How the in-control mean is estimated from the training periods (R `m`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum InControlMean {
    /// The mean of the training periods (R `m = NULL`, the default).
    TrainingMean,
    /// A Poisson GLM log μ = β0 + β1 cos(2π τ / period) + β2 sin(2π τ / period)
    /// fitted to the training periods, where τ = `start` + index (R
    /// `m = "glm"`, with `period` = `freq` and `start` = `start[2]` of the
    /// sts: for monthly data starting in January, period 12 and start 1).
    Glm {
        /// Periods in a year (R `freq`).
        period: f64,
        /// Position of the first period within its year (R `start[2]`).
        start: f64,
    },
    /// A fixed mean (R `m` numeric).
    Fixed(f64),
}

/// Parameters of [`cusum`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CusumParams {
    /// Reference value (R `k`, default 1.04).
    pub k: f64,
    /// Decision boundary (R `h`, default 2.26).
    pub h: f64,
    /// Standardisation (R `trans`).
    pub transform: CusumTransform,
    /// In-control mean (R `m`).
    pub mean: InControlMean,
    /// Restart the sum at 0 after an alarm (R never does: default false).
    pub reset_after_alarm: bool,
}

impl Default for CusumParams {
    /// R's defaults: k = 1.04, h = 2.26, `"standard"`, `m = NULL`, no reset.
    fn default() -> Self {
        CusumParams {
            k: 1.04,
            h: 2.26,
            transform: CusumTransform::Standard,
            mean: InControlMean::TrainingMean,
            reset_after_alarm: false,
        }
    }
}

/// The CUSUM at one monitored period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CusumPoint {
    /// Period index in the series (from 0).
    pub t: usize,
    /// Observed count.
    pub observed: f64,
    /// In-control mean m_t.
    pub expected: f64,
    /// Standardised count z_t.
    pub standardised: f64,
    /// The sum S_t.
    pub statistic: f64,
    /// Smallest count that would have raised the alarm (R's upperbound).
    pub upperbound: f64,
    /// S_t ≥ h.
    pub alarm: bool,
}

/// Runs the CUSUM over the periods `first..` of a count series (oldest
/// first), with the in-control mean estimated from the periods `0..first`.
///
/// Errors: `first` 0 or not before the end (or, for the GLM, fewer than 3
/// training periods), a negative or non-finite count, `k` or `h` not finite
/// or `h` not positive, all training counts 0 (the mean would be 0), a
/// non-positive fixed mean, or a GLM that cannot be fitted.
pub fn cusum(observed: &[f64], first: usize, params: &CusumParams) -> Result<Vec<CusumPoint>, AnalysisError> {
    if first == 0 {
        return Err(AnalysisError::TooFew { what: "training periods", needed: 1, found: 0 });
    }
    if first >= observed.len() {
        return Err(AnalysisError::TooFew { what: "periods", needed: first + 1, found: observed.len() });
    }
    if observed.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return Err(AnalysisError::Invalid("every count must be a finite number, 0 or more".into()));
    }
    if !params.k.is_finite() || !params.h.is_finite() || params.h <= 0.0 {
        return Err(AnalysisError::Invalid("the CUSUM k must be finite and h positive".into()));
    }
    let training = &observed[..first];
    let monitored = &observed[first..];
    if !matches!(params.mean, InControlMean::Fixed(_)) && training.iter().all(|v| *v == 0.0) {
        return Err(AnalysisError::NoVariation("0".into()));
    }
    let means: Vec<f64> = match params.mean {
        InControlMean::TrainingMean => {
            let n = training.len() as f64;
            let m = training.iter().sum::<f64>() / n;
            let m = m + training.iter().map(|x| x - m).sum::<f64>() / n;
            vec![m; monitored.len()]
        }
        InControlMean::Fixed(m) => {
            if !(m.is_finite() && m > 0.0) {
                return Err(AnalysisError::Invalid("the in-control mean must be positive".into()));
            }
            vec![m; monitored.len()]
        }
        InControlMean::Glm { period, start } => {
            if !(period.is_finite() && period > 0.0 && start.is_finite()) {
                return Err(AnalysisError::Invalid("the GLM needs a positive period".into()));
            }
            if training.len() < 3 {
                return Err(AnalysisError::TooFew { what: "training periods", needed: 3, found: training.len() });
            }
            let row = |i: usize| {
                let tau = start + i as f64;
                let a = 2.0 * PI / period * tau;
                [1.0, a.cos(), a.sin()]
            };
            let rows: Vec<[f64; 3]> = (0..first).map(row).collect();
            let beta = poisson_glm(&rows, training)?;
            (first..observed.len())
                .map(|i| {
                    let r = row(i);
                    (beta[0] * r[0] + beta[1] * r[1] + beta[2] * r[2]).exp()
                })
                .collect()
        }
    };
    let (k, h) = (params.k, params.h);
    let mut s_prev = 0.0;
    let points = monitored
        .iter()
        .zip(&means)
        .enumerate()
        .map(|(j, (&x, &m))| {
            let z = match params.transform {
                CusumTransform::Standard => (x - m) / m.sqrt(),
                CusumTransform::Anscombe => 1.5 * (x.powf(2.0 / 3.0) - m.powf(2.0 / 3.0)) / m.powf(1.0 / 6.0),
            };
            let s = (s_prev + (z - k)).max(0.0);
            let alarm = s >= h;
            let bound = match params.transform {
                CusumTransform::Standard => (m.sqrt() * (h + k - s_prev) + m).ceil(),
                CusumTransform::Anscombe => {
                    let base = 2.0 / 3.0 * m.powf(1.0 / 6.0) * (h + k - s_prev) + m.powf(2.0 / 3.0);
                    if base < 0.0 {
                        0.0
                    } else {
                        base.powf(1.5)
                    }
                }
            };
            let upperbound = if bound.is_nan() { 0.0 } else { bound.max(0.0) };
            s_prev = if alarm && params.reset_after_alarm { 0.0 } else { s };
            CusumPoint { t: first + j, observed: x, expected: m, standardised: z, statistic: s, upperbound, alarm }
        })
        .collect();
    Ok(points)
}

/// Fits a Poisson GLM with log link by iteratively reweighted least squares
/// as R's `glm.fit` does: start μ = y + 0.1, stop when
/// |dev − dev_old| / (|dev| + 0.1) < 1e-8, at most 25 iterations.
fn poisson_glm(rows: &[[f64; 3]], y: &[f64]) -> Result<[f64; 3], AnalysisError> {
    let deviance = |mu: &[f64]| -> f64 {
        y.iter().zip(mu).map(|(&yi, &mi)| 2.0 * (if yi == 0.0 { 0.0 } else { yi * (yi / mi).ln() } - (yi - mi))).sum()
    };
    let mut eta: Vec<f64> = y.iter().map(|v| (v + 0.1).ln()).collect();
    let mut mu: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
    let mut dev_old = deviance(&mu);
    let mut beta = [0.0; 3];
    for _ in 0..25 {
        // Weighted least squares of the working response on the rows, weight μ.
        let mut xtwx = [[0.0; 3]; 3];
        let mut xtwz = [0.0; 3];
        for ((r, &yi), (&e, &m)) in rows.iter().zip(y).zip(eta.iter().zip(&mu)) {
            let z = e + (yi - m) / m;
            for a in 0..3 {
                xtwz[a] += m * r[a] * z;
                for b in 0..3 {
                    xtwx[a][b] += m * r[a] * r[b];
                }
            }
        }
        beta = solve3(xtwx, xtwz)
            .ok_or_else(|| AnalysisError::Invalid("the seasonal GLM cannot be fitted to these periods".into()))?;
        eta = rows.iter().map(|r| beta[0] * r[0] + beta[1] * r[1] + beta[2] * r[2]).collect();
        mu = eta.iter().map(|e| e.exp().max(f64::EPSILON)).collect();
        let dev = deviance(&mu);
        if !dev.is_finite() {
            return Err(AnalysisError::Invalid("the seasonal GLM did not converge".into()));
        }
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < 1e-8 {
            break;
        }
        dev_old = dev;
    }
    Ok(beta)
}

/// Solves a 3×3 system by Gaussian elimination with partial pivoting.
fn solve3(a: [[f64; 3]; 3], b: [f64; 3]) -> Option<[f64; 3]> {
    let mut m: Vec<Vec<f64>> = a.iter().zip(b).map(|(r, bi)| vec![r[0], r[1], r[2], bi]).collect();
    let scale = a.iter().flatten().fold(0.0f64, |s, v| s.max(v.abs()));
    solve(&mut m, scale * 1e-12)?;
    Some([m[0][3], m[1][3], m[2][3]])
}

/// Gauss–Jordan elimination with partial pivoting on an n × (n + 1)
/// augmented matrix; the solution is left in the last column. None when a
/// pivot is below `tiny`.
fn solve(m: &mut [Vec<f64>], tiny: f64) -> Option<()> {
    let n = m.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() <= tiny || !m[pivot][col].is_finite() {
            return None;
        }
        m.swap(col, pivot);
        let p = m[col][col];
        for v in m[col].iter_mut() {
            *v /= p;
        }
        let pivot_row = m[col].clone();
        for (i, row) in m.iter_mut().enumerate() {
            if i != col && row[col] != 0.0 {
                let f = row[col];
                for (v, pv) in row.iter_mut().zip(&pivot_row) {
                    *v -= f * pv;
                }
            }
        }
    }
    Some(())
}

/// Gauss–Legendre nodes and weights on [0, h].
fn gauss_legendre(n: usize, h: f64) -> Vec<(f64, f64)> {
    (1..=n)
        .map(|i| {
            let nf = n as f64;
            let mut x = (PI * (i as f64 - 0.25) / (nf + 0.5)).cos();
            let mut dp = 1.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, x);
                for j in 2..=n {
                    let jf = j as f64;
                    let p2 = ((2.0 * jf - 1.0) * x * p1 - (jf - 1.0) * p0) / jf;
                    p0 = p1;
                    p1 = p2;
                }
                dp = nf * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / dp;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            let w = 2.0 / ((1.0 - x * x) * dp * dp);
            (h / 2.0 * (x + 1.0), h / 2.0 * w)
        })
        .collect()
}

/// Average run length, from S_0 = 0, of the one-sided CUSUM
/// S_t = max(0, S_{t−1} + Z_t − k), alarm at S_t ≥ h, when the Z_t are
/// independent N(`shift`, 1); `shift` = 0 gives the in-control ARL.
///
/// Method: the integral equation of the ARL (Page 1954; Brook and Evans
/// 1972 as the limit of their Markov chain),
/// L(u) = 1 + Φ(k − u − δ) L(0) + ∫₀ʰ L(y) φ(y − u + k − δ) dy,
/// solved by the Nyström method with 64 Gauss–Legendre nodes, as R's
/// `spc::xcusum.arl` does (Vance 1986; Knoth). It agrees with
/// `spc::xcusum.arl` 0.6.7 to 1e-9: k = 0.5, h = 4 gives 335.37 and h = 5
/// gives 930.89, i.e. 168 and 465 for the two-sided chart, the values in
/// Montgomery, Introduction to Statistical Quality Control, Table 9.3 (they
/// are half the one-sided ARL). For the standardised Poisson CUSUM this is
/// the large-count (normal) approximation. Returns None for non-finite
/// arguments or h ≤ 0.
pub fn arl(k: f64, h: f64, shift: f64) -> Option<f64> {
    if !(k.is_finite() && h.is_finite() && shift.is_finite() && h > 0.0) {
        return None;
    }
    let nodes = gauss_legendre(64, h);
    let n = nodes.len();
    let d = k - shift;
    // Unknowns: L(0), then L at the nodes.
    let points: Vec<f64> = std::iter::once(0.0).chain(nodes.iter().map(|&(y, _)| y)).collect();
    let mut m: Vec<Vec<f64>> = points
        .iter()
        .enumerate()
        .map(|(i, &u)| {
            let mut row = vec![0.0; n + 2];
            row[i] += 1.0;
            row[0] -= pnorm(d - u);
            for (j, &(y, w)) in nodes.iter().enumerate() {
                row[j + 1] -= w * dnorm(y - u + d);
            }
            row[n + 1] = 1.0;
            row
        })
        .collect();
    solve(&mut m, 1e-300)?;
    let l0 = m[0][n + 1];
    (l0.is_finite() && l0 > 0.0).then_some(l0)
}

/// Poisson probabilities p(x) for x in `lo..` (a vector starting at `lo`),
/// covering all but about 1e-17 of the mass; computed from the mode outwards
/// so that large means do not underflow.
fn poisson_pmf(m: f64) -> (usize, Vec<f64>) {
    let mode = m.floor();
    // ln(mode!) by summation for small modes, Stirling's series above.
    let ln_fact = if mode < 30.0 {
        (1..=mode as usize).map(|i| (i as f64).ln()).sum::<f64>()
    } else {
        let n = mode;
        n * n.ln() - n + 0.5 * (2.0 * PI * n).ln() + 1.0 / (12.0 * n) - 1.0 / (360.0 * n.powi(3))
            + 1.0 / (1260.0 * n.powi(5))
    };
    let p_mode = (mode * m.ln() - m - ln_fact).exp();
    let tiny = 1e-17 * p_mode;
    let mut up = vec![p_mode];
    let mut x = mode;
    while let Some(&last) = up.last() {
        let next = last * m / (x + 1.0);
        if next < tiny {
            break;
        }
        up.push(next);
        x += 1.0;
    }
    let mut down = Vec::new();
    let (mut x, mut last) = (mode, p_mode);
    while x >= 1.0 {
        let next = last * x / m;
        if next < tiny {
            break;
        }
        down.push(next);
        last = next;
        x -= 1.0;
    }
    let lo = mode as usize - down.len();
    down.reverse();
    down.extend(up);
    (lo, down)
}

/// In-control average run length, from S_0 = 0, of the standardised CUSUM
/// of [`cusum`] (`"standard"`, no reset) when the counts are Poisson with
/// the constant mean `m` it was standardised with: the exact value for
/// counts, where [`arl`] is the large-count approximation (the two agree as
/// m grows; for small m the discrete counts change it a lot).
///
/// Method: with T = S √m and c = m + k √m, T_t = max(0, T_{t−1} + x_t − c),
/// so between two returns to 0 the state after n steps is a − n c with a
/// the integer sum of the counts. The chain on these states (n, a), alarm
/// at T ≥ h √m, is solved exactly, cut where the chance of going n steps
/// without returning to 0 or alarming is below 1e-15. None for m ≤ 0,
/// non-finite arguments, h ≤ 0, or a chain that needs more than 100,000
/// steps or h √m above 10,000.
pub fn arl_poisson(m: f64, k: f64, h: f64) -> Option<f64> {
    if !(m.is_finite() && m > 0.0 && k.is_finite() && h.is_finite() && h > 0.0) {
        return None;
    }
    let root = m.sqrt();
    let c = m + k * root;
    let big_h = h * root;
    if big_h > 10_000.0 {
        return None;
    }
    let (lo, pmf) = poisson_pmf(m);
    let pmf_at = |x: f64| -> f64 {
        if x < lo as f64 {
            return 0.0;
        }
        pmf.get((x - lo as f64) as usize).copied().unwrap_or(0.0)
    };
    // Level n holds the states a in a_lo(n)..=a_hi(n) with 0 < a − n c < H.
    let range = |n: usize| -> (f64, f64) {
        let base = n as f64 * c;
        ((base.floor() + 1.0).max(0.0), (base + big_h).ceil() - 1.0)
    };
    // Forward: the chance of each state before any return to 0 or alarm.
    let mut levels: Vec<(f64, Vec<f64>)> = vec![(0.0, vec![1.0])];
    loop {
        let n = levels.len();
        if n > 100_000 {
            return None;
        }
        let (prev_lo, prev) = &levels[n - 1];
        let (a_lo, a_hi) = range(n);
        if a_hi < a_lo {
            break;
        }
        let next: Vec<f64> = (0..=((a_hi - a_lo) as usize))
            .map(|j| {
                let a = a_lo + j as f64;
                prev.iter().enumerate().map(|(i, w)| w * pmf_at(a - (prev_lo + i as f64))).sum()
            })
            .collect();
        let mass: f64 = next.iter().sum();
        levels.push((a_lo, next));
        if mass < 1e-15 {
            break;
        }
    }
    // Backward: L(state) = A + B L(0), the last level taken as a fresh start.
    let last = levels.len() - 1;
    let mut ahead: (f64, Vec<(f64, f64)>) = (levels[last].0, vec![(0.0, 1.0); levels[last].1.len()]);
    for n in (0..last).rev() {
        let (a_lo, states) = &levels[n];
        let (next_lo, next) = &ahead;
        let here: Vec<(f64, f64)> = (0..states.len())
            .map(|j| {
                let a = a_lo + j as f64;
                let t = a - n as f64 * c;
                // Return to 0: x ≤ c − t.
                let reset: f64 = pmf.iter().enumerate().filter(|(i, _)| (lo + i) as f64 <= c - t).map(|(_, p)| p).sum();
                let (mut big_a, mut big_b) = (1.0, reset);
                for (i, (na, nb)) in next.iter().enumerate() {
                    let p = pmf_at(next_lo + i as f64 - a);
                    big_a += p * na;
                    big_b += p * nb;
                }
                (big_a, big_b)
            })
            .collect();
        ahead = (*a_lo, here);
    }
    let (a0, b0) = ahead.1[0];
    let l0 = a0 / (1.0 - b0);
    (l0.is_finite() && l0 > 0.0).then_some(l0)
}

/// Siegmund's (1985) approximation to the same ARL:
/// (e^{−2Δb} + 2Δb − 1) / (2Δ²) with Δ = `shift` − k and b = h + 1.166
/// (b² when Δ = 0). Within about 1% of [`arl`] for usual k and h.
pub fn arl_siegmund(k: f64, h: f64, shift: f64) -> f64 {
    let delta = shift - k;
    let b = h + 1.166;
    if delta.abs() < 1e-12 {
        b * b
    } else {
        ((-2.0 * delta * b).exp() + 2.0 * delta * b - 1.0) / (2.0 * delta * delta)
    }
}

/// The decision boundary h that gives the in-control [`arl`] `target` for
/// reference value k (bisection to 1e-10). None when `target` is not above
/// 1 or is out of reach (h would exceed 64).
pub fn h_for_arl(k: f64, target: f64) -> Option<f64> {
    if !(target.is_finite() && target > 1.0 && k.is_finite()) {
        return None;
    }
    // Bracket: double h from 1 until the ARL reaches the target.
    let (mut lo, mut hi) = (0.0, 1.0);
    while arl(k, hi, 0.0)? < target {
        lo = hi;
        hi *= 2.0;
        if hi > 64.0 {
            return None;
        }
    }
    while hi - lo > 1e-10 {
        let mid = 0.5 * (lo + hi);
        if arl(k, mid, 0.0)? < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(0.5 * (lo + hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arl_matches_spc_and_montgomery() {
        // R: spc::xcusum.arl(k, h, mu, r = 120), spc 0.6.7.
        for (k, h, mu, want) in [
            (0.5, 4.0, 0.0, 335.367577627220),
            (0.5, 5.0, 0.0, 930.887012063915),
            (1.04, 2.26, 0.0, 531.428230240162),
            (0.5, 4.0, 1.0, 8.383202129750),
            (1.04, 2.26, 1.5, 5.219725161862),
        ] {
            let got = arl(k, h, mu).expect("reference case");
            assert!((got - want).abs() < 1e-8 * want, "k {k} h {h} mu {mu}: {got} vs {want}");
        }
        // Montgomery Table 9.3 (two-sided chart, k = 1/2): 168 and 465.
        assert_eq!((arl(0.5, 4.0, 0.0).expect("reference case") / 2.0).round(), 168.0);
        assert_eq!((arl(0.5, 5.0, 0.0).expect("reference case") / 2.0).round(), 465.0);
    }

    #[test]
    fn siegmund_is_close() {
        for (k, h) in [(0.5, 4.0), (0.5, 5.0), (1.04, 2.26)] {
            let (a, s) = (arl(k, h, 0.0).expect("reference case"), arl_siegmund(k, h, 0.0));
            assert!((a - s).abs() / a < 0.08, "k {k} h {h}: {a} vs {s}");
        }
    }

    #[test]
    fn h_for_arl_inverts() {
        // R: spc::xcusum.crit(1.04, 500, 0) = 2.2311974892.
        let h = h_for_arl(1.04, 500.0).expect("reference case");
        assert!((h - 2.231_197_489_2).abs() < 1e-6, "{h}");
        for target in [20.0, 100.0, 370.0, 1000.0] {
            let h = h_for_arl(0.5, target).expect("reference case");
            assert!((arl(0.5, h, 0.0).expect("reference case") - target).abs() < 1e-6 * target);
        }
        assert!(h_for_arl(0.5, 0.5).is_none());
    }

    #[test]
    fn standard_cusum_by_hand() {
        // m = 100; x = 120: z = 2, S = 0.96; x = 130: z = 3, S = 2.92 ≥ 2.26.
        let x = [100.0, 100.0, 120.0, 130.0, 90.0];
        let r = cusum(&x, 2, &CusumParams::default()).expect("reference case");
        assert!((r[0].statistic - 0.96).abs() < 1e-12 && !r[0].alarm);
        assert!((r[1].statistic - 2.92).abs() < 1e-12 && r[1].alarm);
        // Bound at t = 3: ⌈10 (2.26 + 1.04 − 0.96) + 100⌉ = 124.
        assert_eq!(r[1].upperbound, 124.0);
        // No reset: S stays above h after a drop to 90 (z = −1).
        assert!((r[2].statistic - 0.88).abs() < 1e-12);
        let reset = CusumParams { reset_after_alarm: true, ..CusumParams::default() };
        let r = cusum(&x, 2, &reset).expect("reference case");
        assert_eq!(r[2].statistic, 0.0);
    }

    #[test]
    fn glm_on_a_pure_season() {
        // Counts exactly exp(3 + 0.5 cos + 0.2 sin) are fitted exactly.
        let f = |t: f64| (3.0 + 0.5 * (2.0 * PI * t / 12.0).cos() + 0.2 * (2.0 * PI * t / 12.0).sin()).exp();
        let x: Vec<f64> = (0..30).map(|i| f(1.0 + f64::from(i))).collect();
        let p = CusumParams { mean: InControlMean::Glm { period: 12.0, start: 1.0 }, ..CusumParams::default() };
        let r = cusum(&x, 24, &p).expect("reference case");
        for pt in r {
            assert!((pt.expected - pt.observed).abs() < 1e-6 * pt.observed);
        }
    }

    #[test]
    fn bad_input() {
        let p = CusumParams::default();
        assert!(cusum(&[1.0, 2.0], 0, &p).is_err());
        assert!(cusum(&[1.0, 2.0], 2, &p).is_err());
        assert!(cusum(&[0.0, 0.0, 3.0], 2, &p).is_err());
        assert!(cusum(&[-1.0, 2.0, 3.0], 2, &p).is_err());
        assert!(cusum(&[1.0, 2.0, 3.0], 2, &CusumParams { mean: InControlMean::Fixed(0.0), ..p }).is_err());
    }

    #[test]
    fn poisson_arl_tends_to_the_normal_one_and_matches_simulation() {
        use rand::{Rng, SeedableRng};
        let normal = arl(1.04, 2.26, 0.0).expect("reference case");
        let big = arl_poisson(10_000.0, 1.04, 2.26).expect("reference case");
        assert!((big - normal).abs() / normal < 0.05, "{big} vs {normal}");
        // Simulation of the CUSUM itself on Poisson(4) counts, 4000 runs.
        let m = 4.0;
        let exact = arl_poisson(m, 1.04, 2.26).expect("reference case");
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let (lo, pmf) = poisson_pmf(m);
        let runs = 4000;
        let mut total = 0.0;
        for _ in 0..runs {
            let (mut s, mut n) = (0.0f64, 0u64);
            loop {
                n += 1;
                let mut u: f64 = rng.gen();
                let mut x = lo;
                for p in &pmf {
                    if u < *p {
                        break;
                    }
                    u -= p;
                    x += 1;
                }
                s = (s + (x as f64 - m) / m.sqrt() - 1.04).max(0.0);
                if s >= 2.26 {
                    break;
                }
            }
            total += n as f64;
        }
        let mean = total / f64::from(runs);
        // The run length is roughly geometric: standard error about ARL / √runs.
        assert!((mean - exact).abs() < 4.0 * exact / f64::from(runs).sqrt(), "simulated {mean}, exact {exact}");
        assert!(arl_poisson(0.0, 1.0, 1.0).is_none());
    }
}
