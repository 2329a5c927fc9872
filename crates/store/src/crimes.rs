//! Recorded crime and ASB from police.uk: bulk loading for the importer and
//! the filtered queries behind the dashboard, browser, map and API.
//!
//! Loading is staged: rows are inserted in multi-row statements into an
//! unindexed temporary table, then merged into the real table in key order
//! with `ON CONFLICT (row_key) DO NOTHING`. Sorted merging keeps index
//! inserts local (the main cost of a bulk load), and the conflict clause
//! makes a repeated import add nothing while reporting how many rows were new.

use crate::sql::{insert_rows, Row, Value, Q};
use crate::{Exec, Result, Store, Tx};
use safetynet_domain::month::Month;
use safetynet_domain::policeuk::{OutcomeRow, Place, StreetRow};
use serde::Serialize;
use std::sync::{Arc, Mutex};

/// Rows the importer reads before staging them (staged in statements of
/// about [`crate::Engine::args_per_statement`] arguments).
pub const BATCH_ROWS: usize = 500;

const STREET_COLS: &str = "row_key, crime_id, month, reported_by, falls_within, longitude, latitude, location, lsoa_code, lsoa_name, crime_type, last_outcome, context";
const OUTCOME_COLS: &str = "row_key, crime_id, month, reported_by, falls_within, longitude, latitude, location, lsoa_code, lsoa_name, outcome_type";
const PLACE_DDL: &str = "month TEXT, reported_by TEXT, falls_within TEXT, longitude DOUBLE PRECISION, latitude DOUBLE PRECISION, location TEXT, lsoa_code TEXT, lsoa_name TEXT";

/// The columns both kinds of row share, in table order after `row_key, crime_id`.
fn common_values(month: Month, reported_by: &str, falls_within: &str, p: &Place) -> [Value; 8] {
    [
        month.to_string().into(),
        reported_by.into(),
        falls_within.into(),
        p.longitude.into(),
        p.latitude.into(),
        p.location.as_str().into(),
        p.lsoa_code.as_str().into(),
        p.lsoa_name.as_str().into(),
    ]
}

/// A police.uk row that can be staged.
trait Stageable {
    const TABLE: &'static str;
    const COLS: &'static str;
    fn values(&self) -> Vec<Value>;
}

impl Stageable for StreetRow {
    const TABLE: &'static str = "police_crimes";
    const COLS: &'static str = STREET_COLS;
    fn values(&self) -> Vec<Value> {
        let mut v = vec![self.row_key.as_str().into(), self.crime_id.as_deref().into()];
        v.extend(common_values(self.month, &self.reported_by, &self.falls_within, &self.place));
        v.extend([self.crime_type.as_str().into(), self.last_outcome.as_str().into(), self.context.as_str().into()]);
        v
    }
}

impl Stageable for OutcomeRow {
    const TABLE: &'static str = "police_outcomes";
    const COLS: &'static str = OUTCOME_COLS;
    fn values(&self) -> Vec<Value> {
        let mut v = vec![self.row_key.as_str().into(), self.crime_id.as_str().into()];
        v.extend(common_values(self.month, &self.reported_by, &self.falls_within, &self.place));
        v.push(self.outcome_type.as_str().into());
        v
    }
}

async fn stage<T: Stageable>(tx: &mut Tx, rows: &[T]) -> Result<()> {
    let into = format!("stage_{} ({})", T::TABLE, T::COLS);
    for q in insert_rows(tx.engine(), &into, rows.iter().map(Stageable::values).collect()) {
        tx.execute(&q).await?;
    }
    Ok(())
}

/// Creates (or empties) this connection's temporary staging tables.
pub async fn begin_staging(tx: &mut Tx) -> Result<()> {
    for (table, extra) in [
        ("police_crimes", "crime_type TEXT, last_outcome TEXT, context TEXT"),
        ("police_outcomes", "outcome_type TEXT"),
    ] {
        tx.execute(&Q::new(format!(
            "CREATE TEMPORARY TABLE IF NOT EXISTS stage_{table} (row_key TEXT, crime_id TEXT, {PLACE_DDL}, {extra})"
        )))
        .await?;
        tx.execute(&Q::new(format!("DELETE FROM stage_{table}"))).await?;
    }
    Ok(())
}

/// Stages street rows (call [`merge_staged`] to store them).
pub async fn stage_street(tx: &mut Tx, rows: &[StreetRow]) -> Result<()> {
    stage(tx, rows).await
}

/// Stages outcome rows (call [`merge_staged`] to store them).
pub async fn stage_outcomes(tx: &mut Tx, rows: &[OutcomeRow]) -> Result<()> {
    stage(tx, rows).await
}

