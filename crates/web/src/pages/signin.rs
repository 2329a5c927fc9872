//! Sign in and out. Every failure answers with the same message and takes
//! the same time (a dummy hash is verified for unknown accounts), so the page
//! reveals nothing about which accounts exist or are locked. The reason is
//! recorded in the audit trail.

use super::Empty;
use crate::auth::{cookie, set_cookie, ClientAddr, CsrfForm, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{AppError, PageResult};
use crate::layout::{error_summary, page, Nav, PageOpts};
use crate::AppState;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use safetynet_domain::partnership::Email;
use safetynet_domain::password::verify_password;
use safetynet_domain::policy::{AuthMethod, ViewAudit, ViewCrimeData};
use safetynet_domain::token::{constant_time_eq, hash_secret, random_secret};
use safetynet_store::sessions::LoginFailure;

/// The one message for every failed sign-in.
pub const FAILED: &str = "Sign-in failed. Check your email address and password. After 5 failed attempts an account is locked for 15 minutes.";

fn render(csrf: &str, email: &str, error: Option<&str>) -> Html<String> {
    let errors: Vec<(String, String)> = error.map(|e| vec![("email".to_string(), e.to_string())]).unwrap_or_default();
    page(
        None,
        Nav::None,
        "Sign in",
        PageOpts::default(),
        html! {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-two-thirds" {
                    (error_summary(&errors))
                    h1 class="govuk-heading-l" { "Sign in to SafetyNet" }
                    p class="govuk-body" { "For staff of the partnership's agencies. Everything you view and change is recorded." }
                    form method="post" action="/sign-in" novalidate {
                        input type="hidden" name="csrf_token" value=(csrf);
                        div class="govuk-form-group" {
                            label class="govuk-label" for="email" { "Email address" }
                            input class="govuk-input" id="email" name="email" type="email" autocomplete="username" spellcheck="false" value=(email);
                        }
                        div class="govuk-form-group" {
                            label class="govuk-label" for="password" { "Password" }
                            input class="govuk-input" id="password" name="password" type="password" autocomplete="current-password";
                        }
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Sign in" }
                    }
                }
            }
        },
    )
}

fn with_login_cookie(status: StatusCode, body: Html<String>, secret: &str, secure: bool) -> Response {
    (status, [(SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, secret, 3600, secure))], body).into_response()
}

/// `GET /sign-in`.
pub async fn form(State(state): State<AppState>) -> Response {
    let secret = random_secret();
    with_login_cookie(StatusCode::OK, render(&secret, "", None), &secret, state.config.secure_cookies)
}

/// The sign-in form.
#[derive(Debug, serde::Deserialize)]
pub struct SignIn {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /sign-in`.
pub async fn submit(
    State(state): State<AppState>,
    parts: Parts,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<SignIn>,
) -> PageResult<Response> {
    let expected = cookie(&parts, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty() || !constant_time_eq(&expected, &f.csrf_token) {
        return Err(AppError::Csrf.into());
    }
    let store = &state.store;
    let now_ms = state.now_ms();
    let fail = |status: StatusCode| {
        let secret = random_secret();
        Ok(with_login_cookie(status, render(&secret, &f.email, Some(FAILED)), &secret, state.config.secure_cookies))
    };
    if store.is_throttled(&addr, now_ms).await? {
        store.record_login_failure(None, None, LoginFailure::Throttled, &addr, now_ms).await?;
        return fail(StatusCode::TOO_MANY_REQUESTS);
    }
    let record = match Email::parse(&f.email) {
        Ok(email) => store.login_record(&email).await?,
        Err(_) => None,
    };
    let stored = record.as_ref().map(|r| r.password_hash.clone());
    let password = f.password.clone();
    let verified = tokio::task::spawn_blocking(move || verify_password(stored.as_deref(), &password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let failure = match &record {
        None => Some(LoginFailure::UnknownAccount),
        Some(r) if r.locked_until_ms.is_some_and(|t| t > now_ms) => Some(LoginFailure::Locked),
        Some(r) if !r.active => Some(LoginFailure::Inactive),
        Some(_) if !verified => Some(LoginFailure::BadPassword),
        Some(_) => None,
    };
    let principal = match (failure, &record) {
        (None, Some(r)) => store.principal(&r.id, AuthMethod::Session).await?,
        _ => None,
    };
    let Some(principal) = principal else {
        let (id, agency) = record.as_ref().map(|r| (r.id.as_str(), r.agency.as_str())).unzip();
        store.record_login_failure(id, agency, failure.unwrap_or(LoginFailure::Inactive), &addr, now_ms).await?;
        return fail(StatusCode::UNAUTHORIZED);
    };
    let secret = random_secret();
    store.start_session(&principal, &hash_secret(&secret), state.config.session, &addr, now_ms).await?;
    let landing = if principal.can::<ViewCrimeData>() {
        "/dashboard"
    } else if principal.can::<ViewAudit>() {
        "/audit"
    } else {
        "/account"
    };
    let secure = state.config.secure_cookies;
    let max_age = state.config.session.absolute_ms / 1000;
    let mut res = Redirect::to(landing).into_response();
    let h = res.headers_mut();
    for c in [set_cookie(SESSION_COOKIE, &secret, max_age, secure), set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure)] {
        if let Ok(v) = c.parse() {
            h.append(SET_COOKIE, v);
        }
    }
    Ok(res)
}

/// `POST /sign-out`.
pub async fn sign_out(State(state): State<AppState>, CsrfForm(user, _): CsrfForm<Empty>) -> PageResult<Response> {
    state.store.end_session(&user.actor(), &user.session_hash).await?;
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok(([(SET_COOKIE, clear)], Redirect::to("/sign-in")).into_response())
}
