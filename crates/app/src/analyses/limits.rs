//! The bounds on the analyses' options. The analysis crate has its own
//! (wider) limits on the sizes that drive memory and work, so a caller that
//! skips these checks still cannot exhaust the machine.

use crate::{Error, Params};
use std::ops::RangeInclusive;

/// Permutations of the hotspot statistics (grid and areas) and of Knox.
pub const PERMUTATIONS: RangeInclusive<usize> = 9..=9_999;
/// Replications of the space-time scan.
pub const REPLICATIONS: RangeInclusive<usize> = 9..=9_999;
/// Hotspot and PAI grid cell size (m).
pub const GRID_CELL_M: RangeInclusive<f64> = 10.0..=10_000.0;
/// Density cell size (m).
pub const DENSITY_CELL_M: RangeInclusive<f64> = 10.0..=5_000.0;
/// Density bandwidth (m); also at least one cell and at most
/// [`MAX_REACH_CELLS`] cells.
pub const BANDWIDTH_M: RangeInclusive<f64> = 10.0..=10_000.0;
/// Most cells a density kernel reaches from its point.
pub const MAX_REACH_CELLS: f64 = safetynet_analysis::density::MAX_REACH_CELLS;
/// Most distance or time bands of each kind (Knox).
pub const MAX_BANDS: usize = 20;
/// Largest distance band edge (m).
pub const MAX_DISTANCE_BAND_M: f64 = 5_000.0;
/// Largest time band edge (days).
pub const MAX_TIME_BAND_DAYS: f64 = 365.0;
/// Longest study period for Knox and the scan (days).
pub const MAX_STUDY_DAYS: i64 = 3_660;
/// Scan circle radius (km).
pub const SCAN_RADIUS_KM: RangeInclusive<f64> = 0.01..=20.0;
/// Largest scan circle as a share of the incidents (SaTScan allows up to half).
pub const SCAN_SHARE: RangeInclusive<f64> = 0.001..=0.5;
/// Longest scan window (days), prospective or not.
pub const SCAN_WINDOW_DAYS: RangeInclusive<usize> = 1..=366;
/// Most coverage shares asked of the PAI curve.
pub const MAX_COVERAGE_SHARES: usize = 20;
/// Largest count given to the evaluation.
pub const MAX_EVALUATE_COUNT: f64 = 10_000_000.0;
/// Weeks of history for weekly incident trends.
pub const INCIDENT_TREND_WEEKS: RangeInclusive<i64> = 8..=520;

/// The number `name` (or `default`) within `range`, else a message naming
/// the option and the range (NaN and infinities are outside every range).
pub fn number_in(p: &Params, name: &str, default: f64, range: &RangeInclusive<f64>, unit: &str) -> Result<f64, Error> {
    let v = p.number(name, default)?;
    if v.is_finite() && range.contains(&v) {
        Ok(v)
    } else {
        Err(Error::Invalid(format!("{name} must be a number from {} to {}{unit}", range.start(), range.end())))
    }
}

/// The whole number `name` (or `default`) within `range`.
pub fn count_in(p: &Params, name: &str, default: usize, range: &RangeInclusive<usize>) -> Result<usize, Error> {
    let v = p.count(name, default)?;
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(Error::Invalid(format!("{name} must be from {} to {}", range.start(), range.end())))
    }
}
