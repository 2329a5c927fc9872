//! The storage conformance suite: the same behaviour from the `Store` API on
//! SQLite and PostgreSQL (set SAFETYNET_TEST_POSTGRES_URL for the latter).

use safetynet_domain::audit::{AuditAction, AuditEvent};
use safetynet_domain::lockout::{SessionPolicy, LOCK_AFTER_FAILURES, LOCK_FOR_MS};
use safetynet_domain::partnership::{Agency, AgencyCode, AgencyKind, Email};
use safetynet_domain::policeuk::{PoliceUkReader, Row};
use safetynet_domain::policy::{AuthMethod, ManageAgencies, ManageUsers, Principal};
use safetynet_domain::role::Role;
use safetynet_store::crimes::{begin_staging, merge_staged, stage_outcomes, stage_street, CrimeFilter};
use safetynet_store::sessions::LoginFailure;
use safetynet_store::testing::{engines, fresh};
use safetynet_store::users::{Actor, NewUser};
use safetynet_store::{DatabaseUrl, Store, StoreError};

const T0: i64 = 1_768_467_600_000; // 2026-01-15 09:00 UTC

struct Db {
    store: Store,
    url: String,
    _dir: tempfile::TempDir,
}

async fn each(f: impl AsyncFn(&Db)) {
    for engine in engines() {
        let dir = tempfile::tempdir().expect("dir");
        let (store, url) = fresh(engine, dir.path()).await.expect("fresh");
        f(&Db { store, url, _dir: dir }).await;
    }
}

fn event(detail: &str) -> AuditEvent {
    AuditEvent {
        user_id: None,
        agency: None,
        action: AuditAction::View,
        record_type: "test".into(),
        record_id: None,
        detail: detail.into(),
        source: "test".into(),
    }
}

async fn seed_user(store: &Store, email: &str, agency: &str) -> (String, Principal) {
    let op = Principal::operator();
    let actor = Actor { principal: &op, at_ms: T0, source: "test" };
    if store.agency(agency).await.is_err() {
        let a =
            Agency { code: AgencyCode::parse(agency).expect("code"), name: agency.into(), kind: AgencyKind::Partner };
        store.save_agency(&op.permit::<ManageAgencies>().expect("permit"), &a, T0, "test").await.expect("agency");
    }
    let user = NewUser {
        email: Email::parse(email).expect("email"),
        display_name: "Test User".into(),
        agency: AgencyCode::parse(agency).expect("code"),
        roles: vec![Role::CaseOfficer],
        password_hash: "$argon2id$not-a-real-hash".into(),
    };
    let id = store.create_user(&op.permit::<ManageUsers>().expect("permit"), &user, &actor).await.expect("user");
    let p = store.principal(&id, AuthMethod::Session).await.expect("db").expect("active");
    (id, p)
}

#[tokio::test]
async fn migrations_are_idempotent_and_reopening_keeps_data() {
    each(async |db: &Db| {
        db.store.audit(T0, &event("{}")).await.expect("audit");
        db.store.migrate().await.expect("again");
        let reopened = Store::open(&DatabaseUrl::parse(&db.url).expect("url")).await.expect("reopen");
        assert_eq!(reopened.audit_len().await.expect("len"), 1);
        reopened.ping().await.expect("ping");
    })
    .await;
}

#[tokio::test]
async fn users_agencies_and_conflicts() {
    each(async |db: &Db| {
        let (id, p) = seed_user(&db.store, "a@x.gov.uk", "AG-ONE").await;
        assert_eq!(p.agency, "AG-ONE");
        assert_eq!(p.roles, vec![Role::CaseOfficer]);
        let op = Principal::operator();
        let permit = op.permit::<ManageUsers>().expect("permit");
        let actor = Actor { principal: &op, at_ms: T0, source: "test" };
        let dup = NewUser {
            email: Email::parse("A@X.gov.uk").expect("email"),
            display_name: "Dup".into(),
            agency: AgencyCode::parse("AG-ONE").expect("code"),
            roles: vec![],
            password_hash: "x".into(),
        };
        assert!(matches!(db.store.create_user(&permit, &dup, &actor).await, Err(StoreError::Conflict(_))));
        let nowhere = NewUser {
            email: Email::parse("b@x.gov.uk").expect("email"),
            agency: AgencyCode::parse("NOPE").expect("code"),
            ..dup
        };
        assert!(matches!(db.store.create_user(&permit, &nowhere, &actor).await, Err(StoreError::NotFound("agency"))));
        db.store.set_roles(&permit, &id, &[Role::Auditor, Role::AgencyViewer], &actor).await.expect("roles");
        let p = db.store.principal(&id, AuthMethod::Session).await.expect("db").expect("p");
        assert_eq!(p.roles, vec![Role::AgencyViewer, Role::Auditor]);
        db.store.set_active(&permit, &id, false, &actor).await.expect("deactivate");
        assert!(db.store.principal(&id, AuthMethod::Session).await.expect("db").is_none());
        assert!(matches!(db.store.set_roles(&permit, "missing", &[], &actor).await, Err(StoreError::NotFound("user"))));
        let renamed = Agency {
            code: AgencyCode::parse("AG-ONE").expect("code"),
            name: "Renamed".into(),
            kind: AgencyKind::ResponsibleAuthority,
        };
        db.store
            .save_agency(&op.permit::<ManageAgencies>().expect("permit"), &renamed, T0, "test")
            .await
            .expect("rename");
        assert_eq!(db.store.agency("AG-ONE").await.expect("agency").name, "Renamed");
    })
    .await;
}

