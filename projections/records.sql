-- Read model: the records of the loop (督察记录), version 1: inspections and their
-- evidence, accountability cases and their sanctions, clues, bulletins and their
-- recipients, indicator sets and assessments.
--
-- Ledger time as in chain.sql: a row's facts are never changed. A versioned table
-- (known_from, known_to) closes the current row and inserts its successor, so "as
-- known at position P" reads rows with known_from <= P < known_to (or known_to NULL).
-- Tables of things that never change (evidence, steps, bulletins, indicator sets)
-- only have known_from: a row exists at P when known_from <= P.
-- Tracking: projection_tracking.name = 'records_v1'.

CREATE TABLE IF NOT EXISTS rec_inspections (
    inspection_id      uuid    NOT NULL,
    title              text    NOT NULL,
    year               integer NOT NULL,
    organizer_unit_id  uuid    NOT NULL,
    target_unit_ids    uuid[]  NOT NULL,
    team               uuid[]  NOT NULL,
    topics             text[]  NOT NULL,
    starts_on          date    NOT NULL,
    ends_on            date    NOT NULL,
    stage              text    NOT NULL,
    started_on         date,
    fed_back_on        date,
    feedback_summary   text,
    closed_on          date,
    documents          text[]  NOT NULL DEFAULT '{}',  -- every document (文号) its events cite
    version            integer NOT NULL,
    known_from         bigint  NOT NULL,
    known_to           bigint,
    PRIMARY KEY (inspection_id, known_from)
);
-- Added after version 1 was first deployed: `ledger projections rebuild` fills it.
-- Checked first, as in findings.sql (no exclusive lock on every start).
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = 'rec_inspections'::regclass AND attname = 'documents'
            AND NOT attisdropped
    ) THEN
        ALTER TABLE rec_inspections ADD COLUMN IF NOT EXISTS documents text[] NOT NULL DEFAULT '{}';
    END IF;
END $$;
CREATE INDEX IF NOT EXISTS rec_inspections_current_targets
    ON rec_inspections USING gin (target_unit_ids) WHERE known_to IS NULL;
-- The list (GET /v1/inspections) reads rows as known at a position, superseded ones
-- too, which the partial index above does not hold: its filters and its order.
CREATE INDEX IF NOT EXISTS rec_inspections_targets
    ON rec_inspections USING gin (target_unit_ids);
CREATE INDEX IF NOT EXISTS rec_inspections_latest
    ON rec_inspections (starts_on DESC, inspection_id);
CREATE INDEX IF NOT EXISTS rec_inspections_year ON rec_inspections (year, starts_on);
CREATE INDEX IF NOT EXISTS rec_inspections_organizer
    ON rec_inspections (organizer_unit_id, starts_on);

-- 督察材料: stored by reference and hash; one row per EvidenceRecorded (its stream version).
CREATE TABLE IF NOT EXISTS rec_evidence (
    inspection_id  uuid        NOT NULL,
    version        integer     NOT NULL,
    method         text        NOT NULL,
    summary        text        NOT NULL,
    document       text,
    sha256         text,
    unit_id        uuid,
    collected_on   date        NOT NULL,
    actor          text        NOT NULL,
    basis          text,
    recorded_at    timestamptz NOT NULL,
    known_from     bigint      NOT NULL,
    PRIMARY KEY (inspection_id, version)
);

-- 问责: the case's row is superseded by each of its events (the version moves on).
CREATE TABLE IF NOT EXISTS rec_cases (
    case_id           uuid    NOT NULL,
    person_id         uuid    NOT NULL,
    finding_ids       uuid[]  NOT NULL,
    handling_unit_id  uuid    NOT NULL,
    opened_on         date    NOT NULL,
    reason            text,
    basis             text,
    closed_on         date,
    closed_reason     text,
    version           integer NOT NULL,
    known_from        bigint  NOT NULL,
    known_to          bigint,
    PRIMARY KEY (case_id, known_from)
);
CREATE INDEX IF NOT EXISTS rec_cases_person ON rec_cases (person_id, known_from);
CREATE INDEX IF NOT EXISTS rec_cases_findings ON rec_cases USING gin (finding_ids);
-- The list (GET /v1/accountability-cases): by handling unit, and its order.
CREATE INDEX IF NOT EXISTS rec_cases_handling_unit ON rec_cases (handling_unit_id, opened_on);
CREATE INDEX IF NOT EXISTS rec_cases_latest ON rec_cases (opened_on DESC, case_id);

