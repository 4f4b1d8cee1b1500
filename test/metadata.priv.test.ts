import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, cli, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';

const MD = 'http://169.254.169.254';

/** Opens N connections to the metadata service and holds them, silent, for a while; prints what happened. */
const FLOOD = `
const net = require('node:net');
const n = Number(process.argv[1]), holdMs = Number(process.argv[2]);
let connected = 0, closed = 0, errors = 0;
for (let i = 0; i < n; i++) {
  const s = net.connect({ host: '169.254.169.254', port: 80 });
  s.on('connect', () => connected++);
  s.on('error', () => errors++);
  s.on('close', () => closed++);
}
setTimeout(() => { console.log(JSON.stringify({ connected, closed, errors })); process.exit(0); }, holdMs);
`;

/** Sends half a request and waits for the server to give up on it. */
const SLOW_HEADERS = `
const net = require('node:net');
const t0 = Date.now();
let data = '';
const s = net.connect({ host: '169.254.169.254', port: 80 }, () => s.write('GET /latest/meta-data/ HTTP/1.1\\r\\nHost: x\\r\\n'));
s.on('data', (d) => { data += d; });
s.on('error', () => {});
s.on('close', () => { console.log(JSON.stringify({ ms: Date.now() - t0, data })); process.exit(0); });
setTimeout(() => { console.log(JSON.stringify({ ms: -1, data })); process.exit(0); }, 15000);
`;

/** One request made from inside a host. */
interface Req {
  readonly path: string;
  readonly headers?: readonly string[];
  readonly args?: readonly string[];
}
interface Answer {
  readonly body: string;
  readonly status: string;
}
const SEP = '=====cyrange-md-test=====';
/** Double-quotes a shell word, leaving `$` to expand. */
const dq = (s: string) => `"${s.replace(/["\\`]/g, '\\$&')}"`;

