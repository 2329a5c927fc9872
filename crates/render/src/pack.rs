//! The meeting pack as structured content: sections of paragraphs, lists,
//! tables, figures and restricted notes, which render the same way to HTML
//! ([`crate::html`]) and to PDF ([`crate::pdf`]).

use crate::figure::Drawing;
use safetynet_domain::meeting::MeetingKind;
use serde::Serialize;

/// A meeting pack.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Pack {
    /// Which meeting.
    pub kind: MeetingKind,
    /// Title.
    pub title: String,
    /// The partnership.
    pub partnership: String,
    /// The pack's date.
    pub date: String,
    /// The meeting, when one is scheduled on that date.
    pub meeting_id: Option<String>,
    /// Where.
    pub location: String,
    /// Handling marking printed on every page.
    pub marking: String,
    /// Agenda.
    pub agenda: Vec<String>,
    /// Sections in agenda order.
    pub sections: Vec<Section>,
}

/// One section.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Section {
    /// Stable id.
    pub id: String,
    /// Heading.
    pub title: String,
    /// Content.
    pub blocks: Vec<Block>,
}

/// A piece of content.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph.
    Paragraph {
        /// Text.
        text: String,
    },
    /// A bulleted list.
    Bullets {
        /// Items.
        items: Vec<String>,
    },
    /// A table.
    Table {
        /// Column headings.
        headers: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// A chart or map (its marks are not part of the structured content).
    Figure {
        /// Caption.
        caption: String,
        /// The text alternative.
        alt: String,
        /// The drawing.
        #[serde(skip)]
        drawing: Drawing,
    },
    /// Content the reader may not see, and why.
    Restricted {
        /// Why.
        text: String,
    },
}

impl Pack {
    /// The pack's date as people read it ("22 January 2026"); the stored
    /// `YYYY-MM-DD` when it is not one.
    pub fn long_date(&self) -> String {
        chrono::NaiveDate::parse_from_str(&self.date, "%Y-%m-%d")
            .map_or_else(|_| self.date.clone(), |d| d.format("%-d %B %Y").to_string())
    }
}
