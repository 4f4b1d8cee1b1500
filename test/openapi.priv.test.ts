import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRunner, buildServer } from '../src/api/index.js';
import { Engine, configFromEnv } from '../src/engine/index.js';
import { openStore } from '../src/store/index.js';
import { CYRANGE, IS_ROOT, ROOT, cli, runCmd, tempStateDir, uniqueName, waitFor } from './helpers.js';
import { apiClient } from './api-client.js';

// The OpenAPI document as clients that no one here wrote read it: swagger-parser and Spectral
// (`spectral:oas`) on the served document, every Fastify route in it with a response schema,
// real answers checked against their documented schemas with Ajv, and the web UI's generated
// types (src/web/api-types.ts) up to date with it.

const ADMIN = 'openapi-admin-token-0123456789';
const PORT = 24000 + Math.floor(Math.random() * 2000);
const BASE = `http://127.0.0.1:${PORT}`;
const { api, jobEvents } = apiClient(BASE);

type Doc = {
  openapi: string;
  tags: Array<{ name: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, any> };
};
type Operation = {
  operationId?: string;
  tags?: string[];
  responses: Record<string, { description: string; content?: Record<string, { schema?: any }> }>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
/** Statuses of a successful call: 2xx, and 101 for a WebSocket upgrade. */
const isSuccess = (status: string) => /^2\d\d$/.test(status) || status === '101';
/** Successful answers without a body. */
const NO_BODY = new Set(['101', '204']);

async function followJob(id: string, token: string): Promise<any> {
  const end = (await jobEvents(id, token)).find((e) => e.ev === 'end');
  return end ? end.data : { status: 'unknown' };
}

/** Every route Fastify registers, as `METHOD /path/{param}`, and whether it is hidden from the document. */
async function fastifyRoutes(): Promise<Array<{ key: string; hidden: boolean }>> {
  const state = tempStateDir();
  const store = await openStore({ stateDir: state.dir });
  const routes: RouteOptions[] = [];
  try {
    const engine = new Engine(store, { ...configFromEnv({}), stateDir: state.dir });
    const app = await buildServer({ engine, jobs: new JobRunner(), webRoot: null, onRoute: (r) => routes.push(r) });
    await app.ready();
    await app.close();
  } finally {
    await store.close();
    state.cleanup();
  }
  return routes.flatMap((r) =>
    [r.method]
      .flat()
      .filter((m) => m !== 'HEAD')
      .map((m) => ({
        key: `${m} ${r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`,
        hidden: Boolean((r.schema as { hide?: boolean } | undefined)?.hide),
      })),
  );
}

describe.skipIf(!IS_ROOT)('OpenAPI document', () => {
  const state = tempStateDir();
  const inst = uniqueName('oapi');
  let server: ChildProcess;
  let doc: Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ((ajvFormats as any).default ?? ajvFormats)(ajv);

  /** Checks a real answer against the schema the document gives for its operation and status. */
  function conforms(method: string, template: string, res: { status: number; body: unknown }): void {
    const op = doc.paths[template]?.[method.toLowerCase()];
    expect(op, `${method} ${template} is in the document`).toBeTruthy();
    const status = String(res.status);
    const key = status in (op?.responses ?? {}) ? status : `${status[0]}XX`;
    const schema = op?.responses[key]?.content?.['application/json']?.schema;
    expect(schema, `${method} ${template} documents a JSON body for ${status}`).toBeTruthy();
    const pointer = `openapi.json#/paths/${template.replaceAll('~', '~0').replaceAll('/', '~1')}/${method.toLowerCase()}/responses/${key}/content/application~1json/schema`;
    const validate = ajv.getSchema(pointer);
    if (!validate) throw new Error(`no schema at ${pointer}`);
    if (!validate(res.body))
      throw new Error(
        `${method} ${template} ${status} does not match its schema: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body)}`,
      );
  }

  beforeAll(async () => {
    server = spawn(CYRANGE, ['serve', '--port', String(PORT)], {
      env: { ...process.env, CYRANGE_STATE_DIR: state.dir, CYRANGE_ADMIN_TOKEN: ADMIN },
      stdio: 'ignore',
    });
    expect(await waitFor(async () => (await fetch(`${BASE}/healthz`).catch(() => null))?.ok, 15_000)).toBe(true);
    const r = await api('GET', '/api/openapi.json', null);
    expect(r.status).toBe(200);
    doc = r.body;
    ajv.addSchema(structuredClone(doc), 'openapi.json');
  });

  afterAll(async () => {
    const r = await api('DELETE', `/api/ranges/${inst}`, ADMIN).catch(() => null);
    if (r?.body?.job_id) await followJob(r.body.job_id, ADMIN);
    await cli(['destroy', inst], { stateDir: state.dir });
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((res) => server.once('exit', res));
    state.cleanup();
  });

  it('is valid under swagger-parser', async () => {
    expect(doc.openapi).toBe('3.1.0');
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it('has no errors under spectral lint with spectral:oas', async () => {
    const file = join(state.dir, 'openapi.json');
    const ruleset = join(state.dir, '.spectral.yaml');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    writeFileSync(ruleset, 'extends: ["spectral:oas"]\n');
    const r = await runCmd([join(ROOT, 'node_modules/.bin/spectral'), 'lint', '--ruleset', ruleset, '--format', 'json', file]);
    const results = JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as Array<{
      code: string;
      severity: number;
      path: string[];
      message: string;
    }>;
    const errors = results.filter((x) => x.severity === 0).map((x) => `${x.code} ${x.path.join('.')}: ${x.message}`);
    expect(errors).toEqual([]);
  });

  it('gives every operation an operationId, declared tags, a schema for each success and the shared error schema', () => {
    const declared = new Set(doc.tags.map((t) => t.name));
    const ids = new Set<string>();
    const problems: string[] = [];
    for (const [path, item] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(item).filter(([m]) => METHODS.includes(m))) {
        const at = `${method.toUpperCase()} ${path}`;
        if (!op.operationId) problems.push(`${at}: no operationId`);
        else if (ids.has(op.operationId)) problems.push(`${at}: operationId ${op.operationId} used twice`);
        else ids.add(op.operationId);
        if (!op.tags?.length) problems.push(`${at}: no tags`);
        for (const t of op.tags ?? []) if (!declared.has(t)) problems.push(`${at}: tag ${t} is not declared`);
        const statuses = Object.keys(op.responses);
        if (!statuses.some(isSuccess)) problems.push(`${at}: no success response`);
        for (const s of statuses) {
          const content = op.responses[s]?.content;
          if (isSuccess(s) && !NO_BODY.has(s) && !Object.values(content ?? {}).some((m) => m.schema))
            problems.push(`${at}: ${s} has no schema`);
          if (/^[45]/.test(s) && content?.['application/json']?.schema?.$ref !== '#/components/schemas/Error')
            problems.push(`${at}: ${s} is not the shared error schema`);
        }
        if (!statuses.includes('4XX') || !statuses.includes('5XX')) problems.push(`${at}: no 4XX/5XX error responses`);
      }
    expect(problems).toEqual([]);
    const error = doc.components.schemas.Error;
    expect(error.required).toEqual(['code', 'message']);
    expect(Object.keys(error.properties)).toEqual(['code', 'message', 'hint', 'problems']);
  });

  it('documents the multi-NIC host exactly, with the legacy primary fields deprecated', () => {
    const host = doc.components.schemas.Host;
    expect(host.additionalProperties).toBe(false);
    expect(host.properties.networks).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/Nic' },
      description: expect.any(String),
    });
    expect(host.properties.network_id.deprecated).toBe(true);
    expect(host.properties.ip_address.deprecated).toBe(true);
    const nic = doc.components.schemas.Nic;
    expect(nic.required).toEqual(expect.arrayContaining(['network_id', 'ip_address', 'mac', 'is_primary', 'ifname', 'addressing']));
    expect(nic.properties.ip_address.type).toEqual(['string', 'null']);
  });

  it('has every route Fastify registers, each with a response schema for its success status', async () => {
    const routes = await fastifyRoutes();
    const visible = routes.filter((r) => !r.hidden).map((r) => r.key);
    expect(visible.length).toBeGreaterThan(30);
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) =>
        Object.keys(item)
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    expect(visible.filter((k) => !documented.has(k))).toEqual([]);
    expect([...documented].filter((k) => !visible.includes(k))).toEqual([]);
    // Hidden: the document itself, its docs page, /healthz and the web UI.
    expect(routes.filter((r) => r.hidden).map((r) => r.key)).toEqual(expect.arrayContaining(['GET /api/openapi.json', 'GET /healthz']));
    for (const key of visible) {
      const [method, path] = key.split(' ') as [string, string];
      const responses = doc.paths[path]?.[method.toLowerCase()]?.responses ?? {};
      const ok = Object.keys(responses).filter(isSuccess);
      expect(ok.length, `${key} documents its success status`).toBeGreaterThan(0);
      for (const s of ok.filter((x) => !NO_BODY.has(x)))
        expect(
          Object.values(responses[s]?.content ?? {}).some((m) => m.schema),
          `${key} ${s} has a schema`,
        ).toBe(true);
    }
  });

  it('matches what the server really answers', async () => {
    // A password user, and their login.
    const made = await api('POST', '/api/users', ADMIN, { name: 'oa-ins', role: 'instructor', password: 'instructor-pw' });
    conforms('POST', '/api/users', made);
    const login = await api('POST', '/api/login', null, { username: 'oa-ins', password: 'instructor-pw' });
    expect(login.status).toBe(200);
    conforms('POST', '/api/login', login);
    conforms('POST', '/api/login', await api('POST', '/api/login', null, { username: 'oa-ins', password: 'wrong-password' }));
    const me = await api('GET', '/api/me', login.body.token);
    expect(me.body.name).toBe('oa-ins');
    conforms('GET', '/api/me', me);
    conforms('GET', '/api/me', await api('GET', '/api/me', null));
    conforms('GET', '/api/users', await api('GET', '/api/users', ADMIN));
    conforms('GET', '/api/tokens', await api('GET', '/api/tokens', ADMIN));
    conforms('POST', '/api/tokens', await api('POST', '/api/tokens', ADMIN, { scope: 'metrics', expires_in: 60 }));
    conforms('POST', '/api/tickets', await api('POST', '/api/tickets', ADMIN));

    // A blueprint with a multi-NIC host (a static and an auto address), a DHCP NIC and a legacy single-NIC host.
    const source = [
      `name: ${inst}`,
      'networks:',
      '  - { name: lan, subnet: 10.0.1.0/24 }',
      '  - { name: dmz, subnet: 10.0.2.0/24, dhcp: true }',
      'vms:',
      '  - name: fw',
      '    command: [sleep, infinity]',
      '    interfaces: [{ network: lan, ip: 10.0.1.2 }, { network: dmz }]',
      '  - name: ws',
      '    command: [sleep, infinity]',
      '    network: { mode: dhcp }',
      '    interfaces: [{ network: dmz }]',
      '  - name: old',
      '    command: [sleep, infinity]',
      '    network_id: lan',
      '    ip_address: 10.0.1.3',
      '',
    ].join('\n');
    const bad = await api('POST', '/api/blueprints', ADMIN, { source: source.replace('10.0.1.2', '10.0.9.2') });
    expect(bad.status).toBe(422);
    conforms('POST', '/api/blueprints', bad);
    conforms('POST', '/api/blueprints/validate', await api('POST', '/api/blueprints/validate', ADMIN, source, 'application/yaml'));
    const bp = await api('POST', '/api/blueprints', ADMIN, source, 'application/yaml');
    conforms('POST', '/api/blueprints', bp);
    conforms('GET', '/api/blueprints', await api('GET', '/api/blueprints', ADMIN));
    conforms('GET', '/api/blueprints/{id}', await api('GET', `/api/blueprints/${bp.body.id}`, ADMIN));

    const deploy = await api('POST', '/api/ranges', ADMIN, { blueprint_id: bp.body.id });
    expect(deploy.status).toBe(202);
    conforms('POST', '/api/ranges', deploy);
    expect((await followJob(deploy.body.job_id, ADMIN)).status).toBe('succeeded');
    conforms('GET', '/api/jobs/{id}', await api('GET', `/api/jobs/${deploy.body.job_id}`, ADMIN));

    const hosts = await api('GET', `/api/ranges/${inst}/hosts`, ADMIN);
    conforms('GET', '/api/ranges/{name}/hosts', hosts);
    const fw = hosts.body.find((h: { name: string }) => h.name === 'fw');
    expect(fw.networks.map((n: any) => [n.network_id, n.ip_address, n.is_primary, n.addressing])).toEqual([
      ['lan', '10.0.1.2', true, 'static'],
      ['dmz', '10.0.2.10', false, 'auto'],
    ]);
    expect([fw.network_id, fw.ip_address]).toEqual(['lan', '10.0.1.2']);
    conforms('GET', '/api/ranges/{name}/hosts/{host}', await api('GET', `/api/ranges/${inst}/hosts/old`, ADMIN));
    conforms('GET', '/api/ranges/{name}/hosts/{host}', await api('GET', `/api/ranges/${inst}/hosts/nope`, ADMIN));
    const detail = await api('GET', `/api/ranges/${inst}`, ADMIN);
    expect(detail.body.hosts.every((h: { state: string }) => h.state === 'running')).toBe(true);
    conforms('GET', '/api/ranges/{name}', detail);
    conforms('GET', '/api/ranges', await api('GET', '/api/ranges', ADMIN));
    conforms('GET', '/api/ranges/{name}/networks', await api('GET', `/api/ranges/${inst}/networks`, ADMIN));
    conforms('GET', '/api/ranges/{name}/stats', await api('GET', `/api/ranges/${inst}/stats`, ADMIN));
    conforms('POST', '/api/ranges/{name}/hosts/{host}/restart', await api('POST', `/api/ranges/${inst}/hosts/old/restart`, ADMIN));
  });

  it('is what the committed web client types were generated from', async () => {
    const gen = join(ROOT, 'scripts/gen-api-types.mjs');
    const { apiTypes, TYPES_FILE } = await import(gen);
    const expected: string = await apiTypes(doc);
    expect(readFileSync(TYPES_FILE, 'utf8') === expected, 'src/web/api-types.ts is out of date: run npm run gen:api').toBe(true);
  });
});
