/**
 * `npm run bench` (npx tsx bench/mmckd-bench.ts): throughput of the online MM-CKD training step
 * (teacher + six students, MOSI shapes, batch 32) and of per-clip inference, on every
 * TensorFlow.js backend that loads here, against the same architecture in PyTorch
 * (bench/torch_reference.py, Debian's python3-torch) measured in the same run.
 * Prints a table and writes bench/results/latest.{md,json} plus a dated copy.
 *
 * Engines: node-gpu / node (tfjs-node), wasm+blas (wasm with the OpenBLAS addon), wasm+kernels (wasm
 * with the WebAssembly kernels, the path of a machine with Node alone), wasm (stock), cpu.
 * Options: --backends wasm+blas,wasm+kernels,wasm,cpu,node  --steps 20  --cpu-steps 2  --no-torch  --no-write
 *   --baseline <commit> [--baseline-backends wasm+blas]: also run the step of that commit (a git
 *     worktree under the system temp folder) in the same run, as "before" rows;
 *   --rounds <n>: run every tfjs backend (and baseline) n times, interleaved, and report the median
 *     of the per-run medians (the machine may be loaded: interleaving spreads the load evenly).
 * Each backend runs in its own child process (kernel registrations and peak memory stay apart).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { activateBenchBackend } from './backends';
import { BENCH_SHAPES, makeTrainingStep, randomBatch } from './workload';
import { acceleratedApply } from '../lib/accelerator/model-forward';
import { SUBSET_NAMES } from '../lib/data/modalities';
import { DEFAULT_MODEL_CONFIG } from '../lib/models/config';

/** What one backend's child process reports. */
interface BackendResult {
  backend: string;
  ok: boolean;
  reason?: string;
  message?: string;
  stepMs?: number;
  stepSamplesPerS?: number;
  inferMs?: Record<string, number>;
  inferClipsPerS?: Record<string, number>;
  params?: Record<string, number>;
  paramsTotal?: number;
  peakRssMiB?: number;
  tensorsBefore?: number;
  tensorsDuring?: number;
  tensorsAfter?: number;
  /** Step medians of every run (with --rounds). */
  roundsMs?: number[];
}

interface TorchResult {
  torch: string;
  threads: number;
  step_ms: number;
  step_samples_per_s: number;
  infer_ms: Record<string, number>;
  infer_clips_per_s: Record<string, number>;
  params: Record<string, number>;
  params_total: number;
  peak_rss_mib: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function runChild(backend: string, steps: number): Promise<BackendResult> {
  let message: string;
  try {
    message = await activateBenchBackend(backend);
  } catch (err) {
    return { backend, ok: false, reason: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
  }
  const tensorsBefore = tf.memory().numTensors;
  const step = makeTrainingStep();
  const params = Object.fromEntries(Object.entries(step.models).map(([n, m]) => [n, m.parameterCounts().total]));
  for (let i = 0; i < 2; i++) await step.run(i); // warm-up: kernel setup, optimizer slots
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step.run(100 + i);
    times.push(performance.now() - t0);
  }
  const tensorsDuring = tf.memory().numTensors;
  const stepMs = median(times);
  const batch = randomBatch(BENCH_SHAPES.batch, 77);
  const inferMs: Record<string, number> = {};
  for (const name of SUBSET_NAMES) {
    const model = step.models[name];
    const once = async () => {
      const prediction = tf.tidy(() => acceleratedApply(model, batch, { training: false }).prediction);
      await prediction.data();
      prediction.dispose();
    };
    for (let i = 0; i < 3; i++) await once();
    const reps = backend === 'cpu' ? 3 : 20;
    const ts: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await once();
      ts.push(performance.now() - t0);
    }
    inferMs[name] = median(ts);
  }
  tf.dispose([...Object.values(batch.inputs), ...Object.values(batch.masks), batch.labels]);
  step.dispose();
  const tensorsAfter = tf.memory().numTensors;
  return {
    backend, ok: true, message, stepMs, stepSamplesPerS: (BENCH_SHAPES.batch * 1000) / stepMs,
    inferMs, inferClipsPerS: Object.fromEntries(Object.entries(inferMs).map(([n, ms]) => [n, (BENCH_SHAPES.batch * 1000) / ms])),
    params, paramsTotal: Object.values(params).reduce((a, b) => a + b, 0),
    peakRssMiB: process.resourceUsage().maxRSS / 1024, tensorsBefore, tensorsDuring, tensorsAfter,
  };
}

