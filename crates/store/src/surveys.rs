//! Priority Setting Forum surveys: residents choose and rank local
//! priorities without an account. One response per person is enforced with
//! a hashed random token from the resident's browser (no name, e-mail or
//! address is asked for), and a cap on responses from one network (kept
//! only as a salted hash).

use crate::audit::append;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::meeting::borda;
use safetynet_domain::policy::{ManagePartnershipWork, Permit};
use serde::Serialize;

/// Most responses accepted from one network for one survey (households and
/// libraries share an address; a script does not get far).
pub const RESPONSES_PER_SOURCE: i64 = 25;

/// Most priorities a resident ranks.
pub const MAX_RANKED: usize = 3;

/// A survey.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Survey {
    /// Id.
    pub id: String,
    /// The forum series it serves.
    pub series_code: String,
    /// Title.
    pub title: String,
    /// The priorities residents rank.
    pub options: Vec<String>,
    /// Areas residents choose from (names residents recognise).
    pub areas: Vec<String>,
    /// First day open.
    pub opens_on: NaiveDate,
    /// Last day open.
    pub closes_on: NaiveDate,
}

impl Survey {
    /// Whether it takes responses on `today`.
    pub fn is_open(&self, today: NaiveDate) -> bool {
        self.opens_on <= today && today <= self.closes_on
    }
}

/// Results for one area (or all areas).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct AreaResult {
    /// Area ("All areas" for the total).
    pub area: String,
    /// Responses.
    pub responses: i64,
    /// (priority, Borda points, first preferences), best first.
    pub ranking: Vec<(String, i64, i64)>,
}

fn survey_row(r: &Row) -> Result<Survey> {
    let list = |t: String| serde_json::from_str(&t).unwrap_or_default();
    Ok(Survey {
        id: r.text("id")?,
        series_code: r.text("series_code")?,
        title: r.text("title")?,
        options: list(r.text("options")?),
        areas: list(r.text("areas")?),
        opens_on: r.date("opens_on")?,
        closes_on: r.date("closes_on")?,
    })
}

fn clean_list(what: &str, items: &[String]) -> Result<Vec<String>> {
    let out: Vec<String> = items.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    let mut sorted = out.clone();
    sorted.sort();
    sorted.dedup();
    if out.len() < 2 || out.len() > 20 || sorted.len() != out.len() || out.iter().any(|s| s.chars().count() > 120) {
        return Err(StoreError::Rule("survey", format!("give 2 to 20 different {what} of at most 120 characters")));
    }
    Ok(out)
}

const SURVEY_COLS: &str = "id, series_code, title, options, areas, opens_on, closes_on";

impl Store {
    /// Creates a survey for a forum series (CSP manager).
    #[allow(clippy::too_many_arguments)]
    pub async fn create_survey(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        series_code: &str,
        title: &str,
        options: &[String],
        areas: &[String],
        opens_on: NaiveDate,
        closes_on: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<Survey> {
        self.one_series(series_code).await?;
        if title.trim().is_empty() || title.chars().count() > 200 {
            return Err(StoreError::Rule("survey", "enter the survey's title (at most 200 characters)".into()));
        }
        let options = clean_list("priorities", options)?;
        let areas = clean_list("areas", areas)?;
        if closes_on < opens_on {
            return Err(StoreError::Rule("survey", "the survey must close on or after the day it opens".into()));
        }
        let mut tx = self.write().await?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(format!("INSERT INTO surveys ({SURVEY_COLS}, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
                .bind(&id)
                .bind(series_code)
                .bind(title.trim())
                .bind(serde_json::to_string(&options).unwrap_or_default())
                .bind(serde_json::to_string(&areas).unwrap_or_default())
                .bind(opens_on.to_string())
                .bind(closes_on.to_string())
                .bind(actor.at_ms),
        )
        .await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Create, "survey", Some(&id), serde_json::json!({ "series": series_code })),
        )
        .await?;
        tx.commit().await?;
        self.survey(&id).await
    }

