import type { Command } from 'commander';
import type { InstallOptions } from '../actions/service.js';

/** Where `service install` writes the unit unless told otherwise. */
export const UNIT_PATH = '/etc/systemd/system/cyrange.service';
/** Optional file of secrets the unit reads (CYRANGE_ADMIN_TOKEN, CYRANGE_DATABASE_URL): never written into the unit. */
export const ENV_FILE = '/etc/default/cyrange';

/** `service install`: a systemd unit for `serve`. */
export function registerServiceCommands(program: Command): void {
  program
    .command('service')
    .description('run the server as a system service')
    .command('install')
    .description(`write a systemd unit for \`cyrange serve\` (${UNIT_PATH}); enable it with \`systemctl enable --now cyrange\``)
    .option('--dry-run', 'print the unit instead of writing it')
    .option('--path <file>', 'where to write it', UNIT_PATH)
    .option('--host <host>', 'address serve listens on', '127.0.0.1')
    .option('--port <port>', 'port', '8080')
    .option('--docker', 'order the unit after docker.service even when no stored range has docker hosts')
    .action(async (o: InstallOptions) => (await import('../actions/service.js')).install(o));
}
