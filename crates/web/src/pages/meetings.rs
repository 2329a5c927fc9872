//! Meeting pages: the series and their meetings, a meeting with its
//! agenda, attendees, actions carried from earlier meetings, decisions and
//! minutes, and its pack built from live data (on screen, as a standalone
//! HTML document and as PDF). Pack generation is audited.

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::forms::{checkbox, given, input, parse_date, select, textarea, Errors, PerRecord};
use crate::layout::{csrf_field, error_summary, page, Day, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use safetynet_app::packs::{build, PackRequest};
use safetynet_domain::meeting::{agenda_from_lines, ActionStatus, MeetingKind};
use safetynet_domain::partnership::Email;
use safetynet_domain::policy::{ManagePartnershipWork, ViewCrimeData};
use safetynet_render::pack::Pack;
use safetynet_render::{html as pack_html, pdf};
use safetynet_store::meetings::NewAction;

/// `GET /meetings`: every series with its meetings, and the next JAG and RAG.
pub async fn list(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    user.permit::<ViewCrimeData>()?;
    render_list(&state, &user, &Errors::new()).await
}

async fn render_list(state: &AppState, user: &PageUser, errors: &Errors) -> PageResult<Html<String>> {
    let today = state.today();
    let series = state.store.series().await?;
    let meetings = state.store.meetings(None).await?;
    let manager = user.principal.can::<ManagePartnershipWork>();
    let series_options: Vec<(String, String)> = series.iter().map(|s| (s.code.clone(), s.title.clone())).collect();
    let mut next = Vec::new();
    for k in [MeetingKind::Jag, MeetingKind::Rag, MeetingKind::Psf] {
        if let Some(m) = state.store.next_meeting(k, today).await? {
            next.push((k, m));
        }
    }
    let body = html! {
        (error_summary(errors))
        h1 class="govuk-heading-l" { "Meetings" }
        p class="govuk-body" { "The Joint Agency Group tasks operational work, the Responsible Authorities Group holds the partnership to its strategy, and Priority Setting Forums hear from residents. Each meeting's pack is built from live data for its date." }
        @if !next.is_empty() {
            div class="govuk-grid-row" data-testid="next-meetings" {
                @for (k, m) in &next {
                    div class="govuk-grid-column-one-third" {
                        div class="sn-stat" {
                            span class="govuk-body-s" { "Next " (k.label()) }
                            span class="sn-stat__value" { a class="govuk-link" href=(format!("/meetings/{}", m.id)) { (Day(m.held_on)) } }
                            a class="govuk-link govuk-body-s sn-stat__link" href=(format!("/meetings/{}/pack", m.id)) { "Pack ready: open it" }
                        }
                    }
                }
            }
        }
        p class="govuk-body" { a class="govuk-link" href="/surveys" { "Residents' surveys for the Priority Setting Forums" } }
        @for s in &series {
            h2 class="govuk-heading-m" { (s.title) " " span class="govuk-caption-m" { (s.kind.label()) } }
            @if manager {
                details class="govuk-details" {
                    summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Edit the standing agenda" } }
                    div class="govuk-details__text" {
                        form method="post" action=(format!("/meeting-series/{}", s.code)) novalidate {
                            (csrf_field(user))
                            (input(&format!("title-{}", s.code), "Title", "text", &s.title, None, errors))
                            (textarea(&format!("agenda-{}", s.code), "Standing agenda (one item per line)", &s.agenda.join("\n"), None, 8, errors))
                            button class="govuk-button govuk-button--secondary" type="submit" { "Save agenda" }
                        }
                    }
                }
            }
            @let of: Vec<_> = meetings.iter().filter(|m| m.series_code == s.code).collect();
            @if of.is_empty() { p class="govuk-body" { "No meetings scheduled." } }
            @else {
                ul class="govuk-list" data-testid=(format!("series-{}", s.code)) {
                    @for m in of {
                        li { a class="govuk-link" href=(format!("/meetings/{}", m.id)) { (Day(m.held_on)) } @if !m.location.is_empty() { " · " (m.location) } @if m.held_on >= today { " " strong class="govuk-tag govuk-tag--blue" { "Upcoming" } } }
                    }
                }
            }
        }
        @if manager {
            h2 class="govuk-heading-m" { "Schedule a meeting" }
            form method="post" action="/meetings" novalidate {
                (csrf_field(user))
                (select("series", "Series", &series_options, "", Some("Choose a series"), errors))
                (input("held_on", "Date", "date", "", None, errors))
                (input("location", "Where", "text", "", None, errors))
                button class="govuk-button" type="submit" { "Schedule" }
            }
        }
    };
    Ok(page(Some(user), Nav::Meetings, "Meetings", PageOpts::default(), body))
}

/// The form that schedules a meeting.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ScheduleForm {
    series: String,
    held_on: String,
    location: String,
}

