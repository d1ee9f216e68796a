// A cluster login as kept in secret storage, bound to the origins it was entered for.
// No vscode import: the secrets layer stores and reads the text.
import type { GatewayLogin } from './http';
import { parseStoredSecret } from './json';

interface StoredLogin extends GatewayLogin {
  /** The origins (scheme://host:port) the login was entered for; absent in entries from before binding. */
  origins?: string[];
}

/** What a stored login may be used for, read back from secret storage. */
export type StoredLoginCheck =
  | { login: GatewayLogin }
  | {
      login?: undefined;
      /** The origins it was entered for; undefined for an entry stored before logins were bound. */
      enteredFor?: string[];
      /** The origins it would now go to that it was not entered for. */
      uncovered: string[];
    };

export function encodeStoredLogin(login: GatewayLogin, origins?: string[]): string {
  const stored: StoredLogin = { username: login.username, password: login.password };
  if (origins) stored.origins = [...origins];
  return JSON.stringify(stored);
}

function isStoredLogin(value: unknown): value is StoredLogin {
  if (typeof value !== 'object' || value === null) return false;
  const { username, password, origins } = value as Record<string, unknown>;
  return (
    typeof username === 'string' &&
    typeof password === 'string' &&
    (origins === undefined || (Array.isArray(origins) && origins.every((o) => typeof o === 'string')))
  );
}

/**
 * Reads a stored login. With `origins` (where it would be sent now), it is usable only when it was
 * entered for every one of them; an entry without origins (stored before binding) is usable for none.
 * A damaged entry throws an HDInsightError that quotes none of it.
 */
export function readStoredLogin(text: string, what: string, origins?: string[]): StoredLoginCheck {
  const stored = parseStoredSecret(text, what, isStoredLogin, 'Enter it again with "HDInsight: Enter Cluster Login…".');
  const login = { username: stored.username, password: stored.password };
  if (!origins) return { login };
  const enteredFor = stored.origins;
  const uncovered = origins.filter((o) => !enteredFor?.includes(o));
  return uncovered.length === 0 ? { login } : { enteredFor, uncovered };
}
