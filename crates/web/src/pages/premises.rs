//! The premises register: business premises on the fire service's Risk
//! Based Inspection Programme (inspections overdue first) and licensed
//! premises, on a map; one premises with its visits and the form to record
//! a visit (an agency records the kinds of visit it makes).

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{choices, input, parse_date, rule_error, select, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, summary_list, Day, Nav, PageOpts};
use crate::params::parse_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::premises::{NewPremises, NewVisit, PremisesKind, RiskBand, VisitKind};
use safetynet_store::premises::Premises;

#[derive(Debug, Default, serde::Deserialize)]
struct Query {
    #[serde(default)]
    kind: Option<PremisesKind>,
}

/// `GET /programmes/premises?kind=`.
pub async fn list(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let q: Query = parse_query(raw.as_deref())?;
    render_list(&state, &user, q.kind, &PremisesForm::default(), &Vec::new()).await
}

/// The inspection status of business premises on `today`.
fn inspection(p: &Premises, today: chrono::NaiveDate) -> Markup {
    html! {
        @match (p.kind, p.next_inspection_due) {
            (PremisesKind::Licensed, _) => { "" }
            (_, None) => { strong class="govuk-tag govuk-tag--red" data-state="never" { "Not yet inspected" } }
            (_, Some(d)) if d < today => { strong class="govuk-tag govuk-tag--red" data-state="overdue" { "Overdue since " (Day(d)) } }
            (_, Some(d)) => { "Due " (Day(d)) }
        }
    }
}

async fn render_list(
    state: &AppState,
    user: &PageUser,
    kind: Option<PremisesKind>,
    f: &PremisesForm,
    errors: &Errors,
) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let list = state.store.premises_list(&permit, kind).await?;
    let layer = match kind {
        Some(k) => format!("/api/v1/premises?format=geojson&kind={}", k.as_str()),
        None => "/api/v1/premises?format=geojson".into(),
    };
    let filter = |k: Option<PremisesKind>, label: &str| {
        let href =
            k.map_or("/programmes/premises".to_string(), |k| format!("/programmes/premises?kind={}", k.as_str()));
        html! { li { a class="govuk-link" href=(href) aria-current=[(kind == k).then_some("page")] { (label) } } }
    };
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes" { "Programmes" }
        h1 class="govuk-heading-l" { "Premises" }
        p class="govuk-body" { "Business premises on the fire service's Risk Based Inspection Programme, with the next inspection due from each premises' risk band, and licensed premises with the safeguarding training, drink spiking advice, Operation Vigilant deployments and licensing checks the partners carry out." }
        ul class="govuk-list sn-inline-list" aria-label="Show" {
            (filter(None, "All"))
            (filter(Some(PremisesKind::Business), "Business premises"))
            (filter(Some(PremisesKind::Licensed), "Licensed premises"))
        }
        @if list.is_empty() {
            p class="govuk-body" { "No premises on the register." }
        } @else {
            div class="sn-map" id="premises-map" data-layer-map="" data-layers=(layer) data-tiles=(state.config.tile_url) role="region" aria-label="Map of the premises" {}
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Premises" {
                table class="govuk-table" data-testid="premises-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        @for h in ["Premises", "Kind", "Risk band", "Last visit", "Inspection"] { th scope="col" class="govuk-table__header" { (h) } }
                    } }
                    tbody class="govuk-table__body" {
                        @for p in &list { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { a class="govuk-link" href=(format!("/programmes/premises/{}", p.id)) { (p.name) } br; span class="govuk-hint" { (p.address) } }
                            td class="govuk-table__cell" { (p.kind.label()) }
                            td class="govuk-table__cell" { (p.risk_band.map_or("", RiskBand::label)) }
                            td class="govuk-table__cell" { @if let Some(d) = p.last_visited_on { (Day(d)) } @else { "None" } }
                            td class="govuk-table__cell" { (inspection(p, today)) }
                        } }
                    }
                }
            }
        }
        @if user.principal.can::<EditRecords>() {
            details class="govuk-details" id="premises-form" open[!errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Add premises" } }
                div class="govuk-details__text" {
                    form method="post" action="/programmes/premises" novalidate {
                        (csrf_field(user))
                        (select("kind", "Kind", &choices(PremisesKind::ALL, PremisesKind::as_str, PremisesKind::label), &f.kind, None, errors))
                        (input("name", "Trading name", "text", &f.name, None, errors))
                        (input("address", "Address", "text", &f.address, None, errors))
                        div class="govuk-grid-row" {
                            div class="govuk-grid-column-one-half" { (input("latitude", "Latitude", "text", &f.latitude, Some("For the map, e.g. 51.7526"), errors)) }
                            div class="govuk-grid-column-one-half" { (input("longitude", "Longitude", "text", &f.longitude, Some("e.g. -0.3390"), errors)) }
                        }
                        (select("risk_band", "Risk band (business premises)", &choices(RiskBand::ALL, RiskBand::as_str, RiskBand::label), &f.risk_band, Some("Not banded"), errors))
                        (input("licence_number", "Premises licence number (licensed premises)", "text", &f.licence_number, None, errors))
                        button class="govuk-button" type="submit" { "Add to the register" }
                    }
                }
            }
        }
    };
    Ok(page(Some(user), Nav::Programmes, "Premises", PageOpts { map: true, ..PageOpts::default() }, body))
}

/// The premises form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PremisesForm {
    kind: String,
    name: String,
    address: String,
    latitude: String,
    longitude: String,
    risk_band: String,
    licence_number: String,
}

