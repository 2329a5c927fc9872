//! Finding a place by what people type: an address, a street or a
//! postcode. This module owns the rules both the store and the front doors
//! follow: what a search may be ([`PlaceQuery`]), how a postcode is written
//! ([`normalise_postcode`]), the lower-cased text a gazetteer address is
//! searched by ([`search_key`]), what a UPRN is ([`parse_uprn`]) and how a
//! police.uk location reads as a label ([`street_label`]). Pure: no SQL, no
//! coordinates arithmetic (that is `safetynet_analysis::bng`).

/// Fewest characters a search needs (after trimming).
pub const MIN_QUERY_CHARS: usize = 3;
/// Most characters a search may have.
pub const MAX_QUERY_CHARS: usize = 100;
/// Most words a search is split into (the rest are refused).
pub const MAX_QUERY_WORDS: usize = 8;
/// Most places one search returns.
pub const MAX_RESULTS: usize = 10;

/// A checked search: its words, lower-cased, each to be found in a place's
/// address, postcode or street name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceQuery {
    words: Vec<String>,
}

/// Why a search was refused (the message names the `q` parameter).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// Fewer than [`MIN_QUERY_CHARS`] characters.
    #[error("q must have at least {MIN_QUERY_CHARS} characters")]
    TooShort,
    /// More than [`MAX_QUERY_CHARS`] characters.
    #[error("q must have at most {MAX_QUERY_CHARS} characters")]
    TooLong,
    /// More than [`MAX_QUERY_WORDS`] words.
    #[error("q must have at most {MAX_QUERY_WORDS} words")]
    TooManyWords,
}

impl PlaceQuery {
    /// Checks a search as typed: trimmed, at least [`MIN_QUERY_CHARS`] and
    /// at most [`MAX_QUERY_CHARS`] characters, split into words at spaces
    /// and commas, lower-cased.
    pub fn parse(q: &str) -> Result<Self, QueryError> {
        let q = q.trim();
        let chars = q.chars().count();
        if chars < MIN_QUERY_CHARS {
            return Err(QueryError::TooShort);
        }
        if chars > MAX_QUERY_CHARS {
            return Err(QueryError::TooLong);
        }
        let words: Vec<String> =
            q.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
        if words.len() > MAX_QUERY_WORDS {
            return Err(QueryError::TooManyWords);
        }
        Ok(Self { words })
    }

    /// The words, lower-cased.
    pub fn words(&self) -> &[String] {
        &self.words
    }
}

/// A UK postcode as Royal Mail writes it (`AL3 4HE`): upper case, one space
/// before the inward code. `None` when the text is not shaped like a
/// postcode (outward code of 2 to 4 letters and digits starting with a
/// letter, inward code a digit and two letters).
pub fn normalise_postcode(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_uppercase();
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let inward_ok =
        inward.chars().enumerate().all(|(i, c)| if i == 0 { c.is_ascii_digit() } else { c.is_ascii_alphabetic() });
    let outward_ok = outward.chars().all(|c| c.is_ascii_alphanumeric())
        && outward.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && outward.chars().any(|c| c.is_ascii_digit());
    (inward_ok && outward_ok).then(|| format!("{outward} {inward}"))
}

/// The text an address is searched by: the address and postcode lower-cased,
/// and the postcode again without its space (so `al34he` finds `AL3 4HE`).
pub fn search_key(address: &str, postcode: Option<&str>) -> String {
    let mut key = address.to_lowercase();
    if let Some(p) = postcode {
        let p = p.to_lowercase();
        key.push(' ');
        key.push_str(&p);
        let compact: String = p.chars().filter(|c| !c.is_whitespace()).collect();
        if compact != p {
            key.push(' ');
            key.push_str(&compact);
        }
    }
    key
}

/// A UPRN (Unique Property Reference Number): 1 to 12 digits, written
/// without leading zeros. `None` otherwise.
pub fn parse_uprn(s: &str) -> Option<String> {
    let s = s.trim();
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = s.parse().ok()?;
    (n > 0).then(|| n.to_string())
}

/// A police.uk location as a place's label: without "On or near ", with the
/// district after a comma, and police.uk's capital after an apostrophe put
/// right ("St Peter'S Street" reads "St Peter's Street").
pub fn street_label(location: &str, district: &str) -> String {
    let street: Vec<char> = location.strip_prefix("On or near ").unwrap_or(location).trim().chars().collect();
    // Only a lone capital after an apostrophe is lowered: "O'Connor Road" keeps its capital.
    let label: String = street
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let after_apostrophe = i > 0 && street[i - 1] == '\'';
            let lone = !street.get(i + 1).is_some_and(|n| n.is_alphabetic());
            if after_apostrophe && lone {
                c.to_ascii_lowercase()
            } else {
                c
            }
        })
        .collect();
    if district.trim().is_empty() {
        label
    } else {
        format!("{label}, {}", district.trim())
    }
}

/// Words that end a street's name ("Fishpool Street", "Holywell Hill").
const STREET_WORDS: [&str; 24] = [
    "road", "street", "lane", "avenue", "close", "way", "drive", "hill", "place", "gardens", "crescent", "court",
    "walk", "row", "terrace", "grove", "parade", "square", "green", "end", "rise", "mews", "view", "park",
];

/// Whether a police.uk location names a street rather than a kind of place
/// ("On or near Supermarket", "On or near Parking Area").
pub fn is_street(location: &str) -> bool {
    let name = location.strip_prefix("On or near ").unwrap_or(location);
    name.split_whitespace().last().is_some_and(|w| STREET_WORDS.contains(&w.to_lowercase().as_str()))
}

