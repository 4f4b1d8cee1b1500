import { readFileSync, writeFileSync } from 'node:fs';
import { type CopyResult, type PoolProgress, type RosterEntry, hashBlueprintPasswords } from '../../engine/index.js';
import { ValidationError } from '../../model/index.js';
import { openEngine } from '../context.js';
import { localActor, readBlueprintText } from '../load.js';
import { printJson } from '../output.js';

/** A class roster: one `name[,email]` per line; a `name,email` header and `#` comments are skipped. */
export function parseRoster(text: string, file: string): RosterEntry[] {
  const out: RosterEntry[] = [];
  const problems: { path: string; message: string }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#') || (i === 0 && /^name\s*(,|$)/i.test(l))) return;
    const [name = '', email] = l.split(',').map((f) => f.trim());
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name))
      problems.push({ path: `line ${i + 1}`, message: `"${name}" is not a user name ([a-z0-9._-], 1..64)` });
    else out.push({ name, ...(email ? { email } : {}) });
  });
  if (problems.length > 0) throw new ValidationError(problems, file);
  return out;
}

/** A progress bar on a terminal; one line per finished copy elsewhere. */
function progressBar(stream: NodeJS.WriteStream = process.stderr): { update: (p: PoolProgress) => void; end: () => void } {
  let last = -1;
  return {
    update: (p) => {
      const settled = p.rangesDone + p.failed;
      const text = `${p.rangesDone}/${p.ranges} ranges · ${p.hostsDone}/${p.hosts} hosts · ${p.failed} failed`;
      if (stream.isTTY) {
        const width = 24;
        const fill = Math.round((settled / Math.max(1, p.ranges)) * width);
        stream.write(`\r\x1b[2K[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${text}`);
      } else if (settled !== last) stream.write(`${text}\n`);
      last = settled;
    },
    end: () => {
      if (stream.isTTY) stream.write('\n');
    },
  };
}

function printCopies(copies: readonly CopyResult[], tokensOut?: string): void {
  for (const c of copies)
    process.stdout.write(`${c.ok ? 'ok    ' : 'FAILED'} ${c.instance}${c.student ? ` → ${c.student}` : ''}${c.ok ? '' : `: ${c.error}`}\n`);
  const tokens = copies.filter((c) => c.token);
  if (tokens.length === 0) return;
  const csv = `student,instance,token\n${tokens.map((c) => `${c.student},${c.instance},${c.token}`).join('\n')}\n`;
  if (tokensOut) {
    writeFileSync(tokensOut, csv, { mode: 0o600 });
    process.stdout.write(`login tokens of ${tokens.length} new students written to ${tokensOut} (shown once)\n`);
  } else process.stdout.write(`\nlogin tokens of new students (shown once):\n${csv}`);
}

/** What `pool create` takes besides the blueprint file. */
export interface PoolCreateOptions {
  size?: number;
  name?: string;
  roster?: string;
  tokensOut?: string;
  studentReset?: boolean;
  fromSnapshot?: string;
  json?: boolean;
}

