//! Fly-tipping and environmental crime: the fly-tips on a hotspot map by
//! land type with the cameras, the counts by land type, the quarter's
//! WasteDataFlow return, camera deployments; one fly-tip with its Defra
//! categories, its enforcement actions and their outcomes.

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{choices, given, input, parse_date, pence, rule_error, select, textarea, Errors};
use crate::layers::FlyTipQuery;
use crate::layout::{csrf_field, error_summary, page, summary_list, uk_time, Day, Nav, PageOpts};
use crate::params::parse_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use safetynet_domain::fixed_penalty::pounds;
use safetynet_domain::fly_tipping::{
    ActionOutcome, CameraRemoval, CourtResult, EnforcementAction, LandType, NewAction, NewCamera, NewFlyTip,
    ReturnQuarter, TipSize, WasteType, FPN_BASES,
};
use safetynet_domain::policy::{EditRecords, ViewCrimeData, ViewRecords};
use safetynet_store::fly_tipping::{Action, FlyTippingReturn};

/// The most fly-tips the page's table lists (the map shows them all).
const TABLE_LIMIT: usize = 100;

/// `GET /programmes/fly-tipping?from&to&land_type`.
pub async fn list(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let q: FlyTipQuery = parse_query(raw.as_deref())?;
    render_list(&state, &user, &q, &CameraForm::default(), &Vec::new()).await
}

fn return_table(r: &FlyTippingReturn) -> Markup {
    let total: i64 = r.incidents.iter().map(|l| l.incidents).sum();
    html! {
        div class="sn-table-wrap" tabindex="0" role="region" aria-label="Enforcement actions this quarter" {
            table class="govuk-table" data-testid="return-table" {
                caption class="govuk-table__caption govuk-table__caption--s" { (r.label) ": " (total) " categorised incidents; " (r.uncategorised) " not yet categorised" }
                thead class="govuk-table__head" { tr class="govuk-table__row" { th scope="col" class="govuk-table__header" { "Enforcement action" } th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Count" } } }
                tbody class="govuk-table__body" {
                    @for a in r.actions.iter().filter(|a| a.count > 0) { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (a.action.label()) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (a.count) }
                    } }
                    tr class="govuk-table__row" { td class="govuk-table__cell" { "Fixed penalty notices paid" } td class="govuk-table__cell govuk-table__cell--numeric" { (r.fpns_paid) } }
                    @for c in &r.court_results { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { "Prosecutions: " (c.result.label().to_lowercase()) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (c.count) }
                    } }
                    tr class="govuk-table__row" { td class="govuk-table__cell" { "Fines; costs awarded; recovered" } td class="govuk-table__cell govuk-table__cell--numeric" { (pounds(r.fines_pence)) "; " (pounds(r.costs_awarded_pence)) "; " (pounds(r.costs_recovered_pence)) } }
                }
            }
        }
    }
}

