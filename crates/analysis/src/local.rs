//! Local statistics for hotspots: Getis-Ord Gi* (binary weights, a
//! self-weight of one) and Local Moran's I (row-standardised), each with conditional
//! randomisation (hold the observation, permute the rest; one set of
//! permutations shared by every observation, as esda draws them), folded
//! one-sided pseudo p-values as PySAL esda computes them, Benjamini-Hochberg control,
//! and the hot/cold spot and LISA quadrant classes.

use crate::fdr::benjamini_hochberg;
use crate::interrupt::Interrupt;
use crate::weights::Weights;
use crate::AnalysisError;
use rand::seq::index::sample;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus as Rng64;
use serde::Serialize;

/// Significance classes for Gi*.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpotClass {
    /// Hot spot at 99% confidence.
    Hot99,
    /// Hot spot at 95%.
    Hot95,
    /// Hot spot at 90%.
    Hot90,
    /// Not significant.
    NotSignificant,
    /// Cold spot at 90%.
    Cold90,
    /// Cold spot at 95%.
    Cold95,
    /// Cold spot at 99%.
    Cold99,
}

/// LISA quadrants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Quadrant {
    /// High value among high neighbours.
    HH,
    /// Low value among high neighbours.
    LH,
    /// Low among low.
    LL,
    /// High among low.
    HL,
}

/// Results for one observation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalResult {
    /// Gi* z-score.
    pub gi_z: f64,
    /// Gi* pseudo p-value (conditional permutation).
    pub gi_p: f64,
    /// Hot/cold classification from the p-value and the sign of z.
    pub gi_class: SpotClass,
    /// Local Moran's I.
    pub moran_i: f64,
    /// Local Moran pseudo p-value.
    pub moran_p: f64,
    /// LISA quadrant.
    pub quadrant: Quadrant,
    /// Significant after Benjamini-Hochberg at the requested rate (Gi*).
    pub gi_fdr_significant: bool,
    /// Significant after Benjamini-Hochberg at the requested rate (Local Moran).
    pub moran_fdr_significant: bool,
}

/// Options for [`local_statistics`].
#[derive(Debug, Clone, Copy)]
pub struct LocalOptions {
    /// Conditional permutations (default 999).
    pub permutations: usize,
    /// Seed for the permutations.
    pub seed: u64,
    /// False discovery rate for the BH flags (default 0.05).
    pub fdr: f64,
}

impl Default for LocalOptions {
    fn default() -> Self {
        Self { permutations: 999, seed: 1, fdr: 0.05 }
    }
}

/// Gi* z-scores for binary weights `w` with a self-weight of 1 (Ord & Getis
/// 1995): (Σ_j w*_ij y_j − ȳ W*_i) / (s √((n S1*_i − W*_i²)/(n − 1))).
pub fn gi_star_z(y: &[f64], w: &Weights) -> Result<Vec<f64>, AnalysisError> {
    let (n, mean, s) = moments(y, w)?;
    Ok((0..y.len()).map(|i| gi_z_from_lag(y[i] + lag(w, y, i), w.of(i).len() as f64 + 1.0, n, mean, s)).collect())
}

fn gi_z_from_lag(lag_star: f64, w_star: f64, n: f64, mean: f64, s: f64) -> f64 {
    // Binary weights: S1*_i = W*_i.
    let denom = s * ((n * w_star - w_star * w_star) / (n - 1.0)).sqrt();
    if denom > 0.0 {
        (lag_star - mean * w_star) / denom
    } else {
        0.0
    }
}

fn lag(w: &Weights, y: &[f64], i: usize) -> f64 {
    w.of(i).iter().map(|(j, wij)| wij * y[*j]).sum()
}

