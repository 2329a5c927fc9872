//! Sign in and out. Every failure answers with the same message and takes
//! the same time (a dummy hash is verified for unknown accounts), so the page
//! reveals nothing about which accounts exist or are locked. The reason is
//! recorded in the audit trail.

use super::Empty;
use crate::auth::{
    check_mfa_enrolled, cookie, return_path, set_cookie, ClientAddr, CsrfForm, LOGIN_CSRF_COOKIE, MFA_PENDING_COOKIE,
    SESSION_COOKIE,
};
use crate::error::{AppError, PageResult};
use crate::layout::{error_summary, page, Nav, PageOpts};
use crate::pages::TWO_STEP_PATH;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use safetynet_domain::mfa::{hash_recovery_code, is_totp_code, PENDING_MS};
use safetynet_domain::partnership::Email;
use safetynet_domain::password::verify_password;
use safetynet_domain::policy::{AuthMethod, Principal, ViewAudit, ViewCrimeData};
use safetynet_domain::token::{constant_time_eq, hash_secret, random_secret};
use safetynet_store::sessions::LoginFailure;

/// The one message for every failed sign-in.
pub const FAILED: &str = "Sign-in failed. Check your email address and password. After 5 failed attempts an account is locked for 15 minutes.";

/// Shown when a page sent the browser here because its session had ended.
pub const SESSION_ENDED: &str =
    "You have been signed out because your session ended. Sign in again to go back to the page you asked for.";
/// Shown after signing out.
pub const SIGNED_OUT: &str = "You have signed out.";

/// The hidden field that carries the page to return to, when there is one.
fn next_field(next: &str) -> maud::Markup {
    html! { @if let Some(n) = return_path(next) { input type="hidden" name="next" value=(n); } }
}

/// A notice above the form (GOV.UK notification banner).
fn notice_banner(notice: Option<&str>) -> maud::Markup {
    html! {
        @if let Some(n) = notice {
            div class="govuk-notification-banner" role="region" aria-labelledby="notice-title" data-testid="sign-in-notice" {
                div class="govuk-notification-banner__header" {
                    h2 class="govuk-notification-banner__title" id="notice-title" { "Important" }
                }
                div class="govuk-notification-banner__content" { p class="govuk-notification-banner__heading" { (n) } }
            }
        }
    }
}

fn render(csrf: &str, email: &str, error: Option<&str>, next: &str, notice: Option<&str>) -> Html<String> {
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
                    (notice_banner(notice))
                    h1 class="govuk-heading-l" { "Sign in to SafetyNet" }
                    p class="govuk-body" { "For staff of the partnership's agencies. Everything you view and change is recorded." }
                    form method="post" action="/sign-in" novalidate {
                        input type="hidden" name="csrf_token" value=(csrf);
                        (next_field(next))
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

/// Why the sign-in page was opened: the page to return to (`next`), and
/// `expired=1` or `signed_out=1` for the notice to show.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignInQuery {
    next: String,
    expired: String,
    signed_out: String,
}

/// `GET /sign-in`.
pub async fn form(State(state): State<AppState>, Query(q): Query<SignInQuery>) -> Response {
    let secret = random_secret();
    let notice = if q.expired == "1" {
        Some(SESSION_ENDED)
    } else if q.signed_out == "1" {
        Some(SIGNED_OUT)
    } else {
        None
    };
    let body = render(&secret, "", None, &q.next, notice);
    with_login_cookie(StatusCode::OK, body, &secret, state.config.secure_cookies)
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
    /// The page to return to.
    #[serde(default)]
    next: String,
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
        let body = render(&secret, &f.email, Some(FAILED), &f.next, None);
        Ok(with_login_cookie(status, body, &secret, state.config.secure_cookies))
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
    if store.mfa_enrolled(&principal.user_id).await? {
        // The password was right; the session starts only after the code.
        let pending = random_secret();
        store.create_mfa_pending(&principal.user_id, &hash_secret(&pending), now_ms).await?;
        let secure = state.config.secure_cookies;
        let mut res = Redirect::to(&with_next("/sign-in/code", &f.next)).into_response();
        let h = res.headers_mut();
        for c in [
            set_cookie(MFA_PENDING_COOKIE, &pending, PENDING_MS / 1000, secure),
            set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure),
        ] {
            if let Ok(v) = c.parse() {
                h.append(SET_COOKIE, v);
            }
        }
        return Ok(res);
    }
    begin_session(&state, &principal, &addr, now_ms, &[], &f.next).await
}

