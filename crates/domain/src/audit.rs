//! The audit trail's content and its keyed hash chain. Each row's hash is an
//! HMAC-SHA-256, under a key kept outside the database ([`AuditKey`]), of its
//! own fields and the previous row's hash: editing or deleting any row breaks
//! the chain from that row on, and without the key nobody can re-chain the
//! rows after an edit. `safetynet audit verify` walks it. A [`Checkpoint`]
//! (the head's sequence number and hash, signed with the same key) kept
//! elsewhere also exposes the newest rows being removed and the head reset.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, ExposeSecretMut, SecretBox};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
/// The hash that the first row chains from.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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

/// The secret that keys the audit chain and signs checkpoints: 32 random
/// bytes, kept in `audit_key_file` outside the database. Its `Debug` is
/// redacted and it has no `Display` or `Serialize`; the bytes are zeroed when
/// it is dropped.
pub struct AuditKey(SecretBox<[u8; AuditKey::LEN]>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey([redacted])")
    }
}

/// Why a key file's text is not a key (never quotes the text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuditKeyError {
    /// Not 64 hexadecimal characters.
    #[error("an audit key is 64 hexadecimal characters (32 bytes) on one line")]
    Format,
}

impl AuditKey {
    /// Key length in bytes.
    pub const LEN: usize = 32;

    /// A new key from the operating system's random source.
    pub fn generate() -> Self {
        use rand::RngCore;
        Self(SecretBox::init_with_mut(|bytes: &mut [u8; Self::LEN]| rand::rngs::OsRng.fill_bytes(bytes)))
    }

    /// A key from its bytes (tests; reading a key file uses [`AuditKey::from_hex`]).
    pub fn from_bytes(bytes: [u8; Self::LEN]) -> Self {
        Self(SecretBox::new(Box::new(bytes)))
    }

    /// Parses a key file's text: 64 hex characters, surrounding whitespace ignored.
    pub fn from_hex(text: &str) -> Result<Self, AuditKeyError> {
        let text = text.trim();
        if text.len() != Self::LEN * 2 {
            return Err(AuditKeyError::Format);
        }
        let mut key = Self::from_bytes([0; Self::LEN]);
        hex::decode_to_slice(text, key.0.expose_secret_mut().as_mut_slice()).map_err(|_| AuditKeyError::Format)?;
        Ok(key)
    }

    /// The key file's text (64 hex characters and a newline). Only for
    /// writing the key file: never log or print it.
    pub fn to_file_text(&self) -> secrecy::SecretString {
        let mut text = hex::encode(self.0.expose_secret());
        text.push('\n');
        secrecy::SecretString::from(text)
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC accepts keys of any length, so this cannot fail.
        #[allow(clippy::expect_used)]
        <Hmac<Sha256> as Mac>::new_from_slice(self.0.expose_secret()).expect("HMAC takes any key length")
    }
}

/// Length-prefixes each field, so that no two different field lists encode alike.
fn mac_fields<'a>(key: &AuditKey, fields: impl IntoIterator<Item = &'a str>) -> String {
    let mut m = key.mac();
    for s in fields {
        m.update(&(s.len() as u64).to_be_bytes());
        m.update(s.as_bytes());
    }
    hex::encode(m.finalize().into_bytes())
}

/// The chain hash of one row: HMAC-SHA-256 under `key` over the previous
/// hash and every field, each length-prefixed so that no two different rows
/// encode alike.
pub fn chain_hash(key: &AuditKey, prev_hash: &str, seq: i64, at_ms: i64, e: &AuditEvent) -> String {
    mac_fields(
        key,
        [
            prev_hash,
            &seq.to_string(),
            &at_ms.to_string(),
            e.user_id.as_deref().unwrap_or("\u{0}"),
            e.agency.as_deref().unwrap_or("\u{0}"),
            e.action.as_str(),
            &e.record_type,
            e.record_id.as_deref().unwrap_or("\u{0}"),
            &e.detail,
            &e.source,
        ],
    )
}

/// Compares two hex strings in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    crate::token::constant_time_eq(a, b)
}

