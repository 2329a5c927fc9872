//! Query-string parameters shared by pages, exports and the API, validated
//! into store filters with messages a user can act on. Values are only ever
//! bound as SQL parameters downstream.

use crate::error::AppError;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::month::Month;
use safetynet_store::audit::AuditFilter;
use safetynet_store::crimes::CrimeFilter;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Why a request with a NUL character is refused.
pub const NUL_MESSAGE: &str = "text must not contain NUL characters";

/// True when a JSON body holds a NUL character, raw or escaped (`\u0000`):
/// no field accepts one, and the two databases would store it differently.
pub fn json_has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"))
}

/// True when a form body or query string holds a NUL character, raw or
/// percent-encoded (`%00`).
pub fn form_has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00")
}

/// Parses a raw query string into `T`, or a 400 naming the problem.
pub fn parse_query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, AppError> {
    if form_has_nul(raw.unwrap_or("").as_bytes()) {
        return Err(AppError::BadRequest(NUL_MESSAGE.into()));
    }
    serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|e| AppError::BadRequest(format!("invalid query parameters: {e}")))
}

/// Parses an API query string into `T` like [`parse_query`], and refuses
/// any parameter `T` does not know, naming it (a misspelt filter must not
/// silently return everything).
pub fn parse_api_query<T: DeserializeOwned>(raw: Option<&str>) -> Result<T, AppError> {
    if form_has_nul(raw.unwrap_or("").as_bytes()) {
        return Err(AppError::BadRequest(NUL_MESSAGE.into()));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.unwrap_or("").as_bytes()));
    strict(de, "parameter").map_err(|e| AppError::BadRequest(format!("invalid query parameters: {e}")))
}

/// Deserializes `T` from `de`, failing on any field `T` ignores; `what`
/// names the kind of field in the message ("parameter", "field").
pub fn strict<'de, T, D>(de: D, what: &str) -> Result<T, String>
where
    T: DeserializeOwned,
    D: serde::Deserializer<'de>,
    D::Error: std::fmt::Display,
{
    let mut unknown = Vec::new();
    let value: T = serde_ignored::deserialize(de, |path| unknown.push(path.to_string())).map_err(|e| e.to_string())?;
    if unknown.is_empty() {
        Ok(value)
    } else {
        unknown.sort();
        unknown.dedup();
        Err(format!("unknown {what}{}: {}", if unknown.len() == 1 { "" } else { "s" }, unknown.join(", ")))
    }
}

/// The options of a query string for a use case's request (a 400 for a NUL
/// byte, a malformed pair or a name given twice).
pub fn options(raw: Option<&str>) -> Result<safetynet_app::Params, AppError> {
    let pairs: Vec<(String, String)> = parse_query(raw)?;
    Ok(safetynet_app::Params::from_pairs(pairs)?)
}

/// `?q=...`: a place search (`GET /places`, `GET /api/v1/places`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlacesQuery {
    /// What to look for: words of an address, a street or a postcode, 3 to 100 characters; every word must match.
    #[serde(default)]
    #[param(example = "fishpool st")]
    pub q: String,
}

impl PlacesQuery {
    /// The checked search (a 400 naming `q`).
    pub fn query(&self) -> Result<safetynet_domain::places::PlaceQuery, AppError> {
        safetynet_domain::places::PlaceQuery::parse(&self.q).map_err(|e| AppError::BadRequest(e.to_string()))
    }
}

/// `?from=YYYY-MM&to=YYYY-MM&type=...&lsoa=...&page=N&per_page=N`.
#[derive(Debug, Default, Clone, Deserialize, Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CrimeQuery {
    /// First month, inclusive.
    #[serde(default)]
    #[param(pattern = "^[0-9]{4}-[0-9]{2}$", example = "2021-06")]
    pub from: Option<String>,
    /// Last month, inclusive.
    #[serde(default)]
    #[param(pattern = "^[0-9]{4}-[0-9]{2}$", example = "2021-06")]
    pub to: Option<String>,
    /// Crime type as published, e.g. Anti-social behaviour.
    #[serde(default, rename = "type")]
    #[param(max_length = 100)]
    pub crime_type: Option<String>,
    /// LSOA code or name.
    #[serde(default)]
    #[param(max_length = 100)]
    pub lsoa: Option<String>,
    /// Page, from 1.
    #[serde(default)]
    #[param(value_type = Option<i64>, minimum = 1, default = 1)]
    pub page: Option<String>,
    /// Page size.
    #[serde(default)]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200, default = 50)]
    pub per_page: Option<String>,
}

fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Validation problems as (field, message).
pub type FieldErrors = Vec<(String, String)>;

