import type { Command } from 'commander';
import type { PoolCreateOptions } from '../actions/pool.js';

const actions = () => import('../actions/pool.js');

/** `pool create|ls|inspect|resize|destroy`: a class of identical ranges, one per student. */
export function registerPoolCommands(program: Command): void {
  const pool = program.command('pool').description('pools: identical copies of one blueprint, one per student');
  pool
    .command('create')
    .description('deploy N copies of a blueprint (NAME-01 …) at once; with --roster, each student gets a user and their own copy')
    .argument('[blueprint]', "blueprint file (YAML or JSON); with --from-snapshot, the snapshot range's own")
    .option('--size <n>', 'number of copies (default: the roster size)', (v) => Number(v))
    .option('--name <pool>', 'pool name (default: the blueprint name)')
    .option('--roster <file>', 'students, one `name[,email]` per line')
    .option('--tokens-out <file>', "write new students' login tokens here (CSV, 0600) instead of stdout")
    .option('--student-reset', 'let students reset their own copy')
    .option('--from-snapshot <instance:name>', 'start every copy from this snapshot of a prepared ("golden") range')
    .option('--json', 'print the result as JSON')
    .action(async (file: string | undefined, o: PoolCreateOptions) => (await actions()).poolCreate(file, o));
  pool
    .command('ls')
    .option('--json', 'print as JSON')
    .action(async (o: { json?: boolean }) => (await actions()).poolLs(o));
  pool
    .command('inspect')
    .argument('<pool>')
    .option('--json', 'print as JSON')
    .action(async (name: string, o: { json?: boolean }) => (await actions()).poolInspect(name, o));
  pool
    .command('resize')
    .argument('<pool>')
    .argument('<size>', 'copies wanted', (v) => Number(v))
    .action(async (name: string, size: number) => (await actions()).poolResize(name, size));
  pool
    .command('destroy')
    .argument('<pool>')
    .action(async (name: string) => (await actions()).poolDestroy(name));
}
