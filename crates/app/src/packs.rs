//! Meeting packs built from live data for a date: the JAG (operational),
//! the RAG (strategic) and the Priority Setting Forum's public summary.
//! A pack is structured content ([`Pack`]) that renders to HTML and PDF the
//! same way; every section reads data as it stood on the pack's date, so the
//! same date gives the same pack. Personal data appears only in the JAG's
//! case section, and only for attendees entitled to it; the public summary
//! carries counts under disclosure control and nothing finer than the
//! district.

use crate::analyses::crime::TrendsRequest;
use crate::analyses::Analyst;
use crate::district::district_rings;
use crate::Error;
use chrono::{Days, NaiveDate};
use safetynet_analysis::grid::DEFAULT_CELL_M;
use safetynet_analysis::local::{LocalOptions, SpotClass};
use safetynet_domain::case::TaskStatus;
use safetynet_domain::meeting::{Disclosed, MeetingKind, DEFAULT_DISCLOSURE_THRESHOLD};
use safetynet_domain::month::Month;
use safetynet_domain::policy::{ManagePartnershipWork, Principal, ViewCrimeData, ViewRecords};
use safetynet_domain::uk_time::london_midnight;
use safetynet_render::figure::{line_chart, map, zone_ring, Colour, Drawing, Focus, Overlay};
use safetynet_render::pack::{Block, Pack, Section};
use safetynet_store::crimes::CrimeFilter;
use safetynet_store::meetings::{Action, MeetingRecord};
use safetynet_store::operations::Operation;
use safetynet_store::strategy::{CommitmentUpdate, Strategy};
use safetynet_store::users::Actor;

