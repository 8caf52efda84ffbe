-- connkit-server's SQLite schema: connect sessions, connections and their tags.
-- Timestamps are Unix microseconds (UTC). JSON columns hold compact JSON text.

-- Values the server generates once and keeps: the secret key when none is configured, and a
-- check value of the credentials encryption key (so a wrong key is refused at start-up).
CREATE TABLE settings (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Connect sessions (spec §2). Only an HMAC of the token is stored, never the token.
CREATE TABLE connect_sessions (
    id                           INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash                   BLOB NOT NULL UNIQUE,
    created_at                   INTEGER NOT NULL,
    expires_at                   INTEGER NOT NULL,
    last_access_at               INTEGER,
    end_user                     TEXT,     -- {id, email?, display_name?, tags?} as given
    organization                 TEXT,     -- {id, display_name?} as given
    allowed_integrations         TEXT,     -- JSON array; NULL = every integration
    integrations_config_defaults TEXT,     -- JSON object keyed by integration unique key
    overrides                    TEXT,     -- JSON object keyed by integration unique key
    webhook_url_override         TEXT,
    tags                         TEXT NOT NULL DEFAULT '{}',
    reconnect_connection         INTEGER   -- connections.id of a reconnect session (no FK: a
                                           -- deleted target must still be told apart)
);
CREATE INDEX connect_sessions_expires ON connect_sessions (expires_at);
-- Keep the table small: each new session drops a bounded batch of expired ones, inside the same
-- statement (one round trip to the database per session).
CREATE TRIGGER connect_sessions_purge AFTER INSERT ON connect_sessions BEGIN
    DELETE FROM connect_sessions WHERE id IN (
        SELECT id FROM connect_sessions WHERE expires_at <= NEW.created_at LIMIT 100);
END;

-- Connections (spec §6). Deleting one deletes the row and its tags.
CREATE TABLE connections (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id        TEXT NOT NULL,
    provider_config_key  TEXT NOT NULL,
    provider             TEXT NOT NULL,
    auth_mode            TEXT NOT NULL,
    credentials          BLOB NOT NULL,          -- sealed JSON (see src/crypto.rs)
    connection_config    TEXT NOT NULL DEFAULT '{}',
    metadata             TEXT,                   -- NULL until set
    tags                 TEXT NOT NULL DEFAULT '{}', -- the same pairs as connection_tags, in order
    end_user             TEXT,                   -- {id, email, display_name, tags, organization}
    webhook_url_override TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    last_fetched_at      INTEGER
);
CREATE UNIQUE INDEX connections_key_id ON connections (provider_config_key, connection_id);
CREATE INDEX connections_created ON connections (created_at DESC, id DESC);
CREATE INDEX connections_connection_id ON connections (connection_id);

-- One row per tag: a tag filter is an index lookup on (key, value), not a scan of JSON.
-- `created_at` repeats the connection's (it never changes) so that the index hands out a tag's
-- connections already in list order: a filter with a LIMIT stops early instead of sorting
-- every match (GET /connections?tags[plan]=pro&limit=100 reads ~100 index entries, not 333k).
CREATE TABLE connection_tags (
    connection INTEGER NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (connection, key)
) WITHOUT ROWID;
CREATE INDEX connection_tags_key_value ON connection_tags (key, value, created_at DESC, connection DESC);
