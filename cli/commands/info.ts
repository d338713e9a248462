/** `mmckd info`: versions, the backend that runs and why better ones did not, and the kit's folders. */
import { parseOptions, usageText, type OptionTable } from '../args';
import type { CliCommand } from '../command';
import { isQuick, kitPaths, kitVersions, selectBackend, type BackendReport } from '../../lib';

/** The options of `mmckd info`. */
const INFO_OPTIONS: OptionTable = { json: { help: 'print the report as JSON' } };

/** Returns the line of `mmckd info` that says which WebGPU adapter runs, or why none does. */
export function webgpuAdapterLine(backend: BackendReport): string {
  if (backend.adapter) return `WebGPU adapter: ${backend.adapter}`;
  const webgpu = backend.attempts.find((a) => a.backend === 'webgpu');
  return `WebGPU adapter: none in use (${webgpu && !webgpu.ok ? webgpu.reason : `not tried: ${backend.choice} comes before it`})`;
}

export const command: CliCommand = {
  summary: 'versions, TensorFlow.js backend in use (and why others did not load), folders',
  usage: usageText('mmckd info [options]', INFO_OPTIONS, 'Set MMCKD_BACKEND=node-gpu|webgpu|node|wasm|cpu to force a backend.'),
  async run(args) {
    const p = parseOptions(args, INFO_OPTIONS);
    const backend = await selectBackend();
    const info = { versions: kitVersions(), backend, paths: kitPaths(), quick: isQuick() };
    if (p.options.json) {
      process.stdout.write(JSON.stringify(info, null, 2) + '\n');
      return 0;
    }
    const v = info.versions;
    const lines = [
      `MM-CKD notebook kit ${v.kit} (TensorFlow.js ${v.tfjs}, Node ${v.node}, ${v.platform})`,
      backend.message,
      webgpuAdapterLine(backend),
      '',
      'Backends tried:',
      ...backend.attempts.map((a) => `  ${a.backend.padEnd(8)} ${!a.ok ? a.reason : a.backend === backend.choice ? 'in use' : `loads; slower by measurement (${backend.measurement?.ms[a.backend]?.toFixed(1)} ms per step)`}`),
      '',
      'Folders:',
      ...Object.entries(info.paths).map(([k, dir]) => `  ${k.padEnd(8)} ${dir}`),
      '',
      `Quick setting (MMCKD_QUICK): ${info.quick ? 'on' : 'off'}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};
