//! The incidents other agencies let an agency see (shared with it, or in a
//! case of their owner shared with it), as list keys newest first, kept per
//! agency for one version of the sharing. `sharing_version` (migration 0018)
//! moves with every change that could alter them, so a page of the incident
//! list reads one row to know its copy is current, instead of joining every
//! shared case and link (thousands of rows for a district police team at
//! county scale) on every page.

use super::{visible_keys, IncidentFilter, VisibleBy};
use crate::sql::Q;
use crate::{Exec, Result, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An incident's place in the list (newest report first, then id).
#[derive(Debug, Clone)]
pub(crate) struct ListKey {
    pub(crate) id: String,
    pub(crate) reported_at: i64,
    pub(crate) category: String,
}

/// Each agency's [`ListKey`]s of incidents others let it see, with the
/// sharing version they were read at (shared by a store's clones).
#[derive(Debug, Default, Clone)]
pub(crate) struct SharedKeysCache(Arc<Mutex<HashMap<String, Versioned>>>);

/// An agency's keys and the sharing version they were read at.
type Versioned = (i64, Arc<Vec<ListKey>>);

impl SharedKeysCache {
    fn get(&self, agency: &str, version: i64) -> Option<Arc<Vec<ListKey>>> {
        let held = self.0.lock().ok()?;
        held.get(agency).filter(|(v, _)| *v == version).map(|(_, keys)| keys.clone())
    }

    fn put(&self, agency: &str, version: i64, keys: Arc<Vec<ListKey>>) {
        if let Ok(mut held) = self.0.lock() {
            held.insert(agency.to_string(), (version, keys));
        }
    }
}

impl Store {
    /// The keys of the incidents other agencies let `agency` see, newest
    /// first. The version is read before the keys: a change committed in
    /// between leaves keys newer than their version, which the next read
    /// replaces.
    pub(crate) async fn shared_keys(&self, conn: &mut impl Exec, agency: &str) -> Result<Arc<Vec<ListKey>>> {
        let version = conn.one(&Q::new("SELECT n FROM sharing_version WHERE id = 1")).await?.int("n")?;
        if let Some(keys) = self.shared_keys.get(agency, version) {
            return Ok(keys);
        }
        let mut q = Q::new("SELECT k.id, k.reported_at, i.category FROM (");
        visible_keys(&mut q, agency, &IncidentFilter::default(), VisibleBy::OTHERS, None);
        q.push(") k JOIN incidents i ON i.id = k.id ORDER BY k.reported_at DESC, k.id");
        let keys = conn
            .all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(ListKey { id: r.text("id")?, reported_at: r.int("reported_at")?, category: r.text("category")? })
            })
            .collect::<Result<Vec<_>>>()?;
        let keys = Arc::new(keys);
        self.shared_keys.put(agency, version, keys.clone());
        Ok(keys)
    }
}
