/**
 * The browser's client for the Cyrange API: openapi-fetch typed by `api-types.ts`, which is
 * generated from the server's OpenAPI document (`npm run gen:api`), so no type here is a copy.
 * The token lives in localStorage.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './api-types.js';

/** A schema as the client's answers carry it: openapi-fetch reads a tuple (`[string, string]`) as an array. */
type AsRead<T> = T extends (infer E)[] ? AsRead<E>[] : T extends object ? { [K in keyof T]: AsRead<T[K]> } : T;
/** The API's shared schemas (`#/components/schemas/…`), as the client's answers carry them. */
export type Schemas = { [K in keyof components['schemas']]: AsRead<components['schemas'][K]> };
export type User = Schemas['User'];
export type Problem = Schemas['Problem'];
/** A NIC of a host as the API returns it. */
export type Nic = Schemas['Nic'];
export type HostView = Schemas['Host'];
/** A range from the list, or one range with its hosts. */
export type RangeView = Schemas['Range'] & Partial<Pick<Schemas['RangeDetail'], 'hosts'>>;
/** An event of a deploy or destroy job. */
export type StepEvent = Schemas['StepEvent'] | Schemas['ProgressEvent'];

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

const bearer: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
};

/** The typed client: `client.GET('/api/ranges/{name}', { params: { path: { name } } })`; paths and bodies are checked. */
export const client = createClient<paths>({ baseUrl: '' });
client.use(bearer);

/** An ApiError for a failed answer: the shared error body when there is one. */
function apiError(response: Response, body: unknown): ApiError {
  const e = (body && typeof body === 'object' ? body : {}) as Partial<Schemas['Error']>;
  return new ApiError(response.status, e.code ?? 'ERROR', e.message ?? response.statusText, e.problems ?? []);
}

/** The data of a client call; a non-2xx answer throws ApiError. */
export async function call<D, E>(result: Promise<{ data?: D; error?: E; response: Response }>): Promise<D> {
  const { data, error, response } = await result;
  if (!response.ok) throw apiError(response, error);
  return data as D;
}

/**
 * A single-use ticket (valid 30 s) for a URL that cannot carry the Authorization header: a
 * WebSocket or an EventSource. The long-lived token never goes into a URL.
 */
export async function ticket(): Promise<string> {
  return (await call(client.POST('/api/tickets'))).ticket;
}

/** A same-origin WebSocket URL for an API path, authenticated by a fresh ticket. */
export async function socketUrl(path: string, query: Record<string, string> = {}): Promise<string> {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  const q = new URLSearchParams({ ...query, ticket: await ticket() });
  return `${proto}://${location.host}/api${path}?${q}`;
}

/** How a job ended, as its `end` event says (`unknown` when the stream was lost). */
export interface JobEnd {
  status: Schemas['Job']['status'] | 'unknown';
  error: { code?: string; message: string } | null;
  /** For an interrupted job: the reconcile job that repairs its range. */
  reconcile_job?: string | null;
}

/** Follows a job's Server-Sent Events; resolves with the end status. */
export async function followJob(jobId: string, onEvent: (e: StepEvent) => void): Promise<JobEnd> {
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
