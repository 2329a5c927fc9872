//! Reports from the public (migration 0033): the categories the
//! partnership takes reports in and the agency each is routed to, a
//! resident's report (a repeat of the same report within the hour is not
//! taken twice), the triage queue of the agency it is routed to (accept it
//! as an incident, join it to an existing incident, or pass it to the
//! partner whose work it is), the updates the reporter is told about, and
//! the status a private link shows: the reference, the category, the
//! status and the public notes, never what anyone wrote or who they are.

use crate::audit::append;
use crate::fly_tipping::upsert_fly_tip;
use crate::incidents::{submit_incidents_in, Submission, Submitted as Recorded};
use crate::notifications::enqueue_to_address;
use crate::records::{incident_seen_by, next_reference};
use crate::sql::{Row, Q};
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError, Tx};
use chrono::{DateTime, Datelike, Utc};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::geo::distance_m;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::incident::{IncidentInput, Source};
use safetynet_domain::notification::Event;
use safetynet_domain::photos::{CleanPhoto, MAX_PHOTOS};
use safetynet_domain::policy::{EditRecords, ManageAgencies, Permit, ViewRecords};
use safetynet_domain::public_reports::{fly_tip_from, NewPublicReport, ReportStatus};
use safetynet_domain::token::{hash_secret, random_secret};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// A repeat of the same report from the same place within this long is not taken twice.
pub const REPEAT_WINDOW_MS: i64 = 60 * 60 * 1000;
/// ... when its pin is within this many metres of the first.
pub const REPEAT_RADIUS_M: f64 = 50.0;

/// The most reports one submitter (client address or Open311 key) may
/// send in an hour.
pub const REPORTS_PER_HOUR: i64 = 10;

/// A category the partnership takes reports in (an Open311 service).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PublicService {
    /// The category's code (the service code).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its group.
    pub group: String,
    /// What to report under it, for residents.
    pub description: String,
    /// The agency its reports go to.
    pub agency: String,
}

/// What a resident is told when a report is taken.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ReportTaken {
    /// The report's id (an Open311 client's token for it).
    pub id: String,
    /// The report's reference.
    pub reference: String,
    /// The secret in the private status link (shown once; only its hash is kept).
    /// `None` when the report repeats one the same reporter made within the hour.
    pub token: Option<String>,
    /// The report repeats one already taken (nothing new was stored).
    pub repeated: bool,
}

/// A report in the agency's hands.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PublicReport {
    /// Id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// The category.
    pub category: String,
    /// The agency it is routed to.
    pub agency: String,
    /// WGS84 latitude.
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    pub longitude: Option<f64>,
    /// Where, in words.
    pub address: String,
    /// What the resident wrote.
    pub description: String,
    /// The reporter's name, as given.
    pub reporter_name: String,
    /// The reporter's e-mail address, as given.
    pub reporter_email: String,
    /// The reporter's phone number, as given.
    pub reporter_phone: String,
    /// `web` or `open311`.
    pub source: String,
    /// A link to a photo (sent by an Open311 client).
    pub media_url: String,
    /// Answers to the service's attributes.
    pub attributes: BTreeMap<String, String>,
    /// Where it stands.
    pub status: ReportStatus,
    /// The incident it became or joined.
    pub incident_id: Option<String>,
    /// Received (Unix ms).
    pub created_at: i64,
    /// Last changed (Unix ms).
    pub updated_at: i64,
}

/// One update the reporter was told about.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ReportUpdate {
    /// The status it moved to.
    pub status: ReportStatus,
    /// What the officer wrote for the reporter.
    pub public_note: String,
    /// When (Unix ms).
    pub at: i64,
}

/// A photo sent with a report (its metadata already taken out).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ReportPhoto {
    /// Id.
    pub id: String,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
}

/// A report with its updates, oldest first, and its photos.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PublicReportRecord {
    /// The report.
    #[serde(flatten)]
    pub report: PublicReport,
    /// Its updates.
    pub updates: Vec<ReportUpdate>,
    /// Its photos.
    pub photos: Vec<ReportPhoto>,
}

