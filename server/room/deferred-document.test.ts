import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeferredDocument } from './deferred-document.js';

const EMPTY_STATE_VECTOR = new Map<number, number>();

/** A sync message's [type, subtype] and its update. */
function readSyncMessage(frame: Uint8Array): { kind: [number, number]; update: Uint8Array } {
  const decoder = decoding.createDecoder(frame);
  const kind: [number, number] = [decoding.readVarUint(decoder), decoding.readVarUint(decoder)];
  return { kind, update: decoding.readVarUint8Array(decoder) };
}

function storedUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

function setup(): { content: DeferredDocument; doc: Y.Doc; applied: () => number } {
  const doc = new Y.Doc();
  let applied = 0;
  const content = new DeferredDocument({ doc, storedState: [storedUpdate('stored text')], onApplied: () => applied++ });
  return { content, doc, applied: () => applied };
}

describe('DeferredDocument', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers an empty state vector with the stored bytes and applies them only after that answer has left', () => {
    const { content, doc, applied } = setup();
    content.applySoon();
    const answer = content.answerSyncStep1(EMPTY_STATE_VECTOR);
    // The answer is the stored state as is, ending with a sync step 2.
    expect(readSyncMessage(answer.replies.at(-1)!).kind).toEqual([0, 1]);
    expect(answer.onSent).not.toBeNull();
    vi.advanceTimersByTime(500);
    expect(content.isApplied).toBe(false);
    expect(doc.getText('t').toString()).toBe('');

    answer.onSent!();
    vi.advanceTimersByTime(0);
    expect(content.isApplied).toBe(true);
    expect(applied()).toBe(1);
    expect(doc.getText('t').toString()).toBe('stored text');
  });

  it('waits for every answer in flight, and calling onSent twice counts once', () => {
    const { content } = setup();
    const first = content.answerSyncStep1(EMPTY_STATE_VECTOR);
    const second = content.answerSyncStep1(EMPTY_STATE_VECTOR);
    first.onSent!();
    first.onSent!();
    vi.advanceTimersByTime(100);
    expect(content.isApplied).toBe(false);
    second.onSent!();
    vi.advanceTimersByTime(0);
    expect(content.isApplied).toBe(true);
  });

  it('applies anyway once an answer has been in flight for a second (a client that does not read)', () => {
    const { content } = setup();
    content.applySoon();
    content.answerSyncStep1(EMPTY_STATE_VECTOR);
    vi.advanceTimersByTime(900);
    expect(content.isApplied).toBe(false);
    vi.advanceTimersByTime(200);
    expect(content.isApplied).toBe(true);
  });

  it('applies at once when a client sends a state vector, which needs the document', () => {
    const { content, applied } = setup();
    const known = new Y.Doc();
    known.getText('t').insert(0, 'x');
    const answer = content.answerSyncStep1(Y.decodeStateVector(Y.encodeStateVector(known)));
    expect(answer.onSent).toBeNull();
    expect(content.isApplied).toBe(true);
    expect(applied()).toBe(1);
    const { kind, update } = readSyncMessage(answer.replies[0]!);
    expect(kind).toEqual([0, 1]);
    const client = new Y.Doc();
    Y.applyUpdate(client, update);
    expect(client.getText('t').toString()).toBe('stored text');
  });

  it('answers state vectors naming made-up clients with the one cached full state', () => {
    const { content, doc } = setup();
    const full = content.answerSyncStep1(EMPTY_STATE_VECTOR).replies;
    const fake = content.answerSyncStep1(new Map([[0x7fff_0001, 5], [0x7fff_0002, 1_000_000]])).replies;
    expect(fake).toBe(full);
    // A client the document has, at clock 0, asks for nothing more than an absent entry.
    expect(content.answerSyncStep1(new Map([[doc.clientID, 0], [0x7fff_0003, 9]])).replies).toBe(full);
  });

  it('answers a real difference as Yjs does, caches it until the document changes, and clamps clocks', () => {
    const { content, doc } = setup();
    const writer = new Y.Doc();
    Y.applyUpdate(writer, Y.encodeStateAsUpdate(content.doc));
    const clientHas = Y.decodeStateVector(Y.encodeStateVector(writer));
    writer.getText('t').insert(0, 'more ');
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(writer));
    content.changed();

    const answer = content.answerSyncStep1(clientHas).replies;
    expect(readSyncMessage(answer[0]!).update).toEqual(Y.encodeStateAsUpdate(doc, Y.encodeStateVector(clientHas)));
    expect(content.answerSyncStep1(new Map(clientHas)).replies).toBe(answer);
    // A clock beyond what the document holds asks for the same as the document's own clock.
    const ahead = new Map(clientHas);
    const [storedClient] = [...clientHas.keys()];
    ahead.set(storedClient!, clientHas.get(storedClient!)! + 1_000);
    expect(content.answerSyncStep1(ahead).replies).toBe(answer);

    content.changed();
    const fresh = content.answerSyncStep1(clientHas).replies;
    expect(fresh).not.toBe(answer);
    expect(fresh).toEqual(answer);
  });
});
