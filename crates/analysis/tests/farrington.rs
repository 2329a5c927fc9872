//! The Farrington flexible method against R's surveillance 1.20.3
//! `farringtonFlexible` (fixtures made by
//! `tests/fixtures/surveillance/make_farrington.R` from the extracts made by
//! `make_extracts.py`): expected values and upper bounds to 1e-6 (relative
//! above 1), alarms, trend flags and the dispersion exactly as R gives them,
//! at every evaluated period. Each fixture's second header line holds the R
//! control list, which is turned into [`FarringtonOptions`] here.

use safetynet_analysis::farrington::{farrington_flexible, FarringtonOptions, PowerTransform, ThresholdMethod};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/surveillance/");

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One column of a two- or three-column extract.
fn series(file: &str, column: &str) -> Vec<f64> {
    let text = read(file);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = header.iter().position(|h| *h == column).expect("column");
    lines.map(|l| l.split(',').nth(col).expect("cell").parse().expect("count")).collect()
}

/// The options from the fixture's control line, e.g. `# freq 12 b=5 w=2 ...`.
fn options(line: &str) -> FarringtonOptions {
    let mut words = line.trim_start_matches('#').split_whitespace();
    assert_eq!(words.next(), Some("freq"));
    let freq: usize = words.next().expect("freq").parse().expect("freq");
    let mut o = FarringtonOptions { freq, ..FarringtonOptions::default() };
    for word in words {
        let (key, value) = word.split_once('=').expect("key=value");
        let num = || value.parse::<f64>().unwrap_or_else(|_| panic!("{key}={value}"));
        match key {
            "b" => o.b = num() as usize,
            "w" => o.w = num() as usize,
            "noPeriods" => o.no_periods = num() as usize,
            "pastWeeksNotIncluded" => o.past_weeks_not_included = Some(num() as usize),
            "trend" => o.trend = value == "TRUE",
            "reweight" => o.reweight = value == "TRUE",
            "weightsThreshold" => o.weights_threshold = num(),
            "alpha" => o.alpha = num(),
            "pThresholdTrend" => o.p_threshold_trend = num(),
            "thresholdMethod" => {
                o.threshold_method = match value {
                    "delta" => ThresholdMethod::Delta,
                    "nbPlugin" => ThresholdMethod::NbPlugin,
                    "muan" => ThresholdMethod::Muan,
                    other => panic!("method {other}"),
                }
            }
            "powertrans" => {
                o.pow_trans = match value {
                    "2/3" => PowerTransform::TwoThirds,
                    "1/2" => PowerTransform::Half,
                    "none" => PowerTransform::None,
                    other => panic!("powertrans {other}"),
                }
            }
            "limit54" => {
                let (a, b) = value.split_once('/').expect("limit54");
                o.limit54 = (a.parse().expect("cases"), b.parse().expect("periods"));
            }
            other => panic!("unknown control {other}"),
        }
    }
    o
}

fn opt(cell: &str) -> Option<f64> {
    (cell != "NA").then(|| cell.parse().expect("number"))
}

fn close(ours: f64, theirs: f64) -> f64 {
    (ours - theirs).abs() / theirs.abs().max(1.0)
}

/// Checks one fixture; returns the largest scaled difference in expected and
/// upper bound.
fn check(case: &str, extract: &str, column: &str) -> f64 {
    let x = series(extract, column);
    let text = read(&format!("farrington_{case}.csv"));
    let mut lines = text.lines();
    assert!(lines.next().expect("version line").contains("surveillance 1.20.3"));
    let opts = options(lines.next().expect("control line"));
    assert_eq!(lines.next(), Some("t,observed,expected,upperbound,alarm,trend,phi,score"));
    let (mut worst, mut rows) = (0.0f64, 0);
    for line in lines {
        let c: Vec<&str> = line.split(',').collect();
        let t: usize = c[0].parse().expect("t");
        let r = farrington_flexible(&x, t, &opts).expect("runs").unwrap_or_else(|| panic!("{case} t {t}: no fit"));
        let at = format!("{case} t {t}");
        assert_eq!(r.observed, c[1].parse::<f64>().expect("observed"), "{at}");
        for (name, ours, theirs) in [("expected", r.expected, opt(c[2])), ("upperbound", r.upperbound, opt(c[3]))] {
            match (ours, theirs) {
                (Some(a), Some(b)) => {
                    let d = close(a, b);
                    assert!(d <= 1e-6, "{at} {name}: {a} vs R {b}");
                    worst = worst.max(d);
                }
                (None, None) => {}
                _ => panic!("{at} {name}: {ours:?} vs R {theirs:?}"),
            }
        }
        assert_eq!(r.alarm, c[4] == "1", "{at} alarm");
        assert_eq!(r.trend, c[5] == "1", "{at} trend");
        let phi = opt(c[6]).expect("phi");
        assert!(close(r.phi, phi) <= 1e-6, "{at} phi: {} vs R {phi}", r.phi);
        match (r.score, opt(c[7])) {
            (Some(a), Some(b)) => assert!(close(a, b) <= 1e-6, "{at} score: {a} vs R {b}"),
            (None, None) => {}
            (a, b) => panic!("{at} score: {a:?} vs R {b:?}"),
        }
        rows += 1;
    }
    assert!(rows >= 50, "{case}: {rows} rows");
    eprintln!("{case}: {rows} periods, largest scaled difference {worst:.3e}");
    worst
}

const MONTHLY: &str = "fms_flytipping_monthly.csv";
const WEEKLY: &str = "chicago_burglary_weekly.csv";
const SETTINGS: [&str; 6] = ["farrington", "noufaily", "noufaily10", "muan", "defaults", "noufaily_doc"];

#[test]
fn st_albans_fly_tipping_matches_r() {
    for s in SETTINGS {
        check(&format!("st_albans_{s}"), MONTHLY, "st_albans");
    }
}

#[test]
fn bristol_fly_tipping_matches_r() {
    for s in SETTINGS {
        check(&format!("bristol_{s}"), MONTHLY, "bristol");
    }
}

#[test]
fn chicago_burglary_matches_r() {
    for s in ["farrington", "noufaily", "delta_half", "defaults", "noufaily_doc"] {
        check(&format!("chicago_{s}"), WEEKLY, "burglaries");
    }
}

#[test]
fn noufaily_constructor_is_the_documented_control_list() {
    let line = read("farrington_chicago_noufaily_doc.csv").lines().nth(1).expect("control").to_string();
    let from_r = options(&line);
    assert_eq!(FarringtonOptions { b: 3, ..FarringtonOptions::noufaily(52) }, from_r);
    let line = read("farrington_bristol_noufaily_doc.csv").lines().nth(1).expect("control").to_string();
    assert_eq!(FarringtonOptions::noufaily(12), options(&line));
}