async fn render_list(
    state: &AppState,
    user: &PageUser,
    q: &FlyTipQuery,
    f: &CameraForm,
    errors: &Errors,
) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let filter = q.filter(today)?;
    let all = state
        .store
        .fly_tips(&permit, &safetynet_store::fly_tipping::FlyTipFilter { land_type: None, ..filter })
        .await?;
    let shown: Vec<_> = all.iter().filter(|t| filter.land_type.is_none_or(|l| t.land_type == Some(l))).collect();
    let cameras = state.store.cameras(&permit).await?;
    let quarter = ReturnQuarter::containing(today);
    let wdf = match user.principal.can::<ViewCrimeData>() {
        true => Some(state.store.fly_tipping_return(&user.permit::<ViewCrimeData>()?, quarter).await?),
        false => None,
    };
    let mut query = format!("from={}&to={}", filter.from, filter.to);
    if let Some(l) = filter.land_type {
        query.push_str(&format!("&land_type={}", l.as_str()));
    }
    let layers = format!(
        "/api/v1/fly-tipping/hotspots?{query} /api/v1/fly-tipping/incidents?format=geojson&{query} /api/v1/fly-tipping/cameras?format=geojson"
    );
    let by_land: Vec<(LandType, usize)> = LandType::ALL
        .iter()
        .map(|l| (*l, all.iter().filter(|t| t.land_type == Some(*l)).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let uncategorised = all.iter().filter(|t| t.land_type.is_none()).count();
    let lands = choices(LandType::ALL, LandType::as_str, LandType::label);
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes" { "Programmes" }
        h1 class="govuk-heading-l" { "Fly-tipping" }
        p class="govuk-body" { "Fly-tipping incidents you can see, in Defra's categories, where they concentrate by land type, the cameras watching the worst sites, and the enforcement that follows: fixed penalties, prosecutions and costs, ready for the quarterly WasteDataFlow return." }
        form method="get" action="/programmes/fly-tipping" class="sn-filter" novalidate {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-quarter" { (input("from", "Reported from", "date", &filter.from.to_string(), None, errors)) }
                div class="govuk-grid-column-one-quarter" { (input("to", "to", "date", &filter.to.to_string(), None, errors)) }
                div class="govuk-grid-column-one-quarter" { (select("land_type", "Land type", &lands, filter.land_type.map_or("", LandType::as_str), Some("All land types"), errors)) }
                div class="govuk-grid-column-one-quarter" { button class="govuk-button govuk-button--secondary sn-filter__button" type="submit" { "Show" } }
            }
        }
        div class="sn-map" id="fly-tipping-map" data-layer-map="" data-layers=(layers) data-tiles=(state.config.tile_url) role="region" aria-label="Map of fly-tipping hotspots, incidents and cameras" {}
        p class="govuk-body-s" { "Shading: fly-tipping density (quartic kernel, 500 m radius). Dots: incidents. Cameras: their sites." }
        h2 class="govuk-heading-m" { "By land type" }
        @if all.is_empty() {
            p class="govuk-body" { "No fly-tipping incidents reported between " (Day(filter.from)) " and " (Day(filter.to)) "." }
        } @else {
            table class="govuk-table" data-testid="land-type-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { th scope="col" class="govuk-table__header" { "Land type" } th scope="col" class="govuk-table__header govuk-table__header--numeric" { "Incidents" } } }
                tbody class="govuk-table__body" {
                    @for (l, n) in &by_land { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { a class="govuk-link" href=(format!("/programmes/fly-tipping?from={}&to={}&land_type={}", filter.from, filter.to, l.as_str())) { (l.label()) } }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (n) }
                    } }
                    @if uncategorised > 0 { tr class="govuk-table__row" { td class="govuk-table__cell" { "Not yet categorised" } td class="govuk-table__cell govuk-table__cell--numeric" { (uncategorised) } } }
                }
            }
            h2 class="govuk-heading-m" { "Incidents" }
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Fly-tipping incidents" {
                table class="govuk-table" data-testid="fly-tip-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        @for h in ["Reference", "Reported", "Where", "Land type", "Waste and size", "Actions"] { th scope="col" class="govuk-table__header" { (h) } }
                    } }
                    tbody class="govuk-table__body" {
                        @for t in shown.iter().take(TABLE_LIMIT) { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { a class="govuk-link" href=(format!("/programmes/fly-tipping/{}", t.incident_id)) { (t.reference) } }
                            td class="govuk-table__cell" { (uk_time(t.reported_at)) }
                            td class="govuk-table__cell" { (t.address) }
                            td class="govuk-table__cell" { @if let Some(l) = t.land_type { (l.label()) } @else { strong class="govuk-tag govuk-tag--yellow" { "To categorise" } } }
                            td class="govuk-table__cell" { (t.waste_type.map_or("", WasteType::label)) @if let Some(s) = t.size { br; span class="govuk-hint" { (s.label()) } } }
                            td class="govuk-table__cell" { (t.actions) }
                        } }
                    }
                }
            }
            @if shown.len() > TABLE_LIMIT { p class="govuk-body-s" { "The newest " (TABLE_LIMIT) " of " (shown.len()) " are listed; narrow the dates to see the rest." } }
        }
        @if let Some(r) = &wdf {
            h2 class="govuk-heading-m" id="return" { "WasteDataFlow return" }
            (return_table(r))
            p class="govuk-body" {
                a class="govuk-link" href=(format!("/api/v1/fly-tipping/return?year={}&quarter={}&format=csv", r.quarter.year, r.quarter.quarter)) download="" { "Download the " (r.label) " return (CSV)" }
                " in WasteDataFlow's categories. Earlier quarters: "
                code { "/api/v1/fly-tipping/return?year=2025&quarter=3&format=csv" } "."
            }
        }
        h2 class="govuk-heading-m" id="cameras" { "Cameras" }
        @if cameras.is_empty() { p class="govuk-body" { "Your agency has no camera deployments." } }
        @else {
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Camera deployments" {
                table class="govuk-table" data-testid="camera-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Site", "Up", "Down", "Captured"] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" {
                        @for c in &cameras { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (c.site) @if !c.camera.is_empty() { br; span class="govuk-hint" { (c.camera) } } }
                            td class="govuk-table__cell" { (Day(c.deployed_on)) }
                            td class="govuk-table__cell" {
                                @if let Some(d) = c.removed_on { (Day(d)) }
                                @else if user.principal.can::<EditRecords>() {
                                    details class="govuk-details sn-details--inline" {
                                        summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Take down" } }
                                        div class="govuk-details__text" {
                                            form method="post" action=(format!("/programmes/fly-tipping/cameras/{}/removal", c.id)) novalidate {
                                                (csrf_field(user))
                                                (input(&format!("removed_on-{}", c.id), "Taken down on", "date", &today.to_string(), None, errors))
                                                (input(&format!("captures-{}", c.id), "Fly-tips captured", "number", "0", None, errors))
                                                (input(&format!("vehicles-{}", c.id), "Vehicles identified", "number", "0", None, errors))
                                                (textarea(&format!("notes-{}", c.id), "What it captured", "", Some("No names."), 2, errors))
                                                button class="govuk-button govuk-button--secondary" type="submit" { "Record it" }
                                            }
                                        }
                                    }
                                } @else { "Still up" }
                            }
                            td class="govuk-table__cell" {
                                @if let (Some(n), Some(v)) = (c.captures, c.vehicles_identified) { (n) " fly-tips, " (v) " vehicles" @if !c.notes.is_empty() { br; span class="govuk-hint" { (c.notes) } } }
                            }
                        } }
                    }
                }
            }
        }
        @if user.principal.can::<EditRecords>() {
            details class="govuk-details" id="camera-form" open[!errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Put up a camera" } }
                div class="govuk-details__text" {
                    form method="post" action="/programmes/fly-tipping/cameras" novalidate {
                        (csrf_field(user))
                        (input("site", "Site", "text", &f.site, Some("e.g. Ver Valley lay-by, A5183"), errors))
                        (input("camera", "Camera reference", "text", &f.camera, None, errors))
                        div class="govuk-grid-row" {
                            div class="govuk-grid-column-one-half" { (input("latitude", "Latitude", "text", &f.latitude, Some("e.g. 51.7526"), errors)) }
                            div class="govuk-grid-column-one-half" { (input("longitude", "Longitude", "text", &f.longitude, Some("e.g. -0.3390"), errors)) }
                        }
                        (input("deployed_on", "Put up on", "date", if f.deployed_on.is_empty() { today.to_string() } else { f.deployed_on.clone() }.as_str(), None, errors))
                        button class="govuk-button" type="submit" { "Record the camera" }
                    }
                }
            }
        }
    };
    Ok(page(Some(user), Nav::Programmes, "Fly-tipping", PageOpts { map: true, ..PageOpts::default() }, body))
}

