//! `safetynet import incidents`: migrate a partnership's spreadsheet of
//! incidents. Each row is validated exactly as the web form validates it
//! (the categories and boundaries are read once for the whole file); a bad
//! row is reported with its line and the rest are kept; a row whose
//! `reference` is already stored is skipped, so the same file can be
//! imported again safely. Rows are stored [`BATCH`] to a transaction: a
//! failure part-way keeps every batch before it, and running the import
//! again completes it.

use safetynet_domain::incident::{HateStrand, IncidentInput, PersonRole, Source};
use safetynet_domain::policy::{EditRecords, Permit, Principal};
use safetynet_store::incidents::{submit_incidents_in, NewPerson, Submission, Submitted};
use safetynet_store::intake::Intake;
use safetynet_store::users::Actor;
use safetynet_store::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// Rows stored in one transaction.
pub const BATCH: usize = 5000;

/// Columns every file must have.
pub const REQUIRED: [&str; 6] = ["reference", "category", "occurred_at", "latitude", "longitude", "description"];

/// What an incident import did.
#[derive(Debug, Default, Serialize)]
pub struct IncidentImportSummary {
    /// Data rows read.
    pub rows_read: u64,
    /// New incidents stored.
    pub imported: u64,
    /// Rows whose reference was already stored.
    pub already_present: u64,
    /// Rows refused.
    pub rejected: u64,
    /// Every refused row: line and reasons.
    pub rejected_rows: Vec<RejectedIncident>,
}

/// A refused row.
#[derive(Debug, Serialize)]
pub struct RejectedIncident {
    /// 1-based line (header = 1).
    pub line: u64,
    /// Reference, if any.
    pub reference: String,
    /// Why.
    pub reason: String,
}

/// A fatal problem with the file itself.
#[derive(Debug, thiserror::Error)]
pub enum IncidentImportError {
    /// Unreadable.
    #[error("{0}: {1}")]
    Read(String, String),
    /// Required columns missing.
    #[error("{file}: missing required column(s): {missing} (required: reference, category, occurred_at, latitude, longitude, description)")]
    Columns {
        /// File.
        file: String,
        /// Missing column names.
        missing: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] safetynet_store::StoreError),
}

/// Parses a time: RFC 3339, or `YYYY-MM-DD HH:MM[:SS]` / `YYYY-MM-DDTHH:MM` in UK local time.
pub fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let s = s.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&chrono::Utc));
    }
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| chrono::NaiveDateTime::parse_from_str(s, f).ok())
        .and_then(safetynet_domain::uk_time::london_to_utc)
}

fn flag(v: &str) -> bool {
    matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "yes" | "y" | "1")
}

fn row_to_input(get: &dyn Fn(&str) -> String) -> Result<(IncidentInput, Vec<NewPerson>), String> {
    let occurred = parse_time(&get("occurred_at"))
        .ok_or("occurred_at is not a date and time (use 2026-01-15 09:30 or RFC 3339)")?;
    let reported = match get("reported_at").trim() {
        "" => occurred,
        s => parse_time(s).ok_or("reported_at is not a date and time")?,
    };
    let coord = |name: &str| -> Result<Option<f64>, String> {
        match get(name).trim() {
            "" => Ok(None),
            s => s.parse::<f64>().map(Some).map_err(|_| format!("{name} '{s}' is not a number")),
        }
    };
    let hate = get("hate_strand");
    let hate_strand = match hate.trim() {
        "" => None,
        s => Some(HateStrand::parse(s).ok_or(format!(
            "hate_strand '{s}' is not one of race, religion, sexual_orientation, disability, transgender, other"
        ))?),
    };
    let source = match get("source").trim() {
        "" => Source::Other,
        s => Source::parse(s).ok_or(format!("source '{s}' is not a known source"))?,
    };
    let mut people = Vec::new();
    for (prefix, role) in [("victim", PersonRole::Victim), ("perpetrator", PersonRole::Perpetrator)] {
        let name = get(&format!("{prefix}_name"));
        if name.trim().is_empty() {
            continue;
        }
        let dob = match get(&format!("{prefix}_dob")).trim() {
            "" => None,
            s => Some(
                chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map_err(|_| format!("{prefix}_dob '{s}' is not a date like 1950-03-02"))?,
            ),
        };
        people.push(NewPerson {
            role,
            full_name: name,
            date_of_birth: dob,
            address: get(&format!("{prefix}_address")),
            uprn: None,
            is_business: false,
        });
    }
    let input = IncidentInput {
        category: get("category").trim().to_string(),
        occurred_from: occurred,
        occurred_to: None,
        reported_at: reported,
        latitude: coord("latitude")?,
        longitude: coord("longitude")?,
        address: get("address"),
        uprn: Some(get("uprn").trim().to_string()).filter(|s| !s.is_empty()),
        description: get("description"),
        source,
        hate_strand,
        domestic_abuse: flag(&get("domestic_abuse")),
        involves_child: flag(&get("involves_child")),
        repeat: flag(&get("repeat")),
        outside_area_reason: Some(get("outside_area_reason")).filter(|s| !s.trim().is_empty()),
    };
    Ok((input, people))
}

