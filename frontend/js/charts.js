// charts.js draws the figures of the simulation: DORA metrics over the
// sprints (uPlot line charts, with a data table for screen readers), the
// CALMS radar (SVG), the value stream with its bottleneck, and DORA tier
// badges. Series differ by dash pattern and marker as well as by colour.

import { html, useEffect, useRef, useState } from './deps.js';
import { UPLOT_URL } from './deps.js';
import { t, num } from './i18n.js';

// Colour-blind-safe palette (Okabe–Ito), dark enough on white.
export const PALETTE = ['#0b4f8a', '#b35900', '#1b6e3a', '#8b1a6b', '#5b4a00', '#006d77', '#a4161a', '#3d3d3d'];
const DASHES = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [1, 2], [12, 6], [6, 2, 2, 2]];
const MARKS = ['●', '■', '▲', '◆', '▼', '○', '□', '△'];

// The chart library loads on first use; a load that failed (the network
// dropped) is tried again, under a new address, by the next chart drawn.
let uplotPromise = null;
let uplotTries = 0;
function loadUPlot() {
  if (!uplotPromise) {
    const url = uplotTries ? `${UPLOT_URL}?try=${uplotTries}` : UPLOT_URL;
    uplotTries += 1;
    uplotPromise = import(url).then((m) => m.default, (err) => { uplotPromise = null; throw err; });
  }
  return uplotPromise;
}

/** DORA metrics: id, its tier, how a value reads, and how its chart
 * shows it: log: the metric spans orders of magnitude (a month to an
 * hour), hours: the value is a duration in hours (the axis picks one unit
 * for the whole chart). */
export const DORA = [
  { id: 'leadTimeHours', tier: 'leadTime', fmt: (v) => fmtHours(v), log: true, hours: true },
  { id: 'deploysPerDay', tier: 'deployFrequency', fmt: (v) => num(v, v < 1 ? 2 : 1), log: true, unit: () => t('chart.perDay') },
  { id: 'changeFailureRate', tier: 'changeFailureRate', fmt: (v) => `${num(v * 100, 0)}\u00a0%`, scale: 100, unit: () => '%' },
  { id: 'timeToRestoreHours', tier: 'timeToRestore', fmt: (v) => fmtHours(v), log: true, hours: true },
];

/** sprintsPlanned is the number of sprints the agenda plans (the x-axis
 * of the charts spans them from the first sprint on). */
export function sprintsPlanned(game) {
  return Math.max(0, ...((game && game.agenda) || []).map((p) => p.sprints || 0));
}

/** hoursUnit picks one unit for durations up to max hours: minutes,
 * hours or days, with the factor from hours. */
export function hoursUnit(max) {
  if (max < 2) return { factor: 60, label: t('chart.minutes') };
  if (max < 72) return { factor: 1, label: t('chart.hours') };
  return { factor: 1 / 24, label: t('chart.days') };
}

/** axisNum writes an axis value: few digits, in the page's language. */
function axisNum(v) {
  const a = Math.abs(v);
  return num(v, a >= 10 || a === 0 ? 0 : a >= 1 ? 1 : 2);
}

export function fmtHours(h) {
  if (h === null || h === undefined) return '–';
  if (h < 1) return t('unit.min', { n: num(h * 60, 0) });
  if (h < 48) return t('unit.h', { n: num(h, 1) });
  return t('unit.d', { n: num(h / 24, 1) });
}

/** TierBadge shows a DORA tier in words with a star rating. */
export function TierBadge({ tier }) {
  if (!tier) return null;
  return html`<span class=${`tier tier-${tier}`}>${t(`tier.${tier}`)}</span>`;
}