/// The camera form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CameraForm {
    site: String,
    camera: String,
    latitude: String,
    longitude: String,
    deployed_on: String,
}

fn coordinate(value: &str, field: &'static str) -> Result<f64, (&'static str, String)> {
    value.trim().parse().map_err(|_| (field, format!("Enter the {field} as a number, such as 51.7526")))
}

/// The form field a fly-tipping rule is about.
fn rule_field(rule: &str) -> &'static str {
    match rule {
        "camera_location" => "latitude",
        "fly_tip_date" => "deployed_on",
        "fly_tip_category" | "fly_tip_action_fields" => "action",
        "fpn_legal_basis_required" | "power_not_available" => "legal_basis",
        "fpn_amount_required" | "fpn_amount_above_maximum" => "amount",
        "fly_tip_outcome_fields" => "court_result",
        _ => "site",
    }
}

/// `POST /programmes/fly-tipping/cameras`.
pub async fn add_camera(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<CameraForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let command = (|| {
        Ok(NewCamera {
            site: f.site.clone(),
            camera: f.camera.clone(),
            latitude: coordinate(&f.latitude, "latitude")?,
            longitude: coordinate(&f.longitude, "longitude")?,
            deployed_on: parse_date(&f.deployed_on).ok_or(("deployed_on", "Enter the day it went up".to_string()))?,
        })
    })();
    let refused = match command {
        Err(e) => e,
        Ok(c) => match state.store.add_camera(&permit, &c, state.today(), &user.actor()).await {
            Ok(_) => return Ok(Redirect::to("/programmes/fly-tipping#cameras").into_response()),
            Err(e) => rule_error(e, rule_field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    let page = render_list(&state, &user, &FlyTipQuery::default(), &f, &errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /programmes/fly-tipping/cameras/{id}/removal`.
pub async fn remove_camera(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<crate::forms::PerRecord>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let count = |name: &str, what: &str| {
        f.of(name, &id)
            .trim()
            .parse::<u32>()
            .map_err(|_| (name.to_string(), format!("Enter the {what} as a whole number")))
    };
    let command = (|| {
        Ok(CameraRemoval {
            removed_on: parse_date(f.of("removed_on", &id))
                .ok_or(("removed_on".to_string(), "Enter the day it came down".to_string()))?,
            captures: count("captures", "fly-tips captured")?,
            vehicles_identified: count("vehicles", "vehicles identified")?,
            notes: f.of("notes", &id).to_string(),
        })
    })();
    let refused = match command {
        Err((field, message)) => (format!("{field}-{id}"), message),
        Ok(r) => match state.store.remove_camera(&permit, &id, &r, state.today(), &user.actor()).await {
            Ok(_) => return Ok(Redirect::to("/programmes/fly-tipping#cameras").into_response()),
            Err(e) => {
                let (_, message) = rule_error(e, rule_field)?;
                (format!("removed_on-{id}"), message)
            }
        },
    };
    let errors = vec![refused];
    let page = render_list(&state, &user, &FlyTipQuery::default(), &CameraForm::default(), &errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `GET /programmes/fly-tipping/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    render_one(&state, &user, &id, &Vec::new()).await
}

fn outcome_text(a: &Action) -> Markup {
    let o = &a.outcome;
    html! {
        @if let Some(d) = o.paid_on { "Paid " (Day(d)) }
        @if let (Some(r), Some(d)) = (o.court_result, o.result_on) {
            (r.label()) " " (Day(d))
            @if let Some(f) = o.fine_pence { br; "Fine " (pounds(f)) }
            @if let Some(c) = o.costs_awarded_pence { br; "Costs " (pounds(c)) ", recovered " (pounds(o.costs_recovered_pence.unwrap_or(0))) }
        }
    }
}

/// The outcome form for one action (a penalty's payment or a prosecution's result).
fn outcome_form(user: &PageUser, a: &Action, today: chrono::NaiveDate, errors: &Errors) -> Markup {
    let results = choices(CourtResult::ALL, CourtResult::as_str, CourtResult::label);
    let o = &a.outcome;
    let money = |p: Option<i64>| p.map(|p| format!("{:.2}", p as f64 / 100.0)).unwrap_or_default();
    html! {
        details class="govuk-details sn-details--inline" {
            summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Record the outcome" } }
            div class="govuk-details__text" {
                form method="post" action=(format!("/programmes/fly-tipping/actions/{}/outcome", a.id)) novalidate {
                    (csrf_field(user))
                    @if a.action == EnforcementAction::FixedPenaltyNotice {
                        (input("paid_on", "Paid on", "date", &o.paid_on.unwrap_or(today).to_string(), None, errors))
                    } @else {
                        (select("court_result", "Court result", &results, o.court_result.map_or("", CourtResult::as_str), Some("Not yet heard"), errors))
                        (input("result_on", "Day of the result", "date", &o.result_on.map(|d| d.to_string()).unwrap_or_default(), None, errors))
                        (input("fine", "Fine (£)", "text", &money(o.fine_pence), None, errors))
                        (input("costs_awarded", "Costs awarded (£)", "text", &money(o.costs_awarded_pence), None, errors))
                        (input("costs_recovered", "Costs recovered so far (£)", "text", &money(o.costs_recovered_pence), None, errors))
                    }
                    button class="govuk-button govuk-button--secondary" type="submit" { "Save the outcome" }
                }
            }
        }
    }
}

async fn render_one(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let r = state.store.fly_tip(&permit, id).await?;
    let d = r.details.as_ref();
    let mut rows = vec![("Incident", r.reference.clone())];
    if let Some(d) = d {
        rows.push(("Land type", d.land_type.label().to_string()));
        rows.push(("Waste type", d.waste_type.label().to_string()));
        rows.push(("Size", d.size.label().to_string()));
        rows.push(("Cleared", d.cleared_on.map_or("Not yet".to_string(), |c| Day(c).to_string())));
        rows.push(("Categorised by", d.recorded_by_agency.clone()));
    }
    let actions = choices(EnforcementAction::ALL, EnforcementAction::as_str, EnforcementAction::label);
    let bases: Vec<(String, String)> =
        FPN_BASES.iter().map(|b| (b.as_str().to_string(), b.label().to_string())).collect();
    let can_edit = user.principal.can::<EditRecords>();
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes/fly-tipping" { "Fly-tipping" }
        h1 class="govuk-heading-l" { "Fly-tipping " (r.reference) }
        p class="govuk-body" { a class="govuk-link" href=(format!("/incidents/{}", r.incident_id)) { "Open the incident" } " for where, when, who reported it and the people involved." }
        @if d.is_none() { div class="govuk-warning-text" { span class="govuk-warning-text__icon" aria-hidden="true" { "!" } strong class="govuk-warning-text__text" { "Not yet in Defra's categories: it is left out of the WasteDataFlow return until it is." } } }
        (summary_list(&rows))
        @if can_edit {
            details class="govuk-details" open[d.is_none()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { @if d.is_some() { "Correct the categories" } @else { "Categorise it" } } }
                div class="govuk-details__text" {
                    form method="post" action=(format!("/programmes/fly-tipping/{}/categories", r.incident_id)) novalidate {
                        (csrf_field(user))
                        (select("land_type", "Land type", &choices(LandType::ALL, LandType::as_str, LandType::label), d.map_or("", |d| d.land_type.as_str()), Some("Choose"), errors))
                        (select("waste_type", "Main waste type", &choices(WasteType::ALL, WasteType::as_str, WasteType::label), d.map_or("", |d| d.waste_type.as_str()), Some("Choose"), errors))
                        (select("size", "Size", &choices(TipSize::ALL, TipSize::as_str, TipSize::label), d.map_or("", |d| d.size.as_str()), Some("Choose"), errors))
                        (input("cleared_on", "Cleared on", "date", &d.and_then(|d| d.cleared_on).map(|c| c.to_string()).unwrap_or_default(), Some("Leave blank until it is cleared."), errors))
                        button class="govuk-button" type="submit" { "Save the categories" }
                    }
                }
            }
        }
        h2 class="govuk-heading-m" { "Enforcement" }
        @if r.actions.is_empty() { p class="govuk-body" { "No enforcement action recorded." } }
        @else {
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Enforcement actions" {
                table class="govuk-table" data-testid="action-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Taken", "Action", "By", "Outcome"] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" {
                        @for a in &r.actions { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (Day(a.taken_on)) }
                            td class="govuk-table__cell" {
                                (a.action.label())
                                @if let (Some(b), Some(p)) = (a.legal_basis, a.amount_pence) { br; span class="govuk-hint" { (b.label()) ": " (pounds(p)) } }
                                @if !a.notes.is_empty() { br; span class="govuk-hint" { (a.notes) } }
                            }
                            td class="govuk-table__cell" { (a.agency) }
                            td class="govuk-table__cell" {
                                (outcome_text(a))
                                @if can_edit && a.agency == user.principal.agency && matches!(a.action, EnforcementAction::FixedPenaltyNotice | EnforcementAction::Prosecution) {
                                    (outcome_form(user, a, today, errors))
                                }
                            }
                        } }
                    }
                }
            }
        }
        @if can_edit {
            h2 class="govuk-heading-m" { "Record an action" }
            form method="post" action=(format!("/programmes/fly-tipping/{}/actions", r.incident_id)) novalidate {
                (csrf_field(user))
                (select("action", "Action", &actions, "", None, errors))
                (input("taken_on", "Taken on", "date", &today.to_string(), None, errors))
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-two-thirds" { (select("legal_basis", "Legal basis (fixed penalty notices)", &bases, "", Some("Not a fixed penalty"), errors)) }
                    div class="govuk-grid-column-one-third" { (input("amount", "Amount (£)", "text", "", None, errors)) }
                }
                (textarea("notes", "What was done", "", Some("No names: the people are on the incident."), 3, errors))
                button class="govuk-button" type="submit" { "Record the action" }
            }
        }
    };
    Ok(page(Some(user), Nav::Programmes, &format!("Fly-tipping {}", r.reference), PageOpts::default(), body))
}

