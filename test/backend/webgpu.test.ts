/**
 * The webgpu choice of lib/backend.ts with injected loaders: a fake Dawn (`webgpu`) whose
 * requestAdapter answers what each test needs, and a fake tfjs-backend-webgpu that registers a
 * cpu-computing backend under the name 'webgpu' (as the real one, only when navigator.gpu exists)
 * and, like the real one in Node, cannot read synchronously.
 */
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { selectBackend, WEBGPU_AUTOMATIC, type ModuleLoader } from '../../lib/backend';
import { webgpuAdapterLine } from '../../cli/commands/info';
import { findVulkanLoader, probeWebgpu, releaseWebgpu, summarizeAdapter, WEBGPU_SYNC_READ_MESSAGE, type AdapterLike } from '../../lib/webgpu-backend';

/** A cpu backend that, like tfjs-backend-webgpu in Node, has no synchronous read. */
class NoSyncReadBackend extends MathBackendCPU {
  constructor() {
    super();
    (this as unknown as { firstUse: boolean }).firstUse = false; // no "install the node backend" banner
  }
  override readSync(): never {
    throw new ReferenceError('OffscreenCanvas is not defined');
  }
  override async read(dataId: object): Promise<tf.backend_util.BackendValues> {
    return MathBackendCPU.prototype.readSync.call(this, dataId);
  }
}

/** Registers the fake 'webgpu' backend when navigator.gpu exists, as the real module does on load. */
function loadFakeTfjsWebgpu(): object {
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) {
    for (const k of tf.getKernelsForBackend('cpu')) {
      if (!tf.getKernel(k.kernelName, 'webgpu')) tf.registerKernel({ ...k, backendName: 'webgpu' });
    }
    tf.registerBackend('webgpu', () => new NoSyncReadBackend(), 0);
  }
  return {};
}

