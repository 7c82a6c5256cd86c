import { createHash, randomBytes, randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import slugify from 'slugify';
import type { components } from '@pasar/openapi/schema';
import type { Config } from '../../config.ts';
import type { AuthUser } from '../../http/handler.ts';
import { signAccessToken } from '../../http/auth.ts';
import { ProblemError, badRequest, conflict, unauthorized, unprocessable } from '../../http/problem.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { mediaUrl, type MediaUrls } from '../catalog/media.ts';
import { enqueue } from '../outbox/outbox.ts';
import type { Place, RegionsService } from '../regions/service.ts';
import { LoginLimiter } from './login-limiter.ts';
import { RefreshToken } from './models/refresh-token.ts';
import { Store } from './models/store.ts';
import { User } from './models/user.ts';

type Schemas = components['schemas'];
export type UserJson = Schemas['User'];
export type StoreJson = Schemas['Store'];

export interface Session {
  user: UserJson;
  store?: StoreJson;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export const toUserJson = (u: User): UserJson => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  locale: u.locale,
  createdAt: u.createdAt.toISOString(),
});

export const toStoreJson = (s: Store, place: Place | null, media: MediaUrls): StoreJson => ({
  id: s.id,
  name: s.name,
  slug: s.slug,
  location: place?.city ?? s.location,
  cityCode: place?.cityCode ?? null,
  province: place?.province ?? null,
  provinceCode: place?.provinceCode ?? null,
  description: s.description,
  timezone: s.timezone,
  ...(s.logoKey ? { logoUrl: mediaUrl(media, s.logoKey) } : {}),
  createdAt: s.createdAt.toISOString(),
});

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

function passwordProblems(password: string, email: string, pointer: string) {
  const lowered = password.toLowerCase();
  const address = email.trim().toLowerCase();
  if (lowered === address || lowered === address.split('@')[0]) {
    return [{ pointer, message: 'must not be your email address' }];
  }
  return [];
}

export class AccountsService {
  private readonly db: Knex;
  private readonly config: Config;
  private readonly regions: RegionsService;
  private readonly limiter: LoginLimiter;
  /** Compared against when the email is unknown, so both failures cost the same time. */
  private readonly dummyHash: string;

  constructor(db: Knex, config: Config, regions: RegionsService) {
    this.db = db;
    this.config = config;
    this.regions = regions;
    this.limiter = new LoginLimiter(db, config.rateLimit);
    this.dummyHash = bcrypt.hashSync(randomBytes(16).toString('hex'), config.auth.bcryptRounds);
  }

