/**
 * Seeds @y/websocket-server's storage offline with exactly what its server writes for a stream
 * of updates: y-leveldb's `storeUpdate` puts update i under ['v1', doc, 'update', i] and, for
 * the first one, the state vector under ['v1_sv', doc] as [varuint clock 0, varUint8Array sv].
 * The same records go in as LevelDB batches (storeUpdate one by one takes ~45 s for 200,000 on
 * the benchmark machine). Through the server there is no way to know when its queue has caught
 * up, and it has no SIGTERM handler to flush it.
 */
import { Buffer } from 'node:buffer';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { LeveldbPersistence, type LevelBatchOperation } from 'y-leveldb';

const BATCH = 10_000;

export async function seedYLeveldb(dataDir: string, docName: string, updates: readonly Uint8Array[]): Promise<void> {
  const persistence = new LeveldbPersistence(dataDir);
  try {
    const first = new Y.Doc();
    Y.applyUpdate(first, updates[0]!);
    const sv = encoding.createEncoder();
    encoding.writeVarUint(sv, 0);
    encoding.writeVarUint8Array(sv, Y.encodeStateVector(first));
    first.destroy();
    await persistence._transact(async (db) => {
      await db.batch([{ type: 'put', key: ['v1_sv', docName], value: Buffer.from(encoding.toUint8Array(sv)) }]);
      for (let i = 0; i < updates.length; i += BATCH) {
        const ops: LevelBatchOperation[] = [];
        for (let clock = i; clock < Math.min(i + BATCH, updates.length); clock++) {
          ops.push({ type: 'put', key: ['v1', docName, 'update', clock], value: Buffer.from(updates[clock]!) });
        }
        await db.batch(ops);
      }
    });
  } finally {
    await persistence.destroy();
  }
}

/** Reads the document back the way the server will (y-leveldb getYDoc), for checking a seed. */
export async function readYLeveldbText(dataDir: string, docName: string): Promise<string> {
  const persistence = new LeveldbPersistence(dataDir);
  try {
    const doc = await persistence.getYDoc(docName);
    return doc.getText('t').toString();
  } finally {
    await persistence.destroy();
  }
}
