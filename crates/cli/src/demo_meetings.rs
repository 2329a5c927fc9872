//! Demo partnership tasking: the St Albans population and deprivation
//! extract (for rates per 1,000 residents), the JAG, RAG and a Priority
//! Setting Forum with meetings either side of today, actions carried between
//! them, three operations (two ended and evaluated against the bundled
//! police.uk data, one running now) and a residents' survey with responses.
//! People and figures in actions are invented. Seeded once.

use crate::demo_cases::principal;
use anyhow::Context;
use chrono::{DateTime, Days, NaiveDate, Utc};
use safetynet_domain::clock::SharedClock;
use safetynet_domain::meeting::{ActionStatus, MeetingKind};
use safetynet_domain::operation::Zone;
use safetynet_domain::policy::{ManagePartnershipWork, Principal};
use safetynet_domain::token::hash_secret;
use safetynet_domain::uk_time::london_date;
use safetynet_store::meetings::NewAction;
use safetynet_store::operations::NewOperation;
use safetynet_store::users::Actor;
use safetynet_store::Store;

const IMD: &str = include_str!("../../../data/imd2019/st-albans-imd.csv");
const POPULATION: &str = include_str!("../../../data/imd2019/st-albans-population.csv");

/// Survey priorities and areas (places residents name).
const PRIORITIES: &[&str] = &[
    "Anti-social behaviour",
    "Speeding and road safety",
    "Drug dealing",
    "Burglary",
    "Fly-tipping",
    "Violence against women and girls",
    "Knife crime",
    "Noise",
];
const AREAS: &[&str] = &[
    "St Albans city",
    "Harpenden",
    "London Colney",
    "Redbourn",
    "Wheathampstead",
    "Park Street and How Wood",
    "Bricket Wood",
    "Sandridge",
    "Colney Heath",
    "Chiswell Green",
];

fn day(today: NaiveDate, offset: i64) -> NaiveDate {
    if offset >= 0 {
        today.checked_add_days(Days::new(offset.unsigned_abs())).unwrap_or(today)
    } else {
        today.checked_sub_days(Days::new(offset.unsigned_abs())).unwrap_or(today)
    }
}

fn d(s: &str) -> anyhow::Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("bad demo date {s}"))
}

/// Loads the bundled LSOA population and deprivation figures if none are held.
pub async fn seed_area_stats(store: &Store, now_ms: i64) -> anyhow::Result<()> {
    if !store.area_stats().await?.is_empty() {
        return Ok(());
    }
    let (stats, _) = crate::import_imd::read_texts(IMD, POPULATION)?;
    let operator = Principal::operator();
    store.save_area_stats(&stats, &Actor { principal: &operator, at_ms: now_ms, source: "demo" }).await?;
    Ok(())
}

/// Seeds meetings, actions, operations and a survey once (when no meeting
/// series exists yet).
pub async fn seed_tasking(store: &Store, clock: SharedClock) -> anyhow::Result<()> {
    let now: DateTime<Utc> = clock.now();
    seed_area_stats(store, now.timestamp_millis()).await?;
    if !store.series().await?.is_empty() {
        return Ok(());
    }
    let manager = principal(store, "csp.manager@stalbans.gov.uk").await?;
    let permit = manager.permit::<ManagePartnershipWork>()?;
    let actor = Actor { principal: &manager, at_ms: now.timestamp_millis(), source: "demo" };
    let today = london_date(now);
    store.save_series(&permit, "jag", MeetingKind::Jag, "St Albans Joint Agency Group", None, &actor).await?;
    store
        .save_series(&permit, "rag", MeetingKind::Rag, "St Albans Responsible Authorities Group", None, &actor)
        .await?;
    store
        .save_series(&permit, "psf", MeetingKind::Psf, "St Albans District Priority Setting Forum", None, &actor)
        .await?;
    let council = "Council Offices, St Peter's Street, St Albans";
    let jag_before = store.schedule_meeting(&permit, "jag", day(today, -28), council, &actor).await?;
    let jag_next = store.schedule_meeting(&permit, "jag", day(today, 7), council, &actor).await?;
    store.schedule_meeting(&permit, "rag", day(today, -90), council, &actor).await?;
    store.schedule_meeting(&permit, "rag", day(today, 21), council, &actor).await?;
    let psf_before = store.schedule_meeting(&permit, "psf", day(today, -120), "Harpenden Public Halls", &actor).await?;
    store.schedule_meeting(&permit, "psf", day(today, 35), "Alban Arena, St Albans", &actor).await?;
    for email in ["csp.manager@stalbans.gov.uk", "asb.officer@stalbans.gov.uk", "pc.neighbourhood@herts.police.uk"] {
        let p = principal(store, email).await?;
        store.add_attendee(&permit, &jag_next.id, Some(&p.user_id), "", "", false, &actor).await?;
    }
    store
        .add_attendee(
            &permit,
            &jag_next.id,
            None,
            "Station Commander Dee Marsh",
            "Hertfordshire Fire & Rescue Service",
            false,
            &actor,
        )
        .await?;
    store.add_attendee(&permit, &jag_next.id, None, "Kit Moreno", "Hertfordshire Youth Service", true, &actor).await?;
    let action = |title: &str, owner: &str, name: &str, due: i64| NewAction {
        title: title.into(),
        owner_agency: owner.into(),
        owner_name: name.into(),
        due_on: day(today, due),
    };
    store
        .add_action(
            &permit,
            &jag_before.id,
            &action("Deploy a fly-tipping camera at the Ver Valley lay-by", "SACDC", "Environmental Protection", -7),
            &actor,
        )
        .await?;
    store
        .add_action(
            &permit,
            &jag_before.id,
            &action("Joint evening patrols in Clarence Park", "HERTS-POLICE", "Neighbourhood Sergeant", 5),
            &actor,
        )
        .await?;
    let done = store
        .add_action(
            &permit,
            &jag_before.id,
            &action("Safe and Well referrals for the two hoarding addresses", "HFRS", "Community Safety Team", -14),
            &actor,
        )
        .await?;
    store
        .update_action(&permit, &done.id, ActionStatus::Done, "Both visits completed", "", day(today, -10), &actor)
        .await?;
    let said = store
        .add_action(
            &permit,
            &psf_before.id,
            &action("Residents raised speeding on the Harpenden Road", "HERTS-POLICE", "Road Safety", -60),
            &actor,
        )
        .await?;
    store
        .update_action(
            &permit,
            &said.id,
            ActionStatus::Done,
            "",
            "Speed checks on six evenings; 41 drivers warned and 9 reported",
            day(today, -30),
            &actor,
        )
        .await?;
    seed_operations(store, clock, &manager, today).await?;
    seed_survey(store, &manager, today, now.timestamp_millis()).await
}

