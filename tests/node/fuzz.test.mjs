// 100,000 arbitrary JavaScript values (undefined, symbols, bigints, proxies with throwing traps,
// revoked proxies, throwing getters, cyclic objects, huge strings, sparse arrays, number keys…)
// fed to every export: none may throw or trap, every result keeps its shape, and the module
// still answers correctly afterwards. Deterministic (seeded), so a failure reproduces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as connkit from 'connkit';
import { seeded } from './seeded.mjs';

const ITERATIONS = 100_000;

const { rand, below, pick } = seeded(0x636f6e6e);

const KEYS = ['env', 'Env', 'end_user_email', 'constructor', '__proto__', '0', '1', '4294967295', '-1',
  'toString', 'length', 'credentials', 'params', 'connection_config', 'display_name', 'auth_mode',
  'pattern', 'a'.repeat(70), 'É', 'x y', 'tags', 'end_user', 'id', 'hmacSha256', 'legacy', 'group',
  'connectionConfig', 'encoding', 'subdomain', ''];

function string() {
  switch (below(8)) {
    case 0: return '';
    case 1: return pick(KEYS);
    case 2: return 'x'.repeat(below(400));
    case 3: return '\ud800' + String.fromCharCode(below(65536)); // lone surrogate
    case 4: return 'a@b.co';
    case 5: return 'tags[' + pick(KEYS) + ']=' + pick(KEYS) + '&tags[a][b]=c';
    case 6: return '${connectionConfig.' + pick(KEYS) + '}';
    default: return Array.from({ length: below(12) }, () => String.fromCharCode(below(0x3000))).join('');
  }
}

function throwing() {
  const target = below(2) ? {} : [];
  const trap = () => { throw new Error('trap'); };
  switch (below(4)) {
    case 0: return new Proxy(target, { ownKeys: trap });
    case 1: return new Proxy(target, { get: trap, getOwnPropertyDescriptor: trap });
    case 2: { const { proxy, revoke } = Proxy.revocable(target, {}); revoke(); return proxy; }
    default: return Object.defineProperty({ a: 'b' }, 'env', { enumerable: true, get: trap });
  }
}

// An own property, also for "__proto__" (assignment would change the prototype instead).
function define(o, key, v) {
  Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
}

function value(depth) {
  const n = below(depth > 2 ? 14 : 24);
  switch (n) {
    case 0: return undefined;
    case 1: return null;
    case 2: return rand() < 0.5;
    case 3: return pick([0, -0, 1, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53, 1e308, 5e-324]);
    case 4: return BigInt(below(1000));
    case 5: return Symbol(string());
    case 6: case 7: case 8: return string();
    case 9: return () => 1;
    case 10: return pick([new Date(0), new Map([[1, 2]]), new Uint8Array([1, 2]), /re/g, new Error('e')]);
    case 11: return throwing();
    case 12: return below(200) === 0 ? 'h'.repeat(1 << 20) : string();
    case 13: return { toJSON: () => { throw new Error('toJSON'); }, env: 'prod' };
    case 14: case 15: case 16: case 17: {
      const o = below(4) === 0 ? Object.create(null) : {};
      for (let i = below(6); i > 0; i--) define(o, pick(KEYS), value(depth + 1));
      if (below(6) === 0) define(o, 'self', o); // cycle
      if (below(8) === 0) define(o, below(100), 'number key');
      if (below(10) === 0) define(o, Symbol('s'), 'symbol key');
      return o;
    }
    case 18: case 19: {
      const a = Array.from({ length: below(5) }, () => value(depth + 1));
      if (below(6) === 0) a.push(a); // cycle
      return a;
    }
    case 20: { const a = []; a.length = pick([3, 2 ** 32 - 1]); return a; } // sparse
    case 21: return JSON.parse('{"__proto__": {"x": 1}, "env": "prod"}');
    case 22: return { display_name: 'D', auth_mode: pick(['NONE', 'API_KEY', 'BASIC', 'TWO_STEP']), connection_config: { host: { type: 'string', pattern: pick(['^a', '[z-a]', '(', '^(a+)+$', string()]) } }, credentials: value(depth + 1) };
    default: return { credentials: value(depth + 1), params: { host: string() } };
  }
}

const EXPORTS = Object.entries(connkit).filter(([, f]) => typeof f === 'function');