/**
 * Returns a git worktree of `commit` (with this checkout's node_modules and native build linked in).
 * A worktree made here is removed, and unregistered from git, when the benchmark exits.
 */
function baselineTree(commit: string): { dir: string; sha: string } {
  const root = resolve(__dirname, '..');
  const sha = execFileSync('git', ['rev-parse', '--short', commit], { cwd: root, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `mmckd-bench-baseline-${sha}`);
  if (!existsSync(join(dir, 'bench', 'mmckd-bench.ts'))) {
    execFileSync('git', ['worktree', 'add', '--detach', dir, sha], { cwd: root, stdio: 'ignore' });
    process.once('exit', () => {
      try {
        execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: root, stdio: 'ignore' });
      } catch {
        // already gone, or git refused: `git worktree prune` clears the record
      }
    });
  }
  for (const sub of ['node_modules', join('native', 'build')]) {
    if (!existsSync(join(dir, sub)) && existsSync(join(root, sub))) symlinkSync(join(root, sub), join(dir, sub));
  }
  return { dir, sha };
}

function spawnBackend(backend: string, steps: number, tree = resolve(__dirname, '..')): BackendResult {
  // lib/backend.ts enables a kernel pack on 'wasm' by itself: the 'wasm' row turns both off (bench/backends.ts
  // sets the engine of each row; the variables here also reach a baseline commit that predates it).
  const env = backend === 'wasm' ? { ...process.env, MMCKD_NATIVE: '0', MMCKD_WASM_KERNELS: '0' } : process.env;
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(tree, 'bench', 'mmckd-bench.ts'), '--child', backend, '--steps', String(steps)], {
    encoding: 'utf8', cwd: tree, maxBuffer: 1 << 24, env,
  });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) return { backend, ok: false, reason: `child failed (${r.status}): ${(r.stderr || '').trim().split('\n').pop()}` };
  return JSON.parse(line) as BackendResult;
}

