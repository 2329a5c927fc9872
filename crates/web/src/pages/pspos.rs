//! The public spaces protection order register: every order on a map with
//! those ending within 90 days flagged, one order with its extensions, and
//! (for a council's officers) the forms to make and extend one. The Part 4
//! checks are the domain's; a refusal is shown at the field it is about.

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{checkbox, input, parse_date, polygon_ring, rule_error, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, Day, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{Duration, NaiveDate};
use maud::{html, Markup};
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::pspo::{NewPspo, PspoExtension};
use safetynet_store::safety::Pspo;

/// Orders ending within this many days are flagged on the register.
const REMINDER_DAYS: i64 = 90;

/// `GET /pspos`.
pub async fn list(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    render_list(&state, &user, &PspoForm::default(), &Vec::new()).await
}

async fn render_list(state: &AppState, user: &PageUser, form: &PspoForm, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let orders = state.store.pspos(&permit, today, None).await?;
    let soon = today + Duration::days(REMINDER_DAYS);
    let body = html! {
        (error_summary(errors))
        h1 class="govuk-heading-l" { "Public spaces protection orders" }
        p class="govuk-body" { "Orders made by the council under Part 4 of the Anti-social Behaviour, Crime and Policing Act 2014. Each lasts up to 3 years and can be extended, before it expires, for up to 3 more. Breaches and fixed penalties are recorded on a case against the order." }
        @if orders.is_empty() {
            p class="govuk-body" { "No orders on the register." }
        } @else {
            div class="sn-map" id="pspo-map" data-layer-map="" data-layers="/api/v1/pspos?format=geojson" data-tiles=(state.config.tile_url) role="region" aria-label="Map of the orders' areas" {}
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Orders" {
                table class="govuk-table" data-testid="pspo-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Order", "In force", "Breaches and penalties", "Status"] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" {
                        @for o in &orders { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { a class="govuk-link" href=(format!("/pspos/{}", o.id)) { (o.reference) } br; (o.title) }
                            td class="govuk-table__cell" { (Day(o.starts_on)) " to " (Day(o.ends_on)) }
                            td class="govuk-table__cell" { (o.breaches) }
                            td class="govuk-table__cell" { (status(o, today, soon)) }
                        } }
                    }
                }
            }
        }
        @if user.principal.can::<EditRecords>() {
            details class="govuk-details" id="pspo-form" open[!errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Put an order on the register" } }
                div class="govuk-details__text" { (new_form(state, user, form, errors)) }
            }
        }
    };
    Ok(page(
        Some(user),
        Nav::Pspos,
        "Public spaces protection orders",
        PageOpts { map: true, ..PageOpts::default() },
        body,
    ))
}

fn status(o: &Pspo, today: NaiveDate, soon: NaiveDate) -> Markup {
    html! {
        @if o.ends_on < today { strong class="govuk-tag govuk-tag--grey" { "Expired" } }
        @else if o.starts_on > today { strong class="govuk-tag govuk-tag--blue" { "Not yet in force" } }
        @else if o.ends_on <= soon { strong class="govuk-tag govuk-tag--orange" data-testid="pspo-ending" { "Ends within " (REMINDER_DAYS) " days" } }
        @else { strong class="govuk-tag govuk-tag--green" { "In force" } }
    }
}