/// What the private status link shows: nothing anyone wrote but the
/// officers' public notes, nobody's details.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ReportStatusView {
    /// Reference.
    pub reference: String,
    /// The category's name.
    pub service_name: String,
    /// Where it stands.
    pub status: ReportStatus,
    /// Received (Unix ms).
    pub created_at: i64,
    /// The updates, oldest first.
    pub updates: Vec<ReportUpdate>,
}

/// Who sent a report: what repeats are matched on and what the hourly cap counts.
#[derive(Debug, Clone, Copy)]
pub enum Sender<'a> {
    /// The report form, from one client address (kept as a hash); at most
    /// [`REPORTS_PER_HOUR`] an hour.
    Web(&'a str),
    /// An Open311 client (its hourly allowance of calls is checked at the
    /// door) on behalf of one reporter (a hash of their e-mail, account or
    /// device, as the client gives them).
    Open311 {
        /// The client's id.
        client_id: &'a str,
        /// The reporter, as a hash.
        reporter: &'a str,
    },
}

/// What triage does with a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Triage {
    /// Record it as a new incident of the agency's.
    Accept,
    /// Join it to an incident the agency may see (id or reference).
    Merge(String),
    /// Pass it to the partner agency whose work it is.
    Redirect(String),
}

const SELECT: &str = "SELECT id, reference, category, agency, latitude, longitude, address, description, reporter_name,
    reporter_email, reporter_phone, source, media_url, attributes, status, incident_id, created_at, updated_at
    FROM public_reports";