/// `POST /meetings`: schedule a meeting.
pub async fn schedule(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<ScheduleForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        let date = parse_date(&f.held_on).ok_or_else(|| AppError::BadRequest("enter the meeting's date".into()))?;
        let m = state.store.schedule_meeting(&permit, &f.series, date, &f.location, &user.actor()).await?;
        Ok::<_, PageError>(m.id)
    }
    .await;
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
        Err(PageError(
            e @ (AppError::BadRequest(_)
            | AppError::Unprocessable { .. }
            | AppError::Conflict(_)
            | AppError::NotFound(_)),
        )) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render_list(&state, &user, &vec![("held_on".into(), e.to_string())]).await?,
        )
            .into_response()),
        Err(e) => Err(e),
    }
}

/// `POST /meeting-series/{code}`: retitle a series and edit its standing
/// agenda (inputs `title-{code}` and `agenda-{code}`, one item a line).
pub async fn save_series(
    State(state): State<AppState>,
    Path(code): Path<String>,
    CsrfForm(user, f): CsrfForm<PerRecord>,
) -> PageResult<Response> {
    let at = format!("agenda-{code}");
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        let series = state.store.one_series(&code).await?;
        let agenda = agenda_from_lines(f.of("agenda", &code)).map_err(AppError::BadRequest)?;
        state
            .store
            .save_series(&permit, &code, series.kind, f.of("title", &code), Some(&agenda), &user.actor())
            .await?;
        Ok(())
    }
    .await;
    super::form_result(r, "/meetings", &at, |errors| async move { render_list(&state, &user, &errors).await }).await
}

