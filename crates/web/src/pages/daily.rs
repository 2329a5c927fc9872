//! The daily review: the last 24 hours' incidents and the police's daily
//! crimes (to 08:00 UK time on the chosen day), ranked by risk with the
//! reasons, for the morning meeting; each line takes the reviewer's
//! decision (open a case, link to a case, no action with a reason), so the
//! review itself is evidenced.

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageResult};
use crate::forms::Errors;
use crate::layout::{csrf_field, error_summary, page, uk_time, Nav, PageOpts};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::response::{Html, Response};
use maud::{html, Markup};
use safetynet_app::daily::{daily_review, decide, DailyReview, DailyReviewRequest, DecisionInput};
use safetynet_domain::policy::{EditRecords, ViewRecords};
use safetynet_store::police_daily::DailyDecision;

fn score_tag(score: u32) -> Markup {
    let colour = if score >= 5 {
        "govuk-tag--red"
    } else if score >= 2 {
        "govuk-tag--orange"
    } else {
        "govuk-tag--grey"
    };
    html! { strong class=(format!("govuk-tag {colour}")) { (score) } }
}

fn reasons(list: &[String]) -> Markup {
    html! { @if list.is_empty() { "No risk factors" } @else { ul class="govuk-list govuk-body-s" { @for r in list { li { (r) } } } } }
}

/// The decision recorded about a line, or the form to record one.
fn decision_cell(
    user: &PageUser,
    date: chrono::NaiveDate,
    kind: &str,
    id: &str,
    decided: Option<&DailyDecision>,
    can_decide: bool,
) -> Markup {
    let said = decided.map(|d| match d.decision.as_str() {
        "open_case" => "Open a case".to_string(),
        "link_case" => "Linked to a case".to_string(),
        _ => format!("No action: {}", d.reason),
    });
    html! {
        @if let (Some(d), Some(said)) = (decided, &said) {
            p class="govuk-body-s govuk-!-margin-bottom-1" data-testid="decision" { strong { (said) } br; (d.decided_by) ", " (uk_time(d.decided_at_ms)) }
        }
        @if can_decide {
            details class="govuk-details govuk-!-margin-bottom-0" {
                summary class="govuk-details__summary" { span class="govuk-details__summary-text" { @if decided.is_some() { "Change the decision" } @else { "Record a decision" } } }
                div class="govuk-details__text" {
                    form method="post" action="/daily-review/decisions" {
                        (csrf_field(user))
                        input type="hidden" name="date" value=(date.to_string());
                        input type="hidden" name="item_kind" value=(kind);
                        input type="hidden" name="item_id" value=(id);
                        fieldset class="govuk-fieldset" {
                            legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Decision" }
                            div class="govuk-radios govuk-radios--small" {
                                @for (value, label) in [("open_case", "Open a case"), ("link_case", "Link to a case"), ("no_action", "No action")] {
                                    div class="govuk-radios__item" {
                                        input class="govuk-radios__input" type="radio" name="decision" id=(format!("decision-{id}-{value}")) value=(value);
                                        label class="govuk-label govuk-radios__label" for=(format!("decision-{id}-{value}")) { (label) }
                                    }
                                }
                            }
                        }
                        div class="govuk-form-group" {
                            label class="govuk-label govuk-label--s" for=(format!("case-{id}")) { "Case reference (to link to)" }
                            input class="govuk-input govuk-input--width-10" type="text" name="case_reference" id=(format!("case-{id}"));
                        }
                        div class="govuk-form-group" {
                            label class="govuk-label govuk-label--s" for=(format!("reason-{id}")) { "Reason (needed for no action)" }
                            textarea class="govuk-textarea" rows="2" name="reason" id=(format!("reason-{id}")) {}
                        }
                        button class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" type="submit" { "Save the decision" }
                    }
                }
            }
        }
    }
}