fn moments(y: &[f64], w: &Weights) -> Result<(f64, f64, f64), AnalysisError> {
    if y.len() != w.len() {
        return Err(AnalysisError::Invalid("one value per area or cell is needed".into()));
    }
    if y.len() < 3 {
        return Err(AnalysisError::TooFew { what: "areas or cells", needed: 3, found: y.len() });
    }
    if y.iter().any(|v| !v.is_finite()) {
        return Err(AnalysisError::Invalid("every value must be a number".into()));
    }
    let n = y.len() as f64;
    let mean = y.iter().sum::<f64>() / n;
    let var = y.iter().map(|v| v * v).sum::<f64>() / n - mean * mean;
    if var <= 1e-12 * (1.0 + mean * mean) {
        return Err(AnalysisError::NoVariation(format!("{mean}")));
    }
    Ok((n, mean, var.sqrt()))
}

/// Local Moran's I: (n − 1) z_i Σ_j w_ij z_j / Σ z², with `w` row-standardised.
pub fn local_moran_i(y: &[f64], w_row: &Weights) -> Result<Vec<f64>, AnalysisError> {
    let (n, mean, _) = moments(y, w_row)?;
    let z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let den: f64 = z.iter().map(|v| v * v).sum();
    Ok((0..z.len()).map(|i| (n - 1.0) * z[i] * lag(w_row, &z, i) / den).collect())
}

fn classify(z: f64, p: f64) -> SpotClass {
    match (z > 0.0, p) {
        (true, p) if p <= 0.01 => SpotClass::Hot99,
        (true, p) if p <= 0.05 => SpotClass::Hot95,
        (true, p) if p <= 0.10 => SpotClass::Hot90,
        (false, p) if p <= 0.01 => SpotClass::Cold99,
        (false, p) if p <= 0.05 => SpotClass::Cold95,
        (false, p) if p <= 0.10 => SpotClass::Cold90,
        _ => SpotClass::NotSignificant,
    }
}

fn folded(larger: usize, permutations: usize) -> f64 {
    (larger.min(permutations - larger) + 1) as f64 / (permutations + 1) as f64
}

/// Chunks of observations swept in turn; fixed, so results do not depend on the thread count.
const CHUNKS: usize = 16;

/// The permutations shared by every observation, drawn once from the seed
/// as esda's conditional randomisation draws them: row `p` holds `kmax`
/// distinct indices into the n − 1 observations other than the one tested
/// (u stands for observation u below it, u + 1 from it on) in random order,
/// so the first k of a row are a uniform draw of k others. The simulated
/// neighbour sums, for each cardinality in use then each permutation, are
/// updated in a sweep over the observations: moving from observation u to
/// u + 1 changes only the entries equal to u, from y[u + 1] to y[u].
struct Pool<'a> {
    y: &'a [f64],
    perms: usize,
    kmax: usize,
    ids: Vec<usize>,
    /// Positions in `ids` holding index u: `at[at_start[u]..at_start[u + 1]]`.
    at_start: Vec<usize>,
    at: Vec<usize>,
    /// Whether some observation has k neighbours.
    used: Vec<bool>,
    /// Cardinalities in use below k: where the sums for k are kept.
    slot: Vec<usize>,
    slots: usize,
}

impl<'a> Pool<'a> {
    fn new(y: &'a [f64], w: &Weights, perms: usize, seed: u64) -> Self {
        let n = y.len();
        let mut used = vec![false; n];
        (0..n).for_each(|i| used[w.of(i).len()] = true);
        let kmax = used.iter().rposition(|&u| u).unwrap_or(0);
        used.truncate(kmax + 1);
        used[0] = false;
        let slot: Vec<usize> =
            used.iter().scan(0, |below, &u| Some(std::mem::replace(below, *below + usize::from(u)))).collect();
        let slots = used.iter().filter(|&&u| u).count();
        let mut rng = Rng64::seed_from_u64(seed);
        let ids: Vec<usize> = (0..perms).flat_map(|_| sample(&mut rng, n - 1, kmax).into_iter()).collect();
        let mut at_start = vec![0; n + 1];
        ids.iter().for_each(|&u| at_start[u + 1] += 1);
        (0..n).for_each(|u| at_start[u + 1] += at_start[u]);
        let (mut at, mut next) = (vec![0; ids.len()], at_start.clone());
        for (pos, &u) in ids.iter().enumerate() {
            at[next[u]] = pos;
            next[u] += 1;
        }
        Self { y, perms, kmax, ids, at_start, at, used, slot, slots }
    }

