//! Map layers the programme pages draw (`data-layer-map` in `app.js`): a
//! GeoJSON answer, points with their properties, a hotspot surface, and
//! the reporting window such layers are asked for.

use crate::error::AppError;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{Days, NaiveDate};
use safetynet_analysis::density::quartic_density_wgs84;
use safetynet_analysis::interrupt::Interrupt;
use safetynet_analysis::AnalysisError;

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
