//! The strategy pages: every priority and commitment with its owner, status
//! and red/amber/green rating; a commitment's page with its history, the
//! progress form for the owning agency and the edit form for the CSP manager.

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::forms::{given, input, number, select, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, uk_time, Day, Nav, PageOpts};
use crate::params::parse_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::response::{Html, Response};
use maud::{html, Markup};
use safetynet_domain::policy::{ManagePartnershipWork, UpdateCommitments, ViewCrimeData};
use safetynet_domain::strategy::{CommitmentStatus, Rag};
use safetynet_store::strategy::{Commitment, CommitmentEdit, NewCommitmentUpdate};

/// A red/amber/green tag (grey before the first update).
pub fn rag_tag(rag: Option<Rag>) -> Markup {
    let (class, text) = match rag {
        Some(Rag::Red) => ("govuk-tag--red", "Red"),
        Some(Rag::Amber) => ("govuk-tag--orange", "Amber"),
        Some(Rag::Green) => ("govuk-tag--green", "Green"),
        None => ("govuk-tag--grey", "Not rated"),
    };
    html! { strong class=(format!("govuk-tag {class}")) data-testid="rag" { (text) } }
}

/// The measure counted from the records, else "4 of 10" against a target,
/// or the latest figure.
pub fn progress_text(c: &Commitment) -> String {
    if let Some(m) = &c.measured {
        return format!("{} (from the records)", m.text);
    }
    match (c.progress, c.target) {
        (Some(p), Some(t)) => format!("{p} of {t}"),
        (Some(p), None) => p.to_string(),
        (None, Some(t)) => format!("target {t}"),
        (None, None) => String::new(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct Filter {
    #[serde(default)]
    agency: Option<String>,
    #[serde(default)]
    rag: Option<String>,
}

/// `GET /strategy?agency=&rag=`.
pub async fn show(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    user.permit::<ViewCrimeData>()?;
    let f: Filter = parse_query(raw.as_deref())?;
    render_list(&state, &user, &f, &Errors::new()).await
}

async fn render_list(state: &AppState, user: &PageUser, f: &Filter, errors: &Errors) -> PageResult<Html<String>> {
    let today = state.today();
    let Some(s) = safetynet_app::measures::strategy_on(&state.store, today).await? else {
        let body = html! {
            h1 class="govuk-heading-l" { "Strategy" }
            div class="govuk-inset-text" { "No strategy has been loaded. Use " code { "safetynet strategy load" } " with a strategy file." }
        };
        return Ok(page(Some(user), Nav::Strategy, "Strategy", PageOpts::default(), body));
    };
    let all: Vec<&Commitment> = s.priorities.iter().flat_map(|p| &p.commitments).collect();
    let count = |r: Option<Rag>| all.iter().filter(|c| c.rag == r).count();
    let overdue = all.iter().filter(|c| c.is_overdue(today)).count();
    let agencies = state.store.agencies().await?;
    let agency_options: Vec<(String, String)> = agencies.iter().map(|a| (a.code.to_string(), a.name.clone())).collect();
    let shown = |c: &Commitment| {
        f.agency.as_deref().is_none_or(|a| a.is_empty() || c.owner_agency == a || c.partners.iter().any(|p| p == a))
            && f.rag.as_deref().is_none_or(|r| r.is_empty() || c.rag.map_or("none", Rag::as_str) == r)
    };
    let body = html! {
        span class="govuk-caption-l" { (Day(s.starts_on)) " to " (Day(s.ends_on)) }
        h1 class="govuk-heading-l" { (s.title) }
        div class="govuk-grid-row" data-testid="rag-summary" {
            @for (label, r) in [("Green", Some(Rag::Green)), ("Amber", Some(Rag::Amber)), ("Red", Some(Rag::Red)), ("Not yet rated", None)] {
                div class="govuk-grid-column-one-quarter" { div class="sn-stat" { span class="govuk-body-s" { (label) } span class="sn-stat__value" { (count(r)) } } }
            }
        }
        p class="govuk-body" data-testid="overdue-count" { (all.len()) " commitments; " (overdue) " progress updates overdue." }
        form method="get" action="/strategy" class="sn-filters" {
            (select("agency", "Agency (owner or partner)", &agency_options, f.agency.as_deref().unwrap_or(""), Some("All agencies"), &Errors::new()))
            (select("rag", "Rating", &[("red".into(), "Red".into()), ("amber".into(), "Amber".into()), ("green".into(), "Green".into()), ("none".into(), "Not rated".into())], f.rag.as_deref().unwrap_or(""), Some("Any rating"), &Errors::new()))
            button class="govuk-button govuk-button--secondary" type="submit" { "Filter" }
        }
        @for (i, p) in s.priorities.iter().enumerate() {
            section class="govuk-!-margin-bottom-8" data-testid="priority" {
                h2 class="govuk-heading-m" { "Priority " (i + 1) ": " (p.title) }
                p class="govuk-body" { (p.summary) }
                table class="govuk-table" {
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        @for h in ["Commitment", "Owner", "Progress", "Status", "Rating", "Next update"] { th scope="col" class="govuk-table__header" { (h) } }
                    } }
                    tbody class="govuk-table__body" {
                        @for c in p.commitments.iter().filter(|c| shown(c)) {
                            tr class="govuk-table__row" data-testid="commitment" {
                                td class="govuk-table__cell" { a class="govuk-link" href=(format!("/strategy/commitments/{}", c.id)) { (c.title) } }
                                td class="govuk-table__cell" { (c.owner_agency) @if !c.team.is_empty() { br; span class="govuk-body-s" { (c.team) } } }
                                td class="govuk-table__cell" { (progress_text(c)) }
                                td class="govuk-table__cell" { (c.status.label()) }
                                td class="govuk-table__cell" { (rag_tag(c.rag)) }
                                td class="govuk-table__cell" {
                                    @if c.is_overdue(today) { strong class="govuk-tag govuk-tag--red" { "Overdue" } br; }
                                    (Day(c.next_update_due))
                                }
                            }
                        }
                    }
                }
            }
        }
        @if user.principal.can::<ManagePartnershipWork>() {
            h2 class="govuk-heading-m" id="add" { "Add a commitment" }
            form method="post" action="/strategy/commitments" novalidate {
                (csrf_field(user))
                (select("priority", "Priority", &s.priorities.iter().map(|p| (p.code.clone(), p.title.clone())).collect::<Vec<_>>(), "", None, errors))
                (commitment_fields(None, &agency_options, errors))
                button class="govuk-button govuk-button--secondary" type="submit" { "Add commitment" }
            }
        }
    };
    Ok(page(Some(user), Nav::Strategy, "Strategy", PageOpts::default(), body))
}

/// The fields of a commitment the CSP manager sets (empty for a new one).
fn commitment_fields(c: Option<&Commitment>, agencies: &[(String, String)], errors: &Errors) -> Markup {
    let text = |f: fn(&Commitment) -> String| c.map(f).unwrap_or_default();
    html! {
        (textarea("title", "Commitment", &text(|c| c.title.clone()), None, 3, errors))
        (select("owner_agency", "Owning agency", agencies, &text(|c| c.owner_agency.clone()), c.is_none().then_some("Choose an agency"), errors))
        (input("team", "Team", "text", &text(|c| c.team.clone()), None, errors))
        (input("measure", "Measure", "text", &text(|c| c.measure.clone()), None, errors))
        (input("target", "Target (optional)", "number", &text(|c| c.target.map(|t| t.to_string()).unwrap_or_default()), None, errors))
        (input("update_every_days", "Ask for an update every (days)", "number", &c.map_or_else(|| "90".to_string(), |c| c.update_every_days.to_string()), None, errors))
    }
}

/// The commitment form the CSP manager fills in (to add, with the priority).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct CommitmentForm {
    priority: String,
    title: String,
    owner_agency: String,
    team: String,
    measure: String,
    target: String,
    update_every_days: String,
}

