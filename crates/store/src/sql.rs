//! A small query layer that runs the same SQL text on SQLite and PostgreSQL.
//!
//! SQL is written once with `$1, $2, ...` placeholders (both engines accept
//! them) using only types both engines share: text, 64-bit integers (times
//! are Unix milliseconds), doubles, booleans and bytes (`BLOB` in SQLite,
//! `BYTEA` in PostgreSQL: a document's content). [`Q`] builds a statement
//! with typed arguments; [`Row`] reads typed columns from either engine.
//! Dynamic filters append `$n` placeholders through [`Q::arg`], never values.
//!
//! Row types derive their mapping (`#[derive(sqlx::FromRow)]`, read with
//! [`Row::decode`]); dates stored as `YYYY-MM-DD` text come back as
//! `NaiveDate` through [`DateText`], and enum values through [`Stored`], so
//! a value the code does not know is a decoding error naming the column.

use crate::Engine;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::sqlite::{SqliteArguments, SqliteRow};
use sqlx::{Postgres, Sqlite};

/// One typed argument; `None` binds a typed NULL (PostgreSQL needs the type).
#[derive(Debug, Clone)]
pub enum Value {
    /// Text.
    Text(Option<String>),
    /// 64-bit integer.
    Int(Option<i64>),
    /// Double.
    Real(Option<f64>),
    /// Boolean.
    Bool(Option<bool>),
    /// Bytes.
    Bytes(Option<Vec<u8>>),
}

macro_rules! value_from {
    ($($t:ty => $variant:ident $(via $conv:expr)?;)*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self { Value::$variant(Some(v $(.pipe($conv))?)) }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self { Value::$variant(v $(.map($conv))?) }
        }
    )*};
}

trait Pipe: Sized {
    fn pipe<T>(self, f: impl FnOnce(Self) -> T) -> T {
        f(self)
    }
}
impl<T> Pipe for T {}

value_from! {
    String => Text;
    i64 => Int;
    f64 => Real;
    bool => Bool;
    Vec<u8> => Bytes;
    &str => Text via str::to_string;
    &String => Text via String::clone;
    chrono::NaiveDate => Text via |d: chrono::NaiveDate| d.to_string();
}

/// Values one `IN (...)` list binds at most ([`Q::list`]): its numbered
/// placeholders cost SQLite a scan each, so a list of n costs n squared.
pub(crate) const IN_LIST: usize = 500;

/// `INSERT INTO {into} VALUES (..), (..), ...` for `rows` (each as wide as
/// the column list in `into`), in statements of about
/// [`Engine::args_per_statement`] arguments: bulk writes cost a round trip
/// per statement, not per row. SQLite gets anonymous `?` placeholders: it
/// looks numbered ones (`$n`) up by a linear scan per bind, which makes a
/// statement of thousands of arguments quadratic.
pub(crate) fn insert_rows(engine: Engine, into: &str, rows: Vec<Vec<Value>>) -> Vec<Q> {
    let per_statement = (engine.args_per_statement() / rows.first().map_or(1, Vec::len).max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    let mut statements = Vec::new();
    while rows.peek().is_some() {
        let mut q = Q::new(format!("INSERT INTO {into} VALUES "));
        for (n, row) in rows.by_ref().take(per_statement).enumerate() {
            q.push(if n == 0 { "(" } else { ", (" });
            for (c, v) in row.into_iter().enumerate() {
                q.push(if c == 0 { "" } else { ", " });
                match engine {
                    Engine::Sqlite => {
                        q.sql.push('?');
                        q.args.push(v);
                    }
                    Engine::Postgres => {
                        q.arg(v);
                    }
                }
            }
            q.push(")");
        }
        statements.push(q);
    }
    statements
}

/// A statement and its arguments.
#[derive(Debug, Clone)]
pub struct Q {
    sql: String,
    args: Vec<Value>,
}

impl Q {
    /// A statement with no arguments yet.
    pub fn new(sql: impl Into<String>) -> Self {
        Self { sql: sql.into(), args: Vec::new() }
    }

    /// Binds the next argument (for SQL that already names `$n`).
    pub fn bind(mut self, v: impl Into<Value>) -> Self {
        self.args.push(v.into());
        self
    }

    /// Appends raw SQL text (never user input).
    pub fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    /// Puts SQL text in front (placeholders keep their numbers).
    pub fn prepend(&mut self, sql: &str) -> &mut Self {
        self.sql.insert_str(0, sql);
        self
    }

    /// Appends a `$n` placeholder bound to `v`.
    pub fn arg(&mut self, v: impl Into<Value>) -> &mut Self {
        self.args.push(v.into());
        self.sql.push('$');
        self.sql.push_str(&self.args.len().to_string());
        self
    }

    /// Appends `$n, $m, ...` bound to `values` (for `IN (...)`; give at
    /// least one value, at most [`IN_LIST`]).
    pub fn list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        for (n, v) in values.into_iter().enumerate() {
            if n > 0 {
                self.sql.push_str(", ");
            }
            self.arg(v);
        }
        self
    }

    /// Number of arguments bound so far.
    pub fn arg_count(&self) -> usize {
        self.args.len()
    }

    /// The SQL text.
    pub fn sql(&self) -> &str {
        &self.sql
    }

    pub(crate) fn sqlite(&self) -> sqlx::query::Query<'_, Sqlite, SqliteArguments<'_>> {
        bind_all!(sqlx::query(&self.sql), &self.args)
    }

    pub(crate) fn postgres(&self) -> sqlx::query::Query<'_, Postgres, PgArguments> {
        bind_all!(sqlx::query(&self.sql), &self.args)
    }
}

