//! Emerging clusters: Kulldorff's space-time permutation scan statistic
//! (Kulldorff et al. 2005), as SaTScan computes it for high rates.
//!
//! Cases are counted by location and day. The expected count of a cylinder
//! (a circle of locations around a centre, over a run of days) is
//! μ = Σ_z C_z · Σ_d C_d / C, so no population is needed; the log likelihood
//! ratio for n > μ is n ln(n/μ) + (C − n) ln((C − n)/(C − μ)). Circles are
//! centred on each location and grow by nearest neighbours up to the maximum
//! radius; in a prospective analysis every time window ends on the last day.
//! Significance: permute the case dates over the fixed locations and rank
//! the observed maximum among the simulated maxima.
//!
//! Limits, checked before the work starts: at most [`MAX_MATRIX`]
//! location-days, [`MAX_CASES`] cases, [`MAX_WINDOWS`] time windows,
//! [`MAX_CIRCLE_MEMBERS`] circle members
//! and [`MAX_CYLINDERS`] cylinders per replication (a retrospective scan
//! tests every start day, so a long window over a long study multiplies
//! quickly). The circle, window and replication loops check an
//! [`Interrupt`].

use crate::interrupt::Interrupt;
use crate::AnalysisError;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Earth radius SaTScan uses for latitude/longitude data (km).
pub const EARTH_RADIUS_KM: f64 = 6367.0;
/// Most cells in the case matrix (locations times days, 4 bytes each; each
/// replication stream keeps two more).
pub const MAX_MATRIX: usize = 2_000_000;
/// Most time windows (16 bytes each, plus a count per window).
pub const MAX_WINDOWS: usize = 2_000_000;
/// Most cases (each is permuted in every replication).
pub const MAX_CASES: usize = 1_000_000;
/// Most circle members summed over every centre.
pub const MAX_CIRCLE_MEMBERS: usize = 4_000_000;
/// Most cylinders (circle members times time windows) tested per replication.
pub const MAX_CYLINDERS: usize = 20_000_000;

/// A location with its coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// Identifier (e.g. a post code).
    pub id: String,
    /// Latitude.
    pub lat: f64,
    /// Longitude.
    pub lon: f64,
}

/// Cases at one location on one day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cases {
    /// Index into the locations.
    pub location: usize,
    /// Day index from the start of the study (0-based).
    pub day: usize,
    /// Number of cases.
    pub count: u32,
}

/// Scan options.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// Days in the study period.
    pub days: usize,
    /// Largest circle radius (km).
    pub max_radius_km: f64,
    /// Largest circle as a share of all cases (SaTScan's maximum spatial
    /// cluster size for this model; its default is 0.5).
    pub max_share: f64,
    /// Longest time window (days).
    pub max_window_days: usize,
    /// Windows must end on the last day (prospective surveillance).
    pub prospective: bool,
    /// Monte Carlo replications (e.g. 999).
    pub replications: usize,
    /// Seed.
    pub seed: u64,
}

/// A detected cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    /// Locations in the circle, nearest first (the first is the centre).
    pub locations: Vec<String>,
    /// Centre latitude.
    pub centre_lat: f64,
    /// Centre longitude.
    pub centre_lon: f64,
    /// Radius (km): distance to the farthest included location.
    pub radius_km: f64,
    /// First day (index).
    pub start_day: usize,
    /// Last day (index).
    pub end_day: usize,
    /// Observed cases.
    pub observed: u32,
    /// Expected cases.
    pub expected: f64,
    /// Log likelihood ratio.
    pub llr: f64,
    /// Monte Carlo p-value.
    pub p_value: f64,
    /// Recurrence interval in days for a daily prospective analysis (1 / p);
    /// not defined for a retrospective analysis.
    pub recurrence_interval_days: Option<f64>,
}

/// A cluster's circle of `radius_km` around (longitude, latitude) as a
/// closed WGS84 ring of 65 points (at least 10 m across), for maps.
pub fn circle_ring(lon: f64, lat: f64, radius_km: f64) -> Vec<(f64, f64)> {
    let d = radius_km.max(0.01) / EARTH_RADIUS_KM;
    (0..=64)
        .map(|i| {
            let a = f64::from(i) / 64.0 * std::f64::consts::TAU;
            (lon + (d * a.sin() / lat.to_radians().cos()).to_degrees(), lat + (d * a.cos()).to_degrees())
        })
        .collect()
}

