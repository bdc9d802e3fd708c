// Charts as plain SVG drawn by Preact: no chart library, nothing inline that the
// Content-Security-Policy would refuse (presentation attributes and classes only), and each chart
// carries a text alternative (role="img" + <title>/<desc>) and, where useful, a data table.

export type Point = { x: number; y: number; label?: string };
export type Series = { name: string; points: Point[]; cls: string };

const W = 640;
const H = 240;
const M = { top: 14, right: 16, bottom: 34, left: 40 };

function ticks(min: number, max: number, count: number): number[] {
  if (max <= min) return [min];
  const step = niceStep((max - min) / count);
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Math.round(v * 1000) / 1000);
  return out;
}
function niceStep(raw: number): number {
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

// The chart's text alternative, named by the <svg>'s aria-labelledby.
function ChartText({ id, title, desc }: { id: string; title: string; desc: string }) {
  return (
    <>
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{desc}</desc>
    </>
  );
}

// Horizontal grid lines with their values on the y axis.
function YGrid({ values, sy }: { values: number[]; sy: (y: number) => number }) {
  return (
    <>
      {values.map((v) => (
        <g key={`y${v}`}>
          <line class="grid" x1={M.left} x2={W - M.right} y1={sy(v)} y2={sy(v)} />
          <text class="axis" x={M.left - 6} y={sy(v) + 4} text-anchor="end">
            {v}
          </text>
        </g>
      ))}
    </>
  );
}

// Lines over time (x: epoch ms), e.g. pain 0-10 from check-ins.
export function LineChart(props: {
  title: string;
  desc: string;
  series: Series[];
  yMin: number;
  yMax: number;
  yLabel: string;
  xFormat: (x: number) => string;
  markers?: { x: number; label: string; cls: string }[];
}) {
  const all = props.series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x).concat((props.markers ?? []).map((m) => m.x));
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (!Number.isFinite(x0)) return <p class="muted">{props.desc}</p>;
  if (x1 === x0) {
    x0 -= 86400000;
    x1 += 86400000;
  }
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * iw;
  const sy = (y: number) => M.top + ih - ((y - props.yMin) / (props.yMax - props.yMin)) * ih;
  const xt = ticks(x0, x1, 5);
  const titleId = `chart-${props.title.replace(/\W+/g, "-")}`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${titleId}-t ${titleId}-d`} preserveAspectRatio="xMidYMid meet">
        <ChartText id={titleId} title={props.title} desc={props.desc} />
        <YGrid values={ticks(props.yMin, props.yMax, 5)} sy={sy} />
        {xt.map((v) => (
          <text key={`x${v}`} class="axis" x={sx(v)} y={H - M.bottom + 16} text-anchor="middle">
            {props.xFormat(v)}
          </text>
        ))}
        <text class="axis" x={12} y={M.top + ih / 2} transform={`rotate(-90 12 ${M.top + ih / 2})`} text-anchor="middle">
          {props.yLabel}
        </text>
        {(props.markers ?? []).map((m, i) => (
          <g key={`m${i}`}>
            <line class={`marker ${m.cls}`} x1={sx(m.x)} x2={sx(m.x)} y1={M.top} y2={M.top + ih} />
            <text class={`marker-label ${m.cls}`} x={sx(m.x) + 3} y={M.top + 10}>
              {m.label}
            </text>
          </g>
        ))}
        {props.series.map((s) => (
          <g key={s.name} class={`series ${s.cls}`}>
            <polyline fill="none" points={s.points.map((p) => `${sx(p.x)},${sy(p.y)}`).join(" ")} />
            {s.points.map((p, i) => (
              <circle key={i} cx={sx(p.x)} cy={sy(p.y)} r={4}>
                <title>{p.label ?? `${props.xFormat(p.x)}: ${p.y}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      {props.series.length > 1 && (
        <figcaption class="legend">
          {props.series.map((s) => (
            <span key={s.name} class={`legend-item ${s.cls}`}>
              {s.name}
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}

export type BarGroup = { label: string; bars: { name: string; value: number | undefined; cls: string }[] };

// Grouped bars with an optional limit line per group (e.g. a World Rugby weekly maximum).
export function BarChart(props: {
  title: string;
  desc: string;
  groups: BarGroup[];
  yLabel: string;
  limit?: number;
  limitLabel?: string;
  format?: (v: number) => string;
}) {
  const values = props.groups.flatMap((g) => g.bars.map((b) => b.value ?? 0));
  const yMax = Math.max(1, props.limit ?? 0, ...values) * 1.1;
  const iw = W - M.left - M.right;
  const ih = H - M.top - M.bottom;
  const sy = (y: number) => M.top + ih - (y / yMax) * ih;
  const gw = iw / Math.max(1, props.groups.length);
  const nb = Math.max(1, ...props.groups.map((g) => g.bars.length));
  const bw = Math.min(36, (gw * 0.8) / nb);
  const fmt = props.format ?? ((v: number) => String(Math.round(v * 10) / 10));
  const titleId = `chart-${props.title.replace(/\W+/g, "-")}`;
  const legend = props.groups[0]?.bars ?? [];
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${titleId}-t ${titleId}-d`} preserveAspectRatio="xMidYMid meet">
        <ChartText id={titleId} title={props.title} desc={props.desc} />
        <YGrid values={ticks(0, yMax, 5)} sy={sy} />
        <text class="axis" x={12} y={M.top + ih / 2} transform={`rotate(-90 12 ${M.top + ih / 2})`} text-anchor="middle">
          {props.yLabel}
        </text>
        {props.groups.map((g, gi) => {
          const gx = M.left + gi * gw + (gw - bw * g.bars.length) / 2;
          return (
            <g key={g.label}>
              {g.bars.map((b, bi) => (
                <rect key={b.name} class={`bar ${b.cls}`} x={gx + bi * bw} y={sy(b.value ?? 0)} width={bw - 2} height={Math.max(0, M.top + ih - sy(b.value ?? 0))}>
                  <title>{`${g.label}, ${b.name}: ${b.value === undefined ? "no exposure" : fmt(b.value)}`}</title>
                </rect>
              ))}
              <text class="axis" x={M.left + gi * gw + gw / 2} y={H - M.bottom + 16} text-anchor="middle">
                {g.label}
              </text>
            </g>
          );
        })}
        {props.limit !== undefined && (
          <g>
            <line class="limit" x1={M.left} x2={W - M.right} y1={sy(props.limit)} y2={sy(props.limit)} />
            <text class="limit-label" x={W - M.right} y={sy(props.limit) - 4} text-anchor="end">
              {props.limitLabel ?? `limit ${props.limit}`}
            </text>
          </g>
        )}
      </svg>
      {legend.length > 1 && (
        <figcaption class="legend">
          {legend.map((b) => (
            <span key={b.name} class={`legend-item ${b.cls}`}>
              {b.name}
            </span>
          ))}
        </figcaption>
      )}
    </figure>
  );
}
