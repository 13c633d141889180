-- Each settled request's own id, so a settle sent again (its commit succeeded but the answer was lost
-- on the way back) finds its requests settled already and counts nothing twice.
ALTER TABLE ai_spend ADD COLUMN request_id UUID;
CREATE UNIQUE INDEX ai_spend_request_idx ON ai_spend (request_id);
