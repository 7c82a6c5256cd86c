import type { Logger } from 'pino';
import type { Platform } from './platform/index.ts';

const FLAG = 'demoSeededAt';

interface AppSetting {
  key: string;
  value: string;
}

/** Loads the demo data once, on the first start of an empty database; a later start keeps what is there. */
export async function seedOnFirstStart(platform: Platform, log: Logger): Promise<boolean> {
  const done = await platform.db<AppSetting>('app_settings').where({ key: FLAG }).first();
  if (done) return false;
  const { seedDemo } = await import('../../seeds/demo.ts');
  const started = performance.now();
  await seedDemo({ knex: platform.db, storage: platform.storage, log: (msg: string) => log.info(msg) });
  await platform.db<AppSetting>('app_settings').insert({ key: FLAG, value: JSON.stringify(new Date().toISOString()) });
  log.info({ ms: Math.round(performance.now() - started) }, 'demo data loaded');
  return true;
}
