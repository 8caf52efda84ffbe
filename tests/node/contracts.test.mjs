// The installed package's real results held to the TypeScript shapes it declares. The
// conformance vectors call the exports (vectors.mjs runs them; every call's result is recorded),
// then every function is called once more with no argument (each validator's failure, and the
// calls no vector makes: errorCodes, init). Each result is checked against its declared return
// type, read from the package's index.d.ts with the TypeScript compiler API: every object has
// exactly the keys its type has (none undeclared, none missing unless optional), every value is
// of the declared kind, recursively; a union holds when one of its members does. Issue codes are
// thereby members of the generated ErrorCode union, and ERROR_CODES lists that union in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as connkit from 'connkit';
import { vectorFiles } from './vector-files.mjs';
import { runVectors } from './vectors.mjs';

const require = createRequire(import.meta.url);
// The tests' own TypeScript (tests/package.json), which the scratch project does not install.
const ts = require(process.env.CONNKIT_TYPESCRIPT ?? 'typescript');

/** The package's declarations: the checker and the declared exports by name. */
function declarations() {
  const manifest = require.resolve('connkit/package.json');
  const entry = join(dirname(manifest), require(manifest).types);
  const program = ts.createProgram([entry], {
    strict: true,
    noEmit: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
  });
  const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(errors, [], 'the declarations compile');
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry));
  const exports = new Map();
  for (const symbol of checker.getExportsOfModule(module)) {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    exports.set(symbol.name, target);
  }
  return { checker, exports };
}

const { checker, exports } = declarations();
const show = (value) => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
};
const name = (type) => checker.typeToString(type);

/**
 * Where `value` is not of `type`: a list of `path: problem` lines, empty when it is. A union
 * reports the problems of the member that came closest: the fewest problems at `path` itself
 * (a member of the value's own kind fails deeper down), then the fewest in all.
 */
function problems(value, type, path) {
  const f = type.flags;
  const F = ts.TypeFlags;
  const wrong = (what) => [`${path}: ${show(value)} is not ${what}`];
  if (f & (F.Any | F.Unknown)) return [];
  if (f & (F.Void | F.Undefined)) return value === undefined ? [] : wrong('undefined');
  if (f & F.Null) return value === null ? [] : wrong('null');
  if (f & F.String) return typeof value === 'string' ? [] : wrong('a string');
  if (f & F.Number) return typeof value === 'number' ? [] : wrong('a number');
  if (f & F.Boolean) return typeof value === 'boolean' ? [] : wrong('a boolean');
  if (f & F.BooleanLiteral) return value === (type.intrinsicName === 'true') ? [] : wrong(type.intrinsicName);
  if (f & (F.StringLiteral | F.NumberLiteral)) return value === type.value ? [] : wrong(show(type.value));
  if (type.isUnion()) {
    let closest;
    let best = Infinity;
    for (const member of type.types) {
      const found = problems(value, member, path);
      if (found.length === 0) return [];
      const here = found.filter((line) => line.startsWith(`${path}: `)).length;
      const score = here * 1e6 + found.length;
      if (score < best) [closest, best] = [found, score];
    }
    return [...wrong(`of any member of ${name(type)}`), ...closest.map((line) => `  ${line}`)];
  }
  if (type.isIntersection()) return type.types.flatMap((member) => problems(value, member, path));
  if (f & F.Object) return objectProblems(value, type, path, wrong);
  return [`${path}: the declared type ${name(type)} is of a kind this check does not know`];
}

