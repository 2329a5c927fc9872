//! Analysis endpoints (`/api/v1/analytics/...`): adapters over
//! [`safetynet_app::analyses`]. Each parses the query string into the same
//! typed request the command line builds (unknown options are a 400 naming
//! them), checks the caller's permit, calls the use case and renders its
//! answer. Answers of recorded crime are cached up to a number of bytes,
//! keyed by the query and the number of records held.

use crate::auth::ApiUser;
use crate::error::{ApiResult, AppError};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use safetynet_app::analyses::crime::{DensityRequest, HotspotRequest, PaiRequest, TrendsRequest};
use safetynet_app::analyses::evaluate::{evaluate, EvaluateRequest};
use safetynet_app::analyses::incidents::{IncidentTrendsRequest, NearRepeatRequest, ScanRequest};
use safetynet_app::analyses::output::{self, Format, Output};
use safetynet_app::Params;
use safetynet_domain::policy::{ViewCrimeData, ViewRecords};

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

/// A request made from the query, then the format asked for; every other
/// option is refused.
fn request<T>(
    raw: Option<&str>,
    make: impl FnOnce(&Params) -> Result<T, safetynet_app::Error>,
) -> Result<(T, Format), AppError> {
    let p = crate::params::options(raw)?;
    let req = make(&p)?;
    let format = Format::from_params(&p)?;
    p.finish()?;
    Ok((req, format))
}

fn respond(o: Output) -> Response {
    ([(axum::http::header::CONTENT_TYPE, o.content_type)], o.body).into_response()
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

/// Returns the cached answer for `method` and `raw`, or computes, stores
/// and returns it.
async fn cached<F, Fut>(state: &AppState, method: &str, raw: Option<&str>, compute: F) -> Result<Response, AppError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<Output, AppError>>,
{
    let (records, _) = state.store.police_row_counts().await?;
    let key = format!("{method}?{}#{records}", raw.unwrap_or(""));
    let hit = state.analytics_cache.lock().ok().and_then(|c| c.get(&key));
    let (content_type, body) = match hit {
        Some(v) => v,
        None => {
            let o = compute().await?;
            let v = (o.content_type, o.body);
            if let Ok(mut c) = state.analytics_cache.lock() {
                c.insert(key, v.clone());
            }
            v
        }
    };
    Ok(respond(Output { content_type, body }))
}

#[utoipa::path(
    get,
    path = "/analytics/hotspots",
    summary = "Grid or LSOA hotspots of recorded crime: Gi* (binary, self-weight 1), Local Moran's I, conditional-permutation p-values, Benjamini-Hochberg flags",
    responses((status = 200, description = "GeoJSON, or JSON or CSV as ?format= asks"))
)]
async fn hotspots_api(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewCrimeData>()?;
    let (req, format) = request(raw.as_deref(), HotspotRequest::from_params)?;
    Ok(cached(&state, "hotspots", raw.as_deref(), || async {
        Ok(output::hotspots(&state.analyst.hotspots(&permit, &req).await?, format)?)
    })
    .await?)
}

#[utoipa::path(
    get,
    path = "/analytics/density",
    summary = "Quartic kernel density of recorded crime: points per km2 on aligned British National Grid cells",
    responses((status = 200, description = "JSON, or CSV with ?format=csv"))
)]
async fn density_api(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewCrimeData>()?;
    let (req, format) = request(raw.as_deref(), DensityRequest::from_params)?;
    Ok(cached(&state, "density", raw.as_deref(), || async {
        Ok(output::density(&state.analyst.density(&permit, &req).await?, format)?)
    })
    .await?)
}

#[utoipa::path(
    get,
    path = "/analytics/trends",
    summary = "Emerging issues in monthly recorded crime by R surveillance's rules: EARS C1/C2/C3, a standardised CUSUM and improved Farrington (same time in earlier years), each alert with rule, observed, expected, threshold and how often it would fire by chance",
    responses((status = 200, description = "JSON"))
)]
async fn trends_api(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewCrimeData>()?;
    let (req, format) = request(raw.as_deref(), TrendsRequest::from_params)?;
    Ok(respond(output::json_only(&state.analyst.trends(&permit, &req).await?, format)?))
}

#[utoipa::path(
    get,
    path = "/analytics/pai",
    summary = "Predictive Accuracy Index and efficiency of a grid hotspot map made on the from-to months, scored on the later score_from-score_to months",
    responses((status = 200, description = "JSON"))
)]
async fn pai_api(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewCrimeData>()?;
    let (req, format) = request(raw.as_deref(), PaiRequest::from_params)?;
    Ok(respond(output::json_only(&state.analyst.pai(&permit, &req).await?, format)?))
}

#[utoipa::path(
    get,
    path = "/analytics/evaluate",
    summary = "Weighted displacement difference and quotient from counts: target_before, target_after, control_before, control_after, buffer_before, buffer_after, buffer_control_before, buffer_control_after (each 0 to 10000000); with a recommendation",
    params(
        ("target_before" = f64, Query, description = "Count (0 to 10000000)"),
        ("target_after" = f64, Query, description = "Count (0 to 10000000)"),
        ("control_before" = f64, Query, description = "Count (0 to 10000000)"),
        ("control_after" = f64, Query, description = "Count (0 to 10000000)"),
        ("buffer_before" = Option<f64>, Query, description = "Count (0 to 10000000, default 0)"),
        ("buffer_after" = Option<f64>, Query, description = "Count (0 to 10000000, default 0)"),
        ("buffer_control_before" = Option<f64>, Query, description = "Count (0 to 10000000, default 0)"),
        ("buffer_control_after" = Option<f64>, Query, description = "Count (0 to 10000000, default 0)")
    ),
    responses((status = 200, description = "JSON"))
)]
async fn evaluate_api(user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    user.permit::<ViewCrimeData>()?;
    let (req, format) = request(raw.as_deref(), EvaluateRequest::from_params)?;
    Ok(respond(output::json_only(&evaluate(&req)?, format)?))
}

#[utoipa::path(
    get,
    path = "/analytics/near-repeat",
    summary = "Knox near-repeat table over incidents you may see (UK local dates)",
    responses((status = 200, description = "JSON"))
)]
async fn near_repeat_api(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let (req, format) = request(raw.as_deref(), NearRepeatRequest::from_params)?;
    Ok(respond(state.analyst.near_repeat_output(&permit, &req, format, &user.actor()).await?))
}

#[utoipa::path(
    get,
    path = "/analytics/scan",
    summary = "Space-time permutation scan over incidents you may see (UK local dates): the most likely cluster with observed, expected, LLR, p-value, recurrence interval, replications and the cylinders each pass tests; refused up front when the replications would outrun the analysis budget",
    responses((status = 200, description = "JSON"))
)]
async fn scan_api(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let (req, format) = request(raw.as_deref(), ScanRequest::from_params)?;
    let answer = state.analyst.scan(&permit, &req, &user.actor()).await?;
    Ok(respond(output::scan(&answer, format)?))
}

#[utoipa::path(
    get,
    path = "/analytics/incident-trends",
    summary = "Weekly counts of the incidents you may see by category (Monday-Sunday, UK time) with EARS, CUSUM and Farrington (52-week) alerts",
    responses((status = 200, description = "JSON"))
)]
async fn incident_trends_api(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let (req, format) = request(raw.as_deref(), IncidentTrendsRequest::from_params)?;
    let answer = state.analyst.incident_trends(&permit, &req, state.today(), &user.actor()).await?;
    Ok(respond(output::json_only(&answer, format)?))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
