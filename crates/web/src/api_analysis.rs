//! Analysis endpoints (`/api/v1/analytics/...`): grid hotspots (Gi*, Local
//! Moran's I, FDR) on recorded crime, and operation evaluation (WDD, WDQ).
//! Results are deterministic for a given seed; recorded crime is open data,
//! so viewing crime data is the permission needed.
//!
//! Every parameter has a bound (see [`limits`]), checked here with a 400
//! before any work. Every heavy analysis goes through [`run_budgeted`]: it
//! waits for one of the [`AnalysisLimits::concurrency`](crate::AnalysisLimits)
//! slots, runs on a blocking thread, and is interrupted when its time budget
//! has elapsed (answered as a 422 with the rule `analysis_budget`) or when the
//! request is dropped (the client went away). Answers are cached up to a
//! number of bytes.

use crate::auth::ApiUser;
use crate::error::{ApiResult, AppError};
use crate::params::{join_errors, parse_query, CrimeQuery};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use safetynet_analysis::evaluate::{advise, wdd, wdq, BeforeAfter, WddInput, WdqInput};
use safetynet_analysis::grid::{hotspots, Grid, DEFAULT_CELL_M};
use safetynet_analysis::interrupt::Interrupt;
use safetynet_analysis::local::LocalOptions;
use safetynet_analysis::AnalysisError;
use safetynet_domain::policy::ViewCrimeData;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Routes under `/api/v1/analytics`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/analytics/hotspots", get(hotspots_api))
        .route("/analytics/density", get(density_api))
        .route("/analytics/near-repeat", get(near_repeat_api))
        .route("/analytics/scan", get(scan_api))
        .route("/analytics/trends", get(trends_api))
        .route("/analytics/pai", get(pai_api))
        .route("/analytics/incident-trends", get(incident_trends_api))
        .route("/analytics/evaluate", get(evaluate_api))
}

impl From<AnalysisError> for AppError {
    fn from(e: AnalysisError) -> Self {
        let rule = match e {
            AnalysisError::TooLarge(_) => "analysis_limit",
            AnalysisError::Interrupted => "analysis_budget",
            _ => "analysis",
        };
        AppError::Unprocessable { rule: rule.into(), message: e.to_string() }
    }
}

/// The bounds on the analytics endpoints' parameters. The analysis crate
/// has its own (wider) limits on the sizes that drive memory and work, so a
/// caller that skips these checks still cannot exhaust the machine.
pub mod limits {
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
    /// Longest scan window (days), prospective or not.
    pub const SCAN_WINDOW_DAYS: RangeInclusive<usize> = 1..=366;
    /// Most coverage shares asked of the PAI curve.
    pub const MAX_COVERAGE_SHARES: usize = 20;
    /// Largest count given to the evaluation.
    pub const MAX_EVALUATE_COUNT: f64 = 10_000_000.0;
}

/// A number within `range`, or a 400 naming the parameter and the range
/// (NaN and infinities are outside every range).
fn bounded(name: &str, v: f64, range: &std::ops::RangeInclusive<f64>, unit: &str) -> Result<f64, AppError> {
    if v.is_finite() && range.contains(&v) {
        Ok(v)
    } else {
        Err(AppError::BadRequest(format!("{name} must be a number from {} to {}{unit}", range.start(), range.end())))
    }
}

/// A whole number within `range`, or a 400.
fn bounded_count(name: &str, v: usize, range: &std::ops::RangeInclusive<usize>) -> Result<usize, AppError> {
    if range.contains(&v) {
        Ok(v)
    } else {
        Err(AppError::BadRequest(format!("{name} must be from {} to {}", range.start(), range.end())))
    }
}

/// Most results kept (the byte cap usually binds first).
const CACHE_ENTRIES: usize = 64;

/// Recent analysis results of recorded crime, keyed by method, query and the
/// number of records (so an import makes old results unreachable), holding
/// at most `cap` bytes (keys and bodies): the oldest go first, and an answer
/// larger than the cap is not kept.
#[derive(Debug)]
pub struct Cache {
    entries: std::collections::VecDeque<(String, (String, String))>,
    bytes: usize,
    cap: usize,
}

impl Default for Cache {
    fn default() -> Self {
        Self::new(crate::AnalysisLimits::default().cache_bytes)
    }
}

fn entry_bytes(key: &str, value: &(String, String)) -> usize {
    key.len() + value.0.len() + value.1.len()
}

impl Cache {
    /// An empty cache holding at most `cap` bytes (0: keep nothing).
    pub fn new(cap: usize) -> Self {
        Self { entries: Default::default(), bytes: 0, cap }
    }

    /// Bytes held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    fn get(&self, key: &str) -> Option<(String, String)> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    /// Keeps `value` under `key`, evicting the oldest entries until the
    /// cache is within its cap again.
    pub fn insert(&mut self, key: String, value: (String, String)) {
        let size = entry_bytes(&key, &value);
        if size > self.cap || self.entries.iter().any(|(k, _)| *k == key) {
            return;
        }
        self.entries.push_back((key, value));
        self.bytes += size;
        while self.bytes > self.cap || self.entries.len() > CACHE_ENTRIES {
            match self.entries.pop_front() {
                Some((k, v)) => self.bytes -= entry_bytes(&k, &v),
                None => break,
            }
        }
    }
}

