//! Importing the police's daily crime extract: one file at a time (a bad
//! row is reported with the file and its line and the rest are kept; the
//! good rows are stored in one transaction; the same file twice changes
//! nothing), from the command line (`safetynet import police-daily`) or
//! from the drop folder the scheduler watches, whose files are moved to
//! `done/` or `rejected/` beside a report.

use crate::daily::PoliceDailySettings;
use crate::Error;
use safetynet_domain::police_daily::{victim_key, DailyCrime, DailyCrimeReader, OffenceCodes};
use safetynet_store::police_daily::{DailyCrimeRecord, DailyFile, DailyImport};
use safetynet_store::users::Actor;
use safetynet_store::Store;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Largest extract file read (bytes): a county's day is well under 1 MB.
pub const MAX_FILE_BYTES: u64 = 100 << 20;

/// A refused row: the file and the line a spreadsheet shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRow {
    /// The file's name.
    pub file: String,
    /// The line (the header is line 1).
    pub line: u64,
    /// Why.
    pub reason: String,
}

/// What importing one file did.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file's name.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Crimes added, updated and unchanged, and whether it was imported before.
    #[serde(flatten)]
    pub import: DailyImport,
    /// The refused rows.
    pub rejected_rows: Vec<RejectedRow>,
    /// Columns the file has that the format does not use.
    pub ignored_columns: Vec<String>,
}

impl FileReport {
    /// The report as text (for the terminal and beside a dropped file).
    pub fn to_text(&self) -> String {
        let i = &self.import;
        let mut out = if i.already_imported {
            format!("{}: imported before (SHA-256 {}); nothing changed\n", self.file, self.sha256)
        } else {
            format!(
                "{}: {} added, {} updated, {} unchanged, {} rejected\n",
                self.file, i.added, i.updated, i.unchanged, i.rejected
            )
        };
        for r in &self.rejected_rows {
            out.push_str(&format!("  {} line {}: {}\n", r.file, r.line, r.reason));
        }
        if !self.ignored_columns.is_empty() {
            out.push_str(&format!("  columns not used: {}\n", self.ignored_columns.join(", ")));
        }
        out
    }
}

/// The offence code table the settings name, or the bundled one.
pub fn offence_codes(settings: &PoliceDailySettings) -> Result<OffenceCodes, Error> {
    match &settings.offence_codes {
        None => Ok(OffenceCodes::bundled()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::Invalid(format!("cannot read the offence code table {}: {e}", path.display())))?;
            OffenceCodes::parse(&text).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))
        }
    }
}

fn record(c: DailyCrime) -> DailyCrimeRecord {
    DailyCrimeRecord {
        victim_key: victim_key(c.victim_name.as_deref(), c.victim_date_of_birth),
        crime_reference: c.crime_reference,
        offence_code: c.offence_code,
        offence_description: c.offence_description,
        category: c.category,
        occurred_from_ms: c.occurred_from.timestamp_millis(),
        occurred_to_ms: c.occurred_to.map(|t| t.timestamp_millis()),
        reported_at_ms: c.reported_at.timestamp_millis(),
        latitude: c.latitude,
        longitude: c.longitude,
        address: c.address,
        beat: c.beat,
        ward: c.ward,
        domestic_abuse: c.domestic_abuse,
        hate_strand: c.hate_strand.map(|h| h.as_str().to_string()),
        weapon: c.weapon,
        vulnerable_victim: c.vulnerable_victim,
        repeat_victim: c.repeat_victim,
        repeat_location: c.repeat_location,
        child_involved: c.child_involved,
        status: c.status.as_str().to_string(),
    }
}

