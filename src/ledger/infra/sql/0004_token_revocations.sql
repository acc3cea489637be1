-- Revoked tokens, by their `jti`. Append-only: a revocation is never taken back (issue a
-- new token instead). Every API process rereads rows past the last `seq` it saw.
CREATE TABLE token_revocations (
    seq         bigserial   PRIMARY KEY,
    jti         text        NOT NULL UNIQUE CHECK (length(jti) BETWEEN 1 AND 200),
    revoked_at  timestamptz NOT NULL DEFAULT now(),
    revoked_by  text        NOT NULL,
    reason      text
);

CREATE TRIGGER token_revocations_append_only BEFORE UPDATE OR DELETE ON token_revocations
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER token_revocations_no_truncate BEFORE TRUNCATE ON token_revocations
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