impl CommitmentForm {
    /// The edit the store checks, or the field at fault and why.
    fn edit(self) -> Result<CommitmentEdit, (&'static str, AppError)> {
        let target = number(&self.target, "target").map_err(|e| ("target", e))?;
        let every = self.update_every_days.trim().parse::<u32>().map_err(|_| {
            ("update_every_days", AppError::BadRequest("enter the number of days between updates".into()))
        })?;
        Ok(CommitmentEdit {
            title: self.title,
            owner_agency: self.owner_agency,
            team: self.team,
            measure: self.measure,
            target,
            update_every_days: every,
        })
    }
}

/// `POST /strategy/commitments`: the CSP manager adds a commitment.
pub async fn add(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<CommitmentForm>) -> PageResult<Response> {
    let mut at = "title";
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        let priority = f.priority.clone();
        let c = super::noting(f.edit(), &mut at)?;
        Ok::<_, PageError>(state.store.add_commitment(&permit, &priority, &c, state.today(), &user.actor()).await?)
    }
    .await;
    let (outcome, success) = match r {
        Ok(id) => (Ok(()), format!("/strategy/commitments/{id}")),
        Err(e) => (Err(e), String::new()),
    };
    super::form_result(outcome, &success, at, |errors| async move {
        render_list(&state, &user, &Filter::default(), &errors).await
    })
    .await
}

