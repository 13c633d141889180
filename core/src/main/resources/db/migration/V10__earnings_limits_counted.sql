-- Whether an earning's points were added to its campaign's budget_spent, and to its customer's spend
-- under the campaign's cap, when the processor paid it: a refund gives back only what was counted.
-- Earnings paid while their campaign had no limits were never counted, and giving their reversals
-- back let a budget added later be overspent.
ALTER TABLE earnings ADD COLUMN budget_counted BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE earnings ADD COLUMN cap_counted BOOLEAN NOT NULL DEFAULT false;
-- Earnings paid before this column: counted if their campaign has limits now, the best guess left.
UPDATE earnings e SET budget_counted = true, cap_counted = (c.customer_cap IS NOT NULL AND e.customer_id IS NOT NULL)
    FROM campaigns c WHERE c.id = e.campaign_id AND (c.budget_total IS NOT NULL OR c.customer_cap IS NOT NULL);
