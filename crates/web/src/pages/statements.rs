//! The pages every public-sector service must publish, open to anyone: the
//! accessibility statement (Public Sector Bodies Accessibility Regulations
//! 2018) and the privacy notice (UK GDPR articles 13 and 14), both naming
//! the partnership and its contact from the configuration. Also the logo.

use crate::error::PageResult;
use crate::layout::{page, Brand, Nav, PageOpts};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};

/// When the accessibility statement was last checked against the service
/// (the browser tests run axe-core's WCAG 2.2 A and AA rules on every page
/// state they visit).
const ACCESSIBILITY_REVIEWED: &str = "3 December 2026";

/// The partnership as public pages name it: the configured name, else the
/// one recorded in SafetyNet.
pub(crate) async fn brand(state: &AppState) -> PageResult<Brand> {
    let name = match &state.config.public.name {
        Some(n) => n.clone(),
        None => state.store.partnership().await?.map_or_else(|| "Community Safety Partnership".into(), |p| p.name),
    };
    Ok(Brand { name, logo: state.config.public.logo.is_some() })
}

fn contact(state: &AppState, name: &str) -> Markup {
    html! {
        @match &state.config.public.contact_email {
            Some(e) => { "email " a class="govuk-link" href=(format!("mailto:{e}")) { (e) } }
            None => { "contact " (name) " through your council's customer services" }
        }
    }
}

/// `GET /accessibility`.
pub async fn accessibility(State(state): State<AppState>) -> PageResult<Html<String>> {
    let brand = brand(&state).await?;
    let name = brand.name.clone();
    let body = html! {
        h1 class="govuk-heading-l" { "Accessibility statement" }
        p class="govuk-body" { "This statement applies to SafetyNet, the community safety service run by " (name) ": its public pages (forum summaries and surveys) and the pages partner agencies' staff use." }
        p class="govuk-body" { "We want as many people as possible to be able to use it. You should be able to:" }
        ul class="govuk-list govuk-list--bullet" {
            li { "change colours, contrast levels and fonts using your browser or device settings" }
            li { "zoom in up to 400% without the text spilling off the screen" }
            li { "navigate most of the service using just a keyboard or speech recognition software" }
            li { "listen to most of the service using a screen reader" }
            li { "use it on a phone: pages reflow, and wide tables scroll within their own box" }
        }
        h2 class="govuk-heading-m" { "How accessible this service is" }
        p class="govuk-body" { "We know some parts are not fully accessible:" }
        ul class="govuk-list govuk-list--bullet" {
            li { "interactive maps cannot be used without a mouse or touch: every map has a table or list beside it with the same information, and places can also be typed" }
            li { "charts are pictures: each has a text description and its figures in a table" }
            li { "meeting packs downloaded as PDF follow the page's headings and tables, but have not been tested with every screen reader" }
        }
        h2 class="govuk-heading-m" { "Feedback and contact information" }
        p class="govuk-body" { "If you need information in a different format, such as large print, easy read, audio or braille, or find a problem not listed here, " (contact(&state, &name)) ". We will reply within 10 working days." }
        h2 class="govuk-heading-m" { "Enforcement procedure" }
        p class="govuk-body" { "The Equality and Human Rights Commission (EHRC) is responsible for enforcing the Public Sector Bodies (Websites and Mobile Applications) (No. 2) Accessibility Regulations 2018. If you are not happy with how we respond to your complaint, contact the Equality Advisory and Support Service (EASS)." }
        h2 class="govuk-heading-m" { "Compliance status" }
        p class="govuk-body" { "This service is partially compliant with the Web Content Accessibility Guidelines version 2.2 AA standard, because of the maps described above." }
        h2 class="govuk-heading-m" { "How we tested this service" }
        p class="govuk-body" { "Every release is tested automatically: its main page flows run in a browser at desktop and phone widths, and each page state is checked against the WCAG 2.2 A and AA rules of axe-core. We also check the pages by hand with a keyboard and at 400% zoom." }
        p class="govuk-body" { "This statement was last reviewed on " (ACCESSIBILITY_REVIEWED) "." }
    };
    Ok(page(None, Nav::None, "Accessibility statement", PageOpts { brand: Some(brand), ..PageOpts::default() }, body))
}

/// `GET /privacy`.
pub async fn privacy(State(state): State<AppState>) -> PageResult<Html<String>> {
    let brand = brand(&state).await?;
    let name = brand.name.clone();
    let retention = state.config.retention;
    let body = html! {
        h1 class="govuk-heading-l" { "Privacy notice" }
        p class="govuk-body" { (name) " is a Community Safety Partnership: the council, the police, the fire and rescue service, probation, health and other agencies working together under the Crime and Disorder Act 1998. This notice explains what SafetyNet, the partnership's shared community safety system, holds about people and why." }
        h2 class="govuk-heading-m" { "Who is responsible for your information" }
        p class="govuk-body" { "Each agency is the controller of the records it creates. When a record is shared with another agency, the sharing, its lawful basis and who shared it are recorded, and both agencies are responsible for what they hold." }
        h2 class="govuk-heading-m" { "What we hold" }
        ul class="govuk-list govuk-list--bullet" {
            li { "reports of anti-social behaviour and other community safety problems: what happened, where and when" }
            li { "the people involved (victims, witnesses, people reported as responsible): names, dates of birth and addresses where needed" }
            li { "the work to solve a problem: plans, risk assessments, tasks, warnings, notices and orders" }
            li { "answers to public surveys: your ranked priorities and area, never your name" }
        }
        h2 class="govuk-heading-m" { "Why, and the law that allows it" }
        p class="govuk-body" { "To reduce crime and disorder and to protect victims and vulnerable people: a task carried out in the public interest (UK GDPR article 6(1)(e)) under the Crime and Disorder Act 1998 (sections 17 and 115) and the Anti-social Behaviour, Crime and Policing Act 2014. Information about crime and health is processed under the Data Protection Act 2018 (schedule 1, part 2, and, for the police, part 3)." }
        h2 class="govuk-heading-m" { "How long we keep it" }
        p class="govuk-body" { "A case is anonymised " (retention.closed_case_years) " years after it closes. A report that never became part of a case is anonymised " (retention.unlinked_incident_years) " years after it was made. Survey answers are kept as counts." }
        h2 class="govuk-heading-m" { "Your rights" }
        p class="govuk-body" { "You can ask for a copy of the information held about you, ask for it to be corrected, and in some cases object to its use or ask for it to be deleted. Some rights are limited where using them would harm the prevention or detection of crime." }
        p class="govuk-body" { "To use your rights or ask about this notice, " (contact(&state, &name)) "." }
        p class="govuk-body" { "If you are unhappy with how your information is handled, you can complain to the Information Commissioner's Office (ico.org.uk, 0303 123 1113)." }
    };
    Ok(page(None, Nav::None, "Privacy notice", PageOpts { brand: Some(brand), ..PageOpts::default() }, body))
}

/// `GET /logo`: the configured logo, or 404.
pub async fn logo(State(state): State<AppState>) -> Response {
    match &state.config.public.logo {
        Some(l) => {
            ([(header::CONTENT_TYPE, l.content_type), (header::CACHE_CONTROL, "public, max-age=3600")], l.bytes.clone())
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, crate::layout::not_found_page()).into_response(),
    }
}
