import { type Command, Option } from 'commander';
import type { HostAction } from '../../engine/index.js';
import type { NetworkMode } from '../../model/index.js';
import type { VmFlags } from '../actions/hosts.js';
import { allOf } from '../choices.js';

const actions = () => import('../actions/hosts.js');

/** The model's network modes, in its order. */
const NETWORK_MODES = allOf<NetworkMode>()(['bridged', 'dhcp', 'vsock']);

/** Host commands: exec, host start|stop|restart, and standalone hosts (`vm create|set|ls|rm`). */
export function registerHostCommands(program: Command): void {
  program
    .command('exec')
    .description('run a command in a host; its exit code becomes ours')
    .argument('<instance>')
    .argument('<host>')
    .argument('<cmd...>', 'command and arguments (after --)')
    .passThroughOptions()
    .action(async (instance: string, host: string, cmd: string[]) => (await actions()).exec(instance, host, cmd));

  program
    .command('console')
    .description('open an interactive shell in a host (docker exec with a TTY, or a shell in the namespace)')
    .argument('<instance>')
    .argument('<host>')
    .option('--shell <path>', 'shell to run', '/bin/sh')
    .action(async (instance: string, host: string, o: { shell: string }) => (await actions()).openConsole(instance, host, o));

  program
    .command('watch')
    .description("keep docker hosts wired: re-wire containers restarted behind Cyrange's back (deploy starts it)")
    .action(async () => (await actions()).watch());

  program
    .command('reset')
    .description('put a host, or every host of a range, back to its deployed state: its writes are discarded, NICs, IPs and MACs stay')
    .argument('<instance>')
    .argument('[host]')
    .action(async (instance: string, host: string | undefined) => (await actions()).reset(instance, host));

  const hostCmd = program.command('host').description('start, stop, restart or reset one host of a range');
  for (const action of ['start', 'stop', 'restart', 'reset'] as const satisfies readonly HostAction[]) {
    hostCmd
      .command(action)
      .argument('<instance>')
      .argument('<host>')
      .action(async (instance: string, host: string) => (await actions()).hostAction(action, instance, host));
  }

  hostCmd
    .command('vsock')
    .description('move a host to vsock mode: its NICs and leases go, exec keeps working over its control socket')
    .argument('<instance>')
    .argument('<host>')
    .action(async (instance: string, host: string) => (await actions()).vsock(instance, host));

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
    .action(async (name: string, o: VmFlags) => (await actions()).vmCreate(name, o));

  networkFlags(vm.command('set'))
    .description(
      "change a standalone host's network: bridged → vsock releases its NICs and addresses, vsock → bridged allocates them again; the host keeps its data",
    )
    .argument('<name>')
    .option('--replace', 'also apply what cannot change in place (DHCP on its network: the host is rebuilt)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: VmFlags) => (await actions()).vmSet(name, o));

  vm.command('ls')
    .description('list standalone hosts')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => (await actions()).vmLs(o));

  vm.command('rm')
    .description('stop and remove a standalone host with everything it owns')
    .argument('<name>')
    .action(async (name: string) => (await actions()).vmRm(name));
}
