import { z } from 'zod';
import { type LiveStatus, ROLES, TOKEN_SCOPES } from '../engine/index.js';
import { EGRESS_KINDS, NETWORK_MODES, RUNTIMES, RawHost, RawRange } from '../model/index.js';

/**
 * The API's JSON schemas: request bodies (generated from the model's own zod schemas, so there is
 * no second copy) and every response. They document the API in OpenAPI 3.1, whose Schema Objects
 * are JSON Schema 2020-12 (what zod emits); bodies are checked by the model, whose messages name
 * each field, and responses are written as the handlers build them (see server.ts).
 */
export type JsonSchema = Record<string, unknown>;

/**
 * A zod schema as an OpenAPI 3.1 Schema Object. A tuple's closing `items: false` becomes
 * `items: { not: {} }`, which means the same and which linters that want every array schema to
 * carry a truthy `items` accept.
 */
function fromZod(s: z.ZodType): JsonSchema {
  const { $schema: _, ...out } = z.toJSONSchema(s, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== 'object') return v;
    const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    if (Array.isArray(o.prefixItems) && o.items === false) o.items = { not: {} };
    return o;
  };
  return walk(out) as JsonSchema;
}

/** A name of a shared schema (`SCHEMAS` has exactly these). */
export type SchemaName =
  | 'Problem'
  | 'Error'
  | 'Nic'
  | 'Host'
  | 'Network'
  | 'Range'
  | 'RangeDetail'
  | 'JobAccepted'
  | 'StepResult'
  | 'StepEvent'
  | 'ProgressEvent'
  | 'Job'
  | 'HostAction'
  | 'RangeReset'
  | 'Stats'
  | 'Snapshot'
  | 'Blueprint'
  | 'BlueprintInput'
  | 'RawRange'
  | 'Plan'
  | 'ApplyPlan'
  | 'HostInput'
  | 'NicInput'
  | 'User'
  | 'Me'
  | 'UserCreated'
  | 'Login'
  | 'Token'
  | 'TokenCreated'
  | 'Ticket'
  | 'Pool'
  | 'PoolDetail'
  | 'PoolJobAccepted';

/** A `$ref` to one of the shared schemas below, by name (it becomes `#/components/schemas/NAME`). */
export const ref = (name: SchemaName): JsonSchema => ({ $ref: `${name}#` });

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const nullable = (s: JsonSchema): JsonSchema => ({ ...s, type: [s.type, 'null'] });
const nullableEnum = (values: readonly string[]): JsonSchema => ({ type: ['string', 'null'], enum: [...values, null] });
const list = (items: JsonSchema): JsonSchema => ({ type: 'array', items });

/** An object whose properties are all present (the API sends null rather than leaving a field out) and no others. */
function exact(properties: Record<string, JsonSchema>, extra: JsonSchema = {}): JsonSchema {
  const optional = new Set((extra.optional as string[] | undefined) ?? []);
  const { optional: _, ...rest } = extra;
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.has(k)),
    additionalProperties: false,
    ...rest,
  };
}

