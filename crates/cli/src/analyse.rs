//! `safetynet analyse`: the analyses at the command line, through the same
//! use cases and the same options as `GET /api/v1/analytics/<method>`.
//! Each method's flags are made from its options table (the API's names
//! with hyphens), so `--help` lists every option with its unit and
//! default; `--option name=value` gives one by its API name, and an
//! unknown or inapplicable one is refused.

use crate::config::Config;
use crate::db::{open, DbArg, KeyUse};
use crate::import::Progress;
use crate::terminal::{write_out, TerminalProgress};
use anyhow::{anyhow, bail};
use clap::builder::PossibleValuesParser;
use clap::{Arg, ArgAction, Subcommand};
use safetynet_analysis::evaluate::BeforeAfter;
use safetynet_app::analyses::crime::{DensityRequest, HotspotRequest, PaiRequest, TrendsRequest};
use safetynet_app::analyses::evaluate::{evaluate, EvaluateRequest};
use safetynet_app::analyses::incidents::{NearRepeatRequest, ScanRequest};
use safetynet_app::analyses::options::{self, Kind, Opt};
use safetynet_app::analyses::output::{self, Format};
use safetynet_app::analyses::Analyst;
use safetynet_app::Params;
use safetynet_domain::clock::SharedClock;
use safetynet_domain::partnership::AgencyCode;
use safetynet_domain::policy::{Principal, ViewCrimeData, ViewRecords};
use safetynet_store::users::Actor;
use std::path::PathBuf;

/// A method's options as flags, made from its table in
/// [`safetynet_app::analyses::options`] (so `--help` shows every option with
/// its unit and default, under the API's names with hyphens).
macro_rules! method_flags {
    ($name:ident, $table:expr) => {
        /// The method's flags, as the API's name and value pairs.
        #[derive(Debug, Clone, Default)]
        pub struct $name(Vec<(String, String)>);

        impl clap::FromArgMatches for $name {
            fn from_arg_matches(m: &clap::ArgMatches) -> Result<Self, clap::Error> {
                Ok(Self(given($table, m)))
            }
            fn update_from_arg_matches(&mut self, m: &clap::ArgMatches) -> Result<(), clap::Error> {
                self.0 = given($table, m);
                Ok(())
            }
        }

        impl clap::Args for $name {
            fn augment_args(cmd: clap::Command) -> clap::Command {
                $table.iter().fold(cmd, |cmd, o| cmd.arg(flag(o)))
            }
            fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
                Self::augment_args(cmd)
            }
        }
    };
}

method_flags!(HotspotFlags, options::HOTSPOTS);
method_flags!(DensityFlags, options::DENSITY);
method_flags!(TrendFlags, options::TRENDS);
method_flags!(PaiFlags, options::PAI);
method_flags!(ScanFlags, options::SCAN);
method_flags!(NearRepeatFlags, options::NEAR_REPEAT);

/// The flag of one option.
fn flag(o: &'static Opt) -> Arg {
    let arg = Arg::new(o.name).long(o.flag).help(o.describe()).required(o.required);
    let arg = o.aliases.iter().fold(arg, |arg, a| arg.alias(*a));
    match o.kind {
        Kind::Switch => arg.action(ArgAction::SetTrue),
        Kind::Value if o.choices.is_empty() => arg.value_name(o.value),
        Kind::Value => arg.value_name(o.value).value_parser(PossibleValuesParser::new(o.choices.iter().copied())),
    }
}

/// The options given on the command line, as name and value pairs.
fn given(table: &[Opt], m: &clap::ArgMatches) -> Vec<(String, String)> {
    table
        .iter()
        .filter_map(|o| {
            let value = match o.kind {
                Kind::Switch => m.try_get_one::<bool>(o.name).ok().flatten().filter(|on| **on).map(|_| "true".into()),
                Kind::Value => m.try_get_one::<String>(o.name).ok().flatten().cloned(),
            };
            value.map(|v| (o.name.to_string(), v))
        })
        .collect()
}

/// What every method that reads the database takes besides its options.
#[derive(Debug, clap::Args)]
pub struct Common {
    #[command(flatten)]
    db: DbArg,
    /// An option by its API name, as name=value (repeatable), e.g. --option bandwidth_m=400.
    #[arg(long = "option", value_name = "NAME=VALUE")]
    options: Vec<String>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// The agency whose incidents are analysed.
#[derive(Debug, clap::Args)]
pub struct AgencyArg {
    /// Analyse as this agency: its own incidents and those shared with it.
    #[arg(long, value_name = "CODE")]
    agency: String,
}

#[derive(Debug, Subcommand)]
pub enum AnalyseCommand {
    /// Grid hotspots (Gi*, Local Moran's I, FDR) of recorded crime.
    Hotspots {
        #[command(flatten)]
        flags: HotspotFlags,
        #[command(flatten)]
        common: Common,
    },
    /// Quartic kernel density of recorded crime.
    Density {
        #[command(flatten)]
        flags: DensityFlags,
        #[command(flatten)]
        common: Common,
    },
    /// Emerging issues in monthly recorded crime (EARS, CUSUM, Farrington).
    Trends {
        #[command(flatten)]
        flags: TrendFlags,
        #[command(flatten)]
        common: Common,
    },
    /// Predictive accuracy (PAI, PEI) of a hotspot map on later months.
    Pai {
        #[command(flatten)]
        flags: PaiFlags,
        #[command(flatten)]
        common: Common,
    },
    /// Space-time permutation scan of an agency's incidents.
    Scan {
        #[command(flatten)]
        agency: AgencyArg,
        #[command(flatten)]
        flags: ScanFlags,
        #[command(flatten)]
        common: Common,
    },
    /// Knox near-repeat table of an agency's incidents.
    NearRepeat {
        #[command(flatten)]
        agency: AgencyArg,
        #[command(flatten)]
        flags: NearRepeatFlags,
        #[command(flatten)]
        common: Common,
    },
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

impl Common {
    /// The request's options: the flags' pairs, then each `--option`.
    fn params(&self, flags: &[(String, String)]) -> anyhow::Result<Params> {
        let mut pairs = flags.to_vec();
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
    let (method, flags, a, agency) = match command {
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
        AnalyseCommand::Hotspots { flags, common } => (Method::Hotspots, flags.0, common, None),
        AnalyseCommand::Density { flags, common } => (Method::Density, flags.0, common, None),
        AnalyseCommand::Trends { flags, common } => (Method::Trends, flags.0, common, None),
        AnalyseCommand::Pai { flags, common } => (Method::Pai, flags.0, common, None),
        AnalyseCommand::Scan { agency, flags, common } => (Method::Scan, flags.0, common, Some(agency.agency)),
        AnalyseCommand::NearRepeat { agency, flags, common } => {
            (Method::NearRepeat, flags.0, common, Some(agency.agency))
        }
    };
    let agency = match &agency {
        Some(code) => AgencyCode::parse(code)?.to_string(),
        None => String::new(),
    };
    let p = a.params(&flags)?;
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
                output::scan(&analyst.scan(&records()?, &req, &actor).await?, format)?
            }
            Method::NearRepeat => {
                let req = NearRepeatRequest::from_params(&p)?;
                p.finish()?;
                analyst.near_repeat_output(&records()?, &req, format, &actor).await?
            }
        })
    }
    .await;
    bar.finish();
    write_out(a.out.as_deref(), &answer?.body)
}
