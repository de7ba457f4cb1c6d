-- A number that changes whenever the stored counts of past days change
-- (a fold of rare keys into `(other)`): what the dashboard keeps of past
-- days in memory is current as long as this number is the one it read
-- them with. One row. The same on both engines.
CREATE TABLE agg_generation (
    id INTEGER PRIMARY KEY,
    generation BIGINT NOT NULL
);
INSERT INTO agg_generation (id, generation) VALUES (0, 0);
