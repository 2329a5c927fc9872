//! Spatial statistics against PySAL esda on the Columbus data (fixture made
//! by `tests/fixtures/make_columbus.py`): statistics to 1e-9, permutation
//! p-values within Monte Carlo error.

use safetynet_analysis::interrupt::Interrupt;
use safetynet_analysis::local::{gi_star_z, local_moran_i, local_statistics, LocalOptions, Quadrant};
use safetynet_analysis::moran::moran;
use safetynet_analysis::weights::Weights;
use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/columbus.json")).expect("fixture")
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().expect("number")).collect()
}

fn data() -> (Vec<f64>, Weights) {
    let f = fixture();
    let adjacency: Vec<Vec<usize>> = f["adjacency"]
        .as_array()
        .expect("adjacency")
        .iter()
        .map(|row| row.as_array().expect("row").iter().map(|j| j.as_u64().expect("index") as usize).collect())
        .collect();
    (floats(&f["crime"]), Weights::binary(&adjacency).expect("weights"))
}

#[test]
fn global_moran_matches_esda() {
    let (y, w) = data();
    let f = fixture();
    let m = moran(&y, &w.row_standardised(), 999, 7).expect("moran");
    let r = &f["moran"];
    for (ours, key) in [
        (m.i, "I"),
        (m.expected, "EI"),
        (m.variance_normal, "VI_norm"),
        (m.z_normal, "z_norm"),
        (m.variance_random, "VI_rand"),
        (m.z_random, "z_rand"),
    ] {
        let theirs = r[key].as_f64().expect(key);
        assert!((ours - theirs).abs() < 1e-9, "{key}: {ours} vs {theirs}");
    }
    // The published values.
    assert!((m.i - 0.5001885571828611).abs() < 1e-9);
    assert!((m.z_random - 5.58938267504451).abs() < 1e-9);
    assert_eq!(m.p_permutation, Some(0.001), "as extreme as possible with 999 permutations");
}

#[test]
fn gi_star_matches_esda() {
    let (y, w) = data();
    let f = fixture();
    let ours = gi_star_z(&y, &w).expect("gi*");
    let theirs = floats(&f["gi_star_binary"]["Zs"]);
    for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert!((a - b).abs() < 1e-9, "cell {i}: {a} vs {b}");
    }
    let first: Vec<f64> = ours[..5].to_vec();
    for (a, b) in first.iter().zip([-1.432779654, -1.3400080975, -0.771998681, -0.1317333645, 1.2853627984]) {
        assert!((a - b).abs() < 1e-9);
    }
}

#[test]
fn local_moran_matches_esda_and_p_values_agree_within_monte_carlo_error() {
    let (y, w) = data();
    let f = fixture();
    let ours = local_moran_i(&y, &w.row_standardised()).expect("lisa");
    for (i, (a, b)) in ours.iter().zip(floats(&f["local_moran"]["Is"])).enumerate() {
        assert!((a - b).abs() < 1e-9, "area {i}: {a} vs {b}");
    }
    let results =
        local_statistics(&y, &w, LocalOptions { permutations: 9999, seed: 3, fdr: 0.05 }, &Interrupt::never())
            .expect("local");
    let esda_p = floats(&f["local_moran"]["p_sim"]);
    let esda_gp = floats(&f["gi_star_binary"]["p_sim"]);
    for (i, r) in results.iter().enumerate() {
        assert!((r.moran_i - ours[i]).abs() < 1e-9);
        // Two independent 9,999-permutation estimates of p differ by a few standard errors at most.
        let tol = |p: f64| 5.0 * (p * (1.0 - p) / 9999.0).sqrt() + 2e-4;
        assert!((r.moran_p - esda_p[i]).abs() <= tol(esda_p[i]), "LISA p {i}: {} vs {}", r.moran_p, esda_p[i]);
        assert!((r.gi_p - esda_gp[i]).abs() <= tol(esda_gp[i]), "Gi* p {i}: {} vs {}", r.gi_p, esda_gp[i]);
    }
    let esda_q =
        f["local_moran"]["q"].as_array().expect("q").iter().map(|q| q.as_u64().unwrap_or(0)).collect::<Vec<_>>();
    for (r, q) in results.iter().zip(esda_q) {
        let expected = match q {
            1 => Quadrant::HH,
            2 => Quadrant::LH,
            3 => Quadrant::LL,
            _ => Quadrant::HL,
        };
        assert_eq!(r.quadrant, expected);
    }
    // Same seed, same answer.
    let again = local_statistics(&y, &w, LocalOptions { permutations: 9999, seed: 3, fdr: 0.05 }, &Interrupt::never())
        .expect("local");
    assert_eq!(results, again);
}

