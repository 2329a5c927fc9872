//! `safetynet analyse`: the analyses at the command line, through the same
//! use cases and the same options as `GET /api/v1/analytics/<method>`.
//! Flags become the request's options directly (no query string); any
//! other option is `--option name=value`, and an unknown one is refused.

use crate::config::Config;
use crate::db::{open, DbArg, KeyUse};
use crate::import::Progress;
use crate::terminal::{write_out, TerminalProgress};
use anyhow::{anyhow, bail};
use clap::{Subcommand, ValueEnum};
use safetynet_analysis::evaluate::BeforeAfter;
use safetynet_app::analyses::crime::{DensityRequest, HotspotRequest, PaiRequest, TrendsRequest};
use safetynet_app::analyses::evaluate::{evaluate, EvaluateRequest};
use safetynet_app::analyses::incidents::{NearRepeatRequest, ScanRequest};
use safetynet_app::analyses::output::{self, Format};
use safetynet_app::analyses::Analyst;
use safetynet_app::Params;
use safetynet_domain::clock::SharedClock;
use safetynet_domain::partnership::AgencyCode;
use safetynet_domain::policy::{Principal, ViewCrimeData, ViewRecords};
use safetynet_store::users::Actor;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AnalysisFormat {
    Json,
    Geojson,
    Csv,
}

/// Options shared by the analysis methods (the same as the API's query).
#[derive(Debug, clap::Args)]
pub struct AnalyseArgs {
    #[command(flatten)]
    db: DbArg,
    /// First month (YYYY-MM) for recorded crime, or first date (YYYY-MM-DD) for incidents.
    #[arg(long)]
    from: Option<String>,
    /// Last month or date.
    #[arg(long)]
    to: Option<String>,
    /// Crime type (recorded crime) or category code (incidents).
    #[arg(long = "type")]
    crime_type: Option<String>,
    /// LSOA code or name.
    #[arg(long)]
    area: Option<String>,
    /// Analyse as this agency (needed for incident methods: scan, near-repeat).
    #[arg(long)]
    agency: Option<String>,
    /// Cell size in metres.
    #[arg(long)]
    cell_m: Option<f64>,
    /// Permutations or replications.
    #[arg(long)]
    permutations: Option<usize>,
    /// Seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Any other API option, as name=value (repeatable), e.g. --option bandwidth_m=400.
    #[arg(long = "option")]
    options: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AnalysisFormat::Json)]
    format: AnalysisFormat,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AnalyseCommand {
    /// Grid hotspots (Gi*, Local Moran's I, FDR) of recorded crime.
    Hotspots(AnalyseArgs),
    /// Quartic kernel density of recorded crime.
    Density(AnalyseArgs),
    /// Emerging issues in monthly recorded crime (EARS, CUSUM, seasonal).
    Trends(AnalyseArgs),
    /// Predictive accuracy (PAI, PEI): pass --option score_from=YYYY-MM --option score_to=YYYY-MM.
    Pai(AnalyseArgs),
    /// Space-time permutation scan of an agency's incidents.
    Scan(AnalyseArgs),
    /// Knox near-repeat table of an agency's incidents.
    NearRepeat(AnalyseArgs),
    /// Weighted displacement difference and quotient from before/after counts.
    Evaluate {
        /// Target area: before,after.
        #[arg(long, value_parser = parse_pair)]
        target: (f64, f64),
        /// Control area: before,after.
        #[arg(long, value_parser = parse_pair)]
        control: (f64, f64),
        /// Buffer around the target: before,after.
        #[arg(long, value_parser = parse_pair)]
        buffer: Option<(f64, f64)>,
        /// The buffer's control: before,after.
        #[arg(long, value_parser = parse_pair)]
        buffer_control: Option<(f64, f64)>,
    },
}

fn parse_pair(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s.split_once(',').ok_or("give two counts as before,after")?;
    Ok((
        a.trim().parse().map_err(|_| format!("'{a}' is not a number"))?,
        b.trim().parse().map_err(|_| format!("'{b}' is not a number"))?,
    ))
}

