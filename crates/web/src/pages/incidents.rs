//! Incident pages: the list, the recording form (with a map pin where
//! JavaScript runs), and the incident page with its people, the repeats
//! found across agencies (signposted where the viewer may not look), and
//! the way into a case.

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageResult};
use crate::forms::{
    checkbox, counted_textarea, given, input, local_datetime_value, parse_date, parse_local_datetime, select, textarea,
    Errors,
};
use crate::layout::{csrf_field, error_summary, page, pagination, uk_time, Day, Nav, PageOpts};
use crate::params::parse_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use safetynet_domain::categories::Category;
use safetynet_domain::incident::{validate, HateStrand, IncidentInput, PersonRole, Source, MAX_DESCRIPTION};
use safetynet_domain::policy::{EditRecords, ViewRecords, Visible};
use safetynet_store::documents::Attached;
use safetynet_store::incidents::{Incident, IncidentFilter, NewPerson, Submitted};

const PER_PAGE: i64 = 25;

fn category_options(cats: &[Category]) -> Vec<(String, String)> {
    cats.iter().map(|c| (c.code.clone(), format!("{}: {}", c.group, c.label))).collect()
}

fn category_label(cats: &[Category], code: &str) -> String {
    cats.iter().find(|c| c.code == code).map_or_else(|| code.to_string(), |c| c.label.clone())
}

/// A table of incidents.
pub fn incident_table(items: &[Incident], cats: &[Category]) -> Markup {
    html! {
        table class="govuk-table" data-testid="incident-table" {
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                @for h in ["Reference", "Reported", "Category", "Where", "Agency"] { th scope="col" class="govuk-table__header" { (h) } }
            } }
            tbody class="govuk-table__body" {
                @for i in items { tr class="govuk-table__row" {
                    td class="govuk-table__cell" { a class="govuk-link" href=(format!("/incidents/{}", i.id)) { (i.reference) } }
                    td class="govuk-table__cell" { (uk_time(i.reported_at_ms)) }
                    td class="govuk-table__cell" { (category_label(cats, &i.category)) }
                    td class="govuk-table__cell" { (i.address) }
                    td class="govuk-table__cell" { (i.owner_agency) }
                } }
            }
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

/// `GET /incidents`.
pub async fn list(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let q: ListQuery = parse_query(raw.as_deref())?;
    let page_no =
        q.page.as_deref().and_then(|p| p.parse::<i64>().ok()).filter(|p| (1..=100_000).contains(p)).unwrap_or(1);
    let text = q.q.clone().filter(|t| !t.trim().is_empty() && t.len() <= 100);
    let category = q.category.clone().filter(|c| !c.is_empty());
    let filter = IncidentFilter { text: text.clone(), category: category.clone() };
    let (items, total) =
        state.store.incidents(&permit, &filter, PER_PAGE, (page_no - 1) * PER_PAGE, &user.actor()).await?;
    let cats = state.store.categories().await?;
    let link = serde_urlencoded::to_string([
        ("q", text.as_deref().unwrap_or("")),
        ("category", category.as_deref().unwrap_or("")),
    ])
    .unwrap_or_default();
    let body = html! {
        h1 class="govuk-heading-l" { "Incidents" }
        @if user.principal.can::<EditRecords>() { a class="govuk-button" href="/incidents/new" data-testid="record-incident" { "Record an incident" } }
        p class="govuk-body" { a class="govuk-link" href="/public-reports" data-testid="report-queue-link" { "Reports from the public waiting for your agency" } }
        form method="get" action="/incidents" class="sn-filters" {
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-half" { (input("q", "Reference, address or description", "text", text.as_deref().unwrap_or(""), None, &Vec::new())) }
                div class="govuk-grid-column-one-half" { (select("category", "Category", &category_options(&cats), category.as_deref().unwrap_or(""), Some("All categories"), &Vec::new())) }
            }
            button class="govuk-button govuk-button--secondary" type="submit" { "Search" }
        }
        p class="govuk-body" { strong { (total) } " incidents you can see (your agency's, and those shared with it)." }
        (incident_table(&items, &cats))
        (pagination(&format!("/incidents?{link}"), page_no, PER_PAGE, total))
    };
    Ok(page(Some(&user), Nav::Incidents, "Incidents", PageOpts::default(), body))
}

