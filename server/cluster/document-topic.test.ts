import { describe, expect, it } from 'vitest';
import { channelForTopic } from '../pubsub/topic-channel.js';
import { documentTopic, MEMBERS_TOPIC } from './document-topic.js';

describe('document topics', () => {
  // Valid document names (shared/doc-name.ts: 1-128 of [A-Za-z0-9._-]) that differ by case, by a
  // prefix, or spell the cluster's own words, and the longest name there can be.
  const awkward = ['a', 'A', 'ab', 'a.b', 'a-b', 'a_b', '-', '_', '...', 'cluster', 'members', 'doc', 'docx', 'x'.repeat(128), `${'x'.repeat(127)}y`];

  it('maps distinct names to distinct topics and Redis channels, none spelling a pattern character', () => {
    const topics = awkward.map(documentTopic);
    expect(new Set(topics).size).toBe(awkward.length);
    const channels = topics.map((topic) => channelForTopic('tandem:ps:', topic));
    expect(new Set(channels).size).toBe(awkward.length);
    for (const channel of channels) expect(channel.slice('tandem:ps:'.length)).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('never gives a document the cluster-wide topic', () => {
    expect(awkward.map(documentTopic)).not.toContain(MEMBERS_TOPIC);
    expect(documentTopic('members')).not.toBe(MEMBERS_TOPIC);
  });
});
