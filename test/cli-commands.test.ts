import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_GROUP_NAMES, registerCommands } from '../src/cli/commands.js';
import { cli, tempStateDir } from './helpers.js';

/** The top-level names (and aliases) a program holds, in order. */
const namesOf = (p: Command) => p.commands.flatMap((c) => [c.name(), ...c.aliases()]);
const state = tempStateDir();
afterAll(() => state.cleanup());
const program = () => new Command('cyrange').enablePositionalOptions();

describe('the CLI registers only the command group it runs', () => {
  it('each group names exactly the commands it registers, and together they are all of them', () => {
    const all = program();
    registerCommands(all);
    expect(namesOf(all)).toEqual(COMMAND_GROUP_NAMES.flat());
    for (const names of COMMAND_GROUP_NAMES)
      for (const name of names) {
        const p = program();
        registerCommands(p, name);
        expect(namesOf(p), name).toEqual(names);
      }
  });

  it('a name that is no command registers every group, so --help and suggestions see them all', () => {
    for (const first of [undefined, '--help', 'help', 'validat']) {
      const p = program();
      registerCommands(p, first);
      expect(namesOf(p)).toEqual(COMMAND_GROUP_NAMES.flat());
    }
  });

  it('a typo still gets the suggestion, and a subcommand its own help', async () => {
    const typo = await cli(['validat', 'x.yaml'], { stateDir: state.dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('(Did you mean validate?)');
    const help = await cli(['nic', '--help'], { stateDir: state.dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: cyrange nic');
  });
});
