//! The enforcement toolkit through the API and its pages, on every engine:
//! each statutory rule refuses with its name where an officer would meet it
//! (fixed penalties by legal basis, CPW before CPN by person record and
//! compliance date, closure hours and months, who holds each power, youth
//! injunctions and criminal behaviour orders), and the public spaces
//! protection order register with its breaches and extensions.

mod common;

use axum::http::StatusCode;
use common::*;
use safetynet_domain::policy::{ManageAgencies, Principal};
use serde_json::{json, Value};

/// A council case about Kyle Example (born 1 June 2000), with his person
/// record, on which interventions are recorded.
struct Ladder<'a> {
    app: &'a TestApp,
    token: String,
    case: String,
    kyle: String,
}

impl<'a> Ladder<'a> {
    async fn new(app: &'a TestApp, email: &str) -> Self {
        let token = app.token(email).await;
        let incident = json!({
            "category": "asb-personal", "occurred_from": "2026-01-14T21:30:00Z", "reported_at": "2026-01-15T07:00:00Z",
            "latitude": 51.752, "longitude": -0.339, "address": "12 Verulam Road, St Albans",
            "description": "Loud music and threats", "source": "public", "hate_strand": null,
            "domestic_abuse": false, "involves_child": false, "repeat": false, "outside_area_reason": null,
            "people": [{ "role": "perpetrator", "full_name": "Kyle Example", "date_of_birth": "2000-06-01", "address": "14 Verulam Road" }]
        });
        let inc = app.json("POST", "/api/v1/incidents", &token, incident).await.json();
        let id = inc["id"].as_str().unwrap_or_default().to_string();
        let full = app.get_bearer(&format!("/api/v1/incidents/{id}"), &token).await.json();
        let kyle = full["record"]["people"][0]["id"].as_str().unwrap_or_default().to_string();
        let case = json!({ "title": "Verulam Road", "problem": "Noise and threats", "incidents": [id] });
        let case =
            app.json("POST", "/api/v1/cases", &token, case).await.json()["id"].as_str().unwrap_or_default().to_string();
        Self { app, token, case, kyle }
    }

    /// Records an intervention on the case: the status and the answer.
    async fn record(&self, body: Value) -> (StatusCode, Value) {
        let res = self.app.json("POST", &format!("/api/v1/cases/{}/interventions", self.case), &self.token, body).await;
        (res.status, res.json())
    }

