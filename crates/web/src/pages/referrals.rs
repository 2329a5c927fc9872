//! Referrals into the partners' programmes: what your agency received and
//! sent, a form to refer someone (with their consent), and one referral
//! with the receiving agency's answer and what happened, which the
//! referrer reads here.

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{
    answer_radios, checkbox, choices, input, parse_date, required_checkbox, rule_error, select, textarea, Errors,
};
use crate::layout::{csrf_field, error_summary, page, summary_list, Day, Nav, PageOpts};
use crate::params::parse_query;
use crate::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::referrals::{ConsentBy, NewReferral, Programme, ReferralReason, ReferralStatus, ReferralUpdate};
use safetynet_store::referrals::{Direction, Referral};

/// The most referrals a list shows.
const LIST_LIMIT: i64 = 200;

#[derive(Debug, Default, serde::Deserialize)]
struct Query {
    #[serde(default)]
    direction: Option<String>,
}

/// `GET /programmes/referrals?direction=received|sent`.
pub async fn list(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let q: Query = parse_query(raw.as_deref())?;
    let sent = q.direction.as_deref() == Some("sent");
    render_list(&state, &user, sent, &ReferralForm::default(), &Vec::new()).await
}

/// A status as a coloured tag.
pub fn status_tag(s: ReferralStatus) -> Markup {
    let colour = match s {
        ReferralStatus::Referred => "govuk-tag--blue",
        ReferralStatus::Accepted => "govuk-tag--yellow",
        ReferralStatus::Declined => "govuk-tag--grey",
        ReferralStatus::Completed => "govuk-tag--green",
    };
    html! { strong class={ "govuk-tag " (colour) } { (s.label()) } }
}

async fn render_list(
    state: &AppState,
    user: &PageUser,
    sent: bool,
    form: &ReferralForm,
    errors: &Errors,
) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let direction = if sent { Direction::Sent } else { Direction::Received };
    let list = state.store.referrals(&permit, direction, None, LIST_LIMIT, &user.actor()).await?;
    let form_markup =
        if user.principal.can::<EditRecords>() { Some(new_form(state, user, form, errors).await?) } else { None };
    let tab = |href: &str, label: &str, on: bool| {
        html! { li class={ "govuk-tabs__list-item" @if on { " govuk-tabs__list-item--selected" } } { a class="govuk-tabs__tab" href=(href) aria-current=[on.then_some("page")] { (label) } } }
    };
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes" { "Programmes" }
        h1 class="govuk-heading-l" { "Referrals" }
        p class="govuk-body" { "Refer someone to a partner's programme with their consent: a Safe and Well visit or the LiFE course (fire and rescue), the youth offer (Services for Young People), No More outreach or the Phoenix programme (the council). The agency that runs it answers here, and you see what happened." }
        div class="govuk-tabs" {
            ul class="govuk-tabs__list" {
                (tab("/programmes/referrals", "Received by your agency", !sent))
                (tab("/programmes/referrals?direction=sent", "Sent by your agency", sent))
            }
            div class="govuk-tabs__panel" {
                @if list.is_empty() {
                    p class="govuk-body" { @if sent { "Your agency has not sent any referrals." } @else { "No referrals have been sent to your agency." } }
                } @else {
                    div class="sn-table-wrap" tabindex="0" role="region" aria-label="Referrals" {
                        table class="govuk-table" data-testid="referral-table" {
                            thead class="govuk-table__head" { tr class="govuk-table__row" {
                                @for h in ["Referral", "Programme", "Person", if sent { "To" } else { "From" }, "Referred", "Status"] { th scope="col" class="govuk-table__header" { (h) } }
                            } }
                            tbody class="govuk-table__body" {
                                @for r in &list { tr class="govuk-table__row" {
                                    td class="govuk-table__cell" { a class="govuk-link" href=(format!("/programmes/referrals/{}", r.id)) { (r.reference) } }
                                    td class="govuk-table__cell" { (r.programme.label()) }
                                    td class="govuk-table__cell" { (r.full_name) }
                                    td class="govuk-table__cell" { @if sent { (r.to_agency) } @else { (r.from_agency) } }
                                    td class="govuk-table__cell" { (Day(r.referred_on)) }
                                    td class="govuk-table__cell" { (status_tag(r.status)) }
                                } }
                            }
                        }
                    }
                }
            }
        }
        @if let Some(markup) = form_markup {
            details class="govuk-details" id="referral-form" open[!errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Make a referral" } }
                div class="govuk-details__text" { (markup) }
            }
        }
    };
    Ok(page(Some(user), Nav::Programmes, "Referrals", PageOpts::default(), body))
}