fn para(t: impl Into<String>) -> Block {
    Block::Paragraph { text: t.into() }
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> Block {
    Block::Table { headers: headers.iter().map(|h| (*h).to_string()).collect(), rows }
}

fn figure(caption: &str, drawing: Drawing) -> Block {
    Block::Figure { caption: caption.into(), alt: drawing.alt.clone(), drawing }
}

fn section(id: &str, title: &str, blocks: Vec<Block>) -> Section {
    Section { id: id.into(), title: title.into(), blocks }
}

/// A pack to make: which meeting's, for which day, and the disclosure
/// threshold of its public content.
#[derive(Debug, Clone, Copy)]
pub struct PackRequest {
    /// Which meeting.
    pub kind: MeetingKind,
    /// The pack's date: every section reads data as it stood then.
    pub date: NaiveDate,
    /// Counts below this are suppressed in public content.
    pub disclosure_threshold: i64,
}

impl PackRequest {
    /// A request with the default disclosure threshold.
    pub fn new(kind: MeetingKind, date: NaiveDate) -> Self {
        Self { kind, date, disclosure_threshold: DEFAULT_DISCLOSURE_THRESHOLD }
    }

    /// Sets the disclosure threshold (`threshold`, 1 to 100).
    pub fn with_threshold(self, threshold: i64) -> Result<Self, Error> {
        if !(1..=100).contains(&threshold) {
            return Err(Error::Invalid("threshold must be from 1 to 100".into()));
        }
        Ok(Self { disclosure_threshold: threshold, ..self })
    }
}

/// The months of recorded crime a pack for `date` may use: every month held
/// up to the month of `date`, oldest first.
async fn months_to(analyst: &Analyst, date: NaiveDate) -> Result<Vec<Month>, Error> {
    let limit = Month::of_date(date);
    let mut held: Vec<Month> =
        analyst.store().crime_months().await?.into_iter().filter(|m| Some(*m) <= limit).collect();
    held.sort();
    Ok(held)
}

fn back(m: Month, n: usize) -> Month {
    (0..n).fold(m, |m, _| m.previous())
}

fn end_of_day_ms(date: NaiveDate) -> i64 {
    (london_midnight(date) + chrono::Duration::days(1)).timestamp_millis() - 1
}

fn action_rows(actions: &[Action], with_names: bool) -> Vec<Vec<String>> {
    actions
        .iter()
        .map(|a| {
            let owner = if with_names && !a.owner_name.is_empty() {
                format!("{} ({})", a.owner_agency, a.owner_name)
            } else {
                a.owner_agency.clone()
            };
            vec![a.title.clone(), owner, a.due_on.to_string(), a.raised_on.to_string(), a.update_note.clone()]
        })
        .collect()
}

/// Who is recorded as attending, by agency, and who sent apologies
/// (nothing before anyone is recorded).
fn attendance(record: Option<&MeetingRecord>) -> Option<Section> {
    let r = record.filter(|r| !r.attendees.is_empty())?;
    let (apologies, attending): (Vec<_>, Vec<_>) = r.attendees.iter().partition(|a| a.apologies);
    let mut blocks =
        vec![table(&["Agency", "Name"], attending.iter().map(|a| vec![a.agency.clone(), a.name.clone()]).collect())];
    if !apologies.is_empty() {
        blocks.push(para(format!(
            "Apologies: {}.",
            apologies.iter().map(|a| format!("{} ({})", a.name, a.agency)).collect::<Vec<_>>().join("; ")
        )));
    }
    Some(section("attendance", "Attending and apologies", blocks))
}

fn actions_section(record: Option<&MeetingRecord>) -> Section {
    let Some(r) = record else {
        return section(
            "actions",
            "Actions from the last meeting",
            vec![para("No meeting is scheduled on this date, so no actions are carried to it.")],
        );
    };
    let mut blocks = Vec::new();
    if r.carried.is_empty() {
        blocks.push(para("No actions are outstanding from earlier meetings."));
    } else {
        blocks.push(table(&["Action", "Owner", "Due", "Raised", "Latest update"], action_rows(&r.carried, true)));
    }
    if !r.closed_since_last.is_empty() {
        blocks.push(para("Closed since the last meeting:"));
        blocks.push(Block::Bullets {
            items: r
                .closed_since_last
                .iter()
                .map(|a| format!("{} ({}, {})", a.title, a.owner_agency, a.status.as_str()))
                .collect(),
        });
    }
    section("actions", "Actions from the last meeting", blocks)
}

/// Builds the pack `req` asks for, as `actor`'s principal may see it (the
/// case records it reads are audited as `actor`'s).
pub async fn build(analyst: &Analyst, req: &PackRequest, actor: &Actor<'_>) -> Result<Pack, Error> {
    let PackRequest { kind, date, .. } = *req;
    let meeting = analyst.store().meeting_of_kind_on(kind, date).await?;
    let record = match &meeting {
        Some(m) => Some(analyst.store().meeting_record(&m.id).await?),
        None => None,
    };
    let partnership =
        analyst.store().partnership().await?.map(|p| p.name).unwrap_or_else(|| "Community Safety Partnership".into());
    let agenda = record.as_ref().map_or_else(|| kind.standing_agenda(), |r| r.series.agenda.clone());
    let sections = match kind {
        MeetingKind::Jag => jag(analyst, date, actor, record.as_ref()).await?,
        MeetingKind::Rag => rag(analyst, date, record.as_ref()).await?,
        MeetingKind::Psf => psf(analyst, date, record.as_ref(), req.disclosure_threshold).await?,
    };
    Ok(Pack {
        kind,
        title: match kind {
            MeetingKind::Psf => "Priority Setting Forum: public summary".into(),
            _ => format!("{} pack", kind.label()),
        },
        partnership,
        date: date.to_string(),
        meeting_id: meeting.as_ref().map(|m| m.id.clone()),
        location: meeting.map(|m| m.location).unwrap_or_default(),
        marking: match kind {
            MeetingKind::Jag => "OFFICIAL-SENSITIVE: for attendees only".into(),
            MeetingKind::Rag => "OFFICIAL".into(),
            MeetingKind::Psf => "PUBLIC".into(),
        },
        agenda,
        sections,
    })
}

/// Whether `viewer` may see personal data in this meeting's pack: they can
/// view records and attend (or run) the meeting.
async fn entitled(analyst: &Analyst, viewer: &Principal, record: Option<&MeetingRecord>) -> Result<bool, Error> {
    if !viewer.can::<ViewRecords>() {
        return Ok(false);
    }
    if viewer.can::<ManagePartnershipWork>() {
        return Ok(true);
    }
    Ok(match record {
        Some(r) => analyst.store().is_attendee(&r.meeting.id, &viewer.user_id).await?,
        None => false,
    })
}

async fn jag(
    analyst: &Analyst,
    date: NaiveDate,
    actor: &Actor<'_>,
    record: Option<&MeetingRecord>,
) -> Result<Vec<Section>, Error> {
    let since = record
        .and_then(|r| r.previous.as_ref())
        .map(|p| p.held_on)
        .unwrap_or_else(|| date.checked_sub_days(Days::new(28)).unwrap_or(date));
    Ok(attendance(record)
        .into_iter()
        .chain([
            actions_section(record),
            emerging(analyst, date, since, actor.principal).await?,
            daily_review(analyst, date, since).await?,
            cases(analyst, date, actor, record).await?,
            operations(analyst, date, since).await?,
            tasking(analyst, date, record).await?,
        ])
        .collect())
}

/// The daily review's outcomes since the last JAG: how many lines the
/// partnership's reviewers decided each way (counts only).
async fn daily_review(analyst: &Analyst, date: NaiveDate, since: NaiveDate) -> Result<Section, Error> {
    let title = "Daily review outcomes since the last JAG";
    let (from, to) = (london_midnight(since).timestamp_millis(), london_midnight(date).timestamp_millis());
    let c = analyst.store().daily_decision_counts(from, to).await?;
    let day = |d: NaiveDate| d.format("%-d %B %Y").to_string();
    let total = c.open_case + c.link_case + c.no_action;
    let text = if total == 0 {
        format!("No daily review decisions were recorded from {} to {}.", day(since), day(date))
    } else {
        format!(
            "From {} to {} reviewers recorded {total} decision{}: {} to open a case, {} linked to a case, {} no action.",
            day(since),
            day(date),
            if total == 1 { "" } else { "s" },
            c.open_case,
            c.link_case,
            c.no_action
        )
    };
    Ok(section("daily-review", title, vec![para(text)]))
}

/// Streets offered for naming on a pack's hot spot map (the map shows
/// those that fit).
const MAP_STREET_NAMES: usize = 24;

async fn emerging(analyst: &Analyst, date: NaiveDate, since: NaiveDate, viewer: &Principal) -> Result<Section, Error> {
    let title = "New and emerging issues and hotspots since the last JAG";
    let months = months_to(analyst, date).await?;
    let Some(&latest) = months.last() else {
        return Ok(section("emerging", title, vec![para("No recorded crime has been loaded for this period.")]));
    };
    let mut blocks = vec![para(format!(
        "Since {since}. Recorded crime is published monthly by police.uk; the latest month held for this date is {}.",
        latest.long_name()
    ))];
    let permit = match viewer.permit::<ViewCrimeData>() {
        Ok(p) => p,
        Err(e) => return Ok(section("emerging", title, vec![para(format!("This section is not available: {e}"))])),
    };
    let first_new = Month::of_date(since).map_or(latest, |m| m.min(latest));
    let trends = TrendsRequest { filter: CrimeFilter { to: Some(latest), ..Default::default() }, ..Default::default() };
    match analyst.trends(&permit, &trends).await {
        Ok(t) => {
            let fresh: Vec<Vec<String>> = t
                .alerts
                .iter()
                .filter(|a| Month::parse(&a.month).is_ok_and(|m| m >= first_new))
                .map(|a| {
                    vec![
                        a.crime_type.clone(),
                        a.month.clone(),
                        format!("{:.0}", a.alert.observed),
                        format!("{:.1}", a.alert.expected),
                        a.alert.reason.clone(),
                    ]
                })
                .collect();
            if fresh.is_empty() {
                blocks.push(para("No crime type rose beyond its expected range (EARS, CUSUM and Farrington rules)."));
            } else {
                blocks.push(table(&["Crime type", "Month", "Observed", "Expected", "Why"], fresh));
            }
        }
        Err(e) => blocks.push(para(format!("The emerging-issues analysis could not be run: {e}"))),
    }
    let from = back(latest, 2);
    let filter = CrimeFilter { from: Some(from), to: Some(latest), crime_type: None, lsoa: None };
    let local = LocalOptions { permutations: 199, seed: 1, fdr: 0.05 };
    match analyst.grid_hotspots(&permit, &filter, DEFAULT_CELL_M, local).await {
        Err(e) => blocks.push(para(format!("The hot spot analysis could not be run: {e}"))),
        Ok(grid) => {
            let points = analyst.store().crime_points(&filter, 200_000).await?;
            let mut hot: Vec<_> =
                grid.cells.iter().filter(|c| matches!(c.stats.gi_class, SpotClass::Hot99 | SpotClass::Hot95)).collect();
            hot.sort_by(|a, b| b.count.cmp(&a.count).then(a.easting.total_cmp(&b.easting)));
            let listed: Vec<_> = hot.iter().take(8).collect();
            let rows: Vec<Vec<String>> = listed
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let inside = |p: &&safetynet_store::crimes::Crime| match (p.longitude, p.latitude) {
                        (Some(lon), Some(lat)) => {
                            let (e, n) = safetynet_analysis::bng::to_grid(lon, lat);
                            e >= c.easting
                                && e < c.easting + grid.cell_m
                                && n >= c.northing
                                && n < c.northing + grid.cell_m
                        }
                        _ => false,
                    };
                    let mut places: Vec<(String, usize)> = Vec::new();
                    for p in points.iter().filter(inside) {
                        match places.iter_mut().find(|(l, _)| *l == p.location) {
                            Some(e) => e.1 += 1,
                            None => places.push((p.location.clone(), 1)),
                        }
                    }
                    places.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                    let class = if c.stats.gi_class == SpotClass::Hot99 { "99%" } else { "95%" };
                    vec![
                        (i + 1).to_string(),
                        safetynet_domain::places::cell_place(&places),
                        c.count.to_string(),
                        class.to_string(),
                        format!("{:.2}", c.stats.gi_z),
                    ]
                })
                .collect();
            blocks.push(para(format!(
                "Hot spots of all recorded crime and ASB, {} to {} (Gi* on {} m cells, 199 permutations):",
                from.long_name(),
                latest.long_name(),
                grid.cell_m
            )));
            if rows.is_empty() {
                blocks.push(para("No cell is a hot spot at 95% confidence."));
            } else {
                blocks.push(table(
                    &["On the map", "Where (busiest streets in the cell)", "Records", "Confidence", "Gi* z"],
                    rows,
                ));
            }
            let rings = district_rings(analyst.store()).await?;
            let half = grid.cell_m / 2.0;
            // The busiest streets named, so that the map can be read without tiles.
            let located = points.iter().filter_map(|p| Some((p.location.as_str(), p.longitude?, p.latitude?)));
            let overlay = Overlay {
                markers: listed.iter().map(|c| (c.easting + half, c.northing + half)).collect(),
                names: safetynet_domain::places::busiest_streets(located, MAP_STREET_NAMES),
                ..Overlay::default()
            };
            blocks.push(figure(
                "Hot spots",
                map("Hot spots of recorded crime", &rings, Some(&grid), &[], &overlay, Focus::District),
            ));
        }
    }
    Ok(section("emerging", title, blocks))
}

