//! Reading the police's daily crime extract: one CSV row per recorded crime,
//! columns found by header name (see `data/police-daily/README.md`).
//!
//! Each row becomes a [`DailyCrime`] or a [`Rejection`] naming its line as a
//! spreadsheet numbers it (the header is line 1) and every problem with the
//! row. The Home Office offence code of a crime is mapped to a SafetyNet
//! category through an [`OffenceCodes`] table; a code the table does not
//! know is rejected, never guessed. A crime reference seen again (in this
//! file or a later one) is an update of the earlier row: the reader returns
//! both, in file order, and the caller keeps the last.

use crate::categories::{default_categories, Category};
use crate::incident::{match_key, HateStrand};
pub use crate::policeuk::Rejection;
use crate::policeuk::{next_record, LineEnds};
use crate::uk_time::{london_date, london_to_utc};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

/// Longest crime reference accepted.
pub const MAX_REFERENCE: usize = 40;
/// Longest offence description accepted.
pub const MAX_DESCRIPTION: usize = 200;
/// Longest address accepted.
pub const MAX_ADDRESS: usize = crate::incident::MAX_ADDRESS;
/// Longest beat or ward accepted.
pub const MAX_AREA_NAME: usize = 100;
/// Longest victim name accepted.
pub const MAX_NAME: usize = 100;

/// Every column the reader knows, in the order of the documented header.
pub const COLUMNS: [&str; 21] = [
    "crime_reference",
    "offence_code",
    "offence_description",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "latitude",
    "longitude",
    "address",
    "beat",
    "ward",
    "domestic_abuse",
    "hate_strand",
    "weapon",
    "vulnerable_victim",
    "repeat_victim",
    "repeat_location",
    "child_involved",
    "status",
    "victim_name",
    "victim_date_of_birth",
];

/// The columns a file must have.
pub const REQUIRED_COLUMNS: [&str; 5] = ["crime_reference", "offence_code", "occurred_from", "reported_at", "status"];

/// Where a crime stands with the police.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrimeStatus {
    /// Recorded, not yet allocated.
    Recorded,
    /// Being investigated.
    UnderInvestigation,
    /// A suspect has been charged.
    Charged,
    /// No further action.
    NoFurtherAction,
    /// Closed (filed, finalised).
    Closed,
}

impl CrimeStatus {
    /// Every status, in display order.
    pub const ALL: &'static [CrimeStatus] = &[
        CrimeStatus::Recorded,
        CrimeStatus::UnderInvestigation,
        CrimeStatus::Charged,
        CrimeStatus::NoFurtherAction,
        CrimeStatus::Closed,
    ];

    /// Stable code (snake case).
    pub fn as_str(self) -> &'static str {
        match self {
            CrimeStatus::Recorded => "recorded",
            CrimeStatus::UnderInvestigation => "under_investigation",
            CrimeStatus::Charged => "charged",
            CrimeStatus::NoFurtherAction => "no_further_action",
            CrimeStatus::Closed => "closed",
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            CrimeStatus::Recorded => "Recorded",
            CrimeStatus::UnderInvestigation => "Under investigation",
            CrimeStatus::Charged => "Charged",
            CrimeStatus::NoFurtherAction => "No further action",
            CrimeStatus::Closed => "Closed",
        }
    }

    /// Parses a status in any case, with underscores, spaces or hyphens
    /// between words (`under_investigation`, `Under investigation`); `NFA`
    /// is no further action.
    pub fn parse(s: &str) -> Option<Self> {
        let code = snake(s);
        if code == "nfa" {
            return Some(CrimeStatus::NoFurtherAction);
        }
        Self::ALL.iter().copied().find(|v| v.as_str() == code)
    }
}

/// Parses a hate strand as its code or its label, in any case, with
/// underscores, spaces or hyphens between words (`sexual_orientation`,
/// `Sexual orientation`, `Race or ethnicity`).
pub fn parse_hate_strand(s: &str) -> Option<HateStrand> {
    let code = snake(s);
    HateStrand::ALL.iter().copied().find(|v| v.as_str() == code || snake(v.label()) == code)
}

