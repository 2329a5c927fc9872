//! Errors at the HTTP boundary. Pages answer with a GOV.UK error page (or a
//! redirect to sign in); the API answers with a JSON body
//! `{"error": {"status", "message"}}`. Internal details are logged with the
//! request, never shown.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use safetynet_domain::policy::Denied;
use safetynet_store::StoreError;

/// What went wrong, independent of how it is shown.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not signed in, or the session or token is no longer valid.
    #[error("sign in to continue")]
    Unauthenticated,
    /// A page asked for without a live session: pages send the browser to
    /// sign in and then back to `next` (a GET's own path, already checked
    /// by [`return_path`](crate::auth::return_path)); `expired` when it sent
    /// a session that has ended.
    #[error("sign in to continue")]
    SignInToContinue {
        /// Where to return after signing in.
        next: Option<String>,
        /// The browser's session had ended (idle, expired or revoked).
        expired: bool,
    },
    /// Signed in but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Signed in with a role that requires two-step sign-in, not yet set up:
    /// pages redirect to the enrolment page, the API answers 403.
    #[error("your role requires two-step sign-in: set it up at /account/two-step before doing anything else")]
    MfaEnrolmentRequired,
    /// Bad input, with a message the user can act on.
    #[error("{0}")]
    BadRequest(String),
    /// No such record.
    #[error("{0} was not found")]
    NotFound(&'static str),
    /// Conflicts with existing data, or a stale edit.
    #[error("{0}")]
    Conflict(String),
    /// Well-formed but refused by a rule, which is named.
    #[error("{message}")]
    Unprocessable {
        /// The rule's stable name (e.g. `cpn_requires_cpw`).
        rule: String,
        /// What to do about it.
        message: String,
    },
    /// The server is too busy to take this on now; try again shortly.
    #[error("{0}")]
    Busy(String),
    /// The CSRF token was missing or wrong.
    #[error("the form has expired or did not come from this site: go back, reload the page and try again")]
    Csrf,
    /// Anything else (logged, not shown).
    #[error("something went wrong on our side: try again, and tell your administrator if it keeps happening")]
    Internal(String),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::SignInToContinue { .. } => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) | AppError::Csrf | AppError::MfaEnrolmentRequired => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
    }
}

impl From<safetynet_app::Error> for AppError {
    fn from(e: safetynet_app::Error) -> Self {
        use safetynet_app::Error;
        match e {
            Error::Invalid(message) => AppError::BadRequest(message),
            Error::Refused { rule, message } => AppError::Unprocessable { rule: rule.into(), message },
            Error::Busy(message) => AppError::Busy(message),
            Error::Denied(d) => d.into(),
            Error::Store(e) => e.into(),
            Error::Internal(detail) => AppError::Internal(detail),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Conflict(what) => AppError::Conflict(format!("{what} already exists")),
            StoreError::Stale => AppError::Conflict(StoreError::Stale.to_string()),
            StoreError::Forbidden(why) => AppError::Forbidden(why.to_string()),
            StoreError::Rule(rule, message) => AppError::Unprocessable { rule: rule.to_string(), message },
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<Denied> for AppError {
    fn from(d: Denied) -> Self {
        AppError::Forbidden(d.to_string())
    }
}

impl From<safetynet_domain::partnership::InvalidValue> for AppError {
    fn from(e: safetynet_domain::partnership::InvalidValue) -> Self {
        AppError::BadRequest(e.to_string())
    }
}

/// An error shown as a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.log();
        if matches!(self.0, AppError::Unauthenticated) {
            return Redirect::to("/sign-in").into_response();
        }
        if let AppError::SignInToContinue { next, expired } = &self.0 {
            return Redirect::to(&sign_in_url(next.as_deref(), *expired)).into_response();
        }
        if matches!(self.0, AppError::MfaEnrolmentRequired) {
            return Redirect::to(crate::viewer::TWO_STEP_PATH).into_response();
        }
        let status = self.0.status();
        let title = match status {
            StatusCode::FORBIDDEN => "You do not have access to this page",
            StatusCode::NOT_FOUND => "Page not found",
            StatusCode::BAD_REQUEST => "There is a problem with your request",
            StatusCode::CONFLICT => "That could not be saved",
            StatusCode::UNPROCESSABLE_ENTITY => "That is not allowed",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            _ => "Sorry, there is a problem with the service",
        };
        let body = crate::layout::error_page(title, &self.0.to_string());
        (status, body).into_response()
    }
}

/// The sign-in page, told where to return and whether a session ended.
fn sign_in_url(next: Option<&str>, expired: bool) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(n) = next {
        query.append_pair("next", n);
    }
    if expired {
        query.append_pair("expired", "1");
    }
    let query = query.finish();
    if query.is_empty() {
        "/sign-in".into()
    } else {
        format!("/sign-in?{query}")
    }
}

/// The body of every API error: `{"error": {"status", "message", "rule"?}}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// What went wrong, in an [`ErrorBody`].
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status.
    pub status: u16,
    /// What to do about it.
    pub message: String,
    /// The rule that refused the request (422 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let rule = match &self.0 {
            AppError::Unprocessable { rule, .. } => Some(rule.clone()),
            _ => None,
        };
        let body = ErrorBody { error: ErrorDetail { status: status.as_u16(), message: self.0.to_string(), rule } };
        let mut res = (status, axum::Json(body)).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(axum::http::header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// Page result.
pub type PageResult<T> = Result<T, PageError>;
/// API result.
pub type ApiResult<T> = Result<T, ApiError>;
