import { tz } from "@date-fns/tz";
import { max } from "d3-array";
import { scaleBand, scaleLinear, scaleTime } from "d3-scale";
import { line } from "d3-shape";
import { format, parseISO } from "date-fns";
import { useId, type ReactNode } from "react";

// Charts drawn on the server as SVG: no JavaScript needed to see them. Each is an image with a
// title and a description for screen readers, and the same numbers as a table right below.
// The viewBox scales the drawing to the page; on narrow screens it scrolls rather than shrink
// the labels below reading size.

const WIDTH = 720;
const UTC = tz("UTC");

export type Series = { key: string; label: string; color: string };

/** "2026-03" → the first instant of that month, in UTC. */
function monthStart(month: string): Date {
  return parseISO(`${month}-01`, { in: UTC });
}

export function monthLabel(month: string): string {
  return format(monthStart(month), "MMM yyyy", { in: UTC });
}

const TICK_STEPS = [1, 2, 3, 6, 12, 24];

/**
 * The months that get a label: every month, or every 2, 3, 6, 12 or 24 counted from January, so
 * that at most about a dozen are written. Each maps to whether its label shows the year (the
 * first one and whenever the year changes).
 */
function monthTicks(months: string[]): Map<string, boolean> {
  const step = TICK_STEPS.find((s) => months.length / s <= 12) ?? TICK_STEPS.at(-1)!;
  const ticks = new Map<string, boolean>();
  let lastYear: number | undefined;
  for (const month of months) {
    const d = monthStart(month);
    if ((d.getUTCFullYear() * 12 + d.getUTCMonth()) % step !== 0) continue;
    ticks.set(month, d.getUTCFullYear() !== lastYear);
    lastYear = d.getUTCFullYear();
  }
  return ticks;
}

function MonthTick({ month, x, y, showYear }: { month: string; x: number; y: number; showYear: boolean }) {
  const date = monthStart(month);
  return (
    <text x={x} y={y} textAnchor="middle" className="chart__tick">
      <tspan x={x} dy="1em">
        {format(date, "MMM", { in: UTC })}
      </tspan>
      {showYear ? (
        <tspan x={x} dy="1.2em">
          {format(date, "yyyy", { in: UTC })}
        </tspan>
      ) : null}
    </text>
  );
}

/** Horizontal grid lines with their values on the left. */
function LeftAxis({ ticks, y, left, right, format: fmt }: { ticks: number[]; y: (v: number) => number; left: number; right: number; format: (v: number) => string }) {
  return (
    <g>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={left} x2={right} y1={y(t)} y2={y(t)} className={t === 0 ? "chart__baseline" : "chart__grid"} />
          <text x={left - 8} y={y(t)} dy="0.32em" textAnchor="end" className="chart__tick">
            {fmt(t)}
          </text>
        </g>
      ))}
    </g>
  );
}

function AxisTitle({ x, y, children, vertical = false }: { x: number; y: number; children: ReactNode; vertical?: boolean }) {
  return (
    <text x={x} y={y} textAnchor="middle" className="chart__axis-title" transform={vertical ? `rotate(-90 ${x} ${y})` : undefined}>
      {children}
    </text>
  );
}

/** The frame every chart shares: the image with its title and description, the legend, and the table. */
function ChartFigure({
  title,
  description,
  height,
  legend,
  table,
  children,
}: {
  title: string;
  description: string;
  height: number;
  legend?: ReactNode;
  table: ReactNode;
  children: ReactNode;
}) {
  const id = useId();
  return (
    <figure className="chart">
      {legend}
      {/* Focusable, so a keyboard can scroll a chart wider than a phone (WCAG 2.1.1). */}
      <div className="chart__scroll" tabIndex={0} role="group" aria-labelledby={`${id}-title`}>
        <svg
          viewBox={`0 0 ${WIDTH} ${height}`}
          role="img"
          aria-labelledby={`${id}-title`}
          aria-describedby={`${id}-desc`}
          className="chart__svg"
          preserveAspectRatio="xMidYMid meet"
        >
          <title id={`${id}-title`}>{title}</title>
          <desc id={`${id}-desc`}>{description}</desc>
          {children}
        </svg>
      </div>
      <details className="chart__table">
        <summary>
          Show as table<span className="visually-hidden">: {title}</span>
        </summary>
        <div className="table-wrap">{table}</div>
      </details>
    </figure>
  );
}

type LegendItem = { label: string; color: string; kind: "box" | "line" | "dashed"; marker?: "circle" | "square" };

