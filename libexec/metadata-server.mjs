#!/usr/bin/env node
// Metadata service of one range: `metadata-server.mjs DOCUMENT [ADDRESS]`, run inside the range
// namespace. It serves each host only its own data, in the MMDS/NoCloud layout:
//   /latest/meta-data/{instance-id,local-hostname,hostname,mac}, /latest/meta-data.yaml,
//   /latest/user-data, /latest/network-config, /latest/vendor-data (empty), and the NoCloud seed
//   names /meta-data, /user-data, /network-config, /vendor-data at the root;
//   `Accept: application/json` answers a directory as a JSON object and a leaf as a JSON string;
//   tokens per Firecracker MMDS v2 / EC2 IMDSv2: PUT /latest/api/token with
//   X-metadata-token-ttl-seconds (or X-aws-ec2-metadata-token-ttl-seconds), then the token in
//   X-metadata-token (or X-aws-ec2-metadata-token). A token is optional; a wrong one is refused.
// Who asks is known from the local port of the connection: the range firewall marks a request
// with the id of the bridge port (veth or TAP) it came in on and sends it to that NIC's own
// listener (port 20000 + id). Source addresses are never trusted.
// DOCUMENT (JSON, written atomically by the control plane) lists the NICs by port and the hosts'
// data; it is re-read when it changes (checked on every request, every second and on SIGHUP).
// Bounded: connections (in all and per NIC), header and body sizes, header/request/idle timeouts,
// requests per NIC (token bucket, 429), live tokens per NIC. Tokens live in memory only.
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';

const LIMITS = Object.freeze({
  connections: 256, // open connections, every NIC together
  connectionsPerNic: 16,
  headerBytes: 8192,
  bodyBytes: 4096,
  headersTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5000,
  idleTimeoutMs: 10_000,
  requestsPerSocket: 100,
  requestsPerSecond: 20, // token bucket per NIC: refill rate …
  requestBurst: 100, // … and size
  tokensPerNic: 64,
  maxTokenTtlSeconds: 21_600,
});

const [docPath, address = '169.254.169.254'] = process.argv.slice(2);
if (!docPath) {
  console.error('usage: metadata-server.mjs DOCUMENT [ADDRESS]');
  process.exit(2);
}

const log = (msg, extra = {}) => console.log(JSON.stringify({ time: new Date().toISOString(), msg, ...extra }));

/** The current document, and what its file looked like when read. */
let doc = { nics: [], hosts: {} };
let docStamp = '';
/** port → NIC entry of the document. */
let nicsByPort = new Map();
/** port → http.Server listening on it. */
const listeners = new Map();
/** NIC key → { bucket, tokens: Map<token, expiresAt ms> }: per-NIC state, dropped with the NIC. */
const nicState = new Map();
let openConnections = 0;

/** Identity of a NIC entry: a port handed to another NIC must never carry over tokens or sockets. */
const nicKey = (port, nic) => `${port}|${nic.host}|${nic.network}|${nic.mac}`;

function reload() {
  let st;
  try {
    st = statSync(docPath);
  } catch {
    return;
  }
  const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
  if (stamp === docStamp) return;
  let next;
  try {
    next = JSON.parse(readFileSync(docPath, 'utf8'));
    if (next.version !== 1 || !Array.isArray(next.nics) || typeof next.hosts !== 'object') throw new Error('unknown document version');
  } catch (e) {
    log('cannot read the metadata document; keeping the last one', { error: String(e) });
    return;
  }
  docStamp = stamp;
  doc = next;
  const byPort = new Map();
  for (const n of doc.nics) {
    if (Number.isInteger(n.port) && n.port > 0 && n.port < 65536 && Object.hasOwn(doc.hosts, n.host)) byPort.set(n.port, n);
  }
  nicsByPort = byPort;
  const keys = new Set([...byPort].map(([p, n]) => nicKey(p, n)));
  for (const k of nicState.keys()) if (!keys.has(k)) nicState.delete(k);
  syncListeners();
}

