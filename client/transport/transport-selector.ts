/**
 * Chooses, for each connection y-websocket's provider opens, a real WebSocket or the HTTP
 * fallback (http-web-socket.ts): the provider's `WebSocketPolyfill` is this selector's class,
 * whose constructor returns a socket of the chosen kind. Nothing else in the editor needs to
 * know which one it got.
 *
 * Policy for 'auto':
 * - WebSocket first. A WebSocket that ends without having received a single server message
 *   (refused upgrade, a proxy that accepts and closes it, one still connecting after
 *   `connectTimeoutMs`) is a failure; one server message is a success and clears the count.
 *   After `fallbackAfterFailures` failures in a row, new connections use HTTP.
 * - Failures while the browser says it is offline do not count: that is no WebSocket problem.
 * - HTTP failing the same way `returnAfterFailures` times in a row (the server is down, not
 *   the WebSocket path) goes back to WebSocket, so both keep being tried while it is away.
 * - While on HTTP, a probe WebSocket to the provider's current URL is opened `firstProbeMs`
 *   after an HTTP connection opens, then every `probeIntervalMs` (±25 % jitter). It succeeds
 *   when it opens and receives its first server message (it is closed then, having sent
 *   nothing); the selector then goes back to WebSocket and `reconnect()` moves the connection.
 *   The early first probe brings back clients that fell back only because the server was
 *   restarting.
 * 'websocket' and 'http' use that transport only, with no probes.
 */
import { HttpWebSocket } from './http-web-socket.js';

export type TransportMode = 'auto' | 'websocket' | 'http';
export type TransportKind = 'websocket' | 'http';

export interface SelectorTimings {
  /** WebSocket failures in a row before falling back to HTTP. @default 2 */
  fallbackAfterFailures: number;
  /** HTTP failures in a row (while on the fallback) before trying WebSocket again. @default 2 */
  returnAfterFailures: number;
  /** A WebSocket still connecting this long is closed, a failure. @default 10000 */
  connectTimeoutMs: number;
  /** First probe, after an HTTP connection opened. @default 5000 */
  firstProbeMs: number;
  /** Later probes, ±25 %. @default 60000 */
  probeIntervalMs: number;
  /** A probe that got no server message this long failed. @default 10000 */
  probeTimeoutMs: number;
}

export const DEFAULT_SELECTOR_TIMINGS: Readonly<SelectorTimings> = Object.freeze({
  fallbackAfterFailures: 2,
  returnAfterFailures: 2,
  connectTimeoutMs: 10_000,
  firstProbeMs: 5_000,
  probeIntervalMs: 60_000,
  probeTimeoutMs: 10_000,
});

export interface TransportSelectorOptions {
  mode?: TransportMode;
  /** The socket class for each transport (the editor passes its counting ones). */
  sockets?: Partial<Record<TransportKind, typeof WebSocket>>;
  /** The class probes use. @default sockets.websocket */
  probeSocket?: typeof WebSocket;
  /** The URL a probe connects to: the provider's current one (its token may have changed). */
  url(): string;
  /** Moves the connection: closes the current socket and connects again now (with the selected transport). */
  reconnect(): void;
  /** The transport new connections use changed. */
  onChange?(transport: TransportKind): void;
  timings?: Partial<SelectorTimings>;
  /** Whether the browser says it has a network. @default navigator.onLine */
  hasNetwork?: () => boolean;
  random?: () => number;
}

export interface TransportSelector {
  /** For the provider's `WebSocketPolyfill`. */
  readonly WebSocketPolyfill: typeof WebSocket;
  /** The transport new connections use. */
  readonly transport: TransportKind;
  /**
   * Starts counting failures again: those so far may not have been the transport's. The editor
   * calls it when a new token comes into use, since a browser reports a refused token (401 before
   * the upgrade) exactly like a blocked WebSocket.
   */
  forgiveFailures(): void;
  /**
   * 'auto' has not tried HTTP since the server was last heard from: a WebSocket failure now is
   * followed by more attempts that may reach it over HTTP (the status need not say offline yet).
   */
  readonly isTryingAnotherTransport: boolean;
  destroy(): void;
}

