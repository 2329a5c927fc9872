//! The Safety Net JSON API: incidents, cases and their plans, risk
//! assessments, tasks, interventions, the daily review and ASB Case Reviews.
//! Every handler turns the caller into a permit first; the store applies the
//! agency rules and writes the audit rows.

use crate::api_types::{Created, Items, Page};
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
use safetynet_domain::case_review::AnnualFigures;
use safetynet_domain::case_review::{CaseReviewApplication, CaseReviewUpdate};
use safetynet_domain::categories::Category;
use safetynet_domain::incident::IncidentInput;
use safetynet_domain::interventions::BreachReport;
use safetynet_domain::interventions::NewIntervention;
use safetynet_domain::policy::{EditRecords, ViewRecords, Visible};
use safetynet_domain::risk::{AssessmentRequest, Questionnaire};
use safetynet_domain::uk_time::london_date;
use safetynet_store::cases::{Case, CaseSummary};
use safetynet_store::cases::{NewCase, NewTask, Plan};
use safetynet_store::incidents::{Incident, Person, Repeats};
use safetynet_store::incidents::{IncidentFilter, NewPerson, Submitted};
use safetynet_store::safety::{CaseReview, EligibilityReport, Intervention, Recorded, StoredAssessment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
        .route("/interventions/{id}/letter", post(produce_letter))
        .route("/interventions/expiring", get(expiring))
        .route("/daily-review", get(daily_review))
        .route("/daily-review/decisions", post(decide))
        .route("/case-reviews", get(list_case_reviews).post(open_case_review))
        .route("/case-reviews/eligibility", get(eligibility))
        .route("/case-reviews/figures", get(figures))
        .route("/case-reviews/{id}", patch(update_case_review))
}

fn created<T>(v: T) -> (StatusCode, Json<T>) {
    (StatusCode::CREATED, Json(v))
}

#[utoipa::path(
    get,
    path = "/categories",
    summary = "Incident categories (data a partnership can extend)",
    responses((status = 200, description = "Success", body = Items<Category>))
)]
async fn categories(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<Items<Category>>> {
    Ok(Json(state.store.categories().await?.into()))
}

#[utoipa::path(
    get,
    path = "/questionnaires",
    summary = "Risk assessment questionnaires, latest version of each",
    responses((status = 200, description = "Success", body = Items<Questionnaire>))
)]
async fn questionnaires(State(state): State<AppState>, _user: ApiUser) -> ApiResult<Json<Items<Questionnaire>>> {
    Ok(Json(state.store.questionnaires().await?.into()))
}

/// `POST /incidents` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct IncidentBody {
    /// The incident.
    #[serde(flatten)]
    incident: IncidentInput,
    /// Your own reference (409 when it exists).
    #[serde(default)]
    reference: Option<String>,
    /// The people involved.
    #[serde(default)]
    people: Vec<NewPerson>,
}

#[utoipa::path(
    post,
    path = "/incidents",
    summary = "Record an incident with its people (422 names the problems; 409 when `reference` exists)",
    request_body = IncidentBody,
    responses((status = 201, description = "Success", body = Created))
)]
async fn create_incident(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(body): ApiJson<IncidentBody>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let permit = user.permit::<EditRecords>()?;
    match state
        .store
        .submit_incident(&permit, &body.incident, body.reference.as_deref(), &body.people, &user.actor())
        .await?
    {
        Submitted::Recorded { id, reference } => Ok(created(Created { id, reference })),
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

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Page, from 1.
    #[serde(default)]
    page: Option<i64>,
    /// Page size (1 to 200, default 50).
    #[serde(default)]
    per_page: Option<i64>,
    /// Incidents: the category code.
    #[serde(default)]
    category: Option<String>,
    /// Incidents: text to search for.
    #[serde(default)]
    q: Option<String>,
    /// Cases: only open ones.
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

#[utoipa::path(
    get,
    path = "/incidents",
    summary = "Incidents you may see; ?q= text, ?category=, ?page=, ?per_page=",
    params(ListQuery),
    responses((status = 200, description = "Success", body = Page<Incident>))
)]
async fn list_incidents(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Page<Incident>>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: ListQuery = parse_api_query(raw.as_deref())?;
    let (page, per_page) = paging(&q)?;
    let filter = IncidentFilter { category: q.category.filter(|c| !c.is_empty()), text: q.q.filter(|t| !t.is_empty()) };
    let (items, total) =
        state.store.incidents(&permit, &filter, per_page, (page - 1) * per_page, &user.actor()).await?;
    Ok(Json(Page { items, total, page, per_page }))
}