/// The categories form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CategoriesForm {
    land_type: String,
    waste_type: String,
    size: String,
    cleared_on: String,
}

/// Redirects to the fly-tip after a change, or shows the refusal at its field.
async fn after(
    state: &AppState,
    user: &PageUser,
    id: &str,
    outcome: Result<(), (&'static str, String)>,
) -> PageResult<Response> {
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("/programmes/fly-tipping/{id}")).into_response()),
        Err((field, message)) => {
            let errors = vec![(field.to_string(), message)];
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render_one(state, user, id, &errors).await?).into_response())
        }
    }
}

/// `POST /programmes/fly-tipping/{id}/categories`.
pub async fn categorise(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<CategoriesForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let command = (|| {
        Ok(NewFlyTip {
            land_type: LandType::parse(&f.land_type).ok_or(("land_type", "Choose the land type".to_string()))?,
            waste_type: WasteType::parse(&f.waste_type)
                .ok_or(("waste_type", "Choose the main waste type".to_string()))?,
            size: TipSize::parse(&f.size).ok_or(("size", "Choose the size".to_string()))?,
            cleared_on: match given(&f.cleared_on) {
                None => None,
                Some(d) => Some(parse_date(d).ok_or(("cleared_on", "Enter the day it was cleared".to_string()))?),
            },
        })
    })();
    let outcome = match command {
        Err(e) => Err(e),
        Ok(c) => match state.store.record_fly_tip(&permit, &id, &c, state.today(), &user.actor()).await {
            Ok(_) => Ok(()),
            Err(e) => Err(rule_error(e, |_| "cleared_on")?),
        },
    };
    after(&state, &user, &id, outcome).await
}

