//! Analyses of an agency's incidents (personal records: the caller's
//! permit to view records decides which incidents count, and reading them
//! is audited): near repeats (Knox), the most likely space-time cluster
//! (the permutation scan), and weekly trends by category.

use super::limits::{self, count_in, number_in};
use super::output::{self, Format, Output};
use super::Analyst;
use crate::{Error, Params};
use chrono::NaiveDate;
use safetynet_analysis::knox::{Knox, Metric};
use safetynet_analysis::scan::Cluster;
use safetynet_analysis::AnalysisError;
use safetynet_domain::policy::{Permit, ViewRecords};
use safetynet_domain::uk_time::{london_date, london_midnight};
use safetynet_store::users::Actor;
use std::collections::BTreeMap;

/// A study period of whole UK days, `from` to `to` inclusive, at most
/// [`limits::MAX_STUDY_DAYS`] long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StudyPeriod {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

impl StudyPeriod {
    /// The period from the `from` and `to` options (dates like 2026-01-31).
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        let date = |name: &str| {
            NaiveDate::parse_from_str(p.required(name)?, "%Y-%m-%d")
                .map_err(|_| Error::Invalid("from and to must be dates like 2026-01-31".into()))
        };
        let (from, to) = (date("from")?, date("to")?);
        if from > to {
            return Err(Error::Invalid("from must not be after to".into()));
        }
        let period = Self { from, to };
        if period.days() > limits::MAX_STUDY_DAYS {
            return Err(Error::Invalid(format!("the study period must be 1 to {} days", limits::MAX_STUDY_DAYS)));
        }
        Ok(period)
    }

    /// Days in the period.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The period as Unix milliseconds, from its first UK midnight to the
    /// one after its last day.
    fn millis(&self) -> (i64, i64) {
        let after = self.to.succ_opt().unwrap_or(self.to);
        (london_midnight(self.from).timestamp_millis(), london_midnight(after).timestamp_millis())
    }
}

/// The `category` option: an incident category code, or all.
fn category(p: &Params) -> Result<Option<String>, Error> {
    p.short_text("category", 100)
}

/// Parses "0-0.1,0.1-200,200-400" into `name` bands: at most
/// [`limits::MAX_BANDS`], each from a lower to a higher finite non-negative
/// number up to `max`, in order without overlapping.
pub fn parse_bands(s: &str, name: &str, max: f64, unit: &str) -> Result<Vec<(f64, f64)>, Error> {
    let bad = |m: String| Error::Invalid(format!("{name}_bands: {m}"));
    let parts: Vec<&str> = s.split(',').collect();
    if parts.len() > limits::MAX_BANDS {
        return Err(bad(format!("at most {} bands", limits::MAX_BANDS)));
    }
    let mut bands: Vec<(f64, f64)> = Vec::with_capacity(parts.len());
    for b in parts {
        let (lo, hi) = b.split_once('-').ok_or_else(|| bad(format!("band '{b}' must look like 0-200")))?;
        let num = |v: &str| v.trim().parse::<f64>().map_err(|_| bad(format!("'{v}' is not a number")));
        let (lo, hi) = (num(lo)?, num(hi)?);
        if !(lo.is_finite() && hi.is_finite() && 0.0 <= lo && lo <= hi && hi <= max) {
            return Err(bad(format!("band {lo}-{hi} must run from a lower to a higher number, 0 to {max}{unit}")));
        }
        if bands.last().is_some_and(|(_, prev)| lo < *prev) {
            return Err(bad("bands must be in order and must not overlap".into()));
        }
        bands.push((lo, hi));
    }
    Ok(bands)
}

/// Near repeats: `from`, `to`, `category`, `distance_bands` (m),
/// `time_bands` (days), `metric` (`euclidean` or `manhattan`),
/// `permutations`, `seed`.
#[derive(Debug, Clone)]
pub struct NearRepeatRequest {
    /// The study period.
    pub period: StudyPeriod,
    /// Incident category (all if none).
    pub category: Option<String>,
    /// Distance bands (m).
    pub distance_bands: Vec<(f64, f64)>,
    /// Time bands (days).
    pub time_bands: Vec<(f64, f64)>,
    /// Distance measure.
    pub metric: Metric,
    /// Monte Carlo permutations.
    pub permutations: usize,
    /// Seed.
    pub seed: u64,
}

