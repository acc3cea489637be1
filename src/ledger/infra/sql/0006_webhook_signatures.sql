-- A webhook is signed with a shared secret (Standard Webhooks `v1`, HMAC-SHA256) or with
-- the ledger's own Ed25519 key for it (`v1a`): the receiver holds only the public key,
-- which forges nothing. `secret` holds the sealed `whsec_…` or `whsk_…`; `public_key` the
-- `whpk_…` of a `v1a` subscription.
ALTER TABLE webhooks
    ADD COLUMN scheme text NOT NULL DEFAULT 'v1' CHECK (scheme IN ('v1', 'v1a')),
    ADD COLUMN public_key text CHECK ((scheme = 'v1a') = (public_key IS NOT NULL));
