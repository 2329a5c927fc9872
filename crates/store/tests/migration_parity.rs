//! The twin migration folders (`migrations/sqlite`, `migrations/postgres`)
//! must give the same schema: the same tables, columns with the same
//! normalised types and nullability, primary keys, unique constraints and
//! indexes (names, columns in order, unique, partial). Every difference is
//! reported by name. Needs SAFETYNET_TEST_POSTGRES_URL; without it the test
//! says so and passes (under CI a missing URL fails, as everywhere else).

use safetynet_store::sql::{Row, Q};
use safetynet_store::testing::{engines, fresh};
use safetynet_store::{Engine, Exec, Store};
use std::collections::{BTreeMap, BTreeSet};

/// A column's normalised type and nullability.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    ty: String,
    not_null: bool,
}

/// An index made by `CREATE INDEX` (compared by name).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Index {
    columns: Vec<String>,
    unique: bool,
    partial: bool,
}

#[derive(Debug, Default)]
struct Table {
    columns: BTreeMap<String, Column>,
    primary_key: Vec<String>,
    /// Column lists of `UNIQUE` constraints (unnamed in SQLite, so compared by columns).
    unique_constraints: BTreeSet<Vec<String>>,
    indexes: BTreeMap<String, Index>,
}

type Schema = BTreeMap<String, Table>;

/// Columns allowed to differ, each with its reason: (table, column, SQLite type, PostgreSQL type).
const EXCEPTIONS: &[(&str, &str, &str, &str)] = &[
    // Declared INTEGER in the first SQLite migration, BOOLEAN in PostgreSQL. SQLite has no
    // boolean storage class: a BOOLEAN column holds the same 0 and 1 integers, and sqlx reads
    // either as `bool`, which is how the code reads it (`Row::boolean`). Changing a declared
    // type in SQLite means rebuilding `users` and every table with a foreign key to it, for
    // no change in behaviour.
    ("users", "active", "integer", "boolean"),
];

/// Types as both engines' code reads them: the storage class, not the spelling.
fn normalise(declared: &str) -> String {
    let t = declared.trim().to_ascii_lowercase();
    let base = t.split('(').next().unwrap_or("").trim();
    match base {
        "text" | "varchar" | "character varying" | "char" | "character" | "clob" => "text",
        // SQLite integers are 64-bit whatever the spelling; PostgreSQL's must be bigint,
        // which sqlx reads as i64 (an `integer`/int4 column would fail to decode).
        "integer" | "int" | "bigint" | "int8" => "integer",
        "real" | "double" | "double precision" | "float8" => "real",
        "blob" | "bytea" => "blob",
        "boolean" | "bool" => "boolean",
        other => return other.to_string(),
    }
    .to_string()
}

fn text(r: &Row, col: &str) -> String {
    r.text(col).unwrap_or_else(|e| panic!("column {col}: {e}"))
}

