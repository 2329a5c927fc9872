//! Server-side sessions, bearer API tokens and the sign-in throttle. Only
//! SHA-256 hashes of session and API secrets are stored.

use crate::audit::append;
use crate::sql::Q;
use crate::users::{count_failure, Actor};
use crate::{Exec, Result, Store, StoreError};
use safetynet_domain::audit::{AuditAction, AuditEvent};
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::lockout::{SessionPolicy, THROTTLE_MAX_FAILURES, THROTTLE_WINDOW_MS};
use safetynet_domain::policy::{AuthMethod, Principal};
use safetynet_domain::token::random_secret;

/// Why a sign-in failed (for the audit trail only: users see one message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFailure {
    /// No account with that e-mail.
    UnknownAccount,
    /// Wrong password.
    BadPassword,
    /// The account is deactivated.
    Inactive,
    /// The account is locked after repeated failures.
    Locked,
    /// The source address made too many failed attempts.
    Throttled,
    /// A signed-in user gave the wrong current password when changing it
    /// (counted towards the account's lockout like a wrong sign-in).
    BadCurrentPassword,
    /// A wrong (or reused) two-step sign-in code or recovery code after a
    /// correct password (counted towards the account's lockout).
    BadSecondFactor,
}

impl LoginFailure {
    fn as_str(self) -> &'static str {
        match self {
            Self::UnknownAccount => "unknown_account",
            Self::BadPassword => "bad_password",
            Self::Inactive => "inactive",
            Self::Locked => "locked",
            Self::Throttled => "throttled",
            Self::BadCurrentPassword => "bad_current_password",
            Self::BadSecondFactor => "bad_second_factor",
        }
    }
}

/// An API token's metadata (never the secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiTokenInfo {
    /// Token id.
    pub id: String,
    /// Created (Unix ms).
    pub created_at_ms: i64,
    /// Expires (Unix ms).
    pub expires_at_ms: i64,
    /// Revoked (Unix ms), if revoked.
    pub revoked_at_ms: Option<i64>,
}

impl Store {
    /// True when `source` has used up its failed sign-ins for the window.
    pub async fn is_throttled(&self, source: &str, now_ms: i64) -> Result<bool> {
        let row = self
            .conn()
            .await?
            .optional(&Q::new("SELECT window_start, failures FROM login_throttle WHERE source = $1").bind(source))
            .await?;
        Ok(match row {
            Some(r) => {
                r.int("window_start")? + THROTTLE_WINDOW_MS > now_ms && r.int("failures")? >= THROTTLE_MAX_FAILURES
            }
            None => false,
        })
    }

    /// Records a failed sign-in (or a wrong current password on a password
    /// change): counts it against the account (locking it at the threshold)
    /// and the source address, and audits it, in one transaction. True when
    /// this failure locked the account.
    pub async fn record_login_failure(
        &self,
        user_id: Option<&str>,
        agency: Option<&str>,
        why: LoginFailure,
        source: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let mut locked_now = false;
        if let (
            Some(id),
            LoginFailure::BadPassword | LoginFailure::BadCurrentPassword | LoginFailure::BadSecondFactor,
        ) = (user_id, why)
        {
            locked_now = count_failure(&mut tx, id, now_ms).await?;
        }
        let row = tx
            .optional(&Q::new("SELECT window_start, failures FROM login_throttle WHERE source = $1").bind(source))
            .await?;
        let q = match row {
            Some(r) if r.int("window_start")? + THROTTLE_WINDOW_MS > now_ms => {
                Q::new("UPDATE login_throttle SET failures = failures + 1 WHERE source = $1").bind(source)
            }
            Some(_) => Q::new("UPDATE login_throttle SET window_start = $2, failures = 1 WHERE source = $1")
                .bind(source)
                .bind(now_ms),
            None => Q::new("INSERT INTO login_throttle (source, window_start, failures) VALUES ($1, $2, 1)")
                .bind(source)
                .bind(now_ms),
        };
        tx.execute(&q).await?;
        let event = AuditEvent {
            user_id: user_id.map(str::to_string),
            agency: agency.map(str::to_string),
            action: AuditAction::LoginFailure,
            record_type: "session".into(),
            record_id: None,
            detail: serde_json::json!({ "reason": why.as_str(), "locked": locked_now }).to_string(),
            source: source.into(),
        };
        append(&mut tx, now_ms, &event).await?;
        tx.commit().await?;
        Ok(locked_now)
    }

