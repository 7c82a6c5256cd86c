/** One run of one scenario. */
export interface Run {
  round: number;
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  statuses: Record<string, number>;
  sqlPerRequest: number;
  /** The resident memory of the process that served the run, right after it, and its JS heap in use. */
  rssMb: number;
  heapMb: number;
  /** Each API process's resident memory right after the run: as configured, and with the answer cache off. */
  apiRssMb: { api: number; uncached: number };
  /** CPU used during the run, in cores (CPU seconds per second), per process (api: the one that served it). */
  cpuCores: { api: number; postgres: number | null; loadGenerator: number };
  /** The API's statements that took the most time during the run (time as the API waited for them). */
  topStatements: Array<{ sql: string; calls: number; meanMs: number; totalMs: number }>;
}

type ProcessMemory = { maxMb: number; afterWarmupMb: number; endMb: number };

type Spread = { median: number; min: number; max: number };

export interface ScenarioSummary {
  key: string;
  name: string;
  target: 'api' | 'uncached' | 'bare';
  rate: number | null;
  connections: number;
  runs: Run[];
  rps: Spread;
  p50: Spread;
  p95: Spread;
  p99: Spread;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  sqlPerRequest: number;
  /** The most after any run: the serving process, and each API process. */
  rssMb: number;
  apiRssMb: { api: number; uncached: number };
  cpuCores: { api: number | null; postgres: number | null; loadGenerator: number | null };
  topStatements: Run['topStatements'];
}

export interface Report {
  date: string;
  commit: string;
  dirty: boolean;
  machine: { cpus: number; cpu: string; memoryGiB: number; node: string; loadAverageAtStart: number[] };
  dataset: { products: number; stores: number; shoppers: number; orders: number };
  largestStoreOrders: number;
  rounds: number;
  durationSeconds: number;
  minSamples: number;
  connections: number;
  hotVariant: Array<{ round: number; initialStock: number; finalStock: number; sold: number; created: number; oversold: boolean }>;
  /** Each API process's RSS over the whole bench: the most, at the end of round 1, at the end. */
  memory: { api: ProcessMemory; uncached: ProcessMemory; postgresPssMb: number | null };
  scenarios: ScenarioSummary[];
}

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

const spread = (s: Spread, unit = '') => (s.min === s.max ? `${s.median}${unit}` : `${s.median}${unit} (${s.min}–${s.max})`);

/** Issue 15's targets, judged on the medians of this report. */
export function checkTargets(report: Report): TargetCheck[] {
  const by = new Map(report.scenarios.map((s) => [s.key, s]));
  const checks: TargetCheck[] = [];
  const at = (key: string, metric: 'p95' | 'p99', limit: number, label: string) => {
    const s = by.get(key);
    if (!s) return;
    const rateHeld = s.rate === null || s.rps.median >= s.rate * 0.95;
    checks.push({
      target: label,
      measured: `${metric} ${s[metric].median} ms at ${s.rps.median} req/s`,
      met: s[metric].median <= limit && rateHeld && s.errors === 0,
    });
  };
  at('search', 'p95', 30, 'word search p95 ≤ 30 ms at 200 req/s (engine, answer cache off)');
  at('typo', 'p95', 50, 'typo search p95 ≤ 50 ms at 100 req/s (engine, answer cache off)');
  at('analytics', 'p95', 100, 'seller analytics p95 ≤ 100 ms at 20 req/s, largest store');
  at('list', 'p99', 25, 'product list p99 ≤ 25 ms at 500 req/s');
  const floor = by.get('floor');
  const detail = by.get('detail');
  if (floor && detail) {
    const ratio = Math.round((detail.rps.median / floor.rps.median) * 100);
    checks.push({ target: 'product detail ≥ 50% of the full-stack floor', measured: `${ratio}% (${detail.rps.median} of ${floor.rps.median} req/s)`, met: ratio >= 50 });
  }
  const checkout = by.get('checkout');
  if (checkout) checks.push({ target: 'checkout ≥ 500/s across variants', measured: `${checkout.rps.median}/s`, met: checkout.rps.median >= 500 });
  const hot = by.get('hot');
  if (hot) checks.push({ target: 'checkout ≥ 300/s on one hot variant, 64 connections', measured: `${hot.rps.median}/s`, met: hot.rps.median >= 300 });
  if (checkout) checks.push({ target: '≤ 15 SQL statements per checkout', measured: `${checkout.sqlPerRequest}`, met: checkout.sqlPerRequest <= 15 });
  checks.push({ target: 'zero oversell', measured: report.hotVariant.map((h) => `sold ${h.sold} of ${h.initialStock}`).join(', '), met: report.hotVariant.every((h) => !h.oversold) });
  for (const [role, label] of [['api', 'API'], ['uncached', 'cache-off API']] as const) {
    const m = report.memory[role];
    checks.push({ target: `${label} process RSS < 300 MB across the whole bench`, measured: `max ${m.maxMb} MB`, met: m.maxMb < 300 });
    checks.push({
      target: `${label} process RSS flat after warm-up (≤ 10% growth after round 1)`,
      measured: `${m.afterWarmupMb} → ${m.endMb} MB`,
      met: m.endMb <= m.afterWarmupMb * 1.1,
    });
  }
  return checks;
}

