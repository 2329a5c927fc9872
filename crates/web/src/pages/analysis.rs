//! The analysis workspace: grid hotspots of recorded crime on a map
//! (coloured by Gi* significance, explained in plain English, downloadable
//! as GeoJSON and CSV), and the operation evaluation calculator.

use super::analysis_maps::{density_section, incident_map_section, svg_response};
use crate::auth::PageUser;
use crate::error::AppError;
use crate::error::PageResult;
use crate::forms::{given, input, Errors};
use crate::layout::{error_summary, page, stale_data_warning, Nav, PageOpts};
use crate::params::{options, parse_query, CrimeQuery};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::html;
use safetynet_analysis::evaluate::{BeforeAfter, Recommendation};
use safetynet_app::analyses::crime::{HotspotRequest, HotspotUnit, Trends, TrendsRequest};
use safetynet_app::analyses::evaluate::{evaluate as weigh, EvaluateRequest};
use safetynet_app::analyses::incidents::{NearRepeatRequest, ScanRequest};
use safetynet_app::analyses::plain;
use safetynet_app::district::district_rings;
use safetynet_app::Params;
use safetynet_domain::policy::{ManagePartnershipWork, Permit, ViewCrimeData};
use safetynet_render::figure;
use safetynet_store::crimes::CrimeFilter;
use std::collections::HashMap;

/// A line chart of monthly counts with alert months marked (server-rendered
/// SVG with a text alternative listing every value).
fn series_chart(title: &str, months: &[String], values: &[f64], alerts: &[String]) -> maud::Markup {
    let (w, h, left, bottom, top) = (960.0_f64, 240.0_f64, 40.0_f64, 36.0_f64, 16.0_f64);
    let max = values.iter().copied().fold(1.0_f64, f64::max);
    let n = values.len().max(2) as f64;
    let x = |i: usize| left + (w - left - 10.0) * i as f64 / (n - 1.0);
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v / max);
    let path: String = values
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x(i), y(*v)))
        .collect();
    let describe: Vec<String> = months
        .iter()
        .zip(values)
        .map(|(m, v)| format!("{m}: {v}{}", if alerts.contains(m) { " (alert)" } else { "" }))
        .collect();
    html! {
        figure class="govuk-!-margin-0 govuk-!-margin-bottom-6" {
            figcaption class="govuk-heading-s" { (title) }
            svg viewBox=(format!("0 0 {w} {h}")) width="100%" role="img" aria-label=(describe.join("; ")) data-testid="series-chart" {
                line x1=(left) x2=(w - 10.0) y1=(h - bottom) y2=(h - bottom) stroke="#b1b4b6" {}
                text x="2" y=(top + 4.0) font-size="12" fill="#505a5f" { (max) }
                path d=(path) fill="none" stroke="#1d70b8" stroke-width="3" {}
                @for (i, (m, v)) in months.iter().zip(values).enumerate() {
                    @if alerts.contains(m) {
                        circle cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*v))) r="7" fill="#d4351c" {}
                    } @else {
                        circle cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*v))) r="3" fill="#1d70b8" {}
                    }
                    @if i % 2 == 0 || i + 1 == months.len() {
                        text x=(format!("{:.1}", x(i))) y=(h - bottom + 18.0) text-anchor=(if i + 1 == months.len() { "end" } else if i == 0 { "start" } else { "middle" }) font-size="12" fill="#505a5f" { (m) }
                    }
                }
            }
        }
    }
}

/// `GET /analysis/hotspots.svg?...`: the hotspot map as a standalone SVG
/// image (British National Grid, north up) with the district boundary, for
/// meeting packs.
pub async fn hotspots_svg(
    State(state): State<AppState>,
    user: PageUser,
    RawQuery(raw): RawQuery,
) -> PageResult<axum::response::Response> {
    let permit = user.permit::<ViewCrimeData>()?;
    let p = options(raw.as_deref())?;
    let req = HotspotRequest::from_params(&p)?;
    p.finish()?;
    let HotspotUnit::Grid(cell_m) = req.unit else {
        return Err(AppError::BadRequest("the map draws grid cells: leave level out".into()).into());
    };
    let grid = state.analyst.grid_hotspots(&permit, &req.filter, cell_m, req.local).await?;
    let rings = district_rings(&state.store).await?;
    let drawing = figure::map(
        "Hot spots of recorded crime",
        &rings,
        Some(&grid),
        &[],
        &Default::default(),
        figure::Focus::District,
    );
    Ok(svg_response("safetynet-hotspots.svg", drawing.to_svg()))
}