/// Lower case, words joined by single underscores.
fn snake(s: &str) -> String {
    s.trim()
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// One valid row of the daily crime extract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyCrime {
    /// The force's crime reference (letters, digits, `/` and `-`): the key
    /// a later row updates.
    pub crime_reference: String,
    /// Home Office offence code as class/subclass without leading zeros
    /// (`008/06` is `8/6`).
    pub offence_code: String,
    /// Offence description from the file, or the table's when blank.
    pub offence_description: String,
    /// SafetyNet category code, from the offence table.
    pub category: String,
    /// When it happened (or started).
    pub occurred_from: DateTime<Utc>,
    /// End of the period, if a range (not before `occurred_from`).
    pub occurred_to: Option<DateTime<Utc>>,
    /// When it was reported to the police.
    pub reported_at: DateTime<Utc>,
    /// WGS84 latitude (both coordinates or neither).
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
    /// Address or description of the place (may be empty when coordinates are given).
    pub address: String,
    /// Police beat.
    pub beat: Option<String>,
    /// Ward.
    pub ward: Option<String>,
    /// Domestic-abuse related.
    pub domestic_abuse: bool,
    /// A weapon was used or involved.
    pub weapon: bool,
    /// The victim is vulnerable.
    pub vulnerable_victim: bool,
    /// The victim has been a victim before.
    pub repeat_victim: bool,
    /// The place has had crimes before.
    pub repeat_location: bool,
    /// A child is involved.
    pub child_involved: bool,
    /// Hate motivated, and the strand.
    pub hate_strand: Option<HateStrand>,
    /// Where the crime stands.
    pub status: CrimeStatus,
    /// Victim's name, for matching repeat victims.
    pub victim_name: Option<String>,
    /// Victim's date of birth, for matching repeat victims.
    pub victim_date_of_birth: Option<NaiveDate>,
}

/// The key that matches a victim across crimes: [`match_key`] of the name
/// (lower case, letters and digits, single spaces), `|`, the ISO date of
/// birth; `None` unless both are given and the name has a letter or digit.
/// `Mary-Jane O'Brien`, 1990-02-03 gives `mary jane o brien|1990-02-03`.
pub fn victim_key(name: Option<&str>, date_of_birth: Option<NaiveDate>) -> Option<String> {
    let name = match_key(name?);
    let dob = date_of_birth?;
    if name.is_empty() {
        return None;
    }
    Some(format!("{name}|{}", dob.format("%Y-%m-%d")))
}

/// A Home Office offence code: a class, and a subclass unless the code
/// stands for the whole class (only in a table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Code {
    class: u16,
    subclass: Option<u8>,
}

impl Code {
    /// `class/subclass` (1 to 3 and 1 to 2 digits) or, if `class_alone`, a bare class.
    fn parse(s: &str, class_alone: bool) -> Option<Code> {
        let digits = |d: &str, max: usize| !d.is_empty() && d.len() <= max && d.bytes().all(|b| b.is_ascii_digit());
        match s.trim().split_once('/') {
            Some((c, sub)) if digits(c, 3) && digits(sub, 2) => {
                Some(Code { class: c.parse().ok()?, subclass: Some(sub.parse().ok()?) })
            }
            None if class_alone && digits(s.trim(), 3) => Some(Code { class: s.trim().parse().ok()?, subclass: None }),
            _ => None,
        }
    }

    fn text(self) -> String {
        match self.subclass {
            Some(sub) => format!("{}/{sub}", self.class),
            None => self.class.to_string(),
        }
    }
}

/// What a table says about an offence code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offence {
    /// The offence (or class) description.
    pub description: String,
    /// SafetyNet category code.
    pub category: String,
}

/// A Home Office offence code table: code → (description, SafetyNet
/// category). A row may name a whole class (`28`), which covers every
/// subclass of it not listed on its own row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OffenceCodes {
    entries: BTreeMap<Code, Offence>,
}

/// The bundled starting table (see `crates/domain/police-daily/offence-codes.csv`).
const BUNDLED: &str = include_str!("../police-daily/offence-codes.csv");

impl OffenceCodes {
    /// The bundled starting table (a force should replace it with its own).
    pub fn bundled() -> Self {
        Self::parse(BUNDLED).unwrap_or(Self { entries: BTreeMap::new() })
    }

    /// Parses a replacement table: a `ho_code,description,category` header,
    /// then one row per code; blank lines and lines starting with `#` are
    /// skipped. Categories are checked against the default categories.
    /// Errors name the line.
    pub fn parse(text: &str) -> Result<Self, String> {
        Self::parse_with_categories(text, &default_categories())
    }

