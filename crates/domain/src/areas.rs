//! Area boundaries (LSOA, MSOA, ward, local authority district) read from
//! GeoJSON, with point-in-polygon tests to place incidents in their LSOA and
//! the partnership's district.

use serde::Serialize;

/// Boundary levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Lower layer super output area.
    Lsoa,
    /// Middle layer super output area.
    Msoa,
    /// Electoral ward.
    Ward,
    /// Local authority district.
    Lad,
}

impl Level {
    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Lsoa => "lsoa",
            Level::Msoa => "msoa",
            Level::Ward => "ward",
            Level::Lad => "lad",
        }
    }

    /// Parses a stable code.
    pub fn parse(s: &str) -> Option<Self> {
        [Level::Lsoa, Level::Msoa, Level::Ward, Level::Lad].into_iter().find(|l| l.as_str() == s)
    }
}

/// A (multi)polygon: polygons of rings of (longitude, latitude); the first
/// ring of each polygon is its outline, the rest are holes.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Polygons.
    pub polygons: Vec<Vec<Vec<(f64, f64)>>>,
}

/// One area read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Area {
    /// ONS code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Outline.
    pub shape: Shape,
    /// The GeoJSON geometry as given (for maps).
    pub geometry: String,
}

fn ring(v: &serde_json::Value) -> Option<Vec<(f64, f64)>> {
    v.as_array()?.iter().map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?))).collect()
}

fn polygon(v: &serde_json::Value) -> Option<Vec<Vec<(f64, f64)>>> {
    let rings: Option<Vec<_>> = v.as_array()?.iter().map(ring).collect();
    rings.filter(|r| !r.is_empty() && r.iter().all(|x| x.len() >= 4))
}

impl Shape {
    /// Reads a GeoJSON Polygon or MultiPolygon geometry.
    pub fn from_geojson(g: &serde_json::Value) -> Result<Self, String> {
        let coords = g.get("coordinates").ok_or("the geometry has no coordinates")?;
        let polygons = match g.get("type").and_then(|t| t.as_str()) {
            Some("Polygon") => vec![polygon(coords).ok_or("a polygon's rings need four or more [lon, lat] points")?],
            Some("MultiPolygon") => coords
                .as_array()
                .ok_or("a MultiPolygon needs a list of polygons")?
                .iter()
                .map(|p| polygon(p).ok_or("a polygon's rings need four or more [lon, lat] points"))
                .collect::<Result<_, _>>()?,
            other => {
                return Err(format!(
                    "the geometry must be a Polygon or MultiPolygon, not {}",
                    other.unwrap_or("missing")
                ))
            }
        };
        Ok(Self { polygons })
    }

    /// True when (lon, lat) lies inside (even-odd rule: inside an outline and
    /// not inside one of its holes).
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        self.polygons.iter().any(|rings| rings.iter().filter(|r| ring_contains(r, lon, lat)).count() % 2 == 1)
    }

    /// (min lon, min lat, max lon, max lat).
    pub fn bbox(&self) -> (f64, f64, f64, f64) {
        let pts = self.polygons.iter().flatten().flatten();
        pts.fold((f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY), |b, (x, y)| {
            (b.0.min(*x), b.1.min(*y), b.2.max(*x), b.3.max(*y))
        })
    }

    /// Every vertex (for contiguity).
    pub fn vertices(&self) -> Vec<(f64, f64)> {
        self.polygons.iter().flatten().flatten().copied().collect()
    }
}

fn ring_contains(r: &[(f64, f64)], x: f64, y: f64) -> bool {
    let mut inside = false;
    let mut j = r.len() - 1;
    for i in 0..r.len() {
        let (xi, yi) = r[i];
        let (xj, yj) = r[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Areas read, and features skipped as (1-based feature number, reason).
pub type ReadAreas = (Vec<Area>, Vec<(usize, String)>);

/// Reads a GeoJSON FeatureCollection of areas, taking the code and name from
/// the named properties. Features that cannot be read are returned as
/// (1-based feature number, reason), and the rest are kept.
pub fn read_areas(text: &str, code_field: &str, name_field: &str) -> Result<ReadAreas, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not valid GeoJSON: {e}"))?;
    let features =
        v.get("features").and_then(|f| f.as_array()).ok_or("not a GeoJSON FeatureCollection (no \"features\" list)")?;
    let (mut areas, mut bad) = (Vec::new(), Vec::new());
    for (i, f) in features.iter().enumerate() {
        let props = f.get("properties");
        let text = |field: &str| {
            props
                .and_then(|p| p.get(field))
                .and_then(|c| c.as_str())
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
        };
        let Some(code) = text(code_field) else {
            bad.push((i + 1, format!("no '{code_field}' property")));
            continue;
        };
        let name = text(name_field).unwrap_or_else(|| code.clone());
        let Some(geometry) = f.get("geometry") else {
            bad.push((i + 1, "no geometry".into()));
            continue;
        };
        match Shape::from_geojson(geometry) {
            Ok(shape) => areas.push(Area { code, name, shape, geometry: geometry.to_string() }),
            Err(e) => bad.push((i + 1, e)),
        }
    }
    Ok((areas, bad))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polygons_with_holes_and_bad_features() {
        let text = r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"code":"A","name":"Square with a hole"},"geometry":{"type":"Polygon","coordinates":[
                [[0,0],[10,0],[10,10],[0,10],[0,0]], [[4,4],[6,4],[6,6],[4,6],[4,4]]]}},
            {"type":"Feature","properties":{"code":"B"},"geometry":{"type":"MultiPolygon","coordinates":[[[[20,0],[21,0],[21,1],[20,0]]]]}},
            {"type":"Feature","properties":{"name":"no code"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
            {"type":"Feature","properties":{"code":"D"},"geometry":{"type":"Point","coordinates":[0,0]}}
        ]}"#;
        let (areas, bad) = read_areas(text, "code", "name").expect("read");
        assert_eq!(areas.len(), 2);
        assert_eq!(bad.iter().map(|b| b.0).collect::<Vec<_>>(), vec![3, 4]);
        let a = &areas[0].shape;
        assert!(a.contains(1.0, 1.0));
        assert!(!a.contains(5.0, 5.0), "inside the hole");
        assert!(!a.contains(11.0, 5.0));
        assert_eq!(areas[1].name, "B", "name falls back to the code");
        assert!(areas[1].shape.contains(20.8, 0.5));
        assert_eq!(a.bbox(), (0.0, 0.0, 10.0, 10.0));
        assert!(read_areas("[]", "code", "name").is_err());
        assert_eq!(Level::parse("ward"), Some(Level::Ward));
    }
}
