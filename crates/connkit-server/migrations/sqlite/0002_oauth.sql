-- OAuth 2 (spec §3.5, §6.3): the flows between their redirect and their callback, and what a
-- connection's token refreshes remember. Timestamps are Unix microseconds (UTC).

-- One row per flow, found by an HMAC of its `state` (never the state itself) and deleted by the
-- callback that uses it, so a state works once. `sealed` holds the PKCE verifier and the flow's
-- connection_config (which may carry a client secret override), sealed like credentials.
CREATE TABLE oauth_flows (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    state_hash           BLOB NOT NULL UNIQUE,
    created_at           INTEGER NOT NULL,
    expires_at           INTEGER NOT NULL,
    connect_session      INTEGER NOT NULL,  -- connect_sessions.id (no FK: a session deleted
                                            -- mid-flow is reported at the callback, as Nango does)
    provider_config_key  TEXT NOT NULL,
    provider             TEXT NOT NULL,
    connection_id        TEXT NOT NULL,
    ws_client_id         TEXT,
    webhook_url_override TEXT,
    sealed               BLOB NOT NULL
);
CREATE INDEX oauth_flows_expires ON oauth_flows (expires_at);
-- Each new flow drops a bounded batch of expired ones.
CREATE TRIGGER oauth_flows_purge AFTER INSERT ON oauth_flows BEGIN
    DELETE FROM oauth_flows WHERE id IN (
        SELECT id FROM oauth_flows WHERE expires_at <= NEW.created_at LIMIT 100);
END;

-- A connect session stays readable by id for an hour after it expires (its token does not): an
-- OAuth flow started under it still completes, and its callback reads the session's tags and
-- end user (spec §11.6).
DROP TRIGGER connect_sessions_purge;
CREATE TRIGGER connect_sessions_purge AFTER INSERT ON connect_sessions BEGIN
    DELETE FROM connect_sessions WHERE id IN (
        SELECT id FROM connect_sessions WHERE expires_at <= NEW.created_at - 3600000000 LIMIT 100);
END;

-- When a connection's last refresh failed, until one succeeds or the connection is
-- re-authorised: reads that do not force a refresh back off for a while after a failure.
CREATE TABLE connection_refresh_failures (
    connection INTEGER PRIMARY KEY NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    failed_at  INTEGER NOT NULL
) WITHOUT ROWID;
