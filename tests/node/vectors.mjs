// The conformance vectors (tests/vectors/*.json) run through the built npm package. Shared by
// the Node test (vectors.test.mjs) and the Chromium page (tests/browser/app), so it uses no Node
// API. Like the native runner it asserts codes, paths, severities and values, never English text.
//
// What the package does not export is skipped and counted, with the reason: Nango's own error
// projections (a server concern), YAML catalogues (the native runner skips them without `yaml`
// too), and server-side helpers (proxy interpolation, webhook payloads, metadata request bodies,
// the server's request schemas, the OAuth 2 flow).
//
// `runVectors` expands the files' generated values first (tests/vectors/README.md), with
// `expandVectors`, the JavaScript counterpart of the `connkit-vectors` crate's `expand`.

const REPEAT = '$repeat';
const TIMES = 'times';

/** Whether `value` is a generator: an object whose keys are exactly `$repeat` and `times`. */
function isGenerator(value) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && Object.hasOwn(value, REPEAT) && Object.hasOwn(value, TIMES);
}

/**
 * Replaces every generated value in `value` (parsed vector JSON) by the string it stands for, in
 * place, and returns the result: `{"$repeat": unit, "times": n}` is `unit` repeated `n` times.
 * Every other object is literal. A generator with a non-string `$repeat` or a `times` that is not
 * a non-negative integer throws. Expanding twice gives what expanding once gives.
 */
export function expandVectors(value) {
  if (isGenerator(value)) {
    const unit = value[REPEAT];
    const times = value[TIMES];
    if (typeof unit !== 'string' || !Number.isSafeInteger(times) || times < 0) {
      throw new Error(`a generator needs a string ${REPEAT} and a non-negative integer ${TIMES}: ${JSON.stringify(value)}`);
    }
    return unit.repeat(times);
  }
  if (typeof value === 'object' && value !== null) {
    // Assignment keeps an own `__proto__` key an own key: JSON.parse made it a data property.
    for (const key of Object.keys(value)) value[key] = expandVectors(value[key]);
  }
  return value;
}

/** Key-order-insensitive deep equality for JSON values. */
export function same(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
}

const show = (v) => JSON.stringify(v);

function renderIssues(list) {
  return list.map((it) => `${it.code} @ ${show(it.path)} (${it.severity ?? 'error'})`).sort();
}

/** Throws unless `actual` issues equal the expected `[{code, path, severity?}]`, in any order. */
function compareIssues(actual, expected) {
  const want = renderIssues(expected ?? []);
  const got = renderIssues(actual ?? []);
  if (!same(want, got)) throw new Error(`issues differ\n  want ${show(want)}\n  got  ${show(got)}`);
}

function checkShape(result) {
  if (typeof result !== 'object' || result === null || typeof result.ok !== 'boolean') {
    throw new Error(`not a result: ${show(result)}`);
  }
  if (!result.ok) {
    for (const it of result.issues) {
      if (typeof it.code !== 'string' || !Array.isArray(it.path) || typeof it.message !== 'string') {
        throw new Error(`malformed issue ${show(it)}`);
      }
      if (it.severity !== 'error' && it.severity !== 'warning') throw new Error(`bad severity ${show(it)}`);
    }
  }
}

/** `expect` is `{ok: value}` or `{issues: [...]}`; `view` maps the package's value to the vector's. */
function compareResult(result, expect, view = (v) => v) {
  checkShape(result);
  const wantOk = Object.hasOwn(expect, 'ok');
  if (result.ok && wantOk) {
    const got = view(result.value);
    if (!same(got, expect.ok)) throw new Error(`value differs\n  want ${show(expect.ok)}\n  got  ${show(got)}`);
  } else if (!result.ok && !wantOk) {
    compareIssues(result.issues, expect.issues);
  } else if (result.ok) {
    throw new Error(`expected issues, got ok ${show(result.value)}`);
  } else {
    throw new Error(`expected ok, got issues ${show(renderIssues(result.issues))}`);
  }
}

