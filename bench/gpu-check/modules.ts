/**
 * The module loader the GPU check hands to selectBackend. lib/backend.ts loads backends by name
 * at run time (`require(name)`), which a single-file bundle cannot see: here each name the kit
 * asks for is a literal `require`, so esbuild bundles it, and each runs only when asked (the
 * webgpu backend must load after navigator.gpu exists). `webgpu` (Dawn for Node, a native addon)
 * stays outside the bundle and is found next to it (build/gpu-check/node_modules/webgpu).
 */

const BUNDLED: Record<string, () => unknown> = {
  '@tensorflow/tfjs-backend-wasm': () => require('@tensorflow/tfjs-backend-wasm'),
  '@tensorflow/tfjs-backend-wasm/package.json': () => require('@tensorflow/tfjs-backend-wasm/package.json'),
  '@tensorflow/tfjs-backend-webgpu': () => require('@tensorflow/tfjs-backend-webgpu'),
  '@tensorflow/tfjs-backend-webgpu/package.json': () => require('@tensorflow/tfjs-backend-webgpu/package.json'),
  '@tensorflow/tfjs-backend-cpu/package.json': () => require('@tensorflow/tfjs-backend-cpu/package.json'),
};

/** Loads `name` from the bundle when it is one of the kit's backends, else with `require`. */
export function checkModuleLoader(name: string): unknown {
  const bundled = BUNDLED[name];
  return bundled ? bundled() : require(name);
}
