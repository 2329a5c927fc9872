//! Pages for residents, without an account: a Priority Setting Forum's
//! public summary (disclosure-controlled; no personal data) and the forum's
//! priorities survey. A survey takes one response per browser, using a
//! random token in a cookie (only its hash is stored) and a cap per network
//! (also hashed); nothing else about the resident is asked for or kept.

use crate::auth::{cookie, set_cookie, ClientAddr};
use crate::error::{AppError, PageResult};
use crate::layout::{error_summary, page, Day, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use safetynet_app::packs::{build, PackRequest};
use safetynet_domain::meeting::MeetingKind;
use safetynet_domain::policy::{AuthMethod, Principal};
use safetynet_domain::token::{hash_secret, issue, verify_issued};
use safetynet_store::surveys::{Survey, MAX_RANKED};
use safetynet_store::users::Actor;

/// Cookie holding the resident's survey token.
const SURVEY_COOKIE: &str = "sn_survey";

/// What survey tokens are signed for (with the `survey_token` server secret).
const SURVEY_PURPOSE: &str = "survey";

/// The key survey tokens are signed with: a random server secret kept in
/// the database, made on first use.
async fn survey_key(state: &AppState) -> Result<String, AppError> {
    Ok(state.store.server_secret("survey_token", state.now_ms()).await?)
}

/// The public, as an audit actor.
pub(super) fn public() -> Principal {
    Principal {
        user_id: String::new(),
        email: String::new(),
        display_name: "Member of the public".into(),
        agency: String::new(),
        roles: Vec::new(),
        via: AuthMethod::Session,
    }
}

/// `GET /public/forums/{id}`: the public summary of a Priority Setting Forum.
pub async fn forum(State(state): State<AppState>, Path(id): Path<String>) -> PageResult<Html<String>> {
    let m = state.store.meeting(&id).await?;
    let kind = state.store.one_series(&m.series_code).await?.kind;
    if kind != MeetingKind::Psf {
        return Err(AppError::NotFound("forum").into());
    }
    let date = m.held_on;
    let who = public();
    let actor = Actor { principal: &who, at_ms: state.now_ms(), source: "public" };
    let pack = build(&state.analyst, &PackRequest::new(kind, date), &actor).await?;
    state.public_views.count(&format!("forum/{}", m.id));
    let surveys = state.store.surveys(Some(&m.series_code)).await?;
    let open: Vec<&Survey> = surveys.iter().filter(|s| s.is_open(state.today())).collect();
    let body = html! {
        (safetynet_render::html::body(&pack))
        @for s in open {
            div class="govuk-inset-text" { "Have your say: " a class="govuk-link" href=(format!("/public/surveys/{}", s.id)) { (s.title) } }
        }
    };
    Ok(page(
        None,
        Nav::None,
        &pack.title,
        PageOpts { brand: Some(super::statements::brand(&state).await?), ..PageOpts::default() },
        body,
    ))
}

fn survey_form(s: &Survey, token: &str, errors: &[(String, String)]) -> maud::Markup {
    let choices: Vec<(String, String)> = s.options.iter().map(|o| (o.clone(), o.clone())).collect();
    let areas: Vec<(String, String)> = s.areas.iter().map(|o| (o.clone(), o.clone())).collect();
    let errs = errors.to_vec();
    html! {
        (error_summary(errors))
        span class="govuk-caption-l" { "Priority Setting Forum" }
        h1 class="govuk-heading-l" { (s.title) }
        p class="govuk-body" { "Tell the Community Safety Partnership which problems matter most where you live. You do not need an account and we do not ask for your name, e-mail or address. One response per person, please." }
        form method="post" action=(format!("/public/surveys/{}", s.id)) novalidate {
            input type="hidden" name="token" value=(token);
            (crate::forms::select("area", "Your area", &areas, "", Some("Choose your area"), &errs))
            @for i in 0..MAX_RANKED {
                (crate::forms::select(&format!("choice{}", i + 1), &format!("{} priority{}", ["Most important", "Second", "Third"][i.min(2)], if i == 0 { "" } else { " (optional)" }), &choices, "", Some("Choose a priority"), &errs))
            }
            button class="govuk-button" type="submit" data-testid="submit-survey" { "Send my priorities" }
        }
        p class="govuk-body-s" { "Results are published for each area only once at least five people there have responded." }
    }
}

/// `GET /public/surveys/{id}`.
pub async fn survey(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> PageResult<Response> {
    let s = state.store.survey(&id).await?;
    let (parts, _) = req.into_parts();
    let key = survey_key(&state).await?;
    let existing = cookie(&parts, SURVEY_COOKIE).filter(|t| verify_issued(&key, SURVEY_PURPOSE, t));
    let token = existing.clone().unwrap_or_else(|| issue(&key, SURVEY_PURPOSE));
    let body = if s.is_open(state.today()) {
        survey_form(&s, &token, &[])
    } else {
        html! { h1 class="govuk-heading-l" { (s.title) } p class="govuk-body" { "This survey is open from " (Day(s.opens_on)) " to " (Day(s.closes_on)) "." } }
    };
    let html = page(
        None,
        Nav::None,
        &s.title,
        PageOpts { brand: Some(super::statements::brand(&state).await?), ..PageOpts::default() },
        body,
    );
    let mut res = html.into_response();
    if existing.is_none() {
        if let Ok(v) = set_cookie(SURVEY_COOKIE, &token, 365 * 86_400, state.config.secure_cookies).parse() {
            res.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

/// A resident's survey response: the form's token, the area and the
/// ranked choices (`choice1`, `choice2`, …).
#[derive(Debug, Default, serde::Deserialize)]
pub struct SurveyResponseForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    area: String,
    #[serde(flatten)]
    choices: crate::forms::PerRecord,
}

/// `POST /public/surveys/{id}`: one response per server-issued token (the
/// form's token must be signed by this server and match the cookie's; a used
/// one is refused), and at most
/// [`RESPONSES_PER_SOURCE`](safetynet_store::surveys::RESPONSES_PER_SOURCE)
/// from one client address.
pub async fn respond(State(state): State<AppState>, Path(id): Path<String>, req: Request) -> PageResult<Response> {
    let s = state.store.survey(&id).await?;
    let (parts, body) = req.into_parts();
    let ClientAddr(addr) = ClientAddr::of(&parts, &state);
    let from_cookie = cookie(&parts, SURVEY_COOKIE).unwrap_or_default();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map_err(|_| AppError::BadRequest("the form is too large".into()))?;
    let form: SurveyResponseForm =
        serde_html_form::from_bytes(&bytes).map_err(|_| AppError::BadRequest("the form could not be read".into()))?;
    let token = form.token.as_str();
    if from_cookie.is_empty() || token != from_cookie {
        return Err(AppError::BadRequest("your browser must accept cookies to answer this survey (one response per person): reload the page and try again".into()).into());
    }
    if !verify_issued(&survey_key(&state).await?, SURVEY_PURPOSE, token) {
        return Err(AppError::BadRequest(
            "this response did not come from the survey's form on this site: reload the page and try again".into(),
        )
        .into());
    }
    let ranking: Vec<String> = (1..=MAX_RANKED)
        .map(|i| form.choices.named(&format!("choice{i}")).to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let voter = hash_secret(&format!("{}:{token}", s.id));
    let source = hash_secret(&format!("survey-network:{}:{addr}", s.id));
    let area = form.area.as_str();
    match state.store.respond(&s.id, area, &ranking, &voter, &source, state.today(), state.now_ms()).await {
        Ok(()) => {
            let today = state.today();
            let meetings = state.store.meetings(Some(&s.series_code)).await?;
            let latest_forum = meetings.iter().find(|m| m.held_on <= today).map(|m| m.id.clone());
            let body = html! {
                div class="govuk-panel govuk-panel--confirmation" data-testid="survey-thanks" {
                    h1 class="govuk-panel__title" { "Thank you" }
                    div class="govuk-panel__body" { "Your priorities have been recorded for the forum." }
                }
                h2 class="govuk-heading-m" { "What happens next" }
                p class="govuk-body" data-testid="survey-next" {
                    "The survey closes on " (Day(s.closes_on)) ". The Priority Setting Forum then adds up every answer and agrees the local priorities "
                    "that the police and council will work on until the next forum. The forum's summary, with what was agreed and what was done since the last one, is published here."
                }
                @if let Some(forum) = latest_forum {
                    p class="govuk-body" { a class="govuk-link" href=(format!("/public/forums/{forum}")) { "Read the latest forum summary" } }
                }
                p class="govuk-body" { "To report a problem now, contact your council or, in an emergency, call 999." }
            };
            Ok(page(
                None,
                Nav::None,
                "Thank you",
                PageOpts { brand: Some(super::statements::brand(&state).await?), ..PageOpts::default() },
                body,
            )
            .into_response())
        }
        Err(e) => {
            let err = AppError::from(e);
            let status = match err {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                _ => return Err(err.into()),
            };
            let message = if status == StatusCode::CONFLICT {
                "You have already answered this survey. Thank you.".to_string()
            } else {
                err.to_string()
            };
            let html = page(
                None,
                Nav::None,
                &s.title,
                PageOpts { brand: Some(super::statements::brand(&state).await?), ..PageOpts::default() },
                survey_form(&s, token, &[("area".into(), message)]),
            );
            Ok((status, html).into_response())
        }
    }
}