    /// As [`OffenceCodes::parse`], checking categories against `categories`
    /// (a partnership's own set).
    pub fn parse_with_categories(text: &str, categories: &[Category]) -> Result<Self, String> {
        let mut entries = BTreeMap::new();
        let mut header_seen = false;
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let line = raw.trim_start_matches('\u{feff}').trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line.as_bytes());
            let mut record = csv::StringRecord::new();
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => return Err(format!("line {n}: unreadable: {e}")),
            }
            let fields: Vec<&str> = record.iter().map(str::trim).collect();
            if !header_seen {
                let names: Vec<String> = fields.iter().map(|f| snake(f)).collect();
                if names != ["ho_code", "description", "category"] {
                    return Err(format!(
                        "line {n}: the header must be 'ho_code,description,category', found '{}'",
                        shorten(line)
                    ));
                }
                header_seen = true;
                continue;
            }
            let [code, description, category] = fields[..] else {
                return Err(format!("line {n}: expected 3 columns, found {}", fields.len()));
            };
            let Some(parsed) = Code::parse(code, true) else {
                return Err(format!(
                    "line {n}: '{}' is not a Home Office code (class/subclass such as 28/1, or a class such as 28)",
                    shorten(code)
                ));
            };
            if description.is_empty() || description.chars().count() > MAX_DESCRIPTION {
                return Err(format!("line {n}: the description must be 1 to {MAX_DESCRIPTION} characters"));
            }
            if !categories.iter().any(|c| c.code == category) {
                return Err(format!("line {n}: '{}' is not a SafetyNet category code", shorten(category)));
            }
            let offence = Offence { description: description.to_string(), category: category.to_string() };
            if entries.insert(parsed, offence).is_some() {
                return Err(format!("line {n}: code {} appears more than once", parsed.text()));
            }
        }
        if !header_seen {
            return Err("the table is empty (expected a 'ho_code,description,category' header)".into());
        }
        if entries.is_empty() {
            return Err("the table has no offence codes".into());
        }
        Ok(Self { entries })
    }

    /// Looks up a `class/subclass` code (leading zeros ignored): its
    /// normalised form and the table's row for it (its own row, else its
    /// class's row).
    pub fn lookup(&self, code: &str) -> Result<(String, &Offence), String> {
        let Some(c) = Code::parse(code, false) else {
            return Err(format!(
                "offence_code '{}' is not a Home Office code (class/subclass such as 28/1 or 008/06)",
                shorten(code.trim())
            ));
        };
        self.entries
            .get(&c)
            .or_else(|| self.entries.get(&Code { class: c.class, subclass: None }))
            .map(|o| (c.text(), o))
            .ok_or_else(|| format!("offence_code {} is not in the offence code table", c.text()))
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// A file that cannot be read as a daily crime extract at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DailyFileError {
    /// The file is empty.
    #[error("the file is empty (expected a header line naming the columns)")]
    Empty,
    /// Required columns are missing from the header.
    #[error("the header lacks the required column(s): {}", .missing.join(", "))]
    MissingColumns {
        /// The missing column names.
        missing: Vec<String>,
    },
    /// A known column appears twice in the header.
    #[error("the column '{name}' appears more than once in the header")]
    DuplicateColumn {
        /// The column name.
        name: String,
    },
    /// Reading failed.
    #[error("could not read the file: {0}")]
    Read(String),
}

/// Streams validated rows out of one daily crime extract.
pub struct DailyCrimeReader<R: Read> {
    reader: csv::Reader<LineEnds<R>>,
    codes: OffenceCodes,
    columns: HashMap<&'static str, usize>,
    width: usize,
    ignored: Vec<String>,
    record: csv::StringRecord,
}

impl<R: Read> std::fmt::Debug for DailyCrimeReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DailyCrimeReader").field("columns", &self.columns).finish_non_exhaustive()
    }
}