/// Binds every typed argument to a query of either engine.
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in $args {
            q = match a {
                Value::Text(v) => q.bind(v.clone()),
                Value::Int(v) => q.bind(*v),
                Value::Real(v) => q.bind(*v),
                Value::Bool(v) => q.bind(*v),
                Value::Bytes(v) => q.bind(v.clone()),
            };
        }
        q
    }};
}
use bind_all;

/// A result row from either engine.
pub enum Row {
    /// SQLite.
    Sqlite(SqliteRow),
    /// PostgreSQL.
    Postgres(PgRow),
}

macro_rules! getters {
    ($($(#[$doc:meta])* $name:ident -> $t:ty;)*) => {$(
        $(#[$doc])*
        pub fn $name(&self, col: &str) -> Result<$t, sqlx::Error> {
            use sqlx::Row as _;
            match self {
                Row::Sqlite(r) => r.try_get(col),
                Row::Postgres(r) => r.try_get(col),
            }
        }
    )*};
}

impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Row { .. }")
    }
}

impl Row {
    getters! {
        /// A non-null text column.
        text -> String;
        /// A nullable text column.
        opt_text -> Option<String>;
        /// A non-null integer column.
        int -> i64;
        /// A nullable integer column.
        opt_int -> Option<i64>;
        /// A nullable double column.
        opt_real -> Option<f64>;
        /// A non-null boolean column.
        boolean -> bool;
        /// A nullable boolean column.
        opt_bool -> Option<bool>;
        /// A nullable bytes column.
        opt_bytes -> Option<Vec<u8>>;
    }
}

impl Row {
    /// A non-null `YYYY-MM-DD` date column.
    pub fn date(&self, col: &str) -> Result<chrono::NaiveDate, sqlx::Error> {
        let text = self.text(col)?;
        chrono::NaiveDate::try_from(DateText(text))
            .map_err(|e| sqlx::Error::ColumnDecode { index: col.to_string(), source: Box::new(e) })
    }

    /// A nullable `YYYY-MM-DD` date column.
    pub fn opt_date(&self, col: &str) -> Result<Option<chrono::NaiveDate>, sqlx::Error> {
        let text = self.opt_text(col)?;
        Option::<chrono::NaiveDate>::try_from(OptDateText(text))
            .map_err(|e| sqlx::Error::ColumnDecode { index: col.to_string(), source: Box::new(e) })
    }

    /// A column holding one of an enum's stored names (see [`stored_enums`]).
    pub fn stored<T: TryFrom<Stored, Error = Unknown>>(&self, col: &str) -> Result<T, sqlx::Error> {
        let text = self.text(col)?;
        T::try_from(Stored(text)).map_err(|e| sqlx::Error::ColumnDecode { index: col.to_string(), source: Box::new(e) })
    }

    /// A nullable column holding one of an enum's stored names.
    pub fn opt_stored<T: TryFrom<Stored, Error = Unknown>>(&self, col: &str) -> Result<Option<T>, sqlx::Error> {
        let text = self.opt_text(col)?;
        text.map(|t| T::try_from(Stored(t)))
            .transpose()
            .map_err(|e| sqlx::Error::ColumnDecode { index: col.to_string(), source: Box::new(e) })
    }

    /// The whole row as `T`, whose mapping is derived (`sqlx::FromRow`).
    pub fn decode<T>(&self) -> Result<T, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow>,
    {
        let decoded = match self {
            Row::Sqlite(r) => T::from_row(r),
            Row::Postgres(r) => T::from_row(r),
        };
        // sqlx's derive loses a `try_from` conversion's message: say which
        // stored value the column held.
        decoded.map_err(|e| match e {
            sqlx::Error::ColumnDecode { index, source } => match self.opt_text(&index) {
                Ok(Some(stored)) => sqlx::Error::ColumnDecode { index, source: Box::new(Unknown(stored)) },
                _ => sqlx::Error::ColumnDecode { index, source },
            },
            other => other,
        })
    }
}