fn chord_km(a: &Location, b: &Location) -> f64 {
    let xyz = |l: &Location| {
        let (la, lo) = (l.lat.to_radians(), l.lon.to_radians());
        [la.cos() * lo.cos(), la.cos() * lo.sin(), la.sin()]
    };
    let (p, q) = (xyz(a), xyz(b));
    EARTH_RADIUS_KM * ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
}

fn llr(n: f64, mu: f64, total: f64) -> f64 {
    if n <= mu || mu <= 0.0 {
        return 0.0;
    }
    let rest = if total - n > 0.0 { (total - n) * ((total - n) / (total - mu)).ln() } else { 0.0 };
    n * (n / mu).ln() + rest
}

struct Circle {
    members: Vec<usize>,
}

/// The best cylinder for a case matrix `c[z][d]`: (llr, circle index, members used, start, end).
/// Per-zone running totals make every window's count O(1).
#[allow(clippy::too_many_arguments)]
fn best(
    c: &[Vec<u32>],
    circles: &[Circle],
    windows: &[(usize, usize)],
    zone_totals: &[f64],
    day_prefix: &[f64],
    total: f64,
    cum: &mut [Vec<u32>],
    interrupt: &Interrupt,
) -> Result<(f64, usize, usize, usize, usize), AnalysisError> {
    for (row, out) in c.iter().zip(cum.iter_mut()) {
        let mut acc = 0;
        out[0] = 0;
        for (d, v) in row.iter().enumerate() {
            acc += v;
            out[d + 1] = acc;
        }
    }
    let mut top = (0.0, 0, 0, 0, 0);
    let mut counts = vec![0u32; windows.len()];
    for (ci, circle) in circles.iter().enumerate() {
        interrupt.check()?;
        counts.iter_mut().for_each(|x| *x = 0);
        let mut zone_c = 0.0;
        for (k, &z) in circle.members.iter().enumerate() {
            zone_c += zone_totals[z];
            let row = &cum[z];
            for (w, (s, e)) in windows.iter().enumerate() {
                counts[w] += row[e + 1] - row[*s];
                let n = f64::from(counts[w]);
                let mu = zone_c * (day_prefix[e + 1] - day_prefix[*s]) / total;
                if n > mu {
                    let l = llr(n, mu, total);
                    if l > top.0 {
                        top = (l, ci, k + 1, *s, *e);
                    }
                }
            }
        }
    }
    Ok(top)
}

/// How many (start, end) windows the options give.
fn window_count(opts: &ScanOptions) -> usize {
    let w = opts.max_window_days.min(opts.days);
    if opts.prospective {
        w
    } else {
        // Every start day with every length up to w, shorter near the end.
        w.saturating_mul(opts.days).saturating_sub(w.saturating_mul(w.saturating_sub(1)) / 2)
    }
}

/// A study ready to scan: the case matrix, the circles and the time
/// windows, checked against the limits. [`Study::observed`] finds the most
/// likely cylinder; [`Study::significance`] runs the replications. The time
/// one observed pass takes, times the replications, is the scan's cost.
pub struct Study<'a> {
    locations: &'a [Location],
    opts: ScanOptions,
    c: Vec<Vec<u32>>,
    case_locations: Vec<usize>,
    case_days: Vec<usize>,
    zone_totals: Vec<f64>,
    day_totals: Vec<f64>,
    day_prefix: Vec<f64>,
    total: f64,
    circles: Vec<Circle>,
    windows: Vec<(usize, usize)>,
}

/// The most likely cylinder of the observed cases, before its p-value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    llr: f64,
    circle: usize,
    members: usize,
    start: usize,
    end: usize,
}

