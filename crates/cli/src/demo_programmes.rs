//! The demo's programme records (invented): County Lines and Healthy
//! Relationships sessions in the district's schools and fire safety talks
//! at the college; Safe and Well, youth offer, No More and Phoenix
//! referrals with their answers; and the council's register of taxi and
//! private hire drivers with their DBS checks, a few due or overdue. The
//! strategy's measures are counted from these.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use safetynet_domain::fixed_penalty::{FpnBasis, FpnLimits};
use safetynet_domain::fly_tipping::{
    ActionOutcome, CameraRemoval, CourtResult, EnforcementAction, LandType, NewAction, NewCamera, NewFlyTip, TipSize,
    WasteType,
};
use safetynet_domain::noise::{NewBooking, NewEquipment, NewNoiseVisit};
use safetynet_domain::policy::{EditRecords, Principal};
use safetynet_domain::premises::{NewPremises, NewVisit, PremisesKind, RiskBand, VisitKind};
use safetynet_domain::referrals::{ConsentBy, NewReferral, Programme, ReferralReason, ReferralStatus, ReferralUpdate};
use safetynet_domain::schools::{NewSchoolSession, Topic};
use safetynet_domain::taxi::{DbsResult, LicenceKind, NewConcern, NewDbsCheck, NewDriver};
use safetynet_domain::uk_time::{london_date, london_midnight};
use safetynet_domain::vawg::{NewLearningAction, NewPanel};
use safetynet_domain::vigilance::{CheckedBy, FireRisk, NewVigilanceCheck};
use safetynet_store::incidents::{IncidentFilter, Submitted};
use safetynet_store::users::Actor;
use safetynet_store::Store;

/// (school, days ago, topic, pupils, agency).
const SESSIONS: &[(&str, i64, Topic, u32, &str)] = &[
    ("Sandringham School", 400, Topic::CountyLines, 210, "SACDC"),
    ("Verulam School", 350, Topic::CountyLines, 180, "SACDC"),
    ("St Albans Girls' School", 300, Topic::CountyLines, 190, "SACDC"),
    ("Marlborough Science Academy", 240, Topic::CountyLines, 160, "SACDC"),
    ("Beaumont School", 150, Topic::CountyLines, 200, "HERTS-POLICE"),
    ("Samuel Ryder Academy", 90, Topic::CountyLines, 140, "SACDC"),
    ("Sir John Lawes School", 40, Topic::CountyLines, 175, "HERTS-POLICE"),
    ("Sandringham School", 35, Topic::CountyLines, 60, "SACDC"),
    ("Loreto College", 320, Topic::HealthyRelationships, 120, "SACDC"),
    ("Townsend CofE School", 260, Topic::HealthyRelationships, 95, "SACDC"),
    ("Nicholas Breakspear School", 120, Topic::HealthyRelationships, 110, "SACDC"),
    ("Roundwood Park School", 60, Topic::HealthyRelationships, 130, "SACDC"),
    ("Oaklands College", 280, Topic::ArsonAwareness, 85, "HFRS"),
    ("Oaklands College", 200, Topic::DriverSafety, 140, "HFRS"),
    ("Oaklands College", 30, Topic::DriverSafety, 120, "HFRS"),
    ("St George's School", 75, Topic::OnlineSafety, 150, "HERTS-POLICE"),
    ("Cottonmill estate", 70, Topic::DetachedYouthWork, 14, "HCC-SFYP"),
    ("Clarence Park", 42, Topic::DetachedYouthWork, 22, "HCC-SFYP"),
    ("Marshalswick shops", 21, Topic::DetachedYouthWork, 9, "HCC-SFYP"),
    ("Cottonmill estate", 7, Topic::DetachedYouthWork, 17, "HCC-SFYP"),
];

