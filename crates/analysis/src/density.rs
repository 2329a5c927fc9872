//! Quartic-kernel density surface: each point spreads one unit over a disc
//! of radius `bandwidth` with the quartic (biweight) kernel
//! K(d) = 3 / (π h²) · (1 − d²/h²)², evaluated at the centre of square
//! British National Grid cells aligned to multiples of the cell size.
//! Defaults: 50 m cells and a 300 m bandwidth (a street-level view of a
//! district); values are points per square kilometre.
//!
//! Limits: cells of 1 to 5,000 m, a bandwidth from one cell to 50 km and at
//! most [`MAX_REACH_CELLS`] cells (so each point touches at most
//! (2 × 100 + 1)² cells), and at most [`MAX_CELLS`] cells in the surface.

use crate::bng::{from_grid, to_grid};
use crate::interrupt::Interrupt;
use crate::AnalysisError;
use serde::Serialize;

/// Default cell size (m).
pub const DEFAULT_CELL_M: f64 = 50.0;
/// Default bandwidth (m).
pub const DEFAULT_BANDWIDTH_M: f64 = 300.0;
/// Largest surface computed (cells).
pub const MAX_CELLS: usize = 4_000_000;
/// Largest bandwidth in cells: the kernel's reach from a point.
pub const MAX_REACH_CELLS: f64 = 100.0;

/// A density surface.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Surface {
    /// Easting of the south-west corner of the first cell.
    pub min_easting: f64,
    /// Northing of the south-west corner of the first cell.
    pub min_northing: f64,
    /// Cell size (m).
    pub cell_m: f64,
    /// Bandwidth (m).
    pub bandwidth_m: f64,
    /// Columns.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
    /// Density per km², row by row from the south-west.
    pub values: Vec<f64>,
}

/// Computes the surface for projected points (easting, northing); returns
/// [`AnalysisError::Interrupted`] once `interrupt` is raised.
pub fn quartic_density(
    points: &[(f64, f64)],
    cell_m: f64,
    bandwidth_m: f64,
    interrupt: &Interrupt,
) -> Result<Surface, AnalysisError> {
    if points.is_empty() {
        return Err(AnalysisError::Empty);
    }
    if !(1.0..=5_000.0).contains(&cell_m) || !(cell_m..=50_000.0).contains(&bandwidth_m) {
        return Err(AnalysisError::Invalid(
            "the cell size must be 1 to 5,000 m and the bandwidth at least one cell and at most 50 km".into(),
        ));
    }
    if bandwidth_m > MAX_REACH_CELLS * cell_m {
        return Err(AnalysisError::Invalid(format!(
            "a bandwidth of {bandwidth_m} m over {cell_m} m cells reaches more than {MAX_REACH_CELLS} cells: \
             use larger cells or a smaller bandwidth"
        )));
    }
    if points.iter().any(|(e, n)| !e.is_finite() || !n.is_finite()) {
        return Err(AnalysisError::Invalid("every point needs coordinates".into()));
    }
    let h = bandwidth_m;
    let min_e = ((points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min) - h) / cell_m).floor() * cell_m;
    let min_n = ((points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min) - h) / cell_m).floor() * cell_m;
    let max_e = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max) + h;
    let max_n = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max) + h;
    let cols = ((max_e - min_e) / cell_m).ceil() as usize;
    let rows = ((max_n - min_n) / cell_m).ceil() as usize;
    if cols.saturating_mul(rows) > MAX_CELLS {
        return Err(AnalysisError::TooLarge(format!(
            "{cols} x {rows} cells is too many: use larger cells or fewer points"
        )));
    }
    let mut values = vec![0.0; cols * rows];
    let norm = 3.0 / (std::f64::consts::PI * h * h) * 1e6;
    let reach = (h / cell_m).ceil() as i64;
    for (i, (e, n)) in points.iter().enumerate() {
        if i % 16 == 0 {
            interrupt.check()?;
        }
        let (c0, r0) = (((e - min_e) / cell_m).floor() as i64, ((n - min_n) / cell_m).floor() as i64);
        for r in (r0 - reach).max(0)..=(r0 + reach).min(rows as i64 - 1) {
            let cy = min_n + (r as f64 + 0.5) * cell_m;
            for c in (c0 - reach).max(0)..=(c0 + reach).min(cols as i64 - 1) {
                let cx = min_e + (c as f64 + 0.5) * cell_m;
                let d2 = (cx - e).powi(2) + (cy - n).powi(2);
                if d2 < h * h {
                    values[r as usize * cols + c as usize] += norm * (1.0 - d2 / (h * h)).powi(2);
                }
            }
        }
    }
    Ok(Surface { min_easting: min_e, min_northing: min_n, cell_m, bandwidth_m, cols, rows, values })
}