impl AnalyseArgs {
    /// The options the flags give, `type` and `permutations` named as the
    /// method names them.
    fn params(&self, incidents: bool, scan: bool) -> anyhow::Result<Params> {
        let format = match self.format {
            AnalysisFormat::Json => "json",
            AnalysisFormat::Geojson => "geojson",
            AnalysisFormat::Csv => "csv",
        };
        let mut pairs: Vec<(String, String)> = [
            ("from", self.from.clone()),
            ("to", self.to.clone()),
            (if incidents { "category" } else { "type" }, self.crime_type.clone()),
            ("lsoa", self.area.clone()),
            ("cell_m", self.cell_m.map(|v| v.to_string())),
            (if scan { "replications" } else { "permutations" }, self.permutations.map(|v| v.to_string())),
            ("seed", self.seed.map(|v| v.to_string())),
            ("format", Some(format.to_string())),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v)))
        .collect();
        for o in &self.options {
            let (k, v) = o.split_once('=').ok_or_else(|| anyhow!("--option takes name=value, not '{o}'"))?;
            pairs.push((k.trim().to_string(), v.trim().to_string()));
        }
        Ok(Params::from_pairs(pairs)?)
    }
}

/// The methods that read the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    Hotspots,
    Density,
    Trends,
    Pai,
    Scan,
    NearRepeat,
}

/// Runs `safetynet analyse <method>`.
pub async fn run(config: &Config, clock: SharedClock, command: AnalyseCommand) -> anyhow::Result<()> {
    let (method, a) = match command {
        AnalyseCommand::Evaluate { target, control, buffer, buffer_control } => {
            let pair = |p: (f64, f64)| BeforeAfter::new(p.0, p.1);
            let zero = (0.0, 0.0);
            let request = EvaluateRequest::new(
                pair(target),
                pair(control),
                pair(buffer.unwrap_or(zero)),
                pair(buffer_control.unwrap_or(zero)),
            )?;
            println!("{}", output::json(&evaluate(&request)?)?.body);
            return Ok(());
        }
        AnalyseCommand::Hotspots(a) => (Method::Hotspots, a),
        AnalyseCommand::Density(a) => (Method::Density, a),
        AnalyseCommand::Trends(a) => (Method::Trends, a),
        AnalyseCommand::Pai(a) => (Method::Pai, a),
        AnalyseCommand::Scan(a) => (Method::Scan, a),
        AnalyseCommand::NearRepeat(a) => (Method::NearRepeat, a),
    };
    let incidents = matches!(method, Method::Scan | Method::NearRepeat);
    let agency = match &a.agency {
        Some(code) => AgencyCode::parse(code)?.to_string(),
        None if incidents => {
            bail!("incidents are agency records: pass --agency CODE to analyse that agency's incidents")
        }
        None => String::new(),
    };
    let p = a.params(incidents, method == Method::Scan)?;
    let format = Format::from_params(&p)?;
    let principal = Principal::operator_for_agency(&agency);
    let store = open(config, &a.db, KeyUse::Write).await?;
    if !agency.is_empty() {
        let known: Vec<String> = store.agencies().await?.into_iter().map(|g| g.code.to_string()).collect();
        if !known.contains(&agency) {
            bail!("no agency has the code {agency}: the agencies are {}", known.join(", "));
        }
    }
    let analyst = Analyst::new(store, config.web().analysis);
    let actor = Actor { principal: &principal, at_ms: clock.now().timestamp_millis(), source: "cli" };
    let bar = TerminalProgress::new();
    bar.start(0);
    let answer = async {
        let crime = || principal.permit::<ViewCrimeData>();
        let records = || principal.permit::<ViewRecords>();
        Ok::<_, anyhow::Error>(match method {
            Method::Hotspots => {
                let req = HotspotRequest::from_params(&p)?;
                p.finish()?;
                output::hotspots(&analyst.hotspots(&crime()?, &req).await?, format)?
            }
            Method::Density => {
                let req = DensityRequest::from_params(&p)?;
                p.finish()?;
                output::density(&analyst.density(&crime()?, &req).await?, format)?
            }
            Method::Trends => {
                let req = TrendsRequest::from_params(&p)?;
                p.finish()?;
                output::json_only(&analyst.trends(&crime()?, &req).await?, format)?
            }
            Method::Pai => {
                let req = PaiRequest::from_params(&p)?;
                p.finish()?;
                output::json_only(&analyst.pai(&crime()?, &req).await?, format)?
            }
            Method::Scan => {
                let req = ScanRequest::from_params(&p)?;
                p.finish()?;
                output::json_only(&analyst.scan(&records()?, &req, &actor).await?, format)?
            }
            Method::NearRepeat => {
                let req = NearRepeatRequest::from_params(&p)?;
                p.finish()?;
                output::json_only(&analyst.near_repeat(&records()?, &req, &actor).await?, format)?
            }
        })
    }
    .await;
    bar.finish();
    write_out(a.out.as_deref(), &answer?.body)
}