/// Referrals, one per line: from | programme | to | name | born | reason |
/// days ago | answer | days until answered | achieved | outcome.
const REFERRALS: &str = "\
SACDC|safe_and_well|HFRS|Edith Marchbank||new_tenancy|200|completed|12|no|Visit done: two smoke alarms fitted, escape plan agreed.
SACDC|safe_and_well|HFRS|Walter Pennington||new_tenancy|150|completed|9|no|Visit done: alarm fitted; referred to Herts Help for a benefits check.
SACDC|safe_and_well|HFRS|Rosa Delacourt||new_tenancy|40|completed|14|no|Visit done: electric blanket replaced, alarm tested.
SACDC|safe_and_well|HFRS|Harold Finch-Ayres||new_tenancy|6||0|no|
HERTS-POLICE|safe_and_well|HFRS|Margaret Oyelaran||vulnerability|120|completed|10|no|Visit done: hoarding noted; joint visit with adult social care booked.
HERTS-POLICE|safe_and_well|HFRS|Dennis Quilliam||fire_risk|25|accepted|3|no|
HERTS-POLICE|safe_and_well|HFRS|Agnes Thorley||domestic_abuse|18|declined|4|no|She moved to a refuge out of county before the visit; the refuge's fire safety checks apply.
SACDC|youth_offer|HCC-SFYP|Kai Brennan|2010-03-14|asb|160|accepted|7|no|
HERTS-POLICE|youth_offer|HCC-SFYP|Leon Mbeki|2009-11-02|exploitation|80|completed|45|no|Attended 10 weekly sessions at the youth centre; now volunteering there.
HERTS-POLICE|youth_offer|HCC-SFYP|Tyler Ashgrove|2011-06-21|asb|12||0|no|
HERTS-POLICE|no_more|SACDC|Jordan Pryce|2008-01-30|knife_crime|130|accepted|5|no|
HCC-SFYP|no_more|SACDC|Marcus Ellery|2009-09-09|knife_crime|70|completed|60|no|Mentoring finished; back in full-time education.
HERTS-POLICE|phoenix|SACDC|Priya Hallworth||domestic_abuse|210|completed|150|yes|Finished the course; now employed by Morgan Sindell as a site administrator.
SACDC|phoenix|SACDC|Joanne Carrow||domestic_abuse|190|completed|140|no|Finished the mentoring; not yet in work, signposted to adult learning.
SACDC|life|HFRS|Callum Dray|2012-02-17|fire_risk|100|completed|30|no|Completed the LiFE course week at the fire station.
";

/// A driver: (licence number, name, kind, licence ends in days, last check
/// days ago, trained days ago).
type DemoDriver = (&'static str, &'static str, LicenceKind, i64, Option<i64>, Option<i64>);

const DRIVERS: &[DemoDriver] = &[
    ("HC/2023/0101", "Abdul Rahman Siddiqui", LicenceKind::HackneyCarriage, 400, Some(20), Some(300)),
    ("HC/2023/0102", "Brian Kettering", LicenceKind::HackneyCarriage, 210, Some(45), Some(280)),
    ("HC/2024/0110", "Chidi Okonkwo", LicenceKind::Dual, 600, Some(60), Some(200)),
    ("PH/2022/0411", "Daniela Rusu", LicenceKind::PrivateHire, 90, Some(75), Some(500)),
    ("PH/2023/0412", "Eamon Gallagher", LicenceKind::PrivateHire, 330, Some(100), Some(320)),
    ("PH/2023/0413", "Farhan Qureshi", LicenceKind::PrivateHire, 500, Some(120), None),
    ("PH/2024/0420", "Gareth Lloyd-Evans", LicenceKind::PrivateHire, 700, Some(30), Some(60)),
    ("PH/2024/0421", "Hannah Whitcombe", LicenceKind::PrivateHire, 650, Some(15), Some(90)),
    ("PH/2024/0422", "Imran Chaudhry", LicenceKind::Dual, 560, Some(160), Some(150)),
    ("PH/2024/0423", "Joseph Adeyemi", LicenceKind::PrivateHire, 480, Some(165), Some(400)),
    ("HC/2024/0111", "Karol Nowak", LicenceKind::HackneyCarriage, 300, Some(170), Some(250)),
    ("PH/2025/0430", "Luca Bianchi", LicenceKind::PrivateHire, 720, Some(10), Some(10)),
    ("PH/2025/0431", "Mohammed Al-Hassan", LicenceKind::PrivateHire, 690, Some(200), Some(180)),
    ("PH/2021/0390", "Norman Pilkington", LicenceKind::PrivateHire, -20, Some(250), Some(700)),
];

