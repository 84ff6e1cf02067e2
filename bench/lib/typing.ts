/**
 * Deterministic typing histories: a seeded author types into a Y.Text, one transaction (so one
 * Yjs update) per keystroke — mostly characters at the cursor, some backspaces, and the cursor
 * jumping now and then — as an editor would produce them.
 */
import * as Y from 'yjs';

export interface TypingHistory {
  /** One update per keystroke, in order. */
  updates: Uint8Array[];
  /** The text after the last keystroke. */
  content: string;
  /** The author's document after the last keystroke, as one update. */
  finalState: Uint8Array;
}

/** mulberry32: small, fast, good enough to make runs repeatable. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'etaoinshrdlcumwfgypbvkjxqz      ,.\n';

export function generateTyping(keystrokes: number, seed = 42): TypingHistory {
  const random = createRandom(seed);
  const doc = new Y.Doc();
  doc.clientID = 1;
  const text = doc.getText('t');
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  let cursor = 0;
  for (let i = 0; i < keystrokes; i++) {
    const r = random();
    if (r < 0.02 && text.length > 0) {
      cursor = Math.floor(random() * (text.length + 1));
      // A jump is not a keystroke on its own; type one character where the cursor landed.
    }
    if (r >= 0.02 && r < 0.08 && cursor > 0) {
      text.delete(cursor - 1, 1);
      cursor -= 1;
    } else {
      text.insert(cursor, ALPHABET[Math.floor(random() * ALPHABET.length)]!);
      cursor += 1;
    }
  }
  const content = text.toString();
  const finalState = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return { updates, content, finalState };
}

/** `bytes` of plain prose-like text, for large documents. */
export function generateText(bytes: number, seed = 7): string {
  const random = createRandom(seed);
  const words = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'tandem', 'editor', 'yjs', 'document', 'sync', 'server', 'client'];
  let out = '';
  while (out.length < bytes) {
    out += words[Math.floor(random() * words.length)]!;
    out += random() < 0.08 ? '.\n' : ' ';
  }
  return out.slice(0, bytes);
}
