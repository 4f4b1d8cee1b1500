import { Command, CommanderError } from 'commander';
import type { CyrangeError } from '../model/index.js';
import { registerCommands } from './commands.js';

/** Exit status for invalid input, as the CLI contract fixes it. */
const EXIT_INVALID = 2;

/** The command being run and what it was given (`nic add I h1 lan2`), to name it when it fails unexpectedly. */
let running = 'cyrange';

/**
 * An error Cyrange did not raise on purpose (a file system or library error) as a CyrangeError line
 * naming the operation and its object, never a raw `Error:` with a stack. CYRANGE_DEBUG=1 keeps the stack.
 */
function asCyrangeError(model: typeof import('../model/index.js'), e: unknown): CyrangeError {
  const err = e instanceof Error ? e : new Error(String(e));
  const what = err.message.trim() || err.name || 'unknown error';
  return new model.CyrangeError('CYR_INTERNAL', `${running}: ${what}`, {
    hint: process.env.CYRANGE_DEBUG === '1' ? err.stack : 'unexpected: run it again with CYRANGE_DEBUG=1 to see where it came from',
    cause: e,
  });
}

/** Writes a failure to stderr and gives the exit status. Loads the model lazily: `--help` never needs it. */
async function report(e: unknown): Promise<number> {
  const model = await import('../model/index.js');
  const c = e instanceof model.CyrangeError ? e : asCyrangeError(model, e);
  if (c instanceof model.ValidationError) {
    for (const p of c.problems) process.stderr.write(`${c.source ? `${c.source}: ` : ''}${model.formatProblem(p)}\n`);
    return EXIT_INVALID;
  }
  process.stderr.write(`error: ${c.message}\n${c.hint ? `hint: ${c.hint}\n` : ''}`);
  // Bad input is exit 2 however it was found.
  return c.code === 'CYR_INVALID' || c.code === 'CYR_PARSE' ? EXIT_INVALID : 1;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('cyrange')
    .description('Deploy cyber ranges: isolated networks of multi-NIC hosts, many copies side by side')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCommands(program, argv[0]);
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
    const status = await report(e);
    // Work a signal stopped (see openEngine) exits 128 + the signal's number, as a shell reports it.
    return typeof process.exitCode === 'number' && process.exitCode > 128 ? process.exitCode : status;
  }
}

// Errors thrown outside the command's promise (a stream's 'error' event, say) are reported the same way.
for (const event of ['uncaughtException', 'unhandledRejection'] as const)
  process.on(event, async (e: unknown) => {
    process.exitCode = await report(e);
    process.exit();
  });

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (e) => {
    process.exitCode = await report(e);
  },
);
