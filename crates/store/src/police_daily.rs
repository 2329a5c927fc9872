//! The police's daily crime extract: crimes stored per force reference (a
//! reference sent again replaces the fields, audited), each file imported
//! once, the crimes a day's review reads under the partnership's sharing
//! rule, the reviewers' decisions, and the monthly counts for the
//! reconciliation with police.uk. The rows are the police agency's; they are
//! never published.

use crate::audit::append;
use crate::sql::{insert_rows, Value, IN_LIST, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::ids::new_id_at_ms;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// One crime as the force sent it (times in Unix ms).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DailyCrimeRecord {
    /// The force's crime reference.
    pub crime_reference: String,
    /// Home Office offence code.
    pub offence_code: String,
    /// The offence as the force describes it.
    pub offence_description: String,
    /// SafetyNet category (from the offence code table).
    pub category: String,
    /// Occurred from.
    pub occurred_from_ms: i64,
    /// Occurred to, when a range.
    pub occurred_to_ms: Option<i64>,
    /// Reported.
    pub reported_at_ms: i64,
    /// Latitude (WGS84).
    pub latitude: Option<f64>,
    /// Longitude (WGS84).
    pub longitude: Option<f64>,
    /// Address as sent ("" when only coordinates).
    pub address: String,
    /// Police beat.
    pub beat: Option<String>,
    /// Ward.
    pub ward: Option<String>,
    /// Domestic abuse.
    pub domestic_abuse: bool,
    /// Hate strand code, when hate motivated.
    pub hate_strand: Option<String>,
    /// A weapon was involved.
    pub weapon: bool,
    /// The victim is vulnerable.
    pub vulnerable_victim: bool,
    /// The force marks a repeat victim.
    pub repeat_victim: bool,
    /// The force marks a repeat location.
    pub repeat_location: bool,
    /// A child is involved.
    pub child_involved: bool,
    /// Status code.
    pub status: String,
    /// Matching key of the victim's name and date of birth, when sent.
    #[serde(skip)]
    pub victim_key: Option<String>,
}

impl DailyCrimeRecord {
    /// The SHA-256 of the fields as sent.
    fn fingerprint(&self) -> String {
        let text = serde_json::to_string(&(self, &self.victim_key)).unwrap_or_default();
        hex::encode(Sha256::digest(text.as_bytes()))
    }
}

/// A stored daily crime.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PoliceDailyCrime {
    /// Id.
    pub id: String,
    /// The police agency that sent it.
    pub owner_agency: String,
    /// The crime.
    #[serde(flatten)]
    pub record: DailyCrimeRecord,
}

/// One extract file.
#[derive(Debug, Clone, Copy)]
pub struct DailyFile<'a> {
    /// Its name (for the report and the audit).
    pub name: &'a str,
    /// SHA-256 of its bytes, hex.
    pub sha256: &'a str,
    /// The police agency sending it.
    pub owner_agency: &'a str,
    /// Rows the reader rejected.
    pub rejected: u64,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DailyImport {
    /// New crimes.
    pub added: u64,
    /// Crimes held whose fields changed.
    pub updated: u64,
    /// Crimes held and sent again unchanged.
    pub unchanged: u64,
    /// Rows rejected by the reader.
    pub rejected: u64,
    /// The file had been imported before: nothing changed now.
    pub already_imported: bool,
}

const COLS: &str = "id, owner_agency, crime_reference, offence_code, offence_description, category, occurred_from, \
     occurred_to, reported_at, latitude, longitude, address, address_key, beat, ward, domestic_abuse, hate_strand, \
     weapon, vulnerable_victim, repeat_victim, repeat_location, child_involved, status, victim_key, fingerprint, \
     source_file, imported_at, updated_at";

/// The columns an update replaces.
const REPLACED: &[&str] = &[
    "offence_code",
    "offence_description",
    "category",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "latitude",
    "longitude",
    "address",
    "address_key",
    "beat",
    "ward",
    "domestic_abuse",
    "hate_strand",
    "weapon",
    "vulnerable_victim",
    "repeat_victim",
    "repeat_location",
    "child_involved",
    "status",
    "victim_key",
    "fingerprint",
    "source_file",
    "updated_at",
];

