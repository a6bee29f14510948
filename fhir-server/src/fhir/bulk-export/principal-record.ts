import type { Principal } from '../../auth/principal';

/** A principal as JSON (its parsed scopes hold Sets), to run a stored job as its owner. */
export function principalToJson(principal: Principal): unknown {
  return JSON.parse(JSON.stringify(principal, (_key, value: unknown) => (value instanceof Set ? { $set: [...value] } : value)));
}

export function principalFromJson(json: unknown): Principal {
  return JSON.parse(JSON.stringify(json), (_key, value: unknown) =>
    value && typeof value === 'object' && Array.isArray((value as { $set?: unknown }).$set)
      ? new Set((value as { $set: unknown[] }).$set)
      : value,
  ) as Principal;
}
