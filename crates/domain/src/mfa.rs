//! Two-step sign-in: time-based one-time passwords (TOTP, RFC 6238: SHA-1,
//! 6 digits, 30-second steps, through the `totp-rs` crate) and one-time
//! recovery codes.
//!
//! The TOTP secret must be readable to check a code, so storage keeps it;
//! it is shown once, at enrolment, and never logged ([`TotpSecret`] redacts
//! itself in `Debug`). Recovery codes are stored only as SHA-256 hashes.
//! Verification takes the time as an argument (the clock is read elsewhere)
//! and the last step already used, so that a code is accepted once only.

use crate::token::{constant_time_eq, hash_secret};
use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

/// Seconds per TOTP step.
pub const STEP_SECS: i64 = 30;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// Steps either side of now that are accepted (clock drift): ±1.
pub const SKEW_STEPS: i64 = 1;
/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "SafetyNet";
/// Recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;
/// How long the step between a correct password and the code may take (5 minutes).
pub const PENDING_MS: i64 = 5 * 60 * 1000;

/// A TOTP secret, base32 (RFC 4648, no padding). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(String);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

/// Why a TOTP secret cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the two-step sign-in secret is not valid")]
pub struct InvalidSecret;

impl TotpSecret {
    /// A new random secret of 160 bits (the RFC 4226 recommendation).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 20];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        match Secret::Raw(bytes.to_vec()).to_encoded() {
            Secret::Encoded(s) => Self(s),
            // `to_encoded` of a raw secret is always encoded.
            Secret::Raw(_) => Self(hex::encode(bytes)),
        }
    }

    /// A stored secret (base32).
    pub fn from_base32(s: &str) -> Result<Self, InvalidSecret> {
        let secret = Self(s.trim().to_string());
        secret.totp("x")?;
        Ok(secret)
    }

    /// The base32 text (shown once at enrolment and kept by storage).
    pub fn base32(&self) -> &str {
        &self.0
    }

    /// The secret in groups of four characters, easier to type.
    pub fn grouped(&self) -> String {
        self.0.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect::<Vec<_>>().join(" ")
    }

    fn totp(&self, account: &str) -> Result<TOTP, InvalidSecret> {
        let bytes = Secret::Encoded(self.0.clone()).to_bytes().map_err(|_| InvalidSecret)?;
        TOTP::new(
            Algorithm::SHA1,
            DIGITS,
            0,
            STEP_SECS as u64,
            bytes,
            Some(ISSUER.to_string()),
            account.replace(':', "_"),
        )
        .map_err(|_| InvalidSecret)
    }

    /// The `otpauth://` URI an authenticator app reads from the QR code.
    pub fn otpauth_uri(&self, account: &str) -> Result<String, InvalidSecret> {
        Ok(self.totp(account)?.get_url())
    }

    /// The code for the step containing `unix_secs`.
    pub fn code_at(&self, unix_secs: i64) -> Result<String, InvalidSecret> {
        Ok(self.totp("x")?.generate(unix_secs.max(0) as u64))
    }

    /// The step a correct `code` belongs to, within ±[`SKEW_STEPS`] of
    /// `unix_secs` and after `last_used_step` (a code is used once); `None`
    /// for a wrong, reused or malformed code.
    pub fn verify(&self, code: &str, unix_secs: i64, last_used_step: Option<i64>) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if !is_totp_code(&code) {
            return None;
        }
        let totp = self.totp("x").ok()?;
        let now_step = unix_secs.div_euclid(STEP_SECS);
        let mut found = None;
        for step in now_step - SKEW_STEPS..=now_step + SKEW_STEPS {
            if step < 0 || last_used_step.is_some_and(|last| step <= last) {
                continue;
            }
            if constant_time_eq(&totp.generate((step * STEP_SECS) as u64), &code) && found.is_none() {
                found = Some(step);
            }
        }
        found
    }
}

/// True for six ASCII digits (what an authenticator shows).
pub fn is_totp_code(s: &str) -> bool {
    s.len() == DIGITS && s.bytes().all(|b| b.is_ascii_digit())
}

/// Recovery code alphabet: lower-case letters and digits without look-alikes.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// [`RECOVERY_CODES`] new recovery codes, `xxxxx-xxxxx` (about 49 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rngs::OsRng;
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..10)
                .map(|_| RECOVERY_ALPHABET[(rng.next_u32() as usize) % RECOVERY_ALPHABET.len()] as char)
                .collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// A recovery code as typed, normalised: lower case, without spaces or dashes.
pub fn normalise_recovery_code(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// What storage keeps of a recovery code: the SHA-256 of its normalised form.
pub fn hash_recovery_code(s: &str) -> String {
    hash_secret(&format!("recovery:{}", normalise_recovery_code(s)))
}

/// True when the principal's roles make two-step sign-in compulsory under `required`.
pub fn required_for(roles: &[crate::role::Role], required: &[crate::role::Role]) -> bool {
    roles.iter().any(|r| required.contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_sha1_vectors() {
        // RFC 6238 appendix B: the ASCII secret "12345678901234567890".
        let s = TotpSecret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").expect("secret");
        // The RFC's 8-digit codes end in these six digits.
        assert_eq!(s.code_at(59).expect("code"), "287082");
        assert_eq!(s.code_at(1_111_111_109).expect("code"), "081804");
        assert_eq!(s.code_at(1_234_567_890).expect("code"), "005924");
    }

    #[test]
    fn codes_verify_once_within_one_step() {
        let s = TotpSecret::generate();
        assert_eq!(s.base32().len(), 32);
        let t = 1_800_000_000;
        let code = s.code_at(t).expect("code");
        let step = t / STEP_SECS;
        assert_eq!(s.verify(&code, t, None), Some(step));
        assert_eq!(s.verify(&code, t + STEP_SECS, None), Some(step), "one step late");
        assert_eq!(s.verify(&code, t - STEP_SECS, None), Some(step), "one step early");
        assert_eq!(s.verify(&code, t + 2 * STEP_SECS, None), None, "two steps late");
        assert_eq!(s.verify(&code, t, Some(step)), None, "replayed");
        assert_eq!(s.verify("12345", t, None), None);
        assert_eq!(s.verify("abcdef", t, None), None);
        assert!(format!("{s:?}").find(s.base32()).is_none());
        assert!(TotpSecret::from_base32("not base32!").is_err());
        let uri = s.otpauth_uri("a@b.example").expect("uri");
        assert!(uri.starts_with("otpauth://totp/SafetyNet:a%40b.example?secret="), "{uri}");
    }

    #[test]
    fn recovery_codes_are_random_and_normalised() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert!(codes.iter().all(|c| c.len() == 11 && c.as_bytes()[5] == b'-'));
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        assert_eq!(hash_recovery_code("ABCDE-fghjk"), hash_recovery_code(" abcde fghjk "));
        assert_ne!(hash_recovery_code("abcde-fghjk"), hash_secret("abcdefghjk"));
    }
}
