//! The partnership's district as maps draw it.

use crate::Error;
use safetynet_domain::areas::{Level, Shape};
use safetynet_store::Store;

/// The partnership's district boundary rings (WGS84 longitude, latitude) for
/// maps: every polygon ring of its local authority districts.
pub async fn district_rings(store: &Store) -> Result<Vec<Vec<(f64, f64)>>, Error> {
    let lads = store.partnership().await?.map(|p| p.lad_codes).unwrap_or_default();
    Ok(store
        .areas(Level::Lad)
        .await?
        .iter()
        .filter(|a| lads.contains(&a.code))
        .filter_map(|a| Shape::from_geojson(&serde_json::from_str(&a.geometry).ok()?).ok())
        .flat_map(|s| s.polygons.into_iter().flatten())
        .collect())
}
