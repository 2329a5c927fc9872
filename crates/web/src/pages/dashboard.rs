//! The dashboard: the partnership, the latest month of recorded crime and
//! ASB by type, and the change on the month before. Also `/healthz`.

use crate::auth::PageUser;
use crate::error::PageResult;
use crate::layout::{page, stale_data_warning, uk_time, Day, Nav, PageOpts};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use maud::{html, Markup};
use safetynet_domain::meeting::MeetingKind;
use safetynet_domain::policy::{ManageUsers, UpdateCommitments, ViewCrimeData, ViewRecords};
use safetynet_domain::role::Role;

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

/// A bar chart of records per month (server-rendered SVG, readable without
/// JavaScript; the numbers are in the labels and the text alternative).
fn monthly_chart(totals: &[(safetynet_domain::month::Month, i64)]) -> Markup {
    let (w, h, top, bottom) = (960.0_f64, 260.0_f64, 24.0_f64, 40.0_f64);
    let n = totals.len().max(1) as f64;
    let max = totals.iter().map(|(_, c)| *c).max().unwrap_or(1).max(1) as f64;
    let slot = w / n;
    let describe: Vec<String> = totals.iter().map(|(m, c)| format!("{}: {c}", m.long_name())).collect();
    html! {
        figure class="govuk-!-margin-0 govuk-!-margin-bottom-6" {
            figcaption class="govuk-heading-m" { "Recorded crime and ASB per month" }
            svg viewBox=(format!("0 0 {w} {h}")) width="100%" role="img" aria-label=(format!("Records per month. {}", describe.join("; "))) data-testid="monthly-chart" {
                @for (i, (m, c)) in totals.iter().enumerate() {
                    @let bar_h = (*c as f64 / max) * (h - top - bottom);
                    @let x = i as f64 * slot + slot * 0.15;
                    rect x=(format!("{x:.1}")) y=(format!("{:.1}", h - bottom - bar_h)) width=(format!("{:.1}", slot * 0.7)) height=(format!("{bar_h:.1}")) fill="#1d70b8" {}
                    text x=(format!("{:.1}", x + slot * 0.35)) y=(format!("{:.1}", h - bottom - bar_h - 6.0)) text-anchor="middle" font-size="13" fill="#0b0c0c" { (c) }
                    text x=(format!("{:.1}", x + slot * 0.35)) y=(format!("{:.1}", h - bottom + 18.0)) text-anchor="middle" font-size="13" fill="#505a5f" { (m.short_name()) }
                }
                line x1="0" x2=(w) y1=(h - bottom) y2=(h - bottom) stroke="#b1b4b6" {}
            }
        }
    }
}