/** LineChart is one uPlot chart of several series over the sprints. */
export function LineChart({ title, sprints, series, height = 180, fmt, big, log, unit, total, legend = true }) {
  const ref = useRef(null);
  const plot = useRef(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);
  const key = JSON.stringify([sprints, series.map((s) => [s.label, s.values]), width, big, unit, total, log]);
  useEffect(() => {
    let dead = false;
    if (!width) return undefined;
    loadUPlot().then((UPlot) => {
      if (dead || !ref.current) return;
      if (plot.current) plot.current.destroy();
      // Read from the back row: 24 px type on the projector (1080p).
      const font = big ? '24px system-ui, sans-serif' : '12px system-ui, sans-serif';
      const last = Math.max(total || 0, sprints[sprints.length - 1] || 1);
      const opts = {
        width, height,
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: false, range: [0, last] },
          y: log ? { distr: 3, log: 10 } : {},
        },
        axes: [
          { label: t('chart.sprint'), font, labelFont: font, stroke: '#16181d', grid: { stroke: '#e2e5ea' },
            size: big ? 64 : 40, labelSize: big ? 34 : 20, incrs: [1, 2, 5, 10, 20, 50], space: big ? 36 : 24,
            values: (u, vals) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')) },
          { font, labelFont: font, label: unit || undefined, labelSize: big ? 34 : 20, stroke: '#16181d', grid: { stroke: '#e2e5ea' },
            size: big ? 96 : 56, values: (u, vals) => vals.map((v) => (v === null ? '' : axisNum(v))) },
        ],
        series: [{}, ...series.map((s, i) => ({
          label: s.label, stroke: PALETTE[i % PALETTE.length], width: big ? 4 : 2.5, dash: DASHES[i % DASHES.length],
          points: { show: true, size: big ? 10 : 7, fill: PALETTE[i % PALETTE.length] },
        }))],
      };
      plot.current = new UPlot(opts, [sprints, ...series.map((s) => s.values)], ref.current);
    }, () => {}); // no library: the table under the chart still holds the figures
    return () => { dead = true; };
  }, [key]);
  useEffect(() => () => { if (plot.current) plot.current.destroy(); }, []);
  return html`<figure class="chart">
    <figcaption class="chart-title">${title}</figcaption>
    ${legend && series.length > 1 ? html`<p class="legend" aria-hidden="true">${series.map((s, i) => html`<span key=${s.label} class="legend-item">
      <span class=${`legend-mark legend-${i % PALETTE.length}`}>${MARKS[i % MARKS.length]}</span> ${s.label}</span>`)}</p>` : null}
    <div ref=${ref} class="chart-canvas" role="img" aria-label=${t('chart.alt', { title })} data-xmax=${Math.max(total || 0, sprints[sprints.length - 1] || 1)}></div>
    <details class="chart-data"><summary>${t('chart.data')}</summary>
      <table class="table">
        <thead><tr><th scope="col">${t('chart.sprint')}</th>${series.map((s) => html`<th key=${s.label} scope="col">${s.label}</th>`)}</tr></thead>
        <tbody>${sprints.map((sp, j) => html`<tr key=${sp}><th scope="row">${sp}</th>${series.map((s) => html`<td key=${s.label}>${cell(s, j, fmt)}</td>`)}</tr>`)}</tbody>
      </table>
    </details>
  </figure>`;
}

function cell(s, j, fmt) {
  const v = s.raw ? s.raw[j] : s.values[j];
  if (v === null || v === undefined) return '–';
  return fmt ? fmt(v) : num(v, 2);
}

/** DoraCharts draws the four DORA metrics over the sprints, one series per
 * company. histories: [{label, history: [SprintRecord]}]. */
export function DoraCharts({ histories, big, total }) {
  if (!histories.length) return null;
  const len = Math.max(...histories.map((h) => (h.history || []).length));
  if (len < 1) return null;
  const sprints = Array.from({ length: len }, (_, i) => i);
  // Many series: one legend for the four charts.
  const shared = histories.length > 2;
  return html`${shared ? html`<p class="legend legend-shared" aria-hidden="true">${histories.map((h, i) => html`<span key=${h.label} class="legend-item">
      <span class=${`legend-mark legend-${i % PALETTE.length}`}>${MARKS[i % MARKS.length]}</span> ${h.label}</span>`)}</p>` : null}
    <div class=${`dora-grid${big ? ' big' : ''}`}>
    ${DORA.map((d) => {
      const raw = histories.map((h) => sprints.map((i) => (h.history[i] ? h.history[i].metrics[d.id] : null)));
      const max = Math.max(0, ...raw.flat().filter((v) => v !== null));
      const u = d.hours ? hoursUnit(max) : { factor: d.scale || 1, label: d.unit ? d.unit() : '' };
      // A log axis cannot show 0: such a point is left out of the line
      // (the data table keeps it).
      const conv = (v) => (v === null || v === undefined || (d.log && v <= 0) ? null : v * u.factor);
      return html`<${LineChart} key=${d.id} title=${t(`metric.${d.id}`)} sprints=${sprints} fmt=${d.fmt} big=${big}
        height=${big ? 230 : 170} log=${d.log} unit=${u.label} total=${total} legend=${!shared}
        series=${histories.map((h, k) => ({ label: h.label, values: raw[k].map(conv), raw: raw[k] }))} />`;
    })}
  </div>`;
}

const PILLARS = ['culture', 'automation', 'lean', 'measurement', 'sharing'];

/** Radar draws CALMS maturity (0–5) as an SVG radar; several companies
 * are told apart by dash pattern and marker as well as colour. */
