//! Report a problem, for residents without an account: emergencies sent to
//! 999 first, then the kind of problem (the categories the partnership
//! takes reports in), where (a pin on the map, or the address without
//! JavaScript), what is happening and, if they wish, how to reach them. The
//! form carries a token signed by this server (no cross-site posting) and a
//! field people never see (bots fill it in). The reporter gets a reference
//! and a private link to the report's status, which shows the officers'
//! public notes and nobody's details.

use crate::auth::ClientAddr;
use crate::error::{AppError, PageResult};
use crate::forms::{input, select, textarea, Errors};
use crate::layout::{error_summary, page, uk_time, Nav, PageOpts};
use crate::uploads::FileLimits;
use crate::AppState;
use axum::extract::FromRequest;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use safetynet_domain::photos::{clean_photo, MAX_PHOTOS, MAX_PHOTO_BYTES};
use safetynet_domain::public_reports::NewPublicReport;
use safetynet_domain::token::{hash_secret, issue, verify_issued};
use safetynet_store::public_reports::Sender;
use safetynet_store::users::Actor;

/// What report form tokens are signed for.
const PURPOSE: &str = "public_report";
/// The largest form taken, in bytes.
const MAX_FORM: usize = 32 * 1024;

async fn form_key(state: &AppState) -> Result<String, AppError> {
    Ok(state.store.server_secret("public_report_token", state.now_ms()).await?)
}

/// The report form as the browser sends it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ReportForm {
    token: String,
    service_code: String,
    latitude: String,
    longitude: String,
    address: String,
    description: String,
    name: String,
    email: String,
    phone: String,
    /// Never shown to people; bots fill it in.
    website: String,
}

async fn render_form(state: &AppState, f: &ReportForm, errors: &Errors) -> PageResult<Html<String>> {
    let services = state.store.public_services().await?;
    let choices: Vec<(String, String)> =
        services.iter().map(|s| (s.code.clone(), format!("{}: {}", s.group, s.name))).collect();
    let token = issue(&form_key(state).await?, PURPOSE);
    let body = html! {
        (error_summary(errors))
        h1 class="govuk-heading-l" { "Report anti-social behaviour or an environmental problem" }
        div class="govuk-warning-text" {
            span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
            strong class="govuk-warning-text__text" { "If someone is in danger or a crime is happening now, call 999. To report a crime that is not an emergency, call the police on 101 or report it online to the police." }
        }
        @if services.is_empty() {
            p class="govuk-body" { "The partnership is not taking reports online yet. Contact your council." }
        } @else {
            p class="govuk-body" { "Tell us what is happening and where. Your report goes to the agency that deals with that kind of problem; you get a reference and a private link to follow it." }
            form method="post" action="/report" enctype="multipart/form-data" novalidate {
                input type="hidden" name="token" value=(token);
                (select("service_code", "What kind of problem is it?", &choices, &f.service_code, Some("Choose one"), errors))
                h2 class="govuk-heading-m" { "Where is it?" }
                p class="govuk-body" { "Click the map to put a pin where the problem is, or give the address or place below." }
                div class="sn-map sn-map--picker" data-pin-picker="" data-tiles=(state.config.tile_url) role="region" aria-label="Map: click to put a pin where the problem is" {}
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-half" { (input("latitude", "Latitude", "text", &f.latitude, None, errors)) }
                    div class="govuk-grid-column-one-half" { (input("longitude", "Longitude", "text", &f.longitude, None, errors)) }
                }
                (input("address", "Or the address or place", "text", &f.address, Some("e.g. the lay-by on Redbourn Road, St Albans"), errors))
                (textarea("description", "What is happening?", &f.description, Some("When it happens, how often, what you have seen. Do not include other people's names."), 5, errors))
                (photo_input(errors))
                h2 class="govuk-heading-m" { "Your details (optional)" }
                p class="govuk-body" { "Give an e-mail address if you want updates by e-mail. The agency your report goes to holds your details under its privacy notice; they are never shown to anyone else who reports." }
                (input("name", "Your name", "text", &f.name, None, errors))
                (input("email", "E-mail address", "email", &f.email, None, errors))
                (input("phone", "Phone number", "tel", &f.phone, None, errors))
                div class="sn-hp" aria-hidden="true" {
                    label for="website" { "Leave this empty" }
                    input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value="";
                }
                p class="govuk-body" { a class="govuk-link" href="/privacy" { "How we use your information" } }
                button class="govuk-button" type="submit" data-module="govuk-button" { "Send the report" }
            }
        }
    };
    Ok(page(
        None,
        Nav::None,
        "Report a problem",
        PageOpts { map: true, brand: Some(super::statements::brand(state).await?) },
        body,
    ))
}

