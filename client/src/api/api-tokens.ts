// API calls of the API tokens page, on client.ts's `request`; shapes from the shared schemas.
import type { ApiTokenJson } from '../../../shared/schemas/api-tokens.ts';
import { request } from './client.ts';

export type ApiToken = ApiTokenJson;

export const apiTokensApi = {
  list: (signal?: AbortSignal) => request<{ items: ApiToken[] }>('GET', '/api/v1/api-tokens', signal ? { signal } : {}),
  create: (body: { name: string; expiresInDays: number }) => request<{ token: string; apiToken: ApiToken }>('POST', '/api/v1/api-tokens', { body }),
  revoke: (id: string) => request<ApiToken>('POST', `/api/v1/api-tokens/${encodeURIComponent(id)}/revoke`),
};
