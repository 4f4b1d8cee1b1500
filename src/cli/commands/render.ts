import { type Command, Option } from 'commander';
import type { RenderOptions } from '../actions/render.js';

/** Forms `cyrange render` can print. */
export const RENDER_FORMATS = ['netplan', 'user-data', 'ip-arg', 'meta-data'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

/** `cyrange render INSTANCE HOST --format ...`: a host's guest config as its guest consumes it. */
export function registerRenderCommands(program: Command): void {
  program
    .command('render')
    .description("print a host's guest config: netplan network-config, cloud-init user-data, kernel ip= argument or meta-data")
    .argument('<instance>')
    .argument('<host>')
    .addOption(new Option('--format <format>', 'what to render').choices([...RENDER_FORMATS]).makeOptionMandatory())
    .option('--ssh-key <key...>', 'authorized ssh public key(s) for the user (user-data)')
    .option('--user <name>', 'user to create (user-data)')
    .option('--password-hash <hash>', "the user's crypt(3) password hash, e.g. from `openssl passwd -6` (user-data)")
    .option('--sudo', 'give the user passwordless sudo (user-data)')
    .action(async (instance: string, hostName: string, o: RenderOptions) =>
      (await import('../actions/render.js')).render(instance, hostName, o),
    );
}
