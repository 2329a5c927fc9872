//! Documents and evidence in the JSON API: upload to an incident or a case
//! (`multipart/form-data`: `file`, `kind`, `description`), list a record's
//! documents, and download one. Access follows the record; every list and
//! download is audited by the store.

use crate::api_types::Items;
use crate::auth::ApiUser;
use crate::error::ApiResult;
use crate::uploads::{download, limited, read, FileLimits};
use crate::AppState;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_store::documents::{Attached, Document};

/// Routes under `/api/v1` for documents.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/documents", limited(get(list_case).post(upload_case)))
        .route("/incidents/{id}/documents", limited(get(list_incident).post(upload_incident)))
        .route("/documents/{id}", get(fetch))
}

/// The parts of an upload (`multipart/form-data`).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct UploadBody {
    /// What it is.
    kind: safetynet_domain::documents::DocumentKind,
    /// What it shows (optional, up to 1,000 characters).
    description: Option<String>,
    /// The file (its type is read from its bytes).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A multipart upload to `at`, as the API takes it.
async fn upload(
    state: &AppState,
    user: &ApiUser,
    at: Attached<'_>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<Document>)> {
    let permit = user.permit::<EditRecords>()?;
    let settings = &state.config.safety.documents;
    let upload = read(multipart, FileLimits::document(settings.max_bytes)).await?.upload()?;
    let doc =
        state.store.add_document(&permit, at, &upload, &settings.storage(), settings.max_bytes, &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(doc)))
}

#[utoipa::path(
    post,
    path = "/cases/{id}/documents",
    summary = "Attach a document or evidence to a case: multipart/form-data with `file`, `kind` (photo, recording, diary_sheet, statement, letter, other) and `description`; the type is read from the file's bytes (JPEG, PNG, HEIC, PDF, MP3, WAV, M4A, plain text) and the size limited (`[safety.documents] max_bytes`); 422 `document_rejected` otherwise",
    params(("id" = String, Path, description = "The case's id")),
    request_body(content = UploadBody, content_type = "multipart/form-data"),
    responses((status = 201, description = "Success", body = Document))
)]
async fn upload_case(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<Document>)> {
    upload(&state, &user, Attached::Case(&id), multipart).await
}

#[utoipa::path(
    post,
    path = "/incidents/{id}/documents",
    summary = "Attach a document or evidence to an incident (as for a case)",
    params(("id" = String, Path, description = "The incident's id")),
    request_body(content = UploadBody, content_type = "multipart/form-data"),
    responses((status = 201, description = "Success", body = Document))
)]
async fn upload_incident(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<Document>)> {
    upload(&state, &user, Attached::Incident(&id), multipart).await
}

#[utoipa::path(
    get,
    path = "/cases/{id}/documents",
    summary = "The documents attached to a case, newest first (never their content); audited",
    params(("id" = String, Path, description = "The case's id")),
    responses((status = 200, description = "Success", body = Items<Document>))
)]
async fn list_case(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<Document>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.documents(&permit, Attached::Case(&id), &user.actor()).await?.into()))
}

#[utoipa::path(
    get,
    path = "/incidents/{id}/documents",
    summary = "The documents attached to an incident, newest first; audited",
    params(("id" = String, Path, description = "The incident's id")),
    responses((status = 200, description = "Success", body = Items<Document>))
)]
async fn list_incident(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Items<Document>>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.documents(&permit, Attached::Incident(&id), &user.actor()).await?.into()))
}

#[utoipa::path(
    get,
    path = "/documents/{id}",
    summary = "Download a document (as an attachment, typed by its bytes); 404 unless you may see the record it is attached to; audited with its SHA-256",
    params(("id" = String, Path, description = "The document's id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"))
)]
async fn fetch(State(state): State<AppState>, user: ApiUser, Path(id): Path<String>) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let (doc, bytes) = state.store.document_content(&permit, &id, &user.actor()).await?;
    Ok(download(&doc, bytes))
}
