//! Sending e-mail through SMTP (lettre, with rustls for TLS: no OpenSSL).
//!
//! [`SmtpUrl`] is the `smtp_url` setting: `smtp://HOST[:PORT]` (plain, for a
//! relay on the same machine or network), `smtp://USER:PASS@HOST:587?tls=starttls`
//! (STARTTLS required; `tls=opportunistic` upgrades when offered) or
//! `smtps://USER:PASS@HOST[:465]` (TLS from the first byte). The password is
//! never printed: [`SmtpUrl::redacted`]. [`Mailer`] sends one plain-text
//! message; the date comes from the caller's clock, never the wall clock.

use chrono::{DateTime, Utc};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::Body;
pub use lettre::message::Mailbox;
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// How long one SMTP conversation may take before it counts as a failure.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// A checked `smtp_url`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    raw: String,
    redacted: String,
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted)
    }
}

/// Why an `smtp_url` was refused (the message never contains the password).
#[derive(Debug, Clone, thiserror::Error)]
#[error("smtp_url {0}")]
pub struct SmtpUrlError(String);

impl SmtpUrl {
    /// Checks an `smtp_url`.
    pub fn parse(s: &str) -> Result<Self, SmtpUrlError> {
        let s = s.trim();
        let bad = |why: &str| SmtpUrlError(why.to_string());
        let (scheme, rest) = s.split_once("://").ok_or_else(|| bad("must start with smtp:// or smtps://"))?;
        if scheme != "smtp" && scheme != "smtps" {
            return Err(bad("must start with smtp:// or smtps://"));
        }
        let (authority, query) = match rest.split_once('?') {
            Some((a, q)) => (a, Some(q)),
            None => (rest, None),
        };
        let authority = authority.split('/').next().unwrap_or("");
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if hostport.is_empty() || hostport.starts_with(':') {
            return Err(bad("has no host"));
        }
        let tls = query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "tls")
            .map(|(_, v)| v);
        match (scheme, tls) {
            ("smtp", None | Some("starttls" | "required" | "opportunistic")) | ("smtps", None) => {}
            ("smtps", Some(_)) => return Err(bad("with smtps:// takes no tls= option (TLS is always on)")),
            _ => return Err(bad("tls= must be starttls, required or opportunistic")),
        }
        let redacted = match userinfo {
            Some(u) if u.contains(':') => {
                let user = u.split(':').next().unwrap_or("");
                s.replacen(&format!("{u}@"), &format!("{user}:***@"), 1)
            }
            _ => s.to_string(),
        };
        Ok(Self { raw: s.to_string(), redacted })
    }

    /// The URL with any password replaced by `***`.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }

    /// The URL in lettre's words (`tls=starttls` is lettre's `required`).
    fn for_lettre(&self) -> String {
        self.raw.replace("tls=starttls", "tls=required")
    }
}

/// The mail settings: where to send and who it is from.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The SMTP server.
    pub smtp: SmtpUrl,
    /// The sender (`mail_from`).
    pub from: Mailbox,
}

/// Checks a `mail_from` value (`Name <address>` or `address`).
pub fn parse_from(s: &str) -> Result<Mailbox, String> {
    s.trim().parse::<Mailbox>().map_err(|e| format!("mail_from '{}' is not an e-mail address: {e}", s.trim()))
}

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The server refused this message for good (5xx): retrying will not help.
    #[error("refused by the mail server: {0}")]
    Permanent(String),
    /// The server refused it for now (4xx): try again later.
    #[error("deferred by the mail server: {0}")]
    Transient(String),
    /// The server could not be reached or the conversation failed: nothing
    /// else will get through either until it is back.
    #[error("cannot reach the mail server: {0}")]
    Unreachable(String),
    /// The message itself is wrong (e.g. the address).
    #[error("{0}")]
    Invalid(String),
}

/// Sends messages through one SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer for `settings`.
    pub fn new(settings: &MailSettings) -> Result<Self, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp.for_lettre())
            .map_err(|e| MailError::Invalid(format!("smtp_url {}: {e}", settings.smtp.redacted())))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(Self { transport, from: settings.from.clone() })
    }

    /// Sends one plain-text message to `to`, dated `at`, with `id` as its
    /// Message-ID (so a resent message is recognisably the same one).
    pub async fn send(
        &self,
        id: &str,
        to: &str,
        subject: &str,
        body: &str,
        at: DateTime<Utc>,
    ) -> Result<(), MailError> {
        let to: Mailbox =
            to.parse().map_err(|e| MailError::Invalid(format!("'{to}' is not an e-mail address: {e}")))?;
        let domain = self.from.email.domain().to_string();
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .date(std::time::SystemTime::from(at))
            .message_id(Some(format!("<{id}@{domain}>")))
            .header(ContentType::TEXT_PLAIN)
            .body(plain_body(body))
            .map_err(|e| MailError::Invalid(e.to_string()))?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| {
            let text = error_text(&e);
            if e.is_permanent() {
                MailError::Permanent(text)
            } else if e.is_transient() {
                MailError::Transient(text)
            } else {
                MailError::Unreachable(text)
            }
        })
    }
}

/// The body as 7-bit text when it is printable ASCII in lines of fewer than
/// 998 characters (what RFC 5322 allows; every SafetyNet message is), so
/// it arrives exactly as written; otherwise lettre chooses an encoding.
fn plain_body(body: &str) -> Body {
    // Control characters (a NUL, a lone CR) have no place in a message.
    let text: String =
        body.replace("\r\n", "\n").chars().map(|c| if c != '\n' && c.is_control() { '?' } else { c }).collect();
    let crlf = text.replace('\n', "\r\n");
    if crlf.is_ascii() && crlf.split("\r\n").all(|l| l.len() < 998) {
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::SevenBit)
    } else {
        Body::new(text)
    }
}

/// An error with its causes, on one line.
fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let line = s.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_passwords_redacted() {
        let u = SmtpUrl::parse("smtp://mailer:s3cret@mail.example.gov.uk:587?tls=starttls").expect("valid");
        assert_eq!(u.redacted(), "smtp://mailer:***@mail.example.gov.uk:587?tls=starttls");
        assert!(!format!("{u:?}").contains("s3cret"));
        assert!(u.for_lettre().contains("tls=required"));
        assert!(SmtpUrl::parse("smtp://127.0.0.1:2525").is_ok());
        assert!(SmtpUrl::parse("smtps://a:b@mail.example.gov.uk").is_ok());
        for bad in ["http://x", "smtp://", "smtp://:25", "smtp://h?tls=maybe", "smtps://h?tls=starttls", "mail.example"]
        {
            let e = SmtpUrl::parse(bad).expect_err(bad);
            assert!(e.to_string().starts_with("smtp_url"), "{e}");
        }
        assert!(SmtpUrl::parse("smtp://u:p%40ss@h").expect("valid").redacted().ends_with("u:***@h"));
    }

    #[test]
    fn plain_text_goes_as_seven_bit() {
        assert_eq!(plain_body(&format!("a\n{}", "x".repeat(200))).encoding(), ContentTransferEncoding::SevenBit);
        assert_ne!(plain_body("caf\u{e9}").encoding(), ContentTransferEncoding::SevenBit);
        let nul = plain_body("nul\0 and a lone\rCR\n");
        assert_eq!(nul.encoding(), ContentTransferEncoding::SevenBit);
        assert_eq!(nul.into_vec(), b"nul? and a lone?CR\r\n");
    }

    #[test]
    fn senders_are_checked() {
        assert!(parse_from("SafetyNet <safetynet@stalbans.gov.uk>").is_ok());
        assert!(parse_from("not an address").is_err());
    }
}
