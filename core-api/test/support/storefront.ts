import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/platform/embedded/ports.ts';

const entry = fileURLToPath(new URL('../../../storefront/dist/server/entry.mjs', import.meta.url));

export interface RunningStorefront {
  url: string;
  /** What the server printed (its errors show here). */
  output(): string;
  stop(): Promise<void>;
}

/** The built storefront (`npm test` builds it first) on a free port, talking to `apiUrl`. */
export async function startStorefront(apiUrl: string, env: Record<string, string> = {}): Promise<RunningStorefront> {
  if (!existsSync(entry)) throw new Error('run `npm run build -w storefront` first');
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, PASAR_API_URL: apiUrl, HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('listening')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`storefront exited with ${code}:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
    },
  };
}