const H200: AdapterLike = { info: { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H200' } };

/** Options of `fakeLoader`: what Dawn's requestAdapter answers ('hang': never), or Dawn missing. */
interface FakeSetup {
  adapter?: AdapterLike | null | 'hang';
  dawnMissing?: boolean;
}

/** A loader without the native packages, with a fake Dawn and tfjs-backend-webgpu; records the names asked for. */
function fakeLoader(setup: FakeSetup): { load: ModuleLoader; asked: string[]; gpu: object } {
  const asked: string[] = [];
  const gpu = {
    requestAdapter: () => (setup.adapter === 'hang' ? new Promise<never>(() => {}) : Promise.resolve(setup.adapter ?? null)),
  };
  const missing = (name: string) => Object.assign(new Error(`Cannot find module '${name}'`), { code: 'MODULE_NOT_FOUND' });
  const load: ModuleLoader = (name) => {
    asked.push(name);
    if (name.startsWith('@tensorflow/tfjs-node')) throw missing(name);
    if (name === 'webgpu') {
      if (setup.dawnMissing) throw missing(name);
      return { create: () => gpu, globals: { GPUBufferUsage: { MAP_READ: 1 }, FAKE_DAWN_GLOBAL: true } };
    }
    if (name === 'webgpu/package.json') return { version: '0.0.0-fake' };
    if (name === '@tensorflow/tfjs-backend-webgpu') return loadFakeTfjsWebgpu();
    return require(name);
  };
  return { load, asked, gpu };
}

/** Probe settings for a Linux machine whose Vulkan loader is (or is not) found. */
const withLoader = { platform: 'linux', findLoader: () => '/fake/libvulkan.so.1' };
const withoutLoader = { platform: 'linux', findLoader: () => undefined };

afterEach(() => releaseWebgpu());

test('an adapter found: the automatic order (webgpu allowed) chooses webgpu, which computes and refuses synchronous reads', async () => {
  const fake = fakeLoader({ adapter: H200 });
  const r = await selectBackend({ load: fake.load, env: {}, automaticWebgpu: true, webgpu: withLoader });
  assert.equal(r.choice, 'webgpu');
  assert.equal(r.tfjsBackend, 'webgpu');
  assert.equal(tf.getBackend(), 'webgpu');
  assert.equal(r.gpu, true);
  assert.equal(r.native, false);
  assert.deepEqual(r.attempts.map((a) => [a.backend, a.ok]), [['node-gpu', false], ['webgpu', true]]);
  assert.match(r.message, /backend 'webgpu' \(WebGPU, @tensorflow\/tfjs-backend-webgpu /);
  assert.match(r.message, /adapter NVIDIA H200 \(nvidia, hopper\); asynchronous reads only/);
  assert.match(r.message, /Dawn for Node \(webgpu 0\.0\.0-fake\); not verified on a GPU yet/);
  assert.equal((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu, fake.gpu);
  assert.deepEqual((globalThis as { GPUBufferUsage?: unknown }).GPUBufferUsage, { MAP_READ: 1 });

  const before = tf.memory().numTensors;
  const sum = tf.tidy(() => tf.sum(tf.tensor1d([1, 2, 3.5])));
  assert.deepEqual(Array.from(await sum.data()), [6.5]);
  const product = tf.tidy(() => tf.mul(tf.tensor1d([2]), tf.tensor1d([3])));
  assert.throws(() => product.dataSync(), (err: Error) => err.message === WEBGPU_SYNC_READ_MESSAGE);
  tf.dispose([sum, product]);
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');

  releaseWebgpu();
  assert.equal((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu, undefined, 'navigator.gpu taken back');
  assert.equal('FAKE_DAWN_GLOBAL' in globalThis, false, "Dawn's globals taken back");
});

test('requestAdapter answering null: webgpu is skipped with "no adapter", nothing installed, wasm runs', async () => {
  const fake = fakeLoader({ adapter: null });
  const r = await selectBackend({ load: fake.load, env: {}, automaticWebgpu: true, webgpu: withLoader });
  assert.equal(r.choice, 'wasm');
  assert.equal(r.attempts[1].backend, 'webgpu');
  assert.equal(r.attempts[1].reason, 'no adapter (Dawn found no GPU through Vulkan)');
  assert.match(r.message, /not used: .*webgpu: no adapter \(Dawn found no GPU through Vulkan\);/);
  assert.equal((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu, undefined);
  assert.equal(fake.asked.includes('@tensorflow/tfjs-backend-webgpu'), false, 'tfjs-backend-webgpu not loaded without an adapter');
});

test('Dawn not installed: the reason names the webgpu package', async () => {
  const fake = fakeLoader({ dawnMissing: true });
  const r = await selectBackend({ load: fake.load, env: {}, automaticWebgpu: true, webgpu: withLoader });
  assert.equal(r.choice, 'wasm');
  assert.equal(r.attempts[1].reason, 'webgpu (Dawn for Node) is not installed');
});

test('no Vulkan loader: the reason says so and Dawn is never loaded', async () => {
  const fake = fakeLoader({ adapter: H200 });
  const r = await selectBackend({ load: fake.load, env: {}, automaticWebgpu: true, webgpu: withoutLoader });
  assert.equal(r.choice, 'wasm');
  assert.equal(r.attempts[1].reason, 'no Vulkan loader (libvulkan.so.1 not found)');
  assert.equal(fake.asked.includes('webgpu'), false);
});

test('a software adapter (lavapipe) is not chosen automatically', async () => {
  const fake = fakeLoader({ adapter: { info: { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } } });
  const r = await selectBackend({ load: fake.load, env: {}, automaticWebgpu: true, webgpu: withLoader });
  assert.equal(r.choice, 'wasm');
  assert.match(r.attempts[1].reason, /^only a software adapter \(llvmpipe \(LLVM 15\.0\.6, 256 bits\) \(mesa\)\), slower than wasm$/);
});

test('a requestAdapter that never answers is given up after the timeout', async () => {
  const fake = fakeLoader({ adapter: 'hang' });
  const r = await selectBackend({ load: fake.load, env: {}, automaticWebgpu: true, webgpu: { ...withLoader, timeoutMs: 50 } });
  assert.equal(r.choice, 'wasm');
  assert.equal(r.attempts[1].reason, 'requestAdapter did not answer within 0.05 s');
});

test('by default the automatic order takes webgpu where Dawn finds a hardware adapter, and mmckd info names it', async () => {
  assert.equal(WEBGPU_AUTOMATIC, true);
  const fake = fakeLoader({ adapter: H200 });
  const r = await selectBackend({ load: fake.load, env: {}, webgpu: withLoader });
  assert.equal(r.choice, 'webgpu');
  assert.equal(r.forced, false);
  assert.equal(r.adapter, 'NVIDIA H200 (nvidia, hopper)');
  assert.equal(webgpuAdapterLine(r), 'WebGPU adapter: NVIDIA H200 (nvidia, hopper)');
  releaseWebgpu();
  const none = await selectBackend({ load: fake.load, env: {}, webgpu: withoutLoader });
  assert.equal(none.choice, 'wasm');
  assert.equal(none.adapter, undefined);
  assert.equal(none.attempts[1].reason, 'no Vulkan loader (libvulkan.so.1 not found)');
  assert.equal(webgpuAdapterLine(none), 'WebGPU adapter: none in use (no Vulkan loader (libvulkan.so.1 not found))');
});

test('a software adapter is refused by the automatic order and taken only when forced, the report saying so', async () => {
  const lavapipe: AdapterLike = { info: { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } };
  const fake = fakeLoader({ adapter: lavapipe });
  const automatic = await selectBackend({ load: fake.load, env: {}, webgpu: withLoader });
  assert.equal(automatic.choice, 'wasm');
  assert.match(webgpuAdapterLine(automatic), /^WebGPU adapter: none in use \(only a software adapter \(llvmpipe/);
  const fallback = fakeLoader({ adapter: { isFallbackAdapter: true, info: { vendor: 'google', description: 'SwiftShader Device' } } });
  assert.equal((await selectBackend({ load: fallback.load, env: {}, webgpu: withLoader })).choice, 'wasm', 'a fallback adapter is software too');
  const forced = await selectBackend({ load: fake.load, env: { MMCKD_BACKEND: 'webgpu' }, webgpu: withLoader });
  assert.equal(forced.choice, 'webgpu');
  assert.equal(forced.adapter, 'llvmpipe (LLVM 15.0.6, 256 bits) (mesa)');
  assert.match(forced.message, /software adapter, forced: slower than wasm/);
});

test('the automatic order turned off by the caller does not start Dawn', async () => {
  const fake = fakeLoader({ adapter: H200 });
  const r = await selectBackend({ load: fake.load, env: {}, automaticWebgpu: false, webgpu: withLoader });
  assert.equal(r.choice, 'wasm');
  assert.match(r.attempts[1].reason, /^not tried automatically/);
  assert.equal(fake.asked.includes('webgpu'), false);
});

test('MMCKD_BACKEND=webgpu forces webgpu; without an adapter it is an error naming the reason', async () => {
  const found = fakeLoader({ adapter: H200 });
  const r = await selectBackend({ load: found.load, env: { MMCKD_BACKEND: 'webgpu' }, webgpu: withLoader });
  assert.equal(r.choice, 'webgpu');
  assert.equal(r.forced, true);
  assert.match(r.message, /forced by MMCKD_BACKEND/);
  releaseWebgpu();
  const none = fakeLoader({ adapter: null });
  await assert.rejects(
    selectBackend({ load: none.load, env: { MMCKD_BACKEND: 'webgpu' }, webgpu: withLoader }),
    /MMCKD_BACKEND=webgpu was asked for, but no adapter \(Dawn found no GPU through Vulkan\)/,
  );
});

test('findVulkanLoader looks in LD_LIBRARY_PATH, then the ld.so cache, then the usual folders', () => {
  const files = new Set(['/opt/vk/libvulkan.so.1', '/usr/lib64/libvulkan.so.1']);
  const exists = (p: string) => files.has(p);
  const noCache = () => undefined;
  assert.equal(findVulkanLoader({ env: { LD_LIBRARY_PATH: '/nowhere:/opt/vk' }, exists, readCache: noCache }), '/opt/vk/libvulkan.so.1');
  const cache = Buffer.from('glibc-ld.so.cache1.1\0libvulkan.so.1\0/usr/lib/x86_64-linux-gnu/libvulkan.so.1\0libz.so.1\0', 'latin1');
  assert.equal(findVulkanLoader({ env: {}, exists: () => false, readCache: () => cache }), '/usr/lib/x86_64-linux-gnu/libvulkan.so.1');
  assert.equal(findVulkanLoader({ env: {}, exists, readCache: noCache }), '/usr/lib64/libvulkan.so.1');
  assert.equal(findVulkanLoader({ env: {}, exists: () => false, readCache: noCache }), undefined);
});

test('summarizeAdapter names the adapter and flags software ones', () => {
  assert.deepEqual(
    [summarizeAdapter(H200).name, summarizeAdapter(H200).software],
    ['NVIDIA H200 (nvidia, hopper)', false],
  );
  assert.equal(summarizeAdapter({ isFallbackAdapter: true, info: { vendor: 'google', description: 'SwiftShader Device' } }).software, true);
  assert.equal(summarizeAdapter({}).name, 'unnamed adapter');
});

test('the real Dawn, asked for an adapter on this machine, answers within the timeout (an adapter or a reason) and lets the process exit', async () => {
  const probe = await probeWebgpu({ findLoader: () => findVulkanLoader() ?? 'not found: Dawn is asked anyway', timeoutMs: 20000 });
  if (probe.ok) {
    assert.ok(probe.adapter.name.length > 0);
  } else {
    assert.match(probe.reason, /^(no adapter|only a software adapter|webgpu \(Dawn for Node\) is not installed|webgpu \(Dawn for Node\) failed to load)/);
  }
});
