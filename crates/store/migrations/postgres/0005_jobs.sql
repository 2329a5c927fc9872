-- Scheduled jobs: each run is recorded once per period; the weekly trends
-- job keeps the alerts it raised.
CREATE TABLE job_runs (
    name TEXT NOT NULL,
    period TEXT NOT NULL,
    ran_at BIGINT NOT NULL,
    PRIMARY KEY (name, period)
);

CREATE TABLE trend_alerts (
    period TEXT NOT NULL,
    crime_type TEXT NOT NULL,
    area TEXT NOT NULL,
    month TEXT NOT NULL,
    rule TEXT NOT NULL,
    observed DOUBLE PRECISION NOT NULL,
    expected DOUBLE PRECISION NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (period, crime_type, area, month, rule)
);
