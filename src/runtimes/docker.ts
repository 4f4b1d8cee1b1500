import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { libexecPath, netnsInode, run, execStreams, forwardInput } from '../sys/index.js';
import { CyrangeError, type ResolvedHost, hostNetns } from '../model/index.js';
import { LABEL_HOST, LABEL_RANGE, containerName, dockerClient, isNotFound, isNotModified } from './docker-client.js';
import { rangeCgroup } from './cgroups.js';
import { vethNics } from './nics/veth.js';
import { ensureImage } from './docker-images.js';
import type { ExecOptions, HostState, RangeContext, Runtime } from './runtime.js';

/** Where the static busybox that runs the entrypoint wrapper comes from (Debian's busybox-static). */
const BUSYBOX = '/bin/busybox';

function stateDirOf(ctx: RangeContext, host: string): string {
  return join(ctx.runDir, 'docker', host);
}

function container(ctx: RangeContext, host: ResolvedHost): Docker.Container {
  return dockerClient().getContainer(containerName(ctx.instance, host.name));
}

/** The network namespace id (`net:[…]`) of a running container, or null when it is not running. */
async function netnsIdOf(c: Docker.Container): Promise<{ pid: number; id: string } | null> {
  const info = await c.inspect();
  const pid = info.State?.Pid ?? 0;
  if (!info.State?.Running || pid <= 0) return null;
  return { pid, id: readlinkSync(`/proc/${pid}/ns/net`) };
}

/** Creates a host's container from its image, or from a snapshot of it (an image `saveWrites` committed). */
async function createOne(ctx: RangeContext, host: ResolvedHost, fromImage?: string): Promise<void> {
  const docker = dockerClient();
  const image = fromImage ?? host.image ?? '';
  const cfg = await ensureImage(docker, image, host.name, (line) => ctx.onProgress?.(host.name, line));
  const state = stateDirOf(ctx, host.name);
  mkdirSync(state, { recursive: true });
  rmSync(join(state, 'ready'), { force: true });
  const command = host.command ? [...host.command] : [...cfg.cmd];
  try {
    await docker.createContainer({
      name: containerName(ctx.instance, host.name),
      Image: image,
      Hostname: host.name,
      Env: Object.entries(host.env).map(([k, v]) => `${k}=${v}`),
      // The image's entrypoint runs only once Cyrange has wired the NICs (libexec/container-wait).
      Entrypoint: ['/.cyrange/busybox', 'sh', '/.cyrange/wait', ...cfg.entrypoint],
      Cmd: command,
      Labels: { [LABEL_RANGE]: ctx.instance, [LABEL_HOST]: host.name },
      HostConfig: {
        NetworkMode: 'none',
        // Under the range's cgroup, so a range-level cap holds over its containers too.
        CgroupParent: rangeCgroup(ctx.instance),
        Binds: [`${BUSYBOX}:/.cyrange/busybox:ro`, `${libexecPath('container-wait')}:/.cyrange/wait:ro`, `${state}:/.cyrange/state:ro`],
        ...(host.resources.memoryBytes !== null ? { Memory: host.resources.memoryBytes, MemorySwap: host.resources.memoryBytes } : {}),
        ...(host.resources.cpus !== null ? { NanoCpus: Math.round(host.resources.cpus * 1e9) } : {}),
        CapAdd: ['NET_ADMIN'],
        Sysctls: {
          'net.ipv4.ip_forward': host.ipForward ? '1' : '0',
          'net.ipv4.conf.all.rp_filter': '2',
          'net.ipv4.conf.default.rp_filter': '2',
          'net.ipv6.conf.all.disable_ipv6': '1',
          'net.ipv6.conf.default.disable_ipv6': '1',
        },
        // docker-init as PID 1 passes signals on, so a stop does not wait out the timeout.
        Init: true,
      },
    });
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 409)
      throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": create container failed: ${(e as Error).message}`, { cause: e });
  }
}

/** Whether a Docker daemon answers at DOCKER_HOST or the default socket. */
async function daemonAnswers(): Promise<boolean> {
  try {
    await dockerClient().ping();
    return true;
  } catch {
    return false;
  }
}

