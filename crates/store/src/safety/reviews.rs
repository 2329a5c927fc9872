//! Case reviews (the scheduled re-look at a case, not the ASB Case Review):
//! recording that one took place and scheduling the next from the case's risk level.

use crate::audit::append;
use crate::cases::event;
use crate::sql::Q;
use crate::users::Actor;
use crate::{Exec, Result, Store};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::case::ReviewNote;
use safetynet_domain::policy::{EditRecords, Permit};
use safetynet_domain::risk::{self, ReviewIntervals, RiskLevel};

impl Store {
    /// Records that a review took place and schedules the next from the
    /// case's risk level; audited. Returns the next review date.
    pub async fn record_review(
        &self,
        permit: &Permit<EditRecords>,
        case_id: &str,
        notes: &ReviewNote,
        today: NaiveDate,
        intervals: &ReviewIntervals,
        actor: &Actor<'_>,
    ) -> Result<NaiveDate> {
        let mut tx = self.write().await?;
        crate::cases::require_lead(&mut tx, permit, case_id).await?;
        let level = tx
            .one(&Q::new("SELECT risk_level FROM cases WHERE id = $1").bind(case_id))
            .await?
            .opt_stored("risk_level")?
            .unwrap_or(RiskLevel::Standard);
        let next = risk::next_review(level, today, intervals);
        tx.execute(
            &Q::new("UPDATE cases SET next_review_on = $1, updated_at = $2 WHERE id = $3")
                .bind(next.to_string())
                .bind(actor.at_ms)
                .bind(case_id),
        )
        .await?;
        event(&mut tx, case_id, "review", &format!("Review held: {} Next review {next}.", notes.as_str()), actor)
            .await?;
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(
                AuditAction::Update,
                "case_review_date",
                Some(case_id),
                serde_json::json!({ "next": next.to_string() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }
}