/// The action form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ActionForm {
    action: String,
    taken_on: String,
    legal_basis: String,
    amount: String,
    notes: String,
}

/// `POST /programmes/fly-tipping/{id}/actions`.
pub async fn add_action(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ActionForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let command = (|| {
        Ok(NewAction {
            action: EnforcementAction::parse(&f.action).ok_or(("action", "Choose the action".to_string()))?,
            taken_on: parse_date(&f.taken_on).ok_or(("taken_on", "Enter the day it was taken".to_string()))?,
            legal_basis: FPN_BASES.iter().copied().find(|b| b.as_str() == f.legal_basis),
            amount_pence: pence(&f.amount, "amount").map_err(|m| ("amount", m))?,
            notes: f.notes.clone(),
        })
    })();
    let outcome = match command {
        Err(e) => Err(e),
        Ok(a) => {
            let limits = &state.config.safety.fpn;
            match state.store.add_fly_tip_action(&permit, &id, &a, limits, state.today(), &user.actor()).await {
                Ok(_) => Ok(()),
                Err(e) => Err(rule_error(e, |r| if r == "fly_tip_date" { "taken_on" } else { rule_field(r) })?),
            }
        }
    };
    after(&state, &user, &id, outcome).await
}

/// The outcome form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct OutcomeForm {
    paid_on: String,
    court_result: String,
    result_on: String,
    fine: String,
    costs_awarded: String,
    costs_recovered: String,
}

