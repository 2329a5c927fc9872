//! The recorded crime and ASB browser: filters, a paginated table, a map of
//! the points (Leaflet; boundaries and points draw without tiles), and CSV
//! and GeoJSON downloads of the same selection.

use crate::auth::PageUser;
use crate::error::{AppError, PageResult};
use crate::layout::{error_summary, page, pagination, stale_data_warning, Nav, PageOpts};
use crate::params::{join_errors, parse_query, CrimeQuery};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::policy::{ExportCrimeData, ViewCrimeData};
use safetynet_store::crimes::{Crime, CrimeFilter};

/// Rows per page in the browser.
const PER_PAGE: i64 = 50;
/// Most points drawn on the map.
pub const MAP_LIMIT: i64 = 5000;
/// Most rows in one CSV export.
const EXPORT_LIMIT: i64 = 200_000;

fn select(id: &str, label: &str, options: &[(String, String)], current: Option<&str>, any: &str) -> Markup {
    html! {
        div class="govuk-form-group govuk-!-margin-bottom-3" {
            label class="govuk-label" for=(id) { (label) }
            select class="govuk-select" id=(id) name=(id) {
                option value="" { (any) }
                @for (value, text) in options {
                    option value=(value) selected[current == Some(value.as_str())] { (text) }
                }
            }
        }
    }
}

/// `GET /crimes`.
pub async fn browse(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Response> {
    user.permit::<ViewCrimeData>()?;
    let q: CrimeQuery = parse_query(raw.as_deref())?;
    let store = &state.store;
    let held = store.crime_months().await?;
    let months: Vec<(String, String)> = held.iter().map(|m| (m.to_string(), m.long_name())).collect();
    let types: Vec<(String, String)> = store.crime_types().await?.into_iter().map(|t| (t.clone(), t)).collect();
    let lsoas: Vec<(String, String)> =
        store.crime_lsoas().await?.into_iter().map(|(c, n)| (c.clone(), format!("{n} ({c})"))).collect();
    let (filter, mut errors) = match q.filter() {
        Ok(f) => (f, Vec::new()),
        Err(e) => (CrimeFilter::default(), e),
    };
    let (page_no, _) = q.paging(PER_PAGE).unwrap_or_else(|e| {
        errors.extend(e);
        (1, PER_PAGE)
    });
    let (crimes, total) = store.crimes(&filter, PER_PAGE, (page_no - 1) * PER_PAGE).await?;
    let fq = q.filter_query();
    let sep = if fq.is_empty() { "" } else { "?" };
    let body = html! {
        (error_summary(&errors))
        h1 class="govuk-heading-l" { "Recorded crime and anti-social behaviour" }
        @if let Some(m) = held.first() { (stale_data_warning(*m, state.today())) }
        form method="get" action="/crimes" class="sn-filters" {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-quarter" { (select("from", "From", &months.iter().rev().cloned().collect::<Vec<_>>(), q.from.as_deref(), "Earliest")) }
                div class="govuk-grid-column-one-quarter" { (select("to", "To", &months, q.to.as_deref(), "Latest")) }
                div class="govuk-grid-column-one-quarter" { (select("type", "Type", &types, q.crime_type.as_deref(), "All types")) }
                div class="govuk-grid-column-one-quarter" { (select("lsoa", "Area (LSOA)", &lsoas, q.lsoa.as_deref(), "All areas")) }
            }
            button type="submit" class="govuk-button govuk-!-margin-right-2" data-module="govuk-button" { "Apply filters" }
            a class="govuk-button govuk-button--secondary" href="/crimes" { "Clear" }
        }
        p class="govuk-body" data-testid="result-count" { strong { (total) } " records match." }
        div class="sn-map" id="crime-map" data-crime-map="" data-geojson=(format!("/crimes/map.geojson{sep}{fq}")) data-tiles=(state.config.tile_url) role="region" aria-label="Map of matching records" {
            noscript { p class="govuk-body govuk-!-padding-3" { "The map needs JavaScript. The table below lists the same records." } }
        }
        p class="govuk-body-s" { "Map points are police.uk anonymised snap points; up to " (MAP_LIMIT) " of the matching records are drawn." }
        p class="govuk-body" {
            a class="govuk-link" href=(format!("/crimes/export.csv{sep}{fq}")) download { "Download these records (CSV)" }
            " · "
            a class="govuk-link" href=(format!("/crimes/map.geojson{sep}{fq}")) download { "Download map points (GeoJSON)" }
        }
        table class="govuk-table" data-testid="crime-table" {
            caption class="govuk-table__caption govuk-table__caption--s" { "Page " (page_no) }
            thead class="govuk-table__head" {
                tr class="govuk-table__row" {
                    @for h in ["Month", "Type", "Location", "Area (LSOA)", "Latest outcome"] { th scope="col" class="govuk-table__header" { (h) } }
                }
            }
            tbody class="govuk-table__body" {
                @for c in &crimes {
                    tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (c.month) }
                        td class="govuk-table__cell" { (c.crime_type) }
                        td class="govuk-table__cell" { (c.location) }
                        td class="govuk-table__cell" { (c.lsoa_name) }
                        td class="govuk-table__cell" {
                            @match c.outcomes.last() {
                                Some(o) => { (o.outcome_type) " (" (o.month) ")" }
                                None => { (c.last_outcome) }
                            }
                        }
                    }
                }
            }
        }
        (pagination(&format!("/crimes{sep}{fq}"), page_no, PER_PAGE, total))
    };
    let status = if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::BAD_REQUEST };
    Ok((
        status,
        page(Some(&user), Nav::Crimes, "Recorded crime and ASB", PageOpts { map: true, ..PageOpts::default() }, body),
    )
        .into_response())
}

