//! Secret tokens (sessions, API tokens, CSRF): generated from the OS random
//! source, shown to their holder once, and stored only as SHA-256 hashes.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix that makes SafetyNet API tokens recognisable to secret scanners.
pub const API_TOKEN_PREFIX: &str = "snt_";

/// 32 random bytes as 64 hex characters.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A new API token (`snt_` + 64 hex characters).
pub fn new_api_token() -> String {
    format!("{API_TOKEN_PREFIX}{}", random_secret())
}

/// The SHA-256 of a secret, hex encoded: what storage keeps.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// The CSRF token bound to a session: derived from the raw session secret,
/// which is never stored, so the stored session hash does not reveal it.
pub fn csrf_for_session(session_secret: &str) -> String {
    hash_secret(&format!("csrf:{session_secret}"))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_api_token();
        let b = new_api_token();
        assert_ne!(a, b);
        assert!(a.starts_with("snt_") && a.len() == 68);
        assert_eq!(hash_secret("abc").len(), 64);
        assert_ne!(hash_secret(&a), a);
        assert_ne!(csrf_for_session("s"), hash_secret("s"));
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