function syncListeners() {
  for (const [port, server] of listeners) {
    if (nicsByPort.has(port)) continue;
    listeners.delete(port);
    server.close();
    server.closeAllConnections();
  }
  for (const port of nicsByPort.keys()) if (!listeners.has(port)) listen(port);
}

function listen(port) {
  const server = createServer(
    {
      maxHeaderSize: LIMITS.headerBytes,
      headersTimeout: LIMITS.headersTimeoutMs,
      requestTimeout: LIMITS.requestTimeoutMs,
      keepAliveTimeout: LIMITS.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1000,
      noDelay: true,
    },
    (req, res) =>
      handle(port, req, res).catch((e) => {
        log('request failed', { port, error: String(e) });
        if (!res.headersSent) send(res, 500, 'internal error', { close: true });
        else res.destroy();
      }),
  );
  server.maxRequestsPerSocket = LIMITS.requestsPerSocket;
  server.timeout = LIMITS.idleTimeoutMs;
  let perNic = 0;
  // Runs before the HTTP parser is attached: a connection over a cap is closed at once.
  server.prependListener('connection', (socket) => {
    if (openConnections >= LIMITS.connections || perNic >= LIMITS.connectionsPerNic) {
      socket.destroy();
      return;
    }
    openConnections++;
    perNic++;
    const nic = nicsByPort.get(port);
    socket.nicKey = nic ? nicKey(port, nic) : '';
    socket.once('close', () => {
      openConnections--;
      perNic--;
    });
    socket.on('error', () => {});
  });
  server.on('error', (e) => {
    log('listener failed; retrying', { port, error: String(e) });
    if (listeners.get(port) === server) listeners.delete(port);
    server.close();
  });
  server.listen({ port, host: address, backlog: 64 });
  listeners.set(port, server);
}

function stateOf(key) {
  let s = nicState.get(key);
  if (!s) {
    s = { level: LIMITS.requestBurst, at: Date.now(), tokens: new Map() };
    nicState.set(key, s);
  }
  return s;
}

/** Takes one request from the NIC's bucket; the seconds to wait when it is empty. */
function rateLimited(s) {
  const now = Date.now();
  s.level = Math.min(LIMITS.requestBurst, s.level + ((now - s.at) / 1000) * LIMITS.requestsPerSecond);
  s.at = now;
  if (s.level >= 1) {
    s.level -= 1;
    return 0;
  }
  return Math.ceil((1 - s.level) / LIMITS.requestsPerSecond);
}

function send(res, status, body, { json = false, headers = {}, close = false } = {}) {
  const text = json ? JSON.stringify(body) : String(body);
  res.writeHead(status, {
    'Content-Type': json ? 'application/json' : 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...(close ? { Connection: 'close' } : {}),
    ...headers,
  });
  res.end(text);
}

/** Reads and drops a request body of at most `LIMITS.bodyBytes`; false when it is larger. */
function drainBody(req) {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > LIMITS.bodyBytes) return resolve(false);
    let seen = 0;
    req.on('data', (chunk) => {
      seen += chunk.length;
      if (seen > LIMITS.bodyBytes) {
        req.pause();
        resolve(false);
      }
    });
    req.on('end', () => resolve(true));
    req.on('error', () => resolve(false));
    req.on('close', () => resolve(false)); // after 'end' this changes nothing

  });
}

/** What one NIC is served: a tree whose leaves are strings. */
function treeFor(nic) {
  const host = doc.hosts[nic.host];
  const meta = {
    'instance-id': host.instanceId,
    'local-hostname': host.hostname,
    hostname: host.hostname,
    mac: nic.mac,
  };
  const latest = {
    'meta-data': meta,
    'meta-data.yaml': host.metaData,
    'user-data': host.userData,
    'network-config': host.networkConfig,
    'vendor-data': '',
  };
  return {
    latest,
    'meta-data': host.metaData,
    'user-data': host.userData,
    'network-config': host.networkConfig,
    'vendor-data': '',
  };
}