async fn render(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    let (c, history) = safetynet_app::measures::commitment_on(&state.store, id, state.today()).await?;
    let can_update = user.principal.can::<UpdateCommitments>()
        && (user.principal.agency == c.owner_agency || user.principal.can::<ManagePartnershipWork>());
    let can_edit = user.principal.can::<ManagePartnershipWork>();
    let statuses: Vec<(String, String)> =
        CommitmentStatus::ALL.iter().map(|s| (s.as_str().into(), s.label().into())).collect();
    let rags: Vec<(String, String)> = Rag::ALL.iter().map(|r| (r.as_str().into(), r.label().into())).collect();
    let agencies: Vec<(String, String)> =
        state.store.agencies().await?.iter().map(|a| (a.code.to_string(), a.name.clone())).collect();
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/strategy" { "Strategy" }
        span class="govuk-caption-l" { (c.owner_agency) @if !c.team.is_empty() { " · " (c.team) } }
        h1 class="govuk-heading-l" { (c.title) }
        dl class="govuk-summary-list" data-testid="commitment-summary" {
            @for (k, v) in [("Status", html! { (c.status.label()) }), ("Rating", html! { (rag_tag(c.rag)) " " (c.rag_reason) }),
                ("Measure", html! { (c.measure) }), ("Progress", html! { (progress_text(&c)) }),
                ("Partners", html! { (c.partners.join(", ")) }),
                ("Next update due", html! { (Day(c.next_update_due)) @if c.is_overdue(state.today()) { " " strong class="govuk-tag govuk-tag--red" { "Overdue" } } })] {
                div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { (k) } dd class="govuk-summary-list__value" { (v) } }
            }
        }
        @if can_update {
            h2 class="govuk-heading-m" { "Record progress" }
            form method="post" action=(format!("/strategy/commitments/{}/updates", c.id)) novalidate {
                (csrf_field(user))
                (select("status", "Status", &statuses, c.status.as_str(), None, errors))
                (select("rag", "Rating", &rags, c.rag.map_or("", Rag::as_str), Some("Choose a rating"), errors))
                (textarea("reason", "Why this rating", "", Some("What puts it on track, at risk or off track."), 3, errors))
                (textarea("note", "What has been done", "", None, 4, errors))
                (input("figure", "Figure against the measure (optional)", "number", "", Some(&c.measure), errors))
                (textarea("evidence", "Evidence links (optional, one per line)", "", Some("SafetyNet paths such as /cases/… or /operations/…, or https:// addresses."), 2, errors))
                button class="govuk-button" type="submit" data-testid="record-progress" { "Record progress" }
            }
        }
        h2 class="govuk-heading-m" { "History" }
        @if history.is_empty() { p class="govuk-body" { "No progress has been recorded yet." } }
        ol class="govuk-list sn-timeline" data-testid="history" {
            @for u in &history {
                li class="govuk-!-margin-bottom-4" {
                    p class="govuk-body govuk-!-margin-bottom-1" { (rag_tag(Some(u.rag))) " " strong { (u.status.label()) } " · " (uk_time(u.at_ms)) " · " (u.author_name) " (" (u.author_agency) ")" }
                    p class="govuk-body govuk-!-margin-bottom-1" { (u.reason) }
                    @if !u.note.is_empty() { p class="govuk-body-s govuk-!-margin-bottom-1" { (u.note) } }
                    @if let Some(f) = u.figure { p class="govuk-body-s govuk-!-margin-bottom-1" { "Figure: " (f) } }
                    @if !u.evidence.is_empty() { ul class="govuk-list govuk-body-s" { @for e in &u.evidence { li { a class="govuk-link" href=(e) rel="noreferrer" { (e) } } } } }
                }
            }
        }
        @if can_edit {
            details class="govuk-details" {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Edit this commitment" } }
                div class="govuk-details__text" {
                    form method="post" action=(format!("/strategy/commitments/{}", c.id)) novalidate {
                        (csrf_field(user))
                        (commitment_fields(Some(&c), &agencies, errors))
                        button class="govuk-button govuk-button--secondary" type="submit" { "Save commitment" }
                    }
                }
            }
        }
    };
    Ok(page(Some(user), Nav::Strategy, &c.title, PageOpts::default(), body))
}