#[utoipa::path(
    get,
    path = "/incidents/{id}",
    summary = "An incident: `{access: full, record}` or `{access: signpost, contact_agency}`",
    params(("id" = String, Path, description = "The incident id or reference")),
    responses((status = 200, description = "Success", body = Visible<Incident>))
)]
async fn get_incident(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Visible<Incident>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.incident(&permit, &id, &user.actor()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RadiusQuery {
    /// Radius in metres (1 to 5000; default the configured one).
    #[serde(default)]
    radius_m: Option<f64>,
}

#[utoipa::path(
    get,
    path = "/incidents/{id}/repeats",
    summary = "Incidents within a year either side for the same victim, the same address and within ?radius_m=, across agencies (others signposted); at most 100 of each, nearest in time first",
    params(("id" = String, Path, description = "The incident id or reference"), RadiusQuery),
    responses((status = 200, description = "Success", body = Repeats))
)]
async fn repeats(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Repeats>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: RadiusQuery = parse_api_query(raw.as_deref())?;
    let radius = q.radius_m.unwrap_or(state.config.safety.repeat_radius_m);
    if !(1.0..=5_000.0).contains(&radius) {
        return Err(AppError::BadRequest("radius_m must be from 1 to 5000".into()).into());
    }
    Ok(Json(state.store.repeats(&permit, &id, radius, &user.actor()).await?))
}

#[utoipa::path(
    get,
    path = "/people/{id}/duplicates",
    summary = "People who may be the same person (name with date of birth or address); suggestions only",
    params(("id" = String, Path, description = "The person id")),
    responses((status = 200, description = "Success", body = Items<Person>))
)]
async fn duplicates(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<Person>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.person_duplicates(&permit, &id, &user.actor()).await?.into()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct MergeBody {
    /// The person merged into this one.
    duplicate: String,
}

#[utoipa::path(
    post,
    path = "/people/{id}/merge",
    summary = "Merge `{duplicate}` into this person (audited)",
    params(("id" = String, Path, description = "The person kept")),
    request_body = MergeBody,
    responses((status = 200, description = "Success", body = Merged))
)]
async fn merge(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MergeBody>,
) -> ApiResult<Json<Merged>> {
    let permit = user.permit::<EditRecords>()?;
    state.store.merge_people(&permit, &id, &b.duplicate, &user.actor()).await?;
    Ok(Json(Merged { merged: b.duplicate, into: id }))
}

/// `POST /people/{id}/merge`.
#[derive(Debug, Serialize, ToSchema)]
struct Merged {
    /// The person merged away.
    merged: String,
    /// The person kept.
    into: String,
}

#[utoipa::path(
    post,
    path = "/cases",
    summary = "Open a case `{title, problem, incidents[]}` led by your agency",
    request_body = NewCase,
    responses((status = 201, description = "Success", body = Created))
)]
async fn create_case(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewCase>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let edit = user.permit::<EditRecords>()?;
    let view = user.permit::<ViewRecords>()?;
    new.check().map_err(AppError::BadRequest)?;
    let (id, reference) = state.store.open_case(&edit, &view, &new, &user.actor()).await?;
    Ok(created(Created { id, reference }))
}

