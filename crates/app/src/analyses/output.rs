//! The analyses' answers as files: the content type and body both front
//! doors give (the API's responses, the command line's output).

use super::crime::Hotspots;
use super::incidents::{NearRepeatPairs, Scan};
use crate::{Error, Params};
use safetynet_analysis::density::Surface;
use safetynet_analysis::scan::circle_ring;

/// The `format` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The method's usual form: GeoJSON for hotspots, JSON otherwise.
    #[default]
    Usual,
    /// JSON.
    Json,
    /// GeoJSON (hotspots, density, scan clusters, near-repeat pairs).
    GeoJson,
    /// CSV (hotspot cells, density).
    Csv,
}

impl Format {
    /// The `format` option: `json`, `geojson` or `csv` (default: the usual).
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        match p.text("format") {
            None => Ok(Self::Usual),
            Some("json") => Ok(Self::Json),
            Some("geojson") => Ok(Self::GeoJson),
            Some("csv") => Ok(Self::Csv),
            Some(_) => Err(Error::Invalid("format must be json, geojson or csv".into())),
        }
    }
}

/// A rendered answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Its media type.
    pub content_type: String,
    /// Its text.
    pub body: String,
}

const JSON: &str = "application/json";
const GEOJSON: &str = "application/geo+json";
const CSV: &str = "text/csv; charset=utf-8";

fn out(content_type: &str, body: String) -> Output {
    Output { content_type: content_type.into(), body }
}

/// Any answer as JSON.
pub fn json<T: serde::Serialize>(value: &T) -> Result<Output, Error> {
    serde_json::to_string(value).map(|b| out(JSON, b)).map_err(|e| Error::Internal(e.to_string()))
}

/// Hotspots: grid cells as GeoJSON (usual), JSON or CSV; areas as GeoJSON.
pub fn hotspots(h: &Hotspots, format: Format) -> Result<Output, Error> {
    match (h, format) {
        (Hotspots::Grid(g), Format::Csv) => Ok(out(CSV, g.to_csv())),
        (Hotspots::Grid(g), Format::Json) => json(g),
        (Hotspots::Grid(g), _) => Ok(out(GEOJSON, g.to_geojson().to_string())),
        (Hotspots::Areas(a), Format::Usual | Format::GeoJson) => Ok(out(GEOJSON, a.to_string())),
        (Hotspots::Areas(_), _) => Err(Error::Invalid("area hotspots come as GeoJSON only".into())),
    }
}

/// A density surface as JSON (usual), GeoJSON (the cells near the peak) or CSV.
pub fn density(s: &Surface, format: Format) -> Result<Output, Error> {
    match format {
        Format::Csv => Ok(out(CSV, s.to_csv())),
        Format::GeoJson => Ok(out(GEOJSON, s.to_geojson().to_string())),
        Format::Usual | Format::Json => json(s),
    }
}

/// The scan as JSON (usual), or its most likely cluster as GeoJSON: the
/// circle (with the cluster's figures) and its places.
pub fn scan(s: &Scan, format: Format) -> Result<Output, Error> {
    match format {
        Format::Usual | Format::Json => json(s),
        Format::Csv => Err(Error::Invalid("the scan comes as JSON or GeoJSON".into())),
        Format::GeoJson => {
            let mut features = Vec::new();
            if let Some(c) = &s.most_likely_cluster {
                let k = &c.cluster;
                let ring: Vec<[f64; 2]> =
                    circle_ring(k.centre_lon, k.centre_lat, k.radius_km).into_iter().map(|(x, y)| [x, y]).collect();
                features.push(serde_json::json!({
                    "type": "Feature",
                    "geometry": { "type": "Polygon", "coordinates": [ring] },
                    "properties": { "kind": "cluster", "start_date": c.start_date, "end_date": c.end_date,
                        "observed": k.observed, "expected": k.expected, "llr": k.llr, "p_value": k.p_value,
                        "radius_km": k.radius_km, "recurrence_interval_days": k.recurrence_interval_days,
                        "places": c.places.len() }
                }));
                features.extend(c.places.iter().map(|p| serde_json::json!({
                    "type": "Feature", "geometry": { "type": "Point", "coordinates": p }, "properties": { "kind": "place" }
                })));
            }
            let body = serde_json::json!({ "type": "FeatureCollection", "incidents": s.incidents,
                "day_convention": s.day_convention, "replications": s.replications, "features": features });
            Ok(out(GEOJSON, body.to_string()))
        }
    }
}

/// The near-repeat pairs as GeoJSON lines from the earlier incident to the later.
pub fn near_repeat_pairs(p: &NearRepeatPairs) -> Output {
    let features: Vec<serde_json::Value> = p
        .pairs
        .iter()
        .map(|m| {
            serde_json::json!({
                "type": "Feature",
                "geometry": { "type": "LineString", "coordinates": [m.from, m.to] },
                "properties": { "kind": "pair", "from_date": m.from_date, "to_date": m.to_date,
                    "distance_m": m.distance_m, "days": m.days }
            })
        })
        .collect();
    let body = serde_json::json!({ "type": "FeatureCollection", "incidents": p.events, "distance_band_m": p.distance_band,
        "time_band_days": p.time_band, "truncated": p.truncated, "features": features });
    out(GEOJSON, body.to_string())
}

/// An answer only given as JSON: refuses CSV and GeoJSON.
pub fn json_only<T: serde::Serialize>(value: &T, format: Format) -> Result<Output, Error> {
    match format {
        Format::Usual | Format::Json => json(value),
        _ => Err(Error::Invalid("this analysis comes as JSON only".into())),
    }
}