/// Seeds the programme records once (when no driver is on the register).
pub async fn seed_programmes(store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let today = london_date(now);
    let council = Principal::operator_for_agency("SACDC");
    let at = now.timestamp_millis();
    let council_actor = Actor { principal: &council, at_ms: at, source: "demo" };
    let view = council.permit()?;
    if !store.drivers(&view, today, None, &council_actor).await?.is_empty() {
        return Ok(());
    }
    let day = |ago: i64| today - Duration::days(ago);
    for (school, ago, topic, pupils, agency) in SESSIONS {
        let p = Principal::operator_for_agency(agency);
        let new = NewSchoolSession {
            school: (*school).into(),
            held_on: day(*ago),
            topic: *topic,
            pupils: *pupils,
            notes: String::new(),
        };
        store
            .add_school_session(
                &p.permit::<EditRecords>()?,
                &new,
                today,
                &Actor { principal: &p, at_ms: at, source: "demo" },
            )
            .await?;
    }
    for line in REFERRALS.lines() {
        seed_referral(store, line, today, at).await?;
    }
    seed_premises(store, today, at).await?;
    seed_noise(store, now, at).await?;
    seed_panels(store, today, at).await?;
    seed_fly_tipping(store, now).await?;
    seed_arson(store, now).await?;
    let edit = council.permit::<EditRecords>()?;
    for (number, name, kind, ends_in, checked_ago, trained_ago) in DRIVERS {
        let new = NewDriver {
            licence_number: (*number).into(),
            full_name: (*name).into(),
            licence_kind: *kind,
            licence_expires: today + Duration::days(*ends_in),
            update_service: true,
            safeguarding_trained_on: trained_ago.map(day),
        };
        let driver = store.add_driver(&edit, &new, today, &council_actor).await?;
        if *number == "PH/2023/0413" {
            let concern = NewConcern {
                raised_on: day(21),
                details: "A passenger reported sexualised comments on a late-night journey from the city centre; \
                          the driver has been interviewed and warned."
                    .into(),
                share_with: "HERTS-POLICE".into(),
                lawful_basis: "Crime and Disorder Act 1998 s115; DPA 2018 Sch 2 para 2".into(),
            };
            store.share_driver_concern(&edit, &driver.id, &concern, today, &council_actor).await?;
        }
        if let Some(ago) = checked_ago {
            for earlier in [*ago + 182, *ago] {
                let check = NewDbsCheck { checked_on: day(earlier), result: DbsResult::Clear, notes: String::new() };
                store.add_dbs_check(&edit, &driver.id, &check, today, &council_actor).await?;
            }
        }
    }
    Ok(())
}

async fn seed_referral(store: &Store, line: &str, today: NaiveDate, at: i64) -> anyhow::Result<()> {
    let f: Vec<&str> = line.split('|').collect();
    let [from, programme, to, name, born, reason, ago, answer, after, achieved, outcome] = f[..] else {
        anyhow::bail!("demo referral line has {} fields: {line}", f.len());
    };
    let unknown = |what: &str, v: &str| anyhow::anyhow!("demo referral: unknown {what} {v}");
    let programme = Programme::parse(programme).ok_or_else(|| unknown("programme", programme))?;
    let referrer = Principal::operator_for_agency(from);
    let referred_on = today - Duration::days(ago.parse()?);
    let new = NewReferral {
        programme,
        to_agency: to.into(),
        full_name: name.into(),
        date_of_birth: (!born.is_empty()).then(|| born.parse()).transpose()?,
        address: format!("{} Hatfield Road, St Albans", name.len() * 3),
        contact: String::new(),
        reason: ReferralReason::parse(reason).ok_or_else(|| unknown("reason", reason))?,
        details: String::new(),
        incident_id: None,
        consent: true,
        consent_by: Some(if programme.for_young_people() { ConsentBy::ParentOrGuardian } else { ConsentBy::Person }),
        referred_on,
    };
    let referral = store
        .refer(&referrer.permit()?, &new, today, &Actor { principal: &referrer, at_ms: at, source: "demo" })
        .await?;
    let Some(status) = ReferralStatus::parse(answer) else { return Ok(()) };
    let receiver = Principal::operator_for_agency(to);
    let actor = Actor { principal: &receiver, at_ms: at, source: "demo" };
    if status == ReferralStatus::Completed {
        let accepted = ReferralUpdate {
            status: ReferralStatus::Accepted,
            outcome: String::new(),
            achieved: false,
            on: referred_on,
        };
        store.update_referral(&receiver.permit()?, &referral.id, &accepted, today, &actor).await?;
    }
    let on = referred_on + Duration::days(after.parse()?);
    let update = ReferralUpdate { status, outcome: outcome.into(), achieved: achieved == "yes", on };
    store.update_referral(&receiver.permit()?, &referral.id, &update, today, &actor).await?;
    Ok(())
}