#[utoipa::path(
    get,
    path = "/cases",
    summary = "Cases you may see; ?live=true for open ones",
    params(ListQuery),
    responses((status = 200, description = "Success", body = Page<CaseSummary>))
)]
async fn list_cases(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Page<CaseSummary>>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: ListQuery = parse_api_query(raw.as_deref())?;
    let (page, per_page) = paging(&q)?;
    let (items, total) =
        state.store.cases(&permit, q.live.unwrap_or(false), per_page, (page - 1) * per_page, &user.actor()).await?;
    Ok(Json(Page { items, total, page, per_page }))
}

#[utoipa::path(
    get,
    path = "/cases/{id}",
    summary = "A case with its plan, shares, tasks and timeline, or a signpost",
    params(("id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "Success", body = Visible<Case>))
)]
async fn get_case(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Visible<Case>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.case(&permit, &id, &user.actor()).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct PlanBody {
    /// The case version the plan was read at.
    version: i64,
    /// The plan.
    #[serde(flatten)]
    plan: Plan,
}

#[utoipa::path(
    put,
    path = "/cases/{id}/plan",
    summary = "Replace the SARA plan; send the case `version` (409 if someone else changed it)",
    params(("id" = String, Path, description = "The record's id")),
    request_body = PlanBody,
    responses((status = 200, description = "Success", body = Versioned))
)]
async fn update_plan(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<Json<Versioned>> {
    let permit = user.permit::<EditRecords>()?;
    b.plan.check().map_err(AppError::BadRequest)?;
    let version = state.store.update_plan(&permit, &id, b.version, &b.plan, &user.actor()).await?;
    Ok(Json(Versioned { version, status: None }))
}

/// The case's version after a change (send it with the next), and its status after a move.
#[derive(Debug, Serialize, ToSchema)]
struct Versioned {
    /// The case's new version.
    version: i64,
    /// Its status, when moved.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct StatusBody {
    /// The case version the status was read at.
    version: i64,
    /// The new status.
    status: String,
    /// The outcome, when closing.
    #[serde(default)]
    outcome: Option<String>,
}

#[utoipa::path(
    post,
    path = "/cases/{id}/status",
    summary = "Move the case `{version, status, outcome}` (422 rule `case_status`)",
    params(("id" = String, Path, description = "The record's id")),
    request_body = StatusBody,
    responses((status = 200, description = "Success", body = Versioned))
)]
async fn change_status(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<StatusBody>,
) -> ApiResult<Json<Versioned>> {
    let permit = user.permit::<EditRecords>()?;
    let change = StatusChange::new(&b.status, b.outcome.as_deref()).map_err(AppError::BadRequest)?;
    let version = state.store.change_status(&permit, &id, b.version, &change, &user.actor()).await?;
    Ok(Json(Versioned { version, status: Some(change.to.as_str().to_string()) }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct ShareBody {
    /// The agency shared with.
    agency: String,
    /// The lawful basis for sharing.
    lawful_basis: String,
}

#[utoipa::path(
    post,
    path = "/cases/{id}/shares",
    summary = "Share with `{agency, lawful_basis}` (lead agency only)",
    params(("id" = String, Path, description = "The record's id")),
    request_body = ShareBody,
    responses((status = 201, description = "Success", body = Shared))
)]
async fn share(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ShareBody>,
) -> ApiResult<(StatusCode, Json<Shared>)> {
    let permit = user.permit::<EditRecords>()?;
    let share = CaseShare::new(&b.agency, &b.lawful_basis).map_err(AppError::BadRequest)?;
    state.store.share_case(&permit, &id, &share, &user.actor()).await?;
    Ok(created(Shared { agency: share.agency.as_str().to_string(), lawful_basis: share.lawful_basis }))
}

/// `POST /cases/{id}/shares`.
#[derive(Debug, Serialize, ToSchema)]
struct Shared {
    /// The agency shared with.
    agency: String,
    /// The lawful basis recorded.
    lawful_basis: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct LinkBody {
    /// The incident id or reference.
    incident: String,
}

#[utoipa::path(
    post,
    path = "/cases/{id}/incidents",
    summary = "Link `{incident}` (id or reference)",
    params(("id" = String, Path, description = "The record's id")),
    request_body = LinkBody,
    responses((status = 200, description = "Success", body = Linked))
)]
async fn link_incident(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<LinkBody>,
) -> ApiResult<Json<Linked>> {
    let permit = user.permit::<EditRecords>()?;
    let link = IncidentLink::new(&b.incident).map_err(AppError::BadRequest)?;
    state.store.link_incident(&permit, &id, &link, &user.actor()).await?;
    Ok(Json(Linked { linked: b.incident }))
}

