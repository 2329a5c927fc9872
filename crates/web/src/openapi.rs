//! The OpenAPI 3.1 description of `/api/v1`, served at
//! `/api/v1/openapi.json`. A test checks every documented path is routed.

use serde_json::{json, Value};

fn error_responses() -> Value {
    json!({
        "400": { "description": "Malformed parameters", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
        "401": { "description": "No valid token or session", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
        "403": { "description": "Not permitted for your roles", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } }
    })
}

fn merged(ok: Value) -> Value {
    let mut r = error_responses();
    if let (Some(map), Value::Object(extra)) = (r.as_object_mut(), ok) {
        map.extend(extra);
    }
    r
}

fn param(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

/// The Safety Net operations: (path, method, summary, success status).
pub const SAFETY_OPERATIONS: &[(&str, &str, &str, u16)] = &[
    ("/categories", "get", "Incident categories (data a partnership can extend)", 200),
    ("/questionnaires", "get", "Risk assessment questionnaires, latest version of each", 200),
    ("/incidents", "get", "Incidents you may see; ?q= text, ?category=, ?page=, ?per_page=", 200),
    ("/incidents", "post", "Record an incident with its people (422 names the problems; 409 when `reference` exists)", 201),
    ("/incidents/{id}", "get", "An incident: `{access: full, record}` or `{access: signpost, contact_agency}`", 200),
    ("/incidents/{id}/repeats", "get", "Earlier incidents for the same victim, address and within ?radius_m=, across agencies (others signposted)", 200),
    ("/people/{id}/duplicates", "get", "People who may be the same person (name with date of birth or address); suggestions only", 200),
    ("/people/{id}/merge", "post", "Merge `{duplicate}` into this person (audited)", 200),
    ("/cases", "get", "Cases you may see; ?live=true for open ones", 200),
    ("/cases", "post", "Open a case `{title, problem, incidents[]}` led by your agency", 201),
    ("/cases/{id}", "get", "A case with its plan, shares, tasks and timeline, or a signpost", 200),
    ("/cases/{id}/plan", "put", "Replace the SARA plan; send the case `version` (409 if someone else changed it)", 200),
    ("/cases/{id}/status", "post", "Move the case `{version, status, outcome}` (422 rule `case_status`)", 200),
    ("/cases/{id}/shares", "post", "Share with `{agency, lawful_basis}` (lead agency only)", 201),
    ("/cases/{id}/incidents", "post", "Link `{incident}` (id or reference)", 200),
    ("/cases/{id}/notes", "post", "Add `{text}` to the timeline", 201),
    ("/cases/{id}/reviews", "post", "Record a review `{text}`; returns `next_review_on`", 200),
    ("/cases/{id}/risk-assessments", "get", "Risk assessments on the case, newest first", 200),
    ("/cases/{id}/risk-assessments", "post", "Assess `{questionnaire, answers, judgement?}`; returns the level and `next_review_on` (422 when judgement would lower it)", 201),
    ("/cases/{id}/tasks", "post", "Add a task `{title, owner_agency?, owner_officer_id?, due_on, notes?}`", 201),
    ("/tasks/{id}", "patch", "Update a task `{status, notes}`", 200),
    ("/cases/{id}/interventions", "get", "Interventions on the case", 200),
    ("/cases/{id}/interventions", "post", "Record an intervention; 422 with `error.rule` when a statutory check fails (e.g. `cpn_requires_cpw`, `cpn_minimum_age`, `closure_notice_max_48_hours`)", 201),
    ("/interventions/{id}/breaches", "post", "Record a breach `{breached_at, notes}`", 201),
    ("/interventions/expiring", "get", "Interventions expiring within ?within_days= (default 28)", 200),
    ("/daily-review", "get", "?date=YYYY-MM-DD: incidents reported in the 24 hours to 08:00 UK time that day, ranked by risk with reasons", 200),
    ("/case-reviews", "get", "ASB Case Review applications handled by your agency", 200),
    ("/case-reviews", "post", "Record an application `{person_id?, applicant_kind, received_on}`; returns its clocks", 201),
    ("/case-reviews/eligibility", "get", "?person={id}: qualifying complaints to every agency against the threshold; `prompt_officer` at the second", 200),
    ("/case-reviews/figures", "get", "?year=: the annual publication figures", 200),
    ("/case-reviews/{id}", "patch", "Record the decision, meeting, recommendations, outcome and appeal", 200),
    ("/analytics/hotspots", "get", "Grid hotspots of recorded crime: ?from=&to=&type=&lsoa= filters, ?cell_m=250 (10 to 10000), ?permutations=999 (9 to 9999, also for ?level=lsoa), ?seed=1, ?format=geojson|json|csv. Gi* (binary, self-weight 1), Local Moran's I, conditional-permutation p-values, Benjamini-Hochberg flags", 200),
    ("/analytics/density", "get", "Quartic kernel density of recorded crime: crime filters, ?cell_m=50 (10 to 5000), ?bandwidth_m=300 (10 to 10000, one to 100 cells), ?format=json|csv (points per km2 on aligned BNG cells)", 200),
    ("/analytics/near-repeat", "get", "Knox near-repeat table over incidents you may see: ?from=YYYY-MM-DD&to=YYYY-MM-DD (required, at most 3660 days), ?category=, ?distance_bands=0-0.1,0.1-200,200-400,400-600 (metres, up to 5000), ?time_bands=0-7,7-14,14-21 (days, up to 365); at most 20 bands of each, in order; ?metric=euclidean|manhattan, ?permutations=99 (9 to 9999), ?seed=1. First band closed [lo, hi], later bands (lo, hi]", 200),
    ("/analytics/scan", "get", "Space-time permutation scan over incidents you may see: ?from=&to= (dates, required, at most 3660 days), ?category=, ?max_radius_km=1 (0.01 to 20), ?max_window_days=7 (1 to 366), ?prospective=true, ?replications=999 (9 to 9999), ?seed=1; the most likely cluster with observed, expected, LLR, p-value and recurrence interval", 200),
    ("/analytics/trends", "get", "Emerging issues in monthly recorded crime: crime filters, ?by=type|lsoa_type, ?all=true for every month; EARS C1/C2/C3, Poisson CUSUM and a seasonal rule, each alert with rule, expected and observed", 200),
    ("/analytics/pai", "get", "Predictive Accuracy Index and efficiency of a grid hotspot map made on ?from=&to= months, scored on later ?score_from=&score_to= months; ?type=, ?cell_m=250 (10 to 10000), ?coverage=0.01,0.05 (up to 20 shares above 0 and at most 1)", 200),
    ("/analytics/incident-trends", "get", "Weekly counts of the incidents you may see by category (Monday-Sunday, UK time; ?weeks=104) with EARS, CUSUM and seasonal (52-week) alerts; ?all=true for every week", 200),
    ("/strategy", "get", "The current strategy: priorities and every commitment with owner, measure, target, progress, status, red/amber/green rating and next update due", 200),
    ("/strategy/commitments/due", "get", "Your agency's commitments whose progress update is overdue", 200),
    ("/strategy/commitments/{id}", "get", "A commitment with `overdue` and its update history (newest first)", 200),
    ("/strategy/commitments/{id}/updates", "post", "Record progress `{status, rag, reason, note?, figure?, evidence[]?}` (owning agency or CSP manager; 422 names the problem)", 201),
    ("/operations", "get", "Targeted operations with `status` (planned, active, concluded), evaluation and recommendation", 200),
    ("/operations", "post", "Start an operation `{name, prompted_by, prompted_link?, target: {kind: circle, lon, lat, radius_m} | {kind: polygon, geometry}, buffer_m?, control?, crime_types[], starts_on, ends_on, lead_agency?, agencies[]}` (CSP manager; 422 names the problem)", 201),
    ("/operations/{id}", "get", "An operation (id or reference) with its status and tasks", 200),
    ("/operations/{id}/evaluate", "post", "Evaluate now: counts in target, buffer and control for the operation's months and as many before, WDD, WDQ and a recommendation (422 `evaluation_data` until police.uk covers the months)", 200),
    ("/meetings", "get", "Meeting series (JAG, RAG, Priority Setting Forums) and their meetings", 200),
    ("/meetings/{id}", "get", "A meeting with attendees, decisions, actions carried to it, closed since the last and raised at it", 200),
    ("/meetings/{id}/actions", "post", "Raise an action `{title, owner_agency, owner_name?, due_on}` (CSP manager)", 201),
    ("/meeting-actions/{id}", "patch", "Update an action `{status: open|done|dropped, note?, public_note?, on?}`; closing records the day", 200),
    ("/packs/{kind}", "get", "The jag, rag or psf pack for ?date=YYYY-MM-DD as structured sections, as you may see it (?threshold= for the public summary's disclosure control, default 5); audited", 200),
    ("/analytics/evaluate", "get", "Weighted displacement difference and quotient from counts: target_before, target_after, control_before, control_after, buffer_before, buffer_after, buffer_control_before, buffer_control_after (each 0 to 10000000); with a recommendation", 200),
];

fn safety_paths() -> serde_json::Map<String, Value> {
    let mut paths = serde_json::Map::new();
    for (path, method, summary, ok) in SAFETY_OPERATIONS {
        let mut op =
            json!({ "summary": summary, "responses": merged(json!({ ok.to_string(): { "description": "Success" } })) });
        if path.contains("{id}") {
            op["parameters"] =
                json!([{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }]);
        }
        if ["post", "put", "patch"].contains(method) {
            op["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": { "type": "object" } } } });
            op["responses"]["409"] = json!({ "description": "Conflict (duplicate or stale version)" });
            op["responses"]["422"] = json!({ "description": "Refused by a named rule", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } });
        }
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        entry[*method] = op;
    }
    paths
}