    /// The sums for observation `i`, computed afresh into `sums`.
    fn start(&self, i: usize, sums: &mut Vec<f64>) {
        sums.clear();
        sums.resize(self.slots * self.perms, 0.0);
        for (p, row) in self.ids.chunks_exact(self.kmax.max(1)).enumerate() {
            let mut acc = 0.0;
            for (r, &u) in row.iter().enumerate() {
                acc += self.y[if u >= i { u + 1 } else { u }];
                if self.used[r + 1] {
                    sums[self.slot[r + 1] * self.perms + p] = acc;
                }
            }
        }
    }

    /// Moves `sums` from observation `i − 1` to observation `i`.
    fn advance(&self, i: usize, sums: &mut [f64]) {
        let d = self.y[i - 1] - self.y[i];
        for &pos in &self.at[self.at_start[i - 1]..self.at_start[i]] {
            let (p, r) = (pos / self.kmax, pos % self.kmax);
            for s in self.slot[r + 1]..self.slots {
                sums[s * self.perms + p] += d;
            }
        }
    }

    /// The simulated sums of `k` neighbours (k in use).
    fn sims<'s>(&self, k: usize, sums: &'s [f64]) -> &'s [f64] {
        &sums[self.slot[k] * self.perms..][..self.perms]
    }
}

