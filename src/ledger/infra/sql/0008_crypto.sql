-- The ledger's algorithms, fixed when it is created: `sha256-ed25519` (SHA-256 chain and
-- tree, Ed25519 checkpoints: the default, what transparency-log tooling verifies) or
-- `sm3-sm2` (SM3 chain and tree, SM2 checkpoints: GB/T 32905, GB/T 32918). The service
-- writes the row once, at the first start on an empty log (LEDGER_CRYPTO), and refuses to
-- start with another setting; a ledger that existed before this row is `sha256-ed25519`.
CREATE TABLE ledger_parameters (
    singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    crypto       text        NOT NULL CHECK (crypto IN ('sha256-ed25519', 'sm3-sm2')),
    -- SM2's distinguishing identifier (ZA), fixed: OpenSSL 3.0's default is empty and
    -- OpenSSL 4's and GmSSL's "1234567812345678"; a signature made under one does not
    -- verify under the other, so it is stated here and in the signature profile.
    sm2_user_id  text        CHECK ((crypto = 'sm3-sm2') = (sm2_user_id IS NOT NULL)),
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TRIGGER ledger_parameters_append_only BEFORE UPDATE OR DELETE ON ledger_parameters
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_parameters_no_truncate BEFORE TRUNCATE ON ledger_parameters
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- One link of the chain: H(previous chain hash || leaf), H the ledger's hash. SM3 is
-- pgcrypto's digest(..., 'sm3') where the server has it; a server without pgcrypto (the
-- embedded one) leaves the SM3 links to the application, under the same head lock and in
-- the same transaction (ledger_seal_batch below). PL/pgSQL: `digest` is looked up only
-- when an SM3 link is computed here.
CREATE FUNCTION ledger_chain_step(p_crypto text, p_previous bytea, p_leaf bytea)
RETURNS bytea
LANGUAGE plpgsql STABLE STRICT
AS $$
BEGIN
    IF p_crypto = 'sm3-sm2' THEN
        RETURN digest(p_previous || p_leaf, 'sm3');
    END IF;
    RETURN sha256(p_previous || p_leaf);
END
$$;

