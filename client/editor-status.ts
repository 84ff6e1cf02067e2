/**
 * The connection half of the editor's status, from the provider's events: connecting, connected,
 * reconnecting, offline, or denied (for good). A planned reconnect for a new token reads
 * "connecting" from the moment the old socket closes until the new one opens: the user has
 * nothing to worry about. A connection that was open and is lost (closed, or closed by the
 * liveness watchdog because it stopped answering) reads "reconnecting" until the next attempt
 * fails, then "offline" until a connection opens again; straight "offline" when the browser
 * already says it has no network. It also tells the save tracker when connections open and close.
 */
import type { WebsocketProvider } from 'y-websocket';
import type { SaveState, SaveTracker } from './save-tracker.js';
import type { Denial } from './tokens/token-session.js';
import type { TransportKind } from './transport/transport-selector.js';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'denied';

export interface EditorStatus {
  connection: ConnectionState;
  save: SaveState;
  /** The editor does not accept typing: `readOnly` option or `setReadOnly`, a read-only token, no token yet, or access denied. */
  readOnly: boolean;
  /** Why access was denied, while `connection` is `denied`. */
  denial: Denial | null;
  /** The transport the connection uses, or is being tried on: 'http' is the fallback (`transport` option). */
  transport: TransportKind;
}

export interface ConnectionTracker {
  readonly state: ConnectionState;
  readonly denial: Denial | null;
  /** The old socket is about to be closed on purpose to reconnect with a new token. */
  renewing(): void;
  denied(denial: Denial): void;
  destroy(): void;
}

/** Whether the browser says it has a network (`navigator.onLine`; true where unknown). */
const hasNetwork = (): boolean => typeof navigator === 'undefined' || navigator.onLine !== false;

/**
 * `isTryingAnotherTransport`: a failed attempt that will be followed by one on the other
 * transport (transport-selector.ts) is part of connecting, not a sign of being offline: a page
 * behind a proxy that refuses WebSockets reads "Connecting…" until the HTTP fallback opens.
 */
export function trackConnection(
  provider: WebsocketProvider,
  saves: SaveTracker,
  onChange: () => void,
  isTryingAnotherTransport: () => boolean = () => false,
): ConnectionTracker {
  let state: ConnectionState = 'connecting';
  let denial: Denial | null = null;
  let isRenewing = false;

  const set = (next: ConnectionState): void => {
    if (state === 'denied' || next === state) return;
    state = next;
    onChange();
  };
  const onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }): void => {
    if (status === 'connected') {
      saves.connected();
      isRenewing = false;
      set('connected');
    } else if (status === 'disconnected') {
      saves.disconnected();
      set(isRenewing ? 'connecting' : hasNetwork() ? 'reconnecting' : 'offline');
    }
  };
  // Every closed socket ends here, failed attempts too: 'status' reports 'disconnected' only
  // after a connection was open, so a page loaded while the server is unreachable would say
  // "Connecting…" forever. `wsconnected` is still set here when the socket had opened.
  const onConnectionClose = (): void => {
    // An open connection lost: onStatus says what comes next.
    if (provider.wsconnected) return;
    isRenewing = false;
    if (state === 'connecting' && hasNetwork() && isTryingAnotherTransport()) return;
    set('offline');
  };
  provider.on('status', onStatus);
  provider.on('connection-close', onConnectionClose);

  return {
    get state() {
      return state;
    },
    get denial() {
      return denial;
    },
    renewing() {
      isRenewing = true;
      set('connecting');
    },
    denied(next) {
      if (state === 'denied') return;
      denial = next;
      state = 'denied';
      onChange();
    },
    destroy() {
      provider.off('status', onStatus);
      provider.off('connection-close', onConnectionClose);
    },
  };
}