/** A range's status: its live state once deployed (see the engine's `liveStatusOf`). */
const RANGE_STATUSES = [
  'planned',
  'deploying',
  'running',
  'degraded',
  'down',
  'failed',
  'destroying',
] as const satisfies readonly LiveStatus[];
/** Fails to compile when the engine gains a status that the document does not list. */
const _everyStatus: Exclude<LiveStatus, (typeof RANGE_STATUSES)[number]> extends never ? true : false = true;
const STEP_STATUSES = ['started', 'done', 'failed', 'skipped'] as const;
const stepResult = exact(
  { step: str, status: { type: 'string', enum: STEP_STATUSES.slice(1) }, ms: { type: 'number' }, error: str },
  { optional: ['error'], description: 'A finished step of an operation.' },
);
const counters = {
  rx_bytes: int,
  tx_bytes: int,
  rx_packets: int,
  tx_packets: int,
  rx_dropped: int,
  tx_dropped: int,
};
const network = exact(
  {
    id: { ...str, description: 'The network name, unique within its range.' },
    name: str,
    subnet: str,
    gateway: str,
    egress: { type: 'string', enum: EGRESS_KINDS },
    dhcp: { ...bool, description: 'Whether the range serves DHCP on this network.' },
  },
  { description: 'A network of a range.' },
);
const rangeFields = {
  name: { ...str, description: 'The instance name.' },
  blueprint: { ...str, description: 'The name in the blueprint.' },
  status: { type: 'string', enum: RANGE_STATUSES },
  kind: { type: 'string', enum: ['range', 'standalone'] },
  owner: nullable(str),
  host_count: { ...int, description: 'Hosts the caller may see.' },
  networks: list(ref('Network')),
  routes: list({
    type: 'array',
    prefixItems: [str, str],
    items: { not: {} },
    minItems: 2,
    maxItems: 2,
    description: 'Two networks the range routes between.',
  }),
};
const token = {
  id: int,
  user: str,
  label: str,
  scope: { type: 'string', enum: TOKEN_SCOPES },
  created_at: time,
  expires_at: nullable(time),
  expired: bool,
  current: { ...bool, description: 'Whether this is the token of the request.' },
};
const user = {
  id: int,
  name: str,
  role: { type: 'string', enum: ROLES },
};
const nicInput = exact(
  {
    network_id: { ...str, description: 'A network of the range.' },
    ip_address: { ...nullable(str), description: 'The address; absent or null: the next free one.' },
  },
  { optional: ['ip_address'], description: 'One NIC of a host to create.' },
);
const poolMember = { instance: str, position: int, student: nullable(str) };
const poolFields = {
  name: str,
  owner: nullable(str),
  student_reset: { ...bool, description: 'Whether its students may reset their own copy.' },
  created_at: time,
  members: list(exact(poolMember)),
};
const hostTemplate = fromZod(RawHost.omit({ interfaces: true, plugin: true }));

