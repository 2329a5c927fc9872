//! The analyses' answers as files: the content type and body both front
//! doors give (the API's responses, the command line's output).

use super::crime::Hotspots;
use crate::{Error, Params};
use safetynet_analysis::density::Surface;

/// The `format` option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// The method's usual form: GeoJSON for hotspots, JSON otherwise.
    #[default]
    Usual,
    /// JSON.
    Json,
    /// GeoJSON (hotspots).
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

/// A density surface as JSON (usual) or CSV.
pub fn density(s: &Surface, format: Format) -> Result<Output, Error> {
    match format {
        Format::Csv => Ok(out(CSV, s.to_csv())),
        Format::GeoJson => Err(Error::Invalid("density comes as JSON or CSV".into())),
        Format::Usual | Format::Json => json(s),
    }
}

/// An answer only given as JSON: refuses CSV and GeoJSON.
pub fn json_only<T: serde::Serialize>(value: &T, format: Format) -> Result<Output, Error> {
    match format {
        Format::Usual | Format::Json => json(value),
        _ => Err(Error::Invalid("this analysis comes as JSON only".into())),
    }
}
