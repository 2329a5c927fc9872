//! Grid hotspots: points binned into square British National Grid cells
//! aligned to multiples of the cell size, queen contiguity between cells,
//! and the local statistics on the counts, with each cell's outline in
//! WGS84 for maps.

use crate::bng::{from_grid, to_grid};
use crate::interrupt::Interrupt;
use crate::local::{local_statistics, LocalOptions, LocalResult};
use crate::weights::Weights;
use crate::AnalysisError;
use serde::Serialize;

/// Default cell size in metres.
pub const DEFAULT_CELL_M: f64 = 250.0;

/// One grid cell's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// South-west corner easting (a multiple of the cell size).
    pub easting: f64,
    /// South-west corner northing.
    pub northing: f64,
    /// Points in the cell.
    pub count: u32,
    /// Local statistics.
    #[serde(flatten)]
    pub stats: LocalResult,
    /// Outline in WGS84 (longitude, latitude), closed ring.
    pub ring: Vec<(f64, f64)>,
}

/// A hotspot grid over the extent of the points.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grid {
    /// Cell size in metres.
    pub cell_m: f64,
    /// Columns.
    pub cols: usize,
    /// Rows.
    pub rows: usize,
    /// Points used.
    pub points: usize,
    /// Every cell, row by row from the south-west.
    pub cells: Vec<Cell>,
}

/// Largest grid accepted (cells), to keep requests bounded.
pub const MAX_CELLS: usize = 250_000;

/// Columns and rows of the grid spanning cell indices `min..=max` (as
/// floats), refused before any allocation when over [`MAX_CELLS`].
fn extent(min_c: f64, max_c: f64, min_r: f64, max_r: f64, hint: &str) -> Result<(usize, usize), AnalysisError> {
    let (cols, rows) = (max_c - min_c + 1.0, max_r - min_r + 1.0);
    if !(cols.is_finite() && rows.is_finite()) || cols < 1.0 || rows < 1.0 {
        return Err(AnalysisError::Invalid("every point needs coordinates".into()));
    }
    if cols * rows > MAX_CELLS as f64 {
        return Err(AnalysisError::TooLarge(format!(
            "{cols} x {rows} cells is too many (at most {MAX_CELLS}): {hint}"
        )));
    }
    Ok((cols as usize, rows as usize))
}

/// Bins `points` (longitude, latitude) into `cell_m` squares and computes Gi*
/// and Local Moran's I for every cell of the bounding grid; returns
/// [`AnalysisError::Interrupted`] once `interrupt` is raised.
pub fn hotspots(
    points: &[(f64, f64)],
    cell_m: f64,
    opts: LocalOptions,
    interrupt: &Interrupt,
) -> Result<Grid, AnalysisError> {
    if !(10.0..=10_000.0).contains(&cell_m) {
        return Err(AnalysisError::Invalid("the cell size must be from 10 to 10,000 metres".into()));
    }
    if points.is_empty() {
        return Err(AnalysisError::Empty);
    }
    let grid: Vec<(f64, f64)> = points.iter().map(|(lon, lat)| to_grid(*lon, *lat)).collect();
    if grid.iter().any(|(e, n)| !e.is_finite() || !n.is_finite()) {
        return Err(AnalysisError::Invalid("every point needs coordinates".into()));
    }
    let min_c = grid.iter().map(|(e, _)| (e / cell_m).floor()).fold(f64::INFINITY, f64::min);
    let max_c = grid.iter().map(|(e, _)| (e / cell_m).floor()).fold(f64::NEG_INFINITY, f64::max);
    let min_r = grid.iter().map(|(_, n)| (n / cell_m).floor()).fold(f64::INFINITY, f64::min);
    let max_r = grid.iter().map(|(_, n)| (n / cell_m).floor()).fold(f64::NEG_INFINITY, f64::max);
    let (cols, rows) = extent(min_c, max_c, min_r, max_r, "use larger cells or a smaller area")?;
    if cols * rows < 3 {
        return Err(AnalysisError::TooFew { what: "grid cells", needed: 3, found: cols * rows });
    }
    let mut counts = vec![0u32; cols * rows];
    for (e, n) in &grid {
        let c = ((e / cell_m).floor() - min_c) as usize;
        let r = ((n / cell_m).floor() - min_r) as usize;
        counts[r * cols + c] += 1;
    }
    let w = Weights::grid_queen(cols, rows)?;
    let y: Vec<f64> = counts.iter().map(|c| f64::from(*c)).collect();
    let stats = local_statistics(&y, &w, opts, interrupt)?;
    interrupt.check()?;
    let cells = stats
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let (c, r) = (i % cols, i / cols);
            let (e, n) = ((min_c + c as f64) * cell_m, (min_r + r as f64) * cell_m);
            let ring = [(e, n), (e + cell_m, n), (e + cell_m, n + cell_m), (e, n + cell_m), (e, n)]
                .iter()
                .map(|(x, y)| from_grid(*x, *y))
                .collect();
            Cell { easting: e, northing: n, count: counts[i], stats: s, ring }
        })
        .collect();
    Ok(Grid { cell_m, cols, rows, points: points.len(), cells })
}

