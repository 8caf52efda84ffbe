-- The webhook outbox: an auth webhook is a row here before anyone is told about the change that
-- causes it (written in the same transaction as the connection write), delivered at least once
-- by the worker of src/webhook.rs, and removed once a receiver answered 2xx. A row that ran out
-- of tries stays, with `failed_at` set, for the operator (GET /connkit/webhooks).
CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    url             TEXT NOT NULL,
    body            TEXT NOT NULL,    -- the exact bytes signed and sent
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL, -- when a pending row is due
    last_error      TEXT,             -- `status 500`, `timeout`, … (never the URL)
    failed_at       INTEGER           -- NULL while pending
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at, id) WHERE failed_at IS NULL;
CREATE INDEX webhook_outbox_failed ON webhook_outbox (failed_at DESC, id DESC) WHERE failed_at IS NOT NULL;