fn form_page(
    state: &AppState,
    user: &PageUser,
    cats: &[Category],
    form: Option<&IncidentForm>,
    errors: &Errors,
) -> Html<String> {
    let now = state.clock.now();
    let blank = IncidentForm::default();
    let f = form.unwrap_or(&blank);
    let reported = if form.is_none() { local_datetime_value(now) } else { f.reported_at.clone() };
    let sources: Vec<(String, String)> = Source::ALL.iter().map(|s| (s.as_str().into(), s.label().into())).collect();
    let strands: Vec<(String, String)> =
        HateStrand::ALL.iter().map(|s| (s.as_str().into(), s.label().into())).collect();
    let source = given(&f.source).unwrap_or("public");
    let body = html! {
        (error_summary(errors))
        span class="govuk-caption-l" { (user.principal.agency) }
        h1 class="govuk-heading-l" { "Record an incident" }
        form method="post" action="/incidents" novalidate {
            (csrf_field(user))
            h2 class="govuk-heading-m" { "What happened" }
            (select("category", "Category", &category_options(cats), &f.category, Some("Choose a category"), errors))
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-half" { (input("occurred_from", "When did it happen (or start)?", "datetime-local", &f.occurred_from, Some("UK time"), errors)) }
                div class="govuk-grid-column-one-half" { (input("occurred_to", "Until (optional)", "datetime-local", &f.occurred_to, Some("For a period, such as overnight"), errors)) }
            }
            (input("reported_at", "When was it reported?", "datetime-local", &reported, None, errors))
            (counted_textarea("description", "Description", &f.description, Some("What happened, in the words of the person reporting it where possible"), 5, MAX_DESCRIPTION, errors))
            (select("source", "Reported by", &sources, source, None, errors))
            h2 class="govuk-heading-m" { "Where" }
            div class="govuk-form-group" data-place-search="" hidden {
                label class="govuk-label" for="place_q" { "Find an address, street or postcode" }
                div class="govuk-hint" id="place_q-hint" { "Type at least 3 characters and choose a place: it fills in the address, UPRN and map pin" }
                div class="sn-place-search" {
                    input class="govuk-input" id="place_q" type="search" autocomplete="off" aria-describedby="place_q-hint";
                    button type="button" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-testid="find-place" { "Find" }
                }
                p class="govuk-body-s sn-place-status" role="status" aria-live="polite" {}
                ul class="govuk-list sn-place-results" data-testid="place-results" {}
            }
            (input("address", "Address or place", "text", &f.address, None, errors))
            (input("uprn", "UPRN (optional)", "text", &f.uprn, Some("Unique Property Reference Number, up to 12 digits"), errors))
            div class="sn-map sn-map--picker" data-pin-picker="" data-tiles=(state.config.tile_url) role="region" aria-label="Map: click to set the location" {}
            div class="govuk-grid-row" {
                div class="govuk-grid-column-one-half" { (input("latitude", "Latitude", "number", &f.latitude, None, errors)) }
                div class="govuk-grid-column-one-half" { (input("longitude", "Longitude", "number", &f.longitude, None, errors)) }
            }
            (input("outside_area_reason", "If the location is outside the partnership's area, why record it here?", "text", &f.outside_area_reason, None, errors))
            h2 class="govuk-heading-m" { "Flags" }
            (select("hate_strand", "Hate motivated?", &strands, &f.hate_strand, Some("Not hate motivated"), errors))
            div class="govuk-form-group" { div class="govuk-checkboxes govuk-checkboxes--small" {
                (checkbox("domestic_abuse", "Domestic-abuse related", f.domestic_abuse))
                (checkbox("involves_child", "Involves a child", f.involves_child))
                (checkbox("repeat", "Reported as a repeat", f.repeat))
            } }
            h2 class="govuk-heading-m" { "People" }
            @for (p, title) in f.people().into_iter().zip(["Victim", "Perpetrator or suspect"]) {
                @let role = p.prefix;
                fieldset class="govuk-fieldset govuk-!-margin-bottom-6" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (title) " (optional)" }
                    (input(&format!("{role}_name"), "Full name", "text", p.name, None, errors))
                    (input(&format!("{role}_dob"), "Date of birth", "date", p.dob, None, errors))
                    (input(&format!("{role}_address"), "Address", "text", p.address, None, errors))
                }
            }
            button type="submit" class="govuk-button" data-module="govuk-button" { "Record incident" }
        }
    };
    page(Some(user), Nav::Incidents, "Record an incident", PageOpts { map: true, ..PageOpts::default() }, body)
}