/// Premises, one per line: kind | name | address | latitude | longitude | band | licence.
const PREMISES: &str = "\
business|Oakwood Care Home|12 Sandpit Lane, St Albans|51.7612|-0.3195|very_high|
business|Verulam Court Hotel|3 Holywell Hill, St Albans|51.7489|-0.3399|high|
business|Sopwell Lane House (HMO)|41 Sopwell Lane, St Albans|51.7462|-0.3361|high|
business|Porters Wood Print Works|Unit 4, Porters Wood, St Albans|51.7687|-0.3262|medium|
business|Hatfield Road Self Storage|221 Hatfield Road, St Albans|51.7560|-0.3090|low|
business|Ridgeview Nursing Home|8 Ridgeview Close, Harpenden|51.8148|-0.3512|very_high|
licensed|The Clock Tower Tap|2 High Street, St Albans|51.7524|-0.3392||SA/PL/0112
licensed|Holywell Hill Social|30 Holywell Hill, St Albans|51.7497|-0.3405||SA/PL/0147
licensed|The Fleetville Arms|180 Hatfield Road, St Albans|51.7566|-0.3133||SA/PL/0203
licensed|Catherine Street Cellar Bar|9 Catherine Street, St Albans|51.7561|-0.3410||SA/PL/0219
licensed|The Abbey Gate|5 Abbey Mill Lane, St Albans|51.7478|-0.3452||SA/PL/0231
licensed|London Road Late Lounge|64 London Road, St Albans|51.7480|-0.3320||SA/PL/0256
licensed|Victoria Street Brewhouse|77 Victoria Street, St Albans|51.7520|-0.3300||SA/PL/0270
";

/// Visits, one per line: premises | kind | agency | days ago | staff trained | outcome.
const VISITS: &str = "\
Oakwood Care Home|fire_inspection|HFRS|150||Fire doors adjusted; night staffing plan reviewed.
Verulam Court Hotel|fire_inspection|HFRS|400||Compliant.
Sopwell Lane House (HMO)|fire_inspection|HFRS|800||Interlinked alarms required; landlord written to.
Porters Wood Print Works|fire_inspection|HFRS|300||Solvent store moved away from the exit.
Ridgeview Nursing Home|fire_inspection|HFRS|90||Evacuation drill observed; compliant.
The Clock Tower Tap|drink_spiking_advice|SACDC|200||Testing kits and posters given; door staff briefed.
Holywell Hill Social|drink_spiking_advice|SACDC|180||Testing kits given.
The Fleetville Arms|drink_spiking_advice|SACDC|170||Posters up; bar staff briefed.
Catherine Street Cellar Bar|drink_spiking_advice|HERTS-POLICE|120||Advice after a reported spiking.
London Road Late Lounge|drink_spiking_advice|SACDC|60||Testing kits given.
Victoria Street Brewhouse|drink_spiking_advice|SACDC|30||Posters and kits.
The Clock Tower Tap|safeguarding_training|SACDC|210|12|Ask for Angela and vulnerability training.
Holywell Hill Social|safeguarding_training|SACDC|160|8|Vulnerability training.
The Abbey Gate|safeguarding_training|HERTS-POLICE|100|6|WAVE training with door staff.
London Road Late Lounge|safeguarding_training|SACDC|55|10|Vulnerability training.
The Clock Tower Tap|vigilant_deployment|HERTS-POLICE|150||Overt patrol with licensees; two men moved on.
Catherine Street Cellar Bar|vigilant_deployment|HERTS-POLICE|150||Covert officers inside; nothing of note.
Holywell Hill Social|vigilant_deployment|HERTS-POLICE|120||Overt patrol.
London Road Late Lounge|vigilant_deployment|HERTS-POLICE|90||Man arrested for sexual assault outside.
The Fleetville Arms|vigilant_deployment|HERTS-POLICE|60||Overt patrol with the licensee.
Victoria Street Brewhouse|vigilant_deployment|HERTS-POLICE|25||Covert deployment; intelligence submitted.
The Clock Tower Tap|licensing_check|SACDC|40||Compliant with conditions.
London Road Late Lounge|noise_advice|SACDC|25||Complaints of bass from the smoking area: doors to close at 23:00, limiter set.
";