impl NearRepeatRequest {
    /// The request from options.
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        let period = StudyPeriod::from_params(p)?;
        let distance_bands = parse_bands(
            p.text("distance_bands").unwrap_or("0-0.1,0.1-200,200-400,400-600"),
            "distance",
            limits::MAX_DISTANCE_BAND_M,
            " metres",
        )?;
        let time_bands =
            parse_bands(p.text("time_bands").unwrap_or("0-7,7-14,14-21"), "time", limits::MAX_TIME_BAND_DAYS, " days")?;
        let metric = match p.text("metric").unwrap_or("euclidean") {
            "euclidean" => Metric::Euclidean,
            "manhattan" => Metric::Manhattan,
            _ => return Err(Error::Invalid("metric must be euclidean or manhattan".into())),
        };
        Ok(Self {
            period,
            category: category(p)?,
            distance_bands,
            time_bands,
            metric,
            permutations: count_in(p, "permutations", 99, &limits::PERMUTATIONS)?,
            seed: p.seed("seed", 1)?,
        })
    }
}

/// How every incident analysis counts days, stated in each result.
pub const DAY_CONVENTION: &str =
    "days are UK local dates (Europe/London): an incident at 00:30 BST is on that date, not the day before";

/// The UK local date of an incident reported at `ms` (Unix ms), as a day
/// number from `from` (day 0). Near repeats and the scan both count days
/// this way, so that an incident just after midnight in summer time is on
/// the same day in both.
pub fn uk_day(ms: i64, from: NaiveDate) -> i64 {
    chrono::DateTime::from_timestamp_millis(ms).map_or(0, |t| (london_date(t) - from).num_days())
}

/// The Knox table of the incidents in the period.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NearRepeat {
    /// Incidents analysed.
    pub events: usize,
    /// How an incident's day is counted: [`DAY_CONVENTION`].
    pub day_convention: &'static str,
    /// How band edges are read.
    pub band_convention: &'static str,
    /// The table.
    pub knox: Knox,
}

/// Most near-repeat pairs drawn on a map.
pub const MAX_MAP_PAIRS: usize = 2_000;

/// One near-repeat pair on the map.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MapPair {
    /// The earlier incident (longitude, latitude).
    pub from: [f64; 2],
    /// The later incident.
    pub to: [f64; 2],
    /// Its UK local date.
    pub from_date: NaiveDate,
    /// The later incident's date.
    pub to_date: NaiveDate,
    /// Metres apart.
    pub distance_m: f64,
    /// Days apart.
    pub days: i64,
}

/// The near-repeat pairs of a study, for maps.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NearRepeatPairs {
    /// Incidents analysed.
    pub events: usize,
    /// The distance band the pairs are within (m).
    pub distance_band: (f64, f64),
    /// The time band they are within (days).
    pub time_band: (f64, f64),
    /// The pairs, closest in time then space first.
    pub pairs: Vec<MapPair>,
    /// More pairs than [`MAX_MAP_PAIRS`] were found; the rest are left out.
    pub truncated: bool,
}

/// Space-time permutation scan: `from`, `to`, `category`, `max_radius_km`,
/// `max_share`, `max_window_days`, `prospective` (default true),
/// `replications`, `seed`.
#[derive(Debug, Clone)]
pub struct ScanRequest {
    /// The study period.
    pub period: StudyPeriod,
    /// Incident category (all if none).
    pub category: Option<String>,
    /// Largest circle (km).
    pub max_radius_km: f64,
    /// Largest circle as a share of the incidents.
    pub max_share: f64,
    /// Longest window (days).
    pub max_window_days: usize,
    /// Only windows ending on the last day (surveillance).
    pub prospective: bool,
    /// Monte Carlo replications.
    pub replications: usize,
    /// Seed.
    pub seed: u64,
}

impl ScanRequest {
    /// The request from options.
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        Ok(Self {
            period: StudyPeriod::from_params(p)?,
            category: category(p)?,
            max_radius_km: number_in(p, "max_radius_km", 1.0, &limits::SCAN_RADIUS_KM, " km")?,
            max_share: number_in(p, "max_share", 0.5, &limits::SCAN_SHARE, "")?,
            max_window_days: count_in(p, "max_window_days", 7, &limits::SCAN_WINDOW_DAYS)?,
            prospective: p.flag("prospective", true)?,
            replications: count_in(p, "replications", 999, &limits::REPLICATIONS)?,
            seed: p.seed("seed", 1)?,
        })
    }
}

/// A cluster with its first and last days as dates.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DatedCluster {
    /// The cluster.
    #[serde(flatten)]
    pub cluster: Cluster,
    /// Its first day.
    pub start_date: NaiveDate,
    /// Its last day.
    pub end_date: NaiveDate,
    /// Its places (longitude, latitude), nearest the centre first.
    pub places: Vec<[f64; 2]>,
}

