//! Administration of agencies and users (partnership administrators only).
//! Every change is audited by the store in the same transaction.

use crate::auth::{CsrfForm, PageUser};
use crate::error::{AppError, PageResult};
use crate::forms::select;
use crate::layout::{csrf_field, error_summary, page, uk_time, Nav, PageOpts};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::{html, Markup};
use safetynet_domain::partnership::{parse_name, Agency, AgencyCode, AgencyKind, Email, UserSummary};
use safetynet_domain::policy::{ManageAgencies, ManageUsers};
use safetynet_domain::powers::Sector;
use safetynet_domain::role::Role;
use safetynet_store::users::NewUser;

fn admin_tabs(current: &str) -> Markup {
    html! {
        nav class="govuk-!-margin-bottom-6" aria-label="Administration" {
            ul class="govuk-list" {
                li { @if current == "users" { strong { "Users" } } @else { a class="govuk-link" href="/admin/users" { "Users" } } }
                li { @if current == "agencies" { strong { "Agencies" } } @else { a class="govuk-link" href="/admin/agencies" { "Agencies" } } }
            }
        }
    }
}

/// `GET /admin/agencies`.
pub async fn agencies(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    user.permit::<ManageAgencies>()?;
    agencies_page(&state, &user, &[]).await
}

async fn agencies_page(state: &AppState, user: &PageUser, errors: &[(String, String)]) -> PageResult<Html<String>> {
    let list = state.store.agencies().await?;
    let body = html! {
        (error_summary(errors))
        h1 class="govuk-heading-l" { "Agencies" }
        (admin_tabs("agencies"))
        table class="govuk-table" data-testid="agency-table" {
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                th scope="col" class="govuk-table__header" { "Code" } th scope="col" class="govuk-table__header" { "Name" } th scope="col" class="govuk-table__header" { "Kind" } th scope="col" class="govuk-table__header" { "Sector" }
            } }
            tbody class="govuk-table__body" {
                @for a in &list { tr class="govuk-table__row" {
                    td class="govuk-table__cell" { (a.code) } td class="govuk-table__cell" { (a.name) } td class="govuk-table__cell" { (a.kind.label()) }
                    td class="govuk-table__cell" { (a.sector.map_or("Not set", Sector::label)) }
                } }
            }
        }
        h2 class="govuk-heading-m" { "Add or rename an agency" }
        form method="post" action="/admin/agencies" novalidate {
            (csrf_field(user))
            div class="govuk-form-group" {
                label class="govuk-label" for="code" { "Code" }
                div class="govuk-hint" id="code-hint" { "2 to 20 letters, digits or hyphens, for example HERTS-POLICE. An existing code renames that agency." }
                input class="govuk-input govuk-input--width-20" id="code" name="code" type="text" aria-describedby="code-hint";
            }
            div class="govuk-form-group" {
                label class="govuk-label" for="name" { "Name" }
                input class="govuk-input" id="name" name="name" type="text";
            }
            div class="govuk-form-group" {
                fieldset class="govuk-fieldset" {
                    legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Kind" }
                    div class="govuk-radios" data-module="govuk-radios" {
                        @for (i, k) in [AgencyKind::ResponsibleAuthority, AgencyKind::Partner].iter().enumerate() {
                            div class="govuk-radios__item" {
                                input class="govuk-radios__input" id=(format!("kind-{i}")) name="kind" type="radio" value=(k.as_str()) checked[i == 1];
                                label class="govuk-label govuk-radios__label" for=(format!("kind-{i}")) { (k.label()) }
                            }
                        }
                    }
                }
            }
            (select("sector", "Sector", &Sector::ALL.map(|s| (s.as_str().to_string(), s.label().to_string())), "", Some("Choose the sector"), &errors.to_vec()))
            p class="govuk-body" { "The sector decides which enforcement powers the agency's officers may record: a council, the police and housing providers issue community protection notices; only the police give dispersal directions." }
            button type="submit" class="govuk-button" data-module="govuk-button" { "Save agency" }
        }
    };
    Ok(page(Some(user), Nav::Admin, "Agencies", PageOpts::default(), body))
}

/// The agency form.
#[derive(Debug, serde::Deserialize)]
pub struct AgencyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sector: String,
}

