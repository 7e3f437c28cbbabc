import { customerModel } from './customer';
import { invoiceModel } from './invoice';
import type { EntityModel } from './model';
import { paymentModel } from './payment';

/** The entities the simulator serves; this object is the one list of them. */
export const ENTITY_MODELS = {
  customer: customerModel,
  invoice: invoiceModel,
  payment: paymentModel,
} satisfies Record<string, EntityModel>;

export type EntityName = keyof typeof ENTITY_MODELS;

export const ENTITY_NAMES = Object.keys(ENTITY_MODELS) as EntityName[];

export function isEntityName(value: unknown): value is EntityName {
  return typeof value === 'string' && Object.hasOwn(ENTITY_MODELS, value);
}

export type { EntityModel } from './model';