/// Seeds the premises register and its visits.
async fn seed_premises(store: &Store, today: NaiveDate, at: i64) -> anyhow::Result<()> {
    let council = Principal::operator_for_agency("SACDC");
    let actor = Actor { principal: &council, at_ms: at, source: "demo" };
    let mut ids = std::collections::HashMap::new();
    for line in PREMISES.lines() {
        let f: Vec<&str> = line.split('|').collect();
        let [kind, name, address, lat, lon, band, licence] = f[..] else {
            anyhow::bail!("demo premises line has {} fields: {line}", f.len());
        };
        let new = NewPremises {
            kind: PremisesKind::parse(kind).ok_or_else(|| anyhow::anyhow!("demo premises: kind {kind}"))?,
            name: name.into(),
            address: address.into(),
            latitude: Some(lat.parse()?),
            longitude: Some(lon.parse()?),
            risk_band: RiskBand::parse(band),
            licence_number: licence.into(),
        };
        let p = store.add_premises(&council.permit()?, &new, &actor).await?;
        ids.insert(name, p.id);
    }
    for line in VISITS.lines() {
        let f: Vec<&str> = line.split('|').collect();
        let [name, kind, agency, ago, trained, outcome] = f[..] else {
            anyhow::bail!("demo visit line has {} fields: {line}", f.len());
        };
        let visitor = Principal::operator_for_agency(agency);
        let visit = NewVisit {
            kind: VisitKind::parse(kind).ok_or_else(|| anyhow::anyhow!("demo visit: kind {kind}"))?,
            visited_on: today - Duration::days(ago.parse()?),
            outcome: outcome.into(),
            staff_trained: (!trained.is_empty()).then(|| trained.parse()).transpose()?,
            next_inspection_due: None,
        };
        let id = ids.get(name).ok_or_else(|| anyhow::anyhow!("demo visit: no premises {name}"))?;
        store
            .add_visit(&visitor.permit()?, id, &visit, today, &Actor { principal: &visitor, at_ms: at, source: "demo" })
            .await?;
    }
    Ok(())
}

/// Seeds three recording kits, two bookings to the demo's noise complaint
/// (one back, one out) and a night visit.
async fn seed_noise(store: &Store, now: DateTime<Utc>, at: i64) -> anyhow::Result<()> {
    let officer = crate::demo_cases::principal(store, "asb.officer@stalbans.gov.uk").await?;
    let actor = Actor { principal: &officer, at_ms: at, source: "demo" };
    let edit = officer.permit::<EditRecords>()?;
    let mut kits = Vec::new();
    for (tag, description) in [
        ("NB-01", "Noise-box, app-triggered"),
        ("NB-02", "Noise-box, app-triggered"),
        ("SLM-1", "Class 1 sound level meter"),
    ] {
        let new = NewEquipment { asset_tag: tag.into(), description: description.into() };
        kits.push(store.add_equipment(&edit, &new, &actor).await?);
    }
    let filter = IncidentFilter { category: None, text: Some("Loud music".into()) };
    let (found, _) = store.incidents(&officer.permit()?, &filter, 1, 0, &actor).await?;
    let Some(complaint) = found.first() else { return Ok(()) };
    let today = london_date(now);
    let day = |ago: i64| today - Duration::days(ago);
    let earlier = NewBooking { incident: complaint.reference.clone(), starts_on: day(28), due_back_on: day(14) };
    let back = store.book_equipment(&edit, &kits[0], &earlier, today, &actor).await?;
    store.return_equipment(&edit, &back.id, day(15), today, &actor).await?;
    let out = NewBooking {
        incident: complaint.reference.clone(),
        starts_on: day(3),
        due_back_on: today + Duration::days(11),
    };
    store.book_equipment(&edit, &kits[1], &out, today, &actor).await?;
    let visit = NewNoiseVisit {
        incident: complaint.reference.clone(),
        visited_at: london_midnight(day(20)) + Duration::minutes(23 * 60 + 40),
        witnessed: true,
        statutory_nuisance: false,
        notes: "Music audible in the complainant's bedroom; below nuisance level on this occasion.".into(),
    };
    store.add_noise_visit(&edit, &visit, now, &actor).await?;
    Ok(())
}

