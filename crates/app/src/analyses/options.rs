//! Every analysis method's options in one table: the command line makes its
//! flags from it (`safetynet analyse <method> --help` shows each with its
//! unit and default), the API documents its query parameters from it, and
//! a test checks each request reads exactly these names with these
//! defaults. So an option has one name at both front doors.

/// How an option is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A value (`--cell-m 100`, `?cell_m=100`).
    Value,
    /// A switch (`--all`, `?all=true`).
    Switch,
}

/// An option's default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Default {
    /// None: left out means "all" or "none".
    Nothing,
    /// This value.
    Value(&'static str),
    /// Worked out from the data (e.g. the first month held).
    Described(&'static str),
}

/// One option of a method.
#[derive(Debug, Clone, Copy)]
pub struct Opt {
    /// Its name in the API and after `--option`.
    pub name: &'static str,
    /// Its command-line flag (the name with hyphens).
    pub flag: &'static str,
    /// Other flags accepted for it (kept from earlier versions).
    pub aliases: &'static [&'static str],
    /// What a value looks like (`YYYY-MM`, `METRES`).
    pub value: &'static str,
    /// What it means, with its unit and bounds.
    pub help: &'static str,
    /// Its default.
    pub default: Default,
    /// The values it takes, when a fixed list.
    pub choices: &'static [&'static str],
    /// Must be given.
    pub required: bool,
    /// A value or a switch.
    pub kind: Kind,
}

impl Opt {
    const fn new(name: &'static str, flag: &'static str, value: &'static str, help: &'static str) -> Self {
        Self {
            name,
            flag,
            aliases: &[],
            value,
            help,
            default: Default::Nothing,
            choices: &[],
            required: false,
            kind: Kind::Value,
        }
    }

    const fn default(self, value: &'static str) -> Self {
        Self { default: Default::Value(value), ..self }
    }

    const fn described(self, text: &'static str) -> Self {
        Self { default: Default::Described(text), ..self }
    }

    const fn choices(self, choices: &'static [&'static str]) -> Self {
        Self { choices, ..self }
    }

    const fn aliases(self, aliases: &'static [&'static str]) -> Self {
        Self { aliases, ..self }
    }

    const fn required(self) -> Self {
        Self { required: true, ..self }
    }

    const fn switch(self) -> Self {
        Self { kind: Kind::Switch, default: Default::Value("false"), ..self }
    }

    /// The help line with its default, as `--help` and the API show it.
    pub fn describe(&self) -> String {
        match self.default {
            Default::Value(v) if self.kind == Kind::Value => format!("{} [default: {v}]", self.help),
            Default::Described(d) => format!("{} [default: {d}]", self.help),
            _ => self.help.to_string(),
        }
    }
}

const FROM_MONTH: Opt =
    Opt::new("from", "from", "YYYY-MM", "First month of recorded crime").described("the first month held");
const TO_MONTH: Opt =
    Opt::new("to", "to", "YYYY-MM", "Last month of recorded crime").described("the latest month held");
const CRIME_TYPE: Opt =
    Opt::new("type", "type", "TYPE", "Crime type as police.uk publishes it, e.g. Burglary").described("all types");
const LSOA: Opt = Opt::new("lsoa", "lsoa", "LSOA", "LSOA code or name").aliases(&["area"]).described("every area");
const FROM_DAY: Opt = Opt::new("from", "from", "YYYY-MM-DD", "First day of the study (UK local date)").required();
const TO_DAY: Opt =
    Opt::new("to", "to", "YYYY-MM-DD", "Last day of the study (UK local date; at most 3660 days)").required();
const CATEGORY: Opt =
    Opt::new("category", "category", "CODE", "Incident category code").aliases(&["type"]).described("all categories");
const SEED: Opt = Opt::new("seed", "seed", "N", "Random seed: the same seed gives the same answer").default("1");
const JSON_ONLY: Opt = Opt::new("format", "format", "FORMAT", "Output format").choices(&["json"]).default("json");

/// Hot spots of recorded crime (`/analytics/hotspots`, `analyse hotspots`).
pub const HOTSPOTS: &[Opt] = &[
    FROM_MONTH,
    TO_MONTH,
    CRIME_TYPE,
    LSOA,
    Opt::new("level", "level", "LEVEL", "Count in grid cells or in LSOAs").choices(&["grid", "lsoa"]).default("grid"),
    Opt::new("cell_m", "cell-m", "METRES", "Grid cell size in metres, 10 to 10000 (grid only)").default("250"),
    Opt::new("permutations", "permutations", "N", "Conditional permutations for the p-values, 9 to 9999")
        .default("999"),
    SEED,
    Opt::new("format", "format", "FORMAT", "Output format (areas: geojson only)")
        .choices(&["geojson", "json", "csv"])
        .default("geojson"),
];

