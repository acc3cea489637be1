-- Read model: the responsibility chain (责任链), version 1.
--
-- Bitemporal rows. Valid time (when it was true in the world) is the half-open
-- [effective_from, effective_to). Ledger time (when the ledger knew it) is the
-- half-open [known_from, known_to) in log positions: a change never updates a
-- row's facts, it closes the row (known_to) and inserts its successor, so a query
-- "as known at position P" reads rows with known_from <= P < known_to.
-- Tracking: projection_tracking.name = 'chain_v1'.

CREATE TABLE IF NOT EXISTS chain_units (
    unit_id      uuid    NOT NULL,
    name         text    NOT NULL,
    kind         text    NOT NULL,
    level        text    NOT NULL,
    parent_id    uuid,
    code         text,
    dissolved    boolean NOT NULL DEFAULT false,
    merged_into  uuid,
    version      integer NOT NULL,
    known_from   bigint  NOT NULL,
    known_to     bigint,
    PRIMARY KEY (unit_id, known_from)
);
CREATE INDEX IF NOT EXISTS chain_units_current_parent
    ON chain_units (parent_id, name) WHERE known_to IS NULL;

CREATE TABLE IF NOT EXISTS chain_persons (
    person_id   uuid    NOT NULL,
    name        text    NOT NULL,
    version     integer NOT NULL,
    known_from  bigint  NOT NULL,
    known_to    bigint,
    PRIMARY KEY (person_id, known_from)
);
-- Identity numbers are kept in no read model (only their keyed hash, as an event tag);
-- a table made by an earlier version loses the column that held them.
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'chain_persons'
                 AND column_name = 'person_no') THEN
        ALTER TABLE chain_persons DROP COLUMN person_no;
    END IF;
END $$;

CREATE TABLE IF NOT EXISTS chain_assignments (
    assignment_id    uuid    NOT NULL,
    unit_id          uuid    NOT NULL,
    person_id        uuid    NOT NULL,
    role             text    NOT NULL,
    title            text    NOT NULL,
    principal_title  text,
    reports_to       uuid,
    effective_from   date    NOT NULL,
    effective_to     date,
    end_reason       text,
    version          integer NOT NULL,
    known_from       bigint  NOT NULL,
    known_to         bigint,
    PRIMARY KEY (assignment_id, known_from)
);
CREATE INDEX IF NOT EXISTS chain_assignments_unit ON chain_assignments (unit_id, known_from);
CREATE INDEX IF NOT EXISTS chain_assignments_person ON chain_assignments (person_id, known_from);

-- Portfolio (分管范围) over valid time: the row with the latest effective_from on or
-- before the day asked wins. The portfolio given at assignment has effective_from
-- '-infinity', so a corrected start date never leaves a day without one.
CREATE TABLE IF NOT EXISTS chain_portfolios (
    assignment_id   uuid   NOT NULL,
    effective_from  date   NOT NULL,
    portfolio       text[] NOT NULL,
    known_from      bigint NOT NULL,
    known_to        bigint,
    PRIMARY KEY (assignment_id, effective_from, known_from)
);

-- Reporting line (reports_to) over valid time, like the portfolio: the row with the
-- latest effective_from on or before the day asked wins; the line given at assignment
-- has effective_from '-infinity'. A correction of reports_to supersedes the latest row.
CREATE TABLE IF NOT EXISTS chain_lines (
    assignment_id   uuid   NOT NULL,
    effective_from  date   NOT NULL,
    reports_to      uuid,
    known_from      bigint NOT NULL,
    known_to        bigint,
    PRIMARY KEY (assignment_id, effective_from, known_from)
);
CREATE INDEX IF NOT EXISTS chain_lines_target ON chain_lines (reports_to);
