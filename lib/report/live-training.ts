/**
 * A live training display for notebooks: progress line plus loss and validation-MAE curves drawn
 * as inline SVG, updated in place through a display handle (tslab's `newDisplay()`). SVG needs no
 * script, so the last update that a saved notebook keeps renders without plotly and untrusted.
 * @see notebooks/02-teacher-pretraining.ipynb
 */
import type { EpochRecord, StageCallbacks } from '../train/resumable-stage';
import type { StepProgress } from '../train/trainer';
import { formatDuration } from '../train/progress';
import { escapeHtml } from './table-format';
import { LOSS_COLOR, seriesColor, subsetColor } from './layout';

/** What the display needs from tslab's `newDisplay()` (or any object with an `html` method). */
export interface HtmlDisplay {
  html(html: string): void;
}

/** One series of a small chart. */
export interface SvgSeries {
  name: string;
  values: number[];
  /** Line colour; default the palette colour of the series index. */
  color?: string;
}

/** Returns an SVG line chart (epochs on x) with axis ticks, title and legend; `width` x `height` px. */
function svgLineChart(title: string, yTitle: string, series: SvgSeries[], width = 420, height = 240): string {
  const pad = { left: 52, right: 96, top: 24, bottom: 34 };
  const all = series.flatMap((s) => s.values.filter(Number.isFinite));
  const n = Math.max(1, ...series.map((s) => s.values.length));
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11"><text x="10" y="20">${escapeHtml(title)}: no data yet</text></svg>`;
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const x = (i: number) => pad.left + (n === 1 ? w / 2 : (i / (n - 1)) * w);
  const y = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * h;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<text x="${pad.left}" y="15" font-size="12" font-weight="bold">${escapeHtml(title)}</text>`,
    `<rect x="${pad.left}" y="${pad.top}" width="${w}" height="${h}" fill="none" stroke="#ccc"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    parts.push(`<text x="${pad.left - 4}" y="${y(v) + 4}" text-anchor="end">${v.toPrecision(3)}</text>`);
    parts.push(`<line x1="${pad.left}" x2="${pad.left + w}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`);
  }
  const ticks = Math.min(n, 6);
  for (let k = 0; k < ticks; k++) {
    const i = ticks === 1 ? 0 : Math.round((k * (n - 1)) / (ticks - 1));
    parts.push(`<text x="${x(i)}" y="${pad.top + h + 14}" text-anchor="middle">${i + 1}</text>`);
  }
  parts.push(`<text x="${pad.left + w / 2}" y="${height - 4}" text-anchor="middle">epoch</text>`);
  parts.push(`<text transform="translate(12 ${pad.top + h / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yTitle)}</text>`);
  series.forEach((s, si) => {
    const color = s.color ?? seriesColor(si);
    const pts = s.values.map((v, i) => (Number.isFinite(v) ? `${x(i).toFixed(1)},${y(v).toFixed(1)}` : '')).filter(Boolean);
    if (pts.length > 1) parts.push(`<polyline fill="none" stroke="${color}" stroke-width="1.8" points="${pts.join(' ')}"/>`);
    for (const p of pts) {
      const [px, py] = p.split(',');
      parts.push(`<circle cx="${px}" cy="${py}" r="2.2" fill="${color}"/>`);
    }
    const ly = pad.top + 10 + si * 14;
    parts.push(`<line x1="${pad.left + w + 8}" x2="${pad.left + w + 22}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<text x="${pad.left + w + 26}" y="${ly}">${escapeHtml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/**
 * Returns an SVG as an `<img>` with a data URI: Jupyter's sanitizer removes inline `<svg>` from
 * untrusted notebooks but keeps images, so the display survives reopening a saved notebook.
 */
function svgImage(svg: string, alt: string): string {
  return `<img alt="${escapeHtml(alt)}" style="margin:4px" src="data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}">`;
}

/** Returns the HTML of the display for a history and the latest step. */
export function trainingDisplayHtml(history: EpochRecord[], last?: StepProgress, caption = ''): string {
  const stages = [...new Set(history.map((r) => r.stage))];
  const stage = last?.stage ?? stages[stages.length - 1];
  const rows = history.filter((r) => r.stage === stage);
  const models = [...new Set(rows.flatMap((r) => Object.keys(r.validMae)))];
  // colours as in trainingCurvesFigure: one per subset, grey for the loss
  const loss = svgImage(svgLineChart(`${stage ?? ''} training loss`, 'mean loss per step', [{ name: 'total', values: rows.map((r) => r.trainLoss.total), color: LOSS_COLOR }]), 'training loss');
  const mae = svgImage(svgLineChart(`${stage ?? ''} validation MAE`, 'MAE', models.map((m, i) => ({ name: m, values: rows.map((r) => r.validMae[m as keyof typeof r.validMae] ?? NaN), color: subsetColor(m, i) }))), 'validation MAE');
  const status = last
    ? `${escapeHtml(last.stage)} · epoch ${last.epoch + 1}/${last.epochs} · step ${last.step}/${last.steps} · loss ${last.loss.total?.toFixed(4)} · elapsed ${formatDuration(last.elapsed)} · ETA ${formatDuration(last.eta)}`
    : rows.length > 0
      ? `${escapeHtml(stage)} · ${rows.length} epochs · last validation MAE ${Object.entries(rows[rows.length - 1].validMae).map(([k, v]) => `${k} ${v!.toFixed(3)}`).join(' ')}`
      : 'waiting for the first step';
  return `<div style="font-family:sans-serif;font-size:12px"><div>${status}</div><div style="display:flex;flex-wrap:wrap">${loss}${mae}</div>` +
    (caption ? `<div style="color:#555">${escapeHtml(caption)}</div>` : '') + '</div>';
}

/**
 * Returns trainer callbacks that redraw `display` at most every `minIntervalMs` during an epoch
 * and after every epoch. Pass `tslab.newDisplay()`.
 */
export function liveTrainingDisplay(
  display: HtmlDisplay,
  options: { caption?: string; minIntervalMs?: number } = {},
): StageCallbacks & { history: EpochRecord[]; finish(history: EpochRecord[]): void } {
  const history: EpochRecord[] = [];
  let last: StepProgress | undefined;
  let drawn = 0;
  const every = options.minIntervalMs ?? 2000;
  return {
    history,
    onStep(p) {
      last = p;
      const now = Date.now();
      if (now - drawn >= every) {
        drawn = now;
        display.html(trainingDisplayHtml(history, last, options.caption));
      }
    },
    onEpochEnd(record) {
      history.push(record);
      drawn = Date.now();
      display.html(trainingDisplayHtml(history, last, options.caption));
    },
    /** Draws the final state from a run's full history (also when the run was reused, not trained). */
    finish(full: EpochRecord[]) {
      const stages = [...new Set(full.map((r) => r.stage))];
      const lastStage = stages[stages.length - 1];
      const trained = history.length > 0 ? 'trained now' : 'reused from its run folder';
      display.html(trainingDisplayHtml(full.filter((r) => r.stage === lastStage), undefined, `${options.caption ?? ''} · ${lastStage}, ${trained}`));
    },
  };
}
