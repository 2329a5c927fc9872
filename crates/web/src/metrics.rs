//! `/metrics` in the Prometheus (OpenMetrics) text format, behind its own
//! bearer token (`metrics_token`; without one the route does not exist):
//! requests and their latency by route, database connections in use,
//! scheduler runs by job and outcome, the e-mail outbox's depth and free
//! analysis slots. Routes are their patterns (`/cases/{id}`), so the
//! number of series stays bounded whatever is requested.
//!
//! The only time read here is a monotonic timer for latencies.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::{Registry, Unit};
use safetynet_domain::token::{constant_time_eq, hash_secret};

/// The token that opens `/metrics`, kept as its SHA-256 hash.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(String);

impl MetricsToken {
    /// The shortest token accepted.
    pub const MIN_LEN: usize = 32;

    /// Checks and keeps a token (at least [`Self::MIN_LEN`] characters).
    pub fn new(token: &str) -> Result<Self, String> {
        if token.trim().len() < Self::MIN_LEN {
            return Err(format!(
                "metrics_token must be at least {} characters (e.g. `openssl rand -hex 32`)",
                Self::MIN_LEN
            ));
        }
        Ok(Self(hash_secret(token.trim())))
    }

    fn opens(&self, presented: &str) -> bool {
        constant_time_eq(&self.0, &hash_secret(presented))
    }
}

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(..)")
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: String,
    outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The server's metrics (one per [`AppState`]).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    scheduler_runs: Family<JobLabels, Counter>,
    pool: Family<StateLabels, Gauge>,
    outbox: Family<StateLabels, Gauge>,
    analysis_slots_free: Gauge,
}

fn latency_histogram() -> Histogram {
    // 1 ms to about 16 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("safetynet");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register("http_requests", "Requests answered, by method, route and status", requests.clone());
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer, by method and route",
            Unit::Seconds,
            latency.clone(),
        );
        let scheduler_runs = Family::<JobLabels, Counter>::default();
        registry.register("scheduler_runs", "Scheduled job passes, by job and outcome", scheduler_runs.clone());
        let pool = Family::<StateLabels, Gauge>::default();
        registry.register("db_connections", "Database connections: in_use, idle, max", pool.clone());
        let outbox = Family::<StateLabels, Gauge>::default();
        registry.register("outbox_messages", "E-mails waiting in the outbox: waiting, retrying", outbox.clone());
        let analysis_slots_free = Gauge::default();
        registry.register("analysis_slots_free", "Heavy analyses that could start now", analysis_slots_free.clone());
        Self { registry, requests, latency, scheduler_runs, pool, outbox, analysis_slots_free }
    }
}

impl Metrics {
    /// Counts one pass of a scheduled job.
    pub fn job_ran(&self, job: &str, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" };
        self.scheduler_runs.get_or_create(&JobLabels { job: job.into(), outcome: outcome.into() }).inc();
    }

    fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_string(), route.to_string());
        self.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
        self.latency.get_or_create(&RouteLabels { method, route }).observe(seconds);
    }
}

/// Middleware: counts and times every request by its route.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().to_string();
    let route = req.extensions().get::<MatchedPath>().map_or("(no route)", MatchedPath::as_str).to_string();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    state.metrics.request(&method, &route, res.status().as_u16(), started.elapsed().as_secs_f64());
    res
}

/// `GET /metrics`: 404 unless a metrics token is configured, 401 without it.
pub async fn scrape(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    let Some(token) = &state.config.metrics_token else { return StatusCode::NOT_FOUND.into_response() };
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if !presented.is_some_and(|p| token.opens(p)) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")]).into_response();
    }
    let m = &state.metrics;
    let pool = state.store.pool_use();
    for (s, v) in [("in_use", pool.in_use), ("idle", pool.idle), ("max", pool.max)] {
        m.pool.get_or_create(&StateLabels { state: s.into() }).set(i64::from(v));
    }
    match state.store.outbox_status(state.now_ms()).await {
        Ok(o) => {
            m.outbox.get_or_create(&StateLabels { state: "waiting".into() }).set(o.waiting);
            m.outbox.get_or_create(&StateLabels { state: "retrying".into() }).set(o.retrying);
        }
        Err(e) => tracing::error!(error = %e, "metrics: the outbox could not be read"),
    }
    m.analysis_slots_free.set(i64::try_from(state.analyst.slots_free()).unwrap_or(i64::MAX));
    let mut text = String::new();
    if encode(&mut text, &m.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response()
}
