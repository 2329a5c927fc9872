//! The daily review (the strategy's "all crime and incidents reviewed
//! daily"): the incidents an agency may see and the police's daily crimes
//! the partnership's sharing rule lets it see, from the 24 hours before
//! 08:00 UK time on a day, each ranked by risk with the reasons, and the
//! decisions the agency's reviewers recorded about them.

use crate::{Error, Params};
use chrono::{DateTime, NaiveDate, Utc};
use safetynet_domain::policy::{Permit, ViewRecords};
use safetynet_domain::uk_time::london_midnight;
use safetynet_store::police_daily::{address_key, DailyDecision, PoliceDailyCrime};
use safetynet_store::safety::DailyItem;
use safetynet_store::users::Actor;
use safetynet_store::Store;
use std::collections::{BTreeMap, BTreeSet};

/// The review of one day: `date` (YYYY-MM-DD, default today in the UK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyReviewRequest {
    /// The day of the morning meeting.
    pub date: NaiveDate,
}

impl DailyReviewRequest {
    /// The request from options; `today` is the UK date now.
    pub fn from_params(p: &Params, today: NaiveDate) -> Result<Self, Error> {
        let date = match p.text("date") {
            None => today,
            Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| Error::Invalid("date must be in the form YYYY-MM-DD".into()))?,
        };
        Ok(Self { date })
    }

    /// The window reviewed: the 24 hours before 08:00 UK time on the day.
    pub fn window(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = london_midnight(self.date) + chrono::Duration::hours(8);
        (end - chrono::Duration::hours(24), end)
    }
}

/// A flag of a daily crime the sharing rule can show or hide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DailyFlag {
    /// Domestic abuse.
    DomesticAbuse,
    /// Hate motivated (with its strand).
    Hate,
    /// A weapon was involved.
    Weapon,
    /// The victim is vulnerable.
    VulnerableVictim,
    /// A repeat victim (the force's flag, and matches across records).
    RepeatVictim,
    /// A repeat location (the force's flag, and matches across records).
    RepeatLocation,
    /// A child is involved.
    ChildInvolved,
}

/// `[police_daily]`: the drop folder, the repeat window and the
/// partnership's standing sharing rule for the daily crime feed.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PoliceDailySettings {
    /// A folder the scheduler imports extract files from (`done/` and
    /// `rejected/` beside them); none: files come by `safetynet import police-daily`.
    pub drop_dir: Option<std::path::PathBuf>,
    /// The agency the dropped files come from.
    pub drop_agency: Option<String>,
    /// A replacement for the bundled Home Office offence code table (CSV:
    /// `ho_code,description,category`).
    pub offence_codes: Option<std::path::PathBuf>,
    /// Days back a repeat victim or location is looked for (1 to 3660).
    pub repeat_days: i64,
    /// Agency code -> the flags it sees. A listed agency sees every police
    /// agency's daily crimes (reference, offence, time, place, status) with
    /// those flags; an unlisted one sees none; the police see their own in full.
    pub share: BTreeMap<String, BTreeSet<DailyFlag>>,
}

impl Default for PoliceDailySettings {
    fn default() -> Self {
        Self { drop_dir: None, drop_agency: None, offence_codes: None, repeat_days: 90, share: BTreeMap::new() }
    }
}

impl PoliceDailySettings {
    /// Checks the settings; the message names the problem.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=3660).contains(&self.repeat_days) {
            return Err("police_daily.repeat_days must be from 1 to 3660".into());
        }
        if self.drop_dir.is_some() != self.drop_agency.is_some() {
            return Err("police_daily.drop_dir and police_daily.drop_agency go together".into());
        }
        Ok(())
    }
}

/// One daily crime in the review: what the viewer may see of it, ranked.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PoliceLine {
    /// The crime, flags the viewer may not see cleared.
    #[serde(flatten)]
    pub crime: PoliceDailyCrime,
    /// Ranking score (higher first).
    pub score: u32,
    /// Why it ranks where it does.
    pub reasons: Vec<String>,
}

/// The day's review.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DailyReview {
    /// The day.
    pub date: NaiveDate,
    /// The window's start.
    pub from: DateTime<Utc>,
    /// The window's end (08:00 UK time on the day).
    pub to: DateTime<Utc>,
    /// The incidents, highest risk first.
    pub items: Vec<DailyItem>,
    /// The police's daily crimes the viewer may see, highest risk first.
    pub police_crimes: Vec<PoliceLine>,
    /// The viewer agency's decisions about these lines.
    pub decisions: Vec<DailyDecision>,
}

/// Clears the flags `allowed` does not hold.
fn mask(c: &mut PoliceDailyCrime, allowed: &BTreeSet<DailyFlag>) {
    let r = &mut c.record;
    let keep = |f: DailyFlag| allowed.contains(&f);
    r.domestic_abuse &= keep(DailyFlag::DomesticAbuse);
    if !keep(DailyFlag::Hate) {
        r.hate_strand = None;
    }
    r.weapon &= keep(DailyFlag::Weapon);
    r.vulnerable_victim &= keep(DailyFlag::VulnerableVictim);
    r.repeat_victim &= keep(DailyFlag::RepeatVictim);
    r.repeat_location &= keep(DailyFlag::RepeatLocation);
    r.child_involved &= keep(DailyFlag::ChildInvolved);
    if !keep(DailyFlag::RepeatVictim) {
        r.victim_key = None;
    }
}

