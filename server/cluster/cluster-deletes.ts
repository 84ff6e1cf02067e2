/**
 * Deleting a document in a cluster (DELETE /api/docs/:name on any member). Any member may hold the
 * document live with clients typing, and one that kept writing after the stored copy was removed
 * would bring the document back (its log without the snapshot). So, on the members topic:
 *
 *   1. The deleting member publishes `delete-begin`. Every other member runs its local delete
 *      (DocumentRegistry.delete: refuse joins for the name, close its connections with 4404, wait
 *      for the writes under way, destroy the room), also when it does not hold the document, then
 *      answers `delete-ack`.
 *   2. Meanwhile the deleting member does the same locally, waits for the ack of every member it
 *      has heard from (repeating `delete-begin` every `repeatMs`: pub/sub may lose it), at most
 *      `ackTimeoutMs`, then deletes the stored copy and publishes `delete-end`.
 *   3. The others keep refusing joins for the name (clients get 1013 and retry) until `delete-end`
 *      arrives or `endTimeoutMs` passes, so nobody reloads the old content in between.
 *
 * A member that does not answer in time is passed over with a warning: a dead one writes nothing,
 * and the README says what a live one cut off from Redis can do. If the broker does not take the
 * first `delete-begin`, nothing is deleted anywhere (ClusterDeleteError).
 */
import type { Logger } from 'pino';
import type { MemberId } from './cluster-message.js';
import type { DeleteMessage, MemberLiveness } from './member-liveness.js';

/** Runs this member's part of a delete; `removeStored` is called once the room is gone. */
export type LocalDelete = (name: string, removeStored: () => Promise<void>) => Promise<void>;

export interface ClusterDeletesOptions {
  id: MemberId;
  liveness: Pick<MemberLiveness, 'members' | 'publishDeleteMessage'>;
  logger: Logger;
  ackTimeoutMs?: number;
  repeatMs?: number;
  endTimeoutMs?: number;
}

export class ClusterDeleteError extends Error {
  readonly code = 'cluster-unavailable';
}

interface AwaitedAcks {
  readonly pending: Set<MemberId>;
  readonly done: () => void;
}

interface RemoteDelete {
  acked: boolean;
  readonly ended: () => void;
}

export class ClusterDeletes {
  readonly #options: ClusterDeletesOptions;
  #localDelete: LocalDelete | null = null;
  #nextId = 0;
  readonly #awaitedAcks = new Map<number, AwaitedAcks>();
  /** Deletes other members started, by `<sender>:<deleteId>`, until their end arrives or times out. */
  readonly #remote = new Map<string, RemoteDelete>();
  #closed = false;

  constructor(options: ClusterDeletesOptions) {
    this.#options = options;
  }

  /** How this member deletes locally (main.ts: the registry, closing connections with 4404). */
  handleWith(localDelete: LocalDelete): void {
    this.#localDelete = localDelete;
  }

  /** Deletes `name` on every member, then removes the stored copy (once). */
  async delete(name: string, removeStored: () => Promise<void>): Promise<void> {
    const local = this.#requireLocal();
    const deleteId = ++this.#nextId;
    const begin = { kind: 'delete-begin', deleteId, doc: name } as const;
    try {
      await this.#options.liveness.publishDeleteMessage(begin);
    } catch (error) {
      throw new ClusterDeleteError(`the other cluster members could not be told, so ${name} was not deleted; repeat the request`, { cause: error });
    }
    const acked = this.#awaitAcks(deleteId, name, begin);
    await local(name, async () => {
      await acked;
      await removeStored();
      this.#publishQuietly({ kind: 'delete-end', deleteId, doc: name });
    });
  }

  receive(message: DeleteMessage): void {
    if (this.#closed) return;
    switch (message.kind) {
      case 'delete-begin':
        this.#beginRemote(message.sender, message.deleteId, message.doc);
        return;
      case 'delete-ack': {
        if (message.to !== this.#options.id) return;
        const awaited = this.#awaitedAcks.get(message.deleteId);
        if (!awaited) return;
        awaited.pending.delete(message.sender);
        if (awaited.pending.size === 0) awaited.done();
        return;
      }
      case 'delete-end':
        this.#remote.get(`${message.sender}:${message.deleteId}`)?.ended();
        return;
    }
  }

  /** A member left or timed out: no ack will come from it. */
  memberGone(member: MemberId): void {
    for (const awaited of this.#awaitedAcks.values()) {
      if (awaited.pending.delete(member) && awaited.pending.size === 0) awaited.done();
    }
  }

  /** Stops waiting for anyone (deletes in progress go on without waiting). Idempotent. */
  close(): void {
    this.#closed = true;
    for (const awaited of [...this.#awaitedAcks.values()]) awaited.done();
    for (const remote of [...this.#remote.values()]) remote.ended();
  }

  #requireLocal(): LocalDelete {
    if (!this.#localDelete) throw new Error('cluster deletes: handleWith was not called');
    return this.#localDelete;
  }

  #awaitAcks(deleteId: number, name: string, begin: { kind: 'delete-begin'; deleteId: number; doc: string }): Promise<void> {
    const pending = new Set(this.#options.liveness.members);
    if (pending.size === 0 || this.#closed) return Promise.resolve();
    const { ackTimeoutMs = 5_000, repeatMs = 500 } = this.#options;
    return new Promise((resolve) => {
      const repeat = setInterval(() => this.#publishQuietly(begin), repeatMs);
      const timeout = setTimeout(() => {
        this.#options.logger.warn(
          { component: 'cluster', doc: name, members: [...pending] },
          'cluster delete: members did not confirm closing the document in time; deleting it anyway',
        );
        done();
      }, ackTimeoutMs);
      const done = (): void => {
        clearInterval(repeat);
        clearTimeout(timeout);
        this.#awaitedAcks.delete(deleteId);
        resolve();
      };
      repeat.unref();
      timeout.unref();
      this.#awaitedAcks.set(deleteId, { pending, done });
    });
  }

  #beginRemote(sender: MemberId, deleteId: number, name: string): void {
    const key = `${sender}:${deleteId}`;
    const known = this.#remote.get(key);
    if (known) {
      // A repeat: our ack may have been lost.
      if (known.acked) this.#ack(sender, deleteId);
      return;
    }
    let ended!: () => void;
    const endArrived = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#options.logger.warn({ component: 'cluster', doc: name, member: sender }, 'cluster delete: no end heard; accepting joins again');
        resolve();
      }, this.#options.endTimeoutMs ?? 10_000);
      timer.unref();
      ended = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    const remote: RemoteDelete = { acked: false, ended };
    this.#remote.set(key, remote);
    const acknowledge = (): void => {
      if (remote.acked) return;
      remote.acked = true;
      this.#ack(sender, deleteId);
    };
    this.#requireLocal()(name, async () => {
      acknowledge();
      await endArrived;
    })
      .catch((error: unknown) => this.#options.logger.error({ component: 'cluster', doc: name, err: error }, 'cluster delete: closing the document here failed'))
      // Also when a local delete of the same name was already running (its removeStored ran instead of ours).
      .finally(() => {
        acknowledge();
        void endArrived.then(() => this.#remote.delete(key));
      });
  }

  #ack(to: MemberId, deleteId: number): void {
    this.#publishQuietly({ kind: 'delete-ack', to, deleteId });
  }

  #publishQuietly(message: Parameters<MemberLiveness['publishDeleteMessage']>[0]): void {
    this.#options.liveness.publishDeleteMessage(message).catch((error: unknown) => {
      this.#options.logger.warn({ component: 'cluster', err: error, kind: message.kind }, 'cluster delete: publish failed');
    });
  }
}
