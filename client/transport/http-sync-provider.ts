/**
 * A y-websocket-like provider over the HTTP fallback transport: a Y.Doc and its Awareness kept
 * in sync with a Tandem document through HttpSyncTransport, with y-protocols doing all of the
 * encoding (the same messages y-websocket's WebsocketProvider sends and reads). It reconnects
 * with a new session after a session ends, with exponential backoff and jitter, except for 44xx
 * codes (auth: reconnecting would not help), but for 4408 when `token` is a function.
 *
 * Events: 'status' ('connecting' | 'connected' | 'disconnected'), 'synced' (boolean),
 * 'saved' (n: the first n update-bearing messages of this session are durable, with saveAck),
 * 'connection-close' (code, reason).
 */
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ObservableV2 } from 'lib0/observable';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import { MessageType } from '../../shared/protocol.js';
import { HttpSyncTransport, type HttpSyncTransportOptions } from './http-sync-transport.js';

export type HttpSyncStatus = 'connecting' | 'connected' | 'disconnected';

export interface HttpSyncProviderEvents {
  status: (status: HttpSyncStatus) => void;
  synced: (synced: boolean) => void;
  saved: (count: number) => void;
  'connection-close': (code: number, reason: string) => void;
}

export interface HttpSyncProviderOptions extends Pick<HttpSyncTransportOptions, 'serverUrl' | 'token' | 'saveAck' | 'fetch'> {
  awareness?: awarenessProtocol.Awareness;
  /** Connect at once (default true). */
  connect?: boolean;
  /** Longest wait between reconnection attempts (default 5 s). */
  maxBackoffMs?: number;
}

export class HttpSyncProvider extends ObservableV2<HttpSyncProviderEvents> {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  readonly docName: string;
  status: HttpSyncStatus = 'disconnected';
  synced = false;
  /** Update-bearing messages (sync step 2, update) sent in the current session. */
  sentUpdateMessages = 0;
  /** Highest saved acknowledgement of the current session. */
  savedCount = 0;
  /** The current session's transport (null between sessions). */
  transport: HttpSyncTransport | null = null;
  readonly #options: HttpSyncProviderOptions;
  #shouldConnect = false;
  #attempts = 0;
  #retry: ReturnType<typeof setTimeout> | null = null;

  constructor(docName: string, doc: Y.Doc, options: HttpSyncProviderOptions) {
    super();
    this.doc = doc;
    this.docName = docName;
    this.awareness = options.awareness ?? new awarenessProtocol.Awareness(doc);
    this.#options = options;
    doc.on('update', this.#onDocUpdate);
    this.awareness.on('update', this.#onAwarenessUpdate);
    if (options.connect ?? true) this.connect();
  }

  connect(): void {
    this.#shouldConnect = true;
    if (this.transport || this.#retry) return;
    this.#setStatus('connecting');
    const transport = new HttpSyncTransport({
      serverUrl: this.#options.serverUrl,
      docName: this.docName,
      ...(this.#options.token !== undefined ? { token: this.#options.token } : {}),
      ...(this.#options.saveAck !== undefined ? { saveAck: this.#options.saveAck } : {}),
      ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
      // It never sends others' presence back (#onAwarenessUpdate skips what the server sent).
      ownPresence: true,
      onMessage: (message) => this.#onMessage(transport, message),
      onOpen: () => this.#onOpen(transport),
      onClose: (code, reason) => this.#onClose(transport, code, reason),
    });
    this.transport = transport;
    this.sentUpdateMessages = 0;
    this.savedCount = 0;
    // A failed open has already been reported through onClose (which schedules the retry).
    transport.open().catch(() => undefined);
  }

  /** Leaves the session (the server drops this client's presence) and stops reconnecting. */
  async disconnect(): Promise<void> {
    this.#shouldConnect = false;
    if (this.#retry) clearTimeout(this.#retry);
    this.#retry = null;
    // The server removes this session's presence for everyone when it is left.
    await this.transport?.close();
  }

  override destroy(): void {
    void this.disconnect();
    this.doc.off('update', this.#onDocUpdate);
    this.awareness.off('update', this.#onAwarenessUpdate);
    super.destroy();
  }

  #onOpen(transport: HttpSyncTransport): void {
    this.#attempts = 0;
    this.#setStatus('connected');
    const step1 = encoding.createEncoder();
    encoding.writeVarUint(step1, MessageType.sync);
    syncProtocol.writeSyncStep1(step1, this.doc);
    transport.send(encoding.toUint8Array(step1));
    if (this.awareness.getLocalState() !== null) {
      transport.send(encodeAwareness(this.awareness, [this.doc.clientID]));
    }
  }

  #onMessage(transport: HttpSyncTransport, message: Uint8Array): void {
    const decoder = decoding.createDecoder(message);
    const type = decoding.readVarUint(decoder);
    if (type === MessageType.sync) {
      const reply = encoding.createEncoder();
      encoding.writeVarUint(reply, MessageType.sync);
      const kind = syncProtocol.readSyncMessage(decoder, reply, this.doc, this);
      if (encoding.length(reply) > 1) this.#sendFrom(transport, encoding.toUint8Array(reply));
      if (kind === syncProtocol.messageYjsSyncStep2 && !this.synced) {
        this.synced = true;
        this.emit('synced', [true]);
      }
    } else if (type === MessageType.awareness) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
    } else if (type === MessageType.queryAwareness) {
      transport.send(encodeAwareness(this.awareness, [...this.awareness.getStates().keys()]));
    } else if (type === MessageType.savedAck) {
      this.savedCount = Math.max(this.savedCount, decoding.readVarUint(decoder));
      this.emit('saved', [this.savedCount]);
    }
  }

  #onClose(transport: HttpSyncTransport, code: number, reason: string): void {
    if (this.transport !== transport) return;
    this.transport = null;
    if (this.synced) {
      this.synced = false;
      this.emit('synced', [false]);
    }
    // Others' presence came through this session; it is stale now (y-websocket does the same).
    const others = [...this.awareness.getStates().keys()].filter((id) => id !== this.doc.clientID);
    awarenessProtocol.removeAwarenessStates(this.awareness, others, this);
    this.#setStatus('disconnected');
    this.emit('connection-close', [code, reason]);
    // 44xx: another attempt with the same token fails too. Except an expired token when the
    // token comes from a function, which can give a fresh one.
    const canRenew = code === 4408 && typeof this.#options.token === 'function';
    const isAuthFailure = code >= 4400 && code < 4500 && !canRenew;
    if (!this.#shouldConnect || isAuthFailure) return;
    const ceiling = Math.min(this.#options.maxBackoffMs ?? 5_000, 100 * 2 ** this.#attempts++);
    this.#retry = setTimeout(
      () => {
        this.#retry = null;
        if (this.#shouldConnect) this.connect();
      },
      ceiling / 2 + Math.random() * (ceiling / 2),
    );
  }

  #sendFrom(transport: HttpSyncTransport, message: Uint8Array): void {
    // Sync step 2 and update: counted like the server counts them for saved acks.
    if (message[0] === MessageType.sync && (message[1] === 1 || message[1] === 2)) this.sentUpdateMessages++;
    transport.send(message);
  }

  #setStatus(status: HttpSyncStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit('status', [status]);
  }

  readonly #onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this || !this.transport?.isOpen) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeUpdate(encoder, update);
    this.#sendFrom(this.transport, encoding.toUint8Array(encoder));
  };

  readonly #onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (origin === this || !this.transport?.isOpen) return;
    this.transport.send(encodeAwareness(this.awareness, [...added, ...updated, ...removed]));
  };
}

function encodeAwareness(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.awareness);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}
