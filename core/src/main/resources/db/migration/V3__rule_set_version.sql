-- The rule-set version: one counter, bumped in the same transaction as any change to campaigns or
-- rules. The processor takes it FOR SHARE after claiming a batch, so a change to campaigns or rules
-- commits either before the batch reads its rules or after the batch has committed: no event is
-- decided on rules older than its claim, and nothing is paid after a pause or a new budget commits.
-- (A timestamp cannot serve: now() is a transaction's start, so a later commit can carry an older time.)
CREATE TABLE rule_set_version (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    version   BIGINT  NOT NULL
);
INSERT INTO rule_set_version (singleton, version) VALUES (TRUE, 1);

CREATE FUNCTION bump_rule_set_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE rule_set_version SET version = version + 1;
    RETURN NULL;
END;
$$;

-- Safety net for writers other than campaignctl (psql, migrations). campaignctl's own writers bump
-- the counter as their first statement, before locking any campaign row, so they never deadlock
-- with a processor that holds the counter and waits for a campaign row.
-- The processor's own budget_spent updates name none of these columns and fire nothing.
CREATE TRIGGER campaigns_rule_set_version
    AFTER INSERT OR DELETE OR TRUNCATE
       OR UPDATE OF name, status, starts_at, ends_at, evaluation, budget_total, customer_cap
    ON campaigns FOR EACH STATEMENT EXECUTE FUNCTION bump_rule_set_version();
CREATE TRIGGER campaign_rules_rule_set_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON campaign_rules FOR EACH STATEMENT EXECUTE FUNCTION bump_rule_set_version();