impl<R: Read> DailyCrimeReader<R> {
    /// Reads the header: column names in any case, spaces or hyphens for
    /// underscores, a byte-order mark tolerated; unknown columns are ignored.
    /// The reader keeps its own copy of the (small) offence code table.
    pub fn new(input: R, codes: &OffenceCodes) -> Result<Self, DailyFileError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(LineEnds::new(input));
        let mut header = csv::StringRecord::new();
        match reader.read_record(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err(DailyFileError::Empty),
            Err(e) => return Err(DailyFileError::Read(e.to_string())),
        }
        let mut columns = HashMap::new();
        let mut ignored = Vec::new();
        for (i, raw) in header.iter().enumerate() {
            let name = snake(raw.trim_start_matches('\u{feff}'));
            match COLUMNS.iter().find(|c| **c == name) {
                Some(known) => {
                    if columns.insert(*known, i).is_some() {
                        return Err(DailyFileError::DuplicateColumn { name });
                    }
                }
                None if name.is_empty() => {}
                None => ignored.push(shorten(raw.trim())),
            }
        }
        let missing: Vec<String> =
            REQUIRED_COLUMNS.iter().filter(|c| !columns.contains_key(*c)).map(|c| c.to_string()).collect();
        if !missing.is_empty() {
            return Err(DailyFileError::MissingColumns { missing });
        }
        Ok(Self {
            reader,
            codes: codes.clone(),
            columns,
            width: header.len(),
            ignored,
            record: csv::StringRecord::new(),
        })
    }

    /// Header columns the reader does not know (and ignores).
    pub fn ignored_columns(&self) -> &[String] {
        &self.ignored
    }

    /// Bytes taken from the input so far (for progress).
    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().raw_bytes
    }

    /// The next row, `Some(Err)` for a rejected row, `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<DailyCrime, Rejection>> {
        let line = match next_record(&mut self.reader, &mut self.record)? {
            Ok(line) => line,
            Err(rejected) => return Some(Err(rejected)),
        };
        Some(self.parse_current().map_err(|reason| Rejection { line, reason }))
    }

    fn parse_current(&self) -> Result<DailyCrime, String> {
        let r = &self.record;
        if r.len() != self.width {
            return Err(format!("expected {} columns (as in the header), found {}", self.width, r.len()));
        }
        let f = |name: &str| self.columns.get(name).and_then(|&i| r.get(i)).unwrap_or("").trim();
        let mut errors: Vec<String> = Vec::new();
        let crime_reference = take(&mut errors, reference(f("crime_reference")));
        let offence = take(&mut errors, self.codes.lookup(f("offence_code")));
        let description =
            take(&mut errors, crate::text::optional("offence_description", f("offence_description"), MAX_DESCRIPTION));
        let occurred_from = take(&mut errors, required_time("occurred_from", f("occurred_from")));
        let occurred_to = take(&mut errors, optional_time("occurred_to", f("occurred_to")));
        let reported_at = take(&mut errors, required_time("reported_at", f("reported_at")));
        let latitude = take(&mut errors, coordinate("latitude", f("latitude"), 90.0));
        let longitude = take(&mut errors, coordinate("longitude", f("longitude"), 180.0));
        let address = take(&mut errors, crate::text::optional("address", f("address"), MAX_ADDRESS));
        let beat = take(&mut errors, crate::text::optional("beat", f("beat"), MAX_AREA_NAME));
        let ward = take(&mut errors, crate::text::optional("ward", f("ward"), MAX_AREA_NAME));
        let domestic_abuse = take(&mut errors, flag("domestic_abuse", f("domestic_abuse")));
        let hate_strand = take(&mut errors, hate_strand(f("hate_strand")));
        let weapon = take(&mut errors, flag("weapon", f("weapon")));
        let vulnerable_victim = take(&mut errors, flag("vulnerable_victim", f("vulnerable_victim")));
        let repeat_victim = take(&mut errors, flag("repeat_victim", f("repeat_victim")));
        let repeat_location = take(&mut errors, flag("repeat_location", f("repeat_location")));
        let child_involved = take(&mut errors, flag("child_involved", f("child_involved")));
        let status = take(&mut errors, status(f("status")));
        let victim_name = take(&mut errors, crate::text::optional("victim_name", f("victim_name"), MAX_NAME));
        let victim_date_of_birth = take(&mut errors, date_of_birth(f("victim_date_of_birth")));

        // Checks across fields, made only when the fields themselves were read.
        if let (Some(from), Some(Some(to))) = (occurred_from, occurred_to) {
            if to < from {
                errors.push("occurred_to is before occurred_from".into());
            }
        }
        match (latitude, longitude) {
            (Some(Some(_)), Some(None)) | (Some(None), Some(Some(_))) => {
                errors.push("give both latitude and longitude, or neither".into())
            }
            (Some(None), Some(None)) if address.as_deref() == Some("") => {
                errors.push("give latitude and longitude, or an address".into())
            }
            _ => {}
        }
        if let (Some(Some(dob)), Some(reported)) = (victim_date_of_birth, reported_at) {
            if dob > london_date(reported) {
                errors.push("victim_date_of_birth is after the crime was reported".into());
            }
        }

        match (
            crime_reference,
            offence,
            description,
            occurred_from,
            occurred_to,
            reported_at,
            latitude,
            longitude,
            address,
            beat,
            ward,
            domestic_abuse,
            hate_strand,
            weapon,
            vulnerable_victim,
            repeat_victim,
            repeat_location,
            child_involved,
            status,
            victim_name,
            victim_date_of_birth,
        ) {
            (
                Some(crime_reference),
                Some((offence_code, offence)),
                Some(description),
                Some(occurred_from),
                Some(occurred_to),
                Some(reported_at),
                Some(latitude),
                Some(longitude),
                Some(address),
                Some(beat),
                Some(ward),
                Some(domestic_abuse),
                Some(hate_strand),
                Some(weapon),
                Some(vulnerable_victim),
                Some(repeat_victim),
                Some(repeat_location),
                Some(child_involved),
                Some(status),
                Some(victim_name),
                Some(victim_date_of_birth),
            ) if errors.is_empty() => Ok(DailyCrime {
                crime_reference,
                offence_code,
                offence_description: if description.is_empty() { offence.description.clone() } else { description },
                category: offence.category.clone(),
                occurred_from,
                occurred_to,
                reported_at,
                latitude,
                longitude,
                address,
                beat: Some(beat).filter(|s| !s.is_empty()),
                ward: Some(ward).filter(|s| !s.is_empty()),
                domestic_abuse,
                weapon,
                vulnerable_victim,
                repeat_victim,
                repeat_location,
                child_involved,
                hate_strand,
                status,
                victim_name: Some(victim_name).filter(|s| !s.is_empty()),
                victim_date_of_birth,
            }),
            _ => Err(errors.join("; ")),
        }
    }
}