fn new_form(state: &AppState, user: &PageUser, f: &PspoForm, errors: &Errors) -> Markup {
    html! {
        form method="post" action="/pspos" novalidate {
            (csrf_field(user))
            (input("title", "Title", "text", &f.title, None, errors))
            (textarea("prohibitions", "Prohibitions and requirements", &f.prohibitions, Some("One per line, as in the order."), 4, errors))
            div class="govuk-hint" { "Click on the map to draw the area's corners (the polygon is written into the box below)." }
            div class="sn-map sn-map--draw" id="pspo-draw" data-draw-target="area" data-tiles=(state.config.tile_url) role="region" aria-label="Map for drawing the order's area" {}
            (textarea("area", "Area (a GeoJSON Polygon; drawn on the map above)", &f.area, None, 3, errors))
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-third" { (input("made_on", "Made on", "date", &f.made_on, None, errors)) }
                div class="govuk-grid-column-one-third" { (input("starts_on", "In force from", "date", &f.starts_on, None, errors)) }
                div class="govuk-grid-column-one-third" { (input("ends_on", "Last day in force", "date", &f.ends_on, Some("At most 3 years."), errors)) }
            }
            (input("publicised_on", "The proposed order was published on", "date", &f.publicised_on, None, errors))
            div class="govuk-form-group" id="consulted" {
                fieldset class="govuk-fieldset" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Consulted (s72(3))" }
                    div class="govuk-checkboxes govuk-checkboxes--small" {
                        (checkbox("consulted_police", "The chief officer of police", f.consulted_police == "true"))
                        (checkbox("consulted_pcc", "The police and crime commissioner", f.consulted_pcc == "true"))
                        (checkbox("consulted_community", "Community representatives", f.consulted_community == "true"))
                        (checkbox("consulted_owners", "Owners and occupiers of land in the area", f.consulted_owners == "true"))
                    }
                }
            }
            button class="govuk-button" type="submit" { "Put on the register" }
        }
    }
}

/// The new order form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PspoForm {
    title: String,
    prohibitions: String,
    area: String,
    made_on: String,
    starts_on: String,
    ends_on: String,
    publicised_on: String,
    consulted_police: String,
    consulted_pcc: String,
    consulted_community: String,
    consulted_owners: String,
}

fn date_field(value: &str, field: &'static str, what: &str) -> Result<NaiveDate, (&'static str, String)> {
    parse_date(value).ok_or_else(|| (field, format!("Enter {what}")))
}

impl PspoForm {
    fn command(&self) -> Result<NewPspo, (&'static str, String)> {
        Ok(NewPspo {
            title: self.title.clone(),
            prohibitions: self.prohibitions.clone(),
            area: polygon_ring(&self.area).map_err(|m| ("area", m))?,
            made_on: date_field(&self.made_on, "made_on", "the date the order was made")?,
            starts_on: date_field(&self.starts_on, "starts_on", "the date it comes into force")?,
            ends_on: date_field(&self.ends_on, "ends_on", "its last day in force")?,
            consulted_police: self.consulted_police == "true",
            consulted_pcc: self.consulted_pcc == "true",
            consulted_community: self.consulted_community == "true",
            consulted_owners: self.consulted_owners == "true",
            publicised_on: parse_date(&self.publicised_on),
        })
    }
}

/// The form field a Part 4 rule is about.
fn rule_field(rule: &str) -> &'static str {
    match rule {
        "pspo_area" => "area",
        "pspo_dates" | "pspo_max_3_years" | "pspo_extension_max_3_years" => "ends_on",
        "pspo_consultation_required" | "pspo_extension_publication_required" => "consulted",
        "pspo_extension_after_expiry" => "decided_on",
        "pspo_text" => "title",
        _ => "title",
    }
}

/// `POST /pspos`.
pub async fn create(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<PspoForm>) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let refused = match f.command() {
        Err(e) => e,
        Ok(new) => match state.store.add_pspo(&permit, &new, &user.actor()).await {
            Ok(o) => return Ok(Redirect::to(&format!("/pspos/{}", o.id)).into_response()),
            Err(e) => rule_error(e, rule_field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render_list(&state, &user, &f, &errors).await?).into_response())
}

/// `GET /pspos/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    render_one(&state, &user, &id, &Vec::new()).await
}

