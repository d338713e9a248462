/**
 * The GPU check (README, "TensorFlow.js backends"), the Node part that
 * bench/gpu-check.sh runs: the adapter and the backend line, the kit's custom operations and a
 * whole MM-CKD step (loss and gradients) on wasm and webgpu against the cpu backend, the step time
 * beside PyTorch's (from JSON files that torch_reference.py wrote), and a short training run of the
 * kit's own `runMethod` (quick preset): validation MAE on wasm and on webgpu. Without an adapter it still runs to the end (the webgpu
 * columns say why they are empty), so it can be tried on any machine.
 *
 * Usage: npx tsx bench/gpu-check/main.ts [--out DIR] [--torch FILE]... [--budget-s 420]
 *        [--epochs 4] [--large-batch 256] | --probe | --exit-probe
 * Exit code: 0 when every comparison that ran passed, 1 otherwise. `--probe` only asks Dawn for an
 * adapter (exit 0 found, 3 none); `--exit-probe` runs one webgpu operation and returns without
 * releasing anything, to see whether the process then ends by itself.
 */
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendChoice } from '../../lib/backend';
import { findVulkanLoader, probeWebgpu, releaseWebgpu } from '../../lib/webgpu-backend';
import { SUBSET_NAMES } from '../../lib/data/modalities';
import { checkModuleLoader } from './modules';
import { OP_CASES, runOpCase } from './custom-ops';
import { STEP_VARIANTS, stepValues, timeSteps, type StepTiming } from './step-checks';
import { quickTrain, type QuickTrainResult } from './quick-train';
import { compareAll, compareValues, l2Norm, type Comparison } from './numeric';
import { errorLine, fixed, sci, section, table } from './format';

/**
 * Tolerances (relative L2 error against cpu, float32 everywhere). A step gradient's error is
 * relative to max(its norm, GRADIENT_FLOOR x the norm of all gradients), numeric.ts says why.
 */
const TOLERANCE = { op: 1e-4, stepLoss: 1e-4, stepGradient: 1e-3 };
const GRADIENT_FLOOR = 1e-4;

interface TorchResult {
  device: string;
  device_name?: string;
  batch: number;
  step_ms: number;
  torch: string;
}

const args = parseArgs({
  options: {
    out: { type: 'string' },
    torch: { type: 'string', multiple: true, default: [] },
    'budget-s': { type: 'string', default: '420' },
    epochs: { type: 'string', default: '4' },
    'large-batch': { type: 'string', default: '256' },
    probe: { type: 'boolean', default: false },
    'exit-probe': { type: 'boolean', default: false },
  },
}).values;

const load = checkModuleLoader;
/** The environment the kit reads (MMCKD_NATIVE ...), less MMCKD_BACKEND: the check chooses each backend itself. */
const KIT_ENV: Record<string, string | undefined> = { ...process.env, MMCKD_BACKEND: undefined };
const started = performance.now();
const budgetMs = Number(args['budget-s']) * 1000;
const leftMs = () => budgetMs - (performance.now() - started);
const say = (line: string) => process.stdout.write(line + '\n');
const results: Record<string, unknown> = {};
const failures: string[] = [];

async function use(backend: BackendChoice): Promise<void> {
  await selectBackend({ force: backend, load, env: KIT_ENV });
}

function record(comparisons: Comparison[], where: string): void {
  for (const c of comparisons) if (!c.pass) failures.push(`${where}: ${c.what} rel ${sci(c.relError)} > ${sci(c.tolerance)}`);
}

async function backendSection(): Promise<BackendChoice[]> {
  section('backend', started);
  const automatic = await selectBackend({ load, env: KIT_ENV });
  say(`backend line, the kit's automatic order (webgpu where Dawn finds a hardware adapter):\n  ${automatic.message}`);
  let adapter = '';
  try {
    const forced = await selectBackend({ force: 'webgpu', load, env: KIT_ENV });
    adapter = forced.notes.find((n) => n.startsWith('adapter '))?.slice('adapter '.length) ?? 'unnamed';
    say(`adapter: ${adapter}`);
  } catch (err) {
    say(`adapter: none (${errorLine(err)})`);
  }
  results.backend = { automatic: automatic.message, automaticAdapter: automatic.adapter ?? null, adapter: adapter || null };
  return adapter ? ['cpu', 'wasm', 'webgpu'] : ['cpu', 'wasm'];
}

