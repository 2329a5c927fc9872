//! The strategy as living data: loading a strategy file (idempotent: wording
//! and owners change, progress stays), commitments, progress updates with a
//! red/amber/green rating and their history, and the updates that are due.
//! Only the owning agency (or a CSP manager) records progress on a
//! commitment.

use crate::audit::append;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::measures::{MeasureSource, Measured};
use safetynet_domain::policy::{ManagePartnershipWork, Permit, UpdateCommitments};
use safetynet_domain::strategy::{next_update_due, CommitmentStatus, Rag, StrategyDef};
use serde::{Deserialize, Serialize};

/// A strategy with its priorities and commitments as they stand.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Strategy {
    /// Code.
    pub code: String,
    /// Title.
    pub title: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Priorities in order, each with its commitments.
    pub priorities: Vec<Priority>,
}

/// A priority and its commitments.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Priority {
    /// Code.
    pub code: String,
    /// Title.
    pub title: String,
    /// What it covers.
    pub summary: String,
    /// police.uk crime types reported against it.
    pub crime_types: Vec<String>,
    /// Commitments in order.
    pub commitments: Vec<Commitment>,
}

/// A commitment as it stands.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Commitment {
    /// Id.
    pub id: String,
    /// Code, unique in the strategy.
    pub code: String,
    /// The priority it serves.
    pub priority_code: String,
    /// What will be done.
    pub title: String,
    /// Owning agency.
    pub owner_agency: String,
    /// Team in the owning agency.
    pub team: String,
    /// Other agencies taking part.
    pub partners: Vec<String>,
    /// How progress is measured.
    pub measure: String,
    /// Numeric target, if any.
    pub target: Option<f64>,
    /// The latest figure reported against the measure.
    pub progress: Option<f64>,
    /// The measure computed from the programmes' records, if any.
    pub measured_by: Option<MeasureSource>,
    /// That measure's figure as of a day (filled in by
    /// `safetynet_app::measures`; none when not computed).
    pub measured: Option<Measured>,
    /// Where it stands.
    pub status: CommitmentStatus,
    /// Latest rating (none before the first update).
    pub rag: Option<Rag>,
    /// Why it has that rating.
    pub rag_reason: String,
    /// Days between updates.
    pub update_every_days: i64,
    /// When the last update was recorded (Unix ms).
    pub last_update_at: Option<i64>,
    /// When the next update is due.
    pub next_update_due: NaiveDate,
}

impl Commitment {
    /// Whether the owner owes an update on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_live() && self.next_update_due < today
    }
}

/// One progress update.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CommitmentUpdate {
    /// Id.
    pub id: String,
    /// When (Unix ms).
    pub at_ms: i64,
    /// Who (user id; none for the command line).
    pub author_id: Option<String>,
    /// Their name.
    pub author_name: String,
    /// Their agency.
    pub author_agency: String,
    /// Status after the update.
    pub status: CommitmentStatus,
    /// Rating.
    pub rag: Rag,
    /// Why that rating.
    pub reason: String,
    /// What was done.
    pub note: String,
    /// A figure against the measure.
    pub figure: Option<f64>,
    /// Evidence links (internal paths such as `/cases/…` or web addresses).
    pub evidence: Vec<String>,
}

/// What an owner records.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewCommitmentUpdate {
    /// Status after the update.
    pub status: CommitmentStatus,
    /// Rating.
    pub rag: Rag,
    /// Why that rating (required).
    pub reason: String,
    /// What was done.
    #[serde(default)]
    pub note: String,
    /// A figure against the measure.
    #[serde(default)]
    pub figure: Option<f64>,
    /// Evidence links.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// The fields a CSP manager edits on a commitment.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct CommitmentEdit {
    /// What will be done.
    pub title: String,
    /// Owning agency.
    pub owner_agency: String,
    /// Team.
    #[serde(default)]
    pub team: String,
    /// Measure.
    #[serde(default)]
    pub measure: String,
    /// Target.
    #[serde(default)]
    pub target: Option<f64>,
    /// Days between updates.
    pub update_every_days: u32,
}

/// What loading a strategy changed.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct LoadSummary {
    /// Priorities in the file.
    pub priorities: usize,
    /// Commitments added.
    pub added: usize,
    /// Commitments already present (wording and owners refreshed).
    pub updated: usize,
}

