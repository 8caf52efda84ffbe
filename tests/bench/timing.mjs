// Timing for the speed benchmarks (validate-tags.bench.mjs, connect-form.bench.mjs): this machine
// is noisy, so each of the rounds times every contender once, back to back; a contender's figure
// is its median round, and its ratio to the reference is the median of its per-round ratios
// (both measured in the same round, so the noise mostly cancels).

/** One timed round: `fn(inputs[i % n])` in batches for `ns` nanoseconds; calls per second. */
export function round(fn, inputs, ns) {
  const batch = 1000;
  let n = 0;
  let next = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < ns) {
    for (let i = 0; i < batch; i++) {
      fn(inputs[next]);
      next = next + 1 === inputs.length ? 0 : next + 1;
    }
    n += batch;
    elapsed = process.hrtime.bigint() - start;
  }
  return (n * 1e9) / Number(elapsed);
}

export const median = (list) => [...list].sort((a, b) => a - b)[list.length >> 1];

/**
 * Times every function of `contenders` (`{ name: fn }`) on `inputs` (called in turn) in
 * `rounds` interleaved rounds of `ns` nanoseconds each, after a warm-up. Returns
 * `{ ops: { name: median calls/s }, ratio: { name: median of (name / reference) per round } }`.
 */
export function interleaved(contenders, inputs, { reference, rounds = 9, ns = 100_000_000n, warmup = 20_000 }) {
  const names = Object.keys(contenders);
  for (const name of names) for (let i = 0; i < warmup; i++) contenders[name](inputs[i % inputs.length]);
  const ops = Object.fromEntries(names.map((name) => [name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const name of names) ops[name].push(round(contenders[name], inputs, ns));
  }
  return {
    ops: Object.fromEntries(names.map((name) => [name, median(ops[name])])),
    ratio: Object.fromEntries(names.map((name) => [name, median(ops[name].map((x, r) => x / ops[reference][r]))])),
  };
}