/// `POST /cases/{id}/incidents`.
#[derive(Debug, Serialize, ToSchema)]
struct Linked {
    /// The incident linked, as given.
    linked: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct NoteBody {
    /// The text.
    text: String,
}

#[utoipa::path(
    post,
    path = "/cases/{id}/notes",
    summary = "Add `{text}` to the timeline",
    params(("id" = String, Path, description = "The record's id")),
    request_body = NoteBody,
    responses((status = 201, description = "Success", body = Noted))
)]
async fn add_note(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<(StatusCode, Json<Noted>)> {
    let permit = user.permit::<EditRecords>()?;
    let note = CaseNote::new(&b.text).map_err(AppError::BadRequest)?;
    state.store.add_note(&permit, &id, &note, &user.actor()).await?;
    Ok(created(Noted { noted: true }))
}

/// `POST /cases/{id}/notes`.
#[derive(Debug, Serialize, ToSchema)]
struct Noted {
    /// Always true.
    noted: bool,
}

#[utoipa::path(
    post,
    path = "/cases/{id}/reviews",
    summary = "Record a review `{text}`; returns `next_review_on`",
    params(("id" = String, Path, description = "The record's id")),
    request_body = NoteBody,
    responses((status = 200, description = "Success", body = Reviewed))
)]
async fn record_review(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<Json<Reviewed>> {
    let permit = user.permit::<EditRecords>()?;
    let note = ReviewNote::new(&b.text).map_err(AppError::BadRequest)?;
    let next = state
        .store
        .record_review(&permit, &id, &note, state.today(), &state.config.safety.reviews, &user.actor())
        .await?;
    Ok(Json(Reviewed { next_review_on: next }))
}

/// `POST /cases/{id}/reviews`.
#[derive(Debug, Serialize, ToSchema)]
struct Reviewed {
    /// When the case is next due for review.
    next_review_on: NaiveDate,
}

#[utoipa::path(
    post,
    path = "/cases/{id}/risk-assessments",
    summary = "Assess `{questionnaire, answers, judgement?}`; returns the level and `next_review_on` (422 when judgement would lower it)",
    params(("id" = String, Path, description = "The record's id")),
    request_body = AssessmentRequest,
    responses((status = 201, description = "Success", body = StoredAssessment))
)]
async fn assess(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AssessmentRequest>,
) -> ApiResult<(StatusCode, Json<StoredAssessment>)> {
    let permit = user.permit::<EditRecords>()?;
    let r = state
        .store
        .assess_risk(&permit, &id, &request, state.today(), &state.config.safety.reviews, &user.actor())
        .await?;
    Ok(created(r))
}

#[utoipa::path(
    get,
    path = "/cases/{id}/risk-assessments",
    summary = "Risk assessments on the case, newest first",
    params(("id" = String, Path, description = "The record's id")),
    responses((status = 200, description = "Success", body = Items<StoredAssessment>))
)]
async fn list_assessments(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<StoredAssessment>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.risk_assessments(&permit, &id, &user.actor()).await?.into()))
}

#[utoipa::path(
    post,
    path = "/cases/{id}/tasks",
    summary = "Add a task `{title, owner_agency?, owner_officer_id?, due_on, notes?}`",
    params(("id" = String, Path, description = "The record's id")),
    request_body = NewTask,
    responses((status = 201, description = "Success", body = TaskAdded))
)]
async fn add_task(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(t): ApiJson<NewTask>,
) -> ApiResult<(StatusCode, Json<TaskAdded>)> {
    let permit = user.permit::<EditRecords>()?;
    t.check().map_err(AppError::BadRequest)?;
    let task_id = state.store.add_task(&permit, &id, &t, &user.actor()).await?;
    Ok(created(TaskAdded { id: task_id, due_on: t.due_on }))
}