impl<'a> Study<'a> {
    /// Checks the options and the limits and builds the study (returns
    /// [`AnalysisError::Interrupted`] once `interrupt` is raised).
    pub fn new(
        locations: &'a [Location],
        cases: &[Cases],
        opts: ScanOptions,
        interrupt: &Interrupt,
    ) -> Result<Self, AnalysisError> {
        if locations.is_empty() || cases.is_empty() {
            return Err(AnalysisError::Empty);
        }
        if opts.days == 0 || opts.max_window_days == 0 || !(opts.max_radius_km > 0.0 && opts.max_radius_km.is_finite())
        {
            return Err(AnalysisError::Invalid(
                "the study needs at least one day, a window of at least one day and a positive radius".into(),
            ));
        }
        if !(opts.max_share > 0.0 && opts.max_share <= 0.5) {
            return Err(AnalysisError::Invalid(
                "the largest circle must be above 0 and at most half of the cases".into(),
            ));
        }
        if let Some(bad) = cases.iter().find(|c| c.location >= locations.len() || c.day >= opts.days) {
            return Err(AnalysisError::Invalid(format!(
                "a case is outside the study (location {}, day {})",
                bad.location, bad.day
            )));
        }
        let nz = locations.len();
        if nz.saturating_mul(opts.days) > MAX_MATRIX {
            return Err(AnalysisError::TooLarge(format!(
                "{nz} locations over {} days is more than {MAX_MATRIX} location-days: narrow the dates or the category",
                opts.days
            )));
        }
        let total: f64 = cases.iter().map(|x| f64::from(x.count)).sum();
        if total > MAX_CASES as f64 {
            return Err(AnalysisError::TooLarge(format!(
                "more than {MAX_CASES} cases: narrow the dates or the category"
            )));
        }
        if total < 2.0 {
            return Err(AnalysisError::TooFew { what: "incidents", needed: 2, found: total as usize });
        }
        let window_count = window_count(&opts);
        if window_count > MAX_WINDOWS {
            return Err(AnalysisError::TooLarge(format!(
                "{window_count} time windows is more than {MAX_WINDOWS}: use a shorter window or fewer days"
            )));
        }
        // Every circle holds at most its centre's neighbours.
        if window_count.saturating_mul(nz) > MAX_CYLINDERS {
            return Err(too_many_cylinders(window_count.saturating_mul(nz)));
        }
        let mut c = vec![vec![0u32; opts.days]; nz];
        let (mut case_locations, mut case_days) = (Vec::new(), Vec::new());
        for x in cases {
            c[x.location][x.day] = c[x.location][x.day].saturating_add(x.count);
            for _ in 0..x.count {
                case_locations.push(x.location);
                case_days.push(x.day);
            }
        }
        let zone_totals: Vec<f64> = c.iter().map(|row| row.iter().map(|v| f64::from(*v)).sum()).collect();
        let day_totals: Vec<f64> = (0..opts.days).map(|d| c.iter().map(|row| f64::from(row[d])).sum()).collect();
        let mut circles: Vec<Circle> = Vec::with_capacity(nz);
        let mut members = 0usize;
        for centre in 0..nz {
            interrupt.check()?;
            let mut near: Vec<(f64, usize)> = (0..nz)
                .map(|z| (chord_km(&locations[centre], &locations[z]), z))
                .filter(|(d, _)| *d <= opts.max_radius_km)
                .collect();
            near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            // Grow by nearest neighbours while the circle holds at most the
            // largest share of the cases.
            let cap = opts.max_share * total;
            let mut held = 0.0;
            let within: Vec<usize> = near
                .into_iter()
                .map(|(_, z)| z)
                .take_while(|z| {
                    held += zone_totals[*z];
                    held <= cap
                })
                .collect();
            members += within.len();
            if members > MAX_CIRCLE_MEMBERS || members.saturating_mul(window_count) > MAX_CYLINDERS {
                return Err(too_many_cylinders(members.saturating_mul(window_count)));
            }
            circles.push(Circle { members: within });
        }
        let windows: Vec<(usize, usize)> = if opts.prospective {
            (1..=opts.max_window_days.min(opts.days)).map(|len| (opts.days - len, opts.days - 1)).collect()
        } else {
            (0..opts.days)
                .flat_map(|s| (s..opts.days.min(s.saturating_add(opts.max_window_days))).map(move |e| (s, e)))
                .collect()
        };
        let day_prefix: Vec<f64> = std::iter::once(0.0)
            .chain(day_totals.iter().scan(0.0, |acc, d| {
                *acc += d;
                Some(*acc)
            }))
            .collect();
        Ok(Self {
            locations,
            opts,
            c,
            case_locations,
            case_days,
            zone_totals,
            day_totals,
            day_prefix,
            total,
            circles,
            windows,
        })
    }

    /// The best cylinder of the case matrix `c` over the study's circles and
    /// windows (`cum` is scratch space).
    #[allow(clippy::type_complexity)]
    fn best(
        &self,
        c: &[Vec<u32>],
        cum: &mut [Vec<u32>],
        interrupt: &Interrupt,
    ) -> Result<(f64, usize, usize, usize, usize), AnalysisError> {
        best(c, &self.circles, &self.windows, &self.zone_totals, &self.day_prefix, self.total, cum, interrupt)
    }

    /// Cylinders (circle members times time windows) each pass tests.
    pub fn cylinders_per_pass(&self) -> usize {
        self.circles.iter().map(|c| c.members.len()).sum::<usize>().saturating_mul(self.windows.len())
    }

