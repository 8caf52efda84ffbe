// Compatibility: the real `@nangohq/node` and `@nangohq/frontend` 0.71.4 clients, unchanged, run
// the whole seed flow against a running connkit-server (a real process on a real SQLite file, or
// on the PostgreSQL database CONNKIT_TEST_DATABASE names):
// create a session with tags, authorise with the session token through the API-key, basic and
// unauthenticated endpoints, receive the auth webhooks and verify them with the client, list by
// tags, read the connection with its connection_config, patch tags (re-auth replaces them), set
// and update metadata, delete. Error paths answer with Nango's JSON error shape, which the clients
// turn into their own errors.
//
// run: CONNKIT_SERVER_BIN=<connkit-server binary> [CONNKIT_TEST_DATABASE=postgres://…] node --test tests/compat/nango-node/

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

const require = createRequire(import.meta.url);
const { Nango } = require('@nangohq/node');
const { default: NangoFrontend } = await import('@nangohq/frontend');

const BIN = process.env.CONNKIT_SERVER_BIN;
const SECRET = randomUUID();

let server;
let hooks;
let host;
let dir;
const received = [];
const waiters = [];

/** Resolves with the next auth webhook whose body satisfies `pred`. */
function webhook(pred) {
  const found = received.find((hook) => pred(hook.body));
  if (found) return Promise.resolve(found);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no matching webhook arrived')), 10_000);
    waiters.push({ pred, resolve: (hook) => (clearTimeout(timer), resolve(hook)) });
  });
}

before(async () => {
  assert.ok(BIN, 'CONNKIT_SERVER_BIN must name the connkit-server binary');
  hooks = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      res.writeHead(200).end();
      const hook = { raw, body: JSON.parse(raw), headers: req.headers, path: req.url };
      received.push(hook);
      for (const waiter of waiters.splice(0)) {
        if (waiter.pred(hook.body)) waiter.resolve(hook);
        else waiters.push(waiter);
      }
    });
  });
  await new Promise((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${hooks.address().port}/hooks`;

  dir = mkdtempSync(join(tmpdir(), 'connkit-compat-'));
  server = spawn(
    BIN,
    [
      '--listen', '127.0.0.1:0',
      '--data-dir', dir,
      '--database', process.env.CONNKIT_TEST_DATABASE ?? `sqlite://${join(dir, 'connkit.db')}`,
      '--webhook-url', hookUrl,
    ],
    // The key in the environment, as docs/server.md says: a command line is visible to `ps`.
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: 'warn', CONNKIT_SECRET_KEY: SECRET } },
  );
  const lines = createInterface({ input: server.stdout });
  host = await new Promise((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`connkit-server exited with ${code}`)));
    lines.on('line', (line) => {
      const m = /^listening on (http:\/\/\S+)$/.exec(line);
      if (m) resolve(m[1]);
    });
  });
  const health = await fetch(`${host}/health`);
  assert.equal(health.status, 200);
});

