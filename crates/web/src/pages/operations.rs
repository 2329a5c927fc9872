//! Targeted operations: the list, starting one (target area as a circle or
//! a drawn GeoJSON polygon, optional buffer and control areas, crime types,
//! period, agencies), an operation's page with its map, tasks with owners
//! and its evaluation, and evaluating it on demand.

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::forms::{given, input, number, parse_date, select, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, Day, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup, PreEscaped};
use safetynet_app::district::district_rings;
use safetynet_app::packs::recommendation_label;
use safetynet_domain::areas::Level;
use safetynet_domain::case::TaskStatus;
use safetynet_domain::operation::{OperationStatus, Zone};
use safetynet_domain::policy::{ManagePartnershipWork, UpdateCommitments, ViewCrimeData};
use safetynet_render::figure::{map, zone_ring, Colour, Focus, Overlay};
use safetynet_store::crimes::CrimeFilter;
use safetynet_store::operations::{NewOperation, Operation};

fn status_tag(s: OperationStatus) -> Markup {
    let (class, text) = match s {
        OperationStatus::Planned => ("govuk-tag--grey", "Planned"),
        OperationStatus::Active => ("govuk-tag--blue", "Active"),
        OperationStatus::Concluded => ("govuk-tag--green", "Concluded"),
    };
    html! { strong class=(format!("govuk-tag {class}")) { (text) } }
}

/// The form that starts an operation (also read from the list's query
/// string, which prefills it from an analysis): the target as an area, a
/// polygon or a circle, dates as the browser sends them, ticked crime types
/// and agencies.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct OperationForm {
    name: String,
    prompted_by: String,
    prompted_link: String,
    target_area: String,
    target_geojson: String,
    target_lat: String,
    target_lon: String,
    target_radius_m: String,
    buffer_m: String,
    control_geojson: String,
    crime_type: Vec<String>,
    starts_on: String,
    ends_on: String,
    lead_agency: String,
    agency: Vec<String>,
}

impl OperationForm {
    /// The command the API takes, or the field at fault and why.
    async fn command(&self, state: &AppState) -> Result<NewOperation, (&'static str, AppError)> {
        let at = |field: &'static str| move |e: AppError| (field, e);
        let target = match area_zone(state, &self.target_area).await.map_err(at("target_lat"))? {
            Some(z) => z,
            None => match polygon(&self.target_geojson, "target area").map_err(at("target_lat"))? {
                Some(z) => z,
                None => circle(&self.target_lat, &self.target_lon, &self.target_radius_m)
                    .map_err(at("target_lat"))?
                    .ok_or_else(|| ("target_lat", AppError::BadRequest("give the target area".into())))?,
            },
        };
        let control = polygon(&self.control_geojson, "control area").map_err(at("control_geojson"))?;
        let buffer_m = number(&self.buffer_m, "buffer").map_err(at("buffer_m"))?.unwrap_or(0.0);
        let starts_on = parse_date(&self.starts_on)
            .ok_or_else(|| ("starts_on", AppError::BadRequest("enter the start date".into())))?;
        let ends_on =
            parse_date(&self.ends_on).ok_or_else(|| ("ends_on", AppError::BadRequest("enter the end date".into())))?;
        let ticked = |v: &[String]| v.iter().filter_map(|t| given(t)).map(String::from).collect();
        Ok(NewOperation {
            name: self.name.clone(),
            prompted_by: self.prompted_by.clone(),
            prompted_link: self.prompted_link.trim().to_string(),
            target,
            buffer_m,
            control,
            crime_types: ticked(&self.crime_type),
            starts_on,
            ends_on,
            lead_agency: given(&self.lead_agency).map(String::from),
            agencies: ticked(&self.agency),
        })
    }
}

/// `GET /operations?prompted_by=&link=`: the list and (for the CSP manager) the form.
pub async fn list(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    user.permit::<ViewCrimeData>()?;
    let form: OperationForm = serde_html_form::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    render_list(&state, &user, &form, &Errors::new()).await
}

