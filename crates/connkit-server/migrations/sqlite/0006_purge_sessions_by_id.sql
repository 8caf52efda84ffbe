-- Sessions are purged in id order, without an expiry index. Every session lives the same time
-- (core's SESSION_TTL_SECS) and ids ascend with creation, so the oldest rows by id are the
-- first to expire: a new session looks at the oldest row only (the first leaf of the table),
-- and when that one is past the hour of grace, drops the expired rows among the 100 oldest.
-- The expiry index cost every batch of new sessions an index page written to the WAL.
DROP TRIGGER connect_sessions_purge;
DROP INDEX connect_sessions_expires;
CREATE TRIGGER connect_sessions_purge AFTER INSERT ON connect_sessions
WHEN (SELECT expires_at FROM connect_sessions ORDER BY id LIMIT 1) <= NEW.created_at - 3600000000
BEGIN
    DELETE FROM connect_sessions WHERE id IN (
        SELECT id FROM connect_sessions ORDER BY id LIMIT 100)
        AND expires_at <= NEW.created_at - 3600000000;
END;