/// What the ranking knows about a crime beyond its own fields.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Other daily crimes and incidents with the same victim in the window.
    pub same_victim: i64,
    /// Other daily crimes and incidents at the same address in the window.
    pub same_place: i64,
    /// The current operation whose target area holds it.
    pub operation: Option<String>,
    /// It is in a current hot spot (the month of the hot spot map).
    pub hot_spot: Option<String>,
    /// Its category is high-harm (with its label).
    pub high_harm: Option<String>,
}

/// Where lines are judged: the current hot spot cells and the operations
/// running on the day.
pub struct Places {
    /// The current hot cells, if any.
    hot: Option<crate::analyses::crime::HotCells>,
    /// Operations running on the day.
    operations: Vec<safetynet_store::operations::Operation>,
}

impl Places {
    /// The operation whose target holds the point, and the hot spot's month
    /// when the point is in a current hot cell.
    pub fn at(&self, lon: Option<f64>, lat: Option<f64>) -> (Option<String>, Option<String>) {
        let (Some(lon), Some(lat)) = (lon, lat) else { return (None, None) };
        let operation =
            self.operations.iter().find(|o| o.target.distance_m(lon, lat) == 0.0).map(|o| o.reference.clone());
        let hot = self.hot.as_ref().filter(|h| h.holds(lon, lat)).map(|h| h.month.long_name());
        (operation, hot)
    }
}

/// The points and reasons of where a line is: an operation's area, a
/// current hot spot.
fn place_reasons(cx: &Context) -> Vec<(u32, String)> {
    let operation = cx.operation.as_ref().map(|op| (2, format!("in the area of operation {op}")));
    let hot = cx.hot_spot.as_ref().map(|month| (2, format!("in a current hot spot (Gi* 95% or more, {month})")));
    operation.into_iter().chain(hot).collect()
}

/// A daily crime's score and reasons, from the flags the viewer may see.
pub fn rank(c: &PoliceDailyCrime, cx: &Context, repeat_days: i64) -> (u32, Vec<String>) {
    let r = &c.record;
    let mut score = 0;
    let mut reasons = Vec::new();
    let mut add = |points: u32, why: String| {
        score += points;
        reasons.push(why);
    };
    if r.domestic_abuse {
        add(3, "domestic abuse".into());
    }
    if let Some(strand) = &r.hate_strand {
        add(3, format!("hate motivated ({})", strand.replace('_', " ")));
    }
    if r.weapon {
        add(3, "a weapon was involved".into());
    }
    if r.vulnerable_victim {
        add(2, "vulnerable victim".into());
    }
    if r.child_involved {
        add(2, "vulnerability: involves a child".into());
    }
    if cx.same_victim > 0 {
        add(3, format!("repeat victim: {} other record(s) in {repeat_days} days, police and partners", cx.same_victim));
    } else if r.repeat_victim {
        add(3, "repeat victim (police flag)".into());
    }
    if cx.same_place > 0 {
        add(2, format!("repeat location: {} other record(s) at this address in {repeat_days} days", cx.same_place));
    } else if r.repeat_location {
        add(2, "repeat location (police flag)".into());
    }
    for (points, why) in place_reasons(cx) {
        add(points, why);
    }
    if let Some(label) = &cx.high_harm {
        add(2, format!("high-harm category ({label})"));
    }
    (score, reasons)
}