-- A sanction as it stands after each step: kind now, the kind first imposed, state.
-- decided_on is the date of the latest decision (imposed, upheld, modified, revoked).
CREATE TABLE IF NOT EXISTS rec_sanctions (
    sanction_id    uuid    NOT NULL,
    case_id        uuid    NOT NULL,
    person_id      uuid    NOT NULL,
    kind           text    NOT NULL,
    original_kind  text    NOT NULL,
    state          text    NOT NULL,
    imposed_on     date    NOT NULL,
    decided_on     date    NOT NULL,
    basis          text,
    known_from     bigint  NOT NULL,
    known_to       bigint,
    PRIMARY KEY (sanction_id, known_from)
);
CREATE INDEX IF NOT EXISTS rec_sanctions_case ON rec_sanctions (case_id, known_from);

-- Every step of a sanction: imposed, appealed, upheld, modified, revoked; kind is the
-- kind after the step, previous_kind the kind before a modification.
CREATE TABLE IF NOT EXISTS rec_sanction_steps (
    sanction_id    uuid        NOT NULL,
    case_id        uuid        NOT NULL,
    step           text        NOT NULL,
    step_on        date        NOT NULL,
    kind           text        NOT NULL,
    previous_kind  text,
    reason         text,
    basis          text,
    actor          text        NOT NULL,
    recorded_at    timestamptz NOT NULL,
    known_from     bigint      NOT NULL,
    PRIMARY KEY (sanction_id, known_from)
);
CREATE INDEX IF NOT EXISTS rec_sanction_steps_case ON rec_sanction_steps (case_id);

-- 督察线索: origin is the other system (12345, petitions, courts…); (origin,
-- external_id) is its key there.
CREATE TABLE IF NOT EXISTS rec_clues (
    clue_id        uuid        NOT NULL,
    origin         text        NOT NULL,
    external_id    text        NOT NULL,
    summary        text        NOT NULL,
    received_at    timestamptz NOT NULL,
    unit_id        uuid,
    recorded_at    timestamptz NOT NULL,
    outcome        text,
    finding_id     uuid,
    triage_reason  text,
    triaged_at     timestamptz,
    version        integer     NOT NULL,
    known_from     bigint      NOT NULL,
    known_to       bigint,
    PRIMARY KEY (clue_id, known_from)
);
CREATE UNIQUE INDEX IF NOT EXISTS rec_clues_current_key
    ON rec_clues (origin, external_id) WHERE known_to IS NULL;

-- 通报: issued once, never changed.
CREATE TABLE IF NOT EXISTS rec_bulletins (
    bulletin_id    uuid        NOT NULL PRIMARY KEY,
    kind           text        NOT NULL,
    title          text        NOT NULL,
    inspection_id  uuid        NOT NULL,
    finding_ids    uuid[]      NOT NULL,
    issued_on      date        NOT NULL,
    summary        text,
    basis          text,
    recorded_at    timestamptz NOT NULL,
    version        integer     NOT NULL,
    known_from     bigint      NOT NULL
);

CREATE TABLE IF NOT EXISTS rec_bulletin_recipients (
    bulletin_id  uuid    NOT NULL,
    ordinal      integer NOT NULL,
    unit_id      uuid    NOT NULL,
    known_from   bigint  NOT NULL,
    PRIMARY KEY (bulletin_id, ordinal)
);
CREATE INDEX IF NOT EXISTS rec_bulletin_recipients_unit ON rec_bulletin_recipients (unit_id);

-- 考核指标体系: indicators as defined (code, name, weight and any further fields).
CREATE TABLE IF NOT EXISTS rec_indicator_sets (
    indicator_set_id  uuid    NOT NULL PRIMARY KEY,
    year              integer NOT NULL,
    name              text    NOT NULL,
    indicators        jsonb   NOT NULL,
    basis             text,
    version           integer NOT NULL,
    known_from        bigint  NOT NULL
);

-- 考核: one row per assessment and reassessment (its stream version); a reassessment
-- closes the row before it (known_to) and never erases it.
CREATE TABLE IF NOT EXISTS rec_assessments (
    assessment_id     uuid          NOT NULL,
    version           integer       NOT NULL,
    indicator_set_id  uuid          NOT NULL,
    unit_id           uuid          NOT NULL,
    year              integer       NOT NULL,
    scores            jsonb         NOT NULL,
    total             numeric(7, 2) NOT NULL,
    grade             text          NOT NULL,
    assessed_on       date          NOT NULL,
    reason            text,
    basis             text,
    actor             text          NOT NULL,
    recorded_at       timestamptz   NOT NULL,
    known_from        bigint        NOT NULL,
    known_to          bigint,
    PRIMARY KEY (assessment_id, version)
);
CREATE INDEX IF NOT EXISTS rec_assessments_unit ON rec_assessments (unit_id, year);
