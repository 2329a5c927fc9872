//! The partners' programmes: a first page with each strategy commitment
//! measured from data, and the sessions in schools (record one; schools
//! and pupils reached per topic, against the County Lines target).

use crate::auth::{CsrfForm, PageUser};
use crate::error::PageResult;
use crate::forms::{choices, input, parse_date, rule_error, select, textarea, Errors};
use crate::layout::{csrf_field, error_summary, page, Day, Nav, PageOpts};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use safetynet_domain::measures::MeasureSource;
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_domain::schools::{NewSchoolSession, Topic};
use safetynet_store::strategy::Commitment;

/// The most sessions the page lists.
const LIST_LIMIT: i64 = 200;

/// The commitments measured from data, in strategy order.
async fn measured(state: &AppState) -> PageResult<Vec<Commitment>> {
    let Some(s) = safetynet_app::measures::strategy_on(&state.store, state.today()).await? else {
        return Ok(Vec::new());
    };
    Ok(s.priorities.into_iter().flat_map(|p| p.commitments).filter(|c| c.measured.is_some()).collect())
}

/// A table of commitments and their computed measures.
pub fn measures_table(commitments: &[Commitment]) -> Markup {
    html! {
        div class="sn-table-wrap" tabindex="0" role="region" aria-label="Commitments measured from data" {
            table class="govuk-table" data-testid="measures-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    @for h in ["Commitment", "Owner", "Measured from data"] { th scope="col" class="govuk-table__header" { (h) } }
                } }
                tbody class="govuk-table__body" {
                    @for c in commitments { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { a class="govuk-link" href=(format!("/strategy/commitments/{}", c.id)) { (c.title) } }
                        td class="govuk-table__cell" { (c.owner_agency) }
                        td class="govuk-table__cell" { @if let Some(m) = &c.measured { strong { (m.text) } br; span class="govuk-hint" { (m.source.label()) } } }
                    } }
                }
            }
        }
    }
}

/// `GET /programmes`.
pub async fn hub(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    user.permit::<ViewRecords>()?;
    let commitments = measured(&state).await?;
    let card = |href: &str, title: &str, text: &str| {
        html! {
            div class="govuk-grid-column-one-third sn-card" {
                h2 class="govuk-heading-m" { a class="govuk-link" href=(href) { (title) } }
                p class="govuk-body" { (text) }
            }
        }
    };
    let body = html! {
        h1 class="govuk-heading-l" { "Partners' programmes" }
        p class="govuk-body" { "The programmes each partner runs for the strategy, recorded as the work is done. The strategy's measures below are counted from these records, not typed in." }
        div class="govuk-grid-row" {
            (card("/programmes/referrals", "Referrals", "Safe and Well visits, the LiFE course, the youth offer, No More outreach and the Phoenix programme: refer with consent, and hear what happened."))
            (card("/programmes/schools", "Schools, colleges and outreach", "County Lines workshops, Healthy Relationships courses, fire safety talks and detached youth work: schools, places and young people reached."))
            (card("/programmes/taxi", "Taxi and private hire drivers", "The licensing register and each driver's six-monthly DBS check through the update service."))
        }
        div class="govuk-grid-row" {
            (card("/programmes/premises", "Premises", "Business premises on the Risk Based Inspection Programme, and licensed premises: safeguarding training, drink spiking advice and Operation Vigilant."))
            (card("/programmes/vawg", "VAWG scrutiny panels", "A random, depersonalised sample of closed domestic abuse cases for each panel, its findings and learning actions."))
            (card("/programmes/noise", "Noise investigations", "Recording equipment booked to complaints without double booking, returns, and visits to witness noise out of hours."))
        }
        div class="govuk-grid-row" {
            (card("/programmes/fly-tipping", "Fly-tipping", "Fly-tips in Defra's categories on a hotspot map by land type, cameras, fixed penalties and prosecutions, and the quarterly WasteDataFlow return."))
            (card("/programmes/taxi/concerns", "Concerns about licensed drivers", "Concerns a licensing council has shared with your agency about the taxi and private hire drivers it licenses."))
            (card("/programmes/arson", "Deliberate fires", "Deliberate fires on a hotspot map, and the vigilance checks crews and Community Volunteers make for fire risks and likely arson targets."))
        }
        h2 class="govuk-heading-m" { "The strategy's measures" }
        @if commitments.is_empty() {
            p class="govuk-body" { "No loaded strategy commitment is measured from data yet: name a measure with `measured_by` in the strategy file." }
        } @else {
            (measures_table(&commitments))
        }
    };
    Ok(page(Some(&user), Nav::Programmes, "Partners' programmes", PageOpts::default(), body))
}

/// `GET /programmes/schools`.
pub async fn schools(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    render_schools(&state, &user, &SessionForm::default(), &Vec::new()).await
}