    /// One survey.
    pub async fn survey(&self, id: &str) -> Result<Survey> {
        let row = self
            .conn()
            .await?
            .optional(&Q::new(format!("SELECT {SURVEY_COLS} FROM surveys WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("survey"))?;
        survey_row(&row)
    }

    /// Surveys, latest first; of one series when given.
    pub async fn surveys(&self, series_code: Option<&str>) -> Result<Vec<Survey>> {
        let mut q = Q::new(format!("SELECT {SURVEY_COLS} FROM surveys WHERE 1 = 1"));
        if let Some(s) = series_code {
            q.push(" AND series_code = ").arg(s);
        }
        q.push(" ORDER BY opens_on DESC, id DESC");
        self.conn().await?.all(&q).await?.iter().map(survey_row).collect()
    }

    /// Takes a resident's response: their area and up to three priorities in
    /// order. `voter_hash` identifies the browser (a second response is a
    /// conflict); `source_hash` the network (capped). Nothing else about the
    /// resident is kept.
    #[allow(clippy::too_many_arguments)]
    pub async fn respond(
        &self,
        survey_id: &str,
        area: &str,
        ranking: &[String],
        voter_hash: &str,
        source_hash: &str,
        today: NaiveDate,
        at_ms: i64,
    ) -> Result<()> {
        let s = self.survey(survey_id).await?;
        if !s.is_open(today) {
            return Err(StoreError::Rule(
                "survey_closed",
                format!("this survey is open from {} to {}", s.opens_on, s.closes_on),
            ));
        }
        if !s.areas.iter().any(|a| a == area) {
            return Err(StoreError::Rule("area", "choose your area from the list".into()));
        }
        let mut seen = Vec::new();
        for r in ranking {
            if !s.options.contains(r) {
                return Err(StoreError::Rule("ranking", "choose priorities from the list".into()));
            }
            if seen.contains(r) {
                return Err(StoreError::Rule("ranking", "choose each priority only once".into()));
            }
            seen.push(r.clone());
        }
        if seen.is_empty() || seen.len() > MAX_RANKED {
            return Err(StoreError::Rule(
                "ranking",
                format!("choose between 1 and {MAX_RANKED} priorities, most important first"),
            ));
        }
        let mut tx = self.write().await?;
        let from_source = tx
            .one(
                &Q::new("SELECT COUNT(*) AS n FROM survey_responses WHERE survey_id = $1 AND source_hash = $2")
                    .bind(survey_id)
                    .bind(source_hash),
            )
            .await?
            .int("n")?;
        if from_source >= RESPONSES_PER_SOURCE {
            return Err(StoreError::Rule(
                "survey_limit",
                "too many responses have come from your network; please try again from another connection".into(),
            ));
        }
        tx.execute(
            &Q::new("INSERT INTO survey_responses (id, survey_id, area, ranking, voter_hash, source_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(new_id_at_ms(at_ms))
                .bind(survey_id)
                .bind(area)
                .bind(serde_json::to_string(&seen).unwrap_or_default())
                .bind(voter_hash)
                .bind(source_hash)
                .bind(at_ms),
        )
        .await
        .map_err(|e| e.conflict_as("a response from you to this survey"))?;
        tx.commit().await
    }

    /// Results from responses made up to `until_ms`: all areas first, then
    /// each area (Borda count of the rankings).
    pub async fn survey_results(&self, survey_id: &str, until_ms: i64) -> Result<Vec<AreaResult>> {
        let s = self.survey(survey_id).await?;
        let rows = self
            .conn()
            .await?
            .all(
                &Q::new("SELECT area, ranking FROM survey_responses WHERE survey_id = $1 AND created_at <= $2 ORDER BY area, id")
                    .bind(survey_id)
                    .bind(until_ms),
            )
            .await?;
        let mut ballots: Vec<(String, Vec<String>)> = Vec::with_capacity(rows.len());
        for r in &rows {
            ballots.push((r.text("area")?, serde_json::from_str(&r.text("ranking")?).unwrap_or_default()));
        }
        let result = |area: &str, b: Vec<Vec<String>>| AreaResult {
            area: area.to_string(),
            responses: b.len() as i64,
            ranking: borda(&s.options, &b),
        };
        let mut out = vec![result("All areas", ballots.iter().map(|(_, b)| b.clone()).collect())];
        for a in &s.areas {
            out.push(result(a, ballots.iter().filter(|(x, _)| x == a).map(|(_, b)| b.clone()).collect()));
        }
        Ok(out)
    }
}
