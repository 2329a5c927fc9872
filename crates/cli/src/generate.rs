//! `safetynet generate`: county-scale partnership work for load benchmarks
//! (issue 10), on top of the demo partnership and the incidents
//! `scripts/gen-county.py` wrote and `import incidents` loaded. Adds users
//! across every agency, cases worked up as the demo's is (plan, share, risk
//! assessment, tasks, a warning) over the agencies' own incidents, and years
//! of JAG, RAG and Priority Setting Forum meetings with actions. The same
//! sizes and seed always give the same work; running it again adds only the
//! users and meetings that are missing, and more cases.

use crate::demo_cases::{principal, work_up_case};
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use safetynet_domain::meeting::ActionStatus;
use safetynet_domain::partnership::{AgencyCode, Email};
use safetynet_domain::policy::{AuthMethod, ManagePartnershipWork, ManageUsers, Principal, ViewRecords};
use safetynet_domain::role::Role;
use safetynet_domain::uk_time::london_date;
use safetynet_store::cases::NewCase;
use safetynet_store::incidents::IncidentFilter;
use safetynet_store::meetings::NewAction;
use safetynet_store::users::{Actor, NewUser};
use safetynet_store::Store;

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Users, spread over every agency.
    pub users: usize,
    /// Cases, spread over the agencies that hold incidents.
    pub cases: usize,
    /// Years of meetings before today.
    pub meeting_years: u32,
    /// Seed for names, roles and dates.
    pub seed: u64,
}

/// What one run added.
#[derive(Debug, Default)]
pub struct Generated {
    /// Users created.
    pub users: usize,
    /// Cases opened and worked up.
    pub cases: usize,
    /// Meetings scheduled.
    pub meetings: usize,
    /// Meeting actions added.
    pub actions: usize,
}

const FIRST: &[&str] =
    &["Alex", "Sam", "Jo", "Chris", "Pat", "Aisha", "Wyn", "Mei", "Priya", "Kemal", "Niamh", "Zofia"];
const LAST: &[&str] = &["Smith", "Jones", "Patel", "Okafor", "Evans", "Khan", "Murphy", "Nowak", "Ahmed", "Hughes"];
const PLACES: &[&str] =
    &["Verulam Road", "Clarence Park", "London Road", "Hatfield Road", "Station Road", "Marshalswick", "Harpenden"];
const PROBLEMS: &[&str] = &[
    "threats to an elderly resident",
    "noise from a shared house",
    "drug dealing from a flat",
    "youths gathering and intimidating shoppers",
    "repeated fly-tipping in the lay-by",
    "hate incidents against a family",
];
/// Meeting series the demo sets up, and weeks between meetings of each.
const SERIES: &[(&str, i64)] = &[("jag", 4), ("rag", 13), ("psf", 26)];

/// Generates `sizes` worth of users, cases and meetings into a store that
/// already holds the demo partnership.
pub async fn generate(store: &Store, sizes: Sizes, now: DateTime<Utc>) -> anyhow::Result<Generated> {
    let mut rng = StdRng::seed_from_u64(sizes.seed);
    let mut out = Generated::default();
    let officers = users(store, sizes.users, now, &mut rng, &mut out).await?;
    cases(store, &officers, sizes.cases, now, &mut rng, &mut out).await?;
    meetings(store, sizes.meeting_years, now, &mut out).await?;
    Ok(out)
}

/// Creates the missing users `officer.N@<agency>.example.org` over every
/// agency (mostly case officers, some viewers and managers); returns the
/// case officers' principals by agency.
async fn users(
    store: &Store,
    count: usize,
    now: DateTime<Utc>,
    rng: &mut StdRng,
    out: &mut Generated,
) -> anyhow::Result<Vec<(AgencyCode, Vec<Principal>)>> {
    let agencies = store.agencies().await?;
    anyhow::ensure!(!agencies.is_empty(), "generate: no agencies; run `safetynet demo` on this database first");
    let operator = Principal::operator();
    let permit = operator.permit::<ManageUsers>()?;
    let actor = Actor { principal: &operator, at_ms: now.timestamp_millis(), source: "generate" };
    let password_hash = crate::demo::demo_hash().await?;
    let mut officers: Vec<(AgencyCode, Vec<Principal>)> =
        agencies.iter().map(|a| (a.code.clone(), Vec::new())).collect();
    for n in 0..count {
        let slot = n % agencies.len();
        let agency = &agencies[slot].code;
        let role = match n % 50 {
            0 => Role::CspManager,
            1..=5 => Role::AgencyViewer,
            _ => Role::CaseOfficer,
        };
        let name = format!("{} {}", FIRST[rng.gen_range(0..FIRST.len())], LAST[rng.gen_range(0..LAST.len())]);
        let email = Email::parse(&format!("officer.{n}@{}.example.org", agency.as_str().to_lowercase()))?;
        let id = match store.user_id_by_email(&email).await? {
            Some(id) => id,
            None => {
                let user = NewUser {
                    email,
                    display_name: name,
                    agency: agency.clone(),
                    roles: vec![role],
                    password_hash: password_hash.clone(),
                };
                out.users += 1;
                store.create_user(&permit, &user, &actor).await?
            }
        };
        if role == Role::CaseOfficer {
            if let Some(p) = store.principal(&id, AuthMethod::Operator).await? {
                officers[slot].1.push(p);
            }
        }
    }
    Ok(officers)
}

