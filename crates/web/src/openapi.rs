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

/// The document.
pub fn document() -> Value {
    let month = json!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2021-06" });
    json!({
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
                "bearer": { "type": "http", "scheme": "bearer" },
                "session": { "type": "apiKey", "in": "cookie", "name": "sn_session" }
            },
            "schemas": {
                "Error": { "type": "object", "required": ["error"], "properties": { "error": { "type": "object", "properties": { "status": { "type": "integer" }, "message": { "type": "string" } } } } },
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
    })
}
