import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Actor,
  CyrangeError,
  type RateLimit,
  type ResolvedInterface,
  type ResolvedRange,
  ValidationError,
  loadRawRange,
  resolveRange,
} from '../model/index.js';
import {
  type HostState,
  type NicAttachment,
  type Runtime,
  dockerRuntime,
  microvmRuntime,
  netnsRuntime,
  registerRuntime,
} from '../runtimes/index.js';
import { admitBatch } from './admission.js';
import { run } from '../sys/index.js';
import { type EngineConfig, configFromEnv, runDirOf } from './config.js';
import { Engine } from './engine.js';
import type { EngineContext } from './context.js';
import { deploy } from './deploy.js';
import { type EngineEvent, type StepResult, step } from './events.js';
import { mapLimit } from './limit.js';
import { addNic, removeNic } from './nics.js';
import { copyName } from './pools.js';
import { setRateLimit } from './rate-limits.js';
import type { EngineStore, RangeRecord, RangeStatus } from './store-port.js';

/*
 * Engine decisions with a fake store and fake runtimes, without root. What cannot be reached this
 * way (anything past the range network of a deploy) is in deploy-rollback.priv.test.ts.
 */

/** An in-memory EngineStore; records every write it is asked for, in order. */
class FakeStore implements EngineStore {
  readonly writes: string[] = [];
  private readonly ranges = new Map<string, RangeRecord>();
  private nextId = 1;