/// One data row of an incident file, parsed but not yet stored.
#[derive(Debug)]
pub struct IncidentRow {
    /// 1-based line (header = 1).
    pub line: u64,
    /// The partnership's reference.
    pub reference: String,
    /// The row's `agency` column, upper-cased, if given.
    pub agency: Option<String>,
    /// The incident.
    pub input: IncidentInput,
    /// Its people.
    pub people: Vec<NewPerson>,
}

/// Reads an incident file: checks the header, then yields each data row
/// parsed, or refused with its line and reason. Pure: no database, so it can
/// be fuzzed.
#[derive(Debug)]
pub struct IncidentRows<R: std::io::Read> {
    reader: csv::Reader<R>,
    index: HashMap<String, usize>,
    record: csv::StringRecord,
}

impl<R: std::io::Read> IncidentRows<R> {
    /// Reads and checks the header of `input` (named `file` in errors).
    pub fn new(input: R, file: &str) -> Result<Self, IncidentImportError> {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| IncidentImportError::Read(file.to_string(), e.to_string()))?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase())
            .collect();
        let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !headers.iter().any(|h| h == c)).collect();
        if !missing.is_empty() {
            return Err(IncidentImportError::Columns { file: file.to_string(), missing: missing.join(", ") });
        }
        let index = headers.iter().enumerate().map(|(i, h)| (h.clone(), i)).collect();
        Ok(Self { reader, index, record: csv::StringRecord::new() })
    }

    /// The next row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> Option<Result<IncidentRow, RejectedIncident>> {
        let line = self.reader.position().line() + 1;
        match self.reader.read_record(&mut self.record) {
            Ok(false) => return None,
            Err(e) => {
                return Some(Err(RejectedIncident {
                    line: e.position().map_or(line, |p| p.line()),
                    reference: String::new(),
                    reason: format!("unreadable row: {e}"),
                }))
            }
            Ok(true) => {}
        }
        let line = self.record.position().map_or(line, |p| p.line());
        let (index, record) = (&self.index, &self.record);
        let get = |name: &str| index.get(name).and_then(|i| record.get(*i)).unwrap_or("").to_string();
        let reference = get("reference").trim().to_string();
        let reject = |reason: String| Some(Err(RejectedIncident { line, reference: reference.clone(), reason }));
        if reference.is_empty() {
            return reject("reference is empty".into());
        }
        let agency = Some(get("agency").trim().to_uppercase()).filter(|a| !a.is_empty());
        match row_to_input(&get) {
            Ok((input, people)) => Some(Ok(IncidentRow { line, reference, agency, input, people })),
            Err(reason) => reject(reason),
        }
    }
}

