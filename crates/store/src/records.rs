//! Shared machinery for agency-owned records: human references, the SQL
//! visibility rule (owner, explicit shares, and for incidents the owner's own
//! cases they belong to) and the list of agencies a record is shared with,
//! which `policy::record_access` turns into full access or a signpost.
//!
//! Access is never transitive: a record reaches an agency only through a
//! share its owner made. An incident linked to a case inherits that case's
//! shares only when the case belongs to the incident's owner; linking another
//! agency's incident to your case gives your partners a signpost, nothing more.
//! A person is visible to the agency that recorded them and to agencies that
//! may see an incident they are recorded on.

use crate::sql::{IN_LIST, Q};
use crate::{Exec, Result, StoreError, Tx};
use safetynet_domain::policy::{Permit, SeesRecords};
use std::collections::HashMap;

/// The next human reference, e.g. `INC-2026-00042`, from a per-prefix-and-year
/// counter (inside the caller's transaction, so references never repeat).
pub(crate) async fn next_reference(tx: &mut Tx, prefix: &str, year: i32) -> Result<String> {
    let name = format!("{prefix}-{year}");
    // One statement: two writers taking a year's first reference at once
    // both succeed (the second waits for the first's row, then counts on).
    let v = tx
        .one(
            &Q::new(
                "INSERT INTO counters (name, value) VALUES ($1, 1)
                 ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
            )
            .bind(&name),
        )
        .await?
        .int("value")?;
    Ok(format!("{name}-{v:05}"))
}

/// The condition "person `p` is the person `$1`": the record itself, one
/// merged into it, or one with the same name and date of birth (how the
/// Case Review and DASH find a victim's history across agencies).
pub(crate) const SAME_PERSON: &str = "(p.id = $1 OR p.merged_into = $1
    OR (p.date_of_birth IS NOT NULL
        AND p.name_key = (SELECT name_key FROM people WHERE id = $1)
        AND p.date_of_birth = (SELECT date_of_birth FROM people WHERE id = $1)))";

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
/// shared with it, or part of a case of the incident's owner that it may see.
pub(crate) fn incident_visible(q: &mut Q, alias: &str, agency: &str) {
    q.push(&format!(" ({alias}.owner_agency = ")).arg(agency);
    q.push(&format!(
        " OR EXISTS (SELECT 1 FROM record_shares s WHERE s.record_type = 'incident' AND s.record_id = {alias}.id AND s.agency_code = "
    ))
    .arg(agency)
    .push(")");
    // `CROSS JOIN` keeps SQLite to the incident's links, then their cases:
    // left to plan it, it read every case of the owner per incident (7.6 s
    // for a day's review at 20,000 cases); PostgreSQL plans it as a join.
    q.push(&format!(" OR EXISTS (SELECT 1 FROM case_incidents ci CROSS JOIN cases c WHERE ci.incident_id = {alias}.id AND c.id = ci.case_id AND c.owner_agency = {alias}.owner_agency AND"));
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
/// shares of the owner's cases it belongs to (never those of another
/// agency's case that links it).
pub(crate) async fn incident_shares(conn: &mut impl Exec, incident_id: &str) -> Result<Vec<String>> {
    Ok(incident_shares_of(conn, &[incident_id]).await?.remove(incident_id).unwrap_or_default())
}

/// The incident `id_or_reference` as `agency` sees it, if the agency owns
/// it or it is shared with it: its id and reference. Otherwise not found
/// (another agency's incident is not revealed).
pub(crate) async fn incident_seen_by(
    conn: &mut impl Exec,
    id_or_reference: &str,
    agency: &str,
) -> Result<(String, String)> {
    let row = conn
        .optional(
            &Q::new("SELECT id, reference, owner_agency FROM incidents WHERE id = $1 OR reference = $1")
                .bind(id_or_reference),
        )
        .await?
        .ok_or(StoreError::NotFound("incident"))?;
    let id = row.text("id")?;
    if row.text("owner_agency")? != agency && !incident_shares(conn, &id).await?.iter().any(|a| a == agency) {
        return Err(StoreError::NotFound("incident"));
    }
    Ok((id, row.text("reference")?))
}

/// [`incident_shares`] of many incidents in a few queries: id -> agencies.
pub(crate) async fn incident_shares_of(
    conn: &mut impl Exec,
    incident_ids: &[&str],
) -> Result<HashMap<String, Vec<String>>> {
    let mut shares: HashMap<String, Vec<String>> = HashMap::new();
    for ids in incident_ids.chunks(IN_LIST) {
        let mut q = Q::new(
            "SELECT record_id AS incident_id, agency_code FROM record_shares WHERE record_type = 'incident' AND record_id IN (",
        );
        q.list(ids.iter().copied()).push(
            ") UNION SELECT ci.incident_id, s.agency_code FROM case_incidents ci CROSS JOIN cases c
               CROSS JOIN incidents i CROSS JOIN record_shares s WHERE ci.incident_id IN (",
        );
        // In this order (links, their cases, the incident, the case's
        // shares): SQLite otherwise read every case share per incident.
        q.list(ids.iter().copied()).push(
            ") AND c.id = ci.case_id AND i.id = ci.incident_id AND i.owner_agency = c.owner_agency
               AND s.record_type = 'case' AND s.record_id = c.id",
        );
        for r in conn.all(&q).await? {
            shares.entry(r.text("incident_id")?).or_default().push(r.text("agency_code")?);
        }
    }
    Ok(shares)
}

/// Appends the condition "person `alias` is visible to `agency`": recorded by
/// it, or recorded on an incident it may see.
pub(crate) fn person_visible(q: &mut Q, alias: &str, agency: &str) {
    q.push(&format!(" ({alias}.owner_agency = ")).arg(agency);
    q.push(&format!(
        " OR EXISTS (SELECT 1 FROM incident_people vip JOIN incidents vi ON vi.id = vip.incident_id WHERE vip.person_id = {alias}.id AND"
    ));
    incident_visible(q, "vi", agency);
    q.push("))");
}

/// Fails with "person was not found" unless `person_id` names a person the
/// permit's agency may see (the same answer as for a person who does not
/// exist, so other agencies' people cannot be probed).
pub(crate) async fn require_person<C: SeesRecords>(
    conn: &mut impl Exec,
    permit: &Permit<C>,
    person_id: &str,
) -> Result<()> {
    let mut q = Q::new("SELECT p.id FROM people p WHERE p.id = ");
    q.arg(person_id).push(" AND");
    person_visible(&mut q, "p", &permit.principal().agency);
    match conn.optional(&q).await? {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound("person")),
    }
}
