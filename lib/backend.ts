/**
 * Chooses the fastest TensorFlow.js backend that actually loads on this machine.
 *
 * Order: tfjs-node-gpu (native TensorFlow with CUDA), webgpu (tfjs-backend-webgpu over Dawn for
 * Node, Vulkan on Linux; lib/webgpu-backend.ts), tfjs-node (native TensorFlow on the CPU), wasm
 * (XNNPACK, SIMD, with the kit's kernel pack: lib/accelerator), cpu (plain JavaScript).
 * `MMCKD_BACKEND=node-gpu|webgpu|node|wasm|cpu` forces one. Given a workload (`measure`), when
 * more than one CPU backend loads (tfjs-node and wasm) it times a few steps on each once per
 * machine and takes the faster (lib/backend-measure.ts; the result is cached in the cache folder
 * with the versions). The kit's entry points pass its training step (lib/train/measured-backend.ts).
 * The native packages are optional dependencies: their install step downloads libtensorflow, so
 * on a machine without internet they are absent and the kit falls back to wasm. The webgpu
 * packages install from the npm registry alone; the automatic order takes webgpu where Dawn finds a
 * hardware adapter (a software one, lavapipe or SwiftShader, only when forced: it is slower than
 * wasm). The kit reads tensors only asynchronously (`await t.data()`), as WebGPU in Node requires.
 *
 * Both GPU paths are written to their packages' documentation but are NOT verified on the
 * machines this kit is developed on (no GPU there); bench/gpu-check.sh is the check for one.
 * @see notebooks/00-quickstart.ipynb
 */
import * as tf from '@tensorflow/tfjs';
import { describeMeasurement, measureBackends, type BackendMeasurement, type MeasureOptions } from './backend-measure';
import { kitPaths } from './paths';
import { BackendUnavailableError, startWebgpu, type WebgpuProbeOptions } from './webgpu-backend';

/** The kit's names for the five backends, fastest first. */
export type BackendChoice = 'node-gpu' | 'webgpu' | 'node' | 'wasm' | 'cpu';

/** The backends in the order the kit tries them. */
const BACKEND_ORDER: readonly BackendChoice[] = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'];

/**
 * Whether the automatic order may choose webgpu when Dawn finds a hardware adapter: true, since
 * every read of the kit is asynchronous (WebGPU in Node has no synchronous read). Where no Vulkan
 * loader exists the probe costs a few file checks and Dawn is never started.
 */
export const WEBGPU_AUTOMATIC = true;

/** Environment variable that forces a backend. */
const BACKEND_ENV = 'MMCKD_BACKEND';

/** Why a backend was not used. */
export interface BackendAttempt {
  backend: BackendChoice;
  ok: boolean;
  /** One line: why it did not load, or empty when it did. */
  reason: string;
}

/** What runs: returned by `selectBackend` and `backendInfo`. */
export interface BackendReport {
  /** The kit's name of the backend in use. */
  choice: BackendChoice;
  /** TensorFlow.js's registered backend name ('tensorflow', 'webgpu', 'wasm', 'cpu'). */
  tfjsBackend: string;
  /** Version of the package that provides the backend. */
  version: string;
  /** True for the native TensorFlow backends. */
  native: boolean;
  /** True when a GPU backend runs (node-gpu or webgpu). */
  gpu: boolean;
  /** True when MMCKD_BACKEND chose it. */
  forced: boolean;
  /** Every backend tried, in order, with the reason it failed. */
  attempts: BackendAttempt[];
  /** Extra facts (wasm SIMD and threads, the WebGPU adapter). */
  notes: string[];
  /** The WebGPU adapter in use (webgpu only), e.g. 'NVIDIA H200 (nvidia, hopper)'. */
  adapter?: string;
  /** The one-line message the CLI and notebooks print. */
  message: string;
  /** When more than one CPU backend loaded: what was measured (or read from the cache) to choose. */
  measurement?: BackendMeasurement;
}

/** Loads a module by name; tests inject one that fails to simulate a missing package. */
export type ModuleLoader = (name: string) => unknown;

/** Options of `selectBackend`. */
export interface SelectBackendOptions {
  /** Force one backend (overrides MMCKD_BACKEND). */
  force?: BackendChoice;
  /** Module loader, `require` by default. */
  load?: ModuleLoader;
  /** Environment to read MMCKD_BACKEND from, process.env by default. */
  env?: Record<string, string | undefined>;
  /** Print the one-line message to stderr (default false). */
  log?: boolean;
  /** Let the automatic order choose webgpu when an adapter is found (default `WEBGPU_AUTOMATIC`). */
  automaticWebgpu?: boolean;
  /** How webgpu is probed (tests inject the Vulkan loader search, the platform, the timeout). */
  webgpu?: Omit<WebgpuProbeOptions, 'load'>;
  /**
   * Choosing among CPU backends by timing a workload (`measureBackends`'s options: the step, its
   * name, the cache folder, default kitPaths(env).cache); `among` are the backends compared when
   * more than one loads (default node and wasm; tests add cpu). Without it (or false) the first
   * backend that loads wins.
   */
  measure?: false | (MeasureOptions & { among?: BackendChoice[] });
}