    /// Threads the replications run on.
    pub fn threads() -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, STREAMS)
    }

    /// The most likely cylinder of the observed cases (None when no
    /// cylinder has more cases than expected).
    pub fn observed(&self, interrupt: &Interrupt) -> Result<Option<Observed>, AnalysisError> {
        let mut cum = vec![vec![0u32; self.opts.days + 1]; self.c.len()];
        let (llr, circle, members, start, end) = self.best(&self.c, &mut cum, interrupt)?;
        Ok((llr > 0.0).then_some(Observed { llr, circle, members, start, end }))
    }

    /// The cluster of `observed` with its Monte Carlo p-value: the same
    /// cases with their dates shuffled over them. Replications run in a
    /// fixed number of seeded streams (so the answer does not depend on the
    /// machine's core count), spread over the available cores.
    pub fn significance(&self, observed: Observed, interrupt: &Interrupt) -> Result<Cluster, AnalysisError> {
        let opts = self.opts;
        let nz = self.c.len();
        let threads = Self::threads();
        let run_stream = |stream: usize| -> Result<usize, AnalysisError> {
            let reps = opts.replications / STREAMS + usize::from(stream < opts.replications % STREAMS);
            let mut rng =
                ChaCha8Rng::seed_from_u64(opts.seed.wrapping_add(stream as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut shuffled = self.case_days.clone();
            let mut sim = vec![vec![0u32; opts.days]; nz];
            let mut cum = vec![vec![0u32; opts.days + 1]; nz];
            let mut beaten = 0;
            for _ in 0..reps {
                interrupt.check()?;
                shuffled.shuffle(&mut rng);
                sim.iter_mut().for_each(|row| row.iter_mut().for_each(|v| *v = 0));
                for (z, d) in self.case_locations.iter().zip(&shuffled) {
                    sim[*z][*d] += 1;
                }
                let top = self.best(&sim, &mut cum, interrupt)?;
                if top.0 >= observed.llr {
                    beaten += 1;
                }
            }
            Ok(beaten)
        };
        let beaten: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let run = &run_stream;
                    scope.spawn(move || (t..STREAMS).step_by(threads).map(run).sum::<Result<usize, AnalysisError>>())
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| Err(AnalysisError::Invalid("a worker thread failed".into()))))
                .sum::<Result<usize, AnalysisError>>()
        })?;
        let p_value = (beaten + 1) as f64 / (opts.replications + 1) as f64;
        let Observed { llr, circle, members, start: s, end: e } = observed;
        let members = &self.circles[circle].members[..members];
        let centre = &self.locations[members[0]];
        let count: u32 = members.iter().map(|z| self.c[*z][s..=e].iter().sum::<u32>()).sum();
        let zone_c: f64 = members.iter().map(|z| self.zone_totals[*z]).sum();
        let expected = zone_c * self.day_totals[s..=e].iter().sum::<f64>() / self.total;
        Ok(Cluster {
            locations: members.iter().map(|z| self.locations[*z].id.clone()).collect(),
            centre_lat: centre.lat,
            centre_lon: centre.lon,
            radius_km: members.iter().map(|z| chord_km(centre, &self.locations[*z])).fold(0.0, f64::max),
            start_day: s,
            end_day: e,
            observed: count,
            expected,
            llr,
            p_value,
            recurrence_interval_days: opts.prospective.then(|| 1.0 / p_value),
        })
    }
}

/// Replication streams (fixed, so answers do not depend on the core count).
const STREAMS: usize = 8;

/// Runs the scan and returns the most likely cluster (None when no cylinder
/// has more cases than expected). Returns [`AnalysisError::Interrupted`] once
/// `interrupt` is raised.
pub fn space_time_permutation_scan(
    locations: &[Location],
    cases: &[Cases],
    opts: ScanOptions,
    interrupt: &Interrupt,
) -> Result<Option<Cluster>, AnalysisError> {
    let study = Study::new(locations, cases, opts, interrupt)?;
    match study.observed(interrupt)? {
        Some(observed) => study.significance(observed, interrupt).map(Some),
        None => Ok(None),
    }
}

