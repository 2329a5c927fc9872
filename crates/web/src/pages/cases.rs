//! Case pages: the list, and the case page that runs the whole
//! problem-oriented plan: status and reviews, the SARA plan, incidents,
//! risk assessments, tasks, interventions, shares, notes and the timeline.
//! A refused change re-renders the case with the reason at the top.

use crate::auth::{CsrfForm, CsrfUpload, PageUser};
use crate::error::{AppError, PageError, PageResult};
use crate::forms::{
    answer_radios, checkbox, counted_textarea, given, input, parse_date, parse_local_datetime, polygon_ring, select,
    textarea, Errors, PerRecord,
};
use crate::layout::{csrf_field, error_summary, page, pagination, sentence, uk_time, Day, Nav, PageOpts};
use crate::params::parse_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use safetynet_domain::case::{
    CaseNote, CaseShare, IncidentLink, NewTask, ReviewNote, StatusChange, TaskUpdate, LAWFUL_BASES,
};
use safetynet_domain::fixed_penalty::FpnBasis;
use safetynet_domain::incident::PersonRole;
use safetynet_domain::interventions::BreachReport;
use safetynet_domain::interventions::{InterventionKind, NewIntervention};
use safetynet_domain::policy::{EditRecords, ViewRecords, Visible};
use safetynet_domain::powers::Authoriser;
use safetynet_domain::risk::{
    Answer, Answers, AssessmentRequest, Judgement, Questionnaire, QuestionnaireKind, RiskLevel,
};
use safetynet_store::cases::{Case, NewCase, Plan};
use safetynet_store::documents::Attached;
use safetynet_store::StoreError;

const PER_PAGE: i64 = 25;

fn risk_tag(level: Option<RiskLevel>) -> Markup {
    let (class, text) = match level {
        Some(RiskLevel::High) => ("govuk-tag--red", "High risk"),
        Some(RiskLevel::Medium) => ("govuk-tag--orange", "Medium risk"),
        Some(RiskLevel::Standard) => ("govuk-tag--green", "Standard risk"),
        None => ("govuk-tag--grey", "Not assessed"),
    };
    html! { strong class=(format!("govuk-tag {class}")) data-testid="risk-level" { (text) } }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    #[serde(default)]
    all: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// `GET /cases`.
pub async fn list(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: ListQuery = parse_query(raw.as_deref())?;
    let all = q.all.as_deref() == Some("1");
    let page_no =
        q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=100_000).contains(p)).unwrap_or(1);
    let (items, total) = state.store.cases(&permit, !all, PER_PAGE, (page_no - 1) * PER_PAGE, &user.actor()).await?;
    let body = html! {
        h1 class="govuk-heading-l" { "Cases" }
        p class="govuk-body" {
            @if all { "All cases you can see. " a class="govuk-link" href="/cases" { "Show live cases only" } }
            @else { "Live cases you can see. " a class="govuk-link" href="/cases?all=1" { "Include closed cases" } }
        }
        table class="govuk-table" data-testid="case-table" {
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                @for h in ["Reference", "Title", "Lead", "Status", "Risk", "Next review"] { th scope="col" class="govuk-table__header" { (h) } }
            } }
            tbody class="govuk-table__body" {
                @for c in &items { tr class="govuk-table__row" {
                    td class="govuk-table__cell" { a class="govuk-link" href=(format!("/cases/{}", c.id)) { (c.reference) } }
                    td class="govuk-table__cell" { (c.title) }
                    td class="govuk-table__cell" { (c.owner_agency) }
                    td class="govuk-table__cell" { (c.status.label()) }
                    td class="govuk-table__cell" { (risk_tag(c.risk_level)) }
                    td class="govuk-table__cell" { (c.next_review_on.map_or_else(|| "-".to_string(), |d| d.to_string())) }
                } }
            }
        }
        (pagination(&format!("/cases?all={}", if all { "1" } else { "" }), page_no, PER_PAGE, total))
    };
    Ok(page(Some(&user), Nav::Cases, "Cases", PageOpts::default(), body))
}

/// The form that opens a case from one incident.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewCaseForm {
    title: String,
    problem: String,
    incident: String,
}

impl From<NewCaseForm> for NewCase {
    fn from(f: NewCaseForm) -> Self {
        NewCase {
            title: f.title.trim().to_string(),
            problem: f.problem.trim().to_string(),
            incidents: given(&f.incident).map(String::from).into_iter().collect(),
            lead_officer_id: None,
        }
    }
}

/// `POST /cases`: open a case from an incident.
pub async fn create(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<NewCaseForm>) -> PageResult<Response> {
    let edit = user.permit::<EditRecords>()?;
    let view = user.permit::<ViewRecords>()?;
    let new = NewCase::from(f);
    new.check().map_err(AppError::BadRequest)?;
    let (id, _) = state.store.open_case(&edit, &view, &new, &user.actor()).await?;
    Ok(Redirect::to(&format!("/cases/{id}")).into_response())
}

/// "Shared with AGENCY by OWNER under BASIS on DATE": the lawful basis of
/// each share through which the reader sees another agency's record.
pub(crate) fn share_notices(shares: &[safetynet_store::cases::ShareNotice]) -> Markup {
    html! {
        @for s in shares {
            div class="govuk-inset-text" data-testid="share-basis" {
                "Shared with " strong { (s.agency) } " by " strong { (s.owner) }
                @if let Some(c) = &s.via_case { " (through case " (c) ")" }
                " under " strong { (s.lawful_basis) } " on " (crate::layout::uk_time(s.shared_at_ms)) "."
            }
        }
    }
}

/// The box an officer ticks to add a task already overdue.
const PAST_DATE_CONFIRM: &str = "The date is right: it is already overdue";

/// The intervention form's fields: an error on one opens the form.
const INTERVENTION_FIELDS: [&str; 18] = [
    "kind",
    "person_id",
    "subject_name",
    "subject_dob",
    "conduct",
    "issued_on",
    "starts_at",
    "expires_at",
    "amount",
    "legal_basis",
    "follows_id",
    "pspo_id",
    "authorised_by",
    "compliance_by",
    "convicted_on",
    "yot_consulted",
    "items_surrendered",
    "area",
];

