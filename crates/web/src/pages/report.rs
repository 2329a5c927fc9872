//! Report a problem, for residents without an account: the journey's
//! pages are in [`super::report_journey`]; this takes the report when it is
//! sent (with its photos, cleaned of metadata) and shows the reference, and
//! the private status page. The form carries a token signed by this server
//! (no cross-site posting) and a field people never see (bots fill it in).
//! The reporter gets a reference and a private link to the report's
//! status, which shows the officers' public notes and nobody's details.

use super::report_journey::{render, Step};
use crate::auth::ClientAddr;
use crate::error::{AppError, PageResult};
use crate::layout::{page, uk_time, Nav, PageOpts};
use crate::uploads::FileLimits;
use crate::AppState;
use axum::extract::FromRequest;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use safetynet_domain::photos::{clean_photo, MAX_PHOTOS, MAX_PHOTO_BYTES};
use safetynet_domain::token::{hash_secret, verify_issued};
use safetynet_store::public_reports::Sender;
use safetynet_store::users::Actor;

/// What report form tokens are signed for.
pub(super) const PURPOSE: &str = "public_report";
/// The largest form taken without photos, in bytes.
pub(super) const MAX_FORM: usize = 32 * 1024;

/// The key report form tokens are signed with (a server secret).
pub(super) async fn form_key(state: &AppState) -> Result<String, AppError> {
    Ok(state.store.server_secret("public_report_token", state.now_ms()).await?)
}

/// The report's answers as the journey's forms send them.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(default)]
pub struct ReportForm {
    pub(super) token: String,
    pub(super) service_code: String,
    pub(super) latitude: String,
    pub(super) longitude: String,
    pub(super) address: String,
    pub(super) description: String,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) phone: String,
    /// Fly-tipping's Defra questions (the service's attributes), optional.
    pub(super) land_type: String,
    pub(super) waste_type: String,
    pub(super) size: String,
    /// Never shown to people; bots fill it in.
    pub(super) website: String,
    /// The step answered (`POST /report/step`).
    pub(super) step: String,
    /// The step to go to instead ("Back", "Change").
    pub(super) goto: String,
}

/// `GET /report`: the first question.
pub async fn form(State(state): State<AppState>) -> PageResult<Html<String>> {
    render(&state, &ReportForm::default(), Step::What, &Vec::new()).await
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

/// `POST /report`: sends the report; a refusal is shown on the step whose
/// answer it is about.
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
        Ok((f.report()?, photos))
    })();
    let principal = super::public::public();
    let actor = Actor { principal: &principal, at_ms: state.now_ms(), source: &addr };
    let (step, field, message) = match new {
        Err((field, message)) if field == "photo" => (Step::Check, field, message),
        Err((field, message)) => (Step::Where, field, message),
        Ok((new, photos)) => {
            let submitter = hash_secret(&format!("public-report:{addr}"));
            match state.store.submit_public_report(&new, &photos, Sender::Web(&submitter), &actor).await {
                Ok(taken) => return Ok(thanks(&state, &taken).await?.into_response()),
                Err(safetynet_store::StoreError::Rule(rule, message)) => {
                    let step = Step::of_rule(rule);
                    (step, step.field(rule), message)
                }
                Err(e) => return Err(AppError::from(e).into()),
            }
        }
    };
    let errors = vec![(field.to_string(), message)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&state, &f, step, &errors).await?).into_response())
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
        p class="govuk-body" data-testid="report-status" { "Status: " strong class="govuk-tag sn-status-tag" { (view.status.label()) } }
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
