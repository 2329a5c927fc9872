//! The partners' programmes in the JSON API: referrals into a partner's
//! programme and their outcomes, sessions in schools, the taxi driver
//! register with its six-monthly DBS checks, and the strategy measures
//! computed from them. The checks are the domain's; each refusal is a 422
//! naming its rule.

use crate::api_types::Items;
use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiResult, AppError};
use crate::params::parse_api_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use safetynet_domain::noise::{NewBooking, NewEquipment, NewNoiseVisit};
use safetynet_domain::policy::{EditRecords, ViewCrimeData, ViewRecords};
use safetynet_domain::premises::{NewPremises, NewVisit, PremisesKind};
use safetynet_domain::referrals::{NewReferral, ReferralStatus, ReferralUpdate};
use safetynet_domain::schools::{NewSchoolSession, Topic};
use safetynet_domain::taxi::{DbsState, NewConcern, NewDbsCheck, NewDriver};
use safetynet_domain::vawg::{NewFinding, NewLearningAction, NewPanel};
use safetynet_store::noise::{Booking, Equipment, NoiseVisit};
use safetynet_store::premises::{Premises, PremisesRecord};
use safetynet_store::referrals::{Direction, Referral};
use safetynet_store::schools::{SchoolSession, TopicReach};
use safetynet_store::strategy::Commitment;
use safetynet_store::taxi::{Concern, Driver, DriverRecord};
use safetynet_store::taxi_concerns::SharedConcern;
use safetynet_store::vawg::{Panel, PanelRecord};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The most records one list returns.
pub const LIST_LIMIT: i64 = 500;

/// Routes under `/api/v1` for the programmes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/strategy/measures", get(measures))
        .route("/referrals", get(referrals).post(refer))
        .route("/referrals/{id}", get(referral))
        .route("/referrals/{id}/updates", post(update_referral))
        .route("/school-sessions", get(school_sessions).post(add_school_session))
        .route("/taxi-drivers", get(drivers).post(add_driver))
        .route("/taxi-drivers/{id}", get(driver))
        .route("/taxi-drivers/{id}/checks", post(add_check))
        .route("/taxi-drivers/{id}/training", post(record_training))
        .route("/taxi-drivers/{id}/licence", post(renew_licence))
        .route("/taxi-drivers/{id}/concerns", post(share_concern))
        .route("/taxi-concerns", get(shared_concerns))
        .route("/premises", get(premises).post(add_premises))
        .route("/premises/{id}", get(one_premises))
        .route("/premises/{id}/visits", post(add_visit))
        .route("/noise/equipment", get(equipment).post(add_equipment))
        .route("/noise/equipment/{id}/bookings", post(book_equipment))
        .route("/noise/bookings/{id}/return", post(return_equipment))
        .route("/noise/visits", get(noise_visits).post(add_noise_visit))
        .route("/vawg-panels", get(panels).post(add_panel))
        .route("/vawg-panels/{id}", get(panel))
        .route("/vawg-panels/{id}/findings", post(record_finding))
        .route("/vawg-panels/{id}/actions", post(add_learning_action))
        .route("/vawg-actions/{id}/done", post(complete_learning_action))
}

