//! The daily review: incidents reported in a period that the viewer may see,
//! ranked by risk with the reasons.

use crate::records::incident_visible;
use crate::sql::Q;
use crate::users::Actor;
use crate::{Exec, Result, Store};
use chrono::{DateTime, Duration, Utc};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::policy::{Permit, ViewRecords};
use serde::Serialize;

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
        let mut q = Q::new(
            "SELECT i.id, i.reference, i.owner_agency, i.category, i.reported_at, i.address, i.hate, i.hate_strand, i.domestic_abuse, i.involves_child,
                    i.repeat_flag, i.latitude, i.longitude, k.high_harm, k.label AS category_label
             FROM incidents i JOIN categories k ON k.code = i.category WHERE i.reported_at >= ",
        );
        q.arg(from.timestamp_millis()).push(" AND i.reported_at < ").arg(to.timestamp_millis()).push(" AND");
        incident_visible(&mut q, "i", &permit.principal().agency);
        let detail = serde_json::json!({ "from_ms": from.timestamp_millis(), "to_ms": to.timestamp_millis() });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "daily_review", None, detail)).await?;
        let mut conn = self.conn().await?;
        let rows = conn.all(&q).await?;
        let year_before = (from - Duration::days(365)).timestamp_millis();
        let mut items = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = r.text("id")?;
            let mut score = 0u32;
            let mut reasons = Vec::new();
            // A high-risk case the viewer may see is named; one held by an
            // agency that has not shared it is only signposted.
            let mut hq = Q::new("SELECT c.reference, CASE WHEN");
            crate::records::case_visible(&mut hq, "c", &permit.principal().agency);
            hq.push(" THEN TRUE ELSE FALSE END AS visible, c.owner_agency FROM case_incidents ci JOIN cases c ON c.id = ci.case_id WHERE ci.incident_id = ")
                .arg(&id)
                .push(" AND c.risk_level = 'high' ORDER BY visible DESC, c.reference LIMIT 1");
            if let Some(c) = conn.optional(&hq).await? {
                score += 5;
                reasons.push(if c.boolean("visible")? {
                    format!("high-risk case {}", c.text("reference")?)
                } else {
                    format!("high-risk case held by {} (contact them)", c.text("owner_agency")?)
                });
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
            let repeat_victim = conn
                .one(
                    &Q::new(
                        "SELECT COUNT(DISTINCT o.incident_id) AS n FROM incident_people me
                         JOIN people p ON p.id = me.person_id
                         JOIN people q ON q.name_key = p.name_key AND (q.id = p.id OR (q.date_of_birth IS NOT NULL AND q.date_of_birth = p.date_of_birth))
                         JOIN incident_people o ON o.person_id = q.id AND o.role IN ('victim', 'complainant')
                         JOIN incidents oi ON oi.id = o.incident_id
                         WHERE me.incident_id = $1 AND me.role IN ('victim', 'complainant') AND o.incident_id <> $1 AND oi.reported_at >= $2",
                    )
                    .bind(&id)
                    .bind(year_before),
                )
                .await?
                .int("n")?;
            if repeat_victim > 0 {
                score += 3;
                reasons.push(format!("repeat victim: {repeat_victim} earlier incident(s) in 12 months"));
            }
            let address = r.text("address")?;
            let repeat_place = if address.trim().is_empty() {
                0
            } else {
                conn.one(
                    &Q::new("SELECT COUNT(*) AS n FROM incidents o WHERE o.id <> $1 AND LOWER(o.address) = $2 AND o.reported_at >= $3")
                        .bind(&id)
                        .bind(address.trim().to_lowercase())
                        .bind(year_before),
                )
                .await?
                .int("n")?
            };
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
                address,
                score,
                reasons,
            });
        }
        items.sort_by(|a, b| b.score.cmp(&a.score).then(b.reported_at_ms.cmp(&a.reported_at_ms)));
        Ok(items)
    }
}
