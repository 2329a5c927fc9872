//! Documents and evidence on the incident and case pages: the list with
//! download links and the upload form (shared by both pages), the upload to
//! an incident, and the download. The case page's upload lives with the
//! case page, which shows a refusal at the form.

use crate::auth::{CsrfUpload, PageUser};
use crate::error::{AppError, PageResult};
use crate::forms::{input, select, Errors};
use crate::layout::{csrf_field, error_summary, page, uk_time, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use safetynet_domain::documents::{size_label, DocumentKind, ACCEPTED};
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_store::documents::{Attached, Document};

/// The list of a record's documents and, for those who may add one, the
/// upload form posting to `action`.
pub fn section(user: &PageUser, action: &str, docs: &[Document], can_edit: bool, errors: &Errors) -> Markup {
    let kinds: Vec<(String, String)> =
        DocumentKind::ALL.iter().map(|k| (k.as_str().to_string(), k.label().to_string())).collect();
    let taken: Vec<&str> = ACCEPTED.iter().map(|(_, name)| *name).collect();
    html! {
        @if docs.is_empty() { p class="govuk-body" { "No documents or evidence attached." } }
        @else {
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Documents and evidence" {
                table class="govuk-table" data-testid="documents" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Document", "What it shows", "Added", "Size"] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" {
                        @for d in docs { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { a class="govuk-link" href=(format!("/documents/{}", d.id)) download { (d.filename) } br; span class="govuk-body-s" { (d.kind.label()) } }
                            td class="govuk-table__cell" { (d.description) }
                            td class="govuk-table__cell" { (uk_time(d.created_at_ms)) br; span class="govuk-body-s" { (d.owner_agency) } }
                            td class="govuk-table__cell" { (size_label(usize::try_from(d.size_bytes).unwrap_or(0))) }
                        } }
                    }
                }
            }
            p class="govuk-body-s" { "Every download is recorded in the audit log." }
        }
        @if can_edit {
            details class="govuk-details" open[errors.iter().any(|(f, _)| f == "file")] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Attach a document or evidence" } }
                div class="govuk-details__text" {
                    form method="post" action=(action) enctype="multipart/form-data" novalidate {
                        (csrf_field(user))
                        (select("kind", "What it is", &kinds, "photo", None, errors))
                        (input("description", "What it shows (optional)", "text", "", None, errors))
                        div class={ "govuk-form-group" @if errors.iter().any(|(f, _)| f == "file") { " govuk-form-group--error" } } {
                            label class="govuk-label" for="file" { "File" }
                            div class="govuk-hint" id="file-hint" { (taken.join(", ")) ". It is kept exactly as uploaded." }
                            @for (f, m) in errors.iter().filter(|(f, _)| f == "file") { p class="govuk-error-message" id=(format!("{f}-error")) { span class="govuk-visually-hidden" { "Error: " } (m) } }
                            input class="govuk-file-upload" id="file" name="file" type="file" aria-describedby="file-hint";
                        }
                        button class="govuk-button govuk-button--secondary" type="submit" data-testid="upload" { "Attach" }
                    }
                }
            }
        }
    }
}

/// `POST /incidents/{id}/documents`.
pub async fn upload_incident(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfUpload(user, form): CsrfUpload,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let settings = &state.config.safety.documents;
    let added = match form.upload() {
        Ok(upload) => state
            .store
            .add_document(
                &permit,
                Attached::Incident(&id),
                &upload,
                &settings.storage(),
                settings.max_bytes,
                &user.actor(),
            )
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => Ok(Redirect::to(&format!("/incidents/{id}#documents")).into_response()),
        Err(e @ (AppError::BadRequest(_) | AppError::Unprocessable { .. })) => {
            let errors = vec![("file".to_string(), e.to_string())];
            let body = html! {
                (error_summary(&errors))
                a class="govuk-back-link" href=(format!("/incidents/{id}#documents")) { "Back to the incident" }
                h1 class="govuk-heading-l" { "The document was not attached" }
                p class="govuk-body" { "Nothing was saved. Go back to the incident and choose another file." }
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(Some(&user), Nav::Incidents, "The document was not attached", PageOpts::default(), body),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /documents/{id}`: the file, if the user may see its record.
pub async fn download(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let (doc, bytes) = state.store.document_content(&permit, &id, &user.actor()).await?;
    Ok(crate::uploads::download(&doc, bytes))
}