/// A summary-list row; `change` is (link, action, what it acts on, for
/// screen readers).
fn summary_row(key: &str, value: Markup, change: Option<(&str, &str, &str)>) -> Markup {
    html! {
        div class="govuk-summary-list__row" {
            dt class="govuk-summary-list__key" { (key) }
            dd class="govuk-summary-list__value" { (value) }
            @if let Some((href, action, what)) = change {
                dd class="govuk-summary-list__actions" { a class="govuk-link" href=(href) { (action) span class="govuk-visually-hidden" { " " (what) } } }
            } @else {
                dd class="govuk-summary-list__actions" {}
            }
        }
    }
}

fn section(title: &str, id: &str, inner: Markup) -> Markup {
    html! { section class="govuk-!-margin-bottom-8" id=(id) { h2 class="govuk-heading-m" { (title) } (inner) } }
}

async fn render(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    render_with(state, user, id, errors, None, None).await
}

/// The case page, with `notice` (advice after a step that succeeded with a
/// warning) above it, and the forms for the victim `victim` (a person id;
/// the first victim when none) under "Keeping the victim informed".
pub(super) async fn render_with(
    state: &AppState,
    user: &PageUser,
    id: &str,
    errors: &Errors,
    notice: Option<&str>,
    victim: Option<&str>,
) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let actor = user.actor();
    let case: Case = match state.store.case(&permit, id, &actor).await? {
        Visible::Full { record } => record,
        Visible::Signpost { contact_agency } => {
            let body = html! {
                h1 class="govuk-heading-l" { "Held by another agency" }
                div class="govuk-inset-text" data-testid="signpost" { "This case exists and is led by " strong { (contact_agency) } ". It has not been shared with your agency: contact them if you need to know more." }
            };
            return Ok(page(Some(user), Nav::Cases, "Held by another agency", PageOpts::default(), body));
        }
    };
    let lead = case.owner_agency == user.principal.agency;
    let can_edit = user.principal.can::<EditRecords>();
    // The page's reads at once: their audit rows share one commit.
    let linked = futures_util::future::try_join_all(
        case.incident_ids.iter().map(|iid| state.store.incident(&permit, iid, &actor)),
    );
    let (assessments, interventions, agencies, shared_to_us, linked, orders, documents) = tokio::try_join!(
        state.store.risk_assessments(&permit, &case.id, &actor),
        state.store.interventions(&permit, &case.id, &actor),
        state.store.agencies(),
        state.store.shares_seen_by(&permit, "case", &case.id),
        linked,
        state.store.pspos(&permit, state.today(), None),
        state.store.documents(&permit, Attached::Case(&case.id), &actor),
    )?;
    let follows: Vec<(String, String)> = interventions
        .iter()
        .map(|x| (x.id.clone(), format!("{}: {}, issued {}", x.kind.label(), x.subject_name, Day(x.issued_on))))
        .collect();
    let orders: Vec<(String, String)> =
        orders.iter().map(|o| (o.id.clone(), format!("{} {} (to {})", o.reference, o.title, Day(o.ends_on)))).collect();
    let bases: Vec<(String, String)> =
        FpnBasis::ALL.iter().map(|b| (b.as_str().to_string(), b.label().to_string())).collect();
    let authorisers: Vec<(String, String)> =
        Authoriser::ALL.iter().map(|a| (a.as_str().to_string(), a.label().to_string())).collect();
    let agency_options: Vec<(String, String)> =
        agencies.iter().map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code))).collect();
    let mut people: Vec<(String, String)> = Vec::new();
    let mut incidents = Vec::new();
    for visible in linked {
        if let Visible::Full { record } = visible {
            for p in &record.people {
                if !people.iter().any(|(pid, _)| pid == &p.person.id) {
                    people.push((p.person.id.clone(), format!("{} ({})", p.person.full_name, p.role.label())));
                }
            }
            incidents.push(record);
        }
    }
    let status = case.status;
    let today = state.today();
    let overdue_review = case.next_review_on.is_some_and(|d| d <= today) && status.is_live();
    let questionnaires = state.store.questionnaires().await?;
    let title_of =
        |qid: &str| questionnaires.iter().find(|q| q.id == qid).map_or_else(|| qid.to_string(), |q| q.title.clone());
    let outstanding = case.tasks.iter().filter(|t| t.status.is_outstanding()).count();
    let overdue_tasks = case.tasks.iter().filter(|t| t.status.is_outstanding() && t.due_on < today).count();
    let manage = lead && can_edit;
    let victims_on_case =
        if manage { state.store.victims_on_case(&permit, &case.id, &actor).await? } else { Vec::new() };
    let body = html! {
        (error_summary(errors))
        @if let Some(n) = notice {
            div class="govuk-notification-banner" role="region" aria-labelledby="notice-title" data-testid="notice" {
                div class="govuk-notification-banner__header" { h2 class="govuk-notification-banner__title" id="notice-title" { "Important" } }
                div class="govuk-notification-banner__content" { p class="govuk-notification-banner__heading" { (n) } }
            }
        }
        span class="govuk-caption-l" { (case.reference) " · led by " (case.owner_agency) }
        h1 class="govuk-heading-l" data-testid="case-title" { (case.plan.title) }
        (share_notices(&shared_to_us))
        dl class="govuk-summary-list" data-testid="case-summary" {
            (summary_row("Status", html! { strong class="govuk-tag govuk-tag--blue" data-testid="case-status" { (status.label()) } @if let Some(o) = &case.outcome { br; "Outcome: " (o) } },
                manage.then_some(("#status", "Change", "status"))))
            (summary_row("Risk", html! {
                (risk_tag(case.risk_level))
                @if let Some(a) = assessments.first() { br; span class="govuk-body-s" { (title_of(&a.assessment.questionnaire_id)) ", " (uk_time(a.assessed_at_ms)) } }
            }, can_edit.then_some(("#risk", "Assess", "risk"))))
            (summary_row("Next review", html! {
                span class={ @if overdue_review { "sn-up" } } data-testid="next-review" {
                    @match case.next_review_on { Some(d) => { (Day(d)) @if overdue_review { " (due)" } }, None => "Not scheduled: assess the risk to set one" }
                }
            }, (manage && status.is_live()).then_some(("#status", "Record a review", "review"))))
            (summary_row("Tasks", html! {
                (outstanding) " outstanding"
                @if overdue_tasks > 0 { ", " strong class="sn-up" { (overdue_tasks) " overdue" } }
                " of " (case.tasks.len())
            }, can_edit.then_some(("#tasks", "Add", "a task"))))
            (summary_row("Incidents", html! { (incidents.len()) " linked" }, can_edit.then_some(("#incidents", "Link", "an incident"))))
            (summary_row("Shared with", html! {
                @if case.shares.is_empty() { "Not shared" }
                @for (i, s) in case.shares.iter().enumerate() { @if i > 0 { "; " } (s.agency) " (" (s.lawful_basis) ")" }
            }, manage.then_some(("#sharing", "Share", "the case"))))
            (summary_row("Opened", html! { (uk_time(case.created_at_ms)) }, None))
        }

        nav class="sn-contents govuk-body" aria-label="On this page" {
            @for (anchor, label) in [("plan", "Plan"), ("risk", "Risk"), ("tasks", "Tasks"), ("interventions", "Interventions"), ("documents", "Documents"), ("incidents", "Incidents"), ("timeline", "Timeline")] {
                a class="govuk-link" href=(format!("#{anchor}")) { (label) }
            }
        }

        (section("Problem-oriented plan (SARA)", "plan", html! {
            dl class="govuk-summary-list" {
                @for (k, v) in [("Scanning: the problem", &case.plan.problem), ("Victim", &case.plan.analysis_victim), ("Offender", &case.plan.analysis_offender),
                    ("Location", &case.plan.analysis_location), ("Handlers, guardians and place managers", &case.plan.analysis_controllers), ("Assessment: did it work", &case.plan.assessment)] {
                    div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { (k) } dd class="govuk-summary-list__value" { @if v.is_empty() { span class="sn-muted" { "Not yet written" } } @else { (v) } } }
                }
            }
            @if manage {
                details class="govuk-details" id="plan-form" {
                    summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Change the plan" } }
                    div class="govuk-details__text" {
                        form method="post" action=(format!("/cases/{}/plan", case.id)) {
                            (csrf_field(user))
                            input type="hidden" name="version" value=(case.version);
                            (input("title", "Title", "text", &case.plan.title, None, errors))
                            (counted_textarea("problem", "Scanning: the problem", &case.plan.problem, None, 3, safetynet_domain::case::Plan::MAX_TEXT, errors))
                            h3 class="govuk-heading-s" { "Analysis: the problem-analysis triangle" }
                            (textarea("analysis_victim", "Victim", &case.plan.analysis_victim, None, 2, errors))
                            (textarea("analysis_offender", "Offender", &case.plan.analysis_offender, None, 2, errors))
                            (textarea("analysis_location", "Location", &case.plan.analysis_location, None, 2, errors))
                            (textarea("analysis_controllers", "Handlers, guardians and place managers", &case.plan.analysis_controllers, None, 2, errors))
                            p class="govuk-body" { "Response: the tasks below." }
                            (textarea("assessment", "Assessment: did it work, and the evidence", &case.plan.assessment, None, 3, errors))
                            button class="govuk-button" type="submit" { "Save plan" }
                        }
                    }
                }
            }
        }))

        (section("Risk", "risk", html! {
            @if assessments.is_empty() { p class="govuk-body" { "Not yet assessed." } }
            @for a in &assessments {
                div class="govuk-inset-text" {
                    strong { (RiskLevel::label(a.assessment.level)) } " on " (uk_time(a.assessed_at_ms)) ": " (title_of(&a.assessment.questionnaire_id)) ", score " (a.assessment.score)
                    @if a.assessment.marac_referral { " · " strong class="govuk-tag govuk-tag--red" { "MARAC referral" } }
                    ul class="govuk-list govuk-body-s" { @for r in &a.assessment.reasons { li { (sentence(r)) } } }
                }
            }
            @if can_edit {
                a class="govuk-button govuk-button--secondary govuk-!-margin-right-2" href=(format!("/cases/{}/risk?questionnaire=asb-victim", case.id)) data-testid="assess-asb" { "ASB victim risk assessment" }
                a class="govuk-button govuk-button--secondary" href=(format!("/cases/{}/risk?questionnaire=dash", case.id)) { "DASH checklist" }
            }
        }))

        (section("Tasks (response)", "tasks", html! {
            @if case.tasks.is_empty() { p class="govuk-body" { "No tasks yet." } }
            @else {
                div class="sn-table-wrap" tabindex="0" role="region" aria-label="Tasks" {
                    table class="govuk-table" data-testid="task-table" {
                        thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Task", "Owner", "Due", "Status"] { th scope="col" class="govuk-table__header" { (h) } } th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Action" } } } }
                        tbody class="govuk-table__body" {
                            @for t in &case.tasks {
                                @let outstanding = t.status.is_outstanding();
                                tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { (t.title) @if !t.notes.is_empty() { br; span class="govuk-body-s" { (t.notes) } } }
                                    td class="govuk-table__cell" { (t.owner_agency) }
                                    td class={ "govuk-table__cell" @if outstanding && t.due_on < today { " sn-up" } } { (Day(t.due_on)) @if outstanding && t.due_on < today { " (overdue)" } }
                                    td class="govuk-table__cell" { (t.status.label()) }
                                    td class="govuk-table__cell" {
                                        @if can_edit && outstanding {
                                            form method="post" action=(format!("/tasks/{}", t.id)) class="sn-inline-form" {
                                                (csrf_field(user))
                                                input type="hidden" name="case" value=(case.id);
                                                input type="hidden" name="notes" value=(t.notes);
                                                input type="hidden" name="status" value="done";
                                                button class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" type="submit" { "Mark done" span class="govuk-visually-hidden" { ": " (t.title) } }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if can_edit {
                form method="post" action=(format!("/cases/{}/tasks", case.id)) {
                    (csrf_field(user))
                    h3 class="govuk-heading-s" { "Add a task" }
                    (input("task_title", "What needs doing", "text", "", None, errors))
                    div class="govuk-grid-row" {
                        div class="govuk-grid-column-one-half" { (select("task_owner", "Owning agency", &agency_options, &user.principal.agency, None, errors)) }
                        div class="govuk-grid-column-one-half" { (input("task_due", "Due date", "date", "", Some("Today or later"), errors)) }
                    }
                    @if errors.iter().any(|(f, _)| f == "task_due") {
                        div class="govuk-form-group" { div class="govuk-checkboxes govuk-checkboxes--small" { (checkbox("confirm_past", PAST_DATE_CONFIRM, false)) } }
                    }
                    button class="govuk-button govuk-button--secondary" type="submit" data-testid="add-task" { "Add task" }
                }
            }
        }))

        (section("Interventions", "interventions", html! {
            @if interventions.iter().any(|x| x.area.is_some()) {
                div class="sn-map" id="intervention-map" data-layer-map="" data-layers=(format!("/api/v1/cases/{}/interventions?format=geojson", case.id)) data-tiles=(state.config.tile_url) role="region" aria-label="Map of the dispersal areas" {}
            }
            @if interventions.is_empty() { p class="govuk-body" { "None recorded." } }
            @else {
                div class="sn-table-wrap" tabindex="0" role="region" aria-label="Interventions" {
                    table class="govuk-table" {
                        thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Intervention", "Against", "Conduct", "Dates", "Breaches"] { th scope="col" class="govuk-table__header" { (h) } } } }
                        tbody class="govuk-table__body" {
                            @for x in &interventions { tr class="govuk-table__row" {
                                td class="govuk-table__cell" { (x.kind.label()) }
                                td class="govuk-table__cell" { (x.subject_name) }
                                td class="govuk-table__cell" { (x.conduct) }
                                td class="govuk-table__cell" {
                                    "Issued " (Day(x.issued_on)) @if let Some(e) = x.expires_at_ms { br; "Expires " (uk_time(e)) }
                                    @if let Some(by) = x.compliance_by { br; "Stop by " (Day(by)) }
                                    @if let Some(n) = &x.next_date { br; strong { (n.what) " " (Day(n.on)) } }
                                    @if let (Some(b), Some(a)) = (x.legal_basis, x.amount_pence) { br; (b.label()) ": " (safetynet_domain::fixed_penalty::pounds(a)) }
                                }
                                td class="govuk-table__cell" {
                                    (x.breaches) @if x.breaches == 1 { " breach" } @else { " breaches" }
                                    @if can_edit && safetynet_domain::letters::template(x.kind).is_some() {
                                        form method="post" action=(format!("/interventions/{}/letter", x.id)) novalidate {
                                            (csrf_field(user))
                                            input type="hidden" name="case" value=(case.id);
                                            @if x.kind == InterventionKind::ClosureNotice {
                                                (input(&format!("hearing-{}", x.id), "Court hearing: where and when", "text", "", None, errors))
                                            }
                                            button class="govuk-button govuk-button--secondary govuk-!-margin-bottom-1" type="submit" data-testid="produce-letter" { "Produce the " (x.kind.label().to_lowercase()) " (PDF)" }
                                        }
                                    }
                                    @if can_edit {
                                        details class="govuk-details govuk-!-margin-bottom-0" {
                                            summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Record a breach" } }
                                            div class="govuk-details__text" {
                                                form method="post" action=(format!("/cases/{}/breaches", case.id)) novalidate {
                                                    (csrf_field(user))
                                                    input type="hidden" name="intervention" value=(x.id);
                                                    (input(&format!("breached_at-{}", x.id), "When", "datetime-local", "", None, errors))
                                                    (input(&format!("breach_notes-{}", x.id), "What happened", "text", "", None, errors))
                                                    button class="govuk-button govuk-button--secondary" type="submit" data-testid="record-breach" { "Record breach" }
                                                }
                                            }
                                        }
                                    }
                                }
                            } }
                        }
                    }
                }
            }
            @if can_edit {
                details class="govuk-details" id="intervention-form" open[errors.iter().any(|(f, _)| INTERVENTION_FIELDS.contains(&f.as_str()))] {
                    summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Record an intervention" } }
                    div class="govuk-details__text" {
                        form method="post" action=(format!("/cases/{}/interventions", case.id)) {
                            (csrf_field(user))
                            (select("kind", "Intervention", &InterventionKind::ALL.iter().map(|k| (k.as_str().to_string(), k.label().to_string())).collect::<Vec<_>>(), "", None, errors))
                            (select("person_id", "Against", &people, "", Some("Someone not listed (give a name)"), errors))
                            (input("subject_name", "Name of person or business (if not listed)", "text", "", None, errors))
                            (input("subject_dob", "Their date of birth (if not listed)", "date", "", None, errors))
                            (input("conduct", "Conduct addressed", "text", "", None, errors))
                            div class="govuk-grid-row" {
                                div class="govuk-grid-column-one-third" { (input("issued_on", "Issued on", "date", &today.to_string(), None, errors)) }
                                div class="govuk-grid-column-one-third" { (input("starts_at", "In force from", "datetime-local", "", None, errors)) }
                                div class="govuk-grid-column-one-third" { (input("expires_at", "Expires (optional)", "datetime-local", "", None, errors)) }
                            }
                            (select("follows_id", "Follows", &follows, "", Some("Nothing earlier"), errors))
                            p class="govuk-hint" { "A CPN names its warning (CPW); a fixed penalty for a CPN breach names the CPN; a closure order names its notice; an extension names its order; possession names the breached order." }
                            fieldset class="govuk-fieldset" {
                                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "What the law asks for with this power" }
                                div class="govuk-grid-row" {
                                    div class="govuk-grid-column-one-half" { (input("compliance_by", "Warning: stop by (CPW)", "date", "", None, errors)) }
                                    div class="govuk-grid-column-one-half" { (input("convicted_on", "Conviction date (CBO, possession)", "date", "", None, errors)) }
                                }
                                div class="govuk-grid-row" {
                                    div class="govuk-grid-column-one-half" { (select("legal_basis", "Fixed penalty legal basis", &bases, "", Some("Not a fixed penalty"), errors)) }
                                    div class="govuk-grid-column-one-half" { (input("amount", "Fixed penalty amount in pounds", "number", "", None, errors)) }
                                }
                                (select("pspo_id", "Public spaces protection order breached", &orders, "", Some("None"), errors))
                                (select("authorised_by", "Authorised by (closure notice, dispersal)", &authorisers, "", Some("Not needed"), errors))
                                (input("items_surrendered", "Items surrendered (dispersal)", "text", "", None, errors))
                                div class="govuk-hint" { "For a dispersal authorisation, click on the map to draw the area it covers." }
                                div class="sn-map sn-map--draw" id="dispersal-draw" data-draw-target="area" data-tiles=(state.config.tile_url) role="region" aria-label="Map for drawing the dispersal area" {}
                                (textarea("area", "Dispersal area (a GeoJSON Polygon; drawn on the map above)", "", None, 2, errors))
                                div class="govuk-form-group" { div class="govuk-checkboxes govuk-checkboxes--small" { (checkbox("yot_consulted", "The youth offending team was consulted (under 18s)", false)) } }
                            }
                            button class="govuk-button govuk-button--secondary" type="submit" { "Record intervention" }
                        }
                    }
                }
            }
        }))

        (section("Documents and evidence", "documents", super::documents::section(user, &format!("/cases/{}/documents", case.id), &documents, can_edit, errors)))

        (section("Incidents", "incidents", html! {
            ul class="govuk-list govuk-list--bullet" {
                @for i in &incidents { li { a class="govuk-link" href=(format!("/incidents/{}", i.id)) { (i.reference) } " · " (uk_time(i.reported_at_ms)) " · " (i.address) } }
            }
            @if can_edit {
                form method="post" action=(format!("/cases/{}/incidents", case.id)) {
                    (csrf_field(user))
                    (input("incident", "Link another incident (reference)", "text", "", Some("For example, INC-2026-000123"), errors))
                    button class="govuk-button govuk-button--secondary" type="submit" { "Link incident" }
                }
            }
        }))

        @if manage {
            (section("Status and reviews", "status", html! {
                @if status.is_live() {
                    form method="post" action=(format!("/cases/{}/reviews", case.id)) {
                        (csrf_field(user))
                        (textarea("review_notes", "Record a review", "", Some("What was reviewed and decided. The next review is scheduled from the risk level."), 2, errors))
                        button class="govuk-button govuk-button--secondary" type="submit" { "Record review" }
                    }
                }
                form method="post" action=(format!("/cases/{}/status", case.id)) {
                    (csrf_field(user))
                    input type="hidden" name="version" value=(case.version);
                    (select("status", "Move the case to", &status.next().iter().map(|s| (s.as_str().to_string(), s.label().to_string())).collect::<Vec<_>>(), "", None, errors))
                    (input("outcome", "Outcome (needed to close)", "text", "", None, errors))
                    button class="govuk-button govuk-button--secondary" type="submit" { "Change status" }
                }
            }))
            (section("Keeping the victim informed", "victims", super::victim_updates::section(user, &case.id, &victims_on_case, victim, errors)))
            (section("Sharing", "sharing", html! {
                p class="govuk-body" { "Sharing lets another agency see this case in full and add tasks and notes. Record the lawful basis." }
                form method="post" action=(format!("/cases/{}/shares", case.id)) {
                    (csrf_field(user))
                    (select("agency", "Share with", &agency_options.iter().filter(|(c, _)| c != &user.principal.agency).cloned().collect::<Vec<_>>(), "", None, errors))
                    (select("lawful_basis", "Lawful basis", &LAWFUL_BASES.iter().map(|b| (b.to_string(), b.to_string())).collect::<Vec<_>>(), "", None, errors))
                    button class="govuk-button govuk-button--secondary" type="submit" data-testid="share" { "Share case" }
                }
            }))
        }

        (section("Timeline", "timeline", html! {
            @if can_edit {
                form method="post" action=(format!("/cases/{}/notes", case.id)) {
                    (csrf_field(user))
                    (counted_textarea("note", "Add a note", "", None, 2, CaseNote::MAX, errors))
                    button class="govuk-button govuk-button--secondary" type="submit" { "Add note" }
                }
            }
            ol class="govuk-list" data-testid="timeline" {
                @for e in case.timeline.iter().rev() {
                    li class="govuk-!-margin-bottom-2" { span class="govuk-body-s govuk-!-margin-right-2" { (uk_time(e.at_ms)) } strong class="govuk-tag govuk-tag--grey govuk-!-margin-right-2" { (sentence(&e.kind)) } (e.summary) }
                }
            }
        }))
    };
    let map = can_edit || interventions.iter().any(|x| x.area.is_some());
    Ok(page(Some(user), Nav::Cases, &case.reference, PageOpts { map, ..PageOpts::default() }, body))
}

