//! The partnership-work JSON API: the strategy and progress on its
//! commitments. Viewing needs the right to view recorded crime; updates
//! need the owning agency (or the CSP manager).

use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiResult, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use safetynet_domain::policy::{UpdateCommitments, ViewCrimeData};
use safetynet_store::strategy::NewCommitmentUpdate;
use serde_json::{json, Value};

/// Routes under `/api/v1` for partnership work.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/strategy", get(strategy))
        .route("/strategy/commitments/due", get(due))
        .route("/strategy/commitments/{id}", get(commitment))
        .route("/strategy/commitments/{id}/updates", post(add_update))
}

async fn strategy(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Value>> {
    user.permit::<ViewCrimeData>()?;
    let s = state.store.strategy().await?.ok_or(AppError::NotFound("strategy"))?;
    Ok(Json(json!(s)))
}

async fn due(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Value>> {
    user.permit::<ViewCrimeData>()?;
    let items = state.store.commitments_due(Some(&user.principal.agency), state.today()).await?;
    Ok(Json(json!({ "agency": user.principal.agency, "items": items })))
}

async fn commitment(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    user.permit::<ViewCrimeData>()?;
    let (c, history) = state.store.commitment(&id).await?;
    let overdue = c.is_overdue(state.today());
    Ok(Json(json!({ "commitment": c, "overdue": overdue, "history": history })))
}

async fn add_update(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewCommitmentUpdate>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<UpdateCommitments>()?;
    let u = state.store.add_commitment_update(&permit, &id, &body, state.today(), &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(json!(u))))
}
