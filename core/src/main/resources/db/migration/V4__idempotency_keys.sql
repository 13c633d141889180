-- Idempotency-Key header of the create endpoints (Stripe's semantics): one row per key, written in
-- the same transaction as what the request created, so a key is never stored without its object
-- nor an object without its key. A concurrent request with the same key waits on the primary key
-- until the first commits (then replays its answer) or rolls back (then goes ahead itself).
CREATE TABLE idempotency_keys (
    key         TEXT        PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 255),
    -- What the key was first used for, e.g. 'add rule to campaign 7': another use is a conflict.
    operation   TEXT        NOT NULL,
    -- SHA-256 over the operation and the canonical JSON of the parsed request.
    fingerprint TEXT        NOT NULL,
    -- Null only inside the transaction that claimed the key; set before it commits.
    outcome     TEXT        CHECK (outcome IN ('created', 'existing')),
    response    TEXT,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- For the periodic purge of keys past their retention.
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
