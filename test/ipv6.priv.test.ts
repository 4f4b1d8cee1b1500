import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, cli, runCmd, tempStateDir, uniqueName } from './helpers.js';

const BLUEPRINT = `name: v6
networks:
  - { name: lan, subnet: 10.0.1.0/24 }
policies:
  - { host: b, direction: ingress, action: deny, priority: 100 }
vms:
  - { name: a, interfaces: [{ network: lan }] }
  - { name: b, interfaces: [{ network: lan }] }
`;

/** Turns IPv6 back on inside a host (it has NET_ADMIN in its own namespace) and prints its link-local address once usable. */
const ENABLE_IPV6 = `sysctl -q -w net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0
for i in $(seq 100); do
  a=$(ip -6 -o addr show dev eth0 scope link | grep -v tentative | grep -o 'fe80::[0-9a-f:]*')
  [ -n "$a" ] && { echo "$a"; exit 0; }
  sleep 0.1
done
exit 1`;

describe.skipIf(!IS_ROOT)('IPv6 cannot go around policies: range bridges drop it', () => {
  const state = tempStateDir();
  const inst = uniqueName('v6');
  const exec = (host: string, script: string) => cli(['exec', inst, host, '--', 'sh', '-c', script], { stateDir: state.dir });
  const ping6 = async (from: string, to: string) => (await exec(from, `ping -6 -c 1 -W 1 ${to}%eth0`)).code === 0;
  const ping4 = async (from: string, to: string) => (await exec(from, `ping -c 1 -W 1 ${to}`)).code === 0;
  const setPolicies = async (yaml: string) => {
    const file = join(state.dir, 'policies.yaml');
    writeFileSync(file, yaml);
    const r = await cli(['policy', 'set', inst, file], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
  };
  const lla: Record<string, string> = {};

  beforeAll(async () => {
    const file = join(state.dir, 'v6.yaml');
    writeFileSync(file, BLUEPRINT);
    const r = await cli(['deploy', file, '--name', inst], { stateDir: state.dir });
    expect(r.code, r.stderr).toBe(0);
    for (const h of ['a', 'b']) {
      const e = await exec(h, ENABLE_IPV6);
      expect(e.code, e.stderr).toBe(0);
      lla[h] = e.stdout.trim();
      expect(lla[h]).toMatch(/^fe80::/);
    }
  }, 60_000);
  afterAll(async () => {
    await cli(['destroy', inst], { stateDir: state.dir });
    state.cleanup();
  });

  it('the deny policy separates the two hosts over IPv4', async () => {
    expect(await ping4('a', '10.0.1.11')).toBe(false);
  });

  it('an IPv6 link-local ping between the separated hosts fails, both ways', async () => {
    expect(await ping6('a', lla.b as string)).toBe(false);
    expect(await ping6('b', lla.a as string)).toBe(false);
  });

  it('without any policy, IPv4 passes and IPv6 is still dropped', async () => {
    await setPolicies('policies: []\n');
    expect(await ping4('a', '10.0.1.11')).toBe(true);
    expect(await ping6('a', lla.b as string)).toBe(false);
  });

  it('the hosts do talk IPv6 once the bridge table is gone, and not once it is back (the test is not vacuous)', async () => {
    const del = await runCmd(['nsenter', `--net=/run/netns/cyr_${inst}`, '--', 'nft', 'delete', 'table', 'bridge', 'cyrange']);
    expect(del.code, del.stderr).toBe(0);
    expect(await ping6('a', lla.b as string)).toBe(true);
    // Re-applying the policies puts the whole firewall back in one transaction.
    await setPolicies('policies: []\n');
    expect(await ping6('a', lla.b as string)).toBe(false);
  });
});
