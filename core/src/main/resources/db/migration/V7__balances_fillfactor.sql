-- Every processor batch updates the balance row of each customer it pays. With room left on the
-- row's page, PostgreSQL writes the new version beside the old one without a new primary-key entry
-- (a HOT update), and page pruning reclaims the old versions as it goes.
ALTER TABLE balances SET (fillfactor = 50);
