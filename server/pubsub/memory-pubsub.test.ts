import { pino } from 'pino';
import { runPubSubContract } from './pubsub-contract.js';
import { createMemoryPubSub, createMemoryPubSubHub } from './memory-pubsub.js';
import type { PubSub } from './pubsub.js';

runPubSubContract(
  'in-process hub',
  () => {
    const hub = createMemoryPubSubHub();
    const members: PubSub[] = [];
    const logger = pino({ level: 'silent' });
    return Promise.resolve({
      member: () => {
        const member = createMemoryPubSub({ hub, logger });
        members.push(member);
        return Promise.resolve(member);
      },
      interrupt: () => Promise.resolve(hub.interrupt()),
      restore: () => Promise.resolve(hub.restore()),
      dispose: async () => {
        await Promise.all(members.map((member) => member.close()));
      },
    });
  },
  { outages: true },
);