/// [`quartic_density`] for WGS84 (longitude, latitude) points.
pub fn quartic_density_wgs84(
    points: &[(f64, f64)],
    cell_m: f64,
    bandwidth_m: f64,
    interrupt: &Interrupt,
) -> Result<Surface, AnalysisError> {
    let projected: Vec<(f64, f64)> = points.iter().map(|(lon, lat)| to_grid(*lon, *lat)).collect();
    quartic_density(&projected, cell_m, bandwidth_m, interrupt)
}

/// Cells below this share of the peak are left out of the GeoJSON (the
/// CSV has them all).
pub const GEOJSON_MIN_SHARE: f64 = 0.02;

impl Surface {
    /// The cells at or above [`GEOJSON_MIN_SHARE`] of the peak as a GeoJSON
    /// FeatureCollection: WGS84 squares with `density_per_km2` and `level`
    /// (the density as a share of the peak, 0 to 1), for maps and GIS.
    pub fn to_geojson(&self) -> serde_json::Value {
        let peak = self.values.iter().copied().fold(0.0, f64::max);
        let round = |v: f64| (v * 1e6).round() / 1e6;
        let features: Vec<serde_json::Value> = self
            .values
            .iter()
            .enumerate()
            .filter(|(_, v)| peak > 0.0 && **v >= GEOJSON_MIN_SHARE * peak)
            .map(|(i, v)| {
                let (e, n) = (
                    self.min_easting + (i % self.cols) as f64 * self.cell_m,
                    self.min_northing + (i / self.cols) as f64 * self.cell_m,
                );
                let ring: Vec<[f64; 2]> =
                    [(e, n), (e + self.cell_m, n), (e + self.cell_m, n + self.cell_m), (e, n + self.cell_m), (e, n)]
                        .iter()
                        .map(|(x, y)| {
                            let (lon, lat) = from_grid(*x, *y);
                            [round(lon), round(lat)]
                        })
                        .collect();
                serde_json::json!({
                    "type": "Feature",
                    "geometry": { "type": "Polygon", "coordinates": [ring] },
                    "properties": { "easting": e, "northing": n, "density_per_km2": v, "level": v / peak }
                })
            })
            .collect();
        serde_json::json!({
            "type": "FeatureCollection", "cell_m": self.cell_m, "bandwidth_m": self.bandwidth_m,
            "peak_per_km2": peak, "min_share_shown": GEOJSON_MIN_SHARE, "features": features
        })
    }

