//! Global Moran's I with analytic inference under normality and
//! randomisation (Cliff & Ord 1981), and permutation inference. Matches
//! PySAL esda's `Moran` (see `tests/fixtures/make_columbus.py`).

use crate::weights::Weights;
use crate::AnalysisError;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Global Moran's I and its inference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moran {
    /// The statistic.
    pub i: f64,
    /// Expected value under no autocorrelation: −1/(n−1).
    pub expected: f64,
    /// Variance under normality.
    pub variance_normal: f64,
    /// z under normality.
    pub z_normal: f64,
    /// Variance under randomisation.
    pub variance_random: f64,
    /// z under randomisation.
    pub z_random: f64,
    /// Pseudo p-value from permutations (folded, one-sided), if run.
    pub p_permutation: Option<f64>,
    /// Permutations run.
    pub permutations: usize,
}

fn statistic(w: &Weights, z: &[f64], s0: f64, den: f64) -> f64 {
    let n = z.len() as f64;
    let mut num = 0.0;
    for (i, zi) in z.iter().enumerate() {
        num += zi * w.of(i).iter().map(|(j, wij)| wij * z[*j]).sum::<f64>();
    }
    n / s0 * num / den
}

/// Moran's I of `y` under weights `w` (use [`Weights::row_standardised`] for
/// the usual row-standardised form), with `permutations` random relabellings
/// seeded by `seed` (0 for none).
pub fn moran(y: &[f64], w: &Weights, permutations: usize, seed: u64) -> Result<Moran, AnalysisError> {
    let n = y.len();
    if n != w.len() {
        return Err(AnalysisError::Invalid("one value per area is needed".into()));
    }
    if n < 4 {
        return Err(AnalysisError::TooFew { what: "areas", needed: 4, found: n });
    }
    let mean = y.iter().sum::<f64>() / n as f64;
    let z: Vec<f64> = y.iter().map(|v| v - mean).collect();
    let den: f64 = z.iter().map(|v| v * v).sum();
    if den <= 0.0 || !den.is_finite() {
        return Err(AnalysisError::NoVariation(format!("{mean}")));
    }
    let s0 = w.s0();
    if s0 <= 0.0 {
        return Err(AnalysisError::Invalid("no area has a neighbour".into()));
    }
    let i = statistic(w, &z, s0, den);
    let nf = n as f64;
    // S1 = ½ Σ_ij (w_ij + w_ji)², S2 = Σ_i (w_i. + w_.i)².
    let mut col = vec![0.0; n];
    let mut s1 = 0.0;
    for a in 0..n {
        for (b, wab) in w.of(a) {
            col[*b] += wab;
            let wba = w.of(*b).iter().find(|(k, _)| *k == a).map_or(0.0, |(_, v)| *v);
            s1 += (wab + wba).powi(2);
        }
    }
    // Pairs counted from both ends when both directions exist.
    s1 /= 2.0;
    let s2: f64 = (0..n).map(|a| (w.of(a).iter().map(|(_, v)| v).sum::<f64>() + col[a]).powi(2)).sum();
    let expected = -1.0 / (nf - 1.0);
    let variance_normal = (nf * nf * s1 - nf * s2 + 3.0 * s0 * s0) / ((nf * nf - 1.0) * s0 * s0) - expected * expected;
    let k = nf * z.iter().map(|v| v.powi(4)).sum::<f64>() / (den * den);
    let a = nf * ((nf * nf - 3.0 * nf + 3.0) * s1 - nf * s2 + 3.0 * s0 * s0);
    let b = k * ((nf * nf - nf) * s1 - 2.0 * nf * s2 + 6.0 * s0 * s0);
    let variance_random = (a - b) / ((nf - 1.0) * (nf - 2.0) * (nf - 3.0) * s0 * s0) - expected * expected;
    let p_permutation = (permutations > 0).then(|| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut shuffled = z.clone();
        let mut larger = 0usize;
        for _ in 0..permutations {
            shuffled.shuffle(&mut rng);
            if statistic(w, &shuffled, s0, den) >= i {
                larger += 1;
            }
        }
        let larger = larger.min(permutations - larger);
        (larger + 1) as f64 / (permutations + 1) as f64
    });
    Ok(Moran {
        i,
        expected,
        variance_normal,
        z_normal: (i - expected) / variance_normal.sqrt(),
        variance_random,
        z_random: (i - expected) / variance_random.sqrt(),
        p_permutation,
        permutations,
    })
}
