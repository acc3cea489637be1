-- Group commit: append the events of several commands in one transaction (one round
-- trip, one commit, one fsync), each command succeeding or failing on its own.
--
-- Events come in command order; p_command[i] is the command (1..m) of event i. Per
-- command: its condition tags (LF-joined, '' for none) and position, actor,
-- idempotency key (NULL for none), request hash and result. Each command runs in a
-- subtransaction: a version conflict (LE001) or a failed condition (LE002) undoes that
-- command's rows only. The answer is a JSON array, one object per command, with
-- "status": appended | duplicate | version_conflict | condition_failed.
-- The leaf encoding and chain are exactly those of ledger_append (0001).
CREATE FUNCTION ledger_append_batch(
    p_command integer[], p_stream_ids uuid[], p_versions integer[], p_topics text[],
    p_states bytea[], p_tags text[],
    p_condition_tags text[], p_condition_after bigint[], p_actor text[],
    p_idempotency_key text[], p_request_hash bytea[], p_result jsonb[]
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
BEGIN
    SELECT * INTO head FROM ledger_head WHERE singleton FOR UPDATE;
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
                new_chain := sha256(new_chain || ledger_leaf(next_pos, p_stream_ids[j],
                    p_versions[j], p_topics[j], p_states[j], event_tags, recorded));
                INSERT INTO ledger_seal (position, recorded_at, chain_hash)
                VALUES (next_pos, recorded, new_chain);
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
                'recorded_at', recorded));
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

    IF pos > head.position THEN
        UPDATE ledger_head SET position = pos, recorded_at = recorded, chain_hash = chain
        WHERE singleton;
        PERFORM pg_notify('ledger_events', pos::text);
    END IF;
    RETURN answers;
END
$$;

-- One append path: the single-command function of 0001 is replaced by the batch one.
DROP FUNCTION ledger_append(uuid[], integer[], text[], bytea[], text[], text[], bigint,
                            text, text, bytea, jsonb);