    /// The server secret called `name`: a random value made on first use and
    /// kept in the database (so that no key is written into the code or the
    /// configuration, and every server of a deployment shares it). Its
    /// creation is audited; the value never is.
    pub async fn server_secret(&self, name: &str, now_ms: i64) -> Result<String> {
        let q = Q::new("SELECT value FROM server_secrets WHERE name = $1").bind(name);
        if let Some(r) = self.conn().await?.optional(&q).await? {
            return Ok(r.text("value")?);
        }
        let mut tx = self.write().await?;
        let made = tx
            .execute(
                &Q::new("INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
                    .bind(name)
                    .bind(random_secret())
                    .bind(now_ms),
            )
            .await?;
        if made > 0 {
            let event = AuditEvent {
                user_id: None,
                agency: None,
                action: AuditAction::Create,
                record_type: "server_secret".into(),
                record_id: Some(name.to_string()),
                detail: "{}".into(),
                source: "server".into(),
            };
            append(&mut tx, now_ms, &event).await?;
        }
        let value = tx.one(&q).await?.text("value")?;
        tx.commit().await?;
        Ok(value)
    }

    /// Starts a session for a verified user (resets their failure count); audited.
    pub async fn start_session(
        &self,
        principal: &Principal,
        token_hash: &str,
        policy: SessionPolicy,
        source: &str,
        now_ms: i64,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1").bind(&principal.user_id),
        )
        .await?;
        tx.execute(
            &Q::new("INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)")
                .bind(token_hash)
                .bind(&principal.user_id)
                .bind(now_ms)
                .bind(now_ms + policy.absolute_ms),
        )
        .await?;
        let actor = Actor { principal, at_ms: now_ms, source };
        append(&mut tx, now_ms, &actor.event(AuditAction::LoginSuccess, "session", None, serde_json::json!({})))
            .await?;
        tx.commit().await
    }

    /// The principal of a live session, refreshing its idle timer; `None` if
    /// unknown, revoked, idle too long or past its absolute expiry.
    pub async fn session_principal(
        &self,
        token_hash: &str,
        policy: SessionPolicy,
        now_ms: i64,
    ) -> Result<Option<Principal>> {
        let row = self
            .conn()
            .await?
            .optional(
                &Q::new("SELECT user_id, last_seen_at, expires_at, revoked_at FROM sessions WHERE token_hash = $1")
                    .bind(token_hash),
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        let last_seen = r.int("last_seen_at")?;
        if r.opt_int("revoked_at")?.is_some() || r.int("expires_at")? <= now_ms || last_seen + policy.idle_ms <= now_ms
        {
            return Ok(None);
        }
        // Refresh at most once a minute to keep reads from becoming writes.
        if now_ms - last_seen > 60_000 {
            let mut tx = self.write().await?;
            tx.execute(
                &Q::new("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2").bind(now_ms).bind(token_hash),
            )
            .await?;
            tx.commit().await?;
        }
        self.principal(&r.text("user_id")?, AuthMethod::Session).await
    }

    /// Ends a session (sign-out); audited.
    pub async fn end_session(&self, actor: &Actor<'_>, token_hash: &str) -> Result<()> {
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
                .bind(actor.at_ms)
                .bind(token_hash),
        )
        .await?;
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Logout, "session", None, serde_json::json!({}))).await?;
        tx.commit().await
    }

    /// Stores a new API token's hash for the actor's principal; returns its id.
    pub async fn create_api_token(&self, actor: &Actor<'_>, token_hash: &str, expires_at_ms: i64) -> Result<String> {
        let id = new_id_at_ms(actor.at_ms);
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new(
                "INSERT INTO api_tokens (id, user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(&actor.principal.user_id)
            .bind(token_hash)
            .bind(actor.at_ms)
            .bind(expires_at_ms),
        )
        .await?;
        let detail = serde_json::json!({ "expires_at_ms": expires_at_ms });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "api_token", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The principal of a live API token.
    pub async fn token_principal(&self, token_hash: &str, now_ms: i64) -> Result<Option<Principal>> {
        let row = self
            .conn()
            .await?
            .optional(
                &Q::new(
                    "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(now_ms),
            )
            .await?;
        match row {
            Some(r) => self.principal(&r.text("user_id")?, AuthMethod::ApiToken).await,
            None => Ok(None),
        }
    }

    /// The actor's own API tokens, newest first.
    pub async fn api_tokens(&self, user_id: &str) -> Result<Vec<ApiTokenInfo>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new("SELECT id, created_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC").bind(user_id))
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenInfo {
                    id: r.text("id")?,
                    created_at_ms: r.int("created_at")?,
                    expires_at_ms: r.int("expires_at")?,
                    revoked_at_ms: r.opt_int("revoked_at")?,
                })
            })
            .collect()
    }

    /// Revokes one of the actor's own API tokens; audited.
    pub async fn revoke_api_token(&self, actor: &Actor<'_>, token_id: &str) -> Result<()> {
        let mut tx = self.write().await?;
        let n = tx
            .execute(
                &Q::new("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
                    .bind(actor.at_ms)
                    .bind(token_id)
                    .bind(&actor.principal.user_id),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound("api token"));
        }
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Update, "api_token", Some(token_id), serde_json::json!({ "revoked": true })),
        )
        .await?;
        tx.commit().await
    }
}