/// The document.
pub fn document() -> Value {
    let month = json!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2021-06" });
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "SafetyNet API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Multi-agency community safety platform. Authenticate with `Authorization: Bearer <token>` (create one with `safetynet token create` or under Your account) or a signed-in session.",
            "license": { "name": "MIT OR Apache-2.0" }
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }, { "session": [] }],
        "paths": {
            "/me": { "get": { "summary": "The caller", "responses": merged(json!({ "200": { "description": "The authenticated user" } })) } },
            "/me/notifications": {
                "get": { "summary": "Your e-mail notification choices: `items[] {kind, label, applies, enabled}` (all on until switched off)", "responses": merged(json!({ "200": { "description": "Your choices" } })) },
                "put": { "summary": "Switch kinds on or off: `{\"task_assigned\": false, ...}` (kinds: task_assigned, case_shared, review_due, case_review_deadline, operation_task, daily_digest); returns your choices", "responses": merged(json!({ "200": { "description": "Your choices" } })) }
            },
            "/crimes": { "get": {
                "summary": "Recorded crime and ASB (police.uk street-level data with outcomes joined by Crime ID)",
                "parameters": [
                    param("from", "First month, inclusive", month.clone()),
                    param("to", "Last month, inclusive", month.clone()),
                    param("type", "Crime type as published, e.g. Anti-social behaviour", json!({ "type": "string", "maxLength": 100 })),
                    param("lsoa", "LSOA code or name", json!({ "type": "string", "maxLength": 100 })),
                    param("page", "Page, from 1", json!({ "type": "integer", "minimum": 1, "default": 1 })),
                    param("per_page", "Page size", json!({ "type": "integer", "minimum": 1, "maximum": 200, "default": 50 }))
                ],
                "responses": merged(json!({ "200": { "description": "A page of records", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CrimePage" } } } } }))
            } },
            "/crimes/summary": { "get": {
                "summary": "Counts by crime type for a month and the month before",
                "parameters": [param("month", "Month (default: latest with data)", month)],
                "responses": merged(json!({ "200": { "description": "Counts" } }))
            } },
            "/users/{id}": { "get": {
                "summary": "A colleague's directory entry: in full for your own agency, otherwise only the agency to contact",
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string", "format": "uuid" } }],
                "responses": merged(json!({ "200": { "description": "`{access: full, record}` or `{access: signpost, contact_agency}`" }, "404": { "description": "No such user" } }))
            } },
            "/agencies": { "get": { "summary": "Agencies of the partnership", "responses": merged(json!({ "200": { "description": "Agencies" } })) } },
            "/audit": { "get": {
                "summary": "The audit trail, newest first (auditors only)",
                "parameters": [
                    param("page", "Page, from 1", json!({ "type": "integer", "minimum": 1 })),
                    param("per_page", "Page size", json!({ "type": "integer", "minimum": 1, "maximum": 200 }))
                ],
                "responses": merged(json!({ "200": { "description": "Audit rows" } }))
            } },
            "/openapi.json": { "get": { "summary": "This document", "security": [], "responses": { "200": { "description": "OpenAPI document" } } } }
        },
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "A personal API token. Like the session, refused with 403 while its user holds a role that requires two-step sign-in (require_mfa) and has not set it up." },
                "session": { "type": "apiKey", "in": "cookie", "name": "sn_session", "description": "A signed-in browser's session. Calls that change state (any method but GET, HEAD and OPTIONS) must also send the session's CSRF token in the X-CSRF-Token header (a signed-in page's meta csrf-token), or get 403. A user whose role requires two-step sign-in and who has not set it up gets 403 until they have." }
            },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "object", "properties": { "status": { "type": "integer" }, "message": { "type": "string" }, "rule": { "type": "string", "description": "The rule that refused the request (422 only)" } } } } },
                "Crime": { "type": "object", "properties": {
                    "crime_id": { "type": ["string", "null"] }, "month": { "type": "string" }, "crime_type": { "type": "string" },
                    "location": { "type": "string" }, "lsoa_code": { "type": "string" }, "lsoa_name": { "type": "string" },
                    "longitude": { "type": ["number", "null"] }, "latitude": { "type": ["number", "null"] },
                    "last_outcome": { "type": "string" }, "reported_by": { "type": "string" }, "context": { "type": "string" },
                    "outcomes": { "type": "array", "items": { "type": "object", "properties": { "month": { "type": "string" }, "outcome_type": { "type": "string" } } } }
                } },
                "CrimePage": { "type": "object", "required": ["items", "total"], "properties": {
                    "items": { "type": "array", "items": { "$ref": "#/components/schemas/Crime" } },
                    "total": { "type": "integer" }, "page": { "type": "integer" }, "per_page": { "type": "integer" }
                } }
            }
        }
    });
    if let Some(paths) = doc["paths"].as_object_mut() {
        paths.extend(safety_paths());
    }
    doc
}
