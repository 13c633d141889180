-- GET /events?status=failed pages newest first through failed events. They are rare, so walking
-- the primary key backwards past every other event to find a page of them read the whole table.
-- A partial index holds only failed events: nothing is written to it for the others. (Pending
-- events have events_pending_idx; processed and skipped ones are common enough that the walk
-- finds a page quickly.)
CREATE INDEX events_failed_idx ON events (id) WHERE status = 'failed';