/** Compares `actual` with `want` on the keys `want` lists (`view` maps the key names). */
function compareSubset(what, actual, want, keys) {
  for (const [key, value] of Object.entries(want)) {
    if (!(key in keys)) continue;
    const got = keys[key](actual);
    if (!same(got, value)) throw new Error(`${what}.${key}: want ${show(value)}, got ${show(got)}`);
  }
}

function provider(c) {
  return { name: c.provider_name ?? 'test', display_name: 'Test', auth_mode: 'NONE', ...(c.provider ?? {}) };
}

function formOptions(c) {
  const o = c.options ?? {};
  const out = {};
  if (o.connection_config) out.connectionConfig = o.connection_config;
  if (o.credentials_label) out.credentialsLabel = o.credentials_label;
  if (o.preconfigured_credentials) out.preconfiguredCredentials = o.preconfigured_credentials;
  if (typeof o.docs_connect === 'string') out.docsConnect = o.docs_connect;
  return out;
}

const orNull = (v) => (v === undefined ? null : v);

const FIELD_KEYS = {
  label: (f) => f.label,
  description: (f) => f.description,
  placeholder: (f) => f.placeholder,
  optional: (f) => f.optional,
  kind: (f) => f.kind,
  options: (f) => (f.options === null ? null : f.options.map((o) => [o.value, o.label])),
  initial_undefined: (f) => !('initial' in f),
  initial: (f) => orNull(f.initial),
  hidden: (f) => f.hidden,
  preconfigured: (f) => f.preconfigured,
  prefix: (f) => f.prefix,
  suffix: (f) => f.suffix,
  doc_link: (f) => f.docLink,
  order: (f) => f.order,
  rule: (f) => {
    const r = f.rule;
    if (r.kind === 'any') return { kind: 'any' };
    if (r.kind === 'oneOf') return { kind: 'one_of', values: r.values, optional: r.optional };
    return { kind: 'text', optional: r.optional, non_empty: r.nonEmpty, format: r.format, pattern: r.pattern };
  },
};

const FORM_KEYS = {
  connect_directly: (f) => f.connectDirectly,
  docs_connect: (f) => f.docsConnect,
  submit: (f) => f.submit,
  aws_external_id: (f) => f.awsExternalId,
};