/// `GET /analysis/series.svg?type=`: the monthly series chart as a standalone SVG.
pub async fn series_svg(
    State(state): State<AppState>,
    user: PageUser,
    RawQuery(raw): RawQuery,
) -> PageResult<axum::response::Response> {
    let permit = user.permit::<ViewCrimeData>()?;
    let q: CrimeQuery = parse_query(raw.as_deref())?;
    let current_type = q.crime_type.clone().unwrap_or_default();
    let (months, values, alerts) = series_data(&state, &permit, &current_type).await?;
    let title = chart_title(&current_type);
    let chart = series_chart(&title, &months, &values, &alerts).into_string();
    let start = chart.find("<svg").unwrap_or(0);
    let end = chart.rfind("</svg>").map_or(chart.len(), |i| i + 6);
    let body = &chart[start..end];
    let open_end = body.find('>').map_or(0, |i| i + 1);
    let svg = format!(
        "{}<title>{}</title>{}",
        body[..open_end].replacen(
            "<svg ",
            "<svg xmlns=\"http://www.w3.org/2000/svg\" font-family=\"arial, sans-serif\" ",
            1
        ),
        maud::html! { (title) }.into_string(),
        &body[open_end..]
    );
    Ok(svg_response("safetynet-series.svg", svg))
}

fn chart_title(current_type: &str) -> String {
    format!(
        "{} per month (red: a rule fired for {})",
        if current_type.is_empty() { "All recorded crime and ASB" } else { current_type },
        if current_type.is_empty() { "some type" } else { "this type" }
    )
}

/// Months, counts and alert months for one crime type (or all).
async fn series_data(
    state: &AppState,
    permit: &Permit<ViewCrimeData>,
    current_type: &str,
) -> PageResult<(Vec<String>, Vec<f64>, Vec<String>)> {
    let filter =
        CrimeFilter { crime_type: Some(current_type.to_string()).filter(|t| !t.is_empty()), ..Default::default() };
    let Trends { months, alerts } = series_trends(state, permit, &filter).await?;
    let totals = state.store.crime_month_counts(&filter, false).await?;
    let values =
        months.iter().map(|m| totals.iter().filter(|r| r.0.to_string() == *m).map(|r| r.3 as f64).sum()).collect();
    let alert_months = alerts
        .iter()
        .filter(|a| current_type.is_empty() || a.crime_type == current_type)
        .map(|a| a.month.clone())
        .collect();
    Ok((months, values, alert_months))
}