/// Opens `count` cases round the agencies that hold incidents (and have a
/// case officer), each over up to three of the agency's own incidents and
/// shared with the police (or, for the police, the council), dated over
/// the five years before `now`.
async fn cases(
    store: &Store,
    officers: &[(AgencyCode, Vec<Principal>)],
    count: usize,
    now: DateTime<Utc>,
    rng: &mut StdRng,
    out: &mut Generated,
) -> anyhow::Result<()> {
    let per_agency_links = 3 * count.div_ceil(officers.len().max(1));
    let mut holders = Vec::new();
    for (agency, people) in officers {
        let Some(first) = people.first() else { continue };
        let actor = Actor { principal: first, at_ms: now.timestamp_millis(), source: "generate" };
        let (own, _) = store
            .incidents(&first.permit::<ViewRecords>()?, &IncidentFilter::default(), per_agency_links as i64, 0, &actor)
            .await?;
        let own: Vec<String> = own.into_iter().filter(|i| i.owner_agency == agency.as_str()).map(|i| i.id).collect();
        if !own.is_empty() {
            holders.push((agency, people, own));
        }
    }
    anyhow::ensure!(
        count == 0 || !holders.is_empty(),
        "generate: no agency with a case officer holds incidents; import incidents first"
    );
    for n in 0..count {
        let (agency, people, own) = &holders[n % holders.len()];
        let officer = &people[rng.gen_range(0..people.len())];
        let round = n / holders.len();
        let take = 1 + n % 3;
        let incidents: Vec<String> = own.iter().cycle().skip(round * 3).take(take.min(own.len())).cloned().collect();
        let place = PLACES[rng.gen_range(0..PLACES.len())];
        let problem = PROBLEMS[rng.gen_range(0..PROBLEMS.len())];
        let new = NewCase {
            title: format!("{place}: {problem}"),
            problem: format!("Generated case {n}: {problem} around {place}, reported more than once."),
            incidents,
            lead_officer_id: None,
        };
        let partner = if agency.as_str() == "HERTS-POLICE" { "SACDC" } else { "HERTS-POLICE" };
        let opened = now - Duration::minutes(rng.gen_range(0..5 * 365 * 24 * 60));
        let subject = format!("{} {}", FIRST[rng.gen_range(0..FIRST.len())], LAST[rng.gen_range(0..LAST.len())]);
        work_up_case(store, officer, &new, partner, &subject, opened).await?;
        out.cases += 1;
    }
    Ok(())
}

/// Schedules each demo series' meetings over the `years` before today (a
/// JAG every four weeks, a RAG each quarter, a forum twice a year), each
/// with three actions for the council, the police and the fire service;
/// actions due before today are done. Days that already have a meeting of
/// the series are left as they are.
async fn meetings(store: &Store, years: u32, now: DateTime<Utc>, out: &mut Generated) -> anyhow::Result<()> {
    let manager = principal(store, "csp.manager@stalbans.gov.uk").await?;
    let permit = manager.permit::<ManagePartnershipWork>()?;
    let actor = Actor { principal: &manager, at_ms: now.timestamp_millis(), source: "generate" };
    let today = london_date(now);
    let first = today - Duration::days(365 * i64::from(years));
    for (series, weeks) in SERIES {
        let held_on: Vec<_> = store.meetings(Some(series)).await?.into_iter().map(|m| m.held_on).collect();
        let mut held = first;
        while held < today {
            if held_on.contains(&held) {
                held += Duration::weeks(*weeks);
                continue;
            }
            let meeting = store.schedule_meeting(&permit, series, held, "Council Offices, St Albans", &actor).await?;
            out.meetings += 1;
            for (i, owner) in ["SACDC", "HERTS-POLICE", "HFRS"].iter().enumerate() {
                let due = held + Duration::days(14 + 7 * i as i64);
                let action = NewAction {
                    title: format!("Action {} from the {series} meeting of {held}", i + 1),
                    owner_agency: (*owner).into(),
                    owner_name: "Community Safety Team".into(),
                    due_on: due,
                };
                let added = store.add_action(&permit, &meeting.id, &action, &actor).await?;
                out.actions += 1;
                if due < today {
                    store.update_action(&permit, &added.id, ActionStatus::Done, "Done", "", due, &actor).await?;
                }
            }
            held += Duration::weeks(*weeks);
        }
    }
    Ok(())
}
