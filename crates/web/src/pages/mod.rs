//! Server-rendered pages, one module per area.

use crate::uploads::limited;

mod account;
mod admin;
mod analysis;
mod analysis_maps;
mod arson;
mod audit;
mod case_reviews;
mod cases;
mod crimes;
mod daily;
mod dashboard;
mod documents;
mod fly_tipping;
mod incidents;
mod meetings;
mod noise;
mod operations;
mod places;
mod premises;
mod programmes;
mod pspos;
mod public;
mod referrals;
mod report;
mod report_journey;
mod signin;
mod statements;
mod strategy;
mod surveys;
mod taxi;
mod taxi_concerns;
mod triage;
mod two_step;
mod vawg;
mod victim_updates;

pub use two_step::TWO_STEP_PATH;

use crate::error::{AppError, PageError, PageResult};
use crate::forms::Errors;
use crate::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .route("/healthz", get(dashboard::healthz))
        .route("/sign-in", get(signin::form).post(signin::submit))
        .route("/sign-out", post(signin::sign_out))
        .route("/session/keep-alive", post(account::keep_alive))
        .route("/accessibility", get(statements::accessibility))
        .route("/privacy", get(statements::privacy))
        .route("/logo", get(statements::logo))
        .route("/sign-in/code", get(signin::code_form).post(signin::code_submit))
        .route("/dashboard", get(dashboard::show))
        .route("/crimes", get(crimes::browse))
        .route("/crimes/export.csv", get(crimes::export_csv))
        .route("/crimes/map.geojson", get(crimes::geojson))
        .route("/places", get(places::find))
        .route("/analysis", get(analysis::show))
        .route("/analysis/evaluate", get(analysis::evaluate))
        .route("/analysis/incidents", get(analysis::incidents))
        .route("/analysis/hotspots.svg", get(analysis::hotspots_svg))
        .route("/analysis/series.svg", get(analysis::series_svg))
        .route("/analysis/density.svg", get(analysis_maps::density_svg))
        .route("/analysis/incidents/scan.svg", get(analysis_maps::scan_svg))
        .route("/analysis/incidents/near-repeat.svg", get(analysis_maps::near_repeat_svg))
        .route("/admin/agencies", get(admin::agencies).post(admin::add_agency))
        .route("/admin/users", get(admin::users).post(admin::add_user))
        .route("/admin/users/{id}", get(admin::user))
        .route("/admin/users/{id}/roles", post(admin::set_roles))
        .route("/admin/users/{id}/active", post(admin::set_active))
        .route("/admin/users/{id}/unlock", post(admin::unlock))
        .route("/admin/users/{id}/mfa-reset", post(admin::reset_mfa))
        .route("/incidents", get(incidents::list).post(incidents::create))
        .route("/incidents/new", get(incidents::new))
        .route("/incidents/{id}", get(incidents::show))
        .route("/people/{id}/merge", post(incidents::merge))
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/{id}", get(cases::show))
        .route("/cases/{id}/plan", post(cases::save_plan))
        .route("/cases/{id}/status", post(cases::change_status))
        .route("/cases/{id}/reviews", post(cases::record_review))
        .route("/cases/{id}/incidents", post(cases::link_incident))
        .route("/cases/{id}/tasks", post(cases::add_task))
        .route("/cases/{id}/notes", post(cases::add_note))
        .route("/cases/{id}/victim-contact", post(victim_updates::set_contact))
        .route("/cases/{id}/victim-updates", post(victim_updates::tell))
        .route("/cases/{id}/shares", post(cases::share))
        .route("/cases/{id}/interventions", post(cases::add_intervention))
        .route("/cases/{id}/breaches", post(cases::add_breach))
        .route("/cases/{id}/risk", get(cases::risk).post(cases::assess))
        .route("/tasks/{id}", post(cases::update_task))
        .route("/daily-review", get(daily::show))
        .route("/daily-review/decisions", post(daily::decide_form))
        .route("/daily-review/reconciliation", get(daily::reconciliation))
        .route("/case-reviews", get(case_reviews::list).post(case_reviews::open))
        .route("/case-reviews/{id}", get(case_reviews::show).post(case_reviews::decide))
        .route("/cases/{id}/documents", limited(post(cases::upload_document)))
        .route("/incidents/{id}/documents", limited(post(documents::upload_incident)))
        .route("/documents/{id}", get(documents::download))
        .route("/interventions/{id}/letter", post(cases::produce_letter))
        .route("/pspos", get(pspos::list).post(pspos::create))
        .route("/pspos/{id}", get(pspos::show))
        .route("/pspos/{id}/extensions", post(pspos::extend))
        .route("/programmes", get(programmes::hub))
        .route("/programmes/referrals", get(referrals::list).post(referrals::create))
        .route("/programmes/referrals/{id}", get(referrals::show))
        .route("/programmes/referrals/{id}/updates", post(referrals::update))
        .route("/programmes/schools", get(programmes::schools).post(programmes::add_session))
        .route("/programmes/premises", get(premises::list).post(premises::add))
        .route("/programmes/premises/{id}", get(premises::show))
        .route("/programmes/premises/{id}/visits", post(premises::add_visit))
        .route("/programmes/arson", get(arson::show))
        .route("/programmes/arson/vigilance-checks", post(arson::add_check))
        .route("/programmes/fly-tipping", get(fly_tipping::list))
        .route("/programmes/fly-tipping/cameras", post(fly_tipping::add_camera))
        .route("/programmes/fly-tipping/cameras/{id}/removal", post(fly_tipping::remove_camera))
        .route("/programmes/fly-tipping/actions/{id}/outcome", post(fly_tipping::record_outcome))
        .route("/programmes/fly-tipping/{id}", get(fly_tipping::show))
        .route("/programmes/fly-tipping/{id}/categories", post(fly_tipping::categorise))
        .route("/programmes/fly-tipping/{id}/actions", post(fly_tipping::add_action))
        .route("/programmes/noise", get(noise::show))
        .route("/programmes/noise/equipment", post(noise::add_equipment))
        .route("/programmes/noise/bookings", post(noise::book))
        .route("/programmes/noise/bookings/{id}/return", post(noise::return_kit))
        .route("/programmes/noise/visits", post(noise::add_visit))
        .route("/programmes/vawg", get(vawg::list).post(vawg::add))
        .route("/programmes/vawg/{id}", get(vawg::show))
        .route("/programmes/vawg/{id}/findings", post(vawg::finding))
        .route("/programmes/vawg/{id}/actions", post(vawg::add_action))
        .route("/programmes/vawg/actions/{id}/done", post(vawg::done))
        .route("/programmes/taxi", get(taxi::list).post(taxi::add))
        .route("/programmes/taxi/concerns", get(taxi_concerns::shared))
        .route("/programmes/taxi/{id}", get(taxi::show))
        .route("/programmes/taxi/{id}/concerns", post(taxi_concerns::share))
        .route("/programmes/taxi/{id}/checks", post(taxi::add_check))
        .route("/programmes/taxi/{id}/training", post(taxi::record_training))
        .route("/programmes/taxi/{id}/licence", post(taxi::renew_licence))
        .route("/strategy", get(strategy::show))
        .route("/strategy/commitments", post(strategy::add))
        .route("/strategy/commitments/{id}", get(strategy::commitment).post(strategy::edit))
        .route("/strategy/commitments/{id}/updates", post(strategy::add_update))
        .route("/operations", get(operations::list).post(operations::create))
        .route("/operations/{id}", get(operations::show))
        .route("/operations/{id}/evaluate", post(operations::evaluate))
        .route("/operations/{id}/tasks", post(operations::add_task))
        .route("/operation-tasks/{id}/done", post(operations::task_done))
        .route("/meetings", get(meetings::list).post(meetings::schedule))
        .route("/meetings/{id}", get(meetings::show))
        .route("/meetings/{id}/pack", get(meetings::pack))
        .route("/meetings/{id}/pack.pdf", get(meetings::pack_pdf))
        .route("/meetings/{id}/pack.html", get(meetings::pack_html))
        .route("/meetings/{id}/actions", post(meetings::add_action))
        .route("/meetings/{id}/attendees", post(meetings::add_attendee))
        .route("/meetings/{id}/decisions", post(meetings::add_decision))
        .route("/meetings/{id}/minutes", post(meetings::save_minutes))
        .route("/meeting-actions/{id}", post(meetings::update_action))
        .route("/meeting-series/{code}", post(meetings::save_series))
        .route("/surveys", get(surveys::list).post(surveys::create))
        .route("/surveys/{id}", get(surveys::results))
        .route("/public/forums/{id}", get(public::forum))
        .route("/report", get(report::form).post(report::submit).layer(DefaultBodyLimit::max(report::MAX_BODY)))
        .route("/report/step", post(report_journey::step))
        .route("/report/status/{token}", get(report::status))
        .route("/public-reports", get(triage::queue))
        .route("/public-reports/{id}", get(triage::show))
        .route("/public-reports/{id}/photos/{n}", get(triage::photo))
        .route("/public-reports/{id}/triage", post(triage::triage))
        .route("/public-reports/{id}/updates", post(triage::update))
        .route("/public/surveys/{id}", get(public::survey).post(public::respond))
        .route("/audit", get(audit::search))
        .route("/audit/export.csv", get(audit::export_csv))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route("/account/notifications", post(account::save_notifications))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/account/two-step", get(two_step::show))
        .route("/account/two-step/start", post(two_step::start))
        .route("/account/two-step/confirm", post(two_step::confirm))
}

