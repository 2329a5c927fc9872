//! The daily review: incidents reported in a period that the viewer may see,
//! ranked by risk with the reasons.

use crate::records::{case_visible, incident_visible};
use crate::sql::{IN_LIST, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store};
use chrono::{DateTime, Duration, Utc};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::policy::{Permit, ViewRecords};
use serde::Serialize;
use std::collections::HashMap;

/// One line of the daily review.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DailyItem {
    /// Incident id.
    pub incident_id: String,
    /// Reference.
    pub reference: String,
    /// Recording agency.
    pub owner_agency: String,
    /// Category code.
    pub category: String,
    /// Reported (Unix ms).
    pub reported_at_ms: i64,
    /// Address.
    pub address: String,
    /// Latitude (WGS84), when recorded.
    pub latitude: Option<f64>,
    /// Longitude (WGS84), when recorded.
    pub longitude: Option<f64>,
    /// Ranking score (higher first).
    pub score: u32,
    /// Why it ranks where it does.
    pub reasons: Vec<String>,
}

impl Store {
    /// Incidents reported in `[from, to)` that the viewer may see, ranked by
    /// risk with the reasons: a high-risk case, a repeat victim or location,
    /// vulnerability, hate motivation, domestic abuse, a high-harm category.
    pub async fn daily_review(
        &self,
        permit: &Permit<ViewRecords>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        actor: &Actor<'_>,
    ) -> Result<Vec<DailyItem>> {
        let agency = &permit.principal().agency;
        let mut q = Q::new(
            "SELECT i.id, i.reference, i.owner_agency, i.category, i.reported_at, i.address, i.latitude, i.longitude, LOWER(i.address) AS address_key,
                    i.hate, i.hate_strand, i.domestic_abuse, i.involves_child, i.repeat_flag, k.high_harm, k.label AS category_label
             FROM incidents i JOIN categories k ON k.code = i.category WHERE i.reported_at >= ",
        );
        q.arg(from.timestamp_millis()).push(" AND i.reported_at < ").arg(to.timestamp_millis()).push(" AND");
        incident_visible(&mut q, "i", agency);
        let detail = serde_json::json!({ "from_ms": from.timestamp_millis(), "to_ms": to.timestamp_millis() });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "daily_review", None, detail)).await?;
        let mut conn = self.conn().await?;
        let rows = conn.all(&q).await?;
        let year_before = (from - Duration::days(365)).timestamp_millis();
        let ids = rows.iter().map(|r| r.text("id")).collect::<std::result::Result<Vec<_>, _>>()?;
        let mut keys = Vec::new();
        for r in &rows {
            let key = r.text("address_key")?;
            if !key.trim().is_empty() && !keys.contains(&key) {
                keys.push(key);
            }
        }
        let mut history = History::default();
        for chunk in ids.chunks(IN_LIST) {
            history.read_cases(&mut conn, agency, chunk).await?;
            history.read_victims(&mut conn, chunk, year_before).await?;
        }
        for chunk in keys.chunks(IN_LIST) {
            history.read_places(&mut conn, chunk, year_before).await?;
        }
        let mut items = Vec::with_capacity(rows.len());
        for (r, id) in rows.iter().zip(ids) {
            let mut score = 0u32;
            let mut reasons = Vec::new();
            if let Some(case) = history.high_risk_case.remove(&id) {
                score += 5;
                reasons.push(case);
            }
            if r.boolean("hate")? {
                score += 3;
                reasons.push(format!(
                    "hate motivated ({})",
                    r.opt_text("hate_strand")?.unwrap_or_default().replace('_', " ")
                ));
            }
            if r.boolean("domestic_abuse")? {
                score += 3;
                reasons.push("domestic abuse".into());
            }
            if r.boolean("involves_child")? {
                score += 2;
                reasons.push("vulnerability: involves a child".into());
            }
            if r.boolean("high_harm")? {
                score += 2;
                reasons.push(format!("high-harm category ({})", r.text("category_label")?));
            }
            let repeat_victim = history.earlier_as_victim.get(&id).copied().unwrap_or(0);
            if repeat_victim > 0 {
                score += 3;
                reasons.push(format!("repeat victim: {repeat_victim} earlier incident(s) in 12 months"));
            }
            // The place's count includes this incident.
            let repeat_place = history.at_place.get(&r.text("address_key")?).map_or(0, |n| n - 1);
            if repeat_place > 0 {
                score += 2;
                reasons
                    .push(format!("repeat location: {repeat_place} earlier incident(s) at this address in 12 months"));
            } else if r.boolean("repeat_flag")? {
                score += 1;
                reasons.push("reported as a repeat".into());
            }
            items.push(DailyItem {
                incident_id: id,
                reference: r.text("reference")?,
                owner_agency: r.text("owner_agency")?,
                category: r.text("category")?,
                reported_at_ms: r.int("reported_at")?,
                address: r.text("address")?,
                latitude: r.opt_real("latitude")?,
                longitude: r.opt_real("longitude")?,
                score,
                reasons,
            });
        }
        items.sort_by(|a, b| b.score.cmp(&a.score).then(b.reported_at_ms.cmp(&a.reported_at_ms)));
        Ok(items)
    }
}

