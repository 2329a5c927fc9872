//! "Keeping the victim informed" on the case page, for the lead agency:
//! each victim's choice of how and when they are told (the Victims' Code),
//! the updates due at the points they agreed and at the frequency they
//! agreed, a form to give one (e-mailed
//! when they chose e-mail, otherwise recorded as the call or letter made)
//! and the updates given.

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageResult};
use crate::forms::{checkbox, input, select, textarea, Errors};
use crate::layout::{csrf_field, uk_time};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{html, Markup};
use safetynet_domain::policy::EditRecords;
use safetynet_domain::public_reports::Milestone;
use safetynet_domain::victim_contact::{ContactChannel, UpdatePoint, VictimContact, AGREED_POINTS};
use safetynet_store::victim_contact::VictimOnCase;

/// For officers: the point an update is about.
fn point_label(p: UpdatePoint) -> &'static str {
    match p {
        UpdatePoint::At(Milestone::Received) => "Report received",
        UpdatePoint::At(Milestone::Assigned) => "An officer has the case",
        UpdatePoint::At(Milestone::ActionTaken) => "Action taken",
        UpdatePoint::At(Milestone::Closed) => "Case closed",
        UpdatePoint::Regular => "Regular update",
    }
}

fn point_labels(codes: &[String]) -> String {
    let labels: Vec<&str> = codes.iter().filter_map(|c| UpdatePoint::parse(c)).map(point_label).collect();
    labels.join(", ")
}

/// The frequencies offered for regular updates: (days, label).
const EVERY: [(u32, &str); 4] =
    [(7, "Every week"), (14, "Every 2 weeks"), (28, "Every 4 weeks"), (56, "Every 8 weeks")];

fn every_label(days: u32) -> String {
    EVERY.iter().find(|(d, _)| *d == days).map_or_else(|| format!("every {days} days"), |(_, l)| l.to_lowercase())
}

/// The section's content for the case `case_id`: every victim's choice,
/// updates due and given; the forms for `selected` (the first victim when
/// none), a link to them for the others (one set of fields a page).
pub(super) fn section(
    user: &PageUser,
    case_id: &str,
    victims: &[VictimOnCase],
    selected: Option<&str>,
    errors: &Errors,
) -> Markup {
    let selected = selected
        .filter(|s| victims.iter().any(|v| v.person_id == *s))
        .or(victims.first().map(|v| v.person_id.as_str()));
    let channels: Vec<(String, String)> =
        ContactChannel::ALL.iter().map(|c| (c.as_str().to_string(), c.label().to_string())).collect();
    let points: Vec<(String, String)> =
        AGREED_POINTS.iter().map(|m| (m.as_str().to_string(), point_label(UpdatePoint::At(*m)).to_string())).collect();
    let about: Vec<(String, String)> =
        UpdatePoint::ALL.iter().map(|p| (p.as_str().to_string(), point_label(*p).to_string())).collect();
    let every: Vec<(String, String)> = EVERY.iter().map(|(d, l)| (d.to_string(), (*l).to_string())).collect();
    html! {
        @if victims.is_empty() {
            p class="govuk-body" { "No victim is recorded on the case's incidents." }
        }
        @for v in victims {
            div class="govuk-!-margin-bottom-6" data-testid="victim" {
                h3 class="govuk-heading-s" { (v.name) }
                @match &v.contact {
                    Some(c) => p class="govuk-body" {
                        (c.channel.label())
                        @if !c.points.is_empty() { ", when: " (point_labels(&c.points)) }
                        @if let Some(d) = c.every_days { ", and " (every_label(d)) }
                        " (agreed " (c.agreed_on.format("%-d %B %Y")) ")."
                        @if let Some(next) = v.regular_due_on { " Next regular update by " (next.format("%-d %B %Y")) "." }
                    },
                    None => p class="govuk-body" { "How and when they want to be told is not recorded yet: ask them, and record it." },
                }
                @if !v.due.is_empty() {
                    div class="govuk-warning-text" data-testid="victim-update-due" {
                        span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                        strong class="govuk-warning-text__text" { "Update due: " (point_labels(&v.due)) }
                    }
                }
                @if selected != Some(v.person_id.as_str()) {
                    p class="govuk-body" { a class="govuk-link" href=(format!("/cases/{case_id}?victim={}#victims", v.person_id)) { "Give " (v.name) " an update or record their choice" } }
                }
                @if selected == Some(v.person_id.as_str()) && v.contact.as_ref().is_some_and(|c| c.channel != ContactChannel::None) {
                    form method="post" action=(format!("/cases/{case_id}/victim-updates")) {
                        (csrf_field(user))
                        input type="hidden" name="person" value=(v.person_id);
                        (select("milestone", "Tell them about", &about, v.due.first().map_or("", String::as_str), v.due.is_empty().then_some("Choose what the update is about"), errors))
                        (textarea("victim_note", "What they are told", "", Some("Written for the victim: no other person's details."), 3, errors))
                        button class="govuk-button govuk-button--secondary" type="submit" { "Record the update" }
                    }
                }
                @if !v.updates.is_empty() {
                    ul class="govuk-list" {
                        @for u in &v.updates {
                            li {
                                span class="govuk-body-s govuk-!-margin-right-2" { (uk_time(u.at)) }
                                strong { (UpdatePoint::parse(&u.milestone).map_or("", point_label)) }
                                " (" (ContactChannel::parse(&u.channel).map_or(u.channel.as_str(), |c| c.label()).to_lowercase()) "): " (u.note)
                            }
                        }
                    }
                }
                @if selected == Some(v.person_id.as_str()) {
                details class="govuk-details" {
                    summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Record how and when they want to be told" } }
                    div class="govuk-details__text" {
                        form method="post" action=(format!("/cases/{case_id}/victim-contact")) {
                            (csrf_field(user))
                            input type="hidden" name="person" value=(v.person_id);
                            (select("channel", "How", &channels, v.contact.as_ref().map_or("", |c| c.channel.as_str()), None, errors))
                            (input("email", "Their e-mail address (for e-mail)", "email", v.contact.as_ref().map_or("", |c| c.email.as_str()), None, errors))
                            div class="govuk-form-group" {
                                fieldset class="govuk-fieldset" {
                                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "When" }
                                    div class="govuk-checkboxes govuk-checkboxes--small" {
                                        @for (code, label) in &points {
                                            (checkbox(&format!("point-{code}"), label, v.contact.as_ref().is_some_and(|c| c.points.contains(code))))
                                        }
                                    }
                                }
                            }
                            (select("every_days", "Regular updates as well", &every, &v.contact.as_ref().and_then(|c| c.every_days).map_or(String::new(), |d| d.to_string()), Some("No regular updates"), errors))
                            (input("agreed_on", "Agreed on", "date", "", None, errors))
                            button class="govuk-button govuk-button--secondary" type="submit" { "Record their choice" }
                        }
                    }
                }
                }
            }
        }
    }
}