async fn cases(
    analyst: &Analyst,
    date: NaiveDate,
    actor: &Actor<'_>,
    record: Option<&MeetingRecord>,
) -> Result<Section, Error> {
    let title = "High-risk and overdue cases; ASB Case Reviews due";
    let viewer = actor.principal;
    if !entitled(analyst, viewer, record).await? {
        return Ok(section(
            "cases",
            title,
            vec![Block::Restricted {
                text: "This section holds personal data. It is shown only to attendees of this meeting whose role lets them view case records; open the pack in SafetyNet to see it.".into(),
            }],
        ));
    }
    let permit = viewer.permit::<ViewRecords>()?;
    // Reading case records for a pack is audited as the pack's.
    let actor = Actor { source: "pack", ..*actor };
    let high = analyst.store().high_risk_cases(&permit, &actor).await?;
    let due = analyst.store().reviews_due(&permit, date, true, &actor).await?;
    let soon = date.checked_add_days(Days::new(14)).unwrap_or(date);
    let reviews: Vec<Vec<String>> = analyst
        .store()
        .case_reviews(&permit, &actor)
        .await?
        .into_iter()
        .filter(|r| r.outcome.is_none() && (r.clocks.decide_by <= soon || r.clocks.meeting_by <= soon))
        .map(|r| {
            vec![
                r.reference,
                r.owner_agency,
                r.received_on.to_string(),
                r.clocks.decide_by.to_string(),
                r.clocks.meeting_by.to_string(),
            ]
        })
        .collect();
    let case_rows = |cs: &[safetynet_store::cases::CaseSummary]| -> Vec<Vec<String>> {
        cs.iter()
            .map(|c| {
                vec![
                    c.reference.clone(),
                    c.title.clone(),
                    c.owner_agency.clone(),
                    c.risk_level.map_or("not assessed", |l| l.as_str()).to_string(),
                    c.next_review_on.map(|d| d.to_string()).unwrap_or_default(),
                ]
            })
            .collect()
    };
    let headers = ["Case", "Title", "Lead agency", "Risk", "Next review"];
    let mut blocks = vec![para(format!("Visible to {} ({}) on {date}.", viewer.display_name, viewer.agency))];
    blocks.push(para(format!("High-risk cases: {}", high.len())));
    if !high.is_empty() {
        blocks.push(table(&headers, case_rows(&high)));
    }
    blocks.push(para(format!("Reviews due or overdue: {}", due.len())));
    if !due.is_empty() {
        blocks.push(table(&headers, case_rows(&due)));
    }
    blocks.push(para(format!("ASB Case Reviews with a decision or meeting due within 14 days: {}", reviews.len())));
    if !reviews.is_empty() {
        blocks.push(table(&["Case Review", "Agency", "Received", "Decide by", "Meet by"], reviews));
    }
    Ok(section("cases", title, blocks))
}