async fn sqlite_schema(store: &Store) -> Schema {
    let mut conn = store.conn().await.expect("conn");
    let mut schema = Schema::new();
    let tables = conn
        .all(&Q::new(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '_sqlx_%' ORDER BY name",
        ))
        .await
        .expect("tables");
    for t in tables {
        let name = text(&t, "name");
        let mut table = Table::default();
        let cols = conn
            .all(
                &Q::new("SELECT name, type, \"notnull\" AS not_null, pk FROM pragma_table_info($1)").bind(name.clone()),
            )
            .await
            .expect("columns");
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in cols {
            let col = text(&c, "name");
            let in_pk = c.int("pk").expect("pk");
            if in_pk > 0 {
                pk.push((in_pk, col.clone()));
            }
            // A primary key column is never null (SQLite allows it in old-style tables; we never write one).
            let not_null = c.int("not_null").expect("notnull") != 0 || in_pk > 0;
            table.columns.insert(col, Column { ty: normalise(&text(&c, "type")), not_null });
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        let indexes = conn
            .all(
                &Q::new("SELECT name, \"unique\" AS is_unique, origin, partial FROM pragma_index_list($1)")
                    .bind(name.clone()),
            )
            .await
            .expect("indexes");
        for i in indexes {
            let index = text(&i, "name");
            let columns: Vec<String> = conn
                .all(&Q::new("SELECT name FROM pragma_index_info($1) ORDER BY seqno").bind(index.clone()))
                .await
                .expect("index columns")
                .iter()
                .map(|r| r.opt_text("name").expect("name").unwrap_or_else(|| "(expression)".into()))
                .collect();
            match text(&i, "origin").as_str() {
                "pk" => {}
                "u" => {
                    table.unique_constraints.insert(columns);
                }
                _ => {
                    let unique = i.int("is_unique").expect("unique") != 0;
                    let partial = i.int("partial").expect("partial") != 0;
                    table.indexes.insert(index, Index { columns, unique, partial });
                }
            }
        }
        schema.insert(name, table);
    }
    schema
}

async fn postgres_schema(store: &Store) -> Schema {
    let mut conn = store.conn().await.expect("conn");
    let mut schema = Schema::new();
    let cols = conn
        .all(&Q::new(
            "SELECT c.table_name::text AS table_name, c.column_name::text AS column_name, \
                    c.data_type::text AS data_type, (c.is_nullable = 'NO') AS not_null \
             FROM information_schema.columns c \
             JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name \
             WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' \
               AND c.table_name NOT LIKE '\\_sqlx\\_%' ORDER BY 1, c.ordinal_position",
        ))
        .await
        .expect("columns");
    for c in cols {
        let table = schema.entry(text(&c, "table_name")).or_default();
        table.columns.insert(
            text(&c, "column_name"),
            Column { ty: normalise(&text(&c, "data_type")), not_null: c.boolean("not_null").expect("not null") },
        );
    }
    let indexes = conn
        .all(&Q::new(
            "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
                    ix.indisunique AS is_unique, ix.indisprimary AS is_primary, \
                    (ix.indpred IS NOT NULL) AS partial, \
                    EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid) AS from_constraint, \
                    array_to_string(ARRAY( \
                        SELECT COALESCE(a.attname::text, '(expression)') \
                        FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                        LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
                        ORDER BY k.ord), ',') AS columns \
             FROM pg_index ix \
             JOIN pg_class i ON i.oid = ix.indexrelid \
             JOIN pg_class t ON t.oid = ix.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = current_schema() AND t.relname NOT LIKE '\\_sqlx\\_%' ORDER BY 1, 2",
        ))
        .await
        .expect("indexes");
    for i in indexes {
        let table = schema.entry(text(&i, "table_name")).or_default();
        let columns: Vec<String> = text(&i, "columns").split(',').map(str::to_string).collect();
        if i.boolean("is_primary").expect("primary") {
            table.primary_key = columns;
        } else if i.boolean("from_constraint").expect("constraint") {
            table.unique_constraints.insert(columns);
        } else {
            let unique = i.boolean("is_unique").expect("unique");
            let partial = i.boolean("partial").expect("partial");
            table.indexes.insert(text(&i, "index_name"), Index { columns, unique, partial });
        }
    }
    schema
}

