//! Near repeats: the Knox space-time table over user-chosen distance and
//! time bands, with Monte Carlo p-values and Knox ratios from permuting the
//! dates over the fixed locations (as the Near Repeat Calculator and Toby
//! Davies's NearRepeat do).
//!
//! Band convention: the first band is closed at both ends, `[lo, hi]`; every
//! later band is open below and closed above, `(lo, hi]`. So with distance
//! bands 0-0.1, 0.1-200 a pair 0.1 m apart is "same location" and a pair
//! 200 m apart falls in the second band. Pairs are all i < j.
//!
//! Limits: at most [`MAX_BANDS`] bands of each kind, distances up to
//! [`MAX_DISTANCE_M`], time gaps up to [`MAX_TIME_DAYS`], at most
//! [`MAX_PAIRS`] close pairs (the pairs are kept for the permutations, so
//! memory grows with them: narrow the dates or the category) and at most
//! [`MAX_SIMULATED`] simulated cell values kept for medians and p-values.

use crate::interrupt::Interrupt;
use crate::AnalysisError;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::collections::HashMap;

/// One event: projected coordinates in metres and a day number.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    /// Easting (m).
    pub x: f64,
    /// Northing (m).
    pub y: f64,
    /// Day number (any origin).
    pub day: i64,
}

/// Days since 1970-01-01 for a civil date (proleptic Gregorian).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Reads events from CSV text with columns `x,y,date` (date as
/// dd/mm/yyyy, as the Near Repeat Calculator exports); bad lines are skipped.
pub fn events_from_csv(text: &str) -> Vec<Event> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let mut f = l.split(',');
            let (x, y, d) = (f.next()?.trim().parse().ok()?, f.next()?.trim().parse().ok()?, f.next()?.trim());
            let mut p = d.split('/');
            let (dd, mm, yy) = (p.next()?.parse().ok()?, p.next()?.parse().ok()?, p.next()?.parse().ok()?);
            Some(Event { x, y, day: days_from_civil(yy, mm, dd) })
        })
        .collect()
}

/// Distance measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Straight line.
    Euclidean,
    /// City block.
    Manhattan,
}

/// The result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Knox {
    /// Distance bands used.
    pub distance_bands: Vec<(f64, f64)>,
    /// Time bands used (days).
    pub time_bands: Vec<(f64, f64)>,
    /// Observed pair counts, rows = distance bands, columns = time bands.
    pub observed: Vec<Vec<u64>>,
    /// Mean of the simulated tables.
    pub simulated_mean: Vec<Vec<f64>>,
    /// Median of the simulated tables.
    pub simulated_median: Vec<Vec<f64>>,
    /// observed / mean (0 when the mean is 0).
    pub ratio_mean: Vec<Vec<f64>>,
    /// observed / median (0 when the median is 0).
    pub ratio_median: Vec<Vec<f64>>,
    /// Monte Carlo p-value: (simulations ≥ observed + 1) / (permutations + 1).
    pub p_values: Vec<Vec<f64>>,
    /// Permutations run.
    pub permutations: usize,
}

/// Most bands of each kind.
pub const MAX_BANDS: usize = 100;
/// Largest distance band edge (metres).
pub const MAX_DISTANCE_M: f64 = 100_000.0;
/// Largest time band edge (days): about ten years.
pub const MAX_TIME_DAYS: f64 = 3_660.0;
/// Most pairs of events within the largest distance band (12 bytes each).
pub const MAX_PAIRS: usize = 5_000_000;
/// Most simulated values kept: table cells times permutations (8 bytes each).
pub const MAX_SIMULATED: usize = 4_000_000;

fn check_bands(name: &str, bands: &[(f64, f64)], max: f64, unit: &str) -> Result<(), AnalysisError> {
    if bands.is_empty() {
        return Err(AnalysisError::Invalid(format!("give at least one {name} band")));
    }
    if bands.len() > MAX_BANDS {
        return Err(AnalysisError::Invalid(format!("at most {MAX_BANDS} {name} bands")));
    }
    for (i, (lo, hi)) in bands.iter().enumerate() {
        if !(lo.is_finite() && hi.is_finite()) || *lo < 0.0 || lo > hi {
            return Err(AnalysisError::Invalid(format!(
                "{name} band {} ({lo} to {hi}) must run from a lower to a higher non-negative value",
                i + 1
            )));
        }
        if *hi > max {
            return Err(AnalysisError::Invalid(format!(
                "{name} band {} ends at {hi} {unit}: the largest allowed is {max} {unit}",
                i + 1
            )));
        }
        if i > 0 && *lo < bands[i - 1].1 {
            return Err(AnalysisError::Invalid(format!(
                "{name} bands must be sorted and must not overlap: band {} starts before band {} ends",
                i + 1,
                i
            )));
        }
    }
    Ok(())
}

