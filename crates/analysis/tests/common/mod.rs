//! Readers for the R surveillance fixtures (`tests/fixtures/surveillance/`)
//! shared by the EARS, CUSUM and trends tests.

#![allow(dead_code)] // each test file uses its own part

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The largest difference allowed from R.
pub const TOL: f64 = 1e-6;

/// A fixture row, header to cell.
pub type Row = BTreeMap<String, String>;

/// The fixtures directory.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/surveillance")
}

/// Rows of a comma-separated file (no quoted fields) as header → value maps;
/// lines starting with `#` are comments.
pub fn read_csv(name: &str) -> Vec<Row> {
    let text = std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut lines = text.lines().filter(|l| !l.is_empty() && !l.starts_with('#'));
    let header: Vec<String> = lines.next().expect("header").split(',').map(str::to_owned).collect();
    lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), header.len(), "{name}: {l}");
            header.iter().cloned().zip(cells.iter().map(|c| (*c).to_owned())).collect()
        })
        .collect()
}

/// The fixture's first line names the R and surveillance versions.
pub fn assert_versions(name: &str) {
    let text = std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let first = text.lines().next().unwrap_or_default();
    assert!(first.starts_with("# R ") && first.contains("surveillance 1.20.3"), "{name}: {first}");
}

/// A fixture number: None for NA, NaN or ±Inf.
pub fn num(s: &str) -> Option<f64> {
    match s {
        "NA" | "NaN" | "Inf" | "-Inf" => None,
        _ => Some(s.parse().unwrap_or_else(|_| panic!("not a number: {s}"))),
    }
}

/// Series name → (counts, periods a year), named as in make_trends.R.
pub fn series() -> BTreeMap<String, (Vec<f64>, usize)> {
    let mut out: BTreeMap<String, (Vec<f64>, usize)> = BTreeMap::new();
    // herts_monthly_by_type.csv is ordered by area, type, month.
    for r in read_csv("herts_monthly_by_type.csv") {
        let key = format!("herts/{}/{}", r["area"], r["crime_type"]);
        out.entry(key).or_insert((Vec::new(), 12)).0.push(r["count"].parse().expect("count"));
    }
    let chicago = read_csv("chicago_burglary_weekly.csv").iter().map(|r| r["count"].parse().expect("count")).collect();
    out.insert("chicago/burglary/weekly".into(), (chicago, 52));
    let fms = read_csv("fms_flytipping_monthly.csv");
    for (area, column) in [("st-albans", "st_albans"), ("bristol", "bristol")] {
        let x = fms.iter().map(|r| r[column].parse().expect("count")).collect();
        out.insert(format!("fixmystreet/{area}/fly-tipping"), (x, 12));
    }
    out
}

/// Absolute difference up to 1, relative above.
pub fn diff(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1.0)
}