/// The signed-in user's work. A case officer sees their own first: the
/// live cases they lead, their outstanding tasks, the reviews they owe and
/// what other agencies shared with theirs in the last fortnight. A CSP
/// manager sees overdue tasks and reviews due across every case their
/// agency may see. Both see interventions expiring in the next four weeks.
async fn your_work(state: &AppState, user: &PageUser) -> PageResult<Markup> {
    let updates = strategy_updates_due(state, user).await?;
    let Ok(permit) = user.principal.permit::<ViewRecords>() else { return Ok(html! {}) };
    let manager = user.principal.has(Role::CspManager);
    let today = state.today();
    let actor = user.actor();
    let tasks = state.store.overdue_tasks(&permit, today, manager, &actor).await?;
    let reviews = state.store.reviews_due(&permit, today, manager, &actor).await?;
    let expiring = state.store.expiring_interventions(&permit, state.clock.now(), 28, &actor).await?;
    let fortnight_ago = state.now_ms() - 14 * 86_400_000;
    let mine = if manager { None } else { Some(state.store.my_work(&permit, fortnight_ago, 10, &actor).await?) };
    Ok(html! {
        section class="govuk-!-margin-bottom-8" data-testid="your-work" {
            h2 class="govuk-heading-l" { "Your work" }
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-third" { div class="sn-stat" { span class="govuk-body-s" { "Overdue tasks" } span class={ "sn-stat__value" @if !tasks.is_empty() { " sn-up" } } data-testid="overdue-tasks" { (tasks.len()) } } }
                div class="govuk-grid-column-one-third" { div class="sn-stat" { span class="govuk-body-s" { @if manager { "Reviews due" } @else { "Reviews you owe" } } span class="sn-stat__value" data-testid="reviews-due" { (reviews.len()) } } }
                div class="govuk-grid-column-one-third" { div class="sn-stat" { span class="govuk-body-s" { "Interventions expiring in 4 weeks" } span class="sn-stat__value" { (expiring.len()) } } }
            }
            @if let Some(m) = &mine {
                h3 class="govuk-heading-m" { "My cases" }
                @if m.cases.is_empty() { p class="govuk-body" { "You lead no live cases." } }
                @else {
                    table class="govuk-table" data-testid="my-cases" {
                        thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Case", "Title", "Risk", "Next review"] { th scope="col" class="govuk-table__header" { (h) } } } }
                        tbody class="govuk-table__body" {
                            @for c in &m.cases { tr class="govuk-table__row" {
                                td class="govuk-table__cell" { a class="govuk-link" href=(format!("/cases/{}", c.id)) { (c.reference) } }
                                td class="govuk-table__cell" { (c.title) }
                                td class="govuk-table__cell" { (c.risk_level.map_or("Not assessed", |l| l.label())) }
                                td class={ "govuk-table__cell" @if c.next_review_on.is_some_and(|d| d <= today) { " sn-up" } } { (c.next_review_on.map_or_else(|| "Not set".to_string(), |d| Day(d).to_string())) }
                            } }
                        }
                    }
                }
                h3 class="govuk-heading-m" { "My tasks" }
                @if m.tasks.is_empty() { p class="govuk-body" { "No outstanding tasks." } }
                @else {
                    ul class="govuk-list govuk-list--bullet" data-testid="my-tasks" {
                        @for t in &m.tasks { li {
                            a class="govuk-link" href=(format!("/cases/{}#tasks", t.case_id)) { (t.case_reference) } ": " (t.title) ", due " (Day(t.due_on))
                            @if t.due_on < today { " " strong class="govuk-tag govuk-tag--red" { "Overdue" } }
                        } }
                    }
                }
                h3 class="govuk-heading-m" { "Shared with " (user.principal.agency) " in the last 14 days" }
                @if m.shared.is_empty() { p class="govuk-body" { "Nothing new." } }
                @else {
                    ul class="govuk-list govuk-list--bullet" data-testid="shared-with-us" {
                        @for r in &m.shared { li {
                            a class="govuk-link" href=(format!("/{}s/{}", r.record_type, r.record_id)) { (r.reference) }
                            " from " (r.owner) " on " (uk_time(r.shared_at_ms)) " (" (r.lawful_basis) ")"
                        } }
                    }
                }
            }
            @if !tasks.is_empty() && manager {
                h3 class="govuk-heading-s" { "Overdue tasks" }
                ul class="govuk-list govuk-list--bullet" { @for t in &tasks { li { a class="govuk-link" href=(format!("/cases/{}#tasks", t.case_id)) { (t.case_reference) } ": " (t.title) " (" (t.owner_agency) ", due " (Day(t.due_on)) ")" } } }
            }
            @if !reviews.is_empty() {
                h3 class="govuk-heading-s" { @if manager { "Reviews due" } @else { "Reviews you owe" } }
                ul class="govuk-list govuk-list--bullet" { @for c in &reviews { li { a class="govuk-link" href=(format!("/cases/{}", c.id)) { (c.reference) } ": " (c.title) @if let Some(d) = c.next_review_on { " (due " (Day(d)) ")" } } } }
            }
            (updates)
            p class="govuk-body" { a class="govuk-link" href="/daily-review" { "Go to today's daily review" } }
        }
    })
}

/// For partnership administrators: e-mail notifications that are waiting
/// because no SMTP server is configured, or that could not be delivered.
async fn mail_notice(state: &AppState, user: &PageUser) -> PageResult<Markup> {
    if !user.principal.can::<ManageUsers>() {
        return Ok(html! {});
    }
    let s = state.store.outbox_status(user.now_ms).await?;
    let unconfigured = state.config.notifications.mail.is_none();
    Ok(html! {
        @if (unconfigured && s.waiting > 0) || s.failed_last_day > 0 || s.retrying > 0 {
            div class="govuk-warning-text" data-testid="mail-notice" {
                span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                strong class="govuk-warning-text__text" {
                    span class="govuk-visually-hidden" { "Warning" }
                    @if unconfigured && s.waiting > 0 {
                        (s.waiting) " e-mail notification(s) are waiting: no SMTP server is configured (set " code { "smtp_url" } "). "
                    } @else if s.retrying > 0 {
                        (s.retrying) " e-mail notification(s) could not be sent yet and will be tried again. "
                    }
                    @if s.failed_last_day > 0 {
                        (s.failed_last_day) " e-mail notification(s) were given up in the last day. "
                    }
                    "See " code { "safetynet mail status" } "."
                }
            }
        }
    })
}

/// For partnership administrators and CSP managers: the bank holidays
/// calendar runs out within [`safetynet_domain::calendar::WARN_DAYS`] days
/// of today (after that, the ASB Case Review clocks would count bank
/// holidays as working days).
async fn calendar_notice(state: &AppState, user: &PageUser) -> PageResult<Markup> {
    if !(user.principal.has(Role::PartnershipAdmin) || user.principal.has(Role::CspManager)) {
        return Ok(html! {});
    }
    let calendar = state.store.bank_holidays().await?;
    let today = state.today();
    if !calendar.holidays.runs_out_soon(today) {
        return Ok(html! {});
    }
    let until = calendar.holidays.covers_until();
    Ok(html! {
        div class="govuk-warning-text" data-testid="calendar-notice" {
            span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
            strong class="govuk-warning-text__text" {
                span class="govuk-visually-hidden" { "Warning" }
                @if until < today {
                    "The bank holidays calendar ran out on " (until.format("%-d %B %Y")) ": "
                } @else {
                    "The bank holidays calendar runs out on " (until.format("%-d %B %Y")) ": "
                }
                "after that the ASB Case Review working-day clocks count bank holidays as working days. "
                "Load GOV.UK's current file with " code { "safetynet calendar load FILE" } " (from https://www.gov.uk/bank-holidays.json)."
            }
        }
    })
}