/** The CPU backends compared by measurement when more than one of them loads. */
const MEASURED_BY_DEFAULT: readonly BackendChoice[] = ['node', 'wasm'];

const PACKAGE_OF: Record<BackendChoice, string> = {
  'node-gpu': '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  node: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

let current: BackendReport | undefined;

/** Returns true when the string names one of the five backends. */
export function isBackendChoice(s: string): s is BackendChoice {
  return (BACKEND_ORDER as readonly string[]).includes(s);
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0].slice(0, 200);
}

function explainLoadError(pkg: string, err: unknown): string {
  if (err instanceof BackendUnavailableError) return err.message;
  const code = (err as { code?: string }).code;
  if (code === 'MODULE_NOT_FOUND' && firstLine(err).includes(pkg)) {
    if (pkg.includes('tfjs-node')) {
      return `${pkg} is not installed (optional; its install step downloads libtensorflow and needs internet)`;
    }
    return `${pkg} is not installed`;
  }
  return `${pkg} failed to load: ${firstLine(err)}`;
}

function packageVersion(load: ModuleLoader, pkg: string): string {
  try {
    const json = load(`${pkg}/package.json`) as { version?: string };
    return json.version ?? 'unknown';
  } catch {
    return tf.version.tfjs;
  }
}

/** What `activate` needs besides the choice. */
interface ActivateContext {
  load: ModuleLoader;
  env: Record<string, string | undefined>;
  /** True when the user forced this backend. */
  forced: boolean;
  automaticWebgpu: boolean;
  webgpu: Omit<WebgpuProbeOptions, 'load'>;
}

/**
 * Activates webgpu (a hardware adapter; a software one only when forced) and returns the tfjs
 * backend name, or throws the one-clause reason it is not used. Records the adapter's name.
 */
async function activateWebgpuChoice(notes: string[], c: ActivateContext, adapter: { name?: string }): Promise<string> {
  if (!c.forced && !c.automaticWebgpu) {
    throw new BackendUnavailableError('not tried automatically (automatic webgpu turned off by the caller; MMCKD_BACKEND=webgpu forces it)');
  }
  const started = await startWebgpu({ ...c.webgpu, load: c.load, allowSoftware: c.webgpu.allowSoftware ?? c.forced });
  adapter.name = started.adapter.name;
  if (started.adapter.software) notes.push('software adapter, forced: slower than wasm');
  notes.push(...started.notes, `Dawn for Node (webgpu ${packageVersion(c.load, 'webgpu')})`, 'not verified on a GPU yet');
  return 'webgpu';
}

async function activate(choice: BackendChoice, notes: string[], c: ActivateContext, adapter: { name?: string } = {}): Promise<string> {
  const { load, env } = c;
  if (choice === 'webgpu') return activateWebgpuChoice(notes, c, adapter);
  if (choice === 'node-gpu' || choice === 'node') {
    load(PACKAGE_OF[choice]); // registers the 'tensorflow' backend on our tfjs-core
    if (!(await tf.setBackend('tensorflow'))) throw new Error("backend 'tensorflow' did not initialise");
    // A tiny op proves the native library really runs (a broken libtensorflow throws here).
    const two = tf.add(tf.scalar(1), tf.scalar(1));
    try {
      await two.data();
    } finally {
      two.dispose();
    }
    if (choice === 'node-gpu') notes.push('CUDA path: not verified on the machines this kit is developed on');
    return 'tensorflow';
  }
  if (choice === 'wasm') {
    load(PACKAGE_OF.wasm); // registers the backend
    if (!(await tf.setBackend('wasm'))) throw new Error("backend 'wasm' did not initialise");
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    notes.push(`wasm SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off (Node)'}`);
    // The optional kernel pack (lib/accelerator): OpenBLAS matmuls when the addon is built
    // (`npm run build:native`), faster copy-free kernels always; MMCKD_NATIVE=0 turns it off.
    const { enableNativeKernels } = require('./accelerator/kernel-pack') as typeof import('./accelerator/kernel-pack');
    notes.push(enableNativeKernels({ env }).message);
    return 'wasm';
  }
  tf.env().set('PROD', true); // silences tfjs's "install the node backend" banner; the report says it
  if (!(await tf.setBackend('cpu'))) throw new Error("backend 'cpu' did not initialise");
  return 'cpu';
}