/** The results as Markdown: the README's bench table is exactly this. */
export function renderReport(report: Report): string {
  const floor = report.scenarios.find((s) => s.key === 'floor');
  const baseline = report.scenarios.find((s) => s.key === 'baseline');
  const ratio = (rps: number, of?: ScenarioSummary) => (of ? `${Math.round((rps / of.rps.median) * 1000) / 10}%` : '');
  const cores = (x: number | null) => (x === null ? '–' : String(x));
  const checks = checkTargets(report);
  const missed = checks.filter((c) => !c.met);
  const d = report.dataset;
  const lines = [
    `Commit \`${report.commit.slice(0, 12)}\`${report.dirty ? ' (with uncommitted changes)' : ''}, ${report.date.slice(0, 16).replace('T', ' ')} UTC, on ${report.machine.cpus} × ${report.machine.cpu}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}; load average at start ${report.machine.loadAverageAtStart.join(' / ')}. The API, Postgres and the load generator share these cores.`,
    `Dataset: ${d.products} products, ${d.stores} stores, ${d.shoppers} shoppers, ${d.orders} orders (largest store ${report.largestStoreOrders}). The API as configured, the API with the answer cache off and the bare Koa route each run in their own process. ${report.rounds} interleaved rounds; each run at least ${report.durationSeconds} s and ${report.minSamples} answers (at most 30 s). Figures are the median of the runs, (min–max) when they differ.`,
    '',
    '| scenario | req/s | p50 ms | p95 ms | p99 ms | errors | statuses | SQL/req | % of floor | % of baseline | RSS MB after: API / cache-off API | CPU cores: serving process / Postgres / load gen |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|',
    ...report.scenarios.map(
      (s) =>
        `| ${s.name} | ${spread(s.rps)} | ${spread(s.p50)} | ${spread(s.p95)} | ${spread(s.p99)} | ${s.errors} | ${Object.entries(s.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')} | ${s.sqlPerRequest} | ${ratio(s.rps.median, floor)} | ${ratio(s.rps.median, baseline)} | ${s.apiRssMb.api} / ${s.apiRssMb.uncached} | ${cores(s.cpuCores.api)} / ${cores(s.cpuCores.postgres)} / ${cores(s.cpuCores.loadGenerator)} |`,
    ),
    '',
    `Hot variant: ${report.hotVariant.map((h) => `round ${h.round}: stock ${h.initialStock} → ${h.finalStock}, sold ${h.sold}, ${h.created} checkouts created, oversold: ${h.oversold ? 'YES' : 'no'}`).join('; ')}.`,
    `Memory (RSS, each process alone): API at most ${report.memory.api.maxMb} MB (${report.memory.api.afterWarmupMb} MB after round 1, ${report.memory.api.endMb} MB at the end); cache-off API at most ${report.memory.uncached.maxMb} MB (${report.memory.uncached.afterWarmupMb} MB after round 1, ${report.memory.uncached.endMb} MB at the end); embedded Postgres ${report.memory.postgresPssMb ?? '–'} MB (PSS, shared buffers counted once).`,
    '',
    '| target | measured | met |',
    '|---|---|---|',
    ...checks.map((c) => `| ${c.target} | ${c.measured} | ${c.met ? 'yes' : '**no**'} |`),
    '',
    missed.length ? `Not met: ${missed.length} of ${checks.length}. Where the time goes in those scenarios (the serving API process's costliest statement in the last run, and CPU per process):` : `All ${checks.length} targets met.`,
    '',
    ...report.scenarios
      .filter((s) => missed.some((c) => c.target.startsWith(targetScenario(s.key))))
      .map((s) => {
        const top = s.topStatements[0];
        // CPU time per answer (median cores / median rate), and the rate the machine's cores could give at that cost
        const ms = [s.cpuCores.api, s.cpuCores.postgres, s.cpuCores.loadGenerator].map((c) => (c === null ? null : Math.round((c * 100_000) / s.rps.median) / 100));
        const total = Math.round(ms.reduce<number>((sum, x) => sum + (x ?? 0), 0) * 100) / 100;
        const budget = total > 0 ? `; CPU per answer: serving process ${ms[0] ?? '–'} ms + Postgres ${ms[1] ?? '–'} ms + load generator ${ms[2] ?? '–'} ms = ${total} ms, so ${report.machine.cpus} cores give at most ${Math.floor((report.machine.cpus * 1000) / total)}/s at this cost` : '';
        return `- ${s.name}: CPU serving process ${cores(s.cpuCores.api)} / Postgres ${cores(s.cpuCores.postgres)} / load generator ${cores(s.cpuCores.loadGenerator)} cores${budget}${top ? `; costliest statement (${top.calls} calls, mean ${top.meanMs} ms): \`${top.sql.replace(/`/g, "'")}\`` : '; no SQL'}`;
      }),
  ];
  return lines.join('\n').trimEnd();
}

/** The start of the target text that names a scenario (to list what limits a missed target). */
function targetScenario(key: string): string {
  return (
    {
      search: 'word search',
      typo: 'typo search',
      analytics: 'seller analytics',
      list: 'product list',
      detail: 'product detail',
      checkout: 'checkout ≥ 500',
      hot: 'checkout ≥ 300',
    } as Record<string, string>
  )[key] ?? '\u0000';
}
