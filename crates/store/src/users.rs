//! Users, their roles, sign-in bookkeeping (failures, lockout) and password
//! changes. Reading or changing other people's accounts needs a
//! [`Permit<ManageUsers>`]; the sign-in path reads only what it must.

use crate::audit::append;
use crate::sql::{Row, Q};
use crate::{Exec, Result, Store, StoreError, Tx};
use safetynet_domain::audit::{AuditAction, AuditEvent};
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::lockout::{LOCK_AFTER_FAILURES, LOCK_FOR_MS};
use safetynet_domain::partnership::{AgencyCode, Email, UserSummary};
use safetynet_domain::policy::{
    record_access, AuthMethod, ManageUsers, Permit, Principal, RecordAccess, ViewRecords, Visible,
};
use safetynet_domain::role::Role;

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in e-mail.
    pub email: Email,
    /// Name to show.
    pub display_name: String,
    /// Agency.
    pub agency: AgencyCode,
    /// Roles.
    pub roles: Vec<Role>,
    /// Argon2id PHC string.
    pub password_hash: String,
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    /// User id.
    pub id: String,
    /// Agency code.
    pub agency: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Deactivated accounts cannot sign in.
    pub active: bool,
    /// Locked until (Unix ms).
    pub locked_until_ms: Option<i64>,
}

/// Who did something and from where: the audit context of a change.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    /// The acting principal.
    pub principal: &'a Principal,
    /// When (Unix ms).
    pub at_ms: i64,
    /// Source address, or "cli".
    pub source: &'a str,
}

impl Actor<'_> {
    /// The acting user's id (none for the operator and the command line),
    /// as records store who made them.
    pub fn user_id(&self) -> Option<String> {
        Some(self.principal.user_id.clone()).filter(|s| !s.is_empty())
    }

    /// An audit event by this actor.
    pub fn event(
        &self,
        action: AuditAction,
        record_type: &str,
        record_id: Option<&str>,
        detail: serde_json::Value,
    ) -> AuditEvent {
        AuditEvent {
            user_id: self.user_id(),
            agency: Some(self.principal.agency.clone()).filter(|s| !s.is_empty()),
            action,
            record_type: record_type.into(),
            record_id: record_id.map(str::to_string),
            detail: detail.to_string(),
            source: self.source.into(),
        }
    }
}

/// What a password change revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revoked {
    /// Other sessions ended.
    pub sessions: u64,
    /// API tokens revoked.
    pub api_tokens: u64,
}

/// The message when someone tries to change their own roles or status.
pub const OWN_ACCOUNT: &str =
    "you cannot change your own roles or account status: ask another partnership administrator";

/// Nobody changes their own roles or account status (separation of duties:
/// an administrator cannot make themselves an auditor or a manager). The
/// refused attempt is itself audited, as a permission change that did not
/// happen, so the auditor sees it.
pub(crate) async fn refuse_self(
    store: &Store,
    actor: &Actor<'_>,
    id: &str,
    requested: serde_json::Value,
) -> Result<()> {
    if actor.principal.user_id.is_empty() || actor.principal.user_id != id {
        return Ok(());
    }
    let mut tx = store.write().await?;
    let detail = serde_json::json!({ "refused": "own_account", "requested": requested });
    append(&mut tx, actor.at_ms, &actor.event(AuditAction::PermissionChange, "user", Some(id), detail)).await?;
    tx.commit().await?;
    Err(StoreError::Forbidden(OWN_ACCOUNT))
}

fn roles_json(roles: &[Role]) -> serde_json::Value {
    serde_json::Value::from(roles.iter().map(|r| r.as_str()).collect::<Vec<_>>())
}

