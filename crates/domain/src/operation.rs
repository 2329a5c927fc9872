//! Targeted operations: where they work (a target zone, an optional buffer
//! ring around it and an optional control zone), when, and how recorded
//! crime is split into target, buffer and control for the before-and-after
//! evaluation (weighted displacement difference).

use crate::areas::Shape;
use crate::geo::distance_m;
use crate::month::Month;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An area on the map: a circle around a point, or a drawn polygon.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Zone {
    /// A circle (a hotspot cell's centre and a radius, or a street corner).
    Circle {
        /// Longitude of the centre.
        lon: f64,
        /// Latitude of the centre.
        lat: f64,
        /// Radius in metres.
        radius_m: f64,
    },
    /// A GeoJSON Polygon or MultiPolygon geometry (WGS84).
    Polygon {
        /// The geometry.
        geometry: serde_json::Value,
    },
}

/// Metres per degree of latitude (near enough for district-sized zones).
const M_PER_DEG_LAT: f64 = 111_320.0;

impl Zone {
    /// Checks the zone is usable; the message says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Zone::Circle { lon, lat, radius_m } => {
                if !((-8.7..=1.8).contains(lon) && (49.8..=60.9).contains(lat)) {
                    return Err("the centre must be a longitude and latitude in Great Britain".into());
                }
                if !(10.0..=20_000.0).contains(radius_m) {
                    return Err("the radius must be between 10 and 20,000 metres".into());
                }
                Ok(())
            }
            Zone::Polygon { geometry } => Shape::from_geojson(geometry).map(|_| ()),
        }
    }

    /// Distance in metres from (lon, lat) to the zone: 0 inside.
    pub fn distance_m(&self, lon: f64, lat: f64) -> f64 {
        Prepared::of(self).distance_m(lon, lat)
    }

    /// The zone as a GeoJSON geometry (a circle as a 64-sided polygon).
    pub fn to_geojson(&self) -> serde_json::Value {
        match self {
            Zone::Polygon { geometry } => geometry.clone(),
            Zone::Circle { lon, lat, radius_m } => {
                let ring: Vec<[f64; 2]> = (0..=64)
                    .map(|i| {
                        let a = f64::from(i) / 64.0 * std::f64::consts::TAU;
                        let dlat = radius_m * a.sin() / M_PER_DEG_LAT;
                        let dlon = radius_m * a.cos() / (M_PER_DEG_LAT * lat.to_radians().cos());
                        [lon + dlon, lat + dlat]
                    })
                    .collect();
                serde_json::json!({ "type": "Polygon", "coordinates": [ring] })
            }
        }
    }
}

/// Distance from a point to a shape in metres (0 inside), on a local flat
/// projection centred on the point.
fn shape_distance(shape: &Shape, lon: f64, lat: f64) -> f64 {
    if shape.contains(lon, lat) {
        return 0.0;
    }
    let kx = M_PER_DEG_LAT * lat.to_radians().cos();
    let xy = |(x, y): (f64, f64)| ((x - lon) * kx, (y - lat) * M_PER_DEG_LAT);
    let mut best = f64::INFINITY;
    for ring in shape.polygons.iter().flatten() {
        for w in ring.windows(2) {
            best = best.min(segment_distance(xy(w[0]), xy(w[1])));
        }
    }
    best
}

/// Distance from the origin to the segment a-b.
fn segment_distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 { (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
    (a.0 + t * dx).hypot(a.1 + t * dy)
}

/// Which part of an evaluation a record falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Inside the target zone.
    Target,
    /// Within the buffer distance of the target.
    Buffer,
    /// In the control zone (or, without one, anywhere else in the partnership).
    Control,
    /// In none of them (inside a control zone's exclusion or outside it).
    Outside,
}

/// A zone ready for many distance queries: a polygon is parsed once.
#[derive(Debug, Clone)]
enum Prepared {
    Circle {
        lon: f64,
        lat: f64,
        radius_m: f64,
    },
    /// `None` when the geometry cannot be read (then nothing is inside or near).
    Shape(Option<Shape>),
}

impl Prepared {
    fn of(zone: &Zone) -> Self {
        match zone {
            Zone::Circle { lon, lat, radius_m } => Self::Circle { lon: *lon, lat: *lat, radius_m: *radius_m },
            Zone::Polygon { geometry } => Self::Shape(Shape::from_geojson(geometry).ok()),
        }
    }

    fn distance_m(&self, lon: f64, lat: f64) -> f64 {
        match self {
            Self::Circle { lon: cx, lat: cy, radius_m } => (distance_m((*cx, *cy), (lon, lat)) - radius_m).max(0.0),
            Self::Shape(Some(shape)) => shape_distance(shape, lon, lat),
            Self::Shape(None) => f64::INFINITY,
        }
    }
}

/// Sorts points into target, buffer or control, with the zones prepared
/// once. Without a control zone the control is everything beyond the buffer.
#[derive(Debug, Clone)]
pub struct Placer {
    target: Prepared,
    buffer_m: f64,
    control: Option<Prepared>,
}

