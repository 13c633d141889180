-- The audit rows of settles checked their key's existence row by row: a foreign key costs a lookup
-- and a key-share lock of the key's row per inserted row, on every request that uses a key. Keys are
-- never deleted, only revoked, and a settle writes its audit rows in the statement that updates those
-- same keys' rows, so every audit row names a key that exists.
ALTER TABLE ai_spend DROP CONSTRAINT ai_spend_key_id_fkey;
