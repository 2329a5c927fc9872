//! Noise investigations for the council's Environmental Protection team:
//! the recording equipment with where each kit is and when it is due back
//! (overdue returns flagged), the booking and return forms, and visits to
//! witness noise (out of hours worked out from the time).

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{checkbox, input, parse_date, parse_local_datetime, rule_error, select, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, uk_time, Day, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use safetynet_domain::noise::{NewBooking, NewEquipment, NewNoiseVisit, MAX_BOOKING_DAYS};
use safetynet_domain::policy::{EditRecords, ViewRecords};

/// The most visits the page lists.
const VISITS_SHOWN: i64 = 50;

/// `GET /programmes/noise`.
pub async fn show(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    render(&state, &user, &Vec::new()).await
}

async fn render(state: &AppState, user: &PageUser, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let kits = state.store.equipment(&permit, &user.actor()).await?;
    let visits = state.store.noise_visits(&permit, VISITS_SHOWN, &user.actor()).await?;
    let kit_options: Vec<(String, String)> =
        kits.iter().map(|k| (k.id.clone(), format!("{} {}", k.asset_tag, k.description))).collect();
    let overdue = kits.iter().flat_map(|k| &k.bookings).filter(|b| b.overdue(today)).count();
    let edit = user.principal.can::<EditRecords>();
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes" { "Programmes" }
        h1 class="govuk-heading-l" { "Noise investigations" }
        p class="govuk-body" { "Recording equipment is booked to a noise complaint (an incident) for up to " (MAX_BOOKING_DAYS) " days; a kit is never booked twice for the same day, and one not yet returned stays out. Officers record the visits where they witnessed the noise; diary sheets and recordings go on the incident as documents." }
        @if overdue > 0 {
            div class="govuk-warning-text" data-testid="overdue-returns" { span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                strong class="govuk-warning-text__text" { (overdue) " kit" @if overdue != 1 { "s" } " past the day due back." } }
        }
        h2 class="govuk-heading-m" { "Recording equipment" }
        @if kits.is_empty() { p class="govuk-body" { "No equipment on the register." } }
        @else {
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Recording equipment" {
                table class="govuk-table" data-testid="equipment-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Kit", "Bookings", ""] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" {
                        @for k in &kits { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { strong { (k.asset_tag) } br; span class="govuk-hint" { (k.description) } }
                            td class="govuk-table__cell" {
                                @if k.bookings.is_empty() { strong class="govuk-tag govuk-tag--green" { "Available" } }
                                @for b in &k.bookings {
                                    p class="govuk-body govuk-!-margin-bottom-1" {
                                        (b.incident_reference) ", " (b.address) ": " (Day(b.starts_on)) " to " (Day(b.due_back_on)) " "
                                        @if b.overdue(today) { strong class="govuk-tag govuk-tag--red" { "Overdue" } }
                                    }
                                }
                            }
                            td class="govuk-table__cell" {
                                @if edit { @for b in k.bookings.iter().filter(|b| b.starts_on <= today) {
                                    form method="post" action=(format!("/programmes/noise/bookings/{}/return", b.id)) class="sn-inline-form" {
                                        (csrf_field(user))
                                        input type="hidden" name="returned_on" value=(today.to_string());
                                        button class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1" type="submit" { "Returned today" span class="govuk-visually-hidden" { " (" (b.incident_reference) ")" } }
                                    }
                                } }
                            }
                        } }
                    }
                }
            }
        }
        @if edit {
            @if !kits.is_empty() {
                details class="govuk-details" id="booking-form" open[errors.iter().any(|(f, _)| f.starts_with("booking_"))] {
                    summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Book a kit" } }
                    div class="govuk-details__text" {
                        form method="post" action="/programmes/noise/bookings" novalidate {
                            (csrf_field(user))
                            (select("booking_kit", "Kit", &kit_options, "", None, errors))
                            (input("booking_incident", "Noise complaint (incident reference)", "text", "", Some("For example INC-2026-00012."), errors))
                            div class="govuk-grid-row" {
                                div class="govuk-grid-column-one-half" { (input("booking_starts_on", "Goes out on", "date", &today.to_string(), None, errors)) }
                                div class="govuk-grid-column-one-half" { (input("booking_due_back_on", "Due back on", "date", "", None, errors)) }
                            }
                            button class="govuk-button" type="submit" { "Book the kit" }
                        }
                    }
                }
            }
            details class="govuk-details" id="equipment-form" open[errors.iter().any(|(f, _)| f == "asset_tag")] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Add a kit" } }
                div class="govuk-details__text" {
                    form method="post" action="/programmes/noise/equipment" novalidate {
                        (csrf_field(user))
                        (input("asset_tag", "Asset tag", "text", "", None, errors))
                        (input("description", "Description", "text", "", None, errors))
                        button class="govuk-button" type="submit" { "Add the kit" }
                    }
                }
            }
        }
        h2 class="govuk-heading-m" { "Visits to witness noise" }
        @if visits.is_empty() { p class="govuk-body" { "No visits recorded." } }
        @else {
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Visits" {
                table class="govuk-table" data-testid="noise-visit-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["When", "Complaint", "Witnessed", "Notes"] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" {
                        @for v in &visits { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (uk_time(v.visited_at)) @if v.out_of_hours { br; strong class="govuk-tag govuk-tag--purple" { "Out of hours" } } }
                            td class="govuk-table__cell" { (v.incident_reference) }
                            td class="govuk-table__cell" { @if v.statutory_nuisance { "Yes: a statutory nuisance" } @else if v.witnessed { "Yes" } @else { "No" } }
                            td class="govuk-table__cell" { (v.notes) }
                        } }
                    }
                }
            }
        }
        @if edit {
            details class="govuk-details" id="visit-form" open[errors.iter().any(|(f, _)| f.starts_with("visit_"))] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Record a visit" } }
                div class="govuk-details__text" {
                    form method="post" action="/programmes/noise/visits" novalidate {
                        (csrf_field(user))
                        (input("visit_incident", "Noise complaint (incident reference)", "text", "", None, errors))
                        (input("visit_at", "When you were there", "datetime-local", "", None, errors))
                        div class="govuk-checkboxes govuk-checkboxes--small govuk-!-margin-bottom-4" {
                            (checkbox("visit_witnessed", "I heard the noise", false))
                            (checkbox("visit_nuisance", "In my judgement it is a statutory nuisance (EPA 1990 s79)", false))
                        }
                        (textarea("visit_notes", "What you heard, for how long, from where", "", None, 4, errors))
                        button class="govuk-button" type="submit" { "Record the visit" }
                    }
                }
            }
        }
    };
    Ok(page(Some(user), Nav::Programmes, "Noise investigations", PageOpts::default(), body))
}