const checks = {
  tags(ck, c, skip) {
    compareResult(ck.validateTags(c.input), c.expect);
    if (c.nango) skip('nango projection');
  },
  email(ck, c) {
    const got = ck.isEmail(c.input);
    if (got !== c.valid) throw new Error(`${show(c.input)}: want valid=${c.valid}, got ${got}`);
  },
  form(ck, c) {
    const result = ck.buildForm(provider(c), formOptions(c));
    checkShape(result);
    if (!c.expect.fields) {
      if (result.ok) throw new Error('expected the provider to be rejected');
      return compareIssues(result.issues, c.expect.issues);
    }
    if (!result.ok) throw new Error(`provider rejected: ${show(renderIssues(result.issues))}`);
    compareIssues(result.warnings, c.expect.issues);
    const fields = result.value.fields;
    const ids = (list, id) => list.map(id);
    const got = ids(fields, (f) => `${f.group}.${f.name}`);
    const want = ids(c.expect.fields, (f) => f.id);
    if (!same(got, want)) throw new Error(`fields differ\n  want ${show(want)}\n  got  ${show(got)}`);
    fields.forEach((f, i) => compareSubset(want[i], f, c.expect.fields[i], FIELD_KEYS));
    compareSubset('form', result.value, c.expect, FORM_KEYS);
  },
  fields(ck, c) {
    const options = { ...formOptions(c), ...(c.group ? { group: c.group } : {}) };
    const result = ck.validateConnectionConfig(provider(c), c.values, options);
    compareResult(result, c.expect.ok !== undefined ? { ok: c.expect.ok } : c.expect);
    if (result.ok) compareIssues(result.warnings, c.expect.issues);
    // The form buildForm returned stands for the provider: the same answer, without rebuilding.
    const form = ck.buildForm(provider(c), formOptions(c));
    if (form.ok) {
      const again = ck.validateConnectionConfig(form.value, c.values, c.group ? { group: c.group } : undefined);
      if (!same(again, result)) throw new Error(`with the built form: ${show(again)}, with the provider: ${show(result)}`);
    }
  },
  catalogue(ck, c, skip) {
    if (typeof c.yaml === 'string') return skip('YAML catalogue');
    const result = ck.parseCatalogue(c.json);
    checkShape(result);
    if (!c.expect.ok) {
      if (result.ok) throw new Error('expected the catalogue to be rejected');
      return compareIssues(result.issues, c.expect.issues);
    }
    if (!result.ok) throw new Error(`catalogue rejected: ${show(renderIssues(result.issues))}`);
    compareIssues(result.warnings, c.expect.issues);
    const names = result.value.map((p) => p.name);
    if (c.expect.ok.names && !same(names, c.expect.ok.names)) {
      throw new Error(`names differ\n  want ${show(c.expect.ok.names)}\n  got  ${show(names)}`);
    }
    for (const [name, want] of Object.entries(c.expect.ok.providers ?? {})) {
      const p = result.value.find((it) => it.name === name);
      if (!p) throw new Error(`provider ${name} missing`);
      compareSubset(name, p, want, {
        alias_of: (it) => it.aliasOf,
        json: (it) => it.entry,
        display_name: (it) => it.entry.display_name,
        auth_mode: (it) => it.entry.auth_mode,
      });
      if (Object.keys(want).some((k) => !['alias_of', 'json', 'display_name', 'auth_mode'].includes(k))) {
        skip('catalogue field-schema views');
      }
    }
    for (const lookup of c.lookup ?? []) {
      const found = names.includes(lookup.name);
      if (found === Boolean(lookup.issues)) throw new Error(`lookup ${lookup.name}: found=${found}`);
    }
  },
  interpolation(ck, c, skip) {
    if (c.mode !== 'url') return skip(`interpolation mode ${c.mode}`);
    const encoding = c.encoding === 'raw' ? 'raw' : 'component';
    compareResult(ck.interpolateUrl(c.template, c.connection_config ?? {}, { encoding }), c.expect);
  },
  metadata(ck, c, skip) {
    let result;
    if (c.mode === 'set') result = ck.validateMetadata(c.input);
    else if (c.mode === 'update') result = ck.mergeMetadata(c.existing ?? {}, c.input);
    else return skip(`metadata mode ${c.mode}`);
    compareResult(result, Object.hasOwn(c.expect, 'ok') ? { ok: c.expect.ok } : c.expect);
    if (result.ok) compareIssues(result.warnings, c.expect.warnings);
  },
  session(ck, c, skip) {
    if (c.build_tags) return skip('build_tags helper');
    const fn = c.endpoint === 'create' ? ck.validateConnectSessionRequest : ck.validateReconnectSessionRequest;
    const wanted = Object.keys(c.expect.ok ?? {});
    const views = {
      reconnect: (v) => (v.connection_id === undefined ? null : { connection_id: v.connection_id, integration_id: v.integration_id }),
    };
    const kept = wanted.filter((k) => !['explicit_tags', 'docs_connect_override'].includes(k));
    if (kept.length < wanted.length) skip('session fields outside the normalised body');
    const expect = c.expect.ok ? { ok: Object.fromEntries(kept.map((k) => [k, c.expect.ok[k]])) } : c.expect;
    compareResult(fn(c.body), expect, (v) => Object.fromEntries(kept.map((k) => [k, views[k] ? views[k](v) : orNull(v[k])])));
    if (c.nango) skip('nango projection');
  },
  tag_filter(ck, c, skip) {
    if (typeof c.query === 'string') {
      compareResult(ck.parseTagFilterQuery(c.query), c.expect);
      return skip('nango projection and qs view');
    }
    if (c.matches !== undefined) {
      const result = ck.matchesTagFilter(c.filter, c.pairs ?? c.tags);
      return compareResult(result, { ok: c.matches });
    }
    if (c.encoded !== undefined) {
      const encoded = ck.tagFilterToQuery(c.filter);
      compareResult(encoded, { ok: c.encoded });
      const back = ck.parseTagFilterQuery(encoded.value);
      return compareResult(back, { ok: ck.validateTags(c.filter).value });
    }
    if (c.changes !== undefined) return compareResult(ck.mergeTags(c.existing, c.changes), c.expect);
    throw new Error('unknown case shape');
  },
  requests(ck, c, skip) {
    return skip('server request schemas');
  },
  oauth2(ck, c, skip) {
    return skip('OAuth 2 flow (server only)');
  },
  modes(ck, c, skip) {
    return skip('token-obtaining auth modes (server only)');
  },
  webhook(ck, c, skip) {
    if (c.mode === 'sign') {
      return compareResult(ck.signWebhook(c.secret, c.body), c.expect, (v) => ({ hmac_sha256: v.hmacSha256, legacy: v.legacy }));
    }
    if (c.mode === 'verify') {
      const headers = c.headers ?? {};
      const signatures = { hmacSha256: headers.hmac ?? undefined, legacy: headers.legacy ?? undefined };
      compareResult(ck.verifyWebhook(c.secret, c.body, signatures), c.expect, () => null);
      if (typeof c.node_accepts === 'boolean') {
        const strict = ck.verifyWebhook(c.secret, c.body, { hmacSha256: headers.hmac ?? undefined });
        if (strict.ok !== c.node_accepts) throw new Error(`hmac-only verify gave ${strict.ok}, @nangohq/node ${c.node_accepts}`);
      }
      return undefined;
    }
    return skip(`webhook mode ${c.mode}`);
  },
};