#[utoipa::path(
    get,
    path = "/strategy/measures",
    summary = "The commitments measured from data (`measured_by` in the strategy file), each with `measured`: the figure and its sentence as of today",
    responses((status = 200, description = "Success", body = Items<Commitment>))
)]
async fn measures(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Items<Commitment>>> {
    user.permit::<ViewCrimeData>()?;
    let strategy = safetynet_app::measures::strategy_on(&state.store, state.today())
        .await?
        .ok_or(AppError::NotFound("strategy"))?;
    let items = strategy.priorities.into_iter().flat_map(|p| p.commitments).filter(|c| c.measured.is_some());
    Ok(Json(Items::from(items.collect::<Vec<_>>())))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ReferralQuery {
    /// `received` (default: sent to your agency) or `sent` (by your agency).
    #[serde(default)]
    direction: Option<String>,
    /// Only referrals in this status.
    #[serde(default)]
    status: Option<ReferralStatus>,
}

#[utoipa::path(
    get,
    path = "/referrals",
    summary = "Referrals your agency received (?direction=received, the default) or sent (?direction=sent), newest first (at most 500); ?status= to filter",
    params(ReferralQuery),
    responses((status = 200, description = "Success", body = Items<Referral>))
)]
async fn referrals(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Items<Referral>>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: ReferralQuery = parse_api_query(raw.as_deref())?;
    let direction = match q.direction.as_deref() {
        None | Some("received") => Direction::Received,
        Some("sent") => Direction::Sent,
        Some(_) => return Err(AppError::BadRequest("direction must be received or sent".into()).into()),
    };
    let list = state.store.referrals(&permit, direction, q.status, LIST_LIMIT, &user.actor()).await?;
    Ok(Json(Items::from(list)))
}

#[utoipa::path(
    post,
    path = "/referrals",
    summary = "Refer a person to a partner's programme, with their consent; 422 with `error.rule` (`consent_required`, `date_of_birth_required`, `programme_not_run_by_agency`, `referral_date`, `referral_text`)",
    request_body = NewReferral,
    responses((status = 201, description = "Success", body = Referral))
)]
async fn refer(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewReferral>,
) -> ApiResult<(StatusCode, Json<Referral>)> {
    let permit = user.permit::<EditRecords>()?;
    Ok((StatusCode::CREATED, Json(state.store.refer(&permit, &new, state.today(), &user.actor()).await?)))
}

#[utoipa::path(
    get,
    path = "/referrals/{id}",
    summary = "One referral (the referring and the receiving agency only)",
    params(("id" = String, Path, description = "The referral's id")),
    responses((status = 200, description = "Success", body = Referral))
)]
async fn referral(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<Referral>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.referral(&permit, &id, &user.actor()).await?))
}

#[utoipa::path(
    post,
    path = "/referrals/{id}/updates",
    summary = "Accept, decline or complete a referral (the receiving agency only); declining or completing says what happened, for the referrer; 422 with `error.rule` (`referral_closed`, `referral_status`, `outcome_required`, `referral_date`)",
    params(("id" = String, Path, description = "The referral's id")),
    request_body = ReferralUpdate,
    responses((status = 200, description = "Success", body = Referral))
)]
async fn update_referral(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(update): ApiJson<ReferralUpdate>,
) -> ApiResult<Json<Referral>> {
    let permit = user.permit::<EditRecords>()?;
    Ok(Json(state.store.update_referral(&permit, &id, &update, state.today(), &user.actor()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct SessionQuery {
    /// First day (default: the strategy's first day, else a year ago).
    #[serde(default)]
    from: Option<NaiveDate>,
    /// Last day (default: today).
    #[serde(default)]
    to: Option<NaiveDate>,
    /// Only this topic.
    #[serde(default)]
    topic: Option<Topic>,
}

/// `GET /school-sessions`.
#[derive(Debug, Serialize, ToSchema)]
struct Sessions {
    /// First day counted.
    from: NaiveDate,
    /// Last day counted.
    to: NaiveDate,
    /// Sessions, schools and pupils per topic.
    reach: Vec<TopicReach>,
    /// The sessions, newest first (at most 500).
    items: Vec<SchoolSession>,
}

#[utoipa::path(
    get,
    path = "/school-sessions",
    summary = "Sessions in schools and colleges (counts only) with the schools and pupils reached per topic; ?from=&to= (default: the strategy so far), ?topic=",
    params(SessionQuery),
    responses((status = 200, description = "Success", body = Sessions))
)]
async fn school_sessions(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Sessions>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: SessionQuery = parse_api_query(raw.as_deref())?;
    let today = state.today();
    let from = match q.from {
        Some(d) => d,
        None => safetynet_app::measures::programme_start(&state.store, today).await?,
    };
    let to = q.to.unwrap_or(today);
    if to < from {
        return Err(AppError::BadRequest("to must not be before from".into()).into());
    }
    let items = state.store.school_sessions(&permit, (from, to), q.topic, LIST_LIMIT).await?;
    let reach = state.store.school_reach((from, to)).await?;
    Ok(Json(Sessions { from, to, reach, items }))
}

#[utoipa::path(
    post,
    path = "/school-sessions",
    summary = "Record a session your agency gave in a school or college (counts only, no child's details); 422 with `error.rule` (`session_text`, `session_date`, `session_pupils`)",
    request_body = NewSchoolSession,
    responses((status = 201, description = "Success", body = SchoolSession))
)]
async fn add_school_session(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewSchoolSession>,
) -> ApiResult<(StatusCode, Json<SchoolSession>)> {
    let permit = user.permit::<EditRecords>()?;
    let s = state.store.add_school_session(&permit, &new, state.today(), &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(s)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DriverQuery {
    /// Only drivers in this state (`overdue`, `due_soon`, `current`, `licence_expired`).
    #[serde(default)]
    state: Option<DbsState>,
}

#[utoipa::path(
    get,
    path = "/taxi-drivers",
    summary = "Your council's taxi and private hire drivers, overdue DBS checks first; ?state=overdue|due_soon|current|licence_expired",
    params(DriverQuery),
    responses((status = 200, description = "Success", body = Items<Driver>))
)]
async fn drivers(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Items<Driver>>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: DriverQuery = parse_api_query(raw.as_deref())?;
    Ok(Json(Items::from(state.store.drivers(&permit, state.today(), q.state, &user.actor()).await?)))
}