/// Kernel density of recorded crime (`/analytics/density`, `analyse density`).
pub const DENSITY: &[Opt] = &[
    FROM_MONTH,
    TO_MONTH,
    CRIME_TYPE,
    LSOA,
    Opt::new("cell_m", "cell-m", "METRES", "Cell size in metres, 10 to 5000").default("50"),
    Opt::new(
        "bandwidth_m",
        "bandwidth-m",
        "METRES",
        "Quartic kernel bandwidth in metres, 10 to 10000 and 1 to 100 cells",
    )
    .default("300"),
    Opt::new(
        "format",
        "format",
        "FORMAT",
        "Output format: points per square kilometre on British National Grid cells (geojson: the cells from 2% of the peak)",
    )
    .choices(&["json", "geojson", "csv"])
        .default("json"),
];

/// Emerging issues in monthly recorded crime (`/analytics/trends`, `analyse trends`).
pub const TRENDS: &[Opt] = &[
    FROM_MONTH,
    TO_MONTH,
    CRIME_TYPE,
    LSOA,
    Opt::new("by", "by", "SERIES", "One series per crime type, or per LSOA and type")
        .choices(&["type", "lsoa_type"])
        .default("type"),
    Opt::new("all", "all", "", "Alerts for every month, not only the latest").switch(),
    JSON_ONLY,
];

/// Predictive accuracy of a hotspot map (`/analytics/pai`, `analyse pai`).
pub const PAI: &[Opt] = &[
    Opt::new("from", "from", "YYYY-MM", "First month the map is made from").required(),
    Opt::new("to", "to", "YYYY-MM", "Last month the map is made from").required(),
    Opt::new("score_from", "score-from", "YYYY-MM", "First month it is scored on (after --to)").required(),
    Opt::new("score_to", "score-to", "YYYY-MM", "Last month it is scored on").required(),
    CRIME_TYPE,
    Opt::new("cell_m", "cell-m", "METRES", "Grid cell size in metres, 10 to 10000").default("250"),
    Opt::new(
        "coverage",
        "coverage",
        "SHARES",
        "Shares of the area to report, comma-separated, each above 0 and at most 1",
    )
    .default("0.01,0.02,0.05,0.1,0.2"),
    JSON_ONLY,
];

/// Near repeats in an agency's incidents (`/analytics/near-repeat`, `analyse near-repeat`).
pub const NEAR_REPEAT: &[Opt] = &[
    FROM_DAY,
    TO_DAY,
    CATEGORY,
    Opt::new(
        "distance_bands",
        "distance-bands",
        "BANDS",
        "Distance bands in metres, lo-hi comma-separated, in order, up to 20 bands and 5000 m; the first is [lo, hi], later ones (lo, hi]",
    )
    .default("0-0.1,0.1-200,200-400,400-600"),
    Opt::new("time_bands", "time-bands", "BANDS", "Time bands in days between UK local dates, as distance-bands, up to 365 days")
        .default("0-7,7-14,14-21"),
    Opt::new("metric", "metric", "METRIC", "How distance is measured").choices(&["euclidean", "manhattan"]).default("euclidean"),
    Opt::new("permutations", "permutations", "N", "Monte Carlo permutations of the dates, 9 to 9999").default("99"),
    SEED,
    Opt::new("format", "format", "FORMAT", "Output format: json, the table; geojson, the pairs in its near-repeat cells as lines")
        .choices(&["json", "geojson"])
        .default("json"),
];

