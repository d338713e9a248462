/**
 * Terminal progress for training: an updating bar (epoch, step, losses, ETA) on a TTY, one line
 * per epoch otherwise (CI logs, pipes). Notebooks use a live display instead (lib/report).
 */
import type { EpochRecord, StageCallbacks } from './resumable-stage';
import type { StepProgress } from './trainer';

/** Formats seconds as '1h02m', '4m12s' or '37s'. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

function bar(fraction: number, width = 20): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return '[' + '='.repeat(full) + ' '.repeat(width - full) + ']';
}

function losses(loss: Record<string, number>, keys?: string[]): string {
  return Object.entries(loss)
    .filter(([k]) => !keys || keys.includes(k))
    .map(([k, v]) => `${k} ${v.toFixed(3)}`)
    .join(' ');
}

/** Returns stage callbacks (runMethod's) that draw progress on `stream` (stderr by default). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): StageCallbacks {
  const tty = Boolean(stream.isTTY);
  let last = 0;
  return {
    onStep(p: StepProgress) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 200 && p.step !== p.steps) return;
      last = now;
      const line = `${p.stage} epoch ${p.epoch + 1}/${p.epochs} ${bar(p.step / p.steps)} ${p.step}/${p.steps} ` +
        `${losses(p.loss, ['total', 'mvsc', 'mvc', 'l1_tav'])} | ETA ${formatDuration(p.eta)}`;
      stream.write('\r' + line.slice(0, (stream.columns ?? 120) - 1).padEnd(Math.min(119, (stream.columns ?? 120) - 1)));
    },
    onEpochEnd(r: EpochRecord) {
      const maes = Object.entries(r.validMae).map(([k, v]) => `${k} ${v!.toFixed(3)}`).join(' ');
      const mark = r.improved.length > 0 ? ` best: ${r.improved.join(',')}` : '';
      stream.write(`${tty ? '\r' : ''}${r.stage} epoch ${r.epoch + 1}: loss ${r.trainLoss.total?.toFixed(4)} | valid MAE ${maes}${mark} (${r.seconds.toFixed(1)} s)\n`);
    },
  };
}

/** Returns callbacks that call each of `all` in order (e.g. a progress bar and a checkpoint hook). */
export function combineCallbacks(...all: (StageCallbacks | undefined)[]): StageCallbacks {
  const cbs = all.filter((c): c is StageCallbacks => Boolean(c));
  return {
    onStep(p) {
      for (const c of cbs) c.onStep?.(p);
    },
    async onEpochEnd(record, state) {
      for (const c of cbs) await c.onEpochEnd?.(record, state);
    },
  };
}