async fn render_list(
    state: &AppState,
    user: &PageUser,
    form: &OperationForm,
    errors: &Errors,
) -> PageResult<Html<String>> {
    let today = state.today();
    let ops = state.store.operations().await?;
    let types = state.store.crime_types().await?;
    let agencies = state.store.agencies().await?;
    let agency_options: Vec<(String, String)> = agencies.iter().map(|a| (a.code.to_string(), a.name.clone())).collect();
    let mut areas = Vec::new();
    for level in [Level::Ward, Level::Msoa, Level::Lsoa] {
        for a in state.store.areas(level).await? {
            areas.push((
                format!("{}:{}", level.as_str(), a.code),
                format!("{} ({})", a.name, level.as_str().to_uppercase()),
            ));
        }
    }
    let chosen = |ticked: &[String], value: &str| ticked.iter().any(|t| t == value);
    let body = html! {
        (error_summary(errors))
        h1 class="govuk-heading-l" { "Operations" }
        p class="govuk-body" { "Short-term targeted measures in hot spot areas and larger co-ordinated operations. Each is evaluated when it ends (weighted displacement difference against a control area) and its recommendation goes to the next JAG." }
        @if ops.is_empty() { p class="govuk-body" { "No operations yet." } }
        @else {
            table class="govuk-table" data-testid="operations" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Operation", "Period", "Lead", "Status", "Recommendation"] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" { @for o in &ops { tr class="govuk-table__row" {
                    td class="govuk-table__cell" { a class="govuk-link" href=(format!("/operations/{}", o.id)) { (o.reference) } br; (o.name) }
                    td class="govuk-table__cell" { (Day(o.starts_on)) " to " (Day(o.ends_on)) }
                    td class="govuk-table__cell" { (o.lead_agency) }
                    td class="govuk-table__cell" { (status_tag(o.status(today))) }
                    td class="govuk-table__cell" { (recommendation_label(o.recommendation.as_deref())) }
                } } }
            }
        }
        @if user.principal.can::<ManagePartnershipWork>() {
            h2 class="govuk-heading-m" id="new" { "Start an operation" }
            form method="post" action="/operations" novalidate {
                (csrf_field(user))
                (input("name", "Name", "text", &form.name, None, errors))
                (textarea("prompted_by", "What prompted it", &form.prompted_by, Some("The emerging issue or hotspot, e.g. from the weekly trends or the JAG."), 2, errors))
                (input("prompted_link", "Link to the analysis (optional)", "text", &form.prompted_link, Some("A SafetyNet path such as /analysis?type=Burglary"), errors))
                fieldset class="govuk-fieldset" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Target area: a circle, or a polygon drawn on a map (GeoJSON)" }
                    (input("target_lat", "Centre latitude", "number", &form.target_lat, None, errors))
                    (input("target_lon", "Centre longitude", "number", &form.target_lon, None, errors))
                    (input("target_radius_m", "Radius (metres)", "number", &form.target_radius_m, None, errors))
                    @if !areas.is_empty() {
                        (select("target_area", "Or choose an area", &areas, &form.target_area, Some("No area"), errors))
                    }
                    div class="govuk-hint" { "Or click on the map to draw the target area's corners (the polygon is written into the box below)." }
                    div class="sn-map sn-map--draw" id="target-draw" data-draw-target="target_geojson" data-tiles=(state.config.tile_url) role="region" aria-label="Map for drawing the target area" {}
                    (textarea("target_geojson", "Or a polygon (GeoJSON; drawn on the map above)", &form.target_geojson, None, 3, errors))
                }
                (input("buffer_m", "Buffer around the target (metres, 0 for none)", "number", &form.buffer_m, Some("Crime displaced nearby shows up here."), errors))
                (textarea("control_geojson", "Control area as a GeoJSON Polygon (optional)", &form.control_geojson, Some("Leave blank to compare with the rest of the district."), 2, errors))
                div class="govuk-form-group" {
                    fieldset class="govuk-fieldset" {
                        legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Crime types it targets (none ticked: all)" }
                        div class="govuk-checkboxes govuk-checkboxes--small sn-columns" data-module="govuk-checkboxes" {
                            @for (i, t) in types.iter().enumerate() {
                                div class="govuk-checkboxes__item" {
                                    input class="govuk-checkboxes__input" id=(format!("type-{i}")) name="crime_type" type="checkbox" value=(t) checked[chosen(&form.crime_type, t)];
                                    label class="govuk-label govuk-checkboxes__label" for=(format!("type-{i}")) { (t) }
                                }
                            }
                        }
                    }
                }
                (input("starts_on", "Starts", "date", &form.starts_on, None, errors))
                (input("ends_on", "Ends", "date", &form.ends_on, None, errors))
                (select("lead_agency", "Lead agency", &agency_options, &form.lead_agency, Some("Your agency"), errors))
                div class="govuk-form-group" {
                    fieldset class="govuk-fieldset" {
                        legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Other agencies taking part" }
                        div class="govuk-checkboxes govuk-checkboxes--small sn-columns" data-module="govuk-checkboxes" {
                            @for (i, (code, name)) in agency_options.iter().enumerate() {
                                div class="govuk-checkboxes__item" {
                                    input class="govuk-checkboxes__input" id=(format!("agency-{i}")) name="agency" type="checkbox" value=(code) checked[chosen(&form.agency, code)];
                                    label class="govuk-label govuk-checkboxes__label" for=(format!("agency-{i}")) { (name) }
                                }
                            }
                        }
                    }
                }
                button class="govuk-button" type="submit" { "Start operation" }
            }
        }
    };
    Ok(page(Some(user), Nav::Operations, "Operations", PageOpts { map: true, ..PageOpts::default() }, body))
}

