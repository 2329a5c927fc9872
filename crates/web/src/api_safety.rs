//! The Safety Net JSON API: incidents, cases and their plans, risk
//! assessments, tasks, interventions, the daily review and ASB Case Reviews.
//! Every handler turns the caller into a permit first; the store applies the
//! agency rules and writes the audit rows.

use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiResult, AppError};
use crate::params::parse_api_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use safetynet_app::daily::{DailyReview, DailyReviewRequest};
use safetynet_domain::case::{CaseNote, CaseShare, IncidentLink, ReviewNote, StatusChange, TaskUpdate};
use safetynet_domain::case_review::{CaseReviewApplication, CaseReviewUpdate};
use safetynet_domain::incident::IncidentInput;
use safetynet_domain::interventions::BreachReport;
use safetynet_domain::interventions::NewIntervention;
use safetynet_domain::policy::{EditRecords, ViewRecords, Visible};
use safetynet_domain::risk::AssessmentRequest;
use safetynet_domain::uk_time::london_date;
use safetynet_store::cases::{NewCase, NewTask, Plan};
use safetynet_store::incidents::{IncidentFilter, NewPerson, Submitted};
use serde::Deserialize;
use serde_json::{json, Value};

/// Routes under `/api/v1` for the Safety Net.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/categories", get(categories))
        .route("/questionnaires", get(questionnaires))
        .route("/incidents", get(list_incidents).post(create_incident))
        .route("/incidents/{id}", get(get_incident))
        .route("/incidents/{id}/repeats", get(repeats))
        .route("/people/{id}/duplicates", get(duplicates))
        .route("/people/{id}/merge", post(merge))
        .route("/cases", get(list_cases).post(create_case))
        .route("/cases/{id}", get(get_case))
        .route("/cases/{id}/plan", put(update_plan))
        .route("/cases/{id}/status", post(change_status))
        .route("/cases/{id}/shares", post(share))
        .route("/cases/{id}/incidents", post(link_incident))
        .route("/cases/{id}/notes", post(add_note))
        .route("/cases/{id}/reviews", post(record_review))
        .route("/cases/{id}/risk-assessments", get(list_assessments).post(assess))
        .route("/cases/{id}/tasks", post(add_task))
        .route("/tasks/{id}", patch(update_task))
        .route("/cases/{id}/interventions", get(list_interventions).post(add_intervention))
        .route("/interventions/{id}/breaches", post(add_breach))
        .route("/interventions/expiring", get(expiring))
        .route("/daily-review", get(daily_review))
        .route("/case-reviews", get(list_case_reviews).post(open_case_review))
        .route("/case-reviews/eligibility", get(eligibility))
        .route("/case-reviews/figures", get(figures))
        .route("/case-reviews/{id}", patch(update_case_review))
}

fn created(v: Value) -> (StatusCode, Json<Value>) {
    (StatusCode::CREATED, Json(v))
}

fn visible<T: serde::Serialize>(v: Visible<T>) -> Json<Value> {
    Json(json!(v))
}

async fn categories(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "items": state.store.categories().await? })))
}

