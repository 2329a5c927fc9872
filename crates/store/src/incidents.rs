//! Incidents recorded by partner agencies, the people and places linked to
//! them, duplicate-person suggestions and merging, and repeat detection
//! across agencies. Every read and write takes a permit; which records are
//! shown in full is the access policy's decision.

use crate::audit::append;
use crate::records::{incident_shares, incident_shares_of, incident_visible};
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError, Tx};
use chrono::{DateTime, Duration, NaiveDate};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::categories::Category;
use safetynet_domain::geo::{degree_margin, distance_m, BoundingBox};
use safetynet_domain::incident::{match_key, FieldError, IncidentInput, PersonRole, Source};
use safetynet_domain::policy::{record_access, EditRecords, Permit, RecordAccess, ViewRecords, Visible};
use serde::Serialize;

mod recording;
use crate::shared_keys::{page_rows, ListKey};
use recording::check_people;
pub use recording::{submit_incidents_in, Submission};

/// A person named on a new incident.
#[derive(Debug, Clone, serde::Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewPerson {
    /// Their part in the incident.
    pub role: PersonRole,
    /// Full name (or business name).
    pub full_name: String,
    /// Date of birth, when known.
    pub date_of_birth: Option<NaiveDate>,
    /// Address.
    #[serde(default)]
    pub address: String,
    /// UPRN, when known.
    #[serde(default)]
    pub uprn: Option<String>,
    /// A business rather than an individual.
    #[serde(default)]
    pub is_business: bool,
}

/// A person as shown on a record.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Person {
    /// Id.
    pub id: String,
    /// Agency that recorded them.
    pub owner_agency: String,
    /// Name.
    pub full_name: String,
    /// Date of birth.
    pub date_of_birth: Option<String>,
    /// Address.
    pub address: String,
    /// UPRN.
    pub uprn: Option<String>,
    /// Business rather than individual.
    pub is_business: bool,
}

/// A person's part in one incident.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct LinkedPerson {
    /// The person.
    #[serde(flatten)]
    pub person: Person,
    /// Their role.
    pub role: PersonRole,
}

/// An incident as its permitted viewers see it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Incident {
    /// Id.
    pub id: String,
    /// Human reference.
    pub reference: String,
    /// Recording agency.
    pub owner_agency: String,
    /// Category code.
    pub category: String,
    /// Occurred (Unix ms).
    pub occurred_from_ms: i64,
    /// End of the period (Unix ms).
    pub occurred_to_ms: Option<i64>,
    /// Reported (Unix ms).
    pub reported_at_ms: i64,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Address.
    pub address: String,
    /// UPRN.
    pub uprn: Option<String>,
    /// LSOA, when derived.
    pub lsoa_code: Option<String>,
    /// What happened.
    pub description: String,
    /// Who reported it.
    pub source: String,
    /// Reporting officer's user id.
    pub officer_id: Option<String>,
    /// Hate strand, if hate-motivated.
    pub hate_strand: Option<String>,
    /// Domestic-abuse related.
    pub domestic_abuse: bool,
    /// Involves a child.
    pub involves_child: bool,
    /// Reported as a repeat.
    pub repeat: bool,
    /// Reason given for a location outside the area.
    pub outside_area_reason: Option<String>,
    /// People linked.
    pub people: Vec<LinkedPerson>,
}

/// Filters for incident lists.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// Category code.
    pub category: Option<String>,
    /// Text in the reference, address or description.
    pub text: Option<String>,
}

/// Prior incidents related to one incident, split by what the viewer may see.
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Repeats {
    /// Visible incidents involving the same victim or complainant (or a
    /// person who matches them by name and date of birth).
    pub same_person: Vec<Incident>,
    /// Visible incidents at the same address or UPRN.
    pub same_address: Vec<Incident>,
    /// Visible incidents within the search radius.
    pub nearby: Vec<Incident>,
    /// Matching records held by agencies the viewer may not see: only the
    /// agency and how many (signposting).
    pub other_agencies: Vec<AgencyCount>,
    /// Radius used for `nearby`, in metres.
    pub radius_m: f64,
    /// Matches are incidents reported within this many days of this one
    /// (either side).
    pub window_days: i64,
    /// Each list holds at most this many matches, the nearest in time
    /// first; `truncated` says whether any list had more.
    pub limit: usize,
    /// Whether any kind of match had more than `limit`.
    pub truncated: bool,
}

/// Days either side of an incident searched for repeats.
pub const REPEAT_WINDOW_DAYS: i64 = 365;
/// Matches of each kind returned at most.
pub const REPEAT_LIMIT: usize = 100;

