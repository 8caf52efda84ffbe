// The package's validateTags reads an object into the `tags` wasm module's buffer (fast.js, the
// protocol in crates/connkit-wasm/src/api/protocol.rs); the test-only `reference` module, built
// beside the package (CONNKIT_REFERENCE), has a second reader that walks the object from wasm.
// This test holds the two to the same answers: 100,000 seeded tag-like objects (mixed case,
// duplicates after lowercasing, end_user_email, constructor, __proto__, array-index keys,
// non-ASCII and lone surrogates, empty and over-long values, numbers, booleans, null,
// undefined, arrays, objects, more than 10, 16 and 32 keys) go through both and the results must
// be deeply equal.
// Then the caller's code calling validateTags while a call is under way: from a getter, a proxy
// trap and a setter on Object.prototype, with and without growing the module's memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { inspect, isDeepStrictEqual } from 'node:util';
import { errorCodes, isEmail, validateTags } from 'connkit';
import { seeded } from './seeded.mjs';

const reference = pathToFileURL(`${process.env.CONNKIT_REFERENCE}/`);
const glue = await import(new URL('connkit_reference.js', reference));
glue.initSync({ module: readFileSync(new URL('connkit_reference_bg.wasm', reference)) });
const full = glue.validateTags;

const { below, pick } = seeded(0x74616773);

const KEYS = ['env', 'Env', 'ENV', 'plan', 'end_user_email', 'End_User_Email', 'END_USER_EMAIL',
  'end_user_id', 'Organization_Id', 'constructor', 'Constructor', '__proto__', '0', '7', '1bad',
  'a.b/c-d_e', 'É', 'x y', '\ud800', 'k'.repeat(64), 'K'.repeat(65), 'toString', 'a'];

function key() {
  switch (below(6)) {
    case 0: return `Key_${below(40)}`;
    case 1: return String.fromCharCode(65 + below(58)) + 'x'.repeat(below(5));
    default: return pick(KEYS);
  }
}

function revoked() {
  const { proxy, revoke } = Proxy.revocable([], {});
  revoke();
  return proxy;
}

function value() {
  switch (below(16)) {
    case 0: return '';
    case 1: return 'v'.repeat(250 + below(10));
    case 2: return '\u00e9'.repeat(120 + below(20)); // two UTF-8 bytes, one UTF-16 unit each
    case 3: return '\ud83d\ude00'.repeat(126 + below(4)); // surrogate pairs around the limit
    case 4: return pick(['a@b.co', 'nope', 'Someone@Example.com', 'a..b@x.io', 'a@x.c']);
    case 5: return below(100);
    case 6: return pick([true, false, null, NaN]);
    case 7: return pick([undefined, [], ['x'], {}, { length: 3 }]);
    case 8: return '\ud800x';
    case 9: return pick([Symbol('s'), () => 1, 10n, revoked()]);
    default: return `value ${below(1000)}`;
  }
}