/// `GET /incidents/new`.
pub async fn new(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    user.permit::<EditRecords>()?;
    let cats = state.store.categories().await?;
    Ok(form_page(&state, &user, &cats, None, &Vec::new()))
}

/// The incident form: times as `datetime-local` values in UK time,
/// coordinates as typed, flags as ticked checkboxes and up to two people.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct IncidentForm {
    category: String,
    occurred_from: String,
    occurred_to: String,
    reported_at: String,
    description: String,
    source: String,
    address: String,
    uprn: String,
    latitude: String,
    longitude: String,
    outside_area_reason: String,
    hate_strand: String,
    domestic_abuse: bool,
    involves_child: bool,
    repeat: bool,
    victim_name: String,
    victim_dob: String,
    victim_address: String,
    perpetrator_name: String,
    perpetrator_dob: String,
    perpetrator_address: String,
}

/// One person's inputs on the incident form.
struct PersonInputs<'a> {
    prefix: &'a str,
    role: PersonRole,
    name: &'a str,
    dob: &'a str,
    address: &'a str,
}

impl IncidentForm {
    /// The people the form names.
    fn people(&self) -> [PersonInputs<'_>; 2] {
        [
            PersonInputs {
                prefix: "victim",
                role: PersonRole::Victim,
                name: &self.victim_name,
                dob: &self.victim_dob,
                address: &self.victim_address,
            },
            PersonInputs {
                prefix: "perpetrator",
                role: PersonRole::Perpetrator,
                name: &self.perpetrator_name,
                dob: &self.perpetrator_dob,
                address: &self.perpetrator_address,
            },
        ]
    }

    /// The incident and its people as the API takes them, collecting the
    /// problems with the browser's encoding (times, numbers, dates) in
    /// `errors`. A time left out or unreadable stands in as the earliest
    /// time given (or `now`), so that the rest can still be checked and
    /// every problem shown at once.
    fn read(&self, now: chrono::DateTime<chrono::Utc>, errors: &mut Errors) -> (IncidentInput, Vec<NewPerson>) {
        let mut time = |name: &str, value: &str, missing: Option<&str>| match given(value) {
            None => {
                if let Some(m) = missing {
                    errors.push((name.to_string(), m.into()));
                }
                None
            }
            Some(s) => parse_local_datetime(s).or_else(|| {
                errors.push((name.to_string(), "enter a real date and time, like 15/01/2026 09:00".into()));
                None
            }),
        };
        let occurred_from =
            time("occurred_from", &self.occurred_from, Some("enter when it happened, or when it started"));
        let occurred_to = time("occurred_to", &self.occurred_to, None);
        let reported_at = time("reported_at", &self.reported_at, Some("enter when it was reported"));
        let mut coord = |name: &str, what: &str, value: &str| {
            given(value).and_then(|s| {
                s.parse::<f64>().ok().or_else(|| {
                    errors.push((
                        name.to_string(),
                        format!(
                            "the {what} must be a number, like {}",
                            if name == "latitude" { "51.7530" } else { "-0.3480" }
                        ),
                    ));
                    None
                })
            })
        };
        let latitude = coord("latitude", "latitude", &self.latitude);
        let longitude = coord("longitude", "longitude", &self.longitude);
        let mut people = Vec::new();
        for p in self.people() {
            let Some(name) = given(p.name) else { continue };
            let date_of_birth = given(p.dob).and_then(|d| {
                parse_date(d).or_else(|| {
                    errors.push((format!("{}_dob", p.prefix), "enter a date of birth like 2 March 1950".into()));
                    None
                })
            });
            people.push(NewPerson {
                role: p.role,
                full_name: name.to_string(),
                date_of_birth,
                address: p.address.trim().to_string(),
                uprn: None,
                is_business: false,
            });
        }
        let reported_at = reported_at.unwrap_or(now);
        let occurred_from = occurred_from.unwrap_or_else(|| occurred_to.map_or(reported_at, |to| to.min(reported_at)));
        let input = IncidentInput {
            category: self.category.clone(),
            occurred_from,
            occurred_to,
            reported_at,
            latitude,
            longitude,
            address: self.address.clone(),
            uprn: given(&self.uprn).map(String::from),
            description: self.description.clone(),
            source: Source::parse(&self.source).unwrap_or(Source::Other),
            hate_strand: HateStrand::parse(&self.hate_strand),
            domestic_abuse: self.domestic_abuse,
            involves_child: self.involves_child,
            repeat: self.repeat,
            outside_area_reason: given(&self.outside_area_reason).map(String::from),
        };
        (input, people)
    }
}