/// The space-time permutation scan of an agency's incidents (`/analytics/scan`, `analyse scan`).
pub const SCAN: &[Opt] = &[
    FROM_DAY,
    TO_DAY,
    CATEGORY,
    Opt::new("max_radius_km", "max-radius-km", "KM", "Largest circle radius in kilometres, 0.01 to 20").default("1"),
    Opt::new(
        "max_share",
        "max-share",
        "SHARE",
        "Largest circle as a share of all incidents, 0.001 to 0.5 (SaTScan's maximum spatial cluster size)",
    )
    .default("0.5"),
    Opt::new("max_window_days", "max-window-days", "DAYS", "Longest run of days, 1 to 366").default("7"),
    Opt::new("prospective", "prospective", "BOOL", "Only clusters still running on the last day (surveillance)")
        .choices(&["true", "false"])
        .default("true"),
    Opt::new("replications", "replications", "N", "Monte Carlo replications, 9 to 9999")
        .aliases(&["permutations"])
        .default("999"),
    SEED,
    Opt::new("format", "format", "FORMAT", "Output format: json, or geojson for the cluster's circle and places")
        .choices(&["json", "geojson"])
        .default("json"),
];

/// Weekly trends of an agency's incidents (`/analytics/incident-trends`).
pub const INCIDENT_TRENDS: &[Opt] = &[
    Opt::new("weeks", "weeks", "N", "Weeks of history, the latest being this week, 8 to 520").default("104"),
    Opt::new("all", "all", "", "Alerts for every week, not only the latest").switch(),
    JSON_ONLY,
];

/// The options of the method at `/analytics/<path>`.
pub fn of_path(path: &str) -> Option<&'static [Opt]> {
    Some(match path {
        "hotspots" => HOTSPOTS,
        "density" => DENSITY,
        "trends" => TRENDS,
        "pai" => PAI,
        "near-repeat" => NEAR_REPEAT,
        "scan" => SCAN,
        "incident-trends" => INCIDENT_TRENDS,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyses::crime::{DensityRequest, HotspotRequest, PaiRequest, TrendsRequest};
    use crate::analyses::incidents::{IncidentTrendsRequest, NearRepeatRequest, ScanRequest};
    use crate::analyses::output::Format;
    use crate::{Error, Params};

    type Make = fn(&Params) -> Result<String, Error>;

    fn debug<T: std::fmt::Debug>(r: Result<T, Error>) -> Result<String, Error> {
        r.map(|v| format!("{v:?}"))
    }

    /// Values for the required options.
    fn required(name: &str) -> &'static str {
        match name {
            "from" => "2021-01",
            "to" => "2021-03",
            "score_from" => "2021-04",
            _ => "2021-06",
        }
    }

    fn methods() -> Vec<(&'static str, Make)> {
        vec![
            ("hotspots", |p| debug(HotspotRequest::from_params(p))),
            ("density", |p| debug(DensityRequest::from_params(p))),
            ("trends", |p| debug(TrendsRequest::from_params(p))),
            ("pai", |p| debug(PaiRequest::from_params(p))),
            ("near-repeat", |p| debug(NearRepeatRequest::from_params(p))),
            ("scan", |p| debug(ScanRequest::from_params(p))),
            ("incident-trends", |p| debug(IncidentTrendsRequest::from_params(p))),
        ]
    }

    fn params(table: &[Opt], with_defaults: bool) -> Params {
        let incidents = table.iter().any(|o| o.name == "from" && o.value == "YYYY-MM-DD");
        let pairs = table.iter().filter_map(|o| match (o.required, o.default) {
            (true, _) if incidents => Some((o.name, if o.name == "from" { "2026-01-01" } else { "2026-01-31" })),
            (true, _) => Some((o.name, required(o.name))),
            (false, Default::Value(v)) if with_defaults => Some((o.name, v)),
            _ => None,
        });
        Params::from_pairs(pairs).expect("pairs")
    }

    #[test]
    fn each_request_reads_exactly_its_options_with_the_documented_defaults() {
        for (path, make) in methods() {
            let table = of_path(path).expect("a table");
            let bare = params(table, false);
            let given = params(table, true);
            let usual = make(&bare).unwrap_or_else(|e| panic!("{path}: {e}"));
            let explicit = make(&given).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(usual, explicit, "{path}: the documented defaults are the ones used");
            Format::from_params(&given).expect("format");
            given.finish().unwrap_or_else(|e| panic!("{path}: every documented option is read: {e}"));
            let read = given.names_read();
            let documented: std::collections::BTreeSet<String> = table.iter().map(|o| o.name.to_string()).collect();
            assert_eq!(read, documented, "{path}: the request reads only documented options");
            for o in table {
                assert_eq!(o.flag, o.name.replace('_', "-"), "{path}: the flag is the name with hyphens");
                if let Default::Value(v) = o.default {
                    assert!(o.choices.is_empty() || o.choices.contains(&v), "{path}: {}'s default is a choice", o.name);
                }
            }
        }
    }
}
