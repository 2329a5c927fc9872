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

/// The lowest zxcvbn score accepted (0 to 4; 3 is "safely unguessable":
/// about 10^10 guesses, enough against an offline attack on a slow hash).
pub const MIN_SCORE: u8 = 3;

/// Fewest different characters a password may use (`aaaaaaaaaaaa`,
/// `abababababab` are refused whatever their length).
pub const MIN_DISTINCT: usize = 5;

/// Why a password was refused. Each message names the reason.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PasswordError {
    /// Too short.
    #[error("the password must be at least {MIN_LENGTH} characters long")]
    TooShort,
    /// Too long (protects the hasher from huge inputs).
    #[error("the password must be at most 256 characters long")]
    TooLong,
    /// A character or two repeated (`aaaaaaaaaaaa`).
    #[error("the password repeats too few different characters (like aaaaaaaaaaaa): use a few random words instead")]
    Repetitive,
    /// Contains the user's name or e-mail address.
    #[error("the password must not contain your name or email address")]
    Personal,
    /// A common or breached-pattern password (too easy to guess).
    #[error("the password is too easy to guess: {0}")]
    Guessable(String),
    /// The hashing library failed.
    #[error("could not hash the password")]
    Hashing,
}

fn check_length(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < MIN_LENGTH {
        Err(PasswordError::TooShort)
    } else if n > 256 {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

/// What a password must not contain: each whole value (e-mail address,
/// name), an e-mail's local part, and each word of a name of four letters or
/// more. The second list is every word of them, which zxcvbn counts as
/// easy to guess (so "stalbans2024" scores low for a St Albans address).
fn personal_words(personal: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut refused = Vec::new();
    let mut hints = Vec::new();
    for p in personal {
        let p = p.trim().to_lowercase();
        if p.is_empty() {
            continue;
        }
        refused.push(p.clone());
        match p.split_once('@') {
            Some((local, _)) => refused.push(local.to_string()),
            None => refused.extend(p.split_whitespace().map(str::to_string)),
        }
        hints.push(p.clone());
        hints.extend(p.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() >= 3).map(str::to_string));
    }
    refused.retain(|w| w.chars().count() >= 4);
    refused.sort();
    refused.dedup();
    hints.sort();
    hints.dedup();
    (refused, hints)
}

/// Checks the password policy (NCSC guidance: length over complexity, and a
/// deny-list of common and guessable passwords): at least [`MIN_LENGTH`]
/// characters, at least [`MIN_DISTINCT`] different ones, none of the words
/// of `personal` (the user's e-mail address and name), and a zxcvbn
/// strength score of at least [`MIN_SCORE`]: zxcvbn knows the common and
/// breached passwords, names, words, keyboard patterns, sequences, repeats
/// and dates that attackers try first.
pub fn check_policy(password: &str, personal: &[&str]) -> Result<(), PasswordError> {
    check_length(password)?;
    let mut distinct: Vec<char> = password.to_lowercase().chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_DISTINCT {
        return Err(PasswordError::Repetitive);
    }
    let lower = password.to_lowercase();
    let (refused, hints) = personal_words(personal);
    if refused.iter().any(|w| lower.contains(w.as_str())) {
        return Err(PasswordError::Personal);
    }
    let inputs: Vec<&str> = hints.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(password, &inputs);
    if u8::from(estimate.score()) < MIN_SCORE {
        let mut why = estimate.feedback().and_then(|f| f.warning()).map_or_else(
            || "it could be guessed from your name, your email address or patterns attackers try first.".to_string(),
            |w| w.to_string(),
        );
        why.push_str(" A few random words make a strong password that is easy to remember.");
        return Err(PasswordError::Guessable(why));
    }
    Ok(())
}

/// Hashes a password as a PHC string. Only the length is checked here:
/// callers apply [`check_policy`] (with the user's name and e-mail) first.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    check_length(password)?;
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
        let me = ["jo.bloggs@stalbans.gov.uk", "Jo Bloggs"];
        assert_eq!(check_policy("short", &me), Err(PasswordError::TooShort));
        assert_eq!(check_policy(&"x".repeat(300), &me), Err(PasswordError::TooLong));
        assert_eq!(check_policy("aaaaaaaaaaaa", &me), Err(PasswordError::Repetitive));
        assert_eq!(check_policy("abababababababab", &me), Err(PasswordError::Repetitive));
        assert_eq!(check_policy("bloggs kettle marmalade", &me), Err(PasswordError::Personal));
        assert_eq!(check_policy("jo.bloggs kettle marmalade", &me), Err(PasswordError::Personal));
        // Words of the address count as easy to guess.
        assert!(matches!(check_policy("stalbans2024", &me), Err(PasswordError::Guessable(_))));
        assert_eq!(check_policy("stalbans2024", &[]), Ok(()));
        // A word that happens to be in the address is not refused by itself.
        let fire = ["fire.officer@hertsfire.gov.uk"];
        assert_eq!(check_policy("a strong fire password", &fire), Ok(()));
        for p in ["long enough password", "password from stdin", "a long new password"] {
            assert_eq!(check_policy(p, &fire), Ok(()), "{p}");
        }
        for weak in ["password1234", "qwertyuiop123", "123456789012", "Password2024!", "iloveyou1234"] {
            assert!(matches!(check_policy(weak, &me), Err(PasswordError::Guessable(_))), "{weak}");
        }
        assert!(check_policy("password1234", &me).err().is_some_and(|e| e.to_string().contains("too easy to guess")));
        for strong in ["correct horse battery staple", "kettle marmalade window", "brand new password 1"] {
            assert_eq!(check_policy(strong, &me), Ok(()), "{strong}");
        }
        // Hashing itself checks only the length.
        assert_eq!(hash_password("short"), Err(PasswordError::TooShort));
    }
}
