//! Deliberate fires and arson vigilance: the deliberate fires the agency
//! may see on a hotspot map with the areas the fire service's crews and
//! Community Volunteers have checked, the checks with the risks they found,
//! and the form the fire service records a check with.

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{checkboxes, choices, input, parse_date, rule_error, select, textarea, Errors, PerRecord};
use crate::layers::{window, WindowQuery};
use crate::layout::{csrf_field, error_summary, page, Day, Nav, PageOpts};
use crate::params::parse_query;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::vigilance::{CheckedBy, FireRisk, NewVigilanceCheck};

/// `GET /programmes/arson?from&to`.
pub async fn show(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let q: WindowQuery = parse_query(raw.as_deref())?;
    render(&state, &user, &q, &Vec::new()).await
}

async fn render(state: &AppState, user: &PageUser, q: &WindowQuery, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let (from, to) = window(q.from, q.to, today)?;
    let checks = state.store.vigilance_checks(&permit, (from, to)).await?;
    let fires = state.store.deliberate_fires(&permit, (from, to)).await?;
    let risks: usize = checks.iter().map(|c| c.risks.len()).sum();
    let query = format!("from={from}&to={to}");
    let layers = format!(
        "/api/v1/arson/hotspots?{query} /api/v1/arson/deliberate-fires?format=geojson&{query} /api/v1/arson/vigilance-checks?format=geojson&{query}"
    );
    let by = choices(CheckedBy::ALL, CheckedBy::as_str, CheckedBy::label);
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes" { "Programmes" }
        h1 class="govuk-heading-l" { "Deliberate fires and arson vigilance" }
        p class="govuk-body" { "Deliberate fires you can see, where they concentrate, and the areas the fire service's crews and Community Volunteers have checked for fire risks and likely arson targets." }
        form method="get" action="/programmes/arson" class="sn-filter" novalidate {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-third" { (input("from", "From", "date", &from.to_string(), None, errors)) }
                div class="govuk-grid-column-one-third" { (input("to", "to", "date", &to.to_string(), None, errors)) }
                div class="govuk-grid-column-one-third" { button class="govuk-button govuk-button--secondary sn-filter__button" type="submit" { "Show" } }
            }
        }
        p class="govuk-body" data-testid="arson-summary" {
            strong { (fires.len()) } " deliberate fires, " strong { (checks.len()) } " vigilance checks finding " strong { (risks) } " fire risks, " (Day(from)) " to " (Day(to)) "."
        }
        div class="sn-map" id="arson-map" data-layer-map="" data-layers=(layers) data-tiles=(state.config.tile_url) role="region" aria-label="Map of deliberate fires and vigilance checks" {}
        p class="govuk-body-s" { "Shading: density of deliberate fires (quartic kernel, 500 m radius). Red: deliberate fires. Green: areas checked." }
        h2 class="govuk-heading-m" { "Vigilance checks" }
        @if checks.is_empty() { p class="govuk-body" { "No vigilance checks in these dates." } }
        @else {
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Vigilance checks" {
                table class="govuk-table" data-testid="vigilance-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Checked", "Area", "By", "Risks found", "Action taken"] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" {
                        @for c in &checks { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (Day(c.checked_on)) }
                            td class="govuk-table__cell" { (c.area) br; span class="govuk-hint" { (c.agency) } }
                            td class="govuk-table__cell" { (c.checked_by.label()) }
                            td class="govuk-table__cell" {
                                @if c.risks.is_empty() { "None" }
                                @else { ul class="govuk-list" { @for r in &c.risks { li { (r.label()) } } } }
                            }
                            td class="govuk-table__cell" { (c.action_taken) }
                        } }
                    }
                }
            }
        }
        @if user.principal.can::<EditRecords>() {
            details class="govuk-details" id="vigilance-form" open[!errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Record a vigilance check" } }
                div class="govuk-details__text" {
                    p class="govuk-body" { "Recorded by the fire and rescue service." }
                    form method="post" action="/programmes/arson/vigilance-checks" novalidate {
                        (csrf_field(user))
                        (input("area", "Area checked", "text", "", Some("e.g. Cottonmill estate garages"), errors))
                        div class="govuk-grid-row" {
                            div class="govuk-grid-column-one-half" { (input("latitude", "Latitude", "text", "", Some("e.g. 51.7450"), errors)) }
                            div class="govuk-grid-column-one-half" { (input("longitude", "Longitude", "text", "", Some("e.g. -0.3450"), errors)) }
                        }
                        (input("checked_on", "Checked on", "date", &today.to_string(), None, errors))
                        (select("checked_by", "Checked by", &by, "", None, errors))
                        (checkboxes("risk", "Fire risks found", &choices(FireRisk::ALL, FireRisk::as_str, FireRisk::label), errors))
                        (textarea("action_taken", "What was done", "", Some("Removed, reported to the council, letters to owners."), 3, errors))
                        button class="govuk-button" type="submit" { "Record the check" }
                    }
                }
            }
        }
    };
    Ok(page(
        Some(user),
        Nav::Programmes,
        "Deliberate fires and arson vigilance",
        PageOpts { map: true, ..PageOpts::default() },
        body,
    ))
}

/// The form field a vigilance rule is about.
fn rule_field(rule: &str) -> &'static str {
    match rule {
        "vigilance_location" => "latitude",
        "vigilance_date" => "checked_on",
        "vigilance_risks" => "risk",
        "vigilance_not_for_agency" => "checked_by",
        _ => "area",
    }
}

/// `POST /programmes/arson/vigilance-checks`.
pub async fn add_check(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<PerRecord>) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let coordinate = |field: &'static str| {
        f.named(field)
            .trim()
            .parse::<f64>()
            .map_err(|_| (field, format!("Enter the {field} as a number, such as 51.7450")))
    };
    let command = (|| {
        Ok(NewVigilanceCheck {
            area: f.named("area").to_string(),
            latitude: coordinate("latitude")?,
            longitude: coordinate("longitude")?,
            checked_on: parse_date(f.named("checked_on"))
                .ok_or(("checked_on", "Enter the day of the check".to_string()))?,
            checked_by: CheckedBy::parse(f.named("checked_by"))
                .ok_or(("checked_by", "Choose who carried it out".to_string()))?,
            risks: FireRisk::ALL.iter().copied().filter(|r| f.ticked(&format!("risk-{}", r.as_str()))).collect(),
            action_taken: f.named("action_taken").to_string(),
        })
    })();
    let refused = match command {
        Err(e) => e,
        Ok(c) => match state.store.add_vigilance_check(&permit, &c, state.today(), &user.actor()).await {
            Ok(_) => return Ok(Redirect::to("/programmes/arson").into_response()),
            Err(e) => rule_error(e, rule_field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&state, &user, &WindowQuery::default(), &errors).await?)
        .into_response())
}
