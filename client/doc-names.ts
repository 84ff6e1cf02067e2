/** Readable random document names such as `amber-harbor-42`, valid under shared/doc-name.ts. */
import { pick } from './identity.js';

const ADJECTIVES = ['amber', 'brisk', 'cedar', 'coral', 'dusty', 'early', 'fern', 'golden', 'hazel', 'ivory', 'jade', 'lucky', 'maple', 'misty', 'noble', 'olive', 'quiet', 'rapid', 'silver', 'sunny', 'tidal', 'velvet', 'windy', 'young'];
const NOUNS = ['harbor', 'meadow', 'canyon', 'comet', 'delta', 'forest', 'garden', 'island', 'lagoon', 'lantern', 'orchard', 'prairie', 'river', 'summit', 'tundra', 'valley', 'willow', 'atlas', 'beacon', 'bridge', 'compass', 'harvest', 'journal', 'sketch'];

export function randomDocName(random: () => number = Math.random): string {
  return `${pick(ADJECTIVES, random)}-${pick(NOUNS, random)}-${Math.floor(random() * 90) + 10}`;
}
