//! The audit trail's content and its hash chain. Each row's hash covers its
//! own fields and the previous row's hash, so editing or deleting any row
//! breaks the chain from that row on; `safetynet audit verify` walks it.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that the first row chains from.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Successful sign-in.
    LoginSuccess,
    /// Failed sign-in (wrong password, unknown account, locked, throttled).
    LoginFailure,
    /// Sign-out.
    Logout,
    /// A record or list was viewed.
    View,
    /// A search was run.
    Search,
    /// Data left the system (CSV, GeoJSON, PDF).
    Export,
    /// A record was created.
    Create,
    /// A record was changed.
    Update,
    /// A record was shared with another agency.
    Share,
    /// Roles or account status changed.
    PermissionChange,
    /// A bulk import.
    Import,
}

impl AuditAction {
    /// Stable storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::LoginSuccess => "login_success",
            Self::LoginFailure => "login_failure",
            Self::Logout => "logout",
            Self::View => "view",
            Self::Search => "search",
            Self::Export => "export",
            Self::Create => "create",
            Self::Update => "update",
            Self::Share => "share",
            Self::PermissionChange => "permission_change",
            Self::Import => "import",
        }
    }

    /// Every action, for search filters.
    pub const ALL: [AuditAction; 11] = [
        Self::LoginSuccess,
        Self::LoginFailure,
        Self::Logout,
        Self::View,
        Self::Search,
        Self::Export,
        Self::Create,
        Self::Update,
        Self::Share,
        Self::PermissionChange,
        Self::Import,
    ];
}

/// One audit row to be written. `detail` must hold no more personal data than
/// needed: identifiers and filter values, never names, addresses or notes.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEvent {
    /// Acting user id, if known.
    pub user_id: Option<String>,
    /// Acting user's agency, if known.
    pub agency: Option<String>,
    /// What happened.
    pub action: AuditAction,
    /// The kind of record ("user", "police_crime", "session", ...).
    pub record_type: String,
    /// The record's id, if one record.
    pub record_id: Option<String>,
    /// Minimal structured detail (filters used, fields changed, counts).
    pub detail: String,
    /// Source address of the request ("cli" at the command line).
    pub source: String,
}

/// A stored audit row, as read back.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRow {
    /// Position in the chain, from 1 with no gaps.
    pub seq: i64,
    /// Unix time in milliseconds.
    pub at_ms: i64,
    /// The event.
    #[serde(flatten)]
    pub event: AuditEvent,
    /// Hash of the previous row.
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

/// The chain hash of one row: SHA-256 over the previous hash and every field,
/// each length-prefixed so that no two different rows encode alike.
pub fn chain_hash(prev_hash: &str, seq: i64, at_ms: i64, e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    field(prev_hash);
    field(&seq.to_string());
    field(&at_ms.to_string());
    field(e.user_id.as_deref().unwrap_or("\u{0}"));
    field(e.agency.as_deref().unwrap_or("\u{0}"));
    field(e.action.as_str());
    field(&e.record_type);
    field(e.record_id.as_deref().unwrap_or("\u{0}"));
    field(&e.detail);
    field(&e.source);
    hex::encode(h.finalize())
}

/// The first problem found in a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// A row's stored hash does not match its content.
    #[error("audit row {seq} was altered (its hash does not match its content)")]
    Altered {
        /// The altered row.
        seq: i64,
    },
    /// Rows are missing before `seq`.
    #[error("audit row {missing} was removed (the chain jumps from {before} to {after})")]
    Removed {
        /// The first missing sequence number.
        missing: i64,
        /// Last row present before the gap.
        before: i64,
        /// First row present after the gap.
        after: i64,
    },
    /// The newest rows were removed (the head records a later row).
    #[error("audit rows after {last} were removed (the head records row {head})")]
    Truncated {
        /// Last row present.
        last: i64,
        /// The row the head records.
        head: i64,
    },
    /// The head no longer matches the last row.
    #[error("audit row {seq} was altered (it does not match the chain head)")]
    HeadMismatch {
        /// The last row.
        seq: i64,
    },
}

/// Incremental verifier: feed rows in `seq` order, then call [`ChainVerifier::finish`].
#[derive(Debug)]
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { last_seq: 0, last_hash: GENESIS_HASH.to_string() }
    }
}

impl ChainVerifier {
    /// Checks the next row.
    pub fn check(&mut self, row: &AuditRow) -> Result<(), ChainBreak> {
        if row.seq != self.last_seq + 1 {
            return Err(ChainBreak::Removed { missing: self.last_seq + 1, before: self.last_seq, after: row.seq });
        }
        let expected = chain_hash(&self.last_hash, row.seq, row.at_ms, &row.event);
        if row.prev_hash != self.last_hash || row.hash != expected {
            return Err(ChainBreak::Altered { seq: row.seq });
        }
        self.last_seq = row.seq;
        self.last_hash = expected;
        Ok(())
    }

    /// Compares the end of the chain with the stored head (`seq`, `hash`).
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<i64, ChainBreak> {
        if head_seq > self.last_seq {
            return Err(ChainBreak::Truncated { last: self.last_seq, head: head_seq });
        }
        if head_seq != self.last_seq || head_hash != self.last_hash {
            return Err(ChainBreak::HeadMismatch { seq: self.last_seq });
        }
        Ok(self.last_seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(prev: &str, seq: i64, detail: &str) -> AuditRow {
        let event = AuditEvent {
            user_id: Some("u1".into()),
            agency: Some("SACDC".into()),
            action: AuditAction::View,
            record_type: "user".into(),
            record_id: None,
            detail: detail.into(),
            source: "127.0.0.1".into(),
        };
        let hash = chain_hash(prev, seq, 1000 + seq, &event);
        AuditRow { seq, at_ms: 1000 + seq, event, prev_hash: prev.into(), hash }
    }

    fn chain(n: i64) -> Vec<AuditRow> {
        let mut rows: Vec<AuditRow> = Vec::new();
        for seq in 1..=n {
            let prev = rows.last().map_or(GENESIS_HASH.to_string(), |r| r.hash.clone());
            rows.push(row(&prev, seq, "{}"));
        }
        rows
    }

    fn verify(rows: &[AuditRow], head: (i64, &str)) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for r in rows {
            v.check(r)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(4);
        assert_eq!(verify(&rows, (4, &rows[3].hash)), Ok(4));
        assert_eq!(verify(&[], (0, GENESIS_HASH)), Ok(0));
    }

    #[test]
    fn edits_deletions_and_truncation_are_named() {
        let rows = chain(4);
        let head = rows[3].hash.clone();
        let mut edited = rows.clone();
        edited[1].event.detail = "{\"x\":1}".into();
        assert_eq!(verify(&edited, (4, &head)), Err(ChainBreak::Altered { seq: 2 }));
        let mut deleted = rows.clone();
        deleted.remove(2);
        assert_eq!(verify(&deleted, (4, &head)), Err(ChainBreak::Removed { missing: 3, before: 2, after: 4 }));
        assert_eq!(verify(&rows[..3], (4, &head)), Err(ChainBreak::Truncated { last: 3, head: 4 }));
    }
}
