//! Analysis endpoints (`/api/v1/analytics/...`): grid hotspots (Gi*, Local
//! Moran's I, FDR) on recorded crime, and operation evaluation (WDD, WDQ).
//! Results are deterministic for a given seed; recorded crime is open data,
//! so viewing crime data is the permission needed.

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
use safetynet_analysis::local::LocalOptions;
use safetynet_analysis::AnalysisError;
use safetynet_domain::policy::ViewCrimeData;
use serde::Deserialize;

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
        AppError::Unprocessable { rule: "analysis".into(), message: e.to_string() }
    }
}

/// Most results kept.
const CACHE_ENTRIES: usize = 32;

/// Recent analysis results of recorded crime, keyed by method, query and the
/// number of records (so an import makes old results unreachable).
#[derive(Debug, Default)]
pub struct Cache {
    entries: std::collections::VecDeque<(String, (String, String))>,
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
    let hit = state
        .analytics_cache
        .lock()
        .ok()
        .and_then(|c| c.entries.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()));
    let (content_type, body) = match hit {
        Some(v) => v,
        None => {
            let v = compute().await?;
            if let Ok(mut c) = state.analytics_cache.lock() {
                if c.entries.len() >= CACHE_ENTRIES {
                    c.entries.pop_front();
                }
                c.entries.push_back((key, v.clone()));
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
    let w = Weights::queen_from_vertices(&shapes.iter().map(Shape::vertices).collect::<Vec<_>>())?;
    let y: Vec<f64> = areas.iter().map(|a| counts.get(&a.code).copied().unwrap_or(0) as f64).collect();
    let opts = LocalOptions { permutations: q.permutations.unwrap_or(999), seed: q.seed.unwrap_or(1), fdr: 0.05 };
    let stats = tokio::task::spawn_blocking(move || local_statistics(&y, &w, opts))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
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

/// Runs the hotspot grid for a query (shared by the API and the page).
pub async fn run_hotspots(state: &AppState, raw: Option<&str>) -> Result<(Grid, Option<String>), AppError> {
    let q: HotspotQuery = parse_query(raw)?;
    let filter = q.filter.filter().map_err(|e| join_errors(&e))?;
    let permutations = q.permutations.unwrap_or(999);
    if !(9..=9_999).contains(&permutations) {
        return Err(AppError::BadRequest("permutations must be from 9 to 9999".into()));
    }
    let points = state.store.crime_locations(&filter).await?;
    let opts = LocalOptions { permutations, seed: q.seed.unwrap_or(1), fdr: 0.05 };
    let cell = q.cell_m.unwrap_or(DEFAULT_CELL_M);
    let grid = tokio::task::spawn_blocking(move || hotspots(&points, cell, opts))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok((grid, q.format))
}

async fn hotspots_api(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    user.permit::<ViewCrimeData>()?;
    Ok(cached(&state, "hotspots", raw.as_deref(), || async {
        let q: HotspotQuery = parse_query(raw.as_deref())?;
        if q.level.as_deref().is_some_and(|l| l != "grid") {
            return area_hotspots(&state, q).await;
        }
        let (grid, format) = run_hotspots(&state, raw.as_deref()).await?;
        Ok(match format.as_deref() {
            Some("csv") => ("text/csv; charset=utf-8".to_string(), grid.to_csv()),
            Some("json") => ("application/json".to_string(), serde_json::to_string(&grid).unwrap_or_default()),
            _ => ("application/geo+json".to_string(), grid.to_geojson().to_string()),
        })
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
    let filter = q.filter.filter().map_err(|e| join_errors(&e))?;
    let points = state.store.crime_locations(&filter).await?;
    let (cell, bw) = (q.cell_m.unwrap_or(DEFAULT_CELL_M), q.bandwidth_m.unwrap_or(DEFAULT_BANDWIDTH_M));
    let surface = tokio::task::spawn_blocking(move || quartic_density_wgs84(&points, cell, bw))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
    Ok(match q.format.as_deref() {
        Some("csv") => {
            ([(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")], surface.to_csv()).into_response()
        }
        _ => Json(serde_json::json!(surface)).into_response(),
    })
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

/// Parses "0-0.1,0.1-200,200-400" into bands.
pub fn parse_bands(s: &str) -> Result<Vec<(f64, f64)>, AppError> {
    s.split(',')
        .map(|b| {
            let (lo, hi) =
                b.split_once('-').ok_or_else(|| AppError::BadRequest(format!("band '{b}' must look like 0-200")))?;
            Ok((
                lo.trim().parse().map_err(|_| AppError::BadRequest(format!("'{lo}' is not a number")))?,
                hi.trim().parse().map_err(|_| AppError::BadRequest(format!("'{hi}' is not a number")))?,
            ))
        })
        .collect()
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
    let date = |s: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| AppError::BadRequest("from and to must be dates like 2026-01-31".into()))
    };
    let (from, to) = (date(&q.from)?, date(&q.to)?);
    if from > to {
        return Err(AppError::BadRequest("from must not be after to".into()).into());
    }
    let distance = parse_bands(q.distance_bands.as_deref().unwrap_or("0-0.1,0.1-200,200-400,400-600"))?;
    let time = parse_bands(q.time_bands.as_deref().unwrap_or("0-7,7-14,14-21"))?;
    let metric = match q.metric.as_deref().unwrap_or("euclidean") {
        "euclidean" => Metric::Euclidean,
        "manhattan" => Metric::Manhattan,
        _ => return Err(AppError::BadRequest("metric must be euclidean or manhattan".into()).into()),
    };
    let permutations = q.permutations.unwrap_or(99);
    if !(9..=9_999).contains(&permutations) {
        return Err(AppError::BadRequest("permutations must be from 9 to 9999".into()).into());
    }
    let start = safetynet_domain::case_review::london_midnight(from).timestamp_millis();
    let end = safetynet_domain::case_review::london_midnight(to + chrono::Duration::days(1)).timestamp_millis();
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
    let result = tokio::task::spawn_blocking(move || knox(&events, &distance, &time, metric, permutations, seed))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
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
    use safetynet_domain::case_review::{london_date, london_midnight};
    use safetynet_domain::policy::ViewRecords;
    let permit = user.permit::<ViewRecords>()?;
    let q: ScanQuery = parse_query(raw.as_deref())?;
    let date = |s: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| AppError::BadRequest("from and to must be dates like 2026-01-31".into()))
    };
    let (from, to) = (date(&q.from)?, date(&q.to)?);
    let days = (to - from).num_days() + 1;
    if !(1..=3_660).contains(&days) {
        return Err(AppError::BadRequest("the study period must be 1 day to 10 years, from before to".into()).into());
    }
    let replications = q.replications.unwrap_or(999);
    if !(9..=9_999).contains(&replications) {
        return Err(AppError::BadRequest("replications must be from 9 to 9999".into()).into());
    }
    let actor = safetynet_store::users::Actor { principal: &user.principal, at_ms: user.now_ms, source: &user.addr };
    let start = london_midnight(from).timestamp_millis();
    let end = london_midnight(to + chrono::Duration::days(1)).timestamp_millis();
    let points = state
        .store
        .incident_points(&permit, start, end, q.category.as_deref().filter(|c| !c.is_empty()), &actor)
        .await?;
    // Locations are the distinct incident positions (to about a metre).
    let mut locations: Vec<Location> = Vec::new();
    let mut cases = Vec::with_capacity(points.len());
    for (lon, lat, ms) in &points {
        let id = format!("{lat:.5},{lon:.5}");
        let location = match locations.iter().position(|l| l.id == id) {
            Some(i) => i,
            None => {
                locations.push(Location { id, lat: *lat, lon: *lon });
                locations.len() - 1
            }
        };
        let day = chrono::DateTime::from_timestamp_millis(*ms)
            .map_or(0, |t| (london_date(t) - from).num_days().max(0) as usize);
        cases.push(Cases { location, day: day.min(days as usize - 1), count: 1 });
    }
    let opts = ScanOptions {
        days: days as usize,
        max_radius_km: q.max_radius_km.unwrap_or(1.0),
        max_window_days: q.max_window_days.unwrap_or(7),
        prospective: q.prospective.unwrap_or(true),
        replications,
        seed: q.seed.unwrap_or(1),
    };
    let cluster = tokio::task::spawn_blocking(move || space_time_permutation_scan(&locations, &cases, opts))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))??;
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
    let crime_type = q.crime_type.filter(|c| !c.is_empty());
    let filter = |from, to| safetynet_store::crimes::CrimeFilter {
        from: Some(from),
        to: Some(to),
        crime_type: crime_type.clone(),
        lsoa: None,
    };
    let predicted = state.store.crime_locations(&filter(f, t)).await?;
    let observed = state.store.crime_locations(&filter(sf, st)).await?;
    let cell = q.cell_m.unwrap_or(DEFAULT_CELL_M);
    let (a, b) = bin_pair(&predicted, &observed, cell)?;
    let curve = pai_curve(&a, &b)?;
    let shares: Vec<f64> = match q.coverage.as_deref() {
        None => vec![0.01, 0.02, 0.05, 0.10, 0.20],
        Some(s) => s
            .split(',')
            .map(|x| {
                x.trim().parse::<f64>().map_err(|_| AppError::BadRequest(format!("coverage '{x}' is not a number")))
            })
            .collect::<Result<_, _>>()?,
    };
    let points: Vec<_> = shares
        .iter()
        .filter_map(|share| {
            curve.iter().find(|p| p.area_share >= *share).map(|p| serde_json::json!({ "coverage": share, "point": p }))
        })
        .collect();
    Ok(Json(serde_json::json!({ "cells": curve.len(), "cell_m": cell, "at_coverage": points })))
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
    use safetynet_domain::case_review::{london_date, london_midnight};
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
