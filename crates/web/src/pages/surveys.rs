//! Priority Setting Forum surveys for staff: the list with response
//! counts, creating one (CSP manager), and the full results by area (the
//! public summary shows them under disclosure control).

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::forms::{given, input, parse_date, select, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, Day, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use maud::html;
use safetynet_domain::meeting::{Disclosed, MeetingKind, DEFAULT_DISCLOSURE_THRESHOLD};
use safetynet_domain::policy::{ManagePartnershipWork, ViewCrimeData};

/// The form that starts a survey: the priorities and areas one a line,
/// dates as the browser sends them.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SurveyForm {
    series: String,
    title: String,
    options: String,
    areas: String,
    opens_on: String,
    closes_on: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines().filter_map(given).map(String::from).collect()
}

/// `GET /surveys`.
pub async fn list(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    user.permit::<ViewCrimeData>()?;
    render(&state, &user, &SurveyForm::default(), &Errors::new()).await
}

async fn render(state: &AppState, user: &PageUser, form: &SurveyForm, errors: &Errors) -> PageResult<Html<String>> {
    let surveys = state.store.surveys(None).await?;
    let forums: Vec<(String, String)> = state
        .store
        .series()
        .await?
        .into_iter()
        .filter(|s| s.kind == MeetingKind::Psf)
        .map(|s| (s.code, s.title))
        .collect();
    let mut counts = Vec::new();
    for s in &surveys {
        let results = state.store.survey_results(&s.id, i64::MAX).await?;
        counts.push(results.first().map_or(0, |r| r.responses));
    }
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/meetings" { "Meetings" }
        h1 class="govuk-heading-l" { "Residents' surveys" }
        p class="govuk-body" { "Residents choose and rank local priorities for their Priority Setting Forum, without an account. Share the public link; results go into the forum's pack." }
        @if surveys.is_empty() { p class="govuk-body" { "No surveys yet." } }
        @else {
            table class="govuk-table" data-testid="surveys" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Survey", "Open", "Responses", "Public link"] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" { @for (s, n) in surveys.iter().zip(&counts) { tr class="govuk-table__row" {
                    td class="govuk-table__cell" { a class="govuk-link" href=(format!("/surveys/{}", s.id)) { (s.title) } }
                    td class="govuk-table__cell" { (Day(s.opens_on)) " to " (Day(s.closes_on)) @if s.is_open(state.today()) { " " strong class="govuk-tag govuk-tag--green" { "Open" } } }
                    td class="govuk-table__cell" { (n) }
                    td class="govuk-table__cell" { a class="govuk-link" href=(format!("/public/surveys/{}", s.id)) { "/public/surveys/" (s.id) } }
                } } }
            }
        }
        @if user.principal.can::<ManagePartnershipWork>() && !forums.is_empty() {
            h2 class="govuk-heading-m" { "Start a survey" }
            form method="post" action="/surveys" novalidate {
                (csrf_field(user))
                (select("series", "Forum", &forums, &form.series, None, errors))
                (input("title", "Title", "text", &form.title, None, errors))
                (textarea("options", "Priorities to rank (one per line)", &form.options, None, 6, errors))
                (textarea("areas", "Areas residents choose from (one per line)", &form.areas, Some("Places residents recognise: towns, villages, neighbourhoods."), 6, errors))
                (input("opens_on", "Opens", "date", &form.opens_on, None, errors))
                (input("closes_on", "Closes", "date", &form.closes_on, None, errors))
                button class="govuk-button" type="submit" { "Start survey" }
            }
        }
    };
    Ok(page(Some(user), Nav::Meetings, "Residents' surveys", PageOpts::default(), body))
}

/// `POST /surveys`.
pub async fn create(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<SurveyForm>) -> PageResult<Response> {
    let mut at = "title";
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        at = "opens_on";
        let opens =
            parse_date(&f.opens_on).ok_or_else(|| AppError::BadRequest("enter the day the survey opens".into()))?;
        at = "closes_on";
        let closes =
            parse_date(&f.closes_on).ok_or_else(|| AppError::BadRequest("enter the day the survey closes".into()))?;
        at = "options";
        let (options, areas) = (lines(&f.options), lines(&f.areas));
        let s = state
            .store
            .create_survey(&permit, &f.series, &f.title, &options, &areas, opens, closes, &user.actor())
            .await?;
        Ok::<_, PageError>(s.id)
    }
    .await;
    let (outcome, success) = match r {
        Ok(id) => (Ok(()), format!("/surveys/{id}")),
        Err(e) => (Err(e), String::new()),
    };
    super::form_result(outcome, &success, at, |errors| async move { render(&state, &user, &f, &errors).await }).await
}

/// `GET /surveys/{id}`: full results by area.
pub async fn results(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
    user.permit::<ViewCrimeData>()?;
    let s = state.store.survey(&id).await?;
    let results = state.store.survey_results(&id, i64::MAX).await?;
    let (total, areas) = match results.split_first() {
        Some((all, areas)) => (all.responses, areas.iter().map(|r| r.responses).collect::<Vec<_>>()),
        None => (0, Vec::new()),
    };
    let (total_shown, areas_shown) = Disclosed::of_parts(total, &areas, DEFAULT_DISCLOSURE_THRESHOLD);
    let published: Vec<Disclosed> = std::iter::once(total_shown).chain(areas_shown).collect();
    let body = html! {
        a class="govuk-back-link" href="/surveys" { "Surveys" }
        span class="govuk-caption-l" { (Day(s.opens_on)) " to " (Day(s.closes_on)) }
        h1 class="govuk-heading-l" { (s.title) }
        p class="govuk-body" { "Public link: " a class="govuk-link" href=(format!("/public/surveys/{}", s.id)) { "/public/surveys/" (s.id) } ". Points: a first choice scores " (s.options.len()) ", a second one less, and so on (Borda count)." }
        p class="govuk-body" { "These are the full counts, for staff. The public summary and the forum's pack publish them under disclosure control: areas with fewer than " (DEFAULT_DISCLOSURE_THRESHOLD) " responses are suppressed and, when any is, the total for all areas is not shown either." }
        @for (r, shown) in results.iter().zip(&published) {
            h2 class="govuk-heading-m" { (r.area) " " span class="govuk-caption-m" data-testid="survey-published" { (r.responses) " responses (published as: " (shown.text()) ")" } }
            @if r.responses > 0 {
                table class="govuk-table" data-testid="survey-results" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Priority", "Points", "First choices"] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" { @for (o, p, f) in &r.ranking { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (o) } td class="govuk-table__cell" { (p) } td class="govuk-table__cell" { (f) }
                    } } }
                }
            }
        }
    };
    Ok(page(Some(&user), Nav::Meetings, &s.title, PageOpts::default(), body))
}
