/**
 * What Cyrange serves guests, checked by the programs that consume it and that no one here wrote:
 * Debian 12's cloud-init (its network-config v2 parser and its cloud-config schema) and netplan.
 * Every host of every example is rendered through the model, with users added the way a blueprint
 * gives them (plain passwords hashed by the load step).
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { hashBlueprintPasswords } from '../src/engine/passwords.js';
import { type ResolvedHost, type ResolvedRange, loadRawRange, renderNetplan, renderUserData, resolveRange } from '../src/model/index.js';
import { ROOT } from './helpers.js';

const run = promisify(execFile);
const EXAMPLES = join(ROOT, 'examples');
const work = mkdtempSync(join(tmpdir(), 'cyrange-cloud-init-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJxV0hY2tXoJ0b8Lq2FqJ3s9U6p0u1n6b0gXkq2y1H8e alice@lab';
/** Users every host gets for the user-data checks: one with everything, one with nothing but a name. */
const USERS = [{ name: 'alice', password: 'correct horse', ssh_authorized_keys: [KEY], sudo: true, shell: '/bin/bash' }, { name: 'bob' }];

interface Case {
  readonly label: string;
  readonly range: ResolvedRange;
  readonly host: ResolvedHost;
}

/** Every host of every example, as is and (for user-data) with USERS. */
function cases(withUsers: boolean): Case[] {
  const out: Case[] = [];
  for (const file of readdirSync(EXAMPLES).filter((f) => /\.(ya?ml|json)$/.test(f))) {
    let source = readFileSync(join(EXAMPLES, file), 'utf8');
    if (withUsers) {
      const v = parse(source) as { vms?: Array<Record<string, unknown>> };
      for (const h of v.vms ?? []) h.users = USERS;
      source = hashBlueprintPasswords(stringify(v), { stateDir: work });
    }
    const range = resolveRange(loadRawRange(source, file));
    for (const host of range.hosts) out.push({ label: `${file} ${host.name}`, range, host });
  }
  return out;
}

let seq = 0;
function writeCase(name: string, text: string): string {
  const dir = join(work, `${seq++}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

async function tool(argv: readonly string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(argv[0] as string, argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${argv[0]} is not installed: run scripts/setup.sh (it installs cloud-init and netplan.io)`);
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

const networkCases = cases(false);
const userCases = cases(true);

/** Each check starts Python (cloud-init) or netplan; on a loaded machine that takes seconds. */
const SLOW = { timeout: 60_000 };

describe('network-config: Debian 12 cloud-init and netplan accept it', SLOW, () => {
  it('covers every example host', () => {
    expect(networkCases.length).toBeGreaterThanOrEqual(10);
  });

  it.concurrent.each(networkCases.map((c) => [c.label, c] as const))(
    'cloud-init net-convert reads %s and keeps its meaning',
    async (_label, { range, host }) => {
      const file = writeCase('network-config.yaml', renderNetplan(range, host, { dns: ['10.255.0.53'] }));
      const outDir = join(file, '..', 'eni');
      const r = await tool(['cloud-init', 'devel', 'net-convert', '-p', file, '-k', 'yaml', '-D', 'debian', '-O', 'eni', '-d', outDir]);
      expect(r.code, r.out).toBe(0);
      const eni = readFileSync(join(outDir, 'etc/network/interfaces.d/50-cloud-init'), 'utf8');
      const udev = readFileSync(join(outDir, 'etc/udev/rules.d/70-persistent-net.rules'), 'utf8');
      for (const nic of host.interfaces) {
        expect(udev).toContain(`ATTR{address}=="${nic.mac}", NAME="${nic.ifname}"`);
        if (nic.ip === null) expect(eni).toContain(`iface ${nic.ifname} inet dhcp`);
        else expect(eni).toContain(`address ${nic.ip}/${nic.prefix}`);
      }
      const statics = host.interfaces.filter((n) => n.ip !== null);
      const primary = host.interfaces[0];
      const gw = [...eni.matchAll(/post-up route add default gw (\S+)/g)].map((m) => m[1]);
      expect(gw).toEqual(primary && primary.ip !== null ? [primary.gateway] : []);
      if (statics.length > 0) expect(eni).toContain('dns-nameservers 10.255.0.53');
    },
  );

  it.concurrent.each(networkCases.map((c) => [c.label, c] as const))('netplan generate accepts %s', async (_label, { range, host }) => {
    const root = join(work, `np-${seq++}`);
    mkdirSync(join(root, 'etc/netplan'), { recursive: true });
    const file = join(root, 'etc/netplan/50-cyrange.yaml');
    writeFileSync(file, renderNetplan(range, host));
    chmodSync(file, 0o600);
    const r = await tool(['netplan', 'generate', '--root-dir', root]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/error|warning/i);
    for (const nic of host.interfaces) {
      const unit = readFileSync(join(root, `run/systemd/network/10-netplan-${nic.ifname}.network`), 'utf8');
      expect(unit).toContain(`MACAddress=${nic.mac}`);
      expect(unit).toContain(`Name=${nic.ifname}`);
      if (nic.ip === null) expect(unit).toMatch(/DHCP=ipv4/);
      else expect(unit).toContain(`Address=${nic.ip}/${nic.prefix}`);
      const routed = unit.includes(`Destination=0.0.0.0/0\nGateway=${nic.gateway}`);
      expect(routed).toBe(nic.primary && nic.ip !== null);
    }
  });
});

describe('user-data: the cloud-config schema of Debian 12 cloud-init accepts it', SLOW, () => {
  it.concurrent.each(userCases.map((c) => [c.label, c] as const))('cloud-init schema accepts %s with users', async (_label, { host }) => {
    const text = renderUserData(host);
    expect(text).toContain('passwd: $6$');
    expect(text).not.toContain('correct horse');
    const r = await tool(['cloud-init', 'schema', '--config-file', writeCase('user-data', text)]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Valid cloud-config');
    expect(r.out).not.toMatch(/deprecat/i);
  });

  it.concurrent.each(networkCases.map((c) => [c.label, c] as const))(
    'cloud-init schema accepts %s without users',
    async (_label, { host }) => {
      const r = await tool(['cloud-init', 'schema', '--config-file', writeCase('user-data', renderUserData(host))]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('Valid cloud-config');
    },
  );
});
