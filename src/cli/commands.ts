import type { Command } from 'commander';
import { registerBlueprintCommands } from './commands/blueprint.js';
import { registerCaptureCommands } from './commands/capture.js';
import { registerGraphCommands } from './commands/graph.js';
import { registerHostBridgeCommands } from './commands/hostbridge.js';
import { registerHostCommands } from './commands/hosts.js';
import { registerImageCommands } from './commands/image.js';
import { registerNetFeatureCommands } from './commands/netfeatures.js';
import { registerNicCommands } from './commands/nics.js';
import { registerPolicyCommands } from './commands/policy.js';
import { registerPoolCommands } from './commands/pool.js';
import { registerRangeCommands } from './commands/ranges.js';
import { registerRenderCommands } from './commands/render.js';
import { registerServerCommands } from './commands/server.js';
import { registerSnapshotCommands } from './commands/snapshot.js';
import { registerTokenCommands } from './commands/tokens.js';

/**
 * The top-level commands, in the order `--help` lists them, each group with the names it defines
 * (test/cli-commands.test.ts checks them against what the group registers).
 */
const GROUPS: ReadonlyArray<{ readonly names: readonly string[]; readonly register: (program: Command) => void }> = [
  { names: ['validate', 'plan'], register: registerBlueprintCommands },
  { names: ['deploy', 'ls', 'inspect', 'destroy', 'reconcile', 'gc'], register: registerRangeCommands },
  { names: ['exec', 'console', 'watch', 'reset', 'host', 'vm'], register: registerHostCommands },
  { names: ['nic'], register: registerNicCommands },
  { names: ['service', 'serve', 'admin', 'user', 'assign'], register: registerServerCommands },
  { names: ['token'], register: registerTokenCommands },
  { names: ['policy', 'check'], register: registerPolicyCommands },
  { names: ['host-bridge'], register: registerHostBridgeCommands },
  { names: ['limit', 'stats'], register: registerNetFeatureCommands },
  { names: ['render'], register: registerRenderCommands },
  { names: ['graph'], register: registerGraphCommands },
  { names: ['image'], register: registerImageCommands },
  { names: ['capture'], register: registerCaptureCommands },
  { names: ['snapshot'], register: registerSnapshotCommands },
  { names: ['pool'], register: registerPoolCommands },
];

/** The names of the top-level commands, group by group. */
export const COMMAND_GROUP_NAMES: ReadonlyArray<readonly string[]> = GROUPS.map((g) => g.names);

/**
 * Adds the commands to the program: only the group that defines `first` when it names a command
 * (defining all ~100 costs start-up time), else every one (`--help`, `help`, a typo's suggestion).
 */
export function registerCommands(program: Command, first?: string): void {
  const group = first === undefined ? undefined : GROUPS.find((g) => g.names.includes(first));
  for (const g of group ? [group] : GROUPS) g.register(program);
}
