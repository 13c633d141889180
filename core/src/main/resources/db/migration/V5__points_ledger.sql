-- The points ledger: every change to a customer's points is an append-only entry; earned points are
-- lots (with an optional expiry) that redemptions draw from; a balance row per customer is kept in
-- the same transaction as the entries, so reading it is one row.
--
-- Invariant, per customer (checked by `campaignctl ledger verify`):
--   balances.available = sum(ledger_entries.points)
--   sum(lots.remaining) = greatest(balances.available, 0)      -- a negative balance is a debt no lot holds
--   lots.remaining      = lots.points + sum(lot_movements.points of that lot)

ALTER TABLE campaigns ADD COLUMN points_valid_for TEXT;   -- ISO-8601 duration (P365D); null: points never expire

-- What the processor paid before any refund (gross) and how much of it refunds took back
-- (including what a refund that arrived before processing kept from being paid at all).
ALTER TABLE earnings ADD COLUMN gross NUMERIC(20, 4);
ALTER TABLE earnings ADD COLUMN reversed NUMERIC(20, 4) NOT NULL DEFAULT 0 CHECK (reversed >= 0);
-- Refunds arrive like purchases: "type": "refund" with "refers_to" the purchase's external_id; the
-- processor applies them (a processed refund has no matched rule).
ALTER TABLE events ADD COLUMN type TEXT NOT NULL DEFAULT 'purchase' CHECK (type IN ('purchase', 'refund'));
ALTER TABLE events ADD COLUMN refers_to TEXT;
ALTER TABLE events ADD CONSTRAINT events_refund_refers CHECK ((type = 'refund') = (refers_to IS NOT NULL));
ALTER TABLE events DROP CONSTRAINT events_check;
ALTER TABLE events ADD CONSTRAINT events_matched_rule_check
    CHECK (type = 'refund' OR (status = 'processed') = (matched_rule_id IS NOT NULL));
-- Amount of the purchase refunded so far; the processor pays only the remainder.
ALTER TABLE events ADD COLUMN refunded NUMERIC(20, 4) NOT NULL DEFAULT 0;
ALTER TABLE events ADD CONSTRAINT events_refunded_check CHECK (refunded >= 0 AND refunded <= amount);

CREATE TABLE ledger_entries (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id   TEXT           NOT NULL,
    type          TEXT           NOT NULL CHECK (type IN ('earn', 'reverse', 'redeem', 'redeem_reverse', 'expire', 'adjust')),
    points        NUMERIC        NOT NULL,   -- an expiry sums lots: unbounded
    event_id      BIGINT,
    earning_id    BIGINT,
    redemption_id BIGINT,
    refund_id     BIGINT,
    campaign_id   BIGINT,
    reason        TEXT,
    actor         TEXT,
    created_at    TIMESTAMPTZ    NOT NULL DEFAULT now(),
    CHECK (type IN ('earn', 'redeem_reverse') AND points >= 0
        OR type IN ('reverse', 'redeem', 'expire') AND points <= 0
        OR type = 'adjust')
);
CREATE INDEX ledger_entries_customer_idx ON ledger_entries (customer_id, id);

CREATE TABLE lots (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id TEXT           NOT NULL,
    entry_id    BIGINT         NOT NULL,
    earning_id  BIGINT,
    campaign_id BIGINT,
    points      NUMERIC(20, 4) NOT NULL CHECK (points >= 0),
    remaining   NUMERIC(20, 4) NOT NULL CHECK (remaining >= 0 AND remaining <= points),
    expires_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ    NOT NULL DEFAULT now()
);
-- Redemptions draw from the lots that expire first (no expiry last), then the oldest.
CREATE INDEX lots_open_idx ON lots (customer_id, expires_at NULLS LAST, id) WHERE remaining > 0;
CREATE INDEX lots_expiring_idx ON lots (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;
CREATE UNIQUE INDEX lots_earning_idx ON lots (earning_id) WHERE earning_id IS NOT NULL;

-- How an entry changed each lot it touched (signed); an earn's lot is its own.
CREATE TABLE lot_movements (
    entry_id BIGINT         NOT NULL,
    lot_id   BIGINT         NOT NULL,
    points   NUMERIC(20, 4) NOT NULL,
    PRIMARY KEY (entry_id, lot_id)
);
CREATE INDEX lot_movements_lot_idx ON lot_movements (lot_id);

-- Unbounded NUMERIC: a customer's totals add up earnings that each fit NUMERIC(20, 4) and must never
-- overflow however many there are.
CREATE TABLE balances (
    customer_id TEXT PRIMARY KEY,
    available   NUMERIC     NOT NULL DEFAULT 0,
    earned      NUMERIC     NOT NULL DEFAULT 0,
    redeemed    NUMERIC     NOT NULL DEFAULT 0,
    reversed    NUMERIC     NOT NULL DEFAULT 0,
    expired     NUMERIC     NOT NULL DEFAULT 0,
    adjusted    NUMERIC     NOT NULL DEFAULT 0,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE redemptions (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id TEXT           NOT NULL,
    points      NUMERIC(20, 4) NOT NULL CHECK (points > 0),
    reason      TEXT,
    external_id TEXT UNIQUE,
    entry_id    BIGINT         NOT NULL,
    reversed_by BIGINT,
    created_at  TIMESTAMPTZ    NOT NULL DEFAULT now(),
    reversed_at TIMESTAMPTZ
);

CREATE TABLE refunds (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id        BIGINT         NOT NULL,
    amount          NUMERIC(20, 4) NOT NULL CHECK (amount > 0),
    reversed_points NUMERIC(20, 4) NOT NULL DEFAULT 0,
    reason          TEXT,
    created_at      TIMESTAMPTZ    NOT NULL DEFAULT now()
);
CREATE INDEX refunds_event_idx ON refunds (event_id);