function Legend({ items }: { items: LegendItem[] }) {
  return (
    <ul className="chart__legend" aria-label="Legend">
      {items.map((item) => (
        <li key={item.label}>
          <svg width="28" height="14" viewBox="0 0 28 14" aria-hidden="true" focusable="false">
            {item.kind === "box" ? (
              <rect x="7" y="0" width="14" height="14" rx="2" fill={item.color} />
            ) : (
              <>
                <line x1="0" x2="28" y1="7" y2="7" stroke={item.color} strokeWidth="2.5" strokeDasharray={item.kind === "dashed" ? "5 3" : undefined} />
                <Marker shape={item.marker ?? "circle"} x={14} y={7} color={item.color} />
              </>
            )}
          </svg>
          {item.label}
        </li>
      ))}
    </ul>
  );
}

function Marker({ shape, x, y, color }: { shape: "circle" | "square"; x: number; y: number; color: string }) {
  return shape === "circle" ? (
    <circle cx={x} cy={y} r={4} fill="#fff" stroke={color} strokeWidth={2} />
  ) : (
    <rect x={x - 4} y={y - 4} width={8} height={8} fill={color} />
  );
}

/** 0 up to the highest value, rounded up so that a gridline sits at or above every value. */
function valueScale(highest: number, range: [number, number]) {
  const y = scaleLinear()
    .domain([0, highest > 0 ? highest : 1])
    .nice(5)
    .range(range);
  const ticks = y.ticks(5);
  const last = ticks[ticks.length - 1];
  if (ticks.length > 1 && last < y.domain()[1]) y.domain([0, last + (ticks[1] - ticks[0])]);
  return y;
}

/** Where the bars go: the full width, or less with only a few, so that a lone bar is not a wall. */
function barRange(count: number, left: number, right: number, widest: number): [number, number] {
  return [left, Math.min(right, left + Math.max(1, count) * widest)];
}

/** Counts on an axis: 500, 2.5k, 10k (d3's SI format, which would write zero as "0k"). */
function countFormat(y: { tickFormat: (count: number, specifier: string) => (v: number) => string }) {
  const si = y.tickFormat(5, "~s");
  return (v: number) => (v === 0 ? "0" : si(v));
}

const percent = (v: number, digits = 1) => `${(v * 100).toFixed(digits).replace(/\.0$/, "")}%`;

// --- Pareto ---------------------------------------------------------------------------------

export type ParetoDatum = { key: string; label: string; count: number; cumulative: number; incidents: number };

const PARETO_BAR = "#2f5d8a";
const PARETO_LINE = "#1d2330";

/**
 * Bars of counts, most first, with the running share as a line on a 0–100% scale: the few
 * categories that make up most of the causes stand out on the left.
 */