export function createTransportSelector(options: TransportSelectorOptions): TransportSelector {
  const mode = options.mode ?? 'auto';
  const timings = { ...DEFAULT_SELECTOR_TIMINGS, ...options.timings };
  const random = options.random ?? Math.random;
  const hasNetwork = options.hasNetwork ?? (() => typeof navigator === 'undefined' || navigator.onLine !== false);
  const sockets: Record<TransportKind, typeof WebSocket> = {
    websocket: options.sockets?.websocket ?? globalThis.WebSocket,
    http: options.sockets?.http ?? (HttpWebSocket as unknown as typeof WebSocket),
  };
  const ProbeSocket = options.probeSocket ?? sockets.websocket;
  let transport: TransportKind = mode === 'http' ? 'http' : 'websocket';
  let failures = 0;
  // Since the server was last heard from (or since the start).
  let hasTriedHttp = false;
  let probeTimer: ReturnType<typeof setTimeout> | undefined;
  let probe: WebSocket | null = null;
  let isDestroyed = false;

  const select = (next: TransportKind): void => {
    failures = 0;
    if (next === 'websocket') stopProbing();
    if (transport === next) return;
    transport = next;
    options.onChange?.(next);
  };

  const stopProbing = (): void => {
    clearTimeout(probeTimer);
    probeTimer = undefined;
    const running = probe;
    probe = null;
    running?.close();
  };

  const scheduleProbe = (ms: number): void => {
    if (mode !== 'auto' || isDestroyed || transport !== 'http') return;
    clearTimeout(probeTimer);
    probeTimer = setTimeout(runProbe, ms);
  };
  const nextProbeMs = (): number => timings.probeIntervalMs * (0.75 + random() * 0.5);

  const runProbe = (): void => {
    probeTimer = undefined;
    if (isDestroyed || transport !== 'http' || probe) return;
    let socket: WebSocket;
    try {
      socket = new ProbeSocket(options.url());
    } catch (error) {
      console.warn('tandem: could not open a WebSocket probe', error);
      return scheduleProbe(nextProbeMs());
    }
    probe = socket;
    socket.binaryType = 'arraybuffer';
    const timeout = setTimeout(() => finish(false), timings.probeTimeoutMs);
    const finish = (isWorking: boolean): void => {
      clearTimeout(timeout);
      if (probe !== socket) return;
      probe = null;
      socket.close();
      if (isDestroyed || transport !== 'http') return;
      if (!isWorking) return scheduleProbe(nextProbeMs());
      select('websocket');
      options.reconnect();
    };
    socket.addEventListener('message', () => finish(true));
    socket.addEventListener('close', () => finish(false));
    // Node's `ws` throws an error event nobody listens to.
    socket.addEventListener('error', () => finish(false));
  };

  /** Watches one connection of `kind` for the policy: did it ever hear from the server? */
  const observe = (socket: WebSocket, kind: TransportKind): void => {
    let hasHeard = false;
    const connectTimer =
      kind === 'websocket'
        ? setTimeout(() => {
            if (socket.readyState === socket.CONNECTING) socket.close();
          }, timings.connectTimeoutMs)
        : undefined;
    socket.addEventListener('open', () => {
      clearTimeout(connectTimer);
      if (kind === 'http') scheduleProbe(timings.firstProbeMs);
    });
    socket.addEventListener('message', () => {
      if (hasHeard) return;
      hasHeard = true;
      hasTriedHttp = false;
      if (transport === kind) failures = 0;
    });
    socket.addEventListener('close', () => {
      clearTimeout(connectTimer);
      if (hasHeard || isDestroyed || transport !== kind || !hasNetwork()) return;
      failures++;
      if (kind === 'websocket' && failures >= timings.fallbackAfterFailures) {
        console.warn(`tandem: WebSockets failed ${failures} times in a row; using the HTTP fallback`);
        select('http');
      } else if (kind === 'http' && failures >= timings.returnAfterFailures) {
        select('websocket');
      }
    });
  };

  // A class only in name: `new` returns a socket of the selected kind. Nothing subclasses it
  // (the counting wrappers are applied to the per-transport classes, before this).
  const SelectingWebSocket = function (url: string | URL, protocols?: string | string[]): WebSocket {
    const kind = transport;
    if (kind === 'http') hasTriedHttp = true;
    const socket = new sockets[kind](url, protocols);
    if (mode === 'auto') observe(socket, kind);
    return socket;
  } as unknown as typeof WebSocket;

  return {
    WebSocketPolyfill: SelectingWebSocket,
    get transport() {
      return transport;
    },
    forgiveFailures() {
      failures = 0;
    },
    get isTryingAnotherTransport() {
      return mode === 'auto' && !hasTriedHttp;
    },
    destroy() {
      isDestroyed = true;
      stopProbing();
    },
  };
}