// Half the objects are mostly well-formed (valid keys, string values), half anything goes.
function tags() {
  const out = {};
  const clean = below(2) === 0;
  const n = clean ? below(11) : pick([0, 1, 2, 3, 3, 4, 5, 10, 11, 16, 17, 24, 40]);
  for (let i = 0; i < n; i++) {
    const k = clean ? `${pick(['Key', 'key', 'env', 'Plan', 'end_user_id'])}_${below(30)}` : key();
    const v = clean && below(10) > 0 ? `value ${below(1000)}` : value();
    if (!clean && below(40) === 0) {
      Object.defineProperty(out, k, { enumerable: true, configurable: true, get: () => { throw new Error('getter'); } });
    } else {
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

test('the buffer path and the reference reader give equal answers on 100,000 tag objects', () => {
  let invalid = 0;
  for (let i = 0; i < 100_000; i++) {
    const input = tags();
    const fast = validateTags(input);
    const reference = full(input);
    if (!isDeepStrictEqual(fast, reference)) {
      assert.fail(`${inspect(input)}: ${inspect(fast, { depth: 5 })} != ${inspect(reference, { depth: 5 })}`);
    }
    if (!fast.ok) invalid++;
  }
  // Both verdicts are well represented.
  assert.ok(invalid > 15_000 && invalid < 85_000, `${invalid} invalid`);
});

test('getters that call validateTags, isEmail and errorCodes at random, growing the memory now and then', () => {
  const nested = [];
  const wrong = []; // (a getter that throws would only read as a value of no JSON type)
  for (let i = 0; i < 20_000; i++) {
    const input = tags();
    // Up to three getters that call into the module before they answer.
    for (let g = below(4); g > 0; g--) {
      const inner = tags();
      const text = below(1000) === 0 ? `${'x'.repeat(1 << 20)}@example.com` : pick(['a@b.co', 'nope', 'é@x.io']);
      const v = value();
      const get = () => {
        nested.push([inner, validateTags(inner)]);
        if (isEmail(text) !== /^[a-z]@b\.co$|^x+@example\.com$/.test(text)) wrong.push(`isEmail(${text.slice(0, 9)})`);
        if (errorCodes()[0] !== 'tags_not_object') wrong.push('errorCodes');
        return v;
      };
      Object.defineProperty(input, key(), { enumerable: true, configurable: true, get });
    }
    const fast = validateTags(input);
    const reference = full(input);
    if (!isDeepStrictEqual(fast, reference)) {
      assert.fail(`${inspect(input)}: ${inspect(fast, { depth: 5 })} != ${inspect(reference, { depth: 5 })}`);
    }
    for (const [inner, answer] of nested) assert.deepStrictEqual(answer, full(inner));
    nested.length = 0;
    assert.deepStrictEqual(wrong, []);
  }
});

test('an object of 20,000 keys, half of them duplicates after lowercasing', () => {
  const input = {};
  for (let i = 0; i < 20_000; i++) input[`${i % 2 ? 'K' : 'k'}${i >> 1}`] = i % 3 ? 'x' : '';
  const fast = validateTags(input);
  assert.equal(fast.issues.filter((it) => it.code === 'tag_key_duplicate').length, 10_000);
  assert.deepStrictEqual(fast, full(input));
});

// The buffer path reads values through `for...in` while it yields what `Object.keys` gave, then
// one by one; objects that change or answer differently while they are read must give the
// reference's answer, with each getter run once.
test('objects that change, or answer differently, while they are read', () => {
  let runs;
  const getter = (object, key, get) =>
    Object.defineProperty(object, key, {
      enumerable: true,
      configurable: true,
      get() {
        runs[key] = (runs[key] ?? 0) + 1;
        return get.call(this);
      },
    });
  const cases = {
    'a getter deletes a later key': () =>
      Object.assign(getter({}, 'a', function () { delete this.b; return 'x'; }), { b: 'y', c: '' }),
    'a getter deletes a later key and adds another': () =>
      Object.assign(getter({}, 'a', function () { delete this.b; this.d = 'new'; return 'x'; }), { b: 'y', c: 'z' }),
    'a getter moves a later key to the end': () =>
      Object.assign(getter({}, 'a', function () { delete this.b; this.b = 'moved'; return 'x'; }), { b: 'y', B: 'z' }),
    'a getter hides a later key': () =>
      Object.assign(getter({}, 'Env', function () { Object.defineProperty(this, 'env', { enumerable: false }); return 'x'; }), { env: 'y' }),
    'a getter that throws first': () => Object.assign(getter({}, 'a', () => { throw new Error('no'); }), { b: 'y' }),
    'inherited enumerable keys': () => Object.assign(Object.create({ inherited: 'x', Env: 5 }), { env: 'y', plan: 'p' }),
    'array-index keys': () => ({ b: 'x', 2: 'y', 1: 'z', '01': '' }),
    'a String object': () => new String('ab'),
    'a typed array': () => new Uint8Array([1, 2]),
    'a proxy whose key order changes at each call': () => {
      let turn = 0;
      return new Proxy({ a: 'x', B: 'y', b: 'z' }, {
        ownKeys: (target) => (turn++ % 2 ? Reflect.ownKeys(target).reverse() : Reflect.ownKeys(target)),
      });
    },
    'a proxy whose descriptor trap throws after the key list': () => {
      let calls = 0;
      return new Proxy({ a: 'x', end_user_email: 'nope' }, {
        getOwnPropertyDescriptor(target, key) {
          if (++calls > 2) throw new Error('no');
          return Reflect.getOwnPropertyDescriptor(target, key);
        },
      });
    },
  };
  for (const [name, make] of Object.entries(cases)) {
    runs = {};
    const fast = validateTags(make());
    const fastRuns = runs;
    runs = {};
    const reference = full(make());
    assert.deepStrictEqual(fast, reference, name);
    assert.deepStrictEqual(fastRuns, runs, name);
    assert.ok(Object.values(fastRuns).every((n) => n === 1), name);
  }
  // And while Object.prototype has an enumerable key of its own.
  Object.prototype.polluted = 'x';
  try {
    assert.deepStrictEqual(validateTags({ Env: 'y' }), { ok: true, value: { env: 'y' } });
    assert.deepStrictEqual(validateTags({ Env: 'y' }), full({ Env: 'y' }));
  } finally {
    delete Object.prototype.polluted;
  }
});

test('a getter that calls validateTags while its object is being read', () => {
  const inner = { Inner: 'x' };
  const outer = { Plan: 'pro' };
  Object.defineProperty(outer, 'env', { enumerable: true, get: () => (validateTags(inner).ok ? 'prod' : '') });
  assert.deepStrictEqual(validateTags(outer), { ok: true, value: { plan: 'pro', env: 'prod' } });
});

test('a getter whose nested call grows the module memory mid-read loses nothing', () => {
  let mb = 1;
  const outer = { Plan: 'pro' };
  Object.defineProperty(outer, 'env', {
    enumerable: true,
    get: () => (validateTags({ big: 'x'.repeat((mb *= 2) << 20) }).ok ? '' : 'prod'),
  });
  outer.region = 'eu';
  for (let i = 0; i < 4; i++) {
    assert.deepStrictEqual(validateTags(outer), { ok: true, value: { plan: 'pro', env: 'prod', region: 'eu' } });
  }
});

test('answers stay right after the module memory grows', () => {
  // Long values take the full path, which copies them into the module's memory.
  for (const mb of [1, 2, 4, 8]) assert.equal(validateTags({ big: 'x'.repeat(mb << 20) }).ok, false);
  assert.deepStrictEqual(validateTags({ Env: 'prod' }), { ok: true, value: { env: 'prod' } });
});

test('a proxy whose traps call validateTags, nested three deep', () => {
  const inner = (depth) =>
    new Proxy(
      { [`Level_${depth}`]: 'x', end_user_email: 'nope' },
      {
        ownKeys(target) {
          if (depth > 0) assert.equal(validateTags(inner(depth - 1)).ok, false);
          return Reflect.ownKeys(target);
        },
        get(target, key) {
          if (depth > 0) assert.equal(validateTags({ [`K${depth}`]: 'v' }).ok, true);
          return Reflect.get(target, key);
        },
      },
    );
  const answer = validateTags(inner(3));
  assert.deepStrictEqual(answer.issues.map((it) => [it.code, it.path]), [['tag_end_user_email_invalid', ['end_user_email']]]);
  assert.deepStrictEqual(answer, full(inner(3)));
});

test('a setter on Object.prototype that calls validateTags while the result is built', () => {
  let calls = 0;
  Object.defineProperty(Object.prototype, 'plan', {
    configurable: true,
    set(v) {
      calls++;
      // A nested call with keys of its own, some lowercased, one of them new to the key table.
      assert.deepStrictEqual(validateTags({ Other: 'o', [`New_${calls}`]: 'n' }).ok, true);
      Object.defineProperty(this, 'plan', { value: v, writable: true, enumerable: true, configurable: true });
    },
  });
  try {
    for (let i = 0; i < 3; i++) {
      const answer = validateTags({ Env: 'prod', PLAN: 'pro', Region: 'eu' });
      assert.deepStrictEqual(Object.entries(answer.value), [['env', 'prod'], ['plan', 'pro'], ['region', 'eu']]);
    }
    assert.equal(calls, 3);
  } finally {
    delete Object.prototype.plan;
  }
});

test('isEmail goes through the same buffer: long and non-ASCII strings, and from a getter', () => {
  // zod 4.0.5's email pattern, as an independent oracle.
  const zod = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;
  const cases = ['a@b.co', 'nope', 'é@x.io', `${'a'.repeat(300_000)}@example.com`, `${'\u00e9'.repeat(200_000)}@x.io`,
    '\ud800@x.io', `x@${'b'.repeat(100_000)}.com`, ''];
  for (const text of cases) assert.equal(isEmail(text), zod.test(text), text.slice(0, 20));
  // A getter that asks isEmail while validateTags reads its object.
  const outer = { Plan: 'pro' };
  Object.defineProperty(outer, 'env', { enumerable: true, get: () => (isEmail(`${'a'.repeat(200_000)}@x.io`) ? 'prod' : '') });
  outer.End_User_Email = 'someone@example.com';
  assert.deepStrictEqual(validateTags(outer), { ok: true, value: { plan: 'pro', env: 'prod', end_user_email: 'someone@example.com' } });
});

test('an issue whose message grows the module memory keeps its other fields', () => {
  // A duplicate key of megabytes: its message holds the key, so building it makes the module
  // allocate that much, which sooner or later grows the memory while the issues are being read.
  for (const mb of [1, 2, 4, 8, 16]) {
    const key = 'k'.repeat(mb << 20);
    const answer = validateTags({ [key]: 'x', [key.toUpperCase()]: 'y' });
    assert.deepStrictEqual(
      answer.issues.map((it) => [it.code, it.severity, it.path[0].length, typeof it.message]),
      [
        ['tag_key_too_long', 'error', mb << 20, 'string'],
        ['tag_key_too_long', 'error', mb << 20, 'string'],
        ['tag_key_duplicate', 'error', mb << 20, 'string'],
      ],
      `${mb} MB`,
    );
  }
});