function objectProblems(value, type, path, wrong) {
  if (type.getCallSignatures().length > 0) return typeof value === 'function' ? [] : wrong('a function');
  if (checker.isTupleType(type)) {
    const elements = checker.getTypeArguments(type);
    if (!Array.isArray(value) || value.length !== elements.length) return wrong(`a tuple of ${elements.length}`);
    return elements.flatMap((element, i) => problems(value[i], element, `${path}[${i}]`));
  }
  if (checker.isArrayType(type)) {
    if (!Array.isArray(value)) return wrong('an array');
    const [element] = checker.getTypeArguments(type);
    return value.flatMap((item, i) => problems(item, element, `${path}[${i}]`));
  }
  const properties = checker.getPropertiesOfType(type);
  const index = checker.getIndexInfosOfType(type).find((info) => info.keyType.flags & ts.TypeFlags.String);
  // `{}` (as in `string & {}`): any value but null and undefined.
  if (properties.length === 0 && !index) return value === null || value === undefined ? wrong('{}') : [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return wrong(`an object (${name(type)})`);
  const out = [];
  const declared = new Set();
  for (const property of properties) {
    declared.add(property.name);
    const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
    if (!Object.hasOwn(value, property.name)) {
      if (!optional) out.push(`${path}: no key ${property.name} (${name(type)} requires it)`);
    } else if (optional && value[property.name] === undefined) {
      out.push(`${path}.${property.name}: present but undefined (an optional key is absent or defined)`);
    } else {
      out.push(...problems(value[property.name], checker.getTypeOfSymbol(property), `${path}.${property.name}`));
    }
  }
  for (const key of Object.keys(value)) {
    if (declared.has(key)) continue;
    if (index) out.push(...problems(value[key], index.type, `${path}[${show(key)}]`));
    else out.push(`${path}: key ${show(key)} is not declared by ${name(type)}`);
  }
  return out;
}

/** The declared type of a value export, or the return type of a function export. */
function declaredType(exported) {
  const symbol = exports.get(exported);
  assert.ok(symbol, `${exported} is not declared`);
  const type = checker.getTypeOfSymbol(symbol);
  const [signature, more] = type.getCallSignatures();
  if (!signature) return type;
  assert.equal(more, undefined, `${exported} has one signature`);
  return checker.getReturnTypeOfSignature(signature);
}

/** `value` checked against `type`; a Promise's resolved value against its type argument. */
async function resultProblems(value, type, path) {
  if (type.getSymbol()?.getName() === 'Promise') {
    if (!(value instanceof Promise)) return [`${path}: ${show(value)} is not a Promise`];
    const [resolved] = checker.getTypeArguments(type);
    return problems(await value, resolved, `(await ${path})`);
  }
  return problems(value, type, path);
}

/** The union members of the generated ErrorCode, in declaration order. */
function errorCodeUnion() {
  const declaration = exports.get('ErrorCode').declarations[0];
  assert.ok(ts.isUnionTypeNode(declaration.type), 'ErrorCode is a union');
  return declaration.type.types.map((member) => member.literal.text);
}

test('every export returns what index.d.ts declares, on every vector', async () => {
  const calls = [];
  const recording = {};
  for (const [exported, value] of Object.entries(connkit)) {
    recording[exported] =
      typeof value === 'function'
        ? (...args) => {
            const result = value(...args);
            calls.push([exported, result]);
            return result;
          }
        : value;
  }
  runVectors(recording, vectorFiles());
  const fromVectors = calls.length;
  // No argument at all: the validators' failure for a missing argument (and the calls no vector
  // makes: errorCodes, init).
  for (const [exported, value] of Object.entries(recording)) {
    if (typeof value === 'function') value();
  }
  const found = [];
  const checked = {};
  for (const [exported, result] of calls) {
    const type = declaredType(exported);
    checked[exported] = (checked[exported] ?? 0) + 1;
    const mismatches = await resultProblems(result, type, `${exported}(…)`);
    // The first 20 wrong results are enough to read.
    if (mismatches.length > 0 && found.length < 20) found.push(mismatches.join('\n'));
  }
  for (const [exported, value] of Object.entries(connkit)) {
    if (typeof value !== 'function') {
      checked[exported] = 1;
      found.push(...problems(value, declaredType(exported), exported));
    }
  }
  console.log(`contracts: ${calls.length} results (${fromVectors} from the vectors) checked, per export ${JSON.stringify(checked)}`);
  assert.deepEqual(found, []);
  assert.deepEqual(Object.keys(checked).sort(), Object.keys(connkit).sort(), 'every export checked');
  assert.ok(fromVectors >= 500, `only ${fromVectors} calls from the vectors`);
});

test('ERROR_CODES lists the generated ErrorCode union, in order', () => {
  const union = errorCodeUnion();
  assert.ok(union.length > 40);
  assert.deepEqual([...connkit.ERROR_CODES], union);
  assert.deepEqual(connkit.errorCodes(), union);
  assert.ok(Object.isFrozen(connkit.ERROR_CODES));
});

test('the check finds an undeclared key, a missing key, a wrong kind and an unknown code', () => {
  const tagsType = declaredType('validateTags');
  const failure = connkit.validateTags({ '1': 2 });
  assert.equal(failure.ok, false);
  assert.deepEqual(problems(failure, tagsType, 'r'), []);
  // The distinct places named below the result's own union.
  const paths = (value) => [
    ...new Set(problems(value, tagsType, 'r').filter((line) => !line.startsWith('r: ')).map((line) => line.trim().split(':')[0])),
  ];
  const issue = failure.issues[0];
  assert.deepEqual(paths({ ...failure, issues: [{ ...issue, extra: 1 }] }), ['r.issues[0]']);
  const noMessage = { ...issue };
  delete noMessage.message;
  assert.deepEqual(paths({ ...failure, issues: [noMessage] }), ['r.issues[0]']);
  assert.deepEqual(paths({ ...failure, issues: [{ ...issue, path: [0] }] }), ['r.issues[0].path[0]']);
  assert.deepEqual(paths({ ...failure, issues: [{ ...issue, code: 'no_such_code' }] }), ['r.issues[0].code']);
  assert.deepEqual(paths({ ok: true, value: { env: 1 } }), ['r.value["env"]']);
  const form = connkit.buildForm({ name: 'p', display_name: 'P', auth_mode: 'API_KEY' });
  const formType = declaredType('buildForm');
  assert.deepEqual(problems(form, formType, 'r'), []);
  const field = form.value.fields[0];
  const broken = { ...form, value: { ...form.value, fields: [{ ...field, rule: { ...field.rule, kind: 'regex' } }] } };
  assert.ok(problems(broken, formType, 'r').length > 0);
});
