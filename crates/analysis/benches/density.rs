//! Density benchmark: quartic kernel density of 50,000 seeded points on a
//! 400 x 400 grid. `cargo bench -p safetynet-analysis --bench density`;
//! `scripts/bench-analysis.sh` compares with scikit-learn in the same run.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use safetynet_analysis::density::quartic_density;
use safetynet_analysis::interrupt::Interrupt;
use std::time::Instant;

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(50_000);
    // 50,000 points in a 20 km square, clustered around a few centres.
    let centres = [(5_000.0, 5_000.0), (14_000.0, 8_000.0), (9_000.0, 15_000.0)];
    let pts: Vec<(f64, f64)> = (0..50_000)
        .map(|i| {
            let (cx, cy) = centres[i % 3];
            (500_000.0 + cx + (rng.gen::<f64>() - 0.5) * 9_000.0, 200_000.0 + cy + (rng.gen::<f64>() - 0.5) * 9_000.0)
        })
        .collect();
    if let Some(path) = std::env::args().nth(1) {
        let text: String = pts.iter().map(|(x, y)| format!("{x},{y}\n")).collect();
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    }
    // 400 x 400 cells of 50 m over 20 km (the surface adds a bandwidth margin).
    let start = Instant::now();
    let s = quartic_density(&pts, 50.0, 250.0, &Interrupt::never()).unwrap_or_else(|e| panic!("{e}"));
    let secs = start.elapsed().as_secs_f64();
    println!("density: 50000 points, {} x {} cells, bandwidth 250 m: {secs:.3} s", s.cols, s.rows);
}
