import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { Engine, HostAction, RangeRecord } from '../../engine/index.js';
import {
  CyrangeError,
  NETWORK_MODES,
  type RawPlugin,
  type ResolvedRange,
  type StandaloneHostFlags,
  ValidationError,
  describeChange,
  isStandaloneRange,
  parseRawRange,
  resolveRange,
  standaloneBlueprint,
  standaloneFlagsOf,
} from '../../model/index.js';
import { openEngine } from '../context.js';
import { localActor } from '../load.js';
import { printJson, table } from '../output.js';
import { startWatcherIfNeeded } from '../watcher.js';
import { renderPlan } from './blueprint.js';

function parseBool(v: string): boolean {
  if (/^(true|yes|1|on)$/i.test(v)) return true;
  if (/^(false|no|0|off)$/i.test(v)) return false;
  throw new ValidationError([{ path: '--network-auto-assign', message: `"${v}" is not true or false` }]);
}

function readPlugins(file: string): Record<string, RawPlugin> {
  try {
    const doc = parseYaml(readFileSync(file, 'utf8'), { maxAliasCount: 100 }) as { plugins?: Record<string, RawPlugin> } | null;
    return doc?.plugins ?? (doc as Record<string, RawPlugin>) ?? {};
  } catch (e) {
    throw new ValidationError([{ path: '', message: `cannot read plugins: ${(e as Error).message}` }], file);
  }
}

