//! EARS C1/C2/C3 and the standardised CUSUM against R's surveillance 1.20.3
//! on real series: Hertfordshire police.uk monthly counts by crime type,
//! Chicago weekly residential burglary 2014-2017, and St Albans monthly
//! FixMyStreet fly-tipping reports 2007-2020. The series and R's results are
//! in `tests/fixtures/surveillance/` with the scripts that made them
//! (`make_extracts.py`, `make_ears_cusum.R`); see
//! `SOURCE_ears_cusum.txt` there. Every evaluated period is compared:
//! statistics, expected values and upper bounds within 1e-6 (relative above
//! 1), alarms equal.

use safetynet_analysis::cusum::{cusum, CusumParams, CusumTransform, InControlMean};
use safetynet_analysis::ears::{ears_c, EarsMethod, EarsParams};
mod common;

use common::*;
use std::collections::BTreeMap;

/// Series and the parameters that identify one run.
type Key = (String, String, String, String);

#[derive(Default, Debug)]
struct Max {
    statistic: f64,
    expected: f64,
    upperbound: f64,
    points: usize,
    alarms: usize,
}

fn check(what: &str, got: Option<f64>, want: Option<f64>, max: &mut f64) {
    match (got, want) {
        (Some(g), Some(w)) => {
            let d = diff(g, w);
            *max = max.max(d);
            assert!(d <= TOL, "{what}: SafetyNet {g}, R {w}");
        }
        (None, None) => {}
        _ => panic!("{what}: SafetyNet {got:?}, R {want:?}"),
    }
}

#[test]
fn ears_matches_surveillance_earsc() {
    let series = series();
    let mut groups: BTreeMap<Key, Vec<Row>> = BTreeMap::new();
    for r in read_csv("ears_fixtures.csv") {
        let key = (r["series"].clone(), r["method"].clone(), r["alpha"].clone(), r["min_sigma"].clone());
        groups.entry(key).or_default().push(r);
    }
    assert!(groups.len() >= 6 * 30, "{} groups", groups.len());
    let mut max = Max::default();
    for ((name, method, alpha, min_sigma), rows) in &groups {
        let (x, _) = &series[name];
        let method = match method.as_str() {
            "C1" => EarsMethod::C1,
            "C2" => EarsMethod::C2,
            "C3" => EarsMethod::C3,
            other => panic!("method {other}"),
        };
        let params = EarsParams {
            alpha: alpha.parse().expect("fixture value"),
            min_sigma: min_sigma.parse().expect("fixture value"),
            ..EarsParams::new(method)
        };
        let got = ears_c(x, &params).expect("fixture value");
        assert_eq!(got.len(), rows.len(), "{name} {method:?}: every evaluable period");
        for (g, r) in got.iter().zip(rows) {
            let what = format!("{name} {method:?} alpha {alpha} minSigma {min_sigma} t {}", r["t"]);
            assert_eq!(g.t + 1, r["t"].parse::<usize>().expect("fixture value"), "{what}");
            assert_eq!(Some(g.observed), num(&r["observed"]), "{what}");
            check(&format!("{what} statistic"), g.statistic, num(&r["statistic"]), &mut max.statistic);
            check(&format!("{what} expected"), Some(g.expected), num(&r["expected"]), &mut max.expected);
            check(&format!("{what} upperbound"), g.upperbound, num(&r["upperbound"]), &mut max.upperbound);
            // R's NA alarm (upper bound NA) is no alarm here.
            assert_eq!(g.alarm, r["alarm"] == "1", "{what} alarm");
            max.points += 1;
            max.alarms += usize::from(g.alarm);
        }
    }
    eprintln!("EARS against surveillance::earsC: {max:?}");
}