function formatMessage(r: Omit<BackendReport, 'message'>): string {
  const kind = r.choice === 'webgpu' ? 'WebGPU' : r.gpu ? 'native GPU' : r.native ? 'native CPU' : r.choice === 'wasm' ? 'WebAssembly' : 'pure JavaScript';
  const head = `mmckd: TensorFlow.js backend '${r.choice}' (${kind}, ${PACKAGE_OF[r.choice]} ${r.version})`;
  const why = r.forced ? ` forced by ${BACKEND_ENV}` : '';
  const failed = r.attempts.filter((a) => !a.ok).map((a) => `${a.backend}: ${a.reason}`);
  const skipped = failed.length > 0 ? `; not used: ${failed.join('; ')}` : '';
  const notes = r.notes.length > 0 ? ` [${r.notes.join('; ')}]` : '';
  return `${head}${why}${notes}${skipped}`;
}

/**
 * Selects and activates the best backend that loads; returns the report (also kept for
 * `backendInfo`). Never loads both native packages: the first one that loads wins.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendReport> {
  const load: ModuleLoader = options.load ?? ((name: string) => require(name));
  const env = options.env ?? process.env;
  const fromEnv = env[BACKEND_ENV]?.trim();
  if (fromEnv && !isBackendChoice(fromEnv)) {
    throw new Error(`Expected ${BACKEND_ENV} to be one of ${BACKEND_ORDER.join(', ')}, but got '${fromEnv}'`);
  }
  const forced = options.force ?? (fromEnv as BackendChoice | undefined);
  const order = forced ? [forced] : [...BACKEND_ORDER];
  const attempts: BackendAttempt[] = [];
  const context: ActivateContext = {
    load,
    env,
    forced: forced !== undefined,
    automaticWebgpu: options.automaticWebgpu ?? WEBGPU_AUTOMATIC,
    webgpu: options.webgpu ?? {},
  };
  const measure = options.measure || undefined;
  const among = measure?.among ?? MEASURED_BY_DEFAULT;
  for (const [at, first] of order.entries()) {
    let choice = first;
    let notes: string[] = [];
    const adapter: { name?: string } = {};
    try {
      let tfjsBackend = await activate(choice, notes, context, adapter);
      attempts.push({ backend: choice, ok: true, reason: '' });
      let measurement: BackendMeasurement | undefined;
      if (!forced && measure && among.includes(choice)) {
        // the other CPU backends further down the order: load each; with more than one, measure
        const loaded = [{ choice, tfjsBackend, notes }];
        for (const other of order.slice(at + 1).filter((c) => among.includes(c))) {
          const otherNotes: string[] = [];
          try {
            loaded.push({ choice: other, tfjsBackend: await activate(other, otherNotes, context), notes: otherNotes });
            attempts.push({ backend: other, ok: true, reason: '' });
          } catch (err) {
            attempts.push({ backend: other, ok: false, reason: explainLoadError(PACKAGE_OF[other], err) });
          }
        }
        if (loaded.length > 1) {
          const candidates = loaded.map((l) => ({
            name: l.choice, tfjsBackend: l.tfjsBackend,
            version: `${packageVersion(load, PACKAGE_OF[l.choice])} ${l.notes.join('; ').replace(/[\d.]+ ms/g, '')}`,
          }));
          try {
            measurement = await measureBackends(candidates, { cacheDir: kitPaths(env).cache, ...measure });
            const won = loaded.find((l) => l.choice === measurement!.choice)!;
            choice = won.choice;
            tfjsBackend = won.tfjsBackend;
            notes = [...won.notes, describeMeasurement(measurement)];
          } catch (err) { // keep the order's choice, say why
            notes.push(`not chosen by measurement: it failed (${firstLine(err)})`);
          }
          if (!(await tf.setBackend(tfjsBackend))) throw new Error(`backend '${tfjsBackend}' did not initialise again after the measurement`);
        } else {
          await tf.setBackend(tfjsBackend); // loading the others may have switched the active backend
        }
      }
      const base = {
        choice,
        tfjsBackend,
        version: packageVersion(load, PACKAGE_OF[choice]),
        native: choice === 'node' || choice === 'node-gpu',
        gpu: choice === 'node-gpu' || choice === 'webgpu',
        forced: forced !== undefined,
        attempts,
        notes,
        ...(choice === 'webgpu' && adapter.name ? { adapter: adapter.name } : {}),
        ...(measurement ? { measurement } : {}),
      };
      current = { ...base, message: formatMessage(base) };
      if (options.log) process.stderr.write(current.message + '\n');
      return current;
    } catch (err) {
      attempts.push({ backend: choice, ok: false, reason: explainLoadError(PACKAGE_OF[choice], err) });
      if (forced) {
        throw new Error(`${BACKEND_ENV}=${forced} was asked for, but ${attempts[attempts.length - 1].reason}`);
      }
    }
  }
  throw new Error(`No TensorFlow.js backend loaded: ${attempts.map((a) => a.reason).join('; ')}`);
}

/** Returns the report of the last selection, or undefined before any. */
export function backendInfo(): BackendReport | undefined {
  return current;
}
