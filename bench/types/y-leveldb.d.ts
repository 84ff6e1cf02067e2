/**
 * The part of y-leveldb 0.1.x (a dependency of @y/websocket-server) the harness uses; its own
 * declarations are not reachable through its package "exports".
 */
declare module 'y-leveldb' {
  import type * as Y from 'yjs';

  export interface LevelBatchOperation {
    type: 'put';
    key: (string | number)[];
    value: Uint8Array;
  }

  export interface YLevelDb {
    batch(operations: LevelBatchOperation[]): Promise<void>;
  }

  export class LeveldbPersistence {
    constructor(location: string);
    storeUpdate(docName: string, update: Uint8Array): Promise<number>;
    getYDoc(docName: string): Promise<Y.Doc>;
    destroy(): Promise<void>;
    /** y-leveldb's write queue; "private", but the only way to its database handle. */
    _transact<T>(f: (db: YLevelDb) => Promise<T>): Promise<T>;
  }
}
