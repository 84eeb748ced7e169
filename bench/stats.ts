import { cpus, loadavg, totalmem } from 'node:os';
import { gitText } from './git.ts';

export interface Summary {
  n: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p99: number;
}

/** The q-quantile (0..1) of ascending `sorted`, linearly interpolated between closest ranks. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** n, min, max, mean, p50 (median), p99 of `samples` (NaN figures when empty). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = n === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / n;
  return { n, min: sorted[0] ?? Number.NaN, max: sorted[n - 1] ?? Number.NaN, mean, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}

/** Milliseconds for humans: `850 ms`, `12.3 ms`, `1.42 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

/** Bytes for humans: `23.4 MB` (10^6). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

/** One Markdown table row; `|` in cells is escaped. Numbers are printed as given. */
export function markdownRow(cells: readonly (string | number)[]): string {
  return `| ${cells.map((c) => String(c).replaceAll('|', '\\|')).join(' | ')} |`;
}

/** Header row plus separator row of a Markdown table. */
export function markdownHeader(titles: readonly string[]): string {
  return `${markdownRow(titles)}\n${markdownRow(titles.map(() => '---'))}`;
}

/** A row for a timed step: label, then p50, p99, mean, n of the samples (ms). */
export function summaryRow(label: string, samples: readonly number[], extra: readonly (string | number)[] = []): string {
  const s = summarize(samples);
  return markdownRow([label, ...extra, formatMs(s.p50), formatMs(s.p99), formatMs(s.mean), s.n]);
}

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  git: string;
  platform: string;
  /** 1-minute load average when measured: above the core count, figures are contaminated by other work. */
  load1: number;
  date: string;
}

/** The machine a benchmark ran on (git version from `git --version`; `unknown` if git is absent). */
export async function machineInfo(): Promise<MachineInfo> {
  const cpu = cpus();
  const gitVersion = await gitText(process.cwd(), ['--version']).catch(() => 'unknown');
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    git: gitVersion.replace(/^git version /, ''),
    platform: `${process.platform} ${process.arch}`,
    load1: Math.round(loadavg()[0] * 100) / 100,
    date: new Date().toISOString(),
  };
}

/** One Markdown line describing the machine, for BENCHMARKS.md. */
export function formatMachineInfo(info: MachineInfo): string {
  return `${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB RAM, ${info.platform}, Node ${info.node}, git ${info.git}, load ${info.load1}, ${info.date}`;
}
