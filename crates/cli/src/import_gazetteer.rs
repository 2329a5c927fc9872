//! `safetynet import gazetteer`: the council's address gazetteer (an LLPG
//! or AddressBase extract as CSV) for finding places by address, street or
//! postcode. Columns are found by header name, in any case: `UPRN`, the
//! address (`ADDRESS`, or its parts `SAO`, `PAO`, `STREET`, `LOCALITY`,
//! `TOWN`), `POSTCODE` (optional) and the coordinates (`X_COORDINATE` and
//! `Y_COORDINATE`, or `EASTING` and `NORTHING`, on the British National
//! Grid; or `LATITUDE` and `LONGITUDE` in WGS84). Grid coordinates are
//! converted with `safetynet_analysis::bng` (OSGB36 by the OS Helmert
//! transformation, a few metres).
//!
//! A bad row is reported with its line and the rest are kept; the file is
//! stored in one transaction (all of its good rows or none); a UPRN already
//! held is updated, so importing the same file again adds nothing.

use safetynet_domain::places::{normalise_postcode, parse_uprn};
use safetynet_store::places::{GazetteerEntry, GazetteerLoaded};
use safetynet_store::users::Actor;
use safetynet_store::Store;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// Longest address kept (characters).
const MAX_ADDRESS_CHARS: usize = 500;
/// Refusal reasons the text summary shows in full.
const REASONS_SHOWN: usize = 10;
/// Refused lines the text summary lists.
const LINES_SHOWN: usize = 50;

/// A refused row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedAddress {
    /// 1-based line (header = 1).
    pub line: u64,
    /// The row's UPRN as given (may be empty).
    pub uprn: String,
    /// Why.
    pub reason: String,
}

/// A gazetteer file read and checked, not yet stored.
#[derive(Debug, Default)]
pub struct GazetteerRead {
    /// Data rows read.
    pub rows_read: u64,
    /// The good rows, each UPRN once.
    pub entries: Vec<GazetteerEntry>,
    /// The refused rows, by line.
    pub rejected: Vec<RejectedAddress>,
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct GazetteerImportSummary {
    /// Data rows read.
    pub rows_read: u64,
    /// Addresses not held before.
    pub added: u64,
    /// Addresses held before and changed.
    pub updated: u64,
    /// Addresses held before exactly as given.
    pub unchanged: u64,
    /// Rows refused.
    pub rejected: u64,
    /// Every refused row: line and reason.
    pub rejected_rows: Vec<RejectedAddress>,
    /// Addresses held after the import.
    pub held: i64,
}

/// A problem with the file itself.
#[derive(Debug, thiserror::Error)]
pub enum GazetteerImportError {
    /// Unreadable.
    #[error("{0}: {1}")]
    Read(String, String),
    /// A needed column is missing.
    #[error("{file}: {message}")]
    Columns {
        /// File.
        file: String,
        /// Which columns.
        message: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] safetynet_store::StoreError),
}

/// Where the coordinates are.
#[derive(Debug, Clone, Copy)]
enum Coordinates {
    /// British National Grid easting and northing columns.
    Grid { easting: usize, northing: usize },
    /// WGS84 latitude and longitude columns.
    Wgs84 { latitude: usize, longitude: usize },
}

/// Where the address is.
#[derive(Debug, Clone)]
enum AddressColumns {
    /// One column.
    Whole(usize),
    /// Parts (secondary and primary addressable objects, street, locality,
    /// town), any of them absent.
    Parts {
        sao: Option<usize>,
        pao: Option<usize>,
        street: Option<usize>,
        locality: Option<usize>,
        town: Option<usize>,
    },
}

/// The columns of a gazetteer file.
#[derive(Debug, Clone)]
struct Columns {
    uprn: usize,
    address: AddressColumns,
    postcode: Option<usize>,
    coordinates: Coordinates,
}