/// Moves staged rows into the real tables in key order; returns how many
/// were new (rows whose key is already stored are skipped). The counts by
/// month and type of every month the batch touched are recounted, the new
/// outcomes counted by month, the LSOAs listed and the new records' streets
/// added to `police_streets` (for place search, `store::places`), in the
/// same transaction, so they always match the rows.
pub async fn merge_staged(tx: &mut Tx) -> Result<u64> {
    let mut added = 0;
    // Outcomes are counted as they are added (their table has no month index).
    tx.execute(&Q::new(
        "INSERT INTO police_outcome_counts (month, n)
         SELECT month, COUNT(*) FROM (SELECT DISTINCT row_key, month FROM stage_police_outcomes) s
         WHERE NOT EXISTS (SELECT 1 FROM police_outcomes o WHERE o.row_key = s.row_key)
         GROUP BY month
         ON CONFLICT (month) DO UPDATE SET n = police_outcome_counts.n + excluded.n",
    ))
    .await?;
    // The streets they name, likewise (before the rows are added, to tell the new ones).
    tx.execute(&Q::new(format!(
        "INSERT INTO police_streets (location, district, search_key, n, sum_latitude, sum_longitude)
         SELECT location, district, LOWER({STREET_NAME} || ' ' || district), COUNT(*), SUM(latitude), SUM(longitude)
         FROM (SELECT DISTINCT row_key, location, latitude, longitude, {DISTRICT} AS district
               FROM stage_police_crimes
               WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND location <> '') s
         WHERE NOT EXISTS (SELECT 1 FROM police_crimes c WHERE c.row_key = s.row_key)
         GROUP BY location, district
         ON CONFLICT (location, district) DO UPDATE SET n = police_streets.n + excluded.n,
             sum_latitude = police_streets.sum_latitude + excluded.sum_latitude,
             sum_longitude = police_streets.sum_longitude + excluded.sum_longitude"
    )))
    .await?;
    for (table, cols) in [("police_crimes", STREET_COLS), ("police_outcomes", OUTCOME_COLS)] {
        added += tx
            .execute(&Q::new(format!(
                "INSERT INTO {table} ({cols}) SELECT {cols} FROM stage_{table} WHERE true ORDER BY row_key ON CONFLICT (row_key) DO NOTHING"
            )))
            .await?;
        if table == "police_crimes" {
            recount_staged(tx).await?;
        }
        tx.execute(&Q::new(format!("DELETE FROM stage_{table}"))).await?;
    }
    Ok(added)
}

/// A police.uk location's street name (without "On or near "); the same
/// expression as migration 0021's backfill of `police_streets`.
const STREET_NAME: &str = "CASE WHEN location LIKE 'On or near %' THEN SUBSTR(location, 12) ELSE location END";
/// The district of an LSOA name ("St Albans 015A" is in St Albans): as migration 0021.
const DISTRICT: &str =
    "CASE WHEN LENGTH(lsoa_name) > 5 THEN SUBSTR(lsoa_name, 1, LENGTH(lsoa_name) - 5) ELSE lsoa_name END";

/// Recounts `police_crime_counts` for the months in the staged street rows,
/// and adds their LSOAs to `police_crime_areas`.
async fn recount_staged(tx: &mut Tx) -> Result<()> {
    const STAGED: &str = "SELECT DISTINCT month FROM stage_police_crimes";
    tx.execute(&Q::new(format!("DELETE FROM police_crime_counts WHERE month IN ({STAGED})"))).await?;
    tx.execute(&Q::new(format!(
        "INSERT INTO police_crime_counts (month, crime_type, n)
         SELECT month, crime_type, COUNT(*) FROM police_crimes WHERE month IN ({STAGED}) GROUP BY month, crime_type"
    )))
    .await?;
    tx.execute(&Q::new(
        "INSERT INTO police_crime_areas (lsoa_code, lsoa_name)
         SELECT lsoa_code, MIN(lsoa_name) FROM stage_police_crimes WHERE lsoa_code <> '' GROUP BY lsoa_code
         ON CONFLICT (lsoa_code) DO NOTHING",
    ))
    .await?;
    Ok(())
}

/// Filters shared by the browser, map, export and API. Every value is bound
/// as a parameter.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CrimeFilter {
    /// First month (inclusive).
    pub from: Option<Month>,
    /// Last month (inclusive).
    pub to: Option<Month>,
    /// Crime type, exactly as published.
    pub crime_type: Option<String>,
    /// LSOA code or name, exactly.
    pub lsoa: Option<String>,
}