/// The form recording a victim's choice.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ContactForm {
    person: String,
    channel: String,
    email: String,
    #[serde(rename = "point-assigned")]
    assigned: String,
    #[serde(rename = "point-action_taken")]
    action_taken: String,
    #[serde(rename = "point-closed")]
    closed: String,
    agreed_on: String,
    every_days: String,
}

/// `POST /cases/{id}/victim-contact`.
pub async fn set_contact(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ContactForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let channel = ContactChannel::parse(&f.channel)
            .ok_or_else(|| AppError::BadRequest("choose how they want to be told".into()))?;
        let agreed_on = match f.agreed_on.trim() {
            "" => state.today(),
            d => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| AppError::BadRequest("give the date they agreed it".into()))?,
        };
        let points = [("assigned", &f.assigned), ("action_taken", &f.action_taken), ("closed", &f.closed)]
            .into_iter()
            .filter(|(_, ticked)| !ticked.is_empty())
            .map(|(code, _)| code.to_string())
            .collect();
        let every_days = match f.every_days.trim() {
            "" => None,
            d => Some(d.parse().map_err(|_| AppError::BadRequest("choose how often they are told".into()))?),
        };
        let contact = VictimContact {
            person_id: f.person.clone(),
            channel,
            email: f.email.clone(),
            points,
            agreed_on,
            every_days,
        };
        state.store.set_victim_contact(&permit, &id, &contact, &user.actor()).await?;
        Ok(())
    }
    .await;
    after_for(&state, &user, &id, &f.person, r, "channel").await
}

/// The form recording an update given.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TellForm {
    person: String,
    milestone: String,
    victim_note: String,
}

/// `POST /cases/{id}/victim-updates`.
pub async fn tell(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<TellForm>,
) -> PageResult<Response> {
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        let point = UpdatePoint::parse(&f.milestone)
            .ok_or_else(|| AppError::BadRequest("choose what the update is about".into()))?;
        state.store.tell_victim(&permit, &id, &f.person, point, &f.victim_note, &user.actor()).await?;
        Ok(())
    }
    .await;
    after_for(&state, &user, &id, &f.person, r, "victim_note").await
}

/// Back to the case's victims, or the case again with the refusal and this
/// victim's forms.
async fn after_for(
    state: &AppState,
    user: &PageUser,
    id: &str,
    person: &str,
    result: Result<(), crate::error::PageError>,
    field: &str,
) -> PageResult<Response> {
    super::form_result(result, &format!("/cases/{id}?victim={person}#victims"), field, |errors| async move {
        super::cases::render_with(state, user, id, &errors, None, Some(person)).await
    })
    .await
}
