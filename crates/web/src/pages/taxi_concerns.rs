//! Concerns about licensed drivers shared with the police: the section and
//! form on a driver's page (the licensing council), and the list of
//! concerns shared with a police agency.

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{input, parse_date, rule_error, select, textarea, Errors};
use crate::layout::{csrf_field, page, Day, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::powers::Sector;
use safetynet_domain::taxi::NewConcern;
use safetynet_store::taxi::DriverRecord;

/// The police agencies a concern may be shared with: (code, name).
pub async fn police_agencies(state: &AppState) -> PageResult<Vec<(String, String)>> {
    let all = state.store.agencies().await?;
    Ok(all.into_iter().filter(|a| a.sector == Some(Sector::Police)).map(|a| (a.code.to_string(), a.name)).collect())
}

/// The driver page's concerns, with the form to share one.
pub fn section(
    user: &PageUser,
    r: &DriverRecord,
    police: &[(String, String)],
    today: chrono::NaiveDate,
    errors: &Errors,
) -> Markup {
    let default = police.first().map_or("", |(code, _)| code.as_str());
    html! {
        h2 class="govuk-heading-m" id="concerns" { "Concerns shared with the police" }
        @if r.concerns.is_empty() { p class="govuk-body" { "None shared." } }
        @else {
            table class="govuk-table" data-testid="concern-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Raised", "Concern", "Shared with"] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" {
                    @for c in &r.concerns { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (Day(c.raised_on)) }
                        td class="govuk-table__cell" { (c.details) }
                        td class="govuk-table__cell" { (c.shared_with) br; span class="govuk-hint" { (c.lawful_basis) } }
                    } }
                }
            }
        }
        @if user.principal.can::<EditRecords>() && !police.is_empty() {
            details class="govuk-details" id="concern-form" open[errors.iter().any(|(f, _)| f.starts_with("concern"))] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Share a concern with the police" } }
                div class="govuk-details__text" {
                    form method="post" action=(format!("/programmes/taxi/{}/concerns", r.driver.id)) novalidate {
                        (csrf_field(user))
                        (input("concern_raised_on", "Raised on", "date", &today.to_string(), None, errors))
                        (textarea("concern_details", "The concern", "", None, 4, errors))
                        (select("concern_share_with", "Share with", police, default, None, errors))
                        (input("concern_lawful_basis", "Lawful basis for sharing", "text", "", Some("e.g. Crime and Disorder Act 1998 s115"), errors))
                        button class="govuk-button govuk-button--warning" type="submit" { "Share with the police" }
                    }
                }
            }
        }
    }
}

/// The concern form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ConcernForm {
    concern_raised_on: String,
    concern_details: String,
    concern_share_with: String,
    concern_lawful_basis: String,
}

/// `POST /programmes/taxi/{id}/concerns`.
pub async fn share(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ConcernForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let refused = match parse_date(&f.concern_raised_on) {
        None => ("concern_raised_on", "Enter the day the concern was raised".to_string()),
        Some(raised_on) => {
            let new = NewConcern {
                raised_on,
                details: f.concern_details.clone(),
                share_with: f.concern_share_with.clone(),
                lawful_basis: f.concern_lawful_basis.clone(),
            };
            match state.store.share_driver_concern(&permit, &id, &new, state.today(), &user.actor()).await {
                Ok(_) => return Ok(Redirect::to(&format!("/programmes/taxi/{id}#concerns")).into_response()),
                Err(e) => rule_error(e, |rule| match rule {
                    "concern_date" => "concern_raised_on",
                    "concern_lawful_basis" => "concern_lawful_basis",
                    "concern_share_police" => "concern_share_with",
                    _ => "concern_details",
                })?,
            }
        }
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, super::taxi::render_one(&state, &user, &id, &errors).await?).into_response())
}

/// `GET /programmes/taxi/concerns`: the concerns shared with the caller's agency.
pub async fn shared(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let list = state.store.shared_concerns(&permit, &user.actor()).await?;
    let body = html! {
        a class="govuk-back-link" href="/programmes" { "Programmes" }
        h1 class="govuk-heading-l" { "Concerns about licensed drivers" }
        p class="govuk-body" { "Concerns a licensing council has shared with your agency about taxi and private hire drivers it licenses, each with the lawful basis it was shared under. Opening this list is audited." }
        @if list.is_empty() { p class="govuk-body" { "No concerns have been shared with your agency." } }
        @else {
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Concerns shared with your agency" {
                table class="govuk-table" data-testid="shared-concern-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Raised", "Driver", "Concern", "From"] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" {
                        @for c in &list { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (Day(c.concern.raised_on)) }
                            td class="govuk-table__cell" { (c.full_name) br; span class="govuk-hint" { (c.licence_number) ", " (c.licence_kind.label().to_lowercase()) } }
                            td class="govuk-table__cell" { (c.concern.details) }
                            td class="govuk-table__cell" { (c.licensing_agency) br; span class="govuk-hint" { (c.concern.lawful_basis) } }
                        } }
                    }
                }
            }
        }
    };
    Ok(page(Some(&user), Nav::Programmes, "Concerns about licensed drivers", PageOpts::default(), body))
}