#[utoipa::path(
    post,
    path = "/taxi-drivers",
    summary = "Add a driver to your council's register; 409 if the licence number is on it; 422 with `error.rule` (`licensing_authority_only`, `driver_licence_number`, `driver_text`, `driver_training_date`)",
    request_body = NewDriver,
    responses((status = 201, description = "Success", body = Driver))
)]
async fn add_driver(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewDriver>,
) -> ApiResult<(StatusCode, Json<Driver>)> {
    let permit = user.permit::<EditRecords>()?;
    Ok((StatusCode::CREATED, Json(state.store.add_driver(&permit, &new, state.today(), &user.actor()).await?)))
}

#[utoipa::path(
    get,
    path = "/taxi-drivers/{id}",
    summary = "One driver on your council's register with every DBS check",
    params(("id" = String, Path, description = "The driver's id")),
    responses((status = 200, description = "Success", body = DriverRecord))
)]
async fn driver(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<DriverRecord>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.driver(&permit, &id, state.today(), &user.actor()).await?))
}

#[utoipa::path(
    post,
    path = "/taxi-drivers/{id}/checks",
    summary = "Record a DBS update service check; 422 with `error.rule` (`dbs_check_date`, `dbs_notes_required`)",
    params(("id" = String, Path, description = "The driver's id")),
    request_body = NewDbsCheck,
    responses((status = 201, description = "Success", body = DriverRecord))
)]
async fn add_check(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(check): ApiJson<NewDbsCheck>,
) -> ApiResult<(StatusCode, Json<DriverRecord>)> {
    let permit = user.permit::<EditRecords>()?;
    let record = state.store.add_dbs_check(&permit, &id, &check, state.today(), &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

#[utoipa::path(
    post,
    path = "/taxi-drivers/{id}/concerns",
    summary = "Share a concern about a driver on your register with a police agency, with the lawful basis for sharing it (audited as a share); 422 with `error.rule` (`concern_date`, `concern_text`, `concern_lawful_basis`, `concern_share_police`)",
    params(("id" = String, Path, description = "The driver's id")),
    request_body = NewConcern,
    responses((status = 201, description = "Success", body = Concern))
)]
async fn share_concern(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewConcern>,
) -> ApiResult<(StatusCode, Json<Concern>)> {
    let permit = user.permit::<EditRecords>()?;
    let concern = state.store.share_driver_concern(&permit, &id, &new, state.today(), &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(concern)))
}

