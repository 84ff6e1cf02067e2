/**
 * Wraps a real DocumentStore to count loads and to hold compactions at a gate, so that a test can
 * act while a document is being unloaded (unload flushes, and a flush compacts). Every call still
 * goes to the real store underneath; only `load` and `compact` are looked at.
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
}

export function withGate(inner: DocumentStore): GatedStore {
  const loads = new Map<string, number>();
  const compactions = new Map<string, number>();
  let gate: { promise: Promise<void>; open: () => void } | null = null;
  let waiting = 0;
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
          if (gate) {
            waiting++;
            await gate.promise;
            waiting--;
          }
          return target.compact(...args);
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
      return waiting;
    },
    close() {
      let open = (): void => undefined;
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
    },
    open() {
      gate?.open();
      gate = null;
    },
  };
}