impl Placer {
    /// A placer for a target, its buffer and an optional control zone.
    pub fn new(target: &Zone, buffer_m: f64, control: Option<&Zone>) -> Self {
        Self { target: Prepared::of(target), buffer_m, control: control.map(Prepared::of) }
    }

    /// Where (lon, lat) falls.
    pub fn place(&self, lon: f64, lat: f64) -> Place {
        let d = self.target.distance_m(lon, lat);
        if d == 0.0 {
            Place::Target
        } else if d <= self.buffer_m {
            Place::Buffer
        } else {
            match &self.control {
                Some(c) if c.distance_m(lon, lat) > 0.0 => Place::Outside,
                _ => Place::Control,
            }
        }
    }
}

/// The months compared: the operation's months (start to end, inclusive),
/// and as many months immediately before. Returns (before, during) as
/// inclusive (first, last) pairs; none for dates outside 1901 to 2999.
pub fn evaluation_months(starts_on: NaiveDate, ends_on: NaiveDate) -> Option<((Month, Month), (Month, Month))> {
    let first = Month::of_date(starts_on).filter(|m| m.to_string().as_str() > "1901")?;
    let last = Month::of_date(ends_on.max(starts_on))?;
    let mut n = 1;
    let mut m = first;
    while m < last {
        m = m.next();
        n += 1;
    }
    let before_last = first.previous();
    let mut before_first = before_last;
    for _ in 1..n {
        before_first = before_first.previous();
    }
    Some(((before_first, before_last), (first, last)))
}

/// An operation's life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OperationStatus {
    /// Agreed, not started.
    Planned,
    /// Running.
    Active,
    /// Ended and evaluated.
    Concluded,
}

impl OperationStatus {
    /// The status on `today` of an operation running `starts_on` to `ends_on`
    /// (concluded once evaluated).
    pub fn on(today: NaiveDate, starts_on: NaiveDate, ends_on: NaiveDate, evaluated: bool) -> Self {
        if evaluated && today > ends_on {
            Self::Concluded
        } else if today < starts_on {
            Self::Planned
        } else {
            Self::Active
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn circles_and_polygons_sort_points_into_target_buffer_and_control() {
        let target = Zone::Circle { lon: -0.3360, lat: 51.7520, radius_m: 200.0 };
        assert!(target.validate().is_ok());
        assert_eq!(Placer::new(&target, 300.0, None).place(-0.3360, 51.7525), Place::Target);
        // ~400 m north: beyond the radius, within the buffer.
        assert_eq!(Placer::new(&target, 300.0, None).place(-0.3360, 51.7556), Place::Buffer);
        assert_eq!(Placer::new(&target, 300.0, None).place(-0.3360, 51.7700), Place::Control);
        let square = serde_json::json!({ "type": "Polygon", "coordinates": [[[-0.34, 51.75], [-0.33, 51.75], [-0.33, 51.76], [-0.34, 51.76], [-0.34, 51.75]]] });
        let control = Zone::Polygon { geometry: square };
        assert!(control.validate().is_ok());
        assert_eq!(control.distance_m(-0.335, 51.755), 0.0);
        // 0.001 degrees of latitude south of the square's edge is about 111 m.
        let south = control.distance_m(-0.335, 51.749);
        assert!((south - 111.3).abs() < 1.0, "{south}");
        let far = Zone::Circle { lon: -0.30, lat: 51.80, radius_m: 100.0 };
        assert_eq!(Placer::new(&far, 100.0, Some(&control)).place(-0.335, 51.755), Place::Control);
        assert_eq!(Placer::new(&far, 100.0, Some(&control)).place(-0.2, 51.7), Place::Outside);
        assert!(Zone::Circle { lon: 20.0, lat: 51.0, radius_m: 100.0 }.validate().is_err());
        assert!(Zone::Circle { lon: -0.3, lat: 51.7, radius_m: 1.0 }.validate().is_err());
        let ring = target.to_geojson();
        assert_eq!(ring["coordinates"][0].as_array().map(Vec::len), Some(65));
    }

    #[test]
    fn the_before_period_matches_the_operation_in_months() {
        let ((b0, b1), (a0, a1)) = evaluation_months(d("2021-06-10"), d("2021-08-31")).expect("months");
        assert_eq!(
            [b0, b1, a0, a1].map(|m| m.to_string()),
            ["2021-03", "2021-05", "2021-06", "2021-08"].map(String::from)
        );
        let ((b0, b1), (a0, a1)) = evaluation_months(d("2021-01-01"), d("2021-01-31")).expect("months");
        assert_eq!(
            [b0, b1, a0, a1].map(|m| m.to_string()),
            ["2020-12", "2020-12", "2021-01", "2021-01"].map(String::from)
        );
        assert_eq!(
            OperationStatus::on(d("2021-05-01"), d("2021-06-01"), d("2021-08-31"), false),
            OperationStatus::Planned
        );
        assert_eq!(
            OperationStatus::on(d("2021-09-01"), d("2021-06-01"), d("2021-08-31"), false),
            OperationStatus::Active
        );
        assert_eq!(
            OperationStatus::on(d("2021-09-01"), d("2021-06-01"), d("2021-08-31"), true),
            OperationStatus::Concluded
        );
    }
}