/// `GET /analysis`.
pub async fn show(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewCrimeData>()?;
    let q: CrimeQuery = parse_query(raw.as_deref())?;
    let months = state.store.crime_months().await?;
    let latest = months.first().map(|m| m.to_string()).unwrap_or_default();
    let from = q.from.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| latest.clone());
    let to = q.to.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| latest.clone());
    let types = state.store.crime_types().await?;
    let current_type = q.crime_type.clone().unwrap_or_default();
    let query =
        serde_urlencoded::to_string([("from", from.as_str()), ("to", to.as_str()), ("type", current_type.as_str())])
            .unwrap_or_default();
    let trends = or_empty(state.analyst.trends(&permit, &TrendsRequest::default()).await)?.alerts;
    // The series behind the chart: the chosen type (or all), every month, with alert months.
    let (chart_months, chart_values, alert_months) = series_data(&state, &permit, &current_type).await?;
    let body = html! {
        h1 class="govuk-heading-l" { "Analysis" }
        @if let Some(m) = months.first() { (stale_data_warning(*m, state.today())) }
        h2 class="govuk-heading-m" { "Hotspots" }
        form method="get" action="/analysis" class="sn-filters" {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-third" { (input("from", "From month", "month", &from, None, &Vec::new())) }
                div class="govuk-grid-column-one-third" { (input("to", "To month", "month", &to, None, &Vec::new())) }
                div class="govuk-grid-column-one-third" {
                    div class="govuk-form-group" {
                        label class="govuk-label" for="type" { "Type" }
                        select class="govuk-select" id="type" name="type" {
                            option value="" { "All types" }
                            @for t in &types { option value=(t) selected[*t == current_type] { (t) } }
                        }
                    }
                }
            }
            button class="govuk-button govuk-button--secondary" type="submit" { "Find hotspots" }
        }
        div class="sn-map" id="hotspot-map" data-hotspot-map="" data-list="hotspot-list" data-geojson=(format!("/api/v1/analytics/hotspots?{query}")) data-tiles=(state.config.tile_url) data-operations=(user.principal.can::<ManagePartnershipWork>()) role="region" aria-label="Map of hotspot cells" {
            noscript { p class="govuk-body govuk-!-padding-3" { "The map needs JavaScript: download the cells below." } }
        }
        div id="hotspot-list" aria-live="polite" {}
        p class="govuk-body" {
            a class="govuk-link" href=(format!("/api/v1/analytics/hotspots?{query}")) download { "Download cells (GeoJSON)" } " · "
            a class="govuk-link" href=(format!("/api/v1/analytics/hotspots?{query}&format=csv")) download { "Download cells (CSV)" } " · "
            a class="govuk-link" href=(format!("/analysis/hotspots.svg?{query}")) download data-testid="hotspot-svg" { "Download the map (SVG)" }
        }
        details class="govuk-details" {
            summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "How these hotspots are found" } }
            div class="govuk-details__text" {
                p { "Records are counted in 250 metre squares of the British National Grid. For each square, the Getis-Ord Gi* statistic compares the count in the square and its eight neighbours with the whole area. A high positive score means the square and its neighbours together have more crime than chance would explain." }
                p { "Significance comes from 999 random rearrangements of the other squares' counts (conditional randomisation): a square is a hot spot at 95% when fewer than 5% of rearrangements look as extreme. Because hundreds of squares are tested at once, squares also marked 'FDR' remain significant after the Benjamini-Hochberg false discovery rate correction, which is the safer basis for deploying resources." }
                p { "police.uk locations are anonymised to nearby snap points, so treat single squares with care." }
            }
        }
        @if !chart_months.is_empty() {
            (series_chart(&chart_title(&current_type), &chart_months, &chart_values, &alert_months))
            p class="govuk-body" { a class="govuk-link" href=(format!("/analysis/series.svg?{}", serde_urlencoded::to_string([("type", current_type.as_str())]).unwrap_or_default())) download { "Download the chart (SVG)" } }
        }
        (density_section(&query, &state.config.tile_url))
        h2 class="govuk-heading-m" { "Emerging issues this month" }
        p class="govuk-body" { "Each crime type's monthly count is checked against its recent history (EARS C1, C2, C3), a running sum of excess over the usual level (CUSUM) and, with more than a year of data, the same time in earlier years (improved Farrington), as R's surveillance package computes them. Each alert says how often its rule would fire by chance." }
        @if trends.is_empty() { p class="govuk-body" data-testid="no-alerts" { "No alerts for the latest month." } }
        @else {
            table class="govuk-table" data-testid="trend-alerts" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Type", "Month", "Observed", "Expected", "Threshold", "Why"] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" {
                    @for a in &trends { tr class="govuk-table__row" {
                        td class="govuk-table__cell" {
                            (a.crime_type)
                            @if user.principal.can::<ManagePartnershipWork>() {
                                br;
                                a class="govuk-link govuk-body-s" href=(format!("/operations?{}#new", serde_urlencoded::to_string([("prompted_by", format!("{} in {}: {}", a.crime_type, a.month, a.alert.reason)), ("prompted_link", format!("/analysis?type={}", a.crime_type)), ("crime_type", a.crime_type.clone())]).unwrap_or_default())) { "Start an operation" }
                            }
                        }
                        td class="govuk-table__cell" { (a.month) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (a.alert.observed) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (format!("{:.1}", a.alert.expected)) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (format!("{:.1}", a.alert.threshold)) }
                        td class="govuk-table__cell govuk-body-s" { (a.alert.reason) }
                    } }
                }
            }
        }
        @if user.principal.can::<safetynet_domain::policy::ViewRecords>() {
            p class="govuk-body" { a class="govuk-link" href="/analysis/incidents" data-testid="incident-analysis" { "Near repeats and emerging clusters in your agency's incidents" } }
        }
        h2 class="govuk-heading-m" { "Did it work? Evaluate an operation" }
        (evaluate_form(&HashMap::new(), &Vec::new()))
    };
    Ok(page(Some(&user), Nav::Analysis, "Analysis", PageOpts { map: true, ..PageOpts::default() }, body))
}

