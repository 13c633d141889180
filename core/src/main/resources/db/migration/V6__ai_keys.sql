-- Virtual keys of the AI gateway, with their budgets and what they have spent. Replicas of the AI
-- service share these rows, so a budget holds across all of them.
CREATE TABLE ai_keys (
    id              BIGSERIAL      PRIMARY KEY,
    name            TEXT           NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- SHA-256 of the secret: the key itself is shown once, at creation, and never stored.
    key_hash        BYTEA          NOT NULL UNIQUE,
    -- The secret's first characters, so a listing can tell keys apart.
    key_prefix      TEXT           NOT NULL,
    budget_tokens   BIGINT         CHECK (budget_tokens >= 0),
    budget_usd      NUMERIC(30, 12) CHECK (budget_usd >= 0),
    rpm             INTEGER        CHECK (rpm > 0),
    models          TEXT[],
    expires_at      TIMESTAMPTZ,
    revoked_at      TIMESTAMPTZ,
    created_at      TIMESTAMPTZ    NOT NULL DEFAULT now(),
    spent_tokens    BIGINT         NOT NULL DEFAULT 0,
    spent_usd       NUMERIC(30, 12) NOT NULL DEFAULT 0,
    -- The sum of the open reservations below: what requests in flight may still spend.
    reserved_tokens BIGINT         NOT NULL DEFAULT 0 CHECK (reserved_tokens >= 0),
    reserved_usd    NUMERIC(30, 12) NOT NULL DEFAULT 0 CHECK (reserved_usd >= 0)
);

-- One row per request in flight: its maximum cost, taken from the key's budget before the provider
-- is called and given back (less what was spent) when it ends. A row older than the longest
-- request belongs to a replica that died mid-request and is released by the next sweep.
CREATE TABLE ai_reservations (
    id         BIGSERIAL       PRIMARY KEY,
    key_id     BIGINT          NOT NULL REFERENCES ai_keys (id),
    model      TEXT            NOT NULL,
    tokens     BIGINT          NOT NULL CHECK (tokens >= 0),
    usd        NUMERIC(30, 12) NOT NULL CHECK (usd >= 0),
    created_at TIMESTAMPTZ     NOT NULL DEFAULT now()
);
CREATE INDEX ai_reservations_created_at_idx ON ai_reservations (created_at);

-- What each key spent per model, for GET /v1/keys/{id}/usage.
CREATE TABLE ai_usage (
    key_id            BIGINT          NOT NULL REFERENCES ai_keys (id),
    model             TEXT            NOT NULL,
    requests          BIGINT          NOT NULL DEFAULT 0,
    prompt_tokens     BIGINT          NOT NULL DEFAULT 0,
    completion_tokens BIGINT          NOT NULL DEFAULT 0,
    usd               NUMERIC(30, 12) NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, model)
);

-- One row per settled request, append-only: the audit trail of spend. Written in its own durable
-- transaction right after the settle, whose commit it thereby flushes to disk as well (the settle
-- commits without waiting for the disk, so that the key's row is locked only briefly).
CREATE TABLE ai_spend (
    id                BIGSERIAL       PRIMARY KEY,
    key_id            BIGINT          NOT NULL REFERENCES ai_keys (id),
    reservation_id    BIGINT          NOT NULL,
    model             TEXT            NOT NULL,
    prompt_tokens     BIGINT          NOT NULL,
    completion_tokens BIGINT          NOT NULL,
    usd               NUMERIC(30, 12) NOT NULL,
    settled_at        TIMESTAMPTZ     NOT NULL DEFAULT now()
);
CREATE INDEX ai_spend_key_idx ON ai_spend (key_id, settled_at);
