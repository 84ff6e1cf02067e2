/**
 * This process as a member of a cluster: the documents it holds are shared live with every other
 * member holding them, over a PubSub (Redis in production).
 *
 * A member follows a document's topic only while the document is loaded here, i.e. while it has
 * clients or a lease: `wrapLoader` subscribes before the load (nothing published meanwhile is
 * missed), exchanges state with the members holding the document once loaded (document-channel.ts),
 * and the channel unsubscribes when the room unloads. A member with no clients of a document
 * receives none of its traffic and spends no CPU on it.
 *
 * Around the documents: heartbeats and departures (member-liveness.ts; a gone member's cursors
 * are removed), revocations to and from the other members, document deletes on every member
 * (cluster-deletes.ts), and after a pub/sub reconnect a resync
 * of every open document (sequence numbers restart, and anything published meanwhile was lost).
 * Nothing depends on the broker keeping data: what was lost comes from the members holding the
 * document or from the store.
 */
import type * as Y from 'yjs';
import type { Logger } from 'pino';
import type { PubSub } from '../pubsub/pubsub.js';
import type { Room } from '../room/room.js';
import type { DocumentRegistry } from '../room/document-registry.js';
import { createMemberId, type ClusterRevocation, type MemberId } from './cluster-message.js';
import { SequenceCounter } from './sequence-counter.js';
import { SequenceTracker } from './sequence-tracker.js';
import { RemoteInbox, type RemoteInboxLimits } from './remote-inbox.js';
import { createMalformedLog } from './malformed-log.js';
import { MemberLiveness } from './member-liveness.js';
import { DocumentChannel, type ChannelContext } from './document-channel.js';
import { ClusterDeletes, type ClusterDeletesOptions } from './cluster-deletes.js';

export interface ClusterMemberOptions {
  pubsub: PubSub;
  logger: Logger;
  /** Applies what the store holds for `name` to `doc`, tagged {source:'catch-up'}. */
  catchUpFromStore: (name: string, doc: Y.Doc) => Promise<void>;
  /** Another member published a revocation: apply it locally (close matching connections). */
  onRevocation: (revocation: ClusterRevocation) => void;
  /** Default 1,000 ms. */
  heartbeatMs?: number;
  /** A member not heard from this long is gone. Default 5,000 ms. */
  memberTimeoutMs?: number;
  /** Per-document work per turn and queue bounds (remote-inbox.ts). */
  inbox?: RemoteInboxLimits;
  /** A sync request unanswered this long (times the attempt) is sent again. Default 500 ms. */
  syncRetryMs?: number;
  /** Tail heartbeats after a member's last message on a document. Default 200, 1,000, 3,000 ms. */
  tailDelaysMs?: readonly number[];
  /** Waits of a cluster-wide delete (cluster-deletes.ts). */
  deletes?: Pick<ClusterDeletesOptions, 'ackTimeoutMs' | 'repeatMs' | 'endTimeoutMs'>;
}

export type RoomLoader = (name: string) => Promise<Room>;

export interface ClusterMember {
  readonly id: MemberId;
  /** A loader that subscribes first, then loads, then exchanges state with the other members. */
  wrapLoader(loader: RoomLoader): RoomLoader;
  /** Drops a document's channel once the registry has unloaded it. */
  attach(registry: DocumentRegistry): void;
  /** Rejects when the broker did not take it (the revocation then holds on this member only). */
  publishRevocation(revocation: ClusterRevocation): Promise<void>;
  /** Document deletes on every member: set the local part with `handleWith`, start one with `delete`. */
  readonly deletes: ClusterDeletes;
  isHealthy(): boolean;
  /** Names of the documents whose topics this member follows. */
  readonly documents: string[];
  /** Other members heard from recently. */
  readonly members: MemberId[];
  /** Tells the others we leave, unsubscribes everything. Does not close the PubSub. Idempotent. */
  close(): Promise<void>;
}