async fn seed_operations(
    store: &Store,
    clock: SharedClock,
    manager: &Principal,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let permit = manager.permit::<ManagePartnershipWork>()?;
    let now_ms = clock.now().timestamp_millis();
    let actor = Actor { principal: manager, at_ms: now_ms, source: "demo" };
    let circle = |lat: f64, lon: f64, radius_m: f64| Zone::Circle { lon, lat, radius_m };
    let ops = [
        NewOperation {
            name: "Operation Lantern: city centre night-time violence".into(),
            prompted_by: "Violence and public order hot spots around St Peter's Street and Victoria Street on weekend nights (spring 2021)".into(),
            prompted_link: "/analysis?type=Violence+and+sexual+offences".into(),
            target: circle(51.7503, -0.3371, 500.0),
            buffer_m: 500.0,
            control: None,
            crime_types: vec!["Violence and sexual offences".into(), "Public order".into()],
            starts_on: d("2021-06-01")?,
            ends_on: d("2021-08-31")?,
            lead_agency: Some("HERTS-POLICE".into()),
            agencies: vec!["SACDC".into()],
        },
        NewOperation {
            name: "Operation Harbour: Harpenden burglary".into(),
            prompted_by: "Burglary above its expected range in Harpenden (weekly trends, September 2021)".into(),
            prompted_link: "/analysis?type=Burglary".into(),
            target: circle(51.8160, -0.3570, 1000.0),
            buffer_m: 500.0,
            control: None,
            crime_types: vec!["Burglary".into()],
            starts_on: d("2021-10-01")?,
            ends_on: d("2021-12-31")?,
            lead_agency: Some("HERTS-POLICE".into()),
            agencies: vec!["SACDC".into(), "HFRS".into()],
        },
        NewOperation {
            name: "Clarence Park evening ASB".into(),
            prompted_by: "Repeat ASB reports from residents around Clarence Park raised at the JAG".into(),
            prompted_link: String::new(),
            target: circle(51.7560, -0.3280, 300.0),
            buffer_m: 300.0,
            control: None,
            crime_types: vec!["Anti-social behaviour".into()],
            starts_on: day(today, -14),
            ends_on: day(today, 30),
            lead_agency: Some("SACDC".into()),
            agencies: vec!["HERTS-POLICE".into(), "HCC-SFYP".into()],
        },
    ];
    for op in &ops {
        let stored = store.create_operation(&permit, op, &actor).await?;
        if op.ends_on < today {
            safetynet_app::evaluation::evaluate_and_save(store, &stored, &actor)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        } else {
            store
                .add_operation_task(
                    &permit,
                    &stored.id,
                    "Youth outreach sessions on Friday evenings",
                    "HCC-SFYP",
                    day(today, 3),
                    &actor,
                )
                .await?;
            store
                .add_operation_task(
                    &permit,
                    &stored.id,
                    "Extra lighting survey with the park team",
                    "SACDC",
                    day(today, 10),
                    &actor,
                )
                .await?;
        }
    }
    Ok(())
}

async fn seed_survey(store: &Store, manager: &Principal, today: NaiveDate, now_ms: i64) -> anyhow::Result<()> {
    let permit = manager.permit::<ManagePartnershipWork>()?;
    let actor = Actor { principal: manager, at_ms: now_ms, source: "demo" };
    let list = |xs: &[&str]| xs.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    let s = store
        .create_survey(
            &permit,
            "psf",
            "Your community safety priorities for 2027",
            &list(PRIORITIES),
            &list(AREAS),
            day(today, -30),
            day(today, 30),
            &actor,
        )
        .await?;
    // Deterministic "random" responses: a linear congruential generator.
    let mut x: u64 = 20_240_401;
    let mut next = |n: usize| {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((x >> 33) as usize) % n
    };
    for i in 0..90 {
        // Most responses from the city and Harpenden; a few from small villages.
        let area = AREAS[[0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9][next(13)]];
        let mut ranking: Vec<String> = Vec::new();
        while ranking.len() < 3 {
            let weighted = [0, 0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 6, 7][next(13)];
            let p = PRIORITIES[weighted].to_string();
            if !ranking.contains(&p) {
                ranking.push(p);
            }
        }
        let voter = hash_secret(&format!("demo-voter-{i}"));
        let source = hash_secret(&format!("demo-network-{}", i % 40));
        store.respond(&s.id, area, &ranking, &voter, &source, today, now_ms).await?;
    }
    Ok(())
}
