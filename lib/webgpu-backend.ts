/**
 * The optional WebGPU backend: TensorFlow.js's `@tensorflow/tfjs-backend-webgpu` over Dawn for
 * Node (the `webgpu` package, whose npm tarball carries a prebuilt `dawn.node`), so a GPU path
 * installs from the npm registry alone. On Linux Dawn drives the GPU through Vulkan: it needs the
 * Vulkan loader (libvulkan.so.1) and a Vulkan driver; without either no adapter is found.
 *
 * Two limits the rest of the kit must know:
 * - WebGPU in Node cannot read a tensor synchronously: tfjs-backend-webgpu's `readSync` (behind
 *   `dataSync`, `arraySync`, `bufferSync`) reads through an OffscreenCanvas, which Node lacks.
 *   Only `await tensor.data()` works. `activateWebgpu` turns the resulting ReferenceError into an
 *   error that says so.
 * - Written against the packages' documentation; NOT verified on a GPU yet (no adapter on the
 *   machines this kit is developed on). `bench/gpu-check.sh` is the check to run on one.
 * @see bench/gpu-check/README.md
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { guardSynchronousReads } from './accelerator/tfjs-internals';

/** Loads a module by name (`require` by default; tests inject fakes). */
export type WebgpuModuleLoader = (name: string) => unknown;

/** An error whose message is the one-clause reason a backend is unavailable. */
export class BackendUnavailableError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'BackendUnavailableError';
  }
}

/** The part of a WebGPU adapter's `info` the kit reports. */
export interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** The part of a WebGPU adapter the probe reads. */
export interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
}

/** The part of `navigator.gpu` the probe uses. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<AdapterLike | null>;
}

/** What the `webgpu` package exports: `create(dawnOptions)` returns a `navigator.gpu`. */
interface DawnModule {
  create(options: string[]): GpuLike;
  globals: Record<string, unknown>;
}

/** What the probe found about the adapter. */
export interface AdapterSummary {
  /** A readable name, e.g. 'NVIDIA H200 (nvidia, hopper)'. */
  name: string;
  /** True for a CPU implementation (lavapipe, SwiftShader, a fallback adapter). */
  software: boolean;
  info: AdapterInfoLike;
}

/** A usable adapter and what activation needs, or the one-clause reason there is none. */
export type WebgpuProbe =
  | { ok: true; gpu: GpuLike; globals: Record<string, unknown>; adapter: AdapterSummary; loader: string }
  | { ok: false; reason: string };

/** Options of `probeWebgpu`; every field has a default for real use. */
export interface WebgpuProbeOptions {
  /** Module loader, `require` by default. */
  load?: WebgpuModuleLoader;
  /** Platform, `process.platform` by default (the Vulkan loader is looked for on Linux only). */
  platform?: string;
  /** Finds the Vulkan loader; `findVulkanLoader` by default. */
  findLoader?: () => string | undefined;
  /** How long to wait for `requestAdapter` (default 10000 ms). */
  timeoutMs?: number;
  /** Accept a software adapter (default false: it is slower than the wasm backend). */
  allowSoftware?: boolean;
}

/** The error a synchronous read on the webgpu backend raises instead of a ReferenceError. */
export const WEBGPU_SYNC_READ_MESSAGE =
  'the webgpu backend cannot read a tensor synchronously in Node (dataSync, arraySync and bufferSync need an OffscreenCanvas, which Node lacks): read it with await tensor.data()';

/** Folders where a distribution puts libvulkan.so.1 when ld.so.cache does not list it. */
const LIBRARY_DIRS = ['/lib64', '/usr/lib64', '/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib/aarch64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/lib', '/usr/local/lib'];

/** File system access of `findVulkanLoader`, injectable for tests. */
export interface LoaderSearch {
  env?: Record<string, string | undefined>;
  exists?: (path: string) => boolean;
  /** The bytes of /etc/ld.so.cache, or undefined when absent. */
  readCache?: () => Buffer | undefined;
}

function readLdCache(): Buffer | undefined {
  try {
    return readFileSync('/etc/ld.so.cache');
  } catch {
    return undefined;
  }
}

/**
 * Returns where libvulkan.so.1 is (LD_LIBRARY_PATH, then the dynamic linker's cache, then the usual
 * folders), or undefined when the dynamic linker would not find it. Reads files only: no process.
 */
