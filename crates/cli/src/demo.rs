//! `safetynet demo`: a working St Albans City and District CSP on SQLite,
//! with its agencies (as named in the 2024-2027 strategy), a demo user for
//! every role, and the bundled police.uk extract. Safe to run again: it
//! reuses the database and adds only what is missing.

use crate::config::Config;
use crate::import::{import_police_uk, NoProgress, Source};
use anyhow::Context;
use include_dir::{include_dir, Dir};
use safetynet_domain::clock::SharedClock;
use safetynet_domain::partnership::{Agency, AgencyCode, AgencyKind, Email, Partnership};
use safetynet_domain::policy::{ManageAgencies, ManageUsers, Principal};
use safetynet_domain::powers::Sector;
use safetynet_domain::role::Role;
use safetynet_store::users::{Actor, NewUser};
use safetynet_store::{DatabaseUrl, Store};
use std::path::Path;

/// The St Albans police.uk extract (OGL v3.0; see its SOURCE.txt).
static POLICE_UK: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/../../data/police-uk/st-albans");

/// The demo password for every demo account (printed at start-up).
pub const DEMO_PASSWORD: &str = "safetynet-demo-2024";

/// Agencies of the St Albans CSP, from the strategy's membership list,
/// with the sector that decides which enforcement powers each holds.
pub const AGENCIES: &[(&str, &str, AgencyKind, Sector)] = &[
    ("SACDC", "St Albans City & District Council", AgencyKind::ResponsibleAuthority, Sector::Council),
    ("HERTS-POLICE", "Hertfordshire Constabulary", AgencyKind::ResponsibleAuthority, Sector::Police),
    ("HFRS", "Hertfordshire Fire & Rescue Service", AgencyKind::ResponsibleAuthority, Sector::Fire),
    ("PROBATION", "National Probation Service", AgencyKind::ResponsibleAuthority, Sector::Probation),
    ("HV-CCG", "Herts Valleys Clinical Commissioning Group", AgencyKind::ResponsibleAuthority, Sector::Health),
    ("HCC", "Hertfordshire County Council", AgencyKind::ResponsibleAuthority, Sector::Council),
    ("HCC-SFYP", "HCC Services for Young People", AgencyKind::Partner, Sector::YouthServices),
    ("HERTS-PCC", "Hertfordshire Police & Crime Commissioner", AgencyKind::Partner, Sector::Other),
    ("BTP", "British Transport Police", AgencyKind::Partner, Sector::Police),
    ("GTR", "Govia Thameslink", AgencyKind::Partner, Sector::Other),
    ("CPS", "Crown Prosecution Service", AgencyKind::Partner, Sector::Prosecutor),
    ("HMCTS-CH", "Central Herts Magistrates Bench", AgencyKind::Partner, Sector::Other),
    ("HCC-TS", "Hertfordshire County Council Trading Standards", AgencyKind::Partner, Sector::Council),
    ("HCC-HWY", "Hertfordshire County Council Highways", AgencyKind::Partner, Sector::Council),
    ("HOUSING", "Housing Associations", AgencyKind::Partner, Sector::HousingProvider),
    ("OAKLANDS", "Oaklands College", AgencyKind::Partner, Sector::Other),
    ("CGL", "CGL (Change, Grow, Live)", AgencyKind::Partner, Sector::Health),
    ("LIVING-ROOM", "The Living Room", AgencyKind::Partner, Sector::Other),
    ("SAFER-PLACES", "Safer Places", AgencyKind::Partner, Sector::Other),
    ("COMMUNITIES-1ST", "Communities 1st", AgencyKind::Partner, Sector::Other),
];

/// Demo accounts: (email, name, agency, role).
pub const USERS: &[(&str, &str, &str, Role)] = &[
    ("admin@stalbans.gov.uk", "Alex Admin", "SACDC", Role::PartnershipAdmin),
    ("csp.manager@stalbans.gov.uk", "Morgan Manager", "SACDC", Role::CspManager),
    ("asb.officer@stalbans.gov.uk", "Sam Okafor", "SACDC", Role::CaseOfficer),
    ("pc.neighbourhood@herts.police.uk", "PC Jo Patel", "HERTS-POLICE", Role::CaseOfficer),
    ("viewer@hertsfire.gov.uk", "Riley Viewer", "HFRS", Role::AgencyViewer),
    ("safe.and.well@hertsfire.gov.uk", "Dana Whitfield", "HFRS", Role::CaseOfficer),
    ("auditor@stalbans.gov.uk", "Avery Auditor", "SACDC", Role::Auditor),
];

/// Seeds the partnership, agencies, demo users and police.uk sample into
/// `store`, adding only what is missing.
pub async fn seed(store: &Store, now_ms: i64) -> anyhow::Result<()> {
    seed_partnership(store, now_ms).await?;
    let summary = import_sample(store, now_ms).await?;
    if summary.imported > 0 {
        println!("Imported {} police.uk rows for St Albans (2021-01 to 2022-01).", summary.imported);
    }
    seed_gazetteer(store, now_ms).await?;
    Ok(())
}

/// Loads the bundled sample gazetteer (synthetic St Albans addresses, see
/// `data/gazetteer/SOURCE.txt`) so that places can be found by address;
/// a repeat changes nothing.
pub async fn seed_gazetteer(store: &Store, now_ms: i64) -> anyhow::Result<()> {
    let sample = include_str!("../../../data/gazetteer/st-albans-sample.csv");
    let read = crate::import_gazetteer::read_gazetteer(sample.as_bytes(), "st-albans-sample.csv")?;
    let operator = Principal::operator();
    store.load_gazetteer(&read.entries, &Actor { principal: &operator, at_ms: now_ms, source: "demo" }).await?;
    Ok(())
}

