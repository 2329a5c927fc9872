//! The demo strategy: the St Albans CSP strategy 2024-2027 loaded as data,
//! with progress already recorded on some commitments (invented figures) so
//! the strategy page, the RAG pack and the owners' overdue lists have
//! something to show. Loaded as it would have been four months ago.

use crate::demo_cases::principal;
use chrono::{DateTime, Duration, Utc};
use safetynet_domain::policy::{Principal, UpdateCommitments};
use safetynet_domain::strategy::{parse_strategy, CommitmentStatus, Rag, StrategyDef};
use safetynet_domain::uk_time::london_date;
use safetynet_store::strategy::{LoadSummary, NewCommitmentUpdate};
use safetynet_store::users::Actor;
use safetynet_store::Store;

/// The St Albans strategy file (also at `data/strategy/`).
pub const ST_ALBANS: &str = include_str!("../../../data/strategy/st-albans-2024-2027.toml");

/// Progress recorded in the demo: (commitment, days ago, status, rating, figure, reason).
type DemoUpdate = (&'static str, i64, CommitmentStatus, Rag, Option<f64>, &'static str);

const UPDATES: &[DemoUpdate] = &[
    (
        "county-lines-workshops",
        20,
        CommitmentStatus::InProgress,
        Rag::Amber,
        None,
        "Seven of ten schools have had a workshop; the last three are being booked for next term.",
    ),
    (
        "taxi-dbs-checks",
        12,
        CommitmentStatus::InProgress,
        Rag::Amber,
        None,
        "Every driver is on the DBS update service; one check is overdue and the driver has been written to.",
    ),
    (
        "fly-tipping",
        25,
        CommitmentStatus::InProgress,
        Rag::Amber,
        None,
        "Cameras deployed at two hotspots; fixed penalties up but two rural sites keep recurring.",
    ),
    (
        "noise-investigations",
        30,
        CommitmentStatus::InProgress,
        Rag::Green,
        None,
        "Out-of-hours service running; recording kits booked out back to back.",
    ),
    (
        "safe-and-well-visits",
        15,
        CommitmentStatus::InProgress,
        Rag::Green,
        None,
        "Visits on plan, targeted by the vulnerability data shared through the partnership.",
    ),
    (
        "operation-vigilant",
        18,
        CommitmentStatus::InProgress,
        Rag::Green,
        None,
        "Deployments in the night-time economy with licensees every month; one arrest for sexual assault.",
    ),
    (
        "vawg-scrutiny-panels",
        40,
        CommitmentStatus::InProgress,
        Rag::Amber,
        None,
        "Panels meet each quarter; one was postponed for lack of partner attendance.",
    ),
    (
        "no-more-outreach",
        35,
        CommitmentStatus::InProgress,
        Rag::Red,
        None,
        "Outreach worker post vacant since the summer; recruitment under way.",
    ),
    (
        "asb-safety-net",
        10,
        CommitmentStatus::InProgress,
        Rag::Green,
        Some(96.0),
        "All new ASB cases on the Safety Net; 96% have a plan and risk assessment within five days.",
    ),
    (
        "white-ribbon",
        60,
        CommitmentStatus::Completed,
        Rag::Green,
        None,
        "Policies reviewed and reaccreditation achieved.",
    ),
];

/// Loads `def` as the operator acting for the partnership (CSP manager rights).
pub async fn load_strategy(
    store: &Store,
    def: &StrategyDef,
    now: DateTime<Utc>,
    source: &str,
) -> anyhow::Result<LoadSummary> {
    let operator = Principal::operator_for_agency("");
    let permit = operator.permit()?;
    let actor = Actor { principal: &operator, at_ms: now.timestamp_millis(), source };
    Ok(store.load_strategy(&permit, def, london_date(now), &actor).await?)
}

/// Loads the St Albans strategy (as of 120 days ago) and the demo progress,
/// once.
pub async fn seed_strategy(store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    if store.strategy().await?.is_some() {
        return Ok(());
    }
    let def = parse_strategy(ST_ALBANS)?;
    load_strategy(store, &def, now - Duration::days(120), "demo").await?;
    let manager = principal(store, "csp.manager@stalbans.gov.uk").await?;
    let permit = manager.permit::<UpdateCommitments>()?;
    let Some(strategy) = store.strategy().await? else { return Ok(()) };
    let commitments: Vec<_> = strategy.priorities.into_iter().flat_map(|p| p.commitments).collect();
    for (code, days_ago, status, rag, figure, reason) in UPDATES {
        let Some(c) = commitments.iter().find(|c| c.code == *code) else { continue };
        let at = now - Duration::days(*days_ago);
        let update = NewCommitmentUpdate {
            status: *status,
            rag: *rag,
            reason: (*reason).into(),
            note: String::new(),
            figure: *figure,
            evidence: Vec::new(),
        };
        let actor = Actor { principal: &manager, at_ms: at.timestamp_millis(), source: "demo" };
        store.add_commitment_update(&permit, &c.id, &update, london_date(at), &actor).await?;
    }
    Ok(())
}
