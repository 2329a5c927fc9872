//! Shared machinery for agency-owned records: human references, the SQL
//! visibility rule (owner, explicit shares, and for incidents the cases they
//! belong to) and the list of agencies a record is shared with, which
//! `policy::record_access` turns into full access or a signpost.

use crate::sql::Q;
use crate::{Exec, Result, Tx};

/// The next human reference, e.g. `INC-2026-00042`, from a per-prefix-and-year
/// counter (inside the caller's transaction, so references never repeat).
pub(crate) async fn next_reference(tx: &mut Tx, prefix: &str, year: i32) -> Result<String> {
    let name = format!("{prefix}-{year}");
    let n = tx.execute(&Q::new("UPDATE counters SET value = value + 1 WHERE name = $1").bind(&name)).await?;
    if n == 0 {
        tx.execute(&Q::new("INSERT INTO counters (name, value) VALUES ($1, 1)").bind(&name)).await?;
    }
    let v = tx.one(&Q::new("SELECT value FROM counters WHERE name = $1").bind(&name)).await?.int("value")?;
    Ok(format!("{name}-{v:05}"))
}

/// Appends the condition "case `alias` is visible to `agency`".
pub(crate) fn case_visible(q: &mut Q, alias: &str, agency: &str) {
    q.push(&format!(" ({alias}.owner_agency = ")).arg(agency);
    q.push(&format!(
        " OR EXISTS (SELECT 1 FROM record_shares s WHERE s.record_type = 'case' AND s.record_id = {alias}.id AND s.agency_code = "
    ))
    .arg(agency)
    .push("))");
}

/// Appends the condition "incident `alias` is visible to `agency`": its own,
/// shared with it, or part of a case it may see.
pub(crate) fn incident_visible(q: &mut Q, alias: &str, agency: &str) {
    q.push(&format!(" ({alias}.owner_agency = ")).arg(agency);
    q.push(&format!(
        " OR EXISTS (SELECT 1 FROM record_shares s WHERE s.record_type = 'incident' AND s.record_id = {alias}.id AND s.agency_code = "
    ))
    .arg(agency)
    .push(")");
    q.push(&format!(" OR EXISTS (SELECT 1 FROM case_incidents ci JOIN cases c ON c.id = ci.case_id WHERE ci.incident_id = {alias}.id AND"));
    case_visible(q, "c", agency);
    q.push("))");
}

/// Agencies a case is explicitly shared with.
pub(crate) async fn case_shares(conn: &mut impl Exec, case_id: &str) -> Result<Vec<String>> {
    let rows = conn
        .all(&Q::new("SELECT agency_code FROM record_shares WHERE record_type = 'case' AND record_id = $1 ORDER BY agency_code").bind(case_id))
        .await?;
    rows.iter().map(|r| r.text("agency_code").map_err(Into::into)).collect()
}

/// Agencies that see an incident besides its owner: its own shares, and the
/// owners and shares of the cases it belongs to.
pub(crate) async fn incident_shares(conn: &mut impl Exec, incident_id: &str) -> Result<Vec<String>> {
    let rows = conn
        .all(
            &Q::new(
                "SELECT agency_code FROM record_shares WHERE record_type = 'incident' AND record_id = $1
                 UNION SELECT c.owner_agency AS agency_code FROM case_incidents ci JOIN cases c ON c.id = ci.case_id WHERE ci.incident_id = $1
                 UNION SELECT s.agency_code FROM case_incidents ci JOIN record_shares s ON s.record_type = 'case' AND s.record_id = ci.case_id WHERE ci.incident_id = $1",
            )
            .bind(incident_id),
        )
        .await?;
    rows.iter().map(|r| r.text("agency_code").map_err(Into::into)).collect()
}
