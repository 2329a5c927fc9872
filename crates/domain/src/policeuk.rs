//! Parsing and validating police.uk street-level and outcomes CSV files as
//! published (<https://data.police.uk/about/#columns>).
//!
//! Each valid row gets a stable `row_key` so that importing the same file
//! twice adds nothing: a crime's key is its Crime ID; a row without one
//! (anti-social behaviour) is keyed by a hash of all its fields plus its
//! ordinal among identical rows in the file, so genuine repeats (two
//! identical ASB reports at the same snap point in the same month) are kept
//! while a re-import of the same file finds every key already present.

use crate::month::Month;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::io::{self, Read};

/// Columns of a street-level file, in order.
pub const STREET_HEADER: [&str; 12] = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
];

/// Columns of an outcomes file, in order.
pub const OUTCOMES_HEADER: [&str; 10] = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Outcome type",
];

/// The 14 police.uk crime types (including anti-social behaviour).
pub const CRIME_TYPES: [&str; 14] = [
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
];

/// Which kind of police.uk file, told by its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `*-street.csv`.
    Street,
    /// `*-outcomes.csv`.
    Outcomes,
}

/// A location as published: anonymised snap point and 2011 LSOA.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// WGS84 longitude, absent for "No location".
    pub longitude: Option<f64>,
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// "On or near ..." description.
    pub location: String,
    /// LSOA 2011 code.
    pub lsoa_code: String,
    /// LSOA 2011 name.
    pub lsoa_name: String,
}

/// One valid street-level row.
#[derive(Debug, Clone, PartialEq)]
pub struct StreetRow {
    /// Idempotence key (see the module docs).
    pub row_key: String,
    /// police.uk Crime ID; absent for ASB.
    pub crime_id: Option<String>,
    /// Month reported.
    pub month: Month,
    /// Force that provided the data.
    pub reported_by: String,
    /// Force area the crime falls within.
    pub falls_within: String,
    /// Where.
    pub place: Place,
    /// One of [`CRIME_TYPES`] (others are accepted as published).
    pub crime_type: String,
    /// Latest outcome at publication.
    pub last_outcome: String,
    /// Free-text context.
    pub context: String,
}

/// One valid outcomes row.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRow {
    /// Idempotence key.
    pub row_key: String,
    /// The crime the outcome belongs to.
    pub crime_id: String,
    /// Month of the outcome.
    pub month: Month,
    /// Force that provided the data.
    pub reported_by: String,
    /// Force area.
    pub falls_within: String,
    /// Where.
    pub place: Place,
    /// The outcome.
    pub outcome_type: String,
}

/// A parsed row of either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// From a street file.
    Street(StreetRow),
    /// From an outcomes file.
    Outcome(OutcomeRow),
}

/// A row that was not imported, with its 1-based line number (header = 1).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// Line in the file.
    pub line: u64,
    /// Why, in plain words.
    pub reason: String,
}

/// A file that cannot be read as police.uk data at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The header is not a street or outcomes header.
    #[error("not a police.uk street or outcomes file: the header is '{found}'")]
    WrongHeader {
        /// The header found (shortened).
        found: String,
    },
    /// The file is empty.
    #[error("the file is empty (expected a police.uk header line)")]
    Empty,
    /// Reading failed.
    #[error("could not read the file: {0}")]
    Read(String),
}

/// Streams validated rows out of one police.uk CSV file.
pub struct PoliceUkReader<R: Read> {
    reader: csv::Reader<LineEnds<R>>,
    kind: FileKind,
    record: csv::StringRecord,
    ordinals: HashMap<[u8; 16], u32>,
}

