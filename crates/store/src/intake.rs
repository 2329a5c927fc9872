//! What checking and placing a new incident needs, read once: the active
//! categories, the partnership's district shapes (or its bounding box) and
//! the LSOA shapes with their bounding boxes. A form submission reads it for
//! its one incident; an import reads it once for every row, instead of
//! reading and parsing every boundary again per row.

use crate::areas::District;
use crate::{Result, Store};
use safetynet_domain::areas::{Level, Shape};
use safetynet_domain::categories::Category;

/// Categories and boundaries for checking and placing incidents.
#[derive(Debug)]
pub struct Intake {
    /// Active categories.
    pub categories: Vec<Category>,
    district: District,
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
        self.district.inside(lon, lat)
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

impl Store {
    /// Reads what checking and placing incidents needs (see [`Intake`]).
    pub async fn intake(&self) -> Result<Intake> {
        let categories = self.categories().await?;
        let district = self.district().await?;
        let lsoas = self
            .areas(Level::Lsoa)
            .await?
            .iter()
            .filter_map(|a| a.shape().map(|s| Lsoa { code: a.code.clone(), bbox: s.bbox(), shape: s }))
            .collect();
        Ok(Intake { categories, district, lsoas })
    }
}
