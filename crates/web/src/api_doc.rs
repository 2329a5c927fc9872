//! The route of the OpenAPI document, `/api/v1/openapi.json`: apart from
//! [`crate::api`] because the document names every API handler.

use crate::AppState;
use axum::routing::get;
use axum::Router;

/// The document's route under `/api/v1`.
pub fn routes() -> Router<AppState> {
    Router::new().route("/openapi.json", get(crate::openapi::openapi_json))
}