/// `GET /cases/{id}`.
pub async fn show(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult<Html<String>> {
    let q: ShowQuery = parse_query(raw.as_deref())?;
    let notice = q.warning.as_deref().and_then(safetynet_domain::interventions::warning_advice);
    render_with(&state, &user, &id, &Vec::new(), notice, q.victim.as_deref()).await
}

/// Redirects back to the case, or re-renders it with the refusal at the top.
async fn after(
    state: &AppState,
    user: &PageUser,
    id: &str,
    result: Result<(), PageError>,
    field: &str,
) -> PageResult<Response> {
    super::form_result(result, &format!("/cases/{id}"), field, |errors| async move {
        render(state, user, id, &errors).await
    })
    .await
}

/// The case's version as a form carries it (to refuse a stale edit).
fn version(v: &str) -> Result<i64, AppError> {
    v.trim().parse().map_err(|_| AppError::BadRequest("the form is missing the case version: reload the page".into()))
}

/// The plan form: the SARA fields of [`Plan`] and the case's version.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct PlanForm {
    version: String,
    title: String,
    problem: String,
    analysis_victim: String,
    analysis_offender: String,
    analysis_location: String,
    analysis_controllers: String,
    assessment: String,
}

impl From<PlanForm> for Plan {
    fn from(f: PlanForm) -> Self {
        Plan {
            title: f.title,
            problem: f.problem,
            analysis_victim: f.analysis_victim,
            analysis_offender: f.analysis_offender,
            analysis_location: f.analysis_location,
            analysis_controllers: f.analysis_controllers,
            assessment: f.assessment,
        }
    }
}

