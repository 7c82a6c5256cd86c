import type { Handlers } from '../../http/handler.ts';
import type { AddressesService } from './service.ts';

type AddressOps = 'listMyAddresses' | 'createMyAddress' | 'updateMyAddress' | 'deleteMyAddress';

export function addressHandlers(addresses: AddressesService): Handlers<AddressOps> {
  return {
    listMyAddresses: async ({ user }) => ({ status: 200, body: await addresses.list(user()) }),
    createMyAddress: async ({ user, body }) => ({ status: 201, body: await addresses.create(user(), body) }),
    updateMyAddress: async ({ user, params, body }) => ({ status: 200, body: await addresses.update(user(), params.id, body) }),
    deleteMyAddress: async ({ user, params }) => {
      await addresses.remove(user(), params.id);
      return { status: 204, body: undefined };
    },
  };
}