/// Imports incidents from a CSV file, owned by `agency` (or each row's
/// `agency` column). `now_ms` is the import time (the clock).
pub async fn import_incidents(
    store: &Store,
    path: &Path,
    agency: Option<&str>,
    now_ms: i64,
) -> Result<IncidentImportSummary, IncidentImportError> {
    let file = path.display().to_string();
    let input = std::fs::File::open(path).map_err(|e| IncidentImportError::Read(file.clone(), e.to_string()))?;
    let mut rows = IncidentRows::new(input, &file)?;
    let mut summary = IncidentImportSummary::default();
    let intake = store.intake().await?;
    let mut known_agencies: HashMap<String, bool> = HashMap::new();
    let mut batch: Vec<(IncidentRow, Permit<EditRecords>)> = Vec::with_capacity(BATCH);
    while let Some(row) = rows.next_row() {
        summary.rows_read += 1;
        let row = match row {
            Ok(row) => row,
            Err(rejected) => {
                summary.reject(rejected);
                continue;
            }
        };
        let Some(owner) = row.agency.clone().or_else(|| agency.map(str::to_string)) else {
            summary.reject(row.rejected("no owning agency: add an agency column or pass --agency".into()));
            continue;
        };
        let known = match known_agencies.get(&owner) {
            Some(known) => *known,
            None => {
                let known = store.agency(&owner).await.is_ok();
                known_agencies.insert(owner.clone(), known);
                known
            }
        };
        if !known {
            summary.reject(row.rejected(format!("agency '{owner}' is not one of the partnership's agencies")));
            continue;
        }
        match Principal::operator_for_agency(&owner).permit::<EditRecords>() {
            Ok(permit) => batch.push((row, permit)),
            Err(denied) => summary.reject(row.rejected(denied.to_string())),
        }
        if batch.len() == BATCH {
            record_batch(store, &intake, &mut batch, now_ms, &mut summary).await?;
        }
    }
    record_batch(store, &intake, &mut batch, now_ms, &mut summary).await?;
    summary.rejected_rows.sort_by_key(|r| r.line);
    if summary.imported > 0 {
        store.refresh_statistics(&["incidents", "people", "incident_people"]).await?;
    }
    Ok(summary)
}

/// Checks and records `batch` (emptied) in one transaction, counting each
/// row's result in `summary`.
async fn record_batch(
    store: &Store,
    intake: &Intake,
    batch: &mut Vec<(IncidentRow, Permit<EditRecords>)>,
    now_ms: i64,
    summary: &mut IncidentImportSummary,
) -> Result<(), IncidentImportError> {
    if batch.is_empty() {
        return Ok(());
    }
    let submissions: Vec<Submission> = batch
        .iter()
        .map(|(row, permit)| Submission {
            permit,
            actor: Actor { principal: permit.principal(), at_ms: now_ms, source: "cli" },
            input: &row.input,
            reference: Some(&row.reference),
            people: &row.people,
        })
        .collect();
    let mut tx = store.write().await?;
    let results = submit_incidents_in(&mut tx, intake, &submissions).await?;
    tx.commit().await?;
    drop(submissions);
    for ((row, _), submitted) in batch.drain(..).zip(results) {
        match submitted {
            Submitted::Recorded { .. } => summary.imported += 1,
            Submitted::AlreadyPresent => summary.already_present += 1,
            Submitted::Invalid { errors } => {
                summary.reject(row.rejected(
                    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "),
                ))
            }
        }
    }
    Ok(())
}

impl IncidentRow {
    fn rejected(&self, reason: String) -> RejectedIncident {
        RejectedIncident { line: self.line, reference: self.reference.clone(), reason }
    }
}

impl IncidentImportSummary {
    fn reject(&mut self, row: RejectedIncident) {
        self.rejected += 1;
        self.rejected_rows.push(row);
    }

    /// The human-readable report.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "rows read:       {}\nimported:        {}\nalready present: {}\nrejected:        {}\n",
            self.rows_read, self.imported, self.already_present, self.rejected
        );
        for r in &self.rejected_rows {
            s.push_str(&format!("  line {} ({}): {}\n", r.line, r.reference, r.reason));
        }
        s
    }
}