describe.skipIf(!IS_ROOT)('metadata service on 169.254.169.254 inside each range', () => {
  const state = tempStateDir();
  const inst = uniqueName('md');
  const runDir = join(state.dir, 'run', inst);
  const hostNs = (h: string) => `/run/netns/cyr_${inst}_${h}`;
  /** A shell script inside a host's sandbox, as a user of the range runs it. */
  const exec = (host: string, script: string) => cli(['exec', inst, host, '--', 'sh', '-c', script], { stateDir: state.dir });
  /**
   * HTTP requests from inside a host, in one `cyrange exec` (each exec costs a CLI start): their
   * bodies and statuses. Arguments are double-quoted, so `$t` names a token a `prelude` fetched;
   * with a prelude, the first answer is what it printed.
   */
  const curls = async (host: string, reqs: readonly Req[], prelude?: string): Promise<Answer[]> => {
    const lines = reqs.map((q) => {
      const args = [...(q.headers ?? []).flatMap((h) => ['-H', h]), ...(q.args ?? []), `${MD}${q.path}`];
      return `curl -s -m 3 -w '\\n%{http_code}' ${args.map(dq).join(' ')}; echo; echo ${SEP}`;
    });
    const r = await exec(host, [...(prelude ? [`${prelude}; echo; echo ${SEP}`] : []), ...lines].join('\n'));
    const parts = r.stdout.split(`${SEP}\n`);
    expect(parts, r.stderr).toHaveLength(reqs.length + (prelude ? 2 : 1));
    const pre = prelude ? [{ body: (parts.shift() ?? '').slice(0, -1), status: '' }] : [];
    return [
      ...pre,
      ...parts.slice(0, reqs.length).map((out) => {
        const text = out.slice(0, -1);
        const i = text.lastIndexOf('\n');
        return { body: text.slice(0, i), status: text.slice(i + 1) };
      }),
    ];
  };
  const curl = async (host: string, path: string, headers: string[] = [], args: string[] = []) =>
    (await curls(host, [{ path, headers, args }]))[0] as Answer;
  /** A program run with our node in a host's network namespace: the same place on the network as the host. */
  const nodeIn = (host: string, script: string, args: string[] = []) =>
    runCmd(['nsenter', `--net=${hostNs(host)}`, '--', process.execPath, '-e', script, ...args]);
  const body = (r: Answer) => r.body;
  const status = (r: Answer) => r.status;
  const macOf = async (host: string, nic = 'eth0') => (await exec(host, `cat /sys/class/net/${nic}/address`)).stdout.trim();
  const serverPid = () => Number(readFileSync(join(runDir, 'metadata.pid'), 'utf8').split(' ')[0]);
  const serverSockets = () =>
    readdirSync(`/proc/${serverPid()}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${serverPid()}/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  const filesUnder = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
  const put = (headers: string[]): Req => ({ path: '/latest/api/token', headers, args: ['-X', 'PUT'] });
  /** Shell that fetches a token into `$t` before the requests of `curls`. */
  const tokenPrelude = (header: string) => `t=$(curl -s -m 3 -X PUT -H '${header}' ${MD}/latest/api/token); printf %s "$t"`;

  beforeAll(async () => {
    const file = join(state.dir, 'md.yaml');
    writeFileSync(
      file,
      [
        'name: md',
        'networks:',
        '  - { name: lan, subnet: 10.0.1.0/24, dns: [10.0.1.53] }',
        '  - { name: dmz, subnet: 10.0.2.0/24 }',
        'vms:',
        '  - { name: alpha, interfaces: [{ network: lan }, { network: dmz, ip: 10.0.2.20 }] }',
        '  - { name: beta, interfaces: [{ network: dmz }] }',
        // Forwards for others, so it has no IP anti-spoofing: it may send from any address.
        '  - { name: gamma, ip_forward: true, interfaces: [{ network: dmz, ip: 10.0.2.30 }] }',
      ].join('\n'),
    );
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
  });
  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir });
    state.cleanup();
  });

  it('each host gets its own meta-data', async () => {
    expect(body(await curl('alpha', '/latest/meta-data/local-hostname'))).toBe('alpha');
    const [hostname, id, mac] = await curls('beta', [
      { path: '/latest/meta-data/local-hostname' },
      { path: '/latest/meta-data/instance-id' },
      { path: '/latest/meta-data/mac' },
    ]);
    expect(hostname?.body).toBe('beta');
    expect(id?.body).toBe(`${inst}-beta`);
    expect(mac?.body).toBe(await macOf('beta'));
  });

  it("network-config is the host's own netplan, matched by MAC", async () => {
    const plan = JSON.parse((await cli(['plan', join(state.dir, 'md.yaml'), '--name', inst, '--json'], { stateDir: state.dir })).stdout);
    const alpha = plan.hosts.find((h: { name: string }) => h.name === 'alpha');
    const nc = body(await curl('alpha', '/latest/network-config'));
    expect(nc).toContain('version: 2');
    for (const nic of alpha.interfaces) {
      expect(nc).toContain(nic.mac);
      expect(nc).toContain(`${nic.ip}/24`);
    }
    expect(nc).toContain('10.0.1.53');
    expect(body(await curl('beta', '/latest/network-config'))).not.toContain(alpha.interfaces[0].mac);
  });

  it('user-data is cloud-config for the host', async () => {
    const ud = body(await curl('beta', '/latest/user-data'));
    expect(ud.startsWith('#cloud-config')).toBe(true);
    expect(ud).toContain('hostname: beta');
  });

  it('the NoCloud seed names are served at the root, vendor-data empty; directories list their keys', async () => {
    const paths = ['/meta-data', '/user-data', '/network-config', '/vendor-data', '/latest/vendor-data', '/latest/meta-data/', '/'];
    const got = Object.fromEntries(
      (
        await curls(
          'beta',
          paths.map((path) => ({ path })),
        )
      ).map((a, i) => [paths[i], a]),
    );
    for (const p of paths) expect(got[p]?.status, p).toBe('200');
    expect(got['/meta-data']?.body).toContain(`instance-id: ${inst}-beta`);
    expect(got['/user-data']?.body).toContain('#cloud-config');
    expect(got['/network-config']?.body).toContain('version: 2');
    expect(got['/vendor-data']?.body).toBe('');
    expect(got['/latest/vendor-data']?.body).toBe('');
    expect(got['/latest/meta-data/']?.body).toBe('instance-id\nlocal-hostname\nhostname\nmac');
    expect(got['/']?.body.split('\n')).toEqual(['latest/', 'meta-data', 'user-data', 'network-config', 'vendor-data']);
  });

  it('answers JSON with Accept: application/json: a directory as an object, a leaf as a string', async () => {
    const json = ['Accept: application/json'];
    const [dir, leaf] = await curls('beta', [
      { path: '/latest/meta-data/', headers: json },
      { path: '/latest/meta-data/hostname', headers: json },
    ]);
    expect(dir?.status).toBe('200');
    expect(JSON.parse(dir?.body ?? '')).toEqual({
      'instance-id': `${inst}-beta`,
      'local-hostname': 'beta',
      hostname: 'beta',
      mac: await macOf('beta'),
    });
    expect(JSON.parse(leaf?.body ?? '')).toBe('beta');
  });

  it('supports the token flow: PUT /latest/api/token, then the token in a header', async () => {
    const [t, ok, bad] = await curls(
      'beta',
      [
        { path: '/latest/meta-data/local-hostname', headers: ['X-metadata-token: $t'] },
        { path: '/latest/meta-data/local-hostname', headers: ['X-metadata-token: 0123456789abcdef0123456789abcdef'] },
      ],
      tokenPrelude('X-metadata-token-ttl-seconds: 60'),
    ).then((answers) => [answers[0]?.body, ...answers.slice(1)] as const);
    expect(t).toMatch(/^[0-9a-f]{32}$/);
    expect(ok?.status).toBe('200');
    expect(ok?.body).toBe('beta');
    expect(bad?.status).toBe('401');
    // A token is bound to the NIC that asked for it.
    expect(status(await curl('alpha', '/latest/meta-data/local-hostname', [`X-metadata-token: ${t}`]))).toBe('401');
  });

  it('takes the EC2 IMDSv2 header names too; refuses tokens without a TTL or through a proxy', async () => {
    const answers = await curls(
      'beta',
      [
        { path: '/latest/meta-data/hostname', headers: ['X-aws-ec2-metadata-token: $t'] },
        { path: '/latest/meta-data/hostname', headers: ['X-metadata-token: $t'] },
        { path: '/latest/meta-data/hostname', headers: ['X-aws-ec2-metadata-token: nope'] },
        put([]),
        put(['X-metadata-token-ttl-seconds: 0']),
        put(['X-aws-ec2-metadata-token-ttl-seconds: 21601']),
        put(['X-metadata-token-ttl-seconds: 60', 'X-Forwarded-For: 10.0.2.99']),
      ],
      tokenPrelude('X-aws-ec2-metadata-token-ttl-seconds: 60'),
    );
    expect(answers[0]?.body).toMatch(/^[0-9a-f]{32}$/);
    expect(answers.slice(1).map((a) => a.status)).toEqual(['200', '200', '401', '400', '400', '400', '403']);
  });

  it('tokens expire after their TTL and are never written to disk', async () => {
    const before = filesUnder(runDir).sort();
    const r = await exec(
      'beta',
      `for i in $(seq 20); do t=$(curl -s -m 3 -X PUT -H 'X-metadata-token-ttl-seconds: 1' ${MD}/latest/api/token); echo "$t"; done
       h="X-metadata-token: $t"
       curl -s -m 3 -o /dev/null -w '%{http_code}\n' -H "$h" ${MD}/latest/meta-data/hostname
       sleep 1.5
       curl -s -m 3 -o /dev/null -w '%{http_code}\n' -H "$h" ${MD}/latest/meta-data/hostname`,
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const tokens = lines.slice(0, 20);
    expect(new Set(tokens).size, r.stdout).toBe(20);
    for (const t of tokens) expect(t).toMatch(/^[0-9a-f]{32}$/);
    // Valid while its second lasts, refused after.
    expect(lines.slice(20)).toEqual(['200', '401']);
    expect(filesUnder(runDir).sort()).toEqual(before);
  });

  it("a forwarding host that takes another host's address still gets only its own data", async () => {
    // beta stops answering ARP and gamma takes its address, so replies to it reach gamma.
    expect((await exec('beta', 'ip link set eth0 arp off')).code).toBe(0);
    await runCmd(['ip', '-n', `cyr_${inst}`, 'neigh', 'flush', 'all']);
    try {
      const r = await exec(
        'gamma',
        `ip addr add 10.0.2.10/24 dev eth0 &&
         curl -s -m 3 --interface 10.0.2.10 ${MD}/latest/meta-data/hostname && echo &&
         curl -s -m 3 --interface 10.0.2.10 ${MD}/latest/meta-data/mac && echo &&
         curl -s -m 3 --interface 10.0.2.10 ${MD}/latest/user-data`,
      );
      expect(r.code, r.stderr).toBe(0);
      const [hostname, mac, ...ud] = r.stdout.split('\n');
      expect(hostname).toBe('gamma');
      expect(mac).toBe(await macOf('gamma'));
      expect(ud.join('\n')).toContain('hostname: gamma');
      // The request really came from beta's address: the range learnt it at gamma's MAC.
      const neigh = JSON.parse((await runCmd(['ip', '-n', `cyr_${inst}`, '-j', 'neigh', 'show', '10.0.2.10'])).stdout);
      expect(neigh.map((n: { lladdr?: string }) => n.lladdr)).toContain(mac);
    } finally {
      await exec('gamma', 'ip addr del 10.0.2.10/24 dev eth0');
      await exec('beta', 'ip link set eth0 arp on');
      await runCmd(['ip', '-n', `cyr_${inst}`, 'neigh', 'flush', 'all']);
    }
    expect(body(await curl('beta', '/latest/meta-data/hostname'))).toBe('beta');
  });

  it("a host cannot reach another NIC's listener directly, around the firewall's redirect", async () => {
    const doc = JSON.parse(readFileSync(join(runDir, 'metadata.json'), 'utf8')) as { nics: { port: number; host: string }[] };
    const alphaPort = doc.nics.find((n) => n.host === 'alpha')?.port;
    expect(alphaPort).toBeGreaterThan(20000);
    const r = await curl('beta', '/latest/meta-data/hostname', [], ['--connect-timeout', '1', '-o', '/dev/null']);
    expect(status(r)).toBe('200');
    const direct = await exec('beta', `curl -s -m 2 --connect-timeout 1 http://169.254.169.254:${alphaPort}/latest/meta-data/hostname`);
    expect(direct.code).not.toBe(0);
    expect(direct.stdout).toBe('');
  });

  it('1000 concurrent connections from one host: the server stays under its cap, other hosts are served at once', async () => {
    const flood = nodeIn('alpha', FLOOD, ['1000', '4000']);
    await new Promise((r) => setTimeout(r, 1500));
    // 4 listeners (one per NIC), at most 16 connections from alpha's NIC, the request from beta.
    const during = serverSockets();
    const other = await exec('beta', `curl -s -m 3 -o /dev/null -w '%{http_code} %{time_total}' ${MD}/latest/meta-data/hostname`);
    const [code, seconds] = other.stdout.split(' ');
    const result = JSON.parse((await flood).stdout) as { connected: number; closed: number };
    expect(during).toBeLessThanOrEqual(4 + 16 + 2);
    expect(code).toBe('200');
    expect(Number(seconds)).toBeLessThan(0.5);
    // The kernel completed many handshakes; the server shut what went over its cap.
    expect(result.connected).toBeGreaterThan(100);
    expect(result.closed).toBeGreaterThan(result.connected / 2);
    expect(body(await curl('alpha', '/latest/meta-data/hostname'))).toBe('alpha');
    await waitFor(() => serverSockets() <= 4, 10_000);
    expect(serverSockets()).toBeLessThanOrEqual(4);
  }, 30_000);

  it('a client that never finishes its headers is cut off by the headers timeout', async () => {
    const r = JSON.parse((await nodeIn('beta', SLOW_HEADERS)).stdout) as { ms: number; data: string };
    expect(r.ms).toBeGreaterThan(4000);
    expect(r.ms).toBeLessThan(8000);
    expect(r.data).toContain('408');
  }, 20_000);

  it('a host that asks too fast gets 429; the others do not notice', async () => {
    const r = await exec(
      'gamma',
      `for i in $(seq 150); do echo "url = ${MD}/latest/meta-data/hostname"; echo "output = /dev/null"; done > /tmp/urls
       curl -s -w '%{http_code}\\n' -K /tmp/urls`,
    );
    const codes = r.stdout.trim().split('\n');
    expect(codes).toHaveLength(150);
    expect(codes.filter((c) => c === '429').length).toBeGreaterThan(10);
    expect(codes.filter((c) => c === '200').length).toBeGreaterThanOrEqual(100);
    expect(status(await curl('beta', '/latest/meta-data/hostname'))).toBe('200');
  });

  it('a NIC added to a running host is served at once; the other NICs keep their ids', async () => {
    const ids = async () => {
      const r = await runCmd(['nsenter', `--net=/run/netns/cyr_${inst}`, '--', 'nft', '-j', 'list', 'map', 'bridge', 'cyrange', 'nic_ids']);
      const map = JSON.parse(r.stdout).nftables.find((x: { map?: unknown }) => x.map).map as { elem: [string, number][] };
      return new Map(map.elem);
    };
    const before = await ids();
    const add = await cli(['nic', 'add', inst, 'beta', 'lan'], { stateDir: state.dir });
    expect(add.code, add.stderr).toBe(0);
    try {
      const after = await ids();
      expect(after.size).toBe(before.size + 1);
      for (const [peer, id] of before) expect(after.get(peer)).toBe(id);
      // Asked through the new NIC: beta's data, with that NIC's MAC.
      const r = await exec(
        'beta',
        `ip route add 169.254.169.254/32 via 10.0.1.1 dev eth1 &&
         curl -s -m 3 ${MD}/latest/meta-data/hostname && echo && curl -s -m 3 ${MD}/latest/meta-data/mac`,
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n')).toEqual(['beta', await macOf('beta', 'eth1')]);
    } finally {
      await exec('beta', 'ip route del 169.254.169.254/32');
      await cli(['nic', 'rm', inst, 'beta', 'lan'], { stateDir: state.dir });
    }
    expect(await ids()).toEqual(before);
  }, 30_000);

  it('cyrange render prints the same truth in each guest format', async () => {
    const ip = await cli(['render', inst, 'alpha', '--format', 'ip-arg'], { stateDir: state.dir });
    expect(ip.code, ip.stderr).toBe(0);
    expect(ip.stdout).toContain('ip=10.0.1.10::10.0.1.1:255.255.255.0:alpha:eth0:off:10.0.1.53:');
    expect(ip.stdout).toContain('ip=10.0.2.20:::255.255.255.0:alpha:eth1:off');
    const np = await cli(['render', inst, 'alpha', '--format', 'netplan'], { stateDir: state.dir });
    expect(np.stdout.trim()).toBe(body(await curl('alpha', '/latest/network-config')).trim());
    const bad = await cli(['render', inst, 'alpha', '--format', 'user-data', '--user', 'op', '--password-hash', 'plaintext'], {
      stateDir: state.dir,
    });
    expect(bad.code).toBe(2);
  });

  it('unknown paths answer 404, other methods 405', async () => {
    expect(status(await curl('beta', '/latest/nope'))).toBe('404');
    expect(status(await curl('beta', '/latest/meta-data/', [], ['-X', 'POST']))).toBe('405');
  });
});
