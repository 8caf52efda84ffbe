-- The purge triggers of 0001 walk the expiry index, oldest first. Their bound comes from the
-- statement's new rows, a value the planner cannot see when it plans, so it guessed a third of
-- the table expired and chose a sequential scan: every session or OAuth flow created read the
-- whole table. Ordered by `expires_at`, the scan stops at the first row not yet expired.
CREATE OR REPLACE FUNCTION connect_sessions_purge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM connect_sessions WHERE id IN (
        SELECT id FROM connect_sessions
        WHERE expires_at <= (SELECT max(created_at) FROM inserted) - 3600000000
        ORDER BY expires_at
        LIMIT 100 FOR UPDATE SKIP LOCKED);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION oauth_flows_purge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM oauth_flows WHERE id IN (
        SELECT id FROM oauth_flows
        WHERE expires_at <= (SELECT max(created_at) FROM inserted)
        ORDER BY expires_at
        LIMIT 100 FOR UPDATE SKIP LOCKED);
    RETURN NULL;
END $$;