-- As in 0001, but each link through ledger_chain_step. Where the database cannot compute
-- SM3, a caller that says it seals (p_application_seals, in a transaction of its own) gets
-- the events written unsealed (its answers say "unsealed", with the recorded time in
-- microseconds and the head's chain hash) and the head left where it was: it seals them
-- with ledger_seal_batch before it commits. Any other caller is refused (LE003), nothing
-- written. The 0001 signature stays, as a caller that does not seal.
CREATE FUNCTION ledger_append_batch(
    p_command integer[], p_stream_ids uuid[], p_versions integer[], p_topics text[],
    p_states bytea[], p_tags text[],
    p_condition_tags text[], p_condition_after bigint[], p_actor text[],
    p_idempotency_key text[], p_request_hash bytea[], p_result jsonb[],
    p_application_seals boolean
) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    head        ledger_head%ROWTYPE;
    m           integer := coalesce(array_length(p_actor, 1), 0);
    n           integer := coalesce(array_length(p_stream_ids, 1), 0);
    answers     jsonb := '[]'::jsonb;
    recorded    timestamptz;
    pos         bigint;
    chain       bytea;
    next_pos    bigint;
    new_chain   bytea;
    first_i     integer;
    last_i      integer;
    i           integer := 1;
    previous    ledger_idempotency%ROWTYPE;
    stream      record;
    current     integer;
    cond_tags   text[];
    event_tags  text[];
    detail      text;
    crypto      text;
    in_sql      boolean;
BEGIN
    SELECT * INTO head FROM ledger_head WHERE singleton FOR UPDATE;
    SELECT p.crypto INTO crypto FROM ledger_parameters p;
    crypto := coalesce(crypto, 'sha256-ed25519');
    in_sql := crypto = 'sha256-ed25519' OR to_regprocedure('digest(bytea,text)') IS NOT NULL;
    IF NOT in_sql AND NOT p_application_seals THEN
        RAISE EXCEPTION 'this database cannot compute SM3: the caller seals (ledger_seal_batch)'
            USING ERRCODE = 'LE003';
    END IF;
    recorded := greatest(clock_timestamp(), coalesce(head.recorded_at, '-infinity'));
    pos := head.position;
    chain := head.chain_hash;

    FOR c IN 1 .. m LOOP
        first_i := i;
        WHILE i <= n AND p_command[i] = c LOOP
            i := i + 1;
        END LOOP;
        last_i := i - 1;

        IF p_idempotency_key[c] IS NOT NULL THEN
            SELECT * INTO previous FROM ledger_idempotency
            WHERE actor = p_actor[c] AND key = p_idempotency_key[c];
            IF FOUND THEN
                answers := answers || jsonb_build_array(jsonb_build_object(
                    'status', 'duplicate',
                    'request_hash', encode(previous.request_hash, 'hex'),
                    'result', previous.result,
                    'position', previous.position));
                CONTINUE;
            END IF;
        END IF;
        IF last_i < first_i THEN
            RAISE EXCEPTION 'command % has no events', c USING ERRCODE = '22023';
        END IF;

        BEGIN
            FOR stream IN
                SELECT s.id, min(s.version) AS first_version
                FROM unnest(p_stream_ids[first_i:last_i], p_versions[first_i:last_i])
                    AS s(id, version)
                GROUP BY s.id
            LOOP
                SELECT coalesce(max(stream_version), 0) INTO current
                FROM ledger_events WHERE stream_id = stream.id;
                IF current <> stream.first_version - 1 THEN
                    RAISE EXCEPTION 'stream % is at version %, expected %',
                        stream.id, current, stream.first_version - 1
                        USING ERRCODE = 'LE001',
                              DETAIL = jsonb_build_object('stream_id', stream.id,
                                  'actual', current,
                                  'expected', stream.first_version - 1)::text;
                END IF;
            END LOOP;

            cond_tags := string_to_array(p_condition_tags[c], E'\n');
            IF cardinality(cond_tags) > 0 AND EXISTS (
                SELECT 1 FROM ledger_events
                WHERE tags && cond_tags AND position > p_condition_after[c]
            ) THEN
                RAISE EXCEPTION 'condition failed' USING ERRCODE = 'LE002';
            END IF;

            next_pos := pos;
            new_chain := chain;
            FOR j IN first_i .. last_i LOOP
                next_pos := next_pos + 1;
                event_tags := string_to_array(p_tags[j], E'\n');
                INSERT INTO ledger_events
                    (position, stream_id, stream_version, topic, state, tags)
                VALUES (next_pos, p_stream_ids[j], p_versions[j], p_topics[j], p_states[j],
                        event_tags);
                IF in_sql THEN
                    new_chain := ledger_chain_step(crypto, new_chain, ledger_leaf(next_pos,
                        p_stream_ids[j], p_versions[j], p_topics[j], p_states[j], event_tags,
                        recorded));
                    INSERT INTO ledger_seal (position, recorded_at, chain_hash)
                    VALUES (next_pos, recorded, new_chain);
                END IF;
            END LOOP;

            IF p_idempotency_key[c] IS NOT NULL THEN
                INSERT INTO ledger_idempotency
                    (actor, key, request_hash, result, position, recorded_at)
                VALUES (p_actor[c], p_idempotency_key[c], p_request_hash[c],
                        jsonb_set(p_result[c], '{position}', to_jsonb(next_pos)),
                        next_pos, recorded);
            END IF;

            answers := answers || jsonb_build_array(jsonb_build_object(
                'status', 'appended',
                'first_position', pos + 1,
                'last_position', next_pos,
                'recorded_at', recorded)
                || CASE WHEN in_sql THEN '{}'::jsonb
                   ELSE jsonb_build_object('unsealed', true,
                        'recorded_micros', (extract(epoch FROM recorded) * 1000000)::bigint,
                        'head_chain', encode(head.chain_hash, 'hex'))
                   END);
            -- Only now, with every row of the command in, does the batch move on.
            pos := next_pos;
            chain := new_chain;
        EXCEPTION
            WHEN SQLSTATE 'LE001' THEN
                GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
                answers := answers || jsonb_build_array(
                    jsonb_build_object('status', 'version_conflict') || detail::jsonb);
            WHEN SQLSTATE 'LE002' THEN
                answers := answers || jsonb_build_array(
                    jsonb_build_object('status', 'condition_failed'));
        END;
    END LOOP;

    IF pos > head.position AND in_sql THEN
        UPDATE ledger_head SET position = pos, recorded_at = recorded, chain_hash = chain
        WHERE singleton;
        PERFORM pg_notify('ledger_events', pos::text);
    END IF;
    RETURN answers;
END
$$;


-- Seal the events an SM3 ledger's ledger_append_batch left unsealed, in the same
-- transaction: the chain hashes the application computed (SM3(previous || leaf)) for
-- positions head + 1 .. head + n, all recorded at p_recorded. Refused on a SHA-256 ledger
-- and where the database computes SM3 itself: the chain is then never taken from outside.
CREATE FUNCTION ledger_seal_batch(p_recorded timestamptz, p_chains bytea[]) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    head  ledger_head%ROWTYPE;
    n     integer := coalesce(cardinality(p_chains), 0);
    last  bigint;
BEGIN
    SELECT * INTO head FROM ledger_head WHERE singleton FOR UPDATE;
    IF (SELECT crypto FROM ledger_parameters) IS DISTINCT FROM 'sm3-sm2'
       OR to_regprocedure('digest(bytea,text)') IS NOT NULL THEN
        RAISE EXCEPTION 'this ledger computes its chain in the database'
            USING ERRCODE = 'LE900';
    END IF;
    last := head.position + n;
    IF n = 0 OR (SELECT max(position) FROM ledger_events) IS DISTINCT FROM last
       OR EXISTS (SELECT 1 FROM ledger_seal WHERE position > head.position)
       OR p_recorded < coalesce(head.recorded_at, '-infinity') THEN
        RAISE EXCEPTION 'the chains given are not those of the unsealed events'
            USING ERRCODE = 'LE900';
    END IF;
    INSERT INTO ledger_seal (position, recorded_at, chain_hash)
    SELECT head.position + i, p_recorded, p_chains[i] FROM generate_subscripts(p_chains, 1) i;
    UPDATE ledger_head SET position = last, recorded_at = p_recorded, chain_hash = p_chains[n]
    WHERE singleton;
    PERFORM pg_notify('ledger_events', last::text);
    RETURN last;
END
$$;

CREATE OR REPLACE FUNCTION ledger_append_batch(
    p_command integer[], p_stream_ids uuid[], p_versions integer[], p_topics text[],
    p_states bytea[], p_tags text[],
    p_condition_tags text[], p_condition_after bigint[], p_actor text[],
    p_idempotency_key text[], p_request_hash bytea[], p_result jsonb[]
) RETURNS jsonb
LANGUAGE sql
AS $$
    SELECT ledger_append_batch(p_command, p_stream_ids, p_versions, p_topics, p_states,
        p_tags, p_condition_tags, p_condition_after, p_actor, p_idempotency_key,
        p_request_hash, p_result, false)
$$;