/// `path` with `?next=` when `next` is a safe page to return to.
fn with_next(path: &str, next: &str) -> String {
    match return_path(next) {
        Some(n) => {
            format!("{path}?{}", form_urlencoded::Serializer::new(String::new()).append_pair("next", n).finish())
        }
        None => path.to_string(),
    }
}

/// Starts a session for a verified principal and sends them to the page
/// they asked for (`next`, when safe) or their landing page (or to set up
/// two-step sign-in when their role requires it), clearing the cookies in
/// `clear` and the login CSRF cookie.
async fn begin_session(
    state: &AppState,
    principal: &Principal,
    addr: &str,
    now_ms: i64,
    clear: &[&str],
    next: &str,
) -> PageResult<Response> {
    let secret = random_secret();
    state.store.start_session(principal, &hash_secret(&secret), state.config.session, addr, now_ms).await?;
    let landing = if check_mfa_enrolled(state, principal).await.is_err() {
        TWO_STEP_PATH
    } else if let Some(n) = return_path(next) {
        n
    } else if principal.can::<ViewCrimeData>() {
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
    let mut cookies =
        vec![set_cookie(SESSION_COOKIE, &secret, max_age, secure), set_cookie(LOGIN_CSRF_COOKIE, "", 0, secure)];
    cookies.extend(clear.iter().map(|name| set_cookie(name, "", 0, secure)));
    for c in cookies {
        if let Ok(v) = c.parse() {
            h.append(SET_COOKIE, v);
        }
    }
    Ok(res)
}

/// The CSRF token of the code form, derived from the pending cookie's value.
fn pending_csrf(pending: &str) -> String {
    hash_secret(&format!("mfa-csrf:{pending}"))
}

/// The message for a wrong, reused or unknown code.
pub const BAD_CODE: &str =
    "The code is not correct, or has been used already. Enter the current 6-digit code from your authenticator app, or one of your recovery codes.";

fn render_code(pending: &str, error: Option<&str>, next: &str) -> Html<String> {
    let errors: Vec<(String, String)> = error.map(|e| vec![("code".to_string(), e.to_string())]).unwrap_or_default();
    page(
        None,
        Nav::None,
        "Enter your sign-in code",
        PageOpts::default(),
        html! {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-two-thirds" {
                    (error_summary(&errors))
                    h1 class="govuk-heading-l" { "Enter your sign-in code" }
                    form method="post" action="/sign-in/code" novalidate {
                        input type="hidden" name="csrf_token" value=(pending_csrf(pending));
                        (next_field(next))
                        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
                            label class="govuk-label govuk-label--s" for="code" { "Enter the 6-digit code from your authenticator app (or a recovery code)" }
                            input class="govuk-input govuk-input--width-10" id="code" name="code" type="text" autocomplete="one-time-code" spellcheck="false" autofocus;
                        }
                        button type="submit" class="govuk-button" data-module="govuk-button" { "Continue" }
                    }
                    p class="govuk-body" { a class="govuk-link" href="/sign-in" { "Start again" } }
                }
            }
        },
    )
}

/// `GET /sign-in/code`: the second step, for a sign-in whose password was
/// right in the last 5 minutes; otherwise back to the start.
pub async fn code_form(
    State(state): State<AppState>,
    Query(q): Query<SignInQuery>,
    parts: Parts,
) -> PageResult<Response> {
    let Some(pending) = cookie(&parts, MFA_PENDING_COOKIE).filter(|c| !c.is_empty()) else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    if state.store.mfa_pending_user(&hash_secret(&pending), state.now_ms()).await?.is_none() {
        return Ok(Redirect::to("/sign-in").into_response());
    }
    Ok(render_code(&pending, None, &q.next).into_response())
}