async fn render(state: &AppState, user: &PageUser, review: &DailyReview, errors: &Errors) -> PageResult<Html<String>> {
    let DailyReview { date, from, to, items, police_crimes, decisions } = review;
    let cats = state.store.categories().await?;
    let label = |code: &str| cats.iter().find(|c| c.code == code).map_or(code.to_string(), |c| c.label.clone());
    let decided = |kind: &str, id: &str| decisions.iter().find(|d| d.item_kind == kind && d.item_id == id);
    let can_decide = user.principal.can::<EditRecords>();
    let undecided = items.iter().filter(|i| decided("incident", &i.incident_id).is_none()).count()
        + police_crimes.iter().filter(|p| decided("police_crime", &p.crime.id).is_none()).count();
    let body = html! {
        (error_summary(errors))
        h1 class="govuk-heading-l" { "Daily review" }
        p class="govuk-body" { "Incidents your agency can see and the police's daily crimes shared with it, reported from " (uk_time(from.timestamp_millis())) " to " (uk_time(to.timestamp_millis())) ", highest risk first." }
        form method="get" action="/daily-review" class="sn-filters" {
            div class="govuk-form-group" {
                label class="govuk-label" for="date" { "Day" }
                input class="govuk-input govuk-input--width-10" id="date" name="date" type="date" value=(date.to_string());
            }
            button class="govuk-button govuk-button--secondary" type="submit" { "Show" }
        }
        p class="govuk-body" { a class="govuk-link" href="/daily-review/reconciliation" { "Compare the daily feed with police.uk" } }
        @if !items.is_empty() || !police_crimes.is_empty() {
            // The error summary's link for a refused decision lands here, above both lists.
            p class="govuk-body" id="decision" tabindex="-1" data-testid="undecided" { (undecided) " of " (items.len() + police_crimes.len()) " lines have no decision yet." }
        }
        h2 class="govuk-heading-m" { "Police crimes" }
        @if police_crimes.is_empty() { p class="govuk-body" data-testid="police-empty" { "No police crimes in this period that your agency may see." } }
        @else {
            div class="sn-table-wrap" { table class="govuk-table" data-testid="police-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Score", "Crime", "Offence", "Where", "Why", "Decision"] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" {
                    @for p in police_crimes { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (score_tag(p.score)) }
                        td class="govuk-table__cell" { (p.crime.record.crime_reference) br; span class="govuk-body-s" { (uk_time(p.crime.record.reported_at_ms)) " · " (p.crime.owner_agency) " · " (p.crime.record.status.replace('_', " ")) } }
                        td class="govuk-table__cell" { (label(&p.crime.record.category)) br; span class="govuk-body-s" { (p.crime.record.offence_code) " " (p.crime.record.offence_description) } }
                        td class="govuk-table__cell" { (p.crime.record.address) }
                        td class="govuk-table__cell" { (reasons(&p.reasons)) }
                        td class="govuk-table__cell" { (decision_cell(user, *date, "police_crime", &p.crime.id, decided("police_crime", &p.crime.id), can_decide)) }
                    } }
                }
            } }
        }
        h2 class="govuk-heading-m" { "Incidents" }
        @if items.is_empty() { p class="govuk-body" data-testid="daily-empty" { "No incidents in this period." } }
        @else {
            div class="sn-table-wrap" { table class="govuk-table" data-testid="daily-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Score", "Incident", "Category", "Where", "Why", "Decision"] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" {
                    @for i in items { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (score_tag(i.score)) }
                        td class="govuk-table__cell" { a class="govuk-link" href=(format!("/incidents/{}", i.incident_id)) { (i.reference) } br; span class="govuk-body-s" { (uk_time(i.reported_at_ms)) " · " (i.owner_agency) } }
                        td class="govuk-table__cell" { (label(&i.category)) }
                        td class="govuk-table__cell" { (i.address) }
                        td class="govuk-table__cell" { (reasons(&i.reasons)) }
                        td class="govuk-table__cell" { (decision_cell(user, *date, "incident", &i.incident_id, decided("incident", &i.incident_id), can_decide)) }
                    } }
                }
            } }
        }
    };
    Ok(page(Some(user), Nav::DailyReview, "Daily review", PageOpts::default(), body))
}

