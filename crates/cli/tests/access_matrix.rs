//! The access matrix, generated from the router's source: every route (page
//! and API) x every role x {the agency that owns the records, an agency they
//! are shared with, an unrelated agency}, on every engine. An unrelated
//! agency, and any role that may not view case records, gets 403/404 or a
//! signpost and never a byte of the personal data seeded for the test. A
//! route added to the router without an entry here fails the test.
//!
//! The second test drives every route with malformed input (wrong types,
//! huge numbers, long strings, unknown fields, odd query values) from a
//! seeded generator and requires that none answers 5xx or ends the process.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use safetynet_domain::partnership::{AgencyCode, Email};
use safetynet_domain::policy::{AuthMethod, ManageUsers, Principal};
use safetynet_domain::role::Role;
use safetynet_domain::token::{csrf_for_session, hash_secret, new_api_token, random_secret};
use safetynet_store::public_reports::Sender;
use safetynet_store::users::{Actor, NewUser};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Personal data seeded into the owner's records: none of it may reach a
/// caller who may not see those records.
const SECRETS: [&str; 5] =
    ["Perpetua Matrixworth", "1939-04-17", "9 Sentinel Mews, St Albans", "Sentinel description", "Sentinel problem"];

const OWNER: &str = "SACDC";
const SHARED: &str = "HERTS-POLICE";
const UNRELATED: &str = "HFRS";

/// What a route's placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    None,
    Incident,
    Case,
    Person,
    Task,
    Intervention,
    CaseReview,
    Pspo,
    Document,
    Referral,
    Driver,
    Premises,
    Kit,
    Booking,
    Panel,
    VawgAction,
    FlyTip,
    FlyTipAction,
    Camera,
    PublicReport,
    User,
    Commitment,
    Operation,
    OperationTask,
    Meeting,
    MeetingAction,
    Series,
    Survey,
    Forum,
    Token,
    PackKind,
    Asset,
}

/// One row of the matrix: a route, what its placeholder names, whether it
/// serves an agency's personal records, and a valid body for writes.
struct Entry {
    method: &'static str,
    path: &'static str,
    subject: Subject,
    records: bool,
    body: fn(&Seed) -> Value,
}

fn none(_: &Seed) -> Value {
    json!({})
}

macro_rules! matrix {
    ($($method:literal $path:literal => $subject:ident, $records:literal, $body:expr;)*) => {
        &[$(Entry { method: $method, path: $path, subject: Subject::$subject, records: $records, body: $body }),*]
    };
}