fn coordinate(value: &str, field: &'static str) -> Result<Option<f64>, (&'static str, String)> {
    match value.trim() {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| (field, format!("Enter the {field} as a number, such as 51.7526"))),
    }
}

impl PremisesForm {
    fn command(&self) -> Result<NewPremises, (&'static str, String)> {
        Ok(NewPremises {
            kind: PremisesKind::parse(&self.kind).ok_or(("kind", "Choose the kind of premises".to_string()))?,
            name: self.name.clone(),
            address: self.address.clone(),
            latitude: coordinate(&self.latitude, "latitude")?,
            longitude: coordinate(&self.longitude, "longitude")?,
            risk_band: RiskBand::parse(&self.risk_band),
            licence_number: self.licence_number.clone(),
        })
    }
}

/// The form field a premises or visit rule is about.
fn rule_field(rule: &str) -> &'static str {
    match rule {
        "premises_location" => "latitude",
        "premises_risk_band_required" => "risk_band",
        "visit_date" => "visited_on",
        "visit_kind_premises" | "visit_not_for_agency" => "visit_kind",
        "visit_text" => "outcome",
        _ => "name",
    }
}

/// `POST /programmes/premises`.
pub async fn add(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<PremisesForm>) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let refused = match f.command() {
        Err(e) => e,
        Ok(new) => match state.store.add_premises(&permit, &new, &user.actor()).await {
            Ok(p) => return Ok(Redirect::to(&format!("/programmes/premises/{}", p.id)).into_response()),
            Err(e) => rule_error(e, rule_field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_list(&state, &user, None, &f, &errors).await?).into_response())
}

/// `GET /programmes/premises/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    render_one(&state, &user, &id, &Vec::new()).await
}

async fn render_one(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let r = state.store.premises(&permit, id).await?;
    let p = &r.premises;
    let kinds: Vec<(String, String)> = VisitKind::ALL
        .iter()
        .filter(|k| k.premises() == p.kind)
        .map(|k| (k.as_str().to_string(), k.label().to_string()))
        .collect();
    let mut rows = vec![("Kind", p.kind.label().to_string()), ("Address", p.address.clone())];
    if let Some(b) = p.risk_band {
        rows.push(("Risk band", format!("{} (inspected every {} months)", b.label(), b.interval_months())));
    }
    if !p.licence_number.is_empty() {
        rows.push(("Premises licence", p.licence_number.clone()));
    }
    rows.push(("Added by", p.added_by_agency.clone()));
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes/premises" { "Premises" }
        h1 class="govuk-heading-l" { (p.name) }
        (inspection(p, today))
        (summary_list(&rows))
        h2 class="govuk-heading-m" { "Visits" }
        @if r.visits.is_empty() { p class="govuk-body" { "No visits recorded." } }
        @else {
            table class="govuk-table" data-testid="visit-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Visited", "Visit", "By", "Outcome"] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" {
                    @for v in &r.visits { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (Day(v.visited_on)) }
                        td class="govuk-table__cell" { (v.kind.label()) @if let Some(n) = v.staff_trained { br; span class="govuk-hint" { (n) " staff trained" } } }
                        td class="govuk-table__cell" { (v.agency) }
                        td class="govuk-table__cell" { (v.outcome) }
                    } }
                }
            }
        }
        @if user.principal.can::<EditRecords>() {
            h2 class="govuk-heading-m" { "Record a visit" }
            form method="post" action=(format!("/programmes/premises/{}/visits", p.id)) novalidate {
                (csrf_field(user))
                (select("visit_kind", "Visit", &kinds, "", None, errors))
                (input("visited_on", "Visited on", "date", &today.to_string(), None, errors))
                (input("staff_trained", "Staff trained (safeguarding training)", "number", "", None, errors))
                @if p.kind == PremisesKind::Business {
                    (input("next_inspection_due", "Next inspection due", "date", "", Some("Leave blank to set it from the risk band."), errors))
                }
                (textarea("outcome", "What was found or done", "", None, 3, errors))
                button class="govuk-button" type="submit" { "Record the visit" }
            }
        }
    };
    Ok(page(Some(user), Nav::Programmes, &p.name, PageOpts::default(), body))
}

/// The visit form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct VisitForm {
    visit_kind: String,
    visited_on: String,
    staff_trained: String,
    next_inspection_due: String,
    outcome: String,
}

/// `POST /programmes/premises/{id}/visits`.
pub async fn add_visit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<VisitForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let command = (|| {
        Ok(NewVisit {
            kind: VisitKind::parse(&f.visit_kind).ok_or(("visit_kind", "Choose what the visit was for".to_string()))?,
            visited_on: parse_date(&f.visited_on).ok_or(("visited_on", "Enter the day of the visit".to_string()))?,
            outcome: f.outcome.clone(),
            staff_trained: match f.staff_trained.trim() {
                "" => None,
                n => Some(n.parse().map_err(|_| ("staff_trained", "Enter the number of staff trained".to_string()))?),
            },
            next_inspection_due: parse_date(&f.next_inspection_due),
        })
    })();
    let refused = match command {
        Err(e) => e,
        Ok(v) => match state.store.add_visit(&permit, &id, &v, state.today(), &user.actor()).await {
            Ok(_) => return Ok(Redirect::to(&format!("/programmes/premises/{id}")).into_response()),
            Err(e) => rule_error(e, rule_field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_one(&state, &user, &id, &errors).await?).into_response())
}