/// Options for the incident analyses (near repeats and the scan).
#[derive(Debug, Default, serde::Deserialize)]
pub struct IncidentAnalysisQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    category: Option<String>,
}

/// `GET /analysis/incidents`: near repeats (Knox) and emerging clusters
/// (space-time scan) in the incidents the viewer's agency may see.
pub async fn incidents(
    State(state): State<AppState>,
    user: PageUser,
    RawQuery(raw): RawQuery,
) -> PageResult<Html<String>> {
    let permit = user.permit::<safetynet_domain::policy::ViewRecords>()?;
    let q: IncidentAnalysisQuery = parse_query(raw.as_deref())?;
    let today = state.today();
    let from =
        q.from.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| (today - chrono::Duration::days(90)).to_string());
    let to = q.to.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| today.to_string());
    let category = q.category.clone().unwrap_or_default();
    let p = || Params::from_pairs([("from", from.as_str()), ("to", to.as_str()), ("category", category.as_str())]);
    let actor = user.actor();
    let knox = match NearRepeatRequest::from_params(&p()?.with("permutations", "99")) {
        Ok(req) => state.analyst.near_repeat(&permit, &req, &actor).await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let scan = match ScanRequest::from_params(&p()?.with("replications", "99")) {
        Ok(req) => state.analyst.scan(&permit, &req, &actor).await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let cats = state.store.categories().await?;
    // The map shows what the page can read: pairs when the table can be
    // read, the cluster when the scan had enough incidents and found one.
    let show_pairs = knox.as_ref().is_ok_and(|v| plain::near_repeat(v).not_enough.is_none());
    let show_cluster =
        scan.as_ref().is_ok_and(|s| s.incidents >= plain::MIN_SCAN_INCIDENTS && s.most_likely_cluster.is_some());
    let body = html! {
        a class="govuk-back-link" href="/analysis" { "Back to analysis" }
        h1 class="govuk-heading-l" { "Near repeats and emerging clusters" }
        p class="govuk-body" { "From the incidents your agency can see (its own and those shared with it)." }
        form method="get" action="/analysis/incidents" class="sn-filters" {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-third" { (input("from", "From", "date", &from, None, &Vec::new())) }
                div class="govuk-grid-column-one-third" { (input("to", "To", "date", &to, None, &Vec::new())) }
                div class="govuk-grid-column-one-third" {
                    div class="govuk-form-group" {
                        label class="govuk-label" for="category" { "Category" }
                        select class="govuk-select" id="category" name="category" {
                            option value="" { "All categories" }
                            @for c in &cats { option value=(c.code) selected[c.code == category] { (c.label) } }
                        }
                    }
                }
            }
            button class="govuk-button govuk-button--secondary" type="submit" { "Analyse" }
        }
        (incident_map_section(&serde_urlencoded::to_string([("from", from.as_str()), ("to", to.as_str()), ("category", category.as_str())]).unwrap_or_default(), &state.config.tile_url, show_pairs, show_cluster))
        h2 class="govuk-heading-m" { "Near repeats (Knox)" }
        p class="govuk-body" { "How many pairs of incidents happened close together in both space and time, against what random timing would give (99 permutations). A ratio above 1 with a small p-value means incidents near an earlier one soon after it are more common than chance: a near-repeat pattern worth acting on." }
        @match &knox {
            Ok(v) => {
                @let e = plain::near_repeat(v);
                (explained(&e, "knox-meaning"))
                @if e.not_enough.is_none() { table class="govuk-table" data-testid="knox-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        th scope="col" class="govuk-table__header" { "Distance (m)" }
                        @for t in &v.knox.time_bands { th scope="col" class="govuk-table__header" { (t.0) "-" (t.1) " days" } }
                    } }
                    tbody class="govuk-table__body" {
                        @for (r, d) in v.knox.distance_bands.iter().enumerate() {
                            tr class="govuk-table__row" {
                                th scope="row" class="govuk-table__header" { (d.0) "-" (d.1) }
                                @for (c, o) in v.knox.observed[r].iter().enumerate() {
                                    td class="govuk-table__cell" { (o) " pairs" br; span class="govuk-body-s" { "ratio " (format!("{:.2}", v.knox.ratio_median[r][c])) ", p " (format!("{:.2}", v.knox.p_values[r][c])) } }
                                }
                            }
                        }
                    }
                }
            }
            }
            Err(message) => { p class="govuk-body" data-testid="knox-message" { (message) } }
        }
        h2 class="govuk-heading-m" { "Emerging cluster (space-time scan)" }
        p class="govuk-body" { "The circle and run of days ending today with the most incidents beyond what their usual places and days predict (Kulldorff's space-time permutation scan, 99 replications)." }
        @if let Ok(s) = &scan { (explained(&plain::scan(s), "scan-meaning")) }
        @match scan.as_ref().map(|s| (s.incidents >= plain::MIN_SCAN_INCIDENTS).then_some(&s.most_likely_cluster)) {
            Ok(None) => {}
            Ok(Some(Some(c))) => {
                dl class="govuk-summary-list" data-testid="scan-cluster" {
                    @for (k, val) in [("Dates", format!("{} to {}", c.start_date, c.end_date)),
                        ("Places", format!("{} within {:.2} km", c.cluster.locations.len(), c.cluster.radius_km)),
                        ("Observed / expected", format!("{} / {:.2}", c.cluster.observed, c.cluster.expected)),
                        ("p-value", format!("{:.2}", c.cluster.p_value))] {
                        div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { (k) } dd class="govuk-summary-list__value" { (val) } }
                    }
                }
            }
            Ok(Some(None)) => {}
            Err(message) => { p class="govuk-body" { (message) } }
        }
    };
    Ok(page(
        Some(&user),
        Nav::Analysis,
        "Near repeats and emerging clusters",
        PageOpts { map: true, ..PageOpts::default() },
        body,
    ))
}

