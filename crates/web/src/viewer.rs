//! Who a page is drawn for. The signed-in user is plain data here, so that
//! the page shell ([`crate::layout`]) can show their name and navigation
//! without depending on the extractors in [`crate::auth`] (which depend on
//! the errors, which draw pages with the shell).

use safetynet_domain::policy::Principal;

/// The two-step sign-in enrolment page, where a user whose role requires
/// it is sent until they have set it up.
pub const TWO_STEP_PATH: &str = "/account/two-step";

/// A signed-in user of the web pages.
#[derive(Debug, Clone)]
pub struct PageUser {
    /// Who.
    pub principal: Principal,
    /// Hash of the session secret (to end this session).
    pub session_hash: String,
    /// The CSRF token for this session's forms.
    pub csrf: String,
    /// Source address.
    pub addr: String,
    /// Request time (Unix ms).
    pub now_ms: i64,
    /// How long the session lasts without a request (ms): the page warns
    /// before it ends.
    pub idle_ms: i64,
}