/// `POST /programmes/fly-tipping/actions/{id}/outcome`.
pub async fn record_outcome(
    State(state): State<AppState>,
    Path(action_id): Path<String>,
    CsrfForm(user, f): CsrfForm<OutcomeForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let outcome = ActionOutcome {
        paid_on: parse_date(&f.paid_on),
        court_result: CourtResult::parse(&f.court_result),
        result_on: parse_date(&f.result_on),
        fine_pence: pence(&f.fine, "fine").map_err(crate::error::AppError::BadRequest)?,
        costs_awarded_pence: pence(&f.costs_awarded, "costs awarded").map_err(crate::error::AppError::BadRequest)?,
        costs_recovered_pence: pence(&f.costs_recovered, "costs recovered")
            .map_err(crate::error::AppError::BadRequest)?,
    };
    match state.store.record_action_outcome(&permit, &action_id, &outcome, state.today(), &user.actor()).await {
        Ok(r) => Ok(Redirect::to(&format!("/programmes/fly-tipping/{}", r.incident_id)).into_response()),
        Err(e) => {
            let (field, message) = rule_error(e, rule_field)?;
            let incident = state.store.fly_tip_action_incident(&user.permit::<ViewRecords>()?, &action_id).await?;
            after(&state, &user, &incident, Err((field, message))).await
        }
    }
}
