//! The demo's police daily crime feed: a week of invented crimes (to the
//! day before the demo's date) from Hertfordshire Constabulary, so the daily
//! review is full on the first run, and the sharing rule the demo uses
//! (the council sees every flag, fire and rescue the vulnerability flags).
//! Nothing here is real: references, places and people are made up.

use crate::config::Setting;
use chrono::{DateTime, Duration, Utc};
use rand::{Rng, SeedableRng};
use safetynet_app::daily::{DailyFlag, PoliceDailySettings};
use safetynet_domain::policy::Principal;
use safetynet_domain::uk_time::{london_date, london_midnight};
use safetynet_store::police_daily::{DailyCrimeRecord, DailyFile};
use safetynet_store::users::Actor;
use safetynet_store::Store;

/// (Home Office code, description, category, chance of domestic abuse, chance of a weapon).
const OFFENCES: &[(&str, &str, &str, f64, f64)] = &[
    ("28/3", "Burglary - residential", "crime-burglary", 0.0, 0.05),
    ("30/1", "Burglary - business and community", "crime-burglary", 0.0, 0.02),
    ("105/1", "Common assault", "crime-violence-sexual", 0.4, 0.05),
    ("8/6", "Assault occasioning actual bodily harm", "crime-violence-sexual", 0.45, 0.2),
    ("46/0", "Shoplifting", "crime-shoplifting", 0.0, 0.02),
    ("58/1", "Criminal damage to a dwelling", "crime-criminal-damage-arson", 0.2, 0.0),
    ("45/0", "Theft from a motor vehicle", "crime-vehicle", 0.0, 0.0),
    ("44/0", "Theft of a pedal cycle", "crime-bicycle-theft", 0.0, 0.0),
    ("34/1", "Robbery of personal property", "crime-robbery", 0.0, 0.4),
    ("92/1", "Possession of a controlled drug", "crime-drugs", 0.0, 0.05),
    ("9/1", "Public fear, alarm or distress", "crime-public-order", 0.1, 0.05),
];

/// Invented addresses with their coordinates (longitude, latitude).
const PLACES: &[(&str, f64, f64)] = &[
    ("12 Fishpool Street, St Albans", -0.3462, 51.7530),
    ("Christopher Place, St Albans", -0.3390, 51.7521),
    ("St Peter's Street, St Albans", -0.3376, 51.7536),
    ("40 Hatfield Road, St Albans", -0.3310, 51.7520),
    ("Victoria Street, St Albans", -0.3354, 51.7500),
    ("7 Camp Road, St Albans", -0.3160, 51.7468),
    ("Harpenden High Street", -0.3570, 51.8160),
    ("London Colney, High Street", -0.2990, 51.7260),
    ("3 Sandpit Lane, St Albans", -0.3270, 51.7610),
    ("Marshalswick Lane, St Albans", -0.3190, 51.7640),
];

/// Invented victims (name, date of birth) who appear more than once.
const VICTIMS: &[(&str, &str)] = &[("Alex Demo-Morgan", "1987-04-12"), ("Sam Example", "1979-11-03")];

/// The sharing rule the demo uses when none is configured.
pub fn demo_sharing(settings: &mut Setting<PoliceDailySettings>) {
    if settings.source != "default" {
        return;
    }
    use DailyFlag::*;
    let all = [DomesticAbuse, Hate, Weapon, VulnerableVictim, RepeatVictim, RepeatLocation, ChildInvolved];
    settings.value.share.insert("SACDC".into(), all.into());
    settings.value.share.insert("HFRS".into(), [VulnerableVictim, RepeatLocation].into());
    settings.source = "demo".into();
}

/// Imports a week of invented daily crimes ending the day before `now`
/// (UK dates), as the police would send them each morning; seeded, so the
/// same date gives the same crimes, and a second run imports nothing new.
pub async fn seed_police_daily(store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let operator = Principal::operator_for_agency("HERTS-POLICE");
    let today = london_date(now);
    let mut rng = rand::rngs::StdRng::seed_from_u64(17);
    for back in (1..=7).rev() {
        let day = today - Duration::days(back);
        let midnight = london_midnight(day);
        let mut crimes = Vec::new();
        for n in 0..rng.gen_range(10..18) {
            let (code, description, category, da, weapon) = OFFENCES[rng.gen_range(0..OFFENCES.len())];
            let (address, lon, lat) = PLACES[rng.gen_range(0..PLACES.len())];
            let reported = (midnight + Duration::minutes(rng.gen_range(6 * 60..24 * 60 + 7 * 60))).min(now);
            let victim = (category == "crime-violence-sexual" && rng.gen_bool(0.5))
                .then(|| VICTIMS[rng.gen_range(0..VICTIMS.len())]);
            crimes.push(DailyCrimeRecord {
                crime_reference: format!("41/{}{n:03}/{}", day.format("%m%d"), day.format("%y")),
                offence_code: code.into(),
                offence_description: description.into(),
                category: category.into(),
                occurred_from_ms: (reported - Duration::minutes(rng.gen_range(10..240))).timestamp_millis(),
                occurred_to_ms: None,
                reported_at_ms: reported.timestamp_millis(),
                latitude: Some(lat),
                longitude: Some(lon),
                address: address.into(),
                beat: None,
                ward: None,
                domestic_abuse: rng.gen_bool(da),
                hate_strand: rng.gen_bool(0.04).then(|| "race".to_string()),
                weapon: rng.gen_bool(weapon),
                vulnerable_victim: rng.gen_bool(0.08),
                repeat_victim: false,
                repeat_location: false,
                child_involved: rng.gen_bool(0.05),
                status: "recorded".into(),
                victim_key: victim
                    .and_then(|(name, dob)| safetynet_domain::police_daily::victim_key(Some(name), dob.parse().ok())),
            });
        }
        let name = format!("hertfordshire-daily-{day}.csv");
        let sha = format!("demo-{day}");
        let file = DailyFile { name: &name, sha256: &sha, owner_agency: "HERTS-POLICE", rejected: 0 };
        let actor = Actor { principal: &operator, at_ms: now.timestamp_millis(), source: "demo" };
        store.import_police_daily(file, &crimes, &actor).await?;
    }
    Ok(())
}
