import { type GuestUser, ValidationError, renderIpArg, renderMetaDataText, renderNetplan, renderUserData } from '../../model/index.js';
import { RENDER_FORMATS, type RenderFormat } from '../commands/render.js';
import { openEngine } from '../context.js';

/** What `render` takes besides the instance and host. */
export interface RenderOptions {
  format: string;
  sshKey?: string[];
  user?: string;
  passwordHash?: string;
  sudo?: boolean;
}

/** `render INSTANCE HOST --format F`: a host's guest config as its guest consumes it. */
export async function render(instance: string, hostName: string, o: RenderOptions): Promise<void> {
  if (!(RENDER_FORMATS as readonly string[]).includes(o.format))
    throw new ValidationError([{ path: '--format', message: `"${o.format}" is not one of ${RENDER_FORMATS.join(', ')}` }]);
  if (o.user === undefined && (o.sshKey !== undefined || o.passwordHash !== undefined || o.sudo))
    throw new ValidationError([{ path: '--user', message: '--ssh-key, --password-hash and --sudo need --user' }]);
  const ctx = await openEngine();
  let found: Awaited<ReturnType<typeof ctx.engine.getHost>>;
  try {
    found = await ctx.engine.getHost(instance, hostName);
  } finally {
    await ctx.close();
  }
  const { range, host } = found;
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
}