/** Tail heartbeats after a member's last message on a document (see document-channel.ts). */
const TAIL_DELAYS_MS = [200, 1_000, 3_000];
const SYNC_ATTEMPTS = 3;

export async function createClusterMember(options: ClusterMemberOptions): Promise<ClusterMember> {
  const id = createMemberId();
  const logger = options.logger.child({ component: 'cluster', member: id.slice(0, 8) });
  const counter = new SequenceCounter();
  // Senders are forgotten when they leave and topics when unloaded, not by idleness: forgetting
  // a quiet sender would make its next message a 'first' and cost a needless resync.
  const tracker = new SequenceTracker({ idleMs: Number.POSITIVE_INFINITY });
  const inbox = new RemoteInbox({ ...options.inbox, logger });
  const malformed = createMalformedLog({ logger });
  const channels = new Map<string, DocumentChannel>();
  const context: ChannelContext = {
    id,
    pubsub: options.pubsub,
    counter,
    tracker,
    inbox,
    logger,
    malformed,
    catchUpFromStore: options.catchUpFromStore,
    tailDelaysMs: options.tailDelaysMs ?? TAIL_DELAYS_MS,
    syncRetryMs: options.syncRetryMs ?? 500,
    syncAttempts: SYNC_ATTEMPTS,
  };
  // Created after liveness, which carries its messages; none can arrive before start() below.
  let deletes: ClusterDeletes | null = null;
  const liveness = new MemberLiveness({
    id,
    pubsub: options.pubsub,
    counter,
    logger,
    malformed,
    heartbeatMs: options.heartbeatMs ?? 1_000,
    memberTimeoutMs: options.memberTimeoutMs ?? 5_000,
    onMemberGone: (member) => {
      tracker.forgetSender(member);
      for (const channel of channels.values()) channel.removeMember(member);
      deletes?.memberGone(member);
    },
    onRevocation: options.onRevocation,
    onDeleteMessage: (message) => deletes?.receive(message),
  });
  deletes = new ClusterDeletes({ ...options.deletes, id, liveness, logger });
  const clusterDeletes = deletes;
  await liveness.start();
  const stopReconnects = options.pubsub.onReconnect(() => {
    logger.info({ documents: channels.size }, 'cluster: pub/sub reconnected; resynchronising every open document');
    tracker.reset();
    liveness.restartTimeouts();
    for (const channel of channels.values()) void channel.reconnected();
  });
  let closing: Promise<void> | null = null;

  const forget = (channel: DocumentChannel): void => {
    channel.close();
    if (channels.get(channel.name) === channel) channels.delete(channel.name);
  };

  return {
    id,
    get documents() {
      return [...channels.keys()];
    },
    get members() {
      return liveness.members;
    },
    wrapLoader: (loader) => async (name) => {
      const previous = channels.get(name);
      if (previous) forget(previous);
      const channel = new DocumentChannel(name, context);
      channels.set(name, channel);
      try {
        await channel.subscribe();
        const room = await loader(name);
        if (closing) throw new Error('cluster member is closing');
        channel.goLive(room);
        // The channel closes itself on the room's unloading event; drop it from the map then too.
        room.once('unloading', () => forget(channel));
        return room;
      } catch (error) {
        forget(channel);
        throw error;
      }
    },
    attach(registry) {
      registry.on('unloaded', (name) => {
        const channel = channels.get(name);
        if (channel && !channel.isLive) forget(channel);
      });
    },
    publishRevocation: (revocation) => liveness.publishRevocation(revocation),
    deletes: clusterDeletes,
    isHealthy: () => !closing && options.pubsub.isHealthy,
    close() {
      closing ??= (async () => {
        stopReconnects();
        clusterDeletes.close();
        for (const channel of [...channels.values()]) forget(channel);
        inbox.close();
        await liveness.leave();
      })();
      return closing;
    },
  };
}
