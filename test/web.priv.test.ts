import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CYRANGE, IS_ROOT, cli, tempStateDir, uniqueName, waitFor } from './helpers.js';

const ADMIN = 'web-admin-token-0123456789';
const PORT = 20000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;
const CHROMIUM = '/usr/bin/chromium';

async function post(path: string, token: string, body: unknown) {
  const r = await fetch(`${BASE}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return r.status === 204 ? null : r.json();
}

/** Text the terminal shows (xterm renders rows into the DOM). */
const terminalText = (page: Page) => page.locator('.xterm-rows').innerText();

describe.skipIf(!IS_ROOT || !existsSync(CHROMIUM))('web UI in Debian chromium', () => {
  const state = tempStateDir();
  const range = uniqueName('web');
  let server: ChildProcess;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: 'ignore',
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);
    await post('/api/users', ADMIN, { name: 'teacher', role: 'instructor', password: 'teacher-password' });
    await post('/api/users', ADMIN, { name: 'pupil', role: 'student', password: 'pupil-password' });
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
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await cli(['destroy', range], { stateDir: state.dir });
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    state.cleanup();
  });

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

  it('shows a student only the ranges assigned to them', async () => {
    await post(`/api/ranges/${range}/assignments`, ADMIN, { user: 'pupil' });
    await page.click('text=Sign out');
    await page.fill('input[name=username]', 'pupil');
    await page.fill('input[name=password]', 'pupil-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('[data-testid=ranges]');
    await waitFor(async () => (await page.locator('[data-testid=ranges]').innerText()).includes(range), 5000);
    const rows = await page.locator('[data-testid=ranges] tbody tr').allInnerTexts();
    expect(rows.length).toBe(1);
    expect(rows[0]).toContain(range);
    expect(await page.locator('nav >> text=Builder').count()).toBe(0);
    expect(await page.locator('[data-testid=ranges] >> text=Destroy').count()).toBe(0);
  });
});