async fn render(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    let r = state.store.meeting_record(id).await?;
    let manager = user.principal.can::<ManagePartnershipWork>();
    let agencies: Vec<(String, String)> =
        state.store.agencies().await?.iter().map(|a| (a.code.to_string(), a.name.clone())).collect();
    let statuses: Vec<(String, String)> =
        ActionStatus::ALL.iter().map(|s| (s.as_str().into(), s.label().into())).collect();
    let kind = r.series.kind;
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/meetings" { "Meetings" }
        span class="govuk-caption-l" { (r.series.title) }
        h1 class="govuk-heading-l" { (kind.label()) ", " (Day(r.meeting.held_on)) }
        @if !r.meeting.location.is_empty() { p class="govuk-body-l" { (r.meeting.location) } }
        div class="govuk-button-group" {
            a class="govuk-button" href=(format!("/meetings/{id}/pack")) data-testid="open-pack" { "Open the pack" }
            a class="govuk-button govuk-button--secondary" href=(format!("/meetings/{id}/pack.pdf")) { "Download PDF" }
            a class="govuk-button govuk-button--secondary" href=(format!("/meetings/{id}/pack.html")) { "Download HTML" }
            @if kind == MeetingKind::Psf { a class="govuk-button govuk-button--secondary" href=(format!("/public/forums/{id}")) { "Public summary" } }
        }
        h2 class="govuk-heading-m" { "Agenda" }
        ol class="govuk-list govuk-list--number" data-testid="agenda" { @for item in &r.series.agenda { li { (item) } } }
        h2 class="govuk-heading-m" { "Attendees" }
        @let (apologies, attending): (Vec<_>, Vec<_>) = r.attendees.iter().partition(|a| a.apologies);
        @if attending.is_empty() { p class="govuk-body" { "No attendees recorded yet." } }
        ul class="govuk-list" data-testid="attendees" { @for a in &attending { li { (a.name) " (" (a.agency) ")" @if a.user_id.is_none() { " – external" } } } }
        @if !apologies.is_empty() {
            h3 class="govuk-heading-s" { "Apologies" }
            ul class="govuk-list" data-testid="apologies" { @for a in &apologies { li { (a.name) " (" (a.agency) ")" } } }
        }
        @if manager {
            details class="govuk-details" {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Add an attendee" } }
                div class="govuk-details__text" {
                    form method="post" action=(format!("/meetings/{id}/attendees")) novalidate {
                        (csrf_field(user))
                        (input("email", "SafetyNet user's e-mail", "email", "", Some("Or leave blank and give a name and organisation for someone external."), errors))
                        (input("name", "Name", "text", "", None, errors))
                        (input("organisation", "Organisation", "text", "", None, errors))
                        div class="govuk-form-group" { div class="govuk-checkboxes govuk-checkboxes--small" { (checkbox("apologies", "Sent apologies: not attending", false)) } }
                        button class="govuk-button govuk-button--secondary" type="submit" { "Add attendee" }
                    }
                }
            }
        }
        h2 class="govuk-heading-m" id="actions" { "Actions carried from earlier meetings" }
        @if r.carried.is_empty() { p class="govuk-body" data-testid="no-carried" { "None outstanding." } }
        @for a in &r.carried {
            @let overdue = a.due_on < r.meeting.held_on.min(state.today());
            div class={ "sn-action" @if overdue { " sn-action--overdue" } } data-testid="carried-action" {
                p class="govuk-body govuk-!-margin-bottom-1" { strong { (a.title) } @if overdue { " " strong class="govuk-tag govuk-tag--red" data-testid="overdue-action" { "Overdue" } } }
                p class="govuk-body-s" { (a.owner_agency) @if !a.owner_name.is_empty() { " · " (a.owner_name) } " · due " (Day(a.due_on)) " · raised " (Day(a.raised_on)) @if !a.update_note.is_empty() { " · " (a.update_note) } }
                @if manager {
                    form method="post" action=(format!("/meeting-actions/{}", a.id)) class="sn-action__form" novalidate {
                        (csrf_field(user))
                        input type="hidden" name="meeting" value=(id);
                        (select(&format!("status-{}", a.id), "Status", &statuses, a.status.as_str(), None, errors))
                        (input(&format!("note-{}", a.id), "Progress note", "text", &a.update_note, None, errors))
                        @if kind == MeetingKind::Psf { (input(&format!("public-{}", a.id), "What we did (published)", "text", &a.public_note, None, errors)) }
                        button class="govuk-button govuk-button--secondary" type="submit" { "Update action" }
                    }
                }
            }
        }
        h2 class="govuk-heading-m" { "Actions raised at this meeting" }
        @if r.raised.is_empty() { p class="govuk-body" { "None yet." } }
        @else {
            table class="govuk-table" data-testid="raised-actions" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Action", "Owner", "Due", "Status"] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" { @for a in &r.raised { tr class="govuk-table__row" {
                    td class="govuk-table__cell" { (a.title) } td class="govuk-table__cell" { (a.owner_agency) @if !a.owner_name.is_empty() { " · " (a.owner_name) } }
                    td class="govuk-table__cell" { (Day(a.due_on)) } td class="govuk-table__cell" { (a.status.label()) }
                } } }
            }
        }
        @if manager {
            h3 class="govuk-heading-s" { "Record an action" }
            form method="post" action=(format!("/meetings/{id}/actions")) novalidate {
                (csrf_field(user))
                (input("title", "Action", "text", "", None, errors))
                (select("owner_agency", "Owning agency", &agencies, "", Some("Choose an agency"), errors))
                (input("owner_name", "Owner (name or role)", "text", "", None, errors))
                (input("due_on", "Due", "date", "", Some("On the meeting's date or later"), errors))
                button class="govuk-button" type="submit" data-testid="record-action" { "Record action" }
            }
            h2 class="govuk-heading-m" { "Decisions" }
            ul class="govuk-list govuk-list--bullet" { @for d in &r.decisions { li { (d.text) } } }
            form method="post" action=(format!("/meetings/{id}/decisions")) novalidate {
                (csrf_field(user))
                (textarea("decision", "Record a decision", "", None, 2, errors))
                button class="govuk-button govuk-button--secondary" type="submit" { "Record decision" }
            }
            h2 class="govuk-heading-m" { "Minutes" }
            form method="post" action=(format!("/meetings/{id}/minutes")) novalidate {
                (csrf_field(user))
                (textarea("minutes", "Minutes", &r.meeting.minutes, None, 8, errors))
                button class="govuk-button govuk-button--secondary" type="submit" { "Save minutes" }
            }
        } @else {
            h2 class="govuk-heading-m" { "Decisions" }
            ul class="govuk-list govuk-list--bullet" { @for d in &r.decisions { li { (d.text) } } }
            @if !r.meeting.minutes.is_empty() { h2 class="govuk-heading-m" { "Minutes" } p class="govuk-body sn-pre" { (r.meeting.minutes) } }
        }
    };
    Ok(page(Some(user), Nav::Meetings, &format!("{} {}", kind.label(), r.meeting.held_on), PageOpts::default(), body))
}

