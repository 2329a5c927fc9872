//! The readable PDF of a subject access export: the store's JSON laid out as
//! a document (one table of fields per record, the audit rows as one table),
//! rendered as a tagged PDF like a meeting pack ([`crate::pdf`]).

use crate::pack::{Block, Pack, Section};
use safetynet_domain::meeting::MeetingKind;
use serde_json::Value;

/// Fields holding times (Unix ms), printed as UTC.
const TIMES: &[&str] = &[
    "at",
    "created_at",
    "reported_at",
    "occurred_from",
    "occurred_to",
    "starts_at",
    "expires_at",
    "assessed_at",
    "shared_at",
    "anonymised_at",
    "generated_at",
];

fn cell(key: &str, v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Number(n) if TIMES.contains(&key) => n
            .as_i64()
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map_or_else(|| n.to_string(), |t| t.format("%Y-%m-%d %H:%M UTC").to_string()),
        other => other.to_string(),
    }
}

fn records(export: &Value, key: &str, title: &str, empty: &str) -> Section {
    let items = export[key].as_array().cloned().unwrap_or_default();
    let mut blocks = Vec::new();
    if items.is_empty() {
        blocks.push(Block::Paragraph { text: empty.into() });
    }
    for item in &items {
        let rows = item
            .as_object()
            .map(|m| m.iter().map(|(k, v)| vec![k.replace('_', " "), cell(k, v)]).collect())
            .unwrap_or_default();
        blocks.push(Block::Table { headers: vec!["Field".into(), "Value".into()], rows });
    }
    Section { id: key.into(), title: format!("{title} ({})", items.len()), blocks }
}

/// The PDF of a subject access export made by
/// `Store::subject_access`.
pub fn subject_access_pdf(export: &Value) -> Result<Vec<u8>, crate::pdf::PdfError> {
    let controller = cell("", &export["controller"]);
    let audit_rows: Vec<Vec<String>> = export["audit"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            vec![
                cell("at", &a["at"]),
                cell("", &a["user_name"]),
                cell("", &a["agency_code"]),
                cell("", &a["action"]),
                format!("{} {}", cell("", &a["record_type"]), cell("", &a["record_id"])),
            ]
        })
        .collect();
    let audit = Section {
        id: "audit".into(),
        title: format!("Who viewed or changed these records ({})", audit_rows.len()),
        blocks: vec![Block::Table {
            headers: ["When", "Who", "Agency", "Action", "Record"].map(String::from).to_vec(),
            rows: audit_rows,
        }],
    };
    let pack = Pack {
        kind: MeetingKind::Jag,
        title: "Subject access export".into(),
        partnership: format!("Controller: {controller}"),
        date: cell("generated_at", &export["generated_at"]),
        meeting_id: None,
        location: format!("Person {}", cell("", &export["person_id"])),
        marking: "OFFICIAL-SENSITIVE: personal data (subject access request)".into(),
        agenda: Vec::new(),
        sections: vec![
            Section {
                id: "about".into(),
                title: "About this export".into(),
                blocks: vec![Block::Paragraph {
                    text: format!(
                        "Everything {controller} holds about this person: its own records, and other agencies' records \
                         shared with it (marked \"shared\", with who shared them, when and under what lawful basis)."
                    ),
                }],
            },
            records(export, "people", "Person records", "None."),
            records(export, "incidents", "Incidents", "None."),
            records(export, "cases", "Cases", "None."),
            records(export, "interventions", "Interventions", "None."),
            records(export, "risk_assessments", "Risk assessments", "None."),
            records(export, "case_reviews", "ASB Case Review applications", "None."),
            records(export, "referrals", "Referrals with a matching name (check each is this person)", "None."),
            records(
                export,
                "taxi_drivers",
                "Licensed drivers with a matching name (check each is this person)",
                "None.",
            ),
            records(export, "taxi_concerns", "Concerns about those drivers shared with the police", "None."),
            audit,
        ],
    };
    crate::pdf::pack_pdf(&pack)
}