/// The next JAG and RAG, each with its pack.
async fn next_meetings(state: &AppState) -> PageResult<Markup> {
    let mut next = Vec::new();
    for kind in [MeetingKind::Jag, MeetingKind::Rag] {
        if let Some(m) = state.store.next_meeting(kind, state.today()).await? {
            next.push((kind, m));
        }
    }
    Ok(html! {
        @if !next.is_empty() {
            section class="govuk-!-margin-bottom-6" data-testid="dashboard-meetings" {
                h2 class="govuk-heading-m" { "Next meetings" }
                ul class="govuk-list" {
                    @for (k, m) in &next {
                        li { strong { (k.label()) } ": " a class="govuk-link" href=(format!("/meetings/{}", m.id)) { (Day(m.held_on)) } " · " a class="govuk-link" href=(format!("/meetings/{}/pack", m.id)) { "open the pack" } }
                    }
                }
            }
        }
    })
}

/// The strategy commitments the user's agency owes a progress update on.
async fn strategy_updates_due(state: &AppState, user: &PageUser) -> PageResult<Markup> {
    if !user.principal.can::<UpdateCommitments>() {
        return Ok(html! {});
    }
    let due = state.store.commitments_due(Some(&user.principal.agency), state.today()).await?;
    Ok(html! {
        @if !due.is_empty() {
            h3 class="govuk-heading-s" data-testid="strategy-updates-due" { "Strategy progress updates overdue (" (due.len()) ")" }
            ul class="govuk-list govuk-list--bullet" {
                @for c in &due { li { a class="govuk-link" href=(format!("/strategy/commitments/{}", c.id)) { (c.title) } " (due " (Day(c.next_update_due)) ")" } }
            }
        }
    })
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
    let totals = store.crime_monthly_totals().await?;
    let work = your_work(&state, &user).await?;
    let meetings = next_meetings(&state).await?;
    let mail = mail_notice(&state, &user).await?;
    let calendar = calendar_notice(&state, &user).await?;
    // The weekly job's alerts when it has run; otherwise the latest month, now.
    let stored = state.store.latest_alerts().await?;
    let (alert_title, alerts): (String, Vec<(String, String)>) = if stored.is_empty() {
        let permit = user.permit::<ViewCrimeData>()?;
        let live = state.analyst.trends(&permit, &Default::default()).await.map(|t| t.alerts).unwrap_or_default();
        ("Emerging issues".into(), live.into_iter().map(|a| (a.crime_type, a.alert.reason)).collect())
    } else {
        (
            format!("Emerging issues (weekly review {})", stored[0].period),
            stored.into_iter().map(|a| (a.crime_type, a.reason)).collect(),
        )
    };
    // A case officer's own work (above) comes first; the partnership's
    // figures follow under their own heading.
    let own_work_first = !user.principal.has(Role::CspManager) && user.principal.can::<ViewRecords>();
    let body = html! {
        h1 class="govuk-heading-xl" { "Dashboard" }
        (mail)
        (calendar)
        (work)
        (meetings)
        @if let Some(p) = &partnership {
            p class="govuk-body-l" data-testid="partnership" { (p.name) }
            p class="govuk-body-s" { "Local authority district: " (p.lad_codes.join(", ")) }
        }
        @match latest {
            None => {
                div class="govuk-inset-text" { "No recorded crime has been imported yet. Use " code { "safetynet import police-uk" } " to load police.uk data." }
            }
            Some(m) => {
                @if own_work_first { h2 class="govuk-heading-l" { "Recorded crime and ASB" } }
                (stale_data_warning(m, state.today()))
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
                @if !alerts.is_empty() {
                    div class="govuk-notification-banner" role="region" aria-labelledby="alerts-title" data-testid="trend-alerts" {
                        div class="govuk-notification-banner__header" { h2 class="govuk-notification-banner__title" id="alerts-title" { (alert_title) } }
                        div class="govuk-notification-banner__content" {
                            ul class="govuk-list" {
                                @for (t, reason) in alerts.iter().take(6) { li { strong { (t) } ": " (reason) } }
                            }
                            p class="govuk-body" { a class="govuk-notification-banner__link" href="/analysis" { "See the analysis" } }
                        }
                    }
                }
                (monthly_chart(&totals))
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
