// Typed fetch wrapper for the ActiveGroups API.
// - JSON in, JSON out; same-origin cookies carry the session.
// - Every non-GET request carries the CSRF token from GET /api/v1/auth/session. If the server
//   answers 403 csrf_invalid (token rotated, e.g. after login or a server restart) the session is
//   fetched again and the request retried once.
// - Non-2xx responses become a thrown ApiError with the server's { code, message, details }.

import type {
  AuditEntry,
  AuditQuery,
  ErrorBody,
  Health,
  List,
  Page,
  School,
  SchoolInput,
  SchoolPatch,
  Session,
  User,
  UserInput,
  UserPatch,
} from './types.ts';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

let csrfToken: string | null = null;
const unauthorizedListeners = new Set<() => void>();

/** Called when a request fails with 401 outside the login form (the session expired). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  /** Extra headers, e.g. Idempotency-Key. */
  headers?: Record<string, string>;
  /** Send `body` (a string) as is with this type instead of as JSON, e.g. text/csv. */
  contentType?: string;
}

function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

async function send<T>(method: Method, path: string, options: RequestOptions, retried: boolean): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const raw = options.contentType !== undefined && typeof options.body === 'string';
  if (options.body !== undefined) headers['Content-Type'] = raw ? options.contentType! : 'application/json';
  if (method !== 'GET') {
    if (csrfToken === null) await getSession();
    if (csrfToken !== null) headers['X-CSRF-Token'] = csrfToken;
  }

  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? null : raw ? (options.body as string) : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network_error', e instanceof Error ? e.message : String(e));
  }

  if (response.status === 204) return undefined as T;

  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }

  if (response.ok) return data as T;

  const error = isErrorBody(data)
    ? new ApiError(response.status, data.error.code, data.error.message, data.error.details)
    : new ApiError(response.status, 'http_error', `${response.status} ${response.statusText}`.trim());

  if (error.status === 403 && error.code === 'csrf_invalid' && !retried) {
    await getSession();
    return send<T>(method, path, options, true);
  }
  if (error.status === 401 && !path.startsWith('/api/v1/auth/')) {
    for (const listener of unauthorizedListeners) listener();
  }
  throw error;
}

/** One request with CSRF, error mapping and sign-in expiry handling; feature API modules build on it. */
export function request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
  return send<T>(method, path, options, false);
}

/** Reads the session and remembers its CSRF token for later writes. */
export async function getSession(): Promise<Session> {
  const session = await request<Session>('GET', '/api/v1/auth/session');
  csrfToken = session.csrfToken;
  return session;
}

/** Signing in starts a session with its own CSRF token (the sign-in form's token was the browser's). */
function keepCsrfToken<T extends { csrfToken: string }>(res: T): T {
  csrfToken = res.csrfToken;
  return res;
}

const id = (value: string) => encodeURIComponent(value);

export const api = {
  health: () => request<Health>('GET', '/api/health'),

  auth: {
    session: getSession,
    setup: (body: { username: string; displayName: string; password: string }) =>
      request<{ user: User; csrfToken: string }>('POST', '/api/v1/auth/setup', { body }).then(keepCsrfToken),
    login: (body: { username: string; password: string }) =>
      request<{ user: User; csrfToken: string }>('POST', '/api/v1/auth/login', { body }).then(keepCsrfToken),
    logout: () => request<void>('POST', '/api/v1/auth/logout'),
  },

  schools: {
    list: (signal?: AbortSignal) => request<List<School>>('GET', '/api/v1/schools', signal ? { signal } : {}),
    get: (schoolId: string) => request<School>('GET', `/api/v1/schools/${id(schoolId)}`),
    create: (body: SchoolInput) => request<School>('POST', '/api/v1/schools', { body }),
    update: (schoolId: string, body: SchoolPatch) =>
      request<School>('PATCH', `/api/v1/schools/${id(schoolId)}`, { body }),
    remove: (schoolId: string, version: number) => request<void>('DELETE', `/api/v1/schools/${id(schoolId)}?version=${version}`),
  },

  users: {
    list: (signal?: AbortSignal) => request<List<User>>('GET', '/api/v1/users', signal ? { signal } : {}),
    create: (body: UserInput) => request<User>('POST', '/api/v1/users', { body }),
    update: (userId: string, body: UserPatch) =>
      request<User>('PATCH', `/api/v1/users/${id(userId)}`, { body }),
  },

  audit: {
    list: (query: AuditQuery, signal?: AbortSignal) =>
      request<Page<AuditEntry>>('GET', '/api/v1/audit', {
        query: { ...query },
        ...(signal ? { signal } : {}),
      }),
  },
};
