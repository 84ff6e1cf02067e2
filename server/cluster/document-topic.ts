/**
 * Pub/sub topic names. A document's traffic travels on `doc:<base64url(name as UTF-8)>`: base64url
 * has no `*`, `?`, `[`, `:` nor anything a pattern or a prefix could read, and it is one-to-one,
 * so no name can widen a subscription or share another document's topic (the broker layer encodes
 * topics once more into channel names; see server/pubsub/topic-channel.ts). Cluster-wide traffic
 * (heartbeats, leave, revocations) uses MEMBERS_TOPIC, which no document topic can spell.
 */

export const MEMBERS_TOPIC = 'cluster:members';
const DOCUMENT_PREFIX = 'doc:';

export function documentTopic(name: string): string {
  return DOCUMENT_PREFIX + Buffer.from(name, 'utf8').toString('base64url');
}