async fn render_one(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let o = state.store.pspo(&permit, id).await?;
    let today = state.today();
    let owner = o.owner_agency == user.principal.agency && user.principal.can::<EditRecords>();
    let yes = |b: bool| if b { "Yes" } else { "No" };
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/pspos" { "Public spaces protection orders" }
        span class="govuk-caption-l" { (o.reference) " · made by " (o.owner_agency) " on " (Day(o.made_on)) }
        h1 class="govuk-heading-l" { (o.title) }
        (status(&o, today, today + Duration::days(REMINDER_DAYS)))
        div class="sn-map govuk-!-margin-top-4" id="pspo-map" data-layer-map="" data-layers=(format!("/api/v1/pspos/{}?format=geojson", o.id)) data-tiles=(state.config.tile_url) role="region" aria-label="Map of the order's area" {}
        dl class="govuk-summary-list" {
            @for (k, v) in [
                ("In force", format!("{} to {}", Day(o.starts_on), Day(o.ends_on))),
                ("Breaches and penalties recorded", o.breaches.to_string()),
                ("Published for consultation", o.publicised_on.map_or("Not recorded".into(), |d| Day(d).to_string())),
                ("Police consulted", yes(o.consulted_police).into()),
                ("Police and crime commissioner consulted", yes(o.consulted_pcc).into()),
                ("Community representatives consulted", yes(o.consulted_community).into()),
                ("Owners and occupiers consulted", yes(o.consulted_owners).into()),
            ] {
                div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { (k) } dd class="govuk-summary-list__value" { (v) } }
            }
        }
        h2 class="govuk-heading-m" { "Prohibitions and requirements" }
        ul class="govuk-list govuk-list--bullet" { @for line in o.prohibitions.lines().filter(|l| !l.trim().is_empty()) { li { (line) } } }
        h2 class="govuk-heading-m" { "Extensions" }
        @if o.extensions.is_empty() { p class="govuk-body" { "Not extended." } }
        @else {
            ul class="govuk-list" data-testid="pspo-extensions" {
                @for e in &o.extensions { li { "On " (Day(e.decided_on)) ", from " (Day(e.previous_ends_on)) " to " (Day(e.ends_on)) ": " (e.reason) } }
            }
        }
        @if owner {
            h3 class="govuk-heading-s" { "Extend the order" }
            form method="post" action=(format!("/pspos/{}/extensions", o.id)) novalidate {
                (csrf_field(user))
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-half" { (input("decided_on", "Decided on", "date", &today.to_string(), Some("Before the order expires."), errors)) }
                    div class="govuk-grid-column-one-half" { (input("ends_on", "New last day in force", "date", "", Some("At most 3 more years."), errors)) }
                }
                (textarea("reason", "Why it is still needed", "", None, 3, errors))
                div class="govuk-form-group" id="consulted" { div class="govuk-checkboxes govuk-checkboxes--small" {
                    (checkbox("consulted", "The police, the police and crime commissioner and community representatives were consulted again", false))
                    (checkbox("published", "The extended order has been published", false))
                } }
                button class="govuk-button govuk-button--secondary" type="submit" { "Extend" }
            }
        }
    };
    Ok(page(
        Some(user),
        Nav::Pspos,
        &format!("{} {}", o.reference, o.title),
        PageOpts { map: true, ..PageOpts::default() },
        body,
    ))
}

/// The extension form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ExtensionForm {
    decided_on: String,
    ends_on: String,
    reason: String,
    consulted: String,
    published: String,
}

/// `POST /pspos/{id}/extensions`.
pub async fn extend(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ExtensionForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let command = (|| {
        Ok(PspoExtension {
            decided_on: date_field(&f.decided_on, "decided_on", "the date of the decision")?,
            ends_on: date_field(&f.ends_on, "ends_on", "the new last day in force")?,
            reason: f.reason.clone(),
            consulted: f.consulted == "true",
            published: f.published == "true",
        })
    })();
    let refused = match command {
        Err(e) => e,
        Ok(ext) => match state.store.extend_pspo(&permit, &id, &ext, &user.actor()).await {
            Ok(_) => return Ok(Redirect::to(&format!("/pspos/{id}")).into_response()),
            Err(e) => rule_error(e, rule_field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render_one(&state, &user, &id, &errors).await?).into_response())
}