    /// The non-empty cells as CSV (south-west corner, density per km²).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("easting,northing,density_per_km2\n");
        for (i, v) in self.values.iter().enumerate().filter(|(_, v)| **v > 0.0) {
            let (c, r) = (i % self.cols, i / self.cols);
            out.push_str(&format!(
                "{},{},{:.6}\n",
                self.min_easting + c as f64 * self.cell_m,
                self.min_northing + r as f64 * self.cell_m,
                v
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_point_integrates_to_one_and_peaks_at_the_kernel_maximum() {
        let s = quartic_density(&[(515_025.0, 207_025.0)], 10.0, 200.0, &Interrupt::never()).expect("surface");
        let area_km2 = (s.cell_m * s.cell_m) / 1e6;
        let total: f64 = s.values.iter().map(|v| v * area_km2).sum();
        assert!((total - 1.0).abs() < 0.01, "{total}");
        let peak = s.values.iter().cloned().fold(0.0, f64::max);
        let k0 = 3.0 / (std::f64::consts::PI * 200.0 * 200.0) * 1e6;
        assert!((peak - k0).abs() / k0 < 0.01, "{peak} vs {k0}");
        assert!(s.min_easting % 10.0 == 0.0 && s.min_northing % 10.0 == 0.0, "aligned cells");
    }

    #[test]
    fn the_geojson_holds_the_cells_near_the_peak_as_squares_in_wgs84() {
        let centre = to_grid(-0.3390, 51.7520);
        let s = quartic_density(&[centre], 50.0, 200.0, &Interrupt::never()).expect("surface");
        let g = s.to_geojson();
        let features = g["features"].as_array().expect("features");
        let shown =
            s.values.iter().filter(|v| **v >= GEOJSON_MIN_SHARE * g["peak_per_km2"].as_f64().unwrap_or(1.0)).count();
        assert_eq!(features.len(), shown);
        assert!(features.len() < s.values.iter().filter(|v| **v > 0.0).count(), "the faint edge is left out");
        let top = features.iter().map(|f| f["properties"]["level"].as_f64().unwrap_or(0.0)).fold(0.0, f64::max);
        assert!((top - 1.0).abs() < 1e-12, "the peak cell has level 1");
        let ring = features[0]["geometry"]["coordinates"][0].as_array().expect("ring");
        assert_eq!(ring.len(), 5, "a closed square");
        let lon = ring[0][0].as_f64().unwrap_or(0.0);
        let lat = ring[0][1].as_f64().unwrap_or(0.0);
        assert!((lon + 0.339).abs() < 0.01 && (lat - 51.752).abs() < 0.01, "{lon}, {lat}");
    }

    #[test]
    fn many_points_sum_and_bad_input() {
        let pts: Vec<(f64, f64)> =
            (0..100).map(|i| (500_000.0 + f64::from(i) * 37.0, 200_000.0 + f64::from(i % 7) * 53.0)).collect();
        let s = quartic_density(&pts, 25.0, 300.0, &Interrupt::never()).expect("surface");
        let total: f64 = s.values.iter().map(|v| v * 625.0 / 1e6).sum();
        assert!((total - 100.0).abs() < 1.0, "{total}");
        assert!(quartic_density(&[], 50.0, 300.0, &Interrupt::never()).is_err());
        assert!(quartic_density(&pts, 50.0, 10.0, &Interrupt::never()).is_err(), "bandwidth under one cell");
        assert!(s.values.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn a_wide_kernel_over_small_cells_is_refused_and_an_interrupt_stops_the_surface() {
        let pts = [(500_000.0, 200_000.0), (500_100.0, 200_100.0)];
        let never = Interrupt::never();
        let r = quartic_density(&pts, 1.0, 5_000.0, &never);
        assert!(matches!(r, Err(AnalysisError::Invalid(ref m)) if m.contains("reaches more than")), "{r:?}");
        assert!(quartic_density(&pts, 50.0, 5_000.0, &never).is_ok(), "100 cells of reach is allowed");
        assert!(quartic_density(&[(f64::NAN, 1.0)], 50.0, 300.0, &never).is_err());
        assert!(quartic_density(&pts, f64::NAN, 300.0, &never).is_err());
        assert!(quartic_density(&pts, 50.0, f64::INFINITY, &never).is_err());
        let stop = Interrupt::new();
        stop.raise();
        assert_eq!(quartic_density(&pts, 50.0, 300.0, &stop), Err(AnalysisError::Interrupted));
    }
}
