-- Places (issue 15; SQLite, keep in step with ../postgres/): finding a place by
-- address, street or postcode (store::places).

-- The council's gazetteer (LLPG or AddressBase), loaded by `safetynet import
-- gazetteer`: one row per UPRN, a repeated import updates it. Coordinates are
-- as given (British National Grid) and in WGS84. `search_key` is the address
-- and postcode lower-cased (domain::places::search_key), compared byte by byte
-- on both engines, so the index serves a walk in key
-- order and prefix ranges the same way on both. Times are Unix milliseconds.
CREATE TABLE gazetteer (
    uprn TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    postcode TEXT,
    easting REAL NOT NULL,
    northing REAL NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    search_key TEXT NOT NULL,
    loaded_at BIGINT NOT NULL
);
CREATE INDEX gazetteer_search ON gazetteer (search_key);

-- The streets police.uk names ("On or near Fishpool Street"), one row per
-- location and district (the LSOA name without its code: "St Albans 015A" is
-- in St Albans), with the sums of their located records' coordinates, so a
-- street's point is their mean. Kept by the importer in the transaction that
-- stores the rows (store::crimes::merge_staged, which uses the same
-- expressions as this backfill), so a search reads streets, not every record.
CREATE TABLE police_streets (
    location TEXT NOT NULL,
    district TEXT NOT NULL,
    search_key TEXT NOT NULL,
    n BIGINT NOT NULL,
    sum_latitude REAL NOT NULL,
    sum_longitude REAL NOT NULL,
    PRIMARY KEY (location, district)
);
CREATE INDEX police_streets_search ON police_streets (search_key);
INSERT INTO police_streets (location, district, search_key, n, sum_latitude, sum_longitude)
    SELECT location, district,
           LOWER(CASE WHEN location LIKE 'On or near %' THEN SUBSTR(location, 12) ELSE location END || ' ' || district),
           COUNT(*), SUM(latitude), SUM(longitude)
    FROM (SELECT location, latitude, longitude,
                 CASE WHEN LENGTH(lsoa_name) > 5 THEN SUBSTR(lsoa_name, 1, LENGTH(lsoa_name) - 5) ELSE lsoa_name END AS district
          FROM police_crimes
          WHERE latitude IS NOT NULL AND longitude IS NOT NULL AND location <> '') located
    GROUP BY location, district;
