//! The `safetynet` command: configuration, the demo, the importer and the
//! command-line interface. This is the edge of the system: it reads the wall
//! clock (once per command, passed inward), prints to the terminal and turns
//! errors into exit codes; the library crates below it do neither.

pub mod analyse;
pub mod audit_key;
pub mod backup;
pub mod commands;
pub mod config;
pub mod db;
pub mod demo;
pub mod demo_cases;
pub mod demo_daily;
pub mod demo_meetings;
pub mod demo_programmes;
pub mod demo_public;
pub mod demo_strategy;
pub mod generate;
pub mod import;
pub mod import_gazetteer;
pub mod import_imd;
pub mod import_incidents;
pub mod mail;
pub mod report;
pub mod serve;
pub mod setup;
pub mod terminal;
