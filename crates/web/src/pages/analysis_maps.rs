//! Maps of the spatial analyses beyond hot spots: the density surface of
//! recorded crime, and the scan's cluster and the near-repeat pairs of an
//! agency's incidents. Each is a map layer on its page (drawn by app.js from
//! the API's GeoJSON) and a standalone SVG image for packs, with both
//! downloads linked beside the map.

use crate::auth::PageUser;
use crate::error::PageResult;
use crate::params::options;
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use safetynet_analysis::density::GEOJSON_MIN_SHARE;
use safetynet_analysis::scan::circle_ring;
use safetynet_app::analyses::crime::DensityRequest;
use safetynet_app::analyses::incidents::{NearRepeatRequest, ScanRequest};
use safetynet_app::district::district_rings;
use safetynet_domain::policy::{ViewCrimeData, ViewRecords};
use safetynet_render::figure::{self, Colour, Focus, Overlay};

/// An SVG image as a download named `name`.
pub(super) fn svg_response(name: &str, svg: String) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        svg,
    )
        .into_response()
}

/// The density options the page's map uses: a street-level view light
/// enough to draw (100 m cells, 400 m bandwidth).
const PAGE_DENSITY: &str = "cell_m=100&bandwidth_m=400";

/// The page's replications for the scan (the API's default is 999).
const PAGE_REPLICATIONS: &str = "replications=99";

/// The density section of the analysis page: the map layer and downloads,
/// for the crime filter `query` (from, to, type).
pub(super) fn density_section(query: &str, tiles: &str) -> Markup {
    let api = format!("/api/v1/analytics/density?{query}&{PAGE_DENSITY}");
    html! {
        h2 class="govuk-heading-m" { "Density" }
        p class="govuk-body" { "Where recorded crime is most concentrated: each record is spread over 400 metres with a quartic kernel and summed on 100 metre squares. Darker squares have more records per square kilometre. Squares below " (format!("{:.0}", GEOJSON_MIN_SHARE * 100.0)) "% of the peak are not drawn." }
        div class="sn-map" id="density-map" data-layer-map="" data-layers=(format!("{api}&format=geojson")) data-tiles=(tiles) role="region" aria-label="Map of crime density" {
            noscript { p class="govuk-body govuk-!-padding-3" { "The map needs JavaScript: download the image or the squares below." } }
        }
        p class="govuk-body" {
            a class="govuk-link" href=(format!("{api}&format=geojson")) download { "Download the density (GeoJSON)" } " · "
            a class="govuk-link" href=(format!("{api}&format=csv")) download { "Download the density (CSV)" } " · "
            a class="govuk-link" href=(format!("/analysis/density.svg?{query}&{PAGE_DENSITY}")) download data-testid="density-svg" { "Download the map (SVG)" }
        }
    }
}

/// The map of the near-repeat pairs and the scan's cluster on the incident
/// analysis page, for the study `query` (from, to, category): each layer
/// only when its analysis had enough incidents to read (nothing at all
/// when neither had).
pub(super) fn incident_map_section(query: &str, tiles: &str, pairs: bool, cluster: bool) -> Markup {
    let scan_api = format!("/api/v1/analytics/scan?{query}&{PAGE_REPLICATIONS}&format=geojson");
    let pairs_api = format!("/api/v1/analytics/near-repeat?{query}&format=geojson");
    let layers: Vec<&str> = [(pairs, pairs_api.as_str()), (cluster, scan_api.as_str())]
        .into_iter()
        .filter_map(|(shown, url)| shown.then_some(url))
        .collect();
    html! {
        @if !layers.is_empty() {
            h2 class="govuk-heading-m" { "On the map" }
            p class="govuk-body" {
                @if pairs { "Red lines join pairs of incidents close in both space and time (the nearest distance and time bands of the table below). " }
                @if cluster { "The red circle is the emerging cluster the scan found." }
            }
            div class="sn-map" id="incident-map" data-layer-map="" data-layers=(layers.join(" ")) data-tiles=(tiles) role="region" aria-label="Map of near-repeat pairs and the emerging cluster" {
                noscript { p class="govuk-body govuk-!-padding-3" { "The map needs JavaScript: download the images or the GeoJSON below." } }
            }
            p class="govuk-body" {
                @if pairs {
                    a class="govuk-link" href=(pairs_api) download { "Download the pairs (GeoJSON)" } " · "
                    a class="govuk-link" href=(format!("/analysis/incidents/near-repeat.svg?{query}")) download data-testid="pairs-svg" { "Download the pairs (SVG)" }
                }
                @if pairs && cluster { " · " }
                @if cluster {
                    a class="govuk-link" href=(scan_api) download { "Download the cluster (GeoJSON)" } " · "
                    a class="govuk-link" href=(format!("/analysis/incidents/scan.svg?{query}&{PAGE_REPLICATIONS}")) download data-testid="scan-svg" { "Download the cluster (SVG)" }
                }
            }
        }
    }
}

