-- Jurisdiction: row-level security on the read models and the log, for the API's reads.
--
-- The API reads as the role ledger_reader (SET LOCAL ROLE in each read transaction), with
-- the caller's jurisdiction in the setting ledger.scope: '*' for the whole ledger, or the
-- id of its unit (the jurisdiction is that unit and every unit below it). With no
-- setting a reader sees nothing, so a read that forgets its scope shows nothing rather
-- than everything. The projection worker and the event store write as the tables' owner,
-- which row-level security does not restrict. ledger_reader is NOLOGIN, not a superuser
-- and has no BYPASSRLS (tests/integration/test_jurisdiction.py checks it).
--
-- What a jurisdiction sees:
--   units, assignments, findings, clues, assessments: their unit is inside;
--   persons: they hold or held an assignment in a unit inside;
--   inspections: the organizing unit or a target unit is inside;
--   accountability cases and sanctions: the handling unit is inside, or the person is;
--   bulletins: a recipient unit is inside; indicator sets: everyone;
--   events and audit trails: the aggregate the event belongs to is visible.
-- Idempotent: applied on every start, after the read models' own SQL.

DO $$
BEGIN
    CREATE ROLE ledger_reader NOLOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- roles are per server: another database on it made it first
END
$$;

DO $$
BEGIN
    EXECUTE format('GRANT ledger_reader TO %I', current_user);
EXCEPTION WHEN others THEN
    NULL;  -- a superuser needs no grant to SET ROLE
END
$$;

CREATE OR REPLACE FUNCTION ledger_scope_all() RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(current_setting('ledger.scope', true), '') = '*' $$;

-- The units of the jurisdiction: the unit named by ledger.scope and every unit below it,
-- as the chain read model has them now. SECURITY DEFINER: it reads chain_units past the
-- policies (which call it). Written (SELECT ledger_scope()) in a policy, it runs once per
-- query, not once per row.
CREATE OR REPLACE FUNCTION ledger_scope() RETURNS uuid[]
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$
        WITH RECURSIVE tree (unit_id) AS (
            SELECT current_setting('ledger.scope', true)::uuid
            WHERE coalesce(current_setting('ledger.scope', true), '') NOT IN ('', '*')
            UNION
            SELECT u.unit_id FROM chain_units u JOIN tree t ON u.parent_id = t.unit_id
            WHERE u.known_to IS NULL
        )
        SELECT coalesce(array_agg(unit_id), '{}') FROM tree
    $$;

GRANT USAGE ON SCHEMA public TO ledger_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ledger_reader;

-- One policy per table; (re)created so a changed rule replaces the old one.
CREATE OR REPLACE FUNCTION ledger_policy(tbl text, rule text) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('DROP POLICY IF EXISTS jurisdiction ON %I', tbl);
    EXECUTE format(
        'CREATE POLICY jurisdiction ON %I FOR SELECT TO ledger_reader '
        'USING ((SELECT ledger_scope_all()) OR (%s))', tbl, rule);
END
$$;

SELECT ledger_policy('chain_units', 'unit_id = ANY ((SELECT ledger_scope())::uuid[])');
SELECT ledger_policy('chain_assignments', 'unit_id = ANY ((SELECT ledger_scope())::uuid[])');
SELECT ledger_policy('chain_persons',
    'EXISTS (SELECT 1 FROM chain_assignments a WHERE a.person_id = chain_persons.person_id)');
SELECT ledger_policy('chain_portfolios',
    'EXISTS (SELECT 1 FROM chain_assignments a WHERE a.assignment_id = chain_portfolios.assignment_id)');
SELECT ledger_policy('chain_lines',
    'EXISTS (SELECT 1 FROM chain_assignments a WHERE a.assignment_id = chain_lines.assignment_id)');
SELECT ledger_policy('loop_findings', 'unit_id = ANY ((SELECT ledger_scope())::uuid[])');
SELECT ledger_policy('loop_counts', 'unit_id = ANY ((SELECT ledger_scope())::uuid[])');
SELECT ledger_policy('loop_attributions',
    'EXISTS (SELECT 1 FROM loop_findings f WHERE f.finding_id = loop_attributions.finding_id)');
SELECT ledger_policy('loop_deadlines',
    'EXISTS (SELECT 1 FROM loop_findings f WHERE f.finding_id = loop_deadlines.finding_id)');
SELECT ledger_policy('rec_inspections',
    'organizer_unit_id = ANY ((SELECT ledger_scope())::uuid[]) '
    'OR target_unit_ids && (SELECT ledger_scope())');
SELECT ledger_policy('rec_evidence',
    'EXISTS (SELECT 1 FROM rec_inspections i WHERE i.inspection_id = rec_evidence.inspection_id)');
SELECT ledger_policy('rec_cases',
    'handling_unit_id = ANY ((SELECT ledger_scope())::uuid[]) '
    'OR EXISTS (SELECT 1 FROM chain_assignments a WHERE a.person_id = rec_cases.person_id)');
SELECT ledger_policy('rec_sanctions',
    'EXISTS (SELECT 1 FROM rec_cases c WHERE c.case_id = rec_sanctions.case_id)');
SELECT ledger_policy('rec_sanction_steps',
    'EXISTS (SELECT 1 FROM rec_cases c WHERE c.case_id = rec_sanction_steps.case_id)');
SELECT ledger_policy('rec_clues', 'unit_id = ANY ((SELECT ledger_scope())::uuid[])');
SELECT ledger_policy('rec_bulletin_recipients', 'unit_id = ANY ((SELECT ledger_scope())::uuid[])');
SELECT ledger_policy('rec_bulletins',
    'EXISTS (SELECT 1 FROM rec_bulletin_recipients r '
    'WHERE r.bulletin_id = rec_bulletins.bulletin_id)');
SELECT ledger_policy('rec_assessments', 'unit_id = ANY ((SELECT ledger_scope())::uuid[])');
SELECT ledger_policy('rec_indicator_sets', 'true');
SELECT ledger_policy('ledger_events',
    'EXISTS (SELECT 1 FROM chain_units x WHERE x.unit_id = ledger_events.stream_id) '
    'OR EXISTS (SELECT 1 FROM chain_persons x WHERE x.person_id = ledger_events.stream_id) '
    'OR EXISTS (SELECT 1 FROM chain_assignments x WHERE x.assignment_id = ledger_events.stream_id) '
    'OR EXISTS (SELECT 1 FROM loop_findings x WHERE x.finding_id = ledger_events.stream_id) '
    'OR EXISTS (SELECT 1 FROM rec_inspections x WHERE x.inspection_id = ledger_events.stream_id) '
    'OR EXISTS (SELECT 1 FROM rec_cases x WHERE x.case_id = ledger_events.stream_id) '
    'OR EXISTS (SELECT 1 FROM rec_clues x WHERE x.clue_id = ledger_events.stream_id) '
    'OR EXISTS (SELECT 1 FROM rec_bulletins x WHERE x.bulletin_id = ledger_events.stream_id) '
    'OR EXISTS (SELECT 1 FROM rec_assessments x WHERE x.assessment_id = ledger_events.stream_id) '
    'OR EXISTS (SELECT 1 FROM rec_indicator_sets x '
    'WHERE x.indicator_set_id = ledger_events.stream_id)');
-- The access log: within a unit's jurisdiction, the looks at its persons and units.
SELECT ledger_policy('access_log',
    'EXISTS (SELECT 1 FROM chain_persons x WHERE x.person_id = access_log.person_id) '
    'OR (target_kind = ''unit'' AND target_id = ANY ((SELECT ledger_scope())::uuid[]))');