/// The code form.
#[derive(Debug, serde::Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    csrf_token: String,
    /// The page to return to.
    #[serde(default)]
    next: String,
}

/// `POST /sign-in/code`. A correct TOTP code (this step or the one either
/// side, and later than the last one used) or an unused recovery code
/// starts the session. A wrong one counts towards the account's lockout and
/// is audited (`bad_second_factor`); at the lockout the pending sign-in ends.
pub async fn code_submit(
    State(state): State<AppState>,
    parts: Parts,
    ClientAddr(addr): ClientAddr,
    Form(f): Form<CodeForm>,
) -> PageResult<Response> {
    let pending = cookie(&parts, MFA_PENDING_COOKIE).unwrap_or_default();
    if pending.is_empty() || !constant_time_eq(&pending_csrf(&pending), &f.csrf_token) {
        return Err(AppError::Csrf.into());
    }
    let store = &state.store;
    let now_ms = state.now_ms();
    let secure = state.config.secure_cookies;
    let pending_hash = hash_secret(&pending);
    let restart = |status: StatusCode| {
        let secret = random_secret();
        let mut res = with_login_cookie(status, render(&secret, "", Some(FAILED), &f.next, None), &secret, secure);
        if let Ok(v) = set_cookie(MFA_PENDING_COOKIE, "", 0, secure).parse() {
            res.headers_mut().append(SET_COOKIE, v);
        }
        Ok(res)
    };
    let Some(user_id) = store.mfa_pending_user(&pending_hash, now_ms).await? else {
        return Ok(Redirect::to("/sign-in").into_response());
    };
    if store.is_throttled(&addr, now_ms).await? {
        store.record_login_failure(Some(&user_id), None, LoginFailure::Throttled, &addr, now_ms).await?;
        return restart(StatusCode::TOO_MANY_REQUESTS);
    }
    let account = store.account_record(&user_id).await?;
    let failure = if account.locked_until_ms.is_some_and(|t| t > now_ms) {
        Some(LoginFailure::Locked)
    } else if !account.active {
        Some(LoginFailure::Inactive)
    } else {
        None
    };
    if let Some(why) = failure {
        store.end_mfa_pending(&pending_hash).await?;
        store.record_login_failure(Some(&account.id), Some(&account.agency), why, &addr, now_ms).await?;
        return restart(StatusCode::UNAUTHORIZED);
    }
    let code = f.code.trim();
    let accepted = match store.mfa_factor(&user_id).await? {
        None => false,
        Some(factor) if is_totp_code(code) => {
            match factor.secret.verify(code, now_ms.div_euclid(1000), factor.last_step) {
                Some(step) => store.use_mfa_step(&user_id, &pending_hash, step).await?,
                None => false,
            }
        }
        Some(_) => {
            store
                .use_recovery_code(&user_id, &account.agency, &pending_hash, &hash_recovery_code(code), &addr, now_ms)
                .await?
        }
    };
    if !accepted {
        let locked = store
            .record_login_failure(
                Some(&account.id),
                Some(&account.agency),
                LoginFailure::BadSecondFactor,
                &addr,
                now_ms,
            )
            .await?;
        if locked {
            store.end_mfa_pending(&pending_hash).await?;
            return restart(StatusCode::UNAUTHORIZED);
        }
        return Ok((StatusCode::UNAUTHORIZED, render_code(&pending, Some(BAD_CODE), &f.next)).into_response());
    }
    let Some(principal) = store.principal(&user_id, AuthMethod::Session).await? else {
        return restart(StatusCode::UNAUTHORIZED);
    };
    begin_session(&state, &principal, &addr, now_ms, &[MFA_PENDING_COOKIE], &f.next).await
}

/// `POST /sign-out`.
pub async fn sign_out(State(state): State<AppState>, CsrfForm(user, _): CsrfForm<Empty>) -> PageResult<Response> {
    state.store.end_session(&user.actor(), &user.session_hash).await?;
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    Ok(([(SET_COOKIE, clear)], Redirect::to("/sign-in?signed_out=1")).into_response())
}
