/**
 * The bare relay: a reference for how low a y-websocket-protocol server's figures go on this
 * harness, not a peer and not a usable server. It does the least a relay must do, written the
 * obvious way on plain `ws`: it forwards each update as received to the others in the document,
 * with no integration, validation, storage, acknowledgement or limits, and answers "send me
 * everything" from a full state built once and cached until the next change. Awareness goes
 * through y-protocols' Awareness, as in every real server: stock clients send each awareness
 * change they receive straight back, and forwarding those echoes too multiplied every presence
 * renewal by the room's size. What it measures is mostly the cost of `ws`, Node and the clients,
 * which every server pays.
 *
 * A document's updates stay in memory (this is a short-lived reference process). At start it
 * reads nothing; a document's file `<dataDir>/<encoded name>.update` (one Yjs update), written
 * by the harness, is read when the document is first opened, so a "restart" costs one file read.
 *
 * Env: PORT, HOST (default 127.0.0.1), BARE_RELAY_DATA_DIR.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const SYNC_STEP1 = 0;
const SYNC_STEP2 = 1;
const SYNC_UPDATE = 2;

const port = Number(process.env.PORT ?? '1234');
const host = process.env.HOST ?? '127.0.0.1';
const dataDir = process.env.BARE_RELAY_DATA_DIR ?? null;

interface Room {
  peers: Set<WebSocket>;
  /** Updates not yet folded into `doc`; folded only when someone asks for a state. */
  pending: Uint8Array[];
  doc: Y.Doc;
  fullState: Uint8Array | null;
  awareness: awarenessProtocol.Awareness;
}

const rooms = new Map<string, Room>();

function openRoom(name: string): Room {
  let room = rooms.get(name);
  if (room) return room;
  const doc = new Y.Doc();
  const awareness = new awarenessProtocol.Awareness(doc);
  awareness.setLocalState(null);
  room = { peers: new Set(), pending: [], doc, fullState: null, awareness };
  const joined = room;
  awareness.on('update', ({ added, updated, removed }: AwarenessChange, origin: unknown) => {
    const changed = [...added, ...updated, ...removed];
    const message = awarenessMessage(awarenessProtocol.encodeAwarenessUpdate(awareness, changed));
    relay(joined, origin as WebSocket, message);
  });
  const file = dataDir ? path.join(dataDir, `${encodeURIComponent(name)}.update`) : null;
  if (file && existsSync(file)) room.pending.push(readFileSync(file));
  rooms.set(name, room);
  return room;
}

function stateOf(room: Room, stateVector: Uint8Array): Uint8Array {
  const [only, ...others] = room.pending;
  if (only && others.length === 0 && stateVector.length <= 1 && room.doc.store.clients.size === 0) {
    // Everything there is, as it was read or received: no need to build anything to send it.
    room.fullState ??= only;
    return room.fullState;
  }
  if (room.pending.length > 0) {
    const pending = room.pending;
    room.pending = [];
    Y.transact(room.doc, () => pending.forEach((update) => Y.applyUpdate(room.doc, update)));
  }
  if (stateVector.length > 1) return Y.encodeStateAsUpdate(room.doc, stateVector);
  room.fullState ??= Y.encodeStateAsUpdate(room.doc);
  return room.fullState;
}

interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

function awarenessMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

function syncMessage(subType: number, payload: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, subType);
  encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

function relay(room: Room, from: WebSocket, message: Uint8Array): void {
  for (const peer of room.peers) if (peer !== from) peer.send(message);
}

function onMessage(room: Room, socket: WebSocket, data: Uint8Array): void {
  const decoder = decoding.createDecoder(data);
  const type = decoding.readVarUint(decoder);
  if (type === MESSAGE_AWARENESS) {
    awarenessProtocol.applyAwarenessUpdate(room.awareness, decoding.readVarUint8Array(decoder), socket);
    return;
  }
  if (type !== MESSAGE_SYNC) return;
  const subType = decoding.readVarUint(decoder);
  const payload = decoding.readVarUint8Array(decoder);
  if (subType === SYNC_STEP1) {
    socket.send(syncMessage(SYNC_STEP2, stateOf(room, payload)));
    return;
  }
  if (subType !== SYNC_STEP2 && subType !== SYNC_UPDATE) return;
  if (payload.length <= 2) return; // an empty update: nothing to forward
  room.pending.push(payload);
  room.fullState = null;
  // A step 2 goes on as an update, so that it cannot count as the others' "synced".
  relay(room, socket, subType === SYNC_UPDATE ? data : syncMessage(SYNC_UPDATE, payload));
}

const http = createServer((_req, res) => res.end('bare relay\n'));
const wss = new WebSocketServer({ server: http });
wss.on('connection', (socket, request) => {
  const room = openRoom(decodeURIComponent((request.url ?? '/').slice(1).split('?')[0] ?? ''));
  room.peers.add(socket);
  socket.send(syncMessage(SYNC_STEP1, Y.encodeStateVector(room.doc)));
  socket.on('message', (data: RawData) => onMessage(room, socket, data as Uint8Array));
  socket.on('close', () => room.peers.delete(socket));
  // A reset connection: 'close' follows and removes it; without a listener the error would end the process.
  socket.on('error', () => socket.terminate());
});
http.listen(port, host, () => process.stdout.write(`bare relay listening on ${host}:${port}\n`));
process.on('SIGTERM', () => process.exit(0));
