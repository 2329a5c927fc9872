//! Knox benchmark: 999 permutations on the 11,701 Chicago 2016 burglaries.
//! `cargo bench -p safetynet-analysis --bench knox`; compare with
//! `scripts/bench-knox.sh`, which times a NumPy implementation in the same run.

use safetynet_analysis::interrupt::Interrupt;
use safetynet_analysis::knox::{events_from_csv, knox, Event, Metric};
use std::time::Instant;

fn main() {
    let events: Vec<Event> = events_from_csv(include_str!("../tests/fixtures/chicago_burglary_2016.csv"));
    let d = [(0.0, 0.1), (0.1, 200.0), (200.0, 400.0), (400.0, 600.0)];
    let t = [(0.0, 7.0), (7.0, 14.0), (14.0, 21.0)];
    let perms: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(999);
    let start = Instant::now();
    let k = knox(&events, &d, &t, Metric::Euclidean, perms, 1, &Interrupt::never()).unwrap_or_else(|e| panic!("{e}"));
    let secs = start.elapsed().as_secs_f64();
    println!("knox: {} events, {perms} permutations, {secs:.3} s, observed[0] = {:?}", events.len(), k.observed[0]);
}
