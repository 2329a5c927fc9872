//! Emerging issues in a count series (weekly or monthly), by the rules of R's
//! surveillance package (checked against it in `tests/ears_cusum.rs` and
//! `tests/farrington.rs`): the CDC EARS C1, C2 and C3 rules ([`crate::ears`],
//! `earsC` with its defaults), a standardised Poisson CUSUM
//! ([`crate::cusum`], `cusum` with k = 1.04, h = 2.26, trained on every
//! period before the last four and summed over those four) and the improved
//! Farrington algorithm ([`crate::farrington`], `farringtonFlexible` with
//! the Noufaily et al. 2013 settings: 10-level seasonal factor, down-weighted
//! past outbreaks, the negative binomial 99.5% quantile, no alarm without 5
//! cases in the last 4 periods), which compares each period with the same
//! time in up to 5 earlier years and needs a year and 3 periods of history;
//! when the years held are too few to fit the seasonal factor, or one of its
//! levels holds a single period, it is left out (the window around the same
//! time only, as the original algorithm). The CUSUM and Farrington alerts
//! are checked period by period against R in `tests/trends.rs`.
//!
//! Every alert says which rule fired, the expected count, the threshold it
//! crossed and how often the rule would fire by chance on a series with no
//! change (`chance_periods`: about once in that many periods): 1 / alpha
//! for EARS C1 and C2 (0.001) and C3 (R's 0.025) and for Farrington (0.005),
//! the exact in-control average run length for Poisson counts at the
//! CUSUM's in-control mean ([`crate::cusum::arl_poisson`]).

use crate::cusum::{arl_poisson, cusum, CusumParams};
use crate::ears::{ears_c, EarsMethod, EarsParams};
use crate::farrington::{baseline_level_sizes, farrington_flexible, FarringtonOptions};
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
    /// Standardised Poisson CUSUM.
    Cusum,
    /// Improved Farrington (same time in earlier years).
    Farrington,
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
    /// The rule's statistic (EARS C, the CUSUM sum, Farrington's score);
    /// none for EARS over a baseline that did not vary (R's `earsC` then
    /// fires on any count above it, as here).
    pub statistic: Option<f64>,
    /// The count above which the rule fires (R's upper bound).
    pub threshold: f64,
    /// On a series with no change the rule would fire by chance about once
    /// in this many periods.
    pub chance_periods: f64,
    /// Plain words.
    pub reason: String,
}

/// Most periods a series may have (ten years of weeks).
pub const MAX_PERIODS: usize = 520;

/// Alpha of the Farrington threshold (the negative binomial 99.5% quantile).
pub const FARRINGTON_ALPHA: f64 = 0.005;

/// Periods the CUSUM sums over (the rest of the series trains it).
const CUSUM_WINDOW: usize = 4;

/// The fewest training periods the CUSUM needs.
const CUSUM_TRAINING: usize = 5;

/// "about once in 1,000 periods".
fn once_in(periods: f64) -> String {
    if periods.is_finite() {
        format!("about once in {} periods by chance", thousands(periods.round()))
    } else {
        "never by chance".to_string()
    }
}

