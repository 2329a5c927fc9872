//! The report journey, one question a page (the GOV.UK pattern), working
//! without JavaScript: what kind of problem, where (a map pin, or the
//! address), what is happening, the service's own questions if it asks any
//! (fly-tipping: Defra's land type, waste type and size; optional), the
//! reporter's details (optional), then
//! photos and a check of the answers before sending. Each step's answer is
//! checked when it is given; the answers so far travel in the step forms
//! as hidden fields (nothing is kept on the server until the report is
//! sent, and nothing goes in a URL), and "Change" or "Back" go to any
//! earlier step with them.

use super::report::{form_key, ReportForm, PURPOSE};
use crate::error::{AppError, PageResult};
use crate::forms::{input, select, textarea, Errors};
use crate::layout::{error_summary, page, Nav, PageOpts};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use safetynet_domain::photos::{MAX_PHOTOS, MAX_PHOTO_BYTES};
use safetynet_domain::public_reports::{attributes_for, NewPublicReport};
use safetynet_domain::token::issue;

/// A page of the journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// The kind of problem.
    What,
    /// Where.
    Where,
    /// What is happening.
    Describe,
    /// The service's own questions (only for a service that asks some).
    Details,
    /// The reporter's details.
    Contact,
    /// Photos, and the answers to check.
    Check,
}

impl Step {
    const ALL: [Step; 6] = [Step::What, Step::Where, Step::Describe, Step::Details, Step::Contact, Step::Check];

    fn as_str(self) -> &'static str {
        match self {
            Step::What => "what",
            Step::Where => "where",
            Step::Describe => "describe",
            Step::Details => "details",
            Step::Contact => "contact",
            Step::Check => "check",
        }
    }

    fn parse(s: &str) -> Option<Step> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Whether the journey for `f`'s service has this step: the service's
    /// own questions only when it asks some.
    fn applies(self, f: &ReportForm) -> bool {
        self != Step::Details || !attributes_for(&f.service_code).is_empty()
    }

    fn next(self, f: &ReportForm) -> Step {
        Self::ALL.into_iter().skip_while(|x| *x != self).skip(1).find(|x| x.applies(f)).unwrap_or(Step::Check)
    }

    fn previous(self, f: &ReportForm) -> Option<Step> {
        Self::ALL.into_iter().take_while(|x| *x != self).filter(|x| x.applies(f)).last()
    }

    /// The fields this step asks for.
    fn fields(self) -> &'static [&'static str] {
        match self {
            Step::What => &["service_code"],
            Step::Where => &["latitude", "longitude", "address"],
            Step::Describe => &["description"],
            Step::Details => &["land_type", "waste_type", "size"],
            Step::Contact => &["name", "email", "phone"],
            Step::Check => &[],
        }
    }

    /// The step a refusal's rule is about.
    pub(super) fn of_rule(rule: &str) -> Step {
        match rule {
            "report_service" => Step::What,
            "report_location" => Step::Where,
            "report_description" => Step::Describe,
            "report_attribute" => Step::Details,
            "report_email" | "report_phone" | "report_text" => Step::Contact,
            _ => Step::Check,
        }
    }

    /// The field on this step a refusal is shown at.
    pub(super) fn field(self, rule: &str) -> &'static str {
        match (self, rule) {
            (Step::Where, "report_text") => "address",
            (Step::Contact, "report_email") => "email",
            (Step::Contact, "report_phone") => "phone",
            (Step::Check, _) => "photo",
            _ => self.fields().first().copied().unwrap_or("photo"),
        }
    }
}

/// The answers given on every step but `except`, as hidden fields.
fn carried(f: &ReportForm, except: Step) -> Markup {
    let all = [
        ("service_code", &f.service_code),
        ("latitude", &f.latitude),
        ("longitude", &f.longitude),
        ("address", &f.address),
        ("description", &f.description),
        ("name", &f.name),
        ("email", &f.email),
        ("phone", &f.phone),
        ("land_type", &f.land_type),
        ("waste_type", &f.waste_type),
        ("size", &f.size),
    ];
    html! {
        input type="hidden" name="token" value=(f.token);
        @for (name, value) in all {
            @if !except.fields().contains(&name) { input type="hidden" name=(name) value=(value); }
        }
    }
}

