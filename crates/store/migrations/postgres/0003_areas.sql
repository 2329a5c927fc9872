-- Area boundaries for analysis and for placing incidents in their LSOA.
CREATE TABLE areas (
    level TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    geometry TEXT NOT NULL,
    min_lon DOUBLE PRECISION NOT NULL,
    min_lat DOUBLE PRECISION NOT NULL,
    max_lon DOUBLE PRECISION NOT NULL,
    max_lat DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (level, code)
);
CREATE INDEX areas_bbox ON areas(level, min_lon, max_lon);
