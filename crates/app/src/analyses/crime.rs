//! Analyses of recorded crime (open data: viewing crime data is the
//! permission they need): grid and area hotspots, kernel density, emerging
//! issues in monthly series, and predictive accuracy (PAI).

use super::limits::{self, count_in, number_in};
use super::Analyst;
use crate::{Error, Params};
use safetynet_analysis::density::Surface;
use safetynet_analysis::grid::{Grid, DEFAULT_CELL_M};
use safetynet_analysis::local::LocalOptions;
use safetynet_analysis::pai::PaiPoint;
use safetynet_domain::areas::Level;
use safetynet_domain::month::Month;
use safetynet_domain::policy::{Permit, ViewCrimeData};
use safetynet_store::crimes::CrimeFilter;

/// The crime filter options shared by every analysis of recorded crime:
/// `from` and `to` (months), `type`, `lsoa` (code or name).
pub fn crime_filter(p: &Params) -> Result<CrimeFilter, Error> {
    let month = |name: &str| -> Result<Option<Month>, Error> {
        p.text(name).map(|v| Month::parse(v).map_err(|e| Error::Invalid(format!("{name}: {e}")))).transpose()
    };
    let (from, to) = (month("from")?, month("to")?);
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(Error::Invalid("from must be the same month as to or earlier".into()));
        }
    }
    Ok(CrimeFilter { from, to, crime_type: p.short_text("type", 100)?, lsoa: p.short_text("lsoa", 100)? })
}

/// Where hotspots are counted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HotspotUnit {
    /// Aligned British National Grid cells of this size (m).
    Grid(f64),
    /// Loaded area boundaries of this level (LSOAs: police.uk counts by LSOA).
    Areas(Level),
}

/// Hotspots of recorded crime: `cell_m`, `permutations`, `seed`, `level`
/// (`grid`, the default, or `lsoa`).
#[derive(Debug, Clone)]
pub struct HotspotRequest {
    /// Which crime.
    pub filter: CrimeFilter,
    /// Cells or areas.
    pub unit: HotspotUnit,
    /// The local statistics' permutations, seed and FDR level.
    pub local: LocalOptions,
}

impl HotspotRequest {
    /// The request from options (after which the caller calls
    /// [`Params::finish`], having read its own, such as `format`).
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        let filter = crime_filter(p)?;
        let permutations = count_in(p, "permutations", 999, &limits::PERMUTATIONS)?;
        let local = LocalOptions { permutations, seed: p.seed("seed", 1)?, fdr: 0.05 };
        let unit = match p.text("level") {
            None | Some("grid") => {
                HotspotUnit::Grid(number_in(p, "cell_m", DEFAULT_CELL_M, &limits::GRID_CELL_M, " metres")?)
            }
            Some(l) => match Level::parse(l) {
                Some(Level::Lsoa) => HotspotUnit::Areas(Level::Lsoa),
                Some(_) => {
                    return Err(Error::Invalid(
                        "recorded crime is counted by LSOA: use level=lsoa (or the grid)".into(),
                    ))
                }
                None => return Err(Error::Invalid("level must be grid, lsoa, msoa, ward or lad".into())),
            },
        };
        Ok(Self { filter, unit, local })
    }
}

/// Hotspots: the grid, or the areas as a GeoJSON FeatureCollection (each
/// area's statistics, count, population, rate per 1,000 and IMD decile).
#[derive(Debug, Clone)]
pub enum Hotspots {
    /// Grid cells.
    Grid(Grid),
    /// Areas (GeoJSON).
    Areas(serde_json::Value),
}

impl Analyst {
    /// Grid hotspots (Gi*, Local Moran's I, FDR) of the request's crime.
    pub async fn grid_hotspots(
        &self,
        _permit: &Permit<ViewCrimeData>,
        filter: &CrimeFilter,
        cell_m: f64,
        local: LocalOptions,
    ) -> Result<Grid, Error> {
        let points = self.store().crime_locations(filter).await?;
        self.budgeted(move |interrupt| safetynet_analysis::grid::hotspots(&points, cell_m, local, interrupt)).await
    }

    /// Hotspots as the request asks: grid cells or areas.
    pub async fn hotspots(&self, permit: &Permit<ViewCrimeData>, req: &HotspotRequest) -> Result<Hotspots, Error> {
        match req.unit {
            HotspotUnit::Grid(cell_m) => {
                Ok(Hotspots::Grid(self.grid_hotspots(permit, &req.filter, cell_m, req.local).await?))
            }
            HotspotUnit::Areas(level) => Ok(Hotspots::Areas(self.area_hotspots(level, req).await?)),
        }
    }