impl Store {
    /// Creates a user with roles; audited. E-mail must be unique.
    pub async fn create_user(&self, permit: &Permit<ManageUsers>, user: &NewUser, actor: &Actor<'_>) -> Result<String> {
        let id = new_id_at_ms(actor.at_ms);
        let mut tx = self.write().await?;
        let agency =
            tx.optional(&Q::new("SELECT code FROM agencies WHERE code = $1").bind(user.agency.as_str())).await?;
        if agency.is_none() {
            return Err(StoreError::NotFound("agency"));
        }
        tx.execute(
            &Q::new(
                "INSERT INTO users (id, email, display_name, agency_code, password_hash, active, failed_logins, created_at, password_changed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $7)",
            )
            .bind(&id)
            .bind(user.email.as_str())
            .bind(&user.display_name)
            .bind(user.agency.as_str())
            .bind(&user.password_hash)
            .bind(true)
            .bind(actor.at_ms),
        )
        .await
        .map_err(|e| e.conflict_as("a user with this email"))?;
        write_roles(&mut tx, &id, &user.roles).await?;
        let detail = serde_json::json!({ "agency": user.agency.as_str(), "roles": roles_json(&user.roles) });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "user", Some(&id), detail)).await?;
        let _ = permit;
        tx.commit().await?;
        Ok(id)
    }

    /// Lists users, optionally of one agency, by agency then name; audited as a view.
    pub async fn list_users(
        &self,
        permit: &Permit<ManageUsers>,
        agency: Option<&str>,
        actor: &Actor<'_>,
    ) -> Result<Vec<UserSummary>> {
        let _ = permit;
        let detail = serde_json::json!({ "agency": agency });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "user_list", None, detail)).await?;
        let mut q = Q::new(format!("{USER_SELECT} WHERE 1 = 1"));
        if let Some(a) = agency {
            q.push(" AND agency_code = ").arg(a);
        }
        q.push(" ORDER BY agency_code, display_name");
        let mut conn = self.conn().await?;
        let rows = conn.all(&q).await?;
        let mut users = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = r.text("id")?;
            let roles = roles_of(&mut conn, &id).await?;
            users.push(user_summary(r, roles)?);
        }
        Ok(users)
    }

    /// One user; audited as a view.
    pub async fn user(&self, permit: &Permit<ManageUsers>, id: &str, actor: &Actor<'_>) -> Result<UserSummary> {
        let _ = permit;
        let mut conn = self.conn().await?;
        let row = conn
            .optional(&Q::new(format!("{USER_SELECT} WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("user"))?;
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "user", Some(id), serde_json::json!({}))).await?;
        let roles = roles_of(&mut conn, id).await?;
        user_summary(&row, roles)
    }

    /// A colleague's directory entry, decided by the access policy: the
    /// user's own agency sees it in full; other agencies are signposted to
    /// the agency. Audited either way.
    pub async fn user_record(
        &self,
        permit: &Permit<ViewRecords>,
        id: &str,
        actor: &Actor<'_>,
    ) -> Result<Visible<UserSummary>> {
        let mut conn = self.conn().await?;
        let row = conn
            .optional(&Q::new(format!("{USER_SELECT} WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("user"))?;
        let owner = row.text("agency_code")?;
        let access = record_access(permit, &owner, &[]);
        let detail = serde_json::json!({ "access": match access { RecordAccess::Full => "full", RecordAccess::Signpost { .. } => "signpost" } });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "user", Some(id), detail)).await?;
        Ok(match access {
            RecordAccess::Full => Visible::Full { record: user_summary(&row, roles_of(&mut conn, id).await?)? },
            RecordAccess::Signpost { contact_agency } => Visible::Signpost { contact_agency },
        })
    }

    /// Replaces a user's roles; audited as a permission change with the
    /// roles before and after. Nobody changes their own roles.
    pub async fn set_roles(
        &self,
        permit: &Permit<ManageUsers>,
        id: &str,
        roles: &[Role],
        actor: &Actor<'_>,
    ) -> Result<()> {
        let _ = permit;
        refuse_self(self, actor, id, serde_json::json!({ "roles": roles_json(roles) })).await?;
        let mut tx = self.write().await?;
        require_user(&mut tx, id).await?;
        let before = roles_of(&mut tx, id).await?;
        let mut after = roles.to_vec();
        after.sort();
        after.dedup();
        tx.execute(&Q::new("DELETE FROM user_roles WHERE user_id = $1").bind(id)).await?;
        write_roles(&mut tx, id, &after).await?;
        let detail = serde_json::json!({ "roles_before": roles_json(&before), "roles": roles_json(&after) });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::PermissionChange, "user", Some(id), detail)).await?;
        tx.commit().await
    }

    /// Activates or deactivates an account (deactivating ends its sessions
    /// and tokens); audited with the status before and after. Nobody changes
    /// their own account's status.
    pub async fn set_active(
        &self,
        permit: &Permit<ManageUsers>,
        id: &str,
        active: bool,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let _ = permit;
        refuse_self(self, actor, id, serde_json::json!({ "active": active })).await?;
        let mut tx = self.write().await?;
        let before = tx
            .optional(&Q::new("SELECT active FROM users WHERE id = $1").bind(id))
            .await?
            .ok_or(StoreError::NotFound("user"))?
            .boolean("active")?;
        tx.execute(
            &Q::new("UPDATE users SET active = $1, failed_logins = 0, locked_until = NULL WHERE id = $2")
                .bind(active)
                .bind(id),
        )
        .await?;
        if !active {
            revoke_all(&mut tx, id, actor.at_ms).await?;
        }
        let detail = serde_json::json!({ "active_before": before, "active": active });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::PermissionChange, "user", Some(id), detail)).await?;
        tx.commit().await
    }

    /// What sign-in needs, by e-mail.
    pub async fn login_record(&self, email: &Email) -> Result<Option<LoginRecord>> {
        let row = self
            .conn()
            .await?
            .optional(
                &Q::new("SELECT id, agency_code, password_hash, active, locked_until FROM users WHERE email = $1")
                    .bind(email.as_str()),
            )
            .await?;
        row.map(|r| {
            Ok(LoginRecord {
                id: r.text("id")?,
                agency: r.text("agency_code")?,
                password_hash: r.text("password_hash")?,
                active: r.boolean("active")?,
                locked_until_ms: r.opt_int("locked_until")?,
            })
        })
        .transpose()
    }

    /// The password hash of a user (for password change).
    pub async fn password_hash(&self, user_id: &str) -> Result<String> {
        Ok(self.account_record(user_id).await?.password_hash)
    }

    /// What a password change needs to know about the user's own account
    /// (its hash and any lockout), by id.
    pub async fn account_record(&self, user_id: &str) -> Result<LoginRecord> {
        let row = self
            .conn()
            .await?
            .optional(
                &Q::new("SELECT id, agency_code, password_hash, active, locked_until FROM users WHERE id = $1")
                    .bind(user_id),
            )
            .await?
            .ok_or(StoreError::NotFound("user"))?;
        Ok(LoginRecord {
            id: row.text("id")?,
            agency: row.text("agency_code")?,
            password_hash: row.text("password_hash")?,
            active: row.boolean("active")?,
            locked_until_ms: row.opt_int("locked_until")?,
        })
    }

    /// Loads the principal for an active user.
    pub async fn principal(&self, user_id: &str, via: AuthMethod) -> Result<Option<Principal>> {
        let mut conn = self.conn().await?;
        let row = conn
            .optional(
                &Q::new("SELECT id, email, display_name, agency_code FROM users WHERE id = $1 AND active = $2")
                    .bind(user_id)
                    .bind(true),
            )
            .await?;
        let Some(r) = row else { return Ok(None) };
        let roles = roles_of(&mut conn, user_id).await?;
        Ok(Some(Principal {
            user_id: r.text("id")?,
            email: r.text("email")?,
            display_name: r.text("display_name")?,
            agency: r.text("agency_code")?,
            roles,
            via,
        }))
    }

    /// Changes the user's own password and, in the same transaction, ends
    /// their other sessions and revokes all their API tokens (whoever knew
    /// the old password may have made them) and clears failed sign-ins;
    /// audited with what was revoked.
    pub async fn change_password(&self, actor: &Actor<'_>, new_hash: &str, keep_session_hash: &str) -> Result<Revoked> {
        let id = &actor.principal.user_id;
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new("UPDATE users SET password_hash = $1, password_changed_at = $2, failed_logins = 0, locked_until = NULL WHERE id = $3")
                .bind(new_hash)
                .bind(actor.at_ms)
                .bind(id),
        )
        .await?;
        let sessions = tx
            .execute(
                &Q::new(
                    "UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND token_hash <> $3 AND revoked_at IS NULL",
                )
                .bind(actor.at_ms)
                .bind(id)
                .bind(keep_session_hash),
            )
            .await?;
        let api_tokens = tx
            .execute(
                &Q::new("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                    .bind(actor.at_ms)
                    .bind(id),
            )
            .await?;
        let revoked = Revoked { sessions, api_tokens };
        let detail = serde_json::json!({ "sessions_revoked": sessions, "api_tokens_revoked": api_tokens });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "user_password", Some(id), detail)).await?;
        tx.commit().await?;
        Ok(revoked)
    }

    /// The id of the user with this e-mail.
    pub async fn user_id_by_email(&self, email: &Email) -> Result<Option<String>> {
        let row =
            self.conn().await?.optional(&Q::new("SELECT id FROM users WHERE email = $1").bind(email.as_str())).await?;
        row.map(|r| r.text("id").map_err(Into::into)).transpose()
    }

    /// Clears a lockout; audited.
    pub async fn unlock_user(&self, permit: &Permit<ManageUsers>, id: &str, actor: &Actor<'_>) -> Result<()> {
        let _ = permit;
        let mut tx = self.write().await?;
        require_user(&mut tx, id).await?;
        tx.execute(&Q::new("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1").bind(id)).await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::PermissionChange, "user", Some(id), serde_json::json!({ "unlocked": true })),
        )
        .await?;
        tx.commit().await
    }
}

