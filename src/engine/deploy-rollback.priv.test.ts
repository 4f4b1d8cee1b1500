import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IS_ROOT, uniqueName } from '../../test/helpers.js';
import { run } from '../sys/index.js';
import { CyrangeError, type ResolvedRange, hostNetns, loadRawRange, resolveRange } from '../model/index.js';
import { type Runtime, dockerRuntime, microvmRuntime, netnsRuntime, registerRuntime, vethNics } from '../runtimes/index.js';
import { type EngineConfig, configFromEnv, runDirOf } from './config.js';
import type { EngineContext } from './context.js';
import { deploy } from './deploy.js';
import { destroy } from './destroy.js';
import type { EngineStore, RangeRecord, RangeStatus } from './store-port.js';

/*
 * Deploy's ordering, concurrency bound and rollback with fake runtimes and a fake store. It needs
 * root only because the engine calls the data plane directly (range namespace, veths, addresses,
 * cgroups, the machine-wide owner record): there is no data-plane port to fake yet. The kernel
 * objects it makes are this test's own namespaces, removed by the rollback under test.
 */

/** An in-memory store of what deploy and destroy use; records every write in order. */
class FakeStore implements EngineStore {
  readonly writes: string[] = [];
  private readonly ranges = new Map<string, RangeRecord>();
  getRange(instance: string): RangeRecord | null {
    return this.ranges.get(instance) ?? null;
  }
  listRanges(): RangeRecord[] {
    return [...this.ranges.values()];
  }
  createRange(input: { resolved: ResolvedRange; source: string; kind: 'range' | 'standalone'; status: RangeStatus }): RangeRecord {
    this.writes.push(`createRange ${input.status}`);
    const rec: RangeRecord = {
      id: 1,
      instance: input.resolved.instance,
      status: input.status,
      resolved: input.resolved,
      source: input.source,
      kind: input.kind,
    };
    this.ranges.set(rec.instance, rec);
    return rec;
  }
  setRangeStatus(instance: string, status: RangeStatus): void {
    this.writes.push(`setRangeStatus ${status}`);
    const r = this.ranges.get(instance);
    if (r) this.ranges.set(instance, { ...r, status });
  }
  setRangeSource(): void {
    throw new Error('not used by deploy');
  }
  updateRange(): never {
    throw new Error('not used by deploy');
  }
  deleteRange(instance: string): void {
    this.writes.push('deleteRange');
    this.ranges.delete(instance);
  }
  allocateUplinkSlot(): number {
    return 0;
  }
  addInterface(): never {
    throw new Error('not used by deploy');
  }
  removeInterface(): never {
    throw new Error('not used by deploy');
  }
}

/**
 * A runtime that records `runtime.method:host` and, in `boot`, makes the host's namespace as a real
 * runtime would (the data plane wires into it). `bootMs` keeps boots in flight to measure the bound.
 */
function fakeRuntime(name: Runtime['name'], log: string[], inFlight: { now: number; most: number }, bootMs = 0): Runtime {
  const rec = async (method: string, host = ''): Promise<void> => {
    log.push(`${name}.${method}:${host}`);
  };
  return {
    name,
    // Real veths into the namespaces `boot` makes.
    nics: vethNics,
    create: (_c, hosts) => rec('create', hosts.map((h) => h.name).join(',')),
    boot: async (c, h) => {
      inFlight.now++;
      inFlight.most = Math.max(inFlight.most, inFlight.now);
      await rec('boot', h.name);
      await run(['ip', 'netns', 'add', hostNetns(c.instance, h.name)]);
      await new Promise((r) => setTimeout(r, bootMs));
      inFlight.now--;
      return { fresh: true };
    },
    start: (_c, h) => rec('start', h.name),
    stop: (_c, h) => rec('stop', h.name),
    state: async (_c, h) => {
      await rec('state', h.name);
      return 'running';
    },
    exec: async () => 0,
    console: () => Promise.reject(new Error('no console in fakes')),
    discard: (_c, h) => rec('discard', h.name),
    freeze: (_c, h) => rec('freeze', h.name),
    saveWrites: (_c, h) => rec('saveWrites', h.name),
    restoreWrites: (_c, h) => rec('restoreWrites', h.name),
    forgetWrites: (_c, h) => rec('forgetWrites', h.name),
    destroy: (_c, hosts) => rec('destroy', hosts.map((h) => h.name).join(',')),
    owners: async () => [],
    // Its namespaces go with the range's (found by name prefix); nothing else to remove.
    purge: (instance) => rec('purge', instance),
  };
}

const blueprint = (hosts: readonly string[]) =>
  [
    'name: rb',
    'networks:',
    '  - { name: lan, subnet: 10.62.0.0/24 }',
    'vms:',
    ...hosts.map((h) => `  - { name: ${h}, runtime: netns, interfaces: [ { network: lan } ] }`),
    '',
  ].join('\n');

/** Namespaces of an instance left on the machine. */
const leftNetns = (instance: string): string[] => {
  try {
    return readdirSync('/run/netns').filter((n) => n === `cyr_${instance}` || n.startsWith(`cyr_${instance}_`));
  } catch {
    return [];
  }
};

/** A rollback's teardown asks every registered runtime to purge the instance by its tags. */
const purgedBy = (i: string) => [`netns.purge:${i}`, `docker.purge:${i}`, `microvm.purge:${i}`];

