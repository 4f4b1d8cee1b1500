import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { HostAction } from '../../engine/index.js';
import { NETWORK_MODES, type RawPlugin, ValidationError, parseRawRange, resolveRange, standaloneBlueprint } from '../../model/index.js';
import { openEngine } from '../context.js';
import { printJson } from '../output.js';
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

/** Host commands: exec, host start|stop|restart, and standalone `vm create`. */
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
      const ctx = openEngine();
      try {
        process.exitCode = await ctx.engine.exec(instance, host, cmd);
      } finally {
        ctx.close();
      }
    });

  program
    .command('console')
    .description('open an interactive shell in a host (docker exec with a TTY, or a shell in the namespace)')
    .argument('<instance>')
    .argument('<host>')
    .option('--shell <path>', 'shell to run', '/bin/sh')
    .action(async (instance: string, host: string, o: { shell: string }) => {
      const ctx = openEngine();
      const raw = process.stdin.isTTY === true;
      try {
        if (raw) process.stdin.setRawMode(true);
        process.exitCode = await ctx.engine.exec(instance, host, [o.shell, '-i'], { tty: raw });
      } finally {
        if (raw) process.stdin.setRawMode(false);
        ctx.close();
      }
    });

  program
    .command('watch')
    .description("keep docker hosts wired: re-wire containers restarted behind Cyrange's back (deploy starts it)")
    .action(async () => {
      const ctx = openEngine({ progress: true });
      const stop = new AbortController();
      for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
      try {
        await ctx.engine.watchDocker(stop.signal);
      } finally {
        ctx.close();
      }
    });

  program
    .command('reset')
    .description('put a host, or every host of a range, back to its deployed state: its writes are discarded, NICs, IPs and MACs stay')
    .argument('<instance>')
    .argument('[host]')
    .action(async (instance: string, host: string | undefined) => {
      const ctx = openEngine({ progress: true });
      try {
        const t0 = performance.now();
        await ctx.engine.reset(instance, host);
        startWatcherIfNeeded(ctx.cfg, await ctx.engine.hasDockerHosts());
        process.stdout.write(`reset ${host ? `${instance}/${host}` : instance}: done in ${Math.round(performance.now() - t0)} ms\n`);
      } finally {
        ctx.close();
      }
    });

  const hostCmd = program.command('host').description('start, stop, restart or reset one host of a range');
  for (const action of ['start', 'stop', 'restart', 'reset'] as const satisfies readonly HostAction[]) {
    hostCmd
      .command(action)
      .argument('<instance>')
      .argument('<host>')
      .action(async (instance: string, host: string) => {
        const ctx = openEngine({ progress: true });
        try {
          await ctx.engine.host(instance, host, action);
          startWatcherIfNeeded(ctx.cfg, await ctx.engine.hasDockerHosts());
          ctx.close();
          process.stdout.write(`${action} ${instance}/${host}: done\n`);
        } finally {
          ctx.close();
        }
      });
  }

  hostCmd
    .command('vsock')
    .description('move a host to vsock mode: its NICs and leases go, exec keeps working over its control socket')
    .argument('<instance>')
    .argument('<host>')
    .action(async (instance: string, host: string) => {
      const ctx = openEngine({ progress: true });
      try {
        await ctx.engine.moveToVsock(instance, host);
        process.stdout.write(`${instance}/${host}: vsock mode, no network interfaces\n`);
      } finally {
        ctx.close();
      }
    });

  const vm = program.command('vm').description('standalone hosts outside a blueprint');
  vm.command('create')
    .description('validate a standalone host from seed-style flags and record it (deploy comes later)')
    .argument('<name>')
    .addOption(new Option('--network-mode <mode>', 'network mode').choices([...NETWORK_MODES]))
    .option('--network-subnet <cidr>', "the host's own subnet (bridged and dhcp)")
    .option('--network-gateway <ip>', 'gateway (default: first host address)')
    .option('--network-auto-assign [bool]', 'allocate the address automatically (bridged)')
    .option('--ip <ip>', 'static address (bridged)')
    .option('--plugin <name>', 'host template to inherit from')
    .option('--plugin-file <file>', 'YAML file with a `plugins:` map')
    .option('--runtime <runtime>', 'netns | docker | microvm')
    .option('--image <image>', 'image for docker hosts')
    .option('--json', 'print the resolved host as JSON')
    .action(async (name: string, o: Record<string, string | boolean | undefined>) => {
      const mode = (o.networkMode as string | undefined) ?? undefined;
      if (mode !== 'vsock' && o.networkSubnet === undefined && o.plugin === undefined)
        throw new ValidationError([{ path: '--network-subnet', message: `is required in ${mode ?? 'bridged'} mode` }]);
      const auto = o.networkAutoAssign;
      const raw = standaloneBlueprint({
        name,
        ...(mode ? { mode } : {}),
        ...(typeof o.networkSubnet === 'string' ? { subnet: o.networkSubnet } : {}),
        ...(typeof o.networkGateway === 'string' ? { gateway: o.networkGateway } : {}),
        ...(auto !== undefined ? { autoAssign: auto === true ? true : parseBool(String(auto)) } : {}),
        ...(typeof o.ip === 'string' ? { ip: o.ip } : {}),
        ...(typeof o.plugin === 'string' ? { plugin: o.plugin } : {}),
        ...(typeof o.pluginFile === 'string' ? { plugins: readPlugins(o.pluginFile) } : {}),
        ...(typeof o.runtime === 'string' ? { runtime: o.runtime } : {}),
        ...(typeof o.image === 'string' ? { image: o.image } : {}),
      });
      const parsed = parseRawRange(raw);
      if ('problems' in parsed) throw new ValidationError(parsed.problems, 'vm create');
      const range = resolveRange(parsed.raw, { source: 'vm create' });
      const ctx = openEngine();
      try {
        await ctx.store.createRange({ resolved: range, source: JSON.stringify(raw), kind: 'standalone', status: 'planned' });
      } finally {
        ctx.close();
      }
      if (o.json) printJson(range.hosts[0]);
      else process.stdout.write(`recorded standalone host ${name}\n\n${renderPlan(range)}`);
    });
}
