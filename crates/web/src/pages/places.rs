//! `GET /places?q=...`: places matching what a signed-in user typed (an
//! address, street or postcode), as JSON for the page scripts (the incident
//! form's place finder): `{"places": [{label, kind, uprn, latitude,
//! longitude}]}`, at most [`MAX_RESULTS`]. Any signed-in user may search:
//! a place is reference data (the council's gazetteer and the streets
//! police.uk names), not anyone's record. A bad `q` is a 400 with a JSON
//! body, as the API answers.

use crate::auth::PageUser;
use crate::error::ApiResult;
use crate::params::{parse_api_query, PlacesQuery};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::Json;
use safetynet_domain::places::MAX_RESULTS;
use safetynet_store::places::Place;
use serde::Serialize;

/// The answer: places, best first.
#[derive(Debug, Serialize)]
pub struct Places {
    /// Gazetteer addresses, then police.uk streets.
    pub places: Vec<Place>,
}

/// `GET /places?q=...`.
pub async fn find(State(state): State<AppState>, _user: PageUser, RawQuery(raw): RawQuery) -> ApiResult<Json<Places>> {
    let q: PlacesQuery = parse_api_query(raw.as_deref())?;
    let places = state.store.find_places(&q.query()?, MAX_RESULTS).await?;
    Ok(Json(Places { places }))
}
