import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { run } from './exec.js';
import { createLogger, logLevelOf, redactArgv, setRootLogger, withLogContext } from './log.js';

/** A logger at `level` whose JSON lines land in the returned array. */
function capture(level: Parameters<typeof createLogger>[0]): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  const dest = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  setRootLogger(createLogger(level, dest));
  return lines;
}

afterEach(() => setRootLogger(null));

describe('CYRANGE_LOG', () => {
  it.each([
    [undefined, 'silent'],
    ['', 'silent'],
    ['0', 'silent'],
    ['off', 'silent'],
    ['1', 'info'],
    ['info', 'info'],
    ['debug', 'debug'],
    ['DEBUG', 'debug'],
    ['trace', 'trace'],
    ['warn', 'warn'],
    ['yes', 'info'],
  ])('%j is level %s', (value, level) => {
    expect(logLevelOf(value)).toBe(level);
  });
});

describe('redactArgv', () => {
  it.each([
    [
      ['ip', '-n', 'cyr_x', 'link', 'add', 'v0', 'type', 'veth'],
      ['ip', '-n', 'cyr_x', 'link', 'add', 'v0', 'type', 'veth'],
    ],
    [
      ['mkdir', '-p', '/run/x'],
      ['mkdir', '-p', '/run/x'],
    ],
    [
      ['tool', '--password', 'hunter22', '--name', 'a'],
      ['tool', '--password', '***', '--name', 'a'],
    ],
    [
      ['tool', '--token=cyr_abc', '--api-key', 'k'],
      ['tool', '--token=***', '--api-key', '***'],
    ],
    [
      ['env', 'CYRANGE_ADMIN_TOKEN=abc', 'PATH=/bin', 'DB_PASSWORD=x'],
      ['env', 'CYRANGE_ADMIN_TOKEN=***', 'PATH=/bin', 'DB_PASSWORD=***'],
    ],
    // The user-creation script gets the crypt hash as a positional argument.
    [
      ['/bin/sh', '-c', 'useradd', 'cyrange-user', 'alice', '$6$salt$hash', '/bin/bash'],
      ['/bin/sh', '-c', 'useradd', 'cyrange-user', 'alice', '***', '/bin/bash'],
    ],
  ])('%j → %j', (argv, want) => {
    expect(redactArgv(argv)).toEqual(want);
  });

  it('cuts long arguments', () => {
    const [, script] = redactArgv(['sh', 'x'.repeat(1000)]);
    expect(script?.length).toBe(201);
  });
});

describe('the executor at debug level', () => {
  it('logs each command with its argv, exit code and time, in the context of the work', async () => {
    const lines = capture('debug');
    await withLogContext({ range: 'r1', job: 'j1' }, () => run(['ip', '-json', 'link', 'show', 'lo']));
    await run(['false'], { allowFailure: true });
    const execs = lines.filter((l) => l.msg === 'exec');
    expect(execs[0]).toMatchObject({ level: 20, argv: ['ip', '-json', 'link', 'show', 'lo'], code: 0, range: 'r1', job: 'j1' });
    expect(typeof execs[0]?.ms).toBe('number');
    expect(execs[1]).toMatchObject({ argv: ['false'], code: 1 });
    expect(execs[1]).not.toHaveProperty('range');
  });

  it('hides secrets in the argv it logs', async () => {
    const lines = capture('debug');
    await run(['true', '--password', 'hunter22', '$6$abc$def']);
    expect(lines.find((l) => l.msg === 'exec')?.argv).toEqual(['true', '--password', '***', '***']);
    expect(JSON.stringify(lines)).not.toContain('hunter22');
  });

  it('logs the commands of an ip batch, and no other input', async () => {
    const lines = capture('debug');
    await run(['ip', '-batch', '-'], { input: 'link show lo\n' });
    await run(['cat'], { input: 'alice:hunter22\n' });
    const [batch, cat] = lines.filter((l) => l.msg === 'exec');
    expect(batch).toMatchObject({ argv: ['ip', '-batch', '-'], batch: ['link show lo'], code: 0 });
    expect(cat).not.toHaveProperty('batch');
    expect(JSON.stringify(lines)).not.toContain('hunter22');
  });

  it('logs nothing at info level (the default when CYRANGE_LOG asks for logs)', async () => {
    const lines = capture('info');
    await run(['true']);
    expect(lines).toEqual([]);
  });
});
