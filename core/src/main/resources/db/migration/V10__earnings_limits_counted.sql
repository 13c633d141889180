-- Whether an earning's points were added to its campaign's budget_spent, and to its customer's spend
-- under the campaign's cap, when the processor paid it: a refund gives back only what was counted.
-- Earnings paid while their campaign had no limits were never counted, and giving their reversals
-- back let a budget added later be overspent.
--
-- Earnings paid before this column get false: which of them were counted cannot be told from what
-- is stored (a budget may have been added after some were paid), and false is the side that never
-- overspends: refunding one of them gives nothing back, so the budget and caps stay used as paid.
ALTER TABLE earnings ADD COLUMN budget_counted BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE earnings ADD COLUMN cap_counted BOOLEAN NOT NULL DEFAULT false;
