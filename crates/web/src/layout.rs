//! The page shell (GOV.UK Design System markup), shared components and the
//! security headers every response carries.

use crate::viewer::PageUser;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{Html, Response};
use maud::{html, Markup, DOCTYPE};
use safetynet_domain::policy::{ManageAgencies, ManageUsers, ViewAudit, ViewCrimeData, ViewRecords};

/// Which navigation item is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    /// Dashboard.
    Dashboard,
    /// Crime and ASB browser.
    Crimes,
    /// Analysis.
    Analysis,
    /// Incidents.
    Incidents,
    /// Cases.
    Cases,
    /// The strategy and its commitments.
    Strategy,
    /// Targeted operations.
    Operations,
    /// JAG, RAG and Priority Setting Forum meetings.
    Meetings,
    /// The daily review.
    DailyReview,
    /// ASB Case Reviews.
    CaseReviews,
    /// The public spaces protection order register.
    Pspos,
    /// The partners' programmes.
    Programmes,
    /// Administration.
    Admin,
    /// Audit log.
    Audit,
    /// Own account.
    Account,
    /// None (sign-in, errors).
    None,
}

/// Options for [`page`].
#[derive(Debug, Default)]
pub struct PageOpts {
    /// Load Leaflet.
    pub map: bool,
    /// On public pages: the partnership's name (and logo) in the header.
    pub brand: Option<Brand>,
}

/// The partnership as a public page's header shows it.
#[derive(Debug, Clone)]
pub struct Brand {
    /// The partnership's name.
    pub name: String,
    /// Whether a logo is configured (served at `/logo`).
    pub logo: bool,
}

