//! Fly-tipping and environmental crime in the JSON API: fly-tipping
//! incidents with their Defra categories (list, map points and a hotspot
//! surface by land type), enforcement actions and their outcomes, camera
//! deployments, and the quarterly WasteDataFlow return as JSON or CSV.

use crate::api_types::Items;
use crate::auth::{ApiJson, ApiUser};
use crate::error::{ApiResult, AppError};
use crate::layers::{geojson, hotspots as hotspots_of, points, FlyTipQuery};
use crate::params::parse_api_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use safetynet_domain::fly_tipping::{
    ActionOutcome, CameraRemoval, LandType, NewAction, NewCamera, NewFlyTip, ReturnQuarter,
};
use safetynet_domain::policy::{EditRecords, ViewCrimeData, ViewRecords};
use safetynet_store::fly_tipping::{Camera, FlyTipListed, FlyTipRecord, FlyTippingReturn};
use serde::Deserialize;

/// Routes under `/api/v1` for fly-tipping.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/fly-tipping/incidents", get(fly_tips))
        .route("/fly-tipping/incidents/{id}", get(fly_tip))
        .route("/fly-tipping/incidents/{id}/categories", post(record_categories))
        .route("/fly-tipping/incidents/{id}/actions", post(add_action))
        .route("/fly-tipping/actions/{id}/outcome", post(record_outcome))
        .route("/fly-tipping/hotspots", get(hotspots))
        .route("/fly-tipping/cameras", get(cameras).post(add_camera))
        .route("/fly-tipping/cameras/{id}/removal", post(remove_camera))
        .route("/fly-tipping/return", get(wastedataflow_return))
}

/// Fly-tips with a location as GeoJSON points.
pub fn fly_tip_points(list: &[FlyTipListed]) -> serde_json::Value {
    points(list.iter().map(|f| {
        let properties = serde_json::json!({ "kind": "fly_tip", "id": f.incident_id, "reference": f.reference,
            "land_type": f.land_type.map(LandType::label), "size": f.size.map(|s| s.label()) });
        (f.latitude, f.longitude, properties)
    }))
}

#[utoipa::path(
    get,
    path = "/fly-tipping/incidents",
    summary = "Fly-tipping incidents you may see, newest first, with their Defra categories (land type, waste type, size) where recorded; ?from&to (reported, default the last year), ?land_type, ?format=geojson for the map",
    params(FlyTipQuery),
    responses((status = 200, description = "Success", body = Items<FlyTipListed>))
)]
async fn fly_tips(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let q: FlyTipQuery = parse_api_query(raw.as_deref())?;
    let list = state.store.fly_tips(&permit, &q.filter(state.today())?).await?;
    Ok(match q.format.as_deref() {
        None | Some("json") => Json(Items::from(list)).into_response(),
        Some("geojson") => geojson(fly_tip_points(&list)),
        Some(_) => return Err(AppError::BadRequest("format must be json or geojson".into()).into()),
    })
}

#[utoipa::path(
    get,
    path = "/fly-tipping/hotspots",
    summary = "Where fly-tipping concentrates: a quartic kernel density surface (100 m cells, 500 m radius) of the fly-tips you may see, as GeoJSON squares with `density_per_km2` and `level` (share of the peak); ?from&to&land_type as for the list",
    params(FlyTipQuery),
    responses((status = 200, description = "A GeoJSON FeatureCollection", body = serde_json::Value))
)]
async fn hotspots(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let q: FlyTipQuery = parse_api_query(raw.as_deref())?;
    let list = state.store.fly_tips(&permit, &q.filter(state.today())?).await?;
    let at: Vec<(f64, f64)> = list.iter().filter_map(|f| Some((f.longitude?, f.latitude?))).collect();
    Ok(geojson(hotspots_of(&at)?))
}

#[utoipa::path(
    get,
    path = "/fly-tipping/incidents/{id}",
    summary = "A fly-tipping incident you may see (id or reference) with its Defra categories and enforcement actions; 422 `fly_tip_category` for an incident of another category",
    params(("id" = String, Path, description = "The incident's id or reference")),
    responses((status = 200, description = "Success", body = FlyTipRecord))
)]
async fn fly_tip(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<FlyTipRecord>> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(Json(state.store.fly_tip(&permit, &id).await?))
}