impl CrimeFilter {
    pub(crate) fn apply(&self, q: &mut Q) {
        if let Some(m) = self.from {
            q.push(" AND month >= ").arg(m.to_string());
        }
        if let Some(m) = self.to {
            q.push(" AND month <= ").arg(m.to_string());
        }
        if let Some(t) = &self.crime_type {
            q.push(" AND crime_type = ").arg(t);
        }
        if let Some(l) = &self.lsoa {
            q.push(" AND (lsoa_code = ").arg(l).push(" OR lsoa_name = ").arg(l).push(")");
        }
    }
}

/// An outcome attached to a crime.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Outcome {
    /// Month of the outcome.
    pub month: String,
    /// What happened.
    pub outcome_type: String,
}

/// A street-level record as served.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Crime {
    /// police.uk Crime ID (absent for ASB).
    pub crime_id: Option<String>,
    /// Month.
    pub month: String,
    /// Crime type.
    pub crime_type: String,
    /// "On or near ...".
    pub location: String,
    /// LSOA code.
    pub lsoa_code: String,
    /// LSOA name.
    pub lsoa_name: String,
    /// Longitude (WGS84).
    pub longitude: Option<f64>,
    /// Latitude (WGS84).
    pub latitude: Option<f64>,
    /// Last outcome category at publication.
    pub last_outcome: String,
    /// Force reporting.
    pub reported_by: String,
    /// Force area.
    pub falls_within: String,
    /// Context.
    pub context: String,
    /// Outcomes joined by Crime ID, oldest first.
    pub outcomes: Vec<Outcome>,
}

/// Count of one crime type in one month and the month before.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TypeCount {
    /// Crime type.
    pub crime_type: String,
    /// Count in the month.
    pub count: i64,
    /// Count in the previous month.
    pub previous: i64,
}

impl Store {
    /// Refreshes PostgreSQL's planner statistics for the tables a bulk load
    /// grew (`ANALYZE`), so the next queries are planned for the rows now
    /// held rather than waiting for autovacuum: measured after importing
    /// five years of a force, a deep page of the browser went from tens of
    /// milliseconds to seconds until the statistics caught up. SQLite plans
    /// without gathered statistics; nothing to do there.
    pub async fn refresh_statistics(&self, tables: &[&str]) -> Result<()> {
        if self.engine() != crate::Engine::Postgres {
            return Ok(());
        }
        let mut conn = self.conn().await?;
        for t in tables {
            conn.execute(&Q::new(format!("ANALYZE {t}"))).await?;
        }
        Ok(())
    }

    /// A page of crimes matching `filter`, newest month first, and the total.
    pub async fn crimes(&self, filter: &CrimeFilter, limit: i64, offset: i64) -> Result<(Vec<Crime>, i64)> {
        let mut conn = self.conn().await?;
        // Without an area the total comes from the counts the importer keeps
        // (at most one row per month and type); an area's rows are few and
        // indexed by area.
        let mut count = if filter.lsoa.is_none() {
            Q::new("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM police_crime_counts WHERE 1 = 1")
        } else {
            Q::new("SELECT COUNT(*) AS n FROM police_crimes WHERE 1 = 1")
        };
        filter.apply(&mut count);
        let total = conn.one(&count).await?.int("n")?;
        let mut q = Q::new(format!("{CRIME_SELECT} WHERE 1 = 1"));
        filter.apply(&mut q);
        q.push(" ORDER BY month DESC, crime_type, row_key LIMIT ").arg(limit).push(" OFFSET ").arg(offset);
        let mut crimes = conn.all(&q).await?.iter().map(crime_row).collect::<Result<Vec<_>>>()?;
        let ids: Vec<&str> = crimes.iter().filter_map(|c| c.crime_id.as_deref()).collect();
        if !ids.is_empty() {
            let mut oq = Q::new("SELECT crime_id, month, outcome_type FROM police_outcomes WHERE crime_id IN (");
            oq.list(ids).push(") ORDER BY month, outcome_type");
            let outcomes = conn.all(&oq).await?;
            for o in &outcomes {
                let id = o.text("crime_id")?;
                let outcome = Outcome { month: o.text("month")?, outcome_type: o.text("outcome_type")? };
                for c in crimes.iter_mut().filter(|c| c.crime_id.as_deref() == Some(id.as_str())) {
                    c.outcomes.push(outcome.clone());
                }
            }
        }
        Ok((crimes, total))
    }

