//! Demo Safety Net data: a handful of incidents recorded by the council and
//! the police (invented people; dated relative to the clock so the daily
//! review has something to show), and an ASB case led by the council,
//! shared with the police, risk assessed, with tasks and an intervention.

use chrono::{DateTime, Duration, Utc};
use safetynet_domain::case::CaseShare;
use safetynet_domain::fixed_penalty::FpnLimits;
use safetynet_domain::incident::{HateStrand, IncidentInput, PersonRole, Source};
use safetynet_domain::interventions::{self, InterventionKind};
use safetynet_domain::policy::{AuthMethod, EditRecords, Principal, ViewRecords};
use safetynet_domain::pspo::NewPspo;
use safetynet_domain::public_reports::Milestone;
use safetynet_domain::risk::{Answers, AssessmentRequest, ReviewIntervals};
use safetynet_domain::uk_time::{london_date, london_midnight};
use safetynet_domain::victim_contact::{ContactChannel, UpdatePoint, VictimContact};
use safetynet_store::cases::{NewCase, NewTask, Plan};
use safetynet_store::incidents::{NewPerson, Submitted};
use safetynet_store::safety::NewIntervention;
use safetynet_store::users::Actor;
use safetynet_store::Store;

/// An invented incident.
pub(crate) struct Demo {
    pub(crate) category: &'static str,
    pub(crate) hours_ago: i64,
    pub(crate) address: &'static str,
    pub(crate) at: (f64, f64),
    pub(crate) description: &'static str,
    pub(crate) victim: Option<(&'static str, &'static str)>,
    pub(crate) hate: Option<HateStrand>,
    pub(crate) domestic_abuse: bool,
}

impl Demo {
    /// The incident as reported by the public at `reported`.
    pub(crate) fn input(&self, reported: DateTime<Utc>) -> IncidentInput {
        IncidentInput {
            category: self.category.into(),
            occurred_from: reported - Duration::hours(1),
            occurred_to: None,
            reported_at: reported,
            latitude: Some(self.at.0),
            longitude: Some(self.at.1),
            address: self.address.into(),
            uprn: None,
            description: self.description.into(),
            source: Source::Public,
            hate_strand: self.hate,
            domestic_abuse: self.domestic_abuse,
            involves_child: false,
            repeat: false,
            outside_area_reason: None,
        }
    }
}

const INCIDENTS: &[(&str, Demo)] = &[
    (
        "asb.officer@stalbans.gov.uk",
        Demo {
            category: "asb-personal",
            hours_ago: 14,
            address: "12 Verulam Road, St Albans",
            at: (51.7520, -0.3390),
            description: "Neighbour banging on the wall and shouting threats late at night",
            victim: Some(("Jane Smith", "1950-03-02")),
            hate: None,
            domestic_abuse: false,
        },
    ),
    (
        "pc.neighbourhood@herts.police.uk",
        Demo {
            category: "crime-public-order",
            hours_ago: 16,
            address: "12 Verulam Road, St Albans",
            at: (51.7521, -0.3391),
            description: "Caller reports threats from a neighbour; officers attended",
            victim: Some(("Jane Smith", "1950-03-02")),
            hate: None,
            domestic_abuse: false,
        },
    ),
    (
        "asb.officer@stalbans.gov.uk",
        Demo {
            category: "fly-tipping",
            hours_ago: 20,
            address: "Riverside Road lay-by",
            at: (51.7410, -0.3300),
            description: "Mattress and builders' waste dumped in the lay-by",
            victim: None,
            hate: None,
            domestic_abuse: false,
        },
    ),
    (
        "pc.neighbourhood@herts.police.uk",
        Demo {
            category: "asb-personal",
            hours_ago: 12,
            address: "Clarence Park",
            at: (51.7531, -0.3365),
            description: "Racially abusive graffiti and verbal abuse at the park entrance",
            victim: Some(("Amir Hussain", "1979-11-20")),
            hate: Some(HateStrand::Race),
            domestic_abuse: false,
        },
    ),
    (
        "pc.neighbourhood@herts.police.uk",
        Demo {
            category: "crime-violence-sexual",
            hours_ago: 10,
            address: "Flat 2, London Road, St Albans",
            at: (51.7480, -0.3320),
            description: "Domestic incident; partner reported being pushed",
            victim: Some(("Claire Example", "1990-04-18")),
            hate: None,
            domestic_abuse: true,
        },
    ),
    (
        "asb.officer@stalbans.gov.uk",
        Demo {
            category: "asb-personal",
            hours_ago: 24 * 30,
            address: "12 Verulam Road, St Albans",
            at: (51.7520, -0.3390),
            description: "Loud music and shouting from the neighbouring flat",
            victim: Some(("Jane Smith", "1950-03-02")),
            hate: None,
            domestic_abuse: false,
        },
    ),
];

