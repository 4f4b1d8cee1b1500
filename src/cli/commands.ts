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

/** Adds every command to the program. */
export function registerCommands(program: Command): void {
  registerBlueprintCommands(program);
  registerRangeCommands(program);
  registerHostCommands(program);
  registerNicCommands(program);
  registerServerCommands(program);
  registerTokenCommands(program);
  registerPolicyCommands(program);
  registerHostBridgeCommands(program);
  registerNetFeatureCommands(program);
  registerRenderCommands(program);
  registerGraphCommands(program);
  registerImageCommands(program);
  registerCaptureCommands(program);
  registerSnapshotCommands(program);
  registerPoolCommands(program);
}