fn evaluation_text(op: &Operation) -> Vec<String> {
    let Some(e) = &op.evaluation else { return Vec::new() };
    let c = &e["counts"];
    let n = |area: &str, when: &str| c[area][when].as_f64().unwrap_or(0.0);
    let mut lines = vec![format!(
        "{}: target {} before, {} during; buffer {} before, {} during; control {} before, {} during{}.",
        op.reference,
        n("target", "before"),
        n("target", "after"),
        n("buffer", "before"),
        n("buffer", "after"),
        n("control", "before"),
        n("control", "after"),
        if c["control_is_rest_of_district"].as_bool() == Some(true) {
            " (rest of the district, scaled to the target)"
        } else {
            ""
        }
    )];
    lines
        .extend(e["advice"]["reasoning"].as_array().into_iter().flatten().filter_map(|r| r.as_str().map(String::from)));
    lines
}

/// Plain words for a stored recommendation.
pub fn recommendation_label(r: Option<&str>) -> &'static str {
    match r {
        Some("scale_back") => "Scale back and monitor",
        Some("continue") => "Continue",
        Some("change_approach") => "Change approach",
        _ => "Not yet evaluated",
    }
}

async fn operations(analyst: &Analyst, date: NaiveDate, since: NaiveDate) -> Result<Section, Error> {
    let title = "Active operations and their evaluations";
    let all = analyst.store().operations().await?;
    let (d, s) = (date, since);
    let active: Vec<&Operation> = all.iter().filter(|o| o.starts_on <= d && o.ends_on >= d).collect();
    let ended: Vec<&Operation> = all.iter().filter(|o| o.ends_on < d && o.ends_on >= s).collect();
    let evaluated: Vec<&Operation> = all
        .iter()
        .filter(|o| {
            o.evaluated_at.is_some_and(|t| t <= end_of_day_ms(date))
                && o.ends_on < d
                && !ended.iter().any(|e| e.id == o.id)
        })
        .filter(|o| o.recommendation.as_deref() != Some("scale_back"))
        .collect();
    let row = |o: &&Operation| {
        vec![
            o.reference.clone(),
            o.name.clone(),
            o.prompted_by.clone(),
            format!("{} to {}", o.starts_on, o.ends_on),
            o.lead_agency.clone(),
            recommendation_label(o.recommendation.as_deref()).into(),
        ]
    };
    let headers = ["Operation", "Name", "Prompted by", "Period", "Lead", "Recommendation"];
    let mut blocks = Vec::new();
    blocks.push(para(format!("Active on {date}: {}", active.len())));
    if !active.is_empty() {
        blocks.push(table(&headers, active.iter().map(row).collect()));
    }
    blocks.push(para(format!(
        "Ended since {since}: {} (their recommendations are for this meeting's decision)",
        ended.len()
    )));
    for o in &ended {
        blocks.push(table(&headers, vec![row(o)]));
        let lines = evaluation_text(o);
        if lines.is_empty() {
            blocks.push(para("Not yet evaluated: police.uk data for the operation's months is not all published."));
        } else {
            blocks.push(Block::Bullets { items: lines });
        }
    }
    if !evaluated.is_empty() {
        blocks.push(para("Earlier operations still being worked (continue or change approach):"));
        blocks.push(table(&headers, evaluated.iter().map(row).collect()));
    }
    let shown: Vec<&&Operation> = active.iter().chain(ended.iter()).collect();
    // One operation's area is in its own page; a map earns its space when
    // it shows where several are.
    if shown.len() >= 2 {
        let mut zones = Vec::new();
        for o in &shown {
            zones.push((format!("{} target", o.reference), Colour::RED, zone_ring(&o.target)));
            if let Some(c) = &o.control {
                zones.push((format!("{} control", o.reference), Colour::BLUE, zone_ring(c)));
            }
        }
        let rings = district_rings(analyst.store()).await?;
        blocks.push(figure(
            "Operation areas",
            map("Operation areas", &rings, None, &zones, &Overlay::default(), Focus::Zones),
        ));
    }
    Ok(section("operations", title, blocks))
}