/// How many matching records an agency holds.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AgencyCount {
    /// Agency to contact.
    pub contact_agency: String,
    /// Records held.
    pub records: i64,
}

const INCIDENT_COLS: &str = "i.id, i.reference, i.owner_agency, i.category, i.occurred_from, i.occurred_to, i.reported_at, i.latitude, i.longitude, i.address, i.uprn, i.lsoa_code, i.description, i.source, i.officer_id, i.hate_strand, i.domestic_abuse, i.involves_child, i.repeat_flag, i.outside_area_reason";

fn incident_row(r: &Row) -> Result<Incident> {
    Ok(Incident {
        id: r.text("id")?,
        reference: r.text("reference")?,
        owner_agency: r.text("owner_agency")?,
        category: r.text("category")?,
        occurred_from_ms: r.int("occurred_from")?,
        occurred_to_ms: r.opt_int("occurred_to")?,
        reported_at_ms: r.int("reported_at")?,
        latitude: r.opt_real("latitude")?,
        longitude: r.opt_real("longitude")?,
        address: r.text("address")?,
        uprn: r.opt_text("uprn")?,
        lsoa_code: r.opt_text("lsoa_code")?,
        description: r.text("description")?,
        source: r.text("source")?,
        officer_id: r.opt_text("officer_id")?,
        hate_strand: r.opt_text("hate_strand")?,
        domestic_abuse: r.boolean("domestic_abuse")?,
        involves_child: r.boolean("involves_child")?,
        repeat: r.boolean("repeat_flag")?,
        outside_area_reason: r.opt_text("outside_area_reason")?,
        people: Vec::new(),
    })
}

fn person_row(r: &Row) -> Result<Person> {
    Ok(Person {
        id: r.text("id")?,
        owner_agency: r.text("owner_agency")?,
        full_name: r.text("full_name")?,
        date_of_birth: r.opt_text("date_of_birth")?,
        address: r.text("address")?,
        uprn: r.opt_text("uprn")?,
        is_business: r.boolean("is_business")?,
    })
}

const PERSON_COLS: &str = "p.id, p.owner_agency, p.full_name, p.date_of_birth, p.address, p.uprn, p.is_business";

async fn people_of(conn: &mut impl Exec, incident_id: &str) -> Result<Vec<LinkedPerson>> {
    let rows = conn
        .all(
            &Q::new(format!(
                "SELECT {PERSON_COLS}, ip.role FROM incident_people ip JOIN people p ON p.id = ip.person_id WHERE ip.incident_id = $1 ORDER BY ip.role, p.full_name"
            ))
            .bind(incident_id),
        )
        .await?;
    rows.iter().map(|r| Ok(LinkedPerson { person: person_row(r)?, role: r.stored("role")? })).collect()
}

/// The result of submitting an incident.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Submitted {
    /// Stored.
    Recorded {
        /// Id.
        id: String,
        /// Reference.
        reference: String,
    },
    /// Refused, with every problem found.
    Invalid {
        /// Problems by field.
        errors: Vec<FieldError>,
    },
    /// An incident with this reference was already recorded (imports).
    AlreadyPresent,
}

impl Store {
    /// Validates an incident against the categories, the partnership's area
    /// and the clock (`actor.at_ms`), then records it: one incident from the
    /// web app or the API (an import reads the boundaries once and uses
    /// [`submit_incidents_in`] with the same checks).
    pub async fn submit_incident(
        &self,
        permit: &Permit<EditRecords>,
        input: &IncidentInput,
        reference: Option<&str>,
        people: &[NewPerson],
        actor: &Actor<'_>,
    ) -> Result<Submitted> {
        let point = input.longitude.zip(input.latitude);
        let inside = match point {
            Some((lon, lat)) => self.in_partnership_area(lon, lat).await?,
            None => None,
        };
        let submission = Submission { permit, actor: actor.clone(), input, reference, people };
        if let Err(errors) = submission.check(&self.categories().await?, inside) {
            return Ok(Submitted::Invalid { errors });
        }
        let lsoa = match point {
            Some((lon, lat)) => {
                self.area_at(safetynet_domain::areas::Level::Lsoa, lon, lat).await?.map(|(code, _)| code)
            }
            None => None,
        };
        let mut tx = self.write().await?;
        let recorded = recording::record(&mut tx, &[&submission.accepted(lsoa)]).await?;
        tx.commit().await?;
        Ok(recording::submitted(recorded.into_iter().next().flatten()))
    }

