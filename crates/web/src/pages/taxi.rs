//! The taxi and private hire driver register for the council's licensing
//! team: every driver with where they stand against the six-monthly DBS
//! check (overdue and due soon first), the share checked (the strategy's
//! 100% target), and one driver with their checks and training.

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{checkbox, choices, input, parse_date, rule_error, select, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, summary_list, Day, Nav, PageOpts};
use crate::params::parse_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use safetynet_domain::measures::{describe, MeasureSource};
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::taxi::{DbsResult, DbsState, LicenceKind, NewDbsCheck, NewDriver, DUE_SOON_DAYS};

#[derive(Debug, Default, serde::Deserialize)]
struct Query {
    #[serde(default)]
    state: Option<DbsState>,
}

/// A driver's state as a coloured tag.
fn state_tag(s: DbsState) -> Markup {
    let colour = match s {
        DbsState::Current => "govuk-tag--green",
        DbsState::DueSoon => "govuk-tag--orange",
        DbsState::Overdue => "govuk-tag--red",
        DbsState::LicenceExpired => "govuk-tag--grey",
    };
    html! { strong class={ "govuk-tag " (colour) } data-state=(s.as_str()) { (s.label()) } }
}

/// `GET /programmes/taxi?state=`.
pub async fn list(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let q: Query = parse_query(raw.as_deref())?;
    render_list(&state, &user, q.state, &DriverForm::default(), &Vec::new()).await
}

async fn render_list(
    state: &AppState,
    user: &PageUser,
    only: Option<DbsState>,
    f: &DriverForm,
    errors: &Errors,
) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let all = state.store.drivers(&permit, today, None, &user.actor()).await?;
    let count = |s: DbsState| all.iter().filter(|d| d.dbs_state == s).count();
    let in_force = all.len() - count(DbsState::LicenceExpired);
    let checked = count(DbsState::Current) + count(DbsState::DueSoon);
    let counts = safetynet_domain::measures::Counts { count: checked as i64, of: Some(in_force as i64), also: None };
    let share = describe(MeasureSource::TaxiDbsChecked, counts, Some(100.0), today, today);
    let trained =
        all.iter().filter(|d| d.dbs_state != DbsState::LicenceExpired && d.safeguarding_trained_on.is_some()).count();
    let shown: Vec<_> = all.iter().filter(|d| only.is_none_or(|s| d.dbs_state == s)).collect();
    let kinds: Vec<(String, String)> = choices(LicenceKind::ALL, LicenceKind::as_str, LicenceKind::label);
    let filter = |s: Option<DbsState>, label: String| {
        let href = s.map_or("/programmes/taxi".to_string(), |s| format!("/programmes/taxi?state={}", s.as_str()));
        html! { li { a class="govuk-link" href=(href) aria-current=[(only == s).then_some("page")] { (label) } } }
    };
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes" { "Programmes" }
        h1 class="govuk-heading-l" { "Taxi and private hire drivers" }
        p class="govuk-body" { "Every licensed driver's DBS certificate is checked through the DBS update service every six months. A check is due six months after the last; drivers due within " (DUE_SOON_DAYS) " days are flagged." }
        div class="govuk-grid-row" {
            div class="govuk-grid-column-one-quarter" { div class="sn-stat" { span class="govuk-body-s" { "Checked within 6 months" } span class="sn-stat__value" { (share.figure.map_or("None".to_string(), |f| format!("{f:.0}%"))) } } }
            div class="govuk-grid-column-one-quarter" { div class={ "sn-stat" @if count(DbsState::Overdue) > 0 { " sn-action--overdue" } } { span class="govuk-body-s" { "Overdue" } span class="sn-stat__value" { (count(DbsState::Overdue)) } } }
            div class="govuk-grid-column-one-quarter" { div class="sn-stat" { span class="govuk-body-s" { "Due within " (DUE_SOON_DAYS) " days" } span class="sn-stat__value" { (count(DbsState::DueSoon)) } } }
            div class="govuk-grid-column-one-quarter" { div class="sn-stat" { span class="govuk-body-s" { "Safeguarding trained" } span class="sn-stat__value" { (trained) " of " (in_force) } } }
        }
        p class="govuk-body" data-testid="dbs-share" { strong { (share.text) } ". The strategy's target is 100%." }
        ul class="govuk-list sn-inline-list" aria-label="Show" {
            (filter(None, format!("All ({})", all.len())))
            @for s in [DbsState::Overdue, DbsState::DueSoon, DbsState::Current, DbsState::LicenceExpired] {
                (filter(Some(s), format!("{} ({})", s.label(), count(s))))
            }
        }
        @if shown.is_empty() {
            p class="govuk-body" { "No drivers to show." }
        } @else {
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Drivers" {
                table class="govuk-table" data-testid="driver-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        @for h in ["Driver", "Licence", "Licence ends", "Last DBS check", "Next due", "Status"] { th scope="col" class="govuk-table__header" { (h) } }
                    } }
                    tbody class="govuk-table__body" {
                        @for d in &shown { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { a class="govuk-link" href=(format!("/programmes/taxi/{}", d.id)) { (d.full_name) } }
                            td class="govuk-table__cell" { (d.licence_number) br; span class="govuk-hint" { (d.licence_kind.label()) } }
                            td class="govuk-table__cell" { (Day(d.licence_expires)) }
                            td class="govuk-table__cell" { @if let Some(c) = d.last_checked_on { (Day(c)) } @else { "Never" } }
                            td class="govuk-table__cell" { @if let Some(n) = d.next_check_due { (Day(n)) } @else { "Now" } }
                            td class="govuk-table__cell" {
                                (state_tag(d.dbs_state))
                                @if d.last_result == Some(DbsResult::NewInformation) { br; strong class="govuk-tag govuk-tag--red govuk-!-margin-top-1" { "New information" } }
                            }
                        } }
                    }
                }
            }
        }
        @if user.principal.can::<EditRecords>() {
            details class="govuk-details" id="driver-form" open[!errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Add a driver" } }
                div class="govuk-details__text" {
                    form method="post" action="/programmes/taxi" novalidate {
                        (csrf_field(user))
                        (input("licence_number", "Licence number", "text", &f.licence_number, None, errors))
                        (input("full_name", "Full name", "text", &f.full_name, None, errors))
                        (select("licence_kind", "Licence", &kinds, &f.licence_kind, None, errors))
                        (input("licence_expires", "Licence ends on", "date", &f.licence_expires, None, errors))
                        (input("safeguarding_trained_on", "Safeguarding training completed on", "date", &f.safeguarding_trained_on, Some("Leave blank if not yet done."), errors))
                        div class="govuk-checkboxes govuk-checkboxes--small govuk-!-margin-bottom-4" { (checkbox("update_service", "Subscribed to the DBS update service", f.update_service == "true")) }
                        button class="govuk-button" type="submit" { "Add the driver" }
                    }
                }
            }
        }
    };
    Ok(page(Some(user), Nav::Programmes, "Taxi and private hire drivers", PageOpts::default(), body))
}

