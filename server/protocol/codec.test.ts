import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import { decodeClientMessage, MAX_STATE_VECTOR_ENTRIES } from './codec.js';
import { ProtocolError } from './protocol-error.js';

function syncMessage(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  write(encoder);
  return encoding.toUint8Array(encoder);
}

function docUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

function expectRefused(bytes: Uint8Array, code: string, closeCode: number): void {
  try {
    decodeClientMessage(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe(code);
    expect((error as ProtocolError).closeCode).toBe(closeCode);
    return;
  }
  throw new Error(`expected ${code} for ${Buffer.from(bytes).toString('hex')}`);
}

describe('decodeClientMessage', () => {
  it('decodes the four y-websocket client messages', () => {
    const doc = new Y.Doc();
    const update = docUpdate('hi');
    expect(decodeClientMessage(syncMessage((e) => syncProtocol.writeSyncStep1(e, doc))).kind).toBe('sync-step1');
    const step2 = decodeClientMessage(syncMessage((e) => syncProtocol.writeSyncStep2(e, doc)));
    expect(step2.kind).toBe('sync-step2');
    const decoded = decodeClientMessage(syncMessage((e) => syncProtocol.writeUpdate(e, update)));
    expect(decoded).toEqual({ kind: 'sync-update', update, createsTypes: false });
    const withType = new Y.Doc();
    withType.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')]);
    const typeUpdate = Y.encodeStateAsUpdate(withType);
    expect(decodeClientMessage(syncMessage((e) => syncProtocol.writeUpdate(e, typeUpdate)))).toEqual({
      kind: 'sync-update',
      update: typeUpdate,
      createsTypes: true,
    });
    const awareness = new awarenessProtocol.Awareness(doc);
    awareness.setLocalState({ user: { name: 'a' } });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, [doc.clientID]));
    expect(decodeClientMessage(encoding.toUint8Array(encoder)).kind).toBe('awareness');
    expect(decodeClientMessage(Uint8Array.of(3)).kind).toBe('query-awareness');
    awareness.destroy();
  });

  it('decodes an overlong varint message type to the same type (no first-byte tricks)', () => {
    const update = docUpdate('x');
    const normal = syncMessage((e) => syncProtocol.writeUpdate(e, update));
    // 0x80 0x00 is an overlong encoding of 0 (sync); 0x82 0x00 of 2 (update).
    const overlong = Uint8Array.from([0x80, 0x00, 0x82, 0x00, ...normal.subarray(2)]);
    expect(decodeClientMessage(overlong)).toEqual({ kind: 'sync-update', update, createsTypes: false });
  });

  it('refuses empty frames, unknown types, server-only types and trailing bytes', () => {
    expectRefused(new Uint8Array(0), 'empty-message', 1007);
    expectRefused(Uint8Array.of(9), 'unknown-message-type', 1003);
    expectRefused(Uint8Array.of(0, 7), 'unknown-message-type', 1003);
    expectRefused(Uint8Array.of(2, 0), 'server-only-message', 1002);
    expectRefused(Uint8Array.of(100, 5), 'server-only-message', 1002);
    expectRefused(Uint8Array.of(3, 3), 'trailing-bytes', 1007);
  });

  it('refuses zero-length, truncated and corrupt updates before anything applies them', () => {
    expectRefused(syncMessage((e) => syncProtocol.writeUpdate(e, new Uint8Array(0))), 'empty-update', 1007);
    const update = docUpdate('hello world');
    for (let cut = 1; cut < update.length; cut++) {
      const truncated = update.subarray(0, cut);
      expect(() => decodeClientMessage(syncMessage((e) => syncProtocol.writeUpdate(e, truncated)))).toThrow(ProtocolError);
    }
    // Declared length beyond what remains in the frame.
    expectRefused(Uint8Array.of(0, 2, 50, 1, 2, 3), 'malformed-message', 1007);
    // Awareness with a state that is not JSON.
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    const inner = encoding.createEncoder();
    encoding.writeVarUint(inner, 1);
    encoding.writeVarUint(inner, 42);
    encoding.writeVarUint(inner, 1);
    encoding.writeVarString(inner, '{not json');
    encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner));
    expectRefused(encoding.toUint8Array(encoder), 'malformed-message', 1007);
  });

  it('decodes a state vector to a map, and refuses oversized, truncated and trailing-garbage ones', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'abc');
    const step1 = decodeClientMessage(syncMessage((e) => syncProtocol.writeSyncStep1(e, doc)));
    expect(step1).toEqual({ kind: 'sync-step1', stateVector: new Map([[doc.clientID, 3]]) });
    const stateVector = (write: (inner: encoding.Encoder) => void): Uint8Array =>
      syncMessage((e) => {
        encoding.writeVarUint(e, 0);
        const inner = encoding.createEncoder();
        write(inner);
        encoding.writeVarUint8Array(e, encoding.toUint8Array(inner));
      });
    const entries = (count: number, declared = count) =>
      stateVector((inner) => {
        encoding.writeVarUint(inner, declared);
        for (let i = 0; i < count; i++) {
          encoding.writeVarUint(inner, i + 1);
          encoding.writeVarUint(inner, 1);
        }
      });
    expect(decodeClientMessage(entries(MAX_STATE_VECTOR_ENTRIES)).kind).toBe('sync-step1');
    // Refused from the declared count alone, before any entry is read.
    expectRefused(entries(0, MAX_STATE_VECTOR_ENTRIES + 1), 'state-vector-too-large', 1009);
    expectRefused(entries(2, 3), 'malformed-message', 1007);
    expectRefused(stateVector((inner) => {
      encoding.writeVarUint(inner, 1);
      encoding.writeVarUint(inner, 7);
      encoding.writeVarUint(inner, 1);
      encoding.writeVarUint(inner, 99);
    }), 'malformed-message', 1007);
  });

  it('never hangs or throws anything but ProtocolError on seeded random garbage', () => {
    let seed = 0x2f6b_1d3a;
    const random = (): number => {
      // xorshift32: deterministic, so a failure reproduces.
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x1_0000_0000;
    };
    const valid = syncMessage((e) => syncProtocol.writeUpdate(e, docUpdate('the quick brown fox')));
    let refused = 0;
    for (let i = 0; i < 5_000; i++) {
      const bytes = Uint8Array.from(valid);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      try {
        decodeClientMessage(bytes.subarray(0, 1 + Math.floor(random() * bytes.length)));
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(1_000);
  });
});
