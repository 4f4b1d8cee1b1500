import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CYRANGE, IS_ROOT, ROOT, cli, tempStateDir, uniqueName, waitFor } from './helpers.js';

const ADMIN = 'builder-admin-token-0123456789';
const PORT = 22000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = '/usr/bin/chromium';
const FIXTURE = join(ROOT, 'test', 'fixtures', 'every-field.yaml');

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
}

/** What the server stores for an upload: the same document with alice's plain password replaced by its hash. */
function asStored(upload: any, stored: any): any {
  const want = structuredClone(upload);
  const alice = want.vms.find((h: { name: string }) => h.name === 'ws1').users[0];
  const hash = stored.vms.find((h: { name: string }) => h.name === 'ws1').users[0].passwd;
  expect(hash).toMatch(/^\$6\$/);
  delete alice.password;
  alice.passwd = hash;
  return want;
}

/** Waits for a job of the API to end; its final view. */
async function jobEnd(id: string): Promise<{ status: string; error: unknown }> {
  let job = { status: 'running', error: null as unknown };
  await waitFor(
    async () => {
      job = await api('GET', `/api/jobs/${id}`);
      return job.status !== 'running';
    },
    120_000,
    250,
  );
  return job;
}

describe.skipIf(!IS_ROOT || !existsSync(CHROMIUM))('range builder in Debian chromium', () => {
  const state = tempStateDir();
  const range = uniqueName('apply');
  let server: ChildProcess;
  let browser: Browser;
  let page: Page;

  const tab = (name: 'Form' | 'YAML' | 'Canvas') => page.click(`.builder button.tab:text-is("${name}")`);
  const source = () => page.inputValue('[aria-label="blueprint source"]');
  /** The builder on a new blueprint. */
  const builder = async () => {
    await page.goto(`${BASE}/#/`);
    await page.click('nav >> text=Builder');
    await page.waitForSelector('.builder');
  };
  /** Opens the builder on a stored blueprint. */
  const open = async (id: number) => {
    await builder();
    await page.waitForSelector(`[aria-label="open blueprint"] option[value="${id}"]`, { state: 'attached' });
    await page.selectOption('[aria-label="open blueprint"]', String(id));
  };
  const save = async (id: number) => {
    await page.click('.actions >> text=Save');
    await page.waitForSelector(`.actions .ok:text-is("saved blueprint #${id}")`);
  };

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: 'ignore',
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);
    // An admin: the fixture names host paths and a host bridge, which admission leaves to admins.
    await api('POST', '/api/users', { name: 'builder', role: 'admin', password: 'builder-password' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(BASE);
    await page.fill('input[name=username]', 'builder');
    await page.fill('input[name=password]', 'builder-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=ranges]');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    const destroying = await api('DELETE', `/api/ranges/${range}`).catch(() => null);
    if (destroying?.job_id) await jobEnd(destroying.job_id);
    if (server) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    state.cleanup();
  });

  it.each(['yaml', 'json'] as const)('a blueprint with every field survives open and save unchanged (%s)', async (format) => {
    const yamlText = readFileSync(FIXTURE, 'utf8');
    const text = format === 'yaml' ? yamlText : JSON.stringify(parse(yamlText), null, 2);
    const stored = await api('POST', '/api/blueprints', { source: text });
    const want = asStored(parse(text), parse(stored.source));
    await open(stored.id);
    // The builder shows the document it opened: the quoted argument stays one argument.
    expect(await page.inputValue('[aria-label="host 0 command"]')).toBe(`sh -c 'echo started; sleep infinity'`);
    // Every field has a widget, and each shows what the document holds.
    const shown = async (labels: string[]) => Promise.all(labels.map((l) => page.inputValue(`[aria-label="${l}"]`)));
    expect(
      await shown([
        'env 0 of fw name',
        'env 0 of fw value',
        'host 0 sandbox',
        'host 0 rootfs',
        'host 4 microvm kernel',
        'host 4 microvm initrd',
        'host 4 microvm disk',
        'host 4 microvm append',
        'host 4 microvm init',
        'network 0 dns',
        'network 1 reserved',
        'plugin 0 name',
        'plugin 0 image',
        'env 0 of plugin 0 value',
        'plugin 1 name',
        'plugin 1 microvm launcher',
      ]),
    ).toEqual([
      'MODE',
      'router',
      'runc',
      'debian-base',
      '/var/lib/cyrange/microvm/vmlinuz',
      '/var/lib/cyrange/microvm/initrd.img',
      '/var/lib/cyrange/microvm/disk.qcow2',
      'quiet',
      'disk',
      '10.0.0.53',
      '10.0.1.20, 10.0.1.30-10.0.1.39',
      'web',
      'nginx:alpine',
      'hello world',
      'vm',
      'qemu',
    ]);
    await save(stored.id);
    const after = await api('GET', `/api/blueprints/${stored.id}`);
    expect(after.source).toBe(stored.source);
    const exported = await api('GET', `/api/blueprints/${stored.id}/export`);
    expect(parse(exported)).toEqual(want);
    if (format === 'yaml') expect(exported).toContain('# a quoted argument with spaces');
    else expect(after.source.trimStart().startsWith('{')).toBe(true);

    // A form edit changes that field only; comments and every other field stay.
    await page.fill('[aria-label="network 0 gateway"]', '10.0.0.254');
    await page.fill('[aria-label="ingress Mbit/s of fw interface 1"]', '20');
    await page.fill('[aria-label="env 0 of fw value"]', 'firewall');
    await page.fill('[aria-label="network 0 dns"]', '10.0.0.53, 10.0.0.54');
    await save(stored.id);
    want.networks[0].gateway = '10.0.0.254';
    want.vms[0].interfaces[1].rate_limit = { ingress_mbps: 20 };
    want.vms[0].env.MODE = 'firewall';
    want.networks[0].dns = ['10.0.0.53', '10.0.0.54'];
    const edited = await api('GET', `/api/blueprints/${stored.id}/export`);
    expect(parse(edited)).toEqual(want);
    if (format === 'yaml') expect(edited).toContain('# a quoted argument with spaces');
  });

  it('an edit in the YAML tab shows up in the form, and a form edit in the YAML', async () => {
    await builder();
    await tab('YAML');
    await page.fill(
      '[aria-label="blueprint source"]',
      '# lab notes\nname: tabs\nnetworks:\n  - name: lab\n    subnet: 10.9.0.0/24\nvms:\n  - name: pc\n    interfaces:\n      - { network: lab }\n',
    );
    expect(await page.locator('[data-testid=source-ok]').count()).toBe(1);
    await tab('Form');
    expect(await page.inputValue('[aria-label="network 0 name"]')).toBe('lab');
    expect(await page.inputValue('[aria-label="host 0 name"]')).toBe('pc');
    // The address shown is the one the model allocates.
    expect(await page.getAttribute('[aria-label="ip of pc interface 0"]', 'placeholder')).toBe('auto (10.9.0.10)');

    await page.fill('[aria-label="network 0 gateway"]', '10.9.0.254');
    await page.selectOption('[aria-label="network 0 egress"]', 'nat');
    await page.check('[aria-label="network 0 dhcp"]');
    await page.fill('[aria-label="network 0 dhcp start"]', '10.9.0.100');
    await page.fill('[aria-label="network 0 dhcp end"]', '10.9.0.120');
    await page.selectOption('[aria-label="host 0 mode"]', 'dhcp');
    await tab('YAML');
    const text = await source();
    expect(text).toContain('# lab notes');
    const doc = parse(text);
    expect(doc.networks[0]).toEqual({
      name: 'lab',
      subnet: '10.9.0.0/24',
      gateway: '10.9.0.254',
      egress: 'nat',
      dhcp: { start: '10.9.0.100', end: '10.9.0.120' },
    });
    expect(doc.vms[0]).toEqual({ name: 'pc', interfaces: [{ network: 'lab' }], network: { mode: 'dhcp' } });
    expect(await page.locator('[data-testid=source-ok]').count()).toBe(1);
  });

  it("env, microVM boot files, DNS, reserved addresses, sandbox, rootfs and plugins are edited in the form, with the model's messages beside them", async () => {
    await builder();
    await page.click('text=+ Add Host');
    await page.selectOption('[aria-label="network of host1 interface 0"]', 'lan');
    const alert = (testid: string) => page.locator(`[data-testid="${testid}"] [role=alert]`);

    await page.click('[data-testid=env-host1] >> text=+ Add Variable');
    await page.fill('[aria-label="env 0 of host1 name"]', '1BAD');
    expect(await alert('env-host1').innerText()).toMatch(/^vms\[0\]\.env\.1BAD: .*is not a valid variable name/);
    await page.fill('[aria-label="env 0 of host1 name"]', 'GREETING');
    await page.fill('[aria-label="env 0 of host1 value"]', 'hello world');
    expect(await alert('env-host1').count()).toBe(0);

    // The boot files show for a microVM host; init "disk" needs a disk, and the model says so beside them.
    expect(await page.locator('[aria-label="host 0 microvm kernel"]').count()).toBe(0);
    await page.selectOption('[aria-label="host 0 runtime"]', 'microvm');
    await page.selectOption('[aria-label="host 0 microvm init"]', 'disk');
    expect(await alert('microvm-host1').innerText()).toBe(
      'vms[0].microvm.init: init "disk" boots the disk\'s own init: it needs microvm.disk',
    );
    await page.fill('[aria-label="host 0 microvm disk"]', 'debian-disk');
    await page.fill('[aria-label="host 0 microvm kernel"]', 'vmlinuz-cloud');
    await page.fill('[aria-label="host 0 microvm append"]', 'console=ttyS0 quiet');
    expect(await alert('microvm-host1').count()).toBe(0);
    // On another runtime the settings stay in view, with the model's line.
    await page.selectOption('[aria-label="host 0 runtime"]', 'docker');
    expect(await alert('microvm-host1').innerText()).toBe('vms[0].microvm: only microvm hosts take microvm settings (runtime is docker)');
    await page.selectOption('[aria-label="host 0 runtime"]', 'microvm');
    expect(await alert('microvm-host1').count()).toBe(0);

    await page.fill('[aria-label="network 0 dns"]', '10.0.1.53, nope');
    expect(await alert('network-0').innerText()).toBe('networks[0].dns[1]: "nope" is not an IPv4 address');
    await page.fill('[aria-label="network 0 dns"]', '10.0.1.53, 10.0.1.54');
    await page.fill('[aria-label="network 0 reserved"]', '10.0.1.20-10.0.1.29');
    expect(await alert('network-0').count()).toBe(0);

    // A plugin, used by the host; renaming it takes the host along.
    await page.click('text=+ Add Plugin');
    await page.fill('[aria-label="plugin 0 name"]', 'tools');
    await page.selectOption('[aria-label="plugin 0 sandbox"]', 'none');
    await page.fill('[aria-label="plugin 0 rootfs"]', 'Debian Base');
    expect(await alert('plugin-0').innerText()).toContain('plugins.tools.rootfs: "Debian Base" must be an image name');
    await page.fill('[aria-label="plugin 0 rootfs"]', 'debian-base');
    await page.selectOption('[aria-label="host 0 plugin"]', 'tools');
    await page.fill('[aria-label="plugin 0 name"]', 'tool');
    expect(await page.inputValue('[aria-label="host 0 plugin"]')).toBe('tool');

    await tab('YAML');
    expect(await page.locator('[data-testid=source-ok]').count()).toBe(1);
    const doc = parse(await source());
    expect(doc.plugins).toEqual({ tool: { runtime: 'netns', sandbox: 'none', rootfs: 'debian-base' } });
    expect(doc.networks).toEqual([
      { name: 'lan', subnet: '10.0.1.0/24', dns: ['10.0.1.53', '10.0.1.54'], reserved: ['10.0.1.20-10.0.1.29'] },
    ]);
    expect(doc.vms).toEqual([
      {
        name: 'host1',
        interfaces: [{ network: 'lan', ip: '10.0.1.10' }],
        env: { GREETING: 'hello world' },
        runtime: 'microvm',
        microvm: { init: 'disk', disk: 'debian-disk', kernel: 'vmlinuz-cloud', append: 'console=ttyS0 quiet' },
        plugin: 'tool',
      },
    ]);
  });

  it('the interface editor: the primary NIC stays, choosing a network fills in what the model allocates, taken IPs and problems show', async () => {
    await builder();
    await page.click('text=+ Add Network');
    await page.click('text=+ Add Host');
    const nic = (i: number) => `[aria-label="network of host1 interface ${i}"]`;
    const ip = (i: number) => `[aria-label="ip of host1 interface ${i}"]`;
    await page.selectOption(nic(0), 'lan');
    expect(await page.inputValue(ip(0))).toBe('10.0.1.10');
    expect(await page.locator('[data-testid=nic-host1-0] .badge').innerText()).toBe('Primary');
    expect(await page.locator('[aria-label="remove interface 0 of host1"]').count()).toBe(0);
    expect(await page.locator(`${nic(0)} option`).allInnerTexts()).toEqual(['— network —', 'lan (10.0.1.0/24)', 'net1 (10.0.2.0/24)']);
    await page.click('text=+ Add Network Interface');
    await page.selectOption(nic(1), 'lan');
    expect(await page.locator('[data-testid=nic-host1-1] [role=alert]').innerText()).toBe(
      'vms[0].interfaces[1].network: network lan is already on this host (vms[0].interfaces[0])',
    );
    expect(await page.isDisabled('.actions >> text=Save and deploy')).toBe(true);
    await page.selectOption(nic(1), 'net1');
    expect(await page.inputValue(ip(1))).toBe('10.0.2.10');
    await page.fill(ip(1), '10.0.9.9');
    expect(await page.locator('[data-testid=nic-host1-1] [role=alert]').innerText()).toContain(
      '10.0.9.9 is not in network net1 (10.0.2.0/24)',
    );
    await page.fill(ip(1), '');
    // Without an address the NIC is auto-assigned; the field shows what the model gives it.
    expect(await page.getAttribute(ip(1), 'placeholder')).toBe('auto (10.0.2.10)');
    await page.click('text=+ Add Host');
    await page.selectOption('[aria-label="network of host2 interface 0"]', 'lan');
    expect(await page.inputValue('[aria-label="ip of host2 interface 0"]')).toBe('10.0.1.11');
    expect(await page.locator('[data-testid=nic-host2-0] .taken').innerText()).toBe('taken: 10.0.1.10');
    await page.fill('[aria-label="egress Mbit/s of host2 interface 0"]', '5');
    expect(await page.isDisabled('.actions >> text=Save and deploy')).toBe(false);
    await tab('YAML');
    expect(parse(await source()).vms[1].interfaces).toEqual([{ network: 'lan', ip: '10.0.1.11', rate_limit: { egress_mbps: 5 } }]);
  });

  it('on the canvas, a network and a host are added and a NIC is made by dragging', async () => {
    await builder();
    await tab('Canvas');
    await page.click('[data-testid=canvas] >> text=+ Network');
    await page.click('[data-testid=canvas] >> text=+ Host');
    const host = page.locator('.react-flow__node[data-id="host:0"] .react-flow__handle');
    const net = page.locator('.react-flow__node[data-id="net:net1"] .react-flow__handle');
    // The view fits itself to the new nodes: take the handles where they come to rest.
    const boxes = () => Promise.all([host.boundingBox(), net.boundingBox()]).then((b) => JSON.stringify(b));
    let last = '';
    await waitFor(
      async () => {
        const now = await boxes();
        const still = now === last && !now.includes('null');
        last = now;
        return still;
      },
      5_000,
      200,
    );
    const [from, to] = JSON.parse(last) as Array<{ x: number; y: number; width: number; height: number } | null>;
    if (!from || !to) throw new Error('handles not laid out');
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 });
    await page.mouse.up();
    // The edge is labelled with the address the model gives the new NIC.
    await page.waitForSelector('[data-testid=canvas] .react-flow__edge');
    expect(await page.locator('[data-testid=canvas] .react-flow__edge-text').textContent()).toBe('10.0.2.10');
    await tab('YAML');
    const doc = parse(await source());
    expect(doc.networks).toEqual([
      { name: 'lan', subnet: '10.0.1.0/24' },
      { name: 'net1', subnet: '10.0.2.0/24' },
    ]);
    expect(doc.vms).toEqual([{ name: 'host0', interfaces: [{ network: 'net1' }] }]);
  });

  it("shows the model's messages exactly as the CLI prints them", async () => {
    const bad = readFileSync(FIXTURE, 'utf8')
      .replace('{ network: dmz, ip: 10.0.2.2 }', '{ network: dmz, ip: 10.0.9.2 }')
      .replace('name: legacy', 'name: web')
      .replace('{ host: fw, direction: egress, action: deny }', '{ host: nobody, direction: egress, action: deny }');
    const file = join(state.dir, 'bad.yaml');
    writeFileSync(file, bad);
    const r = await cli(['validate', file], { stateDir: state.dir });
    expect(r.code).toBe(2);
    const lines = r.stderr
      .trim()
      .split('\n')
      .map((l) => l.replace(`${file}: `, ''));
    expect(lines).toHaveLength(3);

    await builder();
    await tab('YAML');
    await page.fill('[aria-label="blueprint source"]', bad);
    expect((await page.locator('[data-testid=source-problems]').innerText()).split('\n')).toEqual(lines);
    expect(await page.isDisabled('.actions >> text=Save and deploy')).toBe(true);
    // The form puts each line beside its field.
    await tab('Form');
    expect(await page.locator('[data-testid=nic-fw-2] [role=alert]').innerText()).toBe(
      lines.find((l) => l.startsWith('vms[0].interfaces[2]')),
    );
  });

  it('the range page shows what a changed blueprint would change, and applies it only when confirmed', async () => {
    const v1 =
      'name: apply\nnetworks:\n  - { name: lan, subnet: 10.0.1.0/24 }\n  - { name: dmz, subnet: 10.0.2.0/24 }\nvms:\n  - name: a\n    interfaces: [{ network: lan }]\n';
    const started = await api('POST', '/api/ranges', { source: v1, name: range });
    expect((await jobEnd(started.job_id)).status).toBe('succeeded');
    const v2 = await api('POST', '/api/blueprints', {
      source: `${v1.replace('[{ network: lan }]', '[{ network: lan }, { network: dmz }]')}  - name: b\n    interfaces: [{ network: dmz }]\n`,
    });
    await page.goto(`${BASE}/#/ranges/${range}`);
    await page.waitForSelector(`[aria-label="blueprint to apply"] option[value="${v2.id}"]`, { state: 'attached' });
    await page.selectOption('[aria-label="blueprint to apply"]', String(v2.id));
    // The model's plan, as `cyrange plan` prints it; nothing has changed yet.
    expect((await page.locator('[data-testid=apply-diff]').innerText()).split('\n')).toEqual(['+ nic a/dmz 10.0.2.10', '+ host b']);
    expect((await api('GET', `/api/ranges/${range}`)).hosts.map((h: { name: string }) => h.name)).toEqual(['a']);
    await page.click('text=Apply these changes');
    await page.waitForSelector('[data-testid=apply-status]:text-is("applied")', { timeout: 60_000 });
    const after = await api('GET', `/api/ranges/${range}`);
    expect(
      after.hosts.map((h: { name: string; networks: Array<{ ip_address: string }> }) => [h.name, h.networks.map((n) => n.ip_address)]),
    ).toEqual([
      ['a', ['10.0.1.10', '10.0.2.10']],
      ['b', ['10.0.2.11']],
    ]);
  }, 180_000);
});