/// Every route. `records` marks routes that serve or change agency-owned
/// personal records; the rest serve open data, the partnership's own
/// business, or the caller's account.
const MATRIX: &[Entry] = matrix! {
    "GET" "/" => None, false, none;
    "GET" "/healthz" => None, false, none;
    "GET" "/metrics" => None, false, none;
    "GET" "/sign-in" => None, false, none;
    "POST" "/sign-in" => None, false, |_| json!({ "email": "nobody@example.gov.uk", "password": "wrong" });
    "POST" "/sign-out" => None, false, none;
    "POST" "/session/keep-alive" => None, false, none;
    "GET" "/accessibility" => None, false, none;
    "GET" "/privacy" => None, false, none;
    "GET" "/logo" => None, false, none;
    "GET" "/sign-in/code" => None, false, none;
    "POST" "/sign-in/code" => None, false, |_| json!({ "code": "123456" });
    "GET" "/dashboard" => None, true, none;
    "GET" "/crimes" => None, false, none;
    "GET" "/crimes/export.csv" => None, false, none;
    "GET" "/crimes/map.geojson" => None, false, none;
    "GET" "/places" => None, false, none;
    "GET" "/analysis" => None, false, none;
    "GET" "/analysis/evaluate" => None, false, none;
    "GET" "/analysis/incidents" => None, true, none;
    "GET" "/analysis/hotspots.svg" => None, false, none;
    "GET" "/analysis/series.svg" => None, false, none;
    "GET" "/analysis/density.svg" => None, false, none;
    "GET" "/analysis/incidents/scan.svg" => None, true, none;
    "GET" "/analysis/incidents/near-repeat.svg" => None, true, none;
    "GET" "/admin/agencies" => None, false, none;
    "POST" "/admin/agencies" => None, false, |_| json!({ "code": "MATRIX", "name": "Matrix agency", "kind": "partner", "sector": "council" });
    "GET" "/admin/users" => None, false, none;
    "POST" "/admin/users" => None, false, |_| json!({ "email": "x@example.gov.uk", "display_name": "X", "agency": "SACDC", "roles": "agency_viewer", "password": "a long enough passphrase 1" });
    "GET" "/admin/users/{id}" => User, false, none;
    "POST" "/admin/users/{id}/roles" => User, false, |_| json!({ "roles": "agency_viewer" });
    "POST" "/admin/users/{id}/active" => User, false, |_| json!({ "active": "true" });
    "POST" "/admin/users/{id}/unlock" => User, false, none;
    "POST" "/admin/users/{id}/mfa-reset" => User, false, none;
    "GET" "/incidents" => None, true, none;
    "POST" "/incidents" => None, true, |_| json!({ "category": "asb-personal" });
    "GET" "/incidents/new" => None, false, none;
    "GET" "/incidents/{id}" => Incident, true, none;
    "POST" "/people/{id}/merge" => Person, true, |s| json!({ "duplicate": s.person });
    "GET" "/cases" => None, true, none;
    "POST" "/cases" => None, true, |s| json!({ "title": "Matrix", "problem": "x", "incidents": s.incident });
    "GET" "/cases/{id}" => Case, true, none;
    "POST" "/cases/{id}/plan" => Case, true, |_| json!({ "version": "1", "title": "t", "problem": "p" });
    "POST" "/cases/{id}/status" => Case, true, |_| json!({ "version": "1", "status": "in_progress" });
    "POST" "/cases/{id}/reviews" => Case, true, |_| json!({ "notes": "Reviewed" });
    "POST" "/cases/{id}/incidents" => Case, true, |s| json!({ "incident": s.incident });
    "POST" "/cases/{id}/tasks" => Case, true, |_| json!({ "title": "Task", "due_on": "2026-02-01" });
    "POST" "/cases/{id}/notes" => Case, true, |_| json!({ "text": "Note" });
    "POST" "/cases/{id}/victim-contact" => Case, true, |s| json!({ "person": s.person, "channel": "phone", "point-closed": "on", "agreed_on": "2026-01-15" });
    "POST" "/cases/{id}/victim-updates" => Case, true, |s| json!({ "person": s.person, "milestone": "assigned", "victim_note": "Matrix" });
    "POST" "/cases/{id}/shares" => Case, true, |_| json!({ "agency": "HERTS-POLICE", "lawful_basis": "again" });
    "POST" "/cases/{id}/interventions" => Case, true, |s| json!({ "kind": "community_protection_warning", "person_id": s.person, "conduct": "Noise", "issued_on": "2026-01-10", "starts_at": "2026-01-10T09:00", "compliance_by": "2026-01-24" });
    "POST" "/cases/{id}/breaches" => Case, true, |s| json!({ "intervention": s.intervention, "breached_at": "2026-01-14T09:00", "notes": "Breach" });
    "GET" "/cases/{id}/risk" => Case, true, none;
    "POST" "/cases/{id}/risk" => Case, true, |_| json!({ "questionnaire": "asb-victim" });
    "POST" "/tasks/{id}" => Task, true, |_| json!({ "status": "in_progress", "notes": "n" });
    "GET" "/daily-review" => None, true, none;
    "GET" "/daily-review/reconciliation" => None, true, none;
    "POST" "/daily-review/decisions" => None, true, |s| json!({ "date": "2026-01-15", "item_kind": "incident", "item_id": s.incident, "decision": "open_case" });
    "GET" "/case-reviews" => None, true, none;
    "POST" "/case-reviews" => None, true, |s| json!({ "person_id": s.person, "applicant_kind": "victim", "received_on": "2026-01-14" });
    "GET" "/case-reviews/{id}" => CaseReview, true, none;
    "POST" "/cases/{id}/documents" => Case, true, |_| json!({ "kind": "photo", "description": "x" });
    "POST" "/incidents/{id}/documents" => Incident, true, |_| json!({ "kind": "photo", "description": "x" });
    "GET" "/documents/{id}" => Document, true, none;
    "POST" "/interventions/{id}/letter" => Intervention, true, |s| json!({ "case": s.case });
    "GET" "/pspos" => None, false, none;
    "POST" "/pspos" => None, false, |_| pspo_body(true);
    "GET" "/pspos/{id}" => Pspo, false, none;
    "POST" "/pspos/{id}/extensions" => Pspo, false, |_| json!({ "decided_on": "2026-01-15", "ends_on": "2029-06-01", "reason": "Still needed", "consulted": "true", "published": "true" });
    "POST" "/case-reviews/{id}" => CaseReview, true, |_| json!({ "recommendations": "1" });
    "GET" "/programmes" => None, false, none;
    "GET" "/programmes/referrals" => None, true, none;
    "POST" "/programmes/referrals" => None, true, |_| referral_body(true);
    "GET" "/programmes/referrals/{id}" => Referral, true, none;
    "POST" "/programmes/referrals/{id}/updates" => Referral, true, |_| json!({ "status": "accepted", "on": "2026-01-15" });
    "GET" "/programmes/schools" => None, false, none;
    "POST" "/programmes/schools" => None, false, |_| json!({ "school": "Matrix School", "topic": "county_lines", "held_on": "2026-01-14", "pupils": "30" });
    "GET" "/programmes/premises" => None, false, none;
    "POST" "/programmes/premises" => None, false, |_| json!({ "kind": "licensed", "name": "Matrix Bar", "address": "1 Matrix Road" });
    "GET" "/programmes/premises/{id}" => Premises, false, none;
    "POST" "/programmes/premises/{id}/visits" => Premises, false, |_| json!({ "visit_kind": "drink_spiking_advice", "visited_on": "2026-01-15" });
    "GET" "/report" => None, false, none;
    "GET" "/open311/v2/{file}" => None, false, none;
    "POST" "/open311/v2/{file}" => None, false, |_| json!({ "api_key": "o311_forged", "service_code": "fly-tipping", "address_string": "Matrix Road", "description": "A matrix report of dumped rubbish" });
    "GET" "/open311/v2/services/{file}" => None, false, none;
    "GET" "/open311/v2/requests/{file}" => PublicReport, false, none;
    "GET" "/open311/v2/tokens/{file}" => None, false, none;
    "POST" "/report" => None, false, |_| json!({ "token": "forged", "service_code": "fly-tipping", "address": "Matrix Road", "description": "A matrix report of dumped rubbish" });
    "GET" "/report/status/{token}" => Token, false, none;
    "POST" "/report/step" => None, false, |_| json!({ "step": "where", "service_code": "fly-tipping", "address": "Matrix Road" });
    "GET" "/public-reports" => None, true, none;
    "GET" "/public-reports/{id}" => PublicReport, true, none;
    "GET" "/public-reports/{id}/photos/{n}" => PublicReport, true, none;
    "GET" "/api/v1/public-reports/{id}/photos/{n}" => PublicReport, true, none;
    "POST" "/public-reports/{id}/triage" => PublicReport, true, |s| json!({ "action": "merge", "incident": s.incident, "public_note": "Matrix" });
    "POST" "/public-reports/{id}/updates" => PublicReport, true, |_| json!({ "status": "in_progress", "public_note": "Matrix" });
    "GET" "/programmes/arson" => None, true, none;
    "POST" "/programmes/arson/vigilance-checks" => None, false, |_| json!({ "area": "Matrix garages", "latitude": "51.75", "longitude": "-0.34", "checked_on": "2026-01-15", "checked_by": "crew" });
    "GET" "/programmes/fly-tipping" => None, true, none;
    "POST" "/programmes/fly-tipping/cameras" => None, false, |_| json!({ "site": "Matrix lay-by", "latitude": "51.75", "longitude": "-0.34", "deployed_on": "2026-01-15" });
    "POST" "/programmes/fly-tipping/cameras/{id}/removal" => Camera, true, |s| removal_form(&s.camera);
    "POST" "/programmes/fly-tipping/actions/{id}/outcome" => FlyTipAction, true, |_| json!({ "paid_on": "" });
    "GET" "/programmes/fly-tipping/{id}" => FlyTip, true, none;
    "POST" "/programmes/fly-tipping/{id}/categories" => FlyTip, true, |_| json!({ "land_type": "highway", "waste_type": "green", "size": "single_item" });
    "POST" "/programmes/fly-tipping/{id}/actions" => FlyTip, true, |_| json!({ "action": "warning_letter", "taken_on": "2026-01-15" });
    "GET" "/programmes/noise" => None, true, none;
    "POST" "/programmes/noise/equipment" => None, false, |_| json!({ "asset_tag": "MATRIX-1" });
    "POST" "/programmes/noise/bookings" => None, true, |s| json!({ "booking_kit": s.kit, "booking_incident": s.incident, "booking_starts_on": "2026-03-01", "booking_due_back_on": "2026-03-02" });
    "POST" "/programmes/noise/bookings/{id}/return" => Booking, true, |_| json!({ "returned_on": "2026-01-15" });
    "POST" "/programmes/noise/visits" => None, true, |s| json!({ "visit_incident": s.incident, "visit_at": "2026-01-14T23:00", "visit_witnessed": "true" });
    "GET" "/programmes/vawg" => None, false, none;
    "POST" "/programmes/vawg" => None, false, |_| json!({ "held_on": "2026-02-10", "chair": "Matrix chair" });
    "GET" "/programmes/vawg/{id}" => Panel, false, none;
    "POST" "/programmes/vawg/{id}/findings" => Panel, false, |_| json!({ "case_no": "1", "finding-1": "Matrix finding" });
    "POST" "/programmes/vawg/{id}/actions" => Panel, false, |_| json!({ "title": "Matrix action", "owner_agency": "SACDC", "due_on": "2026-03-01" });
    "POST" "/programmes/vawg/actions/{id}/done" => VawgAction, false, |s| json!({ "panel": s.panel });
    "GET" "/programmes/taxi" => None, true, none;
    "POST" "/programmes/taxi" => None, true, |_| json!({ "licence_number": "PH/MATRIX", "full_name": "Matrix Driver", "licence_kind": "private_hire", "licence_expires": "2027-01-31" });
    "GET" "/programmes/taxi/{id}" => Driver, true, none;
    "POST" "/programmes/taxi/{id}/checks" => Driver, true, |_| json!({ "checked_on": "2026-01-15", "result": "clear" });
    "POST" "/programmes/taxi/{id}/training" => Driver, true, |_| json!({ "trained_on": "2026-01-15" });
    "POST" "/programmes/taxi/{id}/licence" => Driver, true, |_| json!({ "licence_expires": "2028-01-31" });
    "POST" "/programmes/taxi/{id}/concerns" => Driver, true, |_| json!({ "concern_raised_on": "2026-01-15", "concern_details": "Matrix concern", "concern_share_with": "HERTS-POLICE", "concern_lawful_basis": "Crime and Disorder Act 1998 s115" });
    "GET" "/programmes/taxi/concerns" => None, true, none;
    "GET" "/strategy" => None, false, none;
    "POST" "/strategy/commitments" => None, false, |_| json!({ "title": "Matrix commitment" });
    "GET" "/strategy/commitments/{id}" => Commitment, false, none;
    "POST" "/strategy/commitments/{id}" => Commitment, false, |_| json!({ "title": "Edited" });
    "POST" "/strategy/commitments/{id}/updates" => Commitment, false, |_| json!({ "status": "on_track", "rag": "green", "reason": "ok" });
    "GET" "/operations" => None, false, none;
    "POST" "/operations" => None, false, |_| json!({ "name": "Op" });
    "GET" "/operations/{id}" => Operation, false, none;
    "POST" "/operations/{id}/evaluate" => Operation, false, none;
    "POST" "/operations/{id}/tasks" => Operation, false, |_| json!({ "title": "Patrol", "due_on": "2026-02-01" });
    "POST" "/operation-tasks/{id}/done" => OperationTask, false, none;
    "GET" "/meetings" => None, false, none;
    "POST" "/meetings" => None, false, |_| json!({ "series": "jag", "held_on": "2026-03-05" });
    "GET" "/meetings/{id}" => Meeting, true, none;
    "GET" "/meetings/{id}/pack" => Meeting, true, none;
    "GET" "/meetings/{id}/pack.pdf" => Meeting, true, none;
    "GET" "/meetings/{id}/pack.html" => Meeting, true, none;
    "POST" "/meetings/{id}/actions" => Meeting, false, |_| json!({ "title": "Action", "owner_agency": "SACDC", "owner_name": "A", "due_on": "2026-02-01" });
    "POST" "/meetings/{id}/attendees" => Meeting, false, |_| json!({ "name": "Guest" });
    "POST" "/meetings/{id}/decisions" => Meeting, false, |_| json!({ "text": "Decided" });
    "POST" "/meetings/{id}/minutes" => Meeting, false, |_| json!({ "minutes": "Minutes" });
    "POST" "/meeting-actions/{id}" => MeetingAction, false, |_| json!({ "status": "open" });
    "POST" "/meeting-series/{code}" => Series, false, |_| json!({ "agenda": "Item" });
    "GET" "/surveys" => None, false, none;
    "POST" "/surveys" => None, false, |_| json!({ "title": "Survey" });
    "GET" "/surveys/{id}" => Survey, false, none;
    "GET" "/public/forums/{id}" => Forum, false, none;
    "GET" "/public/surveys/{id}" => Survey, false, none;
    "POST" "/public/surveys/{id}" => Survey, false, |_| json!({ "area": "Harpenden", "choice1": "Litter" });
    "GET" "/audit" => None, false, none;
    "GET" "/audit/export.csv" => None, false, none;
    "GET" "/account" => None, false, none;
    "POST" "/account/password" => None, false, |_| json!({ "current": "wrong", "new": "x", "confirm": "x" });
    "POST" "/account/tokens" => None, false, |_| json!({ "expires_in_days": "30" });
    "POST" "/account/notifications" => None, false, |_| json!({ "task_assigned": "on" });
    "POST" "/account/tokens/{id}/revoke" => Token, false, none;
    "GET" "/account/two-step" => None, false, none;
    "POST" "/account/two-step/start" => None, false, none;
    "POST" "/account/two-step/confirm" => None, false, |_| json!({ "code": "123456" });
    "GET" "/assets/{*path}" => Asset, false, none;
    "GET" "/api/v1/openapi.json" => None, false, none;
    "GET" "/api/v1/me" => None, false, none;
    "GET" "/api/v1/me/notifications" => None, false, none;
    "PUT" "/api/v1/me/notifications" => None, false, |_| json!({ "daily_digest": false });
    "GET" "/api/v1/crimes" => None, false, none;
    "GET" "/api/v1/crimes/summary" => None, false, none;
    "GET" "/api/v1/places" => None, false, none;
    "GET" "/api/v1/agencies" => None, false, none;
    "GET" "/api/v1/users/{id}" => User, false, none;
    "GET" "/api/v1/audit" => None, false, none;
    "GET" "/api/v1/categories" => None, false, none;
    "GET" "/api/v1/questionnaires" => None, false, none;
    "GET" "/api/v1/incidents" => None, true, none;
    "POST" "/api/v1/incidents" => None, true, |_| json!({ "category": "asb-personal", "occurred_from": "2026-01-14T21:00:00Z", "reported_at": "2026-01-15T07:00:00Z", "description": "Matrix", "source": "public", "address": "1 High Street", "latitude": 51.752, "longitude": -0.339, "people": [] });
    "GET" "/api/v1/incidents/{id}" => Incident, true, none;
    "GET" "/api/v1/incidents/{id}/repeats" => Incident, true, none;
    "GET" "/api/v1/people/{id}/duplicates" => Person, true, none;
    "POST" "/api/v1/people/{id}/merge" => Person, true, |s| json!({ "duplicate": s.person });
    "GET" "/api/v1/cases" => None, true, none;
    "POST" "/api/v1/cases" => None, true, |s| json!({ "title": "Matrix", "problem": "x", "incidents": [s.incident] });
    "GET" "/api/v1/cases/{id}" => Case, true, none;
    "PUT" "/api/v1/cases/{id}/plan" => Case, true, |_| json!({ "version": 1, "title": "t", "problem": "p", "analysis_victim": "", "analysis_offender": "", "analysis_location": "", "analysis_controllers": "", "assessment": "" });
    "POST" "/api/v1/cases/{id}/status" => Case, true, |_| json!({ "version": 1, "status": "in_progress" });
    "POST" "/api/v1/cases/{id}/shares" => Case, true, |_| json!({ "agency": "HERTS-POLICE", "lawful_basis": "again" });
    "POST" "/api/v1/cases/{id}/incidents" => Case, true, |s| json!({ "incident": s.incident });
    "POST" "/api/v1/cases/{id}/notes" => Case, true, |_| json!({ "text": "Note" });
    "GET" "/api/v1/cases/{id}/victims" => Case, true, none;
    "PUT" "/api/v1/cases/{id}/victims/{person}/contact" => Case, true, |_| json!({ "channel": "phone", "points": ["closed"], "agreed_on": "2026-01-15" });
    "POST" "/api/v1/cases/{id}/victims/{person}/updates" => Case, true, |_| json!({ "milestone": "assigned", "note": "Matrix" });
    "POST" "/api/v1/cases/{id}/reviews" => Case, true, |_| json!({ "notes": "Reviewed" });
    "GET" "/api/v1/cases/{id}/risk-assessments" => Case, true, none;
    "POST" "/api/v1/cases/{id}/risk-assessments" => Case, true, |_| json!({ "questionnaire": "asb-victim", "answers": {} });
    "POST" "/api/v1/cases/{id}/tasks" => Case, true, |_| json!({ "title": "Task", "due_on": "2026-02-01" });
    "PATCH" "/api/v1/tasks/{id}" => Task, true, |_| json!({ "status": "in_progress", "notes": "n" });
    "GET" "/api/v1/cases/{id}/interventions" => Case, true, none;
    "POST" "/api/v1/cases/{id}/interventions" => Case, true, |s| json!({ "kind": "community_protection_warning", "person_id": s.person, "conduct": "Noise", "issued_on": "2026-01-10", "starts_at": "2026-01-10T09:00:00Z", "compliance_by": "2026-01-24" });
    "POST" "/api/v1/interventions/{id}/breaches" => Intervention, true, |_| json!({ "breached_at": "2026-01-14T09:00:00Z", "notes": "Breach" });
    "POST" "/api/v1/interventions/{id}/letter" => Intervention, true, |_| json!({});
    "GET" "/api/v1/interventions/expiring" => None, true, none;
    "GET" "/api/v1/daily-review" => None, true, none;
    "POST" "/api/v1/daily-review/decisions" => None, true, |s| json!({ "date": "2026-01-15", "item_kind": "incident", "item_id": s.incident, "decision": "open_case" });
    "GET" "/api/v1/case-reviews" => None, true, none;
    "POST" "/api/v1/case-reviews" => None, true, |s| json!({ "person_id": s.person, "applicant_kind": "victim", "received_on": "2026-01-14" });
    "GET" "/api/v1/case-reviews/eligibility" => Person, true, none;
    "GET" "/api/v1/case-reviews/figures" => None, false, none;
    "GET" "/api/v1/cases/{id}/documents" => Case, true, none;
    "POST" "/api/v1/cases/{id}/documents" => Case, true, |_| json!({ "kind": "photo" });
    "GET" "/api/v1/incidents/{id}/documents" => Incident, true, none;
    "POST" "/api/v1/incidents/{id}/documents" => Incident, true, |_| json!({ "kind": "photo" });
    "GET" "/api/v1/documents/{id}" => Document, true, none;
    "GET" "/api/v1/pspos" => None, false, none;
    "POST" "/api/v1/pspos" => None, false, |_| pspo_body(false);
    "GET" "/api/v1/pspos/{id}" => Pspo, false, none;
    "POST" "/api/v1/pspos/{id}/extensions" => Pspo, false, |_| json!({ "decided_on": "2026-01-15", "ends_on": "2029-06-01", "reason": "Still needed", "consulted": true, "published": true });
    "PATCH" "/api/v1/case-reviews/{id}" => CaseReview, true, |_| json!({ "recommendations": 1 });
    "GET" "/api/v1/strategy/measures" => None, false, none;
    "GET" "/api/v1/referrals" => None, true, none;
    "POST" "/api/v1/referrals" => None, true, |_| referral_body(false);
    "GET" "/api/v1/referrals/{id}" => Referral, true, none;
    "POST" "/api/v1/referrals/{id}/updates" => Referral, true, |_| json!({ "status": "accepted", "on": "2026-01-15" });
    "GET" "/api/v1/school-sessions" => None, false, none;
    "POST" "/api/v1/school-sessions" => None, false, |_| json!({ "school": "Matrix School", "topic": "county_lines", "held_on": "2026-01-14", "pupils": 30 });
    "GET" "/api/v1/premises" => None, false, none;
    "POST" "/api/v1/premises" => None, false, |_| json!({ "kind": "licensed", "name": "Matrix Bar", "address": "1 Matrix Road" });
    "GET" "/api/v1/premises/{id}" => Premises, false, none;
    "POST" "/api/v1/premises/{id}/visits" => Premises, false, |_| json!({ "kind": "drink_spiking_advice", "visited_on": "2026-01-15" });
    "GET" "/api/v1/public-reports" => None, true, none;
    "GET" "/api/v1/public-reports/{id}" => PublicReport, true, none;
    "POST" "/api/v1/public-reports/{id}/triage" => PublicReport, true, |s| json!({ "action": "merge", "incident": s.incident, "public_note": "Matrix" });
    "POST" "/api/v1/public-reports/{id}/updates" => PublicReport, true, |_| json!({ "status": "in_progress", "public_note": "Matrix" });
    "GET" "/api/v1/arson/vigilance-checks" => None, false, none;
    "POST" "/api/v1/arson/vigilance-checks" => None, false, |_| json!({ "area": "Matrix garages", "latitude": 51.75, "longitude": -0.34, "checked_on": "2026-01-15", "checked_by": "crew" });
    "GET" "/api/v1/arson/deliberate-fires" => None, true, none;
    "GET" "/api/v1/arson/hotspots" => None, true, none;
    "GET" "/api/v1/fly-tipping/incidents" => None, true, none;
    "GET" "/api/v1/fly-tipping/incidents/{id}" => FlyTip, true, none;
    "POST" "/api/v1/fly-tipping/incidents/{id}/categories" => FlyTip, true, |_| json!({ "land_type": "highway", "waste_type": "green", "size": "single_item" });
    "POST" "/api/v1/fly-tipping/incidents/{id}/actions" => FlyTip, true, |_| json!({ "action": "warning_letter", "taken_on": "2026-01-15" });
    "POST" "/api/v1/fly-tipping/actions/{id}/outcome" => FlyTipAction, true, |_| json!({});
    "GET" "/api/v1/fly-tipping/hotspots" => None, true, none;
    "GET" "/api/v1/fly-tipping/cameras" => None, false, none;
    "POST" "/api/v1/fly-tipping/cameras" => None, false, |_| json!({ "site": "Matrix lay-by", "latitude": 51.75, "longitude": -0.34, "deployed_on": "2026-01-15" });
    "POST" "/api/v1/fly-tipping/cameras/{id}/removal" => Camera, true, |_| json!({ "removed_on": "2026-01-15", "captures": 1, "vehicles_identified": 0 });
    "GET" "/api/v1/fly-tipping/return" => None, false, none;
    "GET" "/api/v1/noise/equipment" => None, true, none;
    "POST" "/api/v1/noise/equipment" => None, false, |_| json!({ "asset_tag": "MATRIX-1" });
    "POST" "/api/v1/noise/equipment/{id}/bookings" => Kit, true, |s| json!({ "incident": s.incident, "starts_on": "2026-03-01", "due_back_on": "2026-03-02" });
    "POST" "/api/v1/noise/bookings/{id}/return" => Booking, true, |_| json!({ "returned_on": "2026-01-15" });
    "GET" "/api/v1/noise/visits" => None, true, none;
    "POST" "/api/v1/noise/visits" => None, true, |s| json!({ "incident": s.incident, "visited_at": "2026-01-14T23:00:00Z", "witnessed": true });
    "GET" "/api/v1/vawg-panels" => None, false, none;
    "POST" "/api/v1/vawg-panels" => None, false, |_| json!({ "held_on": "2026-02-10", "chair": "Matrix chair" });
    "GET" "/api/v1/vawg-panels/{id}" => Panel, false, none;
    "POST" "/api/v1/vawg-panels/{id}/findings" => Panel, false, |_| json!({ "case_no": 1, "finding": "Matrix finding" });
    "POST" "/api/v1/vawg-panels/{id}/actions" => Panel, false, |_| json!({ "title": "Matrix action", "owner_agency": "SACDC", "due_on": "2026-03-01" });
    "POST" "/api/v1/vawg-actions/{id}/done" => VawgAction, false, |_| json!({ "done_on": "2026-01-15" });
    "GET" "/api/v1/taxi-drivers" => None, true, none;
    "POST" "/api/v1/taxi-drivers" => None, true, |_| json!({ "licence_number": "PH/MATRIX", "full_name": "Matrix Driver", "licence_kind": "private_hire", "licence_expires": "2027-01-31" });
    "GET" "/api/v1/taxi-drivers/{id}" => Driver, true, none;
    "POST" "/api/v1/taxi-drivers/{id}/checks" => Driver, true, |_| json!({ "checked_on": "2026-01-15", "result": "clear" });
    "POST" "/api/v1/taxi-drivers/{id}/concerns" => Driver, true, |_| json!({ "raised_on": "2026-01-15", "details": "Matrix concern", "share_with": "HERTS-POLICE", "lawful_basis": "Crime and Disorder Act 1998 s115" });
    "GET" "/api/v1/taxi-concerns" => None, true, none;
    "POST" "/api/v1/taxi-drivers/{id}/training" => Driver, true, |_| json!({ "trained_on": "2026-01-15" });
    "POST" "/api/v1/taxi-drivers/{id}/licence" => Driver, true, |_| json!({ "licence_expires": "2028-01-31" });
    "GET" "/api/v1/analytics/hotspots" => None, false, none;
    "GET" "/api/v1/analytics/density" => None, false, none;
    "GET" "/api/v1/analytics/near-repeat" => None, true, none;
    "GET" "/api/v1/analytics/scan" => None, true, none;
    "GET" "/api/v1/analytics/trends" => None, false, none;
    "GET" "/api/v1/analytics/pai" => None, false, none;
    "GET" "/api/v1/analytics/incident-trends" => None, true, none;
    "GET" "/api/v1/analytics/evaluate" => None, false, none;
    "GET" "/api/v1/strategy" => None, false, none;
    "GET" "/api/v1/strategy/commitments/due" => None, false, none;
    "GET" "/api/v1/strategy/commitments/{id}" => Commitment, false, none;
    "POST" "/api/v1/strategy/commitments/{id}/updates" => Commitment, false, |_| json!({ "status": "on_track", "rag": "green", "reason": "ok", "note": "" });
    "GET" "/api/v1/operations" => None, false, none;
    "POST" "/api/v1/operations" => None, false, |_| json!({ "name": "Op", "prompted_by": "x", "target": { "kind": "circle", "lon": -0.339, "lat": 51.752, "radius_m": 400 }, "crime_types": ["Burglary"], "starts_on": "2026-01-01", "ends_on": "2026-02-01" });
    "GET" "/api/v1/operations/{id}" => Operation, false, none;
    "POST" "/api/v1/operations/{id}/evaluate" => Operation, false, none;
    "GET" "/api/v1/meetings" => None, false, none;
    "GET" "/api/v1/meetings/{id}" => Meeting, false, none;
    "POST" "/api/v1/meetings/{id}/actions" => Meeting, false, |_| json!({ "title": "Action", "owner_agency": "SACDC", "owner_name": "A", "due_on": "2026-02-01" });
    "PATCH" "/api/v1/meeting-actions/{id}" => MeetingAction, false, |_| json!({ "status": "open" });
    "GET" "/api/v1/packs/{kind}" => PackKind, true, none;
};