/// A whole page for a signed-in user.
pub fn page(user: Option<&PageUser>, nav: Nav, title: &str, opts: PageOpts, body: Markup) -> Html<String> {
    let item = |href: &str, label: &str, this: Nav| {
        html! {
            li class={ "govuk-service-navigation__item" @if nav == this { " govuk-service-navigation__item--active" } } {
                a class="govuk-service-navigation__link" href=(href) aria-current=[(nav == this).then_some("page")] { (label) }
            }
        }
    };
    let markup = html! {
        (DOCTYPE)
        html lang="en" class="govuk-template" {
            head {
                meta charset="utf-8";
                title { (title) " – SafetyNet" }
                meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover";
                meta name="robots" content="noindex, nofollow";
                @if let Some(u) = user {
                    meta name="csrf-token" content=(u.csrf);
                    meta name="session-idle-ms" content=(u.idle_ms);
                    meta name="session-user" content=(u.principal.user_id);
                }
                link rel="stylesheet" href="/assets/govuk-frontend.min.css";
                @if opts.map { link rel="stylesheet" href="/assets/leaflet/leaflet.css"; }
                link rel="stylesheet" href="/assets/app.css";
            }
            body class="govuk-template__body" {
                a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link" { "Skip to main content" }
                header class="govuk-header sn-header" role="banner" {
                    div class="govuk-header__container govuk-width-container sn-header__bar" {
                        div class="govuk-header__logo" {
                            @if let Some(b) = &opts.brand {
                                @if b.logo { img class="sn-header__logo" src="/logo" alt=(format!("{} logo", b.name)); }
                                span class="sn-header__brand" data-testid="partnership-name" { (b.name) }
                                span class="sn-header__partnership" { "Community safety, with SafetyNet" }
                            } @else {
                                a href="/" class="sn-header__brand" { "SafetyNet" }
                                span class="sn-header__partnership" { "Community Safety Partnership" }
                            }
                        }
                        @if let Some(u) = user {
                            div class="sn-header__account" {
                                a class="sn-header__link" href="/account" { (u.principal.display_name) " (" (u.principal.agency) ")" }
                                form method="post" action="/sign-out" class="sn-inline-form" {
                                    input type="hidden" name="csrf_token" value=(u.csrf);
                                    button type="submit" class="sn-header__signout" data-testid="sign-out" { "Sign out" }
                                }
                            }
                        }
                    }
                }
                @if let Some(u) = user {
                    section class="govuk-service-navigation" aria-label="Service information" data-module="govuk-service-navigation" {
                        div class="govuk-width-container" {
                            div class="govuk-service-navigation__container" {
                                nav aria-label="Menu" class="govuk-service-navigation__wrapper" {
                                    button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" aria-controls="navigation" hidden { "Menu" }
                                    ul class="govuk-service-navigation__list" id="navigation" {
                                        @if u.principal.can::<ViewCrimeData>() {
                                            (item("/dashboard", "Dashboard", Nav::Dashboard))
                                            (item("/crimes", "Crime and ASB", Nav::Crimes))
                                            (item("/analysis", "Analysis", Nav::Analysis))
                                            (item("/strategy", "Strategy", Nav::Strategy))
                                            (item("/operations", "Operations", Nav::Operations))
                                            (item("/meetings", "Meetings", Nav::Meetings))
                                        }
                                        @if u.principal.can::<ViewRecords>() {
                                            (item("/daily-review", "Daily review", Nav::DailyReview))
                                            (item("/incidents", "Incidents", Nav::Incidents))
                                            (item("/cases", "Cases", Nav::Cases))
                                            (item("/case-reviews", "Case Reviews", Nav::CaseReviews))
                                            (item("/pspos", "PSPOs", Nav::Pspos))
                                            (item("/programmes", "Programmes", Nav::Programmes))
                                        }
                                        @if u.principal.can::<ManageUsers>() || u.principal.can::<ManageAgencies>() {
                                            (item("/admin/users", "Users and agencies", Nav::Admin))
                                        }
                                        @if u.principal.can::<ViewAudit>() {
                                            (item("/audit", "Audit log", Nav::Audit))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div class="govuk-width-container" {
                    main class="govuk-main-wrapper" id="main-content" role="main" { (body) }
                }
                footer class="govuk-footer" role="contentinfo" {
                    div class="govuk-width-container" {
                        div class="govuk-footer__meta" {
                            div class="govuk-footer__meta-item govuk-footer__meta-item--grow" {
                                h2 class="govuk-visually-hidden" { "Support links" }
                                ul class="govuk-footer__inline-list" {
                                    li class="govuk-footer__inline-list-item" { a class="govuk-footer__link" href="/accessibility" { "Accessibility statement" } }
                                    li class="govuk-footer__inline-list-item" { a class="govuk-footer__link" href="/privacy" { "Privacy notice" } }
                                }
                                p class="govuk-body-s" {
                                    "SafetyNet: open-source software for Community Safety Partnerships. "
                                    "Recorded crime contains public sector information licensed under the "
                                    a class="govuk-footer__link" href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/" { "Open Government Licence v3.0" }
                                    " (data.police.uk)."
                                }
                            }
                        }
                    }
                }
                @if opts.map { script src="/assets/leaflet/leaflet.js" {} }
                script type="module" src="/assets/app.js" {}
            }
        }
    };
    Html(markup.into_string())
}

/// A message in sentence case, as GOV.UK shows it ("enter a date" becomes
/// "Enter a date"); the API keeps the domain's own wording.
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A summary list of (key, value) rows, set apart from what is above it.
pub fn summary_list<K: AsRef<str>>(rows: &[(K, String)]) -> Markup {
    html! {
        dl class="govuk-summary-list govuk-!-margin-top-4" {
            @for (k, v) in rows { div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { (k.as_ref()) } dd class="govuk-summary-list__value" { (v) } } }
        }
    }
}

/// A GOV.UK error summary for form errors (field id, message), one line
/// per field (its first message), each linked to its field.
pub fn error_summary(errors: &[(String, String)]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="govuk-error-summary" data-module="govuk-error-summary" {
                div role="alert" {
                    h2 class="govuk-error-summary__title" { "There is a problem" }
                    div class="govuk-error-summary__body" {
                        ul class="govuk-list govuk-error-summary__list" {
                            @for (i, (field, msg)) in errors.iter().enumerate() {
                                @if !errors[..i].iter().any(|(f, _)| f == field) { li { a href=(format!("#{field}")) { (sentence(msg)) } } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A standalone error page.
pub fn error_page(title: &str, message: &str) -> Html<String> {
    page(
        None,
        Nav::None,
        title,
        PageOpts::default(),
        html! {
            h1 class="govuk-heading-l" { (title) }
            p class="govuk-body" { (sentence(message)) }
            p class="govuk-body" { a class="govuk-link" href="/dashboard" { "Go to the dashboard" } }
        },
    )
}

/// The GOV.UK "Page not found" page, for any path the service does not have.
pub fn not_found_page() -> Html<String> {
    page(
        None,
        Nav::None,
        "Page not found",
        PageOpts::default(),
        html! {
            h1 class="govuk-heading-l" { "Page not found" }
            p class="govuk-body" { "If you typed the web address, check it is correct." }
            p class="govuk-body" { "If you pasted the web address, check you copied the entire address." }
            p class="govuk-body" {
                "If the web address is correct or you followed a link, the page may have moved. Go to your "
                a class="govuk-link" href="/dashboard" { "dashboard" }
                ", or ask your partnership's SafetyNet administrator."
            }
        },
    )
}

/// A warning that the newest recorded crime held (`latest`) is old by
/// `today`, so that nobody reads old figures as now; nothing when it is
/// recent.
pub fn stale_data_warning(latest: safetynet_domain::month::Month, today: chrono::NaiveDate) -> Markup {
    html! {
        @if let Some(age) = latest.stale_on(today) {
            div class="govuk-warning-text" data-testid="stale-data" {
                span class="govuk-warning-text__icon" aria-hidden="true" { "!" }
                strong class="govuk-warning-text__text" {
                    span class="govuk-visually-hidden" { "Warning" }
                    "The newest recorded crime held is for " (latest.long_name()) ", " (age) " months ago. "
                    "These figures describe that time, not now: ask an administrator to import the latest police.uk data."
                }
            }
        }
    }
}

/// GOV.UK pagination links: `base` already carries the other query parameters.
pub fn pagination(base: &str, page: i64, per_page: i64, total: i64) -> Markup {
    let pages = ((total + per_page - 1) / per_page).max(1);
    let sep = if base.contains('?') { '&' } else { '?' };
    let link = |p: i64| format!("{base}{sep}page={p}");
    html! {
        @if pages > 1 {
            nav class="govuk-pagination" aria-label="Pagination" {
                @if page > 1 {
                    div class="govuk-pagination__prev" { a class="govuk-link govuk-pagination__link" href=(link(page - 1)) rel="prev" { span class="govuk-pagination__link-title" { "Previous" span class="govuk-visually-hidden" { " page" } } } }
                }
                p class="govuk-body govuk-!-margin-bottom-0 govuk-!-margin-left-3 govuk-!-margin-right-3" { "Page " (page) " of " (pages) }
                @if page < pages {
                    div class="govuk-pagination__next" { a class="govuk-link govuk-pagination__link" href=(link(page + 1)) rel="next" { span class="govuk-pagination__link-title" { "Next" span class="govuk-visually-hidden" { " page" } } } }
                }
            }
        }
    }
}

/// A hidden CSRF field for a form.
pub fn csrf_field(user: &PageUser) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(user.csrf); }
}

/// Formats Unix ms in UK time, the one way every page shows a time:
/// "16 December 2026 14:05".
pub fn uk_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map_or_else(
        || "-".into(),
        |t| safetynet_domain::uk_time::london_local(t).format("%-d %B %Y %H:%M").to_string(),
    )
}

/// A date as every page shows it: "16 December 2026".
#[derive(Debug, Clone, Copy)]
pub struct Day(pub chrono::NaiveDate);

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%-d %B %Y"))
    }
}

/// Adds security headers to every response; pages are never cached because
/// they may hold personal data.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