/// A polygon given as GeoJSON (a geometry or a feature), `None` when blank.
fn polygon(geojson: &str, what: &str) -> Result<Option<Zone>, AppError> {
    let Some(geojson) = given(geojson) else { return Ok(None) };
    let mut g: serde_json::Value =
        serde_json::from_str(geojson).map_err(|_| AppError::BadRequest(format!("the {what} is not valid GeoJSON")))?;
    if g["type"] == "Feature" {
        g = g["geometry"].clone();
    }
    Ok(Some(Zone::Polygon { geometry: g }))
}

/// The target as a circle: all three values or none.
fn circle(lat: &str, lon: &str, radius_m: &str) -> Result<Option<Zone>, AppError> {
    let (lat, lon, r) = (number(lat, "latitude")?, number(lon, "longitude")?, number(radius_m, "radius")?);
    Ok(match (lat, lon, r) {
        (Some(lat), Some(lon), Some(radius_m)) => Some(Zone::Circle { lon, lat, radius_m }),
        (None, None, None) => None,
        _ => return Err(AppError::BadRequest("give the target area's centre latitude, longitude and radius".into())),
    })
}

/// The zone of a loaded area chosen as `level:code` (none when blank).
async fn area_zone(state: &AppState, choice: &str) -> Result<Option<Zone>, AppError> {
    let Some((level, code)) = choice.split_once(':') else { return Ok(None) };
    let level = Level::parse(level).ok_or_else(|| AppError::BadRequest("choose an area from the list".into()))?;
    let area = state.store.areas(level).await?.into_iter().find(|a| a.code == code);
    let area = area.ok_or_else(|| AppError::BadRequest("choose an area from the list".into()))?;
    let geometry =
        serde_json::from_str(&area.geometry).map_err(|_| AppError::Internal("stored area geometry".into()))?;
    Ok(Some(Zone::Polygon { geometry }))
}

/// `POST /operations`.
pub async fn create(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<OperationForm>,
) -> PageResult<Response> {
    let mut at = "name";
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        let op = super::noting(form.command(&state).await, &mut at)?;
        Ok::<_, PageError>(state.store.create_operation(&permit, &op, &user.actor()).await?)
    }
    .await;
    match r {
        Ok(op) => Ok(Redirect::to(&format!("/operations/{}", op.id)).into_response()),
        Err(PageError(e @ (AppError::BadRequest(_) | AppError::Unprocessable { .. }))) => {
            let status = if matches!(e, AppError::BadRequest(_)) {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok((status, render_list(&state, &user, &form, &vec![(at.to_string(), e.to_string())]).await?)
                .into_response())
        }
        Err(e) => Err(e),
    }
}

