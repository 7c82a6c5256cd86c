import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

describe('npm run bench', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'pasar-bench-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should build a dataset, run every scenario in interleaved rounds and report medians, spreads, memory and targets, without overselling', () => {
    const script = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, BENCH_DATA_DIR: path.join(dir, 'data') };
    delete env.DATABASE_URL; // the smoke run uses its own embedded database
    const run = spawnSync(
      process.execPath,
      [script, '--products', '300', '--stores', '5', '--shoppers', '120', '--orders', '400', '--duration', '0.5', '--min-samples', '20', '--runs', '2', '--connections', '4', '--out', path.join(dir, 'out')],
      { env, encoding: 'utf8', timeout: 280_000 },
    );
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    const report = JSON.parse(readFileSync(path.join(dir, 'out', 'latest.json'), 'utf8'));
    expect(report.commit).to.match(/^[0-9a-f]{40}$/);
    expect(report.machine.cpus).to.be.above(0);
    expect(report.scenarios.map((s: { key: string }) => s.key)).to.deep.equal(
      ['baseline', 'floor', 'list', 'detail', 'detailUncached', 'search', 'typo', 'searchFresh', 'cart', 'checkout', 'hot', 'analytics', 'health'],
    );
    for (const scenario of report.scenarios) {
      expect(scenario.runs.map((r: { round: number }) => r.round), scenario.name).to.deep.equal([1, 2]);
      expect(scenario.requests, scenario.name).to.be.above(0);
      expect(scenario.errors, scenario.name).to.equal(0);
      expect(Object.keys(scenario.statuses).filter((s) => s.startsWith('5')), scenario.name).to.deep.equal([]);
      expect(scenario.rps.min, scenario.name).to.be.at.most(scenario.rps.median);
      expect(scenario.rssMb, scenario.name).to.be.above(0);
      expect(scenario.apiRssMb.api, scenario.name).to.be.above(0);
      expect(scenario.apiRssMb.uncached, scenario.name).to.be.above(0);
    }
    const byKey = new Map(report.scenarios.map((s: { key: string }) => [s.key, s]));
    expect((byKey.get('list') as { sqlPerRequest: number }).sqlPerRequest, 'product list: bounded SQL').to.be.at.most(3);
    expect((byKey.get('floor') as { sqlPerRequest: number }).sqlPerRequest, 'the floor sends no SQL').to.equal(0);
    // each API process alone: the API as configured and the one with the answer cache off
    for (const role of ['api', 'uncached']) {
      expect(report.memory[role].maxMb, role).to.be.above(0);
      expect(report.memory[role].endMb, role).to.be.at.most(report.memory[role].maxMb);
    }
    expect(report.hotVariant).to.have.length(2);
    for (const hot of report.hotVariant) expect(hot).to.include({ oversold: false, initialStock: 36, finalStock: 0, sold: 36, created: 36 });
    const markdown = readFileSync(path.join(dir, 'out', 'latest.md'), 'utf8');
    expect(markdown).to.include('| scenario | req/s |');
    expect(markdown).to.include('| target | measured | met |');
    expect(markdown).to.include('| API process RSS < 300 MB across the whole bench |');
    expect(markdown).to.include('| cache-off API process RSS < 300 MB across the whole bench |');
    // a missed target says what it costs: CPU per answer by process, and the rate the cores could give at that cost
    if (markdown.includes('Not met:')) expect(markdown).to.match(/CPU per answer: serving process [\d.]+ ms \+ Postgres [\d.]+ ms \+ load generator [\d.]+ ms = [\d.]+ ms, so \d+ cores give at most \d+\/s/);
    expect(readdirSync(path.join(dir, 'out', 'history'))).to.have.length(1);
  });
});
