//! Recording incidents, one from a form or thousands from an import, by one
//! path: each is checked, then the accepted ones are written with a few
//! statements per table for the whole batch (not a round trip per row),
//! each incident with its own audit row.

use super::{NewPerson, Submitted};
use crate::audit::append_many;
use crate::intake::Intake;
use crate::records::next_reference;
use crate::sql::{insert_rows, Value, IN_LIST, Q};
use crate::users::Actor;
use crate::{Exec, Result, Tx};
use chrono::{DateTime, Datelike, NaiveDate};
use safetynet_domain::audit::{AuditAction, AuditEvent};
use safetynet_domain::categories::Category;
use safetynet_domain::ids::new_id_at_ms;
use safetynet_domain::incident::{match_key, validate, FieldError, HateStrand, IncidentInput, MAX_ADDRESS};
use safetynet_domain::policy::{EditRecords, Permit};
use std::collections::HashSet;

/// An incident to record: who records it (for their agency), what, its
/// people, and (imports) the reference it already has.
#[derive(Debug)]
pub struct Submission<'a> {
    /// The recorder's permission to record.
    pub permit: &'a Permit<EditRecords>,
    /// The recorder, when and from where.
    pub actor: Actor<'a>,
    /// The incident.
    pub input: &'a IncidentInput,
    /// Its own reference (kept; `None` generates one).
    pub reference: Option<&'a str>,
    /// People named on it.
    pub people: &'a [NewPerson],
}

/// A submission that passed its checks, placed in its LSOA.
pub(super) struct Accepted<'a> {
    actor: &'a Actor<'a>,
    input: &'a IncidentInput,
    reference: Option<&'a str>,
    lsoa: Option<String>,
    people: &'a [NewPerson],
}

