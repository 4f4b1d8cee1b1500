// Uplink slots: each range with NAT egress takes one slot, an index into the pool of /30 uplinks.
import { type SqliteConnection, all, exec, first, immediate, qb } from './db.js';

/**
 * The range's uplink slot: the one it holds, or the lowest free slot ≥ 0, taken in an immediate
 * transaction so two processes never share one. Freed when the range is deleted (cascade).
 */
export function allocateUplinkSlot(conn: SqliteConnection, rangeId: number): number {
  return immediate(conn, () => {
    const have = first(conn, qb.selectFrom('uplinks').select('slot').where('range_id', '=', rangeId));
    if (have) return have.slot;
    const used = all(conn, qb.selectFrom('uplinks').select('slot').orderBy('slot')).map((r) => r.slot);
    let slot = 0;
    for (const s of used) {
      if (s !== slot) break;
      slot++;
    }
    exec(conn, qb.insertInto('uplinks').values({ range_id: rangeId, slot }));
    return slot;
  });
}

/** The range's uplink slot, or null when it holds none. */
export function uplinkSlotOf(conn: SqliteConnection, rangeId: number): number | null {
  return first(conn, qb.selectFrom('uplinks').select('slot').where('range_id', '=', rangeId))?.slot ?? null;
}