async fn review_of(state: &AppState, user: &PageUser, request: &DailyReviewRequest) -> PageResult<DailyReview> {
    let permit = user.permit::<ViewRecords>()?;
    Ok(daily_review(&state.analyst, &permit, request, &state.config.police_daily, &user.actor()).await?)
}

/// `GET /daily-review?date=YYYY-MM-DD`.
pub async fn show(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let p = crate::params::options(raw.as_deref())?;
    let request = DailyReviewRequest::from_params(&p, state.today())?;
    p.finish()?;
    let review = review_of(&state, &user, &request).await?;
    render(&state, &user, &review, &Vec::new()).await
}

/// `POST /daily-review/decisions`: a reviewer's decision about a line; back
/// to the day's review, or the review with the problem shown.
pub async fn decide_form(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<DecisionInput>,
) -> PageResult<Response> {
    let back = format!("/daily-review?date={}", f.date.trim());
    let r = async {
        let permit = user.permit::<EditRecords>()?;
        decide(&state.store, &permit, &f, &state.config.police_daily, &user.actor()).await?;
        Ok::<(), AppError>(())
    }
    .await
    .map_err(Into::into);
    let (state, user, date) = (&state, &user, f.date.trim().to_string());
    super::form_result(r, &back, "decision", |errors| async move {
        let p = safetynet_app::Params::from_pairs([("date", date.as_str())])?;
        let request = DailyReviewRequest::from_params(&p, state.today())?;
        let review = review_of(state, user, &request).await?;
        render(state, user, &review, &errors).await
    })
    .await
}

/// `GET /daily-review/reconciliation`: the daily feed's monthly counts by
/// category beside police.uk's (counts only).
pub async fn reconciliation(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    user.permit::<ViewRecords>()?;
    let rows = safetynet_app::police_daily::reconciliation(&state.store).await?;
    let body = html! {
        a class="govuk-back-link" href="/daily-review" { "Back to the daily review" }
        h1 class="govuk-heading-l" { "Daily feed and police.uk" }
        p class="govuk-body" { "Crimes in the police's daily feed by the month they were reported, beside what police.uk published for the same month and crime type. police.uk publishes about two months late, after the force's own checks, and for the area its data was imported for; the daily feed is what the force sent each morning. Quote police.uk for published figures and the daily feed for the latest days." }
        @if rows.is_empty() { p class="govuk-body" data-testid="reconciliation-empty" { "No daily feed has been imported yet." } }
        @else {
            div class="sn-table-wrap" { table class="govuk-table" data-testid="reconciliation" {
                thead class="govuk-table__head" { tr class="govuk-table__row" {
                    @for h in ["Month", "Category"] { th scope="col" class="govuk-table__header" { (h) } }
                    @for h in ["Daily feed", "police.uk", "Difference"] { th scope="col" class="govuk-table__header govuk-table__header--numeric" { (h) } }
                } }
                tbody class="govuk-table__body" {
                    @for r in &rows { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { (r.month) }
                        td class="govuk-table__cell" { (r.category) }
                        td class="govuk-table__cell govuk-table__cell--numeric" { (r.daily_feed) }
                        @match r.police_uk {
                            Some(n) => {
                                td class="govuk-table__cell govuk-table__cell--numeric" { (n) }
                                td class="govuk-table__cell govuk-table__cell--numeric" { (format!("{:+}", r.daily_feed - n)) }
                            }
                            None => {
                                td class="govuk-table__cell govuk-table__cell--numeric" { "not published" }
                                td class="govuk-table__cell govuk-table__cell--numeric" { "" }
                            }
                        }
                    } }
                }
            } }
        }
    };
    Ok(page(Some(&user), Nav::DailyReview, "Daily feed and police.uk", PageOpts::default(), body))
}
