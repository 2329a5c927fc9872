//! Space-time scan benchmark (the size): 10,000 incidents at 200
//! locations over 365 days, 30-day prospective window, 2 km radius, 999
//! replications. `cargo bench -p safetynet-analysis --bench scan`.
//! Target: under 1 second (SaTScan 10.3 takes about 3 s on such a machine).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use safetynet_analysis::interrupt::Interrupt;
use safetynet_analysis::scan::{space_time_permutation_scan, Cases, Location, ScanOptions};
use std::time::Instant;

fn main() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let locations: Vec<Location> = (0..200)
        .map(|i| Location {
            id: format!("L{i}"),
            lat: 51.70 + rng.gen::<f64>() * 0.10,
            lon: -0.40 + rng.gen::<f64>() * 0.15,
        })
        .collect();
    let cases: Vec<Cases> =
        (0..10_000).map(|_| Cases { location: rng.gen_range(0..200), day: rng.gen_range(0..365), count: 1 }).collect();
    let opts = ScanOptions {
        days: 365,
        max_radius_km: 2.0,
        max_share: 0.5,
        max_window_days: 30,
        prospective: true,
        replications: 999,
        seed: 1,
    };
    let start = Instant::now();
    let c =
        space_time_permutation_scan(&locations, &cases, opts, &Interrupt::never()).unwrap_or_else(|e| panic!("{e}"));
    let secs = start.elapsed().as_secs_f64();
    println!("scan: 10000 incidents, 200 locations, 365 days, 30-day window, 999 replications: {secs:.3} s (target < 1 s: {})", if secs < 1.0 { "PASS" } else { "FAIL" });
    if let Some(c) = c {
        println!(
            "most likely cluster: {} locations, observed {}, expected {:.2}, LLR {:.3}, p {:.3}",
            c.locations.len(),
            c.observed,
            c.expected,
            c.llr,
            c.p_value
        );
    }
}
