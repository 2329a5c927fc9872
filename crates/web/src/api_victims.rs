//! Keeping victims informed, in the JSON API, for the case's lead agency:
//! the victims on a case with their choice of updates, the updates due and
//! given; recording a choice; recording an update (e-mailed when they chose
//! e-mail).

use crate::api_types::Items;
use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiResult, AppError};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::victim_contact::{ContactChannel, UpdatePoint, VictimContact};
use safetynet_store::victim_contact::VictimOnCase;
use serde::Deserialize;
use utoipa::ToSchema;

/// Routes under `/api/v1` for keeping victims informed.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/victims", get(victims))
        .route("/cases/{id}/victims/{person}/contact", put(set_contact))
        .route("/cases/{id}/victims/{person}/updates", post(tell))
}

#[utoipa::path(
    get,
    path = "/cases/{id}/victims",
    summary = "The victims on a case your agency leads: each one's choice of how and when they are told, the updates due (agreed points the case has reached without one) and given; audited",
    params(("id" = String, Path, description = "The case's id")),
    responses((status = 200, description = "Success", body = Items<VictimOnCase>))
)]
async fn victims(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<VictimOnCase>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(Items::from(state.store.victims_on_case(&permit, &id, &user.actor()).await?)))
}

/// `PUT /cases/{id}/victims/{person}/contact`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ContactBody {
    /// How: `email`, `phone`, `letter` or `none` (no updates, at their request).
    channel: ContactChannel,
    /// Their e-mail address (for `email`).
    #[serde(default)]
    email: String,
    /// When: any of `assigned`, `action_taken`, `closed` (none for `none`).
    #[serde(default)]
    points: Vec<String>,
    /// When they agreed it.
    agreed_on: NaiveDate,
    /// A regular update every so many days while the case is open (7 to
    /// 91), besides the points; omitted for none.
    #[serde(default)]
    every_days: Option<u32>,
}

#[utoipa::path(
    put,
    path = "/cases/{id}/victims/{person}/contact",
    summary = "Record how and when a victim on the case wants to be told (replacing an earlier choice); lead agency only; 422 `victim_contact` for a person who is not a victim on the case or a choice that does not hold together",
    params(("id" = String, Path, description = "The case's id"), ("person" = String, Path, description = "The victim's person id")),
    request_body = ContactBody,
    responses((status = 204, description = "Recorded"))
)]
async fn set_contact(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, person)): Path<(String, String)>,
    ApiJson(b): ApiJson<ContactBody>,
) -> ApiResult<StatusCode> {
    let permit = user.permit::<EditRecords>()?;
    let contact = VictimContact {
        person_id: person,
        channel: b.channel,
        email: b.email,
        points: b.points,
        agreed_on: b.agreed_on,
        every_days: b.every_days,
    };
    state.store.set_victim_contact(&permit, &id, &contact, &user.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /cases/{id}/victims/{person}/updates`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct TellBody {
    /// The point it is about: `assigned`, `action_taken`, `closed`, or
    /// `regular` for a regular update.
    milestone: String,
    /// What the victim is told.
    note: String,
}

#[utoipa::path(
    post,
    path = "/cases/{id}/victims/{person}/updates",
    summary = "Record an update given to a victim (e-mailed to them when they chose e-mail; otherwise the record of the call or letter); lead agency only; 422 `victim_contact` (no choice recorded), `victim_opted_out`, `victim_note`",
    params(("id" = String, Path, description = "The case's id"), ("person" = String, Path, description = "The victim's person id")),
    request_body = TellBody,
    responses((status = 204, description = "Recorded"))
)]
async fn tell(
    State(state): State<AppState>,
    user: ApiUser,
    Path((id, person)): Path<(String, String)>,
    ApiJson(b): ApiJson<TellBody>,
) -> ApiResult<StatusCode> {
    let permit = user.permit::<EditRecords>()?;
    let point = UpdatePoint::parse(&b.milestone)
        .ok_or_else(|| AppError::BadRequest("milestone must be assigned, action_taken, closed or regular".into()))?;
    state.store.tell_victim(&permit, &id, &person, point, &b.note, &user.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