/// `GET /strategy/commitments/{id}`.
pub async fn commitment(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult<Html<String>> {
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
    super::form_result(r, &format!("/strategy/commitments/{id}"), at, |errors| async move {
        render(state, user, id, &errors).await
    })
    .await
}

/// The progress form: the choices as codes, the figure as typed and the
/// evidence one link a line.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ProgressForm {
    status: String,
    rag: String,
    reason: String,
    note: String,
    figure: String,
    evidence: String,
}

impl ProgressForm {
    /// The update the API takes, or the field at fault and why.
    fn update(self) -> Result<NewCommitmentUpdate, (&'static str, AppError)> {
        let status = CommitmentStatus::parse(&self.status)
            .ok_or_else(|| ("rag", AppError::BadRequest("choose a status".into())))?;
        let rag = Rag::parse(&self.rag).ok_or_else(|| ("rag", AppError::BadRequest("choose a rating".into())))?;
        let figure = number(&self.figure, "figure").map_err(|e| ("figure", e))?;
        let evidence = self.evidence.lines().filter_map(given).map(String::from).collect();
        Ok(NewCommitmentUpdate { status, rag, reason: self.reason, note: self.note, figure, evidence })
    }
}

/// `POST /strategy/commitments/{id}/updates`.
pub async fn add_update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ProgressForm>,
) -> PageResult<Response> {
    let mut at = "reason";
    let r = async {
        let permit = user.permit::<UpdateCommitments>()?;
        let update = super::noting(f.update(), &mut at)?;
        state.store.add_commitment_update(&permit, &id, &update, state.today(), &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, at).await
}

/// `POST /strategy/commitments/{id}`: the CSP manager edits a commitment.
pub async fn edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<CommitmentForm>,
) -> PageResult<Response> {
    let mut at = "title";
    let r = async {
        let permit = user.permit::<ManagePartnershipWork>()?;
        let edit = super::noting(f.edit(), &mut at)?;
        state.store.edit_commitment(&permit, &id, &edit, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, at).await
}
