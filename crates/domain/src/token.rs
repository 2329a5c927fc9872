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

type HmacSha256 = hmac::Hmac<Sha256>;

/// HMAC-SHA256 of `message` under `key`, hex encoded.
pub fn sign(key: &str, message: &str) -> String {
    use hmac::Mac;
    match HmacSha256::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(message.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this arm is never taken.
        Err(_) => hash_secret(&format!("{key}:{message}")),
    }
}

/// A token issued by the server for one `purpose`: a random nonce and its
/// HMAC under the server's `key` (`nonce.mac`). Only the server can make
/// one; [`verify_issued`] checks it without storing anything.
pub fn issue(key: &str, purpose: &str) -> String {
    let nonce = random_secret();
    let mac = sign(key, &format!("{purpose}:{nonce}"));
    format!("{nonce}.{mac}")
}

/// Whether `token` was issued by [`issue`] with this key and purpose.
pub fn verify_issued(key: &str, purpose: &str, token: &str) -> bool {
    let Some((nonce, mac)) = token.split_once('.') else { return false };
    if nonce.len() != 64 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    constant_time_eq(&sign(key, &format!("{purpose}:{nonce}")), mac)
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

    #[test]
    fn issued_tokens_verify_only_with_their_key_and_purpose() {
        let t = issue("key", "survey");
        assert!(verify_issued("key", "survey", &t));
        assert!(!verify_issued("other key", "survey", &t));
        assert!(!verify_issued("key", "other", &t));
        assert!(!verify_issued("key", "survey", &random_secret()), "a client-chosen token");
        assert!(!verify_issued("key", "survey", &format!("{}.{}", random_secret(), random_secret())));
        assert!(!verify_issued("key", "survey", ""));
        assert_ne!(issue("key", "survey"), t);
        // RFC 4231 test case 2.
        assert_eq!(
            sign("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
