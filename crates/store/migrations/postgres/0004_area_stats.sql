-- Deprivation and population by LSOA (English Indices of Deprivation 2019).
CREATE TABLE area_stats (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    lad_code TEXT NOT NULL,
    imd_rank BIGINT,
    imd_decile BIGINT,
    population BIGINT
);