/** `pool create [BLUEPRINT]`: N copies, or one per roster student, from a file or a golden snapshot. */
export async function poolCreate(file: string | undefined, o: PoolCreateOptions): Promise<void> {
  const golden = o.fromSnapshot ? /^([a-z0-9-]+):([a-z0-9][a-z0-9._-]*)$/.exec(o.fromSnapshot) : null;
  if (o.fromSnapshot && !golden)
    throw new ValidationError([{ path: '--from-snapshot', message: `"${o.fromSnapshot}" is not INSTANCE:SNAPSHOT` }]);
  let source: string;
  if (golden) {
    const ctx0 = await openEngine();
    try {
      const rec = await ctx0.engine.get(golden[1] as string);
      if (!rec) throw new ValidationError([{ path: '--from-snapshot', message: `no range instance "${golden[1]}"` }]);
      source = rec.source;
    } finally {
      await ctx0.close();
    }
  } else if (file === undefined) throw new ValidationError([{ path: 'blueprint', message: 'give a blueprint file, or --from-snapshot' }]);
  else source = readBlueprintText(file);
  const roster = o.roster ? parseRoster(readFileSync(o.roster, 'utf8'), o.roster) : [];
  if (o.size === undefined && roster.length === 0) throw new ValidationError([{ path: '--size', message: 'give --size N or a --roster' }]);
  if (o.size !== undefined && !Number.isInteger(o.size)) throw new ValidationError([{ path: '--size', message: 'must be a whole number' }]);
  const ctx = await openEngine();
  const bar = progressBar();
  try {
    const name = o.name ?? /^name:\s*([a-z0-9-]+)/m.exec(source)?.[1] ?? /"name"\s*:\s*"([a-z0-9-]+)"/.exec(source)?.[1] ?? 'pool';
    source = hashBlueprintPasswords(source, { stateDir: ctx.cfg.stateDir });
    const t0 = performance.now();
    const r = await ctx.engine.createPool(
      {
        name,
        source,
        size: o.size ?? roster.length,
        owner: null,
        actor: localActor(),
        roster,
        studentReset: o.studentReset ?? false,
        ...(golden ? { fromSnapshot: { instance: golden[1] as string, name: golden[2] as string } } : {}),
      },
      bar.update,
    );
    bar.end();
    if (o.json) printJson(r);
    else {
      const ok = r.copies.filter((c) => c.ok).length;
      process.stdout.write(`pool ${r.pool.name}: ${ok} of ${r.copies.length} copies running in ${Math.round(performance.now() - t0)} ms\n`);
      printCopies(r.copies, o.tokensOut);
    }
    if (r.copies.some((c) => !c.ok)) process.exitCode = 1;
  } finally {
    await ctx.close();
  }
}

/** `pool ls`. */
export async function poolLs(o: { json?: boolean }): Promise<void> {
  const ctx = await openEngine();
  try {
    const pools = await ctx.engine.listPools();
    if (o.json) printJson(pools);
    else
      for (const p of pools) process.stdout.write(`${p.name}\t${p.members.length} copies\t${p.studentReset ? 'students may reset' : ''}\n`);
  } finally {
    await ctx.close();
  }
}

/** `pool inspect POOL`: its copies with their statuses. */
export async function poolInspect(name: string, o: { json?: boolean }): Promise<void> {
  const ctx = await openEngine();
  try {
    const p = await ctx.engine.getPool(name);
    const rows = await Promise.all(
      p.members.map(async (m) => {
        const rec = await ctx.engine.get(m.instance);
        return { ...m, status: rec?.status ?? 'missing', hosts: rec?.resolved.hosts.length ?? 0 };
      }),
    );
    if (o.json) printJson({ ...p, members: rows });
    else {
      process.stdout.write(`pool ${p.name}: ${rows.length} copies${p.studentReset ? ', students may reset their copy' : ''}\n`);
      for (const r of rows) process.stdout.write(`  ${r.instance}\t${r.status}\t${r.hosts} hosts\t${r.student ?? ''}\n`);
    }
  } finally {
    await ctx.close();
  }
}

/** `pool resize POOL SIZE`. */
export async function poolResize(name: string, size: number): Promise<void> {
  const ctx = await openEngine();
  const bar = progressBar();
  try {
    const r = await ctx.engine.resizePool(name, size, localActor(), bar.update);
    bar.end();
    process.stdout.write(
      `pool ${name}: ${r.pool.members.length} copies (${r.added.filter((c) => c.ok).length} added, ${r.removed.length} removed)\n`,
    );
    printCopies(r.added.filter((c) => !c.ok));
    if (r.added.some((c) => !c.ok)) process.exitCode = 1;
  } finally {
    await ctx.close();
  }
}

/** `pool destroy POOL`. */
export async function poolDestroy(name: string): Promise<void> {
  const ctx = await openEngine();
  try {
    const gone = await ctx.engine.destroyPool(name);
    process.stdout.write(`destroyed pool ${name}: ${gone.length} copies\n`);
  } finally {
    await ctx.close();
  }
}
