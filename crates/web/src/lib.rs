//! SafetyNet's web app and JSON API.
//!
//! [`router`] builds the whole application; tests drive it in-process.
//! Pages are server-rendered with the GOV.UK Design System and work without
//! JavaScript (the map is the only enhancement). Every handler that touches
//! data first turns the signed-in user into a [`Permit`](safetynet_domain::policy::Permit)
//! for what it does; the store demands it. This crate holds no SQL and never
//! reads the wall clock: time comes from [`AppState::clock`].

mod api;
pub mod api_analysis;
mod api_arson;
mod api_doc;
mod api_documents;
mod api_fly_tipping;
mod api_partnership;
mod api_programmes;
mod api_pspos;
mod api_public_reports;
mod api_safety;
mod api_types;
mod api_victims;
mod assets;
mod auth;
mod error;
mod forms;
pub mod jobs;
mod layers;
mod layout;
pub mod metrics;
mod open311;
mod openapi;
mod pages;
mod params;
pub mod public_views;
pub mod request_id;
mod uploads;
mod viewer;

pub use auth::SESSION_COOKIE;

use axum::routing::get;
use axum::Router;
use safetynet_domain::clock::SharedClock;
use safetynet_domain::lockout::SessionPolicy;
use safetynet_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

/// The partnership's Safety Net settings (all configurable, with the
/// statutory or conventional defaults).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SafetyConfig {
    /// Review intervals by risk level (days).
    pub reviews: safetynet_domain::risk::ReviewIntervals,
    /// ASB Case Review threshold.
    pub case_review: safetynet_domain::case_review::Rules,
    /// ASB Case Review working-day timescales.
    pub case_review_timescales: safetynet_domain::case_review::Timescales,
    /// Fixed penalty maximums.
    pub fpn: safetynet_domain::fixed_penalty::FpnLimits,
    /// Radius for "nearby" repeat detection, in metres.
    pub repeat_radius_m: f64,
    /// Where documents and evidence are kept, and the largest file.
    pub documents: safetynet_store::documents::DocumentSettings,
}

impl Default for SafetyConfig {
    fn default() -> Self {
        Self {
            reviews: Default::default(),
            case_review: Default::default(),
            case_review_timescales: Default::default(),
            fpn: Default::default(),
            repeat_radius_m: 200.0,
            documents: Default::default(),
        }
    }
}

pub use safetynet_app::analyses::AnalysisLimits;

/// What the public sees of the partnership (`[public]` in the
/// configuration): its name and logo on public pages, and who to contact
/// in the accessibility statement and privacy notice.
#[derive(Debug, Clone, Default)]
pub struct PublicInfo {
    /// The partnership's name; none: the name recorded in SafetyNet.
    pub name: Option<String>,
    /// Who residents contact about the service, their data or access needs.
    pub contact_email: Option<String>,
    /// The logo shown on public pages (PNG or SVG), served at `/logo`.
    pub logo: Option<Logo>,
}

/// A logo file's bytes and their content type.
#[derive(Debug, Clone)]
pub struct Logo {
    /// `image/png` or `image/svg+xml`.
    pub content_type: &'static str,
    /// The file.
    pub bytes: axum::body::Bytes,
}

impl Logo {
    /// The largest logo accepted.
    pub const MAX_BYTES: usize = 256 * 1024;

    /// A logo from a file's name and bytes: PNG or SVG, at most [`Logo::MAX_BYTES`].
    pub fn from_file(name: &str, bytes: Vec<u8>) -> Result<Self, String> {
        if bytes.len() > Self::MAX_BYTES {
            return Err(format!("the logo must be {} KiB or smaller", Self::MAX_BYTES / 1024));
        }
        let lower = name.to_ascii_lowercase();
        let content_type = if lower.ends_with(".png") && bytes.starts_with(b"\x89PNG") {
            "image/png"
        } else if lower.ends_with(".svg") && std::str::from_utf8(&bytes).is_ok_and(|t| t.contains("<svg")) {
            "image/svg+xml"
        } else {
            return Err("the logo must be a PNG or SVG file".into());
        };
        Ok(Self { content_type, bytes: bytes.into() })
    }
}

