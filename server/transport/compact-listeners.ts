/**
 * Node 20 keeps an EventEmitter's listeners in a null-prototype object that V8 holds as a hash
 * table: once a WebSocket has the peer's four listeners, that table is ~256 bytes. A
 * null-prototype object made from `{}` stays a plain fast object with the same keys (~60 bytes).
 * The listeners and how EventEmitter reads them are unchanged; only the container differs, and
 * only while the emitter has none yet (so nothing is lost). Idle connections add up.
 */
import type { EventEmitter } from 'node:events';

/** The EventEmitter fields this relies on (stable since Node 0.x, used by Node's own streams). */
interface EmitterInternals {
  _events?: object;
  _eventsCount?: number;
}

export function compactListeners(emitter: EventEmitter): void {
  const internals = emitter as unknown as EmitterInternals;
  if (internals._eventsCount !== 0 || internals._events === undefined) return;
  internals._events = Object.setPrototypeOf({}, null) as object;
}