    /// Records an intervention that must be accepted; returns its id.
    async fn accepted(&self, body: Value) -> String {
        let (s, v) = self.record(body.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{body} was refused: {v}");
        v["id"].as_str().unwrap_or_default().to_string()
    }

    /// Records an intervention that must be refused by `rule`.
    async fn refused(&self, body: Value, rule: &str) {
        let (s, v) = self.record(body.clone()).await;
        assert_eq!((s, v["error"]["rule"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(rule)), "{body}: {v}");
    }

    /// A body against Kyle's record, issued 15 January 2026 at 09:00.
    fn to_kyle(&self, kind: &str, extra: Value) -> Value {
        let mut v = json!({ "kind": kind, "person_id": self.kyle, "conduct": "Noise and threats", "issued_on": "2026-01-15", "starts_at": "2026-01-15T09:00:00Z" });
        merge(&mut v, extra);
        v
    }

    /// A body against a business with no person record.
    fn to_business(&self, kind: &str, extra: Value) -> Value {
        let mut v = json!({ "kind": kind, "subject_name": "The Crown, 1 Holywell Hill", "subject_is_business": true, "conduct": "Drug dealing from the premises", "issued_on": "2026-01-15", "starts_at": "2026-01-15T09:00:00Z" });
        merge(&mut v, extra);
        v
    }

    /// A body against someone named, with a date of birth, no person record.
    fn to_named(&self, kind: &str, dob: &str, extra: Value) -> Value {
        let mut v = json!({ "kind": kind, "subject_name": "Jay Young", "subject_date_of_birth": dob, "conduct": "Intimidation", "issued_on": "2026-01-15", "starts_at": "2026-01-15T09:00:00Z" });
        merge(&mut v, extra);
        v
    }
}

fn merge(v: &mut Value, extra: Value) {
    for (k, x) in extra.as_object().cloned().unwrap_or_default() {
        v[k] = x;
    }
}

#[tokio::test]
async fn fixed_penalties_take_their_cap_from_the_legal_basis_not_the_wording() {
    each_engine(async |app: &TestApp| {
        let l = Ladder::new(app, OFFICER).await;
        l.refused(l.to_kyle("fixed_penalty_notice", json!({ "amount_pence": 15000 })), "fpn_legal_basis_required").await;
        l.accepted(l.to_kyle("fixed_penalty_notice", json!({ "legal_basis": "litter", "amount_pence": 15000 }))).await;
        l.refused(l.to_kyle("fixed_penalty_notice", json!({ "legal_basis": "litter", "amount_pence": 50001 })), "fpn_amount_above_maximum").await;
        l.accepted(l.to_kyle("fixed_penalty_notice", json!({ "legal_basis": "household_waste_duty_of_care", "amount_pence": 60000 }))).await;
        // "flytipping" in one word: the basis decides, not the text.
        let fly = json!({ "legal_basis": "fly_tipping", "amount_pence": 100000, "conduct": "flytipping in Catherine Street" });
        l.accepted(l.to_kyle("fixed_penalty_notice", fly)).await;
        // A CPN-breach penalty names its notice and is capped at GBP 100, whatever the conduct.
        let breach = json!({ "legal_basis": "cpn_breach", "amount_pence": 10000, "conduct": "Fly-tipping again" });
        l.refused(l.to_kyle("fixed_penalty_notice", breach.clone()), "fpn_requires_cpn").await;
        let cpw = l.accepted(l.to_kyle("community_protection_warning", json!({ "issued_on": "2026-01-02", "compliance_by": "2026-01-09" }))).await;
        let cpn = l.accepted(l.to_kyle("community_protection_notice", json!({ "issued_on": "2026-01-12", "follows_id": cpw }))).await;
        let mut over = breach.clone();
        merge(&mut over, json!({ "follows_id": cpn, "amount_pence": 10001 }));
        l.refused(l.to_kyle("fixed_penalty_notice", over), "fpn_amount_above_maximum").await;
        let mut within = breach;
        merge(&mut within, json!({ "follows_id": cpn }));
        l.accepted(l.to_kyle("fixed_penalty_notice", within)).await;
        let list = app.get_bearer(&format!("/api/v1/cases/{}/interventions", l.case), &l.token).await.json();
        assert!(list["items"].as_array().into_iter().flatten().any(|x| x["legal_basis"] == "cpn_breach" && x["follows_id"] == cpn.as_str()), "{list}");
    })
    .await;
}

#[tokio::test]
async fn a_cpn_follows_a_chosen_warning_to_the_same_person_after_its_compliance_date() {
    each_engine(async |app: &TestApp| {
        let l = Ladder::new(app, OFFICER).await;
        l.refused(l.to_kyle("community_protection_warning", json!({})), "cpw_compliance_date_required").await;
        let cpw = l.accepted(l.to_kyle("community_protection_warning", json!({ "issued_on": "2026-01-10", "compliance_by": "2026-01-15" }))).await;
        l.refused(l.to_kyle("community_protection_notice", json!({})), "cpn_requires_cpw").await;
        l.refused(l.to_kyle("community_protection_notice", json!({ "follows_id": cpw })), "cpw_compliance_period_running").await;
        let later = json!({ "follows_id": cpw, "issued_on": "2026-01-16", "starts_at": "2026-01-16T09:00:00Z" });
        let (s, v) = l.record(l.to_kyle("community_protection_notice", later)).await;
        assert_eq!((s, &v["warnings"]), (StatusCode::CREATED, &json!([])), "{v}");
        // A warning a year old or more is allowed, with a warning to check the behaviour goes on.
        let old = l.accepted(l.to_kyle("community_protection_warning", json!({ "issued_on": "2025-01-15", "compliance_by": "2025-01-29" }))).await;
        let (s, v) = l.record(l.to_kyle("community_protection_notice", json!({ "follows_id": old }))).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["warnings"][0]["rule"], "cpw_older_than_12_months", "{v}");
        // Someone else's warning does not count.
        let other = json!({ "subject_name": "Someone Else", "person_id": null, "issued_on": "2026-01-01", "compliance_by": "2026-01-02" });
        let theirs = l.accepted(l.to_kyle("community_protection_warning", other)).await;
        l.refused(l.to_kyle("community_protection_notice", json!({ "follows_id": theirs })), "cpw_other_subject").await;
    })
    .await;
}

#[tokio::test]
async fn closure_notices_and_orders_keep_to_their_hours_and_months() {
    each_engine(async |app: &TestApp| {
        let l = Ladder::new(app, OFFICER).await;
        l.accepted(l.to_business("closure_notice", json!({ "expires_at": "2026-01-16T09:00:00Z" }))).await;
        let long = json!({ "expires_at": "2026-01-16T15:00:00Z" });
        l.refused(l.to_business("closure_notice", long.clone()), "closure_notice_max_24_hours").await;
        let mut authorised = long;
        merge(&mut authorised, json!({ "authorised_by": "chief_executive" }));
        let notice = l.accepted(l.to_business("closure_notice", authorised)).await;
        l.refused(l.to_business("closure_notice", json!({ "expires_at": "2026-01-17T09:00:01Z", "authorised_by": "chief_executive" })), "closure_notice_max_48_hours").await;
        // The order: heard within 48 hours of the notice, for up to 3 months.
        let order = json!({ "issued_on": "2026-01-16", "starts_at": "2026-01-16T14:00:00Z", "expires_at": "2026-04-16T13:00:00Z" });
        l.refused(l.to_business("closure_order", order.clone()), "closure_order_requires_notice").await;
        let mut late = order.clone();
        merge(&mut late, json!({ "follows_id": notice, "issued_on": "2026-01-17", "starts_at": "2026-01-17T09:00:01Z" }));
        l.refused(l.to_business("closure_order", late), "closure_hearing_within_48_hours").await;
        let mut over = order.clone();
        merge(&mut over, json!({ "follows_id": notice, "expires_at": "2026-04-16T13:00:01Z" }));
        l.refused(l.to_business("closure_order", over), "closure_order_max_3_months").await;
        let mut exact = order;
        merge(&mut exact, json!({ "follows_id": notice }));
        let order = l.accepted(l.to_business("closure_order", exact)).await;
        // Extended by the court to 6 months in all, never more.
        let ext = json!({ "follows_id": order, "issued_on": "2026-04-10", "starts_at": "2026-04-10T09:00:00Z", "expires_at": "2026-07-16T13:00:01Z" });
        l.refused(l.to_business("closure_order_extension", ext.clone()), "closure_order_max_6_months").await;
        let mut first = ext;
        merge(&mut first, json!({ "expires_at": "2026-05-16T13:00:00Z" }));
        l.accepted(l.to_business("closure_order_extension", first)).await;
        // A further extension, after the order's first end but while the first extension runs.
        let further = json!({ "follows_id": order, "issued_on": "2026-05-01", "starts_at": "2026-05-01T09:00:00Z", "expires_at": "2026-07-16T13:00:00Z" });
        l.accepted(l.to_business("closure_order_extension", further.clone())).await;
        let mut after_all = further;
        merge(&mut after_all, json!({ "issued_on": "2026-07-17", "starts_at": "2026-07-17T09:00:00Z", "expires_at": "2026-07-18T09:00:00Z" }));
        l.refused(l.to_business("closure_order_extension", after_all), "extension_after_order_ended").await;
    })
    .await;
}

#[tokio::test]
async fn each_power_is_held_by_the_sectors_the_act_names() {
    each_engine(async |app: &TestApp| {
        let council = Ladder::new(app, OFFICER).await;
        let dispersal = json!({ "authorised_by": "inspector", "expires_at": "2026-01-16T09:00:00Z", "items_surrendered": "Two cans of lager",
            "area": [[-0.343, 51.751], [-0.337, 51.751], [-0.337, 51.755], [-0.343, 51.755]] });
        council.refused(council.to_kyle("dispersal_direction", dispersal.clone()), "power_not_available").await;
        council
            .accepted(council.to_kyle("abatement_notice", json!({ "conduct": "Amplified music from 14 Verulam Road" })))
            .await;
        let police = Ladder::new(app, POLICE).await;
        police.refused(police.to_kyle("abatement_notice", json!({})), "power_not_available").await;
        let no_area = json!({ "expires_at": "2026-01-16T09:00:00Z", "authorised_by": "inspector" });
        police.refused(police.to_kyle("dispersal_direction", no_area), "dispersal_area_required").await;
        let mut unauthorised = dispersal.clone();
        unauthorised["authorised_by"] = json!(null);
        police.refused(police.to_kyle("dispersal_direction", unauthorised), "dispersal_authorisation_rank").await;
        police.accepted(police.to_kyle("dispersal_direction", dispersal)).await;
        let map_path = format!("/api/v1/cases/{}/interventions?format=geojson", police.case);
        let map = app.get_bearer(&map_path, &police.token).await.json();
        assert_eq!(map["features"][0]["geometry"]["coordinates"][0].as_array().map(Vec::len), Some(5), "closed: {map}");
        assert_eq!(map["features"][0]["properties"]["items_surrendered"], "Two cans of lager");
        police
            .refused(
                police.to_business("closure_notice", json!({ "expires_at": "2026-01-16T09:00:00Z" })),
                "closure_notice_authorisation_rank",
            )
            .await;
        police
            .accepted(police.to_business(
                "closure_notice",
                json!({ "expires_at": "2026-01-16T09:00:00Z", "authorised_by": "inspector" }),
            ))
            .await;
        // An agency whose sector is not set may write letters, not use the Act's powers.
        let op = Principal::operator();
        let mut sacdc = app.store.agency("SACDC").await.expect("agency");
        sacdc.sector = None;
        app.store.save_agency(&op.permit::<ManageAgencies>().expect("permit"), &sacdc, 0, "test").await.expect("save");
        council.accepted(council.to_kyle("warning_letter", json!({}))).await;
        council
            .refused(
                council.to_kyle("community_protection_warning", json!({ "compliance_by": "2026-01-22" })),
                "agency_sector_required",
            )
            .await;
    })
    .await;
}

#[tokio::test]
async fn youth_injunctions_and_criminal_behaviour_orders_follow_parts_1_and_2() {
    each_engine(async |app: &TestApp| {
        let l = Ladder::new(app, OFFICER).await;
        // Jay is 15 on 15 January 2026.
        let young = "2010-06-01";
        let injunction = |extra: Value| l.to_named("civil_injunction", young, extra);
        l.refused(
            injunction(json!({ "expires_at": "2027-01-15T09:00:01Z", "yot_consulted": true })),
            "injunction_youth_max_12_months",
        )
        .await;
        l.refused(injunction(json!({ "expires_at": "2027-01-15T09:00:00Z" })), "yot_consultation_required").await;
        l.accepted(injunction(json!({ "expires_at": "2027-01-15T09:00:00Z", "yot_consulted": true }))).await;
        let cbo = |dob: &str, extra: Value| l.to_named("criminal_behaviour_order", dob, extra);
        l.refused(cbo("1990-01-01", json!({})), "cbo_requires_conviction").await;
        l.refused(
            cbo("1990-01-01", json!({ "convicted_on": "2026-01-10", "expires_at": "2027-01-15T09:00:00Z" })),
            "cbo_adult_minimum_2_years",
        )
        .await;
        l.accepted(cbo("1990-01-01", json!({ "convicted_on": "2026-01-10" }))).await;
        l.refused(cbo(young, json!({ "convicted_on": "2026-01-10", "yot_consulted": true })), "cbo_youth_duration")
            .await;
        l.accepted(cbo(
            young,
            json!({ "convicted_on": "2026-01-10", "yot_consulted": true, "expires_at": "2028-01-15T09:00:00Z" }),
        ))
        .await;
        let list = app.get_bearer(&format!("/api/v1/cases/{}/interventions", l.case), &l.token).await.json();
        let youth_cbo = list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|x| x["kind"] == "criminal_behaviour_order" && x["expires_at_ms"].is_number())
            .cloned()
            .unwrap_or_default();
        assert_eq!(youth_cbo["next_date"], json!({ "what": "Youth review due by", "on": "2027-01-14" }), "{list}");
    })
    .await;
}

