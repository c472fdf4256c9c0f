/**
 * Hand-written SVG charts (no library, nothing inline: presentation attributes and classes only, so
 * the CSP's style-src 'self' holds). Each chart has a text alternative: a data table.
 */

import { pct } from '../lib/labels.js';
import type { CalibrationView } from '../lib/types.js';

const W = 320;
const H = 260;
const M = { l: 44, r: 12, t: 12, b: 40 };
const x = (v: number) => M.l + v * (W - M.l - M.r);
const y = (v: number) => H - M.b - v * (H - M.t - M.b);
const TICKS = [0, 0.25, 0.5, 0.75, 1];

export function ReliabilityChart({ bins }: { bins: CalibrationView['reliability'] }) {
  const pts = bins.filter((b) => b.count > 0 && b.meanConfidence !== null && b.observedAccuracy !== null);
  const max = Math.max(1, ...bins.map((b) => b.count));
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="rel-cap" id="reliability-chart">
        <title>Reliability curve</title>
        {TICKS.map((t) => (
          <g key={t} class="grid">
            <line x1={x(0)} x2={x(1)} y1={y(t)} y2={y(t)} />
            <text x={M.l - 6} y={y(t) + 4} text-anchor="end">
              {pct(t)}
            </text>
            <text x={x(t)} y={H - M.b + 16} text-anchor="middle">
              {t.toFixed(2)}
            </text>
          </g>
        ))}
        {bins.map((b) => (
          <rect
            key={b.from}
            class="count-bar"
            x={x(b.from) + 1}
            width={Math.max(0, x(b.to) - x(b.from) - 2)}
            y={y((0.25 * b.count) / max)}
            height={y(0) - y((0.25 * b.count) / max)}
          />
        ))}
        <line class="ideal" x1={x(0)} y1={y(0)} x2={x(1)} y2={y(1)} />
        <polyline
          class="curve"
          points={pts.map((b) => `${x(b.meanConfidence as number)},${y(b.observedAccuracy as number)}`).join(' ')}
        />
        {pts.map((b) => (
          <circle
            key={b.from}
            class="point"
            cx={x(b.meanConfidence as number)}
            cy={y(b.observedAccuracy as number)}
            r={3 + (4 * b.count) / max}
          />
        ))}
        <text x={(x(0) + x(1)) / 2} y={H - 6} text-anchor="middle" class="axis">
          Stated confidence
        </text>
        <text
          x={12}
          y={(y(0) + y(1)) / 2}
          text-anchor="middle"
          class="axis"
          transform={`rotate(-90 12 ${(y(0) + y(1)) / 2})`}
        >
          Found correct
        </text>
      </svg>
      <figcaption id="rel-cap">
        Reliability: each dot is a confidence bin at its mean stated confidence and how often humans found the work
        correct (dot size and the grey bars: how many outcomes). Dots on the dashed diagonal mean well calibrated.
      </figcaption>
      <ReliabilityTable bins={bins} />
    </figure>
  );
}

export function RatesChart({ rates }: { rates: [string, number | null][] }) {
  const row = 34;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${rates.length * row + 8}`} role="img" aria-labelledby="rates-cap" id="rates-chart">
        <title>Decision rates</title>
        {rates.map(([label, v], i) => (
          <g key={label}>
            <text x={0} y={i * row + 20} class="axis">
              {label}
            </text>
            <rect class="track" x={90} y={i * row + 6} width={W - 150} height={18} rx={3} />
            <rect
              class={`bar bar-${label.toLowerCase()}`}
              x={90}
              y={i * row + 6}
              width={(W - 150) * (v ?? 0)}
              height={18}
              rx={3}
            />
            <text x={W - 54} y={i * row + 20} class="axis">
              {pct(v)}
            </text>
          </g>
        ))}
      </svg>
      <figcaption id="rates-cap">
        Share of this agent's decided requests humans approved, edited or rejected, and of its executions they took
        over: {rates.map(([l, v]) => `${l.toLowerCase()} ${pct(v)}`).join(', ')}.
      </figcaption>
    </figure>
  );
}

function ReliabilityTable({ bins }: { bins: CalibrationView['reliability'] }) {
  return (
    <table class="list small" id="reliability-table">
      <caption class="visually-hidden">Reliability bins</caption>
      <thead>
        <tr>
          <th scope="col">Confidence</th>
          <th scope="col">Outcomes</th>
          <th scope="col">Mean confidence</th>
          <th scope="col">Found correct</th>
        </tr>
      </thead>
      <tbody>
        {bins
          .filter((b) => b.count > 0)
          .map((b) => (
            <tr key={b.from}>
              <td>
                {b.from.toFixed(1)}–{b.to.toFixed(1)}
              </td>
              <td>{b.count}</td>
              <td>{pct(b.meanConfidence)}</td>
              <td>{pct(b.observedAccuracy)}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
