//! The police.uk importer: expands paths to CSV files, checks every header
//! before writing anything, then streams each file into its own transaction
//! (parsing on a blocking thread while the database writes the previous
//! batch). A file is imported whole or not at all; a bad row is reported with
//! its file and line and the rest are kept; re-importing adds nothing.

use safetynet_domain::audit::AuditAction;
use safetynet_domain::policeuk::{FileError, PoliceUkReader, Rejection, Row};
use safetynet_domain::policy::Principal;
use safetynet_store::audit::append;
use safetynet_store::crimes::{begin_staging, merge_staged, stage_outcomes, stage_street, BATCH_ROWS};
use safetynet_store::users::Actor;
use safetynet_store::{Store, StoreError};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Where rows come from: a file on disk or data embedded in the binary.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file path.
    File(PathBuf),
    /// Embedded bytes with a display name.
    Embedded(String, &'static [u8]),
}

impl Source {
    /// Name shown in reports.
    pub fn name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Embedded(n, _) => n.clone(),
        }
    }

    fn size(&self) -> u64 {
        match self {
            Source::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
            Source::Embedded(_, b) => b.len() as u64,
        }
    }

    fn open(&self) -> Result<Box<dyn Read + Send>, ImportError> {
        match self {
            Source::File(p) => std::fs::File::open(p)
                .map(|f| Box::new(std::io::BufReader::with_capacity(256 * 1024, f)) as Box<dyn Read + Send>)
                .map_err(|e| ImportError::File { file: self.name(), reason: e.to_string() }),
            Source::Embedded(_, b) => Ok(Box::new(*b)),
        }
    }
}

/// A fatal import error: nothing more is written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A path could not be read, or a file is not police.uk data.
    #[error("{file}: {reason}")]
    File {
        /// File.
        file: String,
        /// Why.
        reason: String,
    },
    /// No CSV files in the paths given.
    #[error("no .csv files found in the paths given")]
    NoFiles,
    /// The database failed (the current file's transaction was rolled back).
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A rejected row.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedRow {
    /// File.
    pub file: String,
    /// 1-based line (header = 1).
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// Per-file counts.
#[derive(Debug, Clone, Serialize, Default)]
pub struct FileSummary {
    /// File.
    pub file: String,
    /// `street` or `outcomes`.
    pub kind: String,
    /// Data rows read.
    pub rows_read: u64,
    /// New rows stored.
    pub imported: u64,
    /// Valid rows already stored by an earlier import.
    pub already_present: u64,
    /// Rows refused.
    pub rejected: u64,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, Default)]
pub struct ImportSummary {
    /// Per file.
    pub files: Vec<FileSummary>,
    /// Data rows read in all files.
    pub rows_read: u64,
    /// New rows stored.
    pub imported: u64,
    /// Valid rows already present.
    pub already_present: u64,
    /// Rows refused.
    pub rejected: u64,
    /// Every refused row with its file, line and reason.
    pub rejected_rows: Vec<RejectedRow>,
}

/// Expands files and folders (recursively) into sorted `.csv` sources.
pub fn collect_sources(paths: &[PathBuf]) -> Result<Vec<Source>, ImportError> {
    let mut files = Vec::new();
    for p in paths {
        walk(p, &mut files)?;
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        return Err(ImportError::NoFiles);
    }
    Ok(files.into_iter().map(Source::File).collect())
}

fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Result<(), ImportError> {
    let err = |e: std::io::Error| ImportError::File { file: p.display().to_string(), reason: e.to_string() };
    let meta = std::fs::metadata(p).map_err(err)?;
    if meta.is_dir() {
        for entry in std::fs::read_dir(p).map_err(err)? {
            let path = entry.map_err(err)?.path();
            if path.is_dir() || path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
                walk(&path, out)?;
            }
        }
    } else {
        out.push(p.to_path_buf());
    }
    Ok(())
}

/// Receives progress as bytes of input consumed.
pub trait Progress: Send + Sync {
    /// Total bytes to read.
    fn start(&self, total_bytes: u64);
    /// More bytes consumed.
    fn advance(&self, bytes: u64);
    /// All done.
    fn finish(&self);
}

/// Progress that goes nowhere.
#[derive(Debug)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// Staged rows are merged at least this often, bounding temporary storage.
const MERGE_EVERY: usize = 50_000;

struct Batch {
    rows: Vec<Row>,
    rejections: Vec<Rejection>,
    bytes: u64,
}

