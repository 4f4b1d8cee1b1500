/** The browser's client for the Cyrange API: the token lives in localStorage. */

export interface User {
  id: number;
  name: string;
  role: 'admin' | 'instructor' | 'student';
}

export interface Problem {
  path: string;
  message: string;
  line: string;
}

/** An API error with the server's code and, for bad input, each problem. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

const KEY = 'cyrange.token';
export const getToken = (): string | null => localStorage.getItem(KEY);
export const setToken = (t: string | null): void => (t ? localStorage.setItem(KEY, t) : localStorage.removeItem(KEY));

/** Calls the API with the stored token; non-2xx answers throw ApiError. */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status === 204) return undefined as T;
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new ApiError(r.status, data.code ?? 'ERROR', data.message ?? r.statusText, data.problems ?? []);
  return data as T;
}

/**
 * A single-use ticket (valid 30 s) for a URL that cannot carry the Authorization header: a
 * WebSocket or an EventSource. The long-lived token never goes into a URL.
 */
export async function ticket(): Promise<string> {
  return (await api<{ ticket: string; expires_in: number }>('POST', '/tickets')).ticket;
}

/** A same-origin WebSocket URL for an API path, authenticated by a fresh ticket. */
export async function socketUrl(path: string, query: Record<string, string> = {}): Promise<string> {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const q = new URLSearchParams({ ...query, ticket: await ticket() });
  return `${proto}://${location.host}/api${path}?${q}`;
}

/** A step event of a deploy or destroy job. */
export interface StepEvent {
  kind: 'step' | 'progress';
  step: string;
  status?: string;
  ms?: number;
  error?: string;
  message?: string;
}

/** Follows a job's Server-Sent Events; resolves with the end status. */
export async function followJob(
  jobId: string,
  onEvent: (e: StepEvent) => void,
): Promise<{ status: string; error: { message: string } | null }> {
  const t = await ticket();
  return new Promise((resolve) => {
    const es = new EventSource(`/api/jobs/${encodeURIComponent(jobId)}/events?ticket=${encodeURIComponent(t)}`);
    const handler = (m: MessageEvent) => onEvent(JSON.parse(m.data));
    es.addEventListener('step', handler);
    es.addEventListener('progress', handler);
    es.addEventListener('end', (m) => {
      es.close();
      resolve(JSON.parse((m as MessageEvent).data));
    });
    es.onerror = () => {
      es.close();
      resolve({ status: 'unknown', error: { message: 'lost the event stream' } });
    };
  });
}

/** A NIC of a host as the API returns it. */
export interface Nic {
  network_id: string;
  network_name: string;
  ip_address: string | null;
  subnet: string;
  is_primary: boolean;
  mac: string;
  ifname: string;
}

export interface HostView {
  name: string;
  runtime: string;
  mode: string;
  hidden: boolean;
  vnc_port: number | null;
  state: string | null;
  networks: Nic[];
}

export interface RangeView {
  name: string;
  blueprint: string;
  status: string;
  owner: string | null;
  host_count: number;
  networks: Array<{ id: string; name: string; subnet: string; gateway: string; egress: string; dhcp: boolean }>;
  routes: Array<[string, string]>;
  hosts?: HostView[];
}
