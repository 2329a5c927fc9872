//! The partnership-work JSON API: the strategy and progress on its
//! commitments, operations and their evaluations, meetings and their
//! actions, and meeting packs as structured content. Viewing needs the
//! right to view recorded crime; progress needs the owning agency; running
//! operations and meetings needs the CSP manager.

use crate::api_types::Items;
use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiResult, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use safetynet_app::packs::{build, PackRequest};
use safetynet_domain::meeting::{ActionStatus, MeetingKind};
use safetynet_domain::operation::OperationStatus;
use safetynet_domain::policy::{ManagePartnershipWork, UpdateCommitments, ViewCrimeData};
use safetynet_render::pack::Pack;
use safetynet_store::meetings::{Action, Meeting, MeetingRecord, NewAction, Series};
use safetynet_store::operations::{NewOperation, Operation, OperationTask};
use safetynet_store::strategy::{Commitment, CommitmentUpdate, NewCommitmentUpdate, Strategy};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

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

#[utoipa::path(
    get,
    path = "/strategy",
    summary = "The current strategy: priorities and every commitment with owner, measure, target, progress, status, red/amber/green rating and next update due",
    responses((status = 200, description = "Success", body = Strategy))
)]
async fn strategy(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Strategy>> {
    user.permit::<ViewCrimeData>()?;
    let strategy = safetynet_app::measures::strategy_on(&state.store, state.today()).await?;
    Ok(Json(strategy.ok_or(AppError::NotFound("strategy"))?))
}

/// `GET /strategy/commitments/due`.
#[derive(Debug, Serialize, ToSchema)]
struct Due {
    /// Your agency.
    agency: String,
    /// Its commitments with an overdue update.
    items: Vec<Commitment>,
}

#[utoipa::path(
    get,
    path = "/strategy/commitments/due",
    summary = "Your agency's commitments whose progress update is overdue",
    responses((status = 200, description = "Success", body = Due))
)]
async fn due(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Due>> {
    user.permit::<ViewCrimeData>()?;
    let items = state.store.commitments_due(Some(&user.principal.agency), state.today()).await?;
    Ok(Json(Due { agency: user.principal.agency.clone(), items }))
}

/// `GET /strategy/commitments/{id}`.
#[derive(Debug, Serialize, ToSchema)]
struct CommitmentHistory {
    /// The commitment.
    commitment: Commitment,
    /// Its owner owes an update.
    overdue: bool,
    /// Its updates, newest first.
    history: Vec<CommitmentUpdate>,
}

#[utoipa::path(
    get,
    path = "/strategy/commitments/{id}",
    summary = "A commitment with `overdue` and its update history (newest first)",
    params(("id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "Success", body = CommitmentHistory))
)]
async fn commitment(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<CommitmentHistory>> {
    user.permit::<ViewCrimeData>()?;
    let (commitment, history) = safetynet_app::measures::commitment_on(&state.store, &id, state.today()).await?;
    let overdue = commitment.is_overdue(state.today());
    Ok(Json(CommitmentHistory { commitment, overdue, history }))
}

#[utoipa::path(
    post,
    path = "/strategy/commitments/{id}/updates",
    summary = "Record progress `{status, rag, reason, note?, figure?, evidence[]?}` (owning agency or CSP manager; 422 names the problem)",
    params(("id" = String, Path, description = "The record's id")),
    request_body = NewCommitmentUpdate,
    responses((status = 201, description = "Success", body = CommitmentUpdate))
)]
async fn add_update(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewCommitmentUpdate>,
) -> ApiResult<(StatusCode, Json<CommitmentUpdate>)> {
    let permit = user.permit::<UpdateCommitments>()?;
    let u = state.store.add_commitment_update(&permit, &id, &body, state.today(), &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(u)))
}

/// An operation with where it stands today.
#[derive(Debug, Serialize, ToSchema)]
struct OperationNow {
    /// The operation.
    #[serde(flatten)]
    operation: Operation,
    /// Planned, active or concluded.
    status: OperationStatus,
}

#[utoipa::path(
    get,
    path = "/operations",
    summary = "Targeted operations with `status` (planned, active, concluded), evaluation and recommendation",
    responses((status = 200, description = "Success", body = Items<OperationNow>))
)]
async fn operations(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Items<OperationNow>>> {
    user.permit::<ViewCrimeData>()?;
    let today = state.today();
    let items = state
        .store
        .operations()
        .await?
        .into_iter()
        .map(|operation| OperationNow { status: operation.status(today), operation });
    Ok(Json(items.collect::<Vec<_>>().into()))
}

#[utoipa::path(
    post,
    path = "/operations",
    summary = "Start an operation `{name, prompted_by, prompted_link?, target: {kind: circle, lon, lat, radius_m} | {kind: polygon, geometry}, buffer_m?, control?, crime_types[], starts_on, ends_on, lead_agency?, agencies[]}` (CSP manager; 422 names the problem)",
    request_body = NewOperation,
    responses((status = 201, description = "Success", body = Operation))
)]
async fn create_operation(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<NewOperation>,
) -> ApiResult<(StatusCode, Json<Operation>)> {
    let permit = user.permit::<ManagePartnershipWork>()?;
    let op = state.store.create_operation(&permit, &body, &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(op)))
}