/// The value, or `None` with its error kept.
fn take<T>(errors: &mut Vec<String>, res: Result<T, String>) -> Option<T> {
    res.map_err(|e| errors.push(e)).ok()
}

fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

fn reference(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("crime_reference is empty".into());
    }
    let ok = s.chars().count() <= MAX_REFERENCE && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '-');
    if !ok {
        return Err(format!(
            "crime_reference '{}' must be 1 to {MAX_REFERENCE} letters, digits, '/' or '-'",
            shorten(s)
        ));
    }
    Ok(s.to_string())
}

/// Local wall-clock forms, read as UK local time.
const LOCAL_FORMS: [&str; 6] = [
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
];

/// An RFC 3339 time (with `Z` or an offset), or a UK local wall-clock time:
/// the earlier instant when the autumn change makes it ambiguous, an error
/// when it falls in the spring gap.
fn parse_time(field: &str, s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let Some(local) = LOCAL_FORMS.iter().find_map(|f| NaiveDateTime::parse_from_str(s, f).ok()) else {
        return Err(format!(
            "{field} '{}' is not a time (use 2026-01-14T23:10:00Z, or 2026-01-14 23:10 in UK local time)",
            shorten(s)
        ));
    };
    london_to_utc(local).ok_or_else(|| {
        format!("{field} '{}' does not exist in UK local time (the clocks went forward an hour)", shorten(s))
    })
}

fn required_time(field: &str, s: &str) -> Result<DateTime<Utc>, String> {
    if s.is_empty() {
        return Err(format!("{field} is empty"));
    }
    parse_time(field, s)
}

fn optional_time(field: &str, s: &str) -> Result<Option<DateTime<Utc>>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    parse_time(field, s).map(Some)
}

fn coordinate(field: &str, s: &str, limit: f64) -> Result<Option<f64>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Ok(Some(v)),
        _ => Err(format!("{field} '{}' is not a number between -{limit} and {limit}", shorten(s))),
    }
}

/// `Y`/`N`, `yes`/`no`, `true`/`false`, `1`/`0` in any case; blank is false.
fn flag(field: &str, s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "" | "n" | "no" | "false" | "0" => Ok(false),
        "y" | "yes" | "true" | "1" => Ok(true),
        _ => Err(format!("{field} '{}' is not Y or N (or yes/no, true/false, 1/0)", shorten(s))),
    }
}

fn hate_strand(s: &str) -> Result<Option<HateStrand>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    parse_hate_strand(s).map(Some).ok_or_else(|| {
        let codes: Vec<&str> = HateStrand::ALL.iter().map(|h| h.as_str()).collect();
        format!("hate_strand '{}' is not one of {}", shorten(s), codes.join(", "))
    })
}

fn status(s: &str) -> Result<CrimeStatus, String> {
    if s.is_empty() {
        return Err("status is empty".into());
    }
    CrimeStatus::parse(s).ok_or_else(|| {
        let codes: Vec<&str> = CrimeStatus::ALL.iter().map(|c| c.as_str()).collect();
        format!("status '{}' is not one of {}", shorten(s), codes.join(", "))
    })
}

