//! The OpenAPI 3.1 description of `/api/v1`, served at
//! `/api/v1/openapi.json`, generated (utoipa) from the handlers'
//! `#[utoipa::path]` annotations and the schemas their bodies derive. A
//! snapshot of it is kept in `crates/web/tests/openapi.snapshot.json`, and a
//! test checks every documented path is routed.

use crate::error::{ErrorBody, ErrorDetail};
use safetynet_app::analyses::options::{self, Kind, Opt};
use utoipa::openapi::path::{Operation, Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::Required;
use utoipa::openapi::{ContentBuilder, Ref, RefOr};
use utoipa::{Modify, OpenApi};

/// The generated document (see [`document`]).
#[derive(OpenApi)]
#[openapi(
    info(
        title = "SafetyNet API",
        description = "Multi-agency community safety platform. Authenticate with `Authorization: Bearer <token>` (create one with `safetynet token create` or under Your account) or a signed-in session.",
        license(name = "MIT OR Apache-2.0")
    ),
    servers((url = "/api/v1")),
    security(("bearer" = []), ("session" = [])),
    paths(
        openapi_json,
        crate::api::me,
        crate::api::my_notifications,
        crate::api::set_my_notifications,
        crate::api::crimes,
        crate::api::summary,
        crate::api::places,
        crate::api::agencies,
        crate::api::user,
        crate::api::audit,
        crate::api_safety::categories,
        crate::api_safety::questionnaires,
        crate::api_safety::list_incidents,
        crate::api_safety::create_incident,
        crate::api_safety::get_incident,
        crate::api_safety::repeats,
        crate::api_safety::duplicates,
        crate::api_safety::merge,
        crate::api_safety::list_cases,
        crate::api_safety::create_case,
        crate::api_safety::get_case,
        crate::api_safety::update_plan,
        crate::api_safety::change_status,
        crate::api_safety::share,
        crate::api_safety::link_incident,
        crate::api_safety::add_note,
        crate::api_safety::record_review,
        crate::api_safety::list_assessments,
        crate::api_safety::assess,
        crate::api_safety::add_task,
        crate::api_safety::update_task,
        crate::api_safety::list_interventions,
        crate::api_safety::add_intervention,
        crate::api_safety::add_breach,
        crate::api_safety::produce_letter,
        crate::api_safety::expiring,
        crate::api_safety::daily_review,
        crate::api_safety::decide,
        crate::api_safety::list_case_reviews,
        crate::api_safety::open_case_review,
        crate::api_safety::eligibility,
        crate::api_safety::figures,
        crate::api_safety::update_case_review,
        crate::api_programmes::measures,
        crate::api_programmes::referrals,
        crate::api_programmes::refer,
        crate::api_programmes::referral,
        crate::api_programmes::update_referral,
        crate::api_programmes::school_sessions,
        crate::api_programmes::add_school_session,
        crate::api_programmes::drivers,
        crate::api_programmes::add_driver,
        crate::api_programmes::driver,
        crate::api_programmes::add_check,
        crate::api_programmes::record_training,
        crate::api_programmes::renew_licence,
        crate::api_programmes::share_concern,
        crate::api_programmes::shared_concerns,
        crate::api_programmes::premises,
        crate::api_programmes::add_premises,
        crate::api_programmes::one_premises,
        crate::api_programmes::add_visit,
        crate::api_programmes::equipment,
        crate::api_programmes::add_equipment,
        crate::api_programmes::book_equipment,
        crate::api_programmes::return_equipment,
        crate::api_programmes::noise_visits,
        crate::api_programmes::add_noise_visit,
        crate::api_programmes::panels,
        crate::api_programmes::add_panel,
        crate::api_programmes::panel,
        crate::api_programmes::record_finding,
        crate::api_programmes::add_learning_action,
        crate::api_programmes::complete_learning_action,
        crate::api_fly_tipping::fly_tips,
        crate::api_fly_tipping::fly_tip,
        crate::api_fly_tipping::record_categories,
        crate::api_fly_tipping::add_action,
        crate::api_fly_tipping::record_outcome,
        crate::api_fly_tipping::hotspots,
        crate::api_fly_tipping::cameras,
        crate::api_fly_tipping::add_camera,
        crate::api_fly_tipping::remove_camera,
        crate::api_fly_tipping::wastedataflow_return,
        crate::api_public_reports::queue,
        crate::api_public_reports::report,
        crate::api_public_reports::photo,
        crate::api_public_reports::triage,
        crate::api_public_reports::update,
        crate::api_victims::victims,
        crate::api_victims::set_contact,
        crate::api_victims::tell,
        crate::api_arson::checks,
        crate::api_arson::add_check,
        crate::api_arson::fires,
        crate::api_arson::fire_hotspots,
        crate::api_pspos::list,
        crate::api_pspos::one,
        crate::api_pspos::create,
        crate::api_pspos::extend,
        crate::api_documents::upload_case,
        crate::api_documents::upload_incident,
        crate::api_documents::list_case,
        crate::api_documents::list_incident,
        crate::api_documents::fetch,
        crate::api_analysis::hotspots_api,
        crate::api_analysis::density_api,
        crate::api_analysis::near_repeat_api,
        crate::api_analysis::scan_api,
        crate::api_analysis::trends_api,
        crate::api_analysis::pai_api,
        crate::api_analysis::incident_trends_api,
        crate::api_analysis::evaluate_api,
        crate::api_partnership::strategy,
        crate::api_partnership::due,
        crate::api_partnership::commitment,
        crate::api_partnership::add_update,
        crate::api_partnership::operations,
        crate::api_partnership::create_operation,
        crate::api_partnership::operation,
        crate::api_partnership::evaluate,
        crate::api_partnership::meetings,
        crate::api_partnership::meeting,
        crate::api_partnership::add_action,
        crate::api_partnership::update_action,
        crate::api_partnership::pack,
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&Conventions)
)]
pub struct ApiDoc;

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /openapi.json`.
#[utoipa::path(
    get,
    path = "/openapi.json",
    summary = "This document",
    security(()),
    responses((status = 200, description = "OpenAPI document"))
)]
pub(crate) async fn openapi_json() -> axum::Json<utoipa::openapi::OpenApi> {
    axum::Json(document())
}

/// What every operation shares: the security schemes, a tag for its part
/// of the API, and the error answers (the `Error` schema) each kind of
/// operation can give.
struct Conventions;

fn error_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Error"))).build();
    ResponseBuilder::new().description(description).content("application/json", content).build().into()
}

/// Adds the error answers `op` can give, keeping any it documents itself:
/// every authenticated call 400, 401 and 403; a call naming a record 404; a
/// write 409 and 422.
fn add_errors(op: &mut Operation, names_record: bool, writes: bool) {
    if op.security.is_some() {
        return;
    }
    let mut errors = vec![
        ("400", "Malformed parameters or body (unknown parameters and fields are named)"),
        ("401", "No valid token or session"),
        ("403", "Not permitted for your roles"),
    ];
    if names_record {
        errors.push(("404", "No such record, or not one you may see"));
    }
    if writes {
        errors.push(("409", "Conflict (duplicate or stale version)"));
        errors.push(("422", "Refused by a named rule (`error.rule`)"));
    }
    for (status, description) in errors {
        op.responses.responses.entry(status.to_string()).or_insert_with(|| error_response(description));
    }
}

/// An analysis option as a query parameter, from the same table the
/// command line makes its flags from.
fn parameter(o: &Opt) -> Parameter {
    let kind = match (o.kind, o.value) {
        (Kind::Switch, _) => Type::Boolean,
        (_, "METRES" | "KM" | "SHARE") => Type::Number,
        (_, "N" | "DAYS") => Type::Integer,
        _ => Type::String,
    };
    let default = match o.default {
        options::Default::Value(v) => {
            Some(serde_json::from_str(v).ok().filter(|_| kind != Type::String).unwrap_or_else(|| v.into()))
        }
        _ => None,
    };
    let mut schema = ObjectBuilder::new().schema_type(kind).default(default);
    if !o.choices.is_empty() {
        schema = schema.enum_values(Some(o.choices.iter().copied()));
    }
    ParameterBuilder::new()
        .name(o.name)
        .parameter_in(ParameterIn::Query)
        .required(if o.required { Required::True } else { Required::False })
        .description(Some(o.describe()))
        .schema(Some(schema))
        .build()
}

impl Modify for Conventions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A personal API token. Like the session, refused with 403 while its user holds a role that requires two-step sign-in (require_mfa) and has not set it up."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "sn_session",
                "A signed-in browser's session. Calls that change state (any method but GET, HEAD and OPTIONS) must also send the session's CSRF token in the X-CSRF-Token header (a signed-in page's meta csrf-token), or get 403. A user whose role requires two-step sign-in and who has not set it up gets 403 until they have.",
            ))),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            if let (Some(table), Some(op)) =
                (path.strip_prefix("/analytics/").and_then(options::of_path), item.get.as_mut())
            {
                op.parameters = Some(table.iter().map(parameter).collect());
            }
            let names_record = path.contains('{');
            let tag = match path.split('/').nth(1).unwrap_or_default() {
                "me" | "crimes" | "places" | "agencies" | "users" | "audit" | "openapi.json" => "General",
                "analytics" => "Analysis",
                "strategy" | "operations" | "meetings" | "meeting-actions" | "packs" => "Partnership work",
                _ => "Safety Net",
            };
            for (op, writes) in [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ] {
                if let Some(op) = op {
                    op.tags = Some(vec![tag.to_string()]);
                    add_errors(op, names_record, writes);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::path::PathBuf;

    /// The committed copy of the document.
    fn snapshot_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
    }

    fn generated() -> String {
        let mut text = document().to_pretty_json().expect("the document serialises");
        text.push('\n');
        text
    }

    #[test]
    fn the_document_matches_its_snapshot() {
        let path = snapshot_path();
        let now = generated();
        if std::env::var_os("SAFETYNET_UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &now).expect("write the snapshot");
            return;
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        if kept != now {
            let line = kept.lines().zip(now.lines()).position(|(a, b)| a != b).unwrap_or(0) + 1;
            panic!(
                "the generated OpenAPI document differs from {} (first at line {line}); if the change is \
                 intended, refresh it with `SAFETYNET_UPDATE_OPENAPI=1 cargo test -p safetynet-web --lib openapi` \
                 and commit it",
                path.display()
            );
        }
    }

    /// True when `schema` says what it holds: a reference, properties, a
    /// composition or the type of its values.
    fn is_described(schema: &Value) -> bool {
        ["$ref", "properties", "allOf", "oneOf", "anyOf", "additionalProperties"]
            .iter()
            .any(|k| schema.get(k).is_some())
    }

    #[test]
    fn every_write_documents_its_request_body() {
        let doc = serde_json::to_value(document()).expect("json");
        let paths = doc["paths"].as_object().expect("paths");
        let mut writes = 0;
        for (path, item) in paths {
            for method in ["post", "put", "patch"] {
                let Some(op) = item.get(method) else { continue };
                writes += 1;
                if path == "/operations/{id}/evaluate" {
                    assert!(op.get("requestBody").is_none(), "evaluating takes no body");
                    continue;
                }
                let content = &op["requestBody"]["content"];
                let body = content.get("application/json").or_else(|| content.get("multipart/form-data"));
                let schema = body.map_or(&Value::Null, |b| &b["schema"]);
                assert!(is_described(schema), "{method} {path} has no request schema: {schema}");
                assert_eq!(op["requestBody"]["required"], true, "{method} {path}");
            }
        }
        assert!(writes > 20, "{writes}");
        let schemas = doc["components"]["schemas"].as_object().expect("schemas");
        for (name, schema) in schemas {
            assert_ne!(schema, &serde_json::json!({ "type": "object" }), "{name} is a bare object");
        }
    }

    #[test]
    fn every_operation_has_a_summary_and_the_errors_it_can_give() {
        let doc = serde_json::to_value(document()).expect("json");
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("item") {
                assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path}");
                if path != "/openapi.json" {
                    for status in ["400", "401", "403"] {
                        assert_eq!(
                            op["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                            "#/components/schemas/Error",
                            "{method} {path} {status}"
                        );
                    }
                }
            }
        }
    }
}