/// `POST /cases/{id}/tasks`.
#[derive(Debug, Serialize, ToSchema)]
struct TaskAdded {
    /// The new task's id.
    id: String,
    /// When it is due.
    due_on: NaiveDate,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct TaskBody {
    /// The new status.
    status: String,
    /// Notes.
    #[serde(default)]
    notes: String,
}

#[utoipa::path(
    patch,
    path = "/tasks/{id}",
    summary = "Update a task `{status, notes}`",
    params(("id" = String, Path, description = "The record's id")),
    request_body = TaskBody,
    responses((status = 200, description = "Success", body = TaskUpdated))
)]
async fn update_task(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<TaskBody>,
) -> ApiResult<Json<TaskUpdated>> {
    let permit = user.permit::<EditRecords>()?;
    let update = TaskUpdate::new(&b.status, &b.notes).map_err(AppError::BadRequest)?;
    state.store.update_task(&permit, &id, &update, &user.actor()).await?;
    Ok(Json(TaskUpdated { id, status: update.status.as_str().to_string() }))
}

/// `PATCH /tasks/{id}`.
#[derive(Debug, Serialize, ToSchema)]
struct TaskUpdated {
    /// The task.
    id: String,
    /// Its status now.
    status: String,
}

#[utoipa::path(
    post,
    path = "/cases/{id}/interventions",
    summary = "Record an intervention; 422 with `error.rule` when a statutory check fails (e.g. `cpn_requires_cpw`, `fpn_amount_above_maximum`, `closure_notice_max_24_hours`; every rule is in docs/enforcement.md); 201 with `{id, warnings}`",
    params(("id" = String, Path, description = "The record's id")),
    request_body = NewIntervention,
    responses((status = 201, description = "Success", body = Recorded))
)]
async fn add_intervention(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(n): ApiJson<NewIntervention>,
) -> ApiResult<(StatusCode, Json<Recorded>)> {
    let permit = user.permit::<EditRecords>()?;
    n.check().map_err(AppError::BadRequest)?;
    Ok(created(state.store.add_intervention(&permit, &id, &n, &state.config.safety.fpn, &user.actor()).await?))
}

/// What a letter needs beyond the record.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LetterBody {
    /// Where and when the court will hear the closure order application
    /// (a closure notice must state it).
    #[serde(default)]
    hearing: Option<String>,
}

#[utoipa::path(
    post,
    path = "/interventions/{id}/letter",
    summary = "Produce the intervention's letter or notice (warning letter, acceptable behaviour contract, CPW, CPN, closure notice) from its template with the statutory wording, as a PDF kept on the case; 201 with the document; 422 `letter_unavailable` or `letter_incomplete` naming what is missing",
    params(("id" = String, Path, description = "The intervention's id")),
    request_body = LetterBody,
    responses((status = 201, description = "Success", body = safetynet_store::documents::Document))
)]
async fn produce_letter(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<LetterBody>,
) -> ApiResult<(StatusCode, Json<safetynet_store::documents::Document>)> {
    let permit = user.permit::<EditRecords>()?;
    let doc = safetynet_app::letters::produce(
        &state.store,
        &permit,
        &id,
        body.hearing.as_deref(),
        &state.config.safety.documents,
        &user.actor(),
    )
    .await?;
    Ok(created(doc))
}

