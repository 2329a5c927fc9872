//! Small geographic helpers on WGS84 coordinates: great-circle distance and
//! the partnership's bounding area (a box until boundaries are loaded), and
//! drawn areas as GeoJSON.

use serde::{Deserialize, Serialize};

/// Mean Earth radius in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A drawn area's corners without a closing corner equal to the first.
pub fn distinct_corners(area: &[[f64; 2]]) -> &[[f64; 2]] {
    match area {
        [first, .., last] if first == last => &area[..area.len() - 1],
        all => all,
    }
}

/// Corners (longitude, latitude) as a GeoJSON Polygon geometry, the ring
/// closed if it is not already.
pub fn polygon_geometry(corners: &[[f64; 2]]) -> serde_json::Value {
    let mut ring = corners.to_vec();
    if ring.first() != ring.last() {
        ring.extend(ring.first().copied());
    }
    serde_json::json!({ "type": "Polygon", "coordinates": [ring] })
}

/// Distance in metres between two (longitude, latitude) points (haversine).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// Degrees of latitude and longitude that contain a circle of `metres`
/// around `lat` (for a coarse index filter before the exact distance).
pub fn degree_margin(lat: f64, metres: f64) -> (f64, f64) {
    let dlat = metres / 111_320.0;
    let dlon = metres / (111_320.0 * lat.to_radians().cos().max(0.01));
    (dlon, dlat)
}

/// A longitude/latitude box.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoundingBox {
    /// West edge.
    pub min_lon: f64,
    /// South edge.
    pub min_lat: f64,
    /// East edge.
    pub max_lon: f64,
    /// North edge.
    pub max_lat: f64,
}

impl BoundingBox {
    /// St Albans district (E07000240), from the ONS boundary.
    pub const ST_ALBANS: BoundingBox =
        BoundingBox { min_lon: -0.44061, min_lat: 51.68759, max_lon: -0.2416, max_lat: 51.8496 };

    /// True when the point lies inside the box.
    pub fn contains(&self, lon: f64, lat: f64) -> bool {
        (self.min_lon..=self.max_lon).contains(&lon) && (self.min_lat..=self.max_lat).contains(&lat)
    }

    /// Parses "min_lon,min_lat,max_lon,max_lat".
    pub fn parse(s: &str) -> Option<Self> {
        let v: Vec<f64> = s.split(',').map(|p| p.trim().parse::<f64>()).collect::<Result<_, _>>().ok()?;
        match v[..] {
            [min_lon, min_lat, max_lon, max_lat] if min_lon < max_lon && min_lat < max_lat => {
                Some(Self { min_lon, min_lat, max_lon, max_lat })
            }
            _ => None,
        }
    }
}

impl std::fmt::Display for BoundingBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{},{},{},{}", self.min_lon, self.min_lat, self.max_lon, self.max_lat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_boxes() {
        // St Albans Cathedral to St Albans City station: about 1.1 km.
        let d = distance_m((-0.3420, 51.7505), (-0.3275, 51.7502));
        assert!((950.0..1_100.0).contains(&d), "{d}");
        assert!(distance_m((0.0, 0.0), (0.0, 0.0)).abs() < 1e-9);
        let b = BoundingBox::ST_ALBANS;
        assert!(b.contains(-0.34, 51.75));
        assert!(!b.contains(-0.12, 51.50), "London");
        assert_eq!(BoundingBox::parse(&b.to_string()), Some(b));
        assert_eq!(BoundingBox::parse("1,2,3"), None);
        assert_eq!(BoundingBox::parse("3,2,1,4"), None);
        let (dlon, dlat) = degree_margin(51.75, 250.0);
        assert!(dlat > 0.002 && dlon > dlat);
    }
}
