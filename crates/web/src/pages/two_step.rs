//! Setting up two-step sign-in on one's own account: a new TOTP secret shown
//! as a QR code (rendered here as inline SVG: no image service sees the
//! secret) and as text, confirmed with a current code, then ten recovery
//! codes shown once. A user whose role requires two-step sign-in and who
//! has not set it up is sent here from every other page.

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageResult};
use crate::layout::{csrf_field, error_summary, page, Nav, PageOpts};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, PreEscaped};
use safetynet_domain::mfa::{hash_recovery_code, new_recovery_codes, required_for, TotpSecret};

pub use crate::viewer::TWO_STEP_PATH;

/// The QR code of `text` as inline SVG markup (no XML prologue, no namespace:
/// HTML needs neither), or `None` when the text is too long for a QR code.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .dark_color(qrcode::render::svg::Color("#0b0c0c"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    let start = svg.find("<svg")?;
    Some(svg[start..].replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1).replacen(
        "<svg",
        r#"<svg role="img" aria-label="QR code for your authenticator app""#,
        1,
    ))
}

fn required(state: &AppState, user: &PageUser) -> bool {
    required_for(&user.principal.roles, &state.config.require_mfa)
}

/// `GET /account/two-step`.
pub async fn show(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    let enrolled = state.store.mfa_enrolled(&user.principal.user_id).await?;
    let body = html! {
        h1 class="govuk-heading-l" { "Two-step sign-in" }
        @if enrolled {
            p class="govuk-body" data-testid="mfa-status" { "Two-step sign-in is on. You sign in with your password and a code from your authenticator app (or one of your recovery codes)." }
            p class="govuk-body" { "If you lose your authenticator and your recovery codes, ask a partnership administrator to reset two-step sign-in for you." }
        } @else {
            @if required(&state, &user) {
                div class="govuk-warning-text" data-testid="mfa-required" {
                    span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                    strong class="govuk-warning-text__text" { span class="govuk-visually-hidden" { "Warning" } "Your role requires two-step sign-in. Set it up to continue using SafetyNet." }
                }
            }
            p class="govuk-body" data-testid="mfa-status" { "Two-step sign-in is off. With it on, signing in needs your password and a 6-digit code from an authenticator app on your phone, so a stolen password alone is not enough." }
            form method="post" action="/account/two-step/start" {
                (csrf_field(&user))
                button type="submit" class="govuk-button" data-module="govuk-button" { "Set up two-step sign-in" }
            }
        }
        p class="govuk-body" { a class="govuk-link" href="/account" { "Back to your account" } }
    };
    Ok(page(Some(&user), Nav::Account, "Two-step sign-in", PageOpts::default(), body))
}

fn enrol_page(user: &PageUser, secret: &TotpSecret, errors: &[(String, String)]) -> PageResult<Html<String>> {
    let uri = secret.otpauth_uri(&user.principal.email).map_err(|e| AppError::Internal(e.to_string()))?;
    let svg = qr_svg(&uri).ok_or_else(|| AppError::Internal("the QR code could not be made".into()))?;
    let body = html! {
        (error_summary(errors))
        h1 class="govuk-heading-l" { "Set up two-step sign-in" }
        ol class="govuk-list govuk-list--number" {
            li { "Open an authenticator app on your phone (for example Microsoft Authenticator, Google Authenticator or FreeOTP)." }
            li { "Scan this QR code with the app." }
        }
        div class="sn-qr" data-testid="mfa-qr" { (PreEscaped(svg)) }
        details class="govuk-details" {
            summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "I cannot scan the QR code" } }
            div class="govuk-details__text" {
                p class="govuk-body" { "Choose to enter a setup key in the app, and type this key (time-based, 6 digits):" }
                code class="sn-token" data-testid="mfa-secret" { (secret.grouped()) }
            }
        }
        form method="post" action="/account/two-step/confirm" novalidate {
            (csrf_field(user))
            div class={ "govuk-form-group" @if !errors.is_empty() { " govuk-form-group--error" } } {
                label class="govuk-label govuk-label--s" for="code" { "Enter the 6-digit code the app shows" }
                input class="govuk-input govuk-input--width-10" id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" spellcheck="false";
            }
            button type="submit" class="govuk-button" data-module="govuk-button" { "Turn on two-step sign-in" }
        }
    };
    Ok(page(Some(user), Nav::Account, "Set up two-step sign-in", PageOpts::default(), body))
}

/// `POST /account/two-step/start`: a new secret (replacing an unfinished
/// enrolment); refused when two-step sign-in is already on.
pub async fn start(State(state): State<AppState>, CsrfForm(user, _): CsrfForm<super::Empty>) -> PageResult<Response> {
    let secret = TotpSecret::generate();
    state.store.begin_mfa_enrolment(&user.actor(), &secret).await?;
    Ok(enrol_page(&user, &secret, &[])?.into_response())
}

/// The confirmation form.
#[derive(Debug, serde::Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    code: String,
}

/// `POST /account/two-step/confirm`: a correct current code turns two-step
/// sign-in on and shows the recovery codes, once.
pub async fn confirm(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<ConfirmForm>) -> PageResult<Response> {
    let Some(secret) = state.store.mfa_enrolling_secret(&user.principal.user_id).await? else {
        return Err(AppError::Conflict("there is no two-step sign-in set-up in progress: start again".into()).into());
    };
    let Some(step) = secret.verify(&f.code, user.now_ms.div_euclid(1000), None) else {
        let errors = vec![(
            "code".to_string(),
            "The code is not correct: enter the 6-digit code your app shows now (check your phone's clock is right)"
                .to_string(),
        )];
        return Ok((StatusCode::BAD_REQUEST, enrol_page(&user, &secret, &errors)?).into_response());
    };
    let codes = new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| hash_recovery_code(c)).collect();
    state.store.confirm_mfa_enrolment(&user.actor(), step, &hashes).await?;
    Ok(recovery_page(&user, &codes).into_response())
}

fn recovery_page(user: &PageUser, codes: &[String]) -> Html<String> {
    let body: Markup = html! {
        div class="govuk-panel govuk-panel--confirmation" {
            h1 class="govuk-panel__title" { "Two-step sign-in is on" }
        }
        h2 class="govuk-heading-m" { "Save your recovery codes" }
        p class="govuk-body" { "If you lose your phone, each of these codes signs you in once instead of a code from the app. Keep them somewhere safe, away from your phone. They will not be shown again." }
        ul class="govuk-list sn-mono" data-testid="recovery-codes" {
            @for c in codes { li { code { (c) } } }
        }
        a class="govuk-button" href="/account" { "Continue" }
    };
    page(Some(user), Nav::Account, "Save your recovery codes", PageOpts::default(), body)
}
