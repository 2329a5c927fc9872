//! A mutation fuzzer for every reader of outside files: police.uk CSV, the
//! incident spreadsheet, the address gazetteer, GeoJSON boundaries and operation zones, IMD CSV, and
//! the TOML of categories, questionnaires, strategies and the configuration.
//! Each starts from real, valid files and makes seeded random mutations
//! (byte flips, insertions of syntax that matters, deletions, repeats,
//! splices); no input may panic. The run is bounded by a count, so it takes
//! seconds in CI; `SAFETYNET_FUZZ_ITERATIONS=N` runs it longer, and a
//! failing input is written to the temporary folder it names.
//!
//! (`cargo fuzz` needs a nightly toolchain, which this project does not use:
//! this is the stable-toolchain equivalent, deterministic for its seed.)

mod common;

use common::repo;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Mutations per reader (default 1,500).
fn iterations() -> usize {
    std::env::var("SAFETYNET_FUZZ_ITERATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_500)
}

const TOKENS: &[&[u8]] = &[
    b"\"",
    b",",
    b"\n",
    b"\r\n",
    b"\"\"",
    b"1e309",
    b"-1",
    b"NaN",
    b"inf",
    b"9223372036854775808",
    b"[",
    b"]",
    b"[[",
    b"]]",
    b"{",
    b"}",
    b":",
    b"=",
    b"'''",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
    b"null",
    b"true",
    b"\"coordinates\": [[[0,0]]]",
    b"\"type\": \"MultiPolygon\"",
    b"2021-13",
    b"2026-02-30T25:61:00Z",
    b"[[commitments]]",
    b"[[questions]]",
    b"weight = -5",
    b"\xe2\x80\xae",
];

fn mutate(rng: &mut StdRng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.gen_range(0..seeds.len())].clone();
    for _ in 0..rng.gen_range(1..6) {
        let at = if data.is_empty() { 0 } else { rng.gen_range(0..data.len()) };
        match rng.gen_range(0..6) {
            0 if !data.is_empty() => data[at] ^= 1 << rng.gen_range(0..8),
            1 => {
                let t = TOKENS[rng.gen_range(0..TOKENS.len())];
                data.splice(at..at, t.iter().copied());
            }
            2 if !data.is_empty() => {
                let end = (at + rng.gen_range(1..64)).min(data.len());
                data.drain(at..end);
            }
            3 if !data.is_empty() => {
                let end = (at + rng.gen_range(1..256)).min(data.len());
                let piece = data[at..end].to_vec();
                data.splice(at..at, piece);
            }
            4 => {
                let other = &seeds[rng.gen_range(0..seeds.len())];
                let from = if other.is_empty() { 0 } else { rng.gen_range(0..other.len()) };
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ => data.truncate(at),
        }
    }
    data
}

/// Runs `read` on mutations of `seeds`; panics (naming a saved copy of the
/// input) if any mutation makes it panic.
fn fuzz(name: &str, seed: u64, seeds: &[Vec<u8>], read: impl Fn(&[u8])) {
    let mut rng = StdRng::seed_from_u64(seed);
    for seed_input in seeds {
        read(seed_input);
    }
    for i in 0..iterations() {
        let input = mutate(&mut rng, seeds);
        if catch_unwind(AssertUnwindSafe(|| read(&input))).is_err() {
            let path = std::env::temp_dir().join(format!("safetynet-fuzz-{name}-{i}"));
            let _ = std::fs::write(&path, &input);
            panic!("the {name} reader panicked on mutation {i}; input saved to {}", path.display());
        }
    }
}

fn file(path: &str) -> Vec<u8> {
    std::fs::read(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn police_uk_reader_survives_any_file() {
    let seeds: Vec<Vec<u8>> = ["good-street.csv", "good-outcomes.csv", "bad-street.csv", "wrong-header.csv"]
        .iter()
        .map(|f| file(&format!("data/police-uk/fixtures/{f}")))
        .collect();
    fuzz("police-uk", 1, &seeds, |bytes| {
        if let Ok(mut r) = safetynet_domain::policeuk::PoliceUkReader::new(bytes) {
            while r.next_row().is_some() {}
        }
    });
}

#[test]
fn incident_spreadsheet_reader_survives_any_file() {
    let seeds = vec![file("data/incidents/sample.csv")];
    fuzz("incidents", 2, &seeds, |bytes| {
        if let Ok(mut rows) = safetynet::import_incidents::IncidentRows::new(bytes, "fuzz.csv") {
            while rows.next_row().is_some() {}
        }
    });
}

#[test]
fn gazetteer_reader_survives_any_file() {
    let seeds = vec![file("data/gazetteer/st-albans-sample.csv"), file("data/gazetteer/with-errors.csv")];
    fuzz("gazetteer", 9, &seeds, |bytes| {
        let _ = safetynet::import_gazetteer::read_gazetteer(bytes, "fuzz.csv");
    });
}

#[test]
fn geojson_readers_survive_any_file() {
    let boundary = file("data/boundaries/st-albans-lad.geojson");
    let zone =
        br#"{"type":"Polygon","coordinates":[[[-0.35,51.74],[-0.33,51.74],[-0.33,51.76],[-0.35,51.74]]]}"#.to_vec();
    fuzz("geojson", 3, &[boundary, zone], |bytes| {
        let text = String::from_utf8_lossy(bytes);
        let _ = safetynet_domain::areas::read_areas(&text, "lad20cd", "lad20nm");
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            if let Ok(shape) = safetynet_domain::areas::Shape::from_geojson(&v) {
                let _ = (shape.contains(-0.34, 51.75), shape.bbox(), shape.vertices());
            }
        }
    });
}

#[test]
fn imd_reader_survives_any_file() {
    let (imd, population) = (file("data/imd2019/st-albans-imd.csv"), file("data/imd2019/st-albans-population.csv"));
    let seeds = [imd.clone(), population.clone()];
    fuzz("imd", 4, &seeds, |bytes| {
        let text = String::from_utf8_lossy(bytes);
        let _ = safetynet::import_imd::read_texts(&text, &String::from_utf8_lossy(&population));
        let _ = safetynet::import_imd::read_texts(&String::from_utf8_lossy(&imd), &text);
    });
}

#[test]
fn toml_readers_survive_any_file() {
    let seeds = vec![
        file("crates/domain/categories/default.toml"),
        safetynet_domain::risk::ASB_VICTIM_V1.as_bytes().to_vec(),
        safetynet_domain::risk::DASH_V1.as_bytes().to_vec(),
        file("data/strategy/st-albans-2024-2027.toml"),
        b"database_url = \"sqlite://x.db\"\nbind = \"127.0.0.1:8080\"\n[safety.reviews]\nhigh_days = 14\n".to_vec(),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("safetynet.toml");
    fuzz("toml", 5, &seeds, |bytes| {
        let text = String::from_utf8_lossy(bytes);
        let _ = safetynet_domain::categories::parse_categories(&text);
        let _ = safetynet_domain::risk::parse_questionnaire(&text);
        let _ = safetynet_domain::strategy::parse_strategy(&text);
        if std::fs::write(&config, bytes).is_ok() {
            let _ = safetynet::config::Config::load(Some(&config));
        }
    });
}