impl Columns {
    fn find(headers: &[String]) -> Result<Self, String> {
        let find = |names: &[&str]| headers.iter().position(|h| names.contains(&h.as_str()));
        let uprn = find(&["uprn"]).ok_or("no UPRN column")?;
        let address = match find(&["address", "full_address", "single_line_address"]) {
            Some(i) => AddressColumns::Whole(i),
            None => {
                let parts = AddressColumns::Parts {
                    sao: find(&["sao", "sao_text"]),
                    pao: find(&["pao", "pao_text"]),
                    street: find(&["street", "street_description", "street_name"]),
                    locality: find(&["locality", "locality_name"]),
                    town: find(&["town", "town_name", "post_town"]),
                };
                match parts {
                    AddressColumns::Parts { pao: None, street: None, .. } => {
                        return Err("no ADDRESS column (nor address parts: SAO, PAO, STREET, LOCALITY, TOWN)".into())
                    }
                    parts => parts,
                }
            }
        };
        let postcode = find(&["postcode", "postcode_locator", "post_code"]);
        let coordinates = match (
            find(&["x_coordinate", "easting", "x"]),
            find(&["y_coordinate", "northing", "y"]),
            find(&["latitude", "lat"]),
            find(&["longitude", "lon", "lng"]),
        ) {
            (Some(easting), Some(northing), _, _) => Coordinates::Grid { easting, northing },
            (_, _, Some(latitude), Some(longitude)) => Coordinates::Wgs84 { latitude, longitude },
            _ => {
                return Err("no coordinates: give X_COORDINATE and Y_COORDINATE (or EASTING and NORTHING), \
                            or LATITUDE and LONGITUDE"
                    .into())
            }
        };
        Ok(Self { uprn, address, postcode, coordinates })
    }
}

/// A header as it is looked up: trimmed, lower-case, spaces and hyphens as `_`.
fn header_name(h: &str) -> String {
    h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase().replace([' ', '-'], "_")
}

/// At most 40 characters of a value, for a message.
fn shown(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(40).collect::<String>())
    } else {
        s.to_string()
    }
}

fn number(name: &str, s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ if s.trim().is_empty() => Err(format!("{name} is empty")),
        _ => Err(format!("{name} '{}' is not a number", shown(s))),
    }
}

fn within(name: &str, v: f64, lo: f64, hi: f64, what: &str) -> Result<f64, String> {
    if (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{name} {v} is outside {what} ({lo} to {hi})"))
    }
}

/// Rounds degrees to 7 decimals (about a centimetre).
fn degrees(v: f64) -> f64 {
    (v * 1e7).round() / 1e7
}

/// One address from its parts: "Flat 2, 12 Fishpool Street, St Albans".
fn join_parts(parts: [&str; 5]) -> String {
    let [sao, pao, street, locality, town] = parts.map(str::trim);
    let mut out: Vec<String> = Vec::new();
    if !sao.is_empty() {
        out.push(sao.to_string());
    }
    match (pao.is_empty(), street.is_empty()) {
        (false, false) if pao.starts_with(|c: char| c.is_ascii_digit()) => out.push(format!("{pao} {street}")),
        (false, false) => out.extend([pao.to_string(), street.to_string()]),
        (false, true) => out.push(pao.to_string()),
        (true, false) => out.push(street.to_string()),
        (true, true) => {}
    }
    out.extend([locality, town].iter().filter(|p| !p.is_empty()).map(|p| p.to_string()));
    out.join(", ")
}

fn entry(columns: &Columns, get: &dyn Fn(usize) -> String) -> Result<GazetteerEntry, String> {
    let uprn = get(columns.uprn);
    let uprn = parse_uprn(&uprn).ok_or_else(|| format!("UPRN '{}' is not 1 to 12 digits", shown(&uprn)))?;
    let address = match &columns.address {
        AddressColumns::Whole(i) => get(*i).trim().to_string(),
        AddressColumns::Parts { sao, pao, street, locality, town } => {
            let part = |c: &Option<usize>| c.map(get).unwrap_or_default();
            join_parts([&part(sao), &part(pao), &part(street), &part(locality), &part(town)])
        }
    };
    if address.is_empty() {
        return Err("the address is empty".into());
    }
    if address.chars().count() > MAX_ADDRESS_CHARS {
        return Err(format!("the address is longer than {MAX_ADDRESS_CHARS} characters"));
    }
    let postcode = match columns.postcode.map(get).unwrap_or_default().trim() {
        "" => None,
        p => Some(normalise_postcode(p).ok_or_else(|| format!("postcode '{}' is not a UK postcode", shown(p)))?),
    };
    let (easting, northing, latitude, longitude) = match columns.coordinates {
        Coordinates::Grid { easting, northing } => {
            let e = within("easting", number("easting", &get(easting))?, 0.0, 700_000.0, "the National Grid")?;
            let n = within("northing", number("northing", &get(northing))?, 0.0, 1_300_000.0, "the National Grid")?;
            let (lon, lat) = safetynet_analysis::bng::from_grid(e, n);
            (e, n, lat, lon)
        }
        Coordinates::Wgs84 { latitude, longitude } => {
            let lat = within("latitude", number("latitude", &get(latitude))?, 49.0, 61.0, "Great Britain")?;
            let lon = within("longitude", number("longitude", &get(longitude))?, -9.0, 2.0, "Great Britain")?;
            let (e, n) = safetynet_analysis::bng::to_grid(lon, lat);
            ((e * 100.0).round() / 100.0, (n * 100.0).round() / 100.0, lat, lon)
        }
    };
    Ok(GazetteerEntry {
        uprn,
        address,
        postcode,
        easting,
        northing,
        latitude: degrees(latitude),
        longitude: degrees(longitude),
    })
}

