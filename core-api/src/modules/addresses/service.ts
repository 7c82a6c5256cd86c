import type { Knex } from 'knex';
import type { components } from '@pasar/openapi/schema';
import type { AuthUser } from '../../domain/caller.ts';
import { invalid, malformed, notFound } from '../../domain/errors.ts';
import type { Place, RegionsService } from '../regions/index.ts';
import { Address } from './models/address.ts';

type Schemas = components['schemas'];
export type AddressJson = Schemas['Address'];
/** An order's address: who, where, and the city by code with its names. */
export type ShippingAddress = Schemas['ShippingAddress'] & Place;

const MAX_ADDRESSES = 20;

/**
 * A shopper's saved addresses. Exactly one is the default whenever any exist: every change takes the
 * user's row lock first, so concurrent changes of one shopper's addresses run one after another.
 */
export class AddressesService {
  private readonly db: Knex;
  private readonly regions: RegionsService;

  constructor(db: Knex, regions: RegionsService) {
    this.db = db;
    this.regions = regions;
  }

  private async toJson(row: Address): Promise<AddressJson> {
    const place = await this.regions.place(row.cityCode, '/cityCode');
    return {
      id: row.id,
      label: row.label,
      recipient: row.recipient,
      phone: row.phone,
      street: row.street,
      ...place,
      postalCode: row.postalCode,
      isDefault: row.isDefault,
      createdAt: row.createdAt.toISOString(),
    };
  }

  async list(caller: AuthUser): Promise<{ items: AddressJson[] }> {
    const rows = await Address.query(this.db).where({ userId: caller.id }).orderBy([{ column: 'isDefault', order: 'desc' }, { column: 'createdAt', order: 'desc' }, { column: 'id' }]);
    return { items: await Promise.all(rows.map((r) => this.toJson(r))) };
  }

  /** Saves an address in the caller's transaction (checkout's `saveAddress` uses it too). */
  async create(caller: AuthUser, input: Schemas['NewAddress'], db: Knex = this.db): Promise<AddressJson> {
    await this.regions.place(input.cityCode, '/cityCode', input.provinceCode, '/provinceCode');
    const run = async (trx: Knex.Transaction) => {
      await trx('users').where({ id: caller.id }).forUpdate().first('id');
      const count = await Address.query(trx).where({ userId: caller.id }).resultSize();
      if (count >= MAX_ADDRESSES) {
        throw invalid(`You can keep at most ${MAX_ADDRESSES} addresses; delete one first.`, [{ pointer: '', message: `at most ${MAX_ADDRESSES} addresses` }]);
      }
      const isDefault = count === 0 || input.isDefault === true;
      if (isDefault) await Address.query(trx).where({ userId: caller.id, isDefault: true }).patch({ isDefault: false });
      const row = await Address.query(trx)
        .insert({
          userId: caller.id,
          label: input.label?.trim() ?? '',
          recipient: input.recipient.trim(),
          phone: input.phone,
          street: input.street.trim(),
          cityCode: input.cityCode,
          postalCode: input.postalCode,
          isDefault,
        })
        .returning('*');
      return this.toJson(row);
    };
    return db.isTransaction ? run(db as Knex.Transaction) : db.transaction(run);
  }

  async update(caller: AuthUser, id: string, patch: Schemas['AddressPatch']): Promise<AddressJson> {
    return this.db.transaction(async (trx) => {
      await trx('users').where({ id: caller.id }).forUpdate().first('id');
      const row = await Address.query(trx).findOne({ id, userId: caller.id });
      if (!row) throw notFound('address');
      if (patch.cityCode !== undefined || patch.provinceCode !== undefined) {
        await this.regions.place(patch.cityCode ?? row.cityCode, patch.cityCode !== undefined ? '/cityCode' : '/provinceCode', patch.provinceCode, '/provinceCode');
      }
      if (patch.isDefault === false && row.isDefault) {
        throw invalid('One address is always the default; make another address the default instead.', [{ pointer: '/isDefault', message: 'must stay true on the default address' }]);
      }
      if (patch.isDefault === true && !row.isDefault) await Address.query(trx).where({ userId: caller.id, isDefault: true }).patch({ isDefault: false });
      const updated = await Address.query(trx)
        .patchAndFetchById(id, {
          ...(patch.label !== undefined ? { label: patch.label.trim() } : {}),
          ...(patch.recipient !== undefined ? { recipient: patch.recipient.trim() } : {}),
          ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
          ...(patch.street !== undefined ? { street: patch.street.trim() } : {}),
          ...(patch.cityCode !== undefined ? { cityCode: patch.cityCode } : {}),
          ...(patch.postalCode !== undefined ? { postalCode: patch.postalCode } : {}),
          ...(patch.isDefault ? { isDefault: true } : {}),
          updatedAt: trx.fn.now(),
        });
      return this.toJson(updated);
    });
  }

  async remove(caller: AuthUser, id: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('users').where({ id: caller.id }).forUpdate().first('id');
      const [gone] = await Address.query(trx).where({ id, userId: caller.id }).delete().returning('isDefault');
      if (!gone) throw notFound('address');
      if (gone.isDefault) {
        const next = await Address.query(trx).where({ userId: caller.id }).orderBy([{ column: 'createdAt', order: 'desc' }, { column: 'id', order: 'desc' }]).first().select('id');
        if (next) await Address.query(trx).findById(next.id).patch({ isDefault: true });
      }
    });
  }

  /**
   * The address an order ships to: a saved one (`addressId`, pointer `/addressId`) or the inline
   * one, by city code or, from older clients, by city name.
   */
  async shippingAddress(caller: AuthUser, input: { addressId?: string; shippingAddress?: Schemas['ShippingAddressInput'] }, db: Knex = this.db): Promise<ShippingAddress> {
    if (input.addressId) {
      const row = await Address.query(db).findOne({ id: input.addressId, userId: caller.id });
      if (!row) throw invalid('There is no saved address with this id.', [{ pointer: '/addressId', message: 'must be one of your saved addresses (GET /me/addresses)' }]);
      const { id: _id, label: _label, isDefault: _default, createdAt: _created, ...address } = await this.toJson(row);
      return address;
    }
    const a = input.shippingAddress!;
    if (!a.cityCode && !a.city) throw malformed('The request has invalid fields; see errors.', [{ pointer: '/shippingAddress/cityCode', message: 'is required (a city code from GET /regions/{provinceCode})' }]);
    const place = a.cityCode
      ? await this.regions.place(a.cityCode, '/shippingAddress/cityCode', a.provinceCode, '/shippingAddress/provinceCode')
      : await this.regions.placeByName(a.city!, '/shippingAddress/city', a.province);
    if (!a.cityCode && a.provinceCode && a.provinceCode !== place.provinceCode) await this.regions.place(place.cityCode, '/shippingAddress/city', a.provinceCode, '/shippingAddress/provinceCode');
    return { recipient: a.recipient.trim(), phone: a.phone, street: a.street.trim(), ...place, postalCode: a.postalCode };
  }
}
