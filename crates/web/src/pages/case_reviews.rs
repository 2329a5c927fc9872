//! ASB Case Reviews: check a person's eligibility across all agencies,
//! record applications with their working-day clocks, and see the figures
//! the partnership must publish each year.

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageResult};
use crate::forms::{field, opt_field, parse_date};
use crate::layout::{csrf_field, page, Nav, PageOpts};
use crate::params::parse_query;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use maud::html;
use safetynet_domain::policy::{EditRecords, ViewRecords};

#[derive(Debug, Default, serde::Deserialize)]
struct Query {
    #[serde(default)]
    person: Option<String>,
}

/// `GET /case-reviews?person=`.
pub async fn list(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: Query = parse_query(raw.as_deref())?;
    let eligibility = match q.person.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Some(
            state
                .store
                .case_review_eligibility(&permit, p, &state.config.safety.case_review, state.clock.now(), &user.actor())
                .await?,
        ),
        None => None,
    };
    let reviews = state.store.case_reviews(&permit).await?;
    let year = state.today().year();
    let figures = state.store.case_review_figures(year).await?;
    let rules = &state.config.safety.case_review;
    let body = html! {
        h1 class="govuk-heading-l" { "ASB Case Reviews" }
        p class="govuk-body" { "The threshold here: " (rules.threshold) " qualifying complaints in " (rules.window_months) " months, each made within " (rules.report_within_months) " month of the behaviour, counted across every agency." }
        @if let (Some(e), Some(person)) = (&eligibility, &q.person) {
            div class={ "govuk-panel " @if e.eligibility.threshold_met { "govuk-panel--confirmation" } } data-testid="eligibility" {
                @if e.eligibility.threshold_met { h2 class="govuk-panel__title" { "Threshold met" } } @else { h2 class="govuk-heading-m" { "Threshold not met" } }
                div class="govuk-panel__body govuk-!-font-size-19" { (e.eligibility.count) " of " (e.eligibility.threshold) " qualifying complaints" }
            }
            @if e.eligibility.prompt_officer {
                div class="govuk-warning-text" data-testid="prompt" { span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                    strong class="govuk-warning-text__text" { "One more qualifying complaint meets the threshold: tell the victim about the ASB Case Review now." } }
            }
            ul class="govuk-list govuk-list--bullet" { @for r in &e.eligibility.reasons { li { (r) } } }
            @if !e.other_agencies.is_empty() {
                p class="govuk-body" { "Counted from other agencies' records: " @for a in &e.other_agencies { strong { (a.contact_agency) } " (" (a.records) ") " } }
            }
            @if user.principal.can::<EditRecords>() {
                form method="post" action="/case-reviews" {
                    (csrf_field(&user))
                    input type="hidden" name="person_id" value=(person);
                    input type="hidden" name="applicant_kind" value="victim";
                    div class="govuk-form-group" { label class="govuk-label" for="received_on" { "Application received on" }
                        input class="govuk-input govuk-input--width-10" id="received_on" name="received_on" type="date" value=(state.today().to_string()); }
                    button class="govuk-button" type="submit" { "Record an application" }
                }
            }
        }
        h2 class="govuk-heading-m" { "Applications handled by your agency" }
        table class="govuk-table" data-testid="case-review-table" {
            thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Reference", "Received", "Acknowledge by", "Decide by", "Meeting by", "Threshold", "Outcome"] { th scope="col" class="govuk-table__header" { (h) } } } }
            tbody class="govuk-table__body" {
                @for r in &reviews { tr class="govuk-table__row" {
                    td class="govuk-table__cell" { (r.reference) } td class="govuk-table__cell" { (r.received_on) }
                    td class="govuk-table__cell" { (r.clocks.acknowledge_by.to_string()) } td class="govuk-table__cell" { (r.clocks.decide_by.to_string()) }
                    td class="govuk-table__cell" { (r.clocks.meeting_by.to_string()) }
                    td class="govuk-table__cell" { (match r.threshold_met { Some(true) => "Met", Some(false) => "Not met", None => "Not decided" }) }
                    td class="govuk-table__cell" { (r.outcome.as_deref().unwrap_or("")) }
                } }
            }
        }
        h2 class="govuk-heading-m" { "Published figures, " (year) }
        dl class="govuk-summary-list" data-testid="figures" {
            @for (k, v) in [("Applications", figures.applications), ("Threshold met", figures.threshold_met), ("Reviews held", figures.reviews_held), ("Recommendations made", figures.recommendations)] {
                div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { (k) } dd class="govuk-summary-list__value" { (v) } }
            }
        }
    };
    Ok(page(Some(&user), Nav::CaseReviews, "ASB Case Reviews", PageOpts::default(), body))
}

/// `POST /case-reviews`.
pub async fn open(
    State(state): State<AppState>,
    CsrfForm(user, pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    user.permit::<EditRecords>()?;
    let received = parse_date(field(&pairs, "received_on"))
        .ok_or_else(|| AppError::BadRequest("enter the date the application was received".into()))?;
    if received > state.today() {
        return Err(AppError::BadRequest("the application cannot be received in the future".into()).into());
    }
    let person = opt_field(&pairs, "person_id");
    let kind = opt_field(&pairs, "applicant_kind").unwrap_or_else(|| "victim".into());
    state
        .store
        .open_case_review(
            &permit,
            person.as_deref(),
            &kind,
            received,
            &state.config.safety.case_review_timescales,
            &user.actor(),
        )
        .await?;
    Ok(Redirect::to("/case-reviews").into_response())
}
