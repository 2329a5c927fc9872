//! The dashboard: the partnership, the latest month of recorded crime and
//! ASB by type, and the change on the month before. Also `/healthz`.

use crate::auth::PageUser;
use crate::error::PageResult;
use crate::layout::{page, Nav, PageOpts};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use maud::{html, Markup};
use safetynet_domain::policy::ViewCrimeData;

/// `GET /healthz`: no auth; 200 when the database answers.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({ "status": "ok" }))),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({ "status": "unavailable" })))
        }
    }
}

fn change(now: i64, before: i64) -> Markup {
    let diff = now - before;
    let pct = if before > 0 { format!(" ({:+.0}%)", diff as f64 * 100.0 / before as f64) } else { String::new() };
    html! {
        @if diff > 0 { span class="sn-up" { "▲ " (diff) (pct) } }
        @else if diff < 0 { span class="sn-down" { "▼ " (diff.abs()) (pct) } }
        @else { span { "no change" } }
    }
}

/// `GET /dashboard`.
pub async fn show(State(state): State<AppState>, user: PageUser) -> PageResult<impl IntoResponse> {
    user.permit::<ViewCrimeData>()?;
    let store = &state.store;
    let partnership = store.partnership().await?;
    let months = store.crime_months().await?;
    let (crimes, outcomes) = store.police_row_counts().await?;
    let latest = months.first().copied();
    let counts = match latest {
        Some(m) => store.crime_type_counts(m).await?,
        None => Vec::new(),
    };
    let total: i64 = counts.iter().map(|c| c.count).sum();
    let previous: i64 = counts.iter().map(|c| c.previous).sum();
    let max = counts.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    let body = html! {
        h1 class="govuk-heading-xl" { "Dashboard" }
        @if let Some(p) = &partnership {
            p class="govuk-body-l" data-testid="partnership" { (p.name) }
            p class="govuk-body-s" { "Local authority district: " (p.lad_codes.join(", ")) }
        }
        @match latest {
            None => {
                div class="govuk-inset-text" { "No recorded crime has been imported yet. Use " code { "safetynet import police-uk" } " to load police.uk data." }
            }
            Some(m) => {
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-third" {
                        div class="sn-stat" { span class="govuk-body-s" { "Latest month" } span class="sn-stat__value" data-testid="latest-month" { (m.long_name()) } }
                    }
                    div class="govuk-grid-column-one-third" {
                        div class="sn-stat" { span class="govuk-body-s" { "Crimes and ASB in " (m.long_name()) } span class="sn-stat__value" data-testid="latest-total" { (total) } }
                    }
                    div class="govuk-grid-column-one-third" {
                        div class="sn-stat" { span class="govuk-body-s" { "Change on " (m.previous().long_name()) } span class="sn-stat__value" { (change(total, previous)) } }
                    }
                }
                table class="govuk-table" data-testid="type-counts" {
                    caption class="govuk-table__caption govuk-table__caption--m" { "Recorded crime and ASB by type, " (m.long_name()) }
                    thead class="govuk-table__head" {
                        tr class="govuk-table__row" {
                            th scope="col" class="govuk-table__header" { "Type" }
                            th scope="col" class="govuk-table__header govuk-table__header--numeric" { (m.long_name()) }
                            th scope="col" class="govuk-table__header govuk-table__header--numeric" { (m.previous().long_name()) }
                            th scope="col" class="govuk-table__header" { "Change" }
                            th scope="col" class="govuk-table__header sn-bar-cell" { span class="govuk-visually-hidden" { "Share" } }
                        }
                    }
                    tbody class="govuk-table__body" {
                        @for c in &counts {
                            tr class="govuk-table__row" {
                                th scope="row" class="govuk-table__header" {
                                    a class="govuk-link" href=(format!("/crimes?{}", serde_urlencoded::to_string([("type", c.crime_type.as_str()), ("from", &m.to_string()), ("to", &m.to_string())]).unwrap_or_default())) { (c.crime_type) }
                                }
                                td class="govuk-table__cell govuk-table__cell--numeric" { (c.count) }
                                td class="govuk-table__cell govuk-table__cell--numeric" { (c.previous) }
                                td class="govuk-table__cell" { (change(c.count, c.previous)) }
                                td class="govuk-table__cell sn-bar-cell" aria-hidden="true" {
                                    svg width="100%" height="14" role="presentation" focusable="false" {
                                        rect width=(format!("{}%", c.count * 100 / max)) height="14" fill="#1d70b8" {}
                                    }
                                }
                            }
                        }
                    }
                }
                p class="govuk-body-s" { (crimes) " street-level records and " (outcomes) " outcomes held, " (months.len()) " months. Source: data.police.uk." }
            }
        }
    };
    Ok(page(Some(&user), Nav::Dashboard, "Dashboard", PageOpts::default(), body))
}
