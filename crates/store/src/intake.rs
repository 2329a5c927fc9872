//! What checking and placing a new incident needs, read once: the active
//! categories, the partnership's district shapes (or its bounding box) and
//! the LSOA shapes with their bounding boxes. A form submission reads it for
//! its one incident; an import reads it once for every row, instead of
//! reading and parsing every boundary again per row.

use crate::{Result, Store};
use safetynet_domain::areas::{Level, Shape};
use safetynet_domain::categories::Category;
use safetynet_domain::geo::BoundingBox;

/// Categories and boundaries for checking and placing incidents.
#[derive(Debug)]
pub struct Intake {
    /// Active categories.
    pub categories: Vec<Category>,
    district: Option<Vec<Shape>>,
    fallback: Option<BoundingBox>,
    lsoas: Vec<Lsoa>,
}

/// An LSOA's code, bounding box (min lon, min lat, max lon, max lat) and shape.
#[derive(Debug)]
struct Lsoa {
    code: String,
    bbox: (f64, f64, f64, f64),
    shape: Shape,
}

impl Intake {
    /// Whether a point is inside the partnership's district (its shapes when
    /// loaded, else its bounding box); `None` when neither is known.
    pub fn inside(&self, lon: f64, lat: f64) -> Option<bool> {
        match &self.district {
            Some(shapes) => Some(shapes.iter().any(|s| s.contains(lon, lat))),
            None => self.fallback.as_ref().map(|b| b.contains(lon, lat)),
        }
    }

    /// The LSOA a point falls in (the first by code), if any.
    pub fn lsoa_at(&self, lon: f64, lat: f64) -> Option<&str> {
        self.lsoas
            .iter()
            .find(|a| {
                let (min_lon, min_lat, max_lon, max_lat) = a.bbox;
                (min_lon..=max_lon).contains(&lon) && (min_lat..=max_lat).contains(&lat) && a.shape.contains(lon, lat)
            })
            .map(|a| a.code.as_str())
    }
}

fn shape(geometry: &str) -> Option<Shape> {
    Shape::from_geojson(&serde_json::from_str(geometry).ok()?).ok()
}

impl Store {
    /// Reads what checking and placing incidents needs (see [`Intake`]).
    pub async fn intake(&self) -> Result<Intake> {
        let categories = self.categories().await?;
        let lads = self.partnership().await?.map(|p| p.lad_codes).unwrap_or_default();
        let district: Vec<Shape> = self
            .areas(Level::Lad)
            .await?
            .iter()
            .filter(|a| lads.contains(&a.code))
            .filter_map(|a| shape(&a.geometry))
            .collect();
        let (district, fallback) =
            if district.is_empty() { (None, self.partnership_area().await?) } else { (Some(district), None) };
        let lsoas = self
            .areas(Level::Lsoa)
            .await?
            .iter()
            .filter_map(|a| shape(&a.geometry).map(|s| Lsoa { code: a.code.clone(), bbox: s.bbox(), shape: s }))
            .collect();
        Ok(Intake { categories, district, fallback, lsoas })
    }
}