#[tokio::test]
async fn lockout_sessions_and_tokens() {
    each(async |db: &Db| {
        let (id, p) = seed_user(&db.store, "a@x.gov.uk", "AG-ONE").await;
        let email = Email::parse("a@x.gov.uk").expect("email");
        for i in 0..LOCK_AFTER_FAILURES {
            assert!(
                db.store.login_record(&email).await.expect("db").expect("rec").locked_until_ms.is_none(),
                "not yet locked after {i}"
            );
            db.store
                .record_login_failure(Some(&id), Some("AG-ONE"), LoginFailure::BadPassword, "10.0.0.1", T0)
                .await
                .expect("fail");
        }
        assert_eq!(
            db.store.login_record(&email).await.expect("db").expect("rec").locked_until_ms,
            Some(T0 + LOCK_FOR_MS)
        );
        assert!(!db.store.is_throttled("10.0.0.1", T0).await.expect("db"));
        for _ in 0..20 {
            db.store
                .record_login_failure(None, None, LoginFailure::UnknownAccount, "10.0.0.2", T0)
                .await
                .expect("fail");
        }
        assert!(db.store.is_throttled("10.0.0.2", T0).await.expect("db"));
        assert!(!db.store.is_throttled("10.0.0.2", T0 + 16 * 60_000).await.expect("db"));

        let policy = SessionPolicy { idle_ms: 1_000, absolute_ms: 5_000 };
        db.store.start_session(&p, "hash-1", policy, "10.0.0.1", T0).await.expect("session");
        assert!(
            db.store.login_record(&email).await.expect("db").expect("rec").locked_until_ms.is_none(),
            "success clears the lock count"
        );
        assert!(db.store.session_principal("hash-1", policy, T0 + 900).await.expect("db").is_some());
        assert!(db.store.session_principal("hash-1", policy, T0 + 2_000).await.expect("db").is_none(), "idle");
        let long = SessionPolicy { idle_ms: 10_000, absolute_ms: 5_000 };
        db.store.start_session(&p, "hash-2", long, "10.0.0.1", T0).await.expect("session");
        assert!(db.store.session_principal("hash-2", long, T0 + 4_000).await.expect("db").is_some());
        assert!(db.store.session_principal("hash-2", long, T0 + 5_000).await.expect("db").is_none(), "absolute");
        db.store.start_session(&p, "hash-3", long, "10.0.0.1", T0).await.expect("session");
        db.store.end_session(&Actor { principal: &p, at_ms: T0, source: "x" }, "hash-3").await.expect("end");
        assert!(db.store.session_principal("hash-3", long, T0).await.expect("db").is_none(), "revoked");
        assert!(db.store.session_principal("unknown", long, T0).await.expect("db").is_none());

        let actor = Actor { principal: &p, at_ms: T0, source: "x" };
        let tid = db.store.create_api_token(&actor, "tok-hash", T0 + 1_000).await.expect("token");
        assert!(db.store.token_principal("tok-hash", T0 + 999).await.expect("db").is_some());
        assert!(db.store.token_principal("tok-hash", T0 + 1_000).await.expect("db").is_none(), "expired");
        db.store.create_api_token(&actor, "tok-2", T0 + 100_000).await.expect("token");
        let tokens = db.store.api_tokens(&id).await.expect("list");
        assert_eq!(tokens.len(), 2);
        db.store.revoke_api_token(&actor, &tokens.iter().find(|t| t.id != tid).expect("t").id).await.expect("revoke");
        assert!(db.store.token_principal("tok-2", T0).await.expect("db").is_none(), "revoked");
    })
    .await;
}

#[tokio::test]
async fn concurrent_audit_writers_keep_one_unbroken_chain() {
    each(async |db: &Db| {
        let mut tasks = Vec::new();
        for i in 0..24 {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move { store.audit(T0 + i, &event(&format!("{{\"i\":{i}}}"))).await }));
        }
        for t in tasks {
            t.await.expect("join").expect("audit");
        }
        assert_eq!(db.store.audit_len().await.expect("len"), 24);
        assert_eq!(db.store.verify_audit().await.expect("verify"), Ok(24));
    })
    .await;
}

