-- campaignctl schema: the reference's five tables, with the constraints that make the processor's
-- guarantees hold even against a buggy writer.

CREATE TABLE campaigns (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT,
    status      TEXT        NOT NULL DEFAULT 'active'
                            CHECK (status IN ('draft', 'active', 'paused', 'ended')),
    starts_at   TIMESTAMPTZ,
    ends_at     TIMESTAMPTZ,
    -- 'first': the highest-priority matching rule pays; 'all': every matching rule pays.
    evaluation   TEXT           NOT NULL DEFAULT 'first' CHECK (evaluation IN ('first', 'all')),
    budget_total NUMERIC(20, 4) CHECK (budget_total >= 0),
    budget_spent NUMERIC(20, 4) NOT NULL DEFAULT 0 CHECK (budget_spent >= 0),
    customer_cap NUMERIC(20, 4) CHECK (customer_cap >= 0),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at),
    -- The last line of defence for budgets: even a buggy processor cannot overspend.
    CHECK (budget_total IS NULL OR budget_spent <= budget_total)
);

-- Points paid per customer and campaign, for the per-customer cap; written with the earnings.
CREATE TABLE campaign_customer_spend (
    campaign_id BIGINT         NOT NULL,
    customer_id TEXT           NOT NULL,
    spent       NUMERIC(20, 4) NOT NULL CHECK (spent >= 0),
    PRIMARY KEY (campaign_id, customer_id)
);
CREATE INDEX campaigns_status_idx ON campaigns (status);

CREATE TABLE campaign_rules (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id  BIGINT         NOT NULL REFERENCES campaigns (id),
    name         TEXT,
    priority     INTEGER        NOT NULL DEFAULT 0,
    conditions   JSONB          NOT NULL,
    reward_type  TEXT           NOT NULL CHECK (reward_type IN ('fixed', 'percentage', 'per_unit')),
    reward_value NUMERIC(20, 4) NOT NULL CHECK (reward_value >= 0),
    created_at   TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX campaign_rules_campaign_idx ON campaign_rules (campaign_id, priority DESC, id);

CREATE TABLE events (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id      TEXT UNIQUE,
    customer_id      TEXT,
    merchant_id      TEXT,
    amount           NUMERIC(20, 4) NOT NULL CHECK (amount >= 0),
    currency         TEXT,
    occurred_at      TIMESTAMPTZ    NOT NULL DEFAULT now(),
    transaction_data JSONB          NOT NULL DEFAULT '{}'::jsonb,
    status           TEXT           NOT NULL DEFAULT 'pending'
                                    CHECK (status IN ('pending', 'processed', 'skipped', 'failed')),
    -- No foreign key on the processor's hot path: each would cost a row lock per event on a few
    -- hot rule and campaign rows. Rules and campaigns are never deleted, so the ids stay valid.
    matched_rule_id  BIGINT,
    failure_reason   TEXT,
    -- Why a matching rule paid less or nothing (budget or per-customer cap).
    note             TEXT,
    created_at       TIMESTAMPTZ    NOT NULL DEFAULT now(),
    processed_at     TIMESTAMPTZ,
    CHECK ((status = 'processed') = (matched_rule_id IS NOT NULL))
);
-- The processor's claim query walks only this small index, however many processed events pile up.
CREATE INDEX events_pending_idx ON events (id) WHERE status = 'pending';

CREATE TABLE earnings (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Written only by the processor, in the transaction that holds the event's row lock; events,
    -- campaigns and rules are never deleted. Foreign keys here would double the cost of a batch.
    event_id    BIGINT         NOT NULL,
    campaign_id BIGINT         NOT NULL,
    rule_id     BIGINT         NOT NULL,
    customer_id TEXT,
    amount      NUMERIC(20, 4) NOT NULL CHECK (amount >= 0),
    created_at  TIMESTAMPTZ    NOT NULL DEFAULT now(),
    -- A double payment is impossible even by bug: a rule pays an event at most once.
    UNIQUE (event_id, rule_id)
);
CREATE INDEX earnings_campaign_idx ON earnings (campaign_id, id);
CREATE INDEX earnings_customer_idx ON earnings (customer_id, id);

CREATE TABLE configuration (
    key        TEXT PRIMARY KEY,
    value      TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One notification per inserting statement wakes every processor, in this process or another,
-- without waiting for the poll interval; a batch insert costs one notification, not one per row.
CREATE FUNCTION notify_events_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('campaignctl_events', '');
    RETURN NULL;
END;
$$;
CREATE TRIGGER events_pending_notify
    AFTER INSERT ON events
    FOR EACH STATEMENT EXECUTE FUNCTION notify_events_pending();