/// `POST /cases/{id}/plan`.
pub async fn save_plan(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<PlanForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let version = version(&f.version)?;
        let plan = Plan::from(f);
        plan.check().map_err(AppError::BadRequest)?;
        state.store.update_plan(&permit, &id, version, &plan, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "title").await
}

/// The status form: the status asked for, the outcome and the case's version.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct StatusForm {
    version: String,
    status: String,
    outcome: Option<String>,
}

/// `POST /cases/{id}/status`.
pub async fn change_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<StatusForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let change = StatusChange::new(&f.status, f.outcome.as_deref()).map_err(AppError::BadRequest)?;
        state.store.change_status(&permit, &id, version(&f.version)?, &change, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "status").await
}

/// The review form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    review_notes: String,
}

/// `POST /cases/{id}/reviews`.
pub async fn record_review(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ReviewForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let note = ReviewNote::new(&f.review_notes).map_err(AppError::BadRequest)?;
        state
            .store
            .record_review(&permit, &id, &note, state.today(), &state.config.safety.reviews, &user.actor())
            .await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "review_notes").await
}

/// The form that links an incident to a case.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct LinkForm {
    incident: String,
}

/// `POST /cases/{id}/incidents`.
pub async fn link_incident(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<LinkForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let link = IncidentLink::new(&f.incident).map_err(AppError::BadRequest)?;
        match state.store.link_incident(&permit, &id, &link, &user.actor()).await {
            Err(StoreError::NotFound("incident")) => {
                Err(AppError::BadRequest(format!("no incident {} that you can see", link.as_str())).into())
            }
            other => other.map_err(PageError::from),
        }
    }
    .await;
    after(&state, &user, &id, r, "incident").await
}