describe.skipIf(!IS_ROOT)('deploy with fake runtimes: order, concurrency bound, rollback', () => {
  let stateDir: string;
  let store: FakeStore;
  let log: string[];
  let inFlight: { now: number; most: number };
  let cfg: EngineConfig;
  /** Finished steps as `name status`, in the order they finished (metadata, which runs beside the hosts, left out). */
  let finished: string[];
  const made: string[] = [];

  function context(opts: { concurrency?: number; failAt?: string; bootMs?: number } = {}): EngineContext {
    for (const name of ['netns', 'docker', 'microvm'] as const) registerRuntime(fakeRuntime(name, log, inFlight, opts.bootMs));
    const emit: EngineContext['emit'] = (e) => {
      if (e.kind === 'step' && e.status !== 'started' && e.step !== 'metadata') finished.push(`${e.step} ${e.status}`);
    };
    return { store, cfg: { ...cfg, concurrency: opts.concurrency ?? 1 }, emit, failAt: opts.failAt };
  }

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'cyrange-rollback-'));
    store = new FakeStore();
    log = [];
    inFlight = { now: 0, most: 0 };
    finished = [];
    cfg = { ...configFromEnv({}), stateDir, metadata: false, uplinkNetns: null };
  });
  afterEach(async () => {
    // Whatever a failed assertion left: the real teardown, by tags.
    for (const instance of made.splice(0)) await destroy({ store, cfg, emit: () => {} }, instance).catch(() => {});
    rmSync(stateDir, { recursive: true, force: true });
  });
  afterAll(() => {
    for (const rt of [netnsRuntime, dockerRuntime, microvmRuntime]) registerRuntime(rt);
  });

  it.each<[string, string[], (i: string) => string[]]>([
    ['network', ['network failed'], () => []],
    ['hosts:create', ['network done', 'hosts:create failed'], () => []],
    ['hosts:boot', ['network done', 'hosts:create done', 'hosts:boot failed'], () => ['netns.create:a,b,c']],
    [
      'hosts:wire',
      ['network done', 'hosts:create done', 'hosts:boot done', 'hosts:wire failed'],
      () => ['netns.create:a,b,c', 'netns.boot:a', 'netns.boot:b', 'netns.boot:c'],
    ],
    [
      // One host failing does not stop the others (each is its own step); the range still rolls back.
      'host:b',
      ['network done', 'hosts:create done', 'hosts:boot done', 'hosts:wire done', 'host:a done', 'host:b failed', 'host:c done'],
      () => ['netns.create:a,b,c', 'netns.boot:a', 'netns.boot:b', 'netns.boot:c', 'netns.start:a', 'netns.start:c'],
    ],
  ])('a failure at %s rolls everything back', async (failAt, steps, calls) => {
    const instance = uniqueName('rb');
    made.push(instance);
    const range = resolveRange(loadRawRange(blueprint(['a', 'b', 'c'])), { instance });
    const err = await deploy(context({ failAt }), range, '').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CyrangeError);
    expect((err as CyrangeError).code).toBe('CYR_DEPLOY_FAILED');
    expect((err as Error).message).toBe(`deploy of "${instance}" failed at step ${failAt}: injected failure at ${failAt}; rolled back`);
    expect(((err as Error).cause as Error).message).toBe(`injected failure at ${failAt}`);
    // Steps: done up to the failure, then the rollback.
    expect(finished).toEqual([...steps, 'rollback done']);
    // Runtime calls: the work up to the failure, then a purge by every runtime.
    expect(log).toEqual([...calls(instance), ...purgedBy(instance)]);
    // The store: recorded first (so gc can tell a deploy in progress), forgotten by the rollback.
    expect(store.writes).toEqual(['createRange deploying', 'deleteRange']);
    expect(store.getRange(instance)).toBeNull();
    // Nothing left on the machine: namespaces, run directory.
    expect(leftNetns(instance)).toEqual([]);
    expect(existsSync(runDirOf(cfg, instance))).toBe(false);
  });

  it.each([
    [1, 4],
    [2, 5],
    [4, 6],
  ])('with concurrency %i, %i hosts boot at most that many at a time, then run; destroy removes all', async (concurrency, n) => {
    const instance = uniqueName('rbc');
    made.push(instance);
    const hosts = Array.from({ length: n }, (_, i) => `h${i}`);
    const range = resolveRange(loadRawRange(blueprint(hosts)), { instance });
    const res = await deploy(context({ concurrency, bootMs: 30 }), range, '');
    expect(inFlight.most).toBe(Math.min(concurrency, n));
    expect(res.changed).toBe(true);
    const order = res.steps.map((s) => s.step).filter((s) => s !== 'metadata');
    expect(order.slice(0, 4)).toEqual(['network', 'hosts:create', 'hosts:boot', 'hosts:wire']);
    expect(order.slice(4).sort()).toEqual(hosts.map((h) => `host:${h}`).sort());
    expect(res.steps.every((s) => s.status === 'done')).toBe(true);
    expect(store.writes).toEqual(['createRange deploying', 'setRangeStatus running']);
    expect(log.filter((l) => l.startsWith('netns.start:')).sort()).toEqual(hosts.map((h) => `netns.start:${h}`).sort());
    expect(leftNetns(instance).length).toBe(n + 1);
    await destroy({ store, cfg, emit: () => {} }, instance);
    expect(leftNetns(instance)).toEqual([]);
    expect(store.getRange(instance)).toBeNull();
  });
});
