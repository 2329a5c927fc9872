//! Emerging issues in a count series (weekly or monthly): the CDC EARS C1,
//! C2 and C3 rules, a Poisson CUSUM, and a seasonal rule in the spirit of the
//! Farrington flexible algorithm (same period in earlier years). Every alert
//! says which rule fired, the expected count and the observed count.
//!
//! Conventions (documented because implementations differ):
//! - C1: baseline the 7 periods before t; C2: the 7 periods before t − 2
//!   (a 2-period guard band). Statistic (x − mean) / sd with the sample sd
//!   (n − 1), the sd floored at 0.5 so flat baselines do not divide by zero;
//!   alert above 3.
//! - C3: the sum over t, t−1, t−2 of max(0, C2 − 1); alert above 2.
//! - CUSUM: in-control mean λ0 = mean of the periods before the last 4 (at
//!   least 4 of them); out-of-control λ1 = 1.5 λ0 (at least λ0 + 1);
//!   reference k = (λ1 − λ0) / (ln λ1 − ln λ0); S_t = max(0, S_{t−1} + x_t − k);
//!   alert when S_t > 4.
//! - Seasonal: with a year or more of history, the expected count is the mean
//!   of the same period ±1 in earlier years (`season` periods a year: 12 or 52);
//!   dispersion φ = max(1, variance / mean) of those values; alert when
//!   x > μ + 2.58 √(φ μ) and x ≥ 3.

use serde::Serialize;

/// Which rule fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// EARS C1.
    EarsC1,
    /// EARS C2.
    EarsC2,
    /// EARS C3.
    EarsC3,
    /// Poisson CUSUM.
    Cusum,
    /// Same period in earlier years.
    Seasonal,
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    /// Period index in the series.
    pub period: usize,
    /// The rule.
    pub rule: Rule,
    /// Observed count.
    pub observed: f64,
    /// Expected count under the rule's baseline.
    pub expected: f64,
    /// The rule's statistic (z, C3 sum, CUSUM S, or the threshold for seasonal).
    pub statistic: f64,
    /// Plain words.
    pub reason: String,
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = if xs.len() > 1 { xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (mean, var.sqrt().max(0.5))
}

/// C2 statistic at `t` (None without enough baseline).
fn c2(x: &[f64], t: usize) -> Option<(f64, f64)> {
    (t >= 9).then(|| {
        let (m, sd) = mean_sd(&x[t - 9..t - 2]);
        ((x[t] - m) / sd, m)
    })
}

