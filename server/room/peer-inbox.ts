/**
 * A room's incoming messages, waiting to be applied.
 *
 * Messages are queued and applied in the next check phase of the event loop, so that everything
 * that arrived for a document in one turn costs one transaction per sender: one merged update
 * broadcast to the others and one store write. Each peer's messages are handed to `apply` in the
 * order they arrived, at most `maxMessagesPerTurn` per turn (the rest wait for the next turn).
 *
 * Input is paused, never dropped: a peer with more than `maxQueuedPerPeer` unapplied messages is
 * paused until it has drained to half of that, and a peer whose messages `apply` holds (its sync
 * answer budget is spent) is paused, its messages kept in order, until the hold ends.
 */
import type { ClientMessage } from '../protocol/codec.js';
import type { RoomPeer } from './room-peer.js';

/** What `apply` did with a peer's messages: how many it took, and how long to hold the rest. */
export interface Applied {
  applied: number;
  /** > 0: the messages after the first `applied` wait this long, with whatever the peer sends meanwhile. */
  holdMs: number;
}

export interface PeerInboxOptions {
  apply: (peer: RoomPeer, messages: ClientMessage[]) => Applied;
  maxMessagesPerTurn: number;
  maxQueuedPerPeer: number;
}

interface Inbound {
  peer: RoomPeer;
  message: ClientMessage;
}

interface PeerQueue {
  /** Messages received and not applied yet (in the inbox or held). */
  queued: number;
  /** Over maxQueuedPerPeer, until drained to half of it. */
  full: boolean;
  /** Whether we have paused the peer's input. */
  paused: boolean;
  /** Messages waiting, in order, until the hold ends; null when none wait. */
  held: ClientMessage[] | null;
  holdTimer: NodeJS.Timeout | null;
}

export class PeerInbox {
  readonly #options: PeerInboxOptions;
  readonly #queues = new Map<RoomPeer, PeerQueue>();
  #entries: Inbound[] = [];
  #drainScheduled: NodeJS.Immediate | null = null;

  constructor(options: PeerInboxOptions) {
    this.#options = options;
  }

  /** True while some message has not been applied (queued or held). */
  get hasWaiting(): boolean {
    if (this.#entries.length > 0) return true;
    for (const queue of this.#queues.values()) if (queue.held) return true;
    return false;
  }

  add(peer: RoomPeer): void {
    this.#queues.set(peer, { queued: 0, full: false, paused: false, held: null, holdTimer: null });
  }

  /** The peer left: what it sent still applies, held messages too (edits must not be lost). */
  remove(peer: RoomPeer): void {
    const queue = this.#queues.get(peer);
    if (!queue) return;
    this.#release(peer, queue);
    this.#queues.delete(peer);
  }

  receive(peer: RoomPeer, message: ClientMessage): void {
    const queue = this.#queues.get(peer);
    if (!queue) return;
    queue.queued++;
    if (queue.held) {
      // Behind the held ones, in order.
      queue.held.push(message);
    } else {
      this.#entries.push({ peer, message });
      this.#scheduleDrain();
    }
    this.#updateInput(peer, queue);
  }

  /** Applies queued messages now, at most `limit` of them; reschedules the rest. */
  drain(limit = Number.POSITIVE_INFINITY): void {
    if (this.#entries.length === 0) return;
    const batch = this.#entries.length <= limit ? this.#entries : this.#entries.slice(0, limit);
    this.#entries = batch === this.#entries ? [] : this.#entries.slice(limit);
    for (const [peer, messages] of groupByPeer(batch)) this.#applyFrom(peer, messages);
    if (this.#entries.length > 0) this.#scheduleDrain();
  }

  /** Ends every hold and applies everything waiting (flush before unload or shutdown). */
  drainAll(): void {
    for (const [peer, queue] of this.#queues) this.#release(peer, queue);
    this.drain();
  }

  destroy(): void {
    if (this.#drainScheduled) clearImmediate(this.#drainScheduled);
    this.#drainScheduled = null;
    for (const queue of this.#queues.values()) if (queue.holdTimer) clearTimeout(queue.holdTimer);
    this.#queues.clear();
    this.#entries = [];
  }

  #scheduleDrain(): void {
    this.#drainScheduled ??= setImmediate(() => {
      this.#drainScheduled = null;
      this.drain(this.#options.maxMessagesPerTurn);
    });
  }

  #applyFrom(peer: RoomPeer, messages: ClientMessage[]): void {
    const { applied, holdMs } = this.#options.apply(peer, messages);
    const queue = this.#queues.get(peer);
    // Gone (left, or the room was destroyed meanwhile): nothing to account for.
    if (!queue) return;
    queue.queued -= applied;
    if (holdMs > 0) this.#hold(peer, queue, messages.slice(applied), holdMs);
    this.#updateInput(peer, queue);
  }

  /** The rest of this batch, then the peer's messages still in the inbox, then what it sends meanwhile. */
  #hold(peer: RoomPeer, queue: PeerQueue, rest: ClientMessage[], holdMs: number): void {
    const held = rest;
    if (this.#entries.some((entry) => entry.peer === peer)) {
      const others: Inbound[] = [];
      for (const entry of this.#entries) {
        if (entry.peer === peer) held.push(entry.message);
        else others.push(entry);
      }
      this.#entries = others;
    }
    queue.held = held;
    queue.holdTimer = setTimeout(() => {
      queue.holdTimer = null;
      const resumed = queue.held ?? [];
      queue.held = null;
      if (resumed.length > 0) this.#applyFrom(peer, resumed);
      else this.#updateInput(peer, queue);
    }, holdMs);
  }

  /** Puts held messages back in the inbox, hold or not. */
  #release(peer: RoomPeer, queue: PeerQueue): void {
    if (queue.holdTimer) clearTimeout(queue.holdTimer);
    queue.holdTimer = null;
    const held = queue.held;
    queue.held = null;
    if (!held || held.length === 0) return;
    for (const message of held) this.#entries.push({ peer, message });
    this.#scheduleDrain();
  }

  #updateInput(peer: RoomPeer, queue: PeerQueue): void {
    const max = this.#options.maxQueuedPerPeer;
    if (queue.queued > max) queue.full = true;
    else if (queue.queued <= max / 2) queue.full = false;
    const pause = queue.full || queue.held !== null;
    if (pause === queue.paused) return;
    queue.paused = pause;
    if (pause) peer.pauseInput();
    else peer.resumeInput();
  }
}

function groupByPeer(batch: Inbound[]): Map<RoomPeer, ClientMessage[]> {
  const byPeer = new Map<RoomPeer, ClientMessage[]>();
  for (const { peer, message } of batch) {
    const messages = byPeer.get(peer);
    if (messages) messages.push(message);
    else byPeer.set(peer, [message]);
  }
  return byPeer;
}
