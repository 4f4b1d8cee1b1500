import {
  type Problem,
  type ResolvedInterface,
  type ResolvedRange,
  ValidationError,
  formatProblem,
  parseDocumentText,
  parseRawRange,
  resolveRange,
} from '../model/index.js';

/** What the model makes of a blueprint text: its problems (as the CLI prints them), or the resolved range. */
export interface DocCheck {
  readonly problems: readonly Problem[];
  readonly resolved: ResolvedRange | null;
}

/** Stands in for the crypt hash the server puts in place of a plain password before it resolves. */
const HASH_STAND_IN = '$6$builder$plain-password-hashed-by-the-server-on-save';

/**
 * The value as the server resolves it: it hashes each plain `password` of a host's or plugin's users
 * into `passwd` first (engine `hashBlueprintPasswords`), so the builder does the same with a stand-in.
 */
function withServerHashes(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value;
  const v = structuredClone(value) as { vms?: unknown; plugins?: unknown };
  const owners = [...(Array.isArray(v.vms) ? v.vms : []), ...(v.plugins && typeof v.plugins === 'object' ? Object.values(v.plugins) : [])];
  for (const owner of owners) {
    const users = (owner as { users?: unknown } | null)?.users;
    if (!Array.isArray(users)) continue;
    for (const u of users as Array<Record<string, unknown>>) {
      if (!u || typeof u.password !== 'string' || 'passwd' in u) continue;
      u.passwd = HASH_STAND_IN;
      delete u.password;
    }
  }
  return v;
}

/** Parses, shape-checks and resolves blueprint text with the model the CLI and the server use. */
export function checkDoc(text: string): DocCheck {
  const doc = parseDocumentText(text);
  if ('problems' in doc) return { problems: doc.problems, resolved: null };
  const raw = parseRawRange(withServerHashes(doc.value));
  if ('problems' in raw) return { problems: raw.problems, resolved: null };
  try {
    return { problems: [], resolved: resolveRange(raw.raw) };
  } catch (e) {
    if (e instanceof ValidationError) return { problems: e.problems, resolved: null };
    return { problems: [{ path: '', message: (e as Error).message }], resolved: null };
  }
}

/** Problems located at `prefix` or inside it (`vms[0]` holds `vms[0].interfaces[1].ip`), as printed lines. */
export function problemsAt(check: DocCheck, prefix: string, exclude: readonly string[] = []): string[] {
  const inside = (path: string, p: string) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`);
  return check.problems.filter((p) => inside(p.path, prefix) && !exclude.some((x) => inside(p.path, x))).map(formatProblem);
}

/** Every problem as the CLI prints it (without the file name). */
export function problemLines(check: DocCheck): string[] {
  return check.problems.map(formatProblem);
}

/** The resolved NIC of host `hostIndex` (in blueprint order) on `network`, if the range resolved. */
export function resolvedNic(check: DocCheck, hostIndex: number, network: string): ResolvedInterface | undefined {
  return check.resolved?.hosts[hostIndex]?.interfaces.find((n) => n.network === network);
}

/** Addresses other NICs hold on `network`, from the resolved range; `except` is the asking host. */
export function takenOn(check: DocCheck, network: string, except: number): string[] {
  return (check.resolved?.hosts ?? []).flatMap((h, i) =>
    i === except ? [] : h.interfaces.flatMap((n) => (n.network === network && n.ip ? [n.ip] : [])),
  );
}