    /// Hotspots on loaded areas: police.uk counts by LSOA code, queen
    /// contiguity between the polygons, the same local statistics.
    async fn area_hotspots(&self, level: Level, req: &HotspotRequest) -> Result<serde_json::Value, Error> {
        use safetynet_analysis::local::local_statistics;
        use safetynet_analysis::weights::Weights;
        use safetynet_domain::areas::Shape;
        let store = self.store();
        let areas = store.areas(level).await?;
        if areas.is_empty() {
            return Err(Error::Refused {
                rule: "analysis",
                message: "no LSOA boundaries are loaded: use safetynet import areas --level lsoa".into(),
            });
        }
        let counts: std::collections::HashMap<String, i64> =
            store.crime_counts_by_lsoa(&req.filter).await?.into_iter().collect();
        let area_stats: std::collections::HashMap<String, safetynet_store::areas::AreaStats> =
            store.area_stats().await?.into_iter().map(|s| (s.code.clone(), s)).collect();
        let geometries: Vec<serde_json::Value> =
            areas.iter().map(|a| serde_json::from_str(&a.geometry).unwrap_or_default()).collect();
        let shapes: Vec<Shape> =
            geometries.iter().map(Shape::from_geojson).collect::<Result<_, _>>().map_err(Error::Invalid)?;
        let vertices: Vec<_> = shapes.iter().map(Shape::vertices).collect();
        let y: Vec<f64> = areas.iter().map(|a| counts.get(&a.code).copied().unwrap_or(0) as f64).collect();
        let opts = req.local;
        let stats = self
            .budgeted(move |interrupt| {
                let w = Weights::queen_from_vertices(&vertices)?;
                local_statistics(&y, &w, opts, interrupt)
            })
            .await?;
        let features: Vec<serde_json::Value> = areas
            .iter()
            .zip(geometries)
            .zip(stats)
            .map(|((a, geometry), s)| {
                let mut props = serde_json::json!(s);
                let count = counts.get(&a.code).copied().unwrap_or(0);
                let st = area_stats.get(&a.code);
                let population = st.and_then(|s| s.population);
                props["code"] = serde_json::json!(a.code);
                props["name"] = serde_json::json!(a.name);
                props["count"] = serde_json::json!(count);
                props["population"] = serde_json::json!(population);
                props["rate_per_1000"] =
                    serde_json::json!(population.filter(|p| *p > 0).map(|p| count as f64 * 1000.0 / p as f64));
                props["imd_decile"] = serde_json::json!(st.and_then(|s| s.imd_decile));
                serde_json::json!({ "type": "Feature", "geometry": geometry, "properties": props })
            })
            .collect();
        Ok(serde_json::json!({ "type": "FeatureCollection", "level": level.as_str(), "features": features }))
    }
}

/// Kernel density of recorded crime: `cell_m`, `bandwidth_m`.
#[derive(Debug, Clone)]
pub struct DensityRequest {
    /// Which crime.
    pub filter: CrimeFilter,
    /// Cell size (m).
    pub cell_m: f64,
    /// Kernel bandwidth (m), from one cell to [`limits::MAX_REACH_CELLS`] cells.
    pub bandwidth_m: f64,
}

impl DensityRequest {
    /// The request from options.
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        use safetynet_analysis::density::{DEFAULT_BANDWIDTH_M, DEFAULT_CELL_M};
        let filter = crime_filter(p)?;
        let cell_m = number_in(p, "cell_m", DEFAULT_CELL_M, &limits::DENSITY_CELL_M, " metres")?;
        let bandwidth_m = number_in(p, "bandwidth_m", DEFAULT_BANDWIDTH_M, &limits::BANDWIDTH_M, " metres")?;
        if bandwidth_m < cell_m || bandwidth_m > limits::MAX_REACH_CELLS * cell_m {
            return Err(Error::Invalid(format!(
                "bandwidth_m must be from one cell to {} cells ({cell_m} to {} metres for {cell_m} m cells)",
                limits::MAX_REACH_CELLS,
                limits::MAX_REACH_CELLS * cell_m
            )));
        }
        Ok(Self { filter, cell_m, bandwidth_m })
    }
}

impl Analyst {
    /// Quartic kernel density of the request's crime.
    pub async fn density(&self, _permit: &Permit<ViewCrimeData>, req: &DensityRequest) -> Result<Surface, Error> {
        let points = self.store().crime_locations(&req.filter).await?;
        let (cell, bw) = (req.cell_m, req.bandwidth_m);
        self.budgeted(move |interrupt| {
            let surface = safetynet_analysis::density::quartic_density_wgs84(&points, cell, bw, interrupt)?;
            interrupt.check()?;
            Ok(surface)
        })
        .await
    }
}

