//! Stable identifiers: UUIDv7, whose time part comes from the injected clock
//! (so IDs sort by creation time and tests control them).

use chrono::{DateTime, Utc};
use uuid::{Timestamp, Uuid};

/// A new UUIDv7 for a record created at `at`, as lower-case text.
pub fn new_id(at: DateTime<Utc>) -> String {
    let secs = u64::try_from(at.timestamp()).unwrap_or(0);
    let ts = Timestamp::from_unix(uuid::NoContext, secs, at.timestamp_subsec_nanos());
    Uuid::new_v7(ts).to_string()
}

/// True when `s` is a UUID in canonical text form.
pub fn is_id(s: &str) -> bool {
    Uuid::parse_str(s).is_ok()
}

/// [`new_id`] for a time given in Unix milliseconds.
pub fn new_id_at_ms(at_ms: i64) -> String {
    new_id(DateTime::from_timestamp_millis(at_ms).unwrap_or_default())
}
