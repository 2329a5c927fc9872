//! Password hashing with Argon2id (OWASP-recommended parameters), the
//! password policy, and a dummy hash so that an unknown account costs the
//! same time as a known one.
//!
//! These functions are CPU-heavy: callers on an async executor must run them
//! on a blocking thread.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::OnceLock;

/// Minimum password length (NCSC guidance favours length over complexity).
pub const MIN_LENGTH: usize = 12;

fn hasher() -> Argon2<'static> {
    // m = 19 MiB, t = 2, p = 1: the OWASP Password Storage Cheat Sheet baseline.
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Why a password was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    /// Too short.
    #[error("the password must be at least {MIN_LENGTH} characters long")]
    TooShort,
    /// Too long (protects the hasher from huge inputs).
    #[error("the password must be at most 256 characters long")]
    TooLong,
    /// The hashing library failed.
    #[error("could not hash the password")]
    Hashing,
}

/// Checks the password policy.
pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        Err(PasswordError::TooShort)
    } else if n > 256 {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// Hashes a password that passes the policy, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    check_policy(password)?;
    let salt = SaltString::generate(&mut OsRng);
    hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| PasswordError::Hashing)
}

/// Verifies `password` against a stored PHC hash. With `None` (no such
/// account) it verifies against a dummy hash and returns false, taking the
/// same time as a real check.
pub fn verify_password(stored: Option<&str>, password: &str) -> bool {
    let dummy = dummy_hash();
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (dummy, false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let ok = hasher().verify_password(password.as_bytes(), &parsed).is_ok();
    ok && real
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher().hash_password(b"dummy password that never matches", &salt).map(|h| h.to_string()).unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(Some(&h), "correct horse battery"));
        assert!(!verify_password(Some(&h), "wrong horse battery"));
        assert!(!verify_password(None, "correct horse battery"));
        assert!(!verify_password(Some("not a hash"), "x"));
    }

    #[test]
    fn policy() {
        assert_eq!(check_policy("short"), Err(PasswordError::TooShort));
        assert_eq!(check_policy(&"x".repeat(300)), Err(PasswordError::TooLong));
        assert_eq!(check_policy("twelve chars"), Ok(()));
    }
}