impl<R: Read> std::fmt::Debug for PoliceUkReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoliceUkReader").field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl<R: Read> PoliceUkReader<R> {
    /// Reads the header and tells the file's kind.
    pub fn new(input: R) -> Result<Self, FileError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(LineEnds::new(input));
        let mut header = csv::StringRecord::new();
        match reader.read_record(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err(FileError::Empty),
            Err(e) => return Err(FileError::Read(e.to_string())),
        }
        let names: Vec<&str> = header.iter().map(|h| h.trim_start_matches('\u{feff}').trim()).collect();
        let kind = if names == STREET_HEADER {
            FileKind::Street
        } else if names == OUTCOMES_HEADER {
            FileKind::Outcomes
        } else {
            let found: String = names.join(",").chars().take(120).collect();
            return Err(FileError::WrongHeader { found });
        };
        Ok(Self { reader, kind, record: csv::StringRecord::new(), ordinals: HashMap::new() })
    }

    /// The file's kind.
    pub fn kind(&self) -> FileKind {
        self.kind
    }

    /// Bytes taken from the input so far (for progress; the csv reader's
    /// buffer may be ahead of the row last returned).
    pub fn bytes_read(&self) -> u64 {
        self.reader.get_ref().raw_bytes
    }

    /// The next row, `Some(Err)` for a rejected row, `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<Row, Rejection>> {
        let line = match next_record(&mut self.reader, &mut self.record)? {
            Ok(line) => line,
            Err(rejected) => return Some(Err(rejected)),
        };
        Some(self.parse_current().map_err(|reason| Rejection { line, reason }))
    }

    fn parse_current(&mut self) -> Result<Row, String> {
        let r = &self.record;
        let expected = match self.kind {
            FileKind::Street => STREET_HEADER.len(),
            FileKind::Outcomes => OUTCOMES_HEADER.len(),
        };
        if r.len() != expected {
            return Err(format!("expected {expected} columns, found {}", r.len()));
        }
        let f = |i: usize| r.get(i).unwrap_or("").trim();
        let month = Month::parse(f(1)).map_err(|e| format!("Month: {e}"))?;
        let place = Place {
            longitude: coordinate(f(4), "Longitude", 180.0)?,
            latitude: coordinate(f(5), "Latitude", 90.0)?,
            location: f(6).to_string(),
            lsoa_code: f(7).to_string(),
            lsoa_name: f(8).to_string(),
        };
        if place.longitude.is_some() != place.latitude.is_some() {
            return Err("Longitude and Latitude must both be given or both be empty".into());
        }
        let crime_id = Some(f(0).to_string()).filter(|s| !s.is_empty());
        match self.kind {
            FileKind::Street => {
                let crime_type = f(9).to_string();
                if crime_type.is_empty() {
                    return Err("Crime type is empty".into());
                }
                let row_key = match &crime_id {
                    Some(id) => crime_key(id),
                    None => key_by_content(&mut self.ordinals, r),
                };
                Ok(Row::Street(StreetRow {
                    row_key,
                    crime_id,
                    month,
                    reported_by: f(2).to_string(),
                    falls_within: f(3).to_string(),
                    place,
                    crime_type,
                    last_outcome: f(10).to_string(),
                    context: f(11).to_string(),
                }))
            }
            FileKind::Outcomes => {
                let crime_id = crime_id.ok_or("Crime ID is empty (an outcome must name its crime)")?;
                let outcome_type = f(9).to_string();
                if outcome_type.is_empty() {
                    return Err("Outcome type is empty".into());
                }
                Ok(Row::Outcome(OutcomeRow {
                    row_key: key_by_content(&mut self.ordinals, r),
                    crime_id,
                    month,
                    reported_by: f(2).to_string(),
                    falls_within: f(3).to_string(),
                    place,
                    outcome_type,
                }))
            }
        }
    }
}

/// Reads the next record into `record`: its line as a spreadsheet shows
/// it, a rejection naming the line of an unreadable row, or `None` at the
/// end (shared by the police.uk and police daily readers).
pub(crate) fn next_record<R: Read>(
    reader: &mut csv::Reader<LineEnds<R>>,
    record: &mut csv::StringRecord,
) -> Option<Result<u64, Rejection>> {
    match reader.read_record(record) {
        Ok(false) => None,
        Ok(true) => {
            let start = record.position().map_or(0, |p| p.byte());
            Some(Ok(reader.get_mut().line_of_record(start)))
        }
        Err(e) => {
            let start = e.position().map_or(0, |p| p.byte());
            let line = reader.get_mut().line_of_record(start);
            let reason = match e.kind() {
                csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8 text".to_string(),
                _ => format!("unreadable row: {e}"),
            };
            Some(Err(Rejection { line, reason }))
        }
    }
}

/// The input as the csv reader sees it, with its line numbers kept here.
///
/// The csv reader dates a record from where the previous one ended, before
/// the line endings it skips: the `\n` of a CRLF (it ends a record at the
/// `\r`) and blank lines. So every rejected row of a CRLF file (Excel,
/// Windows) was reported one line too early, and rows after a blank line too.
/// This reader drops each carriage return that directly precedes a line feed
/// (a CRLF file is read exactly as its LF twin; a lone `\r` is kept, the csv
/// reader ends a line there too) and remembers where the line feeds it hands
/// out are, so [`LineEnds::line_of_record`] can count them.
pub(crate) struct LineEnds<R> {
    inner: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    /// A `\r` was read last and is held until the next byte shows whether a `\n` follows.
    pending_cr: bool,
    /// Bytes taken from `inner`.
    pub(crate) raw_bytes: u64,
    /// Bytes handed out.
    out_bytes: u64,
    /// Offsets (in the bytes handed out) of line feeds not yet counted.
    newlines: VecDeque<u64>,
    /// Line feeds counted.
    lines_before: u64,
}