/// Reads a gazetteer file (named `file` in errors): checks the header, then
/// every row, refusing a bad row (with its line and reason) and a UPRN
/// given twice (the later row). Pure: no database, so it can be fuzzed.
pub fn read_gazetteer(input: impl std::io::Read, file: &str) -> Result<GazetteerRead, GazetteerImportError> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| GazetteerImportError::Read(file.to_string(), e.to_string()))?
        .iter()
        .map(header_name)
        .collect();
    let columns =
        Columns::find(&headers).map_err(|message| GazetteerImportError::Columns { file: file.to_string(), message })?;
    let mut read = GazetteerRead::default();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                read.rows_read += 1;
                let line = e.position().map_or(line, |p| p.line());
                read.rejected.push(RejectedAddress {
                    line,
                    uprn: String::new(),
                    reason: format!("unreadable row: {e}"),
                });
                // A broken quote can swallow the rest of the file: stop at an I/O error only.
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        read.rows_read += 1;
        let line = record.position().map_or(line, |p| p.line());
        let get = |i: usize| record.get(i).unwrap_or("").to_string();
        let reject = |reason: String| RejectedAddress { line, uprn: shown(&get(columns.uprn)), reason };
        match entry(&columns, &get) {
            Ok(e) => match first_line.get(&e.uprn) {
                Some(first) => {
                    read.rejected.push(reject(format!("UPRN {} is repeated (first on line {first})", e.uprn)))
                }
                None => {
                    first_line.insert(e.uprn.clone(), line);
                    read.entries.push(e);
                }
            },
            Err(reason) => read.rejected.push(reject(reason)),
        }
    }
    Ok(read)
}

/// Imports a gazetteer file: reads and checks it, then stores its good rows
/// in one transaction (audited as the operator's `actor`).
pub async fn import_gazetteer(
    store: &Store,
    path: &Path,
    actor: &Actor<'_>,
) -> Result<GazetteerImportSummary, GazetteerImportError> {
    let file = path.display().to_string();
    let input = std::fs::File::open(path).map_err(|e| GazetteerImportError::Read(file.clone(), e.to_string()))?;
    let read = read_gazetteer(std::io::BufReader::new(input), &file)?;
    let loaded = if read.entries.is_empty() {
        GazetteerLoaded::default()
    } else {
        store.load_gazetteer(&read.entries, actor).await?
    };
    if loaded.added > 0 {
        store.refresh_statistics(&["gazetteer"]).await?;
    }
    Ok(GazetteerImportSummary {
        rows_read: read.rows_read,
        added: loaded.added,
        updated: loaded.updated,
        unchanged: loaded.unchanged,
        rejected: read.rejected.len() as u64,
        rejected_rows: read.rejected,
        held: store.gazetteer_count().await?,
    })
}

