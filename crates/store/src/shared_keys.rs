//! What other agencies let an agency see (incidents shared with it or in a
//! case of their owner shared with it; cases shared with it), as list keys
//! newest first, kept per agency for one version of the sharing.
//! `sharing_version` (migrations 0018 and 0020) moves with every change that
//! could alter them, so a page of a list reads one row to know its copy is
//! current, instead of joining every share (thousands of rows for a district
//! team at county scale) on every page.

use crate::sql::{Row, Q};
use crate::{Exec, Result, Store};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A record's place in a list (newest first, then id), with the one field
/// its list filters on (an incident's category, a case's status).
#[derive(Debug, Clone)]
pub(crate) struct ListKey {
    pub(crate) id: String,
    pub(crate) at: i64,
    pub(crate) tag: String,
}

/// Each (list, agency)'s [`ListKey`]s, with the sharing version they were
/// read at (shared by a store's clones).
#[derive(Debug, Default, Clone)]
pub(crate) struct SharedKeysCache(Arc<Mutex<HashMap<(&'static str, String), Versioned>>>);

/// Keys and the sharing version they were read at.
type Versioned = (i64, Arc<Vec<ListKey>>);

impl SharedKeysCache {
    fn get(&self, list: &'static str, agency: &str, version: i64) -> Option<Arc<Vec<ListKey>>> {
        let held = self.0.lock().ok()?;
        held.get(&(list, agency.to_string())).filter(|(v, _)| *v == version).map(|(_, keys)| keys.clone())
    }

    fn put(&self, list: &'static str, agency: &str, version: i64, keys: Arc<Vec<ListKey>>) {
        if let Ok(mut held) = self.0.lock() {
            held.insert((list, agency.to_string()), (version, keys));
        }
    }
}

impl Store {
    /// The keys `read` selects (columns `id`, `at`, `tag`, newest first) for
    /// `list` and `agency`, from the cache while the sharing is unchanged.
    /// The version is read before the keys: a change committed in between
    /// leaves keys newer than their version, which the next read replaces.
    pub(crate) async fn shared_keys(
        &self,
        conn: &mut impl Exec,
        list: &'static str,
        agency: &str,
        read: &Q,
    ) -> Result<Arc<Vec<ListKey>>> {
        let version = conn.one(&Q::new("SELECT n FROM sharing_version WHERE id = 1")).await?.int("n")?;
        if let Some(keys) = self.shared_keys.get(list, agency, version) {
            return Ok(keys);
        }
        let keys = conn
            .all(read)
            .await?
            .iter()
            .map(|r| Ok(ListKey { id: r.text("id")?, at: r.int("at")?, tag: r.text("tag")? }))
            .collect::<Result<Vec<_>>>()?;
        let keys = Arc::new(keys);
        self.shared_keys.put(list, agency, version, keys.clone());
        Ok(keys)
    }
}

/// The rows of one page (`offset`, `limit`) of a list, in its order: the
/// agency's own keys as `own` reads them (columns `id` and `at`, newest
/// first, at least `offset + limit` of them) merged with `shared`, then read
/// by `select` (text ending in `id IN (`).
pub(crate) async fn page_rows(
    conn: &mut impl Exec,
    own: &Q,
    shared: &[&ListKey],
    offset: i64,
    limit: i64,
    select: &str,
) -> Result<Vec<Row>> {
    let own: Vec<(String, i64)> =
        conn.all(own).await?.iter().map(|r| Ok((r.text("id")?, r.int("at")?))).collect::<Result<_>>()?;
    let page = newest_first_page(&own, shared, offset, limit);
    if page.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Q::new(select);
    q.list(page.iter().copied()).push(")");
    let mut rows = conn.all(&q).await?;
    rows.sort_by_cached_key(|r| r.text("id").ok().and_then(|id| page.iter().position(|p| *p == id)));
    Ok(rows)
}

/// The ids of one page (`offset`, `limit`) of the merge of two lists each
/// already newest first (`own` as (id, time), `shared` as keys).
fn newest_first_page<'a>(own: &'a [(String, i64)], shared: &[&'a ListKey], offset: i64, limit: i64) -> Vec<&'a str> {
    let (mut a, mut b) = (own.iter().peekable(), shared.iter().peekable());
    let mut merged = std::iter::from_fn(|| match (a.peek(), b.peek()) {
        (Some((id, at)), Some(k))
            if (std::cmp::Reverse(*at), id.as_str()) <= (std::cmp::Reverse(k.at), k.id.as_str()) =>
        {
            a.next().map(|(id, _)| id.as_str())
        }
        (_, Some(_)) => b.next().map(|k| k.id.as_str()),
        (Some(_), None) => a.next().map(|(id, _)| id.as_str()),
        (None, None) => None,
    });
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    let take = usize::try_from(limit).unwrap_or(0);
    merged.by_ref().skip(skip).take(take).collect()
}
