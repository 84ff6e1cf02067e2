/**
 * createEditor: a collaborative TipTap editor bound to one Tandem document.
 *
 * Data flow: the Y.Doc is the source of truth. TipTap edits it through the Collaboration
 * extension; y-websocket syncs it with the server (and other tabs); y-indexeddb keeps a local
 * copy so edits survive a reload while offline. Every update-bearing frame the provider sends is
 * counted by the socket and matched against the server's saved acknowledgements (SaveTracker),
 * which drives "All changes saved" / "Unsaved changes"; the same frames and acks tell the
 * liveness watchdog (liveness/) whether the server still answers. The token session (tokens/) keeps the
 * provider's `?token=` fresh; a new token means a new connection, never a new document. Each
 * connection is a WebSocket or, where those do not get through, the HTTP fallback behind a
 * WebSocket-shaped adapter (transport/): the provider and all of the above work the same on both.
 */
import { Editor } from '@tiptap/core';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { IndexeddbPersistence } from 'y-indexeddb';
import * as decoding from 'lib0/decoding';
import { isValidDocName } from '../shared/doc-name.js';
import { createSchemaExtensions } from '../shared/editor-schema.js';
import { MessageType, SAVE_ACK_PARAM } from '../shared/protocol.js';
import { createCountingWebSocket } from './counting-web-socket.js';
import { createEditorChrome, type EditorChrome } from './editor-chrome.js';
import { createEditorHistory } from './history/editor-history.js';
import { trackConnection, type EditorStatus } from './editor-status.js';
import { createCollaborationExtensions } from './extensions/collaboration-extensions.js';
import { LinkShortcut } from './extensions/link-shortcut.js';
import { watchWebSocketLiveness } from './liveness/web-socket-liveness.js';
import { isValidColor, pick, randomUserId, USER_COLORS } from './identity.js';
import { peopleIn, type PresentPerson } from './presence-people.js';
import { SaveTracker } from './save-tracker.js';
import { installStyles } from './styles/install-styles.js';
import { accessFromToken, subjectFromToken } from './tokens/token-access.js';
import { createTokenSession } from './tokens/token-session.js';
import { HttpWebSocket } from './transport/http-web-socket.js';
import { createTransportSelector } from './transport/transport-selector.js';
import { sendOwnPresenceOnly } from './transport/own-presence-only.js';
import { format, resolveStrings } from './ui/strings.js';
import type { CreateEditorOptions, TandemEditor } from './editor-api.js';

export type { TandemUser } from './identity.js';
export type { EditorStatus, ConnectionState } from './editor-status.js';
export type { PresentPerson } from './presence-people.js';
export type { Denial, DenialReason, TokenOption } from './tokens/token-session.js';
export type { TandemStrings } from './ui/strings.js';
export type { TransportKind, TransportMode } from './transport/transport-selector.js';
export type { CreateEditorOptions, TandemEditor } from './editor-api.js';

