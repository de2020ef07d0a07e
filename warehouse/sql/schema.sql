-- Tables of the warehouse. Every statement is idempotent: applied on each connection.

CREATE TABLE IF NOT EXISTS runs (
    run_id          VARCHAR PRIMARY KEY,
    command         VARCHAR NOT NULL,        -- ingest | validate
    started_at      TIMESTAMP NOT NULL,
    finished_at     TIMESTAMP,
    documents       INTEGER,
    report_path     VARCHAR
);

CREATE TABLE IF NOT EXISTS reports (
    report_id         VARCHAR PRIMARY KEY,
    region            VARCHAR,
    year              INTEGER,
    month             INTEGER,
    source_name       VARCHAR NOT NULL,
    source_sha256     VARCHAR NOT NULL,
    source_format     VARCHAR,
    status            VARCHAR NOT NULL CHECK (status IN ('loaded', 'partial', 'rejected')),
    rows_loaded       INTEGER NOT NULL,
    rows_quarantined  INTEGER NOT NULL,
    ingested_at       TIMESTAMP NOT NULL,
    run_id            VARCHAR,
    archived_as       VARCHAR,               -- file name under the raw archive
    superseded_by     VARCHAR                -- a later report of the same period replaced this one
);

CREATE TABLE IF NOT EXISTS progress (
    report_id             VARCHAR NOT NULL,
    region                VARCHAR NOT NULL,
    year                  INTEGER NOT NULL,
    month                 INTEGER NOT NULL,
    item_no               INTEGER NOT NULL,
    sub_no                INTEGER NOT NULL,
    content               VARCHAR NOT NULL,
    plan_text             VARCHAR,
    actual_text           VARCHAR,
    completion_raw        VARCHAR,
    completion_pct        DOUBLE,
    is_lagging            BOOLEAN NOT NULL,
    department            VARCHAR,                 -- NULL: the layout has no such column
    leader                VARCHAR,                 -- NULL: the layout has no such column
    department_inherited  BOOLEAN NOT NULL,
    leader_inherited      BOOLEAN NOT NULL,
    source_page           INTEGER,
    source_row            INTEGER,
    source_line           INTEGER,
    note                  VARCHAR,                 -- the 备注 column, where the layout has one
    extra                 JSON,                    -- other columns: {header text: cell}
    period_kind           VARCHAR NOT NULL DEFAULT 'month',  -- month | quarter | half_year | year
    PRIMARY KEY (region, year, month, item_no, sub_no)
);
-- Warehouses made before layouts other than the August one were read.
ALTER TABLE progress ADD COLUMN IF NOT EXISTS note VARCHAR;
ALTER TABLE progress ADD COLUMN IF NOT EXISTS extra JSON;
ALTER TABLE progress ADD COLUMN IF NOT EXISTS period_kind VARCHAR DEFAULT 'month';
ALTER TABLE progress ALTER COLUMN department DROP NOT NULL;
ALTER TABLE progress ALTER COLUMN leader DROP NOT NULL;

CREATE TABLE IF NOT EXISTS quarantine (
    report_id    VARCHAR NOT NULL,
    source_page  INTEGER,
    source_row   INTEGER,
    source_line  INTEGER,
    raw          VARCHAR NOT NULL,
    reasons      VARCHAR NOT NULL,
    item_no      INTEGER
);

CREATE TABLE IF NOT EXISTS validation_issues (
    run_id         VARCHAR NOT NULL,
    report_id      VARCHAR,
    source_name    VARCHAR NOT NULL,
    source_page    INTEGER,
    source_row     INTEGER,
    source_line    INTEGER,
    column_name    VARCHAR,
    check_name     VARCHAR NOT NULL,
    failure_value  VARCHAR,
    severity       VARCHAR NOT NULL CHECK (severity IN ('error', 'warning', 'info')),
    message        VARCHAR NOT NULL,
    action         VARCHAR,                -- what happened to the row or document
    rule           VARCHAR                 -- the rule broken, in plain words
);
-- Warehouses made before the column existed.
ALTER TABLE validation_issues ADD COLUMN IF NOT EXISTS rule VARCHAR;
-- the web address of a report fetched from a page (minsheng ingest https://…)
ALTER TABLE reports ADD COLUMN IF NOT EXISTS source_url VARCHAR;

-- Which project each item number stands for in each month (see schemas/identity.py):
-- rewritten for a region's year whenever one of its months is loaded.
CREATE TABLE IF NOT EXISTS item_keys (
    region            VARCHAR NOT NULL,
    year              INTEGER NOT NULL,
    month             INTEGER NOT NULL,
    item_no           INTEGER NOT NULL,
    item_key          VARCHAR NOT NULL,      -- '47': first reported as (47); '40@9': (40) from 9月
    match             VARCHAR NOT NULL,      -- same | renumbered | changed | new
    previous_item_no  INTEGER,               -- the project's number in the month before
    similarity        DOUBLE,
    PRIMARY KEY (region, year, month, item_no)
);

-- How a report changed its period (see warehouse/replacement.py): new | replace | correction;
-- and how many of the period's rows it took out of progress (kept in replaced_rows).
ALTER TABLE reports ADD COLUMN IF NOT EXISTS load_kind VARCHAR;
ALTER TABLE reports ADD COLUMN IF NOT EXISTS rows_replaced INTEGER;

-- Every progress row a later report took the place of: nothing leaves progress without a
-- row here saying which report took it out (replaced_by), in which run, and why:
-- replaced (the new report has its item), dropped (it has not), corrected (a correction).
CREATE TABLE IF NOT EXISTS replaced_rows (
    report_id             VARCHAR NOT NULL,        -- the report the row came from
    region                VARCHAR NOT NULL,
    year                  INTEGER NOT NULL,
    month                 INTEGER NOT NULL,
    item_no               INTEGER NOT NULL,
    sub_no                INTEGER NOT NULL,
    content               VARCHAR NOT NULL,
    plan_text             VARCHAR,
    actual_text           VARCHAR,
    completion_raw        VARCHAR,
    completion_pct        DOUBLE,
    is_lagging            BOOLEAN NOT NULL,
    department            VARCHAR,
    leader                VARCHAR,
    department_inherited  BOOLEAN NOT NULL,
    leader_inherited      BOOLEAN NOT NULL,
    source_page           INTEGER,
    source_row            INTEGER,
    source_line           INTEGER,
    note                  VARCHAR,
    extra                 JSON,
    period_kind           VARCHAR,
    replaced_by           VARCHAR NOT NULL,        -- the report that took the row out
    replaced_in_run       VARCHAR,
    replaced_at           TIMESTAMP NOT NULL,
    reason                VARCHAR NOT NULL CHECK (reason IN ('replaced', 'dropped', 'corrected'))
);