/// The first problem found in a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    /// A row's stored hash does not match its content under this key.
    #[error("audit row {seq} was altered (its hash does not match its content under this audit key: the row was changed, or the trail was written with a different key)")]
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
    /// The head no longer matches its row.
    #[error("audit row {seq} was altered (it does not match the chain head)")]
    HeadMismatch {
        /// The row the head records.
        seq: i64,
    },
    /// The newest rows were removed: a checkpoint records a later row.
    #[error("audit rows after {last} were removed (the checkpoint records row {checkpoint})")]
    BeforeCheckpoint {
        /// Last row present.
        last: i64,
        /// The row the checkpoint records.
        checkpoint: i64,
    },
    /// The row a checkpoint records is not the row it recorded.
    #[error("audit row {seq} does not match the checkpoint (the trail up to it was rewritten)")]
    CheckpointMismatch {
        /// The row the checkpoint records.
        seq: i64,
    },
}

/// A row the walk must meet with a given hash (the head, a checkpoint).
#[derive(Debug)]
struct Mark {
    seq: i64,
    hash: String,
    checkpoint: bool,
}

/// Incremental verifier: feed rows in `seq` order, then call [`ChainVerifier::finish`].
///
/// Give it the head read *before* the rows ([`ChainVerifier::expect_head`]):
/// rows appended while the walk runs are checked too, and a head that records
/// a row that is missing or different is reported.
#[derive(Debug)]
pub struct ChainVerifier<'k> {
    key: &'k AuditKey,
    last_seq: i64,
    last_hash: String,
    marks: Vec<Mark>,
}

impl<'k> ChainVerifier<'k> {
    /// A verifier for a chain keyed by `key`, from the genesis hash.
    pub fn new(key: &'k AuditKey) -> Self {
        Self { key, last_seq: 0, last_hash: GENESIS_HASH.to_string(), marks: Vec::new() }
    }

    /// The stored head: row `seq` must exist with this hash.
    pub fn expect_head(mut self, seq: i64, hash: &str) -> Self {
        self.marks.push(Mark { seq, hash: hash.to_string(), checkpoint: false });
        self
    }

    /// A (verified) checkpoint: row `seq` must exist with its hash.
    pub fn expect_checkpoint(mut self, checkpoint: &Checkpoint) -> Self {
        self.marks.push(Mark { seq: checkpoint.seq, hash: checkpoint.hash.clone(), checkpoint: true });
        self
    }

    /// Checks the next row.
    pub fn check(&mut self, row: &AuditRow) -> Result<(), ChainBreak> {
        if row.seq != self.last_seq + 1 {
            return Err(ChainBreak::Removed { missing: self.last_seq + 1, before: self.last_seq, after: row.seq });
        }
        let expected = chain_hash(self.key, &self.last_hash, row.seq, row.at_ms, &row.event);
        if !same(&row.prev_hash, &self.last_hash) || !same(&row.hash, &expected) {
            return Err(ChainBreak::Altered { seq: row.seq });
        }
        for m in self.marks.iter().filter(|m| m.seq == row.seq) {
            if !same(&m.hash, &expected) {
                return Err(if m.checkpoint {
                    ChainBreak::CheckpointMismatch { seq: row.seq }
                } else {
                    ChainBreak::HeadMismatch { seq: row.seq }
                });
            }
        }
        self.last_seq = row.seq;
        self.last_hash = expected;
        Ok(())
    }

    /// Ends the walk; `Ok` is the number of rows verified.
    pub fn finish(self) -> Result<i64, ChainBreak> {
        let last = self.last_seq;
        // A checkpoint is the stronger evidence (kept outside the database), so it is named first.
        for m in self.marks.iter().filter(|m| m.checkpoint) {
            if m.seq > last {
                return Err(ChainBreak::BeforeCheckpoint { last, checkpoint: m.seq });
            }
            if m.seq == 0 && !same(&m.hash, GENESIS_HASH) {
                return Err(ChainBreak::CheckpointMismatch { seq: 0 });
            }
        }
        for m in self.marks.iter().filter(|m| !m.checkpoint) {
            if m.seq > last {
                return Err(ChainBreak::Truncated { last, head: m.seq });
            }
            if m.seq == 0 && !same(&m.hash, GENESIS_HASH) {
                return Err(ChainBreak::HeadMismatch { seq: 0 });
            }
        }
        Ok(last)
    }
}

/// Whether `row` is a correct first row under `key` (a quick check that a
/// key file belongs to a database, before writing to its trail).
pub fn first_row_verifies(key: &AuditKey, row: &AuditRow) -> bool {
    row.seq == 1
        && same(&row.prev_hash, GENESIS_HASH)
        && same(&row.hash, &chain_hash(key, GENESIS_HASH, row.seq, row.at_ms, &row.event))
}

