//! The partnership's district as maps draw it.

use crate::Error;
use safetynet_store::Store;

/// The partnership's district boundary rings (WGS84 longitude, latitude) for
/// maps: every polygon ring of its local authority districts.
pub async fn district_rings(store: &Store) -> Result<Vec<Vec<(f64, f64)>>, Error> {
    Ok(store.district_shapes().await?.into_iter().flat_map(|s| s.polygons.into_iter().flatten()).collect())
}
