-- The access log: who looked at whose dossier, and why. Every entry is chained to the
-- one before it as the event log's seal is: append-only (UPDATE, DELETE and TRUNCATE
-- refused), numbered without gaps under the lock of the head row, hashed with SHA-256.
--
-- Entry bytes (access log encoding v1): the thirteen fields below in this order, each
-- length-prefixed with a 4-byte big-endian length; a NULL is the length 0xFFFFFFFF
-- (-1, as in PostgreSQL's binary COPY) with no bytes after it:
--   seq (int8) | at (int8: microseconds since 1970-01-01T00:00:00Z) | subject | role
--   | action | target_kind | target_id (uuid, 16 bytes) | person_id (uuid, 16 bytes)
--   | path | client | outcome (int4) | purpose | request_id
-- Text is UTF-8; integers are big-endian two's complement (int8send/int4send).
-- entry_hash(n) = SHA-256(prev_hash(n) || entry bytes(n)), prev_hash(n) = entry_hash(n-1),
-- prev_hash(1) = 32 zero bytes. ``ledger.offline.access_entry_bytes`` is the same in Python.

CREATE TABLE access_log (
    seq          bigint      PRIMARY KEY CHECK (seq > 0),
    at           timestamptz NOT NULL,
    subject      text        NOT NULL,
    role         text        NOT NULL,
    action       text        NOT NULL,
    target_kind  text,
    target_id    uuid,
    person_id    uuid,
    path         text        NOT NULL,
    client       text,
    outcome      integer     NOT NULL CHECK (outcome BETWEEN 100 AND 599),
    purpose      text,
    request_id   text        NOT NULL,
    prev_hash    bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
    entry_hash   bytea       NOT NULL CHECK (octet_length(entry_hash) = 32)
);
CREATE INDEX access_log_person ON access_log (person_id, seq) WHERE person_id IS NOT NULL;
CREATE INDEX access_log_subject ON access_log (subject, seq);
CREATE INDEX access_log_at ON access_log (at);

-- One row: the last entry. Appends lock it, so entries are numbered and committed in
-- order by every API process, and each is chained to a locked value.
CREATE TABLE access_log_head (
    singleton   boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    seq         bigint      NOT NULL,
    at          timestamptz,
    entry_hash  bytea       NOT NULL
);
INSERT INTO access_log_head (seq, at, entry_hash)
VALUES (0, NULL, '\x0000000000000000000000000000000000000000000000000000000000000000');

CREATE FUNCTION access_log_nullable(value bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN value IS NULL THEN '\xffffffff'::bytea ELSE ledger_field(value) END $$;

CREATE FUNCTION access_log_bytes(
    p_seq bigint, p_at timestamptz, p_subject text, p_role text, p_action text,
    p_target_kind text, p_target_id uuid, p_person_id uuid, p_path text, p_client text,
    p_outcome integer, p_purpose text, p_request_id text
) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT ledger_field(int8send(p_seq))
        || ledger_field(int8send((extract(epoch FROM p_at) * 1000000)::bigint))
        || access_log_nullable(convert_to(p_subject, 'UTF8'))
        || access_log_nullable(convert_to(p_role, 'UTF8'))
        || access_log_nullable(convert_to(p_action, 'UTF8'))
        || access_log_nullable(convert_to(p_target_kind, 'UTF8'))
        || access_log_nullable(uuid_send(p_target_id))
        || access_log_nullable(uuid_send(p_person_id))
        || access_log_nullable(convert_to(p_path, 'UTF8'))
        || access_log_nullable(convert_to(p_client, 'UTF8'))
        || access_log_nullable(int4send(p_outcome))
        || access_log_nullable(convert_to(p_purpose, 'UTF8'))
        || access_log_nullable(convert_to(p_request_id, 'UTF8'))
$$;

-- Append entries (one or more, in array order) in one transaction; returns the seq of
-- the first. ``at`` is the database clock, never earlier than the entry before, so the
-- log is ordered by time as by seq.
CREATE FUNCTION access_log_append(
    p_subject text[], p_role text[], p_action text[], p_target_kind text[],
    p_target_id uuid[], p_person_id uuid[], p_path text[], p_client text[],
    p_outcome integer[], p_purpose text[], p_request_id text[]
) RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    head   access_log_head%ROWTYPE;
    n      integer := coalesce(array_length(p_subject, 1), 0);
    stamp  timestamptz;
    cur    bigint;
    chain  bytea;
    hashed bytea;
BEGIN
    IF n = 0 THEN
        RAISE EXCEPTION 'no entries to append' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO head FROM access_log_head WHERE singleton FOR UPDATE;
    stamp := greatest(clock_timestamp(), coalesce(head.at, '-infinity'));
    cur := head.seq;
    chain := head.entry_hash;
    FOR i IN 1 .. n LOOP
        cur := cur + 1;
        hashed := sha256(chain || access_log_bytes(cur, stamp, p_subject[i], p_role[i],
            p_action[i], p_target_kind[i], p_target_id[i], p_person_id[i], p_path[i],
            p_client[i], p_outcome[i], p_purpose[i], p_request_id[i]));
        INSERT INTO access_log (seq, at, subject, role, action, target_kind, target_id,
            person_id, path, client, outcome, purpose, request_id, prev_hash, entry_hash)
        VALUES (cur, stamp, p_subject[i], p_role[i], p_action[i], p_target_kind[i],
            p_target_id[i], p_person_id[i], p_path[i], p_client[i], p_outcome[i],
            p_purpose[i], p_request_id[i], chain, hashed);
        chain := hashed;
    END LOOP;
    UPDATE access_log_head SET seq = cur, at = stamp, entry_hash = chain
    WHERE singleton;
    RETURN head.seq + 1;
END
$$;

CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- The head moves only forward, and only to the last entry with its time and hash.
CREATE FUNCTION access_log_head_guard() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP <> 'UPDATE' OR NEW.seq <= OLD.seq OR NOT EXISTS (
        SELECT 1 FROM access_log a
        WHERE a.seq = NEW.seq AND a.entry_hash = NEW.entry_hash AND a.at = NEW.at)
    THEN
        RAISE EXCEPTION 'the access log head only moves forward to the last entry'
            USING ERRCODE = 'LE900';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER access_log_head_guard BEFORE UPDATE OR DELETE ON access_log_head
    FOR EACH ROW EXECUTE FUNCTION access_log_head_guard();
CREATE TRIGGER access_log_head_no_truncate BEFORE TRUNCATE ON access_log_head
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