/// A valid order for the register, as a page form (`area` as GeoJSON text,
/// ticks as "true") or as the API's JSON.
fn pspo_body(form: bool) -> Value {
    let corners = json!([[-0.345, 51.748], [-0.33, 51.748], [-0.33, 51.757], [-0.345, 51.757]]);
    let mut v = json!({ "title": "Matrix order", "prohibitions": "No drinking", "made_on": "2026-01-01", "starts_on": "2026-01-10",
        "ends_on": "2028-01-09", "publicised_on": "2025-11-01" });
    for tick in ["consulted_police", "consulted_pcc", "consulted_community"] {
        v[tick] = if form { json!("true") } else { json!(true) };
    }
    v["area"] = if form { json!(json!({ "type": "Polygon", "coordinates": [corners] }).to_string()) } else { corners };
    v
}

/// A referral to the youth offer, as a page form (ticks as "true") or as
/// the API's JSON.
/// The page's camera removal form, its inputs named after the camera.
fn removal_form(camera: &str) -> Value {
    let mut m = serde_json::Map::new();
    for (name, value) in [("removed_on", "2026-01-15"), ("captures", "1"), ("vehicles", "0"), ("notes", "")] {
        m.insert(format!("{name}-{camera}"), json!(value));
    }
    Value::Object(m)
}