/// An analysis in plain English: what it means and what to consider (or
/// why it cannot be read).
fn explained(e: &plain::Explained, testid: &str) -> maud::Markup {
    html! {
        div class="govuk-inset-text" data-testid=(testid) {
            @if let Some(n) = &e.not_enough { p class="govuk-body" { (n) } }
            @for m in &e.meaning { p class="govuk-body" { (m) } }
            @if !e.consider.is_empty() {
                p class="govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1" { "What to consider" }
                ul class="govuk-list govuk-list--bullet" { @for c in &e.consider { li { (c) } } }
            }
        }
    }
}

/// The calculator's areas: heading, the before and after fields, and
/// whether they must be given (a buffer is optional).
const EVALUATE_AREAS: [(&str, &str, &str, bool); 4] = [
    ("Target area", "target_before", "target_after", true),
    ("Control area", "control_before", "control_after", true),
    ("Buffer around the target", "buffer_before", "buffer_after", false),
    ("Buffer's control", "buffer_control_before", "buffer_control_after", false),
];

/// The evaluation calculator, with what was typed and its problems.
fn evaluate_form(values: &HashMap<String, String>, errors: &Errors) -> maud::Markup {
    let value = |name: &str| values.get(name).map_or("", String::as_str);
    html! {
        (error_summary(errors))
        p class="govuk-body" { "Enter crime counts for the same length of time before and after the operation. The weighted displacement difference compares the change in the target area with its control, allowing for crime moving into a buffer around it. The buffer counts are optional." }
        form method="get" action="/analysis/evaluate" novalidate {
            div class="govuk-grid-row" {
                @for (label, b, a, _) in EVALUATE_AREAS {
                    div class="govuk-grid-column-one-quarter" {
                        h3 class="govuk-heading-s" { (label) }
                        (input(b, "Before", "number", value(b), None, errors))
                        (input(a, "After", "number", value(a), None, errors))
                    }
                }
            }
            button class="govuk-button govuk-button--secondary" type="submit" { "Evaluate" }
        }
    }
}