impl<R: Read> LineEnds<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
            pending_cr: false,
            raw_bytes: 0,
            out_bytes: 0,
            newlines: VecDeque::new(),
            lines_before: 0,
        }
    }

    /// The 1-based line of a record the csv reader says starts at `start`
    /// (an offset in the bytes handed out): one more than the line feeds
    /// before it, including those the csv reader skipped at its start.
    /// Records must be asked about in file order.
    pub(crate) fn line_of_record(&mut self, start: u64) -> u64 {
        let mut at = start;
        while let Some(&nl) = self.newlines.front() {
            if nl > at {
                break;
            }
            if nl == at {
                at += 1;
            }
            self.newlines.pop_front();
            self.lines_before += 1;
        }
        self.lines_before + 1
    }

    /// Refills the buffer; `false` at the end of the input.
    fn fill(&mut self) -> io::Result<bool> {
        let got = loop {
            match self.inner.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.start = 0;
        self.end = got;
        self.raw_bytes += got as u64;
        Ok(got > 0)
    }

    fn emit(&mut self, out: &mut [u8], n: &mut usize, b: u8) {
        if b == b'\n' {
            self.newlines.push_back(self.out_bytes);
        }
        out[*n] = b;
        *n += 1;
        self.out_bytes += 1;
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let mut n = 0;
        while n < out.len() {
            if self.start == self.end {
                if n > 0 {
                    break;
                }
                if !self.fill()? {
                    if std::mem::take(&mut self.pending_cr) {
                        self.emit(out, &mut n, b'\r');
                    }
                    break;
                }
            }
            let b = self.buf[self.start];
            if std::mem::take(&mut self.pending_cr) && b != b'\n' {
                // The held `\r` was not part of a CRLF: hand it out, then look at `b` again.
                self.emit(out, &mut n, b'\r');
                continue;
            }
            self.start += 1;
            if b == b'\r' {
                self.pending_cr = true;
            } else {
                self.emit(out, &mut n, b);
            }
        }
        Ok(n)
    }
}

/// `c:<id>`, with a long (SHA-256 hex) police.uk id cut to its first 128 bits
/// to keep the unique index small.
fn crime_key(id: &str) -> String {
    let cut: String = id.chars().take(32).collect();
    format!("c:{cut}")
}

fn coordinate(s: &str, name: &str, limit: f64) -> Result<Option<f64>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() <= limit => Ok(Some(v)),
        _ => Err(format!("{name} '{}' is not a number between -{limit} and {limit}", shorten(s))),
    }
}

fn shorten(s: &str) -> String {
    s.chars().take(40).collect()
}