fn order(extra: Value) -> Value {
    let mut v = json!({
        "title": "St Albans city centre order", "prohibitions": "No drinking alcohol when asked to stop\nDogs on leads",
        "area": [[-0.345, 51.748], [-0.33, 51.748], [-0.33, 51.757], [-0.345, 51.757]],
        "made_on": "2025-12-01", "starts_on": "2026-01-01", "ends_on": "2026-03-31",
        "consulted_police": true, "consulted_pcc": true, "consulted_community": true, "publicised_on": "2025-10-01"
    });
    merge(&mut v, extra);
    v
}

#[tokio::test]
async fn the_pspo_register_takes_orders_breaches_and_extensions() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let police = app.token(POLICE).await;
        let post = async |token: &str, path: &str, body: Value| {
            let res = app.json("POST", path, token, body).await;
            (res.status, res.json())
        };
        for (extra, rule) in [
            (json!({ "ends_on": "2029-01-01" }), "pspo_max_3_years"),
            (json!({ "consulted_pcc": false }), "pspo_consultation_required"),
            (json!({ "area": [[-0.345, 51.748], [-0.33, 51.748]] }), "pspo_area"),
        ] {
            let (s, v) = post(&council, "/api/v1/pspos", order(extra)).await;
            assert_eq!((s, v["error"]["rule"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(rule)), "{v}");
        }
        let (s, v) = post(&police, "/api/v1/pspos", order(json!({}))).await;
        assert_eq!((s, v["error"]["rule"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("power_not_available")), "{v}");
        let (s, pspo) = post(&council, "/api/v1/pspos", order(json!({}))).await;
        assert_eq!(s, StatusCode::CREATED, "{pspo}");
        assert_eq!(pspo["reference"], "PSPO-2025-00001");
        let id = pspo["id"].as_str().unwrap_or_default().to_string();

        // On the register, on the map, and among those ending within 90 days.
        let ending = app.get_bearer("/api/v1/pspos?ending_within_days=90", &police).await.json();
        assert_eq!(ending["items"][0]["id"], id.as_str(), "{ending}");
        let none = app.get_bearer("/api/v1/pspos?ending_within_days=30", &police).await.json();
        assert_eq!(none["items"], json!([]));
        let map = app.get_bearer("/api/v1/pspos?format=geojson", &police).await.json();
        assert_eq!(map["features"][0]["geometry"]["type"], "Polygon", "{map}");
        assert_eq!(map["features"][0]["geometry"]["coordinates"][0].as_array().map(Vec::len), Some(5), "a closed ring");

        // Breaches and fixed penalties point at the order and fall within it.
        let l = Ladder::new(app, OFFICER).await;
        l.refused(l.to_kyle("pspo_breach", json!({})), "pspo_required").await;
        l.accepted(l.to_kyle("pspo_breach", json!({ "pspo_id": id }))).await;
        let fpn = json!({ "legal_basis": "pspo_breach", "amount_pence": 10000, "pspo_id": id, "issued_on": "2026-04-01", "starts_at": "2026-04-01T09:00:00Z" });
        l.refused(l.to_kyle("fixed_penalty_notice", fpn.clone()), "pspo_not_in_force").await;
        let mut inside = fpn;
        merge(&mut inside, json!({ "issued_on": "2026-03-31", "starts_at": "2026-03-31T09:00:00Z" }));
        l.accepted(l.to_kyle("fixed_penalty_notice", inside)).await;
        let one = app.get_bearer(&format!("/api/v1/pspos/{id}"), &police).await.json();
        assert_eq!(one["breaches"], 2, "{one}");

        // Extended by the council that made it, before it ends, for up to 3 years.
        let ext = json!({ "decided_on": "2026-01-15", "ends_on": "2029-03-31", "reason": "Drinking still reported weekly", "consulted": true, "published": true });
        let path = format!("/api/v1/pspos/{id}/extensions");
        assert_eq!(post(&police, &path, ext.clone()).await.0, StatusCode::FORBIDDEN);
        let mut too_long = ext.clone();
        too_long["ends_on"] = json!("2029-04-01");
        assert_eq!(post(&council, &path, too_long).await.1["error"]["rule"], "pspo_extension_max_3_years");
        let (s, v) = post(&council, &path, ext).await;
        assert_eq!((s, &v["ends_on"]), (StatusCode::CREATED, &json!("2029-03-31")), "{v}");
        assert_eq!(v["extensions"][0]["previous_ends_on"], "2026-03-31", "{v}");
        assert_eq!(app.get_bearer("/api/v1/pspos?format=kml", &police).await.status, StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test]
async fn the_pspo_pages_take_an_order_drawn_on_the_map_and_its_extension() {
    each_engine(async |app: &TestApp| {
        let me = app.sign_in(OFFICER).await;
        let area = json!({ "type": "Polygon", "coordinates": [[[-0.345, 51.748], [-0.33, 51.748], [-0.33, 51.757], [-0.345, 51.748]]] }).to_string();
        let mut fields = vec![
            ("title", "Verulamium Park dog control order"),
            ("prohibitions", "Dogs on leads near the lake"),
            ("area", area.as_str()),
            ("made_on", "2025-12-01"),
            ("starts_on", "2026-01-01"),
            ("ends_on", "2026-03-01"),
            ("publicised_on", "2025-10-01"),
            ("consulted_police", "true"),
            ("consulted_pcc", "true"),
        ];
        let res = app.post("/pspos", Some(&me), Some(&me.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("community representatives") && res.body.contains(r##"href="#consulted""##), "{}", res.body);
        fields.push(("consulted_community", "true"));
        let res = app.post("/pspos", Some(&me), Some(&me.csrf), &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = res.location().to_string();
        let shown = app.get(&page, Some(&me)).await;
        assert!(shown.body.contains("Verulamium Park dog control order") && shown.body.contains("Dogs on leads near the lake"), "{}", shown.body);
        assert!(shown.body.contains("Ends within 90 days"), "{}", shown.body);
        let list = app.get("/pspos", Some(&me)).await;
        assert!(list.body.contains(r#"data-testid="pspo-ending""#) && list.body.contains("/api/v1/pspos?format=geojson"), "{}", list.body);
        let ext = [("decided_on", "2026-01-15"), ("ends_on", "2029-02-28"), ("reason", "Still needed"), ("consulted", "true"), ("published", "true")];
        let res = app.post(&format!("{page}/extensions"), Some(&me), Some(&me.csrf), &ext).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let shown = app.get(&page, Some(&me)).await;
        assert!(shown.body.contains(r#"data-testid="pspo-extensions""#) && shown.body.contains("28 February 2029"), "{}", shown.body);
        // The police read the register but do not extend the council's order.
        let police = app.sign_in(POLICE).await;
        assert!(app.get(&page, Some(&police)).await.body.contains("Verulamium Park"));
        assert!(!app.get(&page, Some(&police)).await.body.contains("Extend the order"));
        assert_eq!(app.post(&format!("{page}/extensions"), Some(&police), Some(&police.csrf), &ext).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

/// An ASB complaint by Amira Khan (born 2 March 1950), received at
/// `received` about behaviour the evening before.
fn complaint(received: &str) -> Value {
    let at = chrono::DateTime::parse_from_rfc3339(received).expect("time");
    json!({
        "category": "asb-nuisance", "occurred_from": (at - chrono::Duration::hours(14)).to_rfc3339(), "reported_at": received,
        "latitude": 51.752, "longitude": -0.339, "address": "3 Hatfield Road, St Albans", "description": "Shouting at night",
        "source": "public", "hate_strand": null, "domestic_abuse": false, "involves_child": false, "repeat": true,
        "outside_area_reason": null,
        "people": [{ "role": "victim", "full_name": "Amira Khan", "date_of_birth": "1950-03-02", "address": "3 Hatfield Road" }]
    })
}

#[tokio::test]
async fn the_case_review_threshold_is_measured_on_the_day_the_application_was_received() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let mut victim = String::new();
        for received in ["2025-12-01T10:00:00Z", "2025-12-20T10:00:00Z", "2026-01-12T23:30:00Z"] {
            let created = app.json("POST", "/api/v1/incidents", &council, complaint(received)).await.json();
            let full = app
                .get_bearer(&format!("/api/v1/incidents/{}", created["id"].as_str().unwrap_or_default()), &council)
                .await
                .json();
            victim = full["record"]["people"][0]["id"].as_str().unwrap_or_default().to_string();
        }
        let now = app.get_bearer(&format!("/api/v1/case-reviews/eligibility?person={victim}"), &council).await.json();
        assert_eq!((now["count"].as_u64(), now["threshold_met"].as_bool()), (Some(3), Some(true)), "today: {now}");
        // Each application keeps the threshold as it stood the day it was received.
        let on_day = async |day: &str| {
            let open = json!({ "person_id": victim, "applicant_kind": "victim", "received_on": day });
            let r = app.json("POST", "/api/v1/case-reviews", &council, open).await.json();
            (r["qualifying_on_application"].as_i64(), r["threshold_met_on_application"].as_bool(), r)
        };
        let (n, met, r) = on_day("2026-01-05").await;
        assert_eq!((n, met), (Some(2), Some(false)), "{r}");
        // 23:30 on 12 January (UK time) counts at the end of the 12th, not the 11th.
        assert_eq!(on_day("2026-01-11").await.0, Some(2));
        assert_eq!(on_day("2026-01-12").await.0, Some(3));
        // Eligibility is only ever asked of now: a past day would date other agencies' complaints.
        let dated = format!("/api/v1/case-reviews/eligibility?person={victim}&on=2026-01-05");
        assert_eq!(app.get_bearer(&dated, &council).await.status, StatusCode::BAD_REQUEST);
        let me = app.sign_in(OFFICER).await;
        let page = app.get(&format!("/case-reviews/{}", r["id"].as_str().unwrap_or_default()), Some(&me)).await;
        assert!(
            page.body.contains(r#"data-testid="on-application""#) && page.body.contains("not met"),
            "{}",
            page.body
        );
    })
    .await;
}

/// An incident with `victim` (born 1 May 1985) at 7 Fleetville Road:
/// domestic abuse or not, occurring at `at`.
fn incident_against(victim: &str, category: &str, domestic_abuse: bool, at: &str) -> Value {
    json!({
        "category": category, "occurred_from": at, "reported_at": at,
        "latitude": 51.752, "longitude": -0.32, "address": "7 Fleetville Road, St Albans", "description": "Reported by the victim",
        "source": "public", "hate_strand": null, "domestic_abuse": domestic_abuse, "involves_child": false, "repeat": false,
        "outside_area_reason": null,
        "people": [{ "role": "victim", "full_name": victim, "date_of_birth": "1985-05-01", "address": "7 Fleetville Road" }]
    })
}

/// DASH answers from the questionnaire: the first `yes` questions yes, the
/// rest no, and the last `not_known` of those "not known".
async fn dash_answers(app: &TestApp, token: &str, yes: usize, not_known: usize) -> Value {
    let qs = app.get_bearer("/api/v1/questionnaires", token).await.json();
    let dash = qs["items"].as_array().into_iter().flatten().find(|q| q["id"] == "dash").cloned().unwrap_or_default();
    let questions = dash["questions"].as_array().cloned().unwrap_or_default();
    let n = questions.len();
    let answers: serde_json::Map<String, Value> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let a = if i >= n - not_known { json!("not_known") } else { json!(i < yes) };
            (q["id"].as_str().unwrap_or_default().to_string(), a)
        })
        .collect();
    Value::Object(answers)
}

/// Records incidents against `victim` as `token`'s agency, opens a case on
/// them, and returns (case id, the victim's person id).
async fn case_about(app: &TestApp, token: &str, victim: &str, incidents: &[(&str, bool, &str)]) -> (String, String) {
    let mut ids = Vec::new();
    let mut person = String::new();
    for (category, da, at) in incidents {
        let created =
            app.json("POST", "/api/v1/incidents", token, incident_against(victim, category, *da, at)).await.json();
        let id = created["id"].as_str().unwrap_or_default().to_string();
        let full = app.get_bearer(&format!("/api/v1/incidents/{id}"), token).await.json();
        person = full["record"]["people"][0]["id"].as_str().unwrap_or_default().to_string();
        ids.push(id);
    }
    let case = app
        .json("POST", "/api/v1/cases", token, json!({ "title": victim, "problem": "x", "incidents": ids }))
        .await
        .json();
    (case["id"].as_str().unwrap_or_default().to_string(), person)
}

#[tokio::test]
async fn dash_is_assessed_per_victim_on_their_domestic_abuse_incidents() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let assess = async |case: &str, body: Value| {
            let res = app.json("POST", &format!("/api/v1/cases/{case}/risk-assessments"), &council, body).await;
            (res.status, res.json())
        };
        // Three neighbour-noise incidents are not domestic abuse: no escalation, no MARAC.
        let noise = [("asb-nuisance", false, "2025-10-01T21:00:00Z"), ("asb-nuisance", false, "2025-11-01T21:00:00Z"), ("asb-nuisance", false, "2025-12-01T21:00:00Z")];
        let (case, victim) = case_about(app, &council, "Nell Noise", &noise).await;
        let answers = dash_answers(app, &council, 2, 0).await;
        let (s, v) = assess(&case, json!({ "questionnaire": "dash", "answers": answers.clone() })).await;
        assert_eq!((s, v["error"]["rule"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("dash_victim_required")), "{v}");
        let (s, v) = assess(&case, json!({ "questionnaire": "dash", "answers": answers.clone(), "person_id": victim })).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!((v["level"].as_str(), v["marac_referral"].as_bool()), (Some("standard"), Some(false)), "{v}");

        // Three domestic abuse incidents concerning one victim in 12 months escalate.
        let abuse = [("crime-violence-sexual", true, "2025-03-01T21:00:00Z"), ("crime-violence-sexual", true, "2025-08-01T21:00:00Z"), ("crime-violence-sexual", true, "2026-01-10T21:00:00Z")];
        let (da_case, da_victim) = case_about(app, &council, "Dana Abbott", &abuse).await;
        let (_, v) = assess(&da_case, json!({ "questionnaire": "dash", "answers": answers.clone(), "person_id": da_victim })).await;
        assert_eq!((v["level"].as_str(), v["marac_referral"].as_bool(), v["repeat_marac"].as_bool()), (Some("high"), Some(true), Some(false)), "{v}");
        // Someone not on the case is refused.
        let (s, v) = assess(&da_case, json!({ "questionnaire": "dash", "answers": answers.clone(), "person_id": victim })).await;
        assert_eq!((s, v["error"]["rule"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("victim_not_on_case")), "{v}");

        // "Not known" is an answer on DASH, not on the ASB questionnaire.
        let unknown = dash_answers(app, &council, 2, 3).await;
        let (s, v) = assess(&case, json!({ "questionnaire": "dash", "answers": unknown, "person_id": victim })).await;
        assert_eq!((s, v["not_known"].as_u64()), (StatusCode::CREATED, Some(3)), "{v}");
        let qs = app.get_bearer("/api/v1/questionnaires", &council).await.json();
        let asb = qs["items"].as_array().into_iter().flatten().find(|q| q["id"] == "asb-victim").cloned().unwrap_or_default();
        let asb_answers: serde_json::Map<String, Value> = asb["questions"].as_array().into_iter().flatten()
            .map(|q| (q["id"].as_str().unwrap_or_default().to_string(), json!("not_known"))).collect();
        let (s, _) = assess(&case, json!({ "questionnaire": "asb-victim", "answers": asb_answers })).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);

        // A new domestic abuse incident within 12 months of the MARAC referral is a repeat.
        app.clock.advance(chrono::Duration::days(20));
        let again = app.json("POST", "/api/v1/incidents", &council, incident_against("Dana Abbott", "crime-violence-sexual", true, "2026-02-01T21:00:00Z")).await;
        assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
        let (_, v) = assess(&da_case, json!({ "questionnaire": "dash", "answers": dash_answers(app, &council, 0, 0).await, "person_id": da_victim })).await;
        assert_eq!((v["repeat_marac"].as_bool(), v["marac_referral"].as_bool()), (Some(true), Some(true)), "{v}");
        assert!(v["reasons"].as_array().into_iter().flatten().any(|r| r.as_str().unwrap_or("").contains("repeat")), "{v}");
    })
    .await;
}

#[tokio::test]
async fn the_case_page_explains_a_warning_and_asks_dash_about_one_victim() {
    each_engine(async |app: &TestApp| {
        let l = Ladder::new(app, OFFICER).await;
        let old = l
            .accepted(l.to_kyle(
                "community_protection_warning",
                json!({ "issued_on": "2024-12-01", "compliance_by": "2024-12-15" }),
            ))
            .await;
        let me = app.sign_in(OFFICER).await;
        let case_path = format!("/cases/{}", l.case);
        let form = [
            ("kind", "community_protection_notice"),
            ("person_id", l.kyle.as_str()),
            ("conduct", "Noise and threats"),
            ("issued_on", "2026-01-15"),
            ("follows_id", old.as_str()),
        ];
        let res = app.post(&format!("{case_path}/interventions"), Some(&me), Some(&me.csrf), &form).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert!(res.location().contains("warning=cpw_older_than_12_months"), "{}", res.location());
        let page = app.get(res.location(), Some(&me)).await;
        assert!(
            page.body.contains(r#"data-testid="notice""#) && page.body.contains("12 months or more ago"),
            "{}",
            page.body
        );
        let crafted = app.get(&format!("{case_path}?warning=%3Cscript%3E"), Some(&me)).await;
        assert!(
            !crafted.body.contains(r#"data-testid="notice""#) && !crafted.body.contains("<script>"),
            "only known advice is shown"
        );

        // A refusal is shown at the field it is about.
        let bad = [
            ("kind", "fixed_penalty_notice"),
            ("person_id", l.kyle.as_str()),
            ("conduct", "Litter"),
            ("issued_on", "2026-01-15"),
            ("amount", "150"),
        ];
        let res = app.post(&format!("{case_path}/interventions"), Some(&me), Some(&me.csrf), &bad).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains(r##"href="#legal_basis""##), "{}", res.body);

        // DASH asks which victim, and takes "not known".
        let abuse = [("crime-violence-sexual", true, "2025-12-01T21:00:00Z")];
        let (da_case, victim) = case_about(app, &l.token, "Dana Abbott", &abuse).await;
        let risk = app.get(&format!("/cases/{da_case}/risk?questionnaire=dash"), Some(&me)).await;
        assert!(risk.body.contains("Dana Abbott") && risk.body.contains("Not known"), "{}", risk.body);
        let answers = dash_answers(app, &l.token, 0, 1).await;
        let mut fields: Vec<(String, String)> = answers
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| {
                (
                    k.clone(),
                    if v == &json!(true) {
                        "yes".into()
                    } else if v == &json!(false) {
                        "no".into()
                    } else {
                        "not_known".into()
                    },
                )
            })
            .collect();
        fields.push(("questionnaire".into(), "dash".into()));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let res = app.post(&format!("/cases/{da_case}/risk"), Some(&me), Some(&me.csrf), &refs).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "no victim chosen");
        assert!(res.body.contains(r##"href="#person_id""##), "{}", res.body);
        fields.push(("person_id".into(), victim.clone()));
        let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let res = app.post(&format!("/cases/{da_case}/risk"), Some(&me), Some(&me.csrf), &refs).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let list = app.get_bearer(&format!("/api/v1/cases/{da_case}/risk-assessments"), &l.token).await.json();
        assert_eq!(
            (list["items"][0]["person_id"].as_str(), list["items"][0]["not_known"].as_u64()),
            (Some(victim.as_str()), Some(1)),
            "{list}"
        );
    })
    .await;
}

#[tokio::test]
async fn letters_and_notices_are_produced_from_their_templates_and_kept_on_the_case() {
    each_engine(async |app: &TestApp| {
        let l = Ladder::new(app, OFFICER).await;
        let cpw = l.accepted(l.to_kyle("community_protection_warning", json!({ "compliance_by": "2026-01-29" }))).await;
        let letter = async |id: &str, body: Value| {
            app.json("POST", &format!("/api/v1/interventions/{id}/letter"), &l.token, body).await
        };
        let res = letter(&cpw, json!({})).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let doc = res.json();
        assert_eq!(
            (doc["kind"].as_str(), doc["content_type"].as_str()),
            (Some("letter"), Some("application/pdf")),
            "{doc}"
        );
        let pdf =
            app.get_bearer(&format!("/api/v1/documents/{}", doc["id"].as_str().unwrap_or_default()), &l.token).await;
        assert!(pdf.body.starts_with("%PDF-"), "a PDF");
        let listed = app.get_bearer(&format!("/api/v1/cases/{}/documents", l.case), &l.token).await.json();
        assert!(
            listed["items"].as_array().into_iter().flatten().any(|d| d["description"]
                .as_str()
                .unwrap_or("")
                .starts_with("Community Protection Warning to Kyle Example")),
            "{listed}"
        );

        // A closure notice must say where and when the court will hear the application.
        let notice = l.accepted(l.to_business("closure_notice", json!({ "expires_at": "2026-01-16T09:00:00Z" }))).await;
        let res = letter(&notice, json!({})).await;
        assert_eq!(
            (res.status, res.json()["error"]["rule"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("letter_incomplete")),
            "{}",
            res.body
        );
        assert!(res.body.contains("where and when the court"), "{}", res.body);
        let res = letter(&notice, json!({ "hearing": "St Albans Magistrates' Court, 10:00 on 16 January 2026" })).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
        let fpn = l
            .accepted(l.to_kyle("fixed_penalty_notice", json!({ "legal_basis": "litter", "amount_pence": 15000 })))
            .await;
        assert_eq!(letter(&fpn, json!({})).await.json()["error"]["rule"], "letter_unavailable");
        // Another agency cannot produce (or learn of) the council's letters,
        // nor issue one in its own name once the case is shared with it.
        let police = app.token(POLICE).await;
        let theirs = app.json("POST", &format!("/api/v1/interventions/{cpw}/letter"), &police, json!({})).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND);
        let share = json!({ "agency": "HERTS-POLICE", "lawful_basis": "Crime and Disorder Act 1998 s115" });
        assert!(app
            .json("POST", &format!("/api/v1/cases/{}/shares", l.case), &l.token, share)
            .await
            .status
            .is_success());
        let theirs = app.json("POST", &format!("/api/v1/interventions/{cpw}/letter"), &police, json!({})).await;
        assert_eq!(theirs.status, StatusCode::FORBIDDEN, "{}", theirs.body);

        // From the case page.
        let me = app.sign_in(OFFICER).await;
        let form = [("case", l.case.as_str())];
        let res = app.post(&format!("/interventions/{cpw}/letter"), Some(&me), Some(&me.csrf), &form).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert!(res.location().ends_with("#documents"), "{}", res.location());
        let res = app.post(&format!("/interventions/{notice}/letter"), Some(&me), Some(&me.csrf), &form).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains(&format!(r##"href="#hearing-{notice}""##)), "{}", res.body);
        let hearing = format!("hearing-{notice}");
        let res = app
            .post(
                &format!("/interventions/{notice}/letter"),
                Some(&me),
                Some(&me.csrf),
                &[
                    ("case", l.case.as_str()),
                    (hearing.as_str(), "St Albans Magistrates' Court, 10:00 on 16 January 2026"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = app.get(&format!("/cases/{}", l.case), Some(&me)).await;
        assert!(page.body.contains("Closure Notice to The Crown"), "{}", page.body);
    })
    .await;
}

#[tokio::test]
async fn the_council_is_reminded_once_before_an_order_ends() {
    each_engine(async |app: &TestApp| {
        let council = app.token(OFFICER).await;
        let made = app.json("POST", "/api/v1/pspos", &council, order(json!({ "ends_on": "2026-04-15" }))).await;
        assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
        let schedule = safetynet_domain::notification::Schedule::default();
        // 15 January: 90 days ahead reaches 15 April, the last day.
        let q = safetynet_app::notify::queue_due(&app.store, schedule, start()).await.expect("queue");
        assert!(q.pspos >= 1, "the council's case workers: {q:?}");
        let again = safetynet_app::notify::queue_due(&app.store, schedule, start()).await.expect("queue");
        assert_eq!(again.pspos, 0, "once per order and last day");
        let short = safetynet_domain::notification::Schedule { pspo_days: 89, ..schedule };
        let other = app
            .json("POST", "/api/v1/pspos", &council, order(json!({ "ends_on": "2026-04-15", "title": "Second order" })))
            .await;
        assert_eq!(other.status, StatusCode::CREATED);
        let q = safetynet_app::notify::queue_due(&app.store, short, start()).await.expect("queue");
        assert_eq!(q.pspos, 0, "89 days ahead stops the day before its last day");
    })
    .await;
}