#[utoipa::path(
    get,
    path = "/cases/{id}/interventions",
    summary = "Interventions on the case; ?format=geojson for the dispersal areas",
    params(("id" = String, Path, description = "The record's id"), FormatQuery),
    responses((status = 200, description = "Success", body = Items<Intervention>))
)]
async fn list_interventions(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let permit = user.permit::<ViewRecords>()?;
    let q: FormatQuery = parse_api_query(raw.as_deref())?;
    let list = state.store.interventions(&permit, &id, &user.actor()).await?;
    Ok(match q.format.as_deref() {
        None | Some("json") => Json(Items::from(list)).into_response(),
        Some("geojson") => {
            let features: Vec<serde_json::Value> = list
                .iter()
                .filter_map(|x| {
                    let area = x.area.clone()?;
                    Some(serde_json::json!({ "type": "Feature", "geometry": area,
                        "properties": { "kind": "dispersal", "label": x.kind.label(), "issued_on": x.issued_on, "items_surrendered": x.items_surrendered } }))
                })
                .collect();
            let body = serde_json::json!({ "type": "FeatureCollection", "features": features });
            ([(axum::http::header::CONTENT_TYPE, "application/geo+json")], Json(body)).into_response()
        }
        Some(_) => return Err(AppError::BadRequest("format must be json or geojson".into()).into()),
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct FormatQuery {
    /// `json` (default) or `geojson` (the dispersal areas as Features).
    #[serde(default)]
    format: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct BreachBody {
    /// When the breach happened (not in the future).
    breached_at: DateTime<Utc>,
    /// What happened.
    notes: String,
}

#[utoipa::path(
    post,
    path = "/interventions/{id}/breaches",
    summary = "Record a breach `{breached_at, notes}`",
    params(("id" = String, Path, description = "The record's id")),
    request_body = BreachBody,
    responses((status = 201, description = "Success", body = Breach))
)]
async fn add_breach(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BreachBody>,
) -> ApiResult<(StatusCode, Json<Breach>)> {
    let permit = user.permit::<EditRecords>()?;
    let report = BreachReport::new(b.breached_at, &b.notes, state.clock.now()).map_err(AppError::BadRequest)?;
    state.store.add_breach(&permit, &id, &report, &user.actor()).await?;
    Ok(created(Breach { breach: true }))
}

/// `POST /interventions/{id}/breaches`.
#[derive(Debug, Serialize, ToSchema)]
struct Breach {
    /// Always true.
    breach: bool,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct DaysQuery {
    /// Days ahead (1 to 366, default 28).
    #[serde(default)]
    within_days: Option<i64>,
}

#[utoipa::path(
    get,
    path = "/interventions/expiring",
    summary = "Interventions expiring within ?within_days= (default 28)",
    params(DaysQuery),
    responses((status = 200, description = "Success", body = Items<Intervention>))
)]
async fn expiring(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Items<Intervention>>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: DaysQuery = parse_api_query(raw.as_deref())?;
    let days = q.within_days.unwrap_or(28);
    if !(1..=366).contains(&days) {
        return Err(AppError::BadRequest("within_days must be from 1 to 366".into()).into());
    }
    Ok(Json(state.store.expiring_interventions(&permit, state.clock.now(), days, &user.actor()).await?.into()))
}

#[utoipa::path(
    get,
    path = "/daily-review",
    summary = "?date=YYYY-MM-DD: incidents and the police's daily crimes (as the partnership's sharing rule lets your agency see them) reported in the 24 hours to 08:00 UK time that day, each ranked by risk with reasons, and your agency's decisions about them",
    params(("date" = Option<String>, Query, description = "The day, YYYY-MM-DD (default today)")),
    responses((status = 200, description = "Success", body = DailyReview))
)]
async fn daily_review(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<DailyReview>> {
    let permit = user.permit::<ViewRecords>()?;
    let p = crate::params::options(raw.as_deref())?;
    let request = DailyReviewRequest::from_params(&p, state.today())?;
    p.finish()?;
    let settings = &state.config.police_daily;
    Ok(Json(safetynet_app::daily::daily_review(&state.analyst, &permit, &request, settings, &user.actor()).await?))
}

#[utoipa::path(
    post,
    path = "/daily-review/decisions",
    summary = "Record what your agency decided about a line of the daily review: open_case, link_case (with case_reference) or no_action (with a reason); a new decision replaces the last, audited",
    request_body = safetynet_app::daily::DecisionInput,
    responses((status = 204, description = "Recorded"))
)]
async fn decide(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(input): ApiJson<safetynet_app::daily::DecisionInput>,
) -> ApiResult<axum::http::StatusCode> {
    let permit = user.permit::<EditRecords>()?;
    safetynet_app::daily::decide(&state.store, &permit, &input, &state.config.police_daily, &user.actor()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct PersonQuery {
    /// The person id.
    person: String,
}

#[utoipa::path(
    get,
    path = "/case-reviews/eligibility",
    summary = "?person={id}: qualifying complaints to every agency against the threshold; `prompt_officer` at the second",
    params(PersonQuery),
    responses((status = 200, description = "Success", body = EligibilityReport))
)]
async fn eligibility(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<EligibilityReport>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: PersonQuery = parse_api_query(raw.as_deref())?;
    let report = state
        .store
        .case_review_eligibility(&permit, &q.person, &state.config.safety.case_review, state.clock.now(), &user.actor())
        .await?;
    Ok(Json(report))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct OpenReviewBody {
    /// The person the application is about, when recorded.
    #[serde(default)]
    person_id: Option<String>,
    /// Who applied (victim or on their behalf).
    applicant_kind: String,
    /// The day the application was received.
    received_on: NaiveDate,
}

#[utoipa::path(
    post,
    path = "/case-reviews",
    summary = "Record an application `{person_id?, applicant_kind, received_on}`; returns its clocks",
    request_body = OpenReviewBody,
    responses((status = 201, description = "Success", body = CaseReview))
)]
async fn open_case_review(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(b): ApiJson<OpenReviewBody>,
) -> ApiResult<(StatusCode, Json<CaseReview>)> {
    let permit = user.permit::<EditRecords>()?;
    let application =
        CaseReviewApplication::new(b.person_id.as_deref(), &b.applicant_kind, b.received_on, state.today())
            .map_err(AppError::BadRequest)?;
    let r = state
        .store
        .open_case_review(
            &permit,
            &application,
            &state.config.safety.case_review,
            &state.config.safety.case_review_timescales,
            &user.actor(),
        )
        .await?;
    Ok(created(r))
}

