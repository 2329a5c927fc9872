//! Places people can find by address, street or postcode: the council's
//! gazetteer (table `gazetteer`, loaded by `safetynet import gazetteer`) and,
//! beside it, the streets police.uk names (`police_streets`, kept by the
//! police.uk importer in `crimes::merge_staged`). No personal data: an
//! address here is a property, not who lives there.
//!
//! A load is one transaction with its audit row: the whole file or nothing.
//! Rows are staged, then merged by UPRN (`ON CONFLICT (uprn) DO UPDATE`), so
//! a repeated load updates and never duplicates.

use crate::audit::append;
use crate::sql::{insert_rows, Row, Value, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::places::{search_key, street_label, PlaceQuery};
use serde::Serialize;

/// One address of the gazetteer, checked (see `safetynet import gazetteer`).
#[derive(Debug, Clone, PartialEq)]
pub struct GazetteerEntry {
    /// Unique Property Reference Number, digits without leading zeros.
    pub uprn: String,
    /// The address on one line.
    pub address: String,
    /// The postcode as Royal Mail writes it, when known.
    pub postcode: Option<String>,
    /// British National Grid easting (metres).
    pub easting: f64,
    /// British National Grid northing (metres).
    pub northing: f64,
    /// WGS84 latitude.
    pub latitude: f64,
    /// WGS84 longitude.
    pub longitude: f64,
}

/// What a gazetteer load did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct GazetteerLoaded {
    /// UPRNs not held before.
    pub added: u64,
    /// UPRNs held before whose address, postcode or coordinates changed.
    pub updated: u64,
    /// UPRNs held before exactly as given.
    pub unchanged: u64,
}

/// What kind of place a result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// An address from the council's gazetteer.
    Address,
    /// A street named in police.uk data (its records' mean point).
    Street,
}

/// A place found by a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Place {
    /// What to show: the address with its postcode, or the street and its district.
    pub label: String,
    /// `address` or `street`.
    pub kind: PlaceKind,
    /// The UPRN of an address (null for a street).
    pub uprn: Option<String>,
    /// WGS84 latitude.
    pub latitude: f64,
    /// WGS84 longitude.
    pub longitude: f64,
}

/// Columns a staged gazetteer row has, in order.
const COLS: &str = "uprn, address, postcode, easting, northing, latitude, longitude, search_key, loaded_at";