#[utoipa::path(
    post,
    path = "/fly-tipping/incidents/{id}/categories",
    summary = "Record or correct a fly-tipping incident's Defra categories (land type, waste type, size) and when it was cleared; 422 with `error.rule` (`fly_tip_category`, `fly_tip_date`)",
    params(("id" = String, Path, description = "The incident's id or reference")),
    request_body = NewFlyTip,
    responses((status = 200, description = "Success", body = FlyTipRecord))
)]
async fn record_categories(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewFlyTip>,
) -> ApiResult<Json<FlyTipRecord>> {
    let permit = user.permit::<EditRecords>()?;
    Ok(Json(state.store.record_fly_tip(&permit, &id, &new, state.today(), &user.actor()).await?))
}

#[utoipa::path(
    post,
    path = "/fly-tipping/incidents/{id}/actions",
    summary = "Record an enforcement action on a fly-tipping incident (Defra's kinds); a fixed penalty names its legal basis (`fly_tipping` s33ZA or `household_waste_duty_of_care` s34ZA) and amount, issued by the council up to the `[safety.fpn]` maximum; 422 with `error.rule` (`fly_tip_category`, `fly_tip_date`, `fly_tip_action_fields`, `fpn_legal_basis_required`, `power_not_available`, `fpn_amount_required`, `fpn_amount_above_maximum`, `fly_tip_text`)",
    params(("id" = String, Path, description = "The incident's id or reference")),
    request_body = NewAction,
    responses((status = 201, description = "Success", body = FlyTipRecord))
)]
async fn add_action(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewAction>,
) -> ApiResult<(StatusCode, Json<FlyTipRecord>)> {
    let permit = user.permit::<EditRecords>()?;
    let limits = &state.config.safety.fpn;
    let record = state.store.add_fly_tip_action(&permit, &id, &new, limits, state.today(), &user.actor()).await?;
    Ok((StatusCode::CREATED, Json(record)))
}

#[utoipa::path(
    post,
    path = "/fly-tipping/actions/{id}/outcome",
    summary = "Record what became of an action (a penalty paid; a prosecution's result, fine, costs awarded and recovered), replacing the outcome given before; by the agency that took it (403 otherwise); 422 with `error.rule` (`fly_tip_outcome_fields`, `fly_tip_date`)",
    params(("id" = String, Path, description = "The action's id")),
    request_body = ActionOutcome,
    responses((status = 200, description = "Success", body = FlyTipRecord))
)]
async fn record_outcome(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(outcome): ApiJson<ActionOutcome>,
) -> ApiResult<Json<FlyTipRecord>> {
    let permit = user.permit::<EditRecords>()?;
    Ok(Json(state.store.record_action_outcome(&permit, &id, &outcome, state.today(), &user.actor()).await?))
}

/// `?format=` alone.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct FormatQuery {
    /// `json` (default) or `geojson` (the sites as points).
    #[serde(default)]
    format: Option<String>,
}

/// Camera sites as GeoJSON points.
pub fn camera_points(list: &[Camera]) -> serde_json::Value {
    points(list.iter().map(|c| {
        let properties = serde_json::json!({ "kind": "camera", "id": c.id, "site": c.site, "deployed_on": c.deployed_on,
            "removed_on": c.removed_on });
        (c.latitude, c.longitude, properties)
    }))
}

#[utoipa::path(
    get,
    path = "/fly-tipping/cameras",
    summary = "Your agency's fly-tipping camera deployments, those still up first; ?format=geojson for the map",
    params(FormatQuery),
    responses((status = 200, description = "Success", body = Items<Camera>))
)]
async fn cameras(State(state): State<AppState>, user: ApiUser, RawQuery(raw): RawQuery) -> ApiResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let q: FormatQuery = parse_api_query(raw.as_deref())?;
    let list = state.store.cameras(&permit).await?;
    Ok(match q.format.as_deref() {
        None | Some("json") => Json(Items::from(list)).into_response(),
        Some("geojson") => geojson(camera_points(&list)),
        Some(_) => return Err(AppError::BadRequest("format must be json or geojson".into()).into()),
    })
}

#[utoipa::path(
    post,
    path = "/fly-tipping/cameras",
    summary = "Put up a camera at a site on the map; 422 with `error.rule` (`fly_tip_text`, `camera_location`, `fly_tip_date`)",
    request_body = NewCamera,
    responses((status = 201, description = "Success", body = Camera))
)]
async fn add_camera(
    State(state): State<AppState>,
    user: ApiUser,
    ApiJson(new): ApiJson<NewCamera>,
) -> ApiResult<(StatusCode, Json<Camera>)> {
    let permit = user.permit::<EditRecords>()?;
    Ok((StatusCode::CREATED, Json(state.store.add_camera(&permit, &new, state.today(), &user.actor()).await?)))
}

