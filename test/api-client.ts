// One HTTP client for the tests that talk to a real `cyrange serve`: JSON in, JSON (or text) out.

/** An answer: the status, the body parsed as JSON when it is JSON (else its text), and the raw bytes. */
export interface ApiResponse {
  readonly status: number;
  /** Whatever the route answers. */
  readonly body: any;
  readonly raw: Buffer;
  readonly headers: Headers;
}

/** A parsed Server-Sent Event. */
export interface SseEvent {
  readonly ev: string | undefined;
  /** Payloads differ per route. */
  readonly data: any;
}

/** Parses a Server-Sent Events body into its events. */
export function sseEvents(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const ev = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      return { ev, data: data ? JSON.parse(data) : null };
    });
}

/**
 * A client of the server at `base`. `api` sends `body` as JSON (a string is sent as it is, with
 * `type`); `token` null sends no Authorization header. `jobEvents` follows a job's event stream to
 * its end.
 */
export function apiClient(base: string) {
  async function api(method: string, path: string, token: string | null, body?: unknown, type = 'application/json'): Promise<ApiResponse> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = type;
    const r = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const raw = Buffer.from(await r.arrayBuffer());
    let parsed: unknown = raw.toString();
    try {
      parsed = JSON.parse(raw.toString());
    } catch {}
    return { status: r.status, body: parsed, raw, headers: r.headers };
  }

  async function jobEvents(id: string, token: string): Promise<SseEvent[]> {
    const r = await fetch(`${base}/api/jobs/${id}/events`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
    return sseEvents(await r.text());
  }

  return { api, jobEvents };
}
