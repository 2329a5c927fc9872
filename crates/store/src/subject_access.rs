//! Subject access (UK GDPR Article 15): everything one agency holds about a
//! person, as the controller answering the request: the person record and
//! the duplicates merged into it, the incidents they are on (the agency's
//! own, and others' seen through a case shared with it, saying which), the
//! cases those incidents are in that the agency may see, interventions
//! against them, risk assessments on those cases, ASB Case Review
//! applications, and the audit rows about those records (who viewed or
//! changed them, when). Referrals the agency made or received and the
//! drivers on its taxi register (with the concerns it shared about them)
//! are not linked to person records: those whose name matches the person's
//! (and date of birth, where both are known) are listed as possible
//! matches for the officer to check. Nothing of another agency's unshared
//! records.

use crate::audit::append;
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::incident::match_key;
use serde_json::{json, Value};

/// Appends `($n, ...)` bound to `ids` (`(NULL)`, matching nothing, when empty).
fn placeholders(q: &mut Q, ids: &[String]) {
    q.push("(");
    for (k, id) in ids.iter().enumerate() {
        if k > 0 {
            q.push(", ");
        }
        q.arg(id.clone());
    }
    if ids.is_empty() {
        q.push("NULL");
    }
    q.push(")");
}

/// Columns read as text (`t`), nullable text (`o`), integer (`i`),
/// nullable integer (`n`), nullable real (`r`) or boolean (`b`).
fn to_json(r: &Row, cols: &[(&str, char)]) -> Result<Value> {
    let mut m = serde_json::Map::new();
    for (c, kind) in cols {
        let v = match kind {
            't' => json!(r.text(c)?),
            'o' => json!(r.opt_text(c)?),
            'i' => json!(r.int(c)?),
            'n' => json!(r.opt_int(c)?),
            'r' => json!(r.opt_real(c)?),
            _ => json!(r.opt_bool(c)?),
        };
        m.insert((*c).to_string(), v);
    }
    Ok(Value::Object(m))
}

async fn rows(conn: &mut impl Exec, q: &Q, cols: &[(&str, char)]) -> Result<Vec<Value>> {
    conn.all(q).await?.iter().map(|r| to_json(r, cols)).collect()
}

fn ids_of(v: &[Value]) -> Vec<String> {
    v.iter().filter_map(|x| x["id"].as_str().map(str::to_string)).collect()
}

const PERSON: &[(&str, char)] = &[
    ("id", 't'),
    ("owner_agency", 't'),
    ("full_name", 't'),
    ("date_of_birth", 'o'),
    ("address", 't'),
    ("uprn", 'o'),
    ("merged_into", 'o'),
    ("created_at", 'i'),
    ("anonymised_at", 'n'),
];
const INCIDENT: &[(&str, char)] = &[
    ("id", 't'),
    ("reference", 't'),
    ("owner_agency", 't'),
    ("category", 't'),
    ("occurred_from", 'i'),
    ("occurred_to", 'n'),
    ("reported_at", 'i'),
    ("latitude", 'r'),
    ("longitude", 'r'),
    ("address", 't'),
    ("lsoa_code", 'o'),
    ("description", 't'),
    ("source", 't'),
    ("role", 't'),
    ("held_as", 't'),
    ("shared_by", 'o'),
    ("lawful_basis", 'o'),
    ("shared_at", 'n'),
    ("anonymised_at", 'n'),
];
const CASE: &[(&str, char)] = &[
    ("id", 't'),
    ("reference", 't'),
    ("owner_agency", 't'),
    ("title", 't'),
    ("status", 't'),
    ("outcome", 'o'),
    ("problem", 't'),
    ("risk_level", 'o'),
    ("created_at", 'i'),
    ("held_as", 't'),
    ("lawful_basis", 'o'),
    ("shared_at", 'n'),
    ("anonymised_at", 'n'),
];

/// Whether a record's `name` and `born` match one of `people` by name
/// (as incidents match people) and, where both are known, date of birth.
fn matches(people: &[Value], name: &str, born: Option<&str>) -> bool {
    let key = match_key(name);
    people.iter().any(|p| {
        let same_name = p["full_name"].as_str().is_some_and(|n| match_key(n) == key);
        let dob = p["date_of_birth"].as_str();
        same_name && (born.is_none() || dob.is_none() || born == dob)
    })
}