/// Raises the interrupt when dropped: the request future holding it was
/// dropped (the client went away) or has finished.
struct RaiseOnDrop(Interrupt);

impl Drop for RaiseOnDrop {
    fn drop(&mut self) {
        self.0.raise();
    }
}

fn seconds(d: Duration) -> String {
    format!("{} s", d.as_secs_f64())
}

/// The answer when an analysis used up its time budget.
fn over_budget(budget: Duration) -> AppError {
    AppError::Unprocessable {
        rule: "analysis_budget".into(),
        message: format!(
            "the analysis was stopped after {}, its time budget: narrow the dates, the area or the category, \
             or ask for fewer permutations or replications",
            seconds(budget)
        ),
    }
}

/// Runs a heavy analysis within the app's limits: see [`budgeted`].
pub(crate) async fn run_budgeted<T, F>(state: &AppState, work: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&Interrupt) -> Result<T, AnalysisError> + Send + 'static,
{
    budgeted(&state.analysis_slots, state.config.analysis.time_budget, work).await
}

/// Waits up to `budget` for a slot of `slots` (else 503), then runs `work`
/// on a blocking thread holding the slot. The interrupt `work` is given is
/// raised when `budget` has elapsed (the answer is then the `analysis_budget`
/// error) and when this future is dropped. The timer is tokio's: elapsed
/// time only, never the wall clock.
pub(crate) async fn budgeted<T, F>(slots: &Arc<Semaphore>, budget: Duration, work: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&Interrupt) -> Result<T, AnalysisError> + Send + 'static,
{
    let permit = match tokio::time::timeout(budget, slots.clone().acquire_owned()).await {
        Ok(Ok(permit)) => permit,
        Ok(Err(closed)) => return Err(AppError::Internal(closed.to_string())),
        Err(_) => {
            return Err(AppError::Busy(format!(
                "every analysis slot stayed busy for {}: try again in a moment",
                seconds(budget)
            )))
        }
    };
    let interrupt = Interrupt::new();
    let _raise_on_drop = RaiseOnDrop(interrupt.clone());
    let worker = interrupt.clone();
    let mut task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        work(&worker)
    });
    let joined = tokio::select! {
        joined = &mut task => joined,
        () = tokio::time::sleep(budget) => {
            interrupt.raise();
            task.await
        }
    };
    match joined {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(AnalysisError::Interrupted)) => Err(over_budget(budget)),
        Ok(Err(e)) => Err(e.into()),
        Err(e) => Err(AppError::Internal(e.to_string())),
    }
}

/// Returns the cached (content type, body) for `method` and `raw`, or
/// computes, stores and returns it.
async fn cached<F, Fut>(state: &AppState, method: &str, raw: Option<&str>, compute: F) -> Result<Response, AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<(String, String), AppError>>,
{
    let (records, _) = state.store.police_row_counts().await?;
    let key = format!("{method}?{}#{records}", raw.unwrap_or(""));
    let hit = state.analytics_cache.lock().ok().and_then(|c| c.get(&key));
    let (content_type, body) = match hit {
        Some(v) => v,
        None => {
            let v = compute().await?;
            if let Ok(mut c) = state.analytics_cache.lock() {
                c.insert(key, v.clone());
            }
            v
        }
    };
    Ok(([(axum::http::header::CONTENT_TYPE, content_type)], body).into_response())
}

/// Hotspot options on top of the crime filters.
#[derive(Debug, Default, Deserialize)]
pub struct HotspotQuery {
    #[serde(flatten)]
    filter: CrimeQuery,
    #[serde(default)]
    cell_m: Option<f64>,
    #[serde(default)]
    permutations: Option<usize>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    format: Option<String>,
    /// `grid` (default) or an area level such as `lsoa` (boundaries must be loaded).
    #[serde(default)]
    level: Option<String>,
}