async fn questionnaires(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<Value>> {
    Ok(Json(json!({ "items": state.store.questionnaires().await? })))
}

/// `POST /incidents` body.
#[derive(Debug, Deserialize)]
struct IncidentBody {
    #[serde(flatten)]
    incident: IncidentInput,
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    people: Vec<NewPerson>,
}

async fn create_incident(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<IncidentBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<EditRecords>()?;
    match state
        .store
        .submit_incident(&permit, &body.incident, body.reference.as_deref(), &body.people, &user.actor())
        .await?
    {
        Submitted::Recorded { id, reference } => Ok(created(json!({ "id": id, "reference": reference }))),
        Submitted::Invalid { errors } => Err(AppError::Unprocessable {
            rule: "incident_validation".into(),
            message: errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "),
        }
        .into()),
        Submitted::AlreadyPresent => {
            Err(AppError::Conflict("an incident with this reference already exists".into()).into())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    #[serde(default)]
    page: Option<i64>,
    #[serde(default)]
    per_page: Option<i64>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    live: Option<bool>,
}

fn paging(q: &ListQuery) -> Result<(i64, i64), AppError> {
    let (page, per_page) = (q.page.unwrap_or(1), q.per_page.unwrap_or(50));
    if !(1..=100_000).contains(&page) || !(1..=200).contains(&per_page) {
        return Err(AppError::BadRequest("page must be 1 or more and per_page from 1 to 200".into()));
    }
    Ok((page, per_page))
}

async fn list_incidents(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: ListQuery = parse_api_query(raw.as_deref())?;
    let (page, per_page) = paging(&q)?;
    let filter = IncidentFilter {
        category: q.category.filter(|c| !c.is_empty()),
        text: q.q.filter(|t| !t.is_empty()),
        ..Default::default()
    };
    let (items, total) =
        state.store.incidents(&permit, &filter, per_page, (page - 1) * per_page, &user.actor()).await?;
    Ok(Json(json!({ "items": items, "total": total, "page": page, "per_page": per_page })))
}

async fn get_incident(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(visible(state.store.incident(&permit, &id, &user.actor()).await?))
}

#[derive(Debug, Deserialize)]
struct RadiusQuery {
    #[serde(default)]
    radius_m: Option<f64>,
}

async fn repeats(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: RadiusQuery = parse_api_query(raw.as_deref())?;
    let radius = q.radius_m.unwrap_or(state.config.safety.repeat_radius_m);
    if !(1.0..=5_000.0).contains(&radius) {
        return Err(AppError::BadRequest("radius_m must be from 1 to 5000".into()).into());
    }
    Ok(Json(json!(state.store.repeats(&permit, &id, radius, &user.actor()).await?)))
}

async fn duplicates(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(json!({ "items": state.store.person_duplicates(&permit, &id, &user.actor()).await? })))
}

#[derive(Debug, Deserialize)]
struct MergeBody {
    duplicate: String,
}

async fn merge(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<EditRecords>()?;
    state.store.merge_people(&permit, &id, &b.duplicate, &user.actor()).await?;
    Ok(Json(json!({ "merged": b.duplicate, "into": id })))
}

async fn create_case(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewCase>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let edit = user.permit::<EditRecords>()?;
    let view = user.permit::<ViewRecords>()?;
    new.check().map_err(AppError::BadRequest)?;
    let (id, reference) = state.store.open_case(&edit, &view, &new, &user.actor()).await?;
    Ok(created(json!({ "id": id, "reference": reference })))
}

async fn list_cases(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: ListQuery = parse_api_query(raw.as_deref())?;
    let (page, per_page) = paging(&q)?;
    let (items, total) =
        state.store.cases(&permit, q.live.unwrap_or(false), per_page, (page - 1) * per_page, &user.actor()).await?;
    Ok(Json(json!({ "items": items, "total": total, "page": page, "per_page": per_page })))
}

async fn get_case(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(visible(state.store.case(&permit, &id, &user.actor()).await?))
}

#[derive(Debug, Deserialize)]
struct PlanBody {
    version: i64,
    #[serde(flatten)]
    plan: Plan,
}

async fn update_plan(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<EditRecords>()?;
    b.plan.check().map_err(AppError::BadRequest)?;
    let version = state.store.update_plan(&permit, &id, b.version, &b.plan, &user.actor()).await?;
    Ok(Json(json!({ "version": version })))
}

#[derive(Debug, Deserialize)]
struct StatusBody {
    version: i64,
    status: String,
    #[serde(default)]
    outcome: Option<String>,
}

async fn change_status(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StatusBody>,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<EditRecords>()?;
    let change = StatusChange::new(&b.status, b.outcome.as_deref()).map_err(AppError::BadRequest)?;
    let version = state.store.change_status(&permit, &id, b.version, &change, &user.actor()).await?;
    Ok(Json(json!({ "version": version, "status": change.to.as_str() })))
}

#[derive(Debug, Deserialize)]
struct ShareBody {
    agency: String,
    lawful_basis: String,
}

async fn share(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ShareBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<EditRecords>()?;
    let share = CaseShare::new(&b.agency, &b.lawful_basis).map_err(AppError::BadRequest)?;
    state.store.share_case(&permit, &id, &share, &user.actor()).await?;
    Ok(created(json!({ "agency": share.agency.as_str(), "lawful_basis": share.lawful_basis })))
}

#[derive(Debug, Deserialize)]
struct LinkBody {
    incident: String,
}

async fn link_incident(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<LinkBody>,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<EditRecords>()?;
    let link = IncidentLink::new(&b.incident).map_err(AppError::BadRequest)?;
    state.store.link_incident(&permit, &id, &link, &user.actor()).await?;
    Ok(Json(json!({ "linked": b.incident })))
}

#[derive(Debug, Deserialize)]
struct NoteBody {
    text: String,
}

async fn add_note(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<EditRecords>()?;
    let note = CaseNote::new(&b.text).map_err(AppError::BadRequest)?;
    state.store.add_note(&permit, &id, &note, &user.actor()).await?;
    Ok(created(json!({ "noted": true })))
}

async fn record_review(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<EditRecords>()?;
    let note = ReviewNote::new(&b.text).map_err(AppError::BadRequest)?;
    let next = state
        .store
        .record_review(&permit, &id, &note, state.today(), &state.config.safety.reviews, &user.actor())
        .await?;
    Ok(Json(json!({ "next_review_on": next })))
}

async fn assess(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AssessmentRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<EditRecords>()?;
    let r = state
        .store
        .assess_risk(&permit, &id, &request, state.today(), &state.config.safety.reviews, &user.actor())
        .await?;
    Ok(created(json!(r)))
}

async fn list_assessments(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(json!({ "items": state.store.risk_assessments(&permit, &id, &user.actor()).await? })))
}

async fn add_task(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(t): ApiJson<NewTask>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<EditRecords>()?;
    t.check().map_err(AppError::BadRequest)?;
    let task_id = state.store.add_task(&permit, &id, &t, &user.actor()).await?;
    Ok(created(json!({ "id": task_id, "due_on": t.due_on })))
}

#[derive(Debug, Deserialize)]
struct TaskBody {
    status: String,
    #[serde(default)]
    notes: String,
}

async fn update_task(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TaskBody>,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<EditRecords>()?;
    let update = TaskUpdate::new(&b.status, &b.notes).map_err(AppError::BadRequest)?;
    state.store.update_task(&permit, &id, &update, &user.actor()).await?;
    Ok(Json(json!({ "id": id, "status": update.status.as_str() })))
}

async fn add_intervention(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(n): ApiJson<NewIntervention>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<EditRecords>()?;
    n.check().map_err(AppError::BadRequest)?;
    let iid = state.store.add_intervention(&permit, &id, &n, &state.config.safety.fpn, &user.actor()).await?;
    Ok(created(json!({ "id": iid })))
}

async fn list_interventions(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(json!({ "items": state.store.interventions(&permit, &id, &user.actor()).await? })))
}

