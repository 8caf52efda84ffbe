-- The outcomes of redirect-mode OAuth flows (spec §12.27, src/store/oauth.rs), kept for the page
-- the flow returns to: found by the HMAC of the id its return URL carries, read once by the
-- flow's connect session, gone after `expires_at` (expired rows are dropped when a new one
-- comes). In the database rather than the process, so that a return to another server sharing
-- it finds its result. The message is what the WebSocket client would have received (no secret).
CREATE TABLE oauth_results (
    id_hash         BLOB PRIMARY KEY,
    connect_session INTEGER NOT NULL,
    message         TEXT NOT NULL,
    expires_at      INTEGER NOT NULL
);
CREATE INDEX oauth_results_expires ON oauth_results (expires_at);