/// Every difference between the two schemas, one line each, named.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (s, p) = match (sqlite.get(name), postgres.get(name)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                out.push(format!("table {name}: only in SQLite"));
                continue;
            }
            (None, Some(_)) => {
                out.push(format!("table {name}: only in PostgreSQL"));
                continue;
            }
            (None, None) => continue,
        };
        let cols: BTreeSet<&String> = s.columns.keys().chain(p.columns.keys()).collect();
        for col in cols {
            match (s.columns.get(col), p.columns.get(col)) {
                (Some(a), Some(b)) => {
                    let excepted = EXCEPTIONS.contains(&(name.as_str(), col.as_str(), a.ty.as_str(), b.ty.as_str()));
                    if a.ty != b.ty && !excepted {
                        out.push(format!("{name}.{col}: type {} in SQLite, {} in PostgreSQL", a.ty, b.ty));
                    }
                    if a.not_null != b.not_null {
                        let says = |n: bool| if n { "NOT NULL" } else { "nullable" };
                        out.push(format!(
                            "{name}.{col}: {} in SQLite, {} in PostgreSQL",
                            says(a.not_null),
                            says(b.not_null)
                        ));
                    }
                }
                (Some(_), None) => out.push(format!("{name}.{col}: column only in SQLite")),
                (None, Some(_)) => out.push(format!("{name}.{col}: column only in PostgreSQL")),
                (None, None) => {}
            }
        }
        if s.primary_key != p.primary_key {
            out.push(format!(
                "{name}: primary key ({}) in SQLite, ({}) in PostgreSQL",
                s.primary_key.join(", "),
                p.primary_key.join(", ")
            ));
        }
        for u in s.unique_constraints.difference(&p.unique_constraints) {
            out.push(format!("{name}: UNIQUE ({}) only in SQLite", u.join(", ")));
        }
        for u in p.unique_constraints.difference(&s.unique_constraints) {
            out.push(format!("{name}: UNIQUE ({}) only in PostgreSQL", u.join(", ")));
        }
        let indexes: BTreeSet<&String> = s.indexes.keys().chain(p.indexes.keys()).collect();
        for index in indexes {
            match (s.indexes.get(index), p.indexes.get(index)) {
                (Some(a), Some(b)) if a != b => {
                    out.push(format!("{name}: index {index} is {a:?} in SQLite, {b:?} in PostgreSQL"))
                }
                (Some(_), None) => out.push(format!("{name}: index {index} only in SQLite")),
                (None, Some(_)) => out.push(format!("{name}: index {index} only in PostgreSQL")),
                _ => {}
            }
        }
    }
    out
}

#[test]
fn types_normalise_as_the_code_reads_them() {
    for (declared, expected) in [
        ("TEXT", "text"),
        ("character varying", "text"),
        ("VARCHAR(64)", "text"),
        ("INTEGER", "integer"),
        ("BIGINT", "integer"),
        ("bigint", "integer"),
        ("REAL", "real"),
        ("double precision", "real"),
        ("BLOB", "blob"),
        ("bytea", "blob"),
        ("BOOLEAN", "boolean"),
        ("boolean", "boolean"),
        ("smallint", "smallint"),
        ("", ""),
    ] {
        assert_eq!(normalise(declared), expected, "{declared}");
    }
}

#[tokio::test]
async fn both_migration_folders_give_the_same_schema() {
    if !engines().contains(&Engine::Postgres) {
        eprintln!(
            "migration parity skipped: set SAFETYNET_TEST_POSTGRES_URL to compare the SQLite and PostgreSQL schemas"
        );
        return;
    }
    let dir = tempfile::tempdir().expect("dir");
    let (sqlite, _, _) = fresh(Engine::Sqlite, dir.path()).await.expect("sqlite");
    let (postgres, _, _) = fresh(Engine::Postgres, dir.path()).await.expect("postgres");
    let (s, p) = (sqlite_schema(&sqlite).await, postgres_schema(&postgres).await);
    assert!(s.len() > 20 && s.contains_key("audit_log"), "SQLite tables: {:?}", s.keys().collect::<Vec<_>>());
    let mut diffs = differences(&s, &p);
    for (table, column, in_sqlite, in_postgres) in EXCEPTIONS {
        let ty = |schema: &Schema| schema.get(*table).and_then(|t| t.columns.get(*column)).map(|c| c.ty.clone());
        if ty(&s).as_deref() != Some(*in_sqlite) || ty(&p).as_deref() != Some(*in_postgres) {
            diffs.push(format!("{table}.{column}: listed as an exception ({in_sqlite} / {in_postgres}) but is not"));
        }
    }
    assert!(diffs.is_empty(), "{} schema difference(s):\n{}", diffs.len(), diffs.join("\n"));
}
