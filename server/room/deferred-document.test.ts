import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeferredDocument } from './deferred-document.js';

const EMPTY_STATE_VECTOR = Y.encodeStateVector(new Y.Doc());

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

  it('applies at once when a client asks for a difference, which needs the document', () => {
    const { content, applied } = setup();
    const known = new Y.Doc();
    known.getText('t').insert(0, 'x');
    const answer = content.answerSyncStep1(Y.encodeStateVector(known));
    expect(answer.onSent).toBeNull();
    expect(content.isApplied).toBe(true);
    expect(applied()).toBe(1);
    const { kind, update } = readSyncMessage(answer.replies[0]!);
    expect(kind).toEqual([0, 1]);
    const client = new Y.Doc();
    Y.applyUpdate(client, update);
    expect(client.getText('t').toString()).toBe('stored text');
  });
});

