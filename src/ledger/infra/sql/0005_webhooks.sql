-- Webhook subscriptions and their deliveries. Operational state, not records of the
-- ledger: a subscription is paused, resumed, re-keyed and deleted in place (a deleted one
-- stays, with its deliveries, as `deleted`). Deliveries are driven from the log by
-- position, like a read model: `cursor` is the last position a subscription has handled.
CREATE TABLE webhooks (
    id               uuid        PRIMARY KEY,
    url              text        NOT NULL,
    types            text[],                   -- short names (Class.Event); NULL: every type
    unit_id          uuid,                     -- that unit and below; NULL: the jurisdiction
    jurisdiction     uuid,                     -- the creator's (NULL: the whole ledger)
    owner            text        NOT NULL,     -- the creator's token subject
    role             text        NOT NULL,
    secret           text        NOT NULL,     -- whsec_…, signs every delivery
    status           text        NOT NULL DEFAULT 'active'
                     CHECK (status IN ('active', 'paused', 'disabled', 'deleted')),
    status_reason    text,
    cursor           bigint      NOT NULL CHECK (cursor >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    webhook_id   uuid        NOT NULL REFERENCES webhooks (id),
    position     bigint      NOT NULL,
    status       text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     integer     NOT NULL DEFAULT 0,
    next_at      timestamptz NOT NULL DEFAULT now(),
    last_status  integer,                      -- the receiver's HTTP status, if it answered
    last_error   text,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (webhook_id, position)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, position)
    WHERE status = 'pending';
