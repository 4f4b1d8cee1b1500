import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, IS_ROOT, cli, inNs, pings, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

/**
 * A real cloud-init guest, end to end (issue 12, item 4): `image build-disk --cloud-init` makes a
 * Debian 12 disk with systemd and cloud-init and nothing of any host in it; a microvm host boots it
 * with `init: disk`, and cloud-init takes the host name, users and keys from the range's metadata
 * service. Under TCG the guest takes about two minutes to a login prompt.
 *
 * CYRANGE_TEST_DIST runs the CLI from another build directory (`tsc --outDir DIR`) instead of dist/.
 */
const DIST = process.env.CYRANGE_TEST_DIST;
const IP = '10.74.0.20';
const PASSWORD = 'wonder1and-7';
const MINUTE = 60_000;

describe.skipIf(!IS_ROOT)('a cloud-init guest on its own disk (systemd), configured from the metadata service', () => {
  const state = tempStateDir();
  // The guest's kernel and initramfs, built from this checkout's guest init; QEMU's user must read them.
  const assets = mkdtempSync(join(tmpdir(), 'cyrange-ci-assets-'));
  chmodSync(assets, 0o755);
  const inst = uniqueName('ci');
  const key = join(state.dir, 'id_ed25519');
  const env = { CYRANGE_MICROVM_ASSETS: assets };
  const run = (args: string[]): Promise<CliResult> =>
    DIST
      ? runCmd(['node', join(DIST, 'cli', 'main.js'), ...args], { env: { ...process.env, CYRANGE_STATE_DIR: state.dir, ...env } })
      : cli(args, { stateDir: state.dir, env });
  const jump = () => `cyr_${inst}_jump`;
  // The sandboxes' base rootfs has no ssh client: the machine's runs in the jump host's network namespace.
  const ssh = (command: string) =>
    inNs(jump(), [
      'ssh',
      '-i',
      key,
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'ConnectTimeout=10',
      `alice@${IP}`,
      command,
    ]);
  // cloud-init's config stage restarts sshd (ssh_pwauth), so a connection can be refused for a moment
  // after the first login worked: ssh's own failure (255) is retried, a command's exit status is not.
  const sshSettled = (command: string, ms: number) =>
    waitFor(
      async () => {
        const x = await ssh(command);
        return x.code === 255 ? null : x;
      },
      ms,
      2_000,
    );
  const serial = () => readFileSync(join(state.dir, 'run', inst, 'vm-guest', 'serial.log'), 'utf8');
  // What a failed expectation prints: ssh's words and the end of the guest's console.
  const why = (r: CliResult | null) => `${r?.stderr ?? 'no answer'}\n--- serial console, last lines:\n${serial().slice(-3000)}`;
  let deployMs = 0;
  let deployedAt = 0;

  beforeAll(async () => {
    const disk = await run(['image', 'build-disk', '--cloud-init', '--if-missing']);
    expect(disk.code, disk.stderr).toBe(0);
    const guest = await run(['image', 'build-microvm', '--out', assets]);
    expect(guest.code, guest.stderr).toBe(0);
    const kg = await runCmd(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'alice@cyrange-test', '-f', key]);
    expect(kg.code, kg.stderr).toBe(0);
    const pub = readFileSync(`${key}.pub`, 'utf8').trim();
    writeFileSync(
      join(state.dir, 'ci.yaml'),
      `name: cloudguest
networks:
  - { name: lan, subnet: 10.74.0.0/24 }
vms:
  - name: guest
    runtime: microvm
    resources: { memory: 512m, cpus: 1 }
    microvm: { disk: debian-cloud, init: disk }
    users:
      - { name: alice, password: "${PASSWORD}", ssh_authorized_keys: ["${pub}"], sudo: true, shell: /bin/bash }
    interfaces:
      - { network: lan, ip: ${IP} }
  - name: jump
    runtime: netns
    interfaces:
      - { network: lan, ip: 10.74.0.30 }
`,
    );
    const t0 = Date.now();
    const d = await run(['deploy', join(state.dir, 'ci.yaml'), '--name', inst]);
    deployMs = Date.now() - t0;
    deployedAt = Date.now();
    expect(d.code, d.stderr + d.stdout).toBe(0);
  }, 20 * MINUTE);

  afterAll(async () => {
    await run(['destroy', inst]);
    state.cleanup();
    rmSync(assets, { recursive: true, force: true });
  }, 2 * MINUTE);

  it('deploys without waiting for an agent the disk does not run; exec says how to reach the guest instead', async () => {
    // The guest is still booting: deploy returned once QEMU ran.
    expect(deployMs).toBeLessThan(MINUTE);
    const r = await run(['exec', inst, 'guest', '--', 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('this guest runs its own init: use ssh or the console');
  });

  it(
    'answers ping at its blueprint IP',
    async () => {
      expect(await waitFor(() => pings(jump(), IP), 5 * MINUTE, 1_000)).toBe(true);
      // Cyrange's initramfs made way for the disk's own init.
      expect(await waitFor(() => serial().includes("cyrange: switching to the disk's init"), MINUTE, 500)).toBe(true);
    },
    6 * MINUTE,
  );

  it(
    'lets alice in over ssh with her blueprint key, from the netns host, and prints the host name cloud-init set',
    async () => {
      const r = await waitFor(
        async () => {
          const x = await ssh('hostname');
          return x.code === 0 ? x : null;
        },
        8 * MINUTE,
        5_000,
      );
      expect(r?.stdout.trim()).toBe('guest');
      process.stderr.write(
        `cloud-init guest: deploy ${deployMs} ms, ssh answered ${Math.round((Date.now() - deployedAt) / 1000)} s after deploy\n`,
      );
      // cloud-init finishes (its last stage runs after sshd), so the console below is quiet.
      const done = await sshSettled('cloud-init status --wait >/dev/null; cloud-init status', 5 * MINUTE);
      expect(done?.stdout, why(done)).toMatch(/status: done/);
    },
    10 * MINUTE,
  );

  it(
    'got its identity from the metadata service: host name, instance id, the seed it read, users and keys',
    async () => {
      const r = await sshSettled(
        [
          'cat /etc/hostname',
          'cat /var/lib/cloud/data/instance-id',
          'id -un',
          'sudo -n true && echo sudo-ok',
          'sudo -n grep -c "Using seeded cache data from http://169.254.169.254/" /var/log/cloud-init.log',
          'ip -4 -o addr show dev eth0',
        ].join('; '),
        MINUTE,
      );
      expect(r?.code, why(r)).toBe(0);
      const [hostname, iid, user, sudo, seeded, addr] = (r?.stdout ?? '').trim().split('\n');
      expect(hostname).toBe('guest');
      expect(iid).toBe(`${inst}-guest`);
      expect(user).toBe('alice');
      expect(sudo).toBe('sudo-ok');
      expect(Number(seeded)).toBeGreaterThan(0);
      expect(addr).toContain(`inet ${IP}/24`);
    },
    2 * MINUTE,
  );

  it(
    'takes a password login on the serial console',
    async () => {
      const sock = connect(join(state.dir, 'run', inst, 'vm-guest', 'console'));
      let out = '';
      sock.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const until = async (re: RegExp, ms: number) => {
        const ok = await waitFor(() => re.test(out), ms, 100);
        if (!ok) throw new Error(`console: no ${re} in ${JSON.stringify(out.slice(-400))}`);
      };
      try {
        await new Promise<void>((res, rej) => {
          sock.once('connect', () => res());
          sock.once('error', rej);
        });
        // A fresh prompt, as openConsole asks for.
        sock.write('\n');
        await until(/login: *$/, 3 * MINUTE);
        out = '';
        sock.write('alice\n');
        await until(/Password: *$/, MINUTE);
        out = '';
        sock.write(`${PASSWORD}\n`);
        await until(/alice@guest:~\$ *$/, 2 * MINUTE);
        out = '';
        sock.write('id\n');
        await until(/uid=\d+\(alice\) gid=\d+\(alice\)/, MINUTE);
        sock.write('exit\n');
      } finally {
        sock.destroy();
      }
    },
    6 * MINUTE,
  );
});
