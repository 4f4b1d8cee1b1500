/**
 * Plain-text user passwords in a blueprint become SHA-512 crypt hashes (`$6$…`) when it is loaded,
 * before it is parsed, resolved or stored: the model only ever sees `passwd` hashes, and the source a
 * range keeps holds no plain text.
 *
 * Salts are random to anyone without this machine's key: HMAC-SHA256 over (instance, owner, user,
 * password) keyed by `<state dir>/secrets/password-salt.key`. The same blueprint hashes the same way on
 * every load, so deploying it again is still idempotent (the stored range must match), while no one can
 * precompute hashes for a range. Without a readable or creatable key (a non-root `validate`), salts are
 * plain random.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encrypt } from 'unixcrypt';
import { type Node, type Pair, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { ValidationError } from '../model/index.js';

/** What the crypt salt alphabet holds (crypt(3)'s base-64). */
const SALT_CHARS = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SALT_LENGTH = 16;

/** Options of `hashBlueprintPasswords`. */
export interface PasswordHashOptions {
  /** Instance the blueprint is loaded for (default: its `name`); part of every salt. */
  readonly instance?: string | undefined;
  /** Where the salt key lives (`<stateDir>/secrets/password-salt.key`); none: random salts. */
  readonly stateDir?: string | undefined;
}

/** The machine's salt key, made on first use (0600); null when it can be neither read nor made. */
function saltKey(stateDir: string | undefined): Buffer | null {
  if (stateDir === undefined) return null;
  const dir = join(stateDir, 'secrets');
  const file = join(dir, 'password-salt.key');
  try {
    return readKey(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return null;
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, randomBytes(32).toString('hex'));
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    // Another process made it first: use theirs.
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return null;
  }
  try {
    return readKey(file);
  } catch {
    return null;
  }
}

function readKey(file: string): Buffer {
  const hex = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw Object.assign(new Error(`${file}: not a key`), { code: 'EINVAL' });
  return Buffer.from(hex, 'hex');
}

/** A crypt salt: keyed and stable when there is a key, random otherwise. */
function saltFor(key: Buffer | null, parts: readonly string[]): string {
  const bytes = key ? createHmac('sha256', key).update(parts.join('\0')).digest() : randomBytes(SALT_LENGTH);
  let salt = '';
  for (let i = 0; i < SALT_LENGTH; i++) salt += SALT_CHARS[(bytes[i] as number) & 63];
  return salt;
}

/** SHA-512 crypt (`$6$salt$hash`, 5000 rounds as `openssl passwd -6` and cloud-init use). */
export function sha512Crypt(password: string, salt: string): string {
  return encrypt(password, `$6$${salt}`);
}

/** A `password` pair of one user map, with where it is and who owns it. */
interface PasswordSite {
  readonly path: string;
  readonly owner: string;
  readonly user: string;
  readonly pair: Pair<Node, unknown>;
}

/** The `password` pairs of a document's host and plugin users. */
function passwordSites(contents: unknown): PasswordSite[] {
  const sites: PasswordSite[] = [];
  if (!isMap(contents)) return sites;
  const scan = (users: unknown, at: string, owner: string) => {
    if (!isSeq(users)) return;
    users.items.forEach((u, j) => {
      if (!isMap(u)) return;
      const name = u.get('name');
      for (const pair of u.items) {
        if (isScalar(pair.key) && pair.key.value === 'password')
          sites.push({
            path: `${at}[${j}].password`,
            owner,
            user: typeof name === 'string' ? name : '',
            pair: pair as Pair<Node, unknown>,
          });
      }
    });
  };
  const vms = contents.get('vms', true);
  if (isSeq(vms))
    vms.items.forEach((h, i) => {
      if (isMap(h)) scan(h.get('users', true), `vms[${i}].users`, `host:${String(h.get('name'))}`);
    });
  const plugins = contents.get('plugins', true);
  if (isMap(plugins))
    for (const p of plugins.items) {
      if (isScalar(p.key) && isMap(p.value))
        scan(p.value.get('users', true), `plugins.${String(p.key.value)}.users`, `plugin:${String(p.key.value)}`);
    }
  return sites;
}

/** The key written as in the source (same quotes), renamed. */
function renamedKey(text: string): string {
  const q = text[0];
  return q === '"' || q === "'" ? `${q}passwd${q}` : 'passwd';
}

/**
 * Replaces every plain `password` of the users of a blueprint's hosts and plugins (YAML or JSON text)
 * by `passwd` with its SHA-512 crypt hash, editing only those keys and values, so comments, layout, line
 * numbers (but after a multi-line block scalar) and the JSON form stay. Text that does not parse, or has no password, comes back unchanged (the
 * loader reports its problems). Throws ValidationError for a password given through an anchor or alias.
 */
export function hashBlueprintPasswords(source: string, opts: PasswordHashOptions = {}): string {
  if (!source.includes('password')) return source;
  const doc = parseDocument(source, { uniqueKeys: true });
  if (doc.errors.length > 0) return source;
  const sites = passwordSites(doc.contents);
  if (sites.length === 0) return source;
  const name = doc.get('name');
  const instance = opts.instance ?? (typeof name === 'string' ? name : '');
  const key = saltKey(opts.stateDir);
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const problems: Array<{ path: string; message: string }> = [];
  for (const s of sites) {
    const k = s.pair.key;
    const v = s.pair.value;
    if (isAlias(v) || (isScalar(v) && v.anchor !== undefined) || k.range === undefined || k.range === null) {
      problems.push({ path: s.path, message: 'write the password out here, not through an anchor or alias' });
      continue;
    }
    // Not a string (or a non-scalar): the schema refuses it later, without echoing it.
    if (!isScalar(v) || typeof v.value !== 'string' || !v.range) continue;
    const hash = sha512Crypt(v.value, saltFor(key, [instance, s.owner, s.user, v.value]));
    edits.push({ start: k.range[0], end: k.range[1], text: renamedKey(source.slice(k.range[0], k.range[1])) });
    // A block scalar's text ends with its line break; keep it, so the next key stays on its own line.
    const trailing = /\s*$/.exec(source.slice(v.range[0], v.range[1]))?.[0] ?? '';
    edits.push({ start: v.range[0], end: v.range[1], text: `"${hash}"${trailing}` });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  let out = source;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
