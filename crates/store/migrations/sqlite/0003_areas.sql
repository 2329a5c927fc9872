-- Area boundaries for analysis and for placing incidents in their LSOA.
CREATE TABLE areas (
    level TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    geometry TEXT NOT NULL,
    min_lon REAL NOT NULL,
    min_lat REAL NOT NULL,
    max_lon REAL NOT NULL,
    max_lat REAL NOT NULL,
    PRIMARY KEY (level, code)
);
CREATE INDEX areas_bbox ON areas(level, min_lon, max_lon);
