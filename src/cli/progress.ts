import type { EngineEvent } from '../engine/index.js';

/**
 * Renders engine events: on a terminal, a status line rewritten in place plus one line per
 * pulling image layer; otherwise plain lines (logs, CI, pipes). Output goes to stderr so
 * stdout stays for results.
 */
export function progressSink(stream: NodeJS.WriteStream = process.stderr): { sink: (e: EngineEvent) => void; end: () => void } {
  const tty = stream.isTTY === true;
  const running = new Set<string>();
  const layers = new Map<string, string>();
  let done = 0;
  let failed = 0;
  let drawn = 0;
  const clear = () => {
    for (let i = 0; i < drawn; i++) stream.write(i === 0 ? '\r\x1b[2K' : '\x1b[1A\x1b[2K');
    drawn = 0;
  };
  const draw = () => {
    clear();
    const width = (stream.columns ?? 100) - 1;
    const lines = [...layers.values()].slice(-6).map((l) => `  ${l}`.slice(0, width));
    const cur = [...running].slice(0, 3).join(', ');
    lines.push(`  ${done} done${failed ? `, ${failed} failed` : ''}${cur ? ` · ${cur}` : ''}`.slice(0, width));
    stream.write(lines.join('\n'));
    drawn = lines.length;
  };
  const sink = (e: EngineEvent) => {
    if (e.kind === 'progress') {
      const key = e.message.split(' ').slice(0, 2).join(' ');
      layers.set(key, `${e.step} ${e.message}`);
      if (tty) draw();
      else if (/complete|Downloaded newer|up to date/i.test(e.message)) stream.write(`${e.step} ${e.message}\n`);
      return;
    }
    if (e.status === 'started') running.add(e.step);
    else running.delete(e.step);
    if (e.status === 'done') done++;
    if (e.status === 'failed') failed++;
    if (tty) {
      if (e.status === 'failed') {
        clear();
        stream.write(`✗ ${e.op} ${e.instance} ${e.step}: ${e.error ?? ''}\n`);
      }
      draw();
    } else if (e.status !== 'started') {
      stream.write(
        `${e.op} ${e.instance} ${e.step} ${e.status}${e.ms !== undefined ? ` ${e.ms}ms` : ''}${e.error ? `: ${e.error}` : ''}\n`,
      );
    }
  };
  return { sink, end: () => (tty ? clear() : undefined) };
}