async function execDocker(c: Docker.Container, argv: readonly string[], opts: ExecOptions): Promise<number> {
  const tty = opts.tty === true;
  const { stdin, stdout, stderr } = execStreams(opts);
  const exec = await c.exec({ Cmd: [...argv], AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: tty });
  const stream = await exec.start({ hijack: true, stdin: true, Tty: tty });
  const detach = forwardInput(
    stdin,
    (b) => stream.write(b),
    () => (stream as unknown as { end: () => void }).end(),
  );
  try {
    await new Promise<void>((resolve, reject) => {
      if (tty) stream.pipe(stdout, { end: false });
      else dockerClient().modem.demuxStream(stream, stdout, stderr);
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', reject);
    });
  } finally {
    detach();
  }
  const info = await exec.inspect();
  return info.ExitCode ?? 1;
}

/**
 * Hosts as Docker containers created with network `none`; Cyrange wires their namespaces like any
 * other host. The entrypoint waits until the NICs are in place. No Docker network is ever made.
 */
export const dockerRuntime: Runtime = {
  name: 'docker',
  nics: vethNics,

  async create(ctx, hosts) {
    await Promise.all(hosts.map((h) => createOne(ctx, h)));
  },

  async boot(ctx, host) {
    const c = container(ctx, host);
    try {
      await c.start();
    } catch (e) {
      if (!isNotModified(e))
        throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": start container failed: ${(e as Error).message}`, { cause: e });
    }
    const ns = await netnsIdOf(c);
    if (!ns) throw new CyrangeError('CYR_RUNTIME', `host "${host.name}": container exited right after start`);
    const name = hostNetns(ctx.instance, host.name);
    const current = netnsInode(name);
    if (current !== null && `net:[${current}]` === ns.id) return { fresh: false };
    // A (re)started container has a new namespace: point the name at it.
    if (current !== null) await run(['ip', 'netns', 'del', name]);
    await run(['ip', 'netns', 'attach', name, String(ns.pid)]);
    return { fresh: true };
  },

  async start(ctx, host) {
    const ns = await netnsIdOf(container(ctx, host));
    if (!ns) throw new CyrangeError('CYR_CONFLICT', `host "${host.name}": container is not running`);
    // Written in place: the container sees this file through a bind mount of its directory.
    writeFileSync(join(stateDirOf(ctx, host.name), 'ready'), ns.id);
  },

  async stop(ctx, host) {
    try {
      await container(ctx, host).stop({ t: 3 });
    } catch (e) {
      if (!isNotModified(e) && !isNotFound(e)) throw e;
    }
    rmSync(join(stateDirOf(ctx, host.name), 'ready'), { force: true });
    await run(['ip', 'netns', 'del', hostNetns(ctx.instance, host.name)], { allowFailure: true });
  },

  async state(ctx, host): Promise<HostState> {
    try {
      const info = await container(ctx, host).inspect();
      return info.State?.Running ? 'running' : 'stopped';
    } catch (e) {
      if (isNotFound(e)) return 'missing';
      throw e;
    }
  },

  exec(ctx, host, argv, opts = {}) {
    return execDocker(container(ctx, host), argv, opts);
  },

  async console(ctx, host, size) {
    const exec = await container(ctx, host).exec({
      Cmd: ['/bin/sh', '-c', 'if [ -x /bin/bash ]; then exec /bin/bash -i; else exec /bin/sh -i; fi'],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: true,
      Env: ['TERM=xterm-256color'],
    });
    const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
    await exec.resize({ h: size.rows, w: size.cols }).catch(() => {});
    return {
      write: (d) => stream.write(d),
      resize: (c, r) => void exec.resize({ h: r, w: c }).catch(() => {}),
      onData: (cb) => {
        stream.on('data', cb);
      },
      onExit: (cb) => {
        stream.once(
          'end',
          () =>
            void exec.inspect().then(
              (i) => cb(i.ExitCode ?? 0),
              () => cb(0),
            ),
        );
      },
      close: () => (stream as unknown as { destroy: () => void }).destroy(),
    };
  },

  async discard(ctx, host) {
    // A new container from the image; the engine wires its new namespace with the same NICs.
    await dockerRuntime.destroy(ctx, [host]);
    await createOne(ctx, host);
  },

  async freeze(ctx, host, frozen) {
    try {
      await (frozen ? container(ctx, host).pause() : container(ctx, host).unpause());
    } catch (e) {
      // Pausing a paused container (or resuming a running one) is a 304/409: the state is already right.
      const code = (e as { statusCode?: number }).statusCode;
      if (code !== 304 && code !== 409) throw e;
    }
  },

  async saveWrites(ctx, host, dir) {
    // The container's filesystem changes as an image, tagged as ours so purge removes it with the range.
    const repo = `cyrange-snapshot/${ctx.instance}`;
    // Unique per save: `dir` is a temporary name, and each snapshot of a host needs its own image.
    const tag = `${host.name}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}`.replace(/[^A-Za-z0-9_.-]/g, '-').slice(-128);
    await container(ctx, host).commit({ repo, tag, pause: false, changes: [`LABEL ${LABEL_RANGE}=${ctx.instance}`] });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'image'), `${repo}:${tag}`);
  },

  async restoreWrites(ctx, host, dir) {
    const image = readFileSync(join(dir, 'image'), 'utf8').trim();
    await dockerRuntime.destroy(ctx, [host]);
    await createOne(ctx, host, image);
  },

  async forgetWrites(_ctx, _host, dir) {
    const file = join(dir, 'image');
    if (!existsSync(file)) return;
    try {
      await dockerClient().getImage(readFileSync(file, 'utf8').trim()).remove();
    } catch (e) {
      // A container still runs from it (a host restored from this snapshot): purge removes it with the range.
      const code = (e as { statusCode?: number }).statusCode;
      if (!isNotFound(e) && code !== 409) throw e;
    }
  },

  async destroy(ctx, hosts) {
    await Promise.all(
      hosts.map(async (h) => {
        try {
          await container(ctx, h).remove({ force: true });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        await run(['ip', 'netns', 'del', hostNetns(ctx.instance, h.name)], { allowFailure: true });
      }),
    );
  },

  async owners() {
    if (!(await daemonAnswers())) return [];
    const list = await dockerClient().listContainers({ all: true, filters: { label: [LABEL_RANGE] } });
    return [...new Set(list.map((c) => c.Labels[LABEL_RANGE]).filter((x): x is string => !!x))];
  },

  async purge(instance) {
    // Without a daemon there is no container to remove; a daemon that comes back is gc's job.
    if (!(await daemonAnswers())) return;
    const docker = dockerClient();
    const list = await docker.listContainers({ all: true, filters: { label: [`${LABEL_RANGE}=${instance}`] } });
    await Promise.all(
      list.map(async (c) => {
        try {
          await docker.getContainer(c.Id).remove({ force: true });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }),
    );
    // Snapshot images go with their range.
    const images = await docker.listImages({ filters: { label: [`${LABEL_RANGE}=${instance}`] } });
    for (const img of images) {
      try {
        await docker.getImage(img.Id).remove({ force: true });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  },
};

/**
 * Calls `onStart(instance, host)` whenever Docker starts a Cyrange container (a restart by Docker
 * or by a user included), until `signal` aborts. Resolves when the event stream ends.
 */
export async function watchContainerStarts(onStart: (instance: string, host: string) => void, signal: AbortSignal): Promise<void> {
  const stream = (await dockerClient().getEvents({
    filters: { type: ['container'], event: ['start'], label: [LABEL_RANGE] },
  })) as NodeJS.ReadableStream & { destroy?: () => void };
  signal.addEventListener('abort', () => stream.destroy?.(), { once: true });
  let buf = '';
  await new Promise<void>((resolve) => {
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString();
      let nl = buf.indexOf('\n');
      while (nl >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        if (!line) continue;
        const ev = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
        const attrs = ev.Actor?.Attributes ?? {};
        const instance = attrs[LABEL_RANGE];
        const host = attrs[LABEL_HOST];
        if (instance && host) onStart(instance, host);
      }
    });
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
}
