/**
 * Liveness and reconnection for y-websocket's provider: a LivenessMonitor (liveness-monitor.ts)
 * watches the open socket, jittered backoff (reconnect-backoff.ts) spaces the attempts, and the
 * browser's hints cut the waits short.
 *
 * In: the provider's connection events, and from the editor the update-bearing frames sent, the
 * saved acks and every frame received on the provider's current socket. Out: heartbeats
 * (query-awareness, type 3: the server answers from a cached presence message, so it costs it
 * one send), and a dead socket closed and replaced. An open socket that stopped answering is
 * closed by us because the browser may keep it "open" for a long time: Chromium's offline mode
 * holds its frames without closing it, and y-websocket's own check waits 30 s of silence.
 *
 * - `online` event: reconnect now (skipping the backoff wait), or check an open socket now.
 * - `offline` event: check the open socket now (a heartbeat; the monitor decides).
 * - the tab becomes visible: the same as `online`, since timers of hidden tabs are throttled.
 */
import type { WebsocketProvider } from 'y-websocket';
import { MessageType } from '../../shared/protocol.js';
import { createLivenessMonitor, type LivenessClock, type LivenessTimings } from './liveness-monitor.js';
import { jitterReconnects, type BackoffOptions } from './reconnect-backoff.js';

export interface WebSocketLivenessOptions {
  timings?: Partial<LivenessTimings>;
  backoff?: BackoffOptions;
  clock?: LivenessClock;
  /** Where `online`, `offline` and `visibilitychange` come from; none in Node. @default globalThis */
  events?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
  /** The page's visibility, for `visibilitychange`. @default document.visibilityState */
  isVisible?: () => boolean;
}

export interface WebSocketLiveness {
  /** An update-bearing frame went out on the provider's current socket. */
  sent(): void;
  acknowledged(count: number): void;
  /** A frame arrived on the provider's current socket. */
  received(): void;
  destroy(): void;
}

const HEARTBEAT = Uint8Array.of(MessageType.queryAwareness);

export function watchWebSocketLiveness(provider: WebsocketProvider, options: WebSocketLivenessOptions = {}): WebSocketLiveness {
  const isOpen = (): boolean => provider.wsconnected && provider.ws !== null && provider.ws.readyState === provider.ws.OPEN;
  const monitor = createLivenessMonitor({
    timings: options.timings,
    clock: options.clock,
    probe() {
      if (isOpen()) provider.ws?.send(HEARTBEAT);
    },
    onDead() {
      // Only a socket the provider still wants: a denial or destroy() sets shouldConnect false.
      if (!provider.shouldConnect || !provider.wsconnected) return;
      console.warn('tandem: the connection stopped answering; reconnecting');
      // disconnect() drops the socket at once (a close() handshake could wait on a dead network)
      // and schedules the provider's reconnect after the backoff wait, which runs only if the
      // provider still wants to connect: say so again, rather than connect() now, which would
      // leave that timer to open a second socket. disconnect() also left the tabs' channel.
      provider.disconnect();
      provider.shouldConnect = true;
      provider.connectBc();
    },
  });
  const stopJitter = jitterReconnects(provider, options.backoff);

  const onStatus = ({ status }: { status: string }): void => {
    if (status === 'connected') monitor.opened();
    else if (status === 'disconnected') monitor.closed();
  };
  provider.on('status', onStatus);

  /** The browser hints the network may work again: try now instead of after the backoff wait. */
  const reconnectNow = (): void => {
    if (!provider.shouldConnect) return;
    if (provider.wsconnected) monitor.probeNow();
    else if (provider.ws === null) provider.connect();
  };
  const onOffline = (): void => monitor.probeNow();
  const isVisible = options.isVisible ?? (() => typeof document === 'undefined' || document.visibilityState === 'visible');
  const onVisibility = (): void => {
    if (isVisible()) reconnectNow();
  };
  const events = options.events === undefined ? (typeof window === 'undefined' ? null : window) : options.events;
  const visibilityEvents = options.events === undefined ? (typeof document === 'undefined' ? null : document) : options.events;
  events?.addEventListener('online', reconnectNow);
  events?.addEventListener('offline', onOffline);
  visibilityEvents?.addEventListener('visibilitychange', onVisibility);

  return {
    sent: () => monitor.sent(),
    acknowledged: (count) => monitor.acknowledged(count),
    received: () => monitor.received(),
    destroy() {
      monitor.destroy();
      stopJitter();
      provider.off('status', onStatus);
      events?.removeEventListener('online', reconnectNow);
      events?.removeEventListener('offline', onOffline);
      visibilityEvents?.removeEventListener('visibilitychange', onVisibility);
    },
  };
}