/// The address as matched: lower-cased, spaces collapsed.
pub fn address_key(address: &str) -> String {
    address.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn values(id: String, owner: &str, c: &DailyCrimeRecord, file: &str, at_ms: i64) -> Vec<Value> {
    vec![
        id.into(),
        owner.into(),
        c.crime_reference.as_str().into(),
        c.offence_code.as_str().into(),
        c.offence_description.as_str().into(),
        c.category.as_str().into(),
        c.occurred_from_ms.into(),
        c.occurred_to_ms.into(),
        c.reported_at_ms.into(),
        c.latitude.into(),
        c.longitude.into(),
        c.address.as_str().into(),
        address_key(&c.address).into(),
        c.beat.as_deref().into(),
        c.ward.as_deref().into(),
        c.domestic_abuse.into(),
        c.hate_strand.as_deref().into(),
        c.weapon.into(),
        c.vulnerable_victim.into(),
        c.repeat_victim.into(),
        c.repeat_location.into(),
        c.child_involved.into(),
        c.status.as_str().into(),
        c.victim_key.as_deref().into(),
        c.fingerprint().into(),
        file.into(),
        at_ms.into(),
        at_ms.into(),
    ]
}

/// Most updated references named in an import's audit row.
const AUDITED_REFERENCES: usize = 1_000;

impl Store {
    /// Imports one file's crimes in one transaction with its audit row: a
    /// crime reference held is replaced when its fields changed (the
    /// references updated are named in the audit), a file imported before
    /// (same SHA-256) changes nothing. A reference given twice in the file
    /// takes its last row.
    pub async fn import_police_daily(
        &self,
        file: DailyFile<'_>,
        crimes: &[DailyCrimeRecord],
        actor: &Actor<'_>,
    ) -> Result<DailyImport> {
        let mut tx = self.write().await?;
        let seen = tx
            .optional(
                &Q::new("SELECT added, updated, unchanged, rejected FROM police_daily_files WHERE sha256 = $1")
                    .bind(file.sha256),
            )
            .await?;
        if let Some(r) = seen {
            let n = |c: &str| r.int(c).map(|v| u64::try_from(v).unwrap_or(0));
            return Ok(DailyImport {
                added: n("added")?,
                updated: n("updated")?,
                unchanged: n("unchanged")?,
                rejected: n("rejected")?,
                already_imported: true,
            });
        }
        let mut last: BTreeMap<&str, &DailyCrimeRecord> = BTreeMap::new();
        for c in crimes {
            last.insert(c.crime_reference.as_str(), c);
        }
        let refs: Vec<&str> = last.keys().copied().collect();
        let mut held: HashMap<String, String> = HashMap::new();
        for chunk in refs.chunks(IN_LIST) {
            let mut q = Q::new("SELECT crime_reference, fingerprint FROM police_daily_crimes WHERE owner_agency = ");
            q.arg(file.owner_agency).push(" AND crime_reference IN (").list(chunk.iter().copied()).push(")");
            for r in tx.all(&q).await? {
                held.insert(r.text("crime_reference")?, r.text("fingerprint")?);
            }
        }
        let (mut added, mut updated, mut unchanged) = (0u64, Vec::new(), 0u64);
        let mut rows = Vec::new();
        for (reference, c) in &last {
            match held.get(*reference) {
                Some(f) if *f == c.fingerprint() => unchanged += 1,
                Some(_) => updated.push(*reference),
                None => added += 1,
            }
            if held.get(*reference) != Some(&c.fingerprint()) {
                rows.push(values(new_id_at_ms(actor.at_ms), file.owner_agency, c, file.name, actor.at_ms));
            }
        }
        let set: Vec<String> = REPLACED.iter().map(|c| format!("{c} = excluded.{c}")).collect();
        for mut q in insert_rows(tx.engine(), &format!("police_daily_crimes ({COLS})"), rows) {
            q.push(&format!(" ON CONFLICT (owner_agency, crime_reference) DO UPDATE SET {}", set.join(", ")));
            tx.execute(&q).await?;
        }
        let report = DailyImport {
            added,
            updated: updated.len() as u64,
            unchanged,
            rejected: file.rejected,
            already_imported: false,
        };
        tx.execute(
            &Q::new(
                "INSERT INTO police_daily_files (sha256, name, owner_agency, imported_at, added, updated, unchanged, \
                 rejected) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(file.sha256)
            .bind(file.name)
            .bind(file.owner_agency)
            .bind(actor.at_ms)
            .bind(report.added as i64)
            .bind(report.updated as i64)
            .bind(report.unchanged as i64)
            .bind(report.rejected as i64),
        )
        .await?;
        let detail = serde_json::json!({
            "file": file.name, "sha256": file.sha256, "agency": file.owner_agency, "added": report.added,
            "updated": report.updated, "unchanged": report.unchanged, "rejected": report.rejected,
            "updated_references": updated.iter().take(AUDITED_REFERENCES).collect::<Vec<_>>(),
        });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Import, "police_daily", None, detail)).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// The daily crimes reported in `[from_ms, to_ms)`: all of them for the
    /// police agency that sent them, and those of every police agency for
    /// an agency the sharing rule names (`shared`); none otherwise.
    pub async fn police_daily_crimes(
        &self,
        viewer_agency: &str,
        shared: bool,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<PoliceDailyCrime>> {
        let mut q = Q::new(format!("SELECT {COLS} FROM police_daily_crimes WHERE reported_at >= "));
        q.arg(from_ms).push(" AND reported_at < ").arg(to_ms);
        if !shared {
            q.push(" AND owner_agency = ").arg(viewer_agency);
        }
        q.push(" ORDER BY reported_at DESC, id");
        let rows = self.conn().await?.all(&q).await?;
        rows.iter().map(read_crime).collect()
    }

    /// For each victim key and address key given, how many daily crimes
    /// and incidents reported in `[from_ms, to_ms)` share it: the counts
    /// behind "repeat victim" and "repeat location" across police and
    /// partner records. Incidents count by their people's name and date of
    /// birth (victims and complainants) and their address.
    pub async fn repeat_counts(
        &self,
        victims: &[String],
        addresses: &[String],
        from_ms: i64,
        to_ms: i64,
    ) -> Result<RepeatCounts> {
        let mut conn = self.conn().await?;
        let mut out = RepeatCounts::default();
        for chunk in victims.chunks(IN_LIST) {
            let mut q = Q::new("SELECT victim_key AS k, COUNT(*) AS n FROM police_daily_crimes WHERE reported_at >= ");
            q.arg(from_ms).push(" AND reported_at < ").arg(to_ms);
            q.push(" AND victim_key IN (").list(chunk.iter().map(String::as_str)).push(") GROUP BY victim_key");
            add_counts(&mut conn, &q, &mut out.victims).await?;
            let mut q = Q::new(
                "SELECT p.name_key || '|' || p.date_of_birth AS k, COUNT(DISTINCT ip.incident_id) AS n \
                 FROM people p JOIN incident_people ip ON ip.person_id = p.id \
                 JOIN incidents i ON i.id = ip.incident_id \
                 WHERE ip.role IN ('victim', 'complainant') AND p.date_of_birth IS NOT NULL AND i.reported_at >= ",
            );
            q.arg(from_ms).push(" AND i.reported_at < ").arg(to_ms);
            q.push(" AND p.name_key || '|' || p.date_of_birth IN (").list(chunk.iter().map(String::as_str));
            q.push(") GROUP BY p.name_key || '|' || p.date_of_birth");
            add_counts(&mut conn, &q, &mut out.victims).await?;
        }
        for chunk in addresses.chunks(IN_LIST) {
            let mut q = Q::new("SELECT address_key AS k, COUNT(*) AS n FROM police_daily_crimes WHERE reported_at >= ");
            q.arg(from_ms).push(" AND reported_at < ").arg(to_ms);
            q.push(" AND address_key IN (").list(chunk.iter().map(String::as_str)).push(") GROUP BY address_key");
            add_counts(&mut conn, &q, &mut out.addresses).await?;
            let mut q = Q::new("SELECT LOWER(address) AS k, COUNT(*) AS n FROM incidents WHERE reported_at >= ");
            q.arg(from_ms).push(" AND reported_at < ").arg(to_ms);
            q.push(" AND LOWER(address) IN (").list(chunk.iter().map(String::as_str)).push(") GROUP BY LOWER(address)");
            add_counts(&mut conn, &q, &mut out.addresses).await?;
        }
        Ok(out)
    }

    /// Daily crimes per month (`YYYY-MM`, UK time) and category, for the
    /// reconciliation with police.uk.
    pub async fn police_daily_month_counts(&self) -> Result<Vec<(String, String, i64)>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new("SELECT category, reported_at FROM police_daily_crimes ORDER BY reported_at"))
            .await?;
        let mut counts: BTreeMap<(String, String), i64> = BTreeMap::new();
        for r in rows {
            let Some(t) = chrono::DateTime::from_timestamp_millis(r.int("reported_at")?) else { continue };
            let month = safetynet_domain::uk_time::london_date(t).format("%Y-%m").to_string();
            *counts.entry((month, r.text("category")?)).or_default() += 1;
        }
        Ok(counts.into_iter().map(|((m, c), n)| (m, c, n)).collect())
    }
}