/// Seeds a VAWG scrutiny panel held last month, with a learning action
/// still open, and the next one.
async fn seed_panels(store: &Store, today: NaiveDate, at: i64) -> anyhow::Result<()> {
    let police = Principal::operator_for_agency("HERTS-POLICE");
    let actor = Actor { principal: &police, at_ms: at, source: "demo" };
    let edit = police.permit::<EditRecords>()?;
    let chair = "Chief Inspector, St Albans Neighbourhood Policing".to_string();
    let held = NewPanel {
        held_on: today - Duration::days(40),
        chair: chair.clone(),
        location: "St Albans police station".into(),
    };
    let last = store.add_panel(&edit, &held, today, &actor).await?;
    let action = NewLearningAction {
        title: "Remind response officers to record the victim's preferred contact method on every DA call".into(),
        owner_agency: "HERTS-POLICE".into(),
        due_on: today + Duration::days(20),
    };
    store.add_learning_action(&edit, &last.id, &action, &actor).await?;
    let next = NewPanel { held_on: today + Duration::days(50), chair, location: "St Albans police station".into() };
    store.add_panel(&edit, &next, today, &actor).await?;
    Ok(())
}

/// Fly-tipping sites: (where, latitude, longitude).
const TIP_SITES: &[(&str, f64, f64)] = &[
    ("Redbourn Road lay-by, Ver Valley", 51.7650, -0.3653),
    ("Colney Heath Lane, Colney Heath", 51.7341, -0.2574),
    ("Farm track off Tyttenhanger Green", 51.7337, -0.2853),
    ("Coleswood Road, Harpenden", 51.8052, -0.3410),
    ("Alban Way path, Fleetville", 51.7500, -0.3080),
];

/// A fly-tip: (days ago, site, land type, waste type, size, reported by the fire service).
type DemoTip = (i64, usize, LandType, WasteType, TipSize, bool);

const TIPS: &[DemoTip] = &[
    (300, 0, LandType::Highway, WasteType::OtherHousehold, TipSize::SmallVanLoad, false),
    (280, 1, LandType::Highway, WasteType::Construction, TipSize::TransitVanLoad, false),
    (250, 2, LandType::Agricultural, WasteType::Construction, TipSize::TipperLorryLoad, true),
    (230, 0, LandType::Highway, WasteType::BlackBagsHousehold, TipSize::CarBootOrLess, false),
    (200, 1, LandType::Highway, WasteType::Tyres, TipSize::SmallVanLoad, false),
    (170, 1, LandType::Highway, WasteType::Construction, TipSize::TransitVanLoad, false),
    (150, 4, LandType::FootpathBridleway, WasteType::BlackBagsHousehold, TipSize::SingleBlackBag, false),
    (140, 3, LandType::Agricultural, WasteType::Green, TipSize::SmallVanLoad, true),
    (120, 1, LandType::Highway, WasteType::WhiteGoods, TipSize::SingleItem, false),
    (100, 0, LandType::Highway, WasteType::OtherHousehold, TipSize::CarBootOrLess, false),
    (90, 2, LandType::Agricultural, WasteType::Asbestos, TipSize::SmallVanLoad, true),
    (75, 1, LandType::Highway, WasteType::Construction, TipSize::SignificantMultipleLoads, false),
    (60, 4, LandType::CouncilLand, WasteType::OtherElectrical, TipSize::SingleItem, false),
    (45, 1, LandType::Highway, WasteType::BlackBagsCommercial, TipSize::CarBootOrLess, false),
    (30, 0, LandType::Highway, WasteType::OtherHousehold, TipSize::SmallVanLoad, false),
    (20, 3, LandType::PrivateResidential, WasteType::Green, TipSize::CarBootOrLess, false),
    (12, 1, LandType::Highway, WasteType::Construction, TipSize::TransitVanLoad, false),
    (5, 2, LandType::Agricultural, WasteType::VehicleParts, TipSize::SmallVanLoad, true),
];