#[utoipa::path(
    get,
    path = "/taxi-concerns",
    summary = "Concerns about licensed drivers shared with your agency, newest first, with the driver's name and licence and the lawful basis; audited",
    responses((status = 200, description = "Success", body = Items<SharedConcern>))
)]
async fn shared_concerns(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Items<SharedConcern>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(Items::from(state.store.shared_concerns(&permit, &user.actor()).await?)))
}

/// `POST /taxi-drivers/{id}/training`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Training {
    /// The day the driver completed safeguarding training.
    trained_on: NaiveDate,
}

#[utoipa::path(
    post,
    path = "/taxi-drivers/{id}/training",
    summary = "Record a driver's safeguarding training; 422 `driver_training_date` if in the future",
    params(("id" = String, Path, description = "The driver's id")),
    request_body = Training,
    responses((status = 200, description = "Success", body = DriverRecord))
)]
async fn record_training(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(t): ApiJson<Training>,
) -> ApiResult<Json<DriverRecord>> {
    let permit = user.permit::<EditRecords>()?;
    Ok(Json(state.store.record_driver_training(&permit, &id, t.trained_on, state.today(), &user.actor()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct PremisesQuery {
    /// Only `business` or `licensed` premises.
    #[serde(default)]
    kind: Option<PremisesKind>,
    /// `json` (default) or `geojson` (premises with a location, as points).
    #[serde(default)]
    format: Option<String>,
}

/// Premises with a location as GeoJSON points.
fn premises_points(list: &[Premises]) -> serde_json::Value {
    crate::layers::points(list.iter().map(|p| {
        let properties = serde_json::json!({ "kind": "premises", "id": p.id, "name": p.name, "premises_kind": p.kind,
            "next_inspection_due": p.next_inspection_due });
        (p.latitude, p.longitude, properties)
    }))
}

#[utoipa::path(
    get,
    path = "/premises",
    summary = "The premises register (business premises whose inspection is due soonest first); ?kind=business|licensed; ?format=geojson for the map",
    params(PremisesQuery),
    responses((status = 200, description = "Success", body = Items<Premises>))
)]
async fn premises(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let q: PremisesQuery = parse_api_query(raw.as_deref())?;
    let list = state.store.premises_list(&permit, q.kind).await?;
    Ok(match q.format.as_deref() {
        None | Some("json") => Json(Items::from(list)).into_response(),
        Some("geojson") => crate::layers::geojson(premises_points(&list)),
        Some(_) => return Err(AppError::BadRequest("format must be json or geojson".into()).into()),
    })
}

#[utoipa::path(
    post,
    path = "/premises",
    summary = "Put premises on the register; 422 with `error.rule` (`premises_text`, `premises_location`, `premises_risk_band_required`)",
    request_body = NewPremises,
    responses((status = 201, description = "Success", body = Premises))
)]
async fn add_premises(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewPremises>,
) -> ApiResult<(StatusCode, Json<Premises>)> {
    let permit = user.permit::<EditRecords>()?;
    Ok((StatusCode::CREATED, Json(state.store.add_premises(&permit, &new, &user.actor()).await?)))
}

#[utoipa::path(
    get,
    path = "/premises/{id}",
    summary = "Premises with every visit",
    params(("id" = String, Path, description = "The premises' id")),
    responses((status = 200, description = "Success", body = PremisesRecord))
)]
async fn one_premises(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PremisesRecord>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.premises(&permit, &id).await?))
}