async fn tasking(analyst: &Analyst, date: NaiveDate, record: Option<&MeetingRecord>) -> Result<Section, Error> {
    let soon = date.checked_add_days(Days::new(14)).unwrap_or(date);
    let mut blocks = Vec::new();
    // With no meeting on the date, the actions still open on it.
    let open = match record {
        Some(r) => r.carried.clone(),
        None => analyst.store().open_actions_of_kind(MeetingKind::Jag, date).await?,
    };
    let due: Vec<Action> = open.into_iter().filter(|a| a.due_on <= soon).collect();
    let overdue = due.iter().filter(|a| a.due_on < date).count();
    blocks.push(para(format!("Actions due by {soon}: {} ({overdue} overdue)", due.len())));
    if !due.is_empty() {
        let mut rows = action_rows(&due, true);
        for (row, a) in rows.iter_mut().zip(&due) {
            if a.due_on < date {
                row[2] = format!("OVERDUE: {}", a.due_on);
            }
        }
        blocks.push(table(&["Action", "Owner", "Due", "Raised", "Latest update"], rows));
    }
    let mut op_tasks = Vec::new();
    for o in analyst.store().operations().await? {
        if o.ends_on < date {
            continue;
        }
        let (_, tasks) = analyst.store().operation(&o.id).await?;
        for t in tasks.into_iter().filter(|t| t.status == TaskStatus::Open && t.due_on <= soon) {
            op_tasks.push(vec![o.reference.clone(), t.title, t.owner_agency, t.due_on.to_string()]);
        }
    }
    if !op_tasks.is_empty() {
        blocks.push(para("Operation tasks due:"));
        blocks.push(table(&["Operation", "Task", "Owner", "Due"], op_tasks));
    }
    if let Some(r) = record {
        if !r.raised.is_empty() {
            blocks.push(para("Raised at this meeting:"));
            blocks.push(table(&["Action", "Owner", "Due", "Raised", "Latest update"], action_rows(&r.raised, true)));
        }
        if !r.decisions.is_empty() {
            blocks.push(para("Decisions:"));
            blocks.push(Block::Bullets { items: r.decisions.iter().map(|d| d.text.clone()).collect() });
        }
    }
    Ok(section("tasking", "Tasking: actions due", blocks))
}

/// The strategy and each commitment's latest rating on the pack's date.
type Ratings = (Strategy, Vec<(String, CommitmentUpdate)>);