after(async () => {
  server?.kill();
  hooks?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const backend = () => new Nango({ host, secretKey: SECRET });
const browser = (token) => new NangoFrontend({ host, connectSessionToken: token });

test('seed flow: session tags → API-key connection → verified webhook → list, patch, metadata, delete', async () => {
  const nango = backend();
  const endUser = `user-${randomUUID()}`;
  const { data: session } = await nango.createConnectSession({
    end_user: { id: endUser, email: 'Ada@Example.com', display_name: 'Ada' },
    organization: { id: 'org-1', display_name: 'Acme' },
    tags: { Plan: 'pro', end_user_id: endUser },
    allowed_integrations: ['demo-api-key'],
  });
  assert.match(session.token, /^nango_connect_session_[0-9a-f]{64}$/);
  assert.ok(Date.parse(session.expires_at) > Date.now() + 29 * 60_000);

  // The browser side: @nangohq/frontend posts the credentials with the session token.
  const auth = await browser(session.token).auth('demo-api-key', {
    credentials: { apiKey: 'dk_live_0123456789abcdef' },
    params: { subdomain: 'acme' },
  });
  assert.equal(auth.providerConfigKey, 'demo-api-key');
  assert.ok(auth.connectionId);
  const connectionId = auth.connectionId;

  // The auth webhook carries the session's tags and verifies with the real client.
  const hook = await webhook((b) => b.connectionId === connectionId);
  assert.equal(hook.path, '/hooks');
  assert.ok(nango.verifyIncomingWebhookRequest(hook.raw, hook.headers), 'webhook signature verifies');
  assert.equal(hook.body.type, 'auth');
  assert.equal(hook.body.operation, 'creation');
  assert.equal(hook.body.success, true);
  assert.equal(hook.body.providerConfigKey, 'demo-api-key');
  assert.deepEqual(hook.body.tags, {
    plan: 'pro',
    end_user_id: endUser,
    end_user_email: 'Ada@Example.com',
    end_user_display_name: 'Ada',
    organization_id: 'org-1',
    organization_display_name: 'Acme',
  });

  // List by tags: found with two tags, not with a mismatching one (the client lowercases keys).
  const listed = await nango.listConnections({ tags: { End_User_Id: endUser, plan: 'pro' } });
  assert.deepEqual(listed.connections.map((c) => c.connection_id), [connectionId]);
  assert.equal(listed.connections[0].provider_config_key, 'demo-api-key');
  assert.equal(listed.connections[0].tags.organization_id, 'org-1');
  const none = await nango.listConnections({ tags: { end_user_id: endUser, plan: 'free' } });
  assert.deepEqual(none.connections, []);

  // The connection has its connection_config and credentials.
  const conn = await nango.getConnection('demo-api-key', connectionId);
  assert.equal(conn.connection_id, connectionId);
  assert.equal(conn.connection_config.subdomain, 'acme');
  assert.equal(conn.credentials.type, 'API_KEY');
  assert.equal(conn.credentials.apiKey, 'dk_live_0123456789abcdef');
  assert.equal(conn.tags.plan, 'pro');

  // Patch tags: fetch, merge locally, patch (PATCH replaces the whole tag set).
  const merged = { ...conn.tags, plan: 'enterprise', region: 'eu' };
  delete merged.end_user_display_name;
  await nango.patchConnection({ connectionId, provider_config_key: 'demo-api-key' }, { tags: merged });
  const patched = await nango.getConnection('demo-api-key', connectionId);
  assert.deepEqual(patched.tags, merged);
  const byNewTag = await nango.listConnections({ tags: { region: 'eu', end_user_id: endUser } });
  assert.deepEqual(byNewTag.connections.map((c) => c.connection_id), [connectionId]);
  const byOldTag = await nango.listConnections({ tags: { plan: 'pro', end_user_id: endUser } });
  assert.deepEqual(byOldTag.connections, []);

  // Metadata: set replaces, update merges, getMetadata reads.
  await nango.setMetadata('demo-api-key', connectionId, { team: 'support', seats: 3 });
  assert.deepEqual(await nango.getMetadata('demo-api-key', connectionId), { team: 'support', seats: 3 });
  await nango.updateMetadata('demo-api-key', connectionId, { seats: 5, nested: { a: [1, 2] } });
  assert.deepEqual(await nango.getMetadata('demo-api-key', connectionId), {
    team: 'support',
    seats: 5,
    nested: { a: [1, 2] },
  });
  await nango.setMetadata('demo-api-key', connectionId, { only: true });
  assert.deepEqual(await nango.getMetadata('demo-api-key', connectionId), { only: true });

  // Delete: gone from get and list.
  await nango.deleteConnection('demo-api-key', connectionId);
  await assert.rejects(nango.getConnection('demo-api-key', connectionId), (err) => {
    assert.equal(err.response.status, 404);
    assert.equal(err.response.data.error.code, 'not_found');
    return true;
  });
  const afterDelete = await nango.listConnections({ tags: { end_user_id: endUser } });
  assert.deepEqual(afterDelete.connections, []);
});

test('basic and unauthenticated integrations; re-auth through a reconnect session replaces tags', async () => {
  const nango = backend();
  const endUser = `user-${randomUUID()}`;
  const { data: session } = await nango.createConnectSession({
    tags: { end_user_id: endUser, seat: 'a' },
    allowed_integrations: ['demo-basic', 'unauthenticated'],
  });
  const frontend = browser(session.token);
  const basic = await frontend.auth('demo-basic', {
    credentials: { username: 'agent-key', password: 'X' },
    params: { subdomain: 'acme' },
  });
  const open = await frontend.create('unauthenticated');
  assert.equal(open.providerConfigKey, 'unauthenticated');
  for (const id of [basic.connectionId, open.connectionId]) {
    const hook = await webhook((b) => b.connectionId === id);
    assert.ok(nango.verifyIncomingWebhookRequest(hook.raw, hook.headers));
    assert.deepEqual(hook.body.tags, { end_user_id: endUser, seat: 'a' });
  }
  const both = await nango.listConnections({ tags: { end_user_id: endUser } });
  assert.deepEqual(both.connections.map((c) => c.connection_id).sort(), [basic.connectionId, open.connectionId].sort());
  const conn = await nango.getConnection('demo-basic', basic.connectionId);
  assert.equal(conn.credentials.type, 'BASIC');
  assert.equal(conn.credentials.username, 'agent-key');

  // A reconnect session for the basic connection carries new tags; re-auth replaces the old set.
  const { data: again } = await nango.createReconnectSession({
    connection_id: basic.connectionId,
    integration_id: 'demo-basic',
    tags: { end_user_id: endUser, seat: 'b' },
  });
  const reauth = await browser(again.token).auth('demo-basic', {
    credentials: { username: 'agent-key-2', password: 'X' },
    params: { subdomain: 'acme' },
  });
  assert.equal(reauth.connectionId, basic.connectionId);
  const override = await webhook((b) => b.connectionId === basic.connectionId && b.operation === 'override');
  assert.ok(nango.verifyIncomingWebhookRequest(override.raw, override.headers));
  assert.equal(override.body.tags.seat, 'b');
  const seatB = await nango.listConnections({ tags: { seat: 'b', end_user_id: endUser } });
  assert.deepEqual(seatB.connections.map((c) => c.connection_id), [basic.connectionId]);
  const updated = await nango.getConnection('demo-basic', basic.connectionId);
  assert.equal(updated.credentials.username, 'agent-key-2');
});

test('error paths reach the clients as Nango error codes', async () => {
  const nango = backend();
  // invalid tags: 400 invalid_body with a path into the tags
  await assert.rejects(nango.createConnectSession({ tags: { 'bad key!': 'x' } }), (err) => {
    assert.equal(err.response.status, 400);
    assert.equal(err.response.data.error.code, 'invalid_body');
    assert.deepEqual(err.response.data.error.errors[0].path, ['tags', 'bad key!']);
    return true;
  });
  // a session token only opens its allowed integrations
  const { data: session } = await nango.createConnectSession({ tags: { end_user_id: 'u' }, allowed_integrations: ['demo-basic'] });
  await assert.rejects(
    browser(session.token).auth('demo-api-key', { credentials: { apiKey: 'k' }, params: { subdomain: 'acme' } }),
    (err) => (assert.equal(err.type, 'integration_not_allowed'), true),
  );
  // a wrong secret key
  const stranger = new Nango({ host, secretKey: randomUUID() });
  await assert.rejects(stranger.listConnections(), (err) => {
    assert.equal(err.response.status, 401);
    assert.equal(err.response.data.error.code, 'unknown_account');
    return true;
  });
  // an unknown connection
  await assert.rejects(nango.getConnection('demo-api-key', 'nope'), (err) => {
    assert.equal(err.response.status, 404);
    return true;
  });
});