impl CrimeQuery {
    /// The store filter, or every problem found.
    pub fn filter(&self) -> Result<CrimeFilter, FieldErrors> {
        let mut errors = Vec::new();
        let mut month = |field: &str, v: &Option<String>| match present(v).map(Month::parse) {
            None => None,
            Some(Ok(m)) => Some(m),
            Some(Err(e)) => {
                errors.push((field.to_string(), format!("{field}: {e}")));
                None
            }
        };
        let from = month("from", &self.from);
        let to = month("to", &self.to);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                errors.push(("from".into(), "from must be the same month as to or earlier".into()));
            }
        }
        let text = |field: &str, v: &Option<String>, errors: &mut FieldErrors| {
            let s = present(v)?;
            if s.chars().count() > 100 {
                errors.push((field.to_string(), format!("{field} must be 100 characters or fewer")));
                return None;
            }
            Some(s.to_string())
        };
        let crime_type = text("type", &self.crime_type, &mut errors);
        let lsoa = text("lsoa", &self.lsoa, &mut errors);
        if errors.is_empty() {
            Ok(CrimeFilter { from, to, crime_type, lsoa })
        } else {
            Err(errors)
        }
    }

    /// (page, per_page) within bounds.
    pub fn paging(&self, default_per_page: i64) -> Result<(i64, i64), FieldErrors> {
        let num = |field: &str, v: &Option<String>, default: i64, max: i64| -> Result<i64, FieldErrors> {
            match present(v) {
                None => Ok(default),
                Some(s) => match s.parse::<i64>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(n),
                    _ => Err(vec![(field.to_string(), format!("{field} must be a whole number from 1 to {max}"))]),
                },
            }
        };
        Ok((num("page", &self.page, 1, 100_000)?, num("per_page", &self.per_page, default_per_page, 200)?))
    }

    /// The filter part as a query string (for links), without paging.
    pub fn filter_query(&self) -> String {
        let pairs: Vec<(&str, &str)> =
            [("from", &self.from), ("to", &self.to), ("type", &self.crime_type), ("lsoa", &self.lsoa)]
                .into_iter()
                .filter_map(|(k, v)| present(v).map(|v| (k, v)))
                .collect();
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The audit search (page and API): `?from=YYYY-MM-DD&to=YYYY-MM-DD&action=&user=&agency=&record_type=&record_id=&page=&per_page=`.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// First day, YYYY-MM-DD.
    #[serde(default)]
    #[param(format = Date)]
    pub(crate) from: Option<String>,
    /// Last day, YYYY-MM-DD.
    #[serde(default)]
    #[param(format = Date)]
    pub(crate) to: Option<String>,
    /// Action recorded (e.g. view, search, create).
    #[serde(default)]
    pub(crate) action: Option<String>,
    /// User id.
    #[serde(default)]
    pub(crate) user: Option<String>,
    /// Agency code.
    #[serde(default)]
    pub(crate) agency: Option<String>,
    /// Kind of record.
    #[serde(default)]
    pub(crate) record_type: Option<String>,
    /// Record id.
    #[serde(default)]
    pub(crate) record_id: Option<String>,
    /// Page, from 1.
    #[serde(default)]
    #[param(value_type = Option<i64>, minimum = 1)]
    pub(crate) page: Option<String>,
    /// Rows a page (the API; the page shows 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<i64>, minimum = 1, maximum = 200)]
    pub(crate) per_page: Option<String>,
}

/// A trimmed, non-empty value of at most 100 bytes.
pub fn opt(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty() && s.len() <= 100).map(str::to_string)
}

impl AuditQuery {
    /// The store filter, or the problems.
    pub fn filter(&self) -> Result<AuditFilter, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut day = |field: &str, v: &Option<String>, end: bool| -> Option<i64> {
            let s = opt(v)?;
            match chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
                Ok(d) => {
                    let d = if end { d.succ_opt().unwrap_or(d) } else { d };
                    Some(d.and_hms_opt(0, 0, 0).map_or(0, |t| t.and_utc().timestamp_millis()))
                }
                Err(_) => {
                    errors.push((field.to_string(), format!("{field} must be a date like 2026-11-26")));
                    None
                }
            }
        };
        let from_ms = day("from", &self.from, false);
        let to_ms = day("to", &self.to, true);
        let action = match opt(&self.action) {
            None => None,
            Some(a) => match AuditAction::ALL.into_iter().find(|x| x.as_str() == a) {
                Some(x) => Some(x),
                None => {
                    errors.push(("action".into(), "choose an action from the list".into()));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AuditFilter {
            from_ms,
            to_ms,
            user: opt(&self.user),
            agency: opt(&self.agency),
            action,
            record_type: opt(&self.record_type),
            record_id: opt(&self.record_id),
        })
    }
}

/// Joins field errors into one message.
pub fn join_errors(errors: &FieldErrors) -> AppError {
    AppError::BadRequest(errors.iter().map(|(_, m)| m.as_str()).collect::<Vec<_>>().join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_filters_and_paging() {
        let q: CrimeQuery = parse_query(Some("from=2021-01&to=2021-03&type=Burglary&lsoa=&page=2")).expect("parse");
        let f = q.filter().expect("valid");
        assert_eq!(f.crime_type.as_deref(), Some("Burglary"));
        assert_eq!(f.lsoa, None);
        assert_eq!(q.paging(50), Ok((2, 50)));
        assert_eq!(q.filter_query(), "from=2021-01&to=2021-03&type=Burglary");
        let bad: CrimeQuery = parse_query(Some("from=2021-13&to=2021-01&page=0")).expect("parse");
        assert!(bad.filter().is_err());
        assert!(bad.paging(50).is_err());
        let reversed: CrimeQuery = parse_query(Some("from=2021-05&to=2021-01")).expect("parse");
        assert!(reversed.filter().is_err());
    }
}
