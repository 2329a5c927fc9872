//! The trends' CUSUM and Farrington alerts (what the API, pages and meeting
//! packs show) against R's surveillance 1.20.3 on real series: every
//! Hertfordshire and St Albans crime type by month, Chicago burglary by
//! week, St Albans and Bristol fly-tipping by month. R's results, period by
//! period, are in `tests/fixtures/surveillance/trends_cusum.csv` and
//! `trends_farrington.csv`, made by `make_trends.R` (see
//! `SOURCE_ears_cusum.txt` there): the alert periods must be R's alarms, with
//! R's expected value, upper bound and statistic within 1e-6 (relative
//! above 1). For Farrington, every period is also checked to take the same
//! branch as R (10-level seasonal factor, or the fallback without it).

use safetynet_analysis::farrington::{baseline_level_sizes, farrington_flexible, FarringtonOptions};
use safetynet_analysis::trends::{alerts, Alert, Rule, FARRINGTON_ALPHA};
mod common;

use common::*;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
struct Compared {
    alarms: usize,
    expected: f64,
    threshold: f64,
    statistic: f64,
}

/// The alerts of `rule` are R's alarm rows, value for value.
fn compare(rule: Rule, statistic: &str, fixture: &str, min_series: usize) -> Compared {
    let rows = read_csv(fixture);
    let all = series();
    let mut by_series: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for r in &rows {
        assert!(all.contains_key(&r["series"]), "{fixture}: unknown series {}", r["series"]);
        by_series.entry(r["series"].as_str()).or_default().push(r);
    }
    assert!(by_series.len() >= min_series, "{fixture}: {} series", by_series.len());
    let mut c = Compared::default();
    for (name, (x, season)) in &all {
        let found = alerts(x, *season, true);
        let ours: Vec<&Alert> = found.iter().filter(|a| a.rule == rule).collect();
        let theirs: Vec<&Row> =
            by_series.get(name.as_str()).into_iter().flatten().copied().filter(|r| r["alarm"] == "1").collect();
        let our_t: Vec<usize> = ours.iter().map(|a| a.period).collect();
        let their_t: Vec<usize> = theirs.iter().map(|r| r["t"].parse().expect("t")).collect();
        assert_eq!(our_t, their_t, "{name} {rule:?}: alert periods (SafetyNet left, R right)");
        for (a, r) in ours.iter().zip(&theirs) {
            let at = format!("{name} {rule:?} t {}", a.period);
            assert_eq!(Some(a.observed), num(&r["observed"]), "{at}: observed");
            for (what, got, want, max) in [
                ("expected", Some(a.expected), num(&r["expected"]), &mut c.expected),
                ("threshold", Some(a.threshold), num(&r["upperbound"]), &mut c.threshold),
                ("statistic", a.statistic, num(&r[statistic]), &mut c.statistic),
            ] {
                let (Some(g), Some(w)) = (got, want) else { panic!("{at} {what}: SafetyNet {got:?}, R {want:?}") };
                let d = diff(g, w);
                *max = max.max(d);
                assert!(d <= TOL, "{at} {what}: SafetyNet {g}, R {w}");
            }
            c.alarms += 1;
        }
    }
    c
}

#[test]
fn trend_cusum_alerts_are_rs_cusum_alarms() {
    assert_versions("trends_cusum.csv");
    let c = compare(Rule::Cusum, "statistic", "trends_cusum.csv", 30);
    eprintln!("CUSUM alerts against surveillance::cusum: {c:?}");
    assert!(c.alarms > 100, "{c:?}");
}

#[test]
fn trend_farrington_alerts_are_rs_farrington_alarms() {
    assert_versions("trends_farrington.csv");
    let c = compare(Rule::Farrington, "score", "trends_farrington.csv", 3);
    eprintln!("Farrington alerts against surveillance::farringtonFlexible: {c:?}");
    assert!(c.alarms > 10, "{c:?}");
}

/// Every period R evaluated takes the same branch here (the 10-level
/// seasonal factor, or the fallback without it) and gives R's expected
/// value, upper bound, alarm and score, alarm or not.
#[test]
fn trend_farrington_falls_back_where_r_does() {
    let all = series();
    let rows = read_csv("trends_farrington.csv");
    let (mut fallbacks, mut max) = (0, 0.0f64);
    for r in &rows {
        let (x, season) = &all[&r["series"]];
        let t: usize = r["t"].parse().expect("t");
        let at = format!("{} t {t}", r["series"]);
        let mut opts = FarringtonOptions::noufaily(*season);
        opts.alpha = FARRINGTON_ALPHA;
        opts.b = r["b"].parse().expect("b");
        assert_eq!(opts.b, ((t - opts.w) / season).min(5), "{at}: b");
        // trends.rs's rule: no result, or a seasonal level of one period.
        let sizes = baseline_level_sizes(x, t, &opts).expect("valid");
        let ten = farrington_flexible(x, t, &opts).expect("runs").filter(|_| !sizes.values().any(|n| *n == 1));
        let (no_periods, result) = match ten {
            Some(res) => (10, Some(res)),
            None => (1, farrington_flexible(x, t, &FarringtonOptions { no_periods: 1, ..opts }).expect("runs")),
        };
        assert_eq!(no_periods.to_string(), r["no_periods"], "{at}: branch ({})", r["fallback"]);
        fallbacks += usize::from(no_periods == 1);
        let res = result.unwrap_or_else(|| panic!("{at}: no result"));
        assert_eq!(res.alarm, r["alarm"] == "1", "{at}: alarm");
        assert_eq!(res.trend, r["trend"] == "1", "{at}: trend");
        for (what, got, want) in [
            ("expected", res.expected, num(&r["expected"])),
            ("upperbound", res.upperbound, num(&r["upperbound"])),
            ("score", res.score, num(&r["score"])),
            ("phi", Some(res.phi), num(&r["phi"])),
        ] {
            match (got, want) {
                (Some(g), Some(w)) => {
                    max = max.max(diff(g, w));
                    assert!(diff(g, w) <= TOL, "{at} {what}: SafetyNet {g}, R {w}");
                }
                (None, None) => {}
                _ => panic!("{at} {what}: SafetyNet {got:?}, R {want:?}"),
            }
        }
    }
    eprintln!("Farrington: {} periods, {fallbacks} without the seasonal factor, max difference {max:e}", rows.len());
    assert!(rows.len() > 400 && fallbacks > 0);
}
