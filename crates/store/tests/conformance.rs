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
use safetynet_store::testing::{engines, fresh, read_key_file};
use safetynet_store::users::{Actor, NewUser};
use safetynet_store::{DatabaseUrl, Store, StoreError};

const T0: i64 = 1_768_467_600_000; // 2026-01-15 09:00 UTC

struct Db {
    store: Store,
    url: String,
    key_file: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn each(f: impl AsyncFn(&Db)) {
    for engine in engines() {
        let dir = tempfile::tempdir().expect("dir");
        let (store, url, key_file) = fresh(engine, dir.path()).await.expect("fresh");
        f(&Db { store, url, key_file, _dir: dir }).await;
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
        let a = Agency {
            code: AgencyCode::parse(agency).expect("code"),
            name: agency.into(),
            kind: AgencyKind::Partner,
            sector: None,
        };
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
        let key = read_key_file(&db.key_file).expect("key");
        let reopened = Store::open(&DatabaseUrl::parse(&db.url).expect("url"), key).await.expect("reopen");
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
            sector: Some(safetynet_domain::powers::Sector::Council),
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
        let mut seqs = Vec::new();
        for t in tasks {
            seqs.push(t.await.expect("join").expect("audit"));
        }
        // Readers share commits (group commit), but each gets its own row.
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=24).collect::<Vec<i64>>());
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

async fn audit_rows(store: &Store, n: i64) {
    for i in 0..n {
        store.audit(T0 + i, &event(&format!("{{\"i\":{i}}}"))).await.expect("audit");
    }
}

#[tokio::test]
async fn a_row_edited_and_rechained_without_the_key_is_caught() {
    use safetynet_domain::audit::ChainBreak;
    use safetynet_store::testing::{tamper_audit, Tamper};
    each(async |db: &Db| {
        audit_rows(&db.store, 5).await;
        assert_eq!(db.store.verify_audit().await.expect("verify"), Ok(5));
        // Edit row 3, re-chain rows 3..5 with plain SHA-256 and move the head:
        // consistent for anyone without the key, but not under it.
        tamper_audit(&db.store, Tamper::EditAndRechain(3)).await.expect("tamper");
        assert_eq!(db.store.verify_audit().await.expect("verify"), Err(ChainBreak::Altered { seq: 3 }));
    })
    .await;
}

#[tokio::test]
async fn removing_the_newest_rows_and_resetting_the_head_is_caught_by_a_checkpoint() {
    use safetynet_domain::audit::{ChainBreak, CheckpointFile};
    use safetynet_store::testing::{tamper_audit, Tamper};
    each(async |db: &Db| {
        assert_eq!(db.store.audit_checkpoint(T0).await.expect("db").map(|c| c.seq), Ok(0), "empty trail");
        audit_rows(&db.store, 5).await;
        let cp = db.store.audit_checkpoint(T0 + 10).await.expect("db").expect("intact");
        assert_eq!((cp.seq, cp.at_ms), (5, T0 + 10));
        // Written and read back as a signed file.
        let file = CheckpointFile::parse(&cp.sign(db.store.audit_key()).to_text()).expect("parse");
        let cp = file.verify(db.store.audit_key()).expect("signature");
        assert_eq!(db.store.verify_audit_with(Some(&cp)).await.expect("verify"), Ok(5));
        // Later rows are fine: the checkpoint only fixes the past.
        audit_rows(&db.store, 1).await;
        assert_eq!(db.store.verify_audit_with(Some(&cp)).await.expect("verify"), Ok(6));
        tamper_audit(&db.store, Tamper::RemoveNewest { keep: 3 }).await.expect("tamper");
        // Without the checkpoint the shortened trail looks whole...
        assert_eq!(db.store.verify_audit().await.expect("verify"), Ok(3));
        // ...with it, the removal is named.
        assert_eq!(
            db.store.verify_audit_with(Some(&cp)).await.expect("verify"),
            Err(ChainBreak::BeforeCheckpoint { last: 3, checkpoint: 5 })
        );
    })
    .await;
}

#[tokio::test]
async fn the_audit_trail_and_its_head_refuse_changes_deletes_and_truncation() {
    use safetynet_store::testing::{try_delete_audit, try_edit_audit, try_reset_audit_head, try_truncate_audit};
    each(async |db: &Db| {
        audit_rows(&db.store, 4).await;
        assert!(try_edit_audit(&db.store, 2).await.is_err(), "update refused");
        assert!(try_delete_audit(&db.store, 4).await.is_err(), "delete refused");
        // On PostgreSQL TRUNCATE fires no row trigger: a statement trigger
        // refuses it, even for the owner (the test user is a superuser).
        assert!(try_truncate_audit(&db.store).await.is_err(), "truncate refused");
        assert!(try_reset_audit_head(&db.store, 2).await.is_err(), "the head cannot be set back");
        assert_eq!(db.store.audit_len().await.expect("len"), 4);
        assert_eq!(db.store.verify_audit().await.expect("verify"), Ok(4));
        audit_rows(&db.store, 1).await;
        assert_eq!(db.store.verify_audit().await.expect("verify"), Ok(5), "appending still moves the head");
        // Many rows appended at once move the head at once, but never past a
        // missing row, nor short of the newest.
        let tasks: Vec<_> = (0..20)
            .map(|i| {
                let store = db.store.clone();
                tokio::spawn(async move { store.audit(T0 + i, &event("{}")).await })
            })
            .collect();
        for t in tasks {
            t.await.expect("join").expect("audit");
        }
        assert_eq!(db.store.verify_audit().await.expect("verify"), Ok(25));
        {
            use safetynet_store::{sql::Q, Exec};
            let mut conn = db.store.conn().await.expect("conn");
            let stray = "INSERT INTO audit_log (seq, at, action, record_type, detail, source, prev_hash, hash)
                         VALUES (27, 0, 'view', 'test', '{}', 'test', 'x', 'stray')";
            conn.execute(&Q::new(stray)).await.expect("a row can be appended");
        }
        assert!(try_reset_audit_head(&db.store, 27).await.is_err(), "the head cannot skip the missing row 26");
        assert!(try_reset_audit_head(&db.store, 24).await.is_err(), "nor stop short of the newest row");
    })
    .await;
}

#[tokio::test]
async fn a_trail_written_with_another_key_fails_at_its_first_row() {
    use safetynet_domain::audit::{AuditKey, ChainBreak};
    each(async |db: &Db| {
        assert!(db.store.audit_key_matches().await.expect("db"), "an empty trail matches any key");
        audit_rows(&db.store, 3).await;
        assert!(db.store.audit_key_matches().await.expect("db"));
        let url = DatabaseUrl::parse(&db.url).expect("url");
        let other = Store::open(&url, AuditKey::generate()).await.expect("open");
        assert!(!other.audit_key_matches().await.expect("db"));
        let broken = other.verify_audit().await.expect("verify");
        assert_eq!(broken, Err(ChainBreak::Altered { seq: 1 }));
        assert!(broken.err().map(|b| b.to_string()).unwrap_or_default().contains("different key"));
        other.close().await;
    })
    .await;
}

#[tokio::test]
async fn the_app_role_may_append_to_the_audit_trail_but_not_change_or_truncate_it() {
    use safetynet_store::testing::{
        create_login_role, drop_login_role, tamper_audit, try_delete_audit, try_edit_audit, try_reset_audit_head,
        try_truncate_audit, Tamper,
    };
    each(async |db: &Db| {
        if db.store.engine() == safetynet_store::Engine::Sqlite {
            let e = db.store.grant_app_role("safetynet_app").await.expect_err("no roles in SQLite");
            assert!(e.to_string().contains("PostgreSQL"), "{e}");
            return;
        }
        audit_rows(&db.store, 2).await;
        let (role, app_url) = create_login_role(&db.store, &db.url).await.expect("role");
        // Before the grants the role can do nothing with the tables.
        let key = || read_key_file(&db.key_file).expect("key");
        let url = DatabaseUrl::parse(&app_url).expect("url");
        assert!(Store::open(&url, key()).await.is_err(), "no rights yet");
        // Refused: unknown roles, bad names, and the owner itself.
        assert!(db.store.grant_app_role("sn_no_such_role").await.is_err());
        assert!(db.store.grant_app_role("x; DROP TABLE users").await.is_err());
        assert!(db.store.grant_app_role("postgres").await.is_err(), "the owner (or a superuser) is refused");
        db.store.grant_app_role(&role).await.expect("grant");
        db.store.grant_app_role(&role).await.expect("grant again (idempotent)");
        let app = Store::open(&url, key()).await.expect("the app role opens a migrated database");
        // Ordinary application writes work, audited in the same transaction.
        let (_, principal) = seed_user(&app, "app.role@x.gov.uk", "AG-APP").await;
        assert_eq!(principal.agency, "AG-APP");
        let seq = app.audit(T0, &event("{}")).await.expect("append");
        assert!(seq > 2);
        assert_eq!(app.verify_audit().await.expect("verify"), Ok(seq));
        // The audit trail itself: no UPDATE, DELETE or TRUNCATE, no dropping
        // its triggers, no moving the head back.
        assert!(try_edit_audit(&app, 1).await.is_err(), "update");
        let e = try_delete_audit(&app, seq).await.expect_err("delete");
        assert!(e.to_string().contains("permission denied"), "{e}");
        let e = try_truncate_audit(&app).await.expect_err("truncate");
        assert!(e.to_string().contains("permission denied"), "{e}");
        assert!(tamper_audit(&app, Tamper::RemoveNewest { keep: 1 }).await.is_err(), "dropping triggers");
        assert!(try_reset_audit_head(&app, 1).await.is_err(), "head reset");
        assert_eq!(app.verify_audit().await.expect("verify"), Ok(seq));
        // TRUNCATE is refused for the owner too.
        let e = try_truncate_audit(&db.store).await.expect_err("owner truncate");
        assert!(e.to_string().contains("append-only"), "{e}");
        assert_eq!(db.store.audit_len().await.expect("len"), seq);
        app.close().await;
        drop_login_role(&db.store, &role).await.expect("drop role");
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

/// The browser's totals come from counts the importer keeps: after every
/// import (new months, more rows for a month already held, a repeat) they
/// equal a count of the rows, for every filter.
#[tokio::test]
async fn the_kept_crime_counts_match_the_rows_after_every_import() {
    use safetynet_store::{sql::Q, Exec};
    const MORE: &str = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context
c9,2021-01,Herts,Herts,-0.33,51.75,On or near C,E01000001,St Albans 001A,Burglary,Under investigation,
c10,2021-03,Herts,Herts,-0.33,51.75,On or near C,E01000001,St Albans 001A,Drugs,,
";
    each(async |db: &Db| {
        let m = |s: &str| safetynet_domain::month::Month::parse(s).ok();
        let filters = [
            CrimeFilter::default(),
            CrimeFilter { from: m("2021-01"), to: m("2021-01"), ..Default::default() },
            CrimeFilter { from: m("2021-02"), ..Default::default() },
            CrimeFilter { crime_type: Some("Burglary".into()), ..Default::default() },
            CrimeFilter { to: m("2021-02"), crime_type: Some("Drugs".into()), ..Default::default() },
        ];
        for text in [STREET, MORE, STREET, MORE] {
            load(&db.store, text).await;
            for f in &filters {
                let (_, total) = db.store.crimes(f, 1, 0).await.expect("page");
                let mut q = Q::new("SELECT COUNT(*) AS n FROM police_crimes WHERE 1 = 1");
                if let Some(from) = f.from {
                    q.push(" AND month >= ").arg(from.to_string());
                }
                if let Some(to) = f.to {
                    q.push(" AND month <= ").arg(to.to_string());
                }
                if let Some(t) = &f.crime_type {
                    q.push(" AND crime_type = ").arg(t.as_str());
                }
                let counted = db.store.conn().await.expect("conn").one(&q).await.expect("count").int("n").expect("n");
                assert_eq!(total, counted, "{f:?}");
            }
        }
        let (_, all) = db.store.crimes(&CrimeFilter::default(), 1, 0).await.expect("page");
        assert_eq!(all, 7, "five rows, then two more; repeats add nothing");
        // The dashboard's totals and the browser's lists come from what the
        // importer keeps: they must match the rows.
        let count = async |sql: &str| -> i64 {
            let mut conn = db.store.conn().await.expect("conn");
            conn.one(&Q::new(sql)).await.expect("count").int("n").expect("n")
        };
        let crimes = count("SELECT COUNT(*) AS n FROM police_crimes").await;
        let outcomes = count("SELECT COUNT(*) AS n FROM police_outcomes").await;
        assert_eq!(db.store.police_row_counts().await.expect("totals"), (crimes, outcomes));
        let months = db.store.crime_monthly_totals().await.expect("monthly");
        assert_eq!(months.iter().map(|(_, n)| n).sum::<i64>(), crimes);
        let lsoas = count("SELECT COUNT(DISTINCT lsoa_code) AS n FROM police_crimes WHERE lsoa_code <> ''").await;
        assert_eq!(db.store.crime_lsoas().await.expect("lsoas").len() as i64, lsoas);
        let types = count("SELECT COUNT(DISTINCT crime_type) AS n FROM police_crimes").await;
        assert_eq!(db.store.crime_types().await.expect("types").len() as i64, types);
        let (page, _) = db.store.crimes(&CrimeFilter::default(), 7, 0).await.expect("page");
        let order: Vec<(String, String)> = page.iter().map(|c| (c.month.clone(), c.crime_type.clone())).collect();
        let mut sorted = order.clone();
        sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        assert_eq!(order, sorted, "newest month first, then type");
    })
    .await;
}

/// Dates come back from the store as dates: a stored day that is not a
/// `YYYY-MM-DD` date is a decoding error naming its column, never a string
/// that sorts wrongly or a default day.
#[tokio::test]
async fn a_stored_date_that_is_not_a_date_is_an_error_naming_its_column() {
    use safetynet_store::{sql::Q, Exec};
    each(async |db: &Db| {
        let mut conn = db.store.conn().await.expect("conn");
        conn.execute(&Q::new(
            "INSERT INTO meeting_series (code, kind, title, agenda, created_at) VALUES ('jag-x', 'jag', 'JAG', '[]', 0)",
        ))
        .await
        .expect("series");
        for (id, held_on) in [("m-good", "2026-01-22"), ("m-bad", "22/01/2026")] {
            conn.execute(
                &Q::new("INSERT INTO meetings (id, series_code, held_on, location, minutes, created_at) VALUES ($1, 'jag-x', $2, '', '', 0)")
                    .bind(id)
                    .bind(held_on),
            )
            .await
            .expect("meeting");
        }
        drop(conn);
        let good = db.store.meeting("m-good").await.expect("a well-formed meeting reads");
        assert_eq!(good.held_on, chrono::NaiveDate::from_ymd_opt(2026, 1, 22).expect("day"));
        let err = db.store.meeting("m-bad").await.expect_err("a malformed date is refused").to_string();
        assert!(err.contains("held_on") && err.contains("22/01/2026"), "{err}");
    })
    .await;
}

/// A request whose client goes away while its write transaction is being
/// begun must not leave that connection inside a transaction: every later
/// write on it would fail ("begin_with at non-zero transaction depth").
#[tokio::test]
async fn a_write_cancelled_while_it_begins_leaves_no_connection_in_a_transaction() {
    each(async |db: &Db| {
        for i in 0..400u64 {
            let _ = tokio::time::timeout(std::time::Duration::from_micros(i % 97), db.store.write()).await;
        }
        // Every connection of the pool is used again, each for a write.
        for n in 0..40 {
            db.store.audit(T0 + n, &event("after cancellations")).await.expect("every later write succeeds");
        }
    })
    .await;
}

/// A read is audited while its handler may still hold a pooled connection:
/// with every connection of the pool held that way, the audit row must
/// still be written (the writer has a connection of its own) instead of
/// waiting for a pooled one that none of the holders will give back.
#[tokio::test]
async fn a_read_is_audited_while_every_pooled_connection_is_held() {
    each(async |db: &Db| {
        let mut held = Vec::new();
        for _ in 0..db.store.pool_use().max {
            held.push(db.store.conn().await.expect("conn"));
        }
        let audited = tokio::time::timeout(std::time::Duration::from_secs(5), db.store.audit(T0, &event("{}"))).await;
        assert!(matches!(audited, Ok(Ok(_))), "the audit row waited for a pooled connection: {audited:?}");
        drop(held);
        assert_eq!(db.store.verify_audit().await.expect("verify"), Ok(1));
    })
    .await;
}
