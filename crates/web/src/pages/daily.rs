//! The daily review: the last 24 hours' incidents (to 08:00 UK time on the
//! chosen day), ranked by risk with the reasons, for the morning meeting.

use crate::auth::PageUser;
use crate::error::PageResult;
use crate::layout::uk_time;
use crate::layout::{page, Nav, PageOpts};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use maud::html;
use safetynet_app::daily::{daily_review, DailyReview, DailyReviewRequest};
use safetynet_domain::policy::ViewRecords;

/// `GET /daily-review?date=YYYY-MM-DD`.
pub async fn show(State(state): State<AppState>, user: PageUser, RawQuery(raw): RawQuery) -> PageResult<Html<String>> {
    let permit = user.permit::<ViewRecords>()?;
    let p = crate::params::options(raw.as_deref())?;
    let request = DailyReviewRequest::from_params(&p, state.today())?;
    p.finish()?;
    let DailyReview { date, from, to, items } = daily_review(&state.store, &permit, &request, &user.actor()).await?;
    let cats = state.store.categories().await?;
    let body = html! {
        h1 class="govuk-heading-l" { "Daily review" }
        p class="govuk-body" { "Incidents your agency can see, reported from " (uk_time(from.timestamp_millis())) " to " (uk_time(to.timestamp_millis())) ", highest risk first." }
        form method="get" action="/daily-review" class="sn-filters" {
            div class="govuk-form-group" {
                label class="govuk-label" for="date" { "Day" }
                input class="govuk-input govuk-input--width-10" id="date" name="date" type="date" value=(date.to_string());
            }
            button class="govuk-button govuk-button--secondary" type="submit" { "Show" }
        }
        @if items.is_empty() { p class="govuk-body" data-testid="daily-empty" { "No incidents in this period." } }
        @else {
            table class="govuk-table" data-testid="daily-table" {
                thead class="govuk-table__head" { tr class="govuk-table__row" { @for h in ["Score", "Incident", "Category", "Where", "Why"] { th scope="col" class="govuk-table__header" { (h) } } } }
                tbody class="govuk-table__body" {
                    @for i in &items { tr class="govuk-table__row" {
                        td class="govuk-table__cell" { strong class={ "govuk-tag " @if i.score >= 5 { "govuk-tag--red" } @else if i.score >= 2 { "govuk-tag--orange" } @else { "govuk-tag--grey" } } { (i.score) } }
                        td class="govuk-table__cell" { a class="govuk-link" href=(format!("/incidents/{}", i.incident_id)) { (i.reference) } br; span class="govuk-body-s" { (uk_time(i.reported_at_ms)) " · " (i.owner_agency) } }
                        td class="govuk-table__cell" { (cats.iter().find(|c| c.code == i.category).map_or(i.category.as_str(), |c| c.label.as_str())) }
                        td class="govuk-table__cell" { (i.address) }
                        td class="govuk-table__cell" { @if i.reasons.is_empty() { "No risk factors" } @else { ul class="govuk-list govuk-body-s" { @for r in &i.reasons { li { (r) } } } } }
                    } }
                }
            }
        }
    };
    Ok(page(Some(&user), Nav::DailyReview, "Daily review", PageOpts::default(), body))
}