/// The counts typed into [`evaluate_form`], with one plain message per
/// field that is missing or not a whole number of crimes.
fn read_counts(values: &HashMap<String, String>, errors: &mut Errors) -> [BeforeAfter; 4] {
    EVALUATE_AREAS.map(|(label, before, after, required)| {
        let mut count = |name: &str, when: &str| match given(values.get(name).map_or("", String::as_str)) {
            None if required => {
                errors.push((
                    name.into(),
                    format!("enter the number of crimes in the {} {when} the operation", label.to_lowercase()),
                ));
                0.0
            }
            None => 0.0,
            Some(v) => match v.parse::<u32>() {
                Ok(n) => f64::from(n),
                Err(_) => {
                    errors.push((
                        name.into(),
                        format!("the {} count {when} must be a whole number, like 12", label.to_lowercase()),
                    ));
                    0.0
                }
            },
        };
        BeforeAfter::new(count(before, "before"), count(after, "after"))
    })
}

/// `GET /analysis/evaluate?...`: the recommendation, or the calculator
/// again with every problem listed.
pub async fn evaluate(user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Response> {
    user.permit::<ViewCrimeData>()?;
    let values: HashMap<String, String> = parse_query(raw.as_deref())?;
    let mut errors = Vec::new();
    let [target, control, buffer, buffer_control] = read_counts(&values, &mut errors);
    let advice = if errors.is_empty() {
        match EvaluateRequest::new(target, control, buffer, buffer_control).and_then(|r| weigh(&r)) {
            Ok(e) => Some(e.advice),
            Err(e) => {
                errors.push(("target_before".into(), e.to_string()));
                None
            }
        }
    } else {
        None
    };
    let status = if advice.is_some() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    let body = html! {
        a class="govuk-back-link" href="/analysis" { "Back to analysis" }
        h1 class="govuk-heading-l" { "Operation evaluation" }
        @if let Some(advice) = &advice {
            div class="govuk-panel govuk-panel--confirmation" data-testid="recommendation" {
                h2 class="govuk-panel__title" { (match advice.recommendation { Recommendation::ScaleBack => "Scale back", Recommendation::Continue => "Continue", Recommendation::ChangeApproach => "Change approach" }) }
            }
            ul class="govuk-list govuk-list--bullet" { @for r in &advice.reasoning { li { (r) } } }
            h2 class="govuk-heading-m" { "Try other counts" }
        }
        (evaluate_form(&values, &errors))
    };
    Ok((status, page(Some(&user), Nav::Analysis, "Operation evaluation", PageOpts::default(), body)).into_response())
}

/// The series' trends, or none when no recorded crime matches (other
/// failures are shown as errors).
fn or_empty(r: Result<Trends, safetynet_app::Error>) -> PageResult<Trends> {
    match r {
        Err(safetynet_app::Error::Refused { .. }) => Ok(Trends::default()),
        r => Ok(r?),
    }
}

/// The monthly series of `filter`'s crime, every month, with alerts.
async fn series_trends(state: &AppState, permit: &Permit<ViewCrimeData>, filter: &CrimeFilter) -> PageResult<Trends> {
    let request = TrendsRequest { filter: filter.clone(), by_lsoa: false, all: true };
    or_empty(state.analyst.trends(permit, &request).await)
}