pub(crate) async fn principal(store: &Store, email: &str) -> anyhow::Result<Principal> {
    let email = safetynet_domain::partnership::Email::parse(email)?;
    let id = store.user_id_by_email(&email).await?.ok_or_else(|| anyhow::anyhow!("demo user missing"))?;
    store.principal(&id, AuthMethod::Operator).await?.ok_or_else(|| anyhow::anyhow!("demo user inactive"))
}

/// Seeds the demo cases once (when no case exists yet).
pub async fn seed_cases(store: &Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let officer = principal(store, "asb.officer@stalbans.gov.uk").await?;
    let view = officer.permit::<ViewRecords>()?;
    let (_, existing) = store
        .cases(&view, false, 1, 0, &Actor { principal: &officer, at_ms: now.timestamp_millis(), source: "demo" })
        .await?;
    if existing > 0 {
        return Ok(());
    }
    // Reports land in the window the daily review shows this morning.
    let morning = london_midnight(london_date(now)) + Duration::hours(8);
    let mut council_incidents = Vec::new();
    for (email, d) in INCIDENTS {
        let p = principal(store, email).await?;
        let reported = morning - Duration::hours(d.hours_ago);
        let input = d.input(reported);
        let people: Vec<NewPerson> = d
            .victim
            .iter()
            .map(|(name, dob)| NewPerson {
                role: PersonRole::Victim,
                full_name: (*name).into(),
                date_of_birth: chrono::NaiveDate::parse_from_str(dob, "%Y-%m-%d").ok(),
                address: d.address.into(),
                uprn: None,
                is_business: false,
            })
            .collect();
        let actor = Actor { principal: &p, at_ms: now.timestamp_millis(), source: "demo" };
        if let Submitted::Recorded { id, .. } =
            store.submit_incident(&p.permit::<EditRecords>()?, &input, None, &people, &actor).await?
        {
            if email.ends_with("stalbans.gov.uk") && d.address.starts_with("12 Verulam") {
                council_incidents.push(id);
            }
        }
    }
    let new = NewCase {
        title: "Verulam Road: threats to an elderly resident".into(),
        problem: "Repeated noise, banging and threats from a neighbour to a resident in her seventies who lives alone."
            .into(),
        incidents: council_incidents,
        lead_officer_id: None,
    };
    work_up_case(store, &officer, &new, "HERTS-POLICE", "Kyle Example", now).await?;
    seed_pspo(store, &officer, now).await
}

/// The council's city centre public spaces protection order, made nearly
/// three years ago, so the register shows it due for renewal.
async fn seed_pspo(store: &Store, officer: &Principal, now: DateTime<Utc>) -> anyhow::Result<()> {
    let today = london_date(now);
    let ends_on = today + Duration::days(60);
    let starts_on = ends_on
        .checked_sub_months(chrono::Months::new(safetynet_domain::pspo::MAX_MONTHS))
        .and_then(|d| d.succ_opt())
        .unwrap_or(today);
    let order = NewPspo {
        title: "St Albans city centre: alcohol and anti-social behaviour".into(),
        prohibitions: "Stop drinking alcohol and hand it over when asked by an authorised officer\n\
                       No urinating or defecating in a public place\n\
                       No aggressive begging"
            .into(),
        area: vec![[-0.3460, 51.7480], [-0.3290, 51.7480], [-0.3290, 51.7570], [-0.3460, 51.7570]],
        made_on: starts_on - Duration::days(14),
        starts_on,
        ends_on,
        consulted_police: true,
        consulted_pcc: true,
        consulted_community: true,
        consulted_owners: true,
        publicised_on: Some(starts_on - Duration::days(90)),
    };
    let actor = Actor { principal: officer, at_ms: now.timestamp_millis(), source: "demo" };
    store.add_pspo(&officer.permit::<EditRecords>()?, &order, &actor).await?;
    Ok(())
}