/// What a form post leads to: `success` on success, or the page again (from
/// `rerender`) with the problem shown at `field` and status 400, 409 or 422.
/// Other errors pass through.
pub async fn form_result<Fut>(
    result: Result<(), PageError>,
    success: &str,
    field: &str,
    rerender: impl FnOnce(Errors) -> Fut,
) -> PageResult<Response>
where
    Fut: std::future::Future<Output = PageResult<Html<String>>>,
{
    match result {
        Ok(()) => Ok(Redirect::to(success).into_response()),
        Err(PageError(e @ (AppError::BadRequest(_) | AppError::Unprocessable { .. } | AppError::Conflict(_)))) => {
            let status = match &e {
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::BAD_REQUEST,
            };
            Ok((status, rerender(vec![(field.to_string(), e.to_string())]).await?).into_response())
        }
        Err(other) => Err(other),
    }
}

/// A page form's conversion into its command, noting in `at` the field a
/// refusal is shown at.
pub fn noting<T>(r: Result<T, (&'static str, AppError)>, at: &mut &'static str) -> Result<T, AppError> {
    r.map_err(|(field, e)| {
        *at = field;
        e
    })
}

/// A form with no fields but the CSRF token.
#[derive(Debug, serde::Deserialize)]
pub struct Empty {}