/// Counts a failed sign-in for a known account, locking it at the threshold.
pub(crate) async fn count_failure(tx: &mut Tx, user_id: &str, now_ms: i64) -> Result<bool> {
    let row = tx.one(&Q::new("SELECT failed_logins FROM users WHERE id = $1").bind(user_id)).await?;
    let failures = row.int("failed_logins")? + 1;
    let locked_until = (failures >= LOCK_AFTER_FAILURES).then_some(now_ms + LOCK_FOR_MS);
    tx.execute(
        &Q::new("UPDATE users SET failed_logins = $1, locked_until = COALESCE($2, locked_until) WHERE id = $3")
            .bind(if locked_until.is_some() { 0 } else { failures })
            .bind(locked_until)
            .bind(user_id),
    )
    .await?;
    Ok(locked_until.is_some())
}

async fn require_user(tx: &mut Tx, id: &str) -> Result<()> {
    match tx.optional(&Q::new("SELECT id FROM users WHERE id = $1").bind(id)).await? {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound("user")),
    }
}

async fn write_roles(tx: &mut Tx, id: &str, roles: &[Role]) -> Result<()> {
    for role in roles {
        tx.execute(&Q::new("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)").bind(id).bind(role.as_str()))
            .await?;
    }
    Ok(())
}

pub(crate) async fn revoke_all(tx: &mut Tx, user_id: &str, at_ms: i64) -> Result<()> {
    tx.execute(
        &Q::new("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(at_ms)
            .bind(user_id),
    )
    .await?;
    tx.execute(
        &Q::new("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind(at_ms)
            .bind(user_id),
    )
    .await?;
    Ok(())
}

async fn roles_of(conn: &mut impl Exec, id: &str) -> Result<Vec<Role>> {
    let rows = conn.all(&Q::new("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role").bind(id)).await?;
    let mut roles: Vec<Role> =
        rows.iter().filter_map(|r| r.text("role").ok()).filter_map(|s| Role::parse(&s).ok()).collect();
    roles.sort();
    Ok(roles)
}

const USER_SELECT: &str = "SELECT id, email, display_name, agency_code, active, locked_until FROM users";

fn user_summary(r: &Row, roles: Vec<Role>) -> Result<UserSummary> {
    Ok(UserSummary {
        id: r.text("id")?,
        email: r.text("email")?,
        display_name: r.text("display_name")?,
        agency: r.text("agency_code")?,
        roles,
        active: r.boolean("active")?,
        locked_until_ms: r.opt_int("locked_until")?,
    })
}