/** Host commands: exec, host start|stop|restart, and standalone hosts (`vm create|set|ls|rm`). */
export function registerHostCommands(program: Command): void {
  program
    .command('exec')
    .description('run a command in a host; its exit code becomes ours')
    .argument('<instance>')
    .argument('<host>')
    .argument('<cmd...>', 'command and arguments (after --)')
    .passThroughOptions()
    .action(async (instance: string, host: string, cmd: string[]) => {
      if (cmd[0] === '--') cmd.shift();
      const ctx = await openEngine();
      try {
        process.exitCode = await ctx.engine.exec(instance, host, cmd);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('console')
    .description('open an interactive shell in a host (docker exec with a TTY, or a shell in the namespace)')
    .argument('<instance>')
    .argument('<host>')
    .option('--shell <path>', 'shell to run', '/bin/sh')
    .action(async (instance: string, host: string, o: { shell: string }) => {
      const ctx = await openEngine();
      const raw = process.stdin.isTTY === true;
      try {
        if (raw) process.stdin.setRawMode(true);
        process.exitCode = await ctx.engine.exec(instance, host, [o.shell, '-i'], { tty: raw });
      } finally {
        if (raw) process.stdin.setRawMode(false);
        await ctx.close();
      }
    });

  program
    .command('watch')
    .description("keep docker hosts wired: re-wire containers restarted behind Cyrange's back (deploy starts it)")
    .action(async () => {
      const ctx = await openEngine({ progress: true });
      const stop = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
      try {
        await ctx.engine.watchDocker(stop.signal);
      } finally {
        await ctx.close();
      }
    });

  program
    .command('reset')
    .description('put a host, or every host of a range, back to its deployed state: its writes are discarded, NICs, IPs and MACs stay')
    .argument('<instance>')
    .argument('[host]')
    .action(async (instance: string, host: string | undefined) => {
      const ctx = await openEngine({ progress: true });
      try {
        const t0 = performance.now();
        await ctx.engine.reset(instance, host);
        startWatcherIfNeeded(ctx.cfg, await ctx.engine.hasDockerHosts());
        process.stdout.write(`reset ${host ? `${instance}/${host}` : instance}: done in ${Math.round(performance.now() - t0)} ms\n`);
      } finally {
        await ctx.close();
      }
    });

  const hostCmd = program.command('host').description('start, stop, restart or reset one host of a range');
  for (const action of ['start', 'stop', 'restart', 'reset'] as const satisfies readonly HostAction[]) {
    hostCmd
      .command(action)
      .argument('<instance>')
      .argument('<host>')
      .action(async (instance: string, host: string) => {
        const ctx = await openEngine({ progress: true });
        try {
          await ctx.engine.host(instance, host, action);
          startWatcherIfNeeded(ctx.cfg, await ctx.engine.hasDockerHosts());
          await ctx.close();
          process.stdout.write(`${action} ${instance}/${host}: done\n`);
        } finally {
          await ctx.close();
        }
      });
  }

  hostCmd
    .command('vsock')
    .description('move a host to vsock mode: its NICs and leases go, exec keeps working over its control socket')
    .argument('<instance>')
    .argument('<host>')
    .action(async (instance: string, host: string) => {
      const ctx = await openEngine({ progress: true });
      try {
        await ctx.engine.moveToVsock(instance, host);
        process.stdout.write(`${instance}/${host}: vsock mode, no network interfaces\n`);
      } finally {
        await ctx.close();
      }
    });

  const vm = program.command('vm').description('standalone hosts outside a blueprint: each is a one-host range named after it');
  const networkFlags = (c: Command) =>
    c
      .addOption(new Option('--network-mode <mode>', 'network mode').choices([...NETWORK_MODES]))
      .option('--network-subnet <cidr>', "the host's own subnet (bridged and dhcp)")
      .option('--network-gateway <ip>', 'gateway (default: first host address)')
      .option('--network-auto-assign [bool]', 'allocate the address automatically (bridged)')
      .option('--ip <ip>', 'static address (bridged)');

  networkFlags(vm.command('create'))
    .description('create and start a standalone host from seed-style flags (plugin defaults, flags overriding them field by field)')
    .argument('<name>')
    .option('--plugin <name>', 'host template to inherit from')
    .option('--plugins <file>', 'YAML file with a `plugins:` map')
    .addOption(new Option('--plugin-file <file>', 'same as --plugins').hideHelp())
    .option('--runtime <runtime>', 'netns | docker | microvm')
    .option('--image <image>', 'image for docker hosts')
    .option('--dry-run', 'validate and print what would be created; create nothing')
    .option('--json', 'print the resolved host as JSON')
    .action(async (name: string, o: Record<string, string | boolean | undefined>) => {
      const mode = (o.networkMode as string | undefined) ?? undefined;
      if (mode !== 'vsock' && o.networkSubnet === undefined && o.plugin === undefined)
        throw new ValidationError([{ path: '--network-subnet', message: `is required in ${mode ?? 'bridged'} mode` }]);
      const pluginFile = o.plugins ?? o.pluginFile;
      const raw = standaloneBlueprint({
        name,
        ...flagsOf(o),
        ...(typeof o.plugin === 'string' ? { plugin: o.plugin } : {}),
        ...(typeof pluginFile === 'string' ? { plugins: readPlugins(pluginFile) } : {}),
        ...(typeof o.runtime === 'string' ? { runtime: o.runtime } : {}),
        ...(typeof o.image === 'string' ? { image: o.image } : {}),
      });
      const range = resolveStandalone(raw);
      if (o.dryRun) {
        if (o.json) printJson(range.hosts[0]);
        else process.stdout.write(`standalone host ${name} (not created)\n\n${renderPlan(range)}`);
        return;
      }
      const ctx = await openEngine({ progress: !o.json });
      try {
        if (await ctx.engine.get(name))
          throw new CyrangeError('CYR_EXISTS', `a range or standalone host named "${name}" already exists`, {
            hint: `change it with \`cyrange vm set ${name} …\`, or remove it with \`cyrange vm rm ${name}\``,
          });
        const res = await ctx.engine.deploy(range, JSON.stringify(raw), null, localActor());
        startWatcherIfNeeded(
          ctx.cfg,
          range.hosts.some((h) => h.runtime === 'docker'),
        );
        await ctx.close();
        if (o.json) printJson({ ...range.hosts[0], status: 'running', ms: res.ms });
        else process.stdout.write(`created and started standalone host ${name} in ${res.ms} ms\n\n${renderPlan(range)}`);
      } finally {
        await ctx.close();
      }
    });

  networkFlags(vm.command('set'))
    .description(
      "change a standalone host's network: bridged → vsock releases its NICs and addresses, vsock → bridged allocates them again; the host keeps its data",
    )
    .argument('<name>')
    .option('--replace', 'also apply what cannot change in place (DHCP on its network: the host is rebuilt)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: Record<string, string | boolean | undefined>) => {
      const ctx = await openEngine({ progress: !o.json });
      try {
        const rec = await standaloneRecord(ctx.engine, name);
        const base = standaloneFlagsOf(rec.resolved, parseSource(rec.source));
        const next = { ...base, ...flagsOf(o) };
        // A static address does not survive a move to dhcp; a network keeps serving DHCP once it does.
        const merged = { ...next, dhcp: base.dhcp === true || next.mode === 'dhcp', ...(next.mode === 'dhcp' ? { ip: undefined } : {}) };
        if (merged.ip === undefined) delete (merged as { ip?: string }).ip;
        if (merged.mode !== 'vsock' && merged.subnet === undefined)
          throw new ValidationError([{ path: '--network-subnet', message: `is required to move ${name} to ${merged.mode} mode` }]);
        const raw = standaloneBlueprint(merged);
        const range = resolveStandalone(raw, rec.resolved);
        const res = await ctx.engine.apply(range, JSON.stringify(raw), localActor(), { replace: o.replace === true });
        await ctx.close();
        if (o.json) printJson(res);
        else
          process.stdout.write(
            res.changes.length === 0
              ? `${name} is up to date: nothing changed\n`
              : `changed ${name} in ${res.ms} ms:\n${res.changes.map((c) => `  ${describeChange(c)}\n`).join('')}`,
          );
      } finally {
        await ctx.close();
      }
    });

  vm.command('ls')
    .description('list standalone hosts')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => {
      const ctx = await openEngine();
      try {
        const rows = (await ctx.engine.list())
          .filter((r) => r.kind === 'standalone' || isStandaloneRange(r.resolved))
          .map((r) => {
            const h = r.resolved.hosts[0];
            const nic = h?.interfaces[0];
            return {
              name: r.instance,
              runtime: h?.runtime ?? '-',
              mode: h?.network.mode ?? '-',
              network: r.resolved.networks[0]?.subnet ?? null,
              ip: nic ? (nic.ip ?? 'dhcp') : null,
              status: r.status,
            };
          });
        if (o.json) printJson(rows);
        else
          process.stdout.write(
            `${table(
              ['NAME', 'RUNTIME', 'MODE', 'SUBNET', 'IP', 'STATUS'],
              rows.map((r) => [r.name, r.runtime, r.mode, r.network ?? '-', r.ip ?? '-', r.status]),
            )}\n`,
          );
      } finally {
        await ctx.close();
      }
    });

  vm.command('rm')
    .description('stop and remove a standalone host with everything it owns')
    .argument('<name>')
    .action(async (name: string) => {
      const ctx = await openEngine({ progress: true });
      try {
        await standaloneRecord(ctx.engine, name);
        await ctx.engine.destroy(name);
        await ctx.close();
        process.stdout.write(`removed standalone host ${name}\n`);
      } finally {
        await ctx.close();
      }
    });
}

/** The network flags of `vm create` and `vm set`, as standalone host flags. */
function flagsOf(o: Record<string, string | boolean | undefined>): Partial<StandaloneHostFlags> {
  const auto = o.networkAutoAssign;
  return {
    ...(typeof o.networkMode === 'string' ? { mode: o.networkMode } : {}),
    ...(typeof o.networkSubnet === 'string' ? { subnet: o.networkSubnet } : {}),
    ...(typeof o.networkGateway === 'string' ? { gateway: o.networkGateway } : {}),
    ...(auto !== undefined ? { autoAssign: auto === true ? true : parseBool(String(auto)) } : {}),
    ...(typeof o.ip === 'string' ? { ip: o.ip } : {}),
  };
}

/** Parses and resolves a standalone host's blueprint (against its deployed range when there is one). */
function resolveStandalone(raw: unknown, pin?: ResolvedRange): ResolvedRange {
  const parsed = parseRawRange(raw);
  if ('problems' in parsed) throw new ValidationError(parsed.problems, 'vm');
  return resolveRange(parsed.raw, { source: 'vm', ...(pin ? { pin } : {}) });
}

function parseSource(source: string): unknown {
  try {
    return JSON.parse(source);
  } catch {
    return null;
  }
}

async function standaloneRecord(engine: Engine, name: string): Promise<RangeRecord> {
  const rec = await engine.get(name);
  if (!rec || !(rec.kind === 'standalone' || isStandaloneRange(rec.resolved)))
    throw new CyrangeError('CYR_NOT_FOUND', `no standalone host "${name}"`, { hint: 'cyrange vm ls lists them' });
  return rec;
}