/// The new-task form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TaskForm {
    task_title: String,
    task_owner: String,
    task_due: String,
    /// Ticked when the officer confirms a due date in the past (recording
    /// work that is already late).
    confirm_past: Option<String>,
}

impl TryFrom<TaskForm> for NewTask {
    type Error = AppError;
    fn try_from(f: TaskForm) -> Result<Self, AppError> {
        let due_on = parse_date(&f.task_due).ok_or_else(|| AppError::BadRequest("enter a due date".into()))?;
        let owner_agency = given(&f.task_owner).map(String::from);
        Ok(NewTask { title: f.task_title, owner_agency, owner_officer_id: None, due_on, notes: String::new() })
    }
}

/// `POST /cases/{id}/tasks`.
pub async fn add_task(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<TaskForm>,
) -> PageResult<Response> {
    let today = state.today();
    let confirmed = f.confirm_past.is_some();
    let field = match parse_date(&f.task_due) {
        Some(due) if due >= today || confirmed => "task_title",
        _ => "task_due",
    };
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let task = NewTask::try_from(f)?;
        if task.due_on < today && !confirmed {
            return Err(AppError::BadRequest(format!(
                "the due date {} is in the past, so the task would be overdue at once: check the date, or tick \"{PAST_DATE_CONFIRM}\" to add it anyway",
                Day(task.due_on)
            ))
            .into());
        }
        task.check().map_err(AppError::BadRequest)?;
        state.store.add_task(&permit, &id, &task, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, field).await
}

