//! Reports from the public in the JSON API, for the agency they are routed
//! to: the triage queue, one report with its updates, triage (accept as an
//! incident, join to an incident, pass to a partner) and updates for the
//! reporter.

use crate::api_types::Items;
use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiResult, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::public_reports::ReportStatus;
use safetynet_store::public_reports::{PublicReport, PublicReportRecord, Triage};
use serde::Deserialize;
use utoipa::ToSchema;

/// Routes under `/api/v1` for reports from the public.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/public-reports", get(queue))
        .route("/public-reports/{id}", get(report))
        .route("/public-reports/{id}/photos/{n}", get(photo))
        .route("/public-reports/{id}/triage", post(triage))
        .route("/public-reports/{id}/updates", post(update))
}

#[utoipa::path(
    get,
    path = "/public-reports",
    summary = "Your agency's triage queue: reports from the public routed to it and not yet accepted, joined or passed on, oldest first (with the reporter's details, held by your agency); audited",
    responses((status = 200, description = "Success", body = Items<PublicReport>))
)]
async fn queue(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Items<PublicReport>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(Items::from(state.store.report_queue(&permit, &user.actor()).await?)))
}

#[utoipa::path(
    get,
    path = "/public-reports/{id}",
    summary = "A report your agency holds (id or reference) with the updates the reporter was given; audited",
    params(("id" = String, Path, description = "The report's id or reference")),
    responses((status = 200, description = "Success", body = PublicReportRecord))
)]
async fn report(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PublicReportRecord>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.public_report(&permit, &id, &user.actor()).await?))
}

#[utoipa::path(
    get,
    path = "/public-reports/{id}/photos/{n}",
    summary = "The `n`th photo (from 0) sent with a report your agency holds, as the reporter sent it with its metadata taken out (JPEG, PNG or WebP); never cached; audited",
    params(("id" = String, Path, description = "The report's id or reference"), ("n" = usize, Path, description = "The photo's place in the report's list, from 0")),
    responses((status = 200, description = "The photo", content_type = "image/jpeg"))
)]
async fn photo(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, n)): Path<(String, usize)>,
) -> ApiResult<axum::response::Response> {
    let permit = user.permit::<ViewRecords>()?;
    let (content_type, bytes) = state.store.public_report_photo(&permit, &id, n, &user.actor()).await?;
    Ok(crate::uploads::image(&content_type, bytes))
}

/// `POST /public-reports/{id}/triage`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TriageBody {
    /// `accept` (a new incident), `merge` (join `incident`) or `redirect` (to `agency`).
    action: String,
    /// For `merge`: the incident's id or reference.
    #[serde(default)]
    incident: Option<String>,
    /// For `redirect`: the partner agency's code.
    #[serde(default)]
    agency: Option<String>,
    /// What the reporter is told.
    #[serde(default)]
    public_note: String,
}

#[utoipa::path(
    post,
    path = "/public-reports/{id}/triage",
    summary = "Triage a report in your queue: `accept` records it as a new incident of your agency's, `merge` joins it to an incident you may see, `redirect` passes it (and the reporter's details) to another agency; once; 422 with `error.rule` (`report_incident`, `report_redirect`, `report_triaged`, `report_text`)",
    params(("id" = String, Path, description = "The report's id or reference")),
    request_body = TriageBody,
    responses((status = 200, description = "Success", body = PublicReportRecord))
)]
async fn triage(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TriageBody>,
) -> ApiResult<Json<PublicReportRecord>> {
    let permit = user.permit::<EditRecords>()?;
    let missing = |what: &str| AppError::BadRequest(format!("give the {what}"));
    let t = match b.action.as_str() {
        "accept" => Triage::Accept,
        "merge" => Triage::Merge(b.incident.ok_or_else(|| missing("incident to join it to"))?),
        "redirect" => Triage::Redirect(b.agency.ok_or_else(|| missing("agency to pass it to"))?),
        _ => return Err(AppError::BadRequest("action must be accept, merge or redirect".into()).into()),
    };
    Ok(Json(state.store.triage_report(&permit, &id, &t, &b.public_note, &user.actor()).await?))
}

/// `POST /public-reports/{id}/updates`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    /// The new status.
    status: ReportStatus,
    /// What the reporter is told (required to close the report).
    #[serde(default)]
    public_note: String,
}

#[utoipa::path(
    post,
    path = "/public-reports/{id}/updates",
    summary = "Move a report your agency holds to a status, with a note for the reporter (required to close it); 422 with `error.rule` (`report_note_required`, `report_text`)",
    params(("id" = String, Path, description = "The report's id or reference")),
    request_body = UpdateBody,
    responses((status = 200, description = "Success", body = PublicReportRecord))
)]
async fn update(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateBody>,
) -> ApiResult<Json<PublicReportRecord>> {
    let permit = user.permit::<EditRecords>()?;
    Ok(Json(state.store.update_public_report(&permit, &id, b.status, &b.public_note, &user.actor()).await?))
}