    /// The active categories, by group and label.
    pub async fn categories(&self) -> Result<Vec<Category>> {
        let rows = self
            .conn()
            .await?
            .all(
                &Q::new("SELECT code, label, grp, high_harm FROM categories WHERE active = $1 ORDER BY grp, label")
                    .bind(true),
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Category {
                    code: r.text("code")?,
                    label: r.text("label")?,
                    group: r.text("grp")?,
                    high_harm: r.boolean("high_harm")?,
                })
            })
            .collect()
    }

    /// Adds or updates categories (existing codes are relabelled); audited.
    /// Returns (added, updated).
    pub async fn load_categories(&self, cats: &[Category], actor: &Actor<'_>) -> Result<(u64, u64)> {
        let mut tx = self.write().await?;
        let (mut added, mut updated) = (0, 0);
        for c in cats {
            let n = tx
                .execute(
                    &Q::new("UPDATE categories SET label = $1, grp = $2, high_harm = $3, active = $4 WHERE code = $5")
                        .bind(&c.label)
                        .bind(&c.group)
                        .bind(c.high_harm)
                        .bind(true)
                        .bind(&c.code),
                )
                .await?;
            if n == 0 {
                tx.execute(
                    &Q::new("INSERT INTO categories (code, label, grp, high_harm, active) VALUES ($1, $2, $3, $4, $5)")
                        .bind(&c.code)
                        .bind(&c.label)
                        .bind(&c.group)
                        .bind(c.high_harm)
                        .bind(true),
                )
                .await?;
                added += 1;
            } else {
                updated += 1;
            }
        }
        let detail = serde_json::json!({ "added": added, "updated": updated });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "categories", None, detail)).await?;
        tx.commit().await?;
        Ok((added, updated))
    }

    /// The partnership's area for location checks, if set.
    pub async fn partnership_area(&self) -> Result<Option<BoundingBox>> {
        let row = self.conn().await?.optional(&Q::new("SELECT area_bbox FROM partnership LIMIT 1")).await?;
        Ok(row.and_then(|r| r.opt_text("area_bbox").ok().flatten()).and_then(|s| BoundingBox::parse(&s)))
    }

    /// Sets the partnership's area.
    pub async fn set_partnership_area(&self, area: &BoundingBox) -> Result<()> {
        let mut tx = self.write().await?;
        tx.execute(&Q::new("UPDATE partnership SET area_bbox = $1").bind(area.to_string())).await?;
        tx.commit().await
    }

    /// One incident, in full or as a signpost; audited.
    pub async fn incident(
        &self,
        permit: &Permit<ViewRecords>,
        id: &str,
        actor: &Actor<'_>,
    ) -> Result<Visible<Incident>> {
        let mut conn = self.conn().await?;
        let row = conn
            .optional(
                &Q::new(format!("SELECT {INCIDENT_COLS} FROM incidents i WHERE i.id = $1 OR i.reference = $1"))
                    .bind(id),
            )
            .await?
            .ok_or(StoreError::NotFound("incident"))?;
        let mut incident = incident_row(&row)?;
        let shares = incident_shares(&mut conn, &incident.id).await?;
        let access = record_access(permit, &incident.owner_agency, &shares);
        let detail = serde_json::json!({ "access": access_name(&access) });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "incident", Some(&incident.id), detail)).await?;
        Ok(match access {
            RecordAccess::Full => {
                incident.people = people_of(&mut conn, &incident.id).await?;
                Visible::Full { record: incident }
            }
            RecordAccess::Signpost { contact_agency } => Visible::Signpost { contact_agency },
        })
    }

    /// Incidents the viewer may see, newest report first, and how many match
    /// on every page; audited as a search.
    ///
    /// A page costs the same at any size of table: each way an incident
    /// reaches the viewer (its own, shared with it, in a shared case of the
    /// incident's owner) is read from an index in the list's order and cut
    /// at the page's end, and the total of the viewer's own comes from the
    /// counts the triggers of migration 0015 keep. Only a text search counts
    /// the rows it matches.
    pub async fn incidents(
        &self,
        permit: &Permit<ViewRecords>,
        filter: &IncidentFilter,
        limit: i64,
        offset: i64,
        actor: &Actor<'_>,
    ) -> Result<(Vec<Incident>, i64)> {
        let agency = &permit.principal().agency;
        let detail = serde_json::json!({ "category": filter.category, "text": filter.text.is_some() });
        self.audit(actor.at_ms, &actor.event(AuditAction::Search, "incident", None, detail)).await?;
        let mut conn = self.conn().await?;
        if filter.text.is_some() {
            let mut count = Q::new("SELECT COUNT(*) AS n FROM (");
            visible_keys(&mut count, agency, filter, VisibleBy::ALL, None);
            let total = conn.one(count.push(") v")).await?.int("n")?;
            let mut q = Q::new(format!("SELECT {INCIDENT_COLS} FROM incidents i JOIN ("));
            visible_keys(&mut q, agency, filter, VisibleBy::ALL, Some(offset.saturating_add(limit)));
            q.push(" ORDER BY reported_at DESC, id LIMIT ").arg(limit).push(" OFFSET ").arg(offset);
            q.push(") p ON p.id = i.id ORDER BY i.reported_at DESC, i.id");
            let items = conn.all(&q).await?.iter().map(incident_row).collect::<Result<_>>()?;
            return Ok((items, total));
        }
        // The viewer's own from an index in list order (and their total from
        // the kept counts); the others' from the keys kept per sharing version.
        let mut read = Q::new("SELECT k.id, k.reported_at AS at, i.category AS tag FROM (");
        visible_keys(&mut read, agency, &IncidentFilter::default(), VisibleBy::OTHERS, None);
        read.push(") k JOIN incidents i ON i.id = k.id ORDER BY k.reported_at DESC, k.id");
        let shared = self.shared_keys(&mut conn, "incident", agency, &read).await?;
        let shared: Vec<&ListKey> =
            shared.iter().filter(|k| filter.category.as_ref().is_none_or(|c| &k.tag == c)).collect();
        let mut owned_total =
            Q::new("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM incident_counts WHERE owner_agency = ");
        owned_total.arg(agency.as_str());
        if let Some(c) = &filter.category {
            owned_total.push(" AND category = ").arg(c);
        }
        let total = conn.one(&owned_total).await?.int("n")? + i64::try_from(shared.len()).unwrap_or(i64::MAX);
        let mut own = Q::new("SELECT id, reported_at AS at FROM (");
        visible_keys(&mut own, agency, filter, VisibleBy::OWN, Some(offset.saturating_add(limit)));
        own.push(") o ORDER BY at DESC, id");
        let select = format!("SELECT {INCIDENT_COLS} FROM incidents i WHERE i.id IN (");
        let rows = page_rows(&mut conn, &own, &shared, offset, limit, &select).await?;
        Ok((rows.iter().map(incident_row).collect::<Result<_>>()?, total))
    }

    /// Located incidents the viewer may see, occurring in `[from_ms, to_ms)`,
    /// optionally of one category, as (longitude, latitude, occurred ms);
    /// audited as a search (for near-repeat analysis).
    pub async fn incident_points(
        &self,
        permit: &Permit<ViewRecords>,
        from_ms: i64,
        to_ms: i64,
        category: Option<&str>,
        actor: &Actor<'_>,
    ) -> Result<Vec<(f64, f64, i64)>> {
        let mut q = Q::new("SELECT i.longitude, i.latitude, i.occurred_from FROM incidents i WHERE i.latitude IS NOT NULL AND i.occurred_from >= ");
        q.arg(from_ms).push(" AND i.occurred_from < ").arg(to_ms).push(" AND");
        incident_visible(&mut q, "i", &permit.principal().agency);
        if let Some(c) = category {
            q.push(" AND i.category = ").arg(c);
        }
        let detail = serde_json::json!({ "analysis": "near_repeat", "category": category });
        self.audit(actor.at_ms, &actor.event(AuditAction::Search, "incident", None, detail)).await?;
        let rows = self.conn().await?.all(&q).await?;
        Ok(rows
            .iter()
            .filter_map(|r| {
                Some((r.opt_real("longitude").ok()??, r.opt_real("latitude").ok()??, r.int("occurred_from").ok()?))
            })
            .collect())
    }

    /// (category, occurred ms) of every incident the viewer may see occurring
    /// in `[from_ms, to_ms)`; audited as a search (for weekly trends).
    pub async fn incident_times(
        &self,
        permit: &Permit<ViewRecords>,
        from_ms: i64,
        to_ms: i64,
        actor: &Actor<'_>,
    ) -> Result<Vec<(String, i64)>> {
        let mut q = Q::new("SELECT i.category, i.occurred_from FROM incidents i WHERE i.occurred_from >= ");
        q.arg(from_ms).push(" AND i.occurred_from < ").arg(to_ms).push(" AND");
        incident_visible(&mut q, "i", &permit.principal().agency);
        self.audit(
            actor.at_ms,
            &actor.event(AuditAction::Search, "incident", None, serde_json::json!({ "analysis": "weekly_trends" })),
        )
        .await?;
        let rows = self.conn().await?.all(&q).await?;
        rows.iter().map(|r| Ok((r.text("category")?, r.int("occurred_from")?))).collect()
    }

    /// Related earlier incidents for `incident_id` across agencies: the
    /// same victim or complainant, the same address, and within `radius_m`.
    /// Records the viewer may not see are counted per agency only.
    pub async fn repeats(
        &self,
        permit: &Permit<ViewRecords>,
        incident_id: &str,
        radius_m: f64,
        actor: &Actor<'_>,
    ) -> Result<Repeats> {
        let Visible::Full { record: base } = self.incident(permit, incident_id, actor).await? else {
            return Err(StoreError::NotFound("incident"));
        };
        let mut conn = self.conn().await?;
        let agency = &permit.principal().agency;
        let mut matched: Vec<(Incident, &'static str)> = Vec::new();
        // Each kind of match: within the window, nearest in time first, one
        // more than the limit (to know whether there were more). The window
        // is written `+i.reported_at` so that no engine reads it from the
        // report-time index instead of the match's own (a year of the
        // county is far more rows than one place or person has).
        let window = Duration::days(REPEAT_WINDOW_DAYS).num_milliseconds();
        let around = |q: &mut Q| {
            q.push(" AND +i.reported_at BETWEEN ")
                .arg(base.reported_at_ms - window)
                .push(" AND ")
                .arg(base.reported_at_ms + window)
                .push(" ORDER BY ABS(i.reported_at - ")
                .arg(base.reported_at_ms)
                .push("), i.id LIMIT ")
                .arg(REPEAT_LIMIT as i64 + 1);
        };
        let mut truncated = false;
        let mut keep = |rows: Vec<Row>, why: &'static str, accept: &dyn Fn(&Incident) -> bool| -> Result<()> {
            truncated |= rows.len() > REPEAT_LIMIT;
            for r in rows.iter().take(REPEAT_LIMIT) {
                let i = incident_row(r)?;
                if accept(&i) {
                    matched.push((i, why));
                }
            }
            Ok(())
        };

        // Same person: victims and complainants, matched by id or by name and
        // date of birth (each match read from its own index).
        let mut pq = Q::new(format!("SELECT {INCIDENT_COLS} FROM incidents i WHERE i.id <> "));
        pq.arg(&base.id).push(
            " AND i.id IN (SELECT ip.incident_id FROM incident_people ip
               WHERE ip.role IN ('victim', 'complainant') AND ip.person_id IN (",
        );
        let mut any_person = false;
        for lp in base.people.iter().filter(|p| matches!(p.role, PersonRole::Victim | PersonRole::Complainant)) {
            pq.push(if any_person {
                " UNION SELECT id FROM people WHERE id = "
            } else {
                "SELECT id FROM people WHERE id = "
            });
            pq.arg(&lp.person.id);
            any_person = true;
            if let Some(dob) = &lp.person.date_of_birth {
                pq.push(" UNION SELECT id FROM people WHERE name_key = ")
                    .arg(match_key(&lp.person.full_name))
                    .push(" AND date_of_birth = ")
                    .arg(dob);
            }
        }
        pq.push("))");
        around(&mut pq);
        if any_person {
            keep(conn.all(&pq).await?, "person", &|_| true)?;
        }
        // Same address (as lower-cased, then compared by match key) or UPRN:
        // one query each, so each reads its own index.
        let key = match_key(&base.address);
        let same_place = |i: &Incident| match_key(&i.address) == key || (base.uprn.is_some() && i.uprn == base.uprn);
        if !key.is_empty() {
            let mut aq = Q::new(format!("SELECT {INCIDENT_COLS} FROM incidents i WHERE i.id <> "));
            aq.arg(&base.id).push(" AND LOWER(i.address) = ").arg(base.address.trim().to_lowercase());
            around(&mut aq);
            keep(conn.all(&aq).await?, "address", &same_place)?;
        }
        if let Some(u) = &base.uprn {
            let mut uq = Q::new(format!("SELECT {INCIDENT_COLS} FROM incidents i WHERE i.id <> "));
            uq.arg(&base.id).push(" AND i.uprn = ").arg(u);
            around(&mut uq);
            keep(conn.all(&uq).await?, "address", &same_place)?;
        }
        // Nearby: a coarse box in SQL, the exact distance here.
        if let (Some(lat), Some(lon)) = (base.latitude, base.longitude) {
            let (dlon, dlat) = degree_margin(lat, radius_m);
            let mut nq = Q::new(format!("SELECT {INCIDENT_COLS} FROM incidents i WHERE i.id <> "));
            nq.arg(&base.id)
                .push(" AND i.latitude BETWEEN ")
                .arg(lat - dlat)
                .push(" AND ")
                .arg(lat + dlat)
                .push(" AND i.longitude BETWEEN ")
                .arg(lon - dlon)
                .push(" AND ")
                .arg(lon + dlon);
            around(&mut nq);
            let within = |i: &Incident| {
                i.latitude.zip(i.longitude).is_some_and(|(a, b)| distance_m((lon, lat), (b, a)) <= radius_m)
            };
            keep(conn.all(&nq).await?, "nearby", &within)?;
        }
        let mut out =
            Repeats { radius_m, window_days: REPEAT_WINDOW_DAYS, limit: REPEAT_LIMIT, truncated, ..Repeats::default() };
        let mut hidden: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> = Default::default();
        let mut seen_full: std::collections::BTreeSet<(String, &str)> = Default::default();
        let ids: Vec<&str> = matched.iter().map(|(i, _)| i.id.as_str()).collect();
        let shares = incident_shares_of(&mut conn, &ids).await?;
        for (i, why) in matched {
            let shared = shares.get(&i.id).map_or(&[][..], Vec::as_slice);
            match record_access(permit, &i.owner_agency, shared) {
                RecordAccess::Full => {
                    if seen_full.insert((i.id.clone(), why)) {
                        match why {
                            "person" => out.same_person.push(i),
                            "address" => out.same_address.push(i),
                            _ => out.nearby.push(i),
                        }
                    }
                }
                RecordAccess::Signpost { contact_agency } => {
                    hidden.entry(contact_agency).or_default().insert(i.id);
                }
            }
        }
        for list in [&mut out.same_person, &mut out.same_address, &mut out.nearby] {
            list.sort_by_key(|i| std::cmp::Reverse(i.reported_at_ms));
        }
        out.other_agencies = hidden
            .into_iter()
            .filter(|(a, _)| a != agency)
            .map(|(a, ids)| AgencyCount { contact_agency: a, records: ids.len() as i64 })
            .collect();
        Ok(out)
    }

    /// People recorded by any agency who may be the same as `person_id`
    /// (same normalised name and date of birth, or same name and address).
    /// Suggestions only: merging is a person's decision.
    pub async fn person_duplicates(
        &self,
        permit: &Permit<ViewRecords>,
        person_id: &str,
        actor: &Actor<'_>,
    ) -> Result<Vec<Person>> {
        let mut conn = self.conn().await?;
        crate::records::require_person(&mut conn, permit, person_id).await?;
        let row = conn
            .optional(
                &Q::new(
                    "SELECT name_key, date_of_birth, address_key FROM people WHERE id = $1 AND merged_into IS NULL",
                )
                .bind(person_id),
            )
            .await?
            .ok_or(StoreError::NotFound("person"))?;
        let (name, dob, addr) = (row.text("name_key")?, row.opt_text("date_of_birth")?, row.text("address_key")?);
        let mut q = Q::new(format!("SELECT {PERSON_COLS} FROM people p WHERE p.merged_into IS NULL AND p.id <> "));
        q.arg(person_id).push(" AND p.name_key = ").arg(&name).push(" AND (1 = 0");
        if let Some(d) = &dob {
            q.push(" OR p.date_of_birth = ").arg(d);
        }
        if !addr.is_empty() {
            q.push(" OR p.address_key = ").arg(&addr);
        }
        q.push(") AND p.owner_agency = ").arg(&permit.principal().agency);
        let detail = serde_json::json!({ "duplicates_of": person_id });
        self.audit(actor.at_ms, &actor.event(AuditAction::Search, "person", Some(person_id), detail)).await?;
        conn.all(&q).await?.iter().map(person_row).collect()
    }

    /// Merges `duplicate` into `keep` (both recorded by the actor's agency):
    /// links move to `keep`, `duplicate` is marked merged; audited.
    pub async fn merge_people(
        &self,
        _permit: &Permit<EditRecords>,
        keep: &str,
        duplicate: &str,
        actor: &Actor<'_>,
    ) -> Result<()> {
        if keep == duplicate {
            return Err(StoreError::Conflict("a person cannot be merged into themselves"));
        }
        let mut tx = self.write().await?;
        for id in [keep, duplicate] {
            let row = tx
                .optional(&Q::new("SELECT owner_agency FROM people WHERE id = $1 AND merged_into IS NULL").bind(id))
                .await?;
            match row {
                Some(r) if r.text("owner_agency")? == actor.principal.agency => {}
                _ => return Err(StoreError::NotFound("person")),
            }
        }
        tx.execute(
            &Q::new(
                "INSERT INTO incident_people (incident_id, person_id, role) SELECT incident_id, $1, role FROM incident_people WHERE person_id = $2
                 ON CONFLICT DO NOTHING",
            )
            .bind(keep)
            .bind(duplicate),
        )
        .await?;
        tx.execute(&Q::new("DELETE FROM incident_people WHERE person_id = $1").bind(duplicate)).await?;
        tx.execute(&Q::new("UPDATE interventions SET person_id = $1 WHERE person_id = $2").bind(keep).bind(duplicate))
            .await?;
        // A victim's contact choice follows them, unless the kept record has its own on that case.
        tx.execute(
            &Q::new(
                "UPDATE victim_contacts SET person_id = $1 WHERE person_id = $2
                 AND case_id NOT IN (SELECT case_id FROM victim_contacts WHERE person_id = $1)",
            )
            .bind(keep)
            .bind(duplicate),
        )
        .await?;
        tx.execute(&Q::new("DELETE FROM victim_contacts WHERE person_id = $1").bind(duplicate)).await?;
        tx.execute(&Q::new("UPDATE victim_updates SET person_id = $1 WHERE person_id = $2").bind(keep).bind(duplicate))
            .await?;
        tx.execute(&Q::new("UPDATE people SET merged_into = $1 WHERE id = $2").bind(keep).bind(duplicate)).await?;
        let detail = serde_json::json!({ "merged": duplicate, "into": keep });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "person", Some(keep), detail)).await?;
        tx.commit().await
    }
}