/// `GET /meetings/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    user.permit::<ViewCrimeData>()?;
    render(&state, &user, &id, &Errors::new()).await
}

async fn after(
    state: &AppState,
    user: &PageUser,
    id: &str,
    r: Result<(), PageError>,
    at: &str,
) -> PageResult<Response> {
    super::form_result(r, &format!("/meetings/{id}#actions"), at, |errors| async move {
        render(state, user, id, &errors).await
    })
    .await
}

/// The form that raises an action: the API's [`NewAction`] with the date
/// as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActionForm {
    title: String,
    owner_agency: String,
    owner_name: String,
    due_on: String,
}

impl TryFrom<ActionForm> for NewAction {
    type Error = AppError;
    fn try_from(f: ActionForm) -> Result<Self, AppError> {
        let due_on =
            parse_date(&f.due_on).ok_or_else(|| AppError::BadRequest("enter the date the action is due".into()))?;
        Ok(NewAction { title: f.title, owner_agency: f.owner_agency, owner_name: f.owner_name, due_on })
    }
}

/// `POST /meetings/{id}/actions`.
pub async fn add_action(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ActionForm>,
) -> PageResult<Response> {
    let mut at = "due_on";
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        let a = NewAction::try_from(f)?;
        // The store refuses a due date before the meeting: shown at the date.
        if a.due_on >= state.store.meeting(&id).await?.held_on {
            at = "title";
        }
        state.store.add_action(&permit, &id, &a, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, at).await
}

/// The form that updates one of a meeting's actions: the meeting, and the
/// action's `status-{id}`, `note-{id}` and `public-{id}` inputs.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ActionUpdateForm {
    #[serde(default)]
    meeting: String,
    #[serde(flatten)]
    inputs: PerRecord,
}

/// `POST /meeting-actions/{id}`: update an action (status closes it on the meeting's date).
pub async fn update_action(
    State(state): State<AppState>,
    Path(action): Path<String>,
    CsrfForm(user, f): CsrfForm<ActionUpdateForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        let meeting = state.store.meeting(&f.meeting).await?;
        let on = meeting.held_on;
        let status = ActionStatus::parse(f.inputs.of("status", &action))
            .ok_or_else(|| AppError::BadRequest("choose the action's status".into()))?;
        let (note, public) = (f.inputs.of("note", &action), f.inputs.of("public", &action));
        state.store.update_action(&permit, &action, status, note, public, on, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &f.meeting, r, &format!("status-{action}")).await
}

