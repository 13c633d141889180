-- An audit row is found by its request's id. The serial id beside it was one more index entry and a
-- sequence step per request that uses a key, and nothing reads it. Rows settled before V12 have no
-- request id; they get one so the column can be the key.
UPDATE ai_spend SET request_id = gen_random_uuid() WHERE request_id IS NULL;
ALTER TABLE ai_spend DROP CONSTRAINT ai_spend_pkey;
ALTER TABLE ai_spend DROP COLUMN id;
ALTER TABLE ai_spend ADD CONSTRAINT ai_spend_pkey PRIMARY KEY USING INDEX ai_spend_request_idx;