fn referral_body(form: bool) -> Value {
    let mut v = json!({ "programme": "youth_offer", "to_agency": "HCC-SFYP", "full_name": "Matrix Person", "date_of_birth": "2010-04-17",
        "address": "1 Matrix Road", "reason": "asb", "consent_by": "parent_or_guardian", "referred_on": "2026-01-14" });
    v["consent"] = if form { json!("true") } else { json!(true) };
    v
}

/// Ids of the seeded records, and the subject each placeholder takes.
#[derive(Debug, Default, Clone)]
struct Seed {
    incident: String,
    case: String,
    person: String,
    task: String,
    intervention: String,
    case_review: String,
    pspo: String,
    document: String,
    referral: String,
    driver: String,
    premises: String,
    kit: String,
    booking: String,
    panel: String,
    vawg_action: String,
    fly_tip: String,
    fly_tip_action: String,
    camera: String,
    public_report: String,
    user: String,
    commitment: String,
    operation: String,
    operation_task: String,
    meeting: String,
    meeting_action: String,
    survey: String,
    forum: String,
}

impl Seed {
    fn id(&self, s: Subject) -> String {
        match s {
            Subject::None => String::new(),
            Subject::Incident => self.incident.clone(),
            Subject::Case => self.case.clone(),
            Subject::Person => self.person.clone(),
            Subject::Task => self.task.clone(),
            Subject::Intervention => self.intervention.clone(),
            Subject::CaseReview => self.case_review.clone(),
            Subject::Pspo => self.pspo.clone(),
            Subject::Document => self.document.clone(),
            Subject::Referral => self.referral.clone(),
            Subject::Driver => self.driver.clone(),
            Subject::Premises => self.premises.clone(),
            Subject::Kit => self.kit.clone(),
            Subject::Booking => self.booking.clone(),
            Subject::Panel => self.panel.clone(),
            Subject::VawgAction => self.vawg_action.clone(),
            Subject::FlyTip => self.fly_tip.clone(),
            Subject::FlyTipAction => self.fly_tip_action.clone(),
            Subject::Camera => self.camera.clone(),
            Subject::PublicReport => self.public_report.clone(),
            Subject::User => self.user.clone(),
            Subject::Commitment => self.commitment.clone(),
            Subject::Operation => self.operation.clone(),
            Subject::OperationTask => self.operation_task.clone(),
            Subject::Meeting => self.meeting.clone(),
            Subject::MeetingAction => self.meeting_action.clone(),
            Subject::Series => "jag".into(),
            Subject::Survey => self.survey.clone(),
            Subject::Forum => self.forum.clone(),
            Subject::Token => "00000000-0000-0000-0000-000000000000".into(),
            Subject::PackKind => "jag".into(),
            Subject::Asset => "app.css".into(),
        }
    }