async fn rag(analyst: &Analyst, date: NaiveDate, record: Option<&MeetingRecord>) -> Result<Vec<Section>, Error> {
    let ratings = match crate::measures::strategy_on(analyst.store(), date).await? {
        Some(s) => Some((s, analyst.store().ratings_as_of(end_of_day_ms(date)).await?)),
        None => None,
    };
    Ok(attendance(record)
        .into_iter()
        .chain([
            actions_section(record),
            performance(analyst, date, ratings.as_ref()).await?,
            commitments(ratings.as_ref()),
            concluded(analyst, date).await?,
            data_summary(analyst, date).await?,
        ])
        .collect())
}

async fn performance(analyst: &Analyst, date: NaiveDate, ratings: Option<&Ratings>) -> Result<Section, Error> {
    let title = "Performance against each priority";
    let Some((strategy, ratings)) = ratings else {
        return Ok(section("performance", title, vec![para("No strategy has been loaded.")]));
    };
    let months = months_to(analyst, date).await?;
    let Some(&latest) = months.last() else {
        return Ok(section("performance", title, vec![para("No recorded crime has been loaded for this period.")]));
    };
    let (first, prev_first) = (back(latest, 11), back(latest, 23));
    let population: i64 = analyst.store().area_stats().await?.iter().filter_map(|a| a.population).sum();
    let filter = CrimeFilter { from: Some(prev_first), to: Some(latest), crime_type: None, lsoa: None };
    let counts = analyst.store().crime_month_counts(&filter, false).await?;
    let mut blocks = vec![para(format!(
        "The last 12 months ({} to {}) against the 12 before. {}",
        first.long_name(),
        latest.long_name(),
        if population > 0 {
            format!("Rates per 1,000 residents use a population of {population} (ONS mid-2015, IMD 2019 File 6).")
        } else {
            "Rates per 1,000 residents need population figures: load them with `safetynet import imd`.".into()
        }
    ))];
    // Only months actually held are plotted; the comparison needs all twelve
    // of the previous months, else it would mislead.
    let labels: Vec<String> = months.iter().filter(|m| **m >= prev_first).map(|m| m.to_string()).collect();
    let previous_held = months.iter().filter(|m| **m >= prev_first && **m < first).count();
    let comparable = previous_held == 12;
    if !comparable {
        blocks.push(para(format!(
            "Only {previous_held} of the previous 12 months are held, so no comparison with the year before is made."
        )));
    }
    if let Some(age) = latest.stale_on(date) {
        blocks.push(para(format!(
            "Warning: the newest recorded crime held is for {}, {age} months before this meeting. These figures describe that time, not now.",
            latest.long_name()
        )));
    }
    // Only the comparisons that can be made are shown.
    let mut headers = vec!["Crime type", "Last 12 months"];
    if comparable {
        headers.extend(["Previous 12", "Change"]);
    }
    if population > 0 {
        headers.push("Per 1,000 residents");
    }
    for (i, p) in strategy.priorities.iter().enumerate() {
        let mut rows = Vec::new();
        let (mut now_total, mut before_total) = (0, 0);
        for t in &p.crime_types {
            let sum = |a: Month, b: Month| {
                counts.iter().filter(|c| &c.1 == t && c.0 >= a && c.0 <= b).map(|c| c.3).sum::<i64>()
            };
            let (now, before) = (sum(first, latest), sum(prev_first, first.previous()));
            now_total += now;
            before_total += before;
            rows.push(perf_row(t, now, comparable.then_some(before), population));
        }
        rows.push(perf_row("All of these", now_total, comparable.then_some(before_total), population));
        let rated: Vec<&str> = p
            .commitments
            .iter()
            .map(|c| ratings.iter().find(|(id, _)| *id == c.id).map_or("not rated", |(_, u)| u.rag.as_str()))
            .collect();
        let tally = |r: &str| rated.iter().filter(|x| **x == r).count();
        blocks.push(para(format!("Priority {}: {}", i + 1, p.title)));
        blocks.push(table(&headers, rows));
        blocks.push(para(format!(
            "Commitments: {} green, {} amber, {} red, {} not yet rated.",
            tally("green"),
            tally("amber"),
            tally("red"),
            tally("not rated")
        )));
        let series: Vec<f64> = labels
            .iter()
            .map(|l| {
                counts
                    .iter()
                    .filter(|c| c.0.to_string() == *l && p.crime_types.contains(&c.1))
                    .map(|c| c.3 as f64)
                    .sum()
            })
            .collect();
        blocks.push(figure(
            &format!("Priority {}: recorded crime per month", i + 1),
            line_chart(
                &format!("{} per month", p.title),
                &labels,
                &[("Recorded crime of the priority's types".into(), Colour::BLUE, series)],
                &[],
            ),
        ));
    }
    Ok(section("performance", title, blocks))
}

