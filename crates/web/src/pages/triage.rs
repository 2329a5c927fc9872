//! Reports from the public in the agency's hands: the triage queue, and one
//! report with the forms to accept it as an incident, join it to an
//! incident, pass it to a partner agency, and tell the reporter what
//! happened.

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{choices, input, rule_error, select, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, summary_list, uk_time, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::public_reports::{attributes_for, fly_tip_from, ReportStatus};
use safetynet_store::public_reports::Triage;

/// `GET /public-reports`: the agency's triage queue.
pub async fn queue(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let list = state.store.report_queue(&permit, &user.actor()).await?;
    let body = html! {
        a class="govuk-back-link" href="/incidents" { "Incidents" }
        h1 class="govuk-heading-l" { "Reports from the public" }
        p class="govuk-body" { "Reports residents sent about the kinds of problem routed to your agency, oldest first. Accept each as an incident, join it to one you already have, or pass it to the partner whose work it is. Residents can report at " a class="govuk-link" href="/report" { "/report" } "." }
        @if list.is_empty() { p class="govuk-body" { "No reports are waiting." } }
        @else {
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Reports waiting" {
                table class="govuk-table" data-testid="report-queue" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Reference", "Received", "Kind", "Where", "Status"] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" {
                        @for r in &list { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { a class="govuk-link" href=(format!("/public-reports/{}", r.id)) { (r.reference) } }
                            td class="govuk-table__cell" { (uk_time(r.created_at)) }
                            td class="govuk-table__cell" { (r.category) }
                            td class="govuk-table__cell" { @if r.address.is_empty() { "Pin on the map" } @else { (r.address) } }
                            td class="govuk-table__cell" { (r.status.label()) }
                        } }
                    }
                }
            }
        }
    };
    Ok(page(Some(&user), Nav::Incidents, "Reports from the public", PageOpts::default(), body))
}

/// `GET /public-reports/{id}/photos/{n}`: a photo sent with a report the
/// agency holds (never cached; audited).
pub async fn photo(
    State(state): State<AppState>,
    user: PageUser,
    Path((id, n)): Path<(String, usize)>,
) -> PageResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let (content_type, bytes) = state.store.public_report_photo(&permit, &id, n, &user.actor()).await?;
    Ok(crate::uploads::image(&content_type, bytes))
}

/// `GET /public-reports/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    render(&state, &user, &id, &Vec::new()).await
}