export function ParetoChart({ title, description, data, countLabel }: { title: string; description: string; data: ParetoDatum[]; countLabel: string }) {
  const height = 360;
  const m = { top: 20, right: 60, bottom: 120, left: 68 };
  const x = scaleBand<string>()
    .domain(data.map((d) => d.key))
    .range(barRange(data.length, m.left, WIDTH - m.right, 96))
    .padding(0.25);
  const y = valueScale(max(data, (d) => d.count) ?? 0, [height - m.bottom, m.top]);
  const yShare = scaleLinear().domain([0, 1]).range([height - m.bottom, m.top]);
  const centre = (d: ParetoDatum) => (x(d.key) ?? 0) + x.bandwidth() / 2;
  const path = line<ParetoDatum>()
    .x(centre)
    .y((d) => yShare(d.cumulative))(data);
  const total = data.reduce((sum, d) => sum + d.count, 0);
  return (
    <ChartFigure
      title={title}
      description={description}
      height={height}
      legend={
        <Legend
          items={[
            { label: countLabel, color: PARETO_BAR, kind: "box" },
            { label: "Cumulative share", color: PARETO_LINE, kind: "line" },
          ]}
        />
      }
      table={
        <table className="list list--stack">
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Category</th>
              <th scope="col">{countLabel}</th>
              <th scope="col">Share</th>
              <th scope="col">Cumulative</th>
              <th scope="col">Incidents</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.key}>
                <th scope="row">{d.label}</th>
                <td data-label={countLabel}>{d.count}</td>
                <td data-label="Share">{percent(d.count / total)}</td>
                <td data-label="Cumulative">{percent(d.cumulative)}</td>
                <td data-label="Incidents">{d.incidents}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <LeftAxis ticks={y.ticks(5).filter(Number.isInteger)} y={y} left={m.left} right={WIDTH - m.right} format={countFormat(y)} />
      {[0, 0.25, 0.5, 0.75, 1].map((t) => (
        <text key={t} x={WIDTH - m.right + 8} y={yShare(t)} dy="0.32em" className="chart__tick">
          {percent(t, 0)}
        </text>
      ))}
      <line x1={m.left} x2={WIDTH - m.right} y1={yShare(0.8)} y2={yShare(0.8)} className="chart__reference" />
      {data.map((d) => (
        <rect key={d.key} x={x(d.key)} y={y(d.count)} width={x.bandwidth()} height={y(0) - y(d.count)} fill={PARETO_BAR} />
      ))}
      {path ? <path d={path} fill="none" stroke={PARETO_LINE} strokeWidth={2.5} /> : null}
      {data.map((d) => (
        <Marker key={d.key} shape="circle" x={centre(d)} y={yShare(d.cumulative)} color={PARETO_LINE} />
      ))}
      {data.map((d) => (
        <text key={d.key} className="chart__tick" textAnchor="end" transform={`translate(${centre(d)} ${height - m.bottom + 12}) rotate(-35)`}>
          {d.label.length > 18 ? `${d.label.slice(0, 17)}…` : d.label}
        </text>
      ))}
      <AxisTitle x={16} y={(height - m.bottom + m.top) / 2} vertical>
        {countLabel}
      </AxisTitle>
      <AxisTitle x={WIDTH - 10} y={(height - m.bottom + m.top) / 2} vertical>
        Cumulative share
      </AxisTitle>
      <AxisTitle x={(m.left + WIDTH - m.right) / 2} y={height - 6}>
        Cause category
      </AxisTitle>
    </ChartFigure>
  );
}

// --- Stacked bars -----------------------------------------------------------------------------

export type StackedDatum = { month: string; values: Record<string, number> };