/// The daily review as the permit's agency may see it (audited by `actor`).
pub async fn daily_review(
    analyst: &crate::analyses::Analyst,
    permit: &Permit<ViewRecords>,
    req: &DailyReviewRequest,
    settings: &PoliceDailySettings,
    actor: &Actor<'_>,
) -> Result<DailyReview, Error> {
    let store = analyst.store();
    let (from, to) = req.window();
    let mut items = store.daily_review(permit, from, to, actor).await?;
    let agency = permit.principal().agency.clone();
    let shared = settings.share.get(&agency);
    let mut crimes =
        store.police_daily_crimes(&agency, shared.is_some(), from.timestamp_millis(), to.timestamp_millis()).await?;
    for c in &mut crimes {
        if c.owner_agency != agency {
            mask(c, shared.unwrap_or(&BTreeSet::new()));
        }
    }
    let since = (from - chrono::Duration::days(settings.repeat_days)).timestamp_millis();
    let may_place = |c: &PoliceDailyCrime| {
        c.owner_agency == agency || shared.is_some_and(|f| f.contains(&DailyFlag::RepeatLocation))
    };
    let victims: Vec<String> = crimes.iter().filter_map(|c| c.record.victim_key.clone()).collect();
    let addresses: Vec<String> = crimes
        .iter()
        .filter(|c| may_place(c))
        .map(|c| address_key(&c.record.address))
        .filter(|k| !k.is_empty())
        .collect();
    let repeats = store.repeat_counts(&victims, &addresses, since, to.timestamp_millis()).await?;
    let operations =
        store.operations().await?.into_iter().filter(|o| o.starts_on <= req.date && req.date <= o.ends_on).collect();
    let hot = match permit.principal().permit::<safetynet_domain::policy::ViewCrimeData>() {
        Ok(crime) => analyst.current_hot_cells(&crime, req.date).await?,
        Err(_) => None,
    };
    let places = Places { hot, operations };
    let cats = store.categories().await?;
    let mut police_crimes: Vec<PoliceLine> = crimes
        .into_iter()
        .map(|crime| {
            let r = &crime.record;
            let (operation, hot_spot) = places.at(r.longitude, r.latitude);
            let cx = Context {
                same_victim: r.victim_key.as_ref().and_then(|k| repeats.victims.get(k)).map_or(0, |n| n - 1),
                same_place: if may_place(&crime) {
                    repeats.addresses.get(&address_key(&r.address)).map_or(0, |n| n - 1)
                } else {
                    0
                },
                operation,
                hot_spot,
                high_harm: cats.iter().find(|k| k.code == r.category && k.high_harm).map(|k| k.label.clone()),
            };
            let (score, reasons) = rank(&crime, &cx, settings.repeat_days);
            PoliceLine { crime, score, reasons }
        })
        .collect();
    police_crimes
        .sort_by(|a, b| b.score.cmp(&a.score).then(b.crime.record.reported_at_ms.cmp(&a.crime.record.reported_at_ms)));
    // Incidents gain the same place reasons.
    for i in &mut items {
        let (operation, hot_spot) = places.at(i.longitude, i.latitude);
        let cx = Context { operation, hot_spot, ..Context::default() };
        for (points, why) in place_reasons(&cx) {
            i.score += points;
            i.reasons.push(why);
        }
    }
    items.sort_by(|a, b| b.score.cmp(&a.score).then(b.reported_at_ms.cmp(&a.reported_at_ms)));
    let keys: Vec<(String, String)> = items
        .iter()
        .map(|i| ("incident".to_string(), i.incident_id.clone()))
        .chain(police_crimes.iter().map(|p| ("police_crime".to_string(), p.crime.id.clone())))
        .collect();
    let mut decisions: Vec<DailyDecision> = store.daily_decisions(&agency, &keys).await?.into_values().collect();
    decisions.sort_by(|a, b| a.item_id.cmp(&b.item_id));
    Ok(DailyReview { date: req.date, from, to, items, police_crimes, decisions })
}

/// What a reviewer decided about a line, as a form or the API sends it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct DecisionInput {
    /// The day of the review (YYYY-MM-DD).
    pub date: String,
    /// `incident` or `police_crime`.
    pub item_kind: String,
    /// The line's id.
    pub item_id: String,
    /// `open_case`, `link_case` or `no_action`.
    pub decision: String,
    /// For `link_case`: the case's reference (or id).
    pub case_reference: String,
    /// Why; required for `no_action`.
    pub reason: String,
}

/// Longest reason kept.
pub const MAX_REASON_CHARS: usize = 1_000;

/// Records a reviewer's decision about a line the agency may see (a
/// changed decision replaces the last, audited). Every problem with the
/// input is named at once, in the form's order.
pub async fn decide(
    store: &Store,
    permit: &Permit<safetynet_domain::policy::EditRecords>,
    input: &DecisionInput,
    settings: &PoliceDailySettings,
    actor: &Actor<'_>,
) -> Result<(), Error> {
    let mut problems = Vec::new();
    let date = NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d").ok();
    if date.is_none() {
        problems.push("date must be in the form YYYY-MM-DD");
    }
    if !matches!(input.item_kind.as_str(), "incident" | "police_crime") || input.item_id.trim().is_empty() {
        problems.push("choose a line of the review");
    }
    let reason = input.reason.trim();
    match input.decision.as_str() {
        "open_case" => {}
        "link_case" if input.case_reference.trim().is_empty() => {
            problems.push("enter the reference of the case to link to")
        }
        "link_case" => {}
        "no_action" if reason.is_empty() => problems.push("say why no action is needed"),
        "no_action" => {}
        _ => problems.push("choose what was decided: open a case, link to a case or no action"),
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        problems.push("the reason must be 1,000 characters or fewer");
    }
    let Some(review_date) = date.filter(|_| problems.is_empty()) else {
        return Err(Error::Invalid(problems.join("; ")));
    };
    let agency = &permit.principal().agency;
    let shared = settings.share.contains_key(agency);
    if !store.daily_item_visible(agency, shared, &input.item_kind, input.item_id.trim()).await? {
        return Err(Error::Store(safetynet_store::StoreError::NotFound("review line")));
    }
    let decision = DailyDecision {
        review_date,
        item_kind: input.item_kind.clone(),
        item_id: input.item_id.trim().to_string(),
        decision: input.decision.clone(),
        case_id: (input.decision == "link_case").then(|| input.case_reference.trim().to_string()),
        reason: reason.to_string(),
        decided_by: permit.principal().display_name.clone(),
        decided_at_ms: actor.at_ms,
    };
    Ok(store.record_daily_decision(&decision, actor).await?)
}
