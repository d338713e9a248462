/**
 * Static SVG images of figures, rendered synchronously in a notebook kernel, so every chart output
 * carries a picture that shows where no script runs (an untrusted notebook, GitHub, nbviewer).
 *
 * plotly.js needs a browser to lay out text, so there is no Node-only route: a worker thread
 * (static-svg-worker.cjs) drives headless Chromium (found as for static export) and the calling
 * thread waits for each answer with Atomics.wait, because a notebook cell builds figure HTML
 * synchronously. Starting the browser and loading plotly.js takes seconds (3-15 s measured on 2
 * busy cores), each image then tens of milliseconds; so inside a Jupyter kernel the browser starts
 * in the background when the notebook context is made (notebookContext calls warmStaticRenderer),
 * and elsewhere on the first figure.
 * It ends with the process. Without Chromium, or with MMCKD_STATIC_FIGURES=0, the caller gets
 * the reason instead of an image.
 * @see notebooks/00-quickstart.ipynb
 */
import { join } from 'node:path';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { KIT_ROOT } from '../paths';
import { findChromium } from './chromium';
import { CHROMIUM_ARGS, decodeDataUrl } from './export-figures';
import { FigureSpec } from './figure-spec';
import { DEFAULT_FIGURE_SIZE } from './layout';
import { plotlyBundlePath } from './plotly-bundle';

/** The environment variable that turns static images off ('0', 'false' or 'off'). */
const STATIC_FIGURES_ENV = 'MMCKD_STATIC_FIGURES';

/** A rendered static image, or why there is none. */
export type StaticImage = { svg: string } | { reason: string };

/** Options of staticFigureSvg. */
export interface StaticSvgOptions {
  /** CSS pixels; default 900 x 500. */
  width?: number;
  height?: number;
  /** Milliseconds to wait for the first image (browser start-up included); default 90 000. */
  startupTimeoutMs?: number;
  /** Milliseconds to wait for a later image; default 30 000. */
  timeoutMs?: number;
}

interface Renderer {
  worker: Worker;
  port: MessagePort;
  signal: Int32Array;
  rendered: number;
}

let renderer: Renderer | undefined;
let disabledReason: string | undefined;
let requestId = 0;

function staticFiguresOff(env: Record<string, string | undefined>): boolean {
  const v = (env[STATIC_FIGURES_ENV] ?? '').trim().toLowerCase();
  return v === '0' || v === 'false' || v === 'off';
}

function startRenderer(executablePath: string): Renderer {
  const flag = new SharedArrayBuffer(4);
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(join(KIT_ROOT, 'lib', 'report', 'static-svg-worker.cjs'), {
    workerData: { port: port2, flag, executablePath, bundlePath: plotlyBundlePath(), args: [...CHROMIUM_ARGS] },
    transferList: [port2],
  });
  worker.unref(); // the kernel exits as usual; the browser goes with the process
  port1.unref();
  worker.on('error', (err) => {
    disabledReason = `the static-image worker failed: ${err.message}`;
  });
  return { worker, port: port1, signal: new Int32Array(flag), rendered: 0 };
}

function stopRenderer(reason: string): StaticImage {
  disabledReason = reason;
  void renderer?.worker.terminate();
  renderer = undefined;
  return { reason };
}

function ensureRenderer(env: Record<string, string | undefined>): Renderer | StaticImage {
  if (staticFiguresOff(env)) return { reason: `${STATIC_FIGURES_ENV}=${env[STATIC_FIGURES_ENV]}` };
  if (disabledReason) return { reason: disabledReason };
  if (!renderer) {
    const executablePath = findChromium(env);
    if (!executablePath) {
      return stopRenderer(
        env.MMCKD_CHROMIUM ? `MMCKD_CHROMIUM=${env.MMCKD_CHROMIUM} is not an executable browser` : 'no Chromium found (apt-get install chromium, or set MMCKD_CHROMIUM)',
      );
    }
    renderer = startRenderer(executablePath);
  }
  return renderer;
}

/** Returns whether this process is a tslab Jupyter kernel (`tslab kernel --config-path ...`). */
export function inTslabKernel(argv: string[] = process.argv): boolean {
  return /tslab/.test(argv[1] ?? '') && argv.includes('kernel');
}

/**
 * Starts the browser in the background, without waiting, so that the first figure does not pay
 * for its start-up; does nothing when static images are off or no browser is found. Returns nothing.
 */
export function warmStaticRenderer(env: Record<string, string | undefined> = process.env): void {
  const r = ensureRenderer(env);
  if ('worker' in r) r.port.postMessage({ warm: true });
}

/**
 * Returns the figure drawn by plotly.js as SVG text, or `{ reason }` saying why no image was made
 * (no Chromium, MMCKD_STATIC_FIGURES=0, a browser that failed to start or to answer in time).
 * After a failure the process stops trying and returns the same reason.
 */
export function staticFigureSvg(spec: FigureSpec, options: StaticSvgOptions = {}, env: Record<string, string | undefined> = process.env): StaticImage {
  const r = ensureRenderer(env);
  if (!('worker' in r)) return r;
  const width = options.width ?? DEFAULT_FIGURE_SIZE.width;
  const height = options.height ?? DEFAULT_FIGURE_SIZE.height;
  const timeout = r.rendered === 0 ? options.startupTimeoutMs ?? 90_000 : options.timeoutMs ?? 30_000;
  const id = ++requestId;
  Atomics.store(r.signal, 0, 0);
  r.port.postMessage({ id, data: spec.data, layout: spec.layout, width, height });
  const started = Date.now();
  let reply: { id: number; url?: string; error?: string } | undefined;
  while (!reply) {
    const left = timeout - (Date.now() - started);
    if (left <= 0) return stopRenderer(`the browser did not render figure '${spec.id}' within ${Math.round(timeout / 1000)} s`);
    Atomics.wait(r.signal, 0, 0, Math.min(left, 250));
    if (disabledReason) return stopRenderer(disabledReason);
    const received = receiveMessageOnPort(r.port);
    if (received && (received.message as { id: number }).id === id) reply = received.message as typeof reply;
  }
  if (reply.error !== undefined || reply.url === undefined) return stopRenderer(`the browser failed to render figure '${spec.id}': ${reply.error ?? 'no image'}`);
  r.rendered += 1;
  return { svg: Buffer.from(decodeDataUrl(reply.url, 'svg')).toString('utf8') };
}

/** Stops the browser of this process, if one runs; the next figure starts a new one. Returns nothing. */
export function closeStaticRenderer(): void {
  void renderer?.worker.terminate();
  renderer = undefined;
  disabledReason = undefined;
}