/// Gi* and Local Moran's I for every observation with conditional
/// permutation inference. `w` is binary contiguity; islands get z = 0, p = 1.
/// Like esda, every observation shares one set of permutations drawn from
/// the seed, so results depend on the seed alone, not on the thread count.
/// Every observation checks `interrupt` first; once it is raised the answer
/// is [`AnalysisError::Interrupted`].
pub fn local_statistics(
    y: &[f64],
    w: &Weights,
    opts: LocalOptions,
    interrupt: &Interrupt,
) -> Result<Vec<LocalResult>, AnalysisError> {
    let (n, mean, s) = moments(y, w)?;
    if opts.permutations == 0 {
        return Err(AnalysisError::Invalid("at least one permutation is needed".into()));
    }
    let z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let den: f64 = z.iter().map(|v| v * v).sum();
    let size = y.len();
    let pool = Pool::new(y, w, opts.permutations, opts.seed);
    // Sums this close to the observed one are ties, whatever the rounding of the sweep.
    let ymax = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let one = |i: usize, sums: &[f64]| -> LocalResult {
        let k = w.of(i).len();
        let lag_y: f64 = lag(w, y, i);
        let gi_z = gi_z_from_lag(y[i] + lag_y, k as f64 + 1.0, n, mean, s);
        let lag_z = (lag_y - mean * k as f64) / k.max(1) as f64;
        let moran_i = (n - 1.0) * z[i] * lag_z / den;
        let quadrant = match (z[i] >= 0.0, lag_z >= 0.0) {
            (true, true) => Quadrant::HH,
            (false, true) => Quadrant::LH,
            (false, false) => Quadrant::LL,
            (true, false) => Quadrant::HL,
        };
        let mut r = LocalResult {
            gi_z,
            gi_p: 1.0,
            gi_class: SpotClass::NotSignificant,
            moran_i: 0.0,
            moran_p: 1.0,
            quadrant,
            gi_fdr_significant: false,
            moran_fdr_significant: false,
        };
        if k == 0 {
            return r;
        }
        // Both statistics rise (Local Moran: with the sign of z_i) with the sum
        // of the k neighbours' values, so each simulated draw is compared by
        // its sum alone.
        let tol = 1e-10 * k as f64 * ymax;
        let sims = pool.sims(k, sums);
        let above = sims.iter().map(|&v| usize::from(v >= lag_y - tol)).sum::<usize>();
        let moran_larger = if z[i] > 0.0 {
            above
        } else if z[i] < 0.0 {
            sims.iter().map(|&v| usize::from(v <= lag_y + tol)).sum()
        } else {
            opts.permutations
        };
        r.gi_p = folded(above, opts.permutations);
        r.gi_class = classify(gi_z, r.gi_p);
        r.moran_i = moran_i;
        r.moran_p = folded(moran_larger, opts.permutations);
        r
    };
    let chunk = size.div_ceil(CHUNKS);
    let chunks = size.div_ceil(chunk);
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).clamp(1, chunks);
    let mut parts: Vec<(usize, Vec<LocalResult>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (one, pool) = (&one, &pool);
                scope.spawn(move || {
                    let mut sums = Vec::new();
                    let mut done = Vec::new();
                    for c in (t..chunks).step_by(threads) {
                        let cells = c * chunk..((c + 1) * chunk).min(size);
                        pool.start(cells.start, &mut sums);
                        let mut out = Vec::with_capacity(cells.len());
                        for i in cells {
                            interrupt.check()?;
                            if i > c * chunk {
                                pool.advance(i, &mut sums);
                            }
                            out.push(one(i, &sums));
                        }
                        done.push((c, out));
                    }
                    Ok(done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(AnalysisError::Invalid("a worker thread failed".into()))))
            .collect::<Result<Vec<_>, AnalysisError>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    parts.sort_by_key(|(c, _)| *c);
    let mut out: Vec<LocalResult> = parts.into_iter().flat_map(|(_, o)| o).collect();
    if out.len() != size {
        return Err(AnalysisError::Invalid("a worker thread failed".into()));
    }
    let gi = benjamini_hochberg(&out.iter().map(|r| r.gi_p).collect::<Vec<_>>(), opts.fdr);
    let lm = benjamini_hochberg(&out.iter().map(|r| r.moran_p).collect::<Vec<_>>(), opts.fdr);
    for (r, (g, m)) in out.iter_mut().zip(gi.into_iter().zip(lm)) {
        r.gi_fdr_significant = g;
        r.moran_fdr_significant = m;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A queen grid plus a hub of 21 neighbours, an island and a pair.
    fn irregular() -> Weights {
        let grid = Weights::grid_queen(8, 7).expect("grid");
        let mut adjacency: Vec<Vec<usize>> = (0..56).map(|i| grid.of(i).iter().map(|(j, _)| *j).collect()).collect();
        (0..21).for_each(|j| adjacency[j].push(56));
        adjacency.extend([(0..21).collect(), vec![], vec![59], vec![58]]);
        Weights::binary(&adjacency).expect("weights")
    }

    #[test]
    fn the_sweep_gives_the_sums_of_the_shared_draws() {
        let w = irregular();
        let counts: Vec<f64> = (0..60u32).map(|i| f64::from(i * 37 % 11)).collect();
        let rates: Vec<f64> = counts.iter().map(|c| c * 0.1 + 0.37).collect();
        for y in [&counts, &rates] {
            let pool = Pool::new(y, &w, 50, 4);
            let (mut swept, mut fresh) = (Vec::new(), Vec::new());
            pool.start(0, &mut swept);
            for i in 0..y.len() {
                if i > 0 {
                    pool.advance(i, &mut swept);
                }
                pool.start(i, &mut fresh);
                let k = w.of(i).len();
                if k == 0 {
                    continue;
                }
                for (p, (a, b)) in pool.sims(k, &swept).iter().zip(pool.sims(k, &fresh)).enumerate() {
                    let picks = &pool.ids[p * pool.kmax..][..k];
                    let others: Vec<usize> = (0..y.len()).filter(|&j| j != i).collect();
                    let direct: f64 = picks.iter().map(|&u| y[others[u]]).sum();
                    assert_eq!(*b, direct, "fresh sums are the draws' sums");
                    assert!((a - b).abs() <= 1e-12, "swept {a} vs fresh {b}");
                    if std::ptr::eq(y, &counts) {
                        assert_eq!(a, b, "counts sum exactly");
                    }
                }
            }
        }
    }
}