/// The head of the chain at a moment: kept outside the database (signed, as
/// a [`CheckpointFile`]), it lets `audit verify --checkpoint` prove that
/// every row up to `seq` is still there and unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The head's sequence number (0: an empty trail).
    pub seq: i64,
    /// The head's hash.
    pub hash: String,
    /// When it was taken (Unix ms, from the clock).
    pub at_ms: i64,
}

/// The format tag of checkpoint files.
pub const CHECKPOINT_FORMAT: &str = "safetynet-audit-checkpoint/1";

/// A checkpoint as written to a file: the fields and an HMAC-SHA-256 over
/// them under the audit key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CheckpointFile {
    /// [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// The head's sequence number.
    pub seq: i64,
    /// The head's hash.
    pub hash: String,
    /// When it was taken (Unix ms).
    pub at_ms: i64,
    /// The same time, RFC 3339 UTC, for people (also signed).
    pub at: String,
    /// HMAC-SHA-256 over the fields above, hex.
    pub mac: String,
}

/// Why a checkpoint file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    /// Not a checkpoint file.
    #[error("not a SafetyNet audit checkpoint ({0})")]
    Format(String),
    /// The signature does not verify.
    #[error("the checkpoint's signature does not verify: the file was altered or forged, or signed with a different audit key")]
    BadSignature,
}

impl Checkpoint {
    fn mac(key: &AuditKey, format: &str, seq: i64, hash: &str, at_ms: i64, at: &str) -> String {
        mac_fields(key, [format, &seq.to_string(), hash, &at_ms.to_string(), at])
    }

    /// Signs the checkpoint with `key`.
    pub fn sign(&self, key: &AuditKey) -> CheckpointFile {
        let at = chrono::DateTime::from_timestamp_millis(self.at_ms)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_default();
        let mac = Self::mac(key, CHECKPOINT_FORMAT, self.seq, &self.hash, self.at_ms, &at);
        CheckpointFile {
            format: CHECKPOINT_FORMAT.into(),
            seq: self.seq,
            hash: self.hash.clone(),
            at_ms: self.at_ms,
            at,
            mac,
        }
    }
}