/// The new driver form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DriverForm {
    licence_number: String,
    full_name: String,
    licence_kind: String,
    licence_expires: String,
    safeguarding_trained_on: String,
    update_service: String,
}

impl DriverForm {
    fn command(&self) -> Result<NewDriver, (&'static str, String)> {
        Ok(NewDriver {
            licence_number: self.licence_number.clone(),
            full_name: self.full_name.clone(),
            licence_kind: LicenceKind::parse(&self.licence_kind)
                .ok_or(("licence_kind", "Choose the licence".to_string()))?,
            licence_expires: parse_date(&self.licence_expires)
                .ok_or(("licence_expires", "Enter the day the licence ends".to_string()))?,
            update_service: self.update_service == "true",
            safeguarding_trained_on: parse_date(&self.safeguarding_trained_on),
        })
    }
}

/// The form field a driver rule is about.
fn rule_field(rule: &str) -> &'static str {
    match rule {
        "driver_licence_number" | "licensing_authority_only" => "licence_number",
        "driver_training_date" => "safeguarding_trained_on",
        "dbs_check_date" => "checked_on",
        "dbs_notes_required" => "notes",
        "driver_licence_expires" => "licence_expires",
        _ => "full_name",
    }
}

/// `POST /programmes/taxi`.
pub async fn add(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<DriverForm>) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let refused = match f.command() {
        Err(e) => e,
        Ok(new) => match state.store.add_driver(&permit, &new, state.today(), &user.actor()).await {
            Ok(d) => return Ok(Redirect::to(&format!("/programmes/taxi/{}", d.id)).into_response()),
            Err(safetynet_store::StoreError::Conflict(what)) => {
                ("licence_number", format!("{what} is already on the register"))
            }
            Err(e) => rule_error(e, rule_field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_list(&state, &user, None, &f, &errors).await?).into_response())
}

/// `GET /programmes/taxi/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    render_one(&state, &user, &id, &Vec::new()).await
}