#[utoipa::path(
    post,
    path = "/fly-tipping/cameras/{id}/removal",
    summary = "Take a camera down with what it captured (fly-tips, vehicles identified); once; 422 with `error.rule` (`camera_removed`, `fly_tip_date`, `fly_tip_text`)",
    params(("id" = String, Path, description = "The deployment's id")),
    request_body = CameraRemoval,
    responses((status = 200, description = "Success", body = Camera))
)]
async fn remove_camera(
    State(state): State<AppState>,
    user: ApiUser,
    Path(id): Path<String>,
    ApiJson(removal): ApiJson<CameraRemoval>,
) -> ApiResult<Json<Camera>> {
    let permit = user.permit::<EditRecords>()?;
    Ok(Json(state.store.remove_camera(&permit, &id, &removal, state.today(), &user.actor()).await?))
}

/// Which return: a financial year's quarter.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ReturnQuery {
    /// The year the financial year starts (2025 for 2025/26; default the current quarter's).
    #[serde(default)]
    year: Option<i32>,
    /// 1 (April to June) to 4 (January to March).
    #[serde(default)]
    quarter: Option<u32>,
    /// `json` (default) or `csv`.
    #[serde(default)]
    format: Option<String>,
}

impl ReturnQuery {
    /// The quarter asked for; the current one by default.
    fn quarter(&self, today: NaiveDate) -> Result<ReturnQuarter, AppError> {
        match (self.year, self.quarter) {
            (None, None) => Ok(ReturnQuarter::containing(today)),
            (Some(y), Some(q)) => ReturnQuarter::new(y, q).map_err(AppError::BadRequest),
            _ => Err(AppError::BadRequest("give both the year and the quarter, or neither".into())),
        }
    }
}

/// The return as CSV in WasteDataFlow's categories: one row per land type,
/// waste type and size with incidents, then a row per enforcement action,
/// penalties paid, prosecution results, fines and costs.
pub fn return_csv(r: &FlyTippingReturn) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["Period", "Section", "Land type", "Waste type", "Size", "Item", "Value"])?;
    let period = r.label.as_str();
    for l in &r.incidents {
        let n = l.incidents.to_string();
        w.write_record([
            period,
            "Incidents",
            l.land_type.label(),
            l.waste_type.label(),
            l.size.label(),
            "Incidents",
            &n,
        ])?;
    }
    let uncategorised = r.uncategorised.to_string();
    w.write_record([period, "Incidents", "", "", "", "Not yet categorised (not in the return)", &uncategorised])?;
    for a in &r.actions {
        w.write_record([period, "Enforcement actions", "", "", "", a.action.label(), &a.count.to_string()])?;
    }
    w.write_record([
        period,
        "Enforcement actions",
        "",
        "",
        "",
        "Fixed penalty notices paid",
        &r.fpns_paid.to_string(),
    ])?;
    for c in &r.court_results {
        w.write_record([period, "Prosecution outcomes", "", "", "", c.result.label(), &c.count.to_string()])?;
    }
    let money = |p: i64| format!("{:.2}", p as f64 / 100.0);
    for (item, pence) in [
        ("Value of fines (GBP)", r.fines_pence),
        ("Costs awarded (GBP)", r.costs_awarded_pence),
        ("Costs recovered (GBP)", r.costs_recovered_pence),
    ] {
        w.write_record([period, "Prosecution outcomes", "", "", "", item, &money(pence)])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

#[utoipa::path(
    get,
    path = "/fly-tipping/return",
    summary = "The quarterly fly-tipping return to Defra (WasteDataFlow): categorised incidents reported in the quarter by land type, waste type and size, those not yet categorised, enforcement actions by kind, penalties paid, prosecution results, fines and costs; counts only; ?year&quarter (financial year, default the current quarter), ?format=csv",
    params(ReturnQuery),
    responses((status = 200, description = "Success", body = FlyTippingReturn))
)]
async fn wastedataflow_return(
    State(state): State<AppState>,
    user: ApiUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let permit = user.permit::<ViewCrimeData>()?;
    let q: ReturnQuery = parse_api_query(raw.as_deref())?;
    let r = state.store.fly_tipping_return(&permit, q.quarter(state.today())?).await?;
    Ok(match q.format.as_deref() {
        None | Some("json") => Json(r).into_response(),
        Some("csv") => {
            let csv = return_csv(&r).map_err(|e| AppError::Internal(e.to_string()))?;
            let name =
                format!("attachment; filename=\"fly-tipping-return-{}-q{}.csv\"", r.quarter.year, r.quarter.quarter);
            ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, name)], csv)
                .into_response()
        }
        Some(_) => return Err(AppError::BadRequest("format must be json or csv".into()).into()),
    })
}
