/**
 * A benchmark client: one real provider with its own Y.Doc, whose Y.Text 't' carries the edits.
 * The harness reads everything through this interface so scenarios do not care which provider
 * (y-websocket or Hocuspocus) is underneath.
 */
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { ServerKind } from '../servers/server-process.js';
import { connectHocuspocusClient } from './hocuspocus-client.js';
import { connectYWebsocketClient } from './y-websocket-client.js';
import { classifyOutgoingFrame } from '../../shared/saved-ack-frames.js';

export interface BenchClient {
  doc: Y.Doc;
  text: Y.Text;
  /** The provider's presence (its local state is what this client publishes). */
  awareness: Awareness;
  readonly isSynced: boolean;
  /** performance.now() of the first "synced", and the text length at that moment. */
  readonly syncedAt: number | null;
  readonly lengthAtSync: number | null;
  /** Update-bearing messages (sync step 2 / update) sent on the current connection. */
  readonly updatesSent: number;
  /** Tandem saved acknowledgement: the first n update-bearing messages are durable. */
  readonly savedCount: number;
  /** Hocuspocus: changes the server has not yet confirmed applying; 0 elsewhere. */
  readonly unconfirmed: number;
  readonly connects: number;
  onSavedAck(listener: (count: number) => void): void;
  destroy(): void;
}

export interface ConnectOptions {
  saveAck?: boolean;
  /** Send only this client's own presence (Tandem's editor does; stock y-websocket echoes every presence message). */
  ownPresenceOnly?: boolean;
}

/**
 * Each server gets its own client stack: @hocuspocus/provider for Hocuspocus, stock y-websocket
 * for @y/websocket-server and the relay, and for Tandem y-websocket as Tandem's editor configures
 * it (saved acks, own presence only: like @hocuspocus/provider it does not echo others' presence).
 */
export function connectBenchClient(kind: ServerKind, wsUrl: string, docName: string, options: ConnectOptions = {}): BenchClient {
  if (kind === 'hocuspocus') return connectHocuspocusClient(wsUrl, docName);
  return connectYWebsocketClient(wsUrl, docName, { ...options, ownPresenceOnly: options.ownPresenceOnly ?? kind === 'tandem' });
}

/** Counted as Tandem counts it for saved acknowledgements. */
export function isUpdateBearing(data: unknown): boolean {
  return classifyOutgoingFrame(data) !== null;
}
