/**
 * The client side of Tandem's HTTP fallback transport (README "HTTP fallback transport"): one
 * session carrying y-websocket messages both ways over plain HTTP, for networks where WebSockets
 * do not get through. Browser and Node alike: only `fetch` and ReadableStream.
 *
 * Downstream is one streamed response of numbered records; when it drops (or goes quiet for two
 * heartbeats) it is reopened with `?after=` the last record read, so nothing is lost or read
 * twice. Upstream, queued messages go out in POSTs one at a time, each numbered: a POST whose
 * answer was lost is sent again with the same number and the server does not apply it twice.
 * The session ends with a WebSocket close code (`onClose`): from a close record, or from the
 * refusal of a request (`closeCode` in its JSON, else 4401/4403 for token refusals, 1006).
 * Message content is not looked at here (http-sync-provider.ts does the y-protocols part).
 */
import { encodeMessageBatch, framedLength, StreamRecordReader } from '../../shared/http-sync-framing.js';
import { OWN_PRESENCE_PARAM, SAVE_ACK_PARAM } from '../../shared/protocol.js';

export interface HttpSyncTransportOptions {
  /** The server's base URL, e.g. `https://tandem.example.com` (routes are under `/sync/`). */
  serverUrl: string;
  docName: string;
  /** The access token, or a function giving the current one (called before every request). */
  token?: string | (() => string | Promise<string>);
  /** Ask for saved acknowledgements (`[100, n]` messages). */
  saveAck?: boolean;
  /** Tell the server this client sends only its own presence (OWN_PRESENCE_PARAM). */
  ownPresence?: boolean;
  /** Each message the server sends, in order, exactly once. */
  onMessage: (message: Uint8Array) => void;
  /** The session is open (the stream is being read). */
  onOpen?: () => void;
  /** The session ended; called once. */
  onClose: (code: number, reason: string) => void;
  /** A `fetch` to use instead of the global one. */
  fetch?: typeof fetch;
}

interface SessionInfo {
  sessionId: string;
  connectionId: string;
  heartbeatMs: number;
  maxBodyBytes: number;
}

const RETRY_MS = [100, 250, 500, 1_000, 2_000];

export class HttpSyncTransport {
  readonly #options: HttpSyncTransportOptions;
  readonly #fetch: typeof fetch;
  #session: SessionInfo | null = null;
  #lastRead = 0;
  #nextSeq = 1;
  #queue: Uint8Array[] = [];
  #posting = false;
  #closed = false;
  #stream: AbortController | null = null;
  /** Requests made (session, streams, POSTs), for measuring the transport's cost. */
  requests = 0;
  /** Messages handed to onMessage: equal to the last record number read when none was skipped or repeated. */
  delivered = 0;

  constructor(options: HttpSyncTransportOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** This session's id (it goes in every request's path); null before the session is open. */
  get sessionId(): string | null {
    return this.#session?.sessionId ?? null;
  }

  /** The server's id for this session in logs and the admin overview (not the secret session id). */
  get connectionId(): string | null {
    return this.#session?.connectionId ?? null;
  }

  /** The number of the last downstream record read. */
  get lastRead(): number {
    return this.#lastRead;
  }

  get isOpen(): boolean {
    return this.#session !== null && !this.#closed;
  }