const COMMITMENT_COLS: &str = "id, code, priority_code, title, owner_agency, team, partners, measure, target, progress, measured_by, status, rag, rag_reason, update_every_days, last_update_at, next_update_due";

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn commitment_row(r: &Row) -> Result<Commitment> {
    Ok(Commitment {
        id: r.text("id")?,
        code: r.text("code")?,
        priority_code: r.text("priority_code")?,
        title: r.text("title")?,
        owner_agency: r.text("owner_agency")?,
        team: r.text("team")?,
        partners: json_list(&r.text("partners")?),
        measure: r.text("measure")?,
        target: r.opt_real("target")?,
        progress: r.opt_real("progress")?,
        measured_by: r.opt_stored("measured_by")?,
        measured: None,
        status: r.stored("status")?,
        rag: r.opt_stored("rag")?,
        rag_reason: r.text("rag_reason")?,
        update_every_days: r.int("update_every_days")?,
        last_update_at: r.opt_int("last_update_at")?,
        next_update_due: r.date("next_update_due")?,
    })
}

fn update_row(r: &Row) -> Result<CommitmentUpdate> {
    Ok(CommitmentUpdate {
        id: r.text("id")?,
        at_ms: r.int("at_ms")?,
        author_id: r.opt_text("author_id")?,
        author_name: r.text("author_name")?,
        author_agency: r.text("author_agency")?,
        status: r.stored("status")?,
        rag: r.stored("rag")?,
        reason: r.text("reason")?,
        note: r.text("note")?,
        figure: r.opt_real("figure")?,
        evidence: json_list(&r.text("evidence")?),
    })
}

fn check_text(what: &'static str, text: &str, max: usize, required: bool) -> Result<()> {
    if (required && text.trim().is_empty()) || text.chars().count() > max {
        let need = if required { "enter" } else { "shorten" };
        return Err(StoreError::Rule("text", format!("{need} the {what} (at most {max} characters)")));
    }
    Ok(())
}

/// Checks the fields a CSP manager sets on a commitment.
fn check_commitment(c: &CommitmentEdit) -> Result<()> {
    check_text("commitment", &c.title, 400, true)?;
    check_text("team", &c.team, 100, false)?;
    check_text("measure", &c.measure, 300, false)?;
    if !(7..=366).contains(&c.update_every_days) {
        return Err(StoreError::Rule("interval", "updates must be asked for every 7 to 366 days".into()));
    }
    if c.target.is_some_and(|t| !(t.is_finite() && t > 0.0)) {
        return Err(StoreError::Rule("target", "the target must be a positive number".into()));
    }
    Ok(())
}

/// Checks one evidence link: an internal path (`/cases/…`) or a web address.
fn check_evidence(link: &str) -> Result<()> {
    if !safetynet_domain::links::is_evidence_link(link) {
        return Err(StoreError::Rule(
            "evidence",
            "each evidence link must be a SafetyNet path (such as /cases/…) or an https:// address".into(),
        ));
    }
    Ok(())
}