export function Radar({ series, size = 300, big }) {
  const c = size / 2;
  const r = size / 2 - (big ? 56 : 44);
  const pad = big ? 70 : 50; // room for the labels on the sides
  const pt = (i, v) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / PILLARS.length;
    return [c + Math.cos(a) * r * (v / 5), c + Math.sin(a) * r * (v / 5)];
  };
  const ring = (v) => PILLARS.map((_, i) => pt(i, v).join(',')).join(' ');
  const desc = series.map((s) => `${s.label}: ${PILLARS.map((p) => `${t(`calms.${p}`)} ${num(s.calms[p] || 0, 1)}`).join(', ')}`).join('; ');
  return html`<figure class="chart radar-figure">
    <figcaption class="chart-title">${t('chart.calms')}</figcaption>
    <svg class=${`radar${big ? ' big' : ''}`} viewBox=${`${-pad} 0 ${size + 2 * pad} ${size}`} width=${size + 2 * pad} height=${size} role="img" aria-label=${`${t('chart.calms')}. ${desc}`}>
      ${[1, 2, 3, 4, 5].map((v) => html`<polygon key=${v} points=${ring(v)} fill="none" stroke="#c9ced6" stroke-width="1" />`)}
      ${PILLARS.map((p, i) => {
        const [x, y] = pt(i, 5);
        const [lx, ly] = pt(i, 6.1);
        return html`<g key=${p}><line x1=${c} y1=${c} x2=${x} y2=${y} stroke="#c9ced6" />
          <text x=${lx} y=${ly} text-anchor="middle" dominant-baseline="middle">${t(`calms.${p}`)}</text></g>`;
      })}
      ${series.map((s, k) => html`<g key=${s.label}>
        <polygon points=${PILLARS.map((p, i) => pt(i, s.calms[p] || 0).join(',')).join(' ')} fill=${PALETTE[k % PALETTE.length]} fill-opacity="0.12"
          stroke=${PALETTE[k % PALETTE.length]} stroke-width=${big ? 4 : 2.5} stroke-dasharray=${DASHES[k % DASHES.length].join(' ')} />
        ${PILLARS.map((p, i) => {
          const [x, y] = pt(i, s.calms[p] || 0);
          return html`<circle key=${p} cx=${x} cy=${y} r=${big ? 5 : 3.5} fill=${PALETTE[k % PALETTE.length]} />`;
        })}
      </g>`)}
    </svg>
    ${series.length > 1 ? html`<p class="legend">${series.map((s, i) => html`<span key=${s.label} class="legend-item">
      <span class=${`legend-mark legend-${i % PALETTE.length}`} aria-hidden="true">${MARKS[i % MARKS.length]}</span> ${s.label}</span>`)}</p>` : null}
    <table class="table calms-table">
      <caption class="sr-only">${t('chart.calms')}</caption>
      <thead><tr><th scope="col">${t('chart.pillar')}</th>${series.map((s) => html`<th key=${s.label} scope="col">${s.label}</th>`)}</tr></thead>
      <tbody>${PILLARS.map((p) => html`<tr key=${p}><th scope="row">${t(`calms.${p}`)}</th>${series.map((s) => html`<td key=${s.label}>${num(s.calms[p] || 0, 1)}</td>`)}</tr>`)}</tbody>
    </table>
  </figure>`;
}

/** ValueStream shows each stage's processing and waiting time, the
 * slowest stage (the bottleneck) marked in words. name: names a stage id
 * (from the scenario's catalogue), optional. */
export function ValueStream({ stream, bottleneck, name: nameStage, big }) {
  if (!stream || !stream.length) return null;
  const max = Math.max(...stream.map((s) => s.time || s.process + s.wait), 0.01);
  return html`<figure class=${`chart stream${big ? ' big' : ''}`}>
    <figcaption class="chart-title">${t('chart.stream')}</figcaption>
    <p class="hint">${t('chart.streamHint')}</p>
    <ol class="stream-list">
      ${stream.map((s) => {
        const time = s.time || s.process + s.wait;
        const isB = s.stage === bottleneck;
        const name = nameStage ? nameStage(s.stage) : t(`stage.${s.stage}`);
        return html`<li key=${s.stage} class=${`stage${isB ? ' bottleneck' : ''}`}>
          <span class="stage-name">${name}${isB ? html` <strong class="bottleneck-tag">${t('chart.bottleneck')}</strong>` : null}</span>
          <span class="stage-bar" aria-hidden="true">
            <span class="stage-process" ref=${(el) => { if (el) el.style.width = `${(100 * s.process) / max}%`; }}></span>
            <span class="stage-wait" ref=${(el) => { if (el) el.style.width = `${(100 * s.wait) / max}%`; }}></span>
          </span>
          <span class="stage-time">${fmtHours(time)}<span class="sr-only"> (${t('chart.work')} ${fmtHours(s.process)}, ${t('chart.wait')} ${fmtHours(s.wait)})</span></span>
        </li>`;
      })}
    </ol>
    <p class="legend" aria-hidden="true"><span class="legend-item"><span class="swatch stage-process"></span> ${t('chart.work')}</span>
      <span class="legend-item"><span class="swatch stage-wait"></span> ${t('chart.wait')}</span></p>
  </figure>`;
}