    /// The concrete path for an entry (with the query its method needs).
    fn path(&self, e: &Entry) -> String {
        let id = self.id(e.subject);
        let p = e
            .path
            .replace("{id}", &id)
            .replace("{code}", &id)
            .replace("{kind}", &id)
            .replace("{*path}", &id)
            .replace("{file}", &open311_file(e.path, &id))
            .replace("{n}", "0")
            .replace("{person}", &self.person);
        match e.path {
            "/api/v1/case-reviews/eligibility" => format!("{p}?person={id}"),
            "/api/v1/analytics/near-repeat"
            | "/api/v1/analytics/scan"
            | "/analysis/incidents/near-repeat.svg"
            | "/analysis/incidents/scan.svg" => format!("{p}?from=2026-01-01&to=2026-01-31"),
            "/api/v1/packs/{kind}" => format!("{p}?date=2026-01-22"),
            "/places" | "/api/v1/places" => format!("{p}?q=sentinel"),
            // One month keeps the exports quick; access is checked before any data is read.
            "/crimes/export.csv"
            | "/crimes/map.geojson"
            | "/analysis/hotspots.svg"
            | "/analysis/density.svg"
            | "/api/v1/analytics/density" => {
                format!("{p}?from=2021-12&to=2021-12")
            }
            "/api/v1/analytics/evaluate" => {
                format!("{p}?target_before=10&target_after=5&control_before=20&control_after=18")
            }
            _ => p,
        }
    }
}

