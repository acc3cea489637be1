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