/// The ways an incident reaches a viewer's list (see [`visible_keys`]).
struct VisibleBy(&'static [&'static str]);

impl VisibleBy {
    /// Its own; shared with it; in a case of the incident's owner shared with it.
    const ALL: Self = Self(&[OWNED, SHARED, IN_SHARED_CASE]);
    /// Its own only.
    const OWN: Self = Self(&[OWNED]);
    /// Every way but its own.
    const OTHERS: Self = Self(&[SHARED, IN_SHARED_CASE]);
}

/// `FROM ... WHERE` of each way, with `$A` for the viewer's agency. The
/// other two exclude the viewer's own, so the ways never overlap in count.
const OWNED: &str = "FROM incidents i WHERE i.owner_agency = $A";
const SHARED: &str = "FROM record_shares s JOIN incidents i ON i.id = s.record_id
     WHERE s.record_type = 'incident' AND s.agency_code = $A AND i.owner_agency <> $A";
/// The cases shared with the viewer, then their incidents: `CROSS JOIN`
/// keeps SQLite to that order (it otherwise read every incident of each
/// case's owner by `i.owner_agency = c.owner_agency`, half a second at
/// 100,000 incidents); PostgreSQL plans it as an inner join.
const IN_SHARED_CASE: &str =
    "FROM record_shares s CROSS JOIN cases c CROSS JOIN case_incidents ci CROSS JOIN incidents i
     WHERE c.id = s.record_id AND ci.case_id = c.id AND i.id = ci.incident_id AND i.owner_agency = c.owner_agency
       AND s.record_type = 'case' AND s.agency_code = $A AND i.owner_agency <> $A";