/// Imports the bundled St Albans police.uk extract (idempotent).
pub async fn import_sample(store: &Store, now_ms: i64) -> anyhow::Result<crate::import::ImportSummary> {
    let mut sources = Vec::new();
    embedded_csv(&POLICE_UK, &mut sources);
    sources.sort_by_key(Source::name);
    Ok(import_police_uk(store, &sources, &Principal::operator(), "demo", now_ms, &NoProgress).await?)
}

/// Seeds the partnership, its agencies and one demo user per role (all with
/// [`DEMO_PASSWORD`]), adding only what is missing.
pub async fn seed_partnership(store: &Store, now_ms: i64) -> anyhow::Result<()> {
    let operator = Principal::operator();
    if store.partnership().await?.is_none() {
        let p = Partnership {
            name: "St Albans City and District Community Safety Partnership".into(),
            lad_codes: vec!["E07000240".into()],
        };
        store.set_partnership(&p, &Actor { principal: &operator, at_ms: now_ms, source: "demo" }).await?;
        store.set_partnership_area(&safetynet_domain::geo::BoundingBox::ST_ALBANS).await?;
        let boundary = include_str!("../../../data/boundaries/st-albans-lad.geojson");
        let (areas, _) =
            safetynet_domain::areas::read_areas(boundary, "lad20cd", "lad20nm").map_err(anyhow::Error::msg)?;
        let operator = Principal::operator();
        store
            .save_areas(
                safetynet_domain::areas::Level::Lad,
                &areas,
                &Actor { principal: &operator, at_ms: now_ms, source: "demo" },
            )
            .await?;
    }
    let existing: Vec<String> = store.agencies().await?.into_iter().map(|a| a.code.to_string()).collect();
    let permit = operator.permit::<ManageAgencies>()?;
    for (code, name, kind, sector) in AGENCIES {
        if !existing.iter().any(|c| c == code) {
            let agency =
                Agency { code: AgencyCode::parse(code)?, name: (*name).into(), kind: *kind, sector: Some(*sector) };
            store.save_agency(&permit, &agency, now_ms, "demo").await?;
        }
    }
    let permit = operator.permit::<ManageUsers>()?;
    let actor = Actor { principal: &operator, at_ms: now_ms, source: "demo" };
    for (email, name, agency, role) in USERS {
        let email = Email::parse(email)?;
        if store.user_id_by_email(&email).await?.is_some() {
            continue;
        }
        let password_hash = demo_hash().await?;
        let user = NewUser {
            email,
            display_name: (*name).into(),
            agency: AgencyCode::parse(agency)?,
            roles: vec![*role],
            password_hash,
        };
        store.create_user(&permit, &user, &actor).await?;
    }
    Ok(())
}

/// The demo password's hash, computed once per process (production hashes
/// each get their own salt; demo accounts share one so start-up is quick).
pub(crate) async fn demo_hash() -> anyhow::Result<String> {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    let h = HASH
        .get_or_try_init(|| async {
            tokio::task::spawn_blocking(|| safetynet_domain::password::hash_password(DEMO_PASSWORD))
                .await?
                .map_err(anyhow::Error::from)
        })
        .await?;
    Ok(h.clone())
}

fn embedded_csv(dir: &'static Dir<'static>, out: &mut Vec<Source>) {
    for f in dir.files().filter(|f| f.path().extension().is_some_and(|e| e == "csv")) {
        out.push(Source::Embedded(format!("st-albans/{}", f.path().display()), f.contents()));
    }
    for d in dir.dirs() {
        embedded_csv(d, out);
    }
}

/// Runs the demo server.
pub async fn run(
    config: &Config,
    data_dir: &Path,
    database_url: Option<String>,
    clock: SharedClock,
) -> anyhow::Result<()> {
    let url = match database_url.or_else(|| config.database_url.value.clone()) {
        Some(u) => DatabaseUrl::parse(&u)?,
        None => {
            std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create {}", data_dir.display()))?;
            DatabaseUrl::parse(&format!("sqlite://{}", data_dir.join("safetynet.db").display()))?
        }
    };
    // The audit key: the configured file, else beside the database
    // (`safetynet.db.audit-key`), created with mode 0600 the first time.
    let key_file = config.audit_key_file_for(&url)?.value;
    let store = crate::db::open_with_key(&url, &key_file, crate::db::KeyUse::Create).await?;
    seed(&store, clock.now().timestamp_millis()).await?;
    crate::demo_cases::seed_cases(&store, clock.now()).await?;
    crate::demo_strategy::seed_strategy(&store, clock.now()).await?;
    crate::demo_meetings::seed_tasking(&store, clock.clone()).await?;
    crate::demo_daily::seed_police_daily(&store, clock.now()).await?;
    crate::demo_programmes::seed_programmes(&store, clock.now()).await?;
    crate::demo_public::seed_public_reporting(&store, clock.now()).await?;
    let mut config = config.clone();
    crate::demo_daily::demo_sharing(&mut config.police_daily);
    let config = &config;
    println!("Database: {}", url.redacted());
    println!("Audit key file: {}", key_file.display());
    println!("Demo sign-ins (password for all: {DEMO_PASSWORD}):");
    for (email, _, agency, role) in USERS {
        println!("  {email:<34} {agency:<13} {}", role.label());
    }
    crate::serve::serve(store, config, clock).await
}
