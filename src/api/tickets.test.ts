import { describe, expect, it } from 'vitest';
import { TicketBook } from './tickets.js';

describe('TicketBook', () => {
  const grant = { tokenId: 7, userId: 3 };

  it('gives each ticket one use', () => {
    const book = new TicketBook();
    const t = book.issue(grant, 1000);
    expect(t).toMatch(/^cyt_[A-Za-z0-9_-]{32}$/);
    expect(book.consume(t, 1001)).toEqual(grant);
    expect(book.consume(t, 1002)).toBeNull();
  });

  it.each([
    [29_999, true],
    [30_000, false],
    [60_000, false],
  ])('a ticket used %i ms after issue works: %s', (after, works) => {
    const book = new TicketBook(30);
    const t = book.issue(grant, 0);
    expect(book.consume(t, after) !== null).toBe(works);
  });

  it('refuses unknown tickets', () => {
    expect(new TicketBook().consume('cyt_nope')).toBeNull();
  });

  it('bounds what one user holds (oldest dropped) without touching others', () => {
    const book = new TicketBook(30, 3);
    const other = book.issue({ tokenId: 1, userId: 1 }, 0);
    const mine = [1, 2, 3, 4].map((i) => book.issue(grant, i));
    expect(book.consume(mine[0] as string, 10)).toBeNull();
    for (const t of mine.slice(1)) expect(book.consume(t, 10)).toEqual(grant);
    expect(book.consume(other, 10)).toEqual({ tokenId: 1, userId: 1 });
  });

  it('bounds the whole book', () => {
    const book = new TicketBook(30, 64, 5);
    const ts = Array.from({ length: 8 }, (_, i) => book.issue({ tokenId: i, userId: i }, i));
    expect(ts.filter((t) => book.consume(t, 10) !== null)).toHaveLength(5);
  });
});
