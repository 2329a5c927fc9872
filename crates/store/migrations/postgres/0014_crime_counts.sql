-- County scale (issue 10): a page of the crime browser no longer counts the
-- whole table for its total, nor sorts a month to find its rows.

-- Records per month and crime type, kept by the importer in the transaction
-- that stores the rows (see store::crimes::merge_staged).
CREATE TABLE police_crime_counts (
    month TEXT NOT NULL,
    crime_type TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (month, crime_type)
);
INSERT INTO police_crime_counts (month, crime_type, n)
    SELECT month, crime_type, COUNT(*) FROM police_crimes GROUP BY month, crime_type;

-- The browser's order (newest month first, then type, then key), so a page
-- is read from the index in order.
CREATE INDEX police_crimes_page ON police_crimes (month DESC, crime_type, row_key);