/**
 * Runs every case of `files` (`[{ name, json }]`, as parsed; generated values are expanded here)
 * against the package `ck`. Returns
 * `{ total, passed, failures: [text], skipped: { reason: count }, partial: { reason: count } }`:
 * a case is skipped when nothing of it could run, partial when some of its checks could not.
 */
export function runVectors(ck, files) {
  const out = { total: 0, passed: 0, failures: [], skipped: {}, partial: {} };
  for (const { name, json: parsed } of files) {
    const json = expandVectors(parsed);
    const check = checks[json.kind];
    if (!check) {
      out.failures.push(`${name}: no runner for kind ${json.kind}`);
      continue;
    }
    for (const c of json.cases) {
      out.total += 1;
      const reasons = [];
      let ran = true;
      const skip = (reason) => {
        reasons.push(reason);
        return undefined;
      };
      try {
        const before = reasons.length;
        check(ck, c, skip);
        ran = !(reasons.length > before && wholeSkip(json.kind, c));
      } catch (e) {
        out.failures.push(`${name} / ${c.name}: ${e && e.message}`);
        continue;
      }
      const bucket = ran ? out.partial : out.skipped;
      for (const r of reasons) bucket[r] = (bucket[r] ?? 0) + 1;
      if (ran) out.passed += 1;
    }
  }
  return out;
}

/** Whether the skip reasons of a case mean nothing of it ran. */
function wholeSkip(kind, c) {
  return (
    (kind === 'catalogue' && typeof c.yaml === 'string') ||
    (kind === 'interpolation' && c.mode !== 'url') ||
    (kind === 'metadata' && c.mode !== 'set' && c.mode !== 'update') ||
    (kind === 'session' && Boolean(c.build_tags)) ||
    kind === 'requests' ||
    kind === 'oauth2' ||
    kind === 'modes' ||
    (kind === 'webhook' && c.mode !== 'sign' && c.mode !== 'verify')
  );
}