/// Appends `(id, reported_at)` of the incidents `agency` may see that match
/// `filter`, as a UNION of the ways in `by` (the rule of
/// [`incident_visible`](crate::records::incident_visible), one index-friendly
/// branch per way); with `cut`, each branch keeps only its first `cut` in
/// list order.
fn visible_keys(q: &mut Q, agency: &str, filter: &IncidentFilter, by: VisibleBy, cut: Option<i64>) {
    for (n, way) in by.0.iter().enumerate() {
        if n > 0 {
            q.push(" UNION ");
        }
        q.push("SELECT id, reported_at FROM (SELECT i.id, i.reported_at ");
        let mut parts = way.split("$A");
        q.push(parts.next().unwrap_or_default());
        for part in parts {
            q.arg(agency).push(part);
        }
        if let Some(c) = &filter.category {
            q.push(" AND i.category = ").arg(c);
        }
        if let Some(t) = &filter.text {
            let like = format!("%{}%", t.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            q.push(" AND (LOWER(i.reference) LIKE ")
                .arg(&like)
                .push(" ESCAPE '\\' OR LOWER(i.address) LIKE ")
                .arg(&like);
            q.push(" ESCAPE '\\' OR LOWER(i.description) LIKE ").arg(like).push(" ESCAPE '\\')");
        }
        if let Some(cut) = cut {
            q.push(" ORDER BY i.reported_at DESC, i.id LIMIT ").arg(cut);
        }
        q.push(&format!(") w{n}"));
    }
}

pub(crate) fn access_name(a: &RecordAccess) -> &'static str {
    match a {
        RecordAccess::Full => "full",
        RecordAccess::Signpost { .. } => "signpost",
    }
}

