//! Server-rendered pages, one module per area.

mod account;
mod admin;
mod audit;
mod crimes;
mod dashboard;
mod signin;

use crate::AppState;
use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .route("/healthz", get(dashboard::healthz))
        .route("/sign-in", get(signin::form).post(signin::submit))
        .route("/sign-out", post(signin::sign_out))
        .route("/dashboard", get(dashboard::show))
        .route("/crimes", get(crimes::browse))
        .route("/crimes/export.csv", get(crimes::export_csv))
        .route("/crimes/map.geojson", get(crimes::geojson))
        .route("/admin/agencies", get(admin::agencies).post(admin::add_agency))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}", get(admin::user))
        .route("/admin/users/{id}/roles", post(admin::set_roles))
        .route("/admin/users/{id}/active", post(admin::set_active))
        .route("/admin/users/{id}/unlock", post(admin::unlock))
        .route("/audit", get(audit::search))
        .route("/audit/export.csv", get(audit::export_csv))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
}

/// A form with no fields but the CSRF token.
#[derive(Debug, serde::Deserialize)]
pub struct Empty {}
