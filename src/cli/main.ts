import { Command, CommanderError } from 'commander';
import { CyrangeError, ValidationError, formatProblem } from '../model/index.js';
import { registerCommands } from './commands.js';

/** Exit status for invalid input, as the CLI contract fixes it. */
const EXIT_INVALID = 2;

function report(e: unknown): number {
  if (e instanceof ValidationError) {
    for (const p of e.problems) process.stderr.write(`${e.source ? `${e.source}: ` : ''}${formatProblem(p)}\n`);
    return EXIT_INVALID;
  }
  if (e instanceof CyrangeError) {
    process.stderr.write(`error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
    // Bad input is exit 2 however it was found.
    return e.code === 'CYR_INVALID' || e.code === 'CYR_PARSE' ? EXIT_INVALID : 1;
  }
  process.stderr.write(`error: ${(e as Error).stack ?? String(e)}\n`);
  return 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('cyrange')
    .description('Deploy cyber ranges: isolated networks of multi-NIC hosts, many copies side by side')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0) return 0;
      return EXIT_INVALID;
    }
    return report(e);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = report(e);
  },
);