/// A performance row: the count, then the year before and the change when
/// `before` is held, then the rate when the population is known.
fn perf_row(name: &str, now: i64, before: Option<i64>, population: i64) -> Vec<String> {
    let mut row = vec![name.to_string(), now.to_string()];
    if let Some(b) = before {
        let change = if b > 0 { format!("{:+.1}%", (now - b) as f64 * 100.0 / b as f64) } else { "new".into() };
        row.extend([b.to_string(), change]);
    }
    if population > 0 {
        row.push(format!("{:.2}", now as f64 * 1000.0 / population as f64));
    }
    row
}

fn commitments(ratings: Option<&Ratings>) -> Section {
    let title = "Progress on the strategy's commitments";
    let Some((strategy, ratings)) = ratings else {
        return section("commitments", title, vec![para("No strategy has been loaded.")]);
    };
    let mut blocks = vec![para(
        "Measures are counted from the partners' records on the meeting's date where the strategy names one; otherwise the owner's latest reported figure is shown.",
    )];
    for (i, p) in strategy.priorities.iter().enumerate() {
        let rows = p
            .commitments
            .iter()
            .map(|c| {
                let u = ratings.iter().find(|(id, _)| *id == c.id).map(|(_, u)| u);
                vec![
                    c.title.clone(),
                    if c.team.is_empty() { c.owner_agency.clone() } else { format!("{} ({})", c.owner_agency, c.team) },
                    c.measured.as_ref().map_or_else(
                        || u.and_then(|u| u.figure).map_or_else(String::new, |f| format!("{f} (reported)")),
                        |m| m.text.clone(),
                    ),
                    u.map_or_else(|| "Not rated".into(), |u| u.rag.label().into()),
                    u.map_or_else(String::new, |u| u.reason.clone()),
                ]
            })
            .collect();
        blocks.push(para(format!("Priority {}: {}", i + 1, p.title)));
        blocks.push(table(&["Commitment", "Owner", "Measure", "Rating", "Why"], rows));
    }
    section("commitments", title, blocks)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}

async fn concluded(analyst: &Analyst, date: NaiveDate) -> Result<Section, Error> {
    let d = date;
    let year_ago = date.checked_sub_days(Days::new(365)).unwrap_or(date);
    let ops: Vec<Operation> = analyst
        .store()
        .operations()
        .await?
        .into_iter()
        .filter(|o| o.ends_on < d && o.ends_on >= year_ago && o.evaluated_at.is_some_and(|t| t <= end_of_day_ms(date)))
        .collect();
    let mut blocks =
        vec![para(format!("Operations that ended in the 12 months to {date} and have been evaluated: {}", ops.len()))];
    for o in &ops {
        blocks.push(table(
            &["Operation", "Name", "Period", "Recommendation"],
            vec![vec![
                o.reference.clone(),
                o.name.clone(),
                format!("{} to {}", o.starts_on, o.ends_on),
                recommendation_label(o.recommendation.as_deref()).into(),
            ]],
        ));
        blocks.push(Block::Bullets { items: evaluation_text(o) });
    }
    Ok(section("concluded", "Operations concluded and their outcomes", blocks))
}

async fn data_summary(analyst: &Analyst, date: NaiveDate) -> Result<Section, Error> {
    let from = date.checked_sub_days(Days::new(365)).unwrap_or(date);
    let to = date.checked_add_days(Days::new(1)).unwrap_or(date);
    let operator = Principal::operator_for_agency("");
    let permit = operator.permit::<ViewCrimeData>()?;
    let s = analyst
        .store()
        .data_summary(
            &permit,
            london_midnight(from).timestamp_millis(),
            london_midnight(to).timestamp_millis(),
            from,
            to,
        )
        .await?;
    let cats = analyst.store().categories().await?;
    let label = |code: &str| cats.iter().find(|c| c.code == code).map_or_else(|| code.to_string(), |c| c.label.clone());
    let pairs = |v: &[(String, i64)], f: &dyn Fn(&str) -> String| {
        v.iter().map(|(k, n)| vec![f(k), n.to_string()]).collect::<Vec<_>>()
    };
    let blocks = vec![
        para(format!("Depersonalised partnership data, {from} to {date}: counts only (Crime and Disorder Act 1998 s17A). No person, address or reference appears.")),
        table(&["Incidents recorded by category", "Count"], pairs(&s.incidents_by_category, &label)),
        table(&["Incidents recorded by agency", "Count"], pairs(&s.incidents_by_agency, &|k| k.to_string())),
        table(&["Live cases by risk level", "Count"], pairs(&s.live_cases_by_risk, &|k| capitalise(k))),
        table(&["Interventions issued by kind", "Count"], pairs(&s.interventions_by_kind, &|k| k.replace('_', " "))),
        para(format!(
            "Cases opened: {}. ASB Case Review applications: {} ({} met the threshold).",
            s.cases_opened, s.case_review_applications, s.case_reviews_threshold_met
        )),
    ];
    Ok(section("data-summary", "Partnership data summary (depersonalised)", blocks))
}

