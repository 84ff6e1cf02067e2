/**
 * Stock y-websocket clients send every awareness change they receive straight back. Those echoes
 * (byte-identical to an awareness message we sent this peer recently) change nothing in the room,
 * so the peer charges them only towards the byte rate (or busy rooms would throttle every member)
 * and does not hand them to the room (judging one parses every state in it).
 *
 * A peer keeps the keys of the awareness messages it sent and that were not echoed yet, as a Set
 * that is null when empty (the usual idle state): these functions work on that field.
 */

/** Awareness messages sent to a peer that it may echo back; older ones are forgotten. */
const RECENT_AWARENESS = 128;
// Rooms encode one broadcast for all peers: compute its key once.
const awarenessKeys = new WeakMap<Uint8Array, string>();

function awarenessKey(bytes: Uint8Array): string {
  let key = awarenessKeys.get(bytes);
  if (key === undefined) {
    key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    awarenessKeys.set(bytes, key);
  }
  return key;
}

/** Notes an awareness message sent to the peer; returns the set to keep. */
export function rememberSentAwareness(sent: Set<string> | null, message: Uint8Array): Set<string> {
  const key = awarenessKey(message);
  const recent = sent ?? new Set<string>();
  recent.delete(key);
  recent.add(key);
  if (recent.size > RECENT_AWARENESS) recent.delete(recent.values().next().value!);
  return recent;
}

/** True when `frame` echoes a message we sent; each message we sent excuses one echo. */
export function takeAwarenessEcho(sent: Set<string> | null, frame: Buffer): boolean {
  if (!sent || sent.size === 0) return false;
  return sent.delete(frame.toString('latin1'));
}