/// `YYYY-MM-DD` or `DD/MM/YYYY`, from 1900 on.
fn date_of_birth(s: &str) -> Result<Option<NaiveDate>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| format!("victim_date_of_birth '{}' is not a date (use 1990-02-03)", shorten(s)))?;
    if d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) {
        return Err(format!("victim_date_of_birth '{}' is before 1900: check the year", shorten(s)));
    }
    Ok(Some(d))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "crime_reference,offence_code,offence_description,occurred_from,occurred_to,reported_at,latitude,longitude,address,beat,ward,domestic_abuse,hate_strand,weapon,vulnerable_victim,repeat_victim,repeat_location,child_involved,status,victim_name,victim_date_of_birth\n";
    const GOOD: &str = "41/100001/26,028/01,,2026-01-14 22:00,2026-01-14T23:10:00Z,2026-01-15T08:00:00+00:00,51.7520,-0.3390,\"1 High Street, St Albans\",SA1,Abbey,N,,no,Y,yes,0,false,Under investigation,Mary-Jane O'Brien,1990-02-03\n";

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).map(|d| d.with_timezone(&Utc)).expect("time")
    }

    fn read(text: &str) -> Vec<Result<DailyCrime, Rejection>> {
        let codes = OffenceCodes::bundled();
        let mut r = DailyCrimeReader::new(text.as_bytes(), &codes).expect("header");
        let mut rows = Vec::new();
        while let Some(row) = r.next_row() {
            rows.push(row);
        }
        rows
    }

    /// The good row with one column replaced.
    fn with(column: &str, value: &str) -> String {
        with_all(&[(column, value)])
    }

    /// The good row with some columns replaced.
    fn with_all(changes: &[(&str, &str)]) -> String {
        let mut rec = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(GOOD.as_bytes())
            .records()
            .next()
            .expect("row")
            .expect("record")
            .iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        for (column, value) in changes {
            let i = COLUMNS.iter().position(|c| c == column).expect("column");
            rec[i] = value.to_string();
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&rec).expect("write");
        String::from_utf8(w.into_inner().expect("flush")).expect("utf8")
    }

    /// The rejection message for one row.
    fn reason(row: &str) -> String {
        let rows = read(&format!("{HEAD}{row}"));
        assert_eq!(rows.len(), 1);
        match &rows[0] {
            Err(e) => {
                assert_eq!(e.line, 2);
                e.reason.clone()
            }
            Ok(c) => panic!("accepted: {c:?}"),
        }
    }

    #[test]
    fn a_good_row_is_read() {
        let rows = read(&format!("{HEAD}{GOOD}"));
        let c = rows[0].as_ref().expect("good");
        assert_eq!(c.crime_reference, "41/100001/26");
        assert_eq!(c.offence_code, "28/1");
        assert_eq!(c.offence_description, "Burglary - residential");
        assert_eq!(c.category, "crime-burglary");
        assert_eq!(c.occurred_from, t("2026-01-14T22:00:00Z"));
        assert_eq!(c.occurred_to, Some(t("2026-01-14T23:10:00Z")));
        assert_eq!(c.reported_at, t("2026-01-15T08:00:00Z"));
        assert_eq!((c.latitude, c.longitude), (Some(51.752), Some(-0.339)));
        assert_eq!(c.address, "1 High Street, St Albans");
        assert_eq!((c.beat.as_deref(), c.ward.as_deref()), (Some("SA1"), Some("Abbey")));
        assert_eq!(
            (c.domestic_abuse, c.weapon, c.vulnerable_victim, c.repeat_victim, c.repeat_location, c.child_involved),
            (false, false, true, true, false, false)
        );
        assert_eq!(c.hate_strand, None);
        assert_eq!(c.status, CrimeStatus::UnderInvestigation);
        assert_eq!(c.victim_name.as_deref(), Some("Mary-Jane O'Brien"));
        assert_eq!(
            victim_key(c.victim_name.as_deref(), c.victim_date_of_birth),
            Some("mary jane o brien|1990-02-03".into())
        );
    }

    #[test]
    fn values_in_other_accepted_forms() {
        let c = |row: String| read(&format!("{HEAD}{row}")).remove(0).expect("good");
        // summer local time is BST
        let from = |s: &str| c(with_all(&[("occurred_from", s), ("occurred_to", "")])).occurred_from;
        assert_eq!(from("2026-06-01 09:30"), t("2026-06-01T08:30:00Z"));
        assert_eq!(from("01/06/2026 09:30"), t("2026-06-01T08:30:00Z"));
        assert_eq!(from("2026-06-01T09:30:00+01:00"), t("2026-06-01T08:30:00Z"));
        // an ambiguous autumn time is the first (BST) one
        assert_eq!(from("2025-10-26 01:30"), t("2025-10-26T00:30:00Z"));
        assert_eq!(c(with("offence_description", "Burglary dwelling")).offence_description, "Burglary dwelling");
        assert_eq!(c(with("hate_strand", "Sexual orientation")).hate_strand, Some(HateStrand::SexualOrientation));
        assert_eq!(c(with("hate_strand", "RACE")).hate_strand, Some(HateStrand::Race));
        assert_eq!(c(with("status", "no-further-action")).status, CrimeStatus::NoFurtherAction);
        assert_eq!(c(with("status", "NFA")).status, CrimeStatus::NoFurtherAction);
        assert_eq!(c(with("status", "CHARGED")).status, CrimeStatus::Charged);
        assert!(c(with("domestic_abuse", "y")).domestic_abuse);
        assert!(c(with("domestic_abuse", "TRUE")).domestic_abuse);
        assert_eq!(
            c(with("victim_date_of_birth", "03/02/1990")).victim_date_of_birth,
            NaiveDate::from_ymd_opt(1990, 2, 3)
        );
        let no_pin = c(with("latitude", "").replace(",-0.3390,", ",,"));
        assert_eq!((no_pin.latitude, no_pin.longitude), (None, None));
        let codes = OffenceCodes::bundled();
        assert_eq!(
            codes.lookup("37/1").map(|(c, o)| (c, o.category.clone())),
            Ok(("37/1".into(), "crime-violence-sexual".into()))
        );
        assert_eq!(
            codes.lookup("037/02").map(|(c, o)| (c, o.category.clone())),
            Ok(("37/2".into(), "crime-vehicle".into()))
        );
        assert_eq!(codes.lookup(" 8/6 ").map(|(c, _)| c), Ok("8/6".into()));
    }

    #[test]
    fn every_kind_of_problem_is_rejected() {
        let cases: [(&str, &str, &str); 18] = [
            ("offence_code", "053/01", "offence_code 53/1 is not in the offence code table"),
            ("offence_code", "37/9", "offence_code 37/9 is not in the offence code table"),
            ("offence_code", "8N", "offence_code '8N' is not a Home Office code"),
            ("offence_code", "1234/1", "is not a Home Office code"),
            ("occurred_from", "14 Jan 2026", "occurred_from '14 Jan 2026' is not a time"),
            ("occurred_to", "2026-03-29 01:30", "does not exist in UK local time"),
            ("occurred_to", "2026-01-14 21:00", "occurred_to is before occurred_from"),
            ("reported_at", "", "reported_at is empty"),
            ("latitude", "151.75", "latitude '151.75' is not a number between -90 and 90"),
            ("latitude", "", "give both latitude and longitude, or neither"),
            ("domestic_abuse", "maybe", "domestic_abuse 'maybe' is not Y or N"),
            ("status", "pending", "status 'pending' is not one of recorded, under_investigation"),
            ("status", "", "status is empty"),
            ("hate_strand", "age", "hate_strand 'age' is not one of race"),
            ("address", &"x".repeat(MAX_ADDRESS + 1), "address must be 300 characters or fewer"),
            ("crime_reference", "41 100001", "crime_reference '41 100001' must be 1 to 40"),
            ("victim_name", &"x".repeat(MAX_NAME + 1), "victim_name must be 100 characters or fewer"),
            ("victim_date_of_birth", "2026-02-01", "victim_date_of_birth is after the crime was reported"),
        ];
        for (column, value, expected) in cases {
            let got = reason(&with(column, value));
            assert!(got.contains(expected), "{column}={value}: {got}");
        }
        assert!(reason(&with("crime_reference", &"1".repeat(MAX_REFERENCE + 1))).contains("crime_reference"));
        assert!(reason(&with("offence_description", &"x".repeat(MAX_DESCRIPTION + 1))).contains("200 characters"));
        assert!(reason(&with("longitude", "-180.5")).contains("longitude"));
        // neither coordinates nor an address
        let nowhere = with("address", "").replace(",51.7520,-0.3390,", ",,,");
        assert_eq!(reason(&nowhere), "give latitude and longitude, or an address");
        // wrong number of columns
        assert!(reason("41/1/26,28/1\n").contains("expected 21 columns"));
    }

    #[test]
    fn several_problems_are_listed_in_one_message() {
        let row = with("status", "pending").replace("2026-01-14 22:00", "yesterday").replace(",N,", ",X,");
        let got = reason(&row);
        assert!(got.contains("occurred_from 'yesterday'"), "{got}");
        assert!(got.contains("domestic_abuse 'X'"), "{got}");
        assert!(got.contains("status 'pending'"), "{got}");
        assert_eq!(got.matches("; ").count(), 2, "{got}");
    }

    #[test]
    fn headers_by_name_in_any_case_order_and_with_a_bom() {
        let text = "\u{feff}Status ,Crime Reference,OFFENCE_CODE,Occurred-From,Reported_At,Address,Notes\r\n\
                    closed,41/2/26,46/0,2026-01-14 10:00,2026-01-14 12:00,Boots,ignored\r\n\
                    \r\n\
                    closed,41/3/26,46/0,2026-01-14 10:00,2026-01-14 12:00,,x\r\n";
        let codes = OffenceCodes::bundled();
        let mut r = DailyCrimeReader::new(text.as_bytes(), &codes).expect("header");
        assert_eq!(r.ignored_columns(), ["Notes"]);
        let first = r.next_row().expect("row").expect("good");
        assert_eq!(first.category, "crime-shoplifting");
        assert_eq!(first.status, CrimeStatus::Closed);
        assert_eq!((first.latitude, first.domestic_abuse, first.hate_strand), (None, false, None));
        let second = r.next_row().expect("row").expect_err("no place");
        assert_eq!(second.line, 4);
        assert!(r.next_row().is_none());
        assert_eq!(r.bytes_read(), text.len() as u64);
    }

    #[test]
    fn bad_headers_are_file_errors() {
        let codes = OffenceCodes::bundled();
        let err = DailyCrimeReader::new("crime_reference,offence_code,occurred_from\n".as_bytes(), &codes)
            .expect_err("missing");
        assert_eq!(err, DailyFileError::MissingColumns { missing: vec!["reported_at".into(), "status".into()] });
        assert_eq!(err.to_string(), "the header lacks the required column(s): reported_at, status");
        assert_eq!(DailyCrimeReader::new("".as_bytes(), &codes).expect_err("empty"), DailyFileError::Empty);
        let dup = "crime_reference,offence_code,occurred_from,reported_at,status,Status\n";
        assert_eq!(
            DailyCrimeReader::new(dup.as_bytes(), &codes).expect_err("dup"),
            DailyFileError::DuplicateColumn { name: "status".into() }
        );
    }

    #[test]
    fn the_bundled_table_parses_and_maps_to_crime_categories() {
        let codes = OffenceCodes::bundled();
        assert!((60..=100).contains(&codes.len()), "{}", codes.len());
        let cats = default_categories();
        for o in codes.entries.values() {
            let c = cats.iter().find(|c| c.code == o.category).expect("category");
            assert_eq!(c.group, "Crime", "{}", o.category);
        }
        let cat = |code: &str| codes.lookup(code).map(|(_, o)| o.category.clone()).expect(code);
        assert_eq!(cat("30/3"), "crime-burglary");
        assert_eq!(cat("105/1"), "crime-violence-sexual");
        assert_eq!(cat("34/1"), "crime-robbery");
        assert_eq!(cat("39/0"), "crime-theft-from-the-person");
        assert_eq!(cat("44/0"), "crime-bicycle-theft");
        assert_eq!(cat("126/0"), "crime-vehicle");
        assert_eq!(cat("58/1"), "crime-criminal-damage-arson");
        assert_eq!(cat("92/16"), "crime-drugs");
        assert_eq!(cat("10/1"), "crime-possession-of-weapons");
        assert_eq!(cat("9/1"), "crime-public-order");
        assert_eq!(cat("49/0"), "crime-other-theft");
        assert_eq!(cat("802/1"), "crime-other");
        assert!(codes.lookup("53/1").is_err(), "fraud is not in the extract");
    }

    #[test]
    fn replacement_tables_are_checked_line_by_line() {
        let ok = "# our codes\n\nHO_Code, Description ,category\n028/01,Burglary dwelling,crime-burglary\n8,\"Assault, other\",crime-violence-sexual\n";
        let codes = OffenceCodes::parse(ok).expect("table");
        assert_eq!(codes.len(), 2);
        assert_eq!(
            codes.lookup("28/1").map(|(c, o)| (c, o.description.clone())),
            Ok(("28/1".into(), "Burglary dwelling".into()))
        );
        assert!(codes.lookup("28/2").is_err());
        assert_eq!(codes.lookup("8/99").map(|(_, o)| o.description.clone()), Ok("Assault, other".into()));
        let head = "ho_code,description,category\n";
        let err = |body: &str| OffenceCodes::parse(&format!("{head}{body}")).expect_err(body);
        assert_eq!(err("28/1,Burglary,burglary\n"), "line 2: 'burglary' is not a SafetyNet category code");
        assert_eq!(
            err("28/1,B,crime-burglary\n# x\n028/01,B,crime-burglary\n"),
            "line 4: code 28/1 appears more than once"
        );
        assert_eq!(err("28/1,B\n"), "line 2: expected 3 columns, found 2");
        assert!(err("28A,B,crime-burglary\n").starts_with("line 2: '28A' is not a Home Office code"));
        assert!(err("28/1,,crime-burglary\n").starts_with("line 2: the description"));
        assert!(OffenceCodes::parse("code,desc\n").expect_err("header").starts_with("line 1: the header"));
        assert!(OffenceCodes::parse("# nothing\n").is_err());
        assert!(OffenceCodes::parse(head).is_err());
        // a partnership's own categories
        let mut cats = default_categories();
        cats.push(Category {
            code: "knife-crime".into(),
            label: "Knife crime".into(),
            group: "Crime".into(),
            high_harm: true,
        });
        let own = format!("{head}10/4,Article with blade or point,knife-crime\n");
        assert!(OffenceCodes::parse(&own).is_err());
        assert_eq!(OffenceCodes::parse_with_categories(&own, &cats).map(|c| c.len()), Ok(1));
    }

    #[test]
    fn victim_keys_need_both_parts() {
        let dob = NaiveDate::from_ymd_opt(1990, 2, 3);
        assert_eq!(victim_key(Some("  JOHN   smith "), dob), Some("john smith|1990-02-03".into()));
        assert_eq!(victim_key(Some("John Smith"), None), None);
        assert_eq!(victim_key(None, dob), None);
        assert_eq!(victim_key(Some(" -- "), dob), None);
    }

    #[test]
    fn the_sample_file_reads_as_documented() {
        let rows = read(include_str!("../../../data/police-daily/sample.csv"));
        let bad: Vec<&Rejection> = rows.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(rows.len(), 12);
        assert_eq!(bad.len(), 1, "{bad:?}");
        assert_eq!(bad[0].line, 8);
        assert!(bad[0].reason.contains("offence_code 53/1 is not in the offence code table"), "{bad:?}");
        assert!(bad[0].reason.contains("does not exist in UK local time"), "{bad:?}");
        let good: Vec<&DailyCrime> = rows.iter().filter_map(|r| r.as_ref().ok()).collect();
        // the last good row updates the first (same crime reference)
        assert_eq!(good[0].crime_reference, good[good.len() - 1].crime_reference);
        assert_eq!(good[good.len() - 1].status, CrimeStatus::Charged);
    }
}