/// Bins two point sets onto one aligned grid (their joint extent) and
/// returns the counts of each, cell by cell.
pub fn bin_pair(a: &[(f64, f64)], b: &[(f64, f64)], cell_m: f64) -> Result<(Vec<f64>, Vec<f64>), AnalysisError> {
    if a.is_empty() || b.is_empty() {
        return Err(AnalysisError::Empty);
    }
    if !(10.0..=10_000.0).contains(&cell_m) {
        return Err(AnalysisError::Invalid("the cell size must be from 10 to 10,000 metres".into()));
    }
    let pa: Vec<(f64, f64)> = a.iter().map(|(lon, lat)| to_grid(*lon, *lat)).collect();
    let pb: Vec<(f64, f64)> = b.iter().map(|(lon, lat)| to_grid(*lon, *lat)).collect();
    if pa.iter().chain(&pb).any(|(e, n)| !e.is_finite() || !n.is_finite()) {
        return Err(AnalysisError::Invalid("every point needs coordinates".into()));
    }
    let all = pa.iter().chain(&pb);
    let (mut min_c, mut max_c, mut min_r, mut max_r) =
        (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for (e, n) in all {
        min_c = min_c.min((e / cell_m).floor());
        max_c = max_c.max((e / cell_m).floor());
        min_r = min_r.min((n / cell_m).floor());
        max_r = max_r.max((n / cell_m).floor());
    }
    let (cols, rows) = extent(min_c, max_c, min_r, max_r, "use larger cells")?;
    let count = |pts: &[(f64, f64)]| {
        let mut v = vec![0.0; cols * rows];
        for (e, n) in pts {
            v[((n / cell_m).floor() - min_r) as usize * cols + ((e / cell_m).floor() - min_c) as usize] += 1.0;
        }
        v
    };
    Ok((count(&pa), count(&pb)))
}

impl Grid {
    /// The cells as a GeoJSON FeatureCollection (WGS84 polygons with the
    /// statistics as properties), for maps and GIS.
    pub fn to_geojson(&self) -> serde_json::Value {
        let features: Vec<serde_json::Value> = self
            .cells
            .iter()
            .map(|c| {
                let ring: Vec<[f64; 2]> = c.ring.iter().map(|(lon, lat)| [*lon, *lat]).collect();
                serde_json::json!({
                    "type": "Feature",
                    "geometry": { "type": "Polygon", "coordinates": [ring] },
                    "properties": {
                        "easting": c.easting, "northing": c.northing, "count": c.count,
                        "gi_z": c.stats.gi_z, "gi_p": c.stats.gi_p, "gi_class": c.stats.gi_class,
                        "gi_fdr_significant": c.stats.gi_fdr_significant,
                        "moran_i": c.stats.moran_i, "moran_p": c.stats.moran_p, "quadrant": c.stats.quadrant,
                        "moran_fdr_significant": c.stats.moran_fdr_significant,
                    }
                })
            })
            .collect();
        serde_json::json!({ "type": "FeatureCollection", "cell_m": self.cell_m, "points": self.points, "features": features })
    }

    /// The cells as CSV (one row per cell, BNG south-west corner).
    pub fn to_csv(&self) -> String {
        let mut out = String::from("easting,northing,count,gi_z,gi_p,gi_class,gi_fdr_significant,moran_i,moran_p,quadrant,moran_fdr_significant\n");
        for c in &self.cells {
            let class = serde_json::to_value(c.stats.gi_class)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            out.push_str(&format!(
                "{},{},{},{:.6},{:.6},{},{},{:.6},{:.6},{:?},{}\n",
                c.easting,
                c.northing,
                c.count,
                c.stats.gi_z,
                c.stats.gi_p,
                class,
                c.stats.gi_fdr_significant,
                c.stats.moran_i,
                c.stats.moran_p,
                c.stats.quadrant,
                c.stats.moran_fdr_significant
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_is_a_hot_spot_and_cells_align_to_the_grid() {
        // A dense cluster at one point plus scattered background.
        let mut pts = vec![(-0.3390, 51.7520); 40];
        for i in 0..60 {
            let f = i as f64;
            pts.push((-0.36 + (f * 0.37).sin() * 0.02, 51.74 + (f * 0.73).cos() * 0.02));
        }
        let g = hotspots(&pts, 250.0, LocalOptions { permutations: 199, seed: 9, fdr: 0.05 }, &Interrupt::never())
            .expect("grid");
        assert!(g.cells.iter().all(|c| c.easting % 250.0 == 0.0 && c.northing % 250.0 == 0.0));
        assert_eq!(g.cells.iter().map(|c| c.count).sum::<u32>(), 100);
        let hottest = g.cells.iter().max_by_key(|c| c.count).expect("cells");
        assert_eq!(hottest.count, 40);
        assert!(hottest.stats.gi_z > 3.0, "{}", hottest.stats.gi_z);
        assert_eq!(hottest.ring.len(), 5);
        assert!(hotspots(&[], 250.0, LocalOptions::default(), &Interrupt::never()).is_err());
        assert!(hotspots(&pts, 1.0, LocalOptions::default(), &Interrupt::never()).is_err());
        assert!(
            hotspots(&[(-0.34, 51.75)], 250.0, LocalOptions::default(), &Interrupt::never()).is_err(),
            "a single point"
        );
    }

    #[test]
    fn grids_too_large_are_refused_before_allocation_and_interrupts_stop_the_statistics() {
        let never = Interrupt::never();
        // From Land's End to John o' Groats in 10 m cells.
        let far = [(-5.7155, 50.0657), (-3.0700, 58.6440)];
        let r = hotspots(&far, 10.0, LocalOptions::default(), &never);
        assert!(matches!(r, Err(AnalysisError::TooLarge(ref m)) if m.contains("too many")), "{r:?}");
        assert!(bin_pair(&far, &far, 10.0).is_err());
        assert!(hotspots(&[(f64::NAN, 51.75), (-0.34, 51.75)], 250.0, LocalOptions::default(), &never).is_err());
        let pts: Vec<(f64, f64)> =
            (0..30).map(|i| (-0.34 + f64::from(i % 5) * 0.004, 51.75 + f64::from(i % 7) * 0.003)).collect();
        let opts = LocalOptions { permutations: 99, seed: 2, fdr: 0.05 };
        let stop = Interrupt::new();
        let first = hotspots(&pts, 250.0, opts, &stop).expect("grid");
        assert_eq!(Ok(first), hotspots(&pts, 250.0, opts, &never), "a lowered flag changes nothing");
        stop.raise();
        assert_eq!(hotspots(&pts, 250.0, opts, &stop), Err(AnalysisError::Interrupted));
    }
}
