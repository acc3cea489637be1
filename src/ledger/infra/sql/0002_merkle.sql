-- The Merkle tree over the log (RFC 6962 hashing) and signed checkpoints.
--
-- Leaf i (0-based) is the event at position i + 1; its leaf bytes are ledger_leaf() of
-- the row (the bytes the chain hash covers). merkle_nodes holds the hash of every
-- complete subtree: level 0 the leaf hashes, level k the node over leaves
-- [idx * 2^k, (idx + 1) * 2^k). A proof therefore reads O(log n) rows. One extender at
-- a time (advisory lock) appends nodes and moves merkle_head.size.

CREATE TABLE merkle_nodes (
    level  smallint NOT NULL CHECK (level BETWEEN 0 AND 62),
    idx    bigint   NOT NULL CHECK (idx >= 0),
    hash   bytea    NOT NULL CHECK (octet_length(hash) = 32),
    PRIMARY KEY (level, idx)
);

CREATE TABLE merkle_head (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    size       bigint  NOT NULL
);
INSERT INTO merkle_head (size) VALUES (0);

-- A signed tree head in the C2SP signed-note checkpoint format, kept verbatim.
CREATE TABLE ledger_checkpoints (
    size        bigint      NOT NULL,
    key_id      bytea       NOT NULL,
    root        bytea       NOT NULL CHECK (octet_length(root) = 32),
    chain_hash  bytea       NOT NULL CHECK (octet_length(chain_hash) = 32),
    note        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (size, key_id)
);
CREATE INDEX ledger_checkpoints_created ON ledger_checkpoints (created_at);

CREATE TRIGGER merkle_nodes_append_only BEFORE UPDATE OR DELETE ON merkle_nodes
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER merkle_nodes_no_truncate BEFORE TRUNCATE ON merkle_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