async function opsSection(backends: BackendChoice[]): Promise<void> {
  section(`custom operations and kernels vs cpu (relative L2 error, tolerance ${sci(TOLERANCE.op)})`, started);
  const values: Record<string, (Float32Array[] | string)[]> = {};
  for (const b of backends) {
    await use(b);
    values[b] = [];
    for (const c of OP_CASES) values[b].push(await runOpCase(c).catch((err) => errorLine(err)));
  }
  const others = backends.filter((b) => b !== 'cpu');
  const rows: string[][] = [];
  const out: Record<string, unknown>[] = [];
  OP_CASES.forEach((c, i) => {
    const ref = values.cpu[i];
    const per = others.map((b) => {
      const v = values[b][i];
      if (typeof ref === 'string') return { b, text: `cpu failed: ${ref}`, cmp: [] as Comparison[] };
      if (typeof v === 'string') return { b, text: `failed: ${v}`, cmp: [{ what: c.name, relError: Infinity, maxAbs: Infinity, tolerance: TOLERANCE.op, pass: false }] };
      const cmp = compareAll(c.name, c.outputs, v, ref, TOLERANCE.op);
      const worst = Math.max(...cmp.map((x) => x.relError));
      return { b, text: `${sci(worst)} ${cmp.every((x) => x.pass) ? 'ok' : 'FAIL'}`, cmp };
    });
    per.forEach((p) => record(p.cmp, p.b));
    rows.push([c.group, c.name, ...per.map((p) => p.text), ...(others.includes('webgpu') ? [] : ['not run: no adapter'])]);
    out.push({ case: c.name, group: c.group, ...Object.fromEntries(per.map((p) => [p.b, p.cmp])) });
  });
  say(table(['group', 'case (worst output)', 'wasm', 'webgpu'], rows));
  results.ops = out;
}

async function stepSection(backends: BackendChoice[]): Promise<void> {
  section(`whole MM-CKD step vs cpu (loss terms ${sci(TOLERANCE.stepLoss)}, each gradient ${sci(TOLERANCE.stepGradient)} of max(its norm, ${sci(GRADIENT_FLOOR)} x all))`, started);
  const out: Record<string, unknown>[] = [];
  for (const variant of STEP_VARIANTS) {
    if (leftMs() < 60_000) {
      say(`${variant.name}: skipped (time budget)`);
      continue;
    }
    const values: Record<string, Awaited<ReturnType<typeof stepValues>> | string> = {};
    for (const b of backends) {
      await use(b);
      values[b] = await stepValues(variant).catch((err) => errorLine(err));
    }
    const ref = values.cpu;
    if (typeof ref === 'string') {
      say(`${variant.name}: cpu failed: ${ref}`);
      failures.push(`step ${variant.name}: cpu failed`);
      continue;
    }
    const rows: string[][] = [];
    const entry: Record<string, unknown> = { variant: variant.name, cpuTerms: Object.fromEntries(ref.termNames.map((n, i) => [n, ref.terms[i]])) };
    for (const b of backends.filter((x) => x !== 'cpu')) {
      const v = values[b];
      if (typeof v === 'string') {
        rows.push([b, `failed: ${v}`, '', '', '']);
        failures.push(`step ${variant.name} on ${b}: ${v}`);
        continue;
      }
      const terms = ref.termNames.map((n, i) => compareValues(n, [v.terms[i]], [ref.terms[i]], TOLERANCE.stepLoss));
      const refAll = concat(ref.gradients);
      const floor = GRADIENT_FLOOR * l2Norm(refAll);
      const grads = ref.gradients.map((g, i) => compareValues(`${ref.names[i]} [${ref.shapes[i]}]`, v.gradients[i] ?? [], g, TOLERANCE.stepGradient, floor));
      const all = compareValues('all gradients', concat(v.gradients), refAll, TOLERANCE.stepGradient);
      const worstTerm = terms.reduce((a, c) => (c.relError > a.relError ? c : a));
      const worstGrad = grads.reduce((a, c) => (c.relError > a.relError ? c : a));
      record([...terms, ...grads, all], `step ${variant.name} on ${b}`);
      rows.push([
        b,
        `${v.terms[0].toFixed(6)} (cpu ${ref.terms[0].toFixed(6)})`,
        `${sci(worstTerm.relError)} (${worstTerm.what})`,
        `${sci(worstGrad.relError)} (${worstGrad.what}); ${grads.filter((g) => g.pass).length}/${grads.length} pass`,
        sci(all.relError),
      ]);
      entry[b] = { terms, worstGradient: worstGrad, allGradients: all, gradientsPassing: grads.filter((g) => g.pass).length, gradients: grads.length };
    }
    if (!backends.includes('webgpu')) rows.push(['webgpu', 'not run: no adapter', '', '', '']);
    say(`${variant.name}:`);
    say(table(['backend', 'total loss', 'worst loss term', 'worst gradient', 'all gradients'], rows));
    out.push(entry);
  }
  results.step = out;
}

