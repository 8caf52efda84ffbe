// A seeded xorshift32 generator for the package's randomized tests, so a failure reproduces.
export function seeded(seed) {
  let state = seed >>> 0 || 1;
  const rand = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const below = (n) => Math.floor(rand() * n);
  const pick = (list) => list[below(list.length)];
  return { rand, below, pick };
}