/// `GET /analysis/density.svg?...` (the density API's options): the density
/// surface as a standalone SVG map with the district boundary.
pub async fn density_svg(
    State(state): State<AppState>,
    user: PageUser,
    RawQuery(raw): RawQuery,
) -> PageResult<Response> {
    let permit = user.permit::<ViewCrimeData>()?;
    let p = options(raw.as_deref())?;
    let req = DensityRequest::from_params(&p)?;
    p.finish()?;
    let surface = state.analyst.density(&permit, &req).await?;
    let peak = surface.values.iter().copied().fold(0.0, f64::max);
    let shades = surface
        .values
        .iter()
        .enumerate()
        .filter(|(_, v)| peak > 0.0 && **v >= GEOJSON_MIN_SHARE * peak)
        .map(|(i, v)| {
            let (c, r) = ((i % surface.cols) as f64, (i / surface.cols) as f64);
            (
                surface.min_easting + c * surface.cell_m,
                surface.min_northing + r * surface.cell_m,
                surface.cell_m,
                v / peak,
            )
        })
        .collect();
    let legend = format!(
        "Density of recorded crime: darker is more, up to {peak:.0} per km² ({} m kernel, {} m squares)",
        surface.bandwidth_m, surface.cell_m
    );
    let overlay = Overlay { shades, legend, ..Overlay::default() };
    let rings = district_rings(&state.store).await?;
    let drawing = figure::map("Density of recorded crime", &rings, None, &[], &overlay, Focus::District);
    Ok(svg_response("safetynet-density.svg", drawing.to_svg()))
}

/// `GET /analysis/incidents/near-repeat.svg?from=&to=&category=...` (the
/// near-repeat API's options): the pairs as lines on the district map.
pub async fn near_repeat_svg(
    State(state): State<AppState>,
    user: PageUser,
    RawQuery(raw): RawQuery,
) -> PageResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let p = options(raw.as_deref())?;
    let req = NearRepeatRequest::from_params(&p)?;
    p.finish()?;
    let pairs = state.analyst.near_repeat_pairs(&permit, &req, &user.actor()).await?;
    let lines = pairs.pairs.iter().map(|m| [(m.from[0], m.from[1]), (m.to[0], m.to[1])]).collect();
    let legend = format!(
        "{} pairs of incidents up to {} m and {} days apart{}",
        pairs.pairs.len(),
        pairs.distance_band.1,
        pairs.time_band.1,
        if pairs.truncated { " (the closest shown)" } else { "" }
    );
    let overlay = Overlay { lines, legend, ..Overlay::default() };
    let rings = district_rings(&state.store).await?;
    let drawing = figure::map("Near-repeat pairs", &rings, None, &[], &overlay, Focus::District);
    Ok(svg_response("safetynet-near-repeats.svg", drawing.to_svg()))
}

/// `GET /analysis/incidents/scan.svg?from=&to=&category=...` (the scan
/// API's options): the most likely cluster's circle and places, framed on
/// the circle.
pub async fn scan_svg(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Response> {
    let permit = user.permit::<ViewRecords>()?;
    let p = options(raw.as_deref())?;
    let req = ScanRequest::from_params(&p)?;
    p.finish()?;
    let scan = state.analyst.scan(&permit, &req, &user.actor()).await?;
    let rings = district_rings(&state.store).await?;
    let drawing = match &scan.most_likely_cluster {
        Some(c) => {
            let k = &c.cluster;
            let name = format!(
                "Cluster {} to {}: {} observed, {:.1} expected",
                c.start_date, c.end_date, k.observed, k.expected
            );
            let zone = (name, Colour::RED, circle_ring(k.centre_lon, k.centre_lat, k.radius_km));
            let overlay = Overlay { points: c.places.iter().map(|p| (p[0], p[1])).collect(), ..Overlay::default() };
            figure::map("Emerging cluster", &rings, None, &[zone], &overlay, Focus::Zones)
        }
        None => {
            let overlay = Overlay {
                legend: "No cluster: no circle had more incidents than expected".into(),
                ..Overlay::default()
            };
            figure::map("Emerging cluster", &rings, None, &[], &overlay, Focus::District)
        }
    };
    Ok(svg_response("safetynet-cluster.svg", drawing.to_svg()))
}