async fn render(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let r = state.store.public_report(&permit, id, &user.actor()).await?;
    let p = &r.report;
    let mut rows = vec![
        ("Kind", p.category.clone()),
        ("Received", uk_time(p.created_at)),
        ("What is happening", p.description.clone()),
    ];
    match (p.latitude, p.longitude) {
        (Some(lat), Some(lon)) => rows.push(("Where", format!("{lat:.5}, {lon:.5} (map pin) {}", p.address))),
        _ => rows.push(("Where", p.address.clone())),
    }
    for (label, value) in [("Reporter", &p.reporter_name), ("E-mail", &p.reporter_email), ("Phone", &p.reporter_phone)]
    {
        if !value.is_empty() {
            rows.push((label, value.clone()));
        }
    }
    for a in attributes_for(&p.category) {
        if let Some(answer) = p.attributes.get(a.code) {
            let name = a.values.iter().find(|(key, _)| key == answer).map_or(answer.as_str(), |(_, name)| *name);
            rows.push((a.description, name.to_string()));
        }
    }
    if !p.media_url.is_empty() {
        rows.push(("Photo (link sent with the report)", p.media_url.clone()));
    }
    rows.push((
        "Sent through",
        if p.source == "open311" { "Open311 (e.g. FixMyStreet)" } else { "The report form" }.into(),
    ));
    rows.push(("Status", p.status.label().to_string()));
    let agencies: Vec<(String, String)> = state
        .store
        .agencies()
        .await?
        .into_iter()
        .filter(|a| a.code.as_str() != p.agency)
        .map(|a| (a.code.to_string(), a.name))
        .collect();
    let statuses = choices(ReportStatus::ALL, ReportStatus::as_str, ReportStatus::label);
    let waiting = matches!(p.status, ReportStatus::Open | ReportStatus::InternalReferral);
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/public-reports" { "Reports from the public" }
        h1 class="govuk-heading-l" { "Report " (p.reference) }
        (summary_list(&rows))
        @if !r.photos.is_empty() {
            h2 class="govuk-heading-m" { "Photos" }
            p class="govuk-hint" { "As the reporter sent them, with the place, time and device details taken out." }
            div class="sn-photos" {
                @for (n, photo) in r.photos.iter().enumerate() {
                    a class="govuk-link" href=(format!("/public-reports/{}/photos/{n}", p.id)) {
                        img src=(format!("/public-reports/{}/photos/{n}", p.id)) alt=(format!("Photo {} sent with the report", n + 1)) width="240" loading="lazy";
                        span class="govuk-visually-hidden" { " (" (photo.content_type) ")" }
                    }
                }
            }
        }
        @if let Some(incident) = &p.incident_id { p class="govuk-body" { a class="govuk-link" href=(format!("/incidents/{incident}")) { "Open the incident" } } }
        h2 class="govuk-heading-m" { "What the reporter has been told" }
        ul class="govuk-list" data-testid="report-updates" {
            @for u in &r.updates { li { strong { (u.status.label()) } " " span class="govuk-hint" { (uk_time(u.at)) } @if !u.public_note.is_empty() { br; (u.public_note) } } }
        }
        @if user.principal.can::<EditRecords>() {
            @if waiting {
                h2 class="govuk-heading-m" { "Triage" }
                form method="post" action=(format!("/public-reports/{}/triage", p.id)) novalidate {
                    (csrf_field(user))
                    div class="govuk-form-group" {
                        fieldset class="govuk-fieldset" {
                            legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "What to do with it" }
                            div class="govuk-radios govuk-radios--small" id="action" {
                                @for (value, label) in [("accept", "Accept it as a new incident"), ("merge", "Join it to an incident we already have"), ("redirect", "Pass it to a partner agency")] {
                                    div class="govuk-radios__item" {
                                        input class="govuk-radios__input" id=(format!("action-{value}")) name="action" type="radio" value=(value) checked[value == "accept"];
                                        label class="govuk-label govuk-radios__label" for=(format!("action-{value}")) { (label) }
                                    }
                                }
                            }
                        }
                    }
                    @if fly_tip_from(&p.category, &p.attributes).is_some() {
                        p class="govuk-inset-text" data-testid="defra-categories" { "Accepting it as a new incident records the reporter's answers (land type, waste type and size) as its Defra categories for the WasteDataFlow return; correct them on the incident if they are wrong." }
                    }
                    (input("incident", "The incident to join it to (reference)", "text", "", None, errors))
                    (select("agency", "The agency to pass it to", &agencies, "", Some("Choose an agency"), errors))
                    (textarea("public_note", "What to tell the reporter", "", Some("Shown on their status page and e-mailed to them. No names or other people's details."), 3, errors))
                    button class="govuk-button" type="submit" { "Triage the report" }
                }
            } @else {
                h2 class="govuk-heading-m" { "Update the reporter" }
                form method="post" action=(format!("/public-reports/{}/updates", p.id)) novalidate {
                    (csrf_field(user))
                    (select("status", "Status", &statuses, p.status.as_str(), None, errors))
                    (textarea("public_note", "What to tell the reporter", "", Some("Required to close the report."), 3, errors))
                    button class="govuk-button" type="submit" { "Send the update" }
                }
            }
        }
    };
    Ok(page(Some(user), Nav::Incidents, &format!("Report {}", p.reference), PageOpts::default(), body))
}

/// The triage form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TriageForm {
    action: String,
    incident: String,
    agency: String,
    public_note: String,
}

fn rule_field(rule: &str) -> &'static str {
    match rule {
        "report_redirect" => "agency",
        "report_note_required" | "report_text" => "public_note",
        "report_incident" | "report_triaged" => "action",
        _ => "status",
    }
}

/// `POST /public-reports/{id}/triage`.
pub async fn triage(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<TriageForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let t = match f.action.as_str() {
        "merge" if !f.incident.trim().is_empty() => Ok(Triage::Merge(f.incident.trim().to_string())),
        "merge" => Err(("incident", "Enter the reference of the incident to join it to".to_string())),
        "redirect" if !f.agency.is_empty() => Ok(Triage::Redirect(f.agency.clone())),
        "redirect" => Err(("agency", "Choose the agency to pass it to".to_string())),
        _ => Ok(Triage::Accept),
    };
    let refused = match t {
        Err(e) => e,
        Ok(t) => match state.store.triage_report(&permit, &id, &t, &f.public_note, &user.actor()).await {
            Ok(r) if r.report.agency == user.principal.agency => {
                return Ok(Redirect::to(&format!("/public-reports/{}", r.report.id)).into_response())
            }
            Ok(_) => return Ok(Redirect::to("/public-reports").into_response()),
            Err(safetynet_store::StoreError::NotFound("incident")) => {
                ("incident", "No incident of yours, or shared with you, has that reference".to_string())
            }
            Err(e) => rule_error(e, rule_field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&state, &user, &id, &errors).await?).into_response())
}

/// The update form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct UpdateForm {
    status: String,
    public_note: String,
}

/// `POST /public-reports/{id}/updates`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<UpdateForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let refused = match ReportStatus::parse(&f.status) {
        None => ("status", "Choose the status".to_string()),
        Some(s) => match state.store.update_public_report(&permit, &id, s, &f.public_note, &user.actor()).await {
            Ok(r) => return Ok(Redirect::to(&format!("/public-reports/{}", r.report.id)).into_response()),
            Err(e) => rule_error(e, rule_field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&state, &user, &id, &errors).await?).into_response())
}
