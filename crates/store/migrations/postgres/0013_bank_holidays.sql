-- The bank holidays calendar (PostgreSQL; keep in step with ../sqlite/): England and Wales bank
-- holidays loaded by `safetynet calendar load` from a file in GOV.UK's bank-holidays JSON
-- format. A load replaces every row. When the table is empty the calendar bundled in the
-- binary is used. Dates are YYYY-MM-DD; times are Unix milliseconds.
CREATE TABLE bank_holidays (
    day TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    notes TEXT NOT NULL,
    bunting BOOLEAN NOT NULL,
    loaded_at BIGINT NOT NULL
);
