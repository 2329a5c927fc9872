//! Who is calling: session cookies for pages, bearer tokens (or the session)
//! for the API, CSRF checks for every form and every cookie-authenticated
//! API call that changes state, and the client's source address (through
//! trusted proxies only) for the audit trail and the throttles.
//!
//! The raw session secret lives only in the browser's `HttpOnly` cookie; the
//! server stores its SHA-256. The CSRF token is derived from the raw secret.

use crate::error::AppError;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{header, Method};
use safetynet_domain::net::client_address;
use safetynet_domain::policy::{Capability, Permit, Principal};
use safetynet_domain::token::{constant_time_eq, csrf_for_session, hash_secret};
use safetynet_store::users::Actor;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "sn_session";
/// Name of the pre-sign-in CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "sn_login_csrf";

/// The value of cookie `name` in the request, if any.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts.headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|c| {
        let (k, v) = c.trim().split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// `next` if it is safe to send a browser to after signing in: an absolute
/// path on this site (never `//host` or `/\host`, which browsers read as
/// another site, nor control characters, which they strip), at most 2,000
/// bytes, and not the sign-in or sign-out pages themselves.
pub fn return_path(next: &str) -> Option<&str> {
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.len() <= 2000
        && !next.chars().any(char::is_control)
        && !next.starts_with("/sign-in")
        && !next.starts_with("/sign-out");
    safe.then_some(next)
}

/// The refusal of a page request without a live session: sign in, then
/// come back here. A form's target is not a page, so a refused form comes
/// back to the page it was sent from (its same-site `Referer`), where the
/// browser puts back what was typed.
fn sign_in_to_continue(parts: &Parts, expired: bool) -> AppError {
    let next = if parts.method == Method::GET {
        parts.uri.path_and_query().map(|p| p.as_str().to_string())
    } else {
        referring_page(parts)
    };
    let next = next.as_deref().and_then(return_path).map(str::to_string);
    AppError::SignInToContinue { next, expired }
}

/// The path of the page a request came from, when it is on this site.
fn referring_page(parts: &Parts) -> Option<String> {
    let referer = parts.headers.get(header::REFERER)?.to_str().ok()?;
    let host = parts.headers.get(header::HOST)?.to_str().ok()?;
    let rest = referer.strip_prefix("https://").or_else(|| referer.strip_prefix("http://"))?;
    let path = rest.strip_prefix(host)?;
    path.starts_with('/').then(|| path.to_string())
}

/// A `Set-Cookie` value with the security attributes.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}")
}

/// Header a client sends the session's CSRF token in on API writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The real client's address, or "unknown" in-process. When the socket peer
/// is one of the configured `trusted_proxies`, the right-most address in
/// `X-Forwarded-For` that is not itself a trusted proxy; otherwise the peer,
/// and the header is ignored (anyone can write it).
#[derive(Debug, Clone)]
pub struct ClientAddr(pub String);

impl ClientAddr {
    /// Resolves the client of a request.
    pub fn of(parts: &Parts, state: &AppState) -> Self {
        let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() else {
            return Self("unknown".into());
        };
        let forwarded: Vec<&str> =
            parts.headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        Self(client_address(peer.ip(), &forwarded, &state.config.trusted_proxies).to_string())
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self::of(parts, state))
    }
}

/// Name of the cookie of a sign-in waiting for its second step.
pub const MFA_PENDING_COOKIE: &str = "sn_mfa";

/// Paths a user who must set up two-step sign-in may still use.
const ENROLMENT_PATHS: [&str; 4] =
    [crate::viewer::TWO_STEP_PATH, "/account/two-step/start", "/account/two-step/confirm", "/sign-out"];

/// Refuses a principal whose role requires two-step sign-in that they have
/// not set up ([`AppError::MfaEnrolmentRequired`]). Only holders of a
/// required role cost a query.
pub async fn check_mfa_enrolled(state: &AppState, principal: &Principal) -> Result<(), AppError> {
    if safetynet_domain::mfa::required_for(&principal.roles, &state.config.require_mfa)
        && !state.store.mfa_enrolled(&principal.user_id).await?
    {
        return Err(AppError::MfaEnrolmentRequired);
    }
    Ok(())
}

pub use crate::viewer::PageUser;

impl PageUser {
    /// Proof of a capability, or 403.
    pub fn permit<C: Capability>(&self) -> Result<Permit<C>, AppError> {
        Ok(self.principal.permit::<C>()?)
    }

    /// The audit context of this request.
    pub fn actor(&self) -> Actor<'_> {
        Actor { principal: &self.principal, at_ms: self.now_ms, source: &self.addr }
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = crate::error::PageError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let secret =
            cookie(parts, SESSION_COOKIE).filter(|s| !s.is_empty()).ok_or_else(|| sign_in_to_continue(parts, false))?;
        let now_ms = state.now_ms();
        let session_hash = hash_secret(&secret);
        let principal = state
            .store
            .session_principal(&session_hash, state.config.session, now_ms)
            .await?
            .ok_or_else(|| sign_in_to_continue(parts, true))?;
        if !ENROLMENT_PATHS.contains(&parts.uri.path()) {
            check_mfa_enrolled(state, &principal).await?;
        }
        let ClientAddr(addr) = ClientAddr::of(parts, state);
        let idle_ms = state.config.session.idle_ms;
        Ok(Self { principal, session_hash, csrf: csrf_for_session(&secret), addr, now_ms, idle_ms })
    }
}

