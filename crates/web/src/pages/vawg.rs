//! VAWG scrutiny panels: the panels held and to come, and one panel with
//! its random, depersonalised sample of closed domestic abuse cases, a
//! finding per case and the learning actions carried until done.

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{input, parse_date, rule_error, select, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, summary_list, Day, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::vawg::{NewFinding, NewLearningAction, NewPanel, SAMPLE_MONTHS, SAMPLE_SIZE};

/// `GET /programmes/vawg`.
pub async fn list(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    render_list(&state, &user, &Vec::new()).await
}

async fn render_list(state: &AppState, user: &PageUser, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let panels = state.store.panels(&permit).await?;
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes" { "Programmes" }
        h1 class="govuk-heading-l" { "VAWG scrutiny panels" }
        p class="govuk-body" { "Police, public and partners review how violence against women and girls is dealt with. Each panel scrutinises up to " (SAMPLE_SIZE) " domestic abuse cases closed in the " (SAMPLE_MONTHS) " months before it, drawn at random and shown without names, addresses or references; it records a finding on each, and learning actions carried from panel to panel until done." }
        @if panels.is_empty() { p class="govuk-body" { "No panels scheduled." } }
        @else {
            ul class="govuk-list" data-testid="panel-list" {
                @for p in &panels {
                    li { a class="govuk-link" href=(format!("/programmes/vawg/{}", p.id)) { (Day(p.held_on)) } " · chaired by " (p.chair)
                        @if p.held_on > today { " " strong class="govuk-tag govuk-tag--blue" { "To come" } } }
                }
            }
        }
        @if user.principal.can::<EditRecords>() {
            details class="govuk-details" id="panel-form" open[!errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Schedule a panel" } }
                div class="govuk-details__text" {
                    form method="post" action="/programmes/vawg" novalidate {
                        (csrf_field(user))
                        (input("held_on", "Date", "date", "", None, errors))
                        (input("chair", "Chair", "text", "", None, errors))
                        (input("location", "Where", "text", "", None, errors))
                        button class="govuk-button" type="submit" { "Schedule" }
                    }
                }
            }
        }
    };
    Ok(page(Some(user), Nav::Programmes, "VAWG scrutiny panels", PageOpts::default(), body))
}

/// The panel form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PanelForm {
    held_on: String,
    chair: String,
    location: String,
}

/// `POST /programmes/vawg`.
pub async fn add(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<PanelForm>) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let refused = match parse_date(&f.held_on) {
        None => ("held_on", "Enter the panel's date".to_string()),
        Some(held_on) => {
            let new = NewPanel { held_on, chair: f.chair, location: f.location };
            match state.store.add_panel(&permit, &new, state.today(), &user.actor()).await {
                Ok(p) => return Ok(Redirect::to(&format!("/programmes/vawg/{}", p.id)).into_response()),
                Err(e) => rule_error(e, |r| if r == "panel_date" { "held_on" } else { "chair" })?,
            }
        }
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_list(&state, &user, &errors).await?).into_response())
}

/// `GET /programmes/vawg/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    render_one(&state, &user, &id, &Vec::new()).await
}

