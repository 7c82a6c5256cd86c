import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import bcrypt from 'bcrypt';
import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { Config } from '../../config.ts';
import { mediaUrl, type MediaUrls } from '../../domain/media.ts';
import type { AuthUser } from '../../domain/caller.ts';
import { conflict, invalid, malformed, unauthenticated } from '../../domain/errors.ts';
import { firstFreeSlug, numberedSlugPattern, slugOf } from '../../domain/text.ts';
import { signAccessTokenAt } from '../../domain/access-token.ts';
import { isUniqueViolation } from '../../platform/db/errors.ts';
import { enqueue } from '../outbox/index.ts';
import type { Place, RegionsService } from '../regions/index.ts';
import { AccountLimits } from './limits.ts';
import { sellerStore, sellerStoreId } from './seller-store.ts';
import type { SessionRegistry } from './sessions.ts';
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

/** A second tab refreshing with the token the first tab just rotated gets the first tab's new pair. */
export const REFRESH_REUSE_GRACE_MS = 10_000;

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
  private readonly limits: AccountLimits;
  private readonly sessions: SessionRegistry;
  /** Compared against when the email is unknown, so both failures cost the same time. */
  private readonly dummyHash: string;

  constructor(db: Knex, config: Config, regions: RegionsService, sessions: SessionRegistry) {
    this.db = db;
    this.config = config;
    this.regions = regions;
    this.sessions = sessions;
    this.limits = new AccountLimits(db, config.rateLimit);
    this.dummyHash = bcrypt.hashSync(randomBytes(16).toString('hex'), config.auth.bcryptRounds);
  }

  async register(input: Schemas['RegisterRequest'], ip: string): Promise<Session> {
    const problems = passwordProblems(input.password, input.email, '/password');
    if (input.role === 'customer' && input.store) problems.push({ pointer: '/store', message: 'only sellers open a store' });
    if (problems.length) throw malformed('The request has invalid fields; see errors.', problems);
    const place = input.store ? await this.storePlace(input.store, '/store') : undefined;
    await this.limits.registration(ip);

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
        throw conflict('An account with this email already exists.', { errors: [{ pointer: '/email', message: 'is already registered' }] });
      }
      if (isUniqueViolation(err, 'stores_slug_unique')) {
        throw conflict('Another store was just opened with this name; try again.', { errors: [{ pointer: '/store/name', message: 'is being taken' }] });
      }
      throw err;
    }
  }

  /** `toko-batik-sari`, or `toko-batik-sari-2` and so on when taken. The slug never changes afterwards. */
  private async freeSlug(trx: Knex.Transaction, name: string): Promise<string> {
    const base = slugOf(name, 60, 'toko');
    const taken = await Store.query(trx).where('slug', base).orWhere('slug', '~', numberedSlugPattern(base)).select('slug');
    return firstFreeSlug(base, taken.map((s) => s.slug));
  }

  async login(email: string, password: string, ip: string): Promise<Session> {
    const account = email.trim().toLowerCase();
    const attempt = await this.limits.login(account, ip);
    const user = await User.query(this.db).whereRaw('lower(email) = ?', [account]).first();
    const matches = await bcrypt.compare(password, user?.passwordHash ?? this.dummyHash);
    if (!user || !matches) throw unauthenticated('The email or password is wrong.');
    await attempt.release();
    const store = await Store.query(this.db).findOne({ ownerId: user.id });
    return this.issueSession(this.db, user, store, randomUUID());
  }

  /** The refresh token that rotation issues for `token`: derived, so a second tab presenting `token` again gets the same one. */
  private successorOf(token: string): string {
    return createHmac('sha256', this.config.auth.jwtSecret).update(`refresh-successor:${token}`).digest('base64url');
  }

  /**
   * Rotation with reuse detection: a token works once. Presenting it again within
   * REFRESH_REUSE_GRACE_MS of its rotation (two tabs refreshing at once) answers the same new pair;
   * later, it means the token was copied, so the whole family (every token descended from that
   * login) is revoked.
   */
  async refresh(token: string): Promise<Session> {
    const outcome = await this.db.transaction(async (trx) => {
      const row = await RefreshToken.query(trx).findOne({ tokenHash: sha256(token) }).forUpdate();
      if (!row || row.revokedAt) return 'The refresh token is not valid.';
      const user = await User.query(trx).findById(row.userId);
      if (!user) return 'The refresh token is not valid.';
      const store = await Store.query(trx).findOne({ ownerId: user.id });
      if (row.usedAt) {
        const successorToken = this.successorOf(token);
        const successor = await RefreshToken.query(trx).findOne({ tokenHash: sha256(successorToken) });
        if (successor && !successor.revokedAt && Date.now() - row.usedAt.getTime() <= REFRESH_REUSE_GRACE_MS) {
          return this.sessionOf(user, store, row.familyId, successorToken, successor.createdAt);
        }
        await RefreshToken.query(trx).patch({ revokedAt: new Date() }).where({ familyId: row.familyId }).whereNull('revokedAt');
        return 'The refresh token was already used; this session has been signed out everywhere.';
      }
      if (row.expiresAt.getTime() <= Date.now()) return 'The refresh token has expired; sign in again.';
      await RefreshToken.query(trx).patchAndFetchById(row.id, { usedAt: new Date() });
      return this.issueSession(trx, user, store, row.familyId, this.successorOf(token));
    });
    if (typeof outcome === 'string') throw unauthenticated(outcome);
    return outcome;
  }

  async logout(token: string): Promise<void> {
    const row = await RefreshToken.query(this.db).findOne({ tokenHash: sha256(token) });
    if (!row) return;
    await RefreshToken.query(this.db).patch({ revokedAt: new Date() }).where({ familyId: row.familyId }).whereNull('revokedAt');
    this.sessions.forgetUser(row.userId);
  }

  async me(caller: AuthUser): Promise<{ user: UserJson; store?: StoreJson }> {
    const user = await User.query(this.db).findById(caller.id);
    if (!user) throw unauthenticated('This account no longer exists.');
    const store = await Store.query(this.db).findOne({ ownerId: user.id });
    return { user: toUserJson(user), ...(store ? { store: await this.storeJson(store) } : {}) };
  }

  async updateMe(caller: AuthUser, patch: Schemas['UpdateMeRequest']): Promise<{ user: UserJson; store?: StoreJson }> {
    if (patch.store && caller.role !== 'seller') {
      throw malformed('The request has invalid fields; see errors.', [{ pointer: '/store', message: 'only sellers have a store' }]);
    }
    await this.db.transaction(async (trx) => {
      const fields = { ...(patch.name ? { name: patch.name.trim() } : {}), ...(patch.locale ? { locale: patch.locale, localeChosen: true } : {}) };
      if (Object.keys(fields).length) await User.query(trx).patch({ ...fields, updatedAt: new Date() }).where({ id: caller.id });
      if (patch.store) {
        const { name, description } = patch.store;
        const place = patch.store.cityCode || patch.store.location ? await this.storePlace(patch.store, '/store') : undefined;
        if (name) {
          // the store's name is part of each product's search document
          const storeId = await sellerStoreId(trx, caller);
          const productIds = await trx('products').where({ storeId }).pluck<string[]>('id');
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
    if (!user) throw unauthenticated('This account no longer exists.');
    const attempt = await this.limits.passwordCheck(user.id);
    if (!(await bcrypt.compare(currentPassword, user.passwordHash))) {
      throw invalid('The current password is wrong.', [{ pointer: '/currentPassword', message: 'is not your current password' }]);
    }
    await attempt.release();
    const problems = passwordProblems(newPassword, user.email, '/newPassword');
    if (newPassword === currentPassword) problems.push({ pointer: '/newPassword', message: 'must differ from the current password' });
    if (problems.length) throw malformed('The request has invalid fields; see errors.', problems);
    const passwordHash = await bcrypt.hash(newPassword, this.config.auth.bcryptRounds);
    await this.db.transaction(async (trx) => {
      await User.query(trx).patch({ passwordHash, updatedAt: new Date() }).where({ id: user.id });
      await RefreshToken.query(trx)
        .patch({ revokedAt: new Date() })
        .where({ userId: user.id })
        .whereNot({ familyId: caller.sessionId })
        .whereNull('revokedAt');
    });
    this.sessions.forgetUser(user.id);
  }

  async myStore(caller: AuthUser): Promise<StoreJson> {
    return this.storeJson(await sellerStore(this.db, caller));
  }

  private async storeJson(store: Store): Promise<StoreJson> {
    return toStoreJson(store, store.cityCode ? await this.regions.place(store.cityCode, '') : null, this.config);
  }

  /** A store's city: by code, or (older clients) by name. */
  private storePlace(store: { cityCode?: string; location?: string }, pointer: string): Promise<Place> {
    if (!store.cityCode && !store.location) throw malformed('The request has invalid fields; see errors.', [{ pointer: `${pointer}/cityCode`, message: 'is required (a city code from GET /regions/{provinceCode})' }]);
    return store.cityCode
      ? this.regions.place(store.cityCode, `${pointer}/cityCode`)
      : this.regions.placeByName(store.location!, `${pointer}/location`);
  }

  private async issueSession(db: Knex, user: User, store: Store | undefined, familyId: string, refreshToken = randomBytes(32).toString('base64url')): Promise<Session> {
    const issuedAt = new Date();
    await RefreshToken.query(db).insert({
      userId: user.id,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: new Date(issuedAt.getTime() + this.config.auth.refreshTokenTtlDays * 86_400_000),
      createdAt: issuedAt,
    });
    return this.sessionOf(user, store, familyId, refreshToken, issuedAt);
  }

  /** The pair for a refresh token issued at `issuedAt`: the same inputs sign the same access token. */
  private async sessionOf(user: User, store: Store | undefined, familyId: string, refreshToken: string, issuedAt: Date): Promise<Session> {
    const { accessTokenTtlSeconds, jwtSecret } = this.config.auth;
    return {
      user: toUserJson(user),
      ...(store ? { store: await this.storeJson(store) } : {}),
      accessToken: signAccessTokenAt({ id: user.id, role: user.role, sessionId: familyId }, jwtSecret, accessTokenTtlSeconds, issuedAt, user.localeChosen ? user.locale : undefined),
      refreshToken,
      expiresIn: accessTokenTtlSeconds,
    };
  }
}