/// The form that records an attendee: a SafetyNet user by e-mail, or a
/// name and organisation.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct AttendeeForm {
    email: String,
    name: String,
    organisation: String,
    /// Ticked for someone who sent their apologies.
    apologies: Option<String>,
}

/// `POST /meetings/{id}/attendees`.
pub async fn add_attendee(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<AttendeeForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        let user_id = match given(&f.email) {
            None => None,
            Some(email) => {
                let e = Email::parse(email).map_err(|_| AppError::BadRequest("enter a valid e-mail address".into()))?;
                Some(
                    state
                        .store
                        .user_id_by_email(&e)
                        .await?
                        .ok_or_else(|| AppError::BadRequest("no SafetyNet user has that e-mail address".into()))?,
                )
            }
        };
        let apologies = f.apologies.is_some();
        state
            .store
            .add_attendee(&permit, &id, user_id.as_deref(), &f.name, &f.organisation, apologies, &user.actor())
            .await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "email").await
}

/// The decision form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    decision: String,
}

/// `POST /meetings/{id}/decisions`.
pub async fn add_decision(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        state.store.add_decision(&permit, &id, &f.decision, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "decision").await
}

/// The minutes form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MinutesForm {
    minutes: String,
}

/// `POST /meetings/{id}/minutes`.
pub async fn save_minutes(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<MinutesForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        state.store.set_minutes(&permit, &id, &f.minutes, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "minutes").await
}

/// Builds a meeting's pack as the signed-in user may see it, and audits it.
async fn meeting_pack(state: &AppState, user: &PageUser, id: &str, format: &str) -> PageResult<Pack> {
    user.permit::<ViewCrimeData>()?;
    let m = state.store.meeting(id).await?;
    let kind = state.store.one_series(&m.series_code).await?.kind;
    let date = m.held_on;
    let pack = build(&state.analyst, &PackRequest::new(kind, date), &user.actor()).await?;
    state.store.record_pack(kind, date, format, &user.actor()).await?;
    Ok(pack)
}

/// `GET /meetings/{id}/pack`.
pub async fn pack(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    let p = meeting_pack(&state, &user, &id, "page").await?;
    let body = html! {
        a class="govuk-back-link" href=(format!("/meetings/{id}")) { "The meeting" }
        div class="govuk-button-group" {
            a class="govuk-button govuk-button--secondary" href=(format!("/meetings/{id}/pack.pdf")) { "Download PDF" }
            a class="govuk-button govuk-button--secondary" href=(format!("/meetings/{id}/pack.html")) { "Download HTML" }
        }
        (pack_html::body(&p))
    };
    Ok(page(Some(&user), Nav::Meetings, &p.title, PageOpts::default(), body))
}

fn download(content_type: &str, name: String, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /meetings/{id}/pack.pdf`.
pub async fn pack_pdf(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Response> {
    let p = meeting_pack(&state, &user, &id, "pdf").await?;
    let name = format!("{}-pack-{}.pdf", p.kind.as_str(), p.date);
    // Laying out and shaping a long pack is CPU work: off the async workers.
    let pdf = tokio::task::spawn_blocking(move || pdf::pack_pdf(&p))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download("application/pdf", name, pdf))
}

/// `GET /meetings/{id}/pack.html`.
pub async fn pack_html(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Response> {
    let p = meeting_pack(&state, &user, &id, "html").await?;
    Ok(download(
        "text/html; charset=utf-8",
        format!("{}-pack-{}.html", p.kind.as_str(), p.date),
        pack_html::standalone(&p).into_bytes(),
    ))
}
