-- The outcomes of redirect-mode OAuth flows (migrations/sqlite/0005_oauth_results.sql): a return
-- to any server sharing the database finds its result, and reads it once.
CREATE TABLE oauth_results (
    id_hash         bytea PRIMARY KEY,
    connect_session bigint NOT NULL,
    message         text NOT NULL,
    expires_at      bigint NOT NULL
);
CREATE INDEX oauth_results_expires ON oauth_results (expires_at);
