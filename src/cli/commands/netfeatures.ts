import type { Command } from 'commander';
import type { LimitOptions } from '../actions/netfeatures.js';

// The model's own default, from its leaf module: this command table loads eagerly, the model lazily.
import { DEFAULT_BURST_KB } from '../../model/defaults.js';

export { DEFAULT_BURST_KB };
/** Seconds between redraws of `stats --watch` without a number. */
export const DEFAULT_WATCH_SECONDS = 2;

const actions = () => import('../actions/netfeatures.js');

/**
 * `limit` (per-NIC rate limits on a running range) and `stats` (per-NIC counters), both from the
 * host's point of view: ingress/rx is what the host receives, egress/tx what it sends.
 */
export function registerNetFeatureCommands(program: Command): void {
  program
    .command('limit')
    .description('set the rate limit of one NIC of a host (what is not given is unlimited); --clear removes it; no option shows it')
    .argument('<instance>')
    .argument('<host>')
    .argument('<network>')
    .option('--ingress <mbps>', 'limit what the host receives, in Mbit/s')
    .option('--egress <mbps>', 'limit what the host sends, in Mbit/s')
    .option('--burst <kb>', `token bucket size in KiB (default ${DEFAULT_BURST_KB})`)
    .option('--clear', 'remove the limit')
    .option('--json', 'print the interface as JSON')
    .action(async (instance: string, host: string, network: string, o: LimitOptions) =>
      (await actions()).limit(instance, host, network, o),
    );

  program
    .command('stats')
    .description('per-NIC rx/tx bytes, packets and drops from each host’s point of view')
    .argument('<instance>')
    .option('--json', 'print as JSON (one document per refresh with --watch)')
    .option('--watch [seconds]', `redraw every N seconds (default ${DEFAULT_WATCH_SECONDS}) until Ctrl-C`)
    .action(async (instance: string, o: { json?: boolean; watch?: string | boolean }) => (await actions()).stats(instance, o));
}
