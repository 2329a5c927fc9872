//! Priority Setting Forum surveys for staff: the list with response
//! counts, creating one (CSP manager), and the full results by area (the
//! public summary shows them under disclosure control).

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::forms::{field, input, parse_date, select, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use maud::html;
use safetynet_domain::meeting::{Disclosed, MeetingKind, DEFAULT_DISCLOSURE_THRESHOLD};
use safetynet_domain::policy::{ManagePartnershipWork, ViewCrimeData};

type Form = CsrfForm<Vec<(String, String)>>;

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// `GET /surveys`.
pub async fn list(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    user.permit::<ViewCrimeData>()?;
    render(&state, &user, &[], &Errors::new()).await
}

async fn render(
    state: &AppState,
    user: &PageUser,
    form: &[(String, String)],
    errors: &Errors,
) -> PageResult<Html<String>> {
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
    let v = |n: &str| field(form, n).to_string();
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
                    td class="govuk-table__cell" { (s.opens_on) " to " (s.closes_on) @if s.is_open(state.today()) { " " strong class="govuk-tag govuk-tag--green" { "Open" } } }
                    td class="govuk-table__cell" { (n) }
                    td class="govuk-table__cell" { a class="govuk-link" href=(format!("/public/surveys/{}", s.id)) { "/public/surveys/" (s.id) } }
                } } }
            }
        }
        @if user.principal.can::<ManagePartnershipWork>() && !forums.is_empty() {
            h2 class="govuk-heading-m" { "Start a survey" }
            form method="post" action="/surveys" novalidate {
                (csrf_field(user))
                (select("series", "Forum", &forums, &v("series"), None, errors))
                (input("title", "Title", "text", &v("title"), None, errors))
                (textarea("options", "Priorities to rank (one per line)", &v("options"), None, 6, errors))
                (textarea("areas", "Areas residents choose from (one per line)", &v("areas"), Some("Places residents recognise: towns, villages, neighbourhoods."), 6, errors))
                (input("opens_on", "Opens", "date", &v("opens_on"), None, errors))
                (input("closes_on", "Closes", "date", &v("closes_on"), None, errors))
                button class="govuk-button" type="submit" { "Start survey" }
            }
        }
    };
    Ok(page(Some(user), Nav::Meetings, "Residents' surveys", PageOpts::default(), body))
}

/// `POST /surveys`.
pub async fn create(State(state): State<AppState>, CsrfForm(user, pairs): Form) -> PageResult<Response> {
    let mut at = "title";
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        at = "opens_on";
        let opens = parse_date(field(&pairs, "opens_on"))
            .ok_or_else(|| AppError::BadRequest("enter the day the survey opens".into()))?;
        at = "closes_on";
        let closes = parse_date(field(&pairs, "closes_on"))
            .ok_or_else(|| AppError::BadRequest("enter the day the survey closes".into()))?;
        at = "options";
        let s = state
            .store
            .create_survey(
                &permit,
                field(&pairs, "series"),
                field(&pairs, "title"),
                &lines(field(&pairs, "options")),
                &lines(field(&pairs, "areas")),
                opens,
                closes,
                &user.actor(),
            )
            .await?;
        Ok::<_, PageError>(s.id)
    }
    .await;
    let (outcome, success) = match r {
        Ok(id) => (Ok(()), format!("/surveys/{id}")),
        Err(e) => (Err(e), String::new()),
    };
    super::form_result(outcome, &success, at, |errors| async move { render(&state, &user, &pairs, &errors).await })
        .await
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
        span class="govuk-caption-l" { (s.opens_on) " to " (s.closes_on) }
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
