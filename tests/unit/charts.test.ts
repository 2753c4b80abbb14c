import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { LineChart, ParetoChart, StackedBarChart } from "~/components/charts";

// The charts as the server sends them: accessible images, with their numbers in tables.

function svgOf(html: string): string {
  return /<svg viewBox[\s\S]*?<\/svg>/.exec(html)?.[0] ?? "";
}

describe("the Pareto chart", () => {
  const html = renderToStaticMarkup(
    createElement(ParetoChart, {
      title: "Whys by cause category",
      description: "Configuration is the most common.",
      countLabel: "Whys",
      data: [
        { key: "config", label: "Configuration", count: 3, cumulative: 0.5, incidents: 2 },
        { key: "testing", label: "Testing gap", count: 2, cumulative: 5 / 6, incidents: 2 },
        { key: "capacity", label: "Capacity", count: 1, cumulative: 1, incidents: 1 },
      ],
    }),
  );

  it("is an image named by its title and described by its description", () => {
    const svg = svgOf(html);
    expect(svg).toMatch(/role="img"/);
    const titleId = /aria-labelledby="([^"]+)"/.exec(svg)?.[1];
    const descId = /aria-describedby="([^"]+)"/.exec(svg)?.[1];
    expect(svg).toContain(`<title id="${titleId}">Whys by cause category</title>`);
    expect(svg).toContain(`<desc id="${descId}">Configuration is the most common.</desc>`);
  });

  it("draws a bar per category and the cumulative line through a point per bar", () => {
    const svg = svgOf(html);
    expect(svg.match(/<rect [^>]*fill="#2f5d8a"/g)).toHaveLength(3);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toMatch(/<path d="M[^"]+"/);
  });

  it("has the numbers in a table with a caption and headers", () => {
    expect(html).toContain("<caption>Whys by cause category</caption>");
    expect(html).toContain('<th scope="row">Testing gap</th><td data-label="Whys">2</td><td data-label="Share">33.3%</td><td data-label="Cumulative">83.3%</td><td data-label="Incidents">2</td>');
    expect(html).toContain("Show as table");
  });
});

describe("the stacked bar chart", () => {
  const series = [
    { key: "SEV1", label: "SEV1", color: "#a1170f" },
    { key: "SEV2", label: "SEV2", color: "#d0640b" },
  ];
  const html = renderToStaticMarkup(
    createElement(StackedBarChart, {
      title: "Incidents per month by severity",
      description: "3 incidents.",
      valueLabel: "Incidents",
      series,
      data: [
        { month: "2025-12", values: { SEV1: 1, SEV2: 1 } },
        { month: "2026-01", values: { SEV1: 0, SEV2: 0 } },
        { month: "2026-02", values: { SEV1: 0, SEV2: 1 } },
      ],
    }),
  );

  it("stacks a segment per non-zero value and writes each month, with the year where it changes", () => {
    const svg = svgOf(html);
    expect(svg.match(/class="chart__segment"/g)).toHaveLength(3);
    expect(svg).toContain(">Dec</tspan>");
    expect(svg.match(/>2025<\/tspan>/g)).toHaveLength(1);
    expect(svg.match(/>2026<\/tspan>/g)).toHaveLength(1);
  });

  it("lists every month in the table, zeros included, with totals", () => {
    expect(html).toContain('<th scope="row">Jan 2026</th><td data-label="SEV1">0</td><td data-label="SEV2">0</td><td data-label="Total">0</td>');
    expect(html).toContain('<th scope="row">Dec 2025</th><td data-label="SEV1">1</td><td data-label="SEV2">1</td><td data-label="Total">2</td>');
  });
});

describe("the line chart", () => {
  const html = renderToStaticMarkup(
    createElement(LineChart, {
      title: "Median time to detect",
      description: "Medians per month.",
      valueLabel: "Median, minutes",
      formatValue: (v: number) => `${v} min`,
      series: [{ key: "detect", label: "Time to detect", count: "Incidents", color: "#2f5d8a", marker: "circle" as const }],
      data: [
        { month: "2026-01", values: { detect: 10 }, counts: { detect: 3 } },
        { month: "2026-02", values: { detect: 20 }, counts: { detect: 1 } },
        { month: "2026-03", values: { detect: null }, counts: { detect: 0 } },
        { month: "2026-04", values: { detect: 30 }, counts: { detect: 2 } },
        { month: "2026-05", values: { detect: 40 }, counts: { detect: 2 } },
      ],
    }),
  );

  it("leaves a gap for a month without a value instead of dropping to zero", () => {
    const path = /<path d="([^"]+)"/.exec(svgOf(html))?.[1] ?? "";
    // Two separate pieces: January–February and April–May.
    expect(path.match(/M/g)).toHaveLength(2);
    expect(svgOf(html).match(/<circle /g)).toHaveLength(4);
    expect(html).toContain('<th scope="row">Mar 2026</th><td data-label="Time to detect">—</td><td data-label="Incidents">0</td>');
    expect(html).toContain('<th scope="row">Jan 2026</th><td data-label="Time to detect">10 min</td><td data-label="Incidents">3</td>');
  });
});