/// The scan's answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Scan {
    /// Incidents analysed.
    pub incidents: usize,
    /// How an incident's day is counted: [`DAY_CONVENTION`].
    pub day_convention: &'static str,
    /// Monte Carlo replications behind the p-value (its smallest possible
    /// value is 1 / (replications + 1)).
    pub replications: usize,
    /// Cylinders (circle members times time windows) tested on the data
    /// and again in each replication: the scan's cost.
    pub cylinders_per_pass: usize,
    /// The most likely cluster, if any.
    pub most_likely_cluster: Option<DatedCluster>,
}

/// Weekly incident trends: `weeks` of history (default 104), `all`.
#[derive(Debug, Clone, Copy)]
pub struct IncidentTrendsRequest {
    /// Weeks of history, the latest being the current week.
    pub weeks: i64,
    /// Alerts for every week, not only the latest.
    pub all: bool,
}

impl IncidentTrendsRequest {
    /// The request from options.
    pub fn from_params(p: &Params) -> Result<Self, Error> {
        let weeks = p.integer("weeks", 104)?;
        if !limits::INCIDENT_TREND_WEEKS.contains(&weeks) {
            return Err(Error::Invalid(format!(
                "weeks must be from {} to {}",
                limits::INCIDENT_TREND_WEEKS.start(),
                limits::INCIDENT_TREND_WEEKS.end()
            )));
        }
        Ok(Self { weeks, all: p.flag("all", false)? })
    }
}

/// One category's alert in a week.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WeeklyAlert {
    /// Category code.
    pub category: String,
    /// The Monday the week starts.
    pub week_starting: NaiveDate,
    /// The alert.
    pub alert: safetynet_analysis::trends::Alert,
}

/// Weekly counts by category and their alerts.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IncidentTrends {
    /// The Monday the first week starts.
    pub first_week_starting: NaiveDate,
    /// Weeks counted.
    pub weeks: i64,
    /// Counts per week, by category.
    pub counts: BTreeMap<String, Vec<f64>>,
    /// The alerts.
    pub alerts: Vec<WeeklyAlert>,
}

impl Analyst {
    /// Incident positions and times in `period` the permit may see (audited
    /// as a read by `actor`).
    async fn points(
        &self,
        permit: &Permit<ViewRecords>,
        period: &StudyPeriod,
        category: Option<&str>,
        actor: &Actor<'_>,
    ) -> Result<Vec<(f64, f64, i64)>, Error> {
        let (start, end) = period.millis();
        Ok(self.store().incident_points(permit, start, end, category, actor).await?)
    }

    /// The Knox near-repeat table of the incidents the permit may see.
    pub async fn near_repeat(
        &self,
        permit: &Permit<ViewRecords>,
        req: &NearRepeatRequest,
        actor: &Actor<'_>,
    ) -> Result<NearRepeat, Error> {
        use safetynet_analysis::knox::knox;
        let points = self.points(permit, &req.period, req.category.as_deref(), actor).await?;
        let events = self.events(&points, req.period.from);
        let r = req.clone();
        let table = self
            .budgeted(move |interrupt| {
                knox(&events, &r.distance_bands, &r.time_bands, r.metric, r.permutations, r.seed, interrupt)
            })
            .await?;
        Ok(NearRepeat {
            events: points.len(),
            day_convention: DAY_CONVENTION,
            band_convention: "first band [lo, hi], later bands (lo, hi]",
            knox: table,
        })
    }

    /// The pairs of incidents in the near-repeat cells (close in space and
    /// time) the permit may see, for maps.
    pub async fn near_repeat_pairs(
        &self,
        permit: &Permit<ViewRecords>,
        req: &NearRepeatRequest,
        actor: &Actor<'_>,
    ) -> Result<NearRepeatPairs, Error> {
        use safetynet_analysis::knox::near_pairs;
        let points = self.points(permit, &req.period, req.category.as_deref(), actor).await?;
        let events = self.events(&points, req.period.from);
        let r = req.clone();
        let (pairs, truncated) = self
            .budgeted(move |interrupt| {
                near_pairs(&events, &r.distance_bands, &r.time_bands, r.metric, MAX_MAP_PAIRS, interrupt)
            })
            .await?;
        let date = |i: usize| req.period.from + chrono::Duration::days(uk_day(points[i].2, req.period.from));
        let near = safetynet_analysis::knox::near_band(&req.distance_bands);
        Ok(NearRepeatPairs {
            events: points.len(),
            distance_band: (req.distance_bands[0].0, req.distance_bands[near].1),
            time_band: req.time_bands[0],
            pairs: pairs
                .iter()
                .map(|p| MapPair {
                    from: [points[p.first].0, points[p.first].1],
                    to: [points[p.second].0, points[p.second].1],
                    from_date: date(p.first),
                    to_date: date(p.second),
                    distance_m: p.distance_m,
                    days: p.days,
                })
                .collect(),
            truncated,
        })
    }

