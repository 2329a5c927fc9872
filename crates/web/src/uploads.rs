//! Documents, evidence and residents' photos over HTTP, for the pages and
//! the API alike:
//! reading a `multipart/form-data` upload (its files of one field name, and
//! text fields) without holding more than the configured limit a file (and
//! 40 KB a text field) in memory, and the
//! download response (attachment, the type the bytes showed, never cached)
//! and a photo shown inline ([`image`]).

use crate::error::AppError;
use axum::extract::Multipart;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use safetynet_domain::documents::{size_label, DocumentKind};
use safetynet_store::documents::{Document, Upload};
use std::collections::HashMap;

/// The most any upload request may carry, whatever the configuration: the
/// largest file allowed and room for the form's other fields.
pub const REQUEST_LIMIT: usize = safetynet_store::documents::DocumentSettings::LARGEST + 64 * 1024;

/// `route` with its body limit raised to [`REQUEST_LIMIT`] (the default
/// 2 MB would refuse evidence before the configured limit is reached).
pub fn limited(route: axum::routing::MethodRouter<crate::AppState>) -> axum::routing::MethodRouter<crate::AppState> {
    route.layer(axum::extract::DefaultBodyLimit::max(REQUEST_LIMIT))
}

/// An upload form as read: its text fields and its files.
#[derive(Debug, Default)]
pub struct UploadForm {
    /// Text fields by name (the last of a repeated name).
    pub fields: HashMap<String, String>,
    /// The files' names and contents, in the order sent (empty parts, a
    /// file input left empty, are skipped).
    pub files: Vec<(String, Vec<u8>)>,
}

impl UploadForm {
    /// A text field ("" when absent).
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", String::as_str)
    }

    /// The upload the store takes: a file, a `kind` and a `description`.
    pub fn upload(self) -> Result<Upload, AppError> {
        let kind = DocumentKind::parse(self.field("kind")).map_err(AppError::BadRequest)?;
        let description = self.field("description").to_string();
        let Some((filename, bytes)) = self.files.into_iter().next() else {
            return Err(AppError::BadRequest("choose a file to upload".into()));
        };
        Ok(Upload { kind, filename, description, bytes })
    }
}

/// The most a text field of an upload form may hold.
const TEXT_FIELD_BYTES: usize = 40 * 1024;

/// What an upload form may carry: files in the field `file_field`, at most
/// `max_files` of them, each at most `max_bytes`.
#[derive(Debug, Clone, Copy)]
pub struct FileLimits {
    /// The files' field name.
    pub file_field: &'static str,
    /// The most files.
    pub max_files: usize,
    /// The largest file.
    pub max_bytes: usize,
}

impl FileLimits {
    /// One document or piece of evidence (`file`) of at most `max_bytes`.
    pub fn document(max_bytes: usize) -> Self {
        Self { file_field: "file", max_files: 1, max_bytes }
    }
}

/// Reads a multipart upload, refusing a file over its limit, one file too
/// many and a text field over 40 KB as soon as any passes its limit.
pub async fn read(mut multipart: Multipart, limits: FileLimits) -> Result<UploadForm, AppError> {
    let FileLimits { file_field, max_files, max_bytes } = limits;
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("the upload could not be read: {e}"))
    };
    let mut form = UploadForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        let is_file = name == file_field;
        let (limit, too_big) = if is_file {
            (max_bytes, format!("the file is more than the {} allowed", size_label(max_bytes)))
        } else {
            (TEXT_FIELD_BYTES, format!("{name} is too long"))
        };
        let filename = field.file_name().unwrap_or_default().to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            if bytes.len() + chunk.len() > limit {
                return Err(AppError::BadRequest(too_big));
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            if !(filename.is_empty() && bytes.is_empty()) {
                if form.files.len() == max_files {
                    return Err(AppError::BadRequest(format!("send at most {max_files} files")));
                }
                form.files.push((filename, bytes));
            }
        } else {
            let text = String::from_utf8(bytes).map_err(|_| AppError::BadRequest(format!("{name} is not text")))?;
            form.fields.insert(name, text);
        }
    }
    Ok(form)
}

/// A photo to show in the page or the API: typed as stored, never cached.
pub fn image(content_type: &str, bytes: Vec<u8>) -> Response {
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// A document as a download: an attachment with a safe name, typed by what
/// its bytes are, never cached or sniffed.
pub fn download(doc: &Document, bytes: Vec<u8>) -> Response {
    let content_type = if doc.content_type == "text/plain" { "text/plain; charset=utf-8" } else { &doc.content_type };
    let disposition = format!("attachment; filename=\"{}\"", doc.filename.replace(['"', '\\'], ""));
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("attachment")),
    );
    res
}