/// The incident form's fields in page order, so that the error summary
/// lists problems as people meet them.
const FIELD_ORDER: [&str; 14] = [
    "category",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "description",
    "source",
    "address",
    "uprn",
    "latitude",
    "longitude",
    "outside_area_reason",
    "hate_strand",
    "victim_dob",
    "perpetrator_dob",
];

/// Adds `more` for fields not yet in `errors`, then orders them as the page does.
fn merge_errors(mut errors: Errors, more: impl IntoIterator<Item = (String, String)>) -> Errors {
    for (field, message) in more {
        if !errors.iter().any(|(f, _)| *f == field) {
            errors.push((field, message));
        }
    }
    errors.sort_by_key(|(f, _)| FIELD_ORDER.iter().position(|o| o == f).unwrap_or(FIELD_ORDER.len()));
    errors
}

/// `POST /incidents`.
pub async fn create(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<IncidentForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let cats = state.store.categories().await?;
    let now = state.clock.now();
    let mut errors = Vec::new();
    let (input, people) = form.read(now, &mut errors);
    if !errors.is_empty() {
        // Everything else the record would be refused for, at the same time.
        let rest = validate(&input, now, &cats, None).into_iter().map(|e| (e.field.to_string(), e.message));
        let errors = merge_errors(errors, rest);
        return Ok((StatusCode::BAD_REQUEST, form_page(&state, &user, &cats, Some(&form), &errors)).into_response());
    }
    match state.store.submit_incident(&permit, &input, None, &people, &user.actor()).await? {
        Submitted::Recorded { id, .. } => Ok(Redirect::to(&format!("/incidents/{id}")).into_response()),
        Submitted::Invalid { errors } => {
            let errors = merge_errors(Vec::new(), errors.into_iter().map(|e| (e.field.to_string(), e.message)));
            Ok((StatusCode::BAD_REQUEST, form_page(&state, &user, &cats, Some(&form), &errors)).into_response())
        }
        Submitted::AlreadyPresent => Err(AppError::Conflict("this incident was already recorded".into()).into()),
    }
}

fn summary_row(key: &str, value: Markup) -> Markup {
    html! { div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { (key) } dd class="govuk-summary-list__value" { (value) } } }
}