export function createEditor(options: CreateEditorOptions): TandemEditor {
  if (!isValidDocName(options.document)) throw new Error(`invalid document name: ${JSON.stringify(options.document)}`);
  const serverUrl = toWebSocketUrl(options.serverUrl);
  const strings = resolveStrings(options.strings);
  const initialToken = typeof options.token === 'string' && options.token !== '' ? options.token : undefined;
  const user = {
    name: options.user.name,
    color: isValidColor(options.user.color) ? options.user.color : pick(USER_COLORS),
    id: (initialToken ? subjectFromToken(initialToken) : null) ?? options.user.id ?? randomUserId(),
  };
  // A token function has given no token yet: no access is known, so no typing.
  let access = typeof options.token === 'function' ? null : accessFromToken(initialToken, options.document);
  let isForcedReadOnly = options.readOnly === true;
  installStyles();

  const ydoc = new Y.Doc();
  const local = options.offline === false ? null : new IndexeddbPersistence(`tandem:${new URL(serverUrl).host}:${options.document}`, ydoc);
  const saves = new SaveTracker();
  let provider: WebsocketProvider | null = null;
  const counting = (Base: typeof WebSocket): typeof WebSocket =>
    createCountingWebSocket(
      Base,
      (socket, kind) => {
        // Frames of an older socket belong to a connection whose count is gone.
        if (!provider || socket !== provider.ws) return;
        saves.sent(kind);
        liveness.sent();
      },
      (socket) => {
        if (provider && socket === provider.ws) liveness.received();
      },
    );
  // WebSocket or the HTTP fallback, per connection (transport/transport-selector.ts).
  const transports = createTransportSelector({
    mode: options.transport ?? 'auto',
    sockets: { websocket: counting(WebSocket), http: counting(HttpWebSocket as unknown as typeof WebSocket) },
    probeSocket: WebSocket,
    url: () => ws.url,
    reconnect() {
      if (!ws.shouldConnect) return;
      // A planned move, like a token renewal: "Connecting…", never "Reconnecting…".
      connection.renewing();
      ws.disconnect();
      ws.connect();
    },
    onChange: () => emit(),
  });
  provider = new WebsocketProvider(serverUrl, options.document, ydoc, {
    connect: false,
    params: { [SAVE_ACK_PARAM]: '1' },
    WebSocketPolyfill: transports.WebSocketPolyfill,
  });
  const ws = provider;
  // Others' presence is the server's to relay: no echoes (own-presence-only.ts).
  sendOwnPresenceOnly(ws);
  // A socket that stops answering is closed and replaced within seconds (liveness/).
  const liveness = watchWebSocketLiveness(ws);
  ws.messageHandlers[MessageType.savedAck] = (_encoder, decoder) => {
    const count = decoding.readVarUint(decoder);
    saves.acknowledged(count);
    liveness.acknowledged(count);
  };

  const statusListeners = new Set<(status: EditorStatus) => void>();
  const presenceListeners = new Set<(people: PresentPerson[]) => void>();
  if (options.onStatus) statusListeners.add(options.onStatus);
  if (options.onPresence) presenceListeners.add(options.onPresence);
  let editor: Editor | null = null;
  let chrome: EditorChrome | null = null;
  // Denied: nothing typed from now on could be saved.
  const isReadOnly = (): boolean => isForcedReadOnly || access !== 'write' || connection.state === 'denied';
  const snapshot = (): EditorStatus => ({
    connection: connection.state,
    save: saves.state,
    readOnly: isReadOnly(),
    denial: connection.denial,
    transport: transports.transport,
  });
  const emit = (): void => {
    const status = snapshot();
    chrome?.showStatus(status);
    for (const listener of statusListeners) listener(status);
  };
  const applyEditable = (): void => {
    if (editor && editor.isEditable === isReadOnly()) editor.setEditable(!isReadOnly());
    emit();
  };

  // The session listens first: on a 4408 it announces the renewal before the provider reports
  // the disconnection to the connection tracker.
  const session = createTokenSession({
    provider: ws,
    token: options.token,
    serverUrl,
    document: options.document,
    onToken(token) {
      // Upgrades refused for the old token looked like blocked WebSockets.
      transports.forgiveFailures();
      access = accessFromToken(token, options.document);
      const subject = subjectFromToken(token);
      if (subject && subject !== user.id) {
        user.id = subject;
        editor?.commands.updateUser({ ...user });
      }
      applyEditable();
    },
    onRenew: () => connection.renewing(),
    onDenied(denial) {
      // Typing off first, so the one status emitted for the denial already says read-only.
      if (editor?.isEditable) editor.setEditable(false);
      connection.denied(denial);
    },
  });
  const connection = trackConnection(ws, saves, emit, () => transports.isTryingAnotherTransport);
  const onSync = (isSynced: boolean): void => saves.synced(isSynced);
  // Registered after the provider's own update handler, so it runs after the provider tried to
  // send: if the socket was not open then, the change waits for the next sync step 2.
  const onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === ws) return;
    saves.localChange(ws.wsconnected && ws.ws?.readyState === WebSocket.OPEN);
  };
  ws.on('sync', onSync);
  ydoc.on('update', onUpdate);
  const stopTracking = saves.onChange((state) => {
    options.onSaveState?.(state);
    emit();
  });
  const onAwareness = (): void => {
    if (presenceListeners.size === 0) return;
    const people = peopleIn(ws.awareness);
    for (const listener of presenceListeners) listener(people);
  };
  ws.awareness.on('change', onAwareness);

  const root = options.element;
  root.classList.add('tandem-editor');
  const frame = document.createElement('div');
  frame.className = 'tandem-frame';
  const surface = document.createElement('div');
  surface.className = 'tandem-surface';
  editor = new Editor({
    element: surface,
    editable: !isReadOnly(),
    extensions: [
      ...createSchemaExtensions(),
      ...createCollaborationExtensions({ ydoc, provider: ws, user, placeholder: options.placeholder ?? strings.placeholder }),
      LinkShortcut.configure({ onRequest: () => chrome?.openLinkForm() }),
    ],
    editorProps: {
      attributes: {
        class: 'tandem-prose',
        'aria-label': format(strings.documentLabel, { name: options.document }),
        'data-testid': 'editor',
      },
    },
  });
  const tiptap = editor;
  const history =
    options.chrome === false || options.history === false
      ? null
      : createEditorHistory({ serverUrl, document: options.document, provider: ws, editor: tiptap, ydoc, saves, strings, canWrite: () => !isReadOnly() });
  if (options.chrome !== false) {
    chrome = createEditorChrome(tiptap, ws.awareness, strings, history);
    chrome.showStatus(snapshot());
    frame.append(chrome.element);
  }
  frame.append(surface);
  if (history) frame.append(history.element);
  root.append(frame);
  session.start();

  let isDestroyed = false;
  return {
    editor: tiptap,
    provider: ws,
    ydoc,
    get status() {
      return snapshot();
    },
    get presence() {
      return peopleIn(ws.awareness);
    },
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    onPresence(listener) {
      presenceListeners.add(listener);
      return () => presenceListeners.delete(listener);
    },
    setUser(next) {
      user.name = next.name;
      if (isValidColor(next.color)) user.color = next.color;
      if (next.id) user.id = next.id;
      tiptap.commands.updateUser({ ...user });
    },
    setReadOnly(readOnly) {
      isForcedReadOnly = readOnly;
      applyEditable();
    },
    destroy() {
      if (isDestroyed) return;
      isDestroyed = true;
      session.destroy();
      transports.destroy();
      chrome?.destroy();
      statusListeners.clear();
      presenceListeners.clear();
      stopTracking();
      liveness.destroy();
      connection.destroy();
      ydoc.off('update', onUpdate);
      ws.off('sync', onSync);
      ws.awareness.off('change', onAwareness);
      tiptap.destroy();
      // The provider leaves the awareness it created alive: announce we left, then stop it.
      ws.destroy();
      ws.awareness.destroy();
      void local?.destroy();
      ydoc.destroy();
      frame.remove();
      root.classList.remove('tandem-editor');
    },
  };
}

/** `http(s)://` → `ws(s)://`, no trailing slash. */
export function toWebSocketUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error(`unsupported server URL ${serverUrl}`);
  return url.toString().replace(/\/+$/, '');
}