/// The operation's map: district, target, buffer (for circles) and control.
async fn operation_map(state: &AppState, o: &Operation) -> Result<(String, String), AppError> {
    let mut zones = vec![("Target".to_string(), Colour::RED, zone_ring(&o.target))];
    if let (Zone::Circle { lon, lat, radius_m }, true) = (&o.target, o.buffer_m > 0.0) {
        let buffer = Zone::Circle { lon: *lon, lat: *lat, radius_m: radius_m + o.buffer_m };
        zones.push((format!("Buffer ({} m)", o.buffer_m), Colour::ORANGE, zone_ring(&buffer)));
    }
    if let Some(c) = &o.control {
        zones.push(("Control".to_string(), Colour::BLUE, zone_ring(c)));
    }
    // Context: the targeted crime in the last three months held up to the end.
    let end = safetynet_domain::month::Month::of_date(o.ends_on);
    let held = state.store.crime_months().await?;
    let last = held.iter().copied().filter(|m| end.is_some_and(|e| *m <= e)).max();
    let mut points = Vec::new();
    let mut caption = String::new();
    if let Some(last) = last {
        let first = last.previous().previous();
        let types: Vec<Option<String>> =
            if o.crime_types.is_empty() { vec![None] } else { o.crime_types.iter().cloned().map(Some).collect() };
        for t in types {
            let filter = CrimeFilter { from: Some(first), to: Some(last), crime_type: t, lsoa: None };
            points.extend(state.store.crime_locations(&filter).await?);
        }
        caption = format!("Grey dots: the targeted recorded crime, {} to {}.", first.long_name(), last.long_name());
    }
    let rings = district_rings(&state.store).await?;
    let overlay = Overlay { points, ..Overlay::default() };
    Ok((map(&o.name, &rings, None, &zones, &overlay, Focus::Zones).to_svg(), caption))
}

