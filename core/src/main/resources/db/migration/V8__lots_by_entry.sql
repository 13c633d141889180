-- A customer's ledger page shows, for each earn entry, the lot it made: lots are looked up by
-- entry_id, which no index covered (each page read the whole lots table). The earning_id index it
-- replaces served only refunds, which prefer their own earning's lot while it still holds points:
-- an open lot, found among the customer's open lots (lots_open_idx). The same index count, so the
-- processor writes no more per earning.
DROP INDEX lots_earning_idx;
CREATE UNIQUE INDEX lots_entry_idx ON lots (entry_id);