/** One bar per month, stacked by series (bottom to top in the order given), total on top. */
export function StackedBarChart({
  title,
  description,
  series,
  data,
  valueLabel,
}: {
  title: string;
  description: string;
  series: Series[];
  data: StackedDatum[];
  valueLabel: string;
}) {
  const height = 330;
  const m = { top: 24, right: 16, bottom: 68, left: 68 };
  const totals = data.map((d) => series.reduce((sum, s) => sum + (d.values[s.key] ?? 0), 0));
  const x = scaleBand<string>()
    .domain(data.map((d) => d.month))
    .range(barRange(data.length, m.left, WIDTH - m.right, 72))
    .padding(0.2);
  const y = valueScale(max(totals) ?? 0, [height - m.bottom, m.top]);
  const ticks = monthTicks(data.map((d) => d.month));
  const labelTotals = x.bandwidth() >= 16;
  return (
    <ChartFigure
      title={title}
      description={description}
      height={height}
      legend={<Legend items={series.map((s) => ({ label: s.label, color: s.color, kind: "box" as const }))} />}
      table={
        <table className="list list--stack">
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              {series.map((s) => (
                <th scope="col" key={s.key}>
                  {s.label}
                </th>
              ))}
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d, i) => (
              <tr key={d.month}>
                <th scope="row">{monthLabel(d.month)}</th>
                {series.map((s) => (
                  <td key={s.key} data-label={s.label}>{d.values[s.key] ?? 0}</td>
                ))}
                <td data-label="Total">{totals[i]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <LeftAxis ticks={y.ticks(5).filter(Number.isInteger)} y={y} left={m.left} right={WIDTH - m.right} format={countFormat(y)} />
      {data.map((d, i) => {
        let base = 0;
        const left = x(d.month) ?? 0;
        return (
          <g key={d.month}>
            {series.map((s) => {
              const v = d.values[s.key] ?? 0;
              if (v === 0) return null;
              const rect = <rect key={s.key} x={left} y={y(base + v)} width={x.bandwidth()} height={y(base) - y(base + v)} fill={s.color} className="chart__segment" />;
              base += v;
              return rect;
            })}
            {labelTotals && totals[i] > 0 ? (
              <text x={left + x.bandwidth() / 2} y={y(totals[i]) - 6} textAnchor="middle" className="chart__value">
                {totals[i]}
              </text>
            ) : null}
            {ticks.has(d.month) ? <MonthTick month={d.month} x={left + x.bandwidth() / 2} y={height - m.bottom + 6} showYear={ticks.get(d.month)!} /> : null}
          </g>
        );
      })}
      <AxisTitle x={16} y={(height - m.bottom + m.top) / 2} vertical>
        {valueLabel}
      </AxisTitle>
      <AxisTitle x={(m.left + WIDTH - m.right) / 2} y={height - 6}>
        Month the incidents started (UTC)
      </AxisTitle>
    </ChartFigure>
  );
}

// --- Lines ------------------------------------------------------------------------------------

export type LineSeries = Series & { dashed?: boolean; marker: "circle" | "square"; count: string };
export type LineDatum = { month: string; values: Record<string, number | null>; counts: Record<string, number> };

const has = (d: LineDatum | undefined, key: string) => d !== undefined && d.values[key] !== null && d.values[key] !== undefined;

/**
 * Values per month as lines; a month without a value is a gap in its line, never a zero.
 * `formatValue` writes a value for the table (e.g. "1 h 20 min"); the axis title names the unit.
 */
export function LineChart({
  title,
  description,
  series,
  data,
  valueLabel,
  formatValue,
}: {
  title: string;
  description: string;
  series: LineSeries[];
  data: LineDatum[];
  valueLabel: string;
  formatValue: (v: number) => string;
}) {
  const height = 330;
  const m = { top: 24, right: 24, bottom: 68, left: 68 };
  const dates = data.map((d) => monthStart(d.month));
  const inset = Math.min(24, (WIDTH - m.left - m.right) / Math.max(2, data.length) / 2);
  const x = scaleTime()
    .domain([dates[0], dates[dates.length - 1]])
    .range(data.length > 1 ? [m.left + inset, WIDTH - m.right - inset] : [(m.left + WIDTH - m.right) / 2, (m.left + WIDTH - m.right) / 2]);
  const y = valueScale(max(data.flatMap((d) => series.map((s) => d.values[s.key] ?? 0))) ?? 0, [height - m.bottom, m.top]);
  const ticks = monthTicks(data.map((d) => d.month));
  const markers = data.length <= 24;
  return (
    <ChartFigure
      title={title}
      description={description}
      height={height}
      legend={<Legend items={series.map((s) => ({ label: s.label, color: s.color, kind: s.dashed ? ("dashed" as const) : ("line" as const), marker: s.marker }))} />}
      table={
        <table className="list list--stack">
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              {series.map((s) => (
                <th scope="col" key={s.key}>
                  {s.label}
                </th>
              ))}
              {series.map((s) => (
                <th scope="col" key={`${s.key}-count`}>
                  {s.count}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.month}>
                <th scope="row">{monthLabel(d.month)}</th>
                {series.map((s) => {
                  const v = d.values[s.key];
                  return <td key={s.key} data-label={s.label}>{v === null || v === undefined ? "—" : formatValue(v)}</td>;
                })}
                {series.map((s) => (
                  <td key={`${s.key}-count`} data-label={s.count}>{d.counts[s.key] ?? 0}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <LeftAxis ticks={y.ticks(5)} y={y} left={m.left} right={WIDTH - m.right} format={y.tickFormat(5)} />
      {data.map((d, i) =>
        ticks.has(d.month) ? <MonthTick key={d.month} month={d.month} x={x(dates[i])} y={height - m.bottom + 6} showYear={ticks.get(d.month)!} /> : null,
      )}
      {series.map((s) => {
        const path = line<LineDatum>()
          .defined((d) => has(d, s.key))
          .x((d) => x(monthStart(d.month)))
          .y((d) => y(d.values[s.key] ?? 0))(data);
        return (
          <g key={s.key}>
            {path ? <path d={path} fill="none" stroke={s.color} strokeWidth={2.5} strokeDasharray={s.dashed ? "7 4" : undefined} /> : null}
            {data.map((d, i) => {
              const v = d.values[s.key];
              if (v === null || v === undefined) return null;
              // With many months the markers crowd the line; a month between gaps keeps its marker, or it would not show at all.
              const isolated = !has(data[i - 1], s.key) && !has(data[i + 1], s.key);
              return markers || isolated ? <Marker key={d.month} shape={s.marker} x={x(dates[i])} y={y(v)} color={s.color} /> : null;
            })}
          </g>
        );
      })}
      <AxisTitle x={16} y={(height - m.bottom + m.top) / 2} vertical>
        {valueLabel}
      </AxisTitle>
      <AxisTitle x={(m.left + WIDTH - m.right) / 2} y={height - 6}>
        Month the incidents started (UTC)
      </AxisTitle>
    </ChartFigure>
  );
}