/// The optional photos: up to three, with what phones store in them taken out.
fn photo_input(errors: &Errors) -> Markup {
    let error = errors.iter().find(|(field, _)| field == "photo").map(|(_, m)| m.as_str());
    html! {
        div class=(if error.is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }) {
            label class="govuk-label govuk-label--s" for="photo" { "Photos (optional)" }
            div id="photo-hint" class="govuk-hint" {
                "Up to " (MAX_PHOTOS) " photos, as JPEG, PNG or WebP, " (MAX_PHOTO_BYTES / (1024 * 1024)) " MB each. We take out the place, time and device details phones store in photos before keeping them."
            }
            @if let Some(m) = error {
                p id="photo-error" class="govuk-error-message" { span class="govuk-visually-hidden" { "Error: " } (m) }
            }
            input class="govuk-file-upload" id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp" multiple
                aria-describedby=(if error.is_some() { "photo-hint photo-error" } else { "photo-hint" });
        }
    }
}

/// `GET /report`.
pub async fn form(State(state): State<AppState>) -> PageResult<Html<String>> {
    render_form(&state, &ReportForm::default(), &Vec::new()).await
}

fn number(value: &str, field: &'static str) -> Result<Option<f64>, (&'static str, String)> {
    match value.trim() {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| (field, "Put a pin on the map, or leave it empty and give the address".to_string())),
    }
}

/// The form field a report rule is about.
fn rule_field(rule: &str) -> &'static str {
    match rule {
        "report_service" => "service_code",
        "report_location" => "address",
        "report_email" => "email",
        "report_phone" => "phone",
        "report_text" => "name",
        "report_photo" => "photo",
        _ => "description",
    }
}

/// The largest report body taken: the photos and room for the form.
pub const MAX_BODY: usize = MAX_PHOTOS * MAX_PHOTO_BYTES + 64 * 1024;

/// The form and its photos as sent: `multipart/form-data` from the page,
/// or a plain form (at most 32 KiB) without photos.
async fn read_form(state: &AppState, req: Request) -> Result<(ReportForm, Vec<Vec<u8>>), AppError> {
    let multipart = req
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let parts = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|_| AppError::BadRequest("the form could not be read".into()))?;
        let limits = FileLimits { file_field: "photo", max_files: MAX_PHOTOS, max_bytes: MAX_PHOTO_BYTES };
        let form = crate::uploads::read(parts, limits).await?;
        let fields = serde_json::to_value(&form.fields).map_err(|e| AppError::Internal(e.to_string()))?;
        let f =
            serde_json::from_value(fields).map_err(|_| AppError::BadRequest("the form could not be read".into()))?;
        return Ok((f, form.files.into_iter().map(|(_, bytes)| bytes).collect()));
    }
    let bytes = axum::body::to_bytes(req.into_body(), MAX_FORM)
        .await
        .map_err(|_| AppError::BadRequest("the report is too long".into()))?;
    let f =
        serde_html_form::from_bytes(&bytes).map_err(|_| AppError::BadRequest("the form could not be read".into()))?;
    Ok((f, Vec::new()))
}

