import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { CYRANGE, IS_ROOT, ROOT, cli, tempStateDir, uniqueName, waitFor } from './helpers.js';

const ADMIN = 'web-admin-token-0123456789';
const PORT = 20000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = '/usr/bin/chromium';
const ASSETS = process.env.CYRANGE_MICROVM_ASSETS ?? '/var/lib/cyrange/microvm';

async function request(method: string, path: string, token: string, body?: unknown) {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return r.status === 204 ? null : (r.json() as Promise<any>);
}
const post = (path: string, token: string, body: unknown) => request('POST', path, token, body);

/** Waits for a job of the API to end; its final view. */
async function jobEnd(id: string, token: string, ms = 180_000) {
  let job: { status: string; error: unknown } = { status: 'running', error: null };
  await waitFor(
    async () => {
      job = await request('GET', `/api/jobs/${id}`, token);
      return job.status !== 'running';
    },
    ms,
    250,
  );
  return job;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const intersects = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
/** Distance from a point to a box (0 inside). */
const distance = (px: number, py: number, b: Box) =>
  Math.hypot(Math.max(b.x - px, 0, px - (b.x + b.width)), Math.max(b.y - py, 0, py - (b.y + b.height)));

/** Text the terminal shows (xterm renders rows into the DOM). */
const terminalText = (page: Page) => page.locator('.xterm-rows').innerText();

describe.skipIf(!IS_ROOT || !existsSync(CHROMIUM))('web UI in Debian chromium', () => {
  const state = tempStateDir();
  const range = uniqueName('web');
  // A class of two copies of two-tier (`POOL-01` is pupil's), and the example ranges whose topology is checked.
  const pool = uniqueName('pool').slice(0, 18);
  const copy = `${pool}-01`;
  const demo = uniqueName('demo');
  const corp = uniqueName('corp');
  // More hosts than fit one row: hosts above and below the networks.
  const wide = uniqueName('wide');
  const env = { CYRANGE_MICROVM_ASSETS: ASSETS };
  // Screenshots go under the test's temp dir, or where CYRANGE_WEB_SHOTS says (to keep them).
  const shots = process.env.CYRANGE_WEB_SHOTS ?? join(state.dir, 'shots');
  let server: ChildProcess;
  let browser: Browser;
  let page: Page;
  let teacher = '';

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: { ...process.env, ...env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: 'ignore',
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);
    teacher = (await post('/api/users', ADMIN, { name: 'teacher', role: 'instructor', password: 'teacher-password' })).token;
    await post('/api/users', ADMIN, { name: 'pupil', role: 'student', password: 'pupil-password' });
    // The demo as `cyrange serve`'s first start deploys it; without microVM boot files, its guest is left out.
    let demoFile = join(ROOT, 'examples', 'demo.yaml');
    if (!existsSync(join(ASSETS, 'manifest.json'))) {
      const doc = parse(readFileSync(demoFile, 'utf8'));
      doc.vms = doc.vms.filter((v: { runtime?: string }) => v.runtime !== 'microvm');
      demoFile = join(state.dir, 'demo.yaml');
      writeFileSync(demoFile, stringify(doc));
    }
    const wideFile = join(state.dir, 'wide.yaml');
    writeFileSync(
      wideFile,
      stringify({
        name: 'wide',
        networks: ['a', 'b', 'c'].map((n, i) => ({ name: n, subnet: `10.6${i}.0.0/24` })),
        vms: [
          { name: 'r1', interfaces: [{ network: 'a' }, { network: 'b' }, { network: 'c' }] },
          { name: 'r2', interfaces: [{ network: 'a' }, { network: 'c' }] },
          ...['a', 'a', 'b', 'b', 'c', 'c', 'c'].map((n, i) => ({ name: `h${i + 1}`, interfaces: [{ network: n }] })),
        ],
      }),
    );
    const started = await post('/api/pools', teacher, {
      name: pool,
      source: readFileSync(join(ROOT, 'examples', 'two-tier.yaml'), 'utf8'),
      size: 2,
      roster: [{ name: 'pupil' }],
    });
    expect(started.job_id, JSON.stringify(started)).toBeTruthy();
    const [made, ...deployed] = await Promise.all([
      jobEnd(started.job_id, teacher),
      cli(['deploy', demoFile, '--name', demo], { stateDir: state.dir, env }),
      cli(['deploy', join(ROOT, 'examples', 'firewall.yaml'), '--name', corp], { stateDir: state.dir, env }),
      cli(['deploy', wideFile, '--name', wide], { stateDir: state.dir, env }),
    ]);
    expect(made.status, JSON.stringify(made.error)).toBe('succeeded');
    for (const d of deployed) expect(d.code, d.stderr).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    // Reset, restore and remove ask first.
    page.on('dialog', (d) => void d.accept());
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    const destroying = await request('DELETE', `/api/pools/${pool}`, teacher).catch(() => null);
    if (destroying?.job_id) await jobEnd(destroying.job_id, teacher);
    await Promise.all([range, demo, corp, wide].map((r) => cli(['destroy', r], { stateDir: state.dir, env })));
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    state.cleanup();
  }, 240_000);

  it('logs in with a user name and password', async () => {
    await page.goto(BASE);
    await page.fill('input[name=username]', 'teacher');
    await page.fill('input[name=password]', 'teacher-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=ranges]');
    expect(await page.locator('nav').innerText()).toContain('teacher (instructor)');
  });

  it('builds a range with a two-NIC host: auto-filled IPs, taken IPs shown, inline errors', async () => {
    await page.click('nav >> text=Builder');
    await page.fill('[aria-label="range name"]', range);
    await page.click('text=+ Add Network'); // net1 10.0.2.0/24
    // Subnet validation as you type.
    await page.fill('[aria-label="network 1 subnet"]', '10.0.2.5/24');
    expect(await page.locator('[data-testid=network-1] [role=alert]').innerText()).toContain('host bits set');
    await page.fill('[aria-label="network 1 subnet"]', '10.0.2.0/24');
    expect(await page.locator('[data-testid=network-1] [role=alert]').count()).toBe(0);

    await page.click('text=+ Add Host');
    const nic = (i: number) => `[aria-label="network of host1 interface ${i}"]`;
    const ip = (i: number) => `[aria-label="ip of host1 interface ${i}"]`;
    await page.selectOption(nic(0), 'lan');
    expect(await page.inputValue(ip(0))).toBe('10.0.1.10');
    expect(await page.locator('[data-testid=nic-host1-0] .badge').innerText()).toBe('Primary');
    expect(await page.locator('[aria-label="remove interface 0 of host1"]').count()).toBe(0);
    // Only this range's networks are offered.
    expect(await page.locator(`${nic(0)} option`).allInnerTexts()).toEqual(['— network —', 'lan (10.0.1.0/24)', 'net1 (10.0.2.0/24)']);

    await page.click('text=+ Add Network Interface');
    await page.selectOption(nic(1), 'lan');
    expect(await page.locator('[data-testid=nic-host1-1] [role=alert]').innerText()).toContain('network lan is already on this host');
    expect(await page.isDisabled('text=Save and deploy')).toBe(true);
    await page.selectOption(nic(1), 'net1');
    expect(await page.inputValue(ip(1))).toBe('10.0.2.10');
    await page.fill(ip(1), '10.0.9.9');
    expect(await page.locator('[data-testid=nic-host1-1] [role=alert]').innerText()).toContain(
      '10.0.9.9 is not in network net1 (10.0.2.0/24)',
    );
    await page.fill(ip(1), '10.0.2.10');
    expect(await page.locator('[data-testid=nic-host1-1] [role=alert]').count()).toBe(0);

    // A second host sees what is taken and gets the next address.
    await page.click('text=+ Add Host');
    await page.selectOption('[aria-label="network of host2 interface 0"]', 'lan');
    expect(await page.inputValue('[aria-label="ip of host2 interface 0"]')).toBe('10.0.1.11');
    expect(await page.locator('[data-testid=nic-host2-0] .taken').innerText()).toContain('10.0.1.10');
    expect(await page.isDisabled('text=Save and deploy')).toBe(false);
  });

  it('deploys, shows the topology and the blueprint IPs', async () => {
    await page.click('text=Save and deploy');
    await page.waitForURL(`**/#/ranges/${range}`, { timeout: 30_000 });
    await page.waitForSelector('[data-testid=topology] .react-flow__node');
    const labels = await page.locator('[data-testid=topology] .react-flow__node').allInnerTexts();
    expect(labels.join(' ')).toMatch(/lan[\s\S]*net1[\s\S]*host1[\s\S]*host2/);
    expect(await page.locator('[data-testid=topology] .react-flow__edge').count()).toBe(3);
    await waitFor(async () => (await page.locator('[data-testid=hosts]').innerText()).includes('running'), 10_000);
    const hosts = await page.locator('[data-testid=hosts]').innerText();
    expect(hosts).toContain('10.0.1.10');
    expect(hosts).toContain('10.0.2.10');
    expect(hosts).toContain('10.0.1.11');
  });

  it('opens a console and `ip -4 addr` shows the blueprint IPs', async () => {
    await page.locator('[data-testid=hosts] tr', { hasText: 'host1' }).locator('text=Console').click();
    await page.waitForSelector('.xterm-rows');
    await waitFor(async () => (await page.locator('h2').innerText()).includes('connected'), 10_000);
    await page.click('[data-testid=terminal]');
    await page.keyboard.type('ip -4 addr\n');
    const ok = await waitFor(async () => {
      const t = await terminalText(page);
      return t.includes('10.0.1.10/24') && t.includes('10.0.2.10/24');
    }, 10_000);
    expect(ok, await terminalText(page)).toBe(true);
  });

  it("the class view lists the teacher's pool and one row per copy, with each copy's student, state and hosts", async () => {
    await page.click('nav >> text=Pools');
    await page.waitForSelector(`[data-testid=pools] tr[data-pool="${pool}"]`);
    expect(await page.locator(`[data-testid=pools] tr[data-pool="${pool}"]`).innerText()).toMatch(/\b2\b[\s\S]*\b1\b/);
    await page.click(`[data-testid=pools] >> text=${pool}`);
    await page.waitForSelector('[data-testid=pool-members] tbody tr');
    await waitFor(async () => (await page.locator('[data-testid=pool-members] tbody tr').count()) === 2, 5000);
    const row = (inst: string) => page.locator(`[data-testid=pool-members] tr[data-instance="${inst}"]`);
    const first = await row(copy).innerText();
    expect(first).toContain('pupil');
    expect(first).toContain('running');
    expect(first).toMatch(/\b3\b/); // web, db, client
    const second = await row(`${pool}-02`).innerText();
    expect(second).toContain('running');
    expect(second).not.toContain('pupil');
    expect(await row(copy).locator('button', { hasText: 'Reset' }).count()).toBe(1);
    expect(await page.locator('text=Resize').count()).toBe(1);
    expect(await page.locator('text=Destroy pool').count()).toBe(1);
    await page.screenshot({ path: join(shots, 'pool.png'), fullPage: true });
    // Console opens the first host of that copy.
    await row(copy).locator('button', { hasText: 'Console' }).click();
    await page.waitForURL(`**/#/ranges/${copy}/console/web`);
    await waitFor(async () => (await page.locator('h2').innerText()).includes('connected'), 10_000);
    expect(await page.locator('h2').innerText()).toContain(`in ${copy}`);
  });

  it('Reset on a host puts it back: a file written in it is gone', async () => {
    const exec = (...cmd: string[]) => cli(['exec', copy, 'client', '--', ...cmd], { stateDir: state.dir, env });
    expect((await exec('sh', '-c', 'mkdir -p /keep && echo before > /keep/f && sync')).code).toBe(0);
    expect((await exec('cat', '/keep/f')).stdout.trim()).toBe('before');
    await page.goto(`${BASE}/#/ranges/${copy}`);
    await page.waitForSelector('[data-testid=hosts] tr[data-host=client]');
    expect(await page.locator('[data-testid=reset-range]').count()).toBe(1);
    await page.locator('[data-testid=hosts] tr[data-host=client] button', { hasText: /^Reset$/ }).click();
    await page.waitForSelector('[data-testid=notice]', { timeout: 30_000 });
    expect(await page.locator('[data-testid=notice]').innerText()).toContain('reset client: done');
    const after = await exec('cat', '/keep/f');
    expect(after.code).not.toBe(0);
    expect(after.stdout.trim()).toBe('');
    await page.screenshot({ path: join(shots, 'range.png'), fullPage: true });
    await waitFor(async () => (await page.locator('[data-testid=hosts] tr[data-host=client]').innerText()).includes('running'), 10_000);
  });

  it('takes, lists and removes a snapshot, and downloads a capture of a network with a ticket', async () => {
    await page.fill('[aria-label="snapshot name"]', 'first');
    await page.click('text=Take snapshot');
    await page.waitForSelector('[data-testid=snapshots] tr[data-snapshot=first]', { timeout: 30_000 });
    expect(await page.locator('[data-testid=snapshots] tr[data-snapshot=first]').innerText()).toMatch(/web[\s\S]*db[\s\S]*client|client/);
    await page.locator('[data-testid=snapshots] tr[data-snapshot=first] button', { hasText: 'Remove' }).click();
    await waitFor(async () => (await page.locator('[data-testid=snapshots] tr[data-snapshot=first]').count()) === 0, 10_000);
    expect(await page.locator('[data-testid=snapshots] tr[data-snapshot=first]').count()).toBe(0);

    await page.fill('[aria-label="capture seconds on lan"]', '1');
    await page.fill('[aria-label="capture filter on lan"]', 'icmp');
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 15_000 }),
      page.locator('[data-testid=networks] tr[data-network=lan] button', { hasText: 'Download pcap' }).click(),
    ]);
    const file = join(shots, 'lan.pcap');
    await download.saveAs(file);
    expect(download.suggestedFilename()).toMatch(/\.pcap$/);
    expect(readFileSync(file).subarray(0, 4).toString('hex')).toBe('d4c3b2a1');
  });

  it('Cancel stops a deploy in progress: it rolls back, says who cancelled it, and the range is not listed', async () => {
    const name = uniqueName('webcancel');
    const bp = await post('/api/blueprints', teacher, {
      name: 'cancelme',
      networks: [{ name: 'lan', subnet: '10.95.0.0/24' }],
      vms: Array.from({ length: 12 }, (_, i) => ({ name: `h${i}`, interfaces: [{ network: 'lan' }] })),
    });
    expect(bp.id, JSON.stringify(bp)).toBeTruthy();
    await page.click('nav >> text=Ranges');
    await page.waitForSelector('[data-testid=ranges]');
    await page.selectOption('[aria-label=blueprint]', String(bp.id));
    await page.fill('[aria-label="instance name"]', name);
    await page.click('button:text-is("Deploy")');
    await page.click('button.cancel-job', { timeout: 10_000 });
    const alert = page.locator('pre.error[role=alert]');
    await alert.waitFor({ timeout: 60_000 });
    expect(await alert.innerText()).toMatch(new RegExp(`deploy of "${name}" stopped at step \\S+: cancelled by teacher; rolled back`));
    expect(await page.locator('button.cancel-job').count()).toBe(0);
    expect(await page.locator('[data-testid=progress]').innerText()).toContain('rollback done');
    await waitFor(async () => !(await page.locator('[data-testid=ranges]').innerText()).includes(name), 10_000);
    expect(await page.locator('[data-testid=ranges]').innerText()).not.toContain(name);
  });

  it('a student with one range lands on their copy, and sees only what is assigned to them', async () => {
    await page.goto(`${BASE}/#/`);
    await page.click('text=Sign out');
    await page.fill('input[name=username]', 'pupil');
    await page.fill('input[name=password]', 'pupil-password');
    await page.click('button[type=submit]');
    await page.waitForURL(`**/#/ranges/${copy}`);
    await page.waitForSelector('[data-testid=hosts] tr[data-host=client]');
    expect(await page.locator('h2').first().innerText()).toContain(copy);
    // Students do not manage their copy: no reset, snapshots or host actions; consoles they have.
    expect(await page.locator('[data-testid=reset-range]').count()).toBe(0);
    expect(await page.locator('[data-testid=snapshots]').count()).toBe(0);
    expect(await page.locator('[data-testid=hosts] button', { hasText: /^Reset$/ }).count()).toBe(0);
    expect(await page.locator('[data-testid=hosts] button', { hasText: 'Console' }).count()).toBe(3);
    expect(await page.locator('nav >> text=Builder').count()).toBe(0);
    expect(await page.locator('nav >> text=Pools').count()).toBe(0);
    await page.click('nav >> text=Ranges');
    await page.waitForSelector('[data-testid=ranges] tbody tr');
    const rows = await page.locator('[data-testid=ranges] tbody tr').allInnerTexts();
    expect(rows.length).toBe(1);
    expect(rows[0]).toContain(copy);

    // With two ranges there is no one copy to land on: the list.
    await post(`/api/ranges/${range}/assignments`, ADMIN, { user: 'pupil' });
    await page.click('text=Sign out');
    await page.fill('input[name=username]', 'pupil');
    await page.fill('input[name=password]', 'pupil-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=ranges]');
    await waitFor(async () => (await page.locator('[data-testid=ranges] tbody tr').count()) === 2, 5000);
    const both = await page.locator('[data-testid=ranges] tbody tr').allInnerTexts();
    expect(both.join('\n')).toContain(range);
    expect(both.join('\n')).toContain(copy);
    expect(['', '#/']).toContain(new URL(page.url()).hash);
    expect(await page.locator('[data-testid=ranges] >> text=Destroy').count()).toBe(0);
  });

  it('topology labels sit at the NIC end, next to their host, and never overlap (demo, example ranges, one with two rows of hosts)', async () => {
    await page.click('text=Sign out');
    await page.fill('input[name=token]', ADMIN);
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=ranges]');
    for (const name of [demo, corp, copy, range, wide]) {
      const detail = await request('GET', `/api/ranges/${name}`, ADMIN);
      const nics = detail.hosts.reduce((n: number, h: { networks: unknown[] }) => n + h.networks.length, 0);
      await page.goto(`${BASE}/#/ranges/${name}`);
      await page.waitForSelector('[data-testid=topology] .react-flow__node');
      await waitFor(async () => (await page.locator('[data-testid=topology] .nic-label').count()) === nics, 10_000);
      expect(await page.locator('[data-testid=topology] .nic-label').count()).toBe(nics);
      // Let fitView settle: the same boxes twice in a row.
      let last = '';
      await waitFor(
        async () => {
          const now = JSON.stringify(
            await page.locator('[data-testid=topology] .nic-label').evaluateAll((els) => els.map((e) => e.getBoundingClientRect())),
          );
          const same = now === last;
          last = now;
          return same;
        },
        5000,
        200,
      );
      await page.locator('[data-testid=topology]').screenshot({ path: join(shots, `topology-${name}.png`) });
      const seen = await page.evaluate(() => {
        const box = (e: Element) => {
          const r = e.getBoundingClientRect();
          return { x: r.x, y: r.y, width: r.width, height: r.height };
        };
        const root = document.querySelector('[data-testid=topology]') as Element;
        return {
          view: box(root),
          labels: [...root.querySelectorAll('.nic-label')].map((e) => ({
            host: e.getAttribute('data-host') as string,
            network: e.getAttribute('data-network') as string,
            text: (e as HTMLElement).innerText,
            visible: (e as HTMLElement).scrollWidth <= (e as HTMLElement).clientWidth,
            ...box(e),
          })),
          nodes: Object.fromEntries([...root.querySelectorAll('.react-flow__node')].map((e) => [e.getAttribute('data-id'), box(e)])),
        };
      });
      const ips = detail.hosts.flatMap((h: { networks: Array<{ ip_address: string | null }> }) =>
        h.networks.map((n) => n.ip_address ?? 'dhcp'),
      );
      expect(seen.labels.map((l) => l.text).sort()).toEqual([...ips].sort());
      for (const [i, a] of seen.labels.entries()) {
        const what = `${name}: ${a.host}/${a.network} ${a.text}`;
        expect(a.visible, `${what} is cut`).toBe(true);
        expect(
          intersects(a, seen.view) && a.x >= seen.view.x && a.x + a.width <= seen.view.x + seen.view.width,
          `${what} is out of view`,
        ).toBe(true);
        for (const b of seen.labels.slice(i + 1)) expect(intersects(a, b), `${what} overlaps ${b.host}/${b.network} ${b.text}`).toBe(false);
        for (const [id, n] of Object.entries(seen.nodes)) expect(intersects(a, n as Box), `${what} covers node ${id}`).toBe(false);
        // At the NIC's end: over its host, much nearer to it than to the network.
        const host = seen.nodes[`host:${a.host}`] as Box;
        const net = seen.nodes[`net:${a.network}`] as Box;
        const cx = a.x + a.width / 2;
        const cy = a.y + a.height / 2;
        expect(cx >= host.x && cx <= host.x + host.width, `${what} is not over its host`).toBe(true);
        expect(distance(cx, cy, host), `${what} is far from its host`).toBeLessThan(a.height * 1.5);
        expect(distance(cx, cy, host) * 3, `${what} is not at the host's end`).toBeLessThan(distance(cx, cy, net));
      }
    }
  });
});