/// A button that goes to `step` with the answers so far, styled as `class`.
fn go_to(f: &ReportForm, step: Step, class: &str, label: Markup) -> Markup {
    html! {
        form method="post" action="/report/step" class="sn-inline-form" {
            (carried(f, Step::Check))
            button type="submit" name="goto" value=(step.as_str()) class=(class) { (label) }
        }
    }
}

/// The optional photos: up to three, with what phones store in them taken out.
fn photo_input(errors: &Errors) -> Markup {
    let error = errors.iter().find(|(field, _)| field == "photo").map(|(_, m)| m.as_str());
    html! {
        div class=(if error.is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }) {
            label class="govuk-label govuk-label--m" for="photo" { "Add photos (optional)" }
            div id="photo-hint" class="govuk-hint" {
                "Up to " (MAX_PHOTOS) " photos, as JPEG, PNG or WebP, " (MAX_PHOTO_BYTES / (1024 * 1024)) " MB each. We take out the place, time and device details phones store in photos before keeping them."
            }
            @if let Some(m) = error {
                p id="photo-error" class="govuk-error-message" { span class="govuk-visually-hidden" { "Error: " } (m) }
            }
            input class="govuk-file-upload" id="photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp" multiple
                aria-describedby=(if error.is_some() { "photo-hint photo-error" } else { "photo-hint" });
        }
    }
}