    /// Near repeats as `format` asks: the table as JSON (usual), or the
    /// pairs in its near-repeat cells as GeoJSON lines.
    pub async fn near_repeat_output(
        &self,
        permit: &Permit<ViewRecords>,
        req: &NearRepeatRequest,
        format: Format,
        actor: &Actor<'_>,
    ) -> Result<Output, Error> {
        match format {
            Format::GeoJson => Ok(output::near_repeat_pairs(&self.near_repeat_pairs(permit, req, actor).await?)),
            f => output::json_only(&self.near_repeat(permit, req, actor).await?, f),
        }
    }

    /// Incident points as projected events with UK local day numbers.
    fn events(&self, points: &[(f64, f64, i64)], from: NaiveDate) -> Vec<safetynet_analysis::knox::Event> {
        points
            .iter()
            .map(|(lon, lat, ms)| {
                let (x, y) = safetynet_analysis::bng::to_grid(*lon, *lat);
                safetynet_analysis::knox::Event { x, y, day: uk_day(*ms, from) }
            })
            .collect()
    }

    /// The most likely space-time cluster of the incidents the permit may
    /// see; locations are the distinct incident positions (to about a metre).
    pub async fn scan(
        &self,
        permit: &Permit<ViewRecords>,
        req: &ScanRequest,
        actor: &Actor<'_>,
    ) -> Result<Scan, Error> {
        use safetynet_analysis::scan::{Cases, Location, ScanOptions, Study};
        let points = self.points(permit, &req.period, req.category.as_deref(), actor).await?;
        let (from, days) = (req.period.from, req.period.days());
        let mut locations: Vec<Location> = Vec::new();
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        let mut cases = Vec::with_capacity(points.len());
        for (lon, lat, ms) in &points {
            let id = format!("{lat:.5},{lon:.5}");
            let location = *index.entry(id.clone()).or_insert_with(|| {
                locations.push(Location { id, lat: *lat, lon: *lon });
                locations.len() - 1
            });
            let day = uk_day(*ms, from).max(0) as usize;
            cases.push(Cases { location, day: day.min(days as usize - 1), count: 1 });
        }
        let opts = ScanOptions {
            days: days as usize,
            max_radius_km: req.max_radius_km,
            max_share: req.max_share,
            max_window_days: req.max_window_days,
            prospective: req.prospective,
            replications: req.replications,
            seed: req.seed,
        };
        let budget = self.budget;
        let positions: Vec<[f64; 2]> = locations.iter().map(|l| [l.lon, l.lat]).collect();
        let (cluster, cylinders_per_pass) = self
            .budgeted(move |interrupt| {
                let study = Study::new(&locations, &cases, opts, interrupt)?;
                // One pass over the data, timed (elapsed only), gives the
                // replications' cost before they start.
                let started = std::time::Instant::now();
                let observed = study.observed(interrupt)?;
                let estimate = started.elapsed().as_secs_f64() * opts.replications as f64 / Study::threads() as f64;
                let cost = study.cylinders_per_pass();
                let Some(observed) = observed else { return Ok((None, cost)) };
                if estimate > budget.as_secs_f64() {
                    return Err(over_budget(estimate, budget, opts.replications));
                }
                Ok((Some(study.significance(observed, interrupt)?), cost))
            })
            .await?;
        Ok(Scan {
            incidents: points.len(),
            day_convention: DAY_CONVENTION,
            replications: req.replications,
            cylinders_per_pass,
            most_likely_cluster: cluster.map(|c| DatedCluster {
                start_date: from + chrono::Duration::days(c.start_day as i64),
                end_date: from + chrono::Duration::days(c.end_day as i64),
                places: c.locations.iter().filter_map(|id| index.get(id).map(|i| positions[*i])).collect(),
                cluster: c,
            }),
        })
    }