/// A task's status form (it names the case to return to).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TaskStatusForm {
    case: String,
    status: String,
    notes: String,
}

/// `POST /tasks/{id}`.
pub async fn update_task(
    State(state): State<AppState>,
    Path(task): Path<String>,
    CsrfForm(user, f): CsrfForm<TaskStatusForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let update = TaskUpdate::new(&f.status, &f.notes).map_err(AppError::BadRequest)?;
        state.store.update_task(&permit, &task, &update, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &f.case, r, "tasks").await
}

/// The note form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NoteForm {
    note: String,
}

/// `POST /cases/{id}/notes`.
pub async fn add_note(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<NoteForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let note = CaseNote::new(&f.note).map_err(AppError::BadRequest)?;
        state.store.add_note(&permit, &id, &note, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "note").await
}

/// The share form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ShareForm {
    agency: String,
    lawful_basis: String,
}

/// `POST /cases/{id}/shares`.
pub async fn share(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ShareForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let share = CaseShare::new(&f.agency, &f.lawful_basis).map_err(AppError::BadRequest)?;
        state.store.share_case(&permit, &id, &share, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "agency").await
}

/// The breach form: which intervention, and its `breached_at-{id}` and
/// `breach_notes-{id}` inputs (one pair per intervention on the page).
#[derive(Debug, Default, serde::Deserialize)]
pub struct BreachForm {
    #[serde(default)]
    intervention: String,
    #[serde(flatten)]
    inputs: PerRecord,
}

/// `POST /cases/{id}/breaches`: a breach of one of the case's interventions.
pub async fn add_breach(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<BreachForm>,
) -> PageResult<Response> {
    let at = format!("breached_at-{}", f.intervention);
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let when = parse_local_datetime(f.inputs.of("breached_at", &f.intervention))
            .ok_or_else(|| AppError::BadRequest("enter when the breach happened".into()))?;
        let notes = f.inputs.of("breach_notes", &f.intervention);
        let report = BreachReport::new(when, notes, state.clock.now()).map_err(AppError::BadRequest)?;
        state.store.add_breach(&permit, &f.intervention, &report, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, &at).await
}

/// The intervention form: dates and times as the browser sends them, the
/// amount in pounds.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct InterventionForm {
    kind: String,
    person_id: String,
    subject_name: String,
    subject_dob: String,
    conduct: String,
    issued_on: String,
    starts_at: String,
    expires_at: String,
    amount: String,
    legal_basis: String,
    follows_id: String,
    pspo_id: String,
    authorised_by: String,
    compliance_by: String,
    convicted_on: String,
    yot_consulted: String,
    items_surrendered: String,
    area: String,
}

/// An optional date field: blank is `None`, anything else must be a date.
fn optional_date(value: &str, what: &str) -> Result<Option<chrono::NaiveDate>, AppError> {
    given(value)
        .map(|v| parse_date(v).ok_or_else(|| AppError::BadRequest(format!("enter {what} as a date"))))
        .transpose()
}