/// Referrals `agency` made or received, drivers on its register and the
/// concerns it shared about them, whose name matches one of `people`.
async fn by_name(conn: &mut impl Exec, agency: &str, people: &[Value]) -> Result<(Vec<Value>, Vec<Value>, Vec<Value>)> {
    let q = Q::new(
        "SELECT id, reference, programme, from_agency, to_agency, full_name, date_of_birth, address, contact, reason, details,
           referred_on, status, outcome, closed_on, anonymised_at FROM referrals WHERE from_agency = $1 OR to_agency = $1
         ORDER BY referred_on, id",
    )
    .bind(agency);
    let cols = [
        ("id", 't'),
        ("reference", 't'),
        ("programme", 't'),
        ("from_agency", 't'),
        ("to_agency", 't'),
        ("full_name", 't'),
        ("date_of_birth", 'o'),
        ("address", 't'),
        ("contact", 't'),
        ("reason", 't'),
        ("details", 't'),
        ("referred_on", 't'),
        ("status", 't'),
        ("outcome", 't'),
        ("closed_on", 'o'),
        ("anonymised_at", 'n'),
    ];
    let referrals: Vec<Value> = rows(conn, &q, &cols)
        .await?
        .into_iter()
        .filter(|r| matches(people, r["full_name"].as_str().unwrap_or_default(), r["date_of_birth"].as_str()))
        .collect();
    let q = Q::new(
        "SELECT id, licence_number, full_name, licence_kind, licence_expires, safeguarding_trained_on, last_checked_on, anonymised_at
         FROM taxi_drivers WHERE agency = $1 ORDER BY licence_number",
    )
    .bind(agency);
    let cols = [
        ("id", 't'),
        ("licence_number", 't'),
        ("full_name", 't'),
        ("licence_kind", 't'),
        ("licence_expires", 't'),
        ("safeguarding_trained_on", 'o'),
        ("last_checked_on", 'o'),
        ("anonymised_at", 'n'),
    ];
    let drivers: Vec<Value> = rows(conn, &q, &cols)
        .await?
        .into_iter()
        .filter(|d| matches(people, d["full_name"].as_str().unwrap_or_default(), None))
        .collect();
    let mut q = Q::new(
        "SELECT id, driver_id, raised_on, details, shared_with, lawful_basis FROM taxi_concerns WHERE agency = ",
    );
    q.arg(agency).push(" AND driver_id IN ");
    placeholders(&mut q, &ids_of(&drivers));
    q.push(" ORDER BY raised_on, id");
    let cols = [
        ("id", 't'),
        ("driver_id", 't'),
        ("raised_on", 't'),
        ("details", 't'),
        ("shared_with", 't'),
        ("lawful_basis", 't'),
    ];
    let concerns = rows(conn, &q, &cols).await?;
    Ok((referrals, drivers, concerns))
}

