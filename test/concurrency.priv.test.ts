import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CYRANGE, type CliResult, IS_ROOT, runCmd, tempStateDir, uniqueName } from './helpers.js';

/**
 * Edits of one range from many separate CLI processes at once, as a user scripting a class would:
 * each one must succeed, and afterwards the store and the kernel agree with no duplicate address.
 * CYRANGE_TEST_CLI_JS runs another build of the CLI (`node FILE`) instead of bin/cyrange.
 */
const CLI: readonly string[] = process.env.CYRANGE_TEST_CLI_JS ? ['node', process.env.CYRANGE_TEST_CLI_JS] : [CYRANGE];
const HOSTS = 50;
const PHASE_MS = 300_000;

interface InspectNic {
  readonly ifname: string;
  readonly network: string;
  readonly ip: string | null;
  readonly prefix: number;
}
interface Inspect {
  readonly hosts: ReadonlyArray<{ readonly name: string; readonly interfaces: readonly InspectNic[] }>;
}
interface IpAddr {
  readonly ifname: string;
  readonly addr_info: ReadonlyArray<{ readonly family: string; readonly local: string; readonly prefixlen: number }>;
}

describe.skipIf(!IS_ROOT)(`${HOSTS} concurrent edits of one range from separate processes`, () => {
  const state = tempStateDir();
  const name = uniqueName('conc');
  const hosts = Array.from({ length: HOSTS }, (_, i) => `h${i}`);
  /** Measured figures, printed at the end for the record. */
  const measured: string[] = [];

  const cli = (args: readonly string[]): Promise<CliResult> =>
    runCmd([...CLI, ...args], { env: { ...process.env, CYRANGE_STATE_DIR: state.dir } });

  /** Runs one command per host, all at once, each in its own process; every one must exit 0 without a raw error. */
  async function everyHostAtOnce(what: string, args: (host: string) => readonly string[]): Promise<void> {
    const t0 = performance.now();
    const results = await Promise.all(hosts.map((h) => cli(args(h))));
    measured.push(`${what}: ${HOSTS} processes in ${Math.round(performance.now() - t0)} ms`);
    const failed = results.map((r, i) => ({ host: hosts[i], ...r })).filter((r) => r.code !== 0);
    expect(failed.map((f) => `${f.host}: exit ${f.code}: ${f.stderr.trim()}`)).toEqual([]);
    for (const r of results) {
      // Never a raw error or a stack trace, whatever happened.
      expect(r.stderr).not.toMatch(/^(Uncaught )?\w*Error:/m);
      expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    }
  }

  async function inspect(): Promise<Inspect> {
    const r = await cli(['inspect', name, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Inspect;
  }

  /** IPv4 addresses per interface inside a host's namespace, as the kernel has them. */
  async function kernelAddrs(host: string): Promise<Map<string, string[]>> {
    const r = await runCmd(['ip', '-n', `cyr_${name}_${host}`, '-j', '-4', 'addr', 'show']);
    expect(r.code, r.stderr).toBe(0);
    const links = JSON.parse(r.stdout) as IpAddr[];
    return new Map(
      links
        .filter((l) => l.ifname !== 'lo')
        .map((l) => [l.ifname, l.addr_info.filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`)]),
    );
  }

  /** The store (inspect) and the kernel (`ip addr` in each host) hold the same NICs and addresses, none twice. */
  async function expectStoreAndKernelAgree(networks: readonly string[]): Promise<void> {
    const doc = await inspect();
    const all: string[] = [];
    for (const h of hosts) {
      const host = doc.hosts.find((x) => x.name === h);
      expect(host, h).toBeDefined();
      const stored = new Map((host?.interfaces ?? []).map((n) => [n.ifname, n.ip ? [`${n.ip}/${n.prefix}`] : []]));
      expect(
        (host?.interfaces ?? []).map((n) => n.network),
        h,
      ).toEqual(networks);
      expect(await kernelAddrs(h), h).toEqual(stored);
      for (const n of host?.interfaces ?? []) if (n.ip) all.push(n.ip);
    }
    expect(all.length).toBe(HOSTS * networks.length);
    expect(all.length - new Set(all).size, 'duplicate addresses').toBe(0);
  }

  beforeAll(async () => {
    const file = join(state.dir, 'conc.yaml');
    const vms = hosts.map((h) => `  - { name: ${h}, runtime: netns, interfaces: [ { network: lan } ] }`);
    writeFileSync(
      file,
      [
        'name: conc',
        'networks:',
        '  - { name: lan, subnet: 10.79.0.0/24 }',
        '  - { name: lan2, subnet: 10.79.1.0/24 }',
        'vms:',
        ...vms,
        '',
      ].join('\n'),
    );
    const r = await cli(['deploy', file, '--name', name]);
    expect(r.code, r.stderr).toBe(0);
  }, PHASE_MS);

  afterAll(async () => {
    await cli(['destroy', name]);
    state.cleanup();
    process.stderr.write(`concurrency (${CLI.join(' ')}):\n  ${measured.join('\n  ')}\n`);
  }, PHASE_MS);

  it(
    `${HOSTS} concurrent "nic add" (auto addresses) all succeed, with distinct addresses the kernel holds`,
    async () => {
      await everyHostAtOnce('nic add', (h) => ['nic', 'add', name, h, 'lan2']);
      await expectStoreAndKernelAgree(['lan', 'lan2']);
    },
    PHASE_MS,
  );

  it(
    `${HOSTS} concurrent "limit" all succeed; store and tc agree`,
    async () => {
      await everyHostAtOnce('limit', (h) => ['limit', name, h, 'lan2', '--ingress', '12', '--egress', '5']);
      for (const h of hosts) {
        const r = await cli(['limit', name, h, 'lan2', '--json']);
        expect(r.code, r.stderr).toBe(0);
        const nic = JSON.parse(r.stdout) as { peer: string; rateLimit: { ingressMbps: number; egressMbps: number } | null };
        expect(nic.rateLimit, h).toMatchObject({ ingressMbps: 12, egressMbps: 5 });
        // What the host receives is shaped on the range end of its veth.
        const tc = await runCmd(['tc', '-n', `cyr_${name}`, 'qdisc', 'show', 'dev', nic.peer]);
        expect(tc.stdout, h).toMatch(/tbf .*rate 12Mbit/);
      }
    },
    PHASE_MS,
  );

  it(
    `${HOSTS} concurrent "nic rm" all succeed; the NICs are gone from the store and the kernel`,
    async () => {
      await everyHostAtOnce('nic rm', (h) => ['nic', 'rm', name, h, 'lan2']);
      await expectStoreAndKernelAgree(['lan']);
    },
    PHASE_MS,
  );
});
