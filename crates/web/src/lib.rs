//! SafetyNet's web app and JSON API.
//!
//! [`router`] builds the whole application; tests drive it in-process.
//! Pages are server-rendered with the GOV.UK Design System and work without
//! JavaScript (the map is the only enhancement). Every handler that touches
//! data first turns the signed-in user into a [`Permit`](safetynet_domain::policy::Permit)
//! for what it does; the store demands it. This crate holds no SQL and never
//! reads the wall clock: time comes from [`AppState::clock`].

mod api;
mod assets;
mod auth;
mod error;
mod layout;
mod openapi;
mod pages;
mod params;

pub use auth::SESSION_COOKIE;

use axum::Router;
use safetynet_domain::clock::SharedClock;
use safetynet_domain::lockout::SessionPolicy;
use safetynet_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

/// Web settings.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (when served over TLS).
    pub secure_cookies: bool,
    /// Map tile URL template; empty for no tiles.
    pub tile_url: String,
    /// Session lifetimes.
    pub session: SessionPolicy,
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
}

impl AppState {
    /// New state.
    pub fn new(store: Store, clock: SharedClock, config: WebConfig) -> Self {
        Self { store, clock, config: Arc::new(config) }
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().timestamp_millis()
    }
}

/// Builds the whole app.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .merge(assets::routes())
        .layer(axum::middleware::from_fn(layout::security_headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves the app on `listener` until Ctrl-C, recording client addresses.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