  /** Opens the session and starts reading; rejects (and closes) when the server refuses it. */
  async open(): Promise<void> {
    const params = new URLSearchParams();
    if (this.#options.saveAck) params.set(SAVE_ACK_PARAM, '1');
    if (this.#options.ownPresence) params.set(OWN_PRESENCE_PARAM, '1');
    const query = params.toString() === '' ? '' : `?${params}`;
    let res: Response;
    try {
      res = await this.#request('POST', query);
    } catch (error) {
      // No answer at all (network down, server gone): the session never began.
      this.#end(1006, 'network error');
      throw error;
    }
    if (res.status !== 201) return this.#refused(res);
    this.#session = (await res.json()) as SessionInfo;
    // Closed while the session was being opened: leave it now, or it holds presence until reaped.
    if (this.#closed) return void (await this.#request('DELETE', '').catch(() => undefined));
    void this.#readLoop();
    this.#options.onOpen?.();
    this.#flush();
  }

  /** Queues a message for the server. */
  send(message: Uint8Array): void {
    if (this.#closed) return;
    this.#queue.push(message);
    this.#flush();
  }

  /** Cuts the current stream, as a network failure would; it is reopened where it stopped. */
  dropStream(): void {
    this.#stream?.abort();
  }

  /** Ends the session (the server removes its presence at once). */
  async close(): Promise<void> {
    if (this.#closed) return;
    const wasOpen = this.#session !== null;
    this.#end(1000, 'closed by client');
    if (wasOpen) await this.#request('DELETE', '').catch(() => undefined);
  }

  async #readLoop(): Promise<void> {
    let failures = 0;
    while (!this.#closed) {
      const controller = new AbortController();
      this.#stream = controller;
      let quiet: ReturnType<typeof setTimeout> | null = null;
      const arm = (): void => {
        if (quiet) clearTimeout(quiet);
        // Two heartbeats without a byte: the stream is dead even if no error says so.
        quiet = setTimeout(() => controller.abort(), 2 * this.#session!.heartbeatMs);
      };
      try {
        const res = await this.#request('GET', `/stream?after=${this.#lastRead}`, { signal: controller.signal });
        if (res.status !== 200) return void (await this.#refused(res).catch(() => undefined));
        failures = 0;
        arm();
        const reader = new StreamRecordReader();
        const body = res.body!.getReader();
        for (;;) {
          const { done, value } = await body.read();
          if (done) break;
          arm();
          for (const record of reader.push(value)) {
            if (record.kind === 'close') return this.#end(record.code, record.reason);
            if (record.kind !== 'message' || record.seq <= this.#lastRead) continue;
            this.#lastRead = record.seq;
            this.delivered++;
            this.#options.onMessage(record.message);
          }
        }
      } catch {
        // Dropped or aborted: reopened below, after what was read.
      } finally {
        if (quiet) clearTimeout(quiet);
      }
      if (!this.#closed) await delay(RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!);
    }
  }

  #flush(): void {
    if (this.#posting || this.#closed || !this.#session || this.#queue.length === 0) return;
    this.#posting = true;
    void this.#postLoop().finally(() => {
      this.#posting = false;
      this.#flush();
    });
  }

  async #postLoop(): Promise<void> {
    const limit = this.#session!.maxBodyBytes;
    while (this.#queue.length > 0 && !this.#closed) {
      let bytes = 0;
      let count = 0;
      while (count < this.#queue.length && (count === 0 || bytes + framedLength(this.#queue[count]!) <= limit)) {
        bytes += framedLength(this.#queue[count]!);
        count++;
      }
      const batch = this.#queue.slice(0, count);
      const seq = this.#nextSeq;
      if (!(await this.#post(seq, encodeMessageBatch(batch)))) return;
      this.#queue.splice(0, count);
      this.#nextSeq++;
    }
  }

  /** Sends one numbered POST until it is answered; false when the session ended meanwhile. */
  async #post(seq: number, body: Uint8Array): Promise<boolean> {
    for (let attempt = 0; !this.#closed; attempt++) {
      let res: Response;
      try {
        // Numbers in headers, not the URL: one URL per session, so a cross-origin page's cached
        // preflight covers every POST of it.
        res = await this.#request('POST', '/messages', {
          body: body as BodyInit,
          headers: { 'Content-Type': 'application/octet-stream', 'Tandem-Seq': String(seq), 'Tandem-Ack': String(this.#lastRead) },
        });
      } catch {
        // No answer: the same number again, which the server applies at most once.
        await delay(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!);
        continue;
      }
      if (res.ok) return true;
      if (res.status >= 500) {
        await delay(RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)]!);
        continue;
      }
      await this.#refused(res).catch(() => undefined);
      return false;
    }
    return false;
  }

  async #request(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    const { serverUrl, docName, token } = this.#options;
    const session = this.#session ? `/${this.#session.sessionId}` : '';
    const url = `${serverUrl.replace(/\/$/, '')}/sync/${encodeURIComponent(docName)}/sessions${session}${path}`;
    const headers = new Headers(init.headers);
    const current = typeof token === 'function' ? await token() : token;
    if (current) headers.set('Authorization', `Bearer ${current}`);
    this.requests++;
    return this.#fetch(url, { ...init, method, headers });
  }

  /** A refused request ends the session with the close code the server gave (or one for its status). */
  async #refused(res: Response): Promise<never> {
    const body = (await res.json().catch(() => ({}))) as { closeCode?: number; error?: { code?: string; message?: string } };
    const code = body.closeCode ?? (res.status === 401 ? 4401 : res.status === 403 ? 4403 : res.status === 429 ? 4429 : 1006);
    const reason = body.error?.code ?? `http ${res.status}`;
    this.#end(code, reason);
    throw new HttpSyncRefusal(res.status, reason, body.error?.message ?? reason, code);
  }

  #end(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.#stream?.abort();
    this.#options.onClose(code, reason);
  }
}

export class HttpSyncRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly closeCode: number,
  ) {
    super(message);
    this.name = 'HttpSyncRefusal';
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