/// The band holding `v`, by the module's convention.
fn band(bands: &[(f64, f64)], v: f64) -> Option<usize> {
    bands.iter().enumerate().position(|(i, (lo, hi))| if i == 0 { v >= *lo && v <= *hi } else { v > *lo && v <= *hi })
}

/// The distance between two events (m).
fn distance(a: &Event, b: &Event, metric: Metric) -> f64 {
    match metric {
        Metric::Euclidean => ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt(),
        Metric::Manhattan => (a.x - b.x).abs() + (a.y - b.y).abs(),
    }
}

/// Pairs that fall in some distance band: (i, j, distance band); at most
/// `max_pairs` of them.
fn close_pairs(
    events: &[Event],
    bands: &[(f64, f64)],
    metric: Metric,
    max_pairs: usize,
    interrupt: &Interrupt,
) -> Result<Vec<(u32, u32, u8)>, AnalysisError> {
    let max = bands.last().map_or(0.0, |b| b.1).max(1e-9);
    let cell = |e: &Event| ((e.x / max).floor() as i64, (e.y / max).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<u32>> = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        grid.entry(cell(e)).or_default().push(i as u32);
    }
    let mut pairs = Vec::new();
    for (i, a) in events.iter().enumerate() {
        if i % 64 == 0 {
            interrupt.check()?;
        }
        let (cx, cy) = cell(a);
        for dx in -1..=1 {
            for dy in -1..=1 {
                let Some(list) = grid.get(&(cx.saturating_add(dx), cy.saturating_add(dy))) else { continue };
                for &j in list {
                    if (j as usize) <= i {
                        continue;
                    }
                    let b = &events[j as usize];
                    let d = distance(a, b, metric);
                    if let Some(k) = band(bands, d) {
                        if pairs.len() >= max_pairs {
                            return Err(AnalysisError::TooLarge(format!(
                                "more than {max_pairs} pairs of events are within {max} m of each other: \
                                 narrow the dates or the category, or use shorter distance bands"
                            )));
                        }
                        pairs.push((i as u32, j, k as u8));
                    }
                }
            }
        }
    }
    Ok(pairs)
}

/// A near-repeat pair: two events close in space and time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NearPair {
    /// Index of the earlier event (or the first, on the same day).
    pub first: usize,
    /// Index of the later event.
    pub second: usize,
    /// Distance between them (m).
    pub distance_m: f64,
    /// Days between them.
    pub days: i64,
}

/// The last distance band the near-repeat pairs are drawn from: the second
/// when the first ends within a metre ("the same place"), else the first.
pub fn near_band(distance_bands: &[(f64, f64)]) -> usize {
    usize::from(distance_bands.len() > 1 && distance_bands[0].1 <= 1.0)
}

/// The pairs in the near-repeat cells of the table: within the first
/// distance band past "the same place" (the second band when the first ends
/// within a metre, else the first) and within the first time band, closest
/// in time then in space first, at most `limit` of them; also whether more
/// were left out. Drawn on maps so an officer sees where repeats cluster.
pub fn near_pairs(
    events: &[Event],
    distance_bands: &[(f64, f64)],
    time_bands: &[(f64, f64)],
    metric: Metric,
    limit: usize,
    interrupt: &Interrupt,
) -> Result<(Vec<NearPair>, bool), AnalysisError> {
    check_bands("distance", distance_bands, MAX_DISTANCE_M, "m")?;
    check_bands("time", time_bands, MAX_TIME_DAYS, "days")?;
    let near = near_band(distance_bands);
    let within = close_pairs(events, &distance_bands[..=near], metric, MAX_PAIRS, interrupt)?;
    let mut pairs: Vec<NearPair> = within
        .into_iter()
        .filter_map(|(i, j, _)| {
            let (a, b) = (&events[i as usize], &events[j as usize]);
            let days = a.day.abs_diff(b.day) as i64;
            band(&time_bands[..1], days as f64)?;
            let distance_m = distance(a, b, metric);
            let (first, second) = if a.day <= b.day { (i as usize, j as usize) } else { (j as usize, i as usize) };
            Some(NearPair { first, second, distance_m, days })
        })
        .collect();
    pairs.sort_by(|p, q| p.days.cmp(&q.days).then(p.distance_m.total_cmp(&q.distance_m)));
    let more = pairs.len() > limit;
    pairs.truncate(limit);
    Ok((pairs, more))
}

