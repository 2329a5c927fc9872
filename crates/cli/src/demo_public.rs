//! The demo's public reporting: the kinds of problem residents may report
//! and the agency each goes to, and two invented reports waiting in the
//! council's triage queue.

use chrono::{DateTime, Duration, Utc};
use safetynet_domain::policy::{ManageAgencies, Principal};
use safetynet_domain::public_reports::NewPublicReport;
use safetynet_store::public_reports::Sender;
use safetynet_store::users::Actor;
use safetynet_store::Store;

/// (category, agency, what to report under it).
const ROUTES: &[(&str, &str, &str)] = &[
    ("asb-nuisance", "SACDC", "Rowdy or nuisance behaviour, street drinking, misuse of public spaces"),
    ("asb-personal", "HERTS-POLICE", "Someone being harassed, intimidated or targeted"),
    ("noise-domestic", "SACDC", "Loud music, parties or barking from a home"),
    ("noise-commercial", "SACDC", "Noise from a pub, club, shop or building site"),
    ("fly-tipping", "SACDC", "Rubbish dumped on land or the road"),
    ("graffiti", "SACDC", "Graffiti or fly-posting"),
    ("abandoned-vehicle", "SACDC", "A vehicle that looks abandoned"),
    ("drug-litter", "SACDC", "Needles or other drug litter"),
    ("crime-drugs", "HERTS-POLICE", "Drug dealing or drug use in a public place"),
    ("deliberate-fire", "HFRS", "Signs of deliberate fires, or rubbish likely to be set alight"),
];

/// Routes the demo's categories and, once, leaves two reports in the queue.
pub async fn seed_public_reporting(store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let operator = Principal::operator();
    let at = now.timestamp_millis();
    let actor = Actor { principal: &operator, at_ms: at, source: "demo" };
    let permit = operator.permit::<ManageAgencies>()?;
    let first_time = store.public_services().await?.is_empty();
    for (category, agency, description) in ROUTES {
        store.route_public_service(&permit, category, agency, description, &actor).await?;
    }
    if !first_time {
        return Ok(());
    }
    let reports = [
        (
            "fly-tipping",
            (51.7652, -0.3655),
            "Someone has dumped about ten black bags and an old sofa in the lay-by again.",
            26,
        ),
        (
            "noise-domestic",
            (51.7490, -0.3310),
            "Music from the flat above until 3am every weekend for the last month.",
            5,
        ),
    ];
    for (n, (category, (lat, lon), description, hours_ago)) in reports.into_iter().enumerate() {
        let new = NewPublicReport {
            service_code: category.into(),
            latitude: Some(lat),
            longitude: Some(lon),
            description: description.into(),
            email: if n == 0 { "resident@example.org".into() } else { String::new() },
            ..NewPublicReport::default()
        };
        let when = Actor {
            principal: &operator,
            at_ms: (now - Duration::hours(hours_ago)).timestamp_millis(),
            source: "demo",
        };
        store.submit_public_report(&new, &[], Sender::Web(&format!("demo-resident-{n}")), &when).await?;
    }
    Ok(())
}
