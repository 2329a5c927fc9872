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
        check(&format!("chicago_{s}"), WEEKLY, "count");
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

/// A sparse monthly series (four single cases, then 6 and 2 at the end):
/// R's values from
/// `x <- rep(0, 80); x[78] <- 6; x[79] <- 2; x[c(5, 20, 33, 50)] <- 1;`
/// `farringtonFlexible(sts(matrix(x), frequency = 12, start = c(2000, 1)),`
/// `control = list(b = 5, w = 3, noPeriods = 10, pastWeeksNotIncluded = 6,`
/// `pThresholdTrend = 1, weightsThreshold = 2.58, thresholdMethod = "nbPlugin"))`:
/// no bound while the last 4 months hold fewer than 5 cases, then a bound of 0.
#[test]
#[allow(clippy::excessive_precision)] // R's printed values
fn sparse_series_matches_r() {
    let mut x = vec![0.0; 80];
    x[77] = 6.0;
    x[78] = 2.0;
    for i in [4, 19, 32, 49] {
        x[i] = 1.0;
    }
    let opts = FarringtonOptions::noufaily(12);
    let phis = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.663_522_807_821_618, 2.785_340_778_884_401_6];
    for (i, phi) in phis.iter().enumerate() {
        let r = farrington_flexible(&x, 63 + i, &opts).expect("runs").expect("fits");
        assert!((r.phi - phi).abs() < 1e-9, "t {}: phi {} vs R {phi}", 63 + i, r.phi);
        assert!(r.upperbound.is_none() && r.expected.is_none() && !r.alarm && r.trend);
    }
    for (t, expected, alarm) in [
        (77, 0.016_162_006_063_415_429, true),
        (78, 0.014_488_835_348_811_534, true),
        (79, 0.012_447_088_392_098_843, false),
    ] {
        let r = farrington_flexible(&x, t, &opts).expect("runs").expect("fits");
        let e = r.expected.expect("expected");
        assert!((e - expected).abs() < 1e-9, "t {t}: {e} vs R {expected}");
        assert_eq!(r.upperbound, Some(0.0), "t {t}");
        assert_eq!(r.alarm, alarm, "t {t}");
        assert!(r.trend && r.phi == 1.0);
    }
}