/// A caller of the JSON API: bearer token first, else a session cookie. A
/// cookie-authenticated call that may change state (any method but GET, HEAD
/// and OPTIONS) must carry the session's CSRF token in `X-CSRF-Token`, as a
/// form carries it in a field: the browser sends the cookie with a forged
/// cross-site request, but the forger cannot read the token.
#[derive(Debug, Clone)]
pub struct ApiUser {
    /// Who.
    pub principal: Principal,
    /// Source address.
    pub addr: String,
    /// Request time (Unix ms).
    pub now_ms: i64,
}

impl ApiUser {
    /// Proof of a capability, or 403.
    pub fn permit<C: Capability>(&self) -> Result<Permit<C>, AppError> {
        Ok(self.principal.permit::<C>()?)
    }

    /// The audit context of this request.
    pub fn actor(&self) -> Actor<'_> {
        Actor { principal: &self.principal, at_ms: self.now_ms, source: &self.addr }
    }
}

/// A JSON request body; a malformed one is a 400 with the reason, in JSON.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = crate::error::ApiError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let bytes = axum::body::to_bytes(body, 2 * 1024 * 1024)
            .await
            .map_err(|_| AppError::BadRequest("the request body is too large (2 MiB at most)".into()))?;
        if crate::params::json_has_nul(&bytes) {
            return Err(AppError::BadRequest(crate::params::NUL_MESSAGE.into()).into());
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes.clone()));
        // The content type and the JSON syntax, as axum checks them.
        if let Err(e) = axum::Json::<serde_json::Value>::from_request(req, state).await {
            return Err(AppError::BadRequest(format!("invalid JSON body: {}", e.body_text())).into());
        }
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        crate::params::strict(&mut de, "field")
            .map(Self)
            .map_err(|e| AppError::BadRequest(format!("invalid JSON body: {e}")).into())
    }
}

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = crate::error::ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let now_ms = state.now_ms();
        let bearer = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        let principal = match bearer {
            Some(h) => {
                let token = h.strip_prefix("Bearer ").ok_or(AppError::Unauthenticated)?.trim();
                state.store.token_principal(&hash_secret(token), now_ms).await?
            }
            None => match cookie(parts, SESSION_COOKIE) {
                Some(secret) => {
                    let principal =
                        state.store.session_principal(&hash_secret(&secret), state.config.session, now_ms).await?;
                    let reads = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
                    if principal.is_some() && !reads {
                        let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
                        if !constant_time_eq(sent, &csrf_for_session(&secret)) {
                            return Err(AppError::Forbidden(
                                "a signed-in browser's change through the API needs the X-CSRF-Token header (the csrf-token of the page); scripts use a bearer token".into(),
                            )
                            .into());
                        }
                    }
                    principal
                }
                None => None,
            },
        };
        let principal = principal.ok_or(AppError::Unauthenticated)?;
        check_mfa_enrolled(state, &principal).await?;
        let ClientAddr(addr) = ClientAddr::of(parts, state);
        Ok(Self { principal, addr, now_ms })
    }
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf_token: String,
}

/// A signed-in user's file upload (`multipart/form-data`) whose CSRF token
/// has been checked; the file is limited to `[safety.documents] max_bytes`.
#[derive(Debug)]
pub struct CsrfUpload(pub PageUser, pub crate::uploads::UploadForm);

impl FromRequest<AppState> for CsrfUpload {
    type Rejection = crate::error::PageError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = PageUser::from_request_parts(&mut parts, state).await?;
        let multipart = axum::extract::Multipart::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| AppError::BadRequest("send the form as multipart/form-data".into()))?;
        let limits = crate::uploads::FileLimits::document(state.config.safety.documents.max_bytes);
        let form = crate::uploads::read(multipart, limits).await?;
        if !constant_time_eq(form.field("csrf_token"), &user.csrf) {
            return Err(AppError::Csrf.into());
        }
        Ok(Self(user, form))
    }
}

/// A signed-in user's form submission whose CSRF token has been checked.
/// Every state-changing page route takes its form through this extractor,
/// as a typed form: `serde_html_form` reads repeated keys (checkboxes of one
/// name) into a `Vec`.
#[derive(Debug)]
pub struct CsrfForm<T>(pub PageUser, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = crate::error::PageError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = PageUser::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, 1024 * 1024)
            .await
            .map_err(|_| AppError::BadRequest("the form is too large".into()))?;
        let token: CsrfField = serde_html_form::from_bytes(&bytes).map_err(|_| AppError::Csrf)?;
        if crate::params::form_has_nul(&bytes) {
            return Err(AppError::BadRequest(crate::params::NUL_MESSAGE.into()).into());
        }
        if !constant_time_eq(&token.csrf_token, &user.csrf) {
            return Err(AppError::Csrf.into());
        }
        let form: T = serde_html_form::from_bytes(&bytes)
            .map_err(|e| AppError::BadRequest(format!("the form could not be read: {e}")))?;
        Ok(Self(user, form))
    }
}