/// `POST /admin/agencies`.
pub async fn add_agency(
    State(state): State<AppState>,
    CsrfForm(user, f): CsrfForm<AgencyForm>,
) -> PageResult<Response> {
    let permit = user.permit::<ManageAgencies>()?;
    let mut errors = Vec::new();
    let code = AgencyCode::parse(&f.code).map_err(|e| errors.push(("code".to_string(), e.to_string()))).ok();
    let name = parse_name("name", &f.name, 200).map_err(|e| errors.push(("name".to_string(), e.to_string()))).ok();
    let kind = AgencyKind::parse(&f.kind).map_err(|e| errors.push(("kind-0".to_string(), e.to_string()))).ok();
    let sector =
        Sector::parse(&f.sector).map_err(|_| errors.push(("sector".to_string(), "Choose the sector".into()))).ok();
    let (Some(code), Some(name), Some(kind), Some(sector)) = (code, name, kind, sector) else {
        return Ok((axum::http::StatusCode::BAD_REQUEST, agencies_page(&state, &user, &errors).await?).into_response());
    };
    let agency = Agency { code, name, kind, sector: Some(sector) };
    state.store.save_agency(&permit, &agency, user.now_ms, &user.addr).await?;
    Ok(Redirect::to("/admin/agencies").into_response())
}

/// `GET /admin/users`.
pub async fn users(State(state): State<AppState>, user: PageUser) -> PageResult<Html<String>> {
    user.permit::<ManageUsers>()?;
    users_page(&state, &user, &[]).await
}

fn role_checkboxes(prefix: &str, held: &[Role]) -> Markup {
    html! {
        div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes" {
            @for r in Role::ALL {
                div class="govuk-checkboxes__item" {
                    input class="govuk-checkboxes__input" id=(format!("{prefix}-{}", r.as_str())) name="role" type="checkbox" value=(r.as_str()) checked[held.contains(&r)];
                    label class="govuk-label govuk-checkboxes__label" for=(format!("{prefix}-{}", r.as_str())) { (r.label()) }
                }
            }
        }
    }
}

