//! Local statistics for hotspots: Getis-Ord Gi* (binary weights, a
//! self-weight of one) and Local Moran's I (row-standardised), each with conditional
//! randomisation (hold the observation, permute the rest), folded one-sided
//! pseudo p-values as PySAL esda computes them, Benjamini-Hochberg control,
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

/// Draws `k` distinct indices from `0..n` other than `skip` into `out`
/// (rejection sampling: fast when k is small next to n, as with contiguity).
fn draw(rng: &mut Rng64, n: usize, skip: usize, k: usize, out: &mut Vec<usize>) {
    use rand::Rng;
    out.clear();
    if 2 * k > n {
        out.extend(sample(rng, n - 1, k).into_iter().map(|idx| if idx >= skip { idx + 1 } else { idx }));
        return;
    }
    while out.len() < k {
        let idx = rng.gen_range(0..n - 1);
        let idx = if idx >= skip { idx + 1 } else { idx };
        if !out.contains(&idx) {
            out.push(idx);
        }
    }
}

/// Gi* and Local Moran's I for every observation with conditional
/// permutation inference. `w` is binary contiguity; islands get z = 0, p = 1.
/// Each observation has its own seeded random stream, so results do not
/// depend on how many threads share the work. Every observation checks
/// `interrupt` first; once it is raised the answer is
/// [`AnalysisError::Interrupted`].
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
    let one = |i: usize, picks: &mut Vec<usize>| -> Result<LocalResult, AnalysisError> {
        interrupt.check()?;
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
        if k == 0 {
            return Ok(LocalResult {
                gi_z,
                gi_p: 1.0,
                gi_class: SpotClass::NotSignificant,
                moran_i: 0.0,
                moran_p: 1.0,
                quadrant,
                gi_fdr_significant: false,
                moran_fdr_significant: false,
            });
        }
        // Both statistics rise (Local Moran: with the sign of z_i) with the sum
        // of the k neighbours' values, so each simulated draw is compared by
        // its sum alone.
        let mut rng = Rng64::seed_from_u64(opts.seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (mut gi_larger, mut moran_larger) = (0usize, 0usize);
        for _ in 0..opts.permutations {
            draw(&mut rng, size, i, k, picks);
            let sum: f64 = picks.iter().map(|&j| y[j]).sum();
            if sum >= lag_y {
                gi_larger += 1;
            }
            let at_least = if z[i] > 0.0 {
                sum >= lag_y
            } else if z[i] < 0.0 {
                sum <= lag_y
            } else {
                true
            };
            if at_least {
                moran_larger += 1;
            }
        }
        let gi_p = folded(gi_larger, opts.permutations);
        Ok(LocalResult {
            gi_z,
            gi_p,
            gi_class: classify(gi_z, gi_p),
            moran_i,
            moran_p: folded(moran_larger, opts.permutations),
            quadrant,
            gi_fdr_significant: false,
            moran_fdr_significant: false,
        })
    };
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).clamp(1, 16);
    let chunk = size.div_ceil(threads);
    let parts: Vec<Vec<LocalResult>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let one = &one;
                scope.spawn(move || {
                    let mut picks = Vec::new();
                    (t * chunk..((t + 1) * chunk).min(size))
                        .map(|i| one(i, &mut picks))
                        .collect::<Result<Vec<_>, AnalysisError>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(AnalysisError::Invalid("a worker thread failed".into()))))
            .collect::<Result<Vec<_>, AnalysisError>>()
    })?;
    let mut out: Vec<LocalResult> = parts.into_iter().flatten().collect();
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
