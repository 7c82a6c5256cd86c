import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

describe('npm run bench', function () {
  this.timeout(300_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'pasar-bench-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('should build a dataset, run every scenario and report them, without overselling the hot variant', () => {
    const script = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, BENCH_DATA_DIR: path.join(dir, 'data') };
    delete env.DATABASE_URL; // the smoke run uses its own embedded database
    const run = spawnSync(
      process.execPath,
      [script, '--products', '300', '--stores', '5', '--shoppers', '120', '--orders', '400', '--duration', '1', '--connections', '4', '--out', path.join(dir, 'out')],
      { env, encoding: 'utf8', timeout: 280_000 },
    );
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    const report = JSON.parse(readFileSync(path.join(dir, 'out', 'latest.json'), 'utf8'));
    expect(report.scenarios.map((s: { name: string }) => s.name)).to.have.length(9);
    for (const scenario of report.scenarios) {
      expect(scenario.requests, scenario.name).to.be.above(0);
      expect(scenario.errors, scenario.name).to.equal(0);
    }
    expect(report.scenarios[1].sqlPerRequest, 'product list: bounded SQL').to.be.at.most(3);
    expect(report.hotVariant).to.include({ oversold: false, initialStock: 36, finalStock: 0, sold: 36, created: 36 });
    expect(readFileSync(path.join(dir, 'out', 'latest.md'), 'utf8')).to.include('| scenario | req/s |');
  });
});
