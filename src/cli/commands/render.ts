import { type Command, Option } from 'commander';
import {
  CyrangeError,
  type GuestUser,
  ValidationError,
  renderIpArg,
  renderMetaDataText,
  renderNetplan,
  renderUserData,
} from '../../model/index.js';
import { openEngine } from '../context.js';

/** Forms `cyrange render` can print. */
export const RENDER_FORMATS = ['netplan', 'user-data', 'ip-arg', 'meta-data'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

interface RenderOptions {
  format: string;
  sshKey?: string[];
  user?: string;
  passwordHash?: string;
  sudo?: boolean;
}

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
    .action(async (instance: string, hostName: string, o: RenderOptions) => {
      if (!(RENDER_FORMATS as readonly string[]).includes(o.format))
        throw new ValidationError([{ path: '--format', message: `"${o.format}" is not one of ${RENDER_FORMATS.join(', ')}` }]);
      if (o.user === undefined && (o.sshKey !== undefined || o.passwordHash !== undefined || o.sudo))
        throw new ValidationError([{ path: '--user', message: '--ssh-key, --password-hash and --sudo need --user' }]);
      const ctx = await openEngine();
      let rec: Awaited<ReturnType<typeof ctx.engine.get>>;
      try {
        rec = await ctx.engine.get(instance);
      } finally {
        await ctx.close();
      }
      if (!rec) throw new CyrangeError('CYR_NOT_FOUND', `no range instance "${instance}"`, { hint: 'see `cyrange ls`' });
      const range = rec.resolved;
      const host = range.hosts.find((h) => h.name === hostName);
      if (!host)
        throw new CyrangeError(
          'CYR_NOT_FOUND',
          `no host "${hostName}" in "${instance}" (hosts: ${range.hosts.map((h) => h.name).join(', ')})`,
        );
      let text: string;
      switch (o.format as RenderFormat) {
        case 'netplan':
          text = renderNetplan(range, host);
          break;
        case 'user-data': {
          const users: GuestUser[] =
            o.user === undefined
              ? []
              : [
                  {
                    name: o.user,
                    ...(o.sshKey ? { ssh_authorized_keys: o.sshKey } : {}),
                    ...(o.passwordHash !== undefined ? { password_hash: o.passwordHash } : {}),
                    sudo: o.sudo === true,
                  },
                ];
          text = renderUserData(host, { users });
          break;
        }
        case 'ip-arg':
          text = `${renderIpArg(host, { range })}\n`;
          break;
        case 'meta-data':
          text = renderMetaDataText(range, host);
          break;
      }
      process.stdout.write(text);
    });
}