/// Hotspots on loaded areas (e.g. LSOAs): police.uk counts by LSOA code,
/// queen contiguity between the polygons, the same local statistics.
async fn area_hotspots(state: &AppState, q: HotspotQuery) -> Result<(String, String), AppError> {
    use safetynet_analysis::local::local_statistics;
    use safetynet_analysis::weights::Weights;
    use safetynet_domain::areas::{Level, Shape};
    let level = q
        .level
        .as_deref()
        .and_then(Level::parse)
        .ok_or_else(|| AppError::BadRequest("level must be grid, lsoa, msoa, ward or lad".into()))?;
    if level != Level::Lsoa {
        return Err(AppError::BadRequest("recorded crime is counted by LSOA: use level=lsoa (or the grid)".into()));
    }
    let opts = local_options(&q)?;
    let filter = q.filter.filter().map_err(|e| join_errors(&e))?;
    let areas = state.store.areas(level).await?;
    if areas.is_empty() {
        return Err(AppError::Unprocessable {
            rule: "analysis".into(),
            message: "no LSOA boundaries are loaded: use safetynet import areas --level lsoa".into(),
        });
    }
    let counts: std::collections::HashMap<String, i64> =
        state.store.crime_counts_by_lsoa(&filter).await?.into_iter().collect();
    let area_stats: std::collections::HashMap<String, safetynet_store::areas::AreaStats> =
        state.store.area_stats().await?.into_iter().map(|s| (s.code.clone(), s)).collect();
    let shapes: Vec<Shape> = areas
        .iter()
        .map(|a| Shape::from_geojson(&serde_json::from_str(&a.geometry).unwrap_or_default()))
        .collect::<Result<_, _>>()
        .map_err(AppError::BadRequest)?;
    let vertices: Vec<_> = shapes.iter().map(Shape::vertices).collect();
    let y: Vec<f64> = areas.iter().map(|a| counts.get(&a.code).copied().unwrap_or(0) as f64).collect();
    let stats = run_budgeted(state, move |interrupt| {
        let w = Weights::queen_from_vertices(&vertices)?;
        local_statistics(&y, &w, opts, interrupt)
    })
    .await?;
    let features: Vec<serde_json::Value> = areas
        .iter()
        .zip(stats)
        .map(|(a, s)| {
            let geometry: serde_json::Value = serde_json::from_str(&a.geometry).unwrap_or_default();
            let mut props = serde_json::json!(s);
            props["code"] = serde_json::json!(a.code);
            props["name"] = serde_json::json!(a.name);
            let count = counts.get(&a.code).copied().unwrap_or(0);
            props["count"] = serde_json::json!(count);
            let st = area_stats.get(&a.code);
            props["population"] = serde_json::json!(st.and_then(|s| s.population));
            props["rate_per_1000"] = serde_json::json!(st
                .and_then(|s| s.population)
                .filter(|p| *p > 0)
                .map(|p| count as f64 * 1000.0 / p as f64));
            props["imd_decile"] = serde_json::json!(st.and_then(|s| s.imd_decile));
            serde_json::json!({ "type": "Feature", "geometry": geometry, "properties": props })
        })
        .collect();
    Ok((
        "application/geo+json".into(),
        serde_json::json!({ "type": "FeatureCollection", "level": level.as_str(), "features": features }).to_string(),
    ))
}

/// The local statistics' options of a hotspot query, within bounds.
fn local_options(q: &HotspotQuery) -> Result<LocalOptions, AppError> {
    let permutations = bounded_count("permutations", q.permutations.unwrap_or(999), &limits::PERMUTATIONS)?;
    Ok(LocalOptions { permutations, seed: q.seed.unwrap_or(1), fdr: 0.05 })
}

