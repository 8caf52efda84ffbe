-- The purge triggers of 0001 read the table by index only. Their bound comes from the
-- statement's new rows, a value the planner cannot see when it plans, and a table that grows
-- between analyses has no statistics for it either: the planner guessed a third of the rows
-- expired and chose sequential scans, so every insert read the whole table (measured: half the
-- session throughput at 30k sessions). The functions plan without sequential scans; the
-- expired rows come from the expiry index in order, which stops at the first row not yet
-- expired, and are deleted by primary key.
CREATE OR REPLACE FUNCTION connect_sessions_purge() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $$
BEGIN
    DELETE FROM connect_sessions WHERE id = ANY(ARRAY(
        SELECT id FROM connect_sessions
        WHERE expires_at <= (SELECT max(created_at) FROM inserted) - 3600000000
        ORDER BY expires_at
        LIMIT 100 FOR UPDATE SKIP LOCKED));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION oauth_flows_purge() RETURNS trigger LANGUAGE plpgsql
SET enable_seqscan = off AS $$
BEGIN
    DELETE FROM oauth_flows WHERE id = ANY(ARRAY(
        SELECT id FROM oauth_flows
        WHERE expires_at <= (SELECT max(created_at) FROM inserted)
        ORDER BY expires_at
        LIMIT 100 FOR UPDATE SKIP LOCKED));
    RETURN NULL;
END $$;
