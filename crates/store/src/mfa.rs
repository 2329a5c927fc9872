//! Two-step sign-in: each user's TOTP factor (enrolling, then confirmed),
//! their one-time recovery codes (hashes only), sign-ins waiting for their
//! second step, and an administrator's reset. Enrolment, the use of a
//! recovery code and a reset are audited (record type `mfa`) in the same
//! transaction as the change.

use crate::audit::append;
use crate::sql::Q;
use crate::users::{refuse_self, Actor};
use crate::{Exec, Result, Store, StoreError};
use safetynet_domain::audit::{AuditAction, AuditEvent};
use safetynet_domain::mfa::{TotpSecret, PENDING_MS};
use safetynet_domain::policy::{ManageUsers, Permit};

/// A confirmed second factor, as sign-in needs it.
#[derive(Debug, Clone)]
pub struct Factor {
    /// The TOTP secret.
    pub secret: TotpSecret,
    /// The last step whose code was accepted.
    pub last_step: Option<i64>,
}

/// The audit record type of two-step sign-in events.
pub const RECORD_TYPE: &str = "mfa";

impl Store {
    /// True when the user has a confirmed second factor.
    pub async fn mfa_enrolled(&self, user_id: &str) -> Result<bool> {
        Ok(self.mfa_factor(user_id).await?.is_some())
    }

    /// The user's confirmed second factor, if any.
    pub async fn mfa_factor(&self, user_id: &str) -> Result<Option<Factor>> {
        let row = self
            .conn()
            .await?
            .optional(
                &Q::new("SELECT secret, last_step FROM user_mfa WHERE user_id = $1 AND confirmed_at IS NOT NULL")
                    .bind(user_id),
            )
            .await?;
        row.map(|r| {
            let secret = TotpSecret::from_base32(&r.text("secret")?)
                .map_err(|e| StoreError::Rule("mfa_secret", e.to_string()))?;
            Ok(Factor { secret, last_step: r.opt_int("last_step")? })
        })
        .transpose()
    }

