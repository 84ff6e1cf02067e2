/**
 * sendOwnPresenceOnly against a real server: a provider configured as the editor configures it
 * sends its own presence changes and nothing else, while a stock provider echoes every presence
 * message it receives. Both still see each other's cursors. It declares itself (OWN_PRESENCE_PARAM),
 * and the server then sends it the shared presence message, its own state included.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import { MessageType, OWN_PRESENCE_PARAM } from '../../shared/protocol.js';
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js';
import { waitFor } from '../../server/test-support/wait-for.js';
import { sendOwnPresenceOnly } from './own-presence-only.js';

/** A provider whose socket counts the awareness messages it sends, and which notes the client ids in those it receives. */
function connect(server: TestServer, docName: string, ownOnly: boolean): { provider: WebsocketProvider; presenceSent: () => number; idsReceived: number[][] } {
  let sent = 0;
  class CountingSocket extends WebSocket {
    override send(data: Parameters<WebSocket['send']>[0], ...rest: unknown[]): void {
      if (data instanceof Uint8Array && data[0] === MessageType.awareness) sent++;
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  const provider = new WebsocketProvider(server.wsUrl, docName, new Y.Doc(), {
    WebSocketPolyfill: CountingSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: false,
  });
  if (ownOnly) sendOwnPresenceOnly(provider);
  const idsReceived: number[][] = [];
  const applyAwareness = provider.messageHandlers[MessageType.awareness]!;
  provider.messageHandlers[MessageType.awareness] = (encoder, decoder, ...rest) => {
    const update = decoding.createDecoder(decoding.readVarUint8Array(decoding.clone(decoder)));
    idsReceived.push(
      Array.from({ length: decoding.readVarUint(update) }, () => {
        const id = decoding.readVarUint(update);
        decoding.readVarUint(update);
        decoding.readVarString(update);
        return id;
      }),
    );
    applyAwareness(encoder, decoder, ...rest);
  };
  provider.connect();
  return { provider, presenceSent: () => sent, idsReceived };
}

describe('sendOwnPresenceOnly', () => {
  let server: TestServer;
  const providers: WebsocketProvider[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => {
    for (const provider of providers.splice(0)) provider.destroy();
  });
  afterAll(() => server.dispose());

  it("sends this client's own presence changes and none of the others' it receives, where a stock provider echoes each", async () => {
    const mover = connect(server, 'carets', false);
    const editor = connect(server, 'carets', true);
    const stock = connect(server, 'carets', false);
    providers.push(mover.provider, editor.provider, stock.provider);
    await waitFor(() => providers.every((provider) => provider.synced), { message: 'all synced' });
    editor.provider.awareness.setLocalStateField('cursor', 'editor');
    const moverId = mover.provider.awareness.clientID;
    await waitFor(() => mover.provider.awareness.getStates().get(editor.provider.awareness.clientID)?.cursor === 'editor', {
      message: "the editor's own presence reached the others",
    });
    const editorBefore = editor.presenceSent();
    const stockBefore = stock.presenceSent();

    const MOVES = 5;
    for (let move = 1; move <= MOVES; move++) {
      mover.provider.awareness.setLocalStateField('cursor', move);
      await waitFor(
        () => [editor, stock].every(({ provider }) => provider.awareness.getStates().get(moverId)?.cursor === move),
        { message: `move ${move} seen by both` },
      );
    }
    // The stock provider sent each move straight back; the editor's sent nothing.
    await waitFor(() => stock.presenceSent() - stockBefore >= MOVES, { message: 'the stock provider echoed every move' });
    expect(editor.presenceSent()).toBe(editorBefore);

    editor.provider.awareness.setLocalStateField('cursor', 'moved');
    await waitFor(() => editor.presenceSent() === editorBefore + 1, { message: 'its own change sent' });
    await waitFor(() => stock.provider.awareness.getStates().get(editor.provider.awareness.clientID)?.cursor === 'moved', {
      message: "the editor's own change reached the others",
    });
  });

  it('still tells the others when this client leaves', async () => {
    const watcher = connect(server, 'leaving', false);
    const editor = connect(server, 'leaving', true);
    providers.push(watcher.provider);
    await waitFor(() => watcher.provider.synced && editor.provider.synced, { message: 'both synced' });
    editor.provider.awareness.setLocalStateField('cursor', 1);
    const id = editor.provider.awareness.clientID;
    await waitFor(() => watcher.provider.awareness.getStates().has(id), { message: 'presence arrived' });
    editor.provider.awareness.setLocalState(null);
    await waitFor(() => !watcher.provider.awareness.getStates().has(id), { message: 'removal arrived' });
    editor.provider.destroy();
  });

  it('declares itself to the server, which then sends it its own presence changes back with the others (a stock provider is sent none of its own)', async () => {
    const watcher = connect(server, 'declared', false);
    const editor = connect(server, 'declared', true);
    const stock = connect(server, 'declared', false);
    providers.push(watcher.provider, editor.provider, stock.provider);
    expect(new URL(editor.provider.url).searchParams.get(OWN_PRESENCE_PARAM)).toBe('1');
    expect(new URL(stock.provider.url).searchParams.get(OWN_PRESENCE_PARAM)).toBeNull();
    await waitFor(() => providers.every((provider) => provider.synced), { message: 'all synced' });
    const editorId = editor.provider.awareness.clientID;
    const stockId = stock.provider.awareness.clientID;
    const seenBy = (client: { provider: WebsocketProvider }, id: number, cursor: string) => () =>
      client.provider.awareness.getStates().get(id)?.cursor === cursor;

    editor.provider.awareness.setLocalStateField('cursor', 'e1');
    await waitFor(seenBy(watcher, editorId, 'e1'), { message: "the editor's move reached the watcher" });
    await waitFor(() => editor.idsReceived.some((ids) => ids.includes(editorId)), { message: 'the editor was sent its own state' });
    expect(editor.provider.awareness.getLocalState()?.cursor).toBe('e1');

    stock.provider.awareness.setLocalStateField('cursor', 's1');
    await waitFor(seenBy(watcher, stockId, 's1'), { message: "the stock client's move reached the watcher" });
    // Presence leaves in order: once the editor's next move reaches the stock client, anything
    // sent to it for its own move came before.
    editor.provider.awareness.setLocalStateField('cursor', 'e2');
    await waitFor(seenBy(stock, editorId, 'e2'), { message: "the editor's next move reached the stock client" });
    expect(stock.idsReceived.flat()).not.toContain(stockId);
  });
});