/// Runs the hotspot grid for a query and hands it, with the query's format,
/// to `finish` on the analysis thread.
async fn hotspot_grid<T, F>(state: &AppState, raw: Option<&str>, finish: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(Grid, Option<&str>) -> T + Send + 'static,
{
    let q: HotspotQuery = parse_query(raw)?;
    let opts = local_options(&q)?;
    let cell = bounded("cell_m", q.cell_m.unwrap_or(DEFAULT_CELL_M), &limits::GRID_CELL_M, " metres")?;
    let filter = q.filter.filter().map_err(|e| join_errors(&e))?;
    let points = state.store.crime_locations(&filter).await?;
    let format = q.format;
    run_budgeted(state, move |interrupt| {
        let grid = hotspots(&points, cell, opts, interrupt)?;
        Ok(finish(grid, format.as_deref()))
    })
    .await
}

/// Runs the hotspot grid for a query (shared by the API and the page).
pub async fn run_hotspots(state: &AppState, raw: Option<&str>) -> Result<(Grid, Option<String>), AppError> {
    hotspot_grid(state, raw, |grid, format| (grid, format.map(str::to_string))).await
}

async fn hotspots_api(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    user.permit::<ViewCrimeData>()?;
    Ok(cached(&state, "hotspots", raw.as_deref(), || async {
        let q: HotspotQuery = parse_query(raw.as_deref())?;
        if q.level.as_deref().is_some_and(|l| l != "grid") {
            return area_hotspots(&state, q).await;
        }
        hotspot_grid(&state, raw.as_deref(), |grid, format| match format {
            Some("csv") => ("text/csv; charset=utf-8".to_string(), grid.to_csv()),
            Some("json") => ("application/json".to_string(), serde_json::to_string(&grid).unwrap_or_default()),
            _ => ("application/geo+json".to_string(), grid.to_geojson().to_string()),
        })
        .await
    })
    .await?)
}

/// Before/after counts for the four areas of an evaluation.
#[derive(Debug, Deserialize)]
pub struct EvaluateQuery {
    /// Target, before.
    pub target_before: f64,
    /// Target, after.
    pub target_after: f64,
    /// Control, before.
    pub control_before: f64,
    /// Control, after.
    pub control_after: f64,
    /// Buffer, before.
    #[serde(default)]
    pub buffer_before: f64,
    /// Buffer, after.
    #[serde(default)]
    pub buffer_after: f64,
    /// The control's buffer, before.
    #[serde(default)]
    pub buffer_control_before: f64,
    /// The control's buffer, after.
    #[serde(default)]
    pub buffer_control_after: f64,
}

/// Evaluates an operation from counts (shared by the API and the page).
pub fn run_evaluate(q: &EvaluateQuery) -> Result<serde_json::Value, AppError> {
    let counts = [
        q.target_before,
        q.target_after,
        q.control_before,
        q.control_after,
        q.buffer_before,
        q.buffer_after,
        q.buffer_control_before,
        q.buffer_control_after,
    ];
    if !counts.iter().all(|c| c.is_finite() && (0.0..=limits::MAX_EVALUATE_COUNT).contains(c)) {
        return Err(AppError::BadRequest(format!(
            "every count must be a number from 0 to {}",
            limits::MAX_EVALUATE_COUNT
        )));
    }
    let w = wdd(&WddInput {
        treated: BeforeAfter::new(q.target_before, q.target_after),
        control: BeforeAfter::new(q.control_before, q.control_after),
        displacement_treated: BeforeAfter::new(q.buffer_before, q.buffer_after),
        displacement_control: BeforeAfter::new(q.buffer_control_before, q.buffer_control_after),
    })?;
    let has_buffer = q.buffer_before + q.buffer_after > 0.0;
    let quotient = if has_buffer {
        wdq(&WdqInput {
            target: BeforeAfter::new(q.target_before, q.target_after),
            buffer: BeforeAfter::new(q.buffer_before, q.buffer_after),
            control: BeforeAfter::new(q.control_before, q.control_after),
        })
        .ok()
    } else {
        None
    };
    let advice = advise(&w, quotient);
    Ok(serde_json::json!({ "wdd": w, "wdq": quotient, "advice": advice }))
}

async fn evaluate_api(user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<serde_json::Value>> {
    user.permit::<ViewCrimeData>()?;
    let q: EvaluateQuery = parse_query(raw.as_deref())?;
    Ok(Json(run_evaluate(&q)?))
}

/// Density options on top of the crime filters.
#[derive(Debug, Default, Deserialize)]
struct DensityQuery {
    #[serde(flatten)]
    filter: CrimeQuery,
    #[serde(default)]
    cell_m: Option<f64>,
    #[serde(default)]
    bandwidth_m: Option<f64>,
    #[serde(default)]
    format: Option<String>,
}

async fn density_api(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    use safetynet_analysis::density::{quartic_density_wgs84, DEFAULT_BANDWIDTH_M, DEFAULT_CELL_M};
    user.permit::<ViewCrimeData>()?;
    let q: DensityQuery = parse_query(raw.as_deref())?;
    let cell = bounded("cell_m", q.cell_m.unwrap_or(DEFAULT_CELL_M), &limits::DENSITY_CELL_M, " metres")?;
    let bw = bounded("bandwidth_m", q.bandwidth_m.unwrap_or(DEFAULT_BANDWIDTH_M), &limits::BANDWIDTH_M, " metres")?;
    if bw < cell || bw > limits::MAX_REACH_CELLS * cell {
        return Err(AppError::BadRequest(format!(
            "bandwidth_m must be from one cell to {} cells ({cell} to {} metres for {cell} m cells)",
            limits::MAX_REACH_CELLS,
            limits::MAX_REACH_CELLS * cell
        ))
        .into());
    }
    let filter = q.filter.filter().map_err(|e| join_errors(&e))?;
    let points = state.store.crime_locations(&filter).await?;
    let csv = q.format.as_deref() == Some("csv");
    let body = run_budgeted(&state, move |interrupt| {
        let surface = quartic_density_wgs84(&points, cell, bw, interrupt)?;
        interrupt.check()?;
        Ok(if csv { surface.to_csv() } else { serde_json::json!(surface).to_string() })
    })
    .await?;
    let content_type = if csv { "text/csv; charset=utf-8" } else { "application/json" };
    Ok(([(axum::http::header::CONTENT_TYPE, content_type)], body).into_response())
}

/// Near-repeat options.
#[derive(Debug, Default, Deserialize)]
struct NearRepeatQuery {
    from: String,
    to: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    distance_bands: Option<String>,
    #[serde(default)]
    time_bands: Option<String>,
    #[serde(default)]
    metric: Option<String>,
    #[serde(default)]
    permutations: Option<usize>,
    #[serde(default)]
    seed: Option<u64>,
}

/// Parses "0-0.1,0.1-200,200-400" into `name` bands: at most
/// [`limits::MAX_BANDS`], each from a lower to a higher finite non-negative
/// number up to `max`, in order without overlapping.
pub fn parse_bands(s: &str, name: &str, max: f64, unit: &str) -> Result<Vec<(f64, f64)>, AppError> {
    let bad = |m: String| AppError::BadRequest(format!("{name}_bands: {m}"));
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() > limits::MAX_BANDS {
        return Err(bad(format!("at most {} bands", limits::MAX_BANDS)));
    }
    let mut bands: Vec<(f64, f64)> = Vec::with_capacity(parts.len());
    for b in parts {
        let (lo, hi) = b.split_once('-').ok_or_else(|| bad(format!("band '{b}' must look like 0-200")))?;
        let num = |v: &str| v.trim().parse::<f64>().map_err(|_| bad(format!("'{v}' is not a number")));
        let (lo, hi) = (num(lo)?, num(hi)?);
        if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= hi && hi <= max) {
            return Err(bad(format!("band {lo}-{hi} must run from a lower to a higher number, 0 to {max}{unit}")));
        }
        if bands.last().is_some_and(|(_, prev)| lo < *prev) {
            return Err(bad("bands must be in order and must not overlap".into()));
        }
        bands.push((lo, hi));
    }
    Ok(bands)
}

/// The study period `from`..=`to` (dates), at most
/// [`limits::MAX_STUDY_DAYS`] long: (from, to, days, start ms, end ms).
fn study_period(from: &str, to: &str) -> Result<(chrono::NaiveDate, chrono::NaiveDate, i64, i64, i64), AppError> {
    use safetynet_domain::uk_time::london_midnight;
    let date = |s: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| AppError::BadRequest("from and to must be dates like 2026-01-31".into()))
    };
    let (from, to) = (date(from)?, date(to)?);
    if from > to {
        return Err(AppError::BadRequest("from must not be after to".into()));
    }
    let days = (to - from).num_days() + 1;
    let after = to.succ_opt().filter(|_| days <= limits::MAX_STUDY_DAYS).ok_or_else(|| {
        AppError::BadRequest(format!("the study period must be 1 to {} days", limits::MAX_STUDY_DAYS))
    })?;
    Ok((from, to, days, london_midnight(from).timestamp_millis(), london_midnight(after).timestamp_millis()))
}

