-- The event log, its seal (recorded time + hash chain), the head lock row and
-- idempotency keys. Append-only: UPDATE, DELETE and TRUNCATE are refused below.
--
-- Leaf bytes of an event (encoding v1), every field length-prefixed with a
-- 4-byte big-endian length:
--   field(int8 position) | field(uuid stream_id, 16 bytes) | field(int4 stream_version)
--   | field(topic, UTF-8) | field(state, stored bytes) | field(tags joined by LF, UTF-8)
--   | field(int8 recorded_at in microseconds since 1970-01-01T00:00:00Z)
-- Integers are big-endian two's complement (PostgreSQL int8send/int4send).
-- chain_hash(n) = SHA-256(chain_hash(n-1) || leaf(n)); chain_hash(0) = 32 zero bytes.

CREATE TABLE ledger_events (
    position        bigint  PRIMARY KEY,
    stream_id       uuid    NOT NULL,
    stream_version  integer NOT NULL CHECK (stream_version > 0),
    topic           text    NOT NULL,
    state           bytea   NOT NULL,
    tags            text[]  NOT NULL DEFAULT '{}',
    UNIQUE (stream_id, stream_version)
);
CREATE INDEX ledger_events_tags ON ledger_events USING gin (tags);

CREATE TABLE ledger_seal (
    position     bigint      PRIMARY KEY REFERENCES ledger_events (position),
    recorded_at  timestamptz NOT NULL,
    chain_hash   bytea       NOT NULL CHECK (octet_length(chain_hash) = 32)
);
CREATE INDEX ledger_seal_recorded_at ON ledger_seal (recorded_at);

-- One row: the head of the log. Appends lock it, so positions are assigned and
-- committed strictly in order and the chain is extended from a locked value.
CREATE TABLE ledger_head (
    singleton    boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    position     bigint      NOT NULL,
    recorded_at  timestamptz,
    chain_hash   bytea       NOT NULL
);
INSERT INTO ledger_head (position, recorded_at, chain_hash)
VALUES (0, NULL, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE ledger_idempotency (
    actor         text        NOT NULL,
    key           text        NOT NULL,
    request_hash  bytea       NOT NULL,
    result        jsonb       NOT NULL,
    position      bigint      NOT NULL,
    recorded_at   timestamptz NOT NULL,
    PRIMARY KEY (actor, key)
);

CREATE FUNCTION ledger_field(value bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT int4send(octet_length(value)) || value $$;

CREATE FUNCTION ledger_leaf(
    p_position bigint, p_stream_id uuid, p_stream_version integer, p_topic text,
    p_state bytea, p_tags text[], p_recorded_at timestamptz
) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
    SELECT ledger_field(int8send(p_position))
        || ledger_field(uuid_send(p_stream_id))
        || ledger_field(int4send(p_stream_version))
        || ledger_field(convert_to(p_topic, 'UTF8'))
        || ledger_field(p_state)
        || ledger_field(convert_to(array_to_string(p_tags, E'\n'), 'UTF8'))
        || ledger_field(int8send((extract(epoch FROM p_recorded_at) * 1000000)::bigint))
$$;

-- Append the events of one or more commands in one transaction (one round trip, one
-- commit, one fsync: group commit), each command succeeding or failing on its own.
--
-- Events come in command order; p_command[i] is the command (1..m) of event i. Per
-- command: its condition tags (LF-joined, '' for none) and position, actor,
-- idempotency key (NULL for none), request hash and result. Each command runs in a
-- subtransaction: a version conflict (LE001) or a failed condition (LE002) undoes that
-- command's rows only. The answer is a JSON array, one object per command, with
-- "status": appended | duplicate | version_conflict | condition_failed.
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

CREATE FUNCTION ledger_refuse_change() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'LE900';
END
$$;

CREATE TRIGGER ledger_events_append_only BEFORE UPDATE OR DELETE ON ledger_events
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_seal_append_only BEFORE UPDATE OR DELETE ON ledger_seal
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_seal_no_truncate BEFORE TRUNCATE ON ledger_seal
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_idempotency_append_only BEFORE UPDATE OR DELETE ON ledger_idempotency
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_idempotency_no_truncate BEFORE TRUNCATE ON ledger_idempotency
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- The head row moves only forward, and only to the last sealed position with its
-- recorded time and chain hash: deleting it, moving it back or forking the chain
-- would otherwise stop every later append or split the seal.
CREATE FUNCTION ledger_head_guard() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.position <= OLD.position OR NOT EXISTS (
        SELECT 1 FROM ledger_seal s
        WHERE s.position = NEW.position AND s.chain_hash = NEW.chain_hash
          AND s.recorded_at = NEW.recorded_at)
    THEN
        RAISE EXCEPTION 'the ledger head only moves forward to the last sealed position'
            USING ERRCODE = 'LE900';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_head_guard BEFORE UPDATE OR DELETE ON ledger_head
    FOR EACH ROW EXECUTE FUNCTION ledger_head_guard();
CREATE TRIGGER ledger_head_no_truncate BEFORE TRUNCATE ON ledger_head
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- Read models record how far they have applied the log, in the same transaction
-- as their rows (exactly-once).
CREATE TABLE projection_tracking (
    name      text   PRIMARY KEY,
    position  bigint NOT NULL DEFAULT 0
);
