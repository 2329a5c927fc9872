//! Commitment measures computed from the programmes' data: every
//! commitment whose strategy entry names a `measured_by` gets its figure
//! on a day, counted from the strategy's first day (or, for a share such
//! as the drivers checked, as things stand on the day).

use crate::error::Error;
use chrono::NaiveDate;
use safetynet_domain::measures::{describe, MeasureSource};
use safetynet_store::strategy::{Commitment, CommitmentUpdate, Strategy};
use safetynet_store::Store;

/// The days a measure counts over, for a strategy starting on `starts_on`,
/// measured on `date`.
fn period(source: MeasureSource, starts_on: NaiveDate, date: NaiveDate) -> (NaiveDate, NaiveDate) {
    if source.is_cumulative() {
        (starts_on.min(date), date)
    } else {
        (date, date)
    }
}

/// Fills in `measured` on one commitment of a strategy starting on `starts_on`.
pub async fn measure(store: &Store, c: &mut Commitment, starts_on: NaiveDate, date: NaiveDate) -> Result<(), Error> {
    if let Some(source) = c.measured_by {
        let (from, to) = period(source, starts_on, date);
        let counts = store.measure_counts(source, (from, to)).await?;
        c.measured = Some(describe(source, counts, c.target, from, to));
    }
    Ok(())
}

/// Fills in `measured` on every commitment of `strategy` that has a
/// computed measure, as of `date`.
pub async fn measure_all(store: &Store, strategy: &mut Strategy, date: NaiveDate) -> Result<(), Error> {
    let starts_on = strategy.starts_on;
    for c in strategy.priorities.iter_mut().flat_map(|p| p.commitments.iter_mut()) {
        measure(store, c, starts_on, date).await?;
    }
    Ok(())
}

/// The current strategy with its computed measures as of `date`.
pub async fn strategy_on(store: &Store, date: NaiveDate) -> Result<Option<Strategy>, Error> {
    let Some(mut s) = store.strategy().await? else { return Ok(None) };
    measure_all(store, &mut s, date).await?;
    Ok(Some(s))
}

/// Where lists of programme activity start by default: the strategy's
/// first day, else a year before `today`.
pub async fn programme_start(store: &Store, today: NaiveDate) -> Result<NaiveDate, Error> {
    Ok(match store.strategy().await? {
        Some(s) if s.starts_on <= today => s.starts_on,
        _ => today - chrono::Duration::days(365),
    })
}

/// One commitment and its update history, with its computed measure as of
/// `date`.
pub async fn commitment_on(
    store: &Store,
    id: &str,
    date: NaiveDate,
) -> Result<(Commitment, Vec<CommitmentUpdate>), Error> {
    let (mut c, history) = store.commitment(id).await?;
    if c.measured_by.is_some() {
        if let Some(s) = store.strategy().await? {
            measure(store, &mut c, s.starts_on, date).await?;
        }
    }
    Ok((c, history))
}