/// Earlier records sharing a victim or an address with the day's lines.
#[derive(Debug, Clone, Default)]
pub struct RepeatCounts {
    /// Victim key -> daily crimes and incidents with that victim.
    pub victims: HashMap<String, i64>,
    /// Address key -> daily crimes and incidents at that address.
    pub addresses: HashMap<String, i64>,
}

async fn add_counts(conn: &mut impl Exec, q: &Q, into: &mut HashMap<String, i64>) -> Result<()> {
    for r in conn.all(q).await? {
        *into.entry(r.text("k")?).or_default() += r.int("n")?;
    }
    Ok(())
}

fn read_crime(r: &crate::sql::Row) -> Result<PoliceDailyCrime> {
    Ok(PoliceDailyCrime {
        id: r.text("id")?,
        owner_agency: r.text("owner_agency")?,
        record: DailyCrimeRecord {
            crime_reference: r.text("crime_reference")?,
            offence_code: r.text("offence_code")?,
            offence_description: r.text("offence_description")?,
            category: r.text("category")?,
            occurred_from_ms: r.int("occurred_from")?,
            occurred_to_ms: r.opt_int("occurred_to")?,
            reported_at_ms: r.int("reported_at")?,
            latitude: r.opt_real("latitude")?,
            longitude: r.opt_real("longitude")?,
            address: r.text("address")?,
            beat: r.opt_text("beat")?,
            ward: r.opt_text("ward")?,
            domestic_abuse: r.boolean("domestic_abuse")?,
            hate_strand: r.opt_text("hate_strand")?,
            weapon: r.boolean("weapon")?,
            vulnerable_victim: r.boolean("vulnerable_victim")?,
            repeat_victim: r.boolean("repeat_victim")?,
            repeat_location: r.boolean("repeat_location")?,
            child_involved: r.boolean("child_involved")?,
            status: r.text("status")?,
            victim_key: r.opt_text("victim_key")?,
        },
    })
}