#[test]
fn bad_input_is_an_error() {
    let w = Weights::grid_queen(2, 2).expect("grid");
    assert!(gi_star_z(&[1.0, 1.0, 1.0, 1.0], &w).is_err(), "no variation");
    assert!(moran(&[1.0, 2.0], &Weights::grid_queen(2, 1).expect("grid"), 0, 1).is_err(), "too few");
    assert!(
        local_statistics(&[1.0, 2.0, 3.0], &w, LocalOptions::default(), &Interrupt::never()).is_err(),
        "mismatched"
    );
    let islands = Weights::binary(&[vec![1], vec![0], vec![]]).expect("w");
    let r = local_statistics(
        &[1.0, 5.0, 9.0],
        &islands,
        LocalOptions { permutations: 99, ..Default::default() },
        &Interrupt::never(),
    )
    .expect("local");
    assert_eq!(r[2].gi_p, 1.0, "an island is never significant");
    assert!(r.iter().all(|x| x.gi_z.is_finite() && x.moran_i.is_finite()));
}

/// British National Grid against PROJ (fixture made by `tests/fixtures/make_bng.py`).
#[test]
fn national_grid_matches_proj() {
    let f: Value = serde_json::from_str(include_str!("fixtures/bng.json")).expect("fixture");
    for p in f["points"].as_array().expect("points") {
        let (lon, lat) = (p["lon"].as_f64().expect("lon"), p["lat"].as_f64().expect("lat"));
        let (e, n) = safetynet_analysis::bng::to_grid(lon, lat);
        let (pe, pn) = (p["easting"].as_f64().expect("e"), p["northing"].as_f64().expect("n"));
        assert!((e - pe).abs() < 0.1 && (n - pn).abs() < 0.1, "{}: ours {e} {n}, PROJ {pe} {pn}", p["name"]);
    }
}

/// National Grid back to WGS84 against PROJ (the gazetteer import's
/// conversion; the same fixture's `grid_points`): within 0.1 m, St Albans
/// Cathedral's grid point included.
#[test]
fn national_grid_to_wgs84_matches_proj() {
    let f: Value = serde_json::from_str(include_str!("fixtures/bng.json")).expect("fixture");
    let points = f["grid_points"].as_array().expect("grid points");
    assert!(points.iter().any(|p| p["name"] == "St Albans Cathedral"));
    for p in points {
        let (e, n) = (p["easting"].as_f64().expect("e"), p["northing"].as_f64().expect("n"));
        let (lon, lat) = safetynet_analysis::bng::from_grid(e, n);
        let (plon, plat) = (p["lon"].as_f64().expect("lon"), p["lat"].as_f64().expect("lat"));
        let metres = ((lat - plat) * 111_320.0).hypot((lon - plon) * 111_320.0 * plat.to_radians().cos());
        assert!(metres < 0.1, "{}: ours {lat} {lon}, PROJ {plat} {plon}: {metres} m apart", p["name"]);
    }
}

fn chicago_2016() -> Vec<safetynet_analysis::knox::Event> {
    safetynet_analysis::knox::events_from_csv(include_str!("fixtures/chicago_burglary_2016.csv"))
}

/// The Knox table of the NearRepeat repository on Chicago 2016 burglaries
/// (`tests/fixtures/chicago_burglary_2016.SOURCE.txt`), exactly.
#[test]
fn knox_table_matches_the_reference() {
    use safetynet_analysis::knox::{knox, Metric};
    let events = chicago_2016();
    assert_eq!(events.len(), 11_701);
    let d = [(0.0, 0.1), (0.1, 200.0), (200.0, 400.0), (400.0, 600.0)];
    let t = [(0.0, 7.0), (7.0, 14.0), (14.0, 21.0)];
    let k = knox(&events, &d, &t, Metric::Euclidean, 99, 2016, &Interrupt::never()).expect("knox");
    assert_eq!(
        k.observed,
        vec![vec![342, 97, 62], vec![1892, 1514, 1362], vec![4145, 3643, 3592], vec![5805, 5143, 4919]]
    );
    // Median Knox ratios as the repository reports them (random permutations: within 10%).
    for (r, expected) in [(0, [6.45, 1.98, 1.32]), (1, [1.42, 1.25, 1.14])] {
        for (c, e) in expected.iter().enumerate() {
            let got = k.ratio_median[r][c];
            assert!((got - e).abs() / e < 0.10, "row {r} col {c}: {got} vs {e}");
        }
    }
    assert!(k.p_values[0][0] <= 0.01, "same-location, same-week repeats are significant");
}