/// Imports `sources` as `principal`, auditing one row per file.
pub async fn import_police_uk(
    store: &Store,
    sources: &[Source],
    principal: &Principal,
    source_addr: &str,
    now_ms: i64,
    progress: &dyn Progress,
) -> Result<ImportSummary, ImportError> {
    // Check every header first, so a wrong file stops the run before any write.
    for s in sources {
        PoliceUkReader::new(s.open()?).map_err(|e| file_error(s, &e))?;
    }
    progress.start(sources.iter().map(Source::size).sum());
    let mut summary = ImportSummary::default();
    for s in sources {
        let file = import_file(store, s, principal, source_addr, now_ms, progress, &mut summary.rejected_rows).await?;
        summary.rows_read += file.rows_read;
        summary.imported += file.imported;
        summary.already_present += file.already_present;
        summary.rejected += file.rejected;
        summary.files.push(file);
    }
    progress.finish();
    if summary.imported > 0 {
        store.refresh_statistics(&["police_crimes", "police_outcomes", "police_crime_counts"]).await?;
    }
    Ok(summary)
}

fn file_error(s: &Source, e: &FileError) -> ImportError {
    ImportError::File { file: s.name(), reason: e.to_string() }
}

async fn import_file(
    store: &Store,
    s: &Source,
    principal: &Principal,
    source_addr: &str,
    now_ms: i64,
    progress: &dyn Progress,
    rejected_rows: &mut Vec<RejectedRow>,
) -> Result<FileSummary, ImportError> {
    let mut reader = PoliceUkReader::new(s.open()?).map_err(|e| file_error(s, &e))?;
    let kind = match reader.kind() {
        safetynet_domain::policeuk::FileKind::Street => "street",
        safetynet_domain::policeuk::FileKind::Outcomes => "outcomes",
    };
    let (tx_batches, mut rx) = tokio::sync::mpsc::channel::<Batch>(4);
    let parser = tokio::task::spawn_blocking(move || {
        let mut last = 0;
        loop {
            let mut batch = Batch { rows: Vec::with_capacity(BATCH_ROWS * 4), rejections: Vec::new(), bytes: 0 };
            let mut done = true;
            while let Some(row) = reader.next_row() {
                match row {
                    Ok(r) => batch.rows.push(r),
                    Err(rej) => batch.rejections.push(rej),
                }
                if batch.rows.len() >= BATCH_ROWS * 4 {
                    done = false;
                    break;
                }
            }
            let now = reader.bytes_read();
            batch.bytes = now - last;
            last = now;
            if tx_batches.blocking_send(batch).is_err() || done {
                return;
            }
        }
    });
    let mut summary = FileSummary { file: s.name(), kind: kind.into(), ..FileSummary::default() };
    let mut tx = store.write().await?;
    begin_staging(&mut tx).await?;
    let (mut valid, mut staged) = (0u64, 0usize);
    while let Some(batch) = rx.recv().await {
        let (mut street, mut outcomes) = (Vec::new(), Vec::new());
        for r in batch.rows {
            match r {
                Row::Street(x) => street.push(x),
                Row::Outcome(x) => outcomes.push(x),
            }
        }
        let n = street.len() + outcomes.len();
        stage_street(&mut tx, &street).await?;
        stage_outcomes(&mut tx, &outcomes).await?;
        valid += n as u64;
        staged += n;
        if staged >= MERGE_EVERY {
            summary.imported += merge_staged(&mut tx).await?;
            staged = 0;
        }
        summary.rows_read += (n + batch.rejections.len()) as u64;
        summary.rejected += batch.rejections.len() as u64;
        rejected_rows.extend(batch.rejections.into_iter().map(|r| RejectedRow {
            file: s.name(),
            line: r.line,
            reason: r.reason,
        }));
        progress.advance(batch.bytes);
    }
    parser.await.map_err(|e| ImportError::File { file: s.name(), reason: format!("parser stopped: {e}") })?;
    summary.imported += merge_staged(&mut tx).await?;
    summary.already_present = valid - summary.imported;
    let actor = Actor { principal, at_ms: now_ms, source: source_addr };
    let file_name = Path::new(&s.name()).file_name().map_or_else(|| s.name(), |f| f.to_string_lossy().into_owned());
    let detail = serde_json::json!({
        "file": file_name, "kind": kind, "rows_read": summary.rows_read, "imported": summary.imported,
        "already_present": summary.already_present, "rejected": summary.rejected,
    });
    append(&mut tx, now_ms, &actor.event(AuditAction::Import, "police_uk_file", None, detail)).await?;
    tx.commit().await?;
    Ok(summary)
}

impl ImportSummary {
    /// The human-readable report.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "files:           {}\nrows read:       {}\nimported:        {}\nalready present: {}\nrejected:        {}\n",
            self.files.len(),
            self.rows_read,
            self.imported,
            self.already_present,
            self.rejected
        );
        if !self.rejected_rows.is_empty() {
            s.push_str("rejected rows:\n");
            for r in &self.rejected_rows {
                s.push_str(&format!("  {}:{}: {}\n", r.file, r.line, r.reason));
            }
        }
        s
    }
}
