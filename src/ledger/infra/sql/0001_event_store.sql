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

-- Append a batch of events in one transaction (one round trip from the client).
-- Raises SQLSTATE LE001 on a stream version conflict, LE002 when the consistency
-- condition fails (an event carrying one of p_condition_tags was appended after
-- p_condition_after). Returns the positions written, or the stored result when
-- the idempotency key was used before.
CREATE FUNCTION ledger_append(
    p_stream_ids uuid[], p_versions integer[], p_topics text[], p_states bytea[],
    p_tags text[], p_condition_tags text[], p_condition_after bigint,
    p_actor text, p_idempotency_key text, p_request_hash bytea, p_result jsonb
) RETURNS jsonb
LANGUAGE plpgsql
AS $$
DECLARE
    head         ledger_head%ROWTYPE;
    n            integer := coalesce(array_length(p_stream_ids, 1), 0);
    previous     ledger_idempotency%ROWTYPE;
    stream       record;
    current      integer;
    recorded     timestamptz;
    event_tags   text[];
    pos          bigint;
    chain        bytea;
BEGIN
    IF n = 0 THEN
        RAISE EXCEPTION 'ledger_append needs at least one event' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO head FROM ledger_head WHERE singleton FOR UPDATE;

    IF p_idempotency_key IS NOT NULL THEN
        SELECT * INTO previous FROM ledger_idempotency
        WHERE actor = p_actor AND key = p_idempotency_key;
        IF FOUND THEN
            RETURN jsonb_build_object(
                'duplicate', true,
                'request_hash', encode(previous.request_hash, 'hex'),
                'result', previous.result,
                'position', previous.position);
        END IF;
    END IF;

    FOR stream IN
        SELECT s.id, min(s.version) AS first_version
        FROM unnest(p_stream_ids, p_versions) AS s(id, version) GROUP BY s.id
    LOOP
        SELECT coalesce(max(stream_version), 0) INTO current
        FROM ledger_events WHERE stream_id = stream.id;
        IF current <> stream.first_version - 1 THEN
            RAISE EXCEPTION 'stream % is at version %, expected %',
                stream.id, current, stream.first_version - 1
                USING ERRCODE = 'LE001',
                      DETAIL = jsonb_build_object('stream_id', stream.id,
                          'actual', current, 'expected', stream.first_version - 1)::text;
        END IF;
    END LOOP;

    IF p_condition_tags IS NOT NULL AND cardinality(p_condition_tags) > 0 AND EXISTS (
        SELECT 1 FROM ledger_events
        WHERE tags && p_condition_tags AND position > p_condition_after
    ) THEN
        RAISE EXCEPTION 'events concerning % were appended after position %',
            p_condition_tags, p_condition_after
            USING ERRCODE = 'LE002';
    END IF;

    -- Recorded time never goes backwards, so "known at" maps to one position.
    recorded := greatest(clock_timestamp(), coalesce(head.recorded_at, '-infinity'));
    pos := head.position;
    chain := head.chain_hash;
    FOR i IN 1 .. n LOOP
        pos := pos + 1;
        event_tags := string_to_array(p_tags[i], E'\n');
        INSERT INTO ledger_events (position, stream_id, stream_version, topic, state, tags)
        VALUES (pos, p_stream_ids[i], p_versions[i], p_topics[i], p_states[i], event_tags);
        chain := sha256(chain || ledger_leaf(pos, p_stream_ids[i], p_versions[i],
                                             p_topics[i], p_states[i], event_tags, recorded));
        INSERT INTO ledger_seal (position, recorded_at, chain_hash) VALUES (pos, recorded, chain);
    END LOOP;

    UPDATE ledger_head SET position = pos, recorded_at = recorded, chain_hash = chain
    WHERE singleton;

    IF p_idempotency_key IS NOT NULL THEN
        INSERT INTO ledger_idempotency (actor, key, request_hash, result, position, recorded_at)
        VALUES (p_actor, p_idempotency_key, p_request_hash,
                jsonb_set(p_result, '{position}', to_jsonb(pos)), pos, recorded);
    END IF;

    PERFORM pg_notify('ledger_events', pos::text);
    RETURN jsonb_build_object(
        'duplicate', false,
        'first_position', head.position + 1,
        'last_position', pos,
        'recorded_at', recorded);
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

-- Read models record how far they have applied the log, in the same transaction
-- as their rows (exactly-once).
CREATE TABLE projection_tracking (
    name      text   PRIMARY KEY,
    position  bigint NOT NULL DEFAULT 0
);
