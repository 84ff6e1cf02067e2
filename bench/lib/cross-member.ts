/**
 * Where cluster clients go and proof that edits cross members before anything is measured. A
 * cluster whose members do not exchange edits (a build that ignores its cluster flags, a broken
 * subscription) must fail the scenario with a message saying so, not report the CPU or latency
 * of isolated processes as a cluster figure.
 */
import type { BenchClient } from '../clients/bench-client.js';
import type { ServerHandle } from '../servers/server-process.js';
import { DeadlineError, waitFor } from './wait.js';

/** Client `index` of a document goes to member (index + offset) mod N: every member gets some. */
export function memberFor(members: readonly ServerHandle[], index: number, offset = 0): ServerHandle {
  return members[(index + offset) % members.length]!;
}

export interface PlacedDocument {
  name: string;
  clients: readonly BenchClient[];
  /** Index of the member each client is connected to, parallel to `clients`. */
  memberOf: readonly number[];
}

/**
 * One client per distinct member of each document types one character; waits until every client
 * of every document has all of them and the same text. Throws naming the document, the member
 * and what it lacks when that does not happen within `timeoutMs`.
 */
export async function verifyCrossMemberDelivery(documents: readonly PlacedDocument[], timeoutMs: number): Promise<number> {
  const expected = documents.map((document) => {
    const writers = new Map<number, BenchClient>();
    document.clients.forEach((client, i) => {
      if (!writers.has(document.memberOf[i]!)) writers.set(document.memberOf[i]!, client);
    });
    const base = document.clients[0]!.text.length;
    for (const writer of writers.values()) writer.text.insert(writer.text.length, 'p');
    return base + writers.size;
  });
  const hasConverged = (document: PlacedDocument, d: number): boolean => {
    const first = document.clients[0]!.text.toString();
    return first.length === expected[d] && document.clients.every((client) => client.text.toString() === first);
  };
  try {
    return await waitFor(() => documents.every(hasConverged), { timeoutMs, intervalMs: 10, message: '' });
  } catch (error) {
    if (!(error instanceof DeadlineError)) throw error;
    const d = documents.findIndex((document, i) => !hasConverged(document, i));
    const document = documents[d]!;
    const lengths = document.clients.map((client, i) => `member ${document.memberOf[i]}: ${client.text.length}`);
    throw new Error(
      `edits do not cross members: in '${document.name}', one edit from each member should give every client ${expected[d]} characters ` +
        `within ${timeoutMs} ms, but clients have ${lengths.join(', ')}`,
    );
  }
}

/** After a run: every client of a document holds the same text (throws naming the first that differs). */
export function assertConverged(documents: readonly PlacedDocument[]): void {
  for (const document of documents) {
    const first = document.clients[0]!.text.toString();
    const differs = document.clients.findIndex((client) => client.text.toString() !== first);
    if (differs >= 0) {
      throw new Error(
        `'${document.name}' did not converge: client on member ${document.memberOf[differs]} has ${document.clients[differs]!.text.length} characters, ` +
          `client on member ${document.memberOf[0]} has ${first.length}`,
      );
    }
  }
}