  async register(input: Schemas['RegisterRequest']): Promise<Session> {
    const problems = passwordProblems(input.password, input.email, '/password');
    if (input.role === 'customer' && input.store) problems.push({ pointer: '/store', message: 'only sellers open a store' });
    if (problems.length) throw badRequest('The request has invalid fields; see errors.', problems);
    const place = input.store ? await this.storePlace(input.store, '/store') : undefined;

    const passwordHash = await bcrypt.hash(input.password, this.config.auth.bcryptRounds);
    try {
      return await this.db.transaction(async (trx) => {
        const user = await User.query(trx).insertAndFetch({
          email: input.email.trim(),
          passwordHash,
          name: input.name.trim(),
          role: input.role,
          locale: input.locale ?? 'id',
          localeChosen: input.locale !== undefined,
        });
        let store: Store | undefined;
        if (input.role === 'seller' && input.store) {
          store = await Store.query(trx).insertAndFetch({
            ownerId: user.id,
            name: input.store.name.trim(),
            slug: await this.freeSlug(trx, input.store.name),
            location: place!.city,
            cityCode: place!.cityCode,
            description: input.store.description ?? '',
          });
        }
        return this.issueSession(trx, user, store, randomUUID());
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_lower_unique')) {
        throw conflict('An account with this email already exists.', [{ pointer: '/email', message: 'is already registered' }]);
      }
      if (isUniqueViolation(err, 'stores_slug_unique')) {
        throw conflict('Another store was just opened with this name; try again.', [{ pointer: '/store/name', message: 'is being taken' }]);
      }
      throw err;
    }
  }

  /** `toko-batik-sari`, or `toko-batik-sari-2` and so on when taken. The slug never changes afterwards. */
  private async freeSlug(trx: Knex.Transaction, name: string): Promise<string> {
    const base = slugify.default(name, { lower: true, strict: true, locale: 'id' }).slice(0, 60) || 'toko';
    const taken = new Set(
      (await trx('stores').where('slug', base).orWhere('slug', '~', `^${base}-[0-9]+$`).pluck('slug')) as string[],
    );
    if (!taken.has(base)) return base;
    for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
  }

  async login(email: string, password: string, ip: string): Promise<Session> {
    const account = email.trim().toLowerCase();
    await this.limiter.attempt(account, ip);
    const user = await User.query(this.db).whereRaw('lower(email) = ?', [account]).first();
    const matches = await bcrypt.compare(password, user?.passwordHash ?? this.dummyHash);
    if (!user || !matches) {
      await this.limiter.failed(account);
      throw unauthorized('The email or password is wrong.');
    }
    await this.limiter.succeeded(account);
    const store = await Store.query(this.db).findOne({ ownerId: user.id });
    return this.issueSession(this.db, user, store, randomUUID());
  }

  /**
   * Rotation with reuse detection: a token works once. Presenting a used token means it was
   * copied, so the whole family (every token descended from that login) is revoked.
   */
  async refresh(token: string): Promise<Session> {
    const outcome = await this.db.transaction(async (trx) => {
      const row = await RefreshToken.query(trx).findOne({ tokenHash: sha256(token) }).forUpdate();
      if (!row || row.revokedAt) return 'The refresh token is not valid.';
      if (row.usedAt) {
        await RefreshToken.query(trx).patch({ revokedAt: new Date() }).where({ familyId: row.familyId }).whereNull('revokedAt');
        return 'The refresh token was already used; this session has been signed out everywhere.';
      }
      if (row.expiresAt.getTime() <= Date.now()) return 'The refresh token has expired; sign in again.';
      await RefreshToken.query(trx).patchAndFetchById(row.id, { usedAt: new Date() });
      const user = await User.query(trx).findById(row.userId);
      if (!user) return 'The refresh token is not valid.';
      const store = await Store.query(trx).findOne({ ownerId: user.id });
      return this.issueSession(trx, user, store, row.familyId);
    });
    if (typeof outcome === 'string') throw unauthorized(outcome);
    return outcome;
  }

  async logout(token: string): Promise<void> {
    const row = await RefreshToken.query(this.db).findOne({ tokenHash: sha256(token) });
    if (!row) return;
    await RefreshToken.query(this.db).patch({ revokedAt: new Date() }).where({ familyId: row.familyId }).whereNull('revokedAt');
  }

  async me(caller: AuthUser): Promise<{ user: UserJson; store?: StoreJson }> {
    const user = await User.query(this.db).findById(caller.id);
    if (!user) throw unauthorized('This account no longer exists.');
    const store = await Store.query(this.db).findOne({ ownerId: user.id });
    return { user: toUserJson(user), ...(store ? { store: await this.storeJson(store) } : {}) };
  }

  async updateMe(caller: AuthUser, patch: Schemas['UpdateMeRequest']): Promise<{ user: UserJson; store?: StoreJson }> {
    if (patch.store && caller.role !== 'seller') {
      throw badRequest('The request has invalid fields; see errors.', [{ pointer: '/store', message: 'only sellers have a store' }]);
    }
    await this.db.transaction(async (trx) => {
      const fields = { ...(patch.name ? { name: patch.name.trim() } : {}), ...(patch.locale ? { locale: patch.locale, localeChosen: true } : {}) };
      if (Object.keys(fields).length) await User.query(trx).patch({ ...fields, updatedAt: new Date() }).where({ id: caller.id });
      if (patch.store) {
        const { name, description } = patch.store;
        const place = patch.store.cityCode || patch.store.location ? await this.storePlace(patch.store, '/store') : undefined;
        if (name) {
          // the store's name is part of each product's search document
          const store = await trx('stores').where({ ownerId: caller.id }).first('id');
          const productIds: string[] = await trx('products').where({ storeId: store.id }).pluck('id');
          await enqueue(trx, 'catalog.product-changed', productIds.map((productId) => ({ productId })));
        }
        await Store.query(trx)
          .patch({
            ...(name ? { name: name.trim() } : {}),
            ...(place ? { location: place.city, cityCode: place.cityCode } : {}),
            ...(description !== undefined ? { description } : {}),
            updatedAt: new Date(),
          })
          .where({ ownerId: caller.id });
      }
    });
    return this.me(caller);
  }

  /** Changing the password signs out every other session of the user; this one stays. */
  async changePassword(caller: AuthUser, currentPassword: string, newPassword: string): Promise<void> {
    const user = await User.query(this.db).findById(caller.id);
    if (!user) throw unauthorized('This account no longer exists.');
    if (!(await bcrypt.compare(currentPassword, user.passwordHash))) {
      throw unprocessable('The current password is wrong.', [{ pointer: '/currentPassword', message: 'is not your current password' }]);
    }
    const problems = passwordProblems(newPassword, user.email, '/newPassword');
    if (newPassword === currentPassword) problems.push({ pointer: '/newPassword', message: 'must differ from the current password' });
    if (problems.length) throw badRequest('The request has invalid fields; see errors.', problems);
    const passwordHash = await bcrypt.hash(newPassword, this.config.auth.bcryptRounds);
    await this.db.transaction(async (trx) => {
      await User.query(trx).patch({ passwordHash, updatedAt: new Date() }).where({ id: user.id });
      await RefreshToken.query(trx)
        .patch({ revokedAt: new Date() })
        .where({ userId: user.id })
        .whereNot({ familyId: caller.sessionId })
        .whereNull('revokedAt');
    });
  }

  async myStore(caller: AuthUser): Promise<StoreJson> {
    const store = await Store.query(this.db).findOne({ ownerId: caller.id });
    if (!store) throw new ProblemError(404, 'This seller has no store.');
    return this.storeJson(store);
  }

  private async storeJson(store: Store): Promise<StoreJson> {
    return toStoreJson(store, store.cityCode ? await this.regions.place(store.cityCode, '') : null, this.config);
  }

  /** A store's city: by code, or (older clients) by name. */
  private storePlace(store: { cityCode?: string; location?: string }, pointer: string): Promise<Place> {
    if (!store.cityCode && !store.location) throw badRequest('The request has invalid fields; see errors.', [{ pointer: `${pointer}/cityCode`, message: 'is required (a city code from GET /regions/{provinceCode})' }]);
    return store.cityCode
      ? this.regions.place(store.cityCode, `${pointer}/cityCode`)
      : this.regions.placeByName(store.location!, `${pointer}/location`);
  }

  private async issueSession(db: Knex, user: User, store: Store | undefined, familyId: string): Promise<Session> {
    const refreshToken = randomBytes(32).toString('base64url');
    await RefreshToken.query(db).insert({
      userId: user.id,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(Date.now() + this.config.auth.refreshTokenTtlDays * 86_400_000),
    });
    const { accessTokenTtlSeconds, jwtSecret } = this.config.auth;
    return {
      user: toUserJson(user),
      ...(store ? { store: await this.storeJson(store) } : {}),
      accessToken: signAccessToken({ id: user.id, role: user.role, sessionId: familyId }, jwtSecret, accessTokenTtlSeconds, user.localeChosen ? user.locale : undefined),
      refreshToken,
      expiresIn: accessTokenTtlSeconds,
    };
  }
}