function concat(arrays: Float32Array[]): Float32Array {
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function readTorch(): TorchResult[] {
  const out: TorchResult[] = [];
  for (const file of args.torch as string[]) {
    try {
      out.push(JSON.parse(readFileSync(file, 'utf8')) as TorchResult);
    } catch (err) {
      say(`PyTorch result ${file} unreadable: ${errorLine(err)}`);
    }
  }
  return out;
}

async function timingSection(backends: BackendChoice[]): Promise<void> {
  const large = Number(args['large-batch']);
  section(`training step time (default model, MOSI shapes; ms per step, median of timed steps)`, started);
  const plan: [BackendChoice, number, number, number][] = [['wasm', 32, 2, 5]]; // backend, batch, warm-up, timed steps
  if (backends.includes('webgpu')) plan.push(['webgpu', 32, 3, 10], ['webgpu', large, 3, 10]);
  plan.push(['wasm', large, 1, 2]);
  const timings: Record<string, StepTiming | string> = {};
  for (const [b, batch, warmup, steps] of plan) {
    const key = `${b}@${batch}`;
    if (leftMs() < 90_000) {
      timings[key] = 'skipped (time budget)';
      continue;
    }
    await use(b);
    timings[key] = await timeSteps(batch, warmup, steps, Math.min(60_000, leftMs() / 4)).catch((err) => `failed: ${errorLine(err)}`);
  }
  const torch = readTorch();
  const rows = [32, large].map((batch) => {
    const cell = (key: string) => {
      const t = timings[key];
      if (t === undefined) return key.startsWith('webgpu') ? 'not run: no adapter' : '-';
      return typeof t === 'string' ? t : `${fixed(t.medianMs)} (first ${fixed(t.firstMs, 0)}, n ${t.steps})`;
    };
    const tc = torch.filter((t) => t.batch === batch);
    const torchCell = tc.map((t) => `${fixed(t.step_ms)} (${t.device}${t.device_name ? ` ${t.device_name}` : ''})`).join('; ') || 'not measured';
    const w = timings[`webgpu@${batch}`];
    const cuda = tc.find((t) => t.device === 'cuda');
    const ratio = w && typeof w !== 'string' && cuda ? (cuda.step_ms / w.medianMs).toFixed(2) : '-';
    return [String(batch), cell(`webgpu@${batch}`), cell(`wasm@${batch}`), torchCell, ratio];
  });
  say(table(['batch', 'webgpu', 'wasm', 'PyTorch', 'PyTorch cuda / webgpu'], rows));
  results.timing = { kit: timings, torch };
}

async function trainingSection(backends: BackendChoice[]): Promise<void> {
  const epochs = Number(args.epochs);
  section(`quick training run: the kit's runMethod, MM-CKD, synthetic quick set, preset quick, ${epochs} + ${epochs} epochs (validation MAE after the last epoch)`, started);
  const runs: Record<string, QuickTrainResult | string> = {};
  for (const b of backends.filter((x) => x !== 'cpu')) {
    if (leftMs() < 45_000) {
      runs[b] = 'skipped (time budget)';
      continue;
    }
    await use(b);
    runs[b] = await quickTrain(epochs).catch((err) => `failed: ${errorLine(err)}`);
  }
  const last = (b: string) => {
    const r = runs[b];
    return r && typeof r !== 'string' ? r.validMae[r.validMae.length - 1] : undefined;
  };
  const rows = SUBSET_NAMES.map((n) => {
    const w = last('wasm')?.[n];
    const g = last('webgpu')?.[n];
    return [n, fixed(w, 4), g === undefined ? (typeof runs.webgpu === 'string' ? runs.webgpu : 'not run: no adapter') : fixed(g, 4), w !== undefined && g !== undefined ? sci(Math.abs(w - g)) : '-'];
  });
  const secs = (b: string) => {
    const r = runs[b];
    return r === undefined ? '-' : typeof r === 'string' ? r : `${fixed(r.seconds)} s`;
  };
  rows.push(['time', secs('wasm'), secs('webgpu'), '']);
  say(table(['model', 'wasm', 'webgpu', '|difference|'], rows));
  results.training = runs;
}

async function syncReadSection(backends: BackendChoice[]): Promise<void> {
  if (!backends.includes('webgpu')) return;
  section('a synchronous read on webgpu (the kit never reads this way; its guard names the fix)', started);
  await use('webgpu');
  const t = tf.tidy(() => tf.matMul(tf.ones([8, 8]), tf.ones([8, 8])));
  try {
    t.dataSync();
    say('dataSync worked on webgpu (unexpected in Node: tfjs-backend-webgpu reads synchronously through an OffscreenCanvas)');
    results.syncRead = 'works';
  } catch (err) {
    say(`dataSync fails as expected: ${errorLine(err)}`);
    results.syncRead = errorLine(err);
  } finally {
    t.dispose();
  }
}

async function exitProbe(): Promise<void> {
  try {
    await selectBackend({ force: 'webgpu', load, env: KIT_ENV });
    const t = tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])));
    const v = (await t.data())[0];
    t.dispose();
    say(`exit probe: webgpu computed ${v} (expected 64); now returning without releasing Dawn`);
  } catch (err) {
    say(`exit probe: webgpu not available (${errorLine(err)})`);
  }
}

