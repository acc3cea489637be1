-- Each token's requests in each minute (minute = floor(epoch seconds / 60)), counted by
-- every API process: each adds what it let through since its last flush and reads back the
-- totals (infra/ratelimits.py). Operational state, not part of the log: windows older than
-- the previous minute are deleted. UNLOGGED: no WAL for counts rewritten several times a
-- second; after a crash (or on a promoted standby) the table starts empty, which only
-- forgives the current minute.
CREATE UNLOGGED TABLE rate_windows (
    token_id  text   NOT NULL,
    minute    bigint NOT NULL,
    used      bigint NOT NULL CHECK (used >= 0),
    PRIMARY KEY (token_id, minute)
);

-- The current minute's tokens over the limit, and the old windows to delete.
CREATE INDEX rate_windows_by_minute ON rate_windows (minute);