fn table(pairs: &[(u32, u32, u8)], days: &[i64], time_lookup: &[i8], cols: usize, out: &mut [u64]) {
    out.iter_mut().for_each(|c| *c = 0);
    let max_t = time_lookup.len() as u64;
    for &(i, j, d) in pairs {
        let t = days[i as usize].abs_diff(days[j as usize]);
        if t < max_t {
            let k = time_lookup[t as usize];
            if k >= 0 {
                out[d as usize * cols + k as usize] += 1;
            }
        }
    }
}

/// Computes the Knox table with `permutations` Monte Carlo runs seeded by
/// `seed`. Time bands are in whole days (the gap between event days).
/// Returns [`AnalysisError::Interrupted`] once `interrupt` is raised.
pub fn knox(
    events: &[Event],
    distance_bands: &[(f64, f64)],
    time_bands: &[(f64, f64)],
    metric: Metric,
    permutations: usize,
    seed: u64,
    interrupt: &Interrupt,
) -> Result<Knox, AnalysisError> {
    knox_with_pair_limit(events, distance_bands, time_bands, metric, permutations, seed, MAX_PAIRS, interrupt)
}

#[allow(clippy::too_many_arguments)]
fn knox_with_pair_limit(
    events: &[Event],
    distance_bands: &[(f64, f64)],
    time_bands: &[(f64, f64)],
    metric: Metric,
    permutations: usize,
    seed: u64,
    max_pairs: usize,
    interrupt: &Interrupt,
) -> Result<Knox, AnalysisError> {
    if events.len() < 2 {
        return Err(AnalysisError::TooFew { what: "incidents", needed: 2, found: events.len() });
    }
    if events.len() > u32::MAX as usize {
        return Err(AnalysisError::TooLarge("too many events: narrow the dates or the category".into()));
    }
    check_bands("distance", distance_bands, MAX_DISTANCE_M, "m")?;
    check_bands("time", time_bands, MAX_TIME_DAYS, "days")?;
    if events.iter().any(|e| !e.x.is_finite() || !e.y.is_finite()) {
        return Err(AnalysisError::Invalid("every event needs coordinates".into()));
    }
    let (rows, cols) = (distance_bands.len(), time_bands.len());
    if (rows * cols).saturating_mul(permutations) > MAX_SIMULATED {
        return Err(AnalysisError::TooLarge(format!(
            "{rows} x {cols} bands with {permutations} permutations is more than {MAX_SIMULATED} simulated values: \
             use fewer bands or permutations"
        )));
    }
    // At most MAX_TIME_DAYS + 1 entries: the bands were checked above.
    let max_t = time_bands.last().map_or(0.0, |b| b.1).floor() as usize;
    let time_lookup: Vec<i8> = (0..=max_t).map(|t| band(time_bands, t as f64).map_or(-1, |k| k as i8)).collect();
    let pairs = close_pairs(events, distance_bands, metric, max_pairs, interrupt)?;
    let mut days: Vec<i64> = events.iter().map(|e| e.day).collect();
    let mut observed = vec![0u64; rows * cols];
    table(&pairs, &days, &time_lookup, cols, &mut observed);
    // One reusable table per run keeps memory flat in the number of permutations;
    // only the per-cell counts of every run are kept for the median.
    let mut sims: Vec<Vec<u64>> = vec![Vec::with_capacity(permutations); rows * cols];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut scratch = vec![0u64; rows * cols];
    for _ in 0..permutations {
        interrupt.check()?;
        days.shuffle(&mut rng);
        table(&pairs, &days, &time_lookup, cols, &mut scratch);
        for (k, v) in scratch.iter().enumerate() {
            sims[k].push(*v);
        }
    }
    let grid = |f: &dyn Fn(usize) -> f64| -> Vec<Vec<f64>> {
        (0..rows).map(|r| (0..cols).map(|c| f(r * cols + c)).collect()).collect()
    };
    let mean =
        |k: usize| if permutations == 0 { 0.0 } else { sims[k].iter().sum::<u64>() as f64 / permutations as f64 };
    let median = |k: usize| {
        let mut v = sims[k].clone();
        v.sort_unstable();
        match v.len() {
            0 => 0.0,
            n if n % 2 == 1 => v[n / 2] as f64,
            n => (v[n / 2 - 1] + v[n / 2]) as f64 / 2.0,
        }
    };
    let ratio = |o: u64, s: f64| if s > 0.0 { o as f64 / s } else { 0.0 };
    Ok(Knox {
        distance_bands: distance_bands.to_vec(),
        time_bands: time_bands.to_vec(),
        observed: (0..rows).map(|r| observed[r * cols..(r + 1) * cols].to_vec()).collect(),
        simulated_mean: grid(&mean),
        simulated_median: grid(&median),
        ratio_mean: grid(&|k| ratio(observed[k], mean(k))),
        ratio_median: grid(&|k| ratio(observed[k], median(k))),
        p_values: grid(&|k| {
            (sims[k].iter().filter(|s| **s >= observed[k]).count() + 1) as f64 / (permutations + 1) as f64
        }),
        permutations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2016, 3, 1) - days_from_civil(2016, 2, 28), 2, "2016 is a leap year");
        assert_eq!(days_from_civil(2000, 1, 1), 10_957);
    }

    #[test]
    fn band_edges_follow_the_convention() {
        let b = [(0.0, 0.1), (0.1, 200.0), (200.0, 400.0)];
        assert_eq!(band(&b, 0.0), Some(0));
        assert_eq!(band(&b, 0.1), Some(0), "the first band is closed above");
        assert_eq!(band(&b, 0.1000001), Some(1));
        assert_eq!(band(&b, 200.0), Some(1), "later bands are closed above");
        assert_eq!(band(&b, 400.0001), None);
    }

    #[test]
    fn bad_bands_and_tiny_inputs_are_refused() {
        let e = [Event { x: 0.0, y: 0.0, day: 0 }, Event { x: 1.0, y: 0.0, day: 1 }];
        assert!(knox(&e[..1], &[(0.0, 1.0)], &[(0.0, 1.0)], Metric::Euclidean, 9, 1, &Interrupt::never()).is_err());
        assert!(
            knox(&e, &[(0.0, 200.0), (100.0, 300.0)], &[(0.0, 1.0)], Metric::Euclidean, 9, 1, &Interrupt::never())
                .is_err(),
            "overlap"
        );
        assert!(
            knox(&e, &[(200.0, 100.0)], &[(0.0, 1.0)], Metric::Euclidean, 9, 1, &Interrupt::never()).is_err(),
            "reversed"
        );
        assert!(knox(&e, &[(0.0, 1.0)], &[], Metric::Euclidean, 9, 1, &Interrupt::never()).is_err(), "none");
        let k = knox(&e, &[(0.0, 1.0)], &[(0.0, 1.0)], Metric::Manhattan, 9, 1, &Interrupt::never()).expect("knox");
        assert_eq!(k.observed, vec![vec![1]]);
    }

    #[test]
    fn a_huge_time_band_is_refused_before_anything_is_allocated() {
        let e = [Event { x: 0.0, y: 0.0, day: 0 }, Event { x: 1.0, y: 0.0, day: 1 }];
        let never = Interrupt::never();
        let r = knox(&e, &[(0.0, 100.0)], &[(0.0, 1e15)], Metric::Euclidean, 9, 1, &never);
        assert!(matches!(r, Err(AnalysisError::Invalid(ref m)) if m.contains("largest allowed")), "{r:?}");
        let r = knox(&e, &[(0.0, 1e12)], &[(0.0, 7.0)], Metric::Euclidean, 9, 1, &never);
        assert!(r.is_err(), "a distance band beyond the limit");
        for bad in [f64::NAN, f64::INFINITY, -1.0] {
            assert!(knox(&e, &[(0.0, 100.0)], &[(0.0, bad)], Metric::Euclidean, 9, 1, &never).is_err(), "{bad}");
        }
        let extreme = [Event { x: 0.0, y: 0.0, day: i64::MIN }, Event { x: 1.0, y: 0.0, day: i64::MAX }];
        let k = knox(&extreme, &[(0.0, 100.0)], &[(0.0, MAX_TIME_DAYS)], Metric::Euclidean, 9, 1, &never);
        assert_eq!(k.map(|k| k.observed), Ok(vec![vec![0]]), "day gaps beyond i64 do not overflow");
    }

    #[test]
    fn the_pair_cap_refuses_inputs_whose_pairs_would_not_fit() {
        // Ten events at one address make 45 pairs.
        let e: Vec<Event> = (0..10).map(|d| Event { x: 5.0, y: 5.0, day: d }).collect();
        let never = Interrupt::never();
        let run = |cap| knox_with_pair_limit(&e, &[(0.0, 10.0)], &[(0.0, 7.0)], Metric::Euclidean, 9, 1, cap, &never);
        let refused = run(44);
        assert!(
            matches!(refused, Err(AnalysisError::TooLarge(ref m)) if m.contains("narrow the dates")),
            "{refused:?}"
        );
        let fits = run(45).expect("45 pairs fit a cap of 45");
        assert_eq!(fits.observed[0][0], 45 - 3, "every pair but the three 8 and 9 days apart");
        assert_eq!(Ok(fits), knox(&e, &[(0.0, 10.0)], &[(0.0, 7.0)], Metric::Euclidean, 9, 1, &never));
        let hundred: Vec<(f64, f64)> = (0..100).map(|i| (f64::from(i), f64::from(i) + 1.0)).collect();
        let r = knox(&e, &hundred, &hundred, Metric::Euclidean, 999, 1, &never);
        assert!(matches!(r, Err(AnalysisError::TooLarge(_))), "10,000 cells x 999 permutations: {r:?}");
    }

    #[test]
    fn near_pairs_are_the_close_in_space_and_time_ones_nearest_first() {
        let e = |x: f64, day: i64| Event { x, y: 0.0, day };
        // 0 and 1: 150 m, 3 days; 0 and 2: same place, 1 day; 1 and 3: 150 m, 30 days (too late);
        // 0 and 4: 900 m (too far).
        let events = [e(0.0, 10), e(150.0, 13), e(0.0, 11), e(150.0, 43), e(900.0, 10)];
        let bands = [(0.0, 0.1), (0.1, 200.0), (200.0, 400.0)];
        let never = Interrupt::never();
        let (pairs, more) =
            near_pairs(&events, &bands, &[(0.0, 7.0), (7.0, 14.0)], Metric::Euclidean, 10, &never).expect("pairs");
        let found: Vec<(usize, usize, i64)> = pairs.iter().map(|p| (p.first, p.second, p.days)).collect();
        assert_eq!(found, [(0, 2, 1), (2, 1, 2), (0, 1, 3)]);
        assert!(!more);
        assert!((pairs[2].distance_m - 150.0).abs() < 1e-9);
        let (one, more) = near_pairs(&events, &bands, &[(0.0, 7.0)], Metric::Euclidean, 1, &never).expect("pairs");
        assert_eq!((one.len(), more), (1, true), "cut at the limit, and said so");
        assert!(near_pairs(&events, &[], &[(0.0, 7.0)], Metric::Euclidean, 1, &never).is_err());
    }

    #[test]
    fn a_raised_interrupt_stops_the_table() {
        let e: Vec<Event> = (0..50).map(|i| Event { x: f64::from(i), y: 0.0, day: i64::from(i % 9) }).collect();
        let stop = Interrupt::new();
        let bands = [(0.0, 100.0)];
        let before = knox(&e, &bands, &[(0.0, 7.0)], Metric::Euclidean, 99, 1, &stop).expect("knox");
        stop.raise();
        assert_eq!(knox(&e, &bands, &[(0.0, 7.0)], Metric::Euclidean, 99, 1, &stop), Err(AnalysisError::Interrupted));
        assert_eq!(Ok(before), knox(&e, &bands, &[(0.0, 7.0)], Metric::Euclidean, 99, 1, &Interrupt::never()));
    }
}
