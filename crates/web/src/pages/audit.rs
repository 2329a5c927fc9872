//! The audit log viewer for auditors: search by date, action, user, agency
//! and record, page through newest first, export as CSV. Searching and
//! exporting the audit log are themselves audited.

use crate::auth::PageUser;
use crate::error::{AppError, PageResult};
use crate::layout::{error_summary, page, pagination, uk_time, Nav, PageOpts};
use crate::params::parse_query;
use crate::params::{opt, AuditQuery};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::html;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::policy::ViewAudit;
use safetynet_store::audit::{AuditEntry, AuditFilter};

const PER_PAGE: i64 = 50;
const EXPORT_LIMIT: i64 = 100_000;

impl AuditQuery {
    fn link_query(&self) -> String {
        let q = AuditQuery { page: None, ..self.clone_fields() };
        serde_urlencoded::to_string(&q).unwrap_or_default()
    }

    fn clone_fields(&self) -> Self {
        Self {
            from: opt(&self.from),
            to: opt(&self.to),
            action: opt(&self.action),
            user: opt(&self.user),
            agency: opt(&self.agency),
            record_type: opt(&self.record_type),
            record_id: opt(&self.record_id),
            page: None,
            per_page: None,
        }
    }
}

fn input(id: &str, label: &str, value: &Option<String>, kind: &str) -> maud::Markup {
    html! {
        div class="govuk-form-group govuk-!-margin-bottom-3" {
            label class="govuk-label" for=(id) { (label) }
            input class="govuk-input" id=(id) name=(id) type=(kind) value=(value.as_deref().unwrap_or(""));
        }
    }
}

/// `GET /audit`.
pub async fn search(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Response> {
    let permit = user.permit::<ViewAudit>()?;
    let q: AuditQuery = parse_query(raw.as_deref())?;
    let (filter, errors) = match q.filter() {
        Ok(f) => (f, Vec::new()),
        Err(e) => (AuditFilter::default(), e),
    };
    let page_no = opt(&q.page).and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=100_000).contains(p)).unwrap_or(1);
    let detail = serde_json::json!({ "query": q.link_query(), "page": page_no });
    state.store.audit(user.now_ms, &user.actor().event(AuditAction::Search, "audit_log", None, detail)).await?;
    let (rows, total) = state.store.search_audit(&permit, &filter, PER_PAGE, (page_no - 1) * PER_PAGE).await?;
    let lq = q.link_query();
    let body = html! {
        (error_summary(&errors))
        h1 class="govuk-heading-l" { "Audit log" }
        p class="govuk-body" { "Every sign-in, view, search, export and change of data, newest first. The log is hash-chained: " code { "safetynet audit verify" } " detects any edit or deletion." }
        form method="get" action="/audit" class="sn-filters" {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-quarter" { (input("from", "From date", &q.from, "date")) }
                div class="govuk-grid-column-one-quarter" { (input("to", "To date", &q.to, "date")) }
                div class="govuk-grid-column-one-quarter" {
                    div class="govuk-form-group govuk-!-margin-bottom-3" {
                        label class="govuk-label" for="action" { "Action" }
                        select class="govuk-select" id="action" name="action" {
                            option value="" { "All actions" }
                            @for a in AuditAction::ALL { option value=(a.as_str()) selected[q.action.as_deref() == Some(a.as_str())] { (a.as_str()) } }
                        }
                    }
                }
                div class="govuk-grid-column-one-quarter" { (input("agency", "Agency code", &q.agency, "text")) }
            }
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-third" { (input("user", "User (email or id)", &q.user, "text")) }
                div class="govuk-grid-column-one-third" { (input("record_type", "Record type", &q.record_type, "text")) }
                div class="govuk-grid-column-one-third" { (input("record_id", "Record id", &q.record_id, "text")) }
            }
            button type="submit" class="govuk-button govuk-!-margin-right-2" { "Search" }
            a class="govuk-button govuk-button--secondary" href="/audit" { "Clear" }
        }
        p class="govuk-body" { strong data-testid="audit-total" { (total) } " entries. "
            a class="govuk-link" href=(format!("/audit/export.csv?{lq}")) download { "Download as CSV" } }
        table class="govuk-table" data-testid="audit-table" {
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                @for h in ["#", "Time", "User", "Agency", "Action", "Record", "Detail", "Source"] { th scope="col" class="govuk-table__header" { (h) } }
            } }
            tbody class="govuk-table__body" {
                @for AuditEntry { row: r, user_email } in &rows { tr class="govuk-table__row" {
                    td class="govuk-table__cell" { (r.seq) }
                    td class="govuk-table__cell" { (uk_time(r.at_ms)) }
                    td class="govuk-table__cell" {
                        @match (user_email, &r.event.user_id) {
                            (Some(e), _) => { (e) }
                            (None, Some(id)) => { span class="sn-mono govuk-body-s" { (id) } }
                            (None, None) => { "-" }
                        }
                    }
                    td class="govuk-table__cell" { (r.event.agency.as_deref().unwrap_or("-")) }
                    td class="govuk-table__cell" { (r.event.action.as_str()) }
                    td class="govuk-table__cell" { (r.event.record_type) @if let Some(id) = &r.event.record_id { br; span class="sn-mono govuk-body-s" { (id) } } }
                    td class="govuk-table__cell sn-mono govuk-body-s" { (r.event.detail) }
                    td class="govuk-table__cell" { (r.event.source) }
                } }
            }
        }
        (pagination(&format!("/audit?{lq}"), page_no, PER_PAGE, total))
    };
    let status = if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::BAD_REQUEST };
    Ok((status, page(Some(&user), Nav::Audit, "Audit log", PageOpts::default(), body)).into_response())
}

/// `GET /audit/export.csv`.
pub async fn export_csv(
    State(state): State<AppState>,
    user: PageUser,
    RawQuery(raw): RawQuery,
) -> PageResult<Response> {
    let permit = user.permit::<ViewAudit>()?;
    let q: AuditQuery = parse_query(raw.as_deref())?;
    let filter = q.filter().map_err(|e| crate::params::join_errors(&e))?;
    let detail = serde_json::json!({ "format": "csv", "query": q.link_query() });
    state.store.audit(user.now_ms, &user.actor().event(AuditAction::Export, "audit_log", None, detail)).await?;
    let (rows, _) = state.store.search_audit(&permit, &filter, EXPORT_LIMIT, 0).await?;
    let csv = audit_csv(&rows).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"safetynet-audit.csv\""),
        ],
        csv,
    )
        .into_response())
}

fn audit_csv(rows: &[AuditEntry]) -> Result<Vec<u8>, csv::Error> {
    use super::crimes::neutralise;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "seq",
        "time_utc",
        "user_id",
        "user_email",
        "agency",
        "action",
        "record_type",
        "record_id",
        "detail",
        "source",
        "hash",
    ])?;
    for AuditEntry { row: r, user_email } in rows {
        let time = chrono::DateTime::from_timestamp_millis(r.at_ms).map(|t| t.to_rfc3339()).unwrap_or_default();
        w.write_record([
            r.seq.to_string().as_str(),
            &time,
            &neutralise(r.event.user_id.as_deref().unwrap_or("")),
            &neutralise(user_email.as_deref().unwrap_or("")),
            &neutralise(r.event.agency.as_deref().unwrap_or("")),
            r.event.action.as_str(),
            &neutralise(&r.event.record_type),
            &neutralise(r.event.record_id.as_deref().unwrap_or("")),
            &neutralise(&r.event.detail),
            &neutralise(&r.event.source),
            &r.hash,
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}