test(`${ITERATIONS} arbitrary values to every export: no throw, no trap, still usable`, async () => {
  assert.ok(EXPORTS.length >= 18, `${EXPORTS.length} exports`);
  const calls = Object.fromEntries(EXPORTS.map(([name]) => [name, 0]));
  for (let i = 0; i < ITERATIONS; i++) {
    const [name, fn] = EXPORTS[i % EXPORTS.length];
    const args = Array.from({ length: below(4) }, () => value(0));
    let result;
    try {
      result = fn(...args);
    } catch (e) {
      assert.fail(`${name} threw on iteration ${i}: ${e && e.stack}`);
    }
    calls[name] += 1;
    if (name === 'isEmail') assert.equal(typeof result, 'boolean');
    else if (name === 'errorCodes') assert.ok(Array.isArray(result));
    else if (name === 'init') await result;
    else {
      assert.equal(typeof result.ok, 'boolean', `${name}: ${result}`);
      if (!result.ok) {
        assert.ok(result.issues.length > 0, name);
        for (const it of result.issues) {
          assert.ok(connkit.ERROR_CODES.includes(it.code), it.code);
          assert.ok(Array.isArray(it.path) && it.path.every((p) => typeof p === 'string'));
        }
      }
    }
  }
  console.log(`fuzz: ${ITERATIONS} calls, per export ${JSON.stringify(calls)}`);
  assert.deepEqual(connkit.validateTags({ Env: 'prod' }), { ok: true, value: { env: 'prod' } });
  assert.equal(connkit.buildForm({ display_name: 'D', auth_mode: 'NONE' }).ok, true);
  assert.equal(connkit.validateMetadata({ a: 1 }).ok, true);
});

// The form object buildForm returned answers a keystroke as the provider entry does (the module
// reads objects of strings on a path of their own, everything else as JSON): the same result for
// arbitrary values, submissions of strings (lone surrogates, `__proto__`) among them.
test('a built form answers arbitrary values as its provider entry does', () => {
  // Each provider with a valid submission, which gets a random string key more at times.
  const providers = [
    [{ display_name: 'D', auth_mode: 'BASIC', connection_config: { subdomain: { type: 'string', pattern: '^[a-z-]+$' } } },
      () => ({ credentials: { username: 'u', password: string() }, params: { subdomain: 'acme' } })],
    [{ display_name: 'D', auth_mode: 'API_KEY', connection_config: { host: { type: 'string', pattern: '(' }, site: { type: 'string', enum: ['eu', 'us'] } } },
      () => ({ params: { site: 'eu', host: string() }, credentials: { apiKey: 'k' } })],
  ];
  const strings = () => {
    const o = {};
    for (let i = below(4); i > 0; i--) define(o, pick(KEYS), string());
    return o;
  };
  let fast = 0;
  for (let i = 0; i < 20_000; i++) {
    const [provider, valid] = pick(providers);
    const form = connkit.buildForm(provider);
    assert.equal(form.ok, true);
    let values;
    switch (below(3)) {
      case 0: values = value(0); break;
      case 1: values = Object.fromEntries(['credentials', 'params', pick(KEYS)].map((k) => [k, below(5) ? strings() : string()])); break;
      default: values = valid(); if (below(2)) define(values.params, pick(KEYS), string());
    }
    const options = pick([undefined, {}, { group: 'params' }, { group: 'x' }]);
    const byForm = connkit.validateConnectionConfig(form.value, values, options);
    const byProvider = connkit.validateConnectionConfig(provider, values, options);
    assert.deepEqual(byForm, byProvider, `iteration ${i}`);
    fast += byForm.ok ? 1 : 0;
  }
  assert.ok(fast > 0, 'some submissions are valid');
});

// The keystroke path writes the values into a buffer of the module's memory: values that may not
// fit it (64 KiB) take the JSON path, and a getter that runs a keystroke of its own (which must
// not write into the buffer of the keystroke under way, nor see its values) gets its own answer.
test('a built form answers large values and nested keystrokes as its provider entry does', () => {
  const provider = { display_name: 'D', auth_mode: 'BASIC', connection_config: { subdomain: { type: 'string', pattern: '^[a-zé-]+$' } } };
  const form = connkit.buildForm(provider).value;
  const same = (values) => assert.deepEqual(
    connkit.validateConnectionConfig(form, values),
    connkit.validateConnectionConfig(provider, values),
  );
  for (const n of [0, 1, 21_000, 22_000, 70_000]) {
    same({ credentials: { username: 'u', password: 'é'.repeat(n) }, params: { subdomain: 'é'.repeat(n + 1) } });
  }
  const inner = [];
  const values = { credentials: { username: 'u', password: 'p' }, params: {} };
  Object.defineProperty(values.params, 'subdomain', {
    enumerable: true,
    get() {
      inner.push(connkit.validateConnectionConfig(form, { params: { subdomain: 'NOT VALID' } }));
      return 'acme-é';
    },
  });
  const outer = connkit.validateConnectionConfig(form, values);
  assert.equal(outer.ok, true);
  assert.deepEqual(outer.value, { credentials: { username: 'u', password: 'p' }, params: { subdomain: 'acme-é' } });
  assert.equal(inner.length, 1);
  assert.deepEqual(inner[0].issues.map((it) => [it.code, it.path]), [
    ['field_required', ['credentials', 'username']],
    ['field_required', ['credentials', 'password']],
    ['field_pattern_mismatch', ['params', 'subdomain']],
  ]);
});
