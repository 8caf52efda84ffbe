-- A lease on the outbox rows a delivery holds (src/store/outbox.rs): the worker claims due rows
-- by setting `lease_until`, and skips rows whose lease has not ended. On PostgreSQL several
-- servers share the outbox this way; on SQLite one server runs, and it ends every lease when it
-- opens the database (a lease left by a killed server would only delay its rows).
ALTER TABLE webhook_outbox ADD COLUMN lease_until INTEGER;
