// An SVG of the two curves a reader wants at a glance: search latency (p50) against data size, and
// write throughput against data size. Log scale on the size axis; hand-written SVG, no dependencies.
import type { BenchResults } from '../results';

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22'];

interface Series {
  label: string;
  points: { x: number; y: number }[];
}

export function renderChart(results: BenchResults): string {
  const series = (group: (g: string) => boolean, value: (w: BenchResults['sizes'][number]['workloads'][number]) => number | undefined): Series[] => {
    const byName = new Map<string, Series>();
    for (const size of results.sizes) {
      for (const w of size.workloads) {
        const y = w.supported && group(w.group) ? value(w) : undefined;
        if (y === undefined || !Number.isFinite(y)) {
          continue;
        }
        const s = byName.get(w.name) ?? { label: w.name, points: [] };
        s.points.push({ x: size.storedResources, y });
        byName.set(w.name, s);
      }
    }
    return [...byName.values()];
  };
  const latency = series((g) => g === 'search' || g === 'terminology', (w) => w.p50Ms?.median);
  const throughput = series((g) => g === 'ingest' || g === 'create', (w) => w.resourcesPerSecond?.median);
  throughput.push({
    label: 'bulk load (set-up)',
    points: results.sizes.map((s) => ({ x: s.storedResources, y: s.load.perSecond })),
  });
  const width = 1000;
  const panel = 420;
  const body = [
    panelSvg(latency, 'Search latency p50 (ms) by stored resources', 0, width, panel),
    panelSvg(throughput, 'Write throughput (resources/s) by stored resources', panel + 20, width, panel),
  ].join('\n');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${panel * 2 + 40}" font-family="sans-serif" font-size="12">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${body}\n` +
    `<text x="10" y="${panel * 2 + 32}" fill="#555">${escapeXml(`${results.date} · ${results.target.url} · ${results.machine.cpus} cores · Node ${results.machine.node}`)}</text>\n</svg>\n`
  );
}

function panelSvg(series: Series[], title: string, top: number, width: number, height: number): string {
  const left = 70;
  const plotWidth = 560;
  const plotTop = top + 30;
  const plotHeight = height - 70;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const parts = [`<text x="${left}" y="${top + 18}" font-size="14" font-weight="bold">${escapeXml(title)}</text>`];
  if (!xs.length) {
    parts.push(`<text x="${left}" y="${plotTop + 20}" fill="#555">no supported workload measured</text>`);
    return parts.join('\n');
  }
  const xMin = Math.log10(Math.min(...xs));
  const xMax = Math.log10(Math.max(...xs));
  const yMax = Math.max(...ys) * 1.1 || 1;
  const px = (x: number): number =>
    left + (xMax === xMin ? plotWidth / 2 : ((Math.log10(x) - xMin) / (xMax - xMin)) * plotWidth);
  const py = (y: number): number => plotTop + plotHeight - (y / yMax) * plotHeight;
  parts.push(
    `<line x1="${left}" y1="${plotTop + plotHeight}" x2="${left + plotWidth}" y2="${plotTop + plotHeight}" stroke="#333"/>`,
    `<line x1="${left}" y1="${plotTop}" x2="${left}" y2="${plotTop + plotHeight}" stroke="#333"/>`
  );
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    parts.push(
      `<line x1="${left - 4}" y1="${py(y)}" x2="${left + plotWidth}" y2="${py(y)}" stroke="#eee"/>`,
      `<text x="${left - 8}" y="${py(y) + 4}" text-anchor="end">${formatTick(y)}</text>`
    );
  }
  for (const x of [...new Set(xs)]) {
    parts.push(`<text x="${px(x)}" y="${plotTop + plotHeight + 16}" text-anchor="middle">${formatTick(x)}</text>`);
  }
  series.forEach((s, i) => {
    const color = palette[i % palette.length];
    const path = s.points.map((p, j) => `${j ? 'L' : 'M'}${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of s.points) {
      parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = plotTop + 10 + i * 18;
    parts.push(
      `<rect x="${left + plotWidth + 20}" y="${ly - 9}" width="12" height="12" fill="${color}"/>`,
      `<text x="${left + plotWidth + 38}" y="${ly + 1}">${escapeXml(s.label)}</text>`
    );
  });
  return parts.join('\n');
}

function formatTick(n: number): string {
  if (n >= 1e6) {
    return `${+(n / 1e6).toFixed(1)}M`;
  }
  if (n >= 1e3) {
    return `${+(n / 1e3).toFixed(1)}k`;
  }
  return n >= 10 ? String(Math.round(n)) : n.toFixed(1);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