/// The hot cells (Gi* 95% or more) of the newest month's 250 m map: what
/// the daily review calls a current hot spot.
#[derive(Debug, Clone)]
pub struct HotCells {
    /// The month mapped.
    pub month: Month,
    /// Records held when it was mapped (with the month, the data version).
    records: i64,
    /// Cell size (m).
    pub cell_m: f64,
    /// The hot cells, by BNG cell index (easting / cell, northing / cell).
    pub cells: std::sync::Arc<std::collections::HashSet<(i64, i64)>>,
}

impl HotCells {
    /// Whether the point (WGS84) is in a hot cell.
    pub fn holds(&self, lon: f64, lat: f64) -> bool {
        let (e, n) = safetynet_analysis::bng::to_grid(lon, lat);
        self.cells.contains(&((e / self.cell_m).floor() as i64, (n / self.cell_m).floor() as i64))
    }
}

impl Analyst {
    /// The newest month's hot cells when that month is current on `today`
    /// (not stale), mapped once per data version (99 permutations); none
    /// when the data is stale, absent or too sparse to map.
    pub async fn current_hot_cells(
        &self,
        permit: &Permit<ViewCrimeData>,
        today: chrono::NaiveDate,
    ) -> Result<Option<HotCells>, Error> {
        use safetynet_analysis::local::SpotClass;
        const CELL_M: f64 = 250.0;
        let Some(month) = self.store().crime_months().await?.first().copied() else { return Ok(None) };
        if month.stale_on(today).is_some() {
            return Ok(None);
        }
        let (records, _) = self.store().police_row_counts().await?;
        let kept = self.hot_cells.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        if let Some(h) = kept.filter(|h| h.month == month && h.records == records) {
            return Ok(Some(h));
        }
        let filter = CrimeFilter { from: Some(month), to: Some(month), ..Default::default() };
        let local = LocalOptions { permutations: 99, seed: 1, fdr: 0.05 };
        let Ok(grid) = self.grid_hotspots(permit, &filter, CELL_M, local).await else { return Ok(None) };
        let cells = grid
            .cells
            .iter()
            .filter(|c| matches!(c.stats.gi_class, SpotClass::Hot99 | SpotClass::Hot95))
            .map(|c| ((c.easting / CELL_M).floor() as i64, (c.northing / CELL_M).floor() as i64))
            .collect();
        let hot = HotCells { month, records, cell_m: CELL_M, cells: std::sync::Arc::new(cells) };
        *self.hot_cells.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(hot.clone());
        Ok(Some(hot))
    }
}

/// Emerging issues in monthly series: `by` (`type`, the default, or
/// `lsoa_type`), `all` (every month rather than the latest).
#[derive(Debug, Clone, Default)]
pub struct TrendsRequest {
    /// Which crime.
    pub filter: CrimeFilter,
    /// One series per LSOA and type rather than per type.
    pub by_lsoa: bool,
    /// Alerts for every month, not only the latest.
    pub all: bool,
}

impl TrendsRequest {
    /// The request from options.
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        let filter = crime_filter(p)?;
        let by_lsoa = match p.text("by").unwrap_or("type") {
            "type" => false,
            "lsoa_type" => true,
            _ => return Err(Error::Invalid("by must be type or lsoa_type".into())),
        };
        Ok(Self { filter, by_lsoa, all: p.flag("all", false)? })
    }
}

/// One series' alert.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrendAlert {
    /// Crime type.
    pub crime_type: String,
    /// LSOA name ("" when by type only).
    pub area: String,
    /// Month.
    pub month: String,
    /// The alert.
    #[serde(flatten)]
    pub alert: safetynet_analysis::trends::Alert,
}

/// The months of the series and their alerts.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Trends {
    /// Every month from the first to the last held (`YYYY-MM`).
    pub months: Vec<String>,
    /// The alerts, series by series.
    pub alerts: Vec<TrendAlert>,
}

impl Analyst {
    /// Monthly series per crime type (or LSOA and type) and their alerts
    /// (EARS, CUSUM, Farrington). Refused (`analysis`) when no crime matches.
    pub async fn trends(&self, _permit: &Permit<ViewCrimeData>, req: &TrendsRequest) -> Result<Trends, Error> {
        let counts = self.store().crime_month_counts(&req.filter, req.by_lsoa).await?;
        let (Some(first), Some(last)) = (counts.iter().map(|c| c.0).min(), counts.iter().map(|c| c.0).max()) else {
            return Err(safetynet_analysis::AnalysisError::Empty.into());
        };
        let mut months = vec![first];
        while let Some(m) = months.last().copied().filter(|m| *m < last) {
            months.push(m.next());
        }
        let mut series: std::collections::BTreeMap<(String, String), Vec<f64>> = Default::default();
        for (m, t, a, n) in &counts {
            let idx = months.iter().position(|x| x == m).unwrap_or(0);
            series.entry((t.clone(), a.clone())).or_insert_with(|| vec![0.0; months.len()])[idx] = *n as f64;
        }
        let mut alerts = Vec::new();
        for ((crime_type, area), s) in series {
            for alert in safetynet_analysis::trends::alerts(&s, 12, req.all) {
                alerts.push(TrendAlert {
                    crime_type: crime_type.clone(),
                    area: area.clone(),
                    month: months[alert.period].to_string(),
                    alert,
                });
            }
        }
        Ok(Trends { months: months.iter().map(ToString::to_string).collect(), alerts })
    }
}