/** The shared schemas, by name: each is `#/components/schemas/NAME` in the document. */
export const SCHEMAS: Readonly<Record<SchemaName, JsonSchema>> = {
  Problem: exact(
    {
      path: { ...str, description: 'Where, e.g. `vms[2].interfaces[1].ip`.' },
      message: str,
      line: { ...str, description: 'Path and message in one line, as the CLI prints it.' },
    },
    { description: 'One problem of an invalid input.' },
  ),
  Error: exact(
    {
      code: {
        ...str,
        description: 'A stable code, e.g. `CYR_NOT_FOUND`, `CYR_INVALID`; the HTTP status is always that of its code.',
        pattern: '^CYR_[A-Z0-9_]+$',
      },
      message: str,
      hint: { ...str, description: 'What to do about it.' },
      problems: { ...list(ref('Problem')), description: 'Each problem of an invalid input (422).' },
    },
    { optional: ['hint', 'problems'], description: 'Every error answer (4xx, 5xx).' },
  ),
  Nic: exact(
    {
      network_id: { ...str, description: 'The network name (unique within the range).' },
      network_name: str,
      ip_address: { ...nullable(str), description: 'The address; for a DHCP NIC, the one observed, or null.' },
      subnet: str,
      is_primary: { ...bool, description: 'The first NIC; exactly one per host.' },
      mac: str,
      ifname: { ...str, description: 'Name inside the host (`eth0` for the primary).' },
      addressing: { type: 'string', enum: ['static', 'auto', 'dhcp'], description: 'How the NIC got its address.' },
    },
    { description: 'One NIC of a host.' },
  ),
  Host: exact(
    {
      name: str,
      runtime: { type: 'string', enum: RUNTIMES },
      image: nullable(str),
      mode: { type: 'string', enum: NETWORK_MODES, description: 'The network mode.' },
      hidden: bool,
      vnc_port: nullable(int),
      state: { ...nullableEnum(['running', 'stopped', 'missing']), description: 'Live state; null where it was not read.' },
      networks: { ...list(ref('Nic')), description: 'The NICs, primary first: the truth about addresses.' },
      network_id: { ...nullable(str), deprecated: true, description: 'Deprecated: `networks[0].network_id` (the primary NIC).' },
      ip_address: { ...nullable(str), deprecated: true, description: 'Deprecated: `networks[0].ip_address` (the primary NIC).' },
    },
    { description: 'A host and its NICs.' },
  ),
  Network: network,
  Range: exact(rangeFields, { description: 'A range instance.' }),
  RangeDetail: exact(
    { ...rangeFields, hosts: list(ref('Host')) },
    { description: 'A range instance with its hosts and their live state.' },
  ),
  JobAccepted: exact(
    { job_id: { ...str, format: 'uuid', description: 'Poll /api/jobs/{id}, or follow /api/jobs/{id}/events.' }, instance: str },
    { description: 'A deploy or destroy job was started.' },
  ),
  StepResult: stepResult,
  StepEvent: exact(
    {
      kind: { type: 'string', const: 'step' },
      op: { type: 'string', enum: ['deploy', 'destroy', 'gc', 'host', 'nic'] },
      instance: str,
      step: str,
      status: { type: 'string', enum: STEP_STATUSES },
      ms: { type: 'number' },
      error: str,
    },
    { optional: ['ms', 'error'], description: 'A step of an operation changed status.' },
  ),
  ProgressEvent: exact(
    { kind: { type: 'string', const: 'progress' }, instance: str, step: str, message: str },
    { description: 'A progress line inside a running step.' },
  ),
  Job: exact(
    {
      id: { ...str, format: 'uuid' },
      op: { type: 'string', enum: ['deploy', 'destroy', 'reconcile'] },
      instance: str,
      status: {
        type: 'string',
        enum: ['running', 'succeeded', 'failed', 'interrupted'],
        description: '`interrupted`: the server running it stopped first; `reconcile_job` repairs the range.',
      },
      error: { anyOf: [exact({ code: str, message: str }), { type: 'null' }] },
      result: { description: 'What the operation returned (a deploy: its `steps`), or null while it runs.' },
      started_at: time,
      finished_at: nullable(time),
      duration_ms: nullable(int),
      events: list({ oneOf: [ref('StepEvent'), ref('ProgressEvent')] }),
      reconcile_job: { ...nullable(str), description: 'For an interrupted job: the reconcile job that repairs its range.' },
      repairs: { ...list(str), description: 'For a reconcile job: the interrupted jobs whose range it repairs.' },
    },
    { description: 'A deploy, destroy or reconcile job, with the events the caller may see.' },
  ),
  HostAction: exact(
    { host: str, action: { type: 'string', enum: ['start', 'stop', 'restart', 'reset'] }, steps: list(ref('StepResult')) },
    { description: 'What a host action did.' },
  ),
  RangeReset: exact(
    { instance: str, action: { type: 'string', const: 'reset' }, steps: list(ref('StepResult')) },
    { description: 'What a range reset did.' },
  ),
  Stats: exact(
    {
      sampled_at: { ...nullable(time), description: 'When the counters were read; null before the first reading.' },
      nics: list(
        exact({
          host: str,
          network: str,
          ifname: str,
          present: { ...bool, description: 'Whether the NIC exists now; when not, its current counters are 0.' },
          ...counters,
          total: { ...exact(counters), description: 'Sums that survive the NIC being recreated (a host restart).' },
        }),
      ),
    },
    { description: 'Per-NIC counters of a running range, as last read in the background.' },
  ),
  Snapshot: exact({ name: str, hosts: list(str), created_at: time }, { description: 'A snapshot of a range.' }),
  Blueprint: exact(
    {
      id: int,
      name: str,
      owner: str,
      source: { ...str, description: 'The YAML or JSON text as written.' },
      created_at: time,
      updated_at: time,
    },
    { description: 'A stored blueprint.' },
  ),
  BlueprintInput: {
    description: 'A blueprint: `{source}` with YAML or JSON text, or the blueprint object itself.',
    oneOf: [exact({ source: { ...str, description: 'Blueprint YAML or JSON text.' } }), ref('RawRange')],
  },
  RawRange: { ...fromZod(RawRange), description: 'A blueprint as written (see the README).' },
  Plan: {
    type: 'object',
    description: 'A validated range with every address allocated (what a deploy would build).',
    properties: {
      name: str,
      instance: str,
      description: nullable(str),
      networks: list({
        type: 'object',
        properties: { name: str, subnet: str, gateway: str, bridge: str },
        required: ['name', 'subnet', 'gateway'],
      }),
      routes: rangeFields.routes,
      policies: list({ type: 'object' }),
      hosts: list({
        type: 'object',
        properties: {
          name: str,
          runtime: { type: 'string', enum: RUNTIMES },
          interfaces: list({
            type: 'object',
            properties: { network: str, ip: nullable(str), mac: str, primary: bool, ifname: str },
            required: ['network', 'ip', 'mac', 'primary', 'ifname'],
          }),
        },
        required: ['name', 'runtime', 'interfaces'],
      }),
    },
    required: ['name', 'instance', 'networks', 'routes', 'policies', 'hosts'],
  },
  ApplyPlan: exact(
    {
      instance: str,
      changes: list(
        exact(
          {
            kind: { ...str, description: 'host-add, nic-readdress, replace, policies, …' },
            summary: { ...str, description: 'The change as `cyrange plan` prints it.' },
            path: { ...str, description: 'For a replace: the blueprint field that forces it.' },
          },
          { optional: ['path'] },
        ),
      ),
      replaces: { ...bool, description: 'Whether a change needs `replace: true` (a host recreated or the range rebuilt).' },
    },
    { description: 'What applying a blueprint would change, in the order it would be applied; nothing is changed.' },
  ),
  HostInput: {
    ...hostTemplate,
    description:
      'A host. `networks` lists its NICs, the first is primary; `ip_address` null means auto-assign. The legacy `network_id` + `ip_address` form is one primary NIC.',
    properties: { ...((hostTemplate.properties as object) ?? {}), networks: list(ref('NicInput')) },
  },
  NicInput: nicInput,
  User: exact(user, { description: 'A user.' }),
  Me: exact(
    {
      ...user,
      assigned: { ...list(str), description: 'Range instances assigned to the caller (students).' },
      token: exact({ id: int, expires_at: nullable(time) }, { description: 'The token of the request.' }),
    },
    { description: 'The caller.' },
  ),
  UserCreated: exact(
    { ...user, token: { ...str, description: 'Shown only this once.' }, token_id: int, expires_at: nullable(time) },
    { description: 'A new user and their first API token.' },
  ),
  Login: exact(
    { token: { ...str, description: 'Send it as `Authorization: Bearer TOKEN`.' }, token_id: int, expires_at: time, user: ref('User') },
    { description: 'A new login token.' },
  ),
  Token: exact(token, { description: 'An API token (never its secret).' }),
  TokenCreated: exact({ ...token, token: { ...str, description: 'Shown only this once.' } }, { description: 'A new API token.' }),
  Ticket: exact(
    {
      ticket: { ...str, description: 'Pass it as `?ticket=`; it works once.' },
      expires_in: { ...int, description: 'Seconds it stays valid.' },
    },
    { description: 'A single-use ticket for a WebSocket or Server-Sent Events URL.' },
  ),
  Pool: exact(poolFields, { description: 'A pool: identical copies of one blueprint, one per student.' }),
  PoolDetail: exact(
    {
      ...poolFields,
      members: list(
        exact({
          ...poolMember,
          status: { type: 'string', enum: [...RANGE_STATUSES, 'missing'] },
          host_count: int,
        }),
      ),
    },
    { description: 'A pool with the state of each copy.' },
  ),
  PoolJobAccepted: exact(
    { job_id: { ...str, format: 'uuid', description: 'Poll /api/jobs/{id}, or follow /api/jobs/{id}/events.' }, pool: str },
    { description: 'A pool job was started.' },
  ),
};

/** The request body of blueprint routes: JSON (`BlueprintInput`) or YAML text. */
export const blueprintBodySchema: JsonSchema = {
  content: {
    'application/json': { schema: ref('BlueprintInput') },
    'application/yaml': { schema: { type: 'string', description: 'Blueprint YAML.' } },
  },
};

/** Path parameters of routes on a numbered object (`/blueprints/{id}`, `/tokens/{id}`). */
export const idParams: JsonSchema = { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] };

export const hostBodySchema = ref('HostInput');
export const nicBodySchema = ref('NicInput');