fn strict_filter(raw: Option<&str>) -> Result<(CrimeQuery, CrimeFilter), AppError> {
    let q: CrimeQuery = parse_query(raw)?;
    let f = q.filter().map_err(|e| join_errors(&e))?;
    Ok((q, f))
}

/// `GET /crimes/export.csv`: the filtered records as CSV; audited.
pub async fn export_csv(
    State(state): State<AppState>,
    user: PageUser,
    RawQuery(raw): RawQuery,
) -> PageResult<Response> {
    let _permit = user.permit::<ExportCrimeData>()?;
    let (q, filter) = strict_filter(raw.as_deref())?;
    let actor = user.actor();
    let detail = serde_json::json!({ "format": "csv", "filter": q.filter_query() });
    state.store.audit(user.now_ms, &actor.event(AuditAction::Export, "police_crime", None, detail)).await?;
    let (crimes, _) = state.store.crimes(&filter, EXPORT_LIMIT, 0).await?;
    let csv = crimes_csv(&crimes).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"safetynet-crimes.csv\""),
        ],
        csv,
    )
        .into_response())
}

/// CSV in police.uk's column order, plus the joined outcomes.
pub fn crimes_csv(crimes: &[Crime]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = safetynet_domain::policeuk::STREET_HEADER.to_vec();
    header.push("Outcomes");
    w.write_record(&header)?;
    for c in crimes {
        let outcomes: Vec<String> = c.outcomes.iter().map(|o| format!("{}: {}", o.month, o.outcome_type)).collect();
        // Every text cell is neutralised; the coordinates are numbers we format.
        w.write_record([
            neutralise(c.crime_id.as_deref().unwrap_or("")),
            neutralise(&c.month),
            neutralise(&c.reported_by),
            neutralise(&c.falls_within),
            c.longitude.map(|v| format!("{v:.6}")).unwrap_or_default(),
            c.latitude.map(|v| format!("{v:.6}")).unwrap_or_default(),
            neutralise(&c.location),
            neutralise(&c.lsoa_code),
            neutralise(&c.lsoa_name),
            neutralise(&c.crime_type),
            neutralise(&c.last_outcome),
            neutralise(&c.context),
            neutralise(&outcomes.join("; ")),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

/// Stops spreadsheet formula injection: a cell starting with `= + - @`, a
/// tab or a carriage return is prefixed with an apostrophe.
pub fn neutralise(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// GeoJSON FeatureCollection of located records.
pub fn crimes_geojson(crimes: &[Crime]) -> serde_json::Value {
    let features: Vec<serde_json::Value> = crimes
        .iter()
        .filter_map(|c| {
            Some(serde_json::json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [c.longitude?, c.latitude?] },
                "properties": { "crime_id": c.crime_id, "month": c.month, "crime_type": c.crime_type, "location": c.location, "lsoa_code": c.lsoa_code, "last_outcome": c.last_outcome },
            }))
        })
        .collect();
    serde_json::json!({ "type": "FeatureCollection", "features": features })
}

/// `GET /crimes/map.geojson`: the points for the map.
pub async fn geojson(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Response> {
    user.permit::<ViewCrimeData>()?;
    let (_, filter) = strict_filter(raw.as_deref())?;
    let crimes = state.store.crime_points(&filter, MAP_LIMIT).await?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], crimes_geojson(&crimes).to_string()).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_carry_formulas() {
        let crime = Crime {
            crime_id: Some("=HYPERLINK(\"http://x\")".into()),
            month: "2021-01".into(),
            reported_by: "Hertfordshire Constabulary".into(),
            falls_within: "@SUM(A1)".into(),
            longitude: Some(-0.34),
            latitude: Some(51.75),
            location: "On or near High Street".into(),
            lsoa_code: "E01023742".into(),
            lsoa_name: "St Albans 011A".into(),
            crime_type: "Burglary".into(),
            last_outcome: "+cmd|' /C calc'!A0".into(),
            context: "-2+3".into(),
            outcomes: Vec::new(),
        };
        let csv = String::from_utf8(crimes_csv(&[crime]).expect("csv")).expect("utf-8");
        for cell in ["'=HYPERLINK", "'@SUM", "'+cmd", "'-2+3"] {
            assert!(csv.contains(cell), "{cell} not neutralised: {csv}");
        }
        assert!(csv.contains(",-0.340000,51.750000,"), "coordinates stay numbers: {csv}");
    }
}
