import type { Command } from 'commander';

const actions = () => import('../actions/policy.js');

/** `policy set|ls` (traffic rules on a running range) and `check` (the measured reachability matrix). */
export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('traffic rules of a range, changed without a redeploy');
  policy
    .command('set')
    .description('replace the policies of an instance with the rules in FILE')
    .argument('<instance>')
    .argument('<file>', 'YAML/JSON list of rules, or a document with policies:')
    .action(async (instance: string, file: string) => (await actions()).policySet(instance, file));
  policy
    .command('ls')
    .argument('<instance>')
    .option('--json', 'print as JSON')
    .action(async (instance: string, o: { json?: boolean }) => (await actions()).policyLs(instance, o));

  program
    .command('check')
    .description('measure reachability between every pair of hosts (ping and TCP ports) and mark where it differs from the policies')
    .argument('<instance>')
    .option('--ports <list>', 'TCP ports to try, comma-separated', '22,80')
    .option('--json', 'print as JSON')
    .action(async (instance: string, o: { ports: string; json?: boolean }) => (await actions()).check(instance, o));
}