    /// Starts (or restarts) the actor's own enrolment with a new secret,
    /// replacing any unconfirmed one; refused when a factor is confirmed.
    /// Audited (the secret never is).
    pub async fn begin_mfa_enrolment(&self, actor: &Actor<'_>, secret: &TotpSecret) -> Result<()> {
        let id = &actor.principal.user_id;
        let mut tx = self.write().await?;
        let existing =
            tx.optional(&Q::new("SELECT confirmed_at FROM user_mfa WHERE user_id = $1").bind(id.as_str())).await?;
        if let Some(r) = existing {
            if r.opt_int("confirmed_at")?.is_some() {
                return Err(StoreError::Rule(
                    "mfa_enrolled",
                    "two-step sign-in is already set up: ask a partnership administrator to reset it".into(),
                ));
            }
            tx.execute(&Q::new("DELETE FROM user_mfa WHERE user_id = $1").bind(id.as_str())).await?;
        }
        tx.execute(
            &Q::new("INSERT INTO user_mfa (user_id, secret, created_at) VALUES ($1, $2, $3)")
                .bind(id.as_str())
                .bind(secret.base32())
                .bind(actor.at_ms),
        )
        .await?;
        let detail = serde_json::json!({ "enrolment": "started" });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, RECORD_TYPE, Some(id), detail)).await?;
        tx.commit().await
    }

    /// The secret of the actor's unconfirmed enrolment, if any.
    pub async fn mfa_enrolling_secret(&self, user_id: &str) -> Result<Option<TotpSecret>> {
        let row = self
            .conn()
            .await?
            .optional(&Q::new("SELECT secret FROM user_mfa WHERE user_id = $1 AND confirmed_at IS NULL").bind(user_id))
            .await?;
        row.map(|r| {
            TotpSecret::from_base32(&r.text("secret")?).map_err(|e| StoreError::Rule("mfa_secret", e.to_string()))
        })
        .transpose()
    }

    /// Confirms the actor's enrolment after a correct code for `step`, and
    /// stores the hashes of their new recovery codes; audited as a
    /// permission change.
    pub async fn confirm_mfa_enrolment(&self, actor: &Actor<'_>, step: i64, recovery_hashes: &[String]) -> Result<()> {
        let id = &actor.principal.user_id;
        let mut tx = self.write().await?;
        let n = tx
            .execute(
                &Q::new(
                    "UPDATE user_mfa SET confirmed_at = $1, last_step = $2 WHERE user_id = $3 AND confirmed_at IS NULL",
                )
                .bind(actor.at_ms)
                .bind(step)
                .bind(id.as_str()),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound("an enrolment in progress"));
        }
        tx.execute(&Q::new("DELETE FROM mfa_recovery_codes WHERE user_id = $1").bind(id.as_str())).await?;
        for h in recovery_hashes {
            tx.execute(
                &Q::new("INSERT INTO mfa_recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
                    .bind(id.as_str())
                    .bind(h.as_str())
                    .bind(actor.at_ms),
            )
            .await?;
        }
        let detail = serde_json::json!({ "enrolled": true, "recovery_codes": recovery_hashes.len() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::PermissionChange, RECORD_TYPE, Some(id), detail))
            .await?;
        tx.commit().await
    }

    /// Records a sign-in waiting for its second step (5 minutes).
    pub async fn create_mfa_pending(&self, user_id: &str, token_hash: &str, now_ms: i64) -> Result<()> {
        let mut tx = self.write().await?;
        tx.execute(&Q::new("DELETE FROM mfa_pending WHERE expires_at <= $1").bind(now_ms)).await?;
        tx.execute(
            &Q::new("INSERT INTO mfa_pending (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash)
                .bind(user_id)
                .bind(now_ms)
                .bind(now_ms + PENDING_MS),
        )
        .await?;
        tx.commit().await
    }

    /// The user a live pending sign-in belongs to.
    pub async fn mfa_pending_user(&self, token_hash: &str, now_ms: i64) -> Result<Option<String>> {
        let row = self
            .conn()
            .await?
            .optional(
                &Q::new("SELECT user_id FROM mfa_pending WHERE token_hash = $1 AND expires_at > $2")
                    .bind(token_hash)
                    .bind(now_ms),
            )
            .await?;
        row.map(|r| r.text("user_id").map_err(Into::into)).transpose()
    }

    /// Ends a pending sign-in (after a lockout).
    pub async fn end_mfa_pending(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.write().await?;
        tx.execute(&Q::new("DELETE FROM mfa_pending WHERE token_hash = $1").bind(token_hash)).await?;
        tx.commit().await
    }

    /// Accepts a TOTP code for `step` once: true when the step is later than
    /// the last one used (so a replayed code is refused, even by a
    /// concurrent request), and ends the pending sign-in.
    pub async fn use_mfa_step(&self, user_id: &str, token_hash: &str, step: i64) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = tx
            .execute(
                &Q::new(
                    "UPDATE user_mfa SET last_step = $1
                     WHERE user_id = $2 AND confirmed_at IS NOT NULL AND (last_step IS NULL OR last_step < $1)",
                )
                .bind(step)
                .bind(user_id),
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        tx.execute(&Q::new("DELETE FROM mfa_pending WHERE token_hash = $1").bind(token_hash)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Uses one of the user's recovery codes (by hash) once: true when it
    /// was unused; ends the pending sign-in. Audited with the codes left.
    pub async fn use_recovery_code(
        &self,
        user_id: &str,
        agency: &str,
        token_hash: &str,
        code_hash: &str,
        source: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let mut tx = self.write().await?;
        let n = tx
            .execute(
                &Q::new(
                    "UPDATE mfa_recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
                )
                .bind(now_ms)
                .bind(user_id)
                .bind(code_hash),
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        let left = tx
            .one(
                &Q::new("SELECT COUNT(*) AS n FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                    .bind(user_id),
            )
            .await?
            .int("n")?;
        tx.execute(&Q::new("DELETE FROM mfa_pending WHERE token_hash = $1").bind(token_hash)).await?;
        let event = AuditEvent {
            user_id: Some(user_id.to_string()),
            agency: Some(agency.to_string()),
            action: AuditAction::Update,
            record_type: RECORD_TYPE.into(),
            record_id: Some(user_id.to_string()),
            detail: serde_json::json!({ "recovery_code_used": true, "recovery_codes_left": left }).to_string(),
            source: source.into(),
        };
        append(&mut tx, now_ms, &event).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Removes a user's second factor, recovery codes and pending sign-ins
    /// (they set it up again at their next sign-in); audited as a permission
    /// change. Nobody resets their own (the refusal is audited too).
    pub async fn reset_mfa(&self, permit: &Permit<ManageUsers>, id: &str, actor: &Actor<'_>) -> Result<()> {
        let _ = permit;
        refuse_self(self, actor, id, serde_json::json!({ "mfa_reset": true })).await?;
        let mut tx = self.write().await?;
        if tx.optional(&Q::new("SELECT id FROM users WHERE id = $1").bind(id)).await?.is_none() {
            return Err(StoreError::NotFound("user"));
        }
        let had = tx.execute(&Q::new("DELETE FROM user_mfa WHERE user_id = $1").bind(id)).await?;
        tx.execute(&Q::new("DELETE FROM mfa_recovery_codes WHERE user_id = $1").bind(id)).await?;
        tx.execute(&Q::new("DELETE FROM mfa_pending WHERE user_id = $1").bind(id)).await?;
        let detail = serde_json::json!({ "mfa_reset": true, "had_factor": had > 0 });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::PermissionChange, RECORD_TYPE, Some(id), detail))
            .await?;
        tx.commit().await
    }
}
