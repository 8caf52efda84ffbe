// The generated values of the conformance vectors (tests/vectors/README.md), as the shared
// runner expands them before any case runs: the JavaScript side of the `connkit-vectors` crate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandVectors } from './vectors.mjs';

test('a generator becomes its string at any depth', () => {
  const got = expandVectors(JSON.parse('{"a":[{"$repeat":"ab","times":3}],"b":{"$repeat":"x","times":0},"c":{"d":{"$repeat":"😀","times":2}}}'));
  assert.deepEqual(got, { a: ['ababab'], b: '', c: { d: '😀😀' } });
});

test('other objects with a $repeat key stay literal, and own __proto__ keys stay own keys', () => {
  const text = '{"one key":{"$repeat":"x"},"three keys":{"$repeat":"x","times":2,"note":1},"times with another key":{"times":2,"other":"x"},"__proto__":{"$repeat":"x","times":2}}';
  const got = expandVectors(JSON.parse(text));
  assert.deepEqual(Object.keys(got), ['one key', 'three keys', 'times with another key', '__proto__']);
  assert.equal(Object.getPrototypeOf(got), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(got, '__proto__').value, 'xx');
  const literal = JSON.parse(text);
  delete literal.__proto__;
  delete got.__proto__;
  assert.deepEqual(got, literal);
});

test('expanding twice gives what expanding once gives', () => {
  const once = expandVectors(JSON.parse('{"k":{"$repeat":"x","times":2},"n":[1,null]}'));
  assert.deepEqual(expandVectors(structuredClone(once)), once);
});

test('a malformed generator is an error, not a literal', () => {
  for (const bad of ['{"$repeat":"x","times":"3"}', '{"$repeat":"x","times":-1}', '{"$repeat":"x","times":1.5}', '{"$repeat":7,"times":3}']) {
    assert.throws(() => expandVectors(JSON.parse(`[${bad}]`)), Error, bad);
  }
});
