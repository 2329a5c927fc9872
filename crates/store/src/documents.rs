//! Documents and evidence attached to incidents and cases. Who may add, list
//! or download one follows the record it is attached to (the same rule as
//! the record's own page: its owner, agencies it is shared with); a record
//! another agency holds is "not found". Every list and every download is
//! audited. Content is kept in the database, or in a configured folder with
//! the row holding its SHA-256, checked again on every download.

use crate::audit::append;
use crate::cases::{case_right, event};
use crate::records::incident_shares;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::documents::{check_upload, DocumentKind};
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::policy::{record_access, EditRecords, Permit, RecordAccess, SeesRecords, ViewRecords};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The record a document is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attached<'a> {
    /// An incident, by id.
    Incident(&'a str),
    /// A case, by id.
    Case(&'a str),
}

impl Attached<'_> {
    fn parts(&self) -> (&'static str, &str) {
        match self {
            Attached::Incident(id) => ("incident", id),
            Attached::Case(id) => ("case", id),
        }
    }
}

/// Where content is kept (`[safety.documents] folder` in the configuration;
/// the database when unset).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Storage {
    /// In the `documents` row.
    #[default]
    Database,
    /// In this folder, one file per document named by its id.
    Folder(PathBuf),
}

/// `[safety.documents]`: where content is kept and the largest file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentSettings {
    /// A folder for the content (default: none, in the database).
    pub folder: Option<PathBuf>,
    /// The largest file in bytes (default 20 MiB, at most 100 MiB).
    pub max_bytes: usize,
}

impl Default for DocumentSettings {
    fn default() -> Self {
        Self { folder: None, max_bytes: safetynet_domain::documents::DEFAULT_MAX_BYTES }
    }
}

impl DocumentSettings {
    /// The most `max_bytes` may be.
    pub const LARGEST: usize = 100 * 1024 * 1024;

    /// Refuses a limit of 0 or over [`DocumentSettings::LARGEST`].
    pub fn validate(&self) -> std::result::Result<(), String> {
        if (1..=Self::LARGEST).contains(&self.max_bytes) {
            Ok(())
        } else {
            Err(format!("documents.max_bytes must be from 1 to {}, not {}", Self::LARGEST, self.max_bytes))
        }
    }

    /// Where content is kept.
    pub fn storage(&self) -> Storage {
        self.folder.clone().map_or(Storage::Database, Storage::Folder)
    }
}

/// An upload as a front door received it.
#[derive(Debug, Clone)]
pub struct Upload {
    /// What it is.
    pub kind: DocumentKind,
    /// The name it was uploaded with.
    pub filename: String,
    /// What it shows (up to [`Upload::MAX_DESCRIPTION`] characters).
    pub description: String,
    /// The content.
    pub bytes: Vec<u8>,
}

impl Upload {
    /// The longest description.
    pub const MAX_DESCRIPTION: usize = 1_000;
}

/// A document as listed (never its content).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Document {
    /// Id.
    pub id: String,
    /// `incident` or `case`.
    pub record_type: String,
    /// The record's id.
    pub record_id: String,
    /// The agency that added it.
    pub owner_agency: String,
    /// What it is.
    pub kind: DocumentKind,
    /// A safe name to download it as.
    pub filename: String,
    /// Its media type, from its bytes.
    pub content_type: String,
    /// Its size.
    pub size_bytes: i64,
    /// Its SHA-256, hex (for evidence continuity).
    pub sha256: String,
    /// What it shows.
    pub description: String,
    /// Added (Unix ms).
    pub created_at_ms: i64,
}