/// `POST /report`.
pub async fn submit(State(state): State<AppState>, req: Request) -> PageResult<Response> {
    let (parts, body) = req.into_parts();
    let ClientAddr(addr) = ClientAddr::of(&parts, &state);
    let (f, sent_photos) = read_form(&state, Request::from_parts(parts, body)).await?;
    if !verify_issued(&form_key(&state).await?, PURPOSE, &f.token) {
        return Err(AppError::BadRequest(
            "this report did not come from the form on this site: go back and send it again".into(),
        )
        .into());
    }
    if !f.website.is_empty() {
        return Err(AppError::BadRequest("the report could not be sent".into()).into());
    }
    let new = (|| {
        let photos = sent_photos
            .iter()
            .map(|bytes| clean_photo(bytes).map_err(|e| ("photo", e.message)))
            .collect::<Result<Vec<_>, _>>()?;
        let new = NewPublicReport {
            service_code: f.service_code.clone(),
            latitude: number(&f.latitude, "latitude")?,
            longitude: number(&f.longitude, "longitude")?,
            address: f.address.clone(),
            description: f.description.clone(),
            name: f.name.clone(),
            email: f.email.clone(),
            phone: f.phone.clone(),
            ..NewPublicReport::default()
        };
        Ok((new, photos))
    })();
    let principal = super::public::public();
    let actor = Actor { principal: &principal, at_ms: state.now_ms(), source: &addr };
    let refused = match new {
        Err(e) => e,
        Ok((new, photos)) => {
            let submitter = hash_secret(&format!("public-report:{addr}"));
            match state.store.submit_public_report(&new, &photos, Sender::Web(&submitter), &actor).await {
                Ok(taken) => return Ok(thanks(&state, &taken).await?.into_response()),
                Err(e) => crate::forms::rule_error(e, rule_field)?,
            }
        }
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_form(&state, &f, &errors).await?).into_response())
}

async fn thanks(state: &AppState, taken: &safetynet_store::public_reports::ReportTaken) -> PageResult<Html<String>> {
    let body = html! {
        div class="govuk-panel govuk-panel--confirmation" data-testid="report-taken" {
            h1 class="govuk-panel__title" { @if taken.repeated { "You have already sent this report" } @else { "Report sent" } }
            div class="govuk-panel__body" { "Your reference is" br; strong data-testid="report-reference" { (taken.reference) } }
        }
        @if let Some(token) = &taken.token {
            p class="govuk-body" { "Follow your report with this private link. Keep it to yourself: anyone with it can see where your report stands (never your details)." }
            p class="govuk-body" { a class="govuk-link" data-testid="report-status-link" href=(format!("/report/status/{token}")) { "See where your report stands" } }
        } @else {
            p class="govuk-body" { "We had this report from you within the last hour, so it was not recorded twice. Use the link you were given then to follow it." }
        }
        h2 class="govuk-heading-m" { "What happens next" }
        p class="govuk-body" { "The agency that deals with this kind of problem looks at every report, usually within two working days. It may record it, join it to a report it already has, or pass it to the partner whose work it is. If you gave an e-mail address, you will hear when it is picked up, when action is taken and when it is closed." }
    };
    Ok(page(
        None,
        Nav::None,
        "Report sent",
        PageOpts { brand: Some(super::statements::brand(state).await?), ..PageOpts::default() },
        body,
    ))
}

fn updates(view: &safetynet_store::public_reports::ReportStatusView) -> Markup {
    html! {
        ol class="govuk-list sn-timeline" data-testid="report-updates" {
            @for u in view.updates.iter().rev() {
                li {
                    strong { (u.status.label()) } " " span class="govuk-hint" { (uk_time(u.at)) }
                    @if !u.public_note.is_empty() { p class="govuk-body" { (u.public_note) } }
                }
            }
        }
    }
}

/// `GET /report/status/{token}`: where a report stands.
pub async fn status(State(state): State<AppState>, Path(token): Path<String>) -> PageResult<Response> {
    let Some(view) = state.store.report_status(&token).await? else {
        return Err(AppError::NotFound("report").into());
    };
    let body = html! {
        span class="govuk-caption-l" { (view.reference) }
        h1 class="govuk-heading-l" { (view.service_name) }
        p class="govuk-body" { "Reported " (uk_time(view.created_at)) "." }
        p class="govuk-body" data-testid="report-status" { "Status: " strong class="govuk-tag" { (view.status.label()) } }
        h2 class="govuk-heading-m" { "Updates" }
        (updates(&view))
    };
    let html = page(
        None,
        Nav::None,
        &format!("Report {}", view.reference),
        PageOpts { brand: Some(super::statements::brand(&state).await?), ..PageOpts::default() },
        body,
    );
    let mut res = html.into_response();
    // The link is the only key: keep it out of referrers and caches.
    res.headers_mut().insert(axum::http::header::REFERRER_POLICY, axum::http::HeaderValue::from_static("no-referrer"));
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}