/// Where a hot cell is, for a meeting to recognise: its two busiest
/// streets, with the busiest kind of place after them when that is busier
/// still ("Fishpool Street and Verulam Road (mostly at: Supermarket)").
/// `places` is (police.uk location, records), busiest first.
pub fn cell_place(places: &[(String, usize)]) -> String {
    let label = |l: &str| street_label(l, "");
    let streets: Vec<String> = places.iter().filter(|(l, _)| is_street(l)).take(2).map(|(l, _)| label(l)).collect();
    let top = places.first();
    match (streets.as_slice(), top) {
        ([], Some((l, _))) => label(l),
        ([], None) => String::new(),
        (s, Some((l, _))) if !is_street(l) => format!("{} (mostly at: {})", s.join(" and "), label(l)),
        (s, _) => s.join(" and "),
    }
}

/// The streets with the most records among `points` (police.uk location,
/// longitude, latitude), busiest first, each at its records' mean point, as
/// names for a map. Records are grouped by street and by a square of about
/// a kilometre, so that two streets of one name in different towns ("High
/// Street") are two places, not one between them.
pub fn busiest_streets<'a>(
    points: impl IntoIterator<Item = (&'a str, f64, f64)>,
    limit: usize,
) -> Vec<(f64, f64, String)> {
    let mut groups: std::collections::HashMap<(&str, i64, i64), (usize, f64, f64)> = std::collections::HashMap::new();
    for (location, lon, lat) in points {
        if !is_street(location) {
            continue;
        }
        let e = groups.entry((location, (lon * 70.0).floor() as i64, (lat * 110.0).floor() as i64)).or_default();
        *e = (e.0 + 1, e.1 + lon, e.2 + lat);
    }
    let mut streets: Vec<_> = groups.into_iter().collect();
    streets.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(&b.0)));
    streets
        .into_iter()
        .take(limit)
        .map(|((location, _, _), (n, lon, lat))| (lon / n as f64, lat / n as f64, street_label(location, "")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streets_of_one_name_in_two_towns_are_two_places() {
        let points = [
            ("On or near High Street", -0.3400, 51.7520),
            ("On or near High Street", -0.3402, 51.7521),
            ("On or near High Street", -0.3560, 51.8150),
            ("On or near Supermarket", -0.3400, 51.7520),
            ("On or near Supermarket", -0.3400, 51.7520),
            ("On or near Supermarket", -0.3400, 51.7520),
        ];
        let named = busiest_streets(points, 5);
        assert_eq!(named.len(), 2, "{named:?}");
        assert_eq!(named[0].2, "High Street");
        assert!((named[0].1 - 51.75205).abs() < 1e-9 && (named[1].1 - 51.8150).abs() < 1e-9, "{named:?}");
    }

    #[test]
    fn a_hot_cell_is_named_by_its_streets() {
        let p = |l: &str, n: usize| (l.to_string(), n);
        assert_eq!(
            cell_place(&[
                p("On or near Supermarket", 9),
                p("On or near Fishpool Street", 4),
                p("On or near Parking Area", 3),
                p("On or near Verulam Road", 2)
            ]),
            "Fishpool Street and Verulam Road (mostly at: Supermarket)"
        );
        assert_eq!(cell_place(&[p("On or near Holywell Hill", 5)]), "Holywell Hill");
        assert_eq!(cell_place(&[p("On or near Nightclub", 5)]), "Nightclub");
        assert_eq!(cell_place(&[]), "");
    }

    #[test]
    fn queries_are_checked_and_split() {
        assert_eq!(PlaceQuery::parse("  al"), Err(QueryError::TooShort));
        assert_eq!(PlaceQuery::parse(&"x".repeat(101)), Err(QueryError::TooLong));
        assert_eq!(PlaceQuery::parse("a b c d e f g h i"), Err(QueryError::TooManyWords));
        let q = PlaceQuery::parse(" Fishpool  Street,St ALBANS ").expect("query");
        assert_eq!(q.words(), ["fishpool", "street", "st", "albans"]);
        assert_eq!(PlaceQuery::parse("AL3").expect("query").words(), ["al3"]);
    }

    #[test]
    fn postcodes_are_written_as_royal_mail_writes_them() {
        assert_eq!(normalise_postcode("al34he").as_deref(), Some("AL3 4HE"));
        assert_eq!(normalise_postcode(" AL1  3JX ").as_deref(), Some("AL1 3JX"));
        assert_eq!(normalise_postcode("EC1A 1BB").as_deref(), Some("EC1A 1BB"));
        assert_eq!(normalise_postcode("W1A 0AX").as_deref(), Some("W1A 0AX"));
        for bad in ["", "AL3", "12345", "AL3 4H1", "ALBANS 1AA", "AL3 4HÉ"] {
            assert_eq!(normalise_postcode(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_search_key_holds_the_postcode_both_ways() {
        assert_eq!(
            search_key("12 Fishpool Street, St Albans", Some("AL3 4RX")),
            "12 fishpool street, st albans al3 4rx al34rx"
        );
        assert_eq!(search_key("Verulam Road", None), "verulam road");
    }

    #[test]
    fn uprns_are_digits_without_leading_zeros() {
        assert_eq!(parse_uprn(" 100080853123 ").as_deref(), Some("100080853123"));
        assert_eq!(parse_uprn("000123").as_deref(), Some("123"));
        for bad in ["", "0", "12a", "1234567890123", "-5", "1.5"] {
            assert_eq!(parse_uprn(bad), None, "{bad}");
        }
    }

    #[test]
    fn police_locations_read_as_labels() {
        assert_eq!(street_label("On or near St Peter'S Street", "St Albans"), "St Peter's Street, St Albans");
        assert_eq!(street_label("On or near O'Connor Road", ""), "O'Connor Road");
        assert_eq!(street_label("Supermarket", "Dacorum"), "Supermarket, Dacorum");
    }
}
