//! The signed-in user's own account: change password, create and revoke
//! personal API tokens (shown once), and choose which e-mail notifications
//! to get.

use crate::auth::{set_cookie, CsrfForm, PageUser, SESSION_COOKIE};
use crate::error::{AppError, PageResult};
use crate::forms::PerRecord;
use crate::layout::{csrf_field, error_page, error_summary, page, uk_time, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use safetynet_domain::lockout::LOCK_AFTER_FAILURES;
use safetynet_domain::password::{check_policy, hash_password, verify_password};
use safetynet_domain::token::{hash_secret, new_api_token};
use safetynet_store::sessions::LoginFailure;

async fn render(
    state: &AppState,
    user: &PageUser,
    errors: &[(String, String)],
    notice: Option<&str>,
    new_token: Option<&str>,
) -> PageResult<Html<String>> {
    let tokens = state.store.api_tokens(&user.principal.user_id).await?;
    let p = &user.principal;
    let prefs: Vec<_> =
        state.store.notification_preferences(&p.user_id).await?.into_iter().filter(|(k, _)| k.applies_to(p)).collect();
    let body = html! {
        (error_summary(errors))
        @if let Some(n) = notice { div class="govuk-notification-banner govuk-notification-banner--success" role="alert" { div class="govuk-notification-banner__content" { p class="govuk-notification-banner__heading" data-testid="notice" { (n) } } } }
        h1 class="govuk-heading-l" { "Your account" }
        dl class="govuk-summary-list" {
            div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { "Name" } dd class="govuk-summary-list__value" { (p.display_name) } }
            div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { "Email" } dd class="govuk-summary-list__value" { (p.email) } }
            div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { "Agency" } dd class="govuk-summary-list__value" { (p.agency) } }
            div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { "Roles" } dd class="govuk-summary-list__value" { (p.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")) } }
        }
        h2 class="govuk-heading-m" { "Two-step sign-in" }
        p class="govuk-body" { a class="govuk-link" href=(super::TWO_STEP_PATH) data-testid="two-step-link" { "Manage two-step sign-in" } }
        h2 class="govuk-heading-m" { "Change your password" }
        form method="post" action="/account/password" novalidate {
            (csrf_field(user))
            div class="govuk-form-group" { label class="govuk-label" for="current" { "Current password" } input class="govuk-input govuk-!-width-one-half" id="current" name="current" type="password" autocomplete="current-password"; }
            div class="govuk-form-group" {
                label class="govuk-label" for="new" { "New password" }
                div class="govuk-hint" id="new-hint" { "At least 12 characters, not a common or easily guessed password, and not your name or email address. A few random words make a strong password. Changing it signs you out everywhere else and revokes your API tokens." }
                input class="govuk-input govuk-!-width-one-half" id="new" name="new" type="password" autocomplete="new-password" aria-describedby="new-hint";
            }
            div class="govuk-form-group" { label class="govuk-label" for="confirm" { "Confirm new password" } input class="govuk-input govuk-!-width-one-half" id="confirm" name="confirm" type="password" autocomplete="new-password"; }
            button type="submit" class="govuk-button" { "Change password" }
        }
        form method="post" action="/account/notifications" novalidate data-testid="notification-preferences" {
            (csrf_field(user))
            div class="govuk-form-group" {
                fieldset class="govuk-fieldset" aria-describedby="notify-hint" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--m" { h2 class="govuk-fieldset__heading" { "E-mail notifications" } }
                    div class="govuk-hint" id="notify-hint" { "E-mails say what happened and link to the record. They never contain names, addresses or case details: you sign in to see those." }
                    @if prefs.is_empty() {
                        p class="govuk-body" { "Your roles do not receive e-mail notifications." }
                    } @else {
                        div class="govuk-checkboxes" data-module="govuk-checkboxes" {
                            @for (k, on) in &prefs {
                                div class="govuk-checkboxes__item" {
                                    input class="govuk-checkboxes__input" id=(format!("notify-{}", k.as_str())) name=(k.as_str()) type="checkbox" value="on" checked[*on];
                                    label class="govuk-label govuk-checkboxes__label" for=(format!("notify-{}", k.as_str())) { (k.label()) }
                                }
                            }
                        }
                    }
                }
            }
            @if !prefs.is_empty() { button type="submit" class="govuk-button govuk-button--secondary" { "Save e-mail choices" } }
        }
        h2 class="govuk-heading-m" { "API tokens" }
        p class="govuk-body" { "A token lets a script use the SafetyNet API as you, with your rights. It expires after 90 days." }
        @if let Some(t) = new_token {
            div class="govuk-panel govuk-panel--confirmation" { h3 class="govuk-panel__title govuk-!-font-size-27" { "Copy your token now" } div class="govuk-panel__body govuk-!-font-size-16" { "It will not be shown again." } }
            code class="sn-token" data-testid="new-token" { (t) }
        }
        @if !tokens.is_empty() {
            table class="govuk-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Token", "Created", "Expires", ""] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" {
                    @for t in &tokens { tr class="govuk-table__row" {
                        td class="govuk-table__cell sn-mono govuk-body-s" { (t.id) }
                        td class="govuk-table__cell" { (uk_time(t.created_at_ms)) }
                        td class="govuk-table__cell" { (uk_time(t.expires_at_ms)) }
                        td class="govuk-table__cell" {
                            @if t.revoked_at_ms.is_some() { strong class="govuk-tag govuk-tag--grey" { "Revoked" } }
                            @else if t.expires_at_ms <= user.now_ms { strong class="govuk-tag govuk-tag--grey" { "Expired" } }
                            @else {
                                form method="post" action=(format!("/account/tokens/{}/revoke", t.id)) class="sn-inline-form" {
                                    (csrf_field(user))
                                    button type="submit" class="govuk-button govuk-button--warning govuk-!-margin-bottom-0" { "Revoke" }
                                }
                            }
                        }
                    } }
                }
            }
        }
        form method="post" action="/account/tokens" {
            (csrf_field(user))
            button type="submit" class="govuk-button govuk-button--secondary" { "Create an API token" }
        }
    };
    Ok(page(Some(user), Nav::Account, "Your account", PageOpts::default(), body))
}