async fn psf(
    analyst: &Analyst,
    date: NaiveDate,
    record: Option<&MeetingRecord>,
    threshold: i64,
) -> Result<Vec<Section>, Error> {
    let mut out = Vec::new();
    // Crime in the area: the district as a whole, counts under disclosure control.
    let months = months_to(analyst, date).await?;
    let mut blocks = Vec::new();
    match months.last() {
        None => blocks.push(para("No recorded crime has been published for this period yet.")),
        Some(&latest) => {
            let first = back(latest, 2);
            let (ly_first, ly_last) = (back(first, 12), back(latest, 12));
            let filter = CrimeFilter { from: Some(ly_first), to: Some(latest), crime_type: None, lsoa: None };
            let counts = analyst.store().crime_month_counts(&filter, false).await?;
            let year_held = months.iter().filter(|m| **m >= ly_first && **m <= ly_last).count() == 3;
            let mut types: Vec<String> = counts.iter().map(|c| c.1.clone()).collect();
            types.sort();
            types.dedup();
            let rows = types
                .iter()
                .map(|t| {
                    let sum = |a: Month, b: Month| {
                        counts.iter().filter(|c| &c.1 == t && c.0 >= a && c.0 <= b).map(|c| c.3).sum::<i64>()
                    };
                    let earlier = if year_held {
                        Disclosed::of(sum(ly_first, ly_last), threshold).text()
                    } else {
                        "not held".into()
                    };
                    vec![t.clone(), Disclosed::of(sum(first, latest), threshold).text(), earlier]
                })
                .collect();
            blocks.push(para(format!(
                "Recorded crime and anti-social behaviour across the district, {} to {}, with the same months a year earlier (data.police.uk). Counts of 1 to {} are shown as \"fewer than {threshold}\" so that no one can be identified; counts over 100 are rounded to the nearest 5.",
                first.long_name(),
                latest.long_name(),
                threshold - 1
            )));
            blocks.push(table(&["Crime type", "These three months", "A year earlier"], rows));
        }
    }
    out.push(section("crime", "Crime and anti-social behaviour in your area", blocks));
    // You said, we did: closed actions with a published note.
    let done: Vec<String> = match record {
        Some(r) => {
            let actions = analyst.store().closed_actions(&r.series.code, date).await?;
            actions
                .iter()
                .filter(|a| !a.public_note.is_empty())
                .map(|a| format!("You said: {}. We did: {}", a.title, a.public_note))
                .collect()
        }
        None => Vec::new(),
    };
    out.push(section(
        "you-said",
        "You said, we did",
        if done.is_empty() { vec![para("Nothing to report yet.")] } else { vec![Block::Bullets { items: done }] },
    ));
    // Survey results, per area under disclosure control.
    let mut blocks = Vec::new();
    let mut top: Vec<String> = Vec::new();
    let series = record.map(|r| r.series.code.clone());
    let survey = analyst.store().surveys(series.as_deref()).await?.into_iter().find(|s| s.opens_on <= date);
    match survey {
        None => blocks.push(para("No survey has been run for this forum yet.")),
        Some(s) => {
            let results = analyst.store().survey_results(&s.id, end_of_day_ms(date)).await?;
            blocks.push(para(format!(
                "{} (open {} to {}). Residents ranked up to three priorities; first choice scores most (Borda count).",
                s.title, s.opens_on, s.closes_on
            )));
            let (total, areas) = match results.split_first() {
                Some((all, areas)) => (all.responses, areas.iter().map(|r| r.responses).collect::<Vec<_>>()),
                None => (0, Vec::new()),
            };
            let (total_shown, areas_shown) = Disclosed::of_parts(total, &areas, threshold);
            let rows = results
                .iter()
                .zip(std::iter::once(total_shown).chain(areas_shown))
                .map(|(r, shown)| {
                    let ranking = if r.responses >= threshold {
                        r.ranking.iter().take(3).map(|x| x.0.clone()).collect::<Vec<_>>().join("; ")
                    } else {
                        format!("not shown: fewer than {threshold} responses")
                    };
                    vec![r.area.clone(), shown.text(), ranking]
                })
                .collect();
            blocks.push(table(&["Area", "Responses", "Top priorities"], rows));
            blocks.push(para(format!(
                "Areas with 1 to {} responses are shown as \"fewer than {threshold}\"; when any area is, the total for all areas is not shown, so that no area's count can be worked out from the others.",
                threshold - 1
            )));
            if let Some(all) = results.first().filter(|r| r.responses >= threshold) {
                top = all.ranking.iter().take(3).map(|x| x.0.clone()).collect();
            }
        }
    }
    out.push(section("survey", "Residents' priorities: survey results", blocks));
    let mut proposed: Vec<String> = analyst
        .store()
        .strategy()
        .await?
        .map(|s| s.priorities.into_iter().map(|p| p.title).collect())
        .unwrap_or_default();
    if !top.is_empty() {
        proposed.push(format!("Local focus from the survey: {}", top.join(", ")));
    }
    out.push(section(
        "proposed",
        "Priorities proposed for the coming period",
        vec![Block::Bullets { items: proposed }],
    ));
    Ok(out)
}