async function adapterProbe(): Promise<number> {
  const found = await probeWebgpu({ load, allowSoftware: true });
  const loader = findVulkanLoader();
  say(found.ok
    ? `probe: adapter ${found.adapter.name}${found.adapter.software ? ' (software)' : ''}, Vulkan loader ${found.loader}`
    : `probe: none (${found.reason})${loader ? `, Vulkan loader ${loader}` : ''}`);
  return found.ok ? 0 : 3;
}

async function main(): Promise<number> {
  if (args.probe) return adapterProbe();
  if (args['exit-probe']) {
    await exitProbe();
    return 0;
  }
  section('machine', started);
  say(`${new Date().toISOString()}  Node ${process.version}  TensorFlow.js ${tf.version.tfjs}  ${os.platform()}-${os.arch()}  ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  results.machine = { date: new Date().toISOString(), node: process.version, tfjs: tf.version.tfjs, cpus: os.cpus().length };
  const backends = await backendSection();
  await opsSection(backends);
  await stepSection(backends);
  await timingSection(backends);
  await trainingSection(backends);
  await syncReadSection(backends);
  section('summary', started);
  say(failures.length === 0 ? 'every comparison that ran is within its tolerance' : `${failures.length} comparison(s) outside tolerance:\n  ${failures.slice(0, 20).join('\n  ')}`);
  if (!backends.includes('webgpu')) say('webgpu: NOT measured here (no adapter); the rows above are cpu/wasm only');
  const live = tf.memory().numTensors;
  say(`live tensors after all sections: ${live}${live > 0 ? ' (a leak: every section should dispose what it made)' : ''}`);
  results.failures = failures;
  results.liveTensors = tf.memory().numTensors;
  if (args.out) {
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, 'gpu-check.json'), JSON.stringify(results, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 1));
  }
  return failures.length === 0 ? 0 : 1;
}

main()
  .then((code) => {
    process.exitCode = code;
    if (args['exit-probe'] || args.probe) return; // a probe leaves the process to end by itself
    releaseWebgpu();
    // Dawn for Node can hold the event loop while a GPU object lives: say so if it does, then leave.
    setTimeout(() => {
      say('note: the process was still alive 5 s after the check ended (Dawn holds the event loop); exiting');
      process.exit(code);
    }, 5000).unref();
  })
  .catch((err) => {
    process.stderr.write(`gpu-check: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(2);
  });
