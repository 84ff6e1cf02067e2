/**
 * Keeps a provider supplied with a valid token, so a session outlives any one token.
 *
 * In: the `token` option (a string, or a function returning one, possibly async), the provider's
 * close events. Out: `provider.params.token` before every connection attempt, and exactly one
 * `onDenied` when the user cannot get in, after which nothing reconnects.
 *
 * - A token function is called before the first connection and again shortly before each token
 *   expires (token-expiry.ts); the connection is then renewed with the new token. Only the URL
 *   parameter changes: the Y.Doc, its IndexedDB copy and unsent edits stay, and the next sync
 *   step 2 carries whatever the server lacks.
 * - A 4408 close (expired) fetches a token and reconnects; with a fixed string it is a denial.
 * - A socket that fails before opening may have been refused as HTTP 401/403 (browsers hide the
 *   status): access-probe.ts asks. 401 gets one fresh token; a second 401, or a 403, is a denial.
 * - Other 44xx closes (4401, 4403, 4404 deleted, 4409 revoked, 4429) are denials, as y-websocket
 *   already stops reconnecting on them.
 */
import type { WebsocketProvider } from 'y-websocket';
import { CloseCode } from '../../shared/protocol.js';
import { probeAccess } from './access-probe.js';
import { refreshDelayMs } from './token-expiry.js';

/** A token, or a function that returns one (for instance by asking the app's backend). */
export type TokenOption = string | (() => string | Promise<string>);

export type DenialReason = 'token-failed' | 'unauthorized' | 'forbidden' | 'closed';

export interface Denial {
  reason: DenialReason;
  /** The WebSocket close code, for `closed`. */
  code?: number;
  message: string;
}

export interface TokenSessionOptions {
  /** Created with `connect: false`: the session connects once it has a token. */
  provider: WebsocketProvider;
  token: TokenOption | undefined;
  /** The provider's server URL and document, for the access probe. */
  serverUrl: string;
  document: string;
  /** A token is now in use (its claims may change what the user may do). */
  onToken(token: string): void;
  /** A planned reconnect begins (new token): the status shows "connecting", not "offline". */
  onRenew(): void;
  onDenied(denial: Denial): void;
}

export interface TokenSession {
  start(): void;
  destroy(): void;
}

/** Calls of a failing token function before giving up (with 1 s, then 2 s between them). */
export const TOKEN_FETCH_ATTEMPTS = 3;

export function createTokenSession(options: TokenSessionOptions): TokenSession {
  const { provider, token } = options;
  const isRenewable = typeof token === 'function';
  let current: string | null = typeof token === 'string' && token !== '' ? token : null;
  let isOver = false;
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let fetching: Promise<string | null> | null = null;
  let isProbing = false;
  /** A 401 already cost one fresh token since the last good connection. */
  let hasRetriedUnauthorized = false;
  const abort = new AbortController();

  const wait = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });

  /** A fresh token from the function; null when it failed every attempt (or the session ended). */
  const fetchToken = (): Promise<string | null> => {
    if (typeof token !== 'function') return Promise.resolve(current);
    fetching ??= (async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          const next = await token();
          if (typeof next !== 'string' || next === '') throw new Error('the token function returned no token');
          return isOver ? null : next;
        } catch (error) {
          console.warn(`tandem: the token function failed (attempt ${attempt} of ${TOKEN_FETCH_ATTEMPTS})`, error);
          if (attempt >= TOKEN_FETCH_ATTEMPTS || isOver) return null;
          await wait(attempt * 1000);
        }
      }
    })().finally(() => (fetching = null));
    return fetching;
  };

  const deny = (denial: Denial): void => {
    if (isOver) return;
    isOver = true;
    clearTimeout(refreshTimer);
    abort.abort();
    provider.disconnect();
    options.onDenied(denial);
  };
  const denyTokenFailed = (): void => deny({ reason: 'token-failed', message: 'could not get an access token' });

  const use = (next: string): void => {
    current = next;
    provider.params = { ...provider.params, token: next };
    options.onToken(next);
    clearTimeout(refreshTimer);
    const delay = isRenewable ? refreshDelayMs(next) : null;
    if (delay !== null) refreshTimer = setTimeout(() => void renew(), delay);
  };

  /** Before expiry: a new token, then a new connection with it (the server never sees the old one expire). */
  const renew = async (): Promise<void> => {
    const next = await fetchToken();
    if (isOver) return;
    if (next === null) return denyTokenFailed();
    if (next === current) return use(next);
    use(next);
    // Between attempts (offline) the next attempt simply uses the new token.
    if (provider.ws === null) return;
    options.onRenew();
    provider.disconnect();
    provider.connect();
  };

  const onClosed = ({ code, reason }: { code: number; reason: string }): void => {
    if (isOver) return;
    if (code === CloseCode.tokenExpired && isRenewable) {
      void fetchToken().then((next) => {
        if (isOver) return;
        if (next === null) return denyTokenFailed();
        use(next);
        provider.connect();
      });
      return;
    }
    deny({ reason: 'closed', code, message: reason || `closed by the server (${code})` });
  };

  // Emitted before the provider's 'status' and 'closed' events, and before it resets
  // `wsconnected`: false here means the socket never opened.
  const onConnectionClose = (event: CloseEvent | null): void => {
    if (isOver) return;
    // Say so before the provider reports the disconnection, so the status never flashes "offline".
    if (event?.code === CloseCode.tokenExpired && isRenewable) return options.onRenew();
    if (provider.wsconnected || current === null || isProbing) return;
    isProbing = true;
    const tried = current;
    void probeAccess(options.serverUrl, options.document, tried, abort.signal)
      .then(async (result) => {
        if (isOver || current !== tried) return;
        if (result === 'forbidden') return deny({ reason: 'forbidden', message: 'this token gives no access to the document' });
        if (result !== 'unauthorized') return;
        if (!isRenewable || hasRetriedUnauthorized) return deny({ reason: 'unauthorized', message: 'the server refused the token' });
        hasRetriedUnauthorized = true;
        const next = await fetchToken();
        if (isOver) return;
        if (next === null) return denyTokenFailed();
        use(next);
      })
      .finally(() => (isProbing = false));
  };

  const onStatus = ({ status }: { status: string }): void => {
    if (status === 'connected') hasRetriedUnauthorized = false;
  };

  provider.on('closed', onClosed);
  provider.on('connection-close', onConnectionClose);
  provider.on('status', onStatus);

  return {
    start() {
      if (!isRenewable) {
        if (current !== null) use(current);
        provider.connect();
        return;
      }
      void fetchToken().then((next) => {
        if (isOver) return;
        if (next === null) return denyTokenFailed();
        use(next);
        provider.connect();
      });
    },
    destroy() {
      isOver = true;
      clearTimeout(refreshTimer);
      abort.abort();
      provider.off('closed', onClosed);
      provider.off('connection-close', onConnectionClose);
      provider.off('status', onStatus);
    },
  };
}