    /// Weekly counts of the incidents the permit may see, by category, with
    /// the same rules as the monthly trends (season of 52 weeks). Weeks run
    /// Monday to Sunday, UK time; the latest is the one containing `today`.
    pub async fn incident_trends(
        &self,
        permit: &Permit<ViewRecords>,
        req: &IncidentTrendsRequest,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<IncidentTrends, Error> {
        use chrono::Datelike;
        let this_monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
        let first_monday = this_monday - chrono::Duration::weeks(req.weeks - 1);
        let from = london_midnight(first_monday).timestamp_millis();
        let to = london_midnight(this_monday + chrono::Duration::weeks(1)).timestamp_millis();
        let rows = self.store().incident_times(permit, from, to, actor).await?;
        let mut counts: BTreeMap<String, Vec<f64>> = Default::default();
        for (category, ms) in rows {
            let Some(t) = chrono::DateTime::from_timestamp_millis(ms) else { continue };
            let week = (london_date(t) - first_monday).num_days().div_euclid(7);
            if (0..req.weeks).contains(&week) {
                counts.entry(category).or_insert_with(|| vec![0.0; req.weeks as usize])[week as usize] += 1.0;
            }
        }
        let mut alerts = Vec::new();
        for (category, s) in &counts {
            for alert in safetynet_analysis::trends::alerts(s, 52, req.all) {
                let week_starting = first_monday + chrono::Duration::weeks(alert.period as i64);
                alerts.push(WeeklyAlert { category: category.clone(), week_starting, alert });
            }
        }
        Ok(IncidentTrends { first_week_starting: first_monday, weeks: req.weeks, counts, alerts })
    }
}

/// The refusal of a scan whose replications would outrun the budget, with
/// the estimate and the most replications that would fit.
fn over_budget(estimate_s: f64, budget: std::time::Duration, replications: usize) -> AnalysisError {
    let per = estimate_s / replications.max(1) as f64;
    let fits = (budget.as_secs_f64() / per.max(f64::MIN_POSITIVE)).floor() as usize;
    let fewer = if fits >= *limits::REPLICATIONS.start() {
        format!("ask for at most {fits} replications, or ")
    } else {
        String::new()
    };
    AnalysisError::TooLarge(format!(
        "this scan would take about {:.0} s ({replications} replications), more than the analysis budget of {} s: \
         {fewer}use a prospective scan, a shorter window, a smaller radius or fewer days",
        estimate_s.ceil(),
        budget.as_secs_f64(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).map(|t| t.timestamp_millis()).expect("time")
    }

    #[test]
    fn a_scan_over_its_budget_says_what_it_would_cost_and_what_would_fit() {
        let budget = std::time::Duration::from_secs(10);
        let e = over_budget(220.0, budget, 999).to_string();
        assert!(e.contains("about 220 s (999 replications), more than the analysis budget of 10 s"), "{e}");
        assert!(e.contains("ask for at most 45 replications, or use a prospective scan"), "{e}");
        let e = over_budget(5_000.0, budget, 999).to_string();
        assert!(!e.contains("ask for at most"), "fewer than 9 would fit: {e}");
    }

    #[test]
    fn days_are_uk_local_dates_on_both_sides_of_both_clock_changes() {
        let from = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        // Spring forward, 29 March 2026 01:00 UTC.
        assert_eq!(uk_day(ms("2026-03-29T00:30:00Z"), from), 28, "00:30 GMT on the 29th");
        assert_eq!(
            uk_day(ms("2026-03-29T23:30:00Z"), from),
            29,
            "00:30 BST on the 30th, not the 29th as UTC would say"
        );
        assert_eq!(uk_day(ms("2026-03-28T23:59:00Z"), from), 27, "still GMT: the 28th");
        // Fall back, 25 October 2026 01:00 UTC.
        let from = NaiveDate::from_ymd_opt(2026, 10, 24).expect("date");
        assert_eq!(uk_day(ms("2026-10-24T23:30:00Z"), from), 1, "00:30 BST on the 25th");
        assert_eq!(uk_day(ms("2026-10-25T23:30:00Z"), from), 1, "23:30 GMT on the 25th");
        assert_eq!(uk_day(ms("2026-10-24T22:59:00Z"), from), 0, "23:59 BST on the 24th");
        // Summer midnight: two incidents an hour apart either side of UK midnight are a day apart;
        // two an hour apart either side of UTC midnight are the same day.
        let from = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
        assert_eq!(uk_day(ms("2026-06-01T22:30:00Z"), from), 0);
        assert_eq!(uk_day(ms("2026-06-01T23:30:00Z"), from), 1);
        assert_eq!(uk_day(ms("2026-06-02T00:30:00Z"), from), 1);
    }
}