async fn new_form(state: &AppState, user: &PageUser, f: &ReferralForm, errors: &Errors) -> PageResult<Markup> {
    let programmes: Vec<(String, String)> = Programme::ALL
        .iter()
        .map(|p| (p.as_str().to_string(), format!("{} ({})", p.label(), p.sector().label().to_lowercase())))
        .collect();
    let agencies: Vec<(String, String)> = state
        .store
        .agencies()
        .await?
        .into_iter()
        .filter(|a| a.sector.is_some_and(|s| Programme::ALL.iter().any(|p| p.sector() == s)))
        .map(|a| (a.code.to_string(), format!("{} ({})", a.name, a.code)))
        .collect();
    let reasons: Vec<(String, String)> = choices(ReferralReason::ALL, ReferralReason::as_str, ReferralReason::label);
    let consent: Vec<(&str, &str)> = ConsentBy::ALL.iter().map(|c| (c.as_str(), c.label())).collect();
    let today = state.today().to_string();
    Ok(html! {
        form method="post" action="/programmes/referrals" novalidate {
            (csrf_field(user))
            (select("programme", "Programme", &programmes, &f.programme, Some("Choose a programme"), errors))
            (select("to_agency", "Agency that runs it", &agencies, &f.to_agency, Some("Choose an agency"), errors))
            (input("full_name", "Full name", "text", &f.full_name, None, errors))
            (input("date_of_birth", "Date of birth", "date", &f.date_of_birth, Some("Needed for young people's programmes."), errors))
            (input("address", "Address", "text", &f.address, None, errors))
            (input("contact", "Telephone or e-mail", "text", &f.contact, None, errors))
            (select("reason", "Why you are referring them", &reasons, &f.reason, None, errors))
            (textarea("details", "What the receiving agency should know", &f.details, Some("Risks to visiting staff, access needs, the best time to call."), 4, errors))
            (required_checkbox("consent", "Consent", "They agreed to be referred and to their details being shared with the agency that runs the programme", f.consent == "true", errors))
            (answer_radios("consent_by", "Who agreed", Some(f.consent_by.as_str()).filter(|s| !s.is_empty()), &consent, errors))
            (input("referred_on", "Referred on", "date", if f.referred_on.is_empty() { &today } else { &f.referred_on }, None, errors))
            button class="govuk-button" type="submit" { "Send the referral" }
        }
    })
}

/// The referral form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReferralForm {
    programme: String,
    to_agency: String,
    full_name: String,
    date_of_birth: String,
    address: String,
    contact: String,
    reason: String,
    details: String,
    consent: String,
    consent_by: String,
    referred_on: String,
}

impl ReferralForm {
    fn command(&self) -> Result<NewReferral, (&'static str, String)> {
        Ok(NewReferral {
            programme: Programme::parse(&self.programme).ok_or(("programme", "Choose a programme".to_string()))?,
            to_agency: self.to_agency.clone(),
            full_name: self.full_name.clone(),
            date_of_birth: parse_date(&self.date_of_birth),
            address: self.address.clone(),
            contact: self.contact.clone(),
            reason: ReferralReason::parse(&self.reason)
                .ok_or(("reason", "Choose why you are referring them".to_string()))?,
            details: self.details.clone(),
            incident_id: None,
            consent: self.consent == "true",
            consent_by: ConsentBy::parse(&self.consent_by),
            referred_on: parse_date(&self.referred_on)
                .ok_or(("referred_on", "Enter the date of the referral".to_string()))?,
        })
    }
}

/// The form field a referral rule is about.
fn rule_field(rule: &str) -> &'static str {
    match rule {
        "consent_required" => "consent",
        "date_of_birth_required" => "date_of_birth",
        "programme_not_run_by_agency" => "to_agency",
        "referral_date" => "referred_on",
        "outcome_required" => "outcome",
        "referral_status" | "referral_closed" => "status",
        _ => "full_name",
    }
}

