import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { ClusterMessageError } from './cluster-message-error.js';
import {
  createMemberId,
  decodeClusterMessage,
  encodeClusterMessage,
  isMemberId,
  tryDecodeClusterMessage,
  type ClusterMessage,
} from './cluster-message.js';
import { seededRandom } from '../test-support/seeded-random.js';

const alice = createMemberId();
const bob = createMemberId();

function yjsUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

const samples: ClusterMessage[] = [
  { kind: 'update', sender: alice, seq: 0, update: yjsUpdate('hello') },
  { kind: 'awareness', sender: alice, seq: 1, update: Uint8Array.from([1, 2, 3]) },
  { kind: 'sync-request', sender: bob, seq: 2 ** 40, requestId: 7, stateVector: Y.encodeStateVector(new Y.Doc()) },
  { kind: 'sync-reply', sender: alice, seq: 300, to: bob, requestId: 7, update: yjsUpdate('catch up') },
  { kind: 'heartbeat', sender: bob, seq: Number.MAX_SAFE_INTEGER },
  { kind: 'revoke', sender: alice, seq: 5, revocation: { sub: 'alice', doc: 'notes', before: 1_700_000_000_123 } },
  { kind: 'revoke', sender: alice, seq: 6, revocation: { sub: 'ünïcode ✓', before: 1 } },
  { kind: 'revoke', sender: alice, seq: 7, revocation: { doc: 'notes', before: 0 } },
  { kind: 'revoke', sender: alice, seq: 8, revocation: { before: 2 } },
  { kind: 'leave', sender: bob, seq: 9 },
  { kind: 'delete-begin', sender: alice, seq: 10, deleteId: 1, doc: 'notes' },
  { kind: 'delete-ack', sender: bob, seq: 11, to: alice, deleteId: 1 },
  { kind: 'delete-end', sender: alice, seq: 12, deleteId: 2 ** 33, doc: 'ünïcode.doc' },
];

function errorOf(bytes: Uint8Array): ClusterMessageError {
  const result = tryDecodeClusterMessage(bytes);
  if (result.ok) throw new Error(`decoded ${result.message.kind} from ${Buffer.from(bytes).toString('hex')}`);
  expect(result.error).toBeInstanceOf(ClusterMessageError);
  return result.error;
}

describe('cluster message encoding', () => {
  it('member ids are 32 lowercase hex characters, different per call', () => {
    expect(isMemberId(alice)).toBe(true);
    expect(alice).not.toBe(bob);
    expect(isMemberId('A'.repeat(32))).toBe(false);
  });

  it('round-trips every kind with its payload', () => {
    for (const message of samples) {
      const decoded = decodeClusterMessage(encodeClusterMessage(message));
      expect(decoded, message.kind).toEqual(message);
    }
  });

  it('carries a real Yjs update that applies on another document', () => {
    const decoded = decodeClusterMessage(encodeClusterMessage(samples[0]!));
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (decoded as { update: Uint8Array }).update);
    expect(doc.getText('t').toString()).toBe('hello');
  });

  it('adds 20 bytes to a small update at seq < 128 (version, kind, sender, seq, length)', () => {
    const update = yjsUpdate('x');
    const encoded = encodeClusterMessage({ kind: 'update', sender: alice, seq: 5, update });
    expect(encoded.length - update.length).toBe(1 + 1 + 16 + 1 + 1);
  });

  it('refuses to encode what could not be decoded: bad ids, negative or fractional numbers, empty updates, long text', () => {
    expect(() => encodeClusterMessage({ kind: 'heartbeat', sender: 'alice', seq: 1 })).toThrow(TypeError);
    expect(() => encodeClusterMessage({ kind: 'heartbeat', sender: alice, seq: -1 })).toThrow(TypeError);
    expect(() => encodeClusterMessage({ kind: 'heartbeat', sender: alice, seq: 1.5 })).toThrow(TypeError);
    expect(() => encodeClusterMessage({ kind: 'update', sender: alice, seq: 1, update: new Uint8Array(0) })).toThrow(TypeError);
    expect(() => encodeClusterMessage({ kind: 'sync-reply', sender: alice, seq: 1, to: 'bob', requestId: 1, update: yjsUpdate('x') })).toThrow(TypeError);
    expect(() => encodeClusterMessage({ kind: 'revoke', sender: alice, seq: 1, revocation: { sub: 'x'.repeat(1025), before: 1 } })).toThrow(TypeError);
    expect(() => encodeClusterMessage({ kind: 'revoke', sender: alice, seq: 1, revocation: { sub: '\ud800', before: 1 } })).toThrow(TypeError);
  });
});