fn thousands(v: f64) -> String {
    let digits = format!("{v:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The EARS alerts at the periods asked for.
fn ears_alerts(series: &[f64], wanted: &dyn Fn(usize) -> bool, out: &mut Vec<Alert>) {
    for (method, rule) in
        [(EarsMethod::C1, Rule::EarsC1), (EarsMethod::C2, Rule::EarsC2), (EarsMethod::C3, Rule::EarsC3)]
    {
        let params = EarsParams::new(method);
        let Ok(points) = ears_c(series, &params) else { continue };
        for p in points.iter().filter(|p| p.alarm && wanted(p.t)) {
            let Some(threshold) = p.upperbound else { continue };
            let flat = if p.statistic.is_none() { ", over a baseline that did not vary" } else { "" };
            let chance = 1.0 / params.alpha;
            let reason = match method {
                EarsMethod::C1 => format!(
                    "C1: {} against a mean of {:.1} over the previous {} periods{flat} (threshold {threshold:.1}; fires {})",
                    p.observed,
                    p.expected,
                    params.baseline,
                    once_in(chance)
                ),
                EarsMethod::C2 => format!(
                    "C2: {} against a mean of {:.1} over {} periods ending 3 before{flat} (threshold {threshold:.1}; fires {})",
                    p.observed,
                    p.expected,
                    params.baseline,
                    once_in(chance)
                ),
                EarsMethod::C3 => format!(
                    "C3: a rise sustained over 3 periods{flat} (threshold {threshold:.1}; fires {})",
                    once_in(chance)
                ),
            };
            out.push(Alert {
                period: p.t,
                rule,
                observed: p.observed,
                expected: p.expected,
                statistic: p.statistic,
                threshold,
                chance_periods: chance,
                reason,
            });
        }
    }
}

/// The CUSUM's alert at `t`: trained on the periods before the last four.
fn cusum_alert(series: &[f64], t: usize) -> Option<Alert> {
    let first = (t + 1).checked_sub(CUSUM_WINDOW).filter(|f| *f >= CUSUM_TRAINING)?;
    let params = CusumParams::default();
    let points = cusum(&series[..=t], first, &params).ok()?;
    let p = points.last().filter(|p| p.alarm)?;
    let chance = arl_poisson(p.expected, params.k, params.h).unwrap_or(f64::INFINITY);
    Some(Alert {
        period: t,
        rule: Rule::Cusum,
        observed: p.observed,
        expected: p.expected,
        statistic: Some(p.statistic),
        threshold: p.upperbound,
        chance_periods: chance,
        reason: format!(
            "CUSUM: counts have run above the usual {:.1} for up to {CUSUM_WINDOW} periods (S = {:.2} ≥ {}; fires {})",
            p.expected,
            p.statistic,
            params.h,
            once_in(chance)
        ),
    })
}

/// The Farrington alert at `t`, with as many earlier years (up to 5) as
/// the series holds.
fn farrington_alert(series: &[f64], t: usize, season: usize) -> Option<Alert> {
    let mut opts = FarringtonOptions::noufaily(season);
    opts.alpha = FARRINGTON_ALPHA;
    opts.b = (t.checked_sub(opts.w)? / season).min(opts.b);
    if opts.b == 0 {
        return None;
    }
    // With few years the 10-level seasonal factor cannot be fitted (R would
    // drop the aliased levels or stop), or it has a level of a single period
    // (fitted exactly: R's reweighting then divides 0 by 0 and stops, drops
    // or keeps the level by the sign of a rounding error): then only the
    // window around the same time.
    let single = baseline_level_sizes(series, t, &opts).map_or(true, |sizes| sizes.values().any(|n| *n == 1));
    let r = match farrington_flexible(series, t, &opts) {
        Ok(Some(r)) if !single => r,
        _ => farrington_flexible(series, t, &FarringtonOptions { no_periods: 1, ..opts }).ok()??,
    };
    let (true, Some(expected), Some(threshold), Some(score)) = (r.alarm, r.expected, r.upperbound, r.score) else {
        return None;
    };
    let chance = 1.0 / FARRINGTON_ALPHA;
    Some(Alert {
        period: t,
        rule: Rule::Farrington,
        observed: r.observed,
        expected,
        statistic: Some(score),
        threshold,
        chance_periods: chance,
        reason: format!(
            "Farrington: {} against {expected:.1} expected from the same time in {} earlier year{}{} (threshold {threshold:.1}; fires {})",
            r.observed,
            opts.b,
            if opts.b == 1 { "" } else { "s" },
            if r.trend { " and the trend" } else { "" },
            once_in(chance)
        ),
    })
}

/// Runs every rule on the last period of `series` (or on every period when
/// `all_periods`), with `season` periods a year (12 monthly, 52 weekly; 0
/// for no seasonal rule). A series with a negative or non-finite count, or
/// longer than [`MAX_PERIODS`], gives no alerts.
pub fn alerts(series: &[f64], season: usize, all_periods: bool) -> Vec<Alert> {
    let n = series.len();
    if n == 0 || n > MAX_PERIODS || series.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return Vec::new();
    }
    let wanted = |t: usize| all_periods || t + 1 == n;
    let mut out = Vec::new();
    ears_alerts(series, &wanted, &mut out);
    for t in (0..n).filter(|t| wanted(*t)) {
        out.extend(cusum_alert(series, t));
        if season > 0 {
            out.extend(farrington_alert(series, t, season));
        }
    }
    out.sort_by_key(|a| a.period);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_fires_c1_and_c2_a_steady_series_fires_nothing() {
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
        assert!(c1.threshold < 30.0 && c1.threshold > c1.expected);
        assert_eq!(c1.chance_periods, 1000.0);
        assert!(c1.reason.contains("about once in 1,000 periods by chance"), "{}", c1.reason);
        assert!(alerts(&[5.0; 20], 12, true).is_empty(), "flat: no alerts, no division by zero");
    }

    #[test]
    fn a_sustained_rise_fires_the_cusum_with_its_chance_rate() {
        let mut s = vec![5.0, 6.0, 5.0, 4.0, 6.0, 5.0, 5.0, 6.0, 5.0, 4.0];
        s.extend([9.0, 10.0, 11.0, 12.0]);
        let a = alerts(&s, 0, false);
        let cusum = a.iter().find(|a| a.rule == Rule::Cusum).expect("cusum fires");
        assert!((cusum.expected - 5.1).abs() < 1e-9, "trained on the 10 periods before the last 4");
        assert!(cusum.chance_periods > 100.0 && cusum.chance_periods < 300.0, "{}", cusum.chance_periods);
        assert!(alerts(&[], 12, false).is_empty());
        assert!(alerts(&[1.0, f64::NAN], 12, false).is_empty());
    }

    #[test]
    fn a_large_steady_series_does_not_alarm_the_cusum() {
        // About 270 a month with ordinary noise: the raw-count CUSUM this
        // replaced reached 46 against h = 4 on such a series.
        let s: Vec<f64> =
            [262.0, 281.0, 259.0, 275.0, 268.0, 290.0, 255.0, 271.0, 266.0, 284.0, 260.0, 277.0, 269.0].to_vec();
        assert!(!alerts(&s, 12, true).iter().any(|a| a.rule == Rule::Cusum));
    }

    #[test]
    fn a_yearly_peak_is_expected_and_a_spike_out_of_season_is_not() {
        let year = [10.0, 10.0, 11.0, 10.0, 9.0, 10.0, 10.0, 11.0, 10.0, 10.0, 12.0, 25.0];
        let monthly: Vec<f64> = year.iter().cycle().take(36).enumerate().map(|(i, v)| v + (i % 3) as f64).collect();
        let december = alerts(&monthly, 12, false);
        assert!(!december.iter().any(|a| a.rule == Rule::Farrington), "{december:?}");
        let mut july = monthly[..30].to_vec();
        july.push(30.0);
        let a = alerts(&july, 12, false);
        let f = a.iter().find(|a| a.rule == Rule::Farrington).expect("Farrington fires");
        assert!(f.expected < 15.0 && f.threshold < 30.0, "{f:?}");
        assert!(f.reason.contains("2 earlier years"), "{}", f.reason);
        assert!(!alerts(&july[..13], 12, false).iter().any(|a| a.rule == Rule::Farrington), "needs a year and 3");
    }
}
