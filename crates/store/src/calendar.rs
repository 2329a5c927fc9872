//! The bank holidays calendar in use: the one stored by `safetynet calendar
//! load` (table `bank_holidays`, replaced whole, audited), or the calendar
//! bundled in the binary while none has been loaded. The Case Review clocks
//! and reminders read it through [`Store::bank_holidays`] or, inside a
//! transaction, [`bank_holidays_in`].

use crate::audit::append;
use crate::sql::Q;
use crate::users::Actor;
use crate::{Exec, Result, Store, StoreError};
use chrono::NaiveDate;
use safetynet_domain::audit::AuditAction;
use safetynet_domain::calendar::{BankHoliday, BankHolidays, DIVISION};
use serde::Serialize;

/// The calendar in use and where it came from.
#[derive(Debug, Clone)]
pub struct CalendarInUse {
    /// The bank holidays.
    pub holidays: BankHolidays,
    /// When it was loaded (Unix ms); `None` for the bundled calendar.
    pub loaded_at_ms: Option<i64>,
}

/// What a load stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarLoaded {
    /// Bank holidays stored.
    pub days: usize,
    /// 1 January of the first year.
    pub from: NaiveDate,
    /// 31 December of the last year: the calendar runs out after this day.
    pub until: NaiveDate,
    /// Bank holidays the previous calendar in use had.
    pub replaced: usize,
}

/// The calendar in use, read on `ex` (inside the caller's transaction, so a
/// clock is computed with the calendar that was current when it was stored).
pub async fn bank_holidays_in(ex: &mut impl Exec) -> Result<CalendarInUse> {
    let rows = ex.all(&Q::new("SELECT day, title, notes, bunting, loaded_at FROM bank_holidays ORDER BY day")).await?;
    if rows.is_empty() {
        return Ok(CalendarInUse { holidays: BankHolidays::bundled().clone(), loaded_at_ms: None });
    }
    let mut days = Vec::with_capacity(rows.len());
    let mut loaded_at_ms = 0;
    for r in &rows {
        let day = r.text("day")?;
        let date = NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|e| corrupt(Box::new(e)))?;
        loaded_at_ms = loaded_at_ms.max(r.int("loaded_at")?);
        days.push(BankHoliday {
            date,
            title: r.text("title")?,
            notes: r.text("notes")?,
            bunting: r.boolean("bunting")?,
        });
    }
    // Checked when loaded; checked again so a hand-edited table cannot skew a clock.
    let holidays = BankHolidays::from_days(days).map_err(|e| corrupt(Box::new(e)))?;
    Ok(CalendarInUse { holidays, loaded_at_ms: Some(loaded_at_ms) })
}

fn corrupt(e: Box<dyn std::error::Error + Send + Sync>) -> StoreError {
    StoreError::Db(sqlx::Error::Decode(e))
}

impl Store {
    /// The calendar in use (the stored one, else the bundled one).
    pub async fn bank_holidays(&self) -> Result<CalendarInUse> {
        bank_holidays_in(&mut self.conn().await?).await
    }

    /// Replaces the stored calendar with `calendar`, in one transaction with
    /// its audit row (the counts and the years covered).
    pub async fn load_bank_holidays(&self, calendar: &BankHolidays, actor: &Actor<'_>) -> Result<CalendarLoaded> {
        let mut tx = self.write().await?;
        let replaced = bank_holidays_in(&mut tx).await?.holidays.days().len();
        tx.execute(&Q::new("DELETE FROM bank_holidays")).await?;
        for d in calendar.days() {
            tx.execute(
                &Q::new(
                    "INSERT INTO bank_holidays (day, title, notes, bunting, loaded_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(d.date.to_string())
                .bind(&d.title)
                .bind(&d.notes)
                .bind(d.bunting)
                .bind(actor.at_ms),
            )
            .await?;
        }
        let loaded = CalendarLoaded {
            days: calendar.days().len(),
            from: calendar.covers_from(),
            until: calendar.covers_until(),
            replaced,
        };
        let detail = serde_json::json!({
            "division": DIVISION, "days": loaded.days, "from": loaded.from, "until": loaded.until, "replaced": replaced,
        });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Update, "bank_holidays", None, detail)).await?;
        tx.commit().await?;
        Ok(loaded)
    }
}