/// What the review looks up about a period's incidents, a chunk at a time
/// (a few queries per review, not per incident).
#[derive(Default)]
struct History {
    /// Incident id -> the reason naming its high-risk case (or signposting it).
    high_risk_case: HashMap<String, String>,
    /// Incident id -> other incidents in the year with its victim or complainant.
    earlier_as_victim: HashMap<String, i64>,
    /// Lower-cased address -> incidents there in the year.
    at_place: HashMap<String, i64>,
}

impl History {
    /// A high-risk case the viewer may see is named; one held by an agency
    /// that has not shared it is only signposted.
    async fn read_cases(&mut self, conn: &mut impl Exec, agency: &str, ids: &[String]) -> Result<()> {
        let mut q = Q::new("SELECT ci.incident_id, c.reference, CASE WHEN");
        case_visible(&mut q, "c", agency);
        q.push(" THEN TRUE ELSE FALSE END AS visible, c.owner_agency FROM case_incidents ci JOIN cases c ON c.id = ci.case_id
                 WHERE c.risk_level = 'high' AND ci.incident_id IN (")
            .list(ids)
            .push(") ORDER BY ci.incident_id, visible DESC, c.reference");
        for c in conn.all(&q).await? {
            let reason = if c.boolean("visible")? {
                format!("high-risk case {}", c.text("reference")?)
            } else {
                format!("high-risk case held by {} (contact them)", c.text("owner_agency")?)
            };
            // Rows come best first for each incident.
            self.high_risk_case.entry(c.text("incident_id")?).or_insert(reason);
        }
        Ok(())
    }

    async fn read_victims(&mut self, conn: &mut impl Exec, ids: &[String], since_ms: i64) -> Result<()> {
        // The victims and complainants of these incidents, and everyone who
        // is the same person (by id, or by name and date of birth: each
        // read from its own index), then their other incidents since then.
        let mut q = Q::new(
            "WITH me AS (SELECT incident_id, person_id FROM incident_people
                         WHERE role IN ('victim', 'complainant') AND incident_id IN (",
        );
        q.list(ids).push(
            ")),
             same AS (SELECT incident_id, person_id AS other FROM me
                      UNION SELECT me.incident_id, q.id FROM me JOIN people p ON p.id = me.person_id
                        JOIN people q ON q.name_key = p.name_key AND q.date_of_birth = p.date_of_birth
                      WHERE p.date_of_birth IS NOT NULL)
             SELECT same.incident_id, COUNT(DISTINCT o.incident_id) AS n FROM same
             JOIN incident_people o ON o.person_id = same.other AND o.role IN ('victim', 'complainant')
             JOIN incidents oi ON oi.id = o.incident_id
             WHERE o.incident_id <> same.incident_id AND oi.reported_at >= ",
        );
        q.arg(since_ms).push(" GROUP BY same.incident_id");
        for r in conn.all(&q).await? {
            self.earlier_as_victim.insert(r.text("incident_id")?, r.int("n")?);
        }
        Ok(())
    }

    async fn read_places(&mut self, conn: &mut impl Exec, keys: &[String], since_ms: i64) -> Result<()> {
        let mut q = Q::new("SELECT LOWER(address) AS address_key, COUNT(*) AS n FROM incidents WHERE reported_at >= ");
        q.arg(since_ms).push(" AND LOWER(address) IN (").list(keys).push(") GROUP BY LOWER(address)");
        for r in conn.all(&q).await? {
            self.at_place.insert(r.text("address_key")?, r.int("n")?);
        }
        Ok(())
    }
}