export function findVulkanLoader(search: LoaderSearch = {}): string | undefined {
  const env = search.env ?? process.env;
  const exists = search.exists ?? existsSync;
  const name = 'libvulkan.so.1';
  for (const dir of (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) {
    if (exists(join(dir, name))) return join(dir, name);
  }
  const cache = (search.readCache ?? readLdCache)();
  if (cache) {
    const at = cache.indexOf(`/${name}\0`);
    if (at >= 0) {
      const start = cache.lastIndexOf(0, at) + 1; // the cache's strings are NUL-terminated paths
      return cache.subarray(start, at + name.length + 1).toString('latin1');
    }
  }
  return LIBRARY_DIRS.map((dir) => join(dir, name)).find((p) => exists(p));
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].slice(0, 200);
}

/** Returns a readable adapter name and whether it is a software implementation. */
export function summarizeAdapter(adapter: AdapterLike): AdapterSummary {
  const info = adapter.info ?? {};
  const label = info.description || info.device || info.vendor || 'unnamed adapter';
  const detail = [info.vendor, info.architecture].filter((s) => s && s !== label).join(', ');
  const name = detail ? `${label} (${detail})` : label;
  const fallback = adapter.isFallbackAdapter === true || info.isFallbackAdapter === true;
  const software = fallback || /llvmpipe|lavapipe|swiftshader|software/i.test(`${info.description} ${info.device} ${info.vendor}`);
  return { name, software, info: { ...info } };
}

function loadDawn(load: WebgpuModuleLoader): DawnModule {
  let mod: unknown;
  try {
    mod = load('webgpu');
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' && /'webgpu'/.test(firstLine(err))) {
      throw new BackendUnavailableError('webgpu (Dawn for Node) is not installed');
    }
    throw new BackendUnavailableError(`webgpu (Dawn for Node) failed to load: ${firstLine(err)}`);
  }
  const m = mod as Partial<DawnModule> & { default?: Partial<DawnModule> };
  const dawn = typeof m.create === 'function' ? m : m.default;
  if (!dawn || typeof dawn.create !== 'function' || typeof dawn.globals !== 'object') {
    throw new BackendUnavailableError("webgpu (Dawn for Node) does not export create() and globals");
  }
  return dawn as DawnModule;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // Not unref'd: if nothing else keeps the process alive, the timeout must still answer.
    timer = setTimeout(() => reject(new BackendUnavailableError(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Looks for a usable WebGPU adapter: the Vulkan loader (Linux), Dawn, then `requestAdapter`.
 * Returns the adapter, or the reason in one clause ('no Vulkan loader ...', 'no adapter ...').
 * Never throws; installs nothing on globalThis. A loader-less machine costs a few file checks.
 */
export async function probeWebgpu(options: WebgpuProbeOptions = {}): Promise<WebgpuProbe> {
  const load = options.load ?? ((name: string) => require(name));
  const platform = options.platform ?? process.platform;
  let loader = 'not needed';
  if (platform === 'linux') {
    const found = (options.findLoader ?? (() => findVulkanLoader()))();
    if (!found) return { ok: false, reason: 'no Vulkan loader (libvulkan.so.1 not found)' };
    loader = found;
  }
  try {
    const dawn = loadDawn(load);
    let gpu: GpuLike;
    try {
      gpu = dawn.create([]);
    } catch (err) {
      return { ok: false, reason: `Dawn did not start: ${firstLine(err)}` };
    }
    const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), options.timeoutMs ?? 10000, 'requestAdapter');
    if (!adapter) {
      const through = platform === 'linux' ? ' through Vulkan' : '';
      return { ok: false, reason: `no adapter (Dawn found no GPU${through})` };
    }
    const summary = summarizeAdapter(adapter);
    if (summary.software && !options.allowSoftware) {
      return { ok: false, reason: `only a software adapter (${summary.name}), slower than wasm` };
    }
    return { ok: true, gpu, globals: dawn.globals, adapter: summary, loader };
  } catch (err) {
    return { ok: false, reason: err instanceof BackendUnavailableError ? err.message : `probe failed: ${firstLine(err)}` };
  }
}

/** What `activateWebgpu` put on globalThis, so `releaseWebgpu` can take it back. */
const installed: { globals: string[]; navigator: 'created' | 'extended' | undefined } = { globals: [], navigator: undefined };

/** tfjs-backend-webgpu's factory, kept when `releaseWebgpu` unregisters it (the module registers only once). */
let savedFactory: (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined;

/** The running webgpu backend's adapter and notes, while it is active. */
let active: { adapter: AdapterSummary; notes: string[] } | undefined;

function installNavigatorGpu(gpu: GpuLike): void {
  const g = globalThis as { navigator?: object };
  const nav = g.navigator;
  if (nav && typeof nav === 'object') {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true }); // Node >= 21 has a navigator
    installed.navigator = 'extended';
  } else {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    installed.navigator = 'created';
  }
}

