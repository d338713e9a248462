/**
 * The PyTorch side of the kit's comparisons: which Python runs it (MMCKD_PYTHON, else Debian's
 * /usr/bin/python3 with python3-torch), whether torch imports there, and the per-clip inference
 * latency of the PyTorch mirror of the kit's models (bench/torch_inference.py over
 * bench/torch_reference.py), measured as `measureLatency` measures the kit's, for the cost table.
 * @see notebooks/05-computational-cost.ipynb
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { SubsetName } from '../data/modalities';
import type { ModelConfig } from '../models/config';
import { kitPaths } from '../paths';
import type { LatencyStats, TorchLatency } from '../eval/cost';

/** Returns the Python to run: MMCKD_PYTHON when set, else Debian's /usr/bin/python3 (which has python3-torch), else python3. */
export function referencePython(env: Record<string, string | undefined> = process.env): string {
  if (env.MMCKD_PYTHON) return env.MMCKD_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Returns the torch and numpy versions that `python` imports, or `missing` with the import error and how to install them. */
export function torchAvailability(python = referencePython()): { ok: true; torch: string; numpy: string } | { ok: false; missing: string } {
  const r = spawnSync(python, ['-c', 'import torch, numpy; print(torch.__version__, numpy.__version__)'], { encoding: 'utf8' });
  if (r.status === 0) {
    const [torch, numpy] = r.stdout.trim().split(' ');
    return { ok: true, torch, numpy };
  }
  const why = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
  return {
    ok: false,
    missing:
      `${python} cannot import torch and numpy (${why}). On Debian/Ubuntu: sudo apt-get install python3-torch python3-numpy; ` +
      'elsewhere: pip install torch numpy, and set MMCKD_PYTHON to that Python.',
  };
}

/** Options of `measureTorchLatency`. */
export interface TorchLatencyOptions {
  /** The kit's model config (the teacher's: d, layers, dims, lengths, ...); every subset is built from it. */
  config: ModelConfig;
  subsets: readonly SubsetName[];
  batchSizes?: number[];
  warmup?: number;
  repeats?: number;
  /** torch threads (default 1, as the kit's wasm backend). */
  threads?: number;
  python?: string;
}

/**
 * Times the PyTorch mirror of the kit's models at inference, per subset and batch size; returns
 * `{ ok: false, reason }` when torch is missing or the lengths differ across modalities (the mirror
 * takes one length).
 */
export function measureTorchLatency(o: TorchLatencyOptions): TorchLatency {
  const python = o.python ?? referencePython();
  const lengths = new Set(Object.values(o.config.seqLens));
  if (lengths.size !== 1) return { ok: false, reason: `the PyTorch mirror takes one sequence length, but the modalities have ${[...lengths].join(', ')}` };
  const c = o.config;
  const config = {
    d: c.d, layers: c.layers, heads: c.heads, ffnMult: c.ffnMult, dropout: c.dropout, projectionDim: c.projectionDim, fusionLayers: c.fusionLayers,
    positional: c.positional, pooling: c.pooling, fusion: c.fusion, frameActivation: c.frameActivation, seqLen: [...lengths][0],
  };
  const threads = o.threads ?? 1;
  const args = [
    join(kitPaths().root, 'bench', 'torch_inference.py'), '--json', '--threads', String(threads),
    '--batches', (o.batchSizes ?? [1, 32]).join(','), '--warmup', String(o.warmup ?? 3), '--repeats', String(o.repeats ?? 10),
    '--subsets', o.subsets.join(','), '--config', JSON.stringify(config), '--dims', JSON.stringify(c.inputDims),
  ];
  const r = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) {
    // torch is imported by the script itself: ask what is missing only when it failed
    const available = torchAvailability(python);
    if (!available.ok) return { ok: false, reason: available.missing };
    return { ok: false, reason: `bench/torch_inference.py failed: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').pop()}` };
  }
  const out = JSON.parse(r.stdout) as { torch: string; threads: number; latency: Record<string, LatencyStats[]>; params: Record<string, number> };
  return {
    ok: true,
    label: `PyTorch ${out.torch.replace(/a0$/, '')}, ${out.threads} thread${out.threads === 1 ? '' : 's'}`,
    torch: out.torch,
    threads: out.threads,
    latency: out.latency as Partial<Record<SubsetName, LatencyStats[]>>,
    parameters: out.params as Partial<Record<SubsetName, number>>,
  };
}