/// `h:<sha256 of the fields>:<n>` where n counts identical rows seen before in this file.
fn key_by_content(ordinals: &mut HashMap<[u8; 16], u32>, r: &csv::StringRecord) -> String {
    let mut h = Sha256::new();
    for field in r.iter() {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.trim().as_bytes());
    }
    let full: [u8; 32] = h.finalize().into();
    // 128 bits are ample to tell rows apart and keep the unique index small.
    let mut digest = [0u8; 16];
    digest.copy_from_slice(&full[..16]);
    let n = ordinals.entry(digest).or_insert(0);
    *n += 1;
    format!("h:{}:{}", hex::encode(digest), n)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context\n";
    const ASB: &str =
        ",2021-01,Herts,Herts,-0.33,51.75,On or near X,E01023705,St Albans 001A,Anti-social behaviour,,\n";

    fn all(input: &str) -> (FileKind, Vec<Result<Row, Rejection>>) {
        let mut r = PoliceUkReader::new(input.as_bytes()).expect("header");
        let mut rows = Vec::new();
        while let Some(row) = r.next_row() {
            rows.push(row);
        }
        (r.kind(), rows)
    }

    fn key(row: &Result<Row, Rejection>) -> String {
        match row {
            Ok(Row::Street(s)) => s.row_key.clone(),
            Ok(Row::Outcome(o)) => o.row_key.clone(),
            Err(e) => panic!("rejected: {e:?}"),
        }
    }

    #[test]
    fn identical_asb_rows_get_distinct_stable_keys() {
        let text = format!("{HEAD}{ASB}{ASB}abc,2021-01,H,H,,,No location,,,Burglary,Under investigation,\n");
        let (kind, rows) = all(&text);
        assert_eq!(kind, FileKind::Street);
        assert_eq!(rows.len(), 3);
        assert_ne!(key(&rows[0]), key(&rows[1]));
        assert!(key(&rows[0]).ends_with(":1") && key(&rows[1]).ends_with(":2"));
        assert_eq!(key(&rows[2]), "c:abc");
        assert_eq!(crime_key(&"f".repeat(64)).len(), 34);
        let (_, again) = all(&text);
        assert_eq!(key(&again[1]), key(&rows[1]));
    }

    #[test]
    fn bad_rows_are_rejected_with_line_and_reason() {
        let text = format!(
            "{HEAD}{ASB},2021-13,H,H,,,x,,,Drugs,,\n,2021-01,H,H,abc,51.7,x,,,Drugs,,\n,2021-01,H,H,1,2,x\n,2021-01,H,H,,,x,,,,,\n{ASB}"
        );
        let (_, rows) = all(&text);
        let errs: Vec<(u64, String)> =
            rows.iter().filter_map(|r| r.as_ref().err()).map(|e| (e.line, e.reason.clone())).collect();
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert_eq!(errs[0].0, 3);
        assert!(errs[0].1.contains("2021-13"));
        assert_eq!(errs[1].0, 4);
        assert!(errs[1].1.contains("Longitude"));
        assert_eq!(errs[2].0, 5);
        assert!(errs[2].1.contains("columns"));
        assert_eq!(errs[3].0, 6);
        assert_eq!(rows.iter().filter(|r| r.is_ok()).count(), 2);
    }

    #[test]
    fn crlf_files_and_blank_lines_report_the_lines_as_numbered_in_an_editor() {
        let lf = format!(
            "{HEAD}{ASB},2021-13,H,H,,,x,,,Drugs,,\n{ASB}\n,2021-01,H,H,abc,51.7,x,,,Drugs,,\n\"a\nb\",2021-01,H,H,,,x,,,,,\n,2021-01,H,H,1,2,x\n{ASB}"
        );
        let crlf = lf.replace('\n', "\r\n");
        let lines = |text: &str| -> Vec<(u64, String)> {
            let (_, rows) = all(text);
            rows.iter().filter_map(|r| r.as_ref().err()).map(|e| (e.line, e.reason.clone())).collect()
        };
        let expected: Vec<u64> = vec![3, 6, 7, 9];
        assert_eq!(lines(&lf).iter().map(|x| x.0).collect::<Vec<_>>(), expected, "{:?}", lines(&lf));
        assert_eq!(lines(&crlf), lines(&lf));
        // the same rows get the same keys, so a file re-saved with CRLF adds nothing
        let keys = |text: &str| -> Vec<String> { all(text).1.iter().filter(|r| r.is_ok()).map(key).collect() };
        assert_eq!(keys(&crlf), keys(&lf));
        // a lone carriage return is still a line ending, and one at the very end is kept
        let cr = format!("{HEAD}{ASB}").replace('\n', "\r");
        assert_eq!(all(&cr).1.len(), 1);
        // the same when the input arrives a byte at a time (a CRLF split between reads)
        struct OneByte<'a>(&'a [u8]);
        impl Read for OneByte<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                let Some((first, rest)) = self.0.split_first() else { return Ok(0) };
                if let Some(slot) = out.first_mut() {
                    *slot = *first;
                    self.0 = rest;
                    return Ok(1);
                }
                Ok(0)
            }
        }
        let mut r = PoliceUkReader::new(OneByte(crlf.as_bytes())).expect("header");
        let mut slow = Vec::new();
        while let Some(row) = r.next_row() {
            if let Err(e) = row {
                slow.push((e.line, e.reason));
            }
        }
        assert_eq!(slow, lines(&lf));
        assert_eq!(r.bytes_read(), crlf.len() as u64);
        let mut tail = LineEnds::new("a\r\nb\r".as_bytes());
        let mut out = Vec::new();
        tail.read_to_end(&mut out).expect("read");
        assert_eq!(out, b"a\nb\r");
        assert_eq!(tail.raw_bytes, 5);
    }

    #[test]
    fn headers_decide_the_kind() {
        let out = "\u{feff}Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\nabc,2021-02,H,H,,,No location,,,Suspect charged\n,2021-02,H,H,,,No location,,,Suspect charged\n";
        let (kind, rows) = all(out);
        assert_eq!(kind, FileKind::Outcomes);
        assert!(matches!(&rows[0], Ok(Row::Outcome(o)) if o.crime_id == "abc"));
        assert!(rows[1].is_err());
        assert!(matches!(PoliceUkReader::new("a,b,c\n1,2,3\n".as_bytes()), Err(FileError::WrongHeader { .. })));
        assert!(matches!(PoliceUkReader::new("".as_bytes()), Err(FileError::Empty)));
    }
}