impl Store {
    /// Loads `def`: adds what is new, refreshes wording, owners and measures
    /// of what exists, and keeps every commitment's status and history.
    /// Agency codes must exist. `today` starts the first update cycle.
    pub async fn load_strategy(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        def: &StrategyDef,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<LoadSummary> {
        let agencies: Vec<String> = self.agencies().await?.into_iter().map(|a| a.code.to_string()).collect();
        for c in def.priorities.iter().flat_map(|p| &p.commitments) {
            for a in std::iter::once(&c.owner_agency).chain(&c.partners) {
                if !agencies.contains(a) {
                    return Err(StoreError::Rule(
                        "strategy_agency",
                        format!("commitment '{}' names agency '{a}', which is not in the partnership", c.code),
                    ));
                }
            }
        }
        let mut tx = self.write().await?;
        tx.execute(
            &Q::new(
                "INSERT INTO strategies (code, title, starts_on, ends_on, loaded_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO UPDATE SET title = excluded.title, starts_on = excluded.starts_on, ends_on = excluded.ends_on, loaded_at = excluded.loaded_at",
            )
            .bind(&def.code)
            .bind(&def.title)
            .bind(def.starts_on.to_string())
            .bind(def.ends_on.to_string())
            .bind(actor.at_ms),
        )
        .await?;
        let mut summary = LoadSummary { priorities: def.priorities.len(), ..Default::default() };
        let mut position = 0i64;
        for (i, p) in def.priorities.iter().enumerate() {
            tx.execute(
                &Q::new(
                    "INSERT INTO strategy_priorities (strategy_code, code, position, title, summary, crime_types) VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (strategy_code, code) DO UPDATE SET position = excluded.position, title = excluded.title, summary = excluded.summary, crime_types = excluded.crime_types",
                )
                .bind(&def.code)
                .bind(&p.code)
                .bind(i as i64)
                .bind(&p.title)
                .bind(&p.summary)
                .bind(serde_json::to_string(&p.crime_types).unwrap_or_default()),
            )
            .await?;
            for c in &p.commitments {
                position += 1;
                let partners = serde_json::to_string(&c.partners).unwrap_or_default();
                let changed = tx
                    .execute(
                        &Q::new(
                            "UPDATE commitments SET priority_code = $3, position = $4, title = $5, owner_agency = $6, team = $7, partners = $8, measure = $9, target = $10, update_every_days = $11,
                               measured_by = $12
                             WHERE strategy_code = $1 AND code = $2",
                        )
                        .bind(&def.code)
                        .bind(&c.code)
                        .bind(&p.code)
                        .bind(position)
                        .bind(&c.title)
                        .bind(&c.owner_agency)
                        .bind(&c.team)
                        .bind(&partners)
                        .bind(&c.measure)
                        .bind(c.target)
                        .bind(i64::from(c.update_every_days))
                        .bind(c.measured_by.map(MeasureSource::as_str)),
                    )
                    .await?;
                if changed > 0 {
                    summary.updated += 1;
                    continue;
                }
                tx.execute(
                    &Q::new(
                        "INSERT INTO commitments (id, strategy_code, priority_code, code, position, title, owner_agency, team, partners, measure, target, progress, status, rag, rag_reason, update_every_days, last_update_at, next_update_due, measured_by)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12, NULL, '', $13, NULL, $14, $15)",
                    )
                    .bind(new_id_at_ms(actor.at_ms))
                    .bind(&def.code)
                    .bind(&p.code)
                    .bind(&c.code)
                    .bind(position)
                    .bind(&c.title)
                    .bind(&c.owner_agency)
                    .bind(&c.team)
                    .bind(&partners)
                    .bind(&c.measure)
                    .bind(c.target)
                    .bind(CommitmentStatus::InProgress.as_str())
                    .bind(i64::from(c.update_every_days))
                    .bind(next_update_due(today, c.update_every_days).to_string())
                    .bind(c.measured_by.map(MeasureSource::as_str)),
                )
                .await?;
                summary.added += 1;
            }
        }
        let detail = serde_json::json!({ "strategy": def.code, "added": summary.added, "updated": summary.updated });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Import, "strategy", Some(&def.code), detail)).await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// The current strategy (the one that started last), with every
    /// commitment as it stands; `None` before one is loaded.
    pub async fn strategy(&self) -> Result<Option<Strategy>> {
        let mut c = self.conn().await?;
        let Some(s) = c
            .optional(&Q::new(
                "SELECT code, title, starts_on, ends_on FROM strategies ORDER BY starts_on DESC, code LIMIT 1",
            ))
            .await?
        else {
            return Ok(None);
        };
        let code = s.text("code")?;
        let prows = c
            .all(
                &Q::new(
                    "SELECT code, title, summary, crime_types FROM strategy_priorities WHERE strategy_code = $1 ORDER BY position",
                )
                .bind(&code),
            )
            .await?;
        let crows = c
            .all(
                &Q::new(format!(
                    "SELECT {COMMITMENT_COLS} FROM commitments WHERE strategy_code = $1 ORDER BY position"
                ))
                .bind(&code),
            )
            .await?;
        let commitments = crows.iter().map(commitment_row).collect::<Result<Vec<_>>>()?;
        let priorities = prows
            .iter()
            .map(|r| {
                let pcode = r.text("code")?;
                Ok(Priority {
                    commitments: commitments.iter().filter(|c| c.priority_code == pcode).cloned().collect(),
                    code: pcode,
                    title: r.text("title")?,
                    summary: r.text("summary")?,
                    crime_types: json_list(&r.text("crime_types")?),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some(Strategy {
            code,
            title: s.text("title")?,
            starts_on: s.date("starts_on")?,
            ends_on: s.date("ends_on")?,
            priorities,
        }))
    }

    /// One commitment and its update history (newest first).
    pub async fn commitment(&self, id: &str) -> Result<(Commitment, Vec<CommitmentUpdate>)> {
        let mut c = self.conn().await?;
        let row = c
            .optional(&Q::new(format!("SELECT {COMMITMENT_COLS} FROM commitments WHERE id = $1")).bind(id))
            .await?
            .ok_or(StoreError::NotFound("commitment"))?;
        let rows = c
            .all(
                &Q::new(
                    "SELECT u.id, u.at_ms, u.author_id, COALESCE(us.display_name, 'Operator') AS author_name, u.author_agency, u.status, u.rag, u.reason, u.note, u.figure, u.evidence
                     FROM commitment_updates u LEFT JOIN users us ON us.id = u.author_id
                     WHERE u.commitment_id = $1 ORDER BY u.at_ms DESC, u.id DESC",
                )
                .bind(id),
            )
            .await?;
        let history = rows.iter().map(update_row).collect::<Result<Vec<_>>>()?;
        Ok((commitment_row(&row)?, history))
    }

    /// Records a progress update on a commitment: its status, rating and
    /// figure change, and the next update falls due a cycle after `today`.
    /// Only the owning agency or a CSP manager may.
    pub async fn add_commitment_update(
        &self,
        permit: &Permit<UpdateCommitments>,
        id: &str,
        update: &NewCommitmentUpdate,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<CommitmentUpdate> {
        check_text("reason for the rating", &update.reason, 2000, true)?;
        check_text("progress note", &update.note, 10_000, false)?;
        if update.evidence.len() > 20 {
            return Err(StoreError::Rule("evidence", "give at most 20 evidence links".into()));
        }
        update.evidence.iter().try_for_each(|l| check_evidence(l))?;
        if update.figure.is_some_and(|f| !f.is_finite()) {
            return Err(StoreError::Rule("figure", "the figure must be a number".into()));
        }
        let (commitment, _) = self.commitment(id).await?;
        let who = permit.principal();
        if who.agency != commitment.owner_agency && !who.can::<ManagePartnershipWork>() {
            return Err(StoreError::Forbidden(
                "only the owning agency or the CSP manager can record progress on this commitment",
            ));
        }
        let mut tx = self.write().await?;
        let update_id = new_id_at_ms(actor.at_ms);
        let author = Some(who.user_id.clone()).filter(|s| !s.is_empty());
        let evidence = serde_json::to_string(&update.evidence).unwrap_or_default();
        tx.execute(
            &Q::new(
                "INSERT INTO commitment_updates (id, commitment_id, at_ms, author_id, author_agency, status, rag, reason, note, figure, evidence)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&update_id)
            .bind(id)
            .bind(actor.at_ms)
            .bind(author.clone())
            .bind(&who.agency)
            .bind(update.status.as_str())
            .bind(update.rag.as_str())
            .bind(update.reason.trim())
            .bind(update.note.trim())
            .bind(update.figure)
            .bind(&evidence),
        )
        .await?;
        let due = next_update_due(today, u32::try_from(commitment.update_every_days).unwrap_or(90));
        tx.execute(
            &Q::new(
                "UPDATE commitments SET status = $2, rag = $3, rag_reason = $4, progress = COALESCE($5, progress), last_update_at = $6, next_update_due = $7 WHERE id = $1",
            )
            .bind(id)
            .bind(update.status.as_str())
            .bind(update.rag.as_str())
            .bind(update.reason.trim())
            .bind(update.figure)
            .bind(actor.at_ms)
            .bind(due.to_string()),
        )
        .await?;
        let detail = serde_json::json!({ "commitment": commitment.code, "rag": update.rag.as_str(), "status": update.status.as_str() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "commitment", Some(id), detail)).await?;
        tx.commit().await?;
        Ok(CommitmentUpdate {
            id: update_id,
            at_ms: actor.at_ms,
            author_id: author,
            author_name: who.display_name.clone(),
            author_agency: who.agency.clone(),
            status: update.status,
            rag: update.rag,
            reason: update.reason.trim().into(),
            note: update.note.trim().into(),
            figure: update.figure,
            evidence: update.evidence.clone(),
        })
    }

    /// Adds a commitment to a priority of the current strategy (CSP
    /// manager); its code is made from the title. Returns its id.
    pub async fn add_commitment(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        priority_code: &str,
        c: &CommitmentEdit,
        today: NaiveDate,
        actor: &Actor<'_>,
    ) -> Result<String> {
        check_commitment(c)?;
        self.agency(&c.owner_agency).await?;
        let strategy = self.strategy().await?.ok_or(StoreError::NotFound("strategy"))?;
        let priority =
            strategy.priorities.iter().find(|p| p.code == priority_code).ok_or(StoreError::NotFound("priority"))?;
        let slug: String =
            c.title.to_lowercase().chars().map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' }).collect();
        let slug: String = slug.split('-').filter(|w| !w.is_empty()).take(6).collect::<Vec<_>>().join("-");
        let code = format!(
            "{}-{}",
            if slug.len() >= 2 { slug } else { "commitment".into() },
            strategy.priorities.iter().map(|p| p.commitments.len()).sum::<usize>() + 1
        );
        let mut tx = self.write().await?;
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO commitments (id, strategy_code, priority_code, code, position, title, owner_agency, team, partners, measure, target, progress, status, rag, rag_reason, update_every_days, last_update_at, next_update_due)
                 VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 1 FROM commitments), $5, $6, $7, '[]', $8, $9, NULL, $10, NULL, '', $11, NULL, $12)",
            )
            .bind(&id)
            .bind(&strategy.code)
            .bind(&priority.code)
            .bind(&code)
            .bind(c.title.trim())
            .bind(&c.owner_agency)
            .bind(c.team.trim())
            .bind(c.measure.trim())
            .bind(c.target)
            .bind(CommitmentStatus::NotStarted.as_str())
            .bind(i64::from(c.update_every_days))
            .bind(next_update_due(today, c.update_every_days).to_string()),
        )
        .await
        .map_err(|e| e.conflict_as("a commitment with that code"))?;
        let detail = serde_json::json!({ "code": code, "priority": priority.code, "owner_agency": c.owner_agency });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "commitment", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a commitment's wording, owner, measure, target or update cycle.
    pub async fn edit_commitment(
        &self,
        _permit: &Permit<ManagePartnershipWork>,
        id: &str,
        edit: &CommitmentEdit,
        actor: &Actor<'_>,
    ) -> Result<()> {
        check_commitment(edit)?;
        self.agency(&edit.owner_agency).await?;
        let mut tx = self.write().await?;
        let n = tx
            .execute(
                &Q::new(
                    "UPDATE commitments SET title = $2, owner_agency = $3, team = $4, measure = $5, target = $6, update_every_days = $7 WHERE id = $1",
                )
                .bind(id)
                .bind(edit.title.trim())
                .bind(&edit.owner_agency)
                .bind(edit.team.trim())
                .bind(edit.measure.trim())
                .bind(edit.target)
                .bind(i64::from(edit.update_every_days)),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound("commitment"));
        }
        let detail = serde_json::to_value(edit).unwrap_or_default();
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "commitment", Some(id), detail)).await?;
        tx.commit().await
    }

    /// Each commitment's latest update recorded up to `until_ms` (for packs
    /// that must read the same whenever they are made): (commitment id,
    /// update). Commitments without one are absent.
    pub async fn ratings_as_of(&self, until_ms: i64) -> Result<Vec<(String, CommitmentUpdate)>> {
        let rows = self
            .conn()
            .await?
            .all(
                &Q::new(
                    "SELECT u.commitment_id, u.id, u.at_ms, u.author_id, COALESCE(us.display_name, 'Operator') AS author_name, u.author_agency, u.status, u.rag, u.reason, u.note, u.figure, u.evidence
                     FROM commitment_updates u LEFT JOIN users us ON us.id = u.author_id
                     WHERE u.at_ms <= $1 ORDER BY u.commitment_id, u.at_ms, u.id",
                )
                .bind(until_ms),
            )
            .await?;
        let mut out: Vec<(String, CommitmentUpdate)> = Vec::new();
        for r in &rows {
            let item = (r.text("commitment_id")?, update_row(r)?);
            match out.last_mut() {
                Some(last) if last.0 == item.0 => *last = item,
                _ => out.push(item),
            }
        }
        Ok(out)
    }

    /// Live commitments whose update is overdue on `today`, for one agency
    /// (or all with `None`), most overdue first.
    pub async fn commitments_due(&self, agency: Option<&str>, today: NaiveDate) -> Result<Vec<Commitment>> {
        let mut q = Q::new(format!(
            "SELECT {COMMITMENT_COLS} FROM commitments WHERE next_update_due < $1 AND status IN ('not_started', 'in_progress', 'paused')"
        ))
        .bind(today.to_string());
        if let Some(a) = agency {
            q.push(" AND owner_agency = ");
            q.arg(a);
        }
        q.push(" ORDER BY next_update_due, position");
        let rows = self.conn().await?.all(&q).await?;
        rows.iter().map(commitment_row).collect()
    }
}