/// Checks the permit may see the record `at` (and, with `attach`, add to
/// it: a case's lead or partner agencies, who work the case; an incident's
/// owner only, as nothing else about an incident is another agency's to
/// change).
async fn record_right<C: SeesRecords>(
    tx: &mut impl Exec,
    permit: &Permit<C>,
    at: Attached<'_>,
    attach: bool,
) -> Result<()> {
    match at {
        Attached::Case(id) => case_right(tx, permit, id).await.map(|_| ()),
        Attached::Incident(id) => {
            let row = tx
                .optional(&Q::new("SELECT owner_agency FROM incidents WHERE id = $1").bind(id))
                .await?
                .ok_or(StoreError::NotFound("incident"))?;
            let owner = row.text("owner_agency")?;
            let shares = incident_shares(tx, id).await?;
            match record_access(permit, &owner, &shares) {
                RecordAccess::Full if attach && owner != permit.principal().agency => {
                    Err(StoreError::Forbidden("only the agency that holds an incident attaches documents to it"))
                }
                RecordAccess::Full => Ok(()),
                RecordAccess::Signpost { .. } => Err(StoreError::NotFound("incident")),
            }
        }
    }
}

/// Writes `bytes` to `folder/id` through a temporary file, so a crash never
/// leaves half a document under its final name.
fn write_file(folder: &Path, id: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
    use std::io::Write;
    std::fs::create_dir_all(folder)?;
    let path = folder.join(id);
    let tmp = folder.join(format!("{id}.partial"));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

impl Store {
    /// Attaches a document to a record after the type and size checks
    /// (`StoreError::Rule("document_rejected", why)`); audited, and noted on
    /// the case's timeline.
    pub async fn add_document(
        &self,
        permit: &Permit<EditRecords>,
        at: Attached<'_>,
        upload: &Upload,
        storage: &Storage,
        max_bytes: usize,
        actor: &Actor<'_>,
    ) -> Result<Document> {
        let accepted = check_upload(&upload.filename, &upload.bytes, max_bytes)
            .map_err(|m| StoreError::Rule("document_rejected", m))?;
        let description = safetynet_domain::text::optional("description", &upload.description, Upload::MAX_DESCRIPTION)
            .map_err(|m| StoreError::Rule("document_rejected", m))?;
        let id = new_id_at_ms(actor.at_ms);
        let sha256 = hex::encode(Sha256::digest(&upload.bytes));
        // A folder's file is written before the transaction (never holding
        // the write lock during file work) and removed if the row is not.
        let (content, stored_path) = match storage {
            Storage::Database => (Some(upload.bytes.clone()), None),
            Storage::Folder(folder) => {
                let (folder, id, bytes) = (folder.clone(), id.clone(), upload.bytes.clone());
                let path = tokio::task::spawn_blocking(move || write_file(&folder, &id, &bytes))
                    .await
                    .map_err(|e| StoreError::Io(e.to_string()))?
                    .map_err(|e| StoreError::Io(format!("could not keep the document: {e}")))?;
                (None, Some(path.display().to_string()))
            }
        };
        let (record_type, record_id) = at.parts();
        let mut tx = match self.write().await {
            Ok(tx) => tx,
            Err(e) => {
                if let Some(path) = &stored_path {
                    let _ = std::fs::remove_file(path);
                }
                return Err(e);
            }
        };
        let inserted = match record_right(&mut tx, permit, at, true).await {
            Ok(()) => tx
            .execute(
                &Q::new(
                    "INSERT INTO documents (id, record_type, record_id, owner_agency, kind, filename, content_type, size_bytes, sha256, description,
                       content, stored_path, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                )
                .bind(&id)
                .bind(record_type)
                .bind(record_id)
                .bind(&permit.principal().agency)
                .bind(upload.kind.as_str())
                .bind(&accepted.filename)
                .bind(accepted.content_type)
                .bind(i64::try_from(upload.bytes.len()).unwrap_or(i64::MAX))
                .bind(&sha256)
                .bind(&description)
                .bind(content)
                .bind(stored_path.clone())
                .bind(actor.at_ms)
                .bind(actor.user_id()),
            )
            .await,
            Err(e) => Err(e),
        };
        let written = async {
            inserted?;
            if let Attached::Case(case_id) = at {
                let line = format!("{} added: {}", upload.kind.label(), accepted.filename);
                event(&mut tx, case_id, "document", &line, actor).await?;
            }
            let detail = serde_json::json!({ "record_type": record_type, "record": record_id, "sha256": sha256, "kind": upload.kind.as_str() });
            append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "document", Some(&id), detail)).await?;
            tx.commit().await
        }
        .await;
        if let (Err(_), Some(path)) = (&written, &stored_path) {
            // Nothing refers to the file: do not leave it behind.
            let _ = std::fs::remove_file(path);
        }
        written?;
        self.document_meta(&id).await
    }

    /// The documents attached to a record, newest first; audited.
    pub async fn documents(
        &self,
        permit: &Permit<ViewRecords>,
        at: Attached<'_>,
        actor: &Actor<'_>,
    ) -> Result<Vec<Document>> {
        let mut conn = self.conn().await?;
        record_right(&mut conn, permit, at, false).await?;
        let (record_type, record_id) = at.parts();
        let rows = conn
            .all(
                &Q::new(format!(
                    "SELECT {DOCUMENT_COLS} FROM documents WHERE record_type = $1 AND record_id = $2 ORDER BY created_at DESC, id DESC"
                ))
                .bind(record_type)
                .bind(record_id),
            )
            .await?;
        let out = rows.iter().map(document_row).collect::<Result<Vec<_>>>()?;
        drop(conn);
        let detail = serde_json::json!({ "record_type": record_type, "record": record_id });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "document", None, detail)).await?;
        Ok(out)
    }

    /// A document and its content, for download: only through the record
    /// it is attached to; audited (with its checksum). Content kept in a
    /// folder is checked against the checksum taken when it was added.
    pub async fn document_content(
        &self,
        permit: &Permit<ViewRecords>,
        id: &str,
        actor: &Actor<'_>,
    ) -> Result<(Document, Vec<u8>)> {
        let mut tx = self.write().await?;
        let row = tx
            .optional(
                &Q::new(format!("SELECT {DOCUMENT_COLS}, content, stored_path FROM documents WHERE id = $1")).bind(id),
            )
            .await?
            .ok_or(StoreError::NotFound("document"))?;
        let doc = document_row(&row)?;
        let at = match doc.record_type.as_str() {
            "case" => Attached::Case(&doc.record_id),
            _ => Attached::Incident(&doc.record_id),
        };
        record_right(&mut tx, permit, at, false).await.map_err(|_| StoreError::NotFound("document"))?;
        let detail = serde_json::json!({ "download": true, "sha256": doc.sha256, "record_type": doc.record_type, "record": doc.record_id });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::View, "document", Some(id), detail)).await?;
        tx.commit().await?;
        // The file is read after the commit: the write lock is not held
        // while a large document is read and checked.
        let bytes = match (row.opt_bytes("content")?, row.opt_text("stored_path")?) {
            (Some(b), _) => b,
            (None, Some(path)) => tokio::task::spawn_blocking(move || std::fs::read(&path))
                .await
                .map_err(|e| StoreError::Io(e.to_string()))?
                .map_err(|e| StoreError::Io(format!("document {id} could not be read: {e}")))?,
            (None, None) => return Err(StoreError::Io(format!("document {id} has no content"))),
        };
        if hex::encode(Sha256::digest(&bytes)) != doc.sha256 {
            return Err(StoreError::Io(format!("document {id} does not match the checksum taken when it was added")));
        }
        Ok((doc, bytes))
    }

    async fn document_meta(&self, id: &str) -> Result<Document> {
        let row = self
            .conn()
            .await?
            .optional(&Q::new(format!("SELECT {DOCUMENT_COLS} FROM documents WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("document"))?;
        document_row(&row)
    }
}

const DOCUMENT_COLS: &str =
    "id, record_type, record_id, owner_agency, kind, filename, content_type, size_bytes, sha256, description, created_at";

fn document_row(r: &Row) -> Result<Document> {
    Ok(Document {
        id: r.text("id")?,
        record_type: r.text("record_type")?,
        record_id: r.text("record_id")?,
        owner_agency: r.text("owner_agency")?,
        kind: r.stored("kind")?,
        filename: r.text("filename")?,
        content_type: r.text("content_type")?,
        size_bytes: r.int("size_bytes")?,
        sha256: r.text("sha256")?,
        description: r.text("description")?,
        created_at_ms: r.int("created_at")?,
    })
}
