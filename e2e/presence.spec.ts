/**
 * Presence counts people, not tabs: the same user with the document open in two tabs shows as
 * one avatar to someone else, and as "you" (once) in each of their own tabs. The editor sends the
 * server only its own presence, never an echo of someone else's.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness.js';
import type { WebSocket as PageWebSocket } from 'playwright-core';
import * as decoding from 'lib0/decoding';
import { MessageType } from '../shared/protocol.js';
import { DEADLINE_MS, editor, openDocument, waitForText } from './support/editor-page.js';

const h = useHarness();

const isPresence = (payload: string | Buffer): payload is Buffer => typeof payload !== 'string' && payload[0] === MessageType.awareness;

/** The client ids in a presence frame (y-protocols' awareness update inside the message). */
function presenceClientIds(frame: Buffer): number[] {
  const message = decoding.createDecoder(new Uint8Array(frame));
  decoding.readVarUint(message);
  const update = decoding.createDecoder(decoding.readVarUint8Array(message));
  const ids: number[] = [];
  for (let count = decoding.readVarUint(update); count > 0; count--) {
    ids.push(decoding.readVarUint(update));
    decoding.readVarUint(update);
    decoding.readVarString(update);
  }
  return ids;
}

describe('presence', () => {
  it('shows a user with two tabs open as one avatar to a third viewer', async () => {
    const doc = `presence-${Date.now().toString(36)}`;
    const ada = await h.newUser('Ada Lovelace', '#e5484d');
    const adaSecondTab = await ada.context.newPage();
    const bob = await h.newUser('Bob Hopper', '#30a46c');
    await openDocument(ada.page, h.server.url, doc);
    await openDocument(adaSecondTab, h.server.url, doc);
    await openDocument(bob.page, h.server.url, doc);

    // Both of Ada's tabs are really connected: what one types, Bob sees, and so does the other.
    await editor(ada.page).click();
    await ada.page.keyboard.type('From tab one.');
    await waitForText(bob.page, (text) => text === 'From tab one.', 'tab one’s text at Bob');
    await waitForText(adaSecondTab, (text) => text === 'From tab one.', 'tab one’s text in tab two');
    // Bob has both of Ada's presence states, and shows them as one person.
    const adaAtBob = bob.page.getByTestId('presence-user').filter({ hasText: 'Ada Lovelace' });
    await expect.poll(() => adaAtBob.getAttribute('data-clients'), { timeout: DEADLINE_MS }).toBe('2');
    expect(await bob.page.getByTestId('presence-name').allTextContents()).toEqual(['Bob Hopper (you)', 'Ada Lovelace']);
    expect(await bob.page.getByTestId('presence-user').count()).toBe(2);
    expect(await bob.page.getByTestId('presence-list').getAttribute('aria-label')).toBe('2 people in this document');
    // In each of Ada's tabs she is "you" once, next to Bob.
    for (const page of [ada.page, adaSecondTab]) {
      await expect.poll(() => page.getByTestId('presence-name').allTextContents(), { timeout: DEADLINE_MS }).toEqual(['Ada Lovelace (you)', 'Bob Hopper']);
    }

    // Closing one of Ada's tabs leaves her present through the other.
    await adaSecondTab.close();
    await expect.poll(() => adaAtBob.getAttribute('data-clients'), { timeout: DEADLINE_MS }).toBe('1');
    expect(await bob.page.getByTestId('presence-name').allTextContents()).toEqual(['Bob Hopper (you)', 'Ada Lovelace']);
  });

  it("sends the server only its own presence: another person's caret moves come in, none go back out", async () => {
    const doc = `presence-echo-${Date.now().toString(36)}`;
    const ada = await h.newUser('Ada Lovelace', '#e5484d');
    const bob = await h.newUser('Bob Hopper', '#30a46c');
    // The client ids each presence frame carries, in what Ada's page sent and received, and in what Bob's sent.
    const sent: number[][] = [];
    const received: number[][] = [];
    const bobSent: number[][] = [];
    ada.page.on('websocket', (socket: PageWebSocket) => {
      socket.on('framesent', ({ payload }) => void (isPresence(payload) && sent.push(presenceClientIds(payload))));
      socket.on('framereceived', ({ payload }) => void (isPresence(payload) && received.push(presenceClientIds(payload))));
    });
    bob.page.on('websocket', (socket: PageWebSocket) => {
      socket.on('framesent', ({ payload }) => void (isPresence(payload) && bobSent.push(presenceClientIds(payload))));
    });
    await openDocument(ada.page, h.server.url, doc);
    await openDocument(bob.page, h.server.url, doc);
    await expect.poll(() => ada.page.getByTestId('presence-user').count(), { timeout: DEADLINE_MS }).toBe(2);
    const receivedBefore = received.length;

    // Bob's caret moves with every keystroke, and each move reaches Ada.
    await editor(bob.page).click();
    await bob.page.keyboard.type('Carets move.', { delay: 20 });
    await waitForText(ada.page, (text) => text === 'Carets move.', 'Bob’s text at Ada');
    await expect.poll(() => received.length - receivedBefore, { timeout: DEADLINE_MS }).toBeGreaterThanOrEqual(5);
    // Ada's page sends its own state (her caret follows the text), but never Bob's back: a stock
    // y-websocket provider would have echoed every one of his moves. (The server may send Ada her
    // own state back with Bob's: her page declares it does not echo, ownPresence=1.)
    const bobs = new Set(bobSent.flat());
    expect(bobs.size).toBe(1);
    expect(received.flat().filter((id) => bobs.has(id)).length).toBeGreaterThanOrEqual(5);
    const own = new Set(sent.flat());
    expect(own.size).toBe(1);
    expect([...own].filter((id) => bobs.has(id))).toEqual([]);
  });
});