/**
 * Installs Dawn's `navigator.gpu` and its globals (GPUBufferUsage, GPUMapMode, ...; existing
 * names are kept), registers tfjs-backend-webgpu (it registers only when navigator.gpu exists as
 * it loads), switches TensorFlow.js to it and proves it with one operation read asynchronously.
 * Returns notes for the backend line. On failure everything installed is taken back.
 */
async function activateWebgpu(found: Extract<WebgpuProbe, { ok: true }>, load: WebgpuModuleLoader): Promise<string[]> {
  try {
    for (const [name, value] of Object.entries(found.globals)) {
      if (!(name in globalThis)) {
        (globalThis as Record<string, unknown>)[name] = value;
        installed.globals.push(name);
      }
    }
    installNavigatorGpu(found.gpu);
    if (!tf.findBackendFactory('webgpu')) {
      if (savedFactory) tf.registerBackend('webgpu', savedFactory, 0);
      else load('@tensorflow/tfjs-backend-webgpu');
    }
    if (!tf.findBackendFactory('webgpu')) {
      throw new BackendUnavailableError('@tensorflow/tfjs-backend-webgpu did not register (it was loaded before navigator.gpu existed)');
    }
    if (!(await tf.setBackend('webgpu'))) throw new BackendUnavailableError("backend 'webgpu' did not initialise");
    guardSynchronousReads(tf.backend(), WEBGPU_SYNC_READ_MESSAGE);
    const two = tf.add(tf.scalar(1), tf.scalar(1));
    const value = (await two.data())[0];
    two.dispose();
    if (value !== 2) throw new BackendUnavailableError(`1 + 1 read back as ${value} on webgpu`);
  } catch (err) {
    releaseWebgpu();
    throw err;
  }
  return [`adapter ${found.adapter.name}`, 'asynchronous reads only (await data())'];
}

/**
 * Switches TensorFlow.js to webgpu: reuses the running backend, else probes and activates.
 * Returns the adapter and the notes for the backend line; throws `BackendUnavailableError` with
 * the one-clause reason when there is no usable adapter.
 */
export async function startWebgpu(options: WebgpuProbeOptions = {}): Promise<{ adapter: AdapterSummary; notes: string[] }> {
  if (active && tf.findBackend('webgpu')) {
    if (!(await tf.setBackend('webgpu'))) throw new BackendUnavailableError("backend 'webgpu' did not initialise");
    return active;
  }
  const found = await probeWebgpu(options);
  if (!found.ok) throw new BackendUnavailableError(found.reason);
  const notes = await activateWebgpu(found, options.load ?? ((name: string) => require(name)));
  active = { adapter: found.adapter, notes };
  return active;
}

/**
 * Removes the webgpu backend from TensorFlow.js and takes back navigator.gpu and the globals
 * `activateWebgpu` installed (Dawn keeps a process alive while navigator.gpu holds it).
 */
export function releaseWebgpu(): void {
  const factory = tf.findBackendFactory('webgpu');
  if (factory) {
    savedFactory = factory;
    tf.removeBackend('webgpu');
  }
  const g = globalThis as Record<string, unknown> & { navigator?: { gpu?: unknown } };
  if (installed.navigator === 'created') delete g.navigator;
  if (installed.navigator === 'extended' && g.navigator) delete g.navigator.gpu;
  installed.navigator = undefined;
  for (const name of installed.globals) delete g[name];
  installed.globals = [];
  active = undefined;
}
