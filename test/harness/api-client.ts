// The service's HTTP API as a client: what the tests and the benchmarks both drive it with.
export type ApiClient = <T = unknown>(method: string, path: string, body?: unknown, token?: string) => Promise<{ status: number; body: T }>;

/**
 * The service's API as the stack's bootstrap admin, or as `token` for one request (the
 * benchmarks set up operators with it; the tests' apiClient is this too). An empty body is undefined.
 */
export function apiClient(base: string, token = process.env.PBXDESK_BOOTSTRAP_ADMIN_TOKEN as string): ApiClient {
  return async (method, p, body, tok = token) => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as never };
  };
}
