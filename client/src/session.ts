import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { User } from './api/types.ts';

export interface SessionApi {
  user: User;
  /** Re-reads the session from the server (after changes to the signed-in user). */
  refresh: () => Promise<void>;
  logout: () => Promise<void>;
}

export const SessionContext = createContext<SessionApi | null>(null);

export function useSession(): SessionApi {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in view');
  return session;
}
