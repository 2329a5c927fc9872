//! SafetyNet's application layer: one function per use case, each taking a
//! typed request and giving a typed result, between the front doors (web
//! pages, the JSON API, the command line) and the store. The front doors
//! parse, call and render; they never call each other, and none builds a
//! query string to reach Rust code.
//!
//! Requests are made from [`Params`] (name and value pairs, as a query
//! string or command-line options give them) by constructors that validate
//! every value and refuse unknown names, so the API, the pages and the
//! command line accept exactly the same options with the same messages.
//! This crate holds no SQL and never reads the wall clock.

pub mod analyses;
pub mod daily;
pub mod district;
mod error;
pub mod evaluation;
pub mod jobs;
pub mod letters;
pub mod measures;
pub mod notify;
pub mod packs;
mod params;
pub mod police_daily;

pub use error::Error;
pub use params::Params;
