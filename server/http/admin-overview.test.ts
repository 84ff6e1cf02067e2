/**
 * The overview's document list: connections grouped under their documents (loaded or still
 * loading), busiest first, capped per document and in number of documents, with totals over all.
 */
import { describe, expect, it } from 'vitest';
import type { ConnectionSummary } from '../../shared/admin-overview.js';
import { listDocuments } from './admin-overview.js';

function connection(id: number, doc: string): ConnectionSummary & { doc: string } {
  return { id: `c${id}`, doc, sub: `user-${id}`, name: null, access: 'read-write', connectedAt: new Date(0).toISOString(), remoteAddress: '127.0.0.1' };
}

describe('listDocuments', () => {
  it('lists the busiest documents first, keeps the oldest connections of each up to the cap, and counts everything', () => {
    const connections = [
      ...[1, 2, 3, 4, 5].map((id) => connection(id, 'busy')),
      connection(6, 'quiet'),
      connection(7, 'loading'),
      connection(8, 'loading'),
    ];
    const loaded = [
      { name: 'busy', leaseCount: 0 },
      { name: 'quiet', leaseCount: 1 },
      { name: 'lease-only', leaseCount: 2 },
    ];
    const { documents, total } = listDocuments(loaded, connections, { documents: 3, connectionsPerDocument: 3 });
    expect(total).toBe(4);
    expect(documents.map((doc) => [doc.name, doc.loaded, doc.connectionCount, doc.leases, doc.connections.map((c) => c.id)])).toEqual([
      ['busy', true, 5, 0, ['c1', 'c2', 'c3']],
      ['loading', false, 2, 0, ['c7', 'c8']],
      ['quiet', true, 1, 1, ['c6']],
    ]);
    expect(documents[0]!.connections[0]).not.toHaveProperty('doc');
  });

  it('lists at most 200 documents and 100 connections per document by default', () => {
    const connections = Array.from({ length: 150 }, (_, i) => connection(i, 'crowded'));
    const loaded = Array.from({ length: 250 }, (_, i) => ({ name: `doc-${String(i).padStart(3, '0')}`, leaseCount: 0 }));
    const { documents, total } = listDocuments(loaded, connections);
    expect(total).toBe(251);
    expect(documents).toHaveLength(200);
    expect(documents[0]!.name).toBe('crowded');
    expect(documents[0]!.connectionCount).toBe(150);
    expect(documents[0]!.connections).toHaveLength(100);
    expect(documents.at(-1)!.name).toBe('doc-198');
  });
});