/// Why a stored text could not be read as its type.
#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a value the application knows")]
pub struct Unknown(String);

/// A date column (`YYYY-MM-DD` text on both engines), read as `NaiveDate`
/// with `#[sqlx(try_from = "DateText")]`.
#[derive(Debug, sqlx::Type)]
#[sqlx(transparent)]
pub struct DateText(String);

impl TryFrom<DateText> for chrono::NaiveDate {
    type Error = Unknown;
    fn try_from(t: DateText) -> Result<Self, Unknown> {
        chrono::NaiveDate::parse_from_str(&t.0, "%Y-%m-%d").map_err(|_| Unknown(t.0))
    }
}

/// A nullable date column, read as `Option<NaiveDate>`.
#[derive(Debug, sqlx::Type)]
#[sqlx(transparent)]
pub struct OptDateText(Option<String>);

impl TryFrom<OptDateText> for Option<chrono::NaiveDate> {
    type Error = Unknown;
    fn try_from(t: OptDateText) -> Result<Self, Unknown> {
        t.0.map(|d| chrono::NaiveDate::try_from(DateText(d))).transpose()
    }
}

/// A column holding one of an enum's stored names, read as the enum with
/// `#[sqlx(try_from = "Stored")]` (the enum is listed in [`stored_enums`]).
#[derive(Debug, sqlx::Type)]
#[sqlx(transparent)]
pub struct Stored(String);

/// A nullable column holding one of an enum's stored names, read as
/// `Option<Enum>` with `#[sqlx(try_from = "OptStored")]`.
#[derive(Debug, sqlx::Type)]
#[sqlx(transparent)]
pub struct OptStored(Option<String>);

/// An enum's `parse`, whether it gives an `Option` or a `Result`.
trait Parsed<T> {
    fn parsed(self) -> Option<T>;
}

impl<T> Parsed<T> for Option<T> {
    fn parsed(self) -> Option<T> {
        self
    }
}

impl<T, E> Parsed<T> for Result<T, E> {
    fn parsed(self) -> Option<T> {
        self.ok()
    }
}

/// Reads each enum (and its `Option`) from its stored name with its `parse`.
macro_rules! stored_enums {
    ($($t:ty),* $(,)?) => {$(
        impl TryFrom<Stored> for $t {
            type Error = Unknown;
            fn try_from(s: Stored) -> Result<Self, Unknown> {
                let parsed = Parsed::parsed(<$t>::parse(&s.0));
                parsed.ok_or_else(|| Unknown(s.0))
            }
        }
        impl TryFrom<OptStored> for Option<$t> {
            type Error = Unknown;
            fn try_from(s: OptStored) -> Result<Self, Unknown> {
                s.0.map(|v| <$t>::try_from(Stored(v))).transpose()
            }
        }
    )*};
}

stored_enums!(
    safetynet_domain::meeting::ActionStatus,
    safetynet_domain::meeting::MeetingKind,
    safetynet_domain::case::TaskStatus,
    safetynet_domain::case::CaseStatus,
    safetynet_domain::strategy::CommitmentStatus,
    safetynet_domain::strategy::Rag,
    safetynet_domain::risk::RiskLevel,
    safetynet_domain::interventions::InterventionKind,
    safetynet_domain::incident::PersonRole,
    safetynet_domain::fixed_penalty::FpnBasis,
    safetynet_domain::powers::Authoriser,
    safetynet_domain::powers::Sector,
    safetynet_domain::documents::DocumentKind,
    safetynet_domain::measures::MeasureSource,
    safetynet_domain::referrals::Programme,
    safetynet_domain::referrals::ReferralReason,
    safetynet_domain::referrals::ReferralStatus,
    safetynet_domain::referrals::ConsentBy,
    safetynet_domain::schools::Topic,
    safetynet_domain::taxi::LicenceKind,
    safetynet_domain::taxi::DbsResult,
    safetynet_domain::premises::PremisesKind,
    safetynet_domain::premises::RiskBand,
    safetynet_domain::premises::VisitKind,
    safetynet_domain::fly_tipping::LandType,
    safetynet_domain::fly_tipping::WasteType,
    safetynet_domain::fly_tipping::TipSize,
    safetynet_domain::fly_tipping::EnforcementAction,
    safetynet_domain::fly_tipping::CourtResult,
    safetynet_domain::vigilance::CheckedBy,
    safetynet_domain::public_reports::ReportStatus,
    safetynet_domain::victim_contact::ContactChannel,
);