#[test]
fn cusum_matches_surveillance_cusum() {
    let series = series();
    let mut groups: BTreeMap<Key, Vec<Row>> = BTreeMap::new();
    for r in read_csv("cusum_fixtures.csv") {
        let key = (r["series"].clone(), r["trans"].clone(), r["m"].clone(), r["first"].clone());
        groups.entry(key).or_default().push(r);
    }
    assert!(groups.len() >= 2 * 25 + 8, "{} groups", groups.len());
    let mut max = Max::default();
    for ((name, trans, m, first), rows) in &groups {
        let (x, freq) = &series[name];
        let first: usize = first.parse().expect("fixture value");
        let params = CusumParams {
            k: rows[0]["k"].parse().expect("fixture value"),
            h: rows[0]["h"].parse().expect("fixture value"),
            transform: match trans.as_str() {
                "standard" => CusumTransform::Standard,
                "anscombe" => CusumTransform::Anscombe,
                other => panic!("trans {other}"),
            },
            // Every series starts in the first period of its year (R start[2] = 1).
            mean: match m.as_str() {
                "NULL" => InControlMean::TrainingMean,
                "glm" => InControlMean::Glm { period: *freq as f64, start: 1.0 },
                other => panic!("m {other}"),
            },
            reset_after_alarm: false,
        };
        let got = cusum(x, first, &params).expect("fixture value");
        assert_eq!(got.len(), rows.len(), "{name} {trans} {m}");
        for (g, r) in got.iter().zip(rows) {
            let what = format!("{name} {trans} m={m} t {}", r["t"]);
            assert_eq!(g.t + 1, r["t"].parse::<usize>().expect("fixture value"), "{what}");
            assert_eq!(Some(g.observed), num(&r["observed"]), "{what}");
            check(&format!("{what} statistic"), Some(g.statistic), num(&r["statistic"]), &mut max.statistic);
            check(&format!("{what} expected"), Some(g.expected), num(&r["expected"]), &mut max.expected);
            check(&format!("{what} upperbound"), Some(g.upperbound), num(&r["upperbound"]), &mut max.upperbound);
            assert_eq!(g.alarm, r["alarm"] == "1", "{what} alarm");
            max.points += 1;
            max.alarms += usize::from(g.alarm);
        }
    }
    eprintln!("CUSUM against surveillance::cusum: {max:?}");
}

/// The CUSUM ARL against spc::xcusum.arl and spc::xcusum.crit (spc 0.6.7).
#[test]
fn arl_matches_spc() {
    let rows = read_csv("cusum_arl_spc.csv");
    assert!(rows.len() >= 96);
    let (mut max_arl, mut max_h) = (0.0f64, 0.0f64);
    for r in rows {
        let [k, h, mu, want, h500] =
            ["k", "h", "mu", "arl", "h_for_arl_500"].map(|c| num(&r[c]).expect("fixture value"));
        let got = safetynet_analysis::cusum::arl(k, h, mu).expect("fixture value");
        let d = (got - want).abs() / want;
        max_arl = max_arl.max(d);
        assert!(d < 1e-6, "ARL k {k} h {h} mu {mu}: SafetyNet {got}, spc {want}");
        let got_h = safetynet_analysis::cusum::h_for_arl(k, 500.0).expect("fixture value");
        max_h = max_h.max((got_h - h500).abs());
        assert!((got_h - h500).abs() < 1e-6, "h for ARL 500, k {k}: SafetyNet {got_h}, spc {h500}");
    }
    eprintln!("ARL against spc: max relative difference {max_arl:e}, h for ARL 500 max difference {max_h:e}");
}

/// The trends' EARS alerts (what the API, pages and packs show) are R's
/// alarms with R's expected values and upper bounds, at R's default alpha.
#[test]
fn trend_alerts_are_rs_ears_alarms() {
    use safetynet_analysis::trends::{alerts, Rule};
    let fixtures = read_csv("ears_fixtures.csv");
    let mut compared = 0;
    for (name, (x, freq)) in series() {
        if !fixtures.iter().any(|r| r["series"] == name) {
            continue;
        }
        let ours = alerts(&x, freq, true);
        for (rule, method, alpha) in
            [(Rule::EarsC1, "C1", "0.001"), (Rule::EarsC2, "C2", "0.001"), (Rule::EarsC3, "C3", "0.025000000000000001")]
        {
            let theirs: Vec<&Row> = fixtures
                .iter()
                .filter(|r| {
                    r["series"] == name && r["method"] == method && r["alpha"] == alpha && r["min_sigma"] == "0"
                })
                .filter(|r| r["alarm"] == "1")
                .collect();
            let mine: Vec<_> = ours.iter().filter(|a| a.rule == rule).collect();
            assert_eq!(mine.len(), theirs.len(), "{name} {method}: alarms");
            for (a, r) in mine.iter().zip(&theirs) {
                assert_eq!((a.period + 1).to_string(), r["t"], "{name} {method}: R counts from 1");
                let close = |x: f64, y: Option<f64>| y.is_some_and(|y| (x - y).abs() <= TOL * y.abs().max(1.0));
                assert!(close(a.expected, num(&r["expected"])), "{name} {method} t {}: expected", a.period);
                assert!(close(a.threshold, num(&r["upperbound"])), "{name} {method} t {}: bound", a.period);
                compared += 1;
            }
        }
    }
    assert!(compared > 50, "{compared} alarms compared");
}