/// The form a refusal goes back to: the page with the problem at `field`.
async fn refused(state: &AppState, user: &PageUser, field: &str, message: String) -> PageResult<Response> {
    let errors = vec![(field.to_string(), message)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(state, user, &errors).await?).into_response())
}

/// The kit form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct EquipmentForm {
    asset_tag: String,
    description: String,
}

/// `POST /programmes/noise/equipment`.
pub async fn add_equipment(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<EquipmentForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let new = NewEquipment { asset_tag: f.asset_tag, description: f.description };
    match state.store.add_equipment(&permit, &new, &user.actor()).await {
        Ok(_) => Ok(Redirect::to("/programmes/noise").into_response()),
        Err(safetynet_store::StoreError::Conflict(what)) => {
            refused(&state, &user, "asset_tag", format!("{what} is already on the register")).await
        }
        Err(e) => {
            let (field, message) = rule_error(e, |_| "asset_tag")?;
            refused(&state, &user, field, message).await
        }
    }
}

/// The booking form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct BookingForm {
    booking_kit: String,
    booking_incident: String,
    booking_starts_on: String,
    booking_due_back_on: String,
}

/// `POST /programmes/noise/bookings`.
pub async fn book(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<BookingForm>) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let (Some(starts_on), Some(due_back_on)) = (parse_date(&f.booking_starts_on), parse_date(&f.booking_due_back_on))
    else {
        return refused(&state, &user, "booking_due_back_on", "Enter the days the kit goes out and is due back".into())
            .await;
    };
    let new = NewBooking { incident: f.booking_incident.trim().to_string(), starts_on, due_back_on };
    match state.store.book_equipment(&permit, &f.booking_kit, &new, state.today(), &user.actor()).await {
        Ok(_) => Ok(Redirect::to("/programmes/noise").into_response()),
        Err(safetynet_store::StoreError::NotFound(what)) => {
            let field = if what == "incident" { "booking_incident" } else { "booking_kit" };
            refused(&state, &user, field, format!("No {what} of yours matches: check the reference")).await
        }
        Err(e) => {
            let (field, message) =
                rule_error(e, |r| if r == "equipment_booked" { "booking_kit" } else { "booking_due_back_on" })?;
            refused(&state, &user, field, message).await
        }
    }
}

/// The return form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReturnForm {
    returned_on: String,
}

/// `POST /programmes/noise/bookings/{id}/return`.
pub async fn return_kit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ReturnForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let on = parse_date(&f.returned_on).unwrap_or_else(|| state.today());
    match state.store.return_equipment(&permit, &id, on, state.today(), &user.actor()).await {
        Ok(()) => Ok(Redirect::to("/programmes/noise").into_response()),
        Err(e) => {
            let (field, message) = rule_error(e, |_| "booking_kit")?;
            refused(&state, &user, field, message).await
        }
    }
}

/// The visit form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct VisitForm {
    visit_incident: String,
    visit_at: String,
    visit_witnessed: String,
    visit_nuisance: String,
    visit_notes: String,
}

/// `POST /programmes/noise/visits`.
pub async fn add_visit(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<VisitForm>) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let Some(visited_at) = parse_local_datetime(&f.visit_at) else {
        return refused(&state, &user, "visit_at", "Enter when you were there".into()).await;
    };
    let visit = NewNoiseVisit {
        incident: f.visit_incident.trim().to_string(),
        visited_at,
        witnessed: f.visit_witnessed == "true",
        statutory_nuisance: f.visit_nuisance == "true",
        notes: f.visit_notes,
    };
    match state.store.add_noise_visit(&permit, &visit, state.clock.now(), &user.actor()).await {
        Ok(_) => Ok(Redirect::to("/programmes/noise").into_response()),
        Err(safetynet_store::StoreError::NotFound(_)) => {
            refused(&state, &user, "visit_incident", "No incident of yours matches: check the reference".into()).await
        }
        Err(e) => {
            let (field, message) = rule_error(e, |r| match r {
                "visit_date" => "visit_at",
                "visit_nuisance_needs_witness" => "visit_witnessed",
                _ => "visit_notes",
            })?;
            refused(&state, &user, field, message).await
        }
    }
}