impl Store {
    /// Everything `agency` holds about the person `person_id` (which that
    /// agency must own), as JSON; audited as an export by `actor`.
    pub async fn subject_access(&self, agency: &str, person_id: &str, actor: &Actor<'_>) -> Result<Value> {
        let mut c = self.conn().await?;
        let people = rows(
            &mut c,
            &Q::new(
                "SELECT id, owner_agency, full_name, date_of_birth, address, uprn, merged_into, created_at, anonymised_at
                 FROM people WHERE owner_agency = $1 AND (id = $2 OR merged_into = $2) ORDER BY created_at, id",
            )
            .bind(agency)
            .bind(person_id),
            PERSON,
        )
        .await?;
        if !people.iter().any(|p| p["id"] == person_id) {
            return Err(StoreError::NotFound("person"));
        }
        let person_ids = ids_of(&people);

        // The agency's own incidents, and others' seen through a case of
        // their owner's that is shared with the agency.
        let mut q = Q::new(
            "SELECT i.id, i.reference, i.owner_agency, i.category, i.occurred_from, i.occurred_to, i.reported_at, i.latitude, i.longitude,
                    i.address, i.lsoa_code, i.description, i.source, ip.role, i.anonymised_at,
                    CASE WHEN i.owner_agency = ",
        );
        q.arg(agency).push(" THEN 'owner' ELSE 'shared' END AS held_as, s.owner AS shared_by, s.lawful_basis, s.shared_at
             FROM incident_people ip JOIN incidents i ON i.id = ip.incident_id
             LEFT JOIN (SELECT ci.incident_id, MIN(cs.owner_agency) AS owner, MIN(rs.lawful_basis) AS lawful_basis, MIN(rs.shared_at) AS shared_at
                        FROM case_incidents ci JOIN cases cs ON cs.id = ci.case_id
                        JOIN record_shares rs ON rs.record_type = 'case' AND rs.record_id = cs.id AND rs.agency_code = ");
        q.arg(agency).push(
            " JOIN incidents ii ON ii.id = ci.incident_id AND ii.owner_agency = cs.owner_agency GROUP BY ci.incident_id) s ON s.incident_id = i.id
             WHERE ip.person_id IN ",
        );
        placeholders(&mut q, &person_ids);
        q.push(" AND (i.owner_agency = ")
            .arg(agency)
            .push(" OR s.incident_id IS NOT NULL) ORDER BY i.reported_at, i.id");
        let incidents = rows(&mut c, &q, INCIDENT).await?;
        let incident_ids = ids_of(&incidents);

        let mut q = Q::new(
            "SELECT DISTINCT c.id, c.reference, c.owner_agency, c.title, c.status, c.outcome, c.problem, c.risk_level, c.created_at, c.anonymised_at,
                    CASE WHEN c.owner_agency = ",
        );
        q.arg(agency).push(
            " THEN 'owner' ELSE 'shared' END AS held_as, rs.lawful_basis, rs.shared_at
             FROM cases c JOIN case_incidents ci ON ci.case_id = c.id
             LEFT JOIN record_shares rs ON rs.record_type = 'case' AND rs.record_id = c.id AND rs.agency_code = ",
        );
        q.arg(agency).push(" WHERE ci.incident_id IN ");
        placeholders(&mut q, &incident_ids);
        q.push(" AND (c.owner_agency = ")
            .arg(agency)
            .push(" OR rs.agency_code IS NOT NULL) ORDER BY c.created_at, c.id");
        let cases = rows(&mut c, &q, CASE).await?;
        let case_ids = ids_of(&cases);

        let mut q = Q::new(
            "SELECT id, case_id, kind, subject_name, conduct, issued_on, starts_at, expires_at FROM interventions WHERE case_id IN ",
        );
        placeholders(&mut q, &case_ids);
        q.push(" AND person_id IN ");
        placeholders(&mut q, &person_ids);
        q.push(" ORDER BY starts_at, id");
        let interventions = rows(
            &mut c,
            &q,
            &[
                ("id", 't'),
                ("case_id", 't'),
                ("kind", 't'),
                ("subject_name", 't'),
                ("conduct", 't'),
                ("issued_on", 't'),
                ("starts_at", 'i'),
                ("expires_at", 'n'),
            ],
        )
        .await?;

        let mut q = Q::new("SELECT id, case_id, questionnaire_id, score, level, reasons, assessed_at FROM risk_assessments WHERE case_id IN ");
        placeholders(&mut q, &case_ids);
        q.push(" ORDER BY assessed_at, id");
        let assessments = rows(
            &mut c,
            &q,
            &[
                ("id", 't'),
                ("case_id", 't'),
                ("questionnaire_id", 't'),
                ("score", 'i'),
                ("level", 't'),
                ("reasons", 't'),
                ("assessed_at", 'i'),
            ],
        )
        .await?;

        let mut q = Q::new(
            "SELECT id, reference, applicant_kind, received_on, decided_on, meeting_on, outcome FROM case_review_applications
             WHERE owner_agency = ",
        );
        q.arg(agency).push(" AND person_id IN ");
        placeholders(&mut q, &person_ids);
        q.push(" ORDER BY received_on, id");
        let case_reviews = rows(
            &mut c,
            &q,
            &[
                ("id", 't'),
                ("reference", 't'),
                ("applicant_kind", 't'),
                ("received_on", 't'),
                ("decided_on", 'o'),
                ("meeting_on", 'o'),
                ("outcome", 'o'),
            ],
        )
        .await?;

        let (referrals, drivers, concerns) = by_name(&mut c, agency, &people).await?;

        let mut all_ids = person_ids.clone();
        all_ids.extend(incident_ids.iter().cloned());
        all_ids.extend(case_ids.iter().cloned());
        all_ids.extend(ids_of(&interventions));
        all_ids.extend(ids_of(&case_reviews));
        all_ids.extend(ids_of(&referrals));
        all_ids.extend(ids_of(&drivers));
        all_ids.extend(ids_of(&concerns));
        let mut q = Q::new(
            "SELECT a.seq, a.at, a.user_id, u.display_name AS user_name, a.agency_code, a.action, a.record_type, a.record_id
             FROM audit_log a LEFT JOIN users u ON u.id = a.user_id WHERE a.record_id IN ",
        );
        placeholders(&mut q, &all_ids);
        q.push(" ORDER BY a.seq");
        let audit = rows(
            &mut c,
            &q,
            &[
                ("seq", 'i'),
                ("at", 'i'),
                ("user_id", 'o'),
                ("user_name", 'o'),
                ("agency_code", 'o'),
                ("action", 't'),
                ("record_type", 't'),
                ("record_id", 'o'),
            ],
        )
        .await?;
        drop(c);

        let counts = json!({
            "people": people.len(), "incidents": incidents.len(), "cases": cases.len(),
            "interventions": interventions.len(), "risk_assessments": assessments.len(),
            "case_reviews": case_reviews.len(), "referrals": referrals.len(), "taxi_drivers": drivers.len(),
            "taxi_concerns": concerns.len(), "audit": audit.len(),
        });
        let mut tx = self.write().await?;
        let detail = json!({ "subject_access": true, "agency": agency, "counts": counts });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Export, "person", Some(person_id), detail)).await?;
        tx.commit().await?;
        Ok(json!({
            "controller": agency,
            "person_id": person_id,
            "generated_at": actor.at_ms,
            "counts": counts,
            "people": people,
            "incidents": incidents,
            "cases": cases,
            "interventions": interventions,
            "risk_assessments": assessments,
            "case_reviews": case_reviews,
            "referrals": referrals,
            "taxi_drivers": drivers,
            "taxi_concerns": concerns,
            "audit": audit,
        }))
    }
}