    /// Points for the map: at most `limit` located crimes matching `filter`.
    pub async fn crime_points(&self, filter: &CrimeFilter, limit: i64) -> Result<Vec<Crime>> {
        let mut q = Q::new(format!("{CRIME_SELECT} WHERE longitude IS NOT NULL"));
        filter.apply(&mut q);
        q.push(" ORDER BY month DESC, row_key LIMIT ").arg(limit);
        self.conn().await?.all(&q).await?.iter().map(crime_row).collect()
    }

    /// Locations (longitude, latitude) of every located record matching
    /// `filter`, for analysis.
    pub async fn crime_locations(&self, filter: &CrimeFilter) -> Result<Vec<(f64, f64)>> {
        let mut q = Q::new("SELECT longitude, latitude FROM police_crimes WHERE longitude IS NOT NULL");
        filter.apply(&mut q);
        let rows = self.conn().await?.all(&q).await?;
        Ok(rows.iter().filter_map(|r| Some((r.opt_real("longitude").ok()??, r.opt_real("latitude").ok()??))).collect())
    }

    /// Counts by month and crime type (and LSOA when `by_lsoa`), for trends.
    pub async fn crime_month_counts(
        &self,
        filter: &CrimeFilter,
        by_lsoa: bool,
    ) -> Result<Vec<(Month, String, String, i64)>> {
        // Without areas the importer's counts hold the answer (a row per
        // month and type, not a scan of every row); unfiltered (the
        // dashboard, the packs) it is held in memory with the choices.
        if !by_lsoa && *filter == CrimeFilter::default() {
            let choices = self.crime_choices().await?;
            return Ok(choices.counts.iter().map(|(m, t, n)| (*m, t.clone(), String::new(), *n)).collect());
        }
        let mut q = if by_lsoa {
            Q::new("SELECT month, crime_type, lsoa_name AS area, COUNT(*) AS n FROM police_crimes WHERE 1 = 1")
        } else if filter.lsoa.is_none() {
            Q::new("SELECT month, crime_type, '' AS area, CAST(SUM(n) AS BIGINT) AS n FROM police_crime_counts WHERE 1 = 1")
        } else {
            Q::new("SELECT month, crime_type, '' AS area, COUNT(*) AS n FROM police_crimes WHERE 1 = 1")
        };
        filter.apply(&mut q);
        q.push(if by_lsoa {
            " GROUP BY month, crime_type, lsoa_name ORDER BY month"
        } else {
            " GROUP BY month, crime_type ORDER BY month"
        });
        let rows = self.conn().await?.all(&q).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            if let Ok(m) = Month::parse(&r.text("month")?) {
                out.push((m, r.text("crime_type")?, r.text("area")?, r.int("n")?));
            }
        }
        Ok(out)
    }

    /// Months with data, newest first.
    pub async fn crime_months(&self) -> Result<Vec<Month>> {
        Ok(self.crime_choices().await?.months.clone())
    }

    /// Distinct crime types present, alphabetically.
    pub async fn crime_types(&self) -> Result<Vec<String>> {
        Ok(self.crime_choices().await?.types.clone())
    }

    /// Distinct LSOAs present as (code, name), by name.
    pub async fn crime_lsoas(&self) -> Result<Vec<(String, String)>> {
        Ok(self.crime_choices().await?.areas.clone())
    }

    /// The months, types and areas police.uk data holds, and its counts by
    /// month and type, read once per
    /// version of that data (the kept counts' rows and total, which every
    /// import that adds rows changes) and kept in memory: the crime
    /// browser offers them on every page, and hundreds of areas cost more
    /// to read than the page itself.
    async fn crime_choices(&self) -> Result<Arc<CrimeChoices>> {
        let mut conn = self.conn().await?;
        let v = conn
            .one(&Q::new("SELECT COUNT(*) AS k, CAST(COALESCE(SUM(n), 0) AS BIGINT) AS total FROM police_crime_counts"))
            .await?;
        let version = (v.int("k")?, v.int("total")?);
        if let Some(cached) = self.crime_choices.get(version) {
            return Ok(cached);
        }
        let months = conn.all(&Q::new("SELECT DISTINCT month FROM police_crime_counts ORDER BY month DESC")).await?;
        let types =
            conn.all(&Q::new("SELECT DISTINCT crime_type FROM police_crime_counts ORDER BY crime_type")).await?;
        let areas = conn
            .all(&Q::new("SELECT lsoa_code, lsoa_name FROM police_crime_areas ORDER BY lsoa_name, lsoa_code"))
            .await?;
        let counts = conn
            .all(&Q::new("SELECT month, crime_type, n FROM police_crime_counts ORDER BY month, crime_type"))
            .await?;
        let choices = Arc::new(CrimeChoices {
            months: months.iter().filter_map(|r| r.text("month").ok()).filter_map(|m| Month::parse(&m).ok()).collect(),
            types: types.iter().map(|r| r.text("crime_type")).collect::<std::result::Result<_, _>>()?,
            areas: areas
                .iter()
                .map(|r| Ok((r.text("lsoa_code")?, r.text("lsoa_name")?)))
                .collect::<std::result::Result<_, sqlx::Error>>()?,
            counts: counts
                .iter()
                .filter_map(|r| {
                    let month = Month::parse(&r.text("month").ok()?).ok()?;
                    Some(r.text("crime_type").and_then(|t| Ok((month, t, r.int("n")?))))
                })
                .collect::<std::result::Result<_, sqlx::Error>>()?,
        });
        self.crime_choices.put(version, choices.clone());
        Ok(choices)
    }

    /// Counts by type for `month` beside the previous month (types in
    /// either), most first.
    pub async fn crime_type_counts(&self, month: Month) -> Result<Vec<TypeCount>> {
        let choices = self.crime_choices().await?;
        let mut by_type: std::collections::BTreeMap<&str, TypeCount> = Default::default();
        let previous = month.previous();
        for (m, t, n) in choices.counts.iter().filter(|(m, _, _)| *m == month || *m == previous) {
            let c = by_type.entry(t).or_insert_with(|| TypeCount { crime_type: t.clone(), count: 0, previous: 0 });
            if *m == month {
                c.count += n;
            } else {
                c.previous += n;
            }
        }
        let mut out: Vec<TypeCount> = by_type.into_values().collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.crime_type.cmp(&b.crime_type)));
        Ok(out)
    }

    /// Records per month, oldest first.
    pub async fn crime_monthly_totals(&self) -> Result<Vec<(Month, i64)>> {
        let choices = self.crime_choices().await?;
        let mut out: Vec<(Month, i64)> = Vec::new();
        for (m, _, n) in &choices.counts {
            match out.last_mut() {
                Some((last, total)) if last == m => *total += n,
                _ => out.push((*m, *n)),
            }
        }
        Ok(out)
    }

    /// Total rows of street data and of outcomes (from the kept counts).
    pub async fn police_row_counts(&self) -> Result<(i64, i64)> {
        let mut conn = self.conn().await?;
        let total = |table: &str| Q::new(format!("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM {table}"));
        let c = conn.one(&total("police_crime_counts")).await?.int("n")?;
        let o = conn.one(&total("police_outcome_counts")).await?.int("n")?;
        Ok((c, o))
    }
}

