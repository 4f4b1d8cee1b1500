import { Command, CommanderError } from 'commander';
import { CyrangeError, ValidationError, formatProblem } from '../model/index.js';
import { registerCommands } from './commands.js';

/** Exit status for invalid input, as the CLI contract fixes it. */
const EXIT_INVALID = 2;

/** The command being run and what it was given (`nic add I h1 lan2`), to name it when it fails unexpectedly. */
let running = 'cyrange';

/**
 * An error Cyrange did not raise on purpose (a file system or library error) as a CyrangeError line
 * naming the operation and its object, never a raw `Error:` with a stack. CYRANGE_DEBUG=1 keeps the stack.
 */
function asCyrangeError(e: unknown): CyrangeError {
  const err = e instanceof Error ? e : new Error(String(e));
  const what = err.message.trim() || err.name || 'unknown error';
  return new CyrangeError('CYR_INTERNAL', `${running}: ${what}`, {
    hint: process.env.CYRANGE_DEBUG === '1' ? err.stack : 'unexpected: run it again with CYRANGE_DEBUG=1 to see where it came from',
    cause: e,
  });
}

function report(e: unknown): number {
  if (!(e instanceof CyrangeError)) return report(asCyrangeError(e));
  if (e instanceof ValidationError) {
    for (const p of e.problems) process.stderr.write(`${e.source ? `${e.source}: ` : ''}${formatProblem(p)}\n`);
    return EXIT_INVALID;
  }
  if (e instanceof CyrangeError) {
    process.stderr.write(`error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
    // Bad input is exit 2 however it was found.
    return e.code === 'CYR_INVALID' || e.code === 'CYR_PARSE' ? EXIT_INVALID : 1;
  }
  return 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('cyrange')
    .description('Deploy cyber ranges: isolated networks of multi-NIC hosts, many copies side by side')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program);
  program.hook('preAction', (_root, action) => {
    const path: string[] = [];
    for (let c: Command | null = action; c && c !== program; c = c.parent) path.unshift(c.name());
    running = [...path, ...action.args].join(' ');
  });
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

// Errors thrown outside the command's promise (a stream's 'error' event, say) are reported the same way.
for (const event of ['uncaughtException', 'unhandledRejection'] as const)
  process.on(event, (e: unknown) => {
    process.exitCode = report(e);
    process.exit();
  });

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.exitCode = report(e);
  },
);
