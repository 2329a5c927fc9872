//! Map layers the programme pages draw (`data-layer-map` in `app.js`): a
//! GeoJSON answer, points with their properties, a hotspot surface, and
//! the queries (a reporting window, fly-tips by land type) that the pages
//! and the API ask for them with.

use crate::error::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Days, NaiveDate};
use safetynet_analysis::density::quartic_density_wgs84;
use safetynet_analysis::interrupt::Interrupt;
use safetynet_analysis::AnalysisError;
use safetynet_domain::fly_tipping::LandType;
use safetynet_store::fly_tipping::FlyTipFilter;
use serde::Deserialize;

/// The most fly-tips one list, map or hotspot surface reads.
pub const MAP_LIMIT: i64 = 5_000;

/// Hotspot surface: cell size and search radius, in metres.
const HOTSPOT_CELL_M: f64 = 100.0;
const HOTSPOT_BANDWIDTH_M: f64 = 500.0;

/// `value` answered as `application/geo+json`.
pub fn geojson(value: serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, "application/geo+json")], Json(value)).into_response()
}

/// A FeatureCollection of points, one per item with a location:
/// `(latitude, longitude, properties)`.
pub fn points(items: impl Iterator<Item = (Option<f64>, Option<f64>, serde_json::Value)>) -> serde_json::Value {
    let features: Vec<serde_json::Value> = items
        .filter_map(|(lat, lon, properties)| Some((lat?, lon?, properties)))
        .map(|(lat, lon, properties)| {
            serde_json::json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [lon, lat] },
                "properties": properties,
            })
        })
        .collect();
    serde_json::json!({ "type": "FeatureCollection", "features": features })
}

/// Where `points` (longitude, latitude) concentrate: a quartic kernel
/// density surface (100 m squares, 500 m radius) as GeoJSON squares with
/// `density_per_km2` and `level`; no points, no squares.
pub fn hotspots(points: &[(f64, f64)]) -> Result<serde_json::Value, AppError> {
    match quartic_density_wgs84(points, HOTSPOT_CELL_M, HOTSPOT_BANDWIDTH_M, &Interrupt::never()) {
        Ok(s) => Ok(s.to_geojson()),
        Err(AnalysisError::Empty) => Ok(serde_json::json!({ "type": "FeatureCollection", "features": [] })),
        Err(e) => Err(AppError::BadRequest(e.to_string())),
    }
}

/// The reporting window `[from, to]`: `to` defaults to `today`, `from` to a
/// year before `to`; `from` after `to` is refused.
pub fn window(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(NaiveDate, NaiveDate), AppError> {
    let to = to.unwrap_or(today);
    let from = from.unwrap_or_else(|| to.checked_sub_days(Days::new(365)).unwrap_or(to));
    if from > to {
        return Err(AppError::BadRequest("the first day must be on or before the last".into()));
    }
    Ok((from, to))
}

/// A reporting window and a format.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    /// First day (default a year before `to`).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Last day (default today).
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// `json` (default) or `geojson` (points, for the map).
    #[serde(default)]
    pub format: Option<String>,
}

/// Which fly-tips: the API's and the page's query.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FlyTipQuery {
    /// First day reported (default a year before `to`).
    #[serde(default)]
    pub from: Option<NaiveDate>,
    /// Last day reported (default today).
    #[serde(default)]
    pub to: Option<NaiveDate>,
    /// Only this land type.
    #[serde(default)]
    pub land_type: Option<LandType>,
    /// `json` (default) or `geojson` (fly-tips with a location, as points).
    #[serde(default)]
    pub format: Option<String>,
}

impl FlyTipQuery {
    /// The store's filter, `to` defaulting to `today`; `from` after `to`
    /// is refused.
    pub fn filter(&self, today: NaiveDate) -> Result<FlyTipFilter, AppError> {
        let (from, to) = window(self.from, self.to, today)?;
        Ok(FlyTipFilter { from, to, land_type: self.land_type, limit: MAP_LIMIT })
    }
}
