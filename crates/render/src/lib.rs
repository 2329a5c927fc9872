//! SafetyNet's documents, rendered: the meeting pack model ([`pack`]),
//! charts and maps as [`figure::Drawing`]s (SVG for pages, vector graphics
//! in PDFs), packs as HTML ([`html`]) and as tagged, accessible PDFs
//! ([`pdf`]), and the subject access export laid out as a pack
//! ([`subject_access`]), and letters and notices ([`letter`]). This crate
//! reads no data and knows no HTTP: the
//! application layer builds the content and the front doors send the bytes.

pub mod figure;
pub mod html;
pub mod letter;
pub mod pack;
pub mod pdf;
pub mod subject_access;