/// `POST /programmes/referrals`.
pub async fn create(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<ReferralForm>) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let refused = match f.command() {
        Err(e) => e,
        Ok(new) => match state.store.refer(&permit, &new, state.today(), &user.actor()).await {
            Ok(r) => return Ok(Redirect::to(&format!("/programmes/referrals/{}", r.id)).into_response()),
            Err(e) => rule_error(e, rule_field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_list(&state, &user, true, &f, &errors).await?).into_response())
}

/// `GET /programmes/referrals/{id}`.
pub async fn show(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    render_one(&state, &user, &id, &Vec::new()).await
}

async fn render_one(state: &AppState, user: &PageUser, id: &str, errors: &Errors) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let r = state.store.referral(&permit, id, &user.actor()).await?;
    let receiving = r.to_agency == user.principal.agency && user.principal.can::<EditRecords>();
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href=(if receiving { "/programmes/referrals" } else { "/programmes/referrals?direction=sent" }) { "Referrals" }
        span class="govuk-caption-l" { (r.reference) " · " (r.programme.label()) }
        h1 class="govuk-heading-l" { (r.full_name) }
        (status_tag(r.status))
        (summary(&r))
        @if !r.outcome.is_empty() {
            h2 class="govuk-heading-m" { "What happened" }
            p class="govuk-body" data-testid="referral-outcome" { (r.outcome) }
            @if let (Some(aim), true) = (r.programme.achievement(), r.achieved) { p class="govuk-body" { strong { (aim) } } }
        }
        @if receiving && !r.status.is_closed() {
            h2 class="govuk-heading-m" { "Answer the referral" }
            form method="post" action=(format!("/programmes/referrals/{}/updates", r.id)) novalidate {
                (csrf_field(user))
                @let options: Vec<(&str, &str)> = ReferralStatus::ALL.iter().filter(|s| **s != ReferralStatus::Referred && **s != r.status).map(|s| (s.as_str(), s.label())).collect();
                (answer_radios("status", "Status", None, &options, errors))
                (textarea("outcome", "What happened (the referring agency is told)", "", Some("Needed to decline or complete: what was done, what was fitted or arranged, or why it was declined."), 4, errors))
                @if let Some(aim) = r.programme.achievement() {
                    div class="govuk-checkboxes govuk-checkboxes--small govuk-!-margin-bottom-4" { (checkbox("achieved", aim, false)) }
                }
                (input("on", "On", "date", &state.today().to_string(), None, errors))
                button class="govuk-button" type="submit" { "Save" }
            }
        }
    };
    Ok(page(
        Some(user),
        Nav::Programmes,
        &format!("{} {}", r.reference, r.programme.label()),
        PageOpts::default(),
        body,
    ))
}

fn summary(r: &Referral) -> Markup {
    let rows = [
        ("From", r.from_agency.clone()),
        ("To", r.to_agency.clone()),
        ("Referred on", Day(r.referred_on).to_string()),
        ("Reason", r.reason.label().to_string()),
        ("Date of birth", r.date_of_birth.map_or("Not given".into(), |d| Day(d).to_string())),
        ("Address", r.address.clone()),
        ("Contact", if r.contact.is_empty() { "Not given".into() } else { r.contact.clone() }),
        ("Consent given by", r.consent_by.label().to_string()),
        ("Details", if r.details.is_empty() { "None".into() } else { r.details.clone() }),
        ("Closed on", r.closed_on.map_or("Open".into(), |d| Day(d).to_string())),
    ];
    summary_list(&rows)
}

/// The answer form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct UpdateForm {
    status: String,
    outcome: String,
    achieved: String,
    on: String,
}

/// `POST /programmes/referrals/{id}/updates`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<UpdateForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let command = (|| {
        Ok(ReferralUpdate {
            status: ReferralStatus::parse(&f.status).ok_or(("status", "Choose a status".to_string()))?,
            outcome: f.outcome.clone(),
            achieved: f.achieved == "true",
            on: parse_date(&f.on).ok_or(("on", "Enter the date".to_string()))?,
        })
    })();
    let refused = match command {
        Err(e) => e,
        Ok(u) => match state.store.update_referral(&permit, &id, &u, state.today(), &user.actor()).await {
            Ok(_) => return Ok(Redirect::to(&format!("/programmes/referrals/{id}")).into_response()),
            Err(e) => rule_error(e, |r| match r {
                "referral_text" => "outcome",
                "referral_date" => "on",
                other => rule_field(other),
            })?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_one(&state, &user, &id, &errors).await?).into_response())
}