const CRIME_SELECT: &str = "SELECT crime_id, month, crime_type, location, lsoa_code, lsoa_name, longitude, latitude, last_outcome, reported_by, falls_within, context FROM police_crimes";

fn crime_row(r: &Row) -> Result<Crime> {
    Ok(Crime {
        crime_id: r.opt_text("crime_id")?,
        month: r.text("month")?,
        crime_type: r.text("crime_type")?,
        location: r.text("location")?,
        lsoa_code: r.text("lsoa_code")?,
        lsoa_name: r.text("lsoa_name")?,
        longitude: r.opt_real("longitude")?,
        latitude: r.opt_real("latitude")?,
        last_outcome: r.text("last_outcome")?,
        reported_by: r.text("reported_by")?,
        falls_within: r.text("falls_within")?,
        context: r.text("context")?,
        outcomes: Vec::new(),
    })
}

/// What the crime browser offers to filter by, and the counts by month and
/// type (oldest first) that the dashboard and the packs chart.
#[derive(Debug, Default)]
pub(crate) struct CrimeChoices {
    months: Vec<Month>,
    types: Vec<String>,
    areas: Vec<(String, String)>,
    counts: Vec<(Month, String, i64)>,
}

/// [`CrimeChoices`] for one version of the police data (shared by a
/// store's clones).
#[derive(Debug, Default, Clone)]
pub(crate) struct ChoicesCache(Arc<Mutex<Option<Versioned>>>);

/// A version of the police data: the kept counts' rows and their total.
type DataVersion = (i64, i64);

/// Choices and the version of the data they were read from.
type Versioned = (DataVersion, Arc<CrimeChoices>);

impl ChoicesCache {
    fn get(&self, version: DataVersion) -> Option<Arc<CrimeChoices>> {
        let held = self.0.lock().ok()?;
        held.as_ref().filter(|(v, _)| *v == version).map(|(_, c)| c.clone())
    }

    fn put(&self, version: DataVersion, choices: Arc<CrimeChoices>) {
        if let Ok(mut held) = self.0.lock() {
            *held = Some((version, choices));
        }
    }
}
