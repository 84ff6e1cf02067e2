/**
 * A WebSocket-shaped face on the HTTP fallback transport (http-sync-transport.ts), so that
 * y-websocket's WebsocketProvider, and everything of the editor hung on it (saved-ack counting,
 * the liveness watchdog, token renewal, status), runs unchanged over plain HTTP.
 *
 * In: the URL the provider builds, `ws(s)://host[/prefix]/<document>?token=…&saveAck=1`, which
 * becomes one HTTP session on `http(s)://host[/prefix]/sync/<document>/sessions`; the messages
 * the provider sends. Out: the server's messages as `message` events carrying an ArrayBuffer
 * (whatever `binaryType` says: y-websocket sets 'arraybuffer'), `open` once the session is open,
 * and one `close` with the session's close code, preceded by `error` for an abnormal end, as a
 * browser's WebSocket does. A session that never opened closes with 1006 whatever the refusal
 * said (401, 403, 429…), as a refused upgrade does in a browser, which hides the status: the
 * editor then asks what happened the same way for both transports (tokens/access-probe.ts).
 */
import { OWN_PRESENCE_PARAM, SAVE_ACK_PARAM } from '../../shared/protocol.js';
import { HttpSyncTransport } from './http-sync-transport.js';

type Frame = string | ArrayBufferLike | Blob | ArrayBufferView;
type Handler<E extends Event> = ((this: HttpWebSocket, event: E) => unknown) | null;

/** The `close` event (Node has no CloseEvent class, and browsers' cannot be subclassed portably). */
export class HttpCloseEvent extends Event {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly wasClean: boolean,
  ) {
    super('close');
  }
}

/** Where the provider's WebSocket URL points on the HTTP side. */
export interface HttpSessionTarget {
  serverUrl: string;
  docName: string;
  token: string | undefined;
  saveAck: boolean;
  /** The provider sends only its own presence (OWN_PRESENCE_PARAM). */
  ownPresence: boolean;
}

/** `ws(s)://host[/prefix]/<doc>?token=…&saveAck=1&ownPresence=1` → the HTTP transport's options. */
export function parseSocketUrl(socketUrl: string): HttpSessionTarget {
  const url = new URL(socketUrl);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  else if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SyntaxError(`unsupported URL ${url.protocol}`);
  const slash = url.pathname.lastIndexOf('/');
  const docName = decodeURIComponent(url.pathname.slice(slash + 1));
  if (docName === '') throw new SyntaxError('the URL names no document');
  return {
    serverUrl: `${url.origin}${url.pathname.slice(0, slash)}`,
    docName,
    token: url.searchParams.get('token') ?? undefined,
    saveAck: url.searchParams.get(SAVE_ACK_PARAM) === '1',
    ownPresence: url.searchParams.get(OWN_PRESENCE_PARAM) === '1',
  };
}

export class HttpWebSocket extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSING = 2;
  readonly CLOSED = 3;

  readonly url: string;
  readonly protocol = '';
  readonly extensions = '';
  readonly bufferedAmount = 0;
  binaryType: BinaryType = 'arraybuffer';
  readyState = 0;
  onopen: Handler<Event> = null;
  onmessage: Handler<MessageEvent> = null;
  onerror: Handler<Event> = null;
  onclose: Handler<HttpCloseEvent> = null;
  /** The session underneath (for tests and measurements). */
  readonly transport: HttpSyncTransport;
  /** The close code and reason given to close(), reported instead of the transport's. */
  #closedWith: { code: number; reason: string } | null = null;
  #wasOpened = false;

  constructor(url: string | URL, _protocols?: string | string[]) {
    super();
    this.url = String(url);
    const target = parseSocketUrl(this.url);
    this.transport = new HttpSyncTransport({
      serverUrl: target.serverUrl,
      docName: target.docName,
      saveAck: target.saveAck,
      ownPresence: target.ownPresence,
      ...(target.token ? { token: target.token } : {}),
      onOpen: () => this.#opened(),
      onMessage: (message) => this.#received(message),
      onClose: (code, reason) => this.#ended(code, reason),
    });
    // A WebSocket starts connecting when constructed; the first request goes out after the
    // caller's synchronous setup (the provider sets its handlers right after `new`).
    queueMicrotask(() => {
      if (this.readyState === this.CONNECTING) this.transport.open().catch(() => undefined);
    });
  }

  send(data: Frame): void {
    if (this.readyState === this.CONNECTING) throw new DOMException('still connecting', 'InvalidStateError');
    if (this.readyState !== this.OPEN) return;
    this.transport.send(toBytes(data));
  }

  close(code?: number, reason?: string): void {
    if (this.readyState === this.CLOSING || this.readyState === this.CLOSED) return;
    this.#closedWith = { code: code ?? 1005, reason: reason ?? '' };
    this.readyState = this.CLOSING;
    void this.transport.close();
    // A close before the first request went out: the transport never began, so it reports nothing.
    if (this.readyState !== this.CLOSED) this.#ended(1006, 'closed before opening');
  }

  #opened(): void {
    if (this.readyState !== this.CONNECTING) return;
    this.readyState = this.OPEN;
    this.#wasOpened = true;
    this.#fire(new Event('open'), this.onopen);
  }

  #received(message: Uint8Array): void {
    if (this.readyState !== this.OPEN) return;
    // A copy that owns its buffer: the provider reads `event.data` as a whole ArrayBuffer.
    const data = message.slice().buffer;
    this.#fire(new MessageEvent('message', { data }), this.onmessage);
  }

  #ended(code: number, reason: string): void {
    if (this.readyState === this.CLOSED) return;
    this.readyState = this.CLOSED;
    const closed = this.#closedWith ?? (this.#wasOpened ? { code, reason } : { code: 1006, reason });
    const isClean = this.#closedWith !== null || closed.code === 1000;
    if (!isClean) this.#fire(new Event('error'), this.onerror);
    this.#fire(new HttpCloseEvent(closed.code, closed.reason, isClean), this.onclose);
  }

  #fire<E extends Event>(event: E, handler: Handler<E>): void {
    this.dispatchEvent(event);
    handler?.call(this, event);
  }
}

function toBytes(data: Frame): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  throw new TypeError('HttpWebSocket sends strings, ArrayBuffers and views only');
}