#[derive(Debug, Deserialize)]
struct BreachBody {
    breached_at: DateTime<Utc>,
    notes: String,
}

async fn add_breach(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BreachBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<EditRecords>()?;
    let report = BreachReport::new(b.breached_at, &b.notes, state.clock.now()).map_err(AppError::BadRequest)?;
    state.store.add_breach(&permit, &id, &report, &user.actor()).await?;
    Ok(created(json!({ "breach": true })))
}

#[derive(Debug, Deserialize)]
struct DaysQuery {
    #[serde(default)]
    within_days: Option<i64>,
}

async fn expiring(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: DaysQuery = parse_api_query(raw.as_deref())?;
    let days = q.within_days.unwrap_or(28);
    if !(1..=366).contains(&days) {
        return Err(AppError::BadRequest("within_days must be from 1 to 366".into()).into());
    }
    Ok(Json(
        json!({ "items": state.store.expiring_interventions(&permit, state.clock.now(), days, &user.actor()).await? }),
    ))
}

async fn daily_review(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<DailyReview>> {
    let permit = user.permit::<ViewRecords>()?;
    let p = crate::params::options(raw.as_deref())?;
    let request = DailyReviewRequest::from_params(&p, state.today())?;
    p.finish()?;
    Ok(Json(safetynet_app::daily::daily_review(&state.store, &permit, &request, &user.actor()).await?))
}

#[derive(Debug, Deserialize)]
struct PersonQuery {
    person: String,
}

async fn eligibility(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: PersonQuery = parse_api_query(raw.as_deref())?;
    let report = state
        .store
        .case_review_eligibility(&permit, &q.person, &state.config.safety.case_review, state.clock.now(), &user.actor())
        .await?;
    Ok(Json(json!(report)))
}

#[derive(Debug, Deserialize)]
struct OpenReviewBody {
    #[serde(default)]
    person_id: Option<String>,
    applicant_kind: String,
    received_on: NaiveDate,
}

async fn open_case_review(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<OpenReviewBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let permit = user.permit::<EditRecords>()?;
    let application =
        CaseReviewApplication::new(b.person_id.as_deref(), &b.applicant_kind, b.received_on, state.today())
            .map_err(AppError::BadRequest)?;
    let r = state
        .store
        .open_case_review(&permit, &application, &state.config.safety.case_review_timescales, &user.actor())
        .await?;
    Ok(created(json!(r)))
}

async fn list_case_reviews(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Value>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(json!({ "items": state.store.case_reviews(&permit, &user.actor()).await? })))
}

async fn update_case_review(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(u): ApiJson<CaseReviewUpdate>,
) -> ApiResult<Json<Value>> {
    let permit = user.permit::<EditRecords>()?;
    Ok(Json(json!(state.store.update_case_review(&permit, &id, &u, &user.actor()).await?)))
}

#[derive(Debug, Deserialize)]
struct YearQuery {
    #[serde(default)]
    year: Option<i32>,
}

async fn figures(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Value>> {
    user.permit::<ViewRecords>()?;
    let q: YearQuery = parse_api_query(raw.as_deref())?;
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&london_date(state.clock.now())));
    if !(2014..=2100).contains(&year) {
        return Err(AppError::BadRequest("year must be from 2014".into()).into());
    }
    Ok(Json(json!({ "year": year, "figures": state.store.case_review_figures(year).await? })))
}