#[tokio::test]
async fn a_transaction_dropped_without_commit_leaves_nothing() {
    each(async |db: &Db| {
        {
            let mut tx = db.store.write().await.expect("tx");
            safetynet_store::audit::append(&mut tx, T0, &event("{}")).await.expect("append");
            // dropped: as if the process died mid-write
        }
        assert_eq!(db.store.audit_len().await.expect("len"), 0);
        assert_eq!(db.store.verify_audit().await.expect("verify"), Ok(0));
    })
    .await;
}

const STREET: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context
c1,2021-01,Herts,Herts,-0.33,51.75,On or near A,E01000001,St Albans 001A,Burglary,Under investigation,
,2021-01,Herts,Herts,-0.33,51.75,On or near A,E01000001,St Albans 001A,Anti-social behaviour,,
,2021-01,Herts,Herts,-0.33,51.75,On or near A,E01000001,St Albans 001A,Anti-social behaviour,,
c2,2021-02,Herts,Herts,,,No location,E01000002,St Albans 002A,Burglary,Under investigation,
c3,2021-02,Herts,Herts,-0.34,51.76,On or near B,E01000002,St Albans 002A,Drugs,,'; DROP TABLE users; --
";
const OUTCOMES: &str =
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type
c1,2021-03,Herts,Herts,-0.33,51.75,On or near A,E01000001,St Albans 001A,Suspect charged
";

async fn load(store: &Store, text: &str) -> u64 {
    let mut reader = PoliceUkReader::new(text.as_bytes()).expect("header");
    let (mut street, mut outcomes) = (Vec::new(), Vec::new());
    while let Some(row) = reader.next_row() {
        match row.expect("valid") {
            Row::Street(s) => street.push(s),
            Row::Outcome(o) => outcomes.push(o),
        }
    }
    let mut tx = store.write().await.expect("tx");
    begin_staging(&mut tx).await.expect("stage");
    stage_street(&mut tx, &street).await.expect("street");
    stage_outcomes(&mut tx, &outcomes).await.expect("outcomes");
    let added = merge_staged(&mut tx).await.expect("merge");
    tx.commit().await.expect("commit");
    added
}

#[tokio::test]
async fn police_rows_load_idempotently_and_query_alike() {
    each(async |db: &Db| {
        assert_eq!(load(&db.store, STREET).await, 5);
        assert_eq!(load(&db.store, OUTCOMES).await, 1);
        assert_eq!(load(&db.store, STREET).await, 0, "re-import adds nothing");
        assert_eq!(db.store.police_row_counts().await.expect("counts"), (5, 1));
        let m = |s: &str| safetynet_domain::month::Month::parse(s).ok();
        let (rows, total) = db
            .store
            .crimes(&CrimeFilter { from: m("2021-01"), to: m("2021-01"), ..Default::default() }, 10, 0)
            .await
            .expect("q");
        assert_eq!(total, 3);
        assert_eq!(rows.iter().filter(|r| r.crime_type == "Anti-social behaviour").count(), 2, "genuine repeats kept");
        let burglary = rows.iter().find(|r| r.crime_id.as_deref() == Some("c1")).expect("c1");
        assert_eq!(burglary.outcomes.len(), 1);
        assert_eq!(burglary.outcomes[0].outcome_type, "Suspect charged");
        let (_, by_lsoa) = db
            .store
            .crimes(&CrimeFilter { lsoa: Some("St Albans 002A".into()), ..Default::default() }, 10, 0)
            .await
            .expect("q");
        assert_eq!(by_lsoa, 2);
        let (_, by_code) = db
            .store
            .crimes(&CrimeFilter { lsoa: Some("E01000002".into()), ..Default::default() }, 10, 0)
            .await
            .expect("q");
        assert_eq!(by_code, 2);
        let (page2, _) = db.store.crimes(&CrimeFilter::default(), 2, 2).await.expect("q");
        assert_eq!(page2.len(), 2);
        let (_, none) = db
            .store
            .crimes(&CrimeFilter { crime_type: Some("' OR '1'='1".into()), ..Default::default() }, 10, 0)
            .await
            .expect("q");
        assert_eq!(none, 0);
        assert_eq!(
            db.store.crime_points(&CrimeFilter::default(), 100).await.expect("points").len(),
            4,
            "no-location row has no point"
        );
        let counts = db.store.crime_type_counts(m("2021-02").expect("m")).await.expect("counts");
        let burg = counts.iter().find(|c| c.crime_type == "Burglary").expect("burglary");
        assert_eq!((burg.count, burg.previous), (1, 1));
        let totals = db.store.crime_monthly_totals().await.expect("totals");
        assert_eq!(
            totals.iter().map(|(m, n)| (m.to_string(), *n)).collect::<Vec<_>>(),
            vec![("2021-01".into(), 3), ("2021-02".into(), 2)]
        );
        assert_eq!(db.store.crime_types().await.expect("types").len(), 3);
        assert_eq!(db.store.crime_lsoas().await.expect("lsoas").len(), 2);
        assert_eq!(db.store.crime_months().await.expect("months").len(), 2);
        assert!(db.store.agencies().await.is_ok(), "users table survived the Context text");
    })
    .await;
}
