import type { Handlers } from '../../http/handler.ts';
import type { CartService } from './service.ts';

export function cartHandlers(cart: CartService): Handlers<'getCart' | 'addCartItem' | 'updateCartItem' | 'removeCartItem'> {
  return {
    getCart: async ({ user }) => ({ status: 200, body: await cart.get(user()) }),
    addCartItem: async ({ user, body }) => ({ status: 200, body: await cart.add(user(), body.variantId, body.quantity) }),
    updateCartItem: async ({ user, params, body }) => ({ status: 200, body: await cart.setQuantity(user(), params.id, body.quantity) }),
    removeCartItem: async ({ user, params }) => ({ status: 200, body: await cart.remove(user(), params.id) }),
  };
}