/// `GET /operations/{id}`.
#[derive(Debug, Serialize, ToSchema)]
struct OperationDetail {
    /// The operation.
    operation: Operation,
    /// Planned, active or concluded.
    status: OperationStatus,
    /// Its tasks.
    tasks: Vec<OperationTask>,
}

#[utoipa::path(
    get,
    path = "/operations/{id}",
    summary = "An operation (id or reference) with its status and tasks",
    params(("id" = String, Path, description = "The operation id or reference")),
    responses((status = 200, description = "Success", body = OperationDetail))
)]
async fn operation(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<OperationDetail>> {
    user.permit::<ViewCrimeData>()?;
    let (operation, tasks) = state.store.operation(&id).await?;
    let status = operation.status(state.today());
    Ok(Json(OperationDetail { operation, status, tasks }))
}

/// `POST /operations/{id}/evaluate`.
#[derive(Debug, Serialize, ToSchema)]
struct Evaluated {
    /// What to do next.
    recommendation: Option<String>,
    /// Counts in target, buffer and control, WDD and WDQ.
    evaluation: Option<Value>,
}

#[utoipa::path(
    post,
    path = "/operations/{id}/evaluate",
    summary = "Evaluate now: counts in target, buffer and control for the operation's months and as many before, WDD, WDQ and a recommendation (422 `evaluation_data` until police.uk covers the months)",
    params(("id" = String, Path, description = "The operation id or reference")),
    responses((status = 200, description = "Success", body = Evaluated))
)]
async fn evaluate(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<Evaluated>> {
    user.permit::<ManagePartnershipWork>()?;
    let (op, _) = state.store.operation(&id).await?;
    safetynet_app::evaluation::evaluate_and_save(&state.store, &op, &user.actor()).await?;
    let (op, _) = state.store.operation(&id).await?;
    Ok(Json(Evaluated { recommendation: op.recommendation, evaluation: op.evaluation }))
}

/// `GET /meetings`.
#[derive(Debug, Serialize, ToSchema)]
struct Meetings {
    /// The series.
    series: Vec<Series>,
    /// Their meetings.
    items: Vec<Meeting>,
}

#[utoipa::path(
    get,
    path = "/meetings",
    summary = "Meeting series (JAG, RAG, Priority Setting Forums) and their meetings",
    responses((status = 200, description = "Success", body = Meetings))
)]
async fn meetings(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Meetings>> {
    user.permit::<ViewCrimeData>()?;
    Ok(Json(Meetings { series: state.store.series().await?, items: state.store.meetings(None).await? }))
}

#[utoipa::path(
    get,
    path = "/meetings/{id}",
    summary = "A meeting with attendees, decisions, actions carried to it, closed since the last and raised at it",
    params(("id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "Success", body = MeetingRecord))
)]
async fn meeting(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<MeetingRecord>> {
    user.permit::<ViewCrimeData>()?;
    Ok(Json(state.store.meeting_record(&id).await?))
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/actions",
    summary = "Raise an action `{title, owner_agency, owner_name?, due_on}` (CSP manager)",
    params(("id" = String, Path, description = "The meeting id")),
    request_body = NewAction,
    responses((status = 201, description = "Success", body = Action))
)]
async fn add_action(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewAction>,
) -> ApiResult<(StatusCode, Json<Action>)> {
    let permit = user.permit::<ManagePartnershipWork>()?;
    let a = state.store.add_action(&permit, &id, &body, &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
struct ActionBody {
    /// The new status.
    status: ActionStatus,
    /// What was done.
    #[serde(default)]
    note: String,
    /// What may be published ("we did").
    #[serde(default)]
    public_note: String,
    /// The day (default today).
    #[serde(default)]
    on: Option<chrono::NaiveDate>,
}

#[utoipa::path(
    patch,
    path = "/meeting-actions/{id}",
    summary = "Update an action `{status: open|done|dropped, note?, public_note?, on?}`; closing records the day",
    params(("id" = String, Path, description = "The action id")),
    request_body = ActionBody,
    responses((status = 200, description = "Success", body = Action))
)]
async fn update_action(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ActionBody>,
) -> ApiResult<Json<Action>> {
    let permit = user.permit::<ManagePartnershipWork>()?;
    let on = body.on.unwrap_or_else(|| state.today());
    let a =
        state.store.update_action(&permit, &id, body.status, &body.note, &body.public_note, on, &user.actor()).await?;
    Ok(Json(a))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PackQuery {
    /// The meeting day, YYYY-MM-DD (default today).
    #[serde(default)]
    date: Option<String>,
    /// Disclosure control for the public summary (1 to 100, default 5).
    #[serde(default)]
    threshold: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/packs/{kind}",
    summary = "The jag, rag or psf pack for ?date=YYYY-MM-DD as structured sections, as you may see it (?threshold= for the public summary's disclosure control, default 5); audited",
    params(("kind" = String, Path, description = "jag, rag or psf"), PackQuery),
    responses((status = 200, description = "Success", body = Pack))
)]
async fn pack(
    State(state): State<AppState>,
    user: ApiUser,
    Path(kind): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> ApiResult<Json<Pack>> {
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
    Ok(Json(p))
}