  put(resolved: ResolvedRange, status: RangeStatus, owner: string | null = null): void {
    this.ranges.set(resolved.instance, {
      id: this.nextId++,
      instance: resolved.instance,
      status,
      resolved,
      source: '',
      kind: 'range',
      owner,
    });
  }
  getRange(instance: string): RangeRecord | null {
    return this.ranges.get(instance) ?? null;
  }
  listRanges(): RangeRecord[] {
    return [...this.ranges.values()];
  }
  createRange(input: {
    resolved: ResolvedRange;
    source: string;
    kind: 'range' | 'standalone';
    status: RangeStatus;
    owner?: string | null;
  }): RangeRecord {
    this.writes.push(`createRange ${input.resolved.instance}`);
    if (this.ranges.has(input.resolved.instance)) throw new CyrangeError('CYR_EXISTS', `instance "${input.resolved.instance}" exists`);
    this.put(input.resolved, input.status, input.owner ?? null);
    return this.ranges.get(input.resolved.instance) as RangeRecord;
  }
  setRangeStatus(instance: string, status: RangeStatus): void {
    this.writes.push(`setRangeStatus ${instance} ${status}`);
    const r = this.must(instance);
    this.ranges.set(instance, { ...r, status });
  }
  setRangeSource(instance: string, source: string): void {
    this.writes.push(`setRangeSource ${instance}`);
    this.ranges.set(instance, { ...this.must(instance), source });
  }
  deleteRange(instance: string): void {
    this.writes.push(`deleteRange ${instance}`);
    this.ranges.delete(instance);
  }
  allocateUplinkSlot(): number {
    return 0;
  }
  addInterface(instance: string, hostName: string, network: string, ip?: string | null): ResolvedInterface {
    this.writes.push(`addInterface ${instance} ${hostName} ${network}`);
    const r = this.must(instance).resolved;
    const net = r.networks.find((n) => n.name === network);
    if (!net) throw new CyrangeError('CYR_NOT_FOUND', `no network "${network}"`);
    const host = r.hosts.find((h) => h.name === hostName);
    if (!host) throw new CyrangeError('CYR_NOT_FOUND', `no host "${hostName}"`);
    if (host.interfaces.some((n) => n.network === network)) throw new CyrangeError('CYR_CONFLICT', `already on ${network}`);
    const used = new Set(r.hosts.flatMap((h) => h.interfaces.map((n) => n.ip)));
    const base = net.subnet.split('.').slice(0, 3).join('.');
    let addr = ip ?? null;
    for (let i = 10; addr === null; i++) if (!used.has(`${base}.${i}`)) addr = `${base}.${i}`;
    const k = host.interfaces.length;
    const nic: ResolvedInterface = {
      network,
      ip: addr,
      prefix: net.prefix,
      gateway: net.gateway,
      addressing: ip ? 'static' : 'auto',
      mac: `02:00:00:00:0${k}:${String(r.hosts.indexOf(host)).padStart(2, '0')}`,
      primary: false,
      ifname: `eth${k}`,
      peer: `vfake${hostName}${k}`,
      rateLimit: null,
    };
    this.edit(instance, hostName, (nics) => [...nics, nic]);
    return nic;
  }
  removeInterface(instance: string, hostName: string, network: string): ResolvedInterface {
    this.writes.push(`removeInterface ${instance} ${hostName} ${network}`);
    const nic = this.must(instance)
      .resolved.hosts.find((h) => h.name === hostName)
      ?.interfaces.find((n) => n.network === network);
    if (!nic) throw new CyrangeError('CYR_NOT_FOUND', `host ${hostName} has no interface on ${network}`);
    if (nic.primary) throw new CyrangeError('CYR_INVALID', 'the primary interface cannot be removed');
    this.edit(instance, hostName, (nics) => nics.filter((n) => n !== nic));
    return nic;
  }
  updateRange<T>(instance: string, change: (r: ResolvedRange) => { range: ResolvedRange; result: T }): T {
    this.writes.push(`updateRange ${instance}`);
    const { range, result } = change(this.must(instance).resolved);
    this.ranges.set(instance, { ...this.must(instance), resolved: range });
    return result;
  }
  private must(instance: string): RangeRecord {
    const r = this.ranges.get(instance);
    if (!r) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`);
    return r;
  }
  private edit(instance: string, hostName: string, f: (nics: readonly ResolvedInterface[]) => ResolvedInterface[]): void {
    const r = this.must(instance);
    const hosts = r.resolved.hosts.map((h) => (h.name === hostName ? { ...h, interfaces: f(h.interfaces) } : h));
    this.ranges.set(instance, { ...r, resolved: { ...r.resolved, hosts } });
  }
}

/**
 * A NIC attachment that records `nics.method:host` (`…:host:network` for one NIC) and reports each
 * host it observes as having one NIC named after the attachment, so a test sees which one served it.
 */
function fakeNics(kind: string, log: string[]): NicAttachment {
  const rec = (method: string, ...what: string[]) => {
    log.push(`nics.${method}:${what.join(':')}`);
  };
  return {
    wire: async (_r, hosts) => rec('wire', hosts.map((h) => h.host.name).join(',')),
    rewire: async (_r, h, fresh) => rec('rewire', h.host.name, String(fresh)),
    configure: async (_c, h) => rec('configure', h.host.name),
    startClients: (_c, h) => rec('startClients', h.host.name),
    plug: async (_c, _r, host, nic, state) => rec('plug', host.name, nic.network, state),
    unplug: async (_c, host, nic) => rec('unplug', host.name, nic.network),
    detach: async (_c, host) => rec('detach', host.name),
    observe: async (_c, hosts) => {
      rec('observe', hosts.map((h) => `${h.host.name}=${h.state}`).join(','));
      return new Map(
        hosts.map((h) => [h.host.name, [{ ifname: h.host.interfaces[0]?.ifname ?? '', mac: kind, operstate: 'UP', ipv4: [] }]]),
      );
    },
  };
}

/** What a fake runtime does besides recording: its hosts' state, a method that throws, one that runs a long command. */
interface FakeOpts {
  readonly state?: HostState;
  readonly fail?: string;
  readonly slow?: string;
}

/** The argv a fake's `slow` method runs through the executor: long enough to outlive any test unless killed. */
const SLOW_ARGV = ['sleep', '612.345'];

/**
 * A runtime that only records what it is asked: `method:host`; `fail` names a method that throws,
 * `slow` one that runs SLOW_ARGV.
 */
function fakeRuntime(name: Runtime['name'], log: string[], opts: FakeOpts = {}): Runtime {
  const call = async (method: string, host = ''): Promise<void> => {
    log.push(`${method}:${host}`);
    if (opts.fail === method) throw new CyrangeError('CYR_RUNTIME', `fake ${method} failed`);
    if (opts.slow === method) await run(SLOW_ARGV);
  };
  return {
    name,
    nics: fakeNics(name, log),
    create: (_c, hosts) => call('create', hosts.map((h) => h.name).join(',')),
    boot: async (_c, h) => {
      await call('boot', h.name);
      return { fresh: false };
    },
    start: (_c, h) => call('start', h.name),
    stop: (_c, h) => call('stop', h.name),
    state: async (_c, h) => {
      await call('state', h.name);
      return opts.state ?? 'running';
    },
    exec: async (_c, h) => {
      await call('exec', h.name);
      return 0;
    },
    console: () => Promise.reject(new Error('no console in fakes')),
    discard: (_c, h) => call('discard', h.name),
    freeze: (_c, h) => call('freeze', h.name),
    saveWrites: (_c, h) => call('saveWrites', h.name),
    restoreWrites: (_c, h) => call('restoreWrites', h.name),
    forgetWrites: (_c, h) => call('forgetWrites', h.name),
    destroy: (_c, hosts) => call('destroy', hosts.map((h) => h.name).join(',')),
    owners: async () => [],
    purge: (instance) => call('purge', instance),
  };
}

const BLUEPRINT = `name: fk
networks:
  - { name: lan, subnet: 10.61.0.0/24 }
  - { name: dmz, subnet: 10.61.1.0/24 }
vms:
  - { name: a, runtime: netns, interfaces: [ { network: lan } ] }
  - { name: b, runtime: netns, interfaces: [ { network: lan }, { network: dmz } ] }
`;

const resolved = (instance: string, text = BLUEPRINT): ResolvedRange => resolveRange(loadRawRange(text), { instance });

/** What an operation gave: its value or its error, whether it threw at once or rejected (setRateLimit checks before its promise). */
async function outcome<T>(op: () => Promise<T>): Promise<T | Error> {
  try {
    return await op();
  } catch (e) {
    return e as Error;
  }
}

let stateDir: string;
let store: FakeStore;
let log: string[];
let events: EngineEvent[];
let cfg: EngineConfig;
let ctx: EngineContext;

function useRuntime(opts: FakeOpts = {}): void {
  registerRuntime(fakeRuntime('netns', log, opts));
}

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'cyrange-fakes-'));
  store = new FakeStore();
  log = [];
  events = [];
  cfg = { ...configFromEnv({}), stateDir, metadata: false };
  ctx = { store, cfg, emit: (e) => events.push(e) };
  useRuntime();
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));
// The registry is per test file (module), but leave it as found all the same.
afterAll(() => {
  for (const rt of [netnsRuntime, dockerRuntime, microvmRuntime]) registerRuntime(rt);
});

describe('deploy refuses a range it cannot build before making anything', () => {
  it.each<[string, string, Partial<EngineConfig>, string]>([
    [
      'nat egress without an uplink namespace configured',
      BLUEPRINT.replace('10.61.0.0/24 }', '10.61.0.0/24, egress: nat }'),
      { uplinkNetns: null },
      'networks[0].egress: nat needs an uplink',
    ],
    [
      'an uplink namespace that does not exist',
      BLUEPRINT.replace('10.61.0.0/24 }', '10.61.0.0/24, egress: nat }'),
      { uplinkNetns: 'cyrange-fakes-no-such-netns' },
      'uplink namespace cyrange-fakes-no-such-netns (CYRANGE_NAT_UPLINK_NETNS) does not exist',
    ],
  ])('%s', async (_what, text, extra, message) => {
    const err = await deploy({ ...ctx, cfg: { ...cfg, ...extra } }, resolved('fk1', text), text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CyrangeError);
    expect((err as Error).message).toContain(message);
    expect(store.writes).toEqual([]);
    expect(log).toEqual([]);
    expect(events).toEqual([]);
    expect(existsSync(runDirOf(cfg, 'fk1'))).toBe(false);
  });
});

describe('nic add / nic rm: the store goes first, and is put back when the host side fails', () => {
  it.each<[string, { state?: HostState; fail?: string }, string[], string[], string | null]>([
    // A host whose namespace is gone gets its NIC at the next deploy; the store keeps it.
    ['host missing: stored only', { state: 'missing' }, ['addInterface fk2 a dmz'], ['state:a'], null],
    [
      'the runtime fails: the lease is given back',
      { fail: 'state' },
      ['addInterface fk2 a dmz', 'removeInterface fk2 a dmz'],
      ['state:a'],
      'fake state failed',
    ],
  ])('%s', async (_what, rt, writes, calls, error) => {
    useRuntime(rt);
    store.put(resolved('fk2'), 'running');
    const res = await outcome(() => addNic(ctx, 'fk2', 'a', 'dmz'));
    expect(store.writes).toEqual(writes);
    expect(log).toEqual(calls);
    const a = store.getRange('fk2')?.resolved.hosts.find((h) => h.name === 'a');
    if (error) {
      expect((res as Error).message).toBe(error);
      expect(a?.interfaces.map((n) => n.network)).toEqual(['lan']);
      expect(events.map((e) => (e.kind === 'step' ? `${e.step} ${e.status}` : e.kind))).toEqual([
        'nic-add:a:dmz started',
        'nic-add:a:dmz failed',
      ]);
    } else {
      // The lowest free address from the tenth up: .10 and .11 are a's and b's on lan, dmz has b at .10.
      expect(res).toMatchObject({ network: 'dmz', ip: '10.61.1.11', ifname: 'eth1', primary: false });
      expect(a?.interfaces.map((n) => n.network)).toEqual(['lan', 'dmz']);
    }
    // The lock is released either way.
    expect(existsSync(join(runDirOf(cfg, 'fk2'), 'op.lock'))).toBe(false);
  });

  it.each<[string, string, string, string | null]>([
    ['a secondary NIC', 'b', 'dmz', null],
    ['the primary: refused by the store, nothing done on the host', 'b', 'lan', 'the primary interface cannot be removed'],
    ['a network the host is not on', 'a', 'dmz', 'host a has no interface on dmz'],
  ])('nic rm of %s', async (_what, host, network, error) => {
    store.put(resolved('fk3'), 'planned');
    const res = await outcome(() => removeNic(ctx, 'fk3', host, network));
    if (error) {
      expect((res as Error).message).toBe(error);
      expect(events).toEqual([]);
    } else {
      expect(res).toMatchObject({ network, primary: false });
      expect(
        store
          .getRange('fk3')
          ?.resolved.hosts.find((h) => h.name === host)
          ?.interfaces.map((n) => n.network),
      ).toEqual(['lan']);
    }
    // The host's NIC attachment takes it out; the runtime itself is not asked.
    expect(log).toEqual(error ? [] : [`nics.unplug:${host}:${network}`]);
  });
});

describe('limit: checked, then stored; the kernel is touched only for a running range', () => {
  const limit = (ingressMbps: number | null, egressMbps: number | null, burstKb = 32): RateLimit => ({ ingressMbps, egressMbps, burstKb });
  it.each<[string, string, string, RateLimit | null, string | null]>([
    ['a limit', 'b', 'dmz', limit(10, 5), null],
    ['clearing it', 'b', 'dmz', null, null],
    ['a zero rate', 'b', 'dmz', limit(0, 5), 'rate_limit.ingress_mbps: 0 is not a positive number'],
    ['no direction', 'b', 'dmz', limit(null, null), 'rate_limit: give ingress_mbps, egress_mbps or both'],
    ['an unknown host', 'zz', 'dmz', limit(1, 1), 'no host "zz" in "fk4" (hosts: a, b)'],
    ['a network the host is not on', 'a', 'dmz', limit(1, 1), 'host a has no interface on network dmz'],
  ])('%s', async (_what, host, network, value, error) => {
    store.put(resolved('fk4'), 'planned');
    const res = await outcome(() => setRateLimit(ctx, 'fk4', host, network, value));
    if (error) {
      expect((res as Error).message).toContain(error);
      if (value && (value.ingressMbps === 0 || (value.ingressMbps === null && value.egressMbps === null)))
        expect(res).toBeInstanceOf(ValidationError);
      expect(store.getRange('fk4')?.resolved).toEqual(resolved('fk4'));
    } else {
      expect((res as ResolvedInterface).rateLimit).toEqual(value);
      const nic = store
        .getRange('fk4')
        ?.resolved.hosts.find((h) => h.name === host)
        ?.interfaces.find((n) => n.network === network);
      expect(nic?.rateLimit).toEqual(value);
    }
    expect(log).toEqual([]);
  });
});

describe('mapLimit: the concurrency bound', () => {
  it.each([
    [10, 1],
    [10, 3],
    [10, 8],
    [3, 8],
    [0, 4],
  ])('%i items, %i at a time: never more in flight, results in input order', async (n, limit) => {
    let inFlight = 0;
    let most = 0;
    const items = [...Array(n).keys()];
    const out = await mapLimit(items, limit, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      // Later items finish first: the result order must still be the input's.
      await new Promise((r) => setTimeout(r, (n - i) * 2));
      inFlight--;
      return i * 10;
    });
    expect(most).toBe(Math.min(n, limit));
    expect(out).toEqual(items.map((i) => i * 10));
  });

  it('runs every item even when some fail, then throws the first failure', async () => {
    const ran: number[] = [];
    const err = await mapLimit([0, 1, 2, 3, 4], 2, async (i) => {
      ran.push(i);
      if (i === 1 || i === 3) throw new Error(`item ${i}`);
      return i;
    }).catch((e: Error) => e.message);
    expect(err).toBe('item 1');
    expect(ran.sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('step: each outcome recorded in order and emitted', () => {
  it.each<[string, () => Promise<number>, string, string]>([
    ['done', async () => 1, 'done', 'started,done'],
    [
      'failed',
      async () => {
        throw new Error('nope');
      },
      'failed',
      'started,failed',
    ],
  ])('%s', async (_what, fn, status, emitted) => {
    const results: StepResult[] = [];
    await step({ emit: ctx.emit, results, op: 'deploy', instance: 'fk5' }, 'network', fn).catch(() => {});
    expect(results).toEqual([expect.objectContaining({ step: 'network', status, ...(status === 'failed' ? { error: 'nope' } : {}) })]);
    expect(events.map((e) => (e.kind === 'step' ? e.status : '')).join(',')).toBe(emitted);
  });
});

describe('pools: copy names and admission over the whole batch', () => {
  it.each([
    ['class', 1, 5, 'class-01'],
    ['class', 12, 12, 'class-12'],
    ['class', 7, 150, 'class-007'],
    ['c', 100, 100, 'c-100'],
  ])('copyName(%s, %i, of %i) is %s', (pool, position, size, name) => {
    expect(copyName(pool, position, size)).toBe(name);
  });

  const instructor: Actor = { kind: 'user', name: 'ines', role: 'instructor' };
  const admin: Actor = { kind: 'user', name: 'root', role: 'admin' };
  it.each<[string, Actor, number, number, string | null]>([
    ['within the quota', instructor, 1, 1, null],
    [
      'the batch itself takes the instructor past it',
      instructor,
      1,
      2,
      'quota exceeded: 3 ranges with your other ranges, the limit is 2 ranges',
    ],
    ['an admin has none', admin, 5, 5, null],
  ])('%s', async (_what, actor, held, copies, error) => {
    for (let i = 0; i < held; i++) store.put(resolved(`held${i}`), 'running', actor.kind === 'user' ? actor.name : null);
    const batch = Array.from({ length: copies }, (_, i) => resolved(copyName('p', i + 1, copies)));
    const quota = { ranges: 2, hosts: null, memoryBytes: null, cpus: null };
    const res = await admitBatch({ ...cfg, quota }, store, actor, batch).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(res).toEqual(error === null ? null : expect.stringContaining(error));
  });
});

/** PIDs of live processes whose command line is exactly `argv`. */
function pidsRunning(argv: readonly string[]): number[] {
  const want = `${argv.join('\0')}\0`;
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === want && !/^\S+ \S+ [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('cancellation: an aborted operation stops the commands it runs', () => {
  it('host stop, aborted while its runtime runs a command: the command is killed and the operation fails saying so', async () => {
    useRuntime({ slow: 'stop' });
    store.put(resolved('fk9'), 'running');
    const abort = new AbortController();
    const engine = new Engine(store, cfg, { signal: abort.signal });
    const op = outcome(() => engine.host('fk9', 'a', 'stop'));
    await expect.poll(() => pidsRunning(SLOW_ARGV).length, { timeout: 5000 }).toBe(1);
    abort.abort();
    const err = await op;
    expect(err).toBeInstanceOf(CyrangeError);
    expect((err as Error).message).toContain('aborted');
    expect(pidsRunning(SLOW_ARGV)).toEqual([]);
  });

  it('an engine view with a request signal: aborting it stops the command, the engine itself stays usable', async () => {
    useRuntime({ slow: 'exec' });
    store.put(resolved('fk10'), 'running');
    const engine = new Engine(store, cfg);
    const request = new AbortController();
    const op = outcome(() => engine.withSignal(request.signal).exec('fk10', 'a', ['true']));
    await expect.poll(() => pidsRunning(SLOW_ARGV).length, { timeout: 5000 }).toBe(1);
    request.abort();
    expect(((await op) as Error).message).toContain('aborted');
    expect(pidsRunning(SLOW_ARGV)).toEqual([]);
    useRuntime();
    expect(await engine.exec('fk10', 'a', ['true'])).toBe(0);
  });
});

describe('the NIC attachment seam: each runtime brings its own, the engine never asks which kind', () => {
  const TWO_KINDS = `name: fk
networks:
  - { name: lan, subnet: 10.61.0.0/24 }
vms:
  - { name: a, runtime: netns, interfaces: [ { network: lan } ] }
  - { name: c, runtime: docker, image: alpine, interfaces: [ { network: lan } ] }
  - { name: d, runtime: docker, image: alpine, interfaces: [ { network: lan } ] }
`;

  it("inspect reads each host through its own runtime's attachment, one call per attachment with the host states", async () => {
    registerRuntime(fakeRuntime('docker', log, { state: 'stopped' }));
    store.put(resolved('fk11', TWO_KINDS), 'running');
    const res = await new Engine(store, cfg).inspect('fk11');
    expect(log.filter((l) => l.startsWith('nics.')).sort()).toEqual(['nics.observe:a=running', 'nics.observe:c=stopped,d=stopped']);
    expect(res.hosts.map((h) => [h.name, h.state, h.interfaces[0]?.observed?.mac])).toEqual([
      ['a', 'running', 'netns'],
      ['c', 'stopped', 'docker'],
      ['d', 'stopped', 'docker'],
    ]);
  });

  it('a host whose runtime reports it missing shows no observed NICs', async () => {
    useRuntime({ state: 'missing' });
    registerRuntime(fakeRuntime('docker', log, { state: 'missing' }));
    store.put(resolved('fk12', TWO_KINDS), 'running');
    const res = await new Engine(store, cfg).inspect('fk12');
    expect(res.hosts.map((h) => h.interfaces[0]?.observed ?? null)).toEqual([null, null, null]);
  });

  it('an unknown instance fails the one way every command says it', async () => {
    const err = await outcome(() => new Engine(store, cfg).inspect('nope'));
    expect((err as CyrangeError).code).toBe('CYR_NOT_FOUND');
    expect((err as Error).message).toBe('no range instance "nope"');
  });
});