/// Opens `new` for `officer`'s agency and works it up as an ASB officer
/// would: a problem-solving plan, shared with `partner` under s115, a risk
/// assessment, three tasks (two for the officer's agency, one for the
/// partner) and, where the agency holds the power (s53), a community
/// protection warning to `subject`. Returns the case id.
pub(crate) async fn work_up_case(
    store: &Store,
    officer: &Principal,
    new: &NewCase,
    partner: &str,
    subject: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<String> {
    let view = officer.permit::<ViewRecords>()?;
    let edit = officer.permit::<EditRecords>()?;
    let actor = Actor { principal: officer, at_ms: now.timestamp_millis(), source: "demo" };
    let (case_id, _) = store.open_case(&edit, &view, new, &actor).await?;
    let plan = Plan {
        title: new.title.clone(),
        problem: new.problem.clone(),
        analysis_victim: "Lives alone, mobility problems, frightened to go out in the evening.".into(),
        analysis_offender: "Young adult neighbour; alcohol a factor; previous warnings by the housing provider.".into(),
        analysis_location: "Converted flats with thin party walls; shared entrance.".into(),
        analysis_controllers: "Housing officer (place manager); victim's daughter (guardian); PCSO for the ward."
            .into(),
        assessment: String::new(),
    };
    store.update_plan(&edit, &case_id, 1, &plan, &actor).await?;
    let share = CaseShare::new(partner, "Crime and Disorder Act 1998 s115").map_err(|e| anyhow::anyhow!(e))?;
    store.share_case(&edit, &case_id, &share, &actor).await?;
    let questionnaire = store.questionnaires().await?.into_iter().find(|q| q.id == "asb-victim");
    if let Some(q) = questionnaire {
        let answers: Answers =
            q.questions.iter().enumerate().map(|(i, question)| (question.id.clone(), (i % 3 == 0).into())).collect();
        let request = AssessmentRequest { questionnaire: q.id, answers, judgement: None, person_id: None };
        store.assess_risk(&edit, &case_id, &request, london_date(now), &ReviewIntervals::default(), &actor).await?;
    }
    let own = officer.agency.to_string();
    for (title, owner, days) in [
        ("Joint visit to the neighbour with the housing officer", own.as_str(), -2),
        ("PCSO reassurance visits twice a week", partner, 7),
        ("Install noise recording equipment", own.as_str(), 14),
    ] {
        let task = NewTask {
            title: title.into(),
            owner_agency: Some(owner.into()),
            owner_officer_id: None,
            due_on: london_date(now) + Duration::days(days),
            notes: String::new(),
        };
        store.add_task(&edit, &case_id, &task, &actor).await?;
    }
    let sector = store.agency(&officer.agency).await?.sector;
    if sector.is_some_and(|s| interventions::may_use(InterventionKind::CommunityProtectionWarning, s)) {
        let cpw = NewIntervention {
            kind: InterventionKind::CommunityProtectionWarning,
            person_id: None,
            subject_name: subject.into(),
            subject_date_of_birth: chrono::NaiveDate::from_ymd_opt(2000, 6, 1),
            subject_is_business: false,
            conduct: "Noise and threatening behaviour towards neighbours".into(),
            issued_on: london_date(now) - Duration::days(10),
            starts_at: now - Duration::days(10),
            expires_at: Some(now + Duration::days(20)),
            amount_pence: None,
            legal_basis: None,
            follows_id: None,
            pspo_id: None,
            authorised_by: None,
            compliance_by: Some(london_date(now) + Duration::days(4)),
            convicted_on: None,
            yot_consulted: false,
            items_surrendered: String::new(),
            area: None,
        };
        store.add_intervention(&edit, &case_id, &cpw, &FpnLimits::default(), &actor).await?;
    }
    // The victim asked for a phone call when someone has the case, when
    // action is taken and when it closes; the first call was made, the
    // second is due once action is taken (the warning above, where the
    // agency may give one).
    if let Some(victim) = store.victims_on_case(&view, &case_id, &actor).await?.into_iter().next() {
        let contact = VictimContact {
            person_id: victim.person_id.clone(),
            channel: ContactChannel::Phone,
            email: String::new(),
            points: vec!["assigned".into(), "action_taken".into(), "closed".into()],
            agreed_on: london_date(now) - Duration::days(12),
            every_days: None,
        };
        store.set_victim_contact(&edit, &case_id, &contact, &actor).await?;
        let note =
            "Called to say the case is with the ASB team, who will visit the neighbour with the housing officer.";
        store
            .tell_victim(&edit, &case_id, &victim.person_id, UpdatePoint::At(Milestone::Assigned), note, &actor)
            .await?;
    }
    Ok(case_id)
}
