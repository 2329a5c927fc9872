//! The partnership-work JSON API: the strategy and progress on its
//! commitments, operations and their evaluations, meetings and their
//! actions, and meeting packs as structured content. Viewing needs the
//! right to view recorded crime; progress needs the owning agency; running
//! operations and meetings needs the CSP manager.

use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiResult, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use safetynet_app::packs::{build, PackRequest};
use safetynet_domain::meeting::{ActionStatus, MeetingKind};
use safetynet_domain::policy::{ManagePartnershipWork, UpdateCommitments, ViewCrimeData};
use safetynet_store::meetings::NewAction;
use safetynet_store::operations::NewOperation;
use safetynet_store::strategy::NewCommitmentUpdate;
use serde_json::{json, Value};

/// Routes under `/api/v1` for partnership work.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/strategy", get(strategy))
        .route("/strategy/commitments/due", get(due))
        .route("/strategy/commitments/{id}", get(commitment))
        .route("/strategy/commitments/{id}/updates", post(add_update))
        .route("/operations", get(operations).post(create_operation))
        .route("/operations/{id}", get(operation))
        .route("/operations/{id}/evaluate", post(evaluate))
        .route("/meetings", get(meetings))
        .route("/meetings/{id}", get(meeting))
        .route("/meetings/{id}/actions", post(add_action))
        .route("/meeting-actions/{id}", patch(update_action))
        .route("/packs/{kind}", get(pack))
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

async fn operations(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Value>> {
    user.permit::<ViewCrimeData>()?;
    let today = state.today();
    let items: Vec<Value> = state
        .store
        .operations()
        .await?
        .into_iter()
        .map(|o| {
            let status = o.status(today);
            let mut v = json!(o);
            v["status"] = json!(status);
            v
        })
        .collect();
    Ok(Json(json!({ "items": items })))
}

async fn create_operation(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<NewOperation>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<ManagePartnershipWork>()?;
    let op = state.store.create_operation(&permit, &body, &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(json!(op))))
}

async fn operation(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    user.permit::<ViewCrimeData>()?;
    let (op, tasks) = state.store.operation(&id).await?;
    let status = op.status(state.today());
    Ok(Json(json!({ "operation": op, "status": status, "tasks": tasks })))
}

async fn evaluate(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    user.permit::<ManagePartnershipWork>()?;
    let (op, _) = state.store.operation(&id).await?;
    safetynet_app::evaluation::evaluate_and_save(&state.store, &op, &user.actor()).await?;
    let (op, _) = state.store.operation(&id).await?;
    Ok(Json(json!({ "recommendation": op.recommendation, "evaluation": op.evaluation })))
}

async fn meetings(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Value>> {
    user.permit::<ViewCrimeData>()?;
    Ok(Json(json!({ "series": state.store.series().await?, "items": state.store.meetings(None).await? })))
}

async fn meeting(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    user.permit::<ViewCrimeData>()?;
    Ok(Json(json!(state.store.meeting_record(&id).await?)))
}

async fn add_action(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewAction>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<ManagePartnershipWork>()?;
    let a = state.store.add_action(&permit, &id, &body, &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(json!(a))))
}

#[derive(Debug, serde::Deserialize)]
struct ActionBody {
    status: ActionStatus,
    #[serde(default)]
    note: String,
    #[serde(default)]
    public_note: String,
    #[serde(default)]
    on: Option<chrono::NaiveDate>,
}

async fn update_action(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionBody>,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ManagePartnershipWork>()?;
    let on = body.on.unwrap_or_else(|| state.today());
    let a =
        state.store.update_action(&permit, &id, body.status, &body.note, &body.public_note, on, &user.actor()).await?;
    Ok(Json(json!(a)))
}

#[derive(Debug, Default, serde::Deserialize)]
struct PackQuery {
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    threshold: Option<i64>,
}

async fn pack(
    State(state): State<AppState>,
    user: ApiUser,
    Path(kind): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> ApiResult<Json<Value>> {
    user.permit::<ViewCrimeData>()?;
    let kind = MeetingKind::parse(&kind).ok_or(AppError::NotFound("pack"))?;
    let q: PackQuery = crate::params::parse_api_query(raw.as_deref())?;
    let date = match q.date.as_deref() {
        Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| AppError::BadRequest("date must be YYYY-MM-DD".into()))?,
        None => state.today(),
    };
    let mut req = PackRequest::new(kind, date);
    if let Some(threshold) = q.threshold {
        req = req.with_threshold(threshold)?;
    }
    let p = build(&state.analyst, &req, &user.actor()).await?;
    state.store.record_pack(kind, date, "json", &user.actor()).await?;
    Ok(Json(json!(p)))
}