async fn users_page(state: &AppState, user: &PageUser, errors: &[(String, String)]) -> PageResult<Html<String>> {
    let permit = user.permit::<ManageUsers>()?;
    let list = state.store.list_users(&permit, None, &user.actor()).await?;
    let agencies = state.store.agencies().await?;
    let body = html! {
        (error_summary(errors))
        h1 class="govuk-heading-l" { "Users" }
        (admin_tabs("users"))
        table class="govuk-table" data-testid="user-table" {
            thead class="govuk-table__head" { tr class="govuk-table__row" {
                @for h in ["Name", "Email", "Agency", "Roles", "Status"] { th scope="col" class="govuk-table__header" { (h) } }
            } }
            tbody class="govuk-table__body" {
                @for u in &list { tr class="govuk-table__row" {
                    td class="govuk-table__cell" { a class="govuk-link" href=(format!("/admin/users/{}", u.id)) { (u.display_name) } }
                    td class="govuk-table__cell" { (u.email) }
                    td class="govuk-table__cell" { (u.agency) }
                    td class="govuk-table__cell" { (u.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")) }
                    td class="govuk-table__cell" { (status_tag(u, user.now_ms)) }
                } }
            }
        }
        h2 class="govuk-heading-m" { "Add a user" }
        form method="post" action="/admin/users" novalidate {
            (csrf_field(user))
            div class="govuk-form-group" { label class="govuk-label" for="email" { "Email address" } input class="govuk-input govuk-!-width-two-thirds" id="email" name="email" type="email" spellcheck="false"; }
            div class="govuk-form-group" { label class="govuk-label" for="display_name" { "Full name" } input class="govuk-input govuk-!-width-two-thirds" id="display_name" name="display_name" type="text"; }
            div class="govuk-form-group" {
                label class="govuk-label" for="agency" { "Agency" }
                select class="govuk-select" id="agency" name="agency" { @for a in &agencies { option value=(a.code) { (a.name) " (" (a.code) ")" } } }
            }
            div class="govuk-form-group" {
                fieldset class="govuk-fieldset" id="roles" { legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { "Roles" } (role_checkboxes("new-role", &[])) }
            }
            div class="govuk-form-group" {
                label class="govuk-label" for="password" { "Initial password" }
                div class="govuk-hint" id="password-hint" { "At least 12 characters, not a common or easily guessed password, and not their name or email address. Give it to the user in person or by phone; they can change it under Your account." }
                input class="govuk-input govuk-!-width-two-thirds" id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-hint";
            }
            button type="submit" class="govuk-button" data-module="govuk-button" { "Add user" }
        }
    };
    Ok(page(Some(user), Nav::Admin, "Users", PageOpts::default(), body))
}

fn status_tag(u: &UserSummary, now_ms: i64) -> Markup {
    html! {
        @if !u.active { strong class="govuk-tag govuk-tag--grey" { "Deactivated" } }
        @else if u.locked_until_ms.is_some_and(|t| t > now_ms) { strong class="govuk-tag govuk-tag--red" { "Locked" } }
        @else { strong class="govuk-tag govuk-tag--green" { "Active" } }
    }
}

/// The ticked roles (repeated `role=` fields), parsed.
fn roles_from(ticked: &[String]) -> Result<Vec<Role>, AppError> {
    ticked.iter().map(|v| Role::parse(v).map_err(|e| AppError::BadRequest(e.to_string()))).collect()
}

/// The new-user form.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    email: String,
    display_name: String,
    agency: String,
    role: Vec<String>,
    password: String,
}

/// `POST /admin/users`.
pub async fn add_user(State(state): State<AppState>, CsrfForm(user, f): CsrfForm<NewUserForm>) -> PageResult<Response> {
    let permit = user.permit::<ManageUsers>()?;
    let mut errors = Vec::new();
    let mut check = |field_id: &str, r: Result<(), String>| {
        if let Err(m) = r {
            errors.push((field_id.to_string(), m));
        }
    };
    let email = Email::parse(&f.email);
    check("email", email.as_ref().map(|_| ()).map_err(ToString::to_string));
    let name = parse_name("full name", &f.display_name, 120);
    check("display_name", name.as_ref().map(|_| ()).map_err(ToString::to_string));
    let agency = AgencyCode::parse(&f.agency);
    check("agency", agency.as_ref().map(|_| ()).map_err(ToString::to_string));
    let roles = roles_from(&f.role);
    check(
        "roles",
        match &roles {
            Ok(r) if r.is_empty() => Err("choose at least one role".into()),
            Ok(_) => Ok(()),
            Err(e) => Err(e.to_string()),
        },
    );
    check(
        "password",
        safetynet_domain::password::check_policy(&f.password, &[&f.email, &f.display_name]).map_err(|e| e.to_string()),
    );
    let password = f.password;
    let (Ok(email), Ok(display_name), Ok(agency), Ok(roles), true) = (email, name, agency, roles, errors.is_empty())
    else {
        return Ok((axum::http::StatusCode::BAD_REQUEST, users_page(&state, &user, &errors).await?).into_response());
    };
    let password_hash = tokio::task::spawn_blocking(move || safetynet_domain::password::hash_password(&password))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::BadRequest(e.to_string()))?;
    let new = NewUser { email, display_name, agency, roles, password_hash };
    match state.store.create_user(&permit, &new, &user.actor()).await {
        Ok(id) => Ok(Redirect::to(&format!("/admin/users/{id}")).into_response()),
        Err(safetynet_store::StoreError::Conflict(what)) => {
            let errors = vec![("email".to_string(), format!("{what} already exists"))];
            Ok((axum::http::StatusCode::CONFLICT, users_page(&state, &user, &errors).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/users/{id}`.
pub async fn user(State(state): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult<Html<String>> {
    let permit = user.permit::<ManageUsers>()?;
    if !safetynet_domain::ids::is_id(&id) {
        return Err(AppError::NotFound("user").into());
    }
    let u = state.store.user(&permit, &id, &user.actor()).await?;
    let own = u.id == user.principal.user_id;
    let mfa = state.store.mfa_enrolled(&u.id).await?;
    let body = html! {
        span class="govuk-caption-l" { (u.agency) }
        h1 class="govuk-heading-l" { (u.display_name) }
        dl class="govuk-summary-list" {
            div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { "Email" } dd class="govuk-summary-list__value" { (u.email) } }
            div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { "Two-step sign-in" } dd class="govuk-summary-list__value" data-testid="user-mfa" { @if mfa { "On" } @else { "Off" } } }
            div class="govuk-summary-list__row" { dt class="govuk-summary-list__key" { "Status" } dd class="govuk-summary-list__value" data-testid="user-status" {
                (status_tag(&u, user.now_ms))
                @if let Some(t) = u.locked_until_ms.filter(|t| *t > user.now_ms) { " until " (uk_time(t)) }
            } }
        }
        h2 class="govuk-heading-m" { "Roles" }
        @if own {
            p class="govuk-body" data-testid="own-account" { (u.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")) }
            div class="govuk-inset-text" { "This is your own account. Nobody changes their own roles or account status: ask another partnership administrator." }
        } @else {
        form method="post" action=(format!("/admin/users/{}/roles", u.id)) {
            (csrf_field(&user))
            div class="govuk-form-group" { fieldset class="govuk-fieldset" { legend class="govuk-fieldset__legend govuk-visually-hidden" { "Roles" } (role_checkboxes("role", &u.roles)) } }
            button type="submit" class="govuk-button" data-module="govuk-button" { "Save roles" }
        }
        h2 class="govuk-heading-m" { "Account" }
        div class="govuk-button-group" {
            form method="post" action=(format!("/admin/users/{}/active", u.id)) class="sn-inline-form" {
                (csrf_field(&user))
                input type="hidden" name="active" value=(if u.active { "false" } else { "true" });
                button type="submit" class={ "govuk-button " @if u.active { "govuk-button--warning" } @else { "govuk-button--secondary" } } { @if u.active { "Deactivate account" } @else { "Reactivate account" } }
            }
            @if u.locked_until_ms.is_some_and(|t| t > user.now_ms) {
                form method="post" action=(format!("/admin/users/{}/unlock", u.id)) class="sn-inline-form" {
                    (csrf_field(&user))
                    button type="submit" class="govuk-button govuk-button--secondary" { "Unlock account" }
                }
            }
            @if mfa {
                form method="post" action=(format!("/admin/users/{}/mfa-reset", u.id)) class="sn-inline-form" {
                    (csrf_field(&user))
                    button type="submit" class="govuk-button govuk-button--warning" { "Reset two-step sign-in" }
                }
            }
        }
        }
        p class="govuk-body" { a class="govuk-link" href="/admin/users" { "Back to users" } }
    };
    Ok(page(Some(&user), Nav::Admin, &u.display_name, PageOpts::default(), body))
}

/// The roles form: the ticked roles.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct RolesForm {
    role: Vec<String>,
}

/// `POST /admin/users/{id}/roles`: refused (403) for the administrator's
/// own account; audited with the roles before and after.
pub async fn set_roles(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<RolesForm>,
) -> PageResult<Response> {
    let permit = user.permit::<ManageUsers>()?;
    let roles = roles_from(&f.role)?;
    state.store.set_roles(&permit, &id, &roles, &user.actor()).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

/// The activate/deactivate form.
#[derive(Debug, serde::Deserialize)]
pub struct ActiveForm {
    active: bool,
}

/// `POST /admin/users/{id}/active`: refused (403) for the administrator's
/// own account.
pub async fn set_active(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, f): CsrfForm<ActiveForm>,
) -> PageResult<Response> {
    let permit = user.permit::<ManageUsers>()?;
    state.store.set_active(&permit, &id, f.active, &user.actor()).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

/// `POST /admin/users/{id}/unlock`.
pub async fn unlock(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, _): CsrfForm<super::Empty>,
) -> PageResult<Response> {
    let permit = user.permit::<ManageUsers>()?;
    state.store.unlock_user(&permit, &id, &user.actor()).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

/// `POST /admin/users/{id}/mfa-reset`: removes the user's second factor and
/// recovery codes (they set it up again); refused (403) for the
/// administrator's own account; audited.
pub async fn reset_mfa(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(user, _): CsrfForm<super::Empty>,
) -> PageResult<Response> {
    let permit = user.permit::<ManageUsers>()?;
    state.store.reset_mfa(&permit, &id, &user.actor()).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}