/// `GET /account`.
pub async fn show(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    render(&state, &user, &[], None, None).await
}

/// The password form.
#[derive(Debug, serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /account/password`. A wrong current password counts towards the
/// account's lockout (as a wrong sign-in does) and is audited; once locked,
/// the change is refused and this session ends. A new password must pass the
/// policy. On success the user's other sessions end and all their API
/// tokens are revoked, in the same transaction as the change.
pub async fn change_password(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<PasswordForm>,
) -> PageResult<Response> {
    let account = state.store.account_record(&user.principal.user_id).await?;
    if account.locked_until_ms.is_some_and(|t| t > user.now_ms) {
        state
            .store
            .record_login_failure(
                Some(&account.id),
                Some(&account.agency),
                LoginFailure::Locked,
                &user.addr,
                user.now_ms,
            )
            .await?;
        return locked_out(&state, &user).await;
    }
    let stored = account.password_hash.clone();
    let current = f.current.clone();
    let ok = tokio::task::spawn_blocking(move || verify_password(Some(&stored), &current))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if !ok {
        let locked = state
            .store
            .record_login_failure(
                Some(&account.id),
                Some(&account.agency),
                LoginFailure::BadCurrentPassword,
                &user.addr,
                user.now_ms,
            )
            .await?;
        if locked {
            return locked_out(&state, &user).await;
        }
    }
    let mut errors = Vec::new();
    if !ok {
        errors.push((
            "current".to_string(),
            format!(
                "Your current password is not correct. After {LOCK_AFTER_FAILURES} wrong passwords your account is locked for 15 minutes."
            ),
        ));
    }
    let p = &user.principal;
    if let Err(e) = check_policy(&f.new, &[&p.email, &p.display_name]) {
        errors.push(("new".to_string(), format!("New password: {e}")));
    } else if f.new != f.confirm {
        errors.push(("confirm".to_string(), "The new passwords do not match".to_string()));
    } else if ok && f.new == f.current {
        errors.push(("new".to_string(), "New password: choose a password you have not been using".to_string()));
    }
    if !errors.is_empty() {
        return Ok((StatusCode::BAD_REQUEST, render(&state, &user, &errors, None, None).await?).into_response());
    }
    let new = f.new.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let revoked = state.store.change_password(&user.actor(), &hash, &user.session_hash).await?;
    let tokens = match revoked.api_tokens {
        0 => String::new(),
        1 => " Your API token has been revoked: create a new one for any script that used it.".to_string(),
        n => format!(" Your {n} API tokens have been revoked: create new ones for any scripts that used them."),
    };
    let notice = format!("Your password has been changed. You have been signed out everywhere else.{tokens}");
    Ok(render(&state, &user, &[], Some(&notice), None).await?.into_response())
}

/// Ends this session after the account locked on wrong current passwords.
async fn locked_out(state: &AppState, user: &PageUser) -> PageResult<Response> {
    state.store.end_session(&user.actor(), &user.session_hash).await?;
    let clear = set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies);
    let body = error_page(
        "Your account is locked",
        "Your current password was entered wrongly too many times. Your account is locked for 15 minutes and you have been signed out. Sign in again after that, or ask a partnership administrator to unlock it.",
    );
    Ok((StatusCode::FORBIDDEN, [(SET_COOKIE, clear)], body).into_response())
}

/// `POST /account/tokens`.
pub async fn create_token(
    State(state): State<AppState>,
    CsrfForm(user, _): CsrfForm<super::Empty>,
) -> PageResult<Html<String>> {
    let secret = new_api_token();
    state.store.create_api_token(&user.actor(), &hash_secret(&secret), user.now_ms + 90 * 86_400_000).await?;
    render(&state, &user, &[], Some("API token created"), Some(&secret)).await
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, _): CsrfForm<super::Empty>,
) -> PageResult<Response> {
    state.store.revoke_api_token(&user.actor(), &id).await?;
    Ok(Redirect::to("/account").into_response())
}

/// `POST /account/notifications`: a ticked box is on, an unticked one off
/// (only the kinds that apply to the user's roles are changed).
pub async fn save_notifications(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<PerRecord>,
) -> PageResult<Html<String>> {
    let choices: Vec<_> = safetynet_domain::notification::Kind::ALL
        .into_iter()
        .filter(|k| k.to_users() && k.applies_to(&user.principal))
        .map(|k| (k, f.ticked(k.as_str())))
        .collect();
    state.store.set_notification_preferences(&user.actor(), &choices).await?;
    render(&state, &user, &[], Some("Your e-mail choices have been saved"), None).await
}

/// `POST /session/keep-alive`: the timeout warning's "Stay signed in". The
/// request itself restarts the session's idle time; nothing else changes.
pub async fn keep_alive(CsrfForm(_user, _): CsrfForm<PerRecord>) -> StatusCode {
    StatusCode::NO_CONTENT
}