describe('cluster message decoding refuses bad input with a typed error', () => {
  it('empty input', () => {
    expect(errorOf(new Uint8Array(0)).code).toBe('empty');
    expect(() => decodeClusterMessage(new Uint8Array(0))).toThrow(ClusterMessageError);
  });

  it('another version, an unknown kind', () => {
    const valid = encodeClusterMessage(samples[4]!);
    expect(errorOf(Uint8Array.from([2, ...valid.subarray(1)])).code).toBe('unsupported-version');
    expect(errorOf(Uint8Array.from([1, 10, ...valid.subarray(2)])).code).toBe('unknown-kind');
    expect(errorOf(Uint8Array.from([1, 255, ...valid.subarray(2)])).code).toBe('unknown-kind');
  });

  it('every truncation of every sample is malformed, never another exception', () => {
    for (const message of samples) {
      const encoded = encodeClusterMessage(message);
      for (let length = 1; length < encoded.length; length++) {
        expect(errorOf(encoded.subarray(0, length)).code, `${message.kind} cut at ${length}`).toBe('malformed');
      }
    }
  });

  it('bytes after a complete message', () => {
    for (const message of samples) {
      const encoded = encodeClusterMessage(message);
      expect(errorOf(Uint8Array.from([...encoded, 0])).code, message.kind).toBe('trailing-bytes');
    }
  });

  /** Hand-built frames: version 1, kind, a sender, then `rest`. */
  function frame(kind: number, write: (encoder: encoding.Encoder) => void): Uint8Array {
    const encoder = encoding.createEncoder();
    encoding.writeUint8(encoder, 1);
    encoding.writeUint8(encoder, kind);
    encoding.writeUint8Array(encoder, Buffer.from(alice, 'hex'));
    write(encoder);
    return encoding.toUint8Array(encoder);
  }

  it('a length beyond the input, an empty update, a seq past 2^53, unknown revoke flags, invalid UTF-8', () => {
    const longLength = frame(0, (e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, 1_000_000);
      encoding.writeUint8Array(e, Uint8Array.from([0, 0]));
    });
    expect(errorOf(longLength).message).toMatch(/1000000 bytes, 2 left/);
    const emptyUpdate = frame(0, (e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeVarUint(e, 0);
    });
    expect(errorOf(emptyUpdate).message).toMatch(/empty update/);
    // Nine continuation-bit bytes then a last byte: more than 53 bits.
    const hugeSeq = frame(4, (e) => encoding.writeUint8Array(e, Uint8Array.from([...new Array<number>(9).fill(0xff), 0x7f])));
    expect(errorOf(hugeSeq).code).toBe('malformed');
    const badFlags = frame(5, (e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeUint8(e, 4);
      encoding.writeVarUint(e, 1);
    });
    expect(errorOf(badFlags).message).toMatch(/revoke flags 4/);
    const badUtf8 = frame(5, (e) => {
      encoding.writeVarUint(e, 1);
      encoding.writeUint8(e, 1);
      encoding.writeVarUint8Array(e, Uint8Array.from([0xc3, 0x28]));
      encoding.writeVarUint(e, 1);
    });
    expect(errorOf(badUtf8).code).toBe('malformed');
  });

  it('seeded fuzz: random bytes and mutated samples decode or fail with a ClusterMessageError, never throw', () => {
    const random = seededRandom(20240601);
    let decoded = 0;
    for (let i = 0; i < 20_000; i++) {
      let bytes: Uint8Array;
      if (i % 2 === 0) {
        bytes = Uint8Array.from({ length: random.int(40) }, () => random.int(256));
      } else {
        bytes = Uint8Array.from(encodeClusterMessage(random.pick(samples)));
        for (let flips = 1 + random.int(3); flips > 0; flips--) bytes[random.int(bytes.length)] = random.int(256);
      }
      const result = tryDecodeClusterMessage(bytes);
      if (result.ok) decoded++;
      else expect(result.error).toBeInstanceOf(ClusterMessageError);
    }
    // Mutations in payload bytes keep messages well-formed: the fuzz reached the decoders.
    expect(decoded).toBeGreaterThan(100);
  });
});
