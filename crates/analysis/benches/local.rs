//! Local statistics benchmark: Gi* and Local Moran's I with 999 conditional
//! permutations on a 187 x 187 grid (34,969 cells) of seeded random counts.
//! `cargo bench -p safetynet-analysis --bench local`; `scripts/bench-analysis.sh`
//! runs esda on the same counts in the same run and compares.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use safetynet_analysis::interrupt::Interrupt;
use safetynet_analysis::local::{gi_star_z, local_moran_i, local_statistics, LocalOptions};
use safetynet_analysis::weights::Weights;
use std::time::Instant;

fn main() {
    let side = 187;
    let mut rng = ChaCha8Rng::seed_from_u64(35_000);
    // Clustered counts: a smooth field plus noise, mostly zeros like crime grids.
    let y: Vec<f64> = (0..side * side)
        .map(|i| {
            let (r, c) = ((i / side) as f64, (i % side) as f64);
            let field = ((r / 17.0).sin() * (c / 23.0).cos()).max(0.0) * 6.0;
            (field + rng.gen::<f64>() * 1.5).floor()
        })
        .collect();
    if let Some(path) = std::env::args().nth(1) {
        let text: String = y.iter().map(|v| format!("{v}\n")).collect();
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    }
    let start = Instant::now();
    let w = Weights::grid_queen(side, side).unwrap_or_else(|e| panic!("{e}"));
    let r = local_statistics(&y, &w, LocalOptions { permutations: 999, seed: 1, fdr: 0.05 }, &Interrupt::never())
        .unwrap_or_else(|e| panic!("{e}"));
    let secs = start.elapsed().as_secs_f64();
    let gi = gi_star_z(&y, &w).unwrap_or_else(|e| panic!("{e}"));
    let lm = local_moran_i(&y, &w.row_standardised()).unwrap_or_else(|e| panic!("{e}"));
    println!("local: {} cells, 999 permutations, Gi* + Local Moran: {secs:.3} s", y.len());
    if let Some(path) = std::env::args().nth(2) {
        let text: String =
            gi.iter().zip(&lm).zip(&r).map(|((g, m), x)| format!("{g},{m},{},{}\n", x.gi_p, x.moran_p)).collect();
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    }
    println!(
        "check: gi_z[0..3] = {:?}, moran_i[0..3] = {:?}, hot99 = {}",
        &gi[..3],
        &lm[..3],
        r.iter().filter(|x| x.gi_p <= 0.01 && x.gi_z > 0.0).count()
    );
}