/// `LIKE` pattern for "contains `word`" (`\` escapes `%`, `_` and itself).
fn contains(word: &str) -> String {
    let mut p = String::with_capacity(word.len() + 2);
    p.push('%');
    for c in word.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// Appends ` AND search_key LIKE $n ESCAPE '\'` for every word.
fn all_words(q: &mut Q, query: &PlaceQuery) {
    for w in query.words() {
        q.push(" AND search_key LIKE ").arg(contains(w)).push(" ESCAPE '\\'");
    }
}

impl Store {
    /// Loads gazetteer entries (one file) in one transaction with its audit
    /// row: an entry whose UPRN is held replaces it, so loading the same
    /// file again changes nothing. Give each UPRN once (the reader refuses
    /// repeats).
    pub async fn load_gazetteer(&self, entries: &[GazetteerEntry], actor: &Actor<'_>) -> Result<GazetteerLoaded> {
        let mut tx = self.write().await?;
        tx.execute(&Q::new(
            "CREATE TEMPORARY TABLE IF NOT EXISTS stage_gazetteer (uprn TEXT, address TEXT, postcode TEXT, \
             easting DOUBLE PRECISION, northing DOUBLE PRECISION, latitude DOUBLE PRECISION, \
             longitude DOUBLE PRECISION, search_key TEXT, loaded_at BIGINT)",
        ))
        .await?;
        tx.execute(&Q::new("DELETE FROM stage_gazetteer")).await?;
        let rows: Vec<Vec<Value>> = entries
            .iter()
            .map(|e| {
                vec![
                    e.uprn.as_str().into(),
                    e.address.as_str().into(),
                    e.postcode.as_deref().into(),
                    e.easting.into(),
                    e.northing.into(),
                    e.latitude.into(),
                    e.longitude.into(),
                    search_key(&e.address, e.postcode.as_deref()).into(),
                    actor.at_ms.into(),
                ]
            })
            .collect();
        for q in insert_rows(tx.engine(), &format!("stage_gazetteer ({COLS})"), rows) {
            tx.execute(&q).await?;
        }
        const SAME: &str = "g.address = s.address AND COALESCE(g.postcode, '') = COALESCE(s.postcode, '') \
             AND g.easting = s.easting AND g.northing = s.northing \
             AND g.latitude = s.latitude AND g.longitude = s.longitude";
        let counts = tx
            .one(&Q::new(format!(
                "SELECT COUNT(*) AS total, \
                 COALESCE(SUM(CASE WHEN g.uprn IS NULL THEN 0 ELSE 1 END), 0) AS held, \
                 COALESCE(SUM(CASE WHEN g.uprn IS NOT NULL AND {SAME} THEN 1 ELSE 0 END), 0) AS same \
                 FROM stage_gazetteer s LEFT JOIN gazetteer g ON g.uprn = s.uprn"
            )))
            .await?;
        let (total, held, same) = (counts.int("total")?, counts.int("held")?, counts.int("same")?);
        let loaded = GazetteerLoaded {
            added: u64::try_from(total - held).unwrap_or(0),
            updated: u64::try_from(held - same).unwrap_or(0),
            unchanged: u64::try_from(same).unwrap_or(0),
        };
        tx.execute(&Q::new(format!(
            "INSERT INTO gazetteer ({COLS}) SELECT {COLS} FROM stage_gazetteer WHERE true ORDER BY uprn \
             ON CONFLICT (uprn) DO UPDATE SET address = excluded.address, postcode = excluded.postcode, \
             easting = excluded.easting, northing = excluded.northing, latitude = excluded.latitude, \
             longitude = excluded.longitude, search_key = excluded.search_key, loaded_at = excluded.loaded_at"
        )))
        .await?;
        tx.execute(&Q::new("DELETE FROM stage_gazetteer")).await?;
        let detail = serde_json::json!({
            "rows": entries.len(), "added": loaded.added, "updated": loaded.updated, "unchanged": loaded.unchanged,
        });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Import, "gazetteer", None, detail)).await?;
        tx.commit().await?;
        Ok(loaded)
    }

    /// Addresses the gazetteer holds.
    pub async fn gazetteer_count(&self) -> Result<i64> {
        self.conn().await?.one(&Q::new("SELECT COUNT(*) AS n FROM gazetteer")).await?.int("n").map_err(Into::into)
    }

    /// Up to `limit` places matching every word of `query` (case-insensitive,
    /// anywhere in the text): gazetteer addresses by address or postcode, in
    /// address order, then the streets police.uk names (by street name and
    /// district), the most recorded first, to fill the rest.
    pub async fn find_places(&self, query: &PlaceQuery, limit: usize) -> Result<Vec<Place>> {
        let mut conn = self.conn().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut places = Vec::new();
        if query.words().is_empty() || limit == 0 {
            return Ok(places);
        }
        let mut q = Q::new("SELECT uprn, address, postcode, latitude, longitude FROM gazetteer WHERE 1 = 1");
        all_words(&mut q, query);
        q.push(" ORDER BY search_key, uprn LIMIT ").arg(limit);
        for r in conn.all(&q).await? {
            places.push(address_place(&r)?);
        }
        let rest = limit - i64::try_from(places.len()).unwrap_or(limit);
        if rest > 0 {
            let mut q = Q::new(
                "SELECT location, district, sum_latitude / n AS latitude, sum_longitude / n AS longitude \
                 FROM police_streets WHERE n > 0",
            );
            all_words(&mut q, query);
            q.push(" ORDER BY n DESC, search_key, district LIMIT ").arg(rest);
            for r in conn.all(&q).await? {
                places.push(Place {
                    label: street_label(&r.text("location")?, &r.text("district")?),
                    kind: PlaceKind::Street,
                    uprn: None,
                    latitude: r.opt_real("latitude")?.unwrap_or_default(),
                    longitude: r.opt_real("longitude")?.unwrap_or_default(),
                });
            }
        }
        Ok(places)
    }
}

fn address_place(r: &Row) -> Result<Place> {
    let address = r.text("address")?;
    let label = match r.opt_text("postcode")? {
        Some(p) if !address.contains(&p) => format!("{address}, {p}"),
        _ => address,
    };
    Ok(Place {
        label,
        kind: PlaceKind::Address,
        uprn: Some(r.text("uprn")?),
        latitude: r.opt_real("latitude")?.unwrap_or_default(),
        longitude: r.opt_real("longitude")?.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_their_wildcards() {
        assert_eq!(super::contains("al3"), "%al3%");
        assert_eq!(super::contains("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