/// Imports one extract file from `agency` (a police agency the store holds).
pub async fn import_file(
    store: &Store,
    path: &Path,
    agency: &str,
    codes: &OffenceCodes,
    actor: &Actor<'_>,
) -> Result<FileReport, Error> {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let size = std::fs::metadata(path).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?.len();
    if size > MAX_FILE_BYTES {
        return Err(Error::Invalid(format!("{name} is larger than {} MB", MAX_FILE_BYTES >> 20)));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let mut reader =
        DailyCrimeReader::new(bytes.as_slice(), codes).map_err(|e| Error::Invalid(format!("{name}: {e}")))?;
    let (mut crimes, mut rejected_rows) = (Vec::new(), Vec::new());
    while let Some(row) = reader.next_row() {
        match row {
            Ok(c) => crimes.push(record(c)),
            Err(r) => rejected_rows.push(RejectedRow { file: name.clone(), line: r.line, reason: r.reason }),
        }
    }
    let file = DailyFile { name: &name, sha256: &sha256, owner_agency: agency, rejected: rejected_rows.len() as u64 };
    let import = store.import_police_daily(file, &crimes, actor).await?;
    Ok(FileReport { file: name, sha256, import, rejected_rows, ignored_columns: reader.ignored_columns().to_vec() })
}

/// What the drop folder pass did with one file.
#[derive(Debug, Clone)]
pub struct Dropped {
    /// Where the file went (`done/` or `rejected/`).
    pub moved_to: PathBuf,
    /// The report written beside it.
    pub report: String,
    /// It was imported (some rows may still have been refused).
    pub imported: bool,
}

/// Imports every `*.csv` file in the settings' drop folder, oldest name
/// first, moving each to `done/` (imported, with any refused rows in its
/// report) or `rejected/` (not imported: unreadable, missing columns),
/// with `NAME.report.txt` beside it. None when no folder is configured.
pub async fn drop_folder(
    store: &Store,
    settings: &PoliceDailySettings,
    actor: &Actor<'_>,
) -> Result<Option<Vec<Dropped>>, Error> {
    let (Some(dir), Some(agency)) = (&settings.drop_dir, &settings.drop_agency) else { return Ok(None) };
    let codes = offence_codes(settings)?;
    let io = |e: std::io::Error| Error::Internal(format!("drop folder {}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("csv")))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let (imported, report) = match import_file(store, &path, agency, &codes, actor).await {
            Ok(r) => (true, r.to_text()),
            Err(Error::Invalid(m)) => (false, format!("not imported: {m}\n")),
            Err(e) => return Err(e),
        };
        let folder = dir.join(if imported { "done" } else { "rejected" });
        std::fs::create_dir_all(&folder).map_err(io)?;
        let name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        let moved_to = folder.join(&name);
        std::fs::rename(&path, &moved_to).map_err(io)?;
        let mut report_name = name;
        report_name.push(".report.txt");
        std::fs::write(folder.join(report_name), &report).map_err(io)?;
        out.push(Dropped { moved_to, report, imported });
    }
    Ok(Some(out))
}

/// One month and category of the reconciliation with police.uk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconciliationRow {
    /// The month (`YYYY-MM`), by the date reported (UK time).
    pub month: String,
    /// The category as labelled (for crime, the police.uk crime type).
    pub category: String,
    /// Crimes in the daily feed.
    pub daily_feed: i64,
    /// Crimes of that type police.uk published for the month; None when
    /// police.uk has not published the month (or has no such type).
    pub police_uk: Option<i64>,
}

/// The daily feed's monthly counts by category beside police.uk's for the
/// same month and crime type, so an analyst knows which source a figure
/// comes from and how far they differ. Months police.uk has not yet
/// published show the feed alone.
pub async fn reconciliation(store: &Store) -> Result<Vec<ReconciliationRow>, Error> {
    let daily = store.police_daily_month_counts().await?;
    let published = store.crime_month_counts(&Default::default(), false).await?;
    let cats = store.categories().await?;
    let months: std::collections::BTreeSet<String> = published.iter().map(|(m, ..)| m.to_string()).collect();
    let mut rows: Vec<ReconciliationRow> = daily
        .into_iter()
        .map(|(month, code, n)| {
            let category = cats.iter().find(|c| c.code == code).map_or(code.clone(), |c| c.label.clone());
            let police_uk = months.contains(&month).then(|| {
                published.iter().filter(|(m, t, ..)| m.to_string() == month && *t == category).map(|r| r.3).sum()
            });
            let police_uk = police_uk.filter(|_| code.starts_with("crime-"));
            ReconciliationRow { month, category, daily_feed: n, police_uk }
        })
        .collect();
    rows.sort_by(|a, b| b.month.cmp(&a.month).then(a.category.cmp(&b.category)));
    Ok(rows)
}