async fn render(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    let (o, tasks) = state.store.operation(id).await?;
    let manager = user.principal.can::<ManagePartnershipWork>();
    let agencies: Vec<(String, String)> =
        state.store.agencies().await?.iter().map(|a| (a.code.to_string(), a.name.clone())).collect();
    let (svg, map_caption) = operation_map(state, &o).await?;
    let e = o.evaluation.as_ref();
    let count = |area: &str, when: &str| e.and_then(|e| e["counts"][area][when].as_f64()).unwrap_or(0.0);
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/operations" { "Operations" }
        span class="govuk-caption-l" { (o.reference) " · " (status_tag(o.status(state.today()))) }
        h1 class="govuk-heading-l" { (o.name) }
        dl class="govuk-summary-list" {
            @for (k, v) in [("Prompted by", o.prompted_by.clone()), ("Period", format!("{} to {}", Day(o.starts_on), Day(o.ends_on))), ("Lead agency", o.lead_agency.clone()),
                ("Other agencies", o.agencies.join(", ")), ("Crime types", if o.crime_types.is_empty() { "All".into() } else { o.crime_types.join(", ") }),
                ("Buffer", format!("{} m", o.buffer_m)), ("Control", if o.control.is_some() { "A chosen control area".into() } else { "The rest of the district".into() })] {
                div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { (k) } dd class="govuk-summary-list__value" { (v) } }
            }
        }
        @if !o.prompted_link.is_empty() { p class="govuk-body" { a class="govuk-link" href=(o.prompted_link) { "The analysis that prompted it" } } }
        figure class="sn-pack__figure sn-map-figure" data-testid="operation-map" { (PreEscaped(svg)) figcaption class="govuk-body-s" { (map_caption) } }
        h2 class="govuk-heading-m" { "Evaluation" }
        @match e {
            None => p class="govuk-body" data-testid="not-evaluated" { "Not yet evaluated. It is evaluated automatically once it has ended and police.uk data covers its months." },
            Some(e) => {
                p class="govuk-body-l" data-testid="recommendation" { strong { (recommendation_label(o.recommendation.as_deref())) } }
                table class="govuk-table" data-testid="evaluation" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Area", "Before", "During"] { th scope="col" class="govuk-table__header" { (h) } } } }
                    tbody class="govuk-table__body" { @for (label, key) in [("Target", "target"), ("Buffer", "buffer"), ("Control", "control")] { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (label) } td class="govuk-table__cell" { (count(key, "before")) } td class="govuk-table__cell" { (count(key, "after")) }
                    } } }
                }
                p class="govuk-body-s" { "Months compared: " (e["months"]["before"][0].as_str().unwrap_or("")) " to " (e["months"]["before"][1].as_str().unwrap_or("")) " before; " (e["months"]["during"][0].as_str().unwrap_or("")) " to " (e["months"]["during"][1].as_str().unwrap_or("")) " during." }
                ul class="govuk-list govuk-list--bullet" { @for r in e["advice"]["reasoning"].as_array().into_iter().flatten() { li { (r.as_str().unwrap_or("")) } } }
            }
        }
        @if manager {
            form method="post" action=(format!("/operations/{}/evaluate", o.id)) {
                (csrf_field(user))
                button class="govuk-button govuk-button--secondary" type="submit" data-testid="evaluate" { "Evaluate now" }
            }
        }
        h2 class="govuk-heading-m" { "Tasks" }
        @if tasks.is_empty() { p class="govuk-body" { "No tasks yet." } }
        ul class="govuk-list" data-testid="operation-tasks" {
            @for t in &tasks {
                li {
                    strong { (t.title) } " · " (t.owner_agency) " · due " (Day(t.due_on)) " · " (t.status.label())
                    @if t.status == TaskStatus::Open && user.principal.can::<UpdateCommitments>() && (manager || user.principal.agency == t.owner_agency) {
                        form method="post" action=(format!("/operation-tasks/{}/done", t.id)) class="sn-inline-form" {
                            (csrf_field(user))
                            input type="hidden" name="operation" value=(o.id);
                            button class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" type="submit" { "Mark done" }
                        }
                    }
                }
            }
        }
        @if manager {
            form method="post" action=(format!("/operations/{}/tasks", o.id)) novalidate {
                (csrf_field(user))
                (input("task", "Task", "text", "", None, errors))
                (select("owner_agency", "Owning agency", &agencies, "", Some("Choose an agency"), errors))
                (input("due_on", "Due", "date", "", None, errors))
                button class="govuk-button govuk-button--secondary" type="submit" { "Add task" }
            }
        }
    };
    Ok(page(Some(user), Nav::Operations, &o.name, PageOpts::default(), body))
}

/// `GET /operations/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    user.permit::<ViewCrimeData>()?;
    render(&state, &user, &id, &Errors::new()).await
}

async fn after(
    state: &AppState,
    user: &PageUser,
    id: &str,
    r: Result<(), PageError>,
    at: &str,
) -> PageResult<Response> {
    super::form_result(
        r,
        &format!("/operations/{id}"),
        at,
        |errors| async move { render(state, user, id, &errors).await },
    )
    .await
}

/// `POST /operations/{id}/evaluate`.
pub async fn evaluate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, _): CsrfForm<super::Empty>,
) -> PageResult<Response> {
    let r = async {
        user.permit::<ManagePartnershipWork>()?;
        let (op, _) = state.store.operation(&id).await?;
        safetynet_app::evaluation::evaluate_and_save(&state.store, &op, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "evaluate").await
}

/// The form that adds a task to an operation.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TaskForm {
    task: String,
    owner_agency: String,
    due_on: String,
}

/// `POST /operations/{id}/tasks`.
pub async fn add_task(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<TaskForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        let due = parse_date(&f.due_on).ok_or_else(|| AppError::BadRequest("enter the date the task is due".into()))?;
        state.store.add_operation_task(&permit, &id, &f.task, &f.owner_agency, due, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "task").await
}

/// The form that marks an operation's task done (it names the operation).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TaskDoneForm {
    operation: String,
}

/// `POST /operation-tasks/{id}/done`.
pub async fn task_done(
    State(state): State<AppState>,
    Path(task): Path<String>,
    CsrfForm(user, f): CsrfForm<TaskDoneForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<UpdateCommitments>()?;
        state.store.complete_operation_task(&permit, &task, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &f.operation, r, "task").await
}
