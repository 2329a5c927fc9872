//! SafetyNet's domain: the types, rules and parsers that do not depend on a
//! database or on HTTP.
//!
//! Invariants: nothing here reads the wall clock directly (see [`clock`]),
//! touches SQL, or knows about axum. Everything is deterministic given its
//! inputs so it can be tested as data.

pub mod areas;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod case_review;
pub mod categories;
pub mod clock;
pub mod documents;
pub mod fixed_penalty;
pub mod fly_tipping;
pub mod geo;
pub mod ids;
pub mod incident;
pub mod interventions;
pub mod letters;
pub mod links;
pub mod lockout;
pub mod measures;
pub mod meeting;
pub mod mfa;
pub mod month;
pub mod net;
pub mod noise;
pub mod notification;
pub mod operation;
pub mod partnership;
pub mod password;
pub mod photos;
pub mod places;
pub mod police_daily;
pub mod policeuk;
pub mod policy;
pub mod powers;
pub mod premises;
pub mod pspo;
pub mod public_reports;
pub mod referrals;
pub mod retention;
pub mod risk;
pub mod role;
pub mod rules;
pub mod schools;
pub mod strategy;
pub mod taxi;
pub mod text;
pub mod token;
pub mod uk_time;
pub mod vawg;
pub mod victim_contact;
pub mod vigilance;
mod vocabulary;
