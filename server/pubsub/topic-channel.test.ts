import { describe, expect, it } from 'vitest';
import { assertValidKeyPrefix, channelForTopic } from './topic-channel.js';
import { MAX_TOPIC_LENGTH } from './pubsub.js';
import { seededRandom } from '../test-support/seeded-random.js';

describe('channelForTopic', () => {
  it('maps distinct topics to distinct channels made of the prefix and base64url only', () => {
    const random = seededRandom(5);
    const alphabet = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));
    const topics = new Set<string>(['a', 'aa', 'a*', '*', 'ZG9j', 'doc', 'x'.repeat(MAX_TOPIC_LENGTH)]);
    while (topics.size < 20_000) topics.add(Array.from({ length: 1 + random.int(12) }, () => random.pick(alphabet)).join(''));
    const channels = new Set<string>();
    for (const topic of topics) {
      const channel = channelForTopic('tandem:ps:', topic);
      expect(channel).toMatch(/^tandem:ps:[A-Za-z0-9_-]+$/);
      channels.add(channel);
    }
    expect(channels.size).toBe(topics.size);
  });

  it('accepts prefixes ending with ":" only (base64url has no ":", so prefix and topic split one way)', () => {
    for (const prefix of ['tandem:ps:', 'a:', '{cluster}:ps:']) expect(() => assertValidKeyPrefix(prefix)).not.toThrow();
    for (const prefix of ['', 'tandem', 'tandem:ps', 'a*:', 'a b:', `${'x'.repeat(101)}:`]) expect(() => assertValidKeyPrefix(prefix), prefix).toThrow(TypeError);
  });
});
