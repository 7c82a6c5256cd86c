import type { Context } from 'koa';
import type { Config } from '../../config.ts';
import type { Handlers } from '../../http/handler.ts';
import { takeUpload } from '../../http/multipart.ts';
import { badRequest } from '../../http/problem.ts';
import type { AccountsService, Session } from './service.ts';
import type { StoreLogoService } from './store-logo.ts';

const COOKIE = 'pasar_refresh';

type AccountOps = 'register' | 'login' | 'refreshSession' | 'logout' | 'getMe' | 'updateMe' | 'changePassword' | 'getMyStore';

export function accountHandlers(accounts: AccountsService, config: Config): Handlers<AccountOps> {
  const cookieOptions = {
    httpOnly: true,
    secure: config.auth.secureCookies,
    sameSite: 'strict' as const,
    path: '/auth',
    overwrite: true,
  };

  /** Browser apps ask for the refresh token as an httpOnly cookie; partners get it in the body. */
  const deliver = (ctx: Context, session: Session, asCookie: boolean) => {
    if (!asCookie) return { ...session, tokenType: 'Bearer' as const };
    ctx.cookies.set(COOKIE, session.refreshToken, { ...cookieOptions, maxAge: config.auth.refreshTokenTtlDays * 86_400_000 });
    const { refreshToken: _kept, ...rest } = session;
    return { ...rest, tokenType: 'Bearer' as const };
  };

  const presented = (ctx: Context, body: { refreshToken?: string } | undefined) => body?.refreshToken ?? ctx.cookies.get(COOKIE);

  return {
    register: async ({ body, query, ctx }) => ({
      status: 201,
      body: deliver(ctx, await accounts.register(body, ctx.ip), query.refreshToken === 'cookie'),
    }),

    login: async ({ body, query, ctx }) => ({
      status: 200,
      body: deliver(ctx, await accounts.login(body.email, body.password, ctx.ip), query.refreshToken === 'cookie'),
    }),

    refreshSession: async ({ body, query, ctx }) => {
      const token = presented(ctx, body);
      if (!token) throw badRequest('Send the refresh token in the body or the pasar_refresh cookie.', [{ pointer: '/refreshToken', message: 'is required' }]);
      const asCookie = query.refreshToken === 'cookie' || (!body?.refreshToken && Boolean(ctx.cookies.get(COOKIE)));
      return { status: 200, body: deliver(ctx, await accounts.refresh(token), asCookie) };
    },

    logout: async ({ body, ctx }) => {
      const token = presented(ctx, body);
      if (token) await accounts.logout(token);
      ctx.cookies.set(COOKIE, null, cookieOptions);
      return { status: 204, body: undefined };
    },

    getMe: async ({ user }) => ({ status: 200, body: await accounts.me(user()) }),

    updateMe: async ({ user, body }) => ({ status: 200, body: await accounts.updateMe(user(), body) }),

    changePassword: async ({ user, body }) => {
      await accounts.changePassword(user(), body.currentPassword, body.newPassword);
      return { status: 204, body: undefined };
    },

    getMyStore: async ({ user }) => ({ status: 200, body: await accounts.myStore(user()) }),
  };
}

export function storeLogoHandlers(logos: StoreLogoService): Handlers<'uploadStoreLogo' | 'deleteStoreLogo'> {
  return {
    uploadStoreLogo: async ({ user, ctx }) => ({ status: 200, body: await logos.upload(user(), await takeUpload(ctx, 'file')) }),
    deleteStoreLogo: async ({ user }) => {
      await logos.remove(user());
      return { status: 204, body: undefined };
    },
  };
}