/// A reviewer's decision about one line of the daily review.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DailyDecision {
    /// The day of the review (YYYY-MM-DD).
    pub review_date: chrono::NaiveDate,
    /// `incident` or `police_crime`.
    pub item_kind: String,
    /// The incident's or daily crime's id.
    pub item_id: String,
    /// `open_case`, `link_case` or `no_action`.
    pub decision: String,
    /// The case linked, for `link_case`.
    pub case_id: Option<String>,
    /// Why (required for `no_action`).
    pub reason: String,
    /// Who decided (display name).
    pub decided_by: String,
    /// When (Unix ms).
    pub decided_at_ms: i64,
}

/// Decisions recorded since a time, for the JAG pack.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DecisionCounts {
    /// Lines decided: open a case.
    pub open_case: i64,
    /// Lines decided: link to a case.
    pub link_case: i64,
    /// Lines decided: no action.
    pub no_action: i64,
}

impl Store {
    /// Records (or replaces) the viewer agency's decision about a line of
    /// the daily review, audited. A linked case must be one the agency may
    /// see; the caller has checked the decision's vocabulary and reason.
    pub async fn record_daily_decision(&self, d: &DailyDecision, actor: &Actor<'_>) -> Result<()> {
        let agency = &actor.principal.agency;
        let mut tx = self.write().await?;
        // The case is named by its id or its reference.
        let case_id = match &d.case_id {
            Some(case) => {
                let mut q = Q::new("SELECT c.id FROM cases c WHERE (c.id = ");
                q.arg(case.as_str()).push(" OR c.reference = ").arg(case.as_str()).push(") AND");
                crate::records::case_visible(&mut q, "c", agency);
                match tx.optional(&q).await? {
                    Some(r) => Some(r.text("id")?),
                    None => return Err(crate::StoreError::NotFound("case")),
                }
            }
            None => None,
        };
        let q = Q::new(
            "INSERT INTO daily_review_decisions (id, review_date, item_kind, item_id, reviewer_agency, decision, \
             case_id, reason, decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (reviewer_agency, item_kind, item_id) DO UPDATE SET review_date = excluded.review_date, \
             decision = excluded.decision, case_id = excluded.case_id, reason = excluded.reason, \
             decided_by = excluded.decided_by, decided_at = excluded.decided_at",
        )
        .bind(new_id_at_ms(actor.at_ms))
        .bind(d.review_date)
        .bind(d.item_kind.as_str())
        .bind(d.item_id.as_str())
        .bind(agency.as_str())
        .bind(d.decision.as_str())
        .bind(case_id.as_deref())
        .bind(d.reason.as_str())
        .bind(actor.principal.user_id.as_str())
        .bind(actor.at_ms);
        tx.execute(&q).await?;
        let detail = serde_json::json!({
            "review_date": d.review_date, "item_kind": d.item_kind, "decision": d.decision, "case_id": case_id,
        });
        let event = actor.event(AuditAction::Update, "daily_review_decision", Some(&d.item_id), detail);
        append(&mut tx, actor.at_ms, &event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the agency may see the review line: an incident it may see,
    /// or a daily crime it sent or (`shared`) the sharing rule shows it.
    pub async fn daily_item_visible(&self, agency: &str, shared: bool, kind: &str, id: &str) -> Result<bool> {
        let q = match kind {
            "incident" => {
                let mut q = Q::new("SELECT 1 AS one FROM incidents i WHERE i.id = ");
                q.arg(id).push(" AND");
                crate::records::incident_visible(&mut q, "i", agency);
                q
            }
            _ => {
                let mut q = Q::new("SELECT 1 AS one FROM police_daily_crimes WHERE id = ");
                q.arg(id);
                if !shared {
                    q.push(" AND owner_agency = ").arg(agency);
                }
                q
            }
        };
        Ok(self.conn().await?.optional(&q).await?.is_some())
    }

    /// The agency's decisions about the given items (kind, id).
    pub async fn daily_decisions(
        &self,
        agency: &str,
        items: &[(String, String)],
    ) -> Result<HashMap<(String, String), DailyDecision>> {
        let mut out = HashMap::new();
        let ids: Vec<&str> = items.iter().map(|(_, id)| id.as_str()).collect();
        let mut conn = self.conn().await?;
        for chunk in ids.chunks(IN_LIST) {
            let mut q = Q::new(
                "SELECT d.review_date, d.item_kind, d.item_id, d.decision, d.case_id, d.reason, u.display_name, \
                 d.decided_at FROM daily_review_decisions d JOIN users u ON u.id = d.decided_by \
                 WHERE d.reviewer_agency = ",
            );
            q.arg(agency).push(" AND d.item_id IN (").list(chunk.iter().copied()).push(")");
            for r in conn.all(&q).await? {
                let d = DailyDecision {
                    review_date: r.date("review_date")?,
                    item_kind: r.text("item_kind")?,
                    item_id: r.text("item_id")?,
                    decision: r.text("decision")?,
                    case_id: r.opt_text("case_id")?,
                    reason: r.text("reason")?,
                    decided_by: r.text("display_name")?,
                    decided_at_ms: r.int("decided_at")?,
                };
                out.insert((d.item_kind.clone(), d.item_id.clone()), d);
            }
        }
        Ok(out)
    }

    /// How many lines each agency's reviewers decided each way in
    /// `[from_ms, to_ms)`: the review's outcomes for the JAG pack.
    pub async fn daily_decision_counts(&self, from_ms: i64, to_ms: i64) -> Result<DecisionCounts> {
        let mut q = Q::new("SELECT decision, COUNT(*) AS n FROM daily_review_decisions WHERE decided_at >= ");
        q.arg(from_ms).push(" AND decided_at < ").arg(to_ms).push(" GROUP BY decision");
        let mut c = DecisionCounts::default();
        for r in self.conn().await?.all(&q).await? {
            let n = r.int("n")?;
            match r.text("decision")?.as_str() {
                "open_case" => c.open_case = n,
                "link_case" => c.link_case = n,
                _ => c.no_action = n,
            }
        }
        Ok(c)
    }
}