impl<'a> Submission<'a> {
    /// Every problem with the incident, its people and its reference,
    /// checked against the categories, whether it lies inside the area
    /// (`None`: not located) and the actor's clock.
    pub(super) fn check(&self, categories: &[Category], inside: Option<bool>) -> Result<(), Vec<FieldError>> {
        let now = DateTime::from_timestamp_millis(self.actor.at_ms).unwrap_or_default();
        let mut errors = validate(self.input, now, categories, inside);
        errors.extend(check_people(self.people, now.date_naive()));
        if let Some(r) = self.reference {
            if r.trim().is_empty() || r.chars().count() > 60 {
                errors.push(FieldError { field: "reference", message: "a reference is 1 to 60 characters".into() });
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// Ready to record, in LSOA `lsoa`.
    pub(super) fn accepted(&'a self, lsoa: Option<String>) -> Accepted<'a> {
        Accepted {
            actor: &self.actor,
            input: self.input,
            reference: self.reference.map(str::trim),
            lsoa,
            people: self.people,
        }
    }
}

/// Problems with the people named on an incident.
pub(super) fn check_people(people: &[NewPerson], today: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for p in people {
        let n = p.full_name.trim().chars().count();
        if n == 0 || n > 200 {
            errors.push(FieldError {
                field: "people",
                message: "each person needs a name of at most 200 characters".into(),
            });
        }
        if p.date_of_birth.is_some_and(|d| d > today) {
            errors.push(FieldError { field: "people", message: "a date of birth cannot be in the future".into() });
        }
        if p.address.chars().count() > MAX_ADDRESS {
            errors.push(FieldError {
                field: "people",
                message: format!("an address must be {MAX_ADDRESS} characters or fewer"),
            });
        }
    }
    errors
}

/// Checks and records `submissions` inside `tx`, placed with `intake` (read
/// once for many rows: the import's path), with a result for each in order.
/// Nothing is written for an invalid one, or one whose reference is stored
/// or came earlier in the batch.
pub async fn submit_incidents_in(
    tx: &mut Tx,
    intake: &Intake,
    submissions: &[Submission<'_>],
) -> Result<Vec<Submitted>> {
    let checked: Vec<Result<Accepted, Vec<FieldError>>> = submissions
        .iter()
        .map(|s| {
            let point = s.input.longitude.zip(s.input.latitude);
            s.check(&intake.categories, point.and_then(|(lon, lat)| intake.inside(lon, lat)))?;
            Ok(s.accepted(point.and_then(|(lon, lat)| intake.lsoa_at(lon, lat)).map(str::to_string)))
        })
        .collect();
    let accepted: Vec<&Accepted> = checked.iter().filter_map(|c| c.as_ref().ok()).collect();
    let mut recorded = record(tx, &accepted).await?.into_iter();
    Ok(checked
        .into_iter()
        .map(|c| match c {
            Ok(_) => submitted(recorded.next().flatten()),
            Err(errors) => Submitted::Invalid { errors },
        })
        .collect())
}

pub(super) fn submitted(recorded: Option<(String, String)>) -> Submitted {
    match recorded {
        Some((id, reference)) => Submitted::Recorded { id, reference },
        None => Submitted::AlreadyPresent,
    }
}

const INCIDENTS: &str =
    "incidents (id, reference, owner_agency, category, occurred_from, occurred_to, reported_at, latitude, longitude,
    address, uprn, lsoa_code, description, source, officer_id, hate, hate_strand, domestic_abuse, involves_child,
    repeat_flag, outside_area_reason, created_at, created_by)";
const PEOPLE: &str =
    "people (id, owner_agency, full_name, name_key, date_of_birth, address, address_key, uprn, is_business, created_at)";
const INCIDENT_PEOPLE: &str = "incident_people (incident_id, person_id, role)";

/// Records checked incidents for their actors' agencies, with their people;
/// audited, a row each. The caller commits `tx`. For each, the new id and
/// reference, or `None` when its given reference is stored already (or
/// given earlier in the batch).
pub(super) async fn record(tx: &mut Tx, incidents: &[&Accepted<'_>]) -> Result<Vec<Option<(String, String)>>> {
    let given: Vec<&str> = incidents.iter().filter_map(|a| a.reference).collect();
    let mut taken = HashSet::new();
    for chunk in given.chunks(IN_LIST) {
        let mut q = Q::new("SELECT reference FROM incidents WHERE reference IN (");
        q.list(chunk.iter().copied()).push(")");
        for r in tx.all(&q).await? {
            taken.insert(r.text("reference")?);
        }
    }
    let (mut rows, mut people, mut links, mut events) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut recorded = Vec::with_capacity(incidents.len());
    for a in incidents {
        let reference = match a.reference {
            Some(r) if !taken.insert(r.to_string()) => {
                recorded.push(None);
                continue;
            }
            Some(r) => r.to_string(),
            None => {
                let year = DateTime::from_timestamp_millis(a.actor.at_ms).map_or(2026, |t| t.year());
                next_reference(tx, "INC", year).await?
            }
        };
        let (at_ms, agency) = (a.actor.at_ms, a.actor.principal.agency.as_str());
        let user = a.actor.user_id();
        let id = new_id_at_ms(at_ms);
        let input = a.input;
        rows.push(vec![
            Value::from(&id),
            (&reference).into(),
            agency.into(),
            (&input.category).into(),
            input.occurred_from.timestamp_millis().into(),
            input.occurred_to.map(|t| t.timestamp_millis()).into(),
            input.reported_at.timestamp_millis().into(),
            input.latitude.into(),
            input.longitude.into(),
            input.address.trim().into(),
            input.uprn.clone().into(),
            a.lsoa.clone().into(),
            input.description.trim().into(),
            input.source.as_str().into(),
            user.clone().into(),
            input.hate_strand.is_some().into(),
            input.hate_strand.map(HateStrand::as_str).into(),
            input.domestic_abuse.into(),
            input.involves_child.into(),
            input.repeat.into(),
            input.outside_area_reason.clone().filter(|r| !r.trim().is_empty()).into(),
            at_ms.into(),
            user.into(),
        ]);
        for p in a.people {
            let person = new_id_at_ms(at_ms);
            people.push(vec![
                Value::from(&person),
                agency.into(),
                p.full_name.trim().into(),
                match_key(&p.full_name).into(),
                p.date_of_birth.map(|d| d.to_string()).into(),
                p.address.trim().into(),
                match_key(&p.address).into(),
                p.uprn.clone().into(),
                p.is_business.into(),
                at_ms.into(),
            ]);
            links.push(vec![Value::from(&id), person.into(), p.role.as_str().into()]);
        }
        let detail =
            serde_json::json!({ "reference": reference, "category": input.category, "people": a.people.len() });
        events.push((at_ms, a.actor.event(AuditAction::Create, "incident", Some(&id), detail)));
        recorded.push(Some((id, reference)));
    }
    let engine = tx.engine();
    for q in insert_rows(engine, INCIDENTS, rows) {
        tx.execute(&q).await.map_err(|e| e.conflict_as("an incident with this reference"))?;
    }
    for q in insert_rows(engine, PEOPLE, people).into_iter().chain(insert_rows(engine, INCIDENT_PEOPLE, links)) {
        tx.execute(&q).await?;
    }
    let events: Vec<(i64, &AuditEvent)> = events.iter().map(|(at, e)| (*at, e)).collect();
    append_many(tx, &events).await?;
    Ok(recorded)
}