/// The document an Open311 route is asked for: the seeded report under
/// `requests/`, the request search at the top, a service elsewhere.
fn open311_file(path: &str, id: &str) -> String {
    match path {
        "/open311/v2/requests/{file}" => format!("{id}.json"),
        "/open311/v2/{file}" => "requests.json".into(),
        _ => "fly-tipping.xml".into(),
    }
}

/// `(method, path)` of every `.route(...)` in the web crate's source, with
/// the API's prefix: the router as written.
fn routes_in_source() -> Vec<(String, String)> {
    let src = repo().join("crates/web/src");
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in [src.clone(), src.join("pages"), src.join("open311")] {
        for e in std::fs::read_dir(&dir).expect("web source").flatten() {
            if e.path().extension().is_some_and(|x| x == "rs") {
                files.push(e.path());
            }
        }
    }
    let mut out = Vec::new();
    for f in files {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let prefix = if name.starts_with("api") { "/api/v1" } else { "" };
        let text = std::fs::read_to_string(&f).expect("read");
        for line in text.lines() {
            let Some((_, rest)) = line.split_once(".route(\"") else { continue };
            let Some((path, handlers)) = rest.split_once('"') else { continue };
            for m in ["get", "post", "put", "patch", "delete"] {
                let call = format!("{m}(");
                let mut calls = handlers.match_indices(&call).filter(|(i, _)| {
                    !handlers[..*i].chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
                });
                if calls.next().is_some() {
                    out.push((m.to_uppercase(), format!("{prefix}{path}")));
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_route_is_in_the_matrix() {
    let routes = routes_in_source();
    assert!(routes.len() > 100, "the route scan found too few routes: {routes:?}");
    let listed: Vec<(String, String)> = MATRIX.iter().map(|e| (e.method.to_string(), e.path.to_string())).collect();
    for r in &routes {
        assert!(listed.contains(r), "route {} {} has no entry in the access matrix (tests/access_matrix.rs)", r.0, r.1);
    }
    for l in &listed {
        assert!(routes.contains(l), "the matrix lists {} {}, which the router no longer has", l.0, l.1);
    }
}

/// A caller: a bearer token and a browser session for one role at one agency.
#[derive(Debug, Clone)]
struct Caller {
    agency: &'static str,
    role: Role,
    token: String,
    session: Session,
}

async fn caller(app: &TestApp, agency: &'static str, role: Role) -> Caller {
    let operator = Principal::operator();
    let now = start().timestamp_millis();
    let actor = Actor { principal: &operator, at_ms: now, source: "test" };
    let email = format!("{}.{}@matrix.example.gov.uk", role.as_str(), agency.to_lowercase());
    let user = NewUser {
        email: Email::parse(&email).expect("email"),
        display_name: format!("{} at {agency}", role.as_str()),
        agency: AgencyCode::parse(agency).expect("agency"),
        roles: vec![role],
        password_hash: String::new(),
    };
    let permit = operator.permit::<ManageUsers>().expect("operator");
    let id = app.store.create_user(&permit, &user, &actor).await.expect("user");
    let principal = app.store.principal(&id, AuthMethod::Session).await.expect("db").expect("principal");
    let secret = random_secret();
    app.store.start_session(&principal, &hash_secret(&secret), Default::default(), "test", now).await.expect("session");
    let token = new_api_token();
    let p = Actor { principal: &principal, at_ms: now, source: "test" };
    app.store.create_api_token(&p, &hash_secret(&token), now + 86_400_000).await.expect("token");
    Caller { agency, role, token, session: Session { csrf: csrf_for_session(&secret), cookie: secret } }
}

/// Seeds the owner's records (an incident with a victim, a case shared with
/// the police, an assessment, an intervention, a task, a Case Review) and
/// the partnership's business (strategy, operations, meetings, a survey).
async fn seed(app: &TestApp) -> Seed {
    safetynet::demo::import_sample(&app.store, start().timestamp_millis()).await.expect("sample");
    safetynet::demo_strategy::seed_strategy(&app.store, start()).await.expect("strategy");
    safetynet::demo_meetings::seed_tasking(&app.store, std::sync::Arc::new(app.clock.clone())).await.expect("tasking");
    let council = app.token(OFFICER).await;
    let manager = app.token(MANAGER).await;
    let post = async |path: &str, body: Value| {
        let res = app.json("POST", path, &council, body).await;
        assert!(res.status.is_success(), "seeding {path}: {} {}", res.status, res.body);
        res.json()
    };
    let inc = post("/api/v1/incidents", json!({
        "category": "asb-personal", "occurred_from": "2026-01-14T21:30:00Z", "reported_at": "2026-01-15T07:00:00Z",
        "latitude": 51.752, "longitude": -0.339, "address": SECRETS[2], "description": SECRETS[3], "source": "public",
        "hate_strand": null, "domestic_abuse": false, "involves_child": false, "repeat": true, "outside_area_reason": null,
        "people": [{ "role": "victim", "full_name": SECRETS[0], "date_of_birth": SECRETS[1], "address": SECRETS[2] }]
    }))
    .await;
    let incident = inc["id"].as_str().expect("id").to_string();
    let full = app.get_bearer(&format!("/api/v1/incidents/{incident}"), &council).await.json();
    let person = full["record"]["people"][0]["id"].as_str().expect("person").to_string();
    let case =
        post("/api/v1/cases", json!({ "title": "Sentinel Mews", "problem": SECRETS[4], "incidents": [incident] }))
            .await;
    let case = case["id"].as_str().expect("case").to_string();
    post(
        &format!("/api/v1/cases/{case}/shares"),
        json!({ "agency": SHARED, "lawful_basis": "Crime and Disorder Act 1998 s115" }),
    )
    .await;
    let task = post(&format!("/api/v1/cases/{case}/tasks"), json!({ "title": "Visit", "due_on": "2026-01-10" })).await;
    post(&format!("/api/v1/cases/{case}/notes"), json!({ "text": "Spoke to the victim" })).await;
    let cpw = post(&format!("/api/v1/cases/{case}/interventions"), json!({ "kind": "community_protection_warning", "person_id": person, "conduct": "Noise at night", "issued_on": "2026-01-10", "starts_at": "2026-01-10T09:00:00Z", "expires_at": "2026-02-10T09:00:00Z", "compliance_by": "2026-01-24" })).await;
    let pspo = post("/api/v1/pspos", pspo_body(false)).await;
    // A referral to the youth offer and a licensed driver, both personal data.
    let mut secret_referral = referral_body(false);
    secret_referral["full_name"] = json!(SECRETS[0]);
    secret_referral["address"] = json!(SECRETS[2]);
    secret_referral["details"] = json!(SECRETS[3]);
    let referral = post("/api/v1/referrals", secret_referral).await;
    let premises =
        post("/api/v1/premises", json!({ "kind": "licensed", "name": "Sentinel Bar", "address": "1 Sentinel Road" }))
            .await;
    // A recording kit out at the victim's address.
    let kit = post("/api/v1/noise/equipment", json!({ "asset_tag": "SENTINEL-KIT" })).await;
    let kit = kit["id"].as_str().unwrap_or_default().to_string();
    let booking = json!({ "incident": incident, "starts_on": "2026-01-15", "due_back_on": "2026-01-20" });
    let booking = post(&format!("/api/v1/noise/equipment/{kit}/bookings"), booking).await;
    // A VAWG panel (run by the CSP manager) with a learning action.
    let panel = app
        .json("POST", "/api/v1/vawg-panels", &manager, json!({ "held_on": "2026-02-10", "chair": "Sentinel chair" }))
        .await
        .json();
    let panel = panel["id"].as_str().unwrap_or_default().to_string();
    let action = json!({ "title": "Sentinel learning", "owner_agency": "SACDC", "due_on": "2026-03-01" });
    let action = app.json("POST", &format!("/api/v1/vawg-panels/{panel}/actions"), &manager, action).await.json();
    // A fly-tip at the victim's address, with an action whose notes are personal, and a camera.
    let tip = post("/api/v1/incidents", json!({
        "category": "fly-tipping", "occurred_from": "2026-01-14T21:30:00Z", "reported_at": "2026-01-15T07:00:00Z",
        "latitude": 51.752, "longitude": -0.339, "address": SECRETS[2], "description": SECRETS[3], "source": "public",
        "hate_strand": null, "domestic_abuse": false, "involves_child": false, "repeat": false, "outside_area_reason": null,
        "people": []
    }))
    .await;
    let fly_tip = tip["id"].as_str().expect("fly-tip").to_string();
    let tip_action = json!({ "action": "investigation", "taken_on": "2026-01-15", "notes": SECRETS[3] });
    let tip_action = post(&format!("/api/v1/fly-tipping/incidents/{fly_tip}/actions"), tip_action).await;
    let camera =
        json!({ "site": "Sentinel lay-by", "latitude": 51.75, "longitude": -0.34, "deployed_on": "2026-01-10" });
    let camera = post("/api/v1/fly-tipping/cameras", camera).await;
    // A resident's report to the owner, with the resident's name and words.
    let operator = Principal::operator();
    let op_actor = Actor { principal: &operator, at_ms: start().timestamp_millis(), source: "test" };
    let manage = operator.permit::<safetynet_domain::policy::ManageAgencies>().expect("permit");
    app.store.route_public_service(&manage, "fly-tipping", OWNER, "", &op_actor).await.expect("route");
    let report = safetynet_domain::public_reports::NewPublicReport {
        service_code: "fly-tipping".into(),
        address: SECRETS[2].into(),
        description: SECRETS[3].into(),
        name: SECRETS[0].into(),
        ..Default::default()
    };
    // Its photo carries a secret, as a photo of someone's house would.
    let photo =
        safetynet_domain::photos::CleanPhoto { content_type: "image/jpeg", bytes: SECRETS[4].as_bytes().to_vec() };
    let public_report = app
        .store
        .submit_public_report(&report, &[photo], Sender::Web("sentinel"), &op_actor)
        .await
        .expect("report")
        .reference;
    let driver = post("/api/v1/taxi-drivers", json!({ "licence_number": "PH/SENTINEL", "full_name": SECRETS[0], "licence_kind": "private_hire", "licence_expires": "2027-01-31" })).await;
    // A diary sheet on the case whose content is personal data.
    let officer = app
        .store
        .principal(
            &app.store.user_id_by_email(&Email::parse(OFFICER).expect("email")).await.expect("db").expect("officer"),
            AuthMethod::Session,
        )
        .await
        .expect("db")
        .expect("principal");
    let upload = safetynet_store::documents::Upload {
        kind: safetynet_domain::documents::DocumentKind::DiarySheet,
        filename: "diary.txt".into(),
        description: "Diary".into(),
        bytes: format!("Diary of {}: {}", SECRETS[0], SECRETS[3]).into_bytes(),
    };
    let actor = Actor { principal: &officer, at_ms: start().timestamp_millis(), source: "test" };
    let document = app
        .store
        .add_document(
            &officer.permit().expect("permit"),
            safetynet_store::documents::Attached::Case(&case),
            &upload,
            &Default::default(),
            1 << 20,
            &actor,
        )
        .await
        .expect("document");
    let review = post(
        "/api/v1/case-reviews",
        json!({ "person_id": person, "applicant_kind": "victim", "received_on": "2026-01-14" }),
    )
    .await;
    let first = |v: &Value, key: &str| -> String {
        v[key].as_array().and_then(|a| a.first()).and_then(|x| x["id"].as_str()).unwrap_or_default().to_string()
    };
    let strategy = app.get_bearer("/api/v1/strategy", &manager).await.json();
    let commitment = strategy["priorities"][0]["commitments"][0]["id"].as_str().unwrap_or_default().to_string();
    let operations = app.get_bearer("/api/v1/operations", &manager).await.json();
    let operation = first(&operations, "items");
    let op = app.get_bearer(&format!("/api/v1/operations/{operation}"), &manager).await.json();
    let meetings = app.get_bearer("/api/v1/meetings", &manager).await.json();
    let meeting = first(&meetings, "items");
    let forum = meetings["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|m| m["series_code"] == "psf")
        .and_then(|m| m["id"].as_str())
        .unwrap_or_default()
        .to_string();
    let m = app.get_bearer(&format!("/api/v1/meetings/{meeting}"), &manager).await.json();
    let surveys = app.store.surveys(None).await.expect("surveys");
    let user = app.store.user_id_by_email(&Email::parse(VIEWER).expect("email")).await.expect("db").expect("viewer");
    Seed {
        incident,
        case,
        person,
        task: task["id"].as_str().unwrap_or_default().to_string(),
        intervention: cpw["id"].as_str().unwrap_or_default().to_string(),
        case_review: review["id"].as_str().unwrap_or_default().to_string(),
        pspo: pspo["id"].as_str().unwrap_or_default().to_string(),
        document: document.id,
        referral: referral["id"].as_str().unwrap_or_default().to_string(),
        driver: driver["id"].as_str().unwrap_or_default().to_string(),
        premises: premises["id"].as_str().unwrap_or_default().to_string(),
        kit,
        booking: booking["id"].as_str().unwrap_or_default().to_string(),
        panel,
        vawg_action: action["id"].as_str().unwrap_or_default().to_string(),
        fly_tip,
        fly_tip_action: tip_action["actions"][0]["id"].as_str().unwrap_or_default().to_string(),
        camera: camera["id"].as_str().unwrap_or_default().to_string(),
        public_report,
        user,
        commitment,
        operation,
        operation_task: first(&op, "tasks"),
        meeting,
        meeting_action: first(&m, "actions"),
        survey: surveys.first().map(|s| s.id.clone()).unwrap_or_default(),
        forum,
    }
}

/// A request as a page (session cookie, CSRF field) or API (bearer) call.
fn request(e: &Entry, path: &str, body: &Value, who: Option<&Caller>) -> Request<Body> {
    let api = e.path.starts_with("/api/");
    let mut req = Request::builder().method(Method::from_bytes(e.method.as_bytes()).expect("method")).uri(path);
    match (who, api) {
        (Some(c), true) => req = req.header(header::AUTHORIZATION, format!("Bearer {}", c.token)),
        (Some(c), false) => req = req.header(header::COOKIE, format!("sn_session={}", c.session.cookie)),
        (None, _) => {}
    }
    if e.method == "GET" {
        return req.body(Body::empty()).expect("request");
    }
    if api {
        return req
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
    }
    let mut pairs: Vec<(String, String)> = body
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)))
        .collect();
    if let Some(c) = who {
        pairs.push(("csrf_token".into(), c.session.csrf.clone()));
    }
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(serde_urlencoded_encode(&refs)))
        .expect("request")
}

fn may_view_records(c: &Caller) -> bool {
    c.agency != UNRELATED && matches!(c.role, Role::CspManager | Role::CaseOfficer | Role::AgencyViewer)
}

#[tokio::test]
async fn every_route_holds_the_agency_boundary_for_every_role() {
    each_engine(async |app: &TestApp| {
        let seed = seed(app).await;
        let roles = [Role::PartnershipAdmin, Role::CspManager, Role::CaseOfficer, Role::AgencyViewer, Role::Auditor];
        let mut callers = Vec::new();
        // Unrelated agency first, then the shared one, then the owner: the
        // writes of the last two cannot widen what the first may see.
        for agency in [UNRELATED, SHARED, OWNER] {
            for role in roles {
                callers.push(caller(app, agency, role).await);
            }
        }
        // The seed is visible to the owner: the matrix is not testing nothing.
        let officer = callers.iter().find(|c| c.agency == OWNER && c.role == Role::CaseOfficer).expect("officer");
        let full = app.get_bearer(&format!("/api/v1/incidents/{}", seed.incident), &officer.token).await;
        assert!(full.body.contains(SECRETS[0]) && full.body.contains(SECRETS[2]), "{}", full.body);
        let shared = callers.iter().find(|c| c.agency == SHARED && c.role == Role::AgencyViewer).expect("viewer");
        let page = app.get(&format!("/cases/{}", seed.case), Some(&shared.session)).await;
        assert!(page.body.contains(SECRETS[4]), "the shared agency sees the case");

        let mut failures = Vec::new();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        let entries: Vec<&Entry> = MATRIX.iter().filter(|e| e.path != "/sign-out").collect();
        let mut who: Vec<Option<&Caller>> = callers.iter().map(Some).collect();
        who.insert(0, None);
        for c in &who {
            for e in &entries {
                let path = seed.path(e);
                let res = app.send(request(e, &path, &(e.body)(&seed), *c)).await;
                let label = c.map_or("anonymous".to_string(), |c| format!("{} {}", c.role.as_str(), c.agency));
                *counts.entry(if c.is_some_and(may_view_records) { "entitled" } else { "outsider" }).or_default() += 1;
                if res.status.is_server_error() {
                    failures.push(format!("{} {path} as {label}: {} {}", e.method, res.status, res.body));
                    continue;
                }
                if c.is_some_and(may_view_records) {
                    continue;
                }
                if let Some(s) = SECRETS.iter().find(|s| res.body.contains(**s)) {
                    failures.push(format!("{} {path} as {label}: leaks {s:?} ({})", e.method, res.status));
                }
                // An outsider's change to an existing record is refused, never done.
                if e.records
                    && e.subject != Subject::None
                    && e.method != "GET"
                    && c.is_some()
                    && (res.status.is_success() || res.status.is_redirection())
                {
                    let ok = res.location().contains("/sign-in") || res.body.contains("problem");
                    if !ok {
                        failures.push(format!(
                            "{} {path} as {label}: allowed ({} {})",
                            e.method,
                            res.status,
                            res.location()
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
        assert!(counts.get("outsider").copied().unwrap_or(0) > 1000, "{counts:?}");
    })
    .await;
}

/// Values that break naive handlers.
fn nasty(rng: &mut StdRng) -> Value {
    let long = "x".repeat(100_000);
    let choices = [
        json!(null),
        json!(""),
        json!(long),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(-1),
        json!(1e308),
        json!(-0.0),
        json!([]),
        json!({}),
        json!(true),
        json!("2026-13-45"),
        json!("9999-12-31T23:59:59Z"),
        json!("../../etc/passwd"),
        json!("<script>alert(1)</script>"),
        json!("\u{0000}\u{202e}"),
        json!([1, "a", null]),
        json!({ "kind": "polygon", "geometry": { "type": "Polygon", "coordinates": [[[0, 0]]] } }),
    ];
    choices[rng.gen_range(0..choices.len())].clone()
}

fn nasty_query(rng: &mut StdRng) -> String {
    const NAMES: [&str; 44] = [
        "page",
        "per_page",
        "from",
        "to",
        "type",
        "lsoa",
        "date",
        "within_days",
        "year",
        "radius_m",
        "person",
        "cell_m",
        "permutations",
        "seed",
        "level",
        "bandwidth_m",
        "distance_bands",
        "time_bands",
        "metric",
        "max_radius_km",
        "max_window_days",
        "prospective",
        "replications",
        "weeks",
        "score_from",
        "score_to",
        "coverage",
        "threshold",
        "q",
        "category",
        "live",
        "all",
        "by",
        "format",
        "target_before",
        "target_after",
        "control_before",
        "control_after",
        "buffer_before",
        "action",
        "record_type",
        "user",
        "agency",
        "status",
    ];
    const VALUES: [&str; 16] = [
        "",
        "-1",
        "0",
        "9223372036854775807",
        "99999999999999999999",
        "1e308",
        "NaN",
        "inf",
        "-0",
        "0-1e15",
        "0-1,1-0",
        "2026-13",
        "2026-02-30",
        "true",
        "%00",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ];
    (0..rng.gen_range(1..4))
        .map(|_| format!("{}={}", NAMES[rng.gen_range(0..NAMES.len())], VALUES[rng.gen_range(0..VALUES.len())]))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn no_input_makes_any_route_fail() {
    each_engine(async |app: &TestApp| {
        let seed = seed(app).await;
        let me = caller(app, OWNER, Role::CspManager).await;
        let mut rng = StdRng::seed_from_u64(8);
        let mut failures = Vec::new();
        let mut sent = 0;
        for e in MATRIX.iter().filter(|e| e.path != "/sign-out") {
            let base = seed.path(e);
            for _ in 0..12 {
                let sep = if base.contains('?') { '&' } else { '?' };
                let path = format!("{base}{sep}{}", nasty_query(&mut rng));
                let mut body = (e.body)(&seed);
                match rng.gen_range(0..4) {
                    0 => body = nasty(&mut rng),
                    1 => {
                        body["unexpected_field"] = nasty(&mut rng);
                    }
                    _ => {
                        let keys: Vec<String> =
                            body.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
                        if let Some(k) = keys.get(rng.gen_range(0..keys.len().max(1))) {
                            body[k.as_str()] = nasty(&mut rng);
                        }
                    }
                }
                let res = app.send(request(e, &path, &body, Some(&me))).await;
                sent += 1;
                if res.status.is_server_error() {
                    failures.push(format!(
                        "{} {path} body {}: {} {}",
                        e.method,
                        body.to_string().chars().take(200).collect::<String>(),
                        res.status,
                        res.body.chars().take(300).collect::<String>()
                    ));
                }
            }
        }
        // The server still answers.
        assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
        assert!(failures.is_empty(), "{} of {sent} requests failed:\n{}", failures.len(), failures.join("\n"));
    })
    .await;
}
