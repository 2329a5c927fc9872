//! Producing an intervention's letter or notice: the template for its kind
//! (`safetynet_domain::letters`) filled from the record, rendered as a PDF
//! and kept on the case as a document, so what was sent is on file.

use crate::Error;
use chrono::{DateTime, NaiveDate, Utc};
use safetynet_domain::documents::DocumentKind;
use safetynet_domain::letters::{self, Fields};
use safetynet_domain::policy::{EditRecords, Permit};
use safetynet_domain::uk_time::{london_date, london_local};
use safetynet_store::documents::{Attached, Document, DocumentSettings, Upload};
use safetynet_store::users::Actor;
use safetynet_store::Store;

/// "16 December 2026".
fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// "09:00 on 16 December 2026" (UK time).
fn moment(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map_or_else(String::new, |t| format!("{} on {}", london_local(t).format("%H:%M"), day(london_date(t))))
}

/// Produces the letter for intervention `id` and keeps it on its case.
/// `hearing` says where and when the court will hear a closure order
/// application (a closure notice must state it). Refused with
/// `letter_unavailable` for a kind without a template, and `letter_incomplete`
/// when the record lacks something the notice must state.
pub async fn produce(
    store: &Store,
    permit: &Permit<EditRecords>,
    id: &str,
    hearing: Option<&str>,
    settings: &DocumentSettings,
    actor: &Actor<'_>,
) -> Result<Document, Error> {
    let today = DateTime::<Utc>::from_timestamp_millis(actor.at_ms).map_or(NaiveDate::MIN, london_date);
    let (x, reference) = store.intervention_on_case(permit, id, today).await?;
    let template = letters::template(x.kind).ok_or(Error::Refused {
        rule: "letter_unavailable",
        message: format!("there is no letter template for a {}", x.kind.label().to_lowercase()),
    })?;
    let agency = store.agency(&permit.principal().agency).await?;
    let fields = Fields {
        subject: x.subject_name.clone(),
        conduct: x.conduct.clone(),
        agency: agency.name.clone(),
        reference: reference.clone(),
        issued_on: day(x.issued_on),
        starts_at: moment(x.starts_at_ms),
        expires_at: x.expires_at_ms.map(moment),
        compliance_by: x.compliance_by.map(day),
        // A council's notice of up to 24 hours is the council's own decision.
        authorised_by: Some(x.authorised_by.map_or_else(|| agency.name.clone(), |a| a.label().to_string())),
        hearing: hearing.map(str::to_string),
    };
    let letter =
        letters::fill(&template, &fields).map_err(|message| Error::Refused { rule: "letter_incomplete", message })?;
    let pdf = safetynet_render::letter::letter_pdf(&letter, &agency.name, &x.issued_on.to_string())
        .map_err(|e| Error::Internal(format!("letter PDF: {e}")))?;
    let upload = Upload {
        kind: DocumentKind::Letter,
        filename: format!("{} {reference} {}.pdf", letter.title, x.issued_on),
        description: format!("{} to {}, issued {}", letter.title, x.subject_name, day(x.issued_on)),
        bytes: pdf,
    };
    let at = Attached::Case(&x.case_id);
    Ok(store.add_document(permit, at, &upload, &settings.storage(), DocumentSettings::LARGEST, actor).await?)
}
