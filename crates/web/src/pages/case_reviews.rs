//! ASB Case Reviews: check a person's eligibility across all agencies,
//! record applications with their working-day clocks, and see the figures
//! the partnership must publish each year.

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageResult};
use crate::forms::{given, input, parse_date, textarea, yes_no, Errors, YesNo};
use crate::layout::{csrf_field, error_summary, page, Day, Nav, PageOpts};
use crate::params::parse_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Datelike;
use maud::html;
use safetynet_domain::case_review::{CaseReviewApplication, CaseReviewUpdate};
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
    let reviews = state.store.case_reviews(&permit, &user.actor()).await?;
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
                    td class="govuk-table__cell" { a class="govuk-link" href=(format!("/case-reviews/{}", r.id)) { (r.reference) } } td class="govuk-table__cell" { (Day(r.received_on)) }
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

/// The application form (a blank applicant kind is the victim).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ApplicationForm {
    person_id: String,
    applicant_kind: String,
    received_on: String,
}

/// `POST /case-reviews`.
pub async fn open(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<ApplicationForm>) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let received = parse_date(&f.received_on)
        .ok_or_else(|| AppError::BadRequest("enter the date the application was received".into()))?;
    let kind = given(&f.applicant_kind).unwrap_or("victim");
    let application =
        CaseReviewApplication::new(given(&f.person_id), kind, received, state.today()).map_err(AppError::BadRequest)?;
    state
        .store
        .open_case_review(
            &permit,
            &application,
            &state.config.safety.case_review,
            &state.config.safety.case_review_timescales,
            &user.actor(),
        )
        .await?;
    Ok(Redirect::to("/case-reviews").into_response())
}

async fn render(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let r = state
        .store
        .case_reviews(&permit, &user.actor())
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(AppError::NotFound("case review"))?;
    let date = |d: &Option<String>| d.clone().unwrap_or_default();
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/case-reviews" { "ASB Case Reviews" }
        span class="govuk-caption-l" { "Received " (Day(r.received_on)) " · " (r.owner_agency) }
        h1 class="govuk-heading-l" { "ASB Case Review " (r.reference) }
        @if let (Some(n), Some(met)) = (r.qualifying_on_application, r.threshold_met_on_application) {
            div class="govuk-inset-text" data-testid="on-application" {
                "On the day the application was received, " (n) " qualifying complaint" @if n != 1 { "s" } " across every agency: the threshold was "
                strong { @if met { "met" } @else { "not met" } } "."
                " " a class="govuk-link" href=(format!("/case-reviews?person={}", r.person_id.as_deref().unwrap_or_default())) { "Check it as it stands today" }
            }
        }
        dl class="govuk-summary-list" data-testid="case-review-clocks" {
            @for (k, v) in [("Acknowledge by", r.clocks.acknowledge_by.to_string()), ("Decide whether the threshold is met by", r.clocks.decide_by.to_string()), ("Hold the review meeting by", r.clocks.meeting_by.to_string())] {
                div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { (k) } dd class="govuk-summary-list__value" { (v) } }
            }
        }
        @if user.principal.can::<EditRecords>() {
            h2 class="govuk-heading-m" { "Decision, meeting and outcome" }
            form method="post" action=(format!("/case-reviews/{}", r.id)) novalidate {
                (csrf_field(user))
                (yes_no("threshold_met", "Is the threshold met?", r.threshold_met, errors))
                (input("decided_on", "Decided on", "date", &date(&r.decided_on), None, errors))
                (input("meeting_on", "Review meeting held on", "date", &date(&r.meeting_on), None, errors))
                (input("chair", "Chair", "text", &text(&r.chair), None, errors))
                (input("panel", "Panel (agencies)", "text", &text(&r.panel), None, errors))
                (yes_no("victim_attended", "Did the victim attend or contribute?", r.victim_attended, errors))
                (input("recommendations", "Recommendations made", "number", &r.recommendations.to_string(), None, errors))
                (textarea("outcome", "Outcome", &text(&r.outcome), None, 3, errors))
                (textarea("appeal", "Appeal (if any)", &text(&r.appeal), None, 2, errors))
                button class="govuk-button" type="submit" data-testid="save-case-review" { "Save" }
            }
        } @else {
            p class="govuk-body" { "Threshold: " (match r.threshold_met { Some(true) => "met", Some(false) => "not met", None => "not decided" }) ". " (text(&r.outcome)) }
        }
    };
    Ok(page(Some(user), Nav::CaseReviews, &format!("ASB Case Review {}", r.reference), PageOpts::default(), body))
}

/// `GET /case-reviews/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    render(&state, &user, &id, &Errors::new()).await
}

/// The decision form: yes/no radios, dates as the browser sends them and
/// blank text as not given; checked by [`CaseReviewUpdate::check`] as the
/// API's update is.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct DecisionForm {
    #[serde(deserialize_with = "serde_html_form::de::empty_as_none")]
    threshold_met: Option<YesNo>,
    decided_on: String,
    meeting_on: String,
    chair: String,
    panel: String,
    #[serde(deserialize_with = "serde_html_form::de::empty_as_none")]
    victim_attended: Option<YesNo>,
    recommendations: String,
    outcome: String,
    appeal: String,
}

impl DecisionForm {
    /// The update the API takes, or the field at fault and why.
    fn into_update(self) -> Result<CaseReviewUpdate, (&'static str, AppError)> {
        let date = |field: &'static str, v: &str, what: &str| match given(v) {
            None => Ok(None),
            Some(v) => parse_date(v)
                .map(Some)
                .ok_or_else(|| (field, AppError::BadRequest(format!("enter the date {what} as a date")))),
        };
        let recommendations = match given(&self.recommendations) {
            None => 0,
            Some(n) => n.parse::<i64>().map_err(|_| {
                (
                    "recommendations",
                    AppError::BadRequest("enter the number of recommendations as a whole number".into()),
                )
            })?,
        };
        let text = |v: &str| given(v).map(String::from);
        Ok(CaseReviewUpdate {
            threshold_met: self.threshold_met.map(YesNo::is_yes),
            decided_on: date("decided_on", &self.decided_on, "it was decided")?,
            meeting_on: date("meeting_on", &self.meeting_on, "of the meeting")?,
            chair: text(&self.chair),
            panel: text(&self.panel),
            victim_attended: self.victim_attended.map(YesNo::is_yes),
            recommendations,
            outcome: text(&self.outcome),
            appeal: text(&self.appeal),
        })
    }
}

/// `POST /case-reviews/{id}`: record the decision, meeting, outcome and appeal.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<DecisionForm>,
) -> PageResult<Response> {
    let mut at = "outcome";
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let update = super::noting(f.into_update(), &mut at)?;
        state.store.update_case_review(&permit, &id, &update, &user.actor()).await?;
        Ok(())
    }
    .await;
    super::form_result(r, &format!("/case-reviews/{id}"), at, |errors| async move {
        render(&state, &user, &id, &errors).await
    })
    .await
}