/// Kulldorff's space-time permutation scan on SaTScan's NYCfever sample
/// (`tests/fixtures/NYCfever.SOURCE.txt`): SaTScan 10.3.2's most likely cluster.
#[test]
fn space_time_scan_matches_satscan_on_nycfever() {
    use safetynet_analysis::scan::{space_time_permutation_scan, Cases, Location, ScanOptions};
    let locations: Vec<Location> = include_str!("fixtures/NYCfever.geo")
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some(Location { id: f.first()?.to_string(), lat: f.get(1)?.parse().ok()?, lon: f.get(2)?.parse().ok()? })
        })
        .collect();
    let cases: Vec<Cases> = include_str!("fixtures/NYCfever.cas")
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let id = *f.first()?;
            let location = locations.iter().position(|x| x.id == id)?;
            let day: usize = f.get(2)?.rsplit('/').next()?.parse().ok()?;
            Some(Cases { location, day: day - 1, count: f.get(1)?.parse().ok()? })
        })
        .collect();
    assert_eq!(cases.iter().map(|c| c.count).sum::<u32>(), 194);
    let opts = ScanOptions {
        days: 24,
        max_radius_km: 3.0,
        max_share: 0.5,
        max_window_days: 7,
        prospective: true,
        replications: 999,
        seed: 11,
    };
    let c =
        space_time_permutation_scan(&locations, &cases, opts, &Interrupt::never()).expect("scan").expect("a cluster");
    assert_eq!(c.locations, ["11418", "11415", "11419", "11435", "11416", "11421", "11451", "11375", "11417"]);
    assert_eq!((c.start_day + 1, c.end_day + 1), (22, 24), "2001-11-22 to 24");
    assert_eq!(c.observed, 4);
    assert!((c.expected - 0.67).abs() < 0.005, "{}", c.expected);
    assert!((c.llr - 3.845418).abs() < 1e-6, "{}", c.llr);
    assert!((c.radius_km - 2.90).abs() < 0.01, "{}", c.radius_km);
    assert!((0.15..0.32).contains(&c.p_value), "SaTScan reports about 0.22-0.24: {}", c.p_value);
}

/// Queen contiguity between polygons against libpysal on the Trafford LSOAs
/// (`tests/fixtures/make_trafford_queen.py`).
#[test]
fn polygon_queen_contiguity_matches_libpysal() {
    let geo: Value = serde_json::from_str(include_str!("fixtures/trafford_lsoa.geojson")).expect("geojson");
    let reference: Value = serde_json::from_str(include_str!("fixtures/trafford_queen.json")).expect("fixture");
    let mut codes = Vec::new();
    let mut vertices = Vec::new();
    for f in geo["features"].as_array().expect("features") {
        codes.push(f["properties"]["area_code"].as_str().expect("code").to_string());
        let mut vs = Vec::new();
        let mut walk = vec![&f["geometry"]["coordinates"]];
        while let Some(v) = walk.pop() {
            match v.as_array() {
                Some(a) if a.len() == 2 && a[0].is_number() => {
                    vs.push((a[0].as_f64().unwrap_or(0.0), a[1].as_f64().unwrap_or(0.0)))
                }
                Some(a) => walk.extend(a.iter()),
                None => {}
            }
        }
        vertices.push(vs);
    }
    let w = Weights::queen_from_vertices(&vertices).expect("weights");
    assert_eq!(w.len(), 139);
    for (i, code) in codes.iter().enumerate() {
        let mut ours: Vec<&str> = w.of(i).iter().map(|(j, _)| codes[*j].as_str()).collect();
        ours.sort_unstable();
        let theirs: Vec<&str> =
            reference["neighbours"][code].as_array().expect("code").iter().filter_map(|c| c.as_str()).collect();
        assert_eq!(ours, theirs, "{code}");
    }
}