fn too_many_cylinders(n: usize) -> AnalysisError {
    AnalysisError::TooLarge(format!(
        "the scan would test {n} or more cylinders per replication, more than {MAX_CYLINDERS}: \
         use a shorter window, a smaller radius or fewer days (a prospective scan tests far fewer)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn study(n: usize) -> (Vec<Location>, Vec<Cases>) {
        let locations: Vec<Location> =
            (0..n).map(|i| Location { id: format!("L{i}"), lat: 51.75 + i as f64 * 0.001, lon: -0.34 }).collect();
        let cases = (0..n * 3).map(|i| Cases { location: i % n, day: (i * 7) % 30, count: 1 }).collect();
        (locations, cases)
    }

    fn opts(days: usize, window: usize, prospective: bool) -> ScanOptions {
        ScanOptions {
            days,
            max_radius_km: 1.0,
            max_share: 0.5,
            max_window_days: window,
            prospective,
            replications: 99,
            seed: 1,
        }
    }

    #[test]
    fn a_circle_ring_is_closed_and_its_radius_is_the_clusters() {
        let ring = circle_ring(-0.34, 51.75, 2.0);
        assert_eq!(ring.len(), 65);
        assert_eq!(ring.first(), ring.last());
        let centre = Location { id: "c".into(), lat: 51.75, lon: -0.34 };
        for (lon, lat) in ring {
            let d = chord_km(&centre, &Location { id: "p".into(), lat, lon });
            assert!((d - 2.0).abs() < 0.01, "{d}");
        }
    }

    #[test]
    fn window_counts_match_the_windows_built() {
        for (days, w, p) in [(30, 7, true), (30, 7, false), (5, 9, false), (5, 9, true), (1, 1, false)] {
            let o = opts(days, w, p);
            let built = if p { w.min(days) } else { (0..days).map(|s| (s..days.min(s + w)).count()).sum::<usize>() };
            assert_eq!(window_count(&o), built, "{days} days, window {w}, prospective {p}");
        }
    }

    #[test]
    fn a_retrospective_scan_with_a_huge_window_is_refused_not_run() {
        let (locations, cases) = study(7);
        let never = Interrupt::never();
        let mut o = opts(3_660, usize::MAX, false);
        o.replications = 9_999;
        let cases: Vec<Cases> = cases.into_iter().map(|c| Cases { day: c.day * 100, ..c }).collect();
        let r = space_time_permutation_scan(&locations, &cases, o, &never);
        assert!(matches!(r, Err(AnalysisError::TooLarge(ref m)) if m.contains("time windows")), "{r:?}");
        // 300-day windows from every start day: about a million windows, each
        // tested with 49 circle members (all seven locations are within 1 km).
        o.max_window_days = 300;
        let r = space_time_permutation_scan(&locations, &cases, o, &never);
        assert!(matches!(r, Err(AnalysisError::TooLarge(ref m)) if m.contains("cylinders")), "{r:?}");
        o.prospective = true;
        assert!(space_time_permutation_scan(&locations, &cases, o, &never).is_ok(), "prospective: 300 windows");
        let mut nan = opts(30, 7, true);
        nan.max_radius_km = f64::NAN;
        assert!(matches!(space_time_permutation_scan(&locations, &cases, nan, &never), Err(AnalysisError::Invalid(_))));
    }

    #[test]
    fn no_circle_holds_more_than_the_largest_share_of_cases() {
        // 20 places 111 m apart with 3 of the 60 cases each: every circle of
        // 1 km could hold them all.
        let (locations, cases) = study(20);
        let never = Interrupt::never();
        for (share, most) in [(0.05, 1), (0.1, 2), (0.5, 10)] {
            let o = ScanOptions { max_share: share, ..opts(30, 7, false) };
            let c = space_time_permutation_scan(&locations, &cases, o, &never).expect("scan").expect("a cluster");
            assert!(c.locations.len() <= most, "share {share}: {} places", c.locations.len());
        }
        for bad in [0.0, 0.51, f64::NAN] {
            let o = ScanOptions { max_share: bad, ..opts(30, 7, false) };
            assert!(matches!(
                space_time_permutation_scan(&locations, &cases, o, &never),
                Err(AnalysisError::Invalid(_))
            ));
        }
    }

    #[test]
    fn a_raised_interrupt_stops_the_scan_and_a_lowered_one_changes_nothing() {
        let (locations, cases) = study(20);
        let first = space_time_permutation_scan(&locations, &cases, opts(30, 7, false), &Interrupt::never());
        let stop = Interrupt::new();
        let again = space_time_permutation_scan(&locations, &cases, opts(30, 7, false), &stop);
        assert_eq!(first, again);
        stop.raise();
        let stopped = space_time_permutation_scan(&locations, &cases, opts(30, 7, false), &stop);
        assert_eq!(stopped, Err(AnalysisError::Interrupted));
    }
}
