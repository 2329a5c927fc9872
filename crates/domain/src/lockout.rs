//! Rules for failed sign-ins: an account is locked after repeated failures,
//! and a source address is throttled, whatever accounts it tries.

/// Consecutive failures that lock an account.
pub const LOCK_AFTER_FAILURES: i64 = 5;
/// How long a locked account stays locked (15 minutes).
pub const LOCK_FOR_MS: i64 = 15 * 60 * 1000;
/// Failures from one source address allowed in one window.
pub const THROTTLE_MAX_FAILURES: i64 = 20;
/// The throttle window (15 minutes).
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Session lifetimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused for this long ends (ms).
    pub idle_ms: i64,
    /// A session ends this long after sign-in, however active (ms).
    pub absolute_ms: i64,
}

impl Default for SessionPolicy {
    /// 30 minutes idle, 12 hours absolute.
    fn default() -> Self {
        Self { idle_ms: 30 * 60 * 1000, absolute_ms: 12 * 60 * 60 * 1000 }
    }
}