function lookup(tree, path) {
  let node = tree;
  for (const seg of path.split('/').filter(Boolean)) {
    if (typeof node !== 'object' || !Object.hasOwn(node, seg)) return undefined;
    node = node[seg];
  }
  return node;
}

const header = (req, ...names) => {
  for (const n of names) {
    const v = req.headers[n];
    if (typeof v === 'string') return v.trim();
  }
  return undefined;
};

async function handle(port, req, res) {
  reload();
  const nic = nicsByPort.get(port);
  if (!nic || req.socket.nicKey !== nicKey(port, nic)) {
    // The NIC went away (or its port was handed on) since this connection was made.
    return send(res, 404, 'no host on this port', { close: true });
  }
  const state = stateOf(nicKey(port, nic));
  const wait = rateLimited(state);
  if (wait > 0) return send(res, 429, 'too many requests', { headers: { 'Retry-After': String(wait) } });
  if (!(await drainBody(req))) return send(res, 413, 'request body too large', { close: true });
  const url = req.url ?? '/';
  // Absolute-form targets (`GET http://169.254.169.254/… HTTP/1.1`) name the path after the authority.
  const path = (url.startsWith('/') ? url : url.replace(/^[a-z]+:\/\/[^/]*/i, '')).split('?')[0] || '/';

  if (path === '/latest/api/token') {
    if (req.method !== 'PUT') return send(res, 405, 'method not allowed', { headers: { Allow: 'PUT' } });
    // As in EC2 and Firecracker: a proxied request (SSRF through a guest's proxy) gets no token.
    if (req.headers['x-forwarded-for'] !== undefined) return send(res, 403, 'forwarded requests get no token');
    const aws = req.headers['x-aws-ec2-metadata-token-ttl-seconds'] !== undefined;
    const raw = header(req, 'x-metadata-token-ttl-seconds', 'x-aws-ec2-metadata-token-ttl-seconds');
    if (raw === undefined) return send(res, 400, 'X-metadata-token-ttl-seconds is required');
    const ttl = /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(ttl >= 1 && ttl <= LIMITS.maxTokenTtlSeconds)) return send(res, 400, `ttl must be 1..${LIMITS.maxTokenTtlSeconds}`);
    const token = randomBytes(16).toString('hex');
    state.tokens.set(token, Date.now() + ttl * 1000);
    // Oldest first: a NIC that asks for too many loses its oldest tokens.
    while (state.tokens.size > LIMITS.tokensPerNic) state.tokens.delete(state.tokens.keys().next().value);
    const ttlHeader = aws ? 'X-aws-ec2-metadata-token-ttl-seconds' : 'X-metadata-token-ttl-seconds';
    return send(res, 200, token, { headers: { [ttlHeader]: String(ttl) } });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed', { headers: { Allow: 'GET, HEAD' } });
  const token = header(req, 'x-metadata-token', 'x-aws-ec2-metadata-token');
  if (token !== undefined) {
    const expires = state.tokens.get(token);
    if (expires === undefined || expires < Date.now()) {
      state.tokens.delete(token);
      return send(res, 401, 'invalid or expired token');
    }
  }
  const node = lookup(treeFor(nic), path);
  if (node === undefined) return send(res, 404, 'not found');
  const json = /\bapplication\/json\b/i.test(req.headers.accept ?? '');
  if (json) return send(res, 200, node, { json: true });
  if (typeof node === 'string') return send(res, 200, node);
  return send(res, 200, Object.entries(node).map(([k, v]) => (typeof v === 'string' ? k : `${k}/`)).join('\n'));
}

function sweepTokens() {
  const now = Date.now();
  for (const s of nicState.values()) for (const [t, exp] of s.tokens) if (exp < now) s.tokens.delete(t);
}

process.on('SIGHUP', reload);
process.on('SIGTERM', () => process.exit(0));
reload();
// Also retries listeners that failed to bind.
setInterval(() => {
  reload();
  syncListeners();
}, 1000);
setInterval(sweepTokens, 10_000);
log('metadata service started', { document: docPath, address, nics: nicsByPort.size });