impl InterventionForm {
    /// The command the API takes; `now` stands in for a start time that
    /// cannot be placed in UK time. A refusal names the field it is about.
    fn into_command(self, now: chrono::DateTime<chrono::Utc>) -> Result<NewIntervention, (&'static str, AppError)> {
        let bad = |field: &'static str| move |e: AppError| (field, e);
        let kind = InterventionKind::parse(&self.kind).map_err(|e| ("kind", AppError::BadRequest(e.to_string())))?;
        let issued_on = parse_date(&self.issued_on)
            .ok_or_else(|| ("issued_on", AppError::BadRequest("enter the issue date".into())))?;
        let starts_at = match given(&self.starts_at) {
            Some(s) => parse_local_datetime(s)
                .ok_or_else(|| ("starts_at", AppError::BadRequest("enter when it is in force from".into())))?,
            None => parse_local_datetime(&format!("{issued_on}T00:00")).unwrap_or(now),
        };
        let expires_at = match given(&self.expires_at) {
            Some(s) => Some(
                parse_local_datetime(s)
                    .ok_or_else(|| ("expires_at", AppError::BadRequest("enter a valid expiry".into())))?,
            ),
            None => None,
        };
        let amount_pence =
            crate::forms::pence(&self.amount, "amount").map_err(|e| ("amount", AppError::BadRequest(e)))?;
        let legal_basis = given(&self.legal_basis)
            .map(FpnBasis::parse)
            .transpose()
            .map_err(|e| ("legal_basis", AppError::BadRequest(e)))?;
        let authorised_by = given(&self.authorised_by)
            .map(Authoriser::parse)
            .transpose()
            .map_err(|e| ("authorised_by", AppError::BadRequest(e)))?;
        Ok(NewIntervention {
            kind,
            person_id: given(&self.person_id).map(String::from),
            subject_name: self.subject_name,
            subject_date_of_birth: optional_date(&self.subject_dob, "their date of birth")
                .map_err(bad("subject_dob"))?,
            subject_is_business: false,
            conduct: self.conduct,
            issued_on,
            starts_at,
            expires_at,
            amount_pence,
            legal_basis,
            follows_id: given(&self.follows_id).map(String::from),
            pspo_id: given(&self.pspo_id).map(String::from),
            authorised_by,
            compliance_by: optional_date(&self.compliance_by, "the compliance date").map_err(bad("compliance_by"))?,
            convicted_on: optional_date(&self.convicted_on, "the conviction date").map_err(bad("convicted_on"))?,
            yot_consulted: self.yot_consulted == "true",
            items_surrendered: self.items_surrendered,
            area: given(&self.area).map(polygon_ring).transpose().map_err(|m| ("area", AppError::BadRequest(m)))?,
        })
    }
}

/// The intervention form's field a statutory rule is about.
fn rule_field(rule: &str) -> &'static str {
    match rule {
        "fpn_legal_basis_required" => "legal_basis",
        "fpn_amount_required" | "fpn_amount_above_maximum" => "amount",
        "cpn_requires_cpw"
        | "cpw_other_subject"
        | "cpw_compliance_period_running"
        | "fpn_requires_cpn"
        | "closure_order_requires_notice"
        | "closure_hearing_within_48_hours"
        | "extension_requires_closure_order"
        | "extension_after_order_ended"
        | "possession_condition_required" => "follows_id",
        "pspo_required" | "pspo_not_in_force" => "pspo_id",
        "dispersal_area_required" => "area",
        "dispersal_authorisation_rank" | "closure_notice_authorisation_rank" | "closure_notice_max_24_hours" => {
            "authorised_by"
        }
        "cpw_compliance_date_required" | "cpw_compliance_date_before_issue" => "compliance_by",
        "cbo_requires_conviction" => "convicted_on",
        "yot_consultation_required" => "yot_consulted",
        "person_record_required" | "subject_required" => "person_id",
        "date_of_birth_required"
        | "cpn_minimum_age"
        | "injunction_minimum_age"
        | "cbo_minimum_age"
        | "dispersal_minimum_age" => "subject_dob",
        "expiry_before_start" | "expiry_required" => "expires_at",
        r if r.contains("max") || r.contains("duration") || r.contains("minimum_2_years") => "expires_at",
        _ => "kind",
    }
}

/// `POST /cases/{id}/documents`: a document or evidence attached to the
/// case; a refusal (type, size) is shown at the form.
pub async fn upload_document(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfUpload(user, form): CsrfUpload,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let settings = &state.config.safety.documents;
        let upload = form.upload()?;
        let at = Attached::Case(&id);
        state.store.add_document(&permit, at, &upload, &settings.storage(), settings.max_bytes, &user.actor()).await?;
        Ok(())
    }
    .await;
    after(&state, &user, &id, r, "file").await
}

/// The letter form: the case to return to, and a closure notice's
/// `hearing-{intervention id}` (one per intervention on the page).
#[derive(Debug, Default, serde::Deserialize)]
pub struct LetterForm {
    #[serde(default)]
    case: String,
    #[serde(flatten)]
    inputs: PerRecord,
}

/// `POST /interventions/{id}/letter`: the intervention's letter or notice
/// as a PDF, kept on the case; a refusal is shown on the case page.
pub async fn produce_letter(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<LetterForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let settings = &state.config.safety.documents;
        let hearing = given(f.inputs.of("hearing", &id));
        safetynet_app::letters::produce(&state.store, &permit, &id, hearing, settings, &user.actor()).await?;
        Ok(())
    }
    .await;
    let field = format!("hearing-{id}");
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/cases/{}#documents", f.case)).into_response()),
        other => after(&state, &user, &f.case, other, &field).await,
    }
}

/// The case page's query: a warning to explain (by rule name) after an
/// intervention was recorded.
#[derive(Debug, Default, serde::Deserialize)]
struct ShowQuery {
    #[serde(default)]
    warning: Option<String>,
    /// The victim whose update forms to show.
    #[serde(default)]
    victim: Option<String>,
}