fn report_row(r: &Row) -> Result<PublicReport> {
    Ok(PublicReport {
        id: r.text("id")?,
        reference: r.text("reference")?,
        category: r.text("category")?,
        agency: r.text("agency")?,
        latitude: r.opt_real("latitude")?,
        longitude: r.opt_real("longitude")?,
        address: r.text("address")?,
        description: r.text("description")?,
        reporter_name: r.text("reporter_name")?,
        reporter_email: r.text("reporter_email")?,
        reporter_phone: r.text("reporter_phone")?,
        source: r.text("source")?,
        media_url: r.text("media_url")?,
        attributes: serde_json::from_str(&r.text("attributes")?).unwrap_or_default(),
        status: r.stored("status")?,
        incident_id: r.opt_text("incident_id")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

async fn photos_of(conn: &mut impl Exec, report_id: &str) -> Result<Vec<ReportPhoto>> {
    let q =
        Q::new("SELECT id, content_type, size FROM public_report_photos WHERE report_id = $1 ORDER BY created_at, id")
            .bind(report_id);
    conn.all(&q)
        .await?
        .iter()
        .map(|r| Ok(ReportPhoto { id: r.text("id")?, content_type: r.text("content_type")?, size: r.int("size")? }))
        .collect()
}

async fn updates_of(conn: &mut impl Exec, report_id: &str) -> Result<Vec<ReportUpdate>> {
    let q = Q::new("SELECT status, public_note, at FROM public_report_updates WHERE report_id = $1 ORDER BY at, id")
        .bind(report_id);
    conn.all(&q)
        .await?
        .iter()
        .map(|r| {
            Ok(ReportUpdate { status: r.stored("status")?, public_note: r.text("public_note")?, at: r.int("at")? })
        })
        .collect()
}

/// Records that the report moved to `status` with `note`, by `agency`.
async fn record_update(
    tx: &mut Tx,
    report_id: &str,
    agency: &str,
    status: ReportStatus,
    note: &str,
    actor: &Actor<'_>,
) -> Result<()> {
    tx.execute(
        &Q::new(
            "INSERT INTO public_report_updates (id, report_id, agency, status, public_note, at, by_user)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id_at_ms(actor.at_ms))
        .bind(report_id)
        .bind(agency)
        .bind(status.as_str())
        .bind(note.trim())
        .bind(actor.at_ms)
        .bind(actor.user_id()),
    )
    .await?;
    Ok(())
}

/// E-mails the reporter of `report` (when they gave an address) that it
/// moved to `status`, when that is a new milestone for them.
async fn tell_reporter(
    tx: &mut Tx,
    report: &PublicReport,
    before: Option<ReportStatus>,
    status: ReportStatus,
    note: &str,
    at_ms: i64,
) -> Result<()> {
    if report.reporter_email.is_empty() || before.is_some_and(|b| b.milestone() == status.milestone()) {
        return Ok(());
    }
    let service =
        tx.one(&Q::new("SELECT label FROM categories WHERE code = $1").bind(&report.category)).await?.text("label")?;
    let event = Event::ReportUpdate {
        reference: report.reference.clone(),
        service,
        status: status.label().to_string(),
        note: note.trim().to_string(),
    };
    enqueue_to_address(tx, &report.reporter_email, &event, "/report", at_ms).await
}

fn rule(rule: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Rule(rule, message.into())
}

/// Checks an officer's note for the reporter: `report_note_required` when
/// the status closes the report, `report_text` when too long.
fn check_note(status: ReportStatus, note: &str) -> Result<()> {
    if !status.is_open() && note.trim().is_empty() {
        return Err(rule("report_note_required", "tell the reporter what happened before closing the report"));
    }
    safetynet_domain::text::optional("note", note, 1_000).map_err(|m| rule("report_text", m))?;
    Ok(())
}

impl Store {
    /// Takes reports in `category`, routed to `agency`, described to
    /// residents as `description` (replacing an earlier route); audited.
    pub async fn route_public_service(
        &self,
        _permit: &Permit<ManageAgencies>,
        category: &str,
        agency: &str,
        description: &str,
        actor: &Actor<'_>,
    ) -> Result<()> {
        safetynet_domain::text::optional("description", description, 300).map_err(|m| rule("report_text", m))?;
        let mut tx = self.write().await?;
        let known = tx
            .optional(&Q::new("SELECT code FROM categories WHERE code = $1 AND active = $2").bind(category).bind(true))
            .await?;
        if known.is_none() {
            return Err(StoreError::NotFound("category"));
        }
        if tx.optional(&Q::new("SELECT code FROM agencies WHERE code = $1").bind(agency)).await?.is_none() {
            return Err(StoreError::NotFound("agency"));
        }
        tx.execute(
            &Q::new(
                "INSERT INTO public_services (category, agency, description, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (category) DO UPDATE SET agency = excluded.agency, description = excluded.description,
                   updated_at = excluded.updated_at",
            )
            .bind(category)
            .bind(agency)
            .bind(description.trim())
            .bind(actor.at_ms),
        )
        .await?;
        let detail = serde_json::json!({ "category": category, "agency": agency });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "public_service", Some(category), detail))
            .await?;
        tx.commit().await
    }

    /// Stops taking reports in `category` (those taken stay); audited.
    pub async fn unroute_public_service(
        &self,
        _permit: &Permit<ManageAgencies>,
        category: &str,
        actor: &Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.write().await?;
        let n = tx.execute(&Q::new("DELETE FROM public_services WHERE category = $1").bind(category)).await?;
        if n == 0 {
            return Err(StoreError::NotFound("public service"));
        }
        let detail = serde_json::json!({ "category": category, "removed": true });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "public_service", Some(category), detail))
            .await?;
        tx.commit().await
    }

    /// The categories the partnership takes reports in, by group and name.
    pub async fn public_services(&self) -> Result<Vec<PublicService>> {
        let q = Q::new(
            "SELECT c.code, c.label, c.grp, s.description, s.agency FROM public_services s CROSS JOIN categories c
             WHERE c.code = s.category AND c.active = $1 ORDER BY c.grp, c.label",
        )
        .bind(true);
        self.conn()
            .await?
            .all(&q)
            .await?
            .iter()
            .map(|r| {
                Ok(PublicService {
                    code: r.text("code")?,
                    name: r.text("label")?,
                    group: r.text("grp")?,
                    description: r.text("description")?,
                    agency: r.text("agency")?,
                })
            })
            .collect()
    }

    /// Takes a resident's report (`report_service` when the partnership does
    /// not take reports in the category; the domain's checks;
    /// `report_rate_limited` past [`REPORTS_PER_HOUR`] from one client
    /// address), routed to the category's agency. The same report sent again
    /// by the same [`Sender`] within the hour from the same place is not
    /// stored twice.
    pub async fn submit_public_report(
        &self,
        new: &NewPublicReport,
        photos: &[CleanPhoto],
        sender: Sender<'_>,
        actor: &Actor<'_>,
    ) -> Result<ReportTaken> {
        new.check()?;
        if photos.len() > MAX_PHOTOS {
            return Err(rule("report_photo", format!("send at most {MAX_PHOTOS} photos")));
        }
        let (submitter, source, client_id) = match sender {
            Sender::Web(submitter) => (submitter.to_string(), "web", None),
            Sender::Open311 { client_id, reporter } => {
                (format!("open311:{client_id}:{reporter}"), "open311", Some(client_id))
            }
        };
        let mut tx = self.write().await?;
        let routed = tx
            .optional(&Q::new("SELECT agency FROM public_services WHERE category = $1").bind(&new.service_code))
            .await?
            .ok_or_else(|| rule("report_service", "choose one of the kinds of problem listed"))?;
        let agency = routed.text("agency")?;
        let recent = tx
            .all(
                &Q::new(format!(
                    "{SELECT} WHERE submitter_key = $1 AND category = $2 AND created_at >= $3 ORDER BY created_at"
                ))
                .bind(&submitter)
                .bind(&new.service_code)
                .bind(actor.at_ms - REPEAT_WINDOW_MS),
            )
            .await?;
        for r in &recent {
            let earlier = report_row(r)?;
            let near = match (earlier.longitude.zip(earlier.latitude), new.longitude.zip(new.latitude)) {
                (Some(a), Some(b)) => distance_m(a, b) <= REPEAT_RADIUS_M,
                _ => earlier.address.trim().eq_ignore_ascii_case(new.address.trim()),
            };
            if near {
                return Ok(ReportTaken { id: earlier.id, reference: earlier.reference, token: None, repeated: true });
            }
        }
        let sent = tx
            .one(
                &Q::new("SELECT COUNT(*) AS n FROM public_reports WHERE submitter_key = $1 AND created_at >= $2")
                    .bind(&submitter)
                    .bind(actor.at_ms - REPEAT_WINDOW_MS),
            )
            .await?
            .int("n")?;
        if matches!(sender, Sender::Web(_)) && sent >= REPORTS_PER_HOUR {
            return Err(rule(
                "report_rate_limited",
                format!("{REPORTS_PER_HOUR} reports have come from here in the last hour: please wait before sending more, or call 101"),
            ));
        }
        let at = DateTime::<Utc>::from_timestamp_millis(actor.at_ms).unwrap_or_default();
        let reference = next_reference(&mut tx, "PR", at.year()).await?;
        let token = random_secret();
        let id = new_id_at_ms(actor.at_ms);
        tx.execute(
            &Q::new(
                "INSERT INTO public_reports (id, reference, token_hash, category, agency, latitude, longitude, address, description,
                   reporter_name, reporter_email, reporter_phone, source, client_id, submitter_key, status, incident_id, created_at,
                   updated_at, media_url, attributes)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, NULL, $17, $17, $18, $19)",
            )
            .bind(&id)
            .bind(&reference)
            .bind(hash_secret(&token))
            .bind(&new.service_code)
            .bind(&agency)
            .bind(new.latitude)
            .bind(new.longitude)
            .bind(new.address.trim())
            .bind(new.description.trim())
            .bind(new.name.trim())
            .bind(new.email.trim())
            .bind(new.phone.trim())
            .bind(source)
            .bind(client_id)
            .bind(&submitter)
            .bind(ReportStatus::Open.as_str())
            .bind(actor.at_ms)
            .bind(new.media_url.trim())
            .bind(serde_json::to_string(&new.kept_attributes()).unwrap_or_else(|_| "{}".into())),
        )
        .await?;
        for (n, photo) in photos.iter().enumerate() {
            tx.execute(
                &Q::new(
                    "INSERT INTO public_report_photos (id, report_id, content_type, content, size, sha256, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(format!("{id}-{n}"))
                .bind(&id)
                .bind(photo.content_type)
                .bind(photo.bytes.clone())
                .bind(photo.bytes.len() as i64)
                .bind(hex::encode(Sha256::digest(&photo.bytes)))
                .bind(actor.at_ms),
            )
            .await?;
        }
        record_update(&mut tx, &id, &agency, ReportStatus::Open, "", actor).await?;
        let taken = report_row(&tx.one(&Q::new(format!("{SELECT} WHERE id = $1")).bind(&id)).await?)?;
        tell_reporter(&mut tx, &taken, None, ReportStatus::Open, "", actor.at_ms).await?;
        let detail = serde_json::json!({ "reference": reference, "category": new.service_code, "agency": agency, "source": source,
            "client": client_id, "photos": photos.len() });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Create, "public_report", Some(&id), detail)).await?;
        tx.commit().await?;
        Ok(ReportTaken { id, reference, token: Some(token), repeated: false })
    }

    /// The caller's agency's triage queue: reports routed to it and not yet
    /// accepted, joined or passed on, oldest first; audited (ids only).
    pub async fn report_queue(&self, permit: &Permit<ViewRecords>, actor: &Actor<'_>) -> Result<Vec<PublicReport>> {
        let q = Q::new(format!("{SELECT} WHERE agency = $1 AND status IN ($2, $3) ORDER BY created_at, id"))
            .bind(permit.principal().agency.clone())
            .bind(ReportStatus::Open.as_str())
            .bind(ReportStatus::InternalReferral.as_str());
        let list = self.conn().await?.all(&q).await?.iter().map(report_row).collect::<Result<Vec<_>>>()?;
        if !list.is_empty() {
            let ids: Vec<&str> = list.iter().map(|r| r.id.as_str()).collect();
            let event = actor.event(AuditAction::View, "public_report", None, serde_json::json!({ "ids": ids }));
            self.audit(actor.at_ms, &event).await?;
        }
        Ok(list)
    }

    /// One report held by the caller's agency (id or reference) with its
    /// updates; audited.
    pub async fn public_report(
        &self,
        permit: &Permit<ViewRecords>,
        id: &str,
        actor: &Actor<'_>,
    ) -> Result<PublicReportRecord> {
        let mut conn = self.conn().await?;
        let report = held(&mut conn, id, &permit.principal().agency).await?;
        let updates = updates_of(&mut conn, &report.id).await?;
        let photos = photos_of(&mut conn, &report.id).await?;
        drop(conn);
        let event = actor.event(AuditAction::View, "public_report", Some(&report.id), serde_json::json!({}));
        self.audit(actor.at_ms, &event).await?;
        Ok(PublicReportRecord { report, updates, photos })
    }

    /// Triages a report in the caller's agency's queue: accepted as a new
    /// incident (the incident's own checks, e.g. outside the area, refuse
    /// as `report_incident`), joined to an incident the agency may see, or
    /// passed to another agency (`report_redirect`), with a note for the
    /// reporter; once (`report_triaged` when someone already did); audited
    /// (a redirect as a share: the reporter's details go with it).
    pub async fn triage_report(
        &self,
        permit: &Permit<EditRecords>,
        id: &str,
        triage: &Triage,
        note: &str,
        actor: &Actor<'_>,
    ) -> Result<PublicReportRecord> {
        let agency = permit.principal().agency.clone();
        let intake = self.intake().await?;
        let mut tx = self.write().await?;
        let report = held(&mut tx, id, &agency).await?;
        let mut defra = None;
        let (status, incident, to_agency) = match triage {
            Triage::Accept => {
                let at = DateTime::<Utc>::from_timestamp_millis(report.created_at).unwrap_or_default();
                let input = IncidentInput {
                    category: report.category.clone(),
                    occurred_from: at,
                    occurred_to: None,
                    reported_at: at,
                    latitude: report.latitude,
                    longitude: report.longitude,
                    address: report.address.clone(),
                    uprn: None,
                    description: report.description.clone(),
                    source: Source::Public,
                    hate_strand: None,
                    domestic_abuse: false,
                    involves_child: false,
                    repeat: false,
                    outside_area_reason: None,
                };
                let submission =
                    Submission { permit, actor: actor.clone(), input: &input, reference: None, people: &[] };
                match submit_incidents_in(&mut tx, &intake, &[submission]).await?.into_iter().next() {
                    Some(Recorded::Recorded { id, .. }) => {
                        // A fly-tip reported with all three of Defra's answers
                        // counts in the WasteDataFlow return from the start.
                        if let Some(tip) = fly_tip_from(&report.category, &report.attributes) {
                            upsert_fly_tip(&mut tx, &id, &tip, &agency, actor).await?;
                            defra = Some(tip);
                        }
                        (ReportStatus::Investigating, Some(id), agency.clone())
                    }
                    Some(Recorded::Invalid { errors }) => {
                        let why: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
                        return Err(rule(
                            "report_incident",
                            format!("it cannot be recorded as an incident: {}", why.join("; ")),
                        ));
                    }
                    _ => return Err(rule("report_incident", "it cannot be recorded as an incident")),
                }
            }
            Triage::Merge(incident) => {
                let (incident_id, _) = incident_seen_by(&mut tx, incident, &agency).await?;
                (ReportStatus::Investigating, Some(incident_id), agency.clone())
            }
            Triage::Redirect(to) => {
                let exists = tx.optional(&Q::new("SELECT code FROM agencies WHERE code = $1").bind(to)).await?;
                if exists.is_none() || *to == agency {
                    return Err(rule("report_redirect", "choose another agency of the partnership to pass it to"));
                }
                (ReportStatus::InternalReferral, None, to.clone())
            }
        };
        check_note(status, note)?;
        let n = tx
            .execute(
                &Q::new(
                    "UPDATE public_reports SET status = $1, incident_id = COALESCE($2, incident_id), agency = $3, updated_at = $4
                     WHERE id = $5 AND agency = $6 AND status IN ($7, $8)",
                )
                .bind(status.as_str())
                .bind(incident.clone())
                .bind(&to_agency)
                .bind(actor.at_ms)
                .bind(&report.id)
                .bind(&agency)
                .bind(ReportStatus::Open.as_str())
                .bind(ReportStatus::InternalReferral.as_str()),
            )
            .await?;
        if n == 0 {
            return Err(rule("report_triaged", format!("{} has already been dealt with", report.reference)));
        }
        record_update(&mut tx, &report.id, &agency, status, note, actor).await?;
        tell_reporter(&mut tx, &report, Some(report.status), status, note, actor.at_ms).await?;
        let (action, detail) = match triage {
            Triage::Redirect(to) => (AuditAction::Share, serde_json::json!({ "redirected_to": to })),
            _ => (AuditAction::Update, serde_json::json!({ "status": status, "incident": incident, "fly_tip": defra })),
        };
        append(&mut tx, actor.at_ms, &actor.event(action, "public_report", Some(&report.id), detail)).await?;
        tx.commit().await?;
        self.record_of(&report.id).await
    }

    /// Moves a report the caller's agency holds to `status` with a note for
    /// the reporter (required to close it); audited.
    pub async fn update_public_report(
        &self,
        permit: &Permit<EditRecords>,
        id: &str,
        status: ReportStatus,
        note: &str,
        actor: &Actor<'_>,
    ) -> Result<PublicReportRecord> {
        check_note(status, note)?;
        let agency = permit.principal().agency.clone();
        let mut tx = self.write().await?;
        let report = held(&mut tx, id, &agency).await?;
        tx.execute(
            &Q::new("UPDATE public_reports SET status = $1, updated_at = $2 WHERE id = $3")
                .bind(status.as_str())
                .bind(actor.at_ms)
                .bind(&report.id),
        )
        .await?;
        record_update(&mut tx, &report.id, &agency, status, note, actor).await?;
        tell_reporter(&mut tx, &report, Some(report.status), status, note, actor.at_ms).await?;
        let detail = serde_json::json!({ "status": status });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "public_report", Some(&report.id), detail))
            .await?;
        tx.commit().await?;
        self.record_of(&report.id).await
    }

    /// The report `id` as it now stands, with its updates.
    async fn record_of(&self, id: &str) -> Result<PublicReportRecord> {
        let mut conn = self.conn().await?;
        let report = report_row(&conn.one(&Q::new(format!("{SELECT} WHERE id = $1")).bind(id)).await?)?;
        let updates = updates_of(&mut conn, id).await?;
        let photos = photos_of(&mut conn, id).await?;
        Ok(PublicReportRecord { report, updates, photos })
    }

    /// The `n`th photo (from 0) of a report held by the caller's agency:
    /// its type and bytes; audited.
    pub async fn public_report_photo(
        &self,
        permit: &Permit<ViewRecords>,
        report: &str,
        n: usize,
        actor: &Actor<'_>,
    ) -> Result<(String, Vec<u8>)> {
        let mut conn = self.conn().await?;
        let report = held(&mut conn, report, &permit.principal().agency).await?;
        let photo = format!("{}-{n}", report.id);
        let q = Q::new("SELECT content_type, content FROM public_report_photos WHERE id = $1 AND report_id = $2")
            .bind(&photo)
            .bind(&report.id);
        let row = conn.optional(&q).await?.ok_or(StoreError::NotFound("photo"))?;
        let found = (row.text("content_type")?, row.opt_bytes("content")?.unwrap_or_default());
        drop(conn);
        let detail = serde_json::json!({ "photo": photo });
        self.audit(actor.at_ms, &actor.event(AuditAction::View, "public_report", Some(&report.id), detail)).await?;
        Ok(found)
    }

    /// What the private link with `token` shows, if it is a report's.
    pub async fn report_status(&self, token: &str) -> Result<Option<ReportStatusView>> {
        let mut conn = self.conn().await?;
        let q = Q::new(
            "SELECT r.id, r.reference, r.status, r.created_at, c.label FROM public_reports r CROSS JOIN categories c
             WHERE r.token_hash = $1 AND c.code = r.category",
        )
        .bind(hash_secret(token));
        let Some(r) = conn.optional(&q).await? else { return Ok(None) };
        let id = r.text("id")?;
        Ok(Some(ReportStatusView {
            reference: r.text("reference")?,
            service_name: r.text("label")?,
            status: r.stored("status")?,
            created_at: r.int("created_at")?,
            updates: updates_of(&mut conn, &id).await?,
        }))
    }
}

/// The report `id_or_reference` if `agency` holds it (it is routed there);
/// otherwise not found.
async fn held(conn: &mut impl Exec, id_or_reference: &str, agency: &str) -> Result<PublicReport> {
    let q = Q::new(format!("{SELECT} WHERE (id = $1 OR reference = $1) AND agency = $2"))
        .bind(id_or_reference)
        .bind(agency);
    report_row(&conn.optional(&q).await?.ok_or(StoreError::NotFound("report"))?)
}