/// Seeds a year of fly-tips clustered at a few sites (the council's, and
/// some the fire service found), their enforcement (investigations,
/// warning letters, fixed penalties paid and unpaid, a prosecution with its
/// conviction, fine and costs) and two camera deployments.
async fn seed_fly_tipping(store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let officer = crate::demo_cases::principal(store, "asb.officer@stalbans.gov.uk").await?;
    let fire = crate::demo_cases::principal(store, "safe.and.well@hertsfire.gov.uk").await?;
    let today = london_date(now);
    let at = now.timestamp_millis();
    let day = |ago: i64| today - Duration::days(ago);
    let mut council_tips = Vec::new();
    for (n, (ago, site, land_type, waste_type, size, by_fire)) in TIPS.iter().enumerate() {
        let who = if *by_fire { &fire } else { &officer };
        let actor = Actor { principal: who, at_ms: at, source: "demo" };
        let (place, lat, lon) = TIP_SITES[*site];
        // Spread each site's tips over a few tens of metres.
        let jitter = (n as f64 % 5.0 - 2.0) * 0.0001;
        let demo = crate::demo_cases::Demo {
            category: "fly-tipping",
            hours_ago: 0,
            address: place,
            at: (lat + jitter, lon - jitter),
            description: "Waste dumped; reported by a passer-by",
            victim: None,
            hate: None,
            domestic_abuse: false,
        };
        let reported = london_midnight(day(*ago)) + Duration::hours(10);
        let Submitted::Recorded { id, .. } =
            store.submit_incident(&who.permit::<EditRecords>()?, &demo.input(reported), None, &[], &actor).await?
        else {
            anyhow::bail!("the demo fly-tip at {place} was refused");
        };
        let cleared = (*ago > 3).then(|| day(ago - 3));
        let tip = NewFlyTip { land_type: *land_type, waste_type: *waste_type, size: *size, cleared_on: cleared };
        store.record_fly_tip(&who.permit::<EditRecords>()?, &id, &tip, today, &actor).await?;
        if !by_fire {
            council_tips.push((id, *ago));
        }
    }
    let edit = officer.permit::<EditRecords>()?;
    let actor = Actor { principal: &officer, at_ms: at, source: "demo" };
    let limits = FpnLimits::default();
    let act = |action, ago: i64, basis: Option<FpnBasis>, amount: Option<i64>, notes: &str| NewAction {
        action,
        taken_on: day(ago),
        legal_basis: basis,
        amount_pence: amount,
        notes: notes.into(),
    };
    use EnforcementAction::*;
    let plan: [(usize, Vec<NewAction>); 6] = [
        (1, vec![act(Investigation, 278, None, None, "Waste searched; a delivery note found with an address.")]),
        (
            3,
            vec![
                act(Investigation, 198, None, None, "Tyres traced to a garage in Hatfield."),
                act(DutyOfCareInspection, 190, None, None, "Waste transfer notes inspected at the garage."),
                act(
                    FixedPenaltyNotice,
                    185,
                    Some(FpnBasis::HouseholdWasteDutyOfCare),
                    Some(30_000),
                    "Householder used an unlicensed carrier.",
                ),
            ],
        ),
        (
            4,
            vec![
                act(Investigation, 168, None, None, "Camera footage: a flatbed van, registration read."),
                act(StopAndSearch, 160, None, None, "Van stopped with the police on the A414."),
                act(VehicleSeized, 160, None, None, "Van seized: no waste carrier's licence."),
                act(Prosecution, 140, None, None, "Case laid at St Albans Magistrates' Court."),
            ],
        ),
        (
            7,
            vec![
                act(Investigation, 99, None, None, "Post in the bags; letter sent to the address."),
                act(WarningLetter, 95, None, None, "Warning letter sent."),
            ],
        ),
        (
            8,
            vec![
                act(Investigation, 74, None, None, "Camera footage reviewed."),
                act(
                    FixedPenaltyNotice,
                    70,
                    Some(FpnBasis::FlyTipping),
                    Some(40_000),
                    "Issued to the driver identified on camera.",
                ),
            ],
        ),
        (11, vec![act(Investigation, 28, None, None, "Door-to-door enquiries on the estate.")]),
    ];
    let mut outcomes = Vec::new();
    for (tip, actions) in plan {
        let Some((incident, _)) = council_tips.get(tip) else { continue };
        for a in actions {
            let record = store.add_fly_tip_action(&edit, incident, &a, &limits, today, &actor).await?;
            if let Some(last) = record.actions.last() {
                outcomes.push((last.id.clone(), last.action, last.taken_on));
            }
        }
    }
    for (id, action, taken_on) in outcomes {
        let outcome = match action {
            FixedPenaltyNotice if taken_on < day(100) => {
                ActionOutcome { paid_on: Some(taken_on + Duration::days(12)), ..ActionOutcome::default() }
            }
            Prosecution => ActionOutcome {
                court_result: Some(CourtResult::Convicted),
                result_on: Some(day(40)),
                fine_pence: Some(120_000),
                costs_awarded_pence: Some(45_000),
                costs_recovered_pence: Some(20_000),
                ..ActionOutcome::default()
            },
            _ => continue,
        };
        store.record_action_outcome(&edit, &id, &outcome, today, &actor).await?;
    }
    for (site, camera, up, down) in [(1, "CAM-02", 180, Some(90)), (0, "CAM-04", 25, None)] {
        let (place, lat, lon) = TIP_SITES[site];
        let new = NewCamera {
            site: place.into(),
            camera: camera.into(),
            latitude: lat,
            longitude: lon,
            deployed_on: day(up),
        };
        let c = store.add_camera(&edit, &new, today, &actor).await?;
        if let Some(down) = down {
            let removal = CameraRemoval {
                removed_on: day(down),
                captures: 3,
                vehicles_identified: 2,
                notes: "A flatbed van twice, a hatchback once; registrations passed to the investigation.".into(),
            };
            store.remove_camera(&edit, &c.id, &removal, today, &actor).await?;
        }
    }
    Ok(())
}

