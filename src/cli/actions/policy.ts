import { readFileSync } from 'node:fs';
import { RawPolicy, ValidationError, parseDocumentText, problemsFromZod } from '../../model/index.js';
import { openEngine } from '../context.js';
import { printJson, table } from '../output.js';

/** Reads a policy file: a list of rules, or a document with a `policies:` list (a blueprint works too). */
function readPolicies(file: string): RawPolicy[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ValidationError([{ path: '', message: `cannot read file: ${(e as NodeJS.ErrnoException).code}` }], file);
  }
  const doc = parseDocumentText(text);
  if ('problems' in doc) throw new ValidationError(doc.problems, file);
  const list = Array.isArray(doc.value) ? doc.value : ((doc.value as { policies?: unknown } | null)?.policies ?? []);
  if (!Array.isArray(list)) throw new ValidationError([{ path: 'policies', message: 'must be a list of rules' }], file);
  return list.map((item, i) => {
    const r = RawPolicy.safeParse(item, { reportInput: true });
    if (!r.success)
      throw new ValidationError(
        problemsFromZod(r.error).map((p) => ({ ...p, path: `policies[${i}]${p.path ? `.${p.path}` : ''}` })),
        file,
      );
    return r.data;
  });
}

/** `policy set INSTANCE FILE`. */
export async function policySet(instance: string, file: string): Promise<void> {
  const rules = readPolicies(file);
  const ctx = await openEngine();
  try {
    const r = await ctx.engine.setPolicies(instance, rules);
    process.stdout.write(`${instance}: ${r.policies.length} policies in force\n`);
  } finally {
    await ctx.close();
  }
}

/** `policy ls INSTANCE`. */
export async function policyLs(instance: string, o: { json?: boolean }): Promise<void> {
  const ctx = await openEngine();
  try {
    const rec = await ctx.engine.get(instance);
    const rows = rec?.resolved.policies ?? [];
    if (o.json) printJson(rows);
    else
      process.stdout.write(
        `${table(
          ['PRIO', 'TARGET', 'DIRECTION', 'PROTO', 'PORT', 'PEER', 'ACTION'],
          rows.map((p) => [
            String(p.priority),
            `${p.target.kind}:${p.target.name}`,
            p.direction,
            p.protocol,
            p.ports ? p.ports.join('-') : '-',
            p.peer ?? '-',
            p.action,
          ]),
        )}\n`,
      );
  } finally {
    await ctx.close();
  }
}

/** `check INSTANCE`: the measured reachability matrix against the policies; exit 1 where they differ. */
export async function check(instance: string, o: { ports: string; json?: boolean }): Promise<void> {
  const ports = o.ports.split(',').map((p) => Number(p.trim()));
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535))
    throw new ValidationError([{ path: '--ports', message: `"${o.ports}" is not a list of ports` }]);
  const ctx = await openEngine();
  try {
    const cells = await ctx.engine.check(instance, ports);
    const bad = cells.filter((c) => c.expected !== c.reached);
    if (o.json) printJson({ cells, mismatches: bad.length });
    else {
      process.stdout.write(
        `${table(
          ['FROM', 'TO', 'ADDRESS', 'PROBE', 'REACHED', 'POLICY', ''],
          cells.map((c) => [
            c.from,
            c.to,
            c.toIp,
            c.probe,
            c.reached ? 'yes' : 'no',
            c.expected ? 'allow' : 'deny',
            c.expected === c.reached ? '' : '<< differs',
          ]),
        )}\n${bad.length ? `${bad.length} cells differ from the policy` : 'every cell matches the policy'}\n`,
      );
    }
    if (bad.length) process.exitCode = 1;
  } finally {
    await ctx.close();
  }
}
