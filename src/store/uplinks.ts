// Uplink slots: each range with NAT egress takes one slot, an index into the pool of /30 uplinks.
import { sql } from 'kysely';
import { type Backend, type Db, all, first, transaction } from './db.js';

/**
 * The range's uplink slot: the one it holds, or the lowest free slot ≥ 0, taken in one transaction
 * that excludes other allocators (SQLite IMMEDIATE; on PostgreSQL the table locked against
 * writers), so two processes never share one. Freed when the range is deleted (cascade).
 */
export function allocateUplinkSlot(b: Backend, rangeId: number): Promise<number> {
  return transaction(b, async (db) => {
    if (b.dialect === 'postgres') await sql`LOCK TABLE uplinks IN SHARE ROW EXCLUSIVE MODE`.execute(db);
    const have = await first(db.selectFrom('uplinks').select('slot').where('range_id', '=', rangeId));
    if (have) return have.slot;
    const used = (await all(db.selectFrom('uplinks').select('slot').orderBy('slot'))).map((r) => r.slot);
    let slot = 0;
    for (const s of used) {
      if (s !== slot) break;
      slot++;
    }
    await db.insertInto('uplinks').values({ range_id: rangeId, slot }).execute();
    return slot;
  });
}

/** The range's uplink slot, or null when it holds none. */
export async function uplinkSlotOf(db: Db, rangeId: number): Promise<number | null> {
  return (await first(db.selectFrom('uplinks').select('slot').where('range_id', '=', rangeId)))?.slot ?? null;
}