/// One driver's page, with `errors` at their fields.
pub(super) async fn render_one(
    state: &AppState,
    user: &PageUser,
    id: &str,
    errors: &Errors,
) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let r = state.store.driver(&permit, id, today, &user.actor()).await?;
    let d = &r.driver;
    let police = super::taxi_concerns::police_agencies(state).await?;
    let results: Vec<(String, String)> = choices(DbsResult::ALL, DbsResult::as_str, DbsResult::label);
    let rows = [
        ("Licence", format!("{} ({})", d.licence_number, d.licence_kind.label())),
        ("Licence ends", Day(d.licence_expires).to_string()),
        ("DBS update service", if d.update_service { "Subscribed".into() } else { "Not subscribed".into() }),
        ("Next DBS check due", d.next_check_due.map_or("Now: never checked".into(), |n| Day(n).to_string())),
        (
            "Safeguarding training",
            d.safeguarding_trained_on.map_or("Not recorded".into(), |t| format!("Completed {}", Day(t))),
        ),
    ];
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes/taxi" { "Taxi and private hire drivers" }
        h1 class="govuk-heading-l" { (d.full_name) }
        (state_tag(d.dbs_state))
        (summary_list(&rows))
        h2 class="govuk-heading-m" { "DBS checks" }
        @if r.checks.is_empty() { p class="govuk-body" { "No checks recorded." } }
        @else {
            table class="govuk-table" data-testid="check-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Checked", "Result", "Notes"] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" {
                    @for c in &r.checks { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (Day(c.checked_on)) }
                        td class="govuk-table__cell" { (c.result.label()) }
                        td class="govuk-table__cell" { (c.notes) }
                    } }
                }
            }
        }
        @if user.principal.can::<EditRecords>() {
            h3 class="govuk-heading-s" { "Record a check" }
            form method="post" action=(format!("/programmes/taxi/{}/checks", d.id)) novalidate {
                (csrf_field(user))
                (input("checked_on", "Checked on", "date", &today.to_string(), None, errors))
                (select("result", "Result", &results, "clear", None, errors))
                (textarea("notes", "Notes", "", Some("With new information, say what happens next (the licence is reviewed)."), 3, errors))
                button class="govuk-button" type="submit" { "Record the check" }
            }
            h3 class="govuk-heading-s" { "Licence renewed" }
            form method="post" action=(format!("/programmes/taxi/{}/licence", d.id)) novalidate {
                (csrf_field(user))
                (input("licence_expires", "The renewed licence's last day", "date", "", None, errors))
                button class="govuk-button govuk-button--secondary" type="submit" { "Record the renewal" }
            }
            h3 class="govuk-heading-s" { "Safeguarding training" }
            form method="post" action=(format!("/programmes/taxi/{}/training", d.id)) novalidate {
                (csrf_field(user))
                (input("trained_on", "Completed on", "date", &today.to_string(), None, errors))
                button class="govuk-button govuk-button--secondary" type="submit" { "Record training" }
            }
        }
        (super::taxi_concerns::section(user, &r, &police, today, errors))
    };
    Ok(page(Some(user), Nav::Programmes, &d.full_name, PageOpts::default(), body))
}

/// The check form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CheckForm {
    checked_on: String,
    result: String,
    notes: String,
}

/// `POST /programmes/taxi/{id}/checks`.
pub async fn add_check(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<CheckForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let command = (|| {
        Ok(NewDbsCheck {
            checked_on: parse_date(&f.checked_on).ok_or(("checked_on", "Enter the day of the check".to_string()))?,
            result: DbsResult::parse(&f.result).ok_or(("result", "Choose the result".to_string()))?,
            notes: f.notes.clone(),
        })
    })();
    let refused = match command {
        Err(e) => e,
        Ok(c) => match state.store.add_dbs_check(&permit, &id, &c, state.today(), &user.actor()).await {
            Ok(_) => return Ok(Redirect::to(&format!("/programmes/taxi/{id}")).into_response()),
            Err(e) => rule_error(e, |r| if r == "driver_text" { "notes" } else { rule_field(r) })?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_one(&state, &user, &id, &errors).await?).into_response())
}

/// The training form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TrainingForm {
    trained_on: String,
}

/// `POST /programmes/taxi/{id}/training`.
pub async fn record_training(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<TrainingForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let refused = match parse_date(&f.trained_on) {
        None => ("trained_on", "Enter the day training was completed".to_string()),
        Some(on) => match state.store.record_driver_training(&permit, &id, on, state.today(), &user.actor()).await {
            Ok(_) => return Ok(Redirect::to(&format!("/programmes/taxi/{id}")).into_response()),
            Err(e) => rule_error(e, |_| "trained_on")?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_one(&state, &user, &id, &errors).await?).into_response())
}

/// The renewal form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RenewalForm {
    licence_expires: String,
}

/// `POST /programmes/taxi/{id}/licence`.
pub async fn renew_licence(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<RenewalForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let refused = match parse_date(&f.licence_expires) {
        None => ("licence_expires", "Enter the renewed licence's last day".to_string()),
        Some(on) => match state.store.renew_licence(&permit, &id, on, state.today(), &user.actor()).await {
            Ok(_) => return Ok(Redirect::to(&format!("/programmes/taxi/{id}")).into_response()),
            Err(e) => rule_error(e, |_| "licence_expires")?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_one(&state, &user, &id, &errors).await?).into_response())
}
