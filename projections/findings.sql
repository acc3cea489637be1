-- Read model: the loop status of every finding (问题整改闭环), version 1.
--
-- Ledger time as in chain.sql: a finding's row is never changed in its facts; each
-- event closes the current row (known_to = position) and inserts its successor, so
-- "the status as known at position P" reads rows with known_from <= P < known_to.
-- Overdue is not stored: it depends on the day asked (valid_at) and is computed as
-- deadline < day AND stage <> 'closed'.
-- Tracking: projection_tracking.name = 'findings_v1'.

CREATE TABLE IF NOT EXISTS loop_findings (
    finding_id           uuid    NOT NULL,
    unit_id              uuid    NOT NULL,
    inspection_id        uuid,
    clue_id              uuid,
    category             text    NOT NULL,
    severity             text    NOT NULL,
    description          text    NOT NULL,
    found_on             date    NOT NULL,
    original_deadline    date    NOT NULL,
    deadline             date    NOT NULL,  -- current, after extensions
    stage                text    NOT NULL,
    outcome              text,
    measures             text,
    owner_person_id      uuid,
    owner_assignment_id  uuid,
    plan_due_on          date,
    planned_on           date,
    progress_reports     integer NOT NULL DEFAULT 0,
    last_reported_on     date,
    rejections           integer NOT NULL DEFAULT 0,
    extensions           integer NOT NULL DEFAULT 0,
    verified_on          date,
    referred_to          uuid,
    referred_on          date,
    closed_on            date,
    basis                text,     -- the document (文号) the finding was raised on
    documents            text[]  NOT NULL DEFAULT '{}',  -- every document its events cite
    raised_at            timestamptz NOT NULL,  -- recorded time of Raised
    version              integer NOT NULL,
    known_from           bigint  NOT NULL,
    known_to             bigint,
    PRIMARY KEY (finding_id, known_from)
);
-- Columns added after version 1 was first deployed: a database created before them gets
-- them empty, and its findings' documents with `ledger projections rebuild`. Checked
-- first: ALTER TABLE takes an exclusive lock even when the column exists, which a start
-- beside a running worker must not take.
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = 'loop_findings'::regclass AND attname = 'documents' AND NOT attisdropped
    ) THEN
        ALTER TABLE loop_findings ADD COLUMN IF NOT EXISTS basis text,
            ADD COLUMN IF NOT EXISTS documents text[] NOT NULL DEFAULT '{}';
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS loop_findings_current_unit
    ON loop_findings (unit_id, found_on) WHERE known_to IS NULL;
-- Every version, for reads as known at a position (evaluation references, known_at),
-- which cannot use the current-row indexes.
CREATE INDEX IF NOT EXISTS loop_findings_unit ON loop_findings (unit_id, found_on);
CREATE INDEX IF NOT EXISTS loop_findings_owner
    ON loop_findings (owner_person_id, found_on) WHERE owner_person_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS loop_findings_inspection
    ON loop_findings (inspection_id) WHERE inspection_id IS NOT NULL;
-- The findings not closed, in the open-loop report's order (most overdue first is earliest
-- deadline first), with what its overdue counts group by: an index-only scan.
CREATE INDEX IF NOT EXISTS loop_findings_open
    ON loop_findings (deadline, found_on, finding_id) INCLUDE (unit_id, category)
    WHERE known_to IS NULL AND stage <> 'closed';
-- The search pages newest found first: (found_on desc, finding_id) is its keyset.
CREATE INDEX IF NOT EXISTS loop_findings_current_found
    ON loop_findings (found_on DESC, finding_id) WHERE known_to IS NULL;

-- 责任认定: one row per attribution; a withdrawal closes it (known_to).
CREATE TABLE IF NOT EXISTS loop_attributions (
    finding_id     uuid    NOT NULL,
    person_id      uuid    NOT NULL,
    assignment_id  uuid    NOT NULL,
    liability      text    NOT NULL,
    automatic      boolean NOT NULL,
    reason         text,
    known_from     bigint  NOT NULL,
    known_to       bigint,
    PRIMARY KEY (finding_id, person_id, known_from)
);
CREATE INDEX IF NOT EXISTS loop_attributions_person ON loop_attributions (person_id);

-- Every deadline a finding has had: the original (extension 0) and each extension.
CREATE TABLE IF NOT EXISTS loop_deadlines (
    finding_id          uuid    NOT NULL,
    extension           integer NOT NULL,
    deadline            date    NOT NULL,
    previous_deadline   date,
    approver_person_id  uuid,
    reason              text,
    extended_on         date,
    known_from          bigint  NOT NULL,
    PRIMARY KEY (finding_id, extension)
);

-- The open-loop report's counts of the current findings, per unit and category, kept by
-- each batch (projections.tally): a province's report reads a row per unit and category
-- instead of every finding. Overdue is counted from the open findings on the day asked.
CREATE TABLE IF NOT EXISTS loop_counts (
    unit_id                    uuid    NOT NULL,
    category                   text    NOT NULL,
    total                      integer NOT NULL DEFAULT 0,
    closed                     integer NOT NULL DEFAULT 0,
    rectified                  integer NOT NULL DEFAULT 0,
    referred                   integer NOT NULL DEFAULT 0,
    dismissed                  integer NOT NULL DEFAULT 0,
    rectified_on_time          integer NOT NULL DEFAULT 0,
    rectified_after_extension  integer NOT NULL DEFAULT 0,
    rectified_late             integer NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_id, category)
);