/// Web settings.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// The partnership as the public sees it.
    pub public: PublicInfo,
    /// Day the weekly trends job runs (default Monday).
    pub weekly_trends_day: Option<chrono::Weekday>,
    /// Safety Net settings.
    pub safety: SafetyConfig,
    /// Mark cookies `Secure` (when served over TLS).
    pub secure_cookies: bool,
    /// Map tile URL template; empty for no tiles.
    pub tile_url: String,
    /// Session lifetimes.
    pub session: SessionPolicy,
    /// Analysis time budget, concurrency and cache.
    pub analysis: AnalysisLimits,
    /// Reverse proxies whose `X-Forwarded-For` is believed (addresses or
    /// CIDR ranges); empty: the socket peer is the client.
    pub trusted_proxies: Vec<safetynet_domain::net::IpRange>,
    /// Roles whose holders must use two-step sign-in (`[security]
    /// require_mfa`). Empty here, so that `WebConfig::default()` (tests,
    /// embedding) imposes nothing; the command line's configuration defaults
    /// to partnership administrators and auditors.
    pub require_mfa: Vec<safetynet_domain::role::Role>,
    /// E-mail notifications: the SMTP server, links, reminder schedule.
    pub notifications: safetynet_app::notify::NotifyConfig,
    /// The retention schedule (the scheduler runs it daily if `scheduled`).
    pub retention: safetynet_domain::retention::Schedule,
    /// The token that opens `/metrics`; none: there is no `/metrics`.
    pub metrics_token: Option<metrics::MetricsToken>,
    /// The police daily crime feed: drop folder, repeat window, sharing rule.
    pub police_daily: safetynet_app::daily::PoliceDailySettings,
}

/// Shared state of the app.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The clock (the only source of "now").
    pub clock: SharedClock,
    /// Settings.
    pub config: Arc<WebConfig>,
    /// Recent analysis results keyed by method, options and data version.
    pub(crate) analytics_cache: Arc<std::sync::Mutex<api_analysis::Cache>>,
    /// Anonymous reads of public pages not yet written to the audit trail.
    pub public_views: Arc<public_views::PublicViews>,
    /// Runs the analyses within `config.analysis`'s slots and time budget.
    pub analyst: safetynet_app::analyses::Analyst,
    /// Request, scheduler and pool metrics for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
}

impl AppState {
    /// New state.
    pub fn new(store: Store, clock: SharedClock, config: WebConfig) -> Self {
        let limits = config.analysis;
        Self {
            analyst: safetynet_app::analyses::Analyst::new(store.clone(), limits),
            store,
            clock,
            config: Arc::new(config),
            analytics_cache: Arc::new(std::sync::Mutex::new(api_analysis::Cache::new(limits.cache_bytes))),
            public_views: Default::default(),
            metrics: Default::default(),
        }
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }

    /// Today's date in the UK.
    fn today(&self) -> chrono::NaiveDate {
        safetynet_domain::uk_time::london_date(self.clock.now())
    }
}

/// Builds the whole app. Outermost first, a request gets its id, its log
/// span, its metrics, then the security headers and its handler.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes().merge(api_doc::routes()))
        .merge(open311::routes())
        .merge(assets::routes())
        .route("/metrics", get(metrics::scrape))
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, layout::not_found_page()) })
        .layer(axum::middleware::from_fn(layout::security_headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(request_id::span)
                .on_response(tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(axum::middleware::from_fn(request_id::assign))
        .with_state(state)
}

/// Waits for Ctrl-C (SIGINT) or, on Unix, SIGTERM (systemd's stop).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Serves the app on `listener` until Ctrl-C or SIGTERM, recording client
/// addresses; in-flight requests finish first.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    jobs::spawn_scheduler(state.clone());
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await;
    if let Err(e) = public_views::flush(&state).await {
        tracing::error!(error = %e, "public page reads could not be audited");
    }
    served
}
