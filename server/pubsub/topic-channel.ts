/**
 * Topic → broker channel name: `<keyPrefix><base64url(topic)>`. The prefix must end with ':',
 * which base64url never contains, so a channel name splits back into exactly one (prefix, topic):
 * no two topics (nor two prefixes) share a channel, and no channel name carries `*`, `?`, `[` or
 * anything else a pattern could read. Channels are only ever SUBSCRIBEd, never PSUBSCRIBEd.
 */
import { assertValidTopic } from './pubsub.js';

export const DEFAULT_KEY_PREFIX = 'tandem:ps:';
const KEY_PREFIX_PATTERN = /^[A-Za-z0-9._:{}-]{1,100}:$/;

export function assertValidKeyPrefix(keyPrefix: string): void {
  if (!KEY_PREFIX_PATTERN.test(keyPrefix)) {
    throw new TypeError(
      `invalid pub/sub key prefix ${JSON.stringify(keyPrefix)}: up to 100 characters of [A-Za-z0-9._:{}-] ending with ':'`,
    );
  }
}

export function channelForTopic(keyPrefix: string, topic: string): string {
  assertValidTopic(topic);
  return keyPrefix + Buffer.from(topic, 'latin1').toString('base64url');
}