async fn render_schools(
    state: &AppState,
    user: &PageUser,
    f: &SessionForm,
    errors: &Errors,
) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let today = state.today();
    let from = safetynet_app::measures::programme_start(&state.store, today).await?;
    let reach = state.store.school_reach((from, today)).await?;
    let sessions = state.store.school_sessions(&permit, (from, today), None, LIST_LIMIT).await?;
    let county_lines =
        measured(state).await?.into_iter().find(|c| c.measured_by == Some(MeasureSource::CountyLinesSchools));
    let topics: Vec<(String, String)> = choices(Topic::ALL, Topic::as_str, Topic::label);
    let body = html! {
        (error_summary(errors))
        a class="govuk-back-link" href="/programmes" { "Programmes" }
        h1 class="govuk-heading-l" { "Sessions in schools and colleges" }
        p class="govuk-body" { "Since " (Day(from)) ". Counts only: no child's details are recorded." }
        @if let Some((c, m)) = county_lines.as_ref().and_then(|c| c.measured.as_ref().map(|m| (c, m))) {
            div class="govuk-inset-text" data-testid="county-lines-progress" {
                strong { (m.text) } " have had a County Lines workshop. "
                @if let (Some(t), Some(v)) = (c.target, m.figure) {
                    progress class="sn-progress" max=(t) value=(v.min(t)) aria-label="Schools with a County Lines workshop, against the target" {}
                }
            }
        }
        @if reach.is_empty() {
            p class="govuk-body" { "No sessions recorded yet." }
        } @else {
            table class="govuk-table" data-testid="reach-table" {
                caption class="govuk-table__caption govuk-table__caption--m" { "Reach by topic" }
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    th scope="col" class="govuk-table__header" { "Topic" }
                    @for h in ["Sessions", "Schools or places", "Pupils or young people"] { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (h) } }
                } }
                tbody class="govuk-table__body" {
                    @for t in &reach { tr class="govuk-table__row" {
                        th scope="row" class="govuk-table__header" { (t.topic.label()) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (t.sessions) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (t.schools) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (t.pupils) }
                    } }
                }
            }
            div class="sn-table-wrap" tabindex="0" role="region" aria-label="Sessions" {
                table class="govuk-table" data-testid="session-table" {
                    caption class="govuk-table__caption govuk-table__caption--m" { "Sessions, newest first" }
                    thead class="govuk-table__head" { tr class="govuk-table__row" {
                        @for h in ["Held", "School, college or place", "Topic", "Pupils or young people", "Given by"] { th scope="col" class="govuk-table__header" { (h) } }
                    } }
                    tbody class="govuk-table__body" {
                        @for s in &sessions { tr class="govuk-table__row" {
                            td class="govuk-table__cell" { (Day(s.held_on)) }
                            td class="govuk-table__cell" { (s.school) }
                            td class="govuk-table__cell" { (s.topic.label()) }
                            td class="govuk-table__cell" { (s.pupils) }
                            td class="govuk-table__cell" { (s.agency) }
                        } }
                    }
                }
            }
        }
        @if user.principal.can::<EditRecords>() {
            details class="govuk-details" id="session-form" open[!errors.is_empty()] {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { "Record a session" } }
                div class="govuk-details__text" {
                    form method="post" action="/programmes/schools" novalidate {
                        (csrf_field(user))
                        (input("school", "School, college or place", "text", &f.school, Some("For detached youth work, the area, e.g. Cottonmill estate"), errors))
                        (select("topic", "Topic", &topics, &f.topic, Some("Choose a topic"), errors))
                        div class="govuk-grid-row" {
                            div class="govuk-grid-column-one-half" { (input("held_on", "Held on", "date", &f.held_on, None, errors)) }
                            div class="govuk-grid-column-one-half" { (input("pupils", "Pupils, students or young people", "number", &f.pupils, None, errors)) }
                        }
                        (textarea("notes", "Notes", &f.notes, Some("No child's name or details."), 3, errors))
                        button class="govuk-button" type="submit" { "Record the session" }
                    }
                }
            }
        }
    };
    Ok(page(Some(user), Nav::Programmes, "Sessions in schools and colleges", PageOpts::default(), body))
}

/// The session form as the browser sends it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SessionForm {
    school: String,
    topic: String,
    held_on: String,
    pupils: String,
    notes: String,
}

impl SessionForm {
    fn command(&self) -> Result<NewSchoolSession, (&'static str, String)> {
        Ok(NewSchoolSession {
            school: self.school.clone(),
            topic: Topic::parse(&self.topic).ok_or(("topic", "Choose a topic".to_string()))?,
            held_on: parse_date(&self.held_on).ok_or(("held_on", "Enter the day the session was held".to_string()))?,
            pupils: self
                .pupils
                .trim()
                .parse()
                .map_err(|_| ("pupils", "Enter the number of pupils as a whole number".to_string()))?,
            notes: self.notes.clone(),
        })
    }
}

/// `POST /programmes/schools`.
pub async fn add_session(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<SessionForm>,
) -> PageResult<Response> {
    let permit = user.permit::<EditRecords>()?;
    let field = |rule: &str| match rule {
        "session_date" => "held_on",
        "session_pupils" => "pupils",
        _ => "school",
    };
    let refused = match f.command() {
        Err(e) => e,
        Ok(new) => match state.store.add_school_session(&permit, &new, state.today(), &user.actor()).await {
            Ok(_) => return Ok(Redirect::to("/programmes/schools").into_response()),
            Err(e) => rule_error(e, field)?,
        },
    };
    let errors = vec![(refused.0.to_string(), refused.1)];
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_schools(&state, &user, &f, &errors).await?).into_response())
}
