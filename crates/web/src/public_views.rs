//! Counts of anonymous reads of the public pages. Each read is counted in
//! memory and the counts are written to the audit trail as one row per flush
//! (the scheduler flushes every 15 minutes, and `serve` once more as it
//! stops), so a flood of anonymous requests cannot flood the trail.

use crate::error::AppError;
use crate::AppState;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::policy::Principal;
use safetynet_store::users::Actor;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Reads of public pages since the last flush, by page.
#[derive(Debug, Default)]
pub struct PublicViews(Mutex<BTreeMap<String, u64>>);

impl PublicViews {
    /// Counts one read of `page` (e.g. `forum/ID`).
    pub fn count(&self, page: &str) {
        if let Ok(mut m) = self.0.lock() {
            *m.entry(page.to_string()).or_default() += 1;
        }
    }

    /// Takes the counts, leaving none.
    fn take(&self) -> BTreeMap<String, u64> {
        self.0.lock().map(|mut m| std::mem::take(&mut *m)).unwrap_or_default()
    }
}

/// Writes the counts so far as one audit row (none when nothing was read);
/// returns the number of reads written.
pub async fn flush(state: &AppState) -> Result<u64, AppError> {
    let counts = state.public_views.take();
    let total: u64 = counts.values().sum();
    if total == 0 {
        return Ok(0);
    }
    let operator = Principal::operator();
    let actor = Actor { principal: &operator, at_ms: state.now_ms(), source: "public" };
    let detail = serde_json::json!({ "reads": total, "pages": counts });
    if let Err(e) = state.store.audit(actor.at_ms, &actor.event(AuditAction::View, "public_page", None, detail)).await {
        // Put the counts back so the next flush writes them.
        for (page, n) in counts {
            if let Ok(mut m) = state.public_views.0.lock() {
                *m.entry(page).or_default() += n;
            }
        }
        return Err(e.into());
    }
    Ok(total)
}