impl GazetteerImportSummary {
    /// The human-readable report: the counts, the refused lines and the
    /// first few reasons.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "rows read:  {}\nadded:      {}\nupdated:    {}\nunchanged:  {}\nrejected:   {}\naddresses held: {}\n",
            self.rows_read, self.added, self.updated, self.unchanged, self.rejected, self.held
        );
        if self.rejected_rows.is_empty() {
            return s;
        }
        let lines: Vec<String> = self.rejected_rows.iter().take(LINES_SHOWN).map(|r| r.line.to_string()).collect();
        let more = self.rejected_rows.len().saturating_sub(LINES_SHOWN);
        s.push_str(&format!(
            "rejected lines: {}{}\n",
            lines.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() }
        ));
        for r in self.rejected_rows.iter().take(REASONS_SHOWN) {
            s.push_str(&format!("  line {}: {}\n", r.line, r.reason));
        }
        if self.rejected_rows.len() > REASONS_SHOWN {
            s.push_str("  (--format json lists every reason)\n");
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> GazetteerRead {
        read_gazetteer(text.as_bytes(), "test.csv").expect("read")
    }

    #[test]
    fn columns_are_found_by_name_in_any_case() {
        let r = read("\u{feff}Postcode,X_Coordinate,Y_Coordinate,Address,uprn\nal3 4rx,514500,207200,\"12 Fishpool Street, St Albans\",00123\n");
        assert_eq!(r.rows_read, 1);
        let e = &r.entries[0];
        assert_eq!(
            (e.uprn.as_str(), e.address.as_str(), e.postcode.as_deref()),
            ("123", "12 Fishpool Street, St Albans", Some("AL3 4RX"))
        );
        // PROJ puts this grid point (by St Albans Cathedral) at 51.751801, -0.342687
        // (crates/analysis/tests/fixtures/bng.json); stored to 7 decimals.
        assert!((e.latitude - 51.751801).abs() < 2e-6 && (e.longitude + 0.342687).abs() < 2e-6, "{e:?}");
    }

    #[test]
    fn addresses_are_built_from_their_parts() {
        let r = read("UPRN,SAO_TEXT,PAO_TEXT,STREET_DESCRIPTION,TOWN_NAME,EASTING,NORTHING\n1,Flat 2,12,Fishpool Street,St Albans,514500,207200\n2,,The Old Mill,Abbey Mill Lane,St Albans,514400,207000\n");
        let a: Vec<&str> = r.entries.iter().map(|e| e.address.as_str()).collect();
        assert_eq!(a, ["Flat 2, 12 Fishpool Street, St Albans", "The Old Mill, Abbey Mill Lane, St Albans"]);
    }

    #[test]
    fn latitude_and_longitude_are_taken_as_given() {
        let r = read("uprn,address,latitude,longitude\n7,Verulamium Park,51.7507,-0.3538\n");
        let e = &r.entries[0];
        assert_eq!((e.latitude, e.longitude), (51.7507, -0.3538));
        assert!((513_000.0..515_000.0).contains(&e.easting) && (206_000.0..208_000.0).contains(&e.northing), "{e:?}");
    }

    #[test]
    fn bad_rows_are_reported_by_line_and_the_rest_kept() {
        let r = read(
            "UPRN,ADDRESS,POSTCODE,EASTING,NORTHING\n\
             1,1 A Street,AL1 1AA,514500,207200\n\
             x1,2 A Street,AL1 1AA,514500,207200\n\
             3,,AL1 1AA,514500,207200\n\
             4,4 A Street,NOT A POSTCODE,514500,207200\n\
             5,5 A Street,,abc,207200\n\
             6,6 A Street,,800000,207200\n\
             1,1 A Street again,,514500,207200\n\
             8,8 A Street\n\
             9,9 A Street,al1 1aa,514510,207210\n",
        );
        assert_eq!(r.rows_read, 9);
        assert_eq!(r.entries.iter().map(|e| e.uprn.as_str()).collect::<Vec<_>>(), ["1", "9"]);
        let lines: Vec<(u64, &str)> = r.rejected.iter().map(|x| (x.line, x.reason.as_str())).collect();
        assert_eq!(
            lines,
            [
                (3, "UPRN 'x1' is not 1 to 12 digits"),
                (4, "the address is empty"),
                (5, "postcode 'NOT A POSTCODE' is not a UK postcode"),
                (6, "easting 'abc' is not a number"),
                (7, "easting 800000 is outside the National Grid (0 to 700000)"),
                (8, "UPRN 1 is repeated (first on line 2)"),
                (9, "easting is empty"),
            ]
        );
    }

    #[test]
    fn a_file_without_its_columns_is_refused() {
        for (text, expected) in [
            ("ADDRESS,EASTING,NORTHING\n", "no UPRN column"),
            ("UPRN,EASTING,NORTHING\n", "no ADDRESS column"),
            ("UPRN,ADDRESS,EASTING\n", "no coordinates"),
        ] {
            let e = read_gazetteer(text.as_bytes(), "f.csv").expect_err("refused").to_string();
            assert!(e.starts_with("f.csv: ") && e.contains(expected), "{e}");
        }
    }

    #[test]
    fn the_summary_lists_lines_and_the_first_reasons() {
        let rejected_rows: Vec<RejectedAddress> = (2..70)
            .map(|line| RejectedAddress { line, uprn: String::new(), reason: format!("reason {line}") })
            .collect();
        let s = GazetteerImportSummary { rows_read: 70, added: 2, rejected: 68, rejected_rows, ..Default::default() };
        let text = s.to_text();
        assert!(text.contains("rejected:   68") && text.contains("rejected lines: 2, 3, 4,"), "{text}");
        assert!(text.contains(", 51 and 18 more") && text.contains("  line 11: reason 11\n"), "{text}");
        assert!(!text.contains("line 12:"), "{text}");
    }
}
