/**
 * The awareness client ids one peer introduced into a room over its connection's life (bounded by
 * its maxIds). A stock client introduces exactly one id, so that is kept as a bare number; a Set
 * appears only from the second id (a Set costs ~150 bytes, and there is one per connection).
 */
export type ControlledIds = number | Set<number> | null;

export function addControlledId(ids: ControlledIds, id: number): ControlledIds {
  if (ids === null || ids === id) return id;
  if (typeof ids === 'number') return new Set([ids, id]);
  return ids.add(id);
}

export function controlledIdList(ids: ControlledIds): number[] {
  if (ids === null) return [];
  return typeof ids === 'number' ? [ids] : [...ids];
}
