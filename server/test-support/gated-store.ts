/**
 * Wraps a real DocumentStore to count loads and to hold compactions at a gate, so that a test can
 * act while a document is being unloaded (unload flushes, and a flush compacts); appends have a
 * gate of their own and a hook run as each is stored, so that a test can act while a write is in
 * flight or the moment it is durable. Every call still goes to the real store underneath; only
 * `load`, `compact` and `appendUpdates` are looked at.
 *
 * A DocumentWriter's compaction loads the document right before it compacts (to merge what other
 * writers stored), so rooms built from the store are the loads minus the compactions.
 */
import type { DocumentStore } from '../persistence/document-store.js';

export interface GatedStore {
  store: DocumentStore;
  /** store.load calls per document name. */
  loads: Map<string, number>;
  /** store.compact calls per document name (each preceded by a load). */
  compactions: Map<string, number>;
  /** Loads that built a room: loads not made by a compaction. */
  roomLoads(name: string): number;
  /** Compactions that have reached the gate and wait at it. */
  readonly waitingCompactions: number;
  /** From now on compactions wait at the gate until open(). */
  close(): void;
  open(): void;
  /** The appends' gate, and what runs as each append is stored (before the writer hears of it). */
  appends: AppendGate;
}

export interface AppendGate {
  /** Appends that have reached the gate and wait at it. */
  readonly waiting: number;
  afterAppend: (() => void) | null;
  /** From now on appends wait at the gate until open(). */
  close(): void;
  open(): void;
}

/** Calls wait at it while it is closed. */
class Gate {
  #closed: { promise: Promise<void>; open: () => void } | null = null;
  waiting = 0;

  async pass(): Promise<void> {
    if (!this.#closed) return;
    this.waiting++;
    await this.#closed.promise;
    this.waiting--;
  }

  close(): void {
    let open = (): void => undefined;
    const promise = new Promise<void>((resolve) => (open = resolve));
    this.#closed = { promise, open };
  }

  open(): void {
    this.#closed?.open();
    this.#closed = null;
  }
}

export function withGate(inner: DocumentStore): GatedStore {
  const loads = new Map<string, number>();
  const compactions = new Map<string, number>();
  const compactGate = new Gate();
  const appendGate = new Gate();
  const appends: AppendGate = {
    get waiting() {
      return appendGate.waiting;
    },
    afterAppend: null,
    close: () => appendGate.close(),
    open: () => appendGate.open(),
  };
  const store = new Proxy(inner, {
    get(target, property) {
      if (property === 'load') {
        return (name: string) => {
          loads.set(name, (loads.get(name) ?? 0) + 1);
          return target.load(name);
        };
      }
      if (property === 'compact') {
        return async (...args: Parameters<DocumentStore['compact']>) => {
          compactions.set(args[0], (compactions.get(args[0]) ?? 0) + 1);
          await compactGate.pass();
          return target.compact(...args);
        };
      }
      if (property === 'appendUpdates') {
        return async (...args: Parameters<DocumentStore['appendUpdates']>) => {
          await appendGate.pass();
          await target.appendUpdates(...args);
          appends.afterAppend?.();
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return {
    store,
    loads,
    compactions,
    roomLoads: (name) => (loads.get(name) ?? 0) - (compactions.get(name) ?? 0),
    get waitingCompactions() {
      return compactGate.waiting;
    },
    close: () => compactGate.close(),
    open: () => compactGate.open(),
    appends,
  };
}