/// The page for `step` with the answers so far and `errors`.
pub(super) async fn render(state: &AppState, f: &ReportForm, step: Step, errors: &Errors) -> PageResult<Html<String>> {
    let services = state.store.public_services().await?;
    let mut f = f.clone();
    if f.token.is_empty() {
        f.token = issue(&form_key(state).await?, PURPOSE);
    }
    let service_name = services.iter().find(|s| s.code == f.service_code).map(|s| s.name.clone()).unwrap_or_default();
    let step = if step.applies(&f) { step } else { step.next(&f) };
    let asked = attributes_for(&f.service_code);
    let title = match step {
        Step::What => "What kind of problem is it?",
        Step::Where => "Where is the problem?",
        Step::Describe => "What is happening?",
        Step::Details => "Tell us more about it (optional)",
        Step::Contact => "How can we contact you? (optional)",
        Step::Check => "Check your report before sending it",
    };
    let question = html! {
        @match step {
            Step::What => {
                div class="govuk-warning-text" {
                    span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                    strong class="govuk-warning-text__text" { "If someone is in danger or a crime is happening now, call 999. To report a crime that is not an emergency, call the police on 101 or report it online to the police." }
                }
                @let error = errors.iter().find(|(field, _)| field == "service_code").map(|(_, m)| m.as_str());
                div class=(if error.is_some() { "govuk-form-group govuk-form-group--error" } else { "govuk-form-group" }) {
                    fieldset class="govuk-fieldset" aria-describedby=(if error.is_some() { "service_code-hint service_code-error" } else { "service_code-hint" }) {
                        legend class="govuk-fieldset__legend govuk-fieldset__legend--l" { h1 class="govuk-fieldset__heading" { (title) } }
                        div id="service_code-hint" class="govuk-hint" { "Your report goes to the agency of the partnership that deals with it." }
                        @if let Some(m) = error { p id="service_code-error" class="govuk-error-message" { span class="govuk-visually-hidden" { "Error: " } (m) } }
                        div class="govuk-radios" id="service_code" {
                            @for (n, s) in services.iter().enumerate() {
                                div class="govuk-radios__item" {
                                    input class="govuk-radios__input" id=(format!("service_code-{n}")) name="service_code" type="radio" value=(s.code) checked[s.code == f.service_code] aria-describedby=(format!("service_code-{n}-hint"));
                                    label class="govuk-label govuk-radios__label" for=(format!("service_code-{n}")) { (s.name) }
                                    div id=(format!("service_code-{n}-hint")) class="govuk-hint govuk-radios__hint" { (s.description) }
                                }
                            }
                        }
                    }
                }
            }
            Step::Where => {
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { "Click the map to put a pin where the problem is, or give the address or place." }
                div class="sn-map sn-map--picker" data-pin-picker="" data-tiles=(state.config.tile_url) role="region" aria-label="Map: click to put a pin where the problem is" {}
                div class="govuk-grid-row" {
                    div class="govuk-grid-column-one-half" { (input("latitude", "Latitude", "text", &f.latitude, None, errors)) }
                    div class="govuk-grid-column-one-half" { (input("longitude", "Longitude", "text", &f.longitude, None, errors)) }
                }
                (input("address", "Or the address or place", "text", &f.address, Some("For example, the lay-by on Redbourn Road, St Albans"), errors))
            }
            Step::Describe => {
                h1 class="govuk-heading-l" { (title) }
                (textarea("description", "Describe the problem", &f.description, Some("When it happens, how often, what you have seen. Do not include other people's names."), 6, errors))
            }
            Step::Details => {
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { "Answer what you can: it helps the council record it the way the government counts it. Choose \"Not sure\" for anything you do not know." }
                @for a in &asked {
                    @let options: Vec<(String, String)> = a.values.iter().map(|(key, name)| ((*key).to_string(), (*name).to_string())).collect();
                    (select(a.code, a.description, &options, f.answer(a.code), Some("Not sure"), errors))
                }
            }
            Step::Contact => {
                h1 class="govuk-heading-l" { (title) }
                p class="govuk-body" { "Give an e-mail address if you want updates by e-mail. The agency your report goes to holds your details under its privacy notice; they are never shown to anyone else who reports." }
                (input("name", "Your name", "text", &f.name, None, errors))
                (input("email", "E-mail address", "email", &f.email, None, errors))
                (input("phone", "Phone number", "tel", &f.phone, None, errors))
            }
            Step::Check => {
                h1 class="govuk-heading-l" { (title) }
            }
        }
    };
    let mut answers = vec![
        (Step::What, "Kind of problem", service_name),
        (
            Step::Where,
            "Where",
            if f.address.trim().is_empty() {
                format!("Map pin at {}, {}", f.latitude, f.longitude)
            } else {
                f.address.clone()
            },
        ),
        (Step::Describe, "What is happening", f.description.clone()),
        (
            Step::Contact,
            "Your details",
            [f.name.as_str(), f.email.as_str(), f.phone.as_str()]
                .iter()
                .filter(|v| !v.trim().is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ];
    for (n, a) in asked.iter().enumerate() {
        let answer = f.answer(a.code);
        let name = a.values.iter().find(|(key, _)| *key == answer).map_or("", |(_, name)| *name);
        answers.insert(3 + n, (Step::Details, a.description, name.to_string()));
    }
    let body = html! {
        @if let Some(back) = step.previous(&f) { (go_to(&f, back, "govuk-back-link sn-link-button", html! { "Back" })) }
        (error_summary(errors))
        span class="govuk-caption-l" { "Report anti-social behaviour or an environmental problem" }
        @if services.is_empty() {
            h1 class="govuk-heading-l" { "Report a problem" }
            p class="govuk-body" { "The partnership is not taking reports online yet. Contact your council." }
        } @else if step == Step::Check {
            (question)
            dl class="govuk-summary-list" data-testid="report-answers" {
                @for (at, key, value) in &answers {
                    div class="govuk-summary-list__row" {
                        dt class="govuk-summary-list__key" { (key) }
                        dd class="govuk-summary-list__value" { @if value.is_empty() { "Not given" } @else { (value) } }
                        dd class="govuk-summary-list__actions" {
                            (go_to(&f, *at, "govuk-link sn-link-button", html! { "Change" span class="govuk-visually-hidden" { " " (key.to_lowercase()) } }))
                        }
                    }
                }
            }
            form method="post" action="/report" enctype="multipart/form-data" novalidate data-testid="report-form" {
                (carried(&f, Step::Check))
                (photo_input(errors))
                div class="sn-hp" aria-hidden="true" {
                    label for="website" { "Leave this empty" }
                    input type="text" id="website" name="website" tabindex="-1" autocomplete="off" value="";
                }
                p class="govuk-body" { "By sending the report you agree that the agency it goes to may hold and use it as its " a class="govuk-link" href="/privacy" { "privacy notice" } " says." }
                button class="govuk-button" type="submit" data-module="govuk-button" { "Send the report" }
            }
        } @else {
            form method="post" action="/report/step" novalidate data-testid="report-form" {
                (carried(&f, step))
                input type="hidden" name="step" value=(step.as_str());
                (question)
                button class="govuk-button" type="submit" data-module="govuk-button" { "Continue" }
            }
            @if step == Step::What { p class="govuk-body" { a class="govuk-link" href="/privacy" { "How we use your information" } } }
        }
    };
    Ok(page(
        None,
        Nav::None,
        title,
        PageOpts { map: step == Step::Where, brand: Some(super::statements::brand(state).await?) },
        body,
    ))
}

/// Checks the answer to `step` in `f`: the field and message of a refusal.
fn check(f: &ReportForm, step: Step, services: &[String]) -> Result<(), (&'static str, String)> {
    let report = f.report()?;
    let refused = |e: safetynet_domain::rules::StatutoryRule| (step.field(e.rule), e.message);
    match step {
        Step::What if !services.contains(&f.service_code) => Err(("service_code", "Choose the kind of problem".into())),
        Step::Where => report.check_place().map_err(refused),
        Step::Describe => report.check_description().map_err(refused),
        // Shown at the question whose answer is not on its list.
        Step::Details => match report.off_list_attribute() {
            Some(a) => Err((a.code, "Choose an answer from the list, or Not sure".to_string())),
            None => Ok(()),
        },
        Step::Contact => report.check_contact().map_err(refused),
        _ => Ok(()),
    }
}

/// `POST /report/step`: the answer to one step, then the next step (or the
/// same step with the refusal); `goto` goes to an earlier step unchecked.
pub async fn step(State(state): State<AppState>, body: axum::body::Bytes) -> PageResult<Response> {
    if body.len() > super::report::MAX_FORM {
        return Err(AppError::BadRequest("the report is too long".into()).into());
    }
    let f: ReportForm =
        serde_html_form::from_bytes(&body).map_err(|_| AppError::BadRequest("the form could not be read".into()))?;
    if let Some(to) = Step::parse(&f.goto) {
        return Ok(render(&state, &f, to, &Vec::new()).await?.into_response());
    }
    let at = Step::parse(&f.step).unwrap_or(Step::What);
    let services: Vec<String> = state.store.public_services().await?.into_iter().map(|s| s.code).collect();
    match check(&f, at, &services) {
        Ok(()) => Ok(render(&state, &f, at.next(&f), &Vec::new()).await?.into_response()),
        Err((field, message)) => {
            let errors = vec![(field.to_string(), message)];
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&state, &f, at, &errors).await?).into_response())
        }
    }
}

impl ReportForm {
    /// The report as far as it is given (coordinates that are not numbers
    /// are refused at their field).
    pub(super) fn report(&self) -> Result<NewPublicReport, (&'static str, String)> {
        let number = |value: &str, field: &'static str| match value.trim() {
            "" => Ok(None),
            v => v
                .parse()
                .map(Some)
                .map_err(|_| (field, "Put a pin on the map, or leave it empty and give the address".to_string())),
        };
        Ok(NewPublicReport {
            service_code: self.service_code.clone(),
            latitude: number(&self.latitude, "latitude")?,
            longitude: number(&self.longitude, "longitude")?,
            address: self.address.clone(),
            description: self.description.clone(),
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            attributes: [("land_type", &self.land_type), ("waste_type", &self.waste_type), ("size", &self.size)]
                .into_iter()
                .filter(|(_, answer)| !answer.is_empty())
                .map(|(code, answer)| (code.to_string(), answer.clone()))
                .collect(),
            ..NewPublicReport::default()
        })
    }

    /// The answer given to the attribute `code` ("" if none).
    fn answer(&self, code: &str) -> &str {
        match code {
            "land_type" => &self.land_type,
            "waste_type" => &self.waste_type,
            "size" => &self.size,
            _ => "",
        }
    }
}
