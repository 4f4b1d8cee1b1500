import { randomBytes } from 'node:crypto';
import { hashToken } from '../engine/index.js';

/** What a ticket stands for: the token it was asked for with, so revoking that token kills it too. */
export interface TicketGrant {
  readonly tokenId: number;
  readonly userId: number;
}

interface Entry extends TicketGrant {
  readonly expires: number;
}

/**
 * Short-lived single-use tickets for the two requests a browser cannot put a header on
 * (WebSocket upgrades and EventSource): the long-lived token never travels in a URL. Kept in
 * memory, by hash, bounded per user and in total.
 */
export class TicketBook {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly ttlS = 30,
    private readonly perUser = 64,
    private readonly max = 10_000,
  ) {}

  /** A new ticket for `grant`, valid for `ttlS` seconds and one use. */
  issue(grant: TicketGrant, now = Date.now()): string {
    this.prune(now);
    const mine = [...this.entries].filter(([, e]) => e.userId === grant.userId);
    // A user asking for many drops their oldest; nobody can fill the book for others.
    for (const [k] of mine.slice(0, Math.max(0, mine.length - this.perUser + 1))) this.entries.delete(k);
    if (this.entries.size >= this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    const ticket = `cyt_${randomBytes(24).toString('base64url')}`;
    this.entries.set(hashToken(ticket), { ...grant, expires: now + this.ttlS * 1000 });
    return ticket;
  }

  /** The grant of a valid ticket, used up by this call; null when unknown, used or expired. */
  consume(ticket: string, now = Date.now()): TicketGrant | null {
    const key = hashToken(ticket);
    const e = this.entries.get(key);
    if (!e) return null;
    this.entries.delete(key);
    return e.expires > now ? { tokenId: e.tokenId, userId: e.userId } : null;
  }

  private prune(now: number): void {
    for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
  }
}
