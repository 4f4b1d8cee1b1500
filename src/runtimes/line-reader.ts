/**
 * Splits a byte stream from a guest or container into lines without trusting it: each chunk is
 * scanned once, and a line longer than `maxLine` bytes is cut — its bytes are dropped up to the
 * next newline and `onOverflow` says so — so a peer that never sends a newline cannot make us
 * hold more than `maxLine` bytes.
 */
export class LineReader {
  private parts: Buffer[] = [];
  private held = 0;
  private dropping = false;

  constructor(
    private readonly maxLine: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (bytes: number) => void = () => {},
  ) {}

  /** Feeds the next chunk; calls `onLine` for every complete line in it. */
  push(chunk: Buffer | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      const piece = buf.subarray(start, nl);
      if (this.dropping) {
        this.dropping = false;
        this.onOverflow(this.held + piece.length);
      } else if (this.held + piece.length > this.maxLine) this.onOverflow(this.held + piece.length);
      else this.onLine(Buffer.concat([...this.parts, piece]).toString());
      this.parts = [];
      this.held = 0;
      start = nl + 1;
    }
    const rest = buf.subarray(start);
    if (rest.length === 0) return;
    if (this.dropping || this.held + rest.length > this.maxLine) {
      // Too long already: keep counting, hold nothing.
      this.dropping = true;
      this.held += rest.length;
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(rest));
    this.held += rest.length;
  }
}
