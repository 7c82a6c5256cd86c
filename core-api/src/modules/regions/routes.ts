import type { Handlers } from '../../http/handler.ts';
import type { RegionsService } from './service.ts';

// regions change only with a migration (a deploy), so caches may keep them for an hour
const CACHE = { 'Cache-Control': 'public, max-age=3600' };

export function regionHandlers(regions: RegionsService): Handlers<'listProvinces' | 'getRegion'> {
  return {
    listProvinces: async () => ({ status: 200, body: await regions.provinces(), headers: CACHE }),
    getRegion: async ({ params }) => ({ status: 200, body: await regions.get(params.code), headers: CACHE }),
  };
}