/// Deliberate fires: (days ago, where, latitude, longitude).
const FIRES: &[(i64, &str, f64, f64)] = &[
    (200, "Garages behind Cottonmill Lane", 51.7431, -0.3442),
    (160, "Garages behind Cottonmill Lane", 51.7433, -0.3440),
    (120, "Recreation ground, Cottonmill", 51.7425, -0.3450),
    (90, "Bin store, Marshalswick", 51.7679, -0.3121),
    (45, "Garages behind Cottonmill Lane", 51.7432, -0.3443),
    (20, "Bin store, Marshalswick", 51.7681, -0.3119),
];

/// Seeds deliberate fires the fire service recorded at two hotspots and
/// the vigilance checks its crews and volunteers made there this month.
async fn seed_arson(store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let fire = crate::demo_cases::principal(store, "safe.and.well@hertsfire.gov.uk").await?;
    let actor = Actor { principal: &fire, at_ms: now.timestamp_millis(), source: "demo" };
    let edit = fire.permit::<EditRecords>()?;
    let today = london_date(now);
    for (ago, place, lat, lon) in FIRES {
        let demo = crate::demo_cases::Demo {
            category: "deliberate-fire",
            hours_ago: 0,
            address: place,
            at: (*lat, *lon),
            description: "Crew attended a deliberate fire in refuse; no injuries",
            victim: None,
            hate: None,
            domestic_abuse: false,
        };
        let reported = london_midnight(today - Duration::days(*ago)) + Duration::hours(22);
        store.submit_incident(&edit, &demo.input(reported), None, &[], &actor).await?;
    }
    let checks = [
        (
            26,
            "Garages behind Cottonmill Lane",
            51.7432,
            -0.3441,
            CheckedBy::Crew,
            vec![FireRisk::DumpedWaste, FireRisk::InsecureBuilding],
            "Waste reported to the council for clearance; garage owner written to.",
        ),
        (
            19,
            "Bin store, Marshalswick",
            51.7680,
            -0.3120,
            CheckedBy::CommunityVolunteers,
            vec![FireRisk::BinsLeftOut],
            "Housing association asked to lock the bin store.",
        ),
        (
            12,
            "Recreation ground, Cottonmill",
            51.7426,
            -0.3449,
            CheckedBy::CommunityVolunteers,
            vec![],
            "Nothing found; leaflets handed out.",
        ),
        (
            5,
            "Garages behind Cottonmill Lane",
            51.7432,
            -0.3441,
            CheckedBy::Crew,
            vec![FireRisk::Combustibles],
            "Pallets moved away from the garage wall.",
        ),
    ];
    for (ago, area, lat, lon, by, risks, action) in checks {
        let new = NewVigilanceCheck {
            area: area.into(),
            latitude: lat,
            longitude: lon,
            checked_on: today - Duration::days(ago),
            checked_by: by,
            risks,
            action_taken: action.into(),
        };
        store.add_vigilance_check(&edit, &new, today, &actor).await?;
    }
    Ok(())
}
