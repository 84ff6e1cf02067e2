/**
 * A stock WebsocketProvider client that pushes numbered items into a Y.Array, one transaction per
 * item, and knows which items the server acknowledged as saved (saved-ack frames count the
 * update-bearing messages of the current connection). It can move to another server keeping its
 * Y.Doc, as a client behind a load balancer does when its server dies.
 */
import * as Y from 'yjs';
import { connectClient, type TestClient } from './test-client.js';

export class AckedWriter {
  readonly doc = new Y.Doc();
  readonly #docName: string;
  readonly #label: string;
  #client: TestClient;
  #next = 0;
  /** Items sent on the current connection, with the saved count that acknowledges each. */
  #unconfirmed: { item: string; needed: number }[] = [];
  readonly #acked = new Set<string>();

  constructor(wsUrl: string, docName: string, label: string) {
    this.#docName = docName;
    this.#label = label;
    this.#client = connectClient(wsUrl, docName, { saveAck: true, doc: this.doc });
  }

  get client(): TestClient {
    return this.#client;
  }

  /** Every item pushed so far. */
  get written(): string[] {
    return Array.from({ length: this.#next }, (_, n) => `${this.#label}-${n}`);
  }

  push(): void {
    const item = `${this.#label}-${this.#next++}`;
    this.doc.getArray<string>('items').push([item]);
    this.#unconfirmed.push({ item, needed: this.#client.sentUpdateMessages });
  }

  /** Items the server has acknowledged as saved (at least these; a late ack frame may add more). */
  acked(): string[] {
    const saved = this.#client.savedCount;
    this.#unconfirmed = this.#unconfirmed.filter(({ item, needed }) => {
      if (needed > saved) return true;
      this.#acked.add(item);
      return false;
    });
    return [...this.#acked];
  }

  /**
   * Reconnects to another server with the same document state. Acks of the old connection are
   * read first; what it sent without an ack is simply unacknowledged (the client resends it).
   */
  moveTo(wsUrl: string): void {
    this.acked();
    this.#unconfirmed = [];
    // The provider only: the Y.Doc goes on to the next connection.
    this.#client.provider.destroy();
    this.#client = connectClient(wsUrl, this.#docName, { saveAck: true, doc: this.doc });
  }

  destroy(): void {
    this.#client.destroy();
  }
}