#[utoipa::path(
    get,
    path = "/case-reviews",
    summary = "ASB Case Review applications handled by your agency",
    responses((status = 200, description = "Success", body = Items<CaseReview>))
)]
async fn list_case_reviews(State(state): State<AppState>, user: ApiUser) -> ApiResult<Json<Items<CaseReview>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.case_reviews(&permit, &user.actor()).await?.into()))
}

#[utoipa::path(
    patch,
    path = "/case-reviews/{id}",
    summary = "Record the decision, meeting, recommendations, outcome and appeal",
    params(("id" = String, Path, description = "The record's id")),
    request_body = CaseReviewUpdate,
    responses((status = 200, description = "Success", body = CaseReview))
)]
async fn update_case_review(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(u): ApiJson<CaseReviewUpdate>,
) -> ApiResult<Json<CaseReview>> {
    let permit = user.permit::<EditRecords>()?;
    Ok(Json(state.store.update_case_review(&permit, &id, &u, &user.actor()).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct YearQuery {
    /// The year (from 2014; default this year).
    #[serde(default)]
    year: Option<i32>,
}

#[utoipa::path(
    get,
    path = "/case-reviews/figures",
    summary = "?year=: the annual publication figures",
    params(YearQuery),
    responses((status = 200, description = "Success", body = Figures))
)]
async fn figures(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Figures>> {
    user.permit::<ViewRecords>()?;
    let q: YearQuery = parse_api_query(raw.as_deref())?;
    let year = q.year.unwrap_or_else(|| chrono::Datelike::year(&london_date(state.clock.now())));
    if !(2014..=2100).contains(&year) {
        return Err(AppError::BadRequest("year must be from 2014".into()).into());
    }
    Ok(Json(Figures { year, figures: state.store.case_review_figures(year).await? }))
}

/// `GET /case-reviews/figures`.
#[derive(Debug, Serialize, ToSchema)]
struct Figures {
    /// The year.
    year: i32,
    /// Its figures.
    figures: AnnualFigures,
}