async fn render_one(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let r = state.store.panel(&permit, id, &user.actor()).await?;
    let edit = user.principal.can::<EditRecords>();
    let agencies: Vec<(String, String)> =
        state.store.agencies().await?.into_iter().map(|a| (a.code.to_string(), a.name)).collect();
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes/vawg" { "VAWG scrutiny panels" }
        span class="govuk-caption-l" { "Chaired by " (r.panel.chair) @if !r.panel.location.is_empty() { " · " (r.panel.location) } }
        h1 class="govuk-heading-l" { "VAWG scrutiny panel, " (Day(r.panel.held_on)) }
        h2 class="govuk-heading-m" { "Cases for scrutiny" }
        p class="govuk-body" { "Drawn at random from the domestic abuse cases closed in the " (SAMPLE_MONTHS) " months before the panel. Depersonalised: no names, addresses, references or notes." }
        @if r.sample.is_empty() { p class="govuk-body" { "No domestic abuse cases were closed in that time." } }
        @for c in &r.sample {
            div class="govuk-summary-card" data-testid="scrutiny-case" {
                div class="govuk-summary-card__title-wrapper" { h3 class="govuk-summary-card__title" { "Case " (c.no) } }
                div class="govuk-summary-card__content" {
                    (summary_list(&[
                            ("Held by", c.agency.clone()),
                            ("Open", format!("{} to {}", Day(c.opened_on), Day(c.closed_on))),
                            ("Risk when closed", c.risk_level.clone().unwrap_or_else(|| "Not assessed".into())),
                            ("Incidents", format!("{}: {}", c.incidents, c.categories.join(", "))),
                            ("Interventions", if c.interventions.is_empty() { "None".into() } else { c.interventions.join(", ") }),
                            ("Finding", c.finding.clone().unwrap_or_else(|| "Not yet recorded".into())),
                    ]))
                    @if edit {
                        form method="post" action=(format!("/programmes/vawg/{}/findings", r.panel.id)) novalidate {
                            (csrf_field(user))
                            input type="hidden" name="case_no" value=(c.no);
                            (textarea(&format!("finding-{}", c.no), &format!("The panel's finding on case {}", c.no), c.finding.as_deref().unwrap_or(""), None, 3, errors))
                            button class="govuk-button govuk-button--secondary" type="submit" { "Save the finding" }
                        }
                    }
                }
            }
        }
        h2 class="govuk-heading-m" { "Learning actions" }
        @if r.actions.is_empty() { p class="govuk-body" { "No learning actions." } }
        @else {
            table class="govuk-table" data-testid="learning-actions" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Action", "Owner", "Due", "Raised", ""] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" {
                    @for a in &r.actions { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (a.title) }
                        td class="govuk-table__cell" { (a.owner_agency) }
                        td class="govuk-table__cell" { (Day(a.due_on)) @if a.done_on.is_none() && a.due_on < today { " " strong class="govuk-tag govuk-tag--red" { "Overdue" } } }
                        td class="govuk-table__cell" { (Day(a.raised_on)) }
                        td class="govuk-table__cell" {
                            @if let Some(d) = a.done_on { "Done " (Day(d)) }
                            @else if edit {
                                form method="post" action=(format!("/programmes/vawg/actions/{}/done", a.id)) class="sn-inline-form" {
                                    (csrf_field(user))
                                    input type="hidden" name="panel" value=(r.panel.id);
                                    button class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" type="submit" { "Done" span class="govuk-visually-hidden" { ": " (a.title) } }
                                }
                            }
                        }
                    } }
                }
            }
        }
        @if edit {
            h3 class="govuk-heading-s" { "Raise a learning action" }
            form method="post" action=(format!("/programmes/vawg/{}/actions", r.panel.id)) novalidate {
                (csrf_field(user))
                (input("title", "Action", "text", "", None, errors))
                (select("owner_agency", "Owner", &agencies, "HERTS-POLICE", None, errors))
                (input("due_on", "Due by", "date", "", None, errors))
                button class="govuk-button" type="submit" { "Raise the action" }
            }
        }
    };
    Ok(page(Some(user), Nav::Programmes, "VAWG scrutiny panel", PageOpts::default(), body))
}

/// The finding form as the browser sends it (the text under `finding-{no}`).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct FindingForm {
    case_no: String,
    #[serde(flatten)]
    text: std::collections::HashMap<String, String>,
}

/// `POST /programmes/vawg/{id}/findings`.
pub async fn finding(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<FindingForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let case_no: u32 = f.case_no.parse().unwrap_or(0);
    let field = format!("finding-{case_no}");
    let new = NewFinding { case_no, finding: f.text.get(&field).cloned().unwrap_or_default() };
    match state.store.record_finding(&permit, &id, &new, &user.actor()).await {
        Ok(()) => Ok(Redirect::to(&format!("/programmes/vawg/{id}")).into_response()),
        Err(e) => {
            let (_, message) = rule_error(e, |_| "finding")?;
            let errors = vec![(field, message)];
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render_one(&state, &user, &id, &errors).await?).into_response())
        }
    }
}

/// The action form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActionForm {
    title: String,
    owner_agency: String,
    due_on: String,
}

/// `POST /programmes/vawg/{id}/actions`.
pub async fn add_action(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ActionForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let refused = match parse_date(&f.due_on) {
        None => ("due_on", "Enter the day it is due".to_string()),
        Some(due_on) => {
            let new = NewLearningAction { title: f.title, owner_agency: f.owner_agency, due_on };
            match state.store.add_learning_action(&permit, &id, &new, &user.actor()).await {
                Ok(_) => return Ok(Redirect::to(&format!("/programmes/vawg/{id}")).into_response()),
                Err(e) => rule_error(e, |r| if r == "action_due" { "due_on" } else { "title" })?,
            }
        }
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_one(&state, &user, &id, &errors).await?).into_response())
}

/// The done form as the browser sends it: the panel to go back to.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DoneForm {
    panel: String,
}

/// `POST /programmes/vawg/actions/{id}/done`.
pub async fn done(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<DoneForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let today = state.today();
    state.store.complete_learning_action(&permit, &id, today, today, &user.actor()).await?;
    let back = if f.panel.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && !f.panel.is_empty() {
        format!("/programmes/vawg/{}", f.panel)
    } else {
        "/programmes/vawg".into()
    };
    Ok(Redirect::to(&back).into_response())
}