/// `POST /cases/{id}/interventions`.
pub async fn add_intervention(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<InterventionForm>,
) -> PageResult<Response> {
    let mut field = "kind";
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let new = super::noting(f.into_command(state.clock.now()), &mut field)?;
        new.check().map_err(AppError::BadRequest)?;
        let recorded =
            state.store.add_intervention(&permit, &id, &new, &state.config.safety.fpn, &user.actor()).await.map_err(
                |e| {
                    if let safetynet_store::StoreError::Rule(rule, _) = &e {
                        field = rule_field(rule);
                    }
                    AppError::from(e)
                },
            )?;
        Ok(recorded.warnings.first().map(|w| w.rule))
    }
    .await;
    match r {
        Ok(Some(warning)) => Ok(Redirect::to(&format!("/cases/{id}?warning={warning}#interventions")).into_response()),
        other => after(&state, &user, &id, other.map(|_| ()), field).await,
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct RiskQuery {
    #[serde(default)]
    questionnaire: Option<String>,
}

/// The risk form: the questionnaire, a yes/no radio per question (named by
/// the question's id) and the optional professional judgement.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RiskForm {
    #[serde(default)]
    questionnaire: String,
    #[serde(default)]
    judgement_level: String,
    #[serde(default)]
    judgement_reason: String,
    #[serde(flatten)]
    radios: PerRecord,
}

impl RiskForm {
    /// The answer given to a question, if any.
    fn answer(&self, question: &str) -> Option<Answer> {
        match self.radios.named(question) {
            "yes" => Some(Answer::Yes),
            "no" => Some(Answer::No),
            "not_known" => Some(Answer::NotKnown),
            _ => None,
        }
    }

    /// The request the API takes, answering `q`'s questions.
    fn request(&self, q: &Questionnaire) -> AssessmentRequest {
        let answers: Answers =
            q.questions.iter().filter_map(|x| self.answer(&x.id).map(|a| (x.id.clone(), a))).collect();
        let judgement = RiskLevel::parse(&self.judgement_level)
            .ok()
            .map(|level| Judgement { level, reason: self.judgement_reason.clone() });
        let person_id = given(self.radios.named("person_id")).map(String::from);
        AssessmentRequest { questionnaire: q.id.clone(), answers, judgement, person_id }
    }
}

async fn questionnaire(state: &AppState, id: &str) -> PageResult<Questionnaire> {
    let q = state.store.questionnaires().await?.into_iter().find(|q| q.id == id);
    Ok(q.ok_or(AppError::NotFound("questionnaire"))?)
}

/// The victims on a case's incidents the viewer may see, as (person id,
/// name) options: a DASH assessment is about one of them.
async fn victims(state: &AppState, user: &PageUser, case_id: &str) -> PageResult<Vec<(String, String)>> {
    let permit = user.permit::<ViewRecords>()?;
    let actor = user.actor();
    let Visible::Full { record: case } = state.store.case(&permit, case_id, &actor).await? else {
        return Ok(Vec::new());
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for iid in &case.incident_ids {
        if let Visible::Full { record } = state.store.incident(&permit, iid, &actor).await? {
            for p in record.people.iter().filter(|p| p.role == PersonRole::Victim) {
                if !out.iter().any(|(id, _)| id == &p.person.id) {
                    out.push((p.person.id.clone(), p.person.full_name.clone()));
                }
            }
        }
    }
    Ok(out)
}

fn risk_form(
    user: &PageUser,
    id: &str,
    q: &Questionnaire,
    victims: &[(String, String)],
    f: &RiskForm,
    errors: &Errors,
) -> Html<String> {
    let levels: Vec<(String, String)> =
        RiskLevel::ALL.iter().map(|l| (l.as_str().to_string(), l.label().to_string())).collect();
    let dash = q.kind == QuestionnaireKind::Dash;
    let options: &[(&str, &str)] = if dash {
        &[("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]
    } else {
        &[("yes", "Yes"), ("no", "No")]
    };
    let body = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { "Case risk assessment" }
        h1 class="govuk-heading-l" { (q.title) }
        p class="govuk-body" { "Version " (q.version) ". Answer every question. Medium risk from " (q.medium_at) " points, high from " (q.high_at) "." }
        form method="post" action=(format!("/cases/{id}/risk")) novalidate {
            (csrf_field(user))
            input type="hidden" name="questionnaire" value=(q.id);
            @if dash {
                (select("person_id", "Victim", victims, f.radios.named("person_id"), Some("Choose the victim"), errors))
                p class="govuk-body" { "DASH is about one victim: their domestic abuse incidents in the last 12 months, across every agency, and any MARAC referral in the last year count towards it." }
            }
            @for question in &q.questions {
                @let current = f.radios.named(&question.id);
                (answer_radios(&question.id, &question.text, given(current), options, errors))
            }
            h2 class="govuk-heading-m" { "Professional judgement (optional)" }
            p class="govuk-body" { "You may raise the level, never lower it, and you must give a reason." }
            (select("judgement_level", "Raise the level to", &levels, &f.judgement_level, Some("No change"), errors))
            (textarea("judgement_reason", "Reason", &f.judgement_reason, None, 2, errors))
            button class="govuk-button" type="submit" data-testid="submit-risk" { "Save assessment" }
        }
    };
    page(Some(user), Nav::Cases, &q.title, PageOpts::default(), body)
}

/// `GET /cases/{id}/risk?questionnaire=`.
pub async fn risk(
    State(state): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> PageResult<Html<String>> {
    user.permit::<EditRecords>()?;
    let q: RiskQuery = parse_query(raw.as_deref())?;
    let q = questionnaire(&state, q.questionnaire.as_deref().unwrap_or("asb-victim")).await?;
    let victims = victims(&state, &user, &id).await?;
    Ok(risk_form(&user, &id, &q, &victims, &RiskForm::default(), &Vec::new()))
}

/// `POST /cases/{id}/risk`: every unanswered question is shown at once;
/// the rest of the request is checked as the API's is.
pub async fn assess(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<RiskForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let q = questionnaire(&state, &f.questionnaire).await?;
    let request = f.request(&q);
    let mut errors: Errors =
        q.unanswered(&request.answers).map(|x| (x.id.clone(), format!("Answer: {}", x.text))).collect();
    if errors.is_empty() {
        let today = state.today();
        match state.store.assess_risk(&permit, &id, &request, today, &state.config.safety.reviews, &user.actor()).await
        {
            Ok(_) => return Ok(Redirect::to(&format!("/cases/{id}#risk")).into_response()),
            Err(StoreError::Rule(rule, message)) => {
                let field = if rule.contains("victim") { "person_id" } else { "judgement_level" };
                errors.push((field.into(), message))
            }
            Err(e) => return Err(e.into()),
        }
    }
    let victims = victims(&state, &user, &id).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, risk_form(&user, &id, &q, &victims, &f, &errors)).into_response())
}