/// `GET /incidents/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let actor = user.actor();
    let incident = match state.store.incident(&permit, &id, &actor).await? {
        Visible::Full { record } => record,
        Visible::Signpost { contact_agency } => {
            let body = html! {
                h1 class="govuk-heading-l" { "Held by another agency" }
                div class="govuk-inset-text" data-testid="signpost" { "This record exists and is held by " strong { (contact_agency) } ". Contact them if you need to know more; it has not been shared with your agency." }
            };
            return Ok(page(Some(&user), Nav::Incidents, "Held by another agency", PageOpts::default(), body));
        }
    };
    let repeats = state.store.repeats(&permit, &incident.id, state.config.safety.repeat_radius_m, &actor).await?;
    let cats = state.store.categories().await?;
    let flags: Vec<String> = [
        incident
            .hate_strand
            .as_deref()
            .map(|s| format!("Hate motivated ({})", HateStrand::parse(s).map_or("other", HateStrand::label))),
        incident.domestic_abuse.then(|| "Domestic abuse".to_string()),
        incident.involves_child.then(|| "Involves a child".to_string()),
        incident.repeat.then(|| "Reported as a repeat".to_string()),
    ]
    .into_iter()
    .flatten()
    .collect();
    let repeat_count = repeats.same_person.len() + repeats.same_address.len() + repeats.nearby.len();
    let mut duplicates = Vec::new();
    for p in &incident.people {
        duplicates.push((p.person.clone(), state.store.person_duplicates(&permit, &p.person.id, &actor).await?));
    }
    // ASB Case Review: prompt at the complaint before the threshold, and say when it is met.
    let mut case_review_notes = Vec::new();
    for p in incident.people.iter().filter(|p| matches!(p.role, PersonRole::Victim | PersonRole::Complainant)) {
        let e = state
            .store
            .case_review_eligibility(&permit, &p.person.id, &state.config.safety.case_review, state.clock.now(), &actor)
            .await?;
        if e.eligibility.threshold_met {
            case_review_notes.push(format!(
                "{} meets the ASB Case Review threshold ({} qualifying complaints).",
                p.person.full_name, e.eligibility.count
            ));
        } else if e.eligibility.prompt_officer {
            case_review_notes.push(format!(
                "{} has made {} qualifying complaints: tell them about the ASB Case Review now.",
                p.person.full_name, e.eligibility.count
            ));
        }
    }
    let shared_to_us = state.store.shares_seen_by(&permit, "incident", &incident.id).await?;
    let documents = state.store.documents(&permit, Attached::Incident(&incident.id), &actor).await?;
    let can_edit = user.principal.can::<EditRecords>();
    let body = html! {
        span class="govuk-caption-l" { (incident.owner_agency) }
        h1 class="govuk-heading-l" { "Incident " (incident.reference) }
        (super::cases::share_notices(&shared_to_us))
        @if repeat_count > 0 || !repeats.other_agencies.is_empty() {
            div class="govuk-warning-text" data-testid="repeat-warning" {
                span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                strong class="govuk-warning-text__text" { span class="govuk-visually-hidden" { "Warning" } "Possible repeat: related records found below." }
            }
        }
        @for note in &case_review_notes {
            div class="govuk-notification-banner" role="region" aria-labelledby="cr-title" data-testid="case-review-prompt" {
                div class="govuk-notification-banner__header" { h2 class="govuk-notification-banner__title" id="cr-title" { "ASB Case Review" } }
                div class="govuk-notification-banner__content" { p class="govuk-notification-banner__heading" { (note) } }
            }
        }
        dl class="govuk-summary-list" {
            (summary_row("Category", html! { (category_label(&cats, &incident.category)) }))
            (summary_row("Happened", html! { (uk_time(incident.occurred_from_ms)) @if let Some(t) = incident.occurred_to_ms { " to " (uk_time(t)) } }))
            (summary_row("Reported", html! { (uk_time(incident.reported_at_ms)) " by " (Source::parse(&incident.source).map_or("other", Source::label)) }))
            (summary_row("Where", html! { (incident.address) @if let (Some(la), Some(lo)) = (incident.latitude, incident.longitude) { br; span class="govuk-body-s" { (format!("{la:.5}, {lo:.5}")) } } }))
            @if let Some(r) = &incident.outside_area_reason { (summary_row("Outside the area because", html! { (r) })) }
            (summary_row("Description", html! { (incident.description) }))
            (summary_row("Flags", html! { @if flags.is_empty() { "None" } @else { @for f in &flags { strong class="govuk-tag govuk-tag--orange govuk-!-margin-right-1" { (f) } } } }))
        }
        h2 class="govuk-heading-m" { "People" }
        @if incident.people.is_empty() { p class="govuk-body" { "No people recorded." } } @else {
            table class="govuk-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    @for h in ["Role", "Name", "Date of birth", "Address"] { th scope="col" class="govuk-table__header" { (h) } }
                    th scope="col" class="govuk-table__header" { span class="govuk-visually-hidden" { "Action" } }
                } }
                tbody class="govuk-table__body" {
                @for p in &incident.people { tr class="govuk-table__row" {
                    td class="govuk-table__cell" { (p.role.label()) }
                    td class="govuk-table__cell" { (p.person.full_name) }
                    td class="govuk-table__cell" { (p.person.date_of_birth.as_deref().and_then(parse_date).map(|d| Day(d).to_string()).unwrap_or_default()) }
                    td class="govuk-table__cell" { (p.person.address) }
                    td class="govuk-table__cell" { @if matches!(p.role, PersonRole::Victim | PersonRole::Complainant) { a class="govuk-link" href=(format!("/case-reviews?person={}", p.person.id)) { "Case Review check" } } }
                } }
            } }
        }
        @for (person, dups) in &duplicates {
            @if !dups.is_empty() {
                div class="govuk-inset-text" data-testid="duplicates" {
                    p class="govuk-body" { strong { (person.full_name) } " may be the same person as:" }
                    ul class="govuk-list" {
                        @for d in dups {
                            li {
                                (d.full_name) " (" (d.date_of_birth.as_deref().unwrap_or("no date of birth")) ", " (d.address) ")"
                                @if user.principal.can::<EditRecords>() {
                                    form method="post" action=(format!("/people/{}/merge", person.id)) class="sn-inline-form" {
                                        (csrf_field(&user))
                                        input type="hidden" name="duplicate" value=(d.id);
                                        input type="hidden" name="incident" value=(incident.id);
                                        " " button class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" type="submit" data-testid="merge" { "Same person: merge into this record" }
                                    }
                                }
                            }
                        }
                    }
                    p class="govuk-body-s" { "Suggestions only (same name with the same date of birth or address). Merging keeps every record and is audited." }
                }
            }
        }
        section id="documents" {
            h2 class="govuk-heading-m" { "Documents and evidence" }
            (super::documents::section(&user, &format!("/incidents/{}/documents", incident.id), &documents, can_edit, &Vec::new()))
        }
        h2 class="govuk-heading-m" { "Related records across the partnership" }
        @for (title, list) in [("Same victim or complainant", &repeats.same_person), ("Same address", &repeats.same_address), (&*format!("Within {} metres", repeats.radius_m), &repeats.nearby)] {
            h3 class="govuk-heading-s" { (title) " (" (list.len()) ")" }
            @if !list.is_empty() { (incident_table(list, &cats)) }
        }
        @if !repeats.other_agencies.is_empty() {
            div class="govuk-inset-text" data-testid="other-agencies" {
                "Other agencies hold related records you cannot see: "
                @for (i, a) in repeats.other_agencies.iter().enumerate() { @if i > 0 { ", " } strong { (a.contact_agency) } " (" (a.records) ")" }
                ". Contact them, or ask them to share the case."
            }
        }
        @if user.principal.can::<EditRecords>() {
            h2 class="govuk-heading-m" { "Open a case" }
            form method="post" action="/cases" {
                (csrf_field(&user))
                input type="hidden" name="incident" value=(incident.id);
                (input("title", "Case title", "text", &format!("{} at {}", category_label(&cats, &incident.category), incident.address), None, &Vec::new()))
                (textarea("problem", "The problem (scanning)", &incident.description, None, 3, &Vec::new()))
                button type="submit" class="govuk-button" data-testid="open-case" { "Open a case from this incident" }
            }
        }
    };
    Ok(page(Some(&user), Nav::Incidents, &format!("Incident {}", incident.reference), PageOpts::default(), body))
}

/// The merge form: the duplicate, and the incident to go back to.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct MergeForm {
    duplicate: String,
    incident: String,
}

/// `POST /people/{id}/merge`: a person confirms a suggested duplicate is the
/// same person; the duplicate is merged into this record (audited).
pub async fn merge(
    State(state): State<AppState>,
    Path(keep): Path<String>,
    CsrfForm(user, f): CsrfForm<MergeForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    state.store.merge_people(&permit, &keep, &f.duplicate, &user.actor()).await?;
    let back = given(&f.incident).map_or_else(|| "/incidents".to_string(), |i| format!("/incidents/{i}"));
    Ok(Redirect::to(&back).into_response())
}