function spawnTorch(threads: number, steps: number): TorchResult | { error: string } {
  const r = spawnSync('/usr/bin/python3', [join(__dirname, 'torch_reference.py'), '--threads', String(threads), '--steps', String(steps), '--json'], {
    encoding: 'utf8', maxBuffer: 1 << 24,
  });
  if (r.status !== 0) return { error: (r.stderr || r.error?.message || 'failed').trim().split('\n').pop()! };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchResult;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function versions(): Record<string, string> {
  const v: Record<string, string> = { node: process.version, tfjs: tf.version.tfjs };
  for (const pkg of ['@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node']) {
    try {
      v[pkg] = (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      v[pkg] = 'not installed';
    }
  }
  return v;
}

function fmt(x: number | undefined, digits = 1): string {
  return x === undefined ? '-' : x.toFixed(digits);
}

async function main(): Promise<void> {
  if (process.argv.includes('--child')) {
    const result = await runChild(arg('--child', 'wasm'), Number(arg('--steps', '20')));
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const steps = Number(arg('--steps', '20'));
  const cpuSteps = Number(arg('--cpu-steps', '2'));
  const backends = arg('--backends', 'node-gpu,node,wasm+blas,wasm+kernels,wasm,cpu').split(',');
  const load0 = loadavg()[0];
  const torch1 = process.argv.includes('--no-torch') ? undefined : spawnTorch(1, steps);
  const rounds = Math.max(1, Number(arg('--rounds', '1')));
  const baseline = process.argv.includes('--baseline') ? baselineTree(arg('--baseline', 'HEAD')) : undefined;
  const baselineBackends = baseline ? arg('--baseline-backends', 'wasm+blas').split(',') : [];
  // Runs: [label, backend, tree]; a baseline run goes right before the same backend's current run.
  const runs: Array<{ label: string; backend: string; tree?: string }> = [];
  for (const b of backends) {
    if (baseline && baselineBackends.includes(b)) runs.push({ label: `${b} (before, ${baseline.sha})`, backend: b, tree: baseline.dir });
    runs.push({ label: b, backend: b });
  }
  const perRun: BackendResult[][] = runs.map(() => []);
  const torchRounds: Array<TorchResult | { error: string }> = [];
  for (let round = 0; round < rounds; round++) {
    // With --rounds, PyTorch 1 thread is sampled in every round too (after round 1's first sample).
    if (round > 0 && !process.argv.includes('--no-torch')) torchRounds.push(spawnTorch(1, steps));
    runs.forEach((run, i) => {
      if (round > 0 && !perRun[i][0]?.ok) return; // does not load here: once is enough
      process.stderr.write(`bench: ${run.label}${rounds > 1 ? ` (round ${round + 1}/${rounds})` : ''} ...\n`);
      perRun[i].push({ ...spawnBackend(run.backend, run.backend === 'cpu' ? cpuSteps : steps, run.tree), backend: run.label });
    });
  }
  const results = perRun.map((rs) => {
    const ok = rs.filter((r) => r.ok);
    if (ok.length <= 1) return rs[0];
    const mid = median(ok.map((r) => r.stepMs!));
    const pick = ok.find((r) => r.stepMs === mid)!;
    return { ...pick, roundsMs: ok.map((r) => r.stepMs!) };
  });
  const torch1b = process.argv.includes('--no-torch') ? undefined : spawnTorch(1, steps); // second sample, after the tfjs runs
  const torch2 = process.argv.includes('--no-torch') ? undefined : spawnTorch(2, steps);
  const okTorch = (t: typeof torch1): t is TorchResult => !!t && !('error' in t);
  const torchSamples = [torch1, ...torchRounds, torch1b].filter(okTorch);
  // Two samples (default): the faster is the reference. With --rounds: the median sample, as for tfjs.
  const torchRef = torchSamples.length === 0 ? undefined
    : rounds > 1 ? torchSamples.find((t) => t.step_ms === median(torchSamples.map((x) => x.step_ms)))
    : torchSamples.reduce((a, b) => (b.step_ms < a.step_ms ? b : a));
  const refSps = torchRef?.step_samples_per_s;

  const lines: string[] = [];
  const out = (s: string) => lines.push(s);
  const m = DEFAULT_MODEL_CONFIG;
  out(`MM-CKD benchmark: online training step (teacher + 6 students), batch ${BENCH_SHAPES.batch}, MOSI shapes (768/5/20, T=50), default model: d=${m.d}, ${m.layers} encoder layers, ${m.pooling} pooling, ${m.fusion} fusion, frame activation ${m.frameActivation}`);
  out(`machine: ${hostname()}, ${cpus().length} x ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average at start ${load0.toFixed(2)}, end ${loadavg()[0].toFixed(2)}`);
  out(`command: npx tsx bench/mmckd-bench.ts ${process.argv.slice(2).join(' ')}`);
  out(`versions: ${Object.entries(versions()).map(([k, v]) => `${k} ${v}`).join(', ')}${torchRef ? `, torch ${torchRef.torch}` : ''}`);
  out('');
  out('| engine | step ms | train samples/s | ratio to PyTorch 1 thread | params | peak RSS MiB | tensors before / during / after |');
  out('|---|---|---|---|---|---|---|');
  for (const r of results) {
    if (!r.ok) {
      out(`| tfjs ${r.backend} | does not load here: ${r.reason} | | | | | |`);
      continue;
    }
    out(`| tfjs ${r.backend} | ${fmt(r.stepMs)} | ${fmt(r.stepSamplesPerS)} | ${refSps ? fmt(r.stepSamplesPerS! / refSps, 2) : '-'} | ${r.paramsTotal} | ${fmt(r.peakRssMiB, 0)} | ${r.tensorsBefore} / ${r.tensorsDuring} / ${r.tensorsAfter} |`);
  }
  for (const [label, t] of [['1 thread (reference)', torchRef], ['2 threads (information)', torch2]] as const) {
    if (okTorch(t)) out(`| PyTorch ${t.torch} ${label} | ${fmt(t.step_ms)} | ${fmt(t.step_samples_per_s)} | ${refSps ? fmt(t.step_samples_per_s / refSps, 2) : '-'} | ${t.params_total} | ${fmt(t.peak_rss_mib, 0)} | n/a |`);
    else if (t) out(`| PyTorch ${label} | failed: ${t.error} | | | | | |`);
  }
  const stock = results.find((r) => r.ok && r.backend === 'wasm');
  if (stock) {
    const faster = results.filter((r) => r.ok && r !== stock && r.backend.startsWith('wasm')).map((r) => `${r.backend} ${fmt(stock.stepMs! / r.stepMs!, 2)}x`);
    if (faster.length > 0) out(`\nStep speed-up over stock wasm (same run): ${faster.join(', ')}.`);
  }
  for (const r of results.filter((x) => x.roundsMs)) out(`\n${r.backend}: step medians of ${r.roundsMs!.length} interleaved runs: ${r.roundsMs!.map((x) => fmt(x)).join(', ')} ms (the median is shown).`);
  if (rounds > 1 && torchSamples.length > 0) {
    out(`\nPyTorch 1-thread step, ${torchSamples.length} samples in this run (before, between the rounds, after): ${torchSamples.map((t) => fmt(t.step_ms)).join(', ')} ms; the median is the reference.`);
    const bestTorch = Math.min(...torchSamples.map((t) => t.step_ms));
    const bestOf = results.filter((r) => r.ok).map((r) => `${r.backend} ${fmt(bestTorch / Math.min(...(r.roundsMs ?? [r.stepMs!])), 2)}`);
    out(`Ratio to PyTorch 1 thread with best-of-samples on both sides (${fmt(bestTorch)} ms): ${bestOf.join(', ')}.`);
  } else if (okTorch(torch1) && okTorch(torch1b)) out(`\nPyTorch 1-thread step, two samples in this run: ${fmt(torch1.step_ms)} ms (before the tfjs runs), ${fmt(torch1b.step_ms)} ms (after); the faster is the reference.`);
  out('');
  out('Inference, clips per second (batch 32, training false, prediction read back):');
  out(`| engine | ${SUBSET_NAMES.join(' | ')} | imputer + teacher |`);
  out(`|---|${SUBSET_NAMES.map(() => '---').join('|')}|---|`);
  for (const r of results.filter((x) => x.ok)) {
    out(`| tfjs ${r.backend} | ${SUBSET_NAMES.map((n) => fmt(r.inferClipsPerS![n], 0)).join(' | ')} | not built yet |`);
  }
  for (const [label, t] of [['PyTorch 1 thread', torchRef], ['PyTorch 2 threads', torch2]] as const) {
    if (okTorch(t)) out(`| ${label} | ${SUBSET_NAMES.map((n) => fmt(t.infer_clips_per_s[n], 0)).join(' | ')} | not built yet |`);
  }
  const best = results.filter((r) => r.ok).sort((a, b) => b.stepSamplesPerS! - a.stepSamplesPerS!)[0];
  if (best && refSps) out(`\nInference ratio to PyTorch 1 thread (${best.backend}): ${SUBSET_NAMES.map((n) => `${n} ${fmt(best.inferClipsPerS![n] / torchRef!.infer_clips_per_s[n], 2)}`).join(', ')}`);
  out('');
  out('Parameter counts per model (tfjs / PyTorch):');
  if (best && torchRef) out(SUBSET_NAMES.map((n) => `${n} ${best.params![n]} / ${torchRef.params[n]}`).join(', '));
  out('');
  for (const r of results.filter((x) => x.ok)) out(`${r.backend}: ${r.message}`);
  const text = lines.join('\n');
  process.stdout.write(text + '\n');
  if (!process.argv.includes('--no-write')) {
    const dir = join(__dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:]/g, '-').slice(0, 16);
    const json = JSON.stringify({ date: new Date().toISOString(), host: hostname(), cpus: cpus().length, cpu: cpus()[0]?.model, loadavgStart: load0, versions: versions(), steps, rounds, baseline: baseline?.sha, results, torch: { reference: torchRef, first: torch1, rounds: torchRounds, second: torch1b, twoThreads: torch2 } }, null, 1);
    writeFileSync(join(dir, 'latest.md'), text + '\n');
    writeFileSync(join(dir, 'latest.json'), json + '\n');
    writeFileSync(join(dir, `${stamp}.md`), text + '\n');
  }
}

void main();