#[utoipa::path(
    post,
    path = "/premises/{id}/visits",
    summary = "Record a visit (fire inspections by the fire service set the next inspection due; Operation Vigilant by the police; training, drink spiking advice and licensing checks by the council or police); 422 with `error.rule` (`visit_date`, `visit_kind_premises`, `visit_not_for_agency`, `visit_text`)",
    params(("id" = String, Path, description = "The premises' id")),
    request_body = NewVisit,
    responses((status = 201, description = "Success", body = PremisesRecord))
)]
async fn add_visit(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(visit): ApiJson<NewVisit>,
) -> ApiResult<(StatusCode, Json<PremisesRecord>)> {
    let permit = user.permit::<EditRecords>()?;
    let record = state.store.add_visit(&permit, &id, &visit, state.today(), &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

#[utoipa::path(
    get,
    path = "/noise/equipment",
    summary = "Your agency's noise recording equipment, each kit with its bookings not yet returned (where it is, due back)",
    responses((status = 200, description = "Success", body = Items<Equipment>))
)]
async fn equipment(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Items<Equipment>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(Items::from(state.store.equipment(&permit, &user.actor()).await?)))
}

/// The new kit's id.
#[derive(Debug, Serialize, ToSchema)]
struct NewId {
    /// Id.
    id: String,
}

#[utoipa::path(
    post,
    path = "/noise/equipment",
    summary = "Add a recording kit to your agency's register; 409 if the asset tag is on it; 422 `equipment_text`",
    request_body = NewEquipment,
    responses((status = 201, description = "Success", body = NewId))
)]
async fn add_equipment(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewEquipment>,
) -> ApiResult<(StatusCode, Json<NewId>)> {
    let permit = user.permit::<EditRecords>()?;
    Ok((StatusCode::CREATED, Json(NewId { id: state.store.add_equipment(&permit, &new, &user.actor()).await? })))
}

#[utoipa::path(
    post,
    path = "/noise/equipment/{id}/bookings",
    summary = "Book a kit to a noise complaint (an incident id or reference you may see); 422 with `error.rule` (`equipment_booked` when it is out or booked on any of the days, `booking_dates`)",
    params(("id" = String, Path, description = "The kit's id")),
    request_body = NewBooking,
    responses((status = 201, description = "Success", body = Booking))
)]
async fn book_equipment(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewBooking>,
) -> ApiResult<(StatusCode, Json<Booking>)> {
    let permit = user.permit::<EditRecords>()?;
    let b = state.store.book_equipment(&permit, &id, &new, state.today(), &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(b)))
}

/// `POST /noise/bookings/{id}/return`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Returned {
    /// The day the kit came back.
    returned_on: NaiveDate,
}

#[utoipa::path(
    post,
    path = "/noise/bookings/{id}/return",
    summary = "Record a kit's return; 422 `booking_dates` before it went out or in the future",
    params(("id" = String, Path, description = "The booking's id")),
    request_body = Returned,
    responses((status = 204, description = "Returned"))
)]
async fn return_equipment(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<Returned>,
) -> ApiResult<StatusCode> {
    let permit = user.permit::<EditRecords>()?;
    state.store.return_equipment(&permit, &id, r.returned_on, state.today(), &user.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/noise/visits",
    summary = "Your agency's visits to witness noise, newest first (at most 500)",
    responses((status = 200, description = "Success", body = Items<NoiseVisit>))
)]
async fn noise_visits(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Items<NoiseVisit>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(Items::from(state.store.noise_visits(&permit, LIST_LIMIT, &user.actor()).await?)))
}

#[utoipa::path(
    post,
    path = "/noise/visits",
    summary = "Record a visit to witness noise at a complaint you may see (out of hours is worked out from the time); 422 with `error.rule` (`visit_date`, `visit_nuisance_needs_witness`, `visit_text`)",
    request_body = NewNoiseVisit,
    responses((status = 201, description = "Success", body = NoiseVisit))
)]
async fn add_noise_visit(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(v): ApiJson<NewNoiseVisit>,
) -> ApiResult<(StatusCode, Json<NoiseVisit>)> {
    let permit = user.permit::<EditRecords>()?;
    let visit = state.store.add_noise_visit(&permit, &v, state.clock.now(), &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(visit)))
}

/// `POST /taxi-drivers/{id}/licence`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Renewal {
    /// The renewed licence's last day.
    licence_expires: NaiveDate,
}

