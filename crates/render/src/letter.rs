//! A letter or notice ([`safetynet_domain::letters::Letter`]) as a tagged
//! PDF, laid out like a pack: the agency, the heading, the date, the power
//! it is issued under, then its paragraphs, marked OFFICIAL-SENSITIVE.

use crate::pack::{Block, Pack, Section};
use safetynet_domain::letters::Letter;
use safetynet_domain::meeting::MeetingKind;

/// The PDF of `letter` from `agency`, dated `date` (`YYYY-MM-DD`).
pub fn letter_pdf(letter: &Letter, agency: &str, date: &str) -> Result<Vec<u8>, crate::pdf::PdfError> {
    let pack = Pack {
        kind: MeetingKind::Jag,
        title: letter.title.clone(),
        partnership: agency.to_string(),
        date: date.to_string(),
        meeting_id: None,
        location: String::new(),
        marking: "OFFICIAL-SENSITIVE: personal data".into(),
        agenda: Vec::new(),
        sections: vec![Section {
            id: "letter".into(),
            title: letter.basis.clone(),
            blocks: letter.paragraphs.iter().map(|p| Block::Paragraph { text: p.clone() }).collect(),
        }],
    };
    crate::pdf::pack_pdf(&pack)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_letter_is_a_pdf_with_its_words() {
        let letter = Letter {
            title: "Community Protection Warning".into(),
            basis: "Anti-social Behaviour, Crime and Policing Act 2014, section 43(5)".into(),
            paragraphs: vec!["To: Kyle Example".into(), "Stop by 29 January 2026.".into()],
        };
        let pdf = letter_pdf(&letter, "St Albans City & District Council", "2026-01-15").expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 1000);
    }
}