impl CheckpointFile {
    /// Parses a checkpoint file's text (JSON).
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let file: Self = serde_json::from_str(text).map_err(|e| CheckpointError::Format(e.to_string()))?;
        if file.format != CHECKPOINT_FORMAT {
            return Err(CheckpointError::Format(format!("format is not {CHECKPOINT_FORMAT}")));
        }
        Ok(file)
    }

    /// The file as text (pretty JSON and a newline).
    pub fn to_text(&self) -> String {
        format!("{}\n", serde_json::to_string_pretty(self).unwrap_or_default())
    }

    /// Checks the signature under `key`; only a verified checkpoint can be
    /// checked against the trail.
    pub fn verify(&self, key: &AuditKey) -> Result<Checkpoint, CheckpointError> {
        let expected = Checkpoint::mac(key, &self.format, self.seq, &self.hash, self.at_ms, &self.at);
        if self.format != CHECKPOINT_FORMAT || !same(&self.mac, &expected) {
            return Err(CheckpointError::BadSignature);
        }
        Ok(Checkpoint { seq: self.seq, hash: self.hash.clone(), at_ms: self.at_ms })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AuditKey {
        AuditKey::from_bytes([7; AuditKey::LEN])
    }

    fn row(key: &AuditKey, prev: &str, seq: i64, detail: &str) -> AuditRow {
        let event = AuditEvent {
            user_id: Some("u1".into()),
            agency: Some("SACDC".into()),
            action: AuditAction::View,
            record_type: "user".into(),
            record_id: None,
            detail: detail.into(),
            source: "127.0.0.1".into(),
        };
        let hash = chain_hash(key, prev, seq, 1000 + seq, &event);
        AuditRow { seq, at_ms: 1000 + seq, event, prev_hash: prev.into(), hash }
    }

    fn chain_with(key: &AuditKey, n: i64) -> Vec<AuditRow> {
        let mut rows: Vec<AuditRow> = Vec::new();
        for seq in 1..=n {
            let prev = rows.last().map_or(GENESIS_HASH.to_string(), |r| r.hash.clone());
            rows.push(row(key, &prev, seq, "{}"));
        }
        rows
    }

    fn chain(n: i64) -> Vec<AuditRow> {
        chain_with(&key(), n)
    }

    fn verify(rows: &[AuditRow], head: (i64, &str)) -> Result<i64, ChainBreak> {
        let key = key();
        let mut v = ChainVerifier::new(&key).expect_head(head.0, head.1);
        for r in rows {
            v.check(r)?;
        }
        v.finish()
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(4);
        assert_eq!(verify(&rows, (4, &rows[3].hash)), Ok(4));
        assert_eq!(verify(&[], (0, GENESIS_HASH)), Ok(0));
        // Rows appended after the head was read are checked and accepted.
        assert_eq!(verify(&rows, (3, &rows[2].hash)), Ok(4));
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
        assert_eq!(verify(&rows, (4, &rows[2].hash)), Err(ChainBreak::HeadMismatch { seq: 4 }));
    }

    #[test]
    fn a_chain_written_with_another_key_fails_at_its_first_row() {
        let other = AuditKey::from_bytes([9; AuditKey::LEN]);
        let rows = chain_with(&other, 3);
        assert_eq!(verify(&rows, (3, &rows[2].hash)), Err(ChainBreak::Altered { seq: 1 }));
        assert!(!first_row_verifies(&key(), &rows[0]));
        assert!(first_row_verifies(&other, &rows[0]));
        assert!(ChainBreak::Altered { seq: 1 }.to_string().contains("different key"));
    }

    #[test]
    fn checkpoints_expose_removed_newest_rows_and_rewrites() {
        let key = key();
        let rows = chain(5);
        let cp = Checkpoint { seq: 4, hash: rows[3].hash.clone(), at_ms: 99 };
        let walk = |rows: &[AuditRow], head: &AuditRow| {
            let mut v = ChainVerifier::new(&key).expect_head(head.seq, &head.hash).expect_checkpoint(&cp);
            for r in rows {
                v.check(r)?;
            }
            v.finish()
        };
        assert_eq!(walk(&rows, &rows[4]), Ok(5));
        // The last three rows deleted and the head reset to row 2.
        assert_eq!(walk(&rows[..2], &rows[1]), Err(ChainBreak::BeforeCheckpoint { last: 2, checkpoint: 4 }));
        // A different (validly chained) history: the checkpoint's row differs.
        let other = chain_with(&key, 5).into_iter().map(|mut r| {
            r.at_ms += 1;
            r
        });
        let mut rechained: Vec<AuditRow> = Vec::new();
        for r in other {
            let prev = rechained.last().map_or(GENESIS_HASH.to_string(), |p| p.hash.clone());
            let hash = chain_hash(&key, &prev, r.seq, r.at_ms, &r.event);
            rechained.push(AuditRow { prev_hash: prev, hash, ..r });
        }
        assert_eq!(walk(&rechained, &rechained[4]), Err(ChainBreak::CheckpointMismatch { seq: 4 }));
    }

    #[test]
    fn checkpoint_files_round_trip_and_forgeries_are_refused() {
        let key = key();
        let cp = Checkpoint { seq: 12, hash: "ab".repeat(32), at_ms: 1_768_467_600_000 };
        let file = cp.sign(&key);
        assert_eq!(file.at, "2026-01-15T09:00:00.000Z");
        let parsed = CheckpointFile::parse(&file.to_text()).expect("parse");
        assert_eq!(parsed.verify(&key), Ok(cp.clone()));
        let mut forged = parsed.clone();
        forged.seq = 3;
        assert_eq!(forged.verify(&key), Err(CheckpointError::BadSignature));
        let other = AuditKey::from_bytes([1; AuditKey::LEN]);
        assert_eq!(parsed.verify(&other), Err(CheckpointError::BadSignature));
        assert!(matches!(CheckpointFile::parse("{}"), Err(CheckpointError::Format(_))));
    }

    #[test]
    fn keys_parse_from_hex_and_never_show() {
        let k = AuditKey::generate();
        use secrecy::ExposeSecret;
        let text = k.to_file_text();
        let again = AuditKey::from_hex(text.expose_secret()).expect("parse");
        assert_eq!(mac_fields(&k, ["x"]), mac_fields(&again, ["x"]));
        assert_eq!(format!("{k:?}"), "AuditKey([redacted])");
        assert!(!format!("{k:?}").contains(text.expose_secret().trim()));
        assert_eq!(AuditKey::from_hex("abc").err(), Some(AuditKeyError::Format));
        assert_eq!(AuditKey::from_hex(&"zz".repeat(32)).err(), Some(AuditKeyError::Format));
        assert_ne!(mac_fields(&k, ["x"]), mac_fields(&AuditKey::generate(), ["x"]));
    }
}