#[utoipa::path(
    post,
    path = "/taxi-drivers/{id}/licence",
    summary = "Record a renewed licence's last day; 422 `driver_licence_expires`",
    params(("id" = String, Path, description = "The driver's id")),
    request_body = Renewal,
    responses((status = 200, description = "Success", body = DriverRecord))
)]
async fn renew_licence(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<Renewal>,
) -> ApiResult<Json<DriverRecord>> {
    let permit = user.permit::<EditRecords>()?;
    Ok(Json(state.store.renew_licence(&permit, &id, r.licence_expires, state.today(), &user.actor()).await?))
}

#[utoipa::path(
    get,
    path = "/vawg-panels",
    summary = "VAWG scrutiny panels, latest first",
    responses((status = 200, description = "Success", body = Items<Panel>))
)]
async fn panels(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Items<Panel>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(Items::from(state.store.panels(&permit).await?)))
}

#[utoipa::path(
    post,
    path = "/vawg-panels",
    summary = "Schedule a VAWG scrutiny panel (the police or a CSP manager); 422 with `error.rule` (`panel_police_only`, `panel_text`, `panel_date`)",
    request_body = NewPanel,
    responses((status = 201, description = "Success", body = Panel))
)]
async fn add_panel(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewPanel>,
) -> ApiResult<(StatusCode, Json<Panel>)> {
    let permit = user.permit::<EditRecords>()?;
    Ok((StatusCode::CREATED, Json(state.store.add_panel(&permit, &new, state.today(), &user.actor()).await?)))
}

#[utoipa::path(
    get,
    path = "/vawg-panels/{id}",
    summary = "A panel with its random sample of domestic abuse cases closed in the year before it, depersonalised, each with the panel's finding, and its learning actions (with those still open from earlier panels)",
    params(("id" = String, Path, description = "The panel's id")),
    responses((status = 200, description = "Success", body = PanelRecord))
)]
async fn panel(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<PanelRecord>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.panel(&permit, &id, &user.actor()).await?))
}

#[utoipa::path(
    post,
    path = "/vawg-panels/{id}/findings",
    summary = "Record the panel's finding on a sampled case by its number; 422 with `error.rule` (`finding_case`, `finding_text`, `panel_police_only`)",
    params(("id" = String, Path, description = "The panel's id")),
    request_body = NewFinding,
    responses((status = 204, description = "Recorded"))
)]
async fn record_finding(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewFinding>,
) -> ApiResult<StatusCode> {
    let permit = user.permit::<EditRecords>()?;
    state.store.record_finding(&permit, &id, &new, &user.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/vawg-panels/{id}/actions",
    summary = "Raise a learning action at a panel; it is carried to later panels until done; 422 with `error.rule` (`action_text`, `action_due`, `panel_police_only`)",
    params(("id" = String, Path, description = "The panel's id")),
    request_body = NewLearningAction,
    responses((status = 201, description = "Success", body = NewId))
)]
async fn add_learning_action(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewLearningAction>,
) -> ApiResult<(StatusCode, Json<NewId>)> {
    let permit = user.permit::<EditRecords>()?;
    let id = state.store.add_learning_action(&permit, &id, &new, &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(NewId { id })))
}

/// `POST /vawg-actions/{id}/done`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Done {
    /// The day it was done.
    done_on: NaiveDate,
}

#[utoipa::path(
    post,
    path = "/vawg-actions/{id}/done",
    summary = "Mark a learning action done; 422 `action_due` for a day in the future",
    params(("id" = String, Path, description = "The action's id")),
    request_body = Done,
    responses((status = 204, description = "Done"))
)]
async fn complete_learning_action(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<Done>,
) -> ApiResult<StatusCode> {
    let permit = user.permit::<EditRecords>()?;
    state.store.complete_learning_action(&permit, &id, d.done_on, state.today(), &user.actor()).await?;
    Ok(StatusCode::NO_CONTENT)
}