/// Parses a source code, for callers reading stored rows.
pub fn source_label(code: &str) -> &'static str {
    Source::parse(code).map_or("Other", Source::label)
}

/// Corrections to a person record (rectification, UK GDPR Article 16):
/// `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct PersonCorrection {
    /// The corrected name.
    pub full_name: Option<String>,
    /// The corrected date of birth (`Some(None)` clears it).
    pub date_of_birth: Option<Option<NaiveDate>>,
    /// The corrected address.
    pub address: Option<String>,
}

/// Fails unless the permit's agency owns person `person_id` ("not found"
/// for a person that does not exist, "forbidden" for another agency's).
async fn require_owned_person(tx: &mut Tx, permit: &Permit<EditRecords>, person_id: &str) -> Result<()> {
    let owner = tx.optional(&Q::new("SELECT owner_agency FROM people WHERE id = $1").bind(person_id)).await?;
    match owner {
        None => Err(StoreError::NotFound("person")),
        Some(r) if r.text("owner_agency")? != permit.principal().agency => {
            Err(StoreError::Forbidden("only the agency that recorded a person may rectify or erase them"))
        }
        Some(_) => Ok(()),
    }
}

impl Store {
    /// Rectifies a person record; the owning agency only; audited (the
    /// fields changed, never their values).
    pub async fn rectify_person(
        &self,
        permit: &Permit<EditRecords>,
        person_id: &str,
        c: &PersonCorrection,
        actor: &Actor<'_>,
    ) -> Result<Vec<&'static str>> {
        let today = DateTime::from_timestamp_millis(actor.at_ms).unwrap_or_default().date_naive();
        let probe = NewPerson {
            full_name: c.full_name.clone().unwrap_or_else(|| "x".into()),
            date_of_birth: c.date_of_birth.flatten(),
            address: c.address.clone().unwrap_or_default(),
            role: PersonRole::Witness,
            uprn: None,
            is_business: false,
        };
        if let Some(e) = check_people(std::slice::from_ref(&probe), today).into_iter().next() {
            return Err(StoreError::Rule("person", e.message));
        }
        let mut tx = self.write().await?;
        require_owned_person(&mut tx, permit, person_id).await?;
        let mut changed = Vec::new();
        if let Some(n) = &c.full_name {
            tx.execute(
                &Q::new("UPDATE people SET full_name = $1, name_key = $2 WHERE id = $3")
                    .bind(n.trim())
                    .bind(match_key(n))
                    .bind(person_id),
            )
            .await?;
            changed.push("full_name");
        }
        if let Some(d) = &c.date_of_birth {
            tx.execute(
                &Q::new("UPDATE people SET date_of_birth = $1 WHERE id = $2")
                    .bind(d.map(|d| d.to_string()))
                    .bind(person_id),
            )
            .await?;
            changed.push("date_of_birth");
        }
        if let Some(a) = &c.address {
            tx.execute(
                &Q::new("UPDATE people SET address = $1, address_key = $2, uprn = NULL WHERE id = $3")
                    .bind(a.trim())
                    .bind(match_key(a))
                    .bind(person_id),
            )
            .await?;
            changed.push("address");
        }
        let detail = serde_json::json!({ "rectified": changed });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "person", Some(person_id), detail)).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Erases a person record (UK GDPR Article 17) as the retention schedule
    /// anonymises one: name "Anonymised", date of birth and address cleared,
    /// marked `anonymised_at`. The owning agency only; audited. Incidents
    /// and cases keep their counts.
    pub async fn erase_person(&self, permit: &Permit<EditRecords>, person_id: &str, actor: &Actor<'_>) -> Result<()> {
        let mut tx = self.write().await?;
        require_owned_person(&mut tx, permit, person_id).await?;
        crate::retention::anonymise_person(&mut tx, person_id, actor.at_ms).await?;
        let detail = serde_json::json!({ "erased": true });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "person", Some(person_id), detail)).await?;
        tx.commit().await
    }
}
