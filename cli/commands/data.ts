/** `mmckd data inspect <file | synthetic | synthetic:quick[?field=value&...]> [--json]`: splits, shapes, lengths and labels. */
import { integerOption, parseOptions, usageText, type OptionTable } from '../args';
import { loadCsd, loadDataset, MAX_SEED, MODALITIES, type NumberStats, SPLIT_NAMES, summarizeDataset } from '../../lib';
import type { CliCommand } from '../command';

/** The options of `mmckd data inspect`. */
const DATA_OPTIONS: OptionTable = {
  json: { help: 'print the summary as JSON' },
  'no-cache': { help: "read the file itself, not the kit's cache of it" },
  seed: { value: 'N', help: "seed of the synthetic dataset (synthetic specs only; over the spec's seed=)" },
  'csd-max-gib': { value: 'G', help: 'most GiB a .csd file may declare (decoded features and intervals; default 8)' },
};

const USAGE = usageText('mmckd data inspect <file.pkl | file.csd | synthetic | synthetic:quick> [options]', DATA_OPTIONS, '', `Prints the splits, clip counts, shapes [clips, frames, dims], valid-length and label statistics
(min / max / mean / std, fraction positive / zero) of a dataset. A .csd file (one modality of
CMU-MultimodalSDK) is listed per video. A synthetic spec may set generator fields in a query,
e.g. 'synthetic:mosi?counts.train=300&addedLabelNoise=0.5' (docs/synthetic-data.md).`);

const fmt = (s: NumberStats, digits = 2): string =>
  `min ${s.min.toFixed(digits)}  max ${s.max.toFixed(digits)}  mean ${s.mean.toFixed(digits)}  std ${s.std.toFixed(digits)}`;

async function inspectCsd(path: string, json: boolean, maxGib: number | undefined): Promise<number> {
  const csd = await loadCsd(path, maxGib === undefined ? {} : { maxBytes: maxGib * 2 ** 30 });
  const videos = [...csd.videos.entries()].map(([id, v]) => ({ id, frames: v.frames, dim: v.dim }));
  const info = { path, root: csd.root, dim: csd.dim, metadata: csd.metadata, videos: videos.length, frames: videos.reduce((a, v) => a + v.frames, 0), perVideo: videos };
  if (json) process.stdout.write(JSON.stringify(info, null, 2) + '\n');
  else {
    process.stdout.write(`${path}: computational sequence '${csd.root}', ${videos.length} videos, ${info.frames} frames, ${csd.dim} dims\n`);
    for (const v of videos.slice(0, 20)) process.stdout.write(`  ${v.id.padEnd(24)} ${v.frames} frames\n`);
  }
  return 0;
}

export const command: CliCommand = {
  summary: 'inspect a dataset: splits, clip counts, shapes, lengths and labels',
  usage: USAGE,
  async run(args) {
    const p = parseOptions(args, DATA_OPTIONS, 2);
    const [verb, spec] = p.positionals;
    if (verb !== 'inspect' || !spec) {
      process.stderr.write(USAGE + '\n');
      return 2;
    }
    const json = p.options.json === true;
    try {
      if (spec.toLowerCase().endsWith('.csd')) return await inspectCsd(spec, json, integerOption(p, 'csd-max-gib', 1, 1 << 20));
      const seed = integerOption(p, 'seed', 0, MAX_SEED);
      const t0 = Date.now();
      const dataset = loadDataset(spec, { cache: !p.options['no-cache'], synthetic: seed !== undefined ? { seed } : undefined });
      const summary = { ...summarizeDataset(dataset), loadSeconds: (Date.now() - t0) / 1000 };
      if (json) {
        process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        return 0;
      }
      const lines = [
        `${summary.name} (${summary.source}${summary.path ? `, ${summary.path}` : ''}), ${summary.aligned ? 'aligned' : 'unaligned'}, loaded in ${summary.loadSeconds.toFixed(1)} s`,
        `dims: ${MODALITIES.map((m) => `${m} ${summary.dims[m]}`).join(', ')}; frames: ${MODALITIES.map((m) => `${m} ${summary.seqLens[m]}`).join(', ')}`,
      ];
      for (const s of SPLIT_NAMES) {
        const sp = summary.splits[s];
        lines.push('', `${s}: ${sp.clips} clips`);
        for (const m of MODALITIES) lines.push(`  ${m.padEnd(7)} shape [${sp.shapes[m].join(', ')}]  lengths ${fmt(sp.lengths[m], 1)}`);
        lines.push(`  labels  ${fmt(sp.labels)}  positive ${(100 * sp.labels.positive).toFixed(1)}%  zero ${(100 * sp.labels.zero).toFixed(1)}%`);
      }
      process.stdout.write(lines.join('\n') + '\n');
      return 0;
    } catch (err) {
      process.stderr.write(`mmckd data: ${(err as Error).message}\n`);
      return 1;
    }
  },
};