/// Runs every rule on the last period of `series` (or on every period when
/// `all_periods`), with `season` periods a year (12 monthly, 52 weekly).
pub fn alerts(series: &[f64], season: usize, all_periods: bool) -> Vec<Alert> {
    let n = series.len();
    if n == 0 || series.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return Vec::new();
    }
    let periods: Vec<usize> = if all_periods { (0..n).collect() } else { vec![n - 1] };
    let mut out = Vec::new();
    for &t in &periods {
        let x = series[t];
        if t >= 7 {
            let (m, sd) = mean_sd(&series[t - 7..t]);
            let z = (x - m) / sd;
            if z > 3.0 {
                out.push(Alert {
                    period: t,
                    rule: Rule::EarsC1,
                    observed: x,
                    expected: m,
                    statistic: z,
                    reason: format!("C1: {x} against a mean of {m:.1} over the previous 7 periods (z = {z:.2} > 3)"),
                });
            }
        }
        if let Some((z, m)) = c2(series, t) {
            if z > 3.0 {
                out.push(Alert {
                    period: t,
                    rule: Rule::EarsC2,
                    observed: x,
                    expected: m,
                    statistic: z,
                    reason: format!("C2: {x} against {m:.1} (7 periods ending 3 before; z = {z:.2} > 3)"),
                });
            }
        }
        if t >= 11 {
            let parts: Vec<(f64, f64)> = (0..3).filter_map(|i| c2(series, t - i)).collect();
            let sum: f64 = parts.iter().map(|(z, _)| (z - 1.0).max(0.0)).sum();
            if sum > 2.0 {
                let m = parts.first().map_or(0.0, |p| p.1);
                out.push(Alert {
                    period: t,
                    rule: Rule::EarsC3,
                    observed: x,
                    expected: m,
                    statistic: sum,
                    reason: format!("C3: sustained rise over 3 periods (sum {sum:.2} > 2)"),
                });
            }
        }
        if t >= 8 {
            let base = &series[..t - 3];
            let l0 = (base.iter().sum::<f64>() / base.len() as f64).max(0.1);
            let l1 = (1.5 * l0).max(l0 + 1.0);
            let k = (l1 - l0) / (l1.ln() - l0.ln());
            let s = series[t - 3..=t].iter().fold(0.0f64, |acc, v| (acc + v - k).max(0.0));
            if s > 4.0 {
                out.push(Alert {
                    period: t,
                    rule: Rule::Cusum,
                    observed: x,
                    expected: l0,
                    statistic: s,
                    reason: format!(
                        "CUSUM: counts have run above the usual {l0:.1} for several periods (S = {s:.2} > 4)"
                    ),
                });
            }
        }
        if season > 0 && t >= season {
            let mut hist = Vec::new();
            let mut back = season;
            while back <= t {
                let centre = t - back;
                for d in [-1i64, 0, 1] {
                    let i = centre as i64 + d;
                    if i >= 0 && (i as usize) < t {
                        hist.push(series[i as usize]);
                    }
                }
                back += season;
            }
            if !hist.is_empty() {
                let mu = hist.iter().sum::<f64>() / hist.len() as f64;
                let var = if hist.len() > 1 {
                    hist.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (hist.len() as f64 - 1.0)
                } else {
                    mu
                };
                let phi = if mu > 0.0 { (var / mu).max(1.0) } else { 1.0 };
                let threshold = mu + 2.58 * (phi * mu.max(0.5)).sqrt();
                if x > threshold && x >= 3.0 {
                    out.push(Alert { period: t, rule: Rule::Seasonal, observed: x, expected: mu, statistic: threshold, reason: format!("Seasonal: {x} against {mu:.1} in the same period of earlier years (threshold {threshold:.1})") });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_fires_c1_and_c2_a_flat_series_fires_nothing() {
        let mut s = vec![10.0, 12.0, 9.0, 11.0, 10.0, 11.0, 9.0, 10.0, 12.0, 10.0];
        assert!(alerts(&s, 0, false).is_empty());
        s.push(30.0);
        let a = alerts(&s, 0, false);
        let rules: Vec<Rule> = a.iter().map(|x| x.rule).collect();
        assert!(rules.contains(&Rule::EarsC1) && rules.contains(&Rule::EarsC2), "{a:?}");
        let c1 = a.iter().find(|x| x.rule == Rule::EarsC1).expect("c1");
        // Baseline: the 7 periods before: 11, 10, 11, 9, 10, 12, 10 → mean 10.43.
        assert!((c1.expected - 73.0 / 7.0).abs() < 1e-9);
        assert_eq!(c1.observed, 30.0);
        assert!(alerts(&[5.0; 20], 12, true).is_empty(), "flat: no alerts, no division by zero");
    }

    #[test]
    fn a_sustained_rise_fires_cusum_and_c3_and_seasonality_is_respected() {
        let mut s = vec![5.0, 6.0, 5.0, 4.0, 6.0, 5.0, 5.0, 6.0, 5.0, 4.0];
        s.extend([9.0, 10.0, 11.0, 12.0]);
        let rules: Vec<Rule> = alerts(&s, 0, false).iter().map(|a| a.rule).collect();
        assert!(rules.contains(&Rule::Cusum) && rules.contains(&Rule::EarsC3), "{rules:?}");
        // A December peak every year is not an alert in December; a July spike is.
        let mut monthly = Vec::new();
        for _ in 0..3 {
            monthly.extend([10.0, 10.0, 11.0, 10.0, 9.0, 10.0, 10.0, 11.0, 10.0, 10.0, 12.0, 25.0]);
        }
        let december = alerts(&monthly, 12, false);
        assert!(!december.iter().any(|a| a.rule == Rule::Seasonal), "{december:?}");
        let mut july = monthly[..30].to_vec();
        july.push(26.0);
        assert!(alerts(&july, 12, false).iter().any(|a| a.rule == Rule::Seasonal));
        assert!(alerts(&[], 12, false).is_empty());
        assert!(alerts(&[1.0, f64::NAN], 12, false).is_empty());
    }
}