async fn near_repeat_api(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<serde_json::Value>> {
    use safetynet_analysis::knox::{knox, Event, Metric};
    use safetynet_domain::policy::ViewRecords;
    let permit = user.permit::<ViewRecords>()?;
    let q: NearRepeatQuery = parse_query(raw.as_deref())?;
    let (_, _, _, start, end) = study_period(&q.from, &q.to)?;
    let distance = parse_bands(
        q.distance_bands.as_deref().unwrap_or("0-0.1,0.1-200,200-400,400-600"),
        "distance",
        limits::MAX_DISTANCE_BAND_M,
        " metres",
    )?;
    let time =
        parse_bands(q.time_bands.as_deref().unwrap_or("0-7,7-14,14-21"), "time", limits::MAX_TIME_BAND_DAYS, " days")?;
    let metric = match q.metric.as_deref().unwrap_or("euclidean") {
        "euclidean" => Metric::Euclidean,
        "manhattan" => Metric::Manhattan,
        _ => return Err(AppError::BadRequest("metric must be euclidean or manhattan".into()).into()),
    };
    let permutations = bounded_count("permutations", q.permutations.unwrap_or(99), &limits::PERMUTATIONS)?;
    let actor = safetynet_store::users::Actor { principal: &user.principal, at_ms: user.now_ms, source: &user.addr };
    let points = state
        .store
        .incident_points(&permit, start, end, q.category.as_deref().filter(|c| !c.is_empty()), &actor)
        .await?;
    let events: Vec<Event> = points
        .iter()
        .map(|(lon, lat, ms)| {
            let (x, y) = safetynet_analysis::bng::to_grid(*lon, *lat);
            Event { x, y, day: ms.div_euclid(86_400_000) }
        })
        .collect();
    let seed = q.seed.unwrap_or(1);
    let result =
        run_budgeted(&state, move |interrupt| knox(&events, &distance, &time, metric, permutations, seed, interrupt))
            .await?;
    Ok(Json(
        serde_json::json!({ "events": points.len(), "band_convention": "first band [lo, hi], later bands (lo, hi]", "knox": result }),
    ))
}

/// Scan options.
#[derive(Debug, Default, Deserialize)]
struct ScanQuery {
    from: String,
    to: String,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    max_radius_km: Option<f64>,
    #[serde(default)]
    max_window_days: Option<usize>,
    #[serde(default)]
    prospective: Option<bool>,
    #[serde(default)]
    replications: Option<usize>,
    #[serde(default)]
    seed: Option<u64>,
}

async fn scan_api(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<serde_json::Value>> {
    use safetynet_analysis::scan::{space_time_permutation_scan, Cases, Location, ScanOptions};
    use safetynet_domain::policy::ViewRecords;
    use safetynet_domain::uk_time::london_date;
    let permit = user.permit::<ViewRecords>()?;
    let q: ScanQuery = parse_query(raw.as_deref())?;
    let (from, _, days, start, end) = study_period(&q.from, &q.to)?;
    let replications = bounded_count("replications", q.replications.unwrap_or(999), &limits::REPLICATIONS)?;
    let max_radius_km = bounded("max_radius_km", q.max_radius_km.unwrap_or(1.0), &limits::SCAN_RADIUS_KM, " km")?;
    let max_window_days = bounded_count("max_window_days", q.max_window_days.unwrap_or(7), &limits::SCAN_WINDOW_DAYS)?;
    let actor = safetynet_store::users::Actor { principal: &user.principal, at_ms: user.now_ms, source: &user.addr };
    let points = state
        .store
        .incident_points(&permit, start, end, q.category.as_deref().filter(|c| !c.is_empty()), &actor)
        .await?;
    // Locations are the distinct incident positions (to about a metre).
    let mut locations: Vec<Location> = Vec::new();
    let mut index: std::collections::HashMap<String, usize> = Default::default();
    let mut cases = Vec::with_capacity(points.len());
    for (lon, lat, ms) in &points {
        let id = format!("{lat:.5},{lon:.5}");
        let location = *index.entry(id.clone()).or_insert_with(|| {
            locations.push(Location { id, lat: *lat, lon: *lon });
            locations.len() - 1
        });
        let day = chrono::DateTime::from_timestamp_millis(*ms)
            .map_or(0, |t| (london_date(t) - from).num_days().max(0) as usize);
        cases.push(Cases { location, day: day.min(days as usize - 1), count: 1 });
    }
    let opts = ScanOptions {
        days: days as usize,
        max_radius_km,
        max_window_days,
        prospective: q.prospective.unwrap_or(true),
        replications,
        seed: q.seed.unwrap_or(1),
    };
    let cluster =
        run_budgeted(&state, move |interrupt| space_time_permutation_scan(&locations, &cases, opts, interrupt)).await?;
    let cluster = cluster.map(|c| {
        let mut v = serde_json::json!(c);
        v["start_date"] = serde_json::json!(from + chrono::Duration::days(c.start_day as i64));
        v["end_date"] = serde_json::json!(from + chrono::Duration::days(c.end_day as i64));
        v
    });
    Ok(Json(serde_json::json!({ "incidents": points.len(), "most_likely_cluster": cluster })))
}

/// Trend options on top of the crime filters.
#[derive(Debug, Default, Deserialize)]
pub struct TrendQuery {
    #[serde(flatten)]
    filter: CrimeQuery,
    /// `type` (default) or `lsoa_type`.
    #[serde(default)]
    by: Option<String>,
    /// Every period rather than the latest.
    #[serde(default)]
    all: Option<bool>,
}

/// One series' alert.
#[derive(Debug, serde::Serialize)]
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

/// Monthly series per crime type (or LSOA and type) and their alerts
/// (shared by the API and the page). Returns (months, alerts).
pub async fn run_trends(state: &AppState, raw: Option<&str>) -> Result<(Vec<String>, Vec<TrendAlert>), AppError> {
    let q: TrendQuery = parse_query(raw)?;
    let filter = q.filter.filter().map_err(|e| join_errors(&e))?;
    let by_lsoa = match q.by.as_deref().unwrap_or("type") {
        "type" => false,
        "lsoa_type" => true,
        _ => return Err(AppError::BadRequest("by must be type or lsoa_type".into())),
    };
    let counts = state.store.crime_month_counts(&filter, by_lsoa).await?;
    let (Some(first), Some(last)) = (counts.iter().map(|c| c.0).min(), counts.iter().map(|c| c.0).max()) else {
        return Err(AnalysisError::Empty.into());
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
    let mut out = Vec::new();
    for ((crime_type, area), s) in series {
        for alert in safetynet_analysis::trends::alerts(&s, 12, q.all.unwrap_or(false)) {
            out.push(TrendAlert {
                crime_type: crime_type.clone(),
                area: area.clone(),
                month: months[alert.period].to_string(),
                alert,
            });
        }
    }
    Ok((months.iter().map(ToString::to_string).collect(), out))
}

async fn trends_api(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<serde_json::Value>> {
    user.permit::<ViewCrimeData>()?;
    let (months, alerts) = run_trends(&state, raw.as_deref()).await?;
    Ok(Json(serde_json::json!({ "months": months, "alerts": alerts })))
}

/// PAI options: a prediction period and a later scoring period.
#[derive(Debug, Deserialize)]
struct PaiQuery {
    from: String,
    to: String,
    score_from: String,
    score_to: String,
    #[serde(default, rename = "type")]
    crime_type: Option<String>,
    #[serde(default)]
    cell_m: Option<f64>,
    /// Report the curve at these shares of area (default 1%, 2%, 5%, 10%, 20%).
    #[serde(default)]
    coverage: Option<String>,
}

async fn pai_api(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<serde_json::Value>> {
    use safetynet_analysis::grid::bin_pair;
    use safetynet_analysis::pai::pai_curve;
    use safetynet_domain::month::Month;
    user.permit::<ViewCrimeData>()?;
    let q: PaiQuery = parse_query(raw.as_deref())?;
    let month = |s: &str| Month::parse(s).map_err(|e| AppError::BadRequest(e.to_string()));
    let (f, t, sf, st) = (month(&q.from)?, month(&q.to)?, month(&q.score_from)?, month(&q.score_to)?);
    if f > t || sf > st || sf <= t {
        return Err(AppError::BadRequest(
            "the scoring months must come after the prediction months, each range in order".into(),
        )
        .into());
    }
    let cell = bounded("cell_m", q.cell_m.unwrap_or(DEFAULT_CELL_M), &limits::GRID_CELL_M, " metres")?;
    let shares: Vec<f64> = match q.coverage.as_deref() {
        None => vec![0.01, 0.02, 0.05, 0.10, 0.20],
        Some(s) => {
            let parts: Vec<&str> = s.split(',').collect();
            if parts.len() > limits::MAX_COVERAGE_SHARES {
                return Err(AppError::BadRequest(format!(
                    "coverage takes at most {} shares",
                    limits::MAX_COVERAGE_SHARES
                ))
                .into());
            }
            parts
                .iter()
                .map(|x| match x.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() && v > 0.0 && v <= 1.0 => Ok(v),
                    _ => Err(AppError::BadRequest(format!("coverage '{x}' must be a share above 0 and at most 1"))),
                })
                .collect::<Result<_, _>>()?
        }
    };
    let crime_type = q.crime_type.filter(|c| !c.is_empty());
    let filter = |from, to| safetynet_store::crimes::CrimeFilter {
        from: Some(from),
        to: Some(to),
        crime_type: crime_type.clone(),
        lsoa: None,
    };
    let predicted = state.store.crime_locations(&filter(f, t)).await?;
    let observed = state.store.crime_locations(&filter(sf, st)).await?;
    let (cells, points) = run_budgeted(&state, move |interrupt| {
        let (a, b) = bin_pair(&predicted, &observed, cell)?;
        interrupt.check()?;
        let curve = pai_curve(&a, &b)?;
        let points: Vec<_> = shares
            .iter()
            .filter_map(|share| {
                curve
                    .iter()
                    .find(|p| p.area_share >= *share)
                    .map(|p| serde_json::json!({ "coverage": share, "point": p }))
            })
            .collect();
        Ok((curve.len(), points))
    })
    .await?;
    Ok(Json(serde_json::json!({ "cells": cells, "cell_m": cell, "at_coverage": points })))
}

/// Runs an analysis method as `principal` from source address `addr` (the
/// command line passes "cli"), with exactly the API's query options (`raw`);
/// returns the content type and body, or the message the API would give.
pub async fn run_method(
    state: &AppState,
    principal: safetynet_domain::policy::Principal,
    addr: &str,
    method: &str,
    raw: String,
) -> Result<(String, String), String> {
    let user = ApiUser { principal, addr: addr.into(), now_ms: state.now_ms() };
    let raw = RawQuery(Some(raw));
    let st = State(state.clone());
    let res: Result<Response, crate::error::ApiError> = match method {
        "hotspots" => hotspots_api(st, user, raw).await,
        "density" => density_api(st, user, raw).await,
        "trends" => trends_api(st, user, raw).await.map(IntoResponse::into_response),
        "scan" => scan_api(st, user, raw).await.map(IntoResponse::into_response),
        "near-repeat" => near_repeat_api(st, user, raw).await.map(IntoResponse::into_response),
        "evaluate" => evaluate_api(user, raw).await.map(IntoResponse::into_response),
        "pai" => pai_api(st, user, raw).await.map(IntoResponse::into_response),
        other => return Err(format!("unknown analysis '{other}'")),
    };
    let response = res.map_err(|e| e.0.to_string())?;
    let content_type = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.map_err(|e| e.to_string())?;
    Ok((content_type, String::from_utf8_lossy(&bytes).into_owned()))
}

/// Weekly incident trend options.
#[derive(Debug, Default, Deserialize)]
struct IncidentTrendQuery {
    /// Weeks of history (default 104, at least 8).
    #[serde(default)]
    weeks: Option<i64>,
    /// Every week rather than the latest.
    #[serde(default)]
    all: Option<bool>,
}

/// Weekly counts of the incidents the caller may see, by category, with the
/// same rules as the monthly trends (season of 52 weeks). Weeks run Monday
/// to Sunday, UK time; the latest is the current week.
async fn incident_trends_api(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<serde_json::Value>> {
    use chrono::Datelike;
    use safetynet_domain::uk_time::{london_date, london_midnight};
    let permit = user.permit::<safetynet_domain::policy::ViewRecords>()?;
    let q: IncidentTrendQuery = parse_query(raw.as_deref())?;
    let weeks = q.weeks.unwrap_or(104);
    if !(8..=520).contains(&weeks) {
        return Err(AppError::BadRequest("weeks must be from 8 to 520".into()).into());
    }
    let today = london_date(state.clock.now());
    let this_monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let first_monday = this_monday - chrono::Duration::weeks(weeks - 1);
    let from = london_midnight(first_monday).timestamp_millis();
    let to = london_midnight(this_monday + chrono::Duration::weeks(1)).timestamp_millis();
    let actor = safetynet_store::users::Actor { principal: &user.principal, at_ms: user.now_ms, source: &user.addr };
    let rows = state.store.incident_times(&permit, from, to, &actor).await?;
    let mut series: std::collections::BTreeMap<String, Vec<f64>> = Default::default();
    for (category, ms) in rows {
        let Some(t) = chrono::DateTime::from_timestamp_millis(ms) else { continue };
        let week = (london_date(t) - first_monday).num_days().div_euclid(7);
        if (0..weeks).contains(&week) {
            series.entry(category).or_insert_with(|| vec![0.0; weeks as usize])[week as usize] += 1.0;
        }
    }
    let week_start = |i: usize| (first_monday + chrono::Duration::weeks(i as i64)).to_string();
    let mut alerts = Vec::new();
    for (category, s) in &series {
        for a in safetynet_analysis::trends::alerts(s, 52, q.all.unwrap_or(false)) {
            alerts.push(serde_json::json!({ "category": category, "week_starting": week_start(a.period), "alert": a }));
        }
    }
    let counts: serde_json::Map<String, serde_json::Value> =
        series.into_iter().map(|(k, v)| (k, serde_json::json!(v))).collect();
    Ok(Json(
        serde_json::json!({ "first_week_starting": first_monday, "weeks": weeks, "counts": counts, "alerts": alerts }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Work that runs until it is interrupted, saying when it starts and stops.
    fn until_interrupted(
        started: mpsc::Sender<()>,
        stopped: mpsc::Sender<()>,
    ) -> impl FnOnce(&Interrupt) -> Result<(), AnalysisError> + Send + 'static {
        move |interrupt| {
            let _ = started.send(());
            while interrupt.check().is_ok() {
                std::thread::sleep(Duration::from_millis(1));
            }
            let _ = stopped.send(());
            Err(AnalysisError::Interrupted)
        }
    }

    #[test]
    fn the_cache_never_holds_more_than_its_byte_cap() {
        let cap = 10_000;
        let mut cache = Cache::new(cap);
        let mut seed = 7u64;
        for i in 0..2_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let size = (seed >> 33) as usize % 4_000;
            cache.insert(format!("k{i}"), ("application/json".into(), "x".repeat(size)));
            let held: usize = cache.entries.iter().map(|(k, v)| entry_bytes(k, v)).sum();
            assert_eq!(held, cache.bytes(), "the running total is exact");
            assert!(cache.bytes() <= cap, "{} bytes held over a cap of {cap}", cache.bytes());
            assert!(cache.entries.len() <= CACHE_ENTRIES);
        }
        let big = ("text/csv".to_string(), "x".repeat(cap + 1));
        cache.insert("big".into(), big);
        assert!(cache.get("big").is_none(), "an answer larger than the cap is not kept");
        cache.insert("last".into(), ("a".into(), "b".into()));
        assert_eq!(cache.get("last"), Some(("a".into(), "b".into())), "the newest answer is kept");
        let mut off = Cache::new(0);
        off.insert("k".into(), ("a".into(), "b".into()));
        assert_eq!((off.bytes(), off.get("k")), (0, None), "a zero cap keeps nothing");
    }

    #[tokio::test]
    async fn dropping_the_request_raises_the_interrupt_and_frees_the_slot() {
        let slots = Arc::new(Semaphore::new(1));
        let (started_tx, started) = mpsc::channel();
        let (stopped_tx, stopped) = mpsc::channel();
        let request = tokio::spawn({
            let slots = slots.clone();
            async move { budgeted(&slots, Duration::from_secs(600), until_interrupted(started_tx, stopped_tx)).await }
        });
        let waited = tokio::task::spawn_blocking(move || started.recv_timeout(Duration::from_secs(30))).await;
        assert!(matches!(waited, Ok(Ok(()))), "the work started");
        assert_eq!(slots.available_permits(), 0, "the work holds the slot");
        request.abort(); // the client went away: the request future is dropped
        assert!(request.await.is_err_and(|e| e.is_cancelled()));
        let stop = tokio::task::spawn_blocking(move || stopped.recv_timeout(Duration::from_secs(30))).await;
        assert!(matches!(stop, Ok(Ok(()))), "the work saw the interrupt and stopped");
        let slot = tokio::time::timeout(Duration::from_secs(30), slots.acquire()).await;
        assert!(matches!(slot, Ok(Ok(_))), "the slot is free again");
    }

    #[tokio::test]
    async fn an_analysis_over_its_budget_stops_and_says_so() {
        let slots = Arc::new(Semaphore::new(1));
        let (started_tx, _started) = mpsc::channel();
        let (stopped_tx, stopped) = mpsc::channel();
        let r = budgeted(&slots, Duration::from_millis(50), until_interrupted(started_tx, stopped_tx)).await;
        match r {
            Err(AppError::Unprocessable { rule, message }) => {
                assert_eq!(rule, "analysis_budget");
                assert!(message.contains("stopped after 0.05 s") && message.contains("narrow"), "{message}");
            }
            other => panic!("expected the budget error, got {other:?}"),
        }
        assert!(stopped.try_recv().is_ok(), "the work had stopped before the answer");
        let quick = budgeted(&slots, Duration::from_secs(60), |_| Ok(42)).await;
        assert_eq!(quick.ok(), Some(42), "work within its budget is answered");
        let limited = budgeted(&slots, Duration::from_secs(60), |_| -> Result<(), _> {
            Err(AnalysisError::TooLarge("too many".into()))
        })
        .await;
        assert!(matches!(limited, Err(AppError::Unprocessable { ref rule, .. }) if rule == "analysis_limit"));
        let none = Arc::new(Semaphore::new(0));
        let busy = budgeted(&none, Duration::from_millis(20), |_| Ok(())).await;
        assert!(matches!(busy, Err(AppError::Busy(_))), "no slot within the budget: {busy:?}");
    }
}
