// Compiles one of the package's wasm modules in a browser or bundler build: streaming when the
// server sends `application/wasm`, from the bytes otherwise. Each module's entry instantiates
// the result with its glue's `initSync` (instantiating a module compiled this way is allowed on
// the main thread), so a page carries one small loader instead of wasm-bindgen's per module.
export async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`connkit: fetching ${url} failed (${response.status})`);
  const type = response.headers.get('Content-Type') ?? '';
  return type.startsWith('application/wasm')
    ? WebAssembly.compileStreaming(response)
    : WebAssembly.compile(await response.arrayBuffer());
}