/// Predictive accuracy: a prediction period (`from`, `to`), a later scoring
/// period (`score_from`, `score_to`), `type`, `cell_m`, `coverage` (shares
/// of area, default 1%, 2%, 5%, 10%, 20%).
#[derive(Debug, Clone)]
pub struct PaiRequest {
    /// The months whose crime predicts.
    pub predict: (Month, Month),
    /// The later months scored.
    pub score: (Month, Month),
    /// Crime type (all if none).
    pub crime_type: Option<String>,
    /// Cell size (m).
    pub cell_m: f64,
    /// Shares of area at which the curve is reported.
    pub coverage: Vec<f64>,
}

impl PaiRequest {
    /// The request from options.
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        let month = |name: &str| Month::parse(p.required(name)?).map_err(|e| Error::Invalid(format!("{name}: {e}")));
        let (f, t, sf, st) = (month("from")?, month("to")?, month("score_from")?, month("score_to")?);
        if f > t || sf > st || sf <= t {
            return Err(Error::Invalid(
                "the scoring months must come after the prediction months, each range in order".into(),
            ));
        }
        let cell_m = number_in(p, "cell_m", DEFAULT_CELL_M, &limits::GRID_CELL_M, " metres")?;
        let coverage = match p.text("coverage") {
            None => vec![0.01, 0.02, 0.05, 0.10, 0.20],
            Some(s) => {
                let parts: Vec<&str> = s.split(',').collect();
                if parts.len() > limits::MAX_COVERAGE_SHARES {
                    return Err(Error::Invalid(format!(
                        "coverage takes at most {} shares",
                        limits::MAX_COVERAGE_SHARES
                    )));
                }
                parts
                    .iter()
                    .map(|x| match x.trim().parse::<f64>() {
                        Ok(v) if v.is_finite() && v > 0.0 && v <= 1.0 => Ok(v),
                        _ => Err(Error::Invalid(format!("coverage '{x}' must be a share above 0 and at most 1"))),
                    })
                    .collect::<Result<_, _>>()?
            }
        };
        Ok(Self { predict: (f, t), score: (sf, st), crime_type: p.short_text("type", 100)?, cell_m, coverage })
    }
}

/// The curve at one share of area.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CoveragePoint {
    /// The share asked for.
    pub coverage: f64,
    /// The first point of the curve covering at least that share.
    pub point: PaiPoint,
}

/// The PAI and PEI curve's size and its points at the shares asked for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pai {
    /// Cells in the curve.
    pub cells: usize,
    /// Cell size (m).
    pub cell_m: f64,
    /// The curve at each share asked for.
    pub at_coverage: Vec<CoveragePoint>,
}

impl Analyst {
    /// PAI and PEI of the prediction period's hotspots against the scoring
    /// period's crime.
    pub async fn pai(&self, _permit: &Permit<ViewCrimeData>, req: &PaiRequest) -> Result<Pai, Error> {
        let filter = |(from, to): (Month, Month)| CrimeFilter {
            from: Some(from),
            to: Some(to),
            crime_type: req.crime_type.clone(),
            lsoa: None,
        };
        let predicted = self.store().crime_locations(&filter(req.predict)).await?;
        let observed = self.store().crime_locations(&filter(req.score)).await?;
        let (cell_m, shares) = (req.cell_m, req.coverage.clone());
        let (cells, at_coverage) = self
            .budgeted(move |interrupt| {
                let (a, b) = safetynet_analysis::grid::bin_pair(&predicted, &observed, cell_m)?;
                interrupt.check()?;
                let curve = safetynet_analysis::pai::pai_curve(&a, &b)?;
                let points = shares
                    .iter()
                    .filter_map(|share| {
                        curve
                            .iter()
                            .find(|p| p.area_share >= *share)
                            .map(|p| CoveragePoint { coverage: *share, point: *p })
                    })
                    .collect();
                Ok((curve.len(), points))
            })
            .await?;
        Ok(Pai { cells, cell_m, at_coverage })
    }
}
