/**
 * createEditor: a collaborative TipTap editor bound to one Tandem document.
 *
 * Data flow: the Y.Doc is the source of truth. TipTap edits it through the Collaboration
 * extension; y-websocket syncs it with the server (and other tabs); y-indexeddb keeps a local
 * copy so edits survive a reload while offline. Every update-bearing frame the provider sends is
 * counted by the socket and matched against the server's saved acknowledgements (SaveTracker),
 * which drives "All changes saved" / "Unsaved changes".
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
import { createCollaborationExtensions } from './extensions/collaboration-extensions.js';
import { LinkShortcut } from './extensions/link-shortcut.js';
import { isValidColor, pick, USER_COLORS, type TandemUser } from './identity.js';
import { SaveTracker, type SaveState } from './save-tracker.js';
import { accessFromToken } from './token-access.js';
import { installStyles } from './styles/install-styles.js';
import { createPresenceList } from './ui/presence.js';
import { createStatusPill } from './ui/status-pill.js';
import { createToolbar, type Toolbar } from './ui/toolbar.js';

export type { TandemUser } from './identity.js';

export interface CreateEditorOptions {
  /** Element the editor (toolbar, status, presence and text) is rendered into. */
  element: HTMLElement;
  /** The Tandem server: `ws(s)://host[:port][/prefix]`; `http(s)://` is accepted too. */
  serverUrl: string;
  /** Document name (1-128 of `A-Z a-z 0-9 . _ -`). */
  document: string;
  /** Name and caret colour shown to the others. */
  user: TandemUser;
  /** Access token (JWT); sent as the `token` query parameter. A read-only grant makes the editor read-only. */
  token?: string;
  /**
   * Keep a copy in IndexedDB so edits survive a reload while offline.
   * @default true
   */
  offline?: boolean;
  /**
   * Render the toolbar, status and presence above the text.
   * @default true
   */
  chrome?: boolean;
}

export interface EditorStatus {
  connection: 'connecting' | 'connected' | 'offline' | 'denied';
  save: SaveState;
  readOnly: boolean;
}

export interface TandemEditor {
  editor: Editor;
  provider: WebsocketProvider;
  ydoc: Y.Doc;
  readonly status: EditorStatus;
  /** Calls `listener` with every status change; returns the unsubscribe function. */
  onStatus(listener: (status: EditorStatus) => void): () => void;
  /** Changes the name and colour the others see. */
  setUser(user: TandemUser): void;
  /** Releases the editor, the connection, presence, the IndexedDB handle and every listener. */
  destroy(): void;
}

export function createEditor(options: CreateEditorOptions): TandemEditor {
  if (!isValidDocName(options.document)) throw new Error(`invalid document name: ${JSON.stringify(options.document)}`);
  const serverUrl = toWebSocketUrl(options.serverUrl);
  const access = accessFromToken(options.token, options.document);
  const readOnly = access !== 'write';
  const user = { name: options.user.name, color: isValidColor(options.user.color) ? options.user.color : pick(USER_COLORS) };
  installStyles();

  const ydoc = new Y.Doc();
  const local = options.offline === false ? null : new IndexeddbPersistence(`tandem:${new URL(serverUrl).host}:${options.document}`, ydoc);
  const tracker = new SaveTracker();
  const params: Record<string, string> = { [SAVE_ACK_PARAM]: '1' };
  if (options.token) params.token = options.token;
  let provider: WebsocketProvider | null = null;
  const CountingWebSocket = createCountingWebSocket(WebSocket, (socket, kind) => {
    // Frames of an older socket belong to a connection whose count is gone.
    if (provider && socket === provider.ws) tracker.sent(kind);
  });
  provider = new WebsocketProvider(serverUrl, options.document, ydoc, { params, WebSocketPolyfill: CountingWebSocket });
  const ws = provider;
  ws.messageHandlers[MessageType.savedAck] = (_encoder, decoder) => {
    tracker.acknowledged(decoding.readVarUint(decoder));
  };

  let connection: EditorStatus['connection'] = 'connecting';
  const listeners = new Set<(status: EditorStatus) => void>();
  const snapshot = (): EditorStatus => ({ connection, save: tracker.state, readOnly });
  const emit = (): void => {
    const status = snapshot();
    for (const listener of listeners) listener(status);
  };
  const onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }): void => {
    if (status === 'connected') {
      tracker.connected();
      connection = 'connected';
    } else if (status === 'disconnected') {
      tracker.disconnected();
      connection = 'offline';
    }
    emit();
  };
  // Every failed attempt ends here too; 'status' reports 'disconnected' only after a connection
  // was open, so a page loaded while the server is unreachable would say "Connecting…" forever.
  const onConnectionClose = (): void => {
    if (connection === 'denied' || connection === 'offline') return;
    connection = 'offline';
    emit();
  };
  const onSync = (isSynced: boolean): void => tracker.synced(isSynced);
  const onClosed = (): void => {
    // The server refused us for good (44xx): reconnecting will not help.
    connection = 'denied';
    emit();
  };
  // Registered after the provider's own update handler, so it runs after the provider tried to
  // send: if the socket was not open then, the change waits for the next sync step 2.
  const onUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === ws) return;
    tracker.localChange(ws.wsconnected && ws.ws?.readyState === WebSocket.OPEN);
  };
  ws.on('status', onStatus);
  ws.on('sync', onSync);
  ws.on('connection-close', onConnectionClose);
  ws.on('closed', onClosed);
  ydoc.on('update', onUpdate);
  const stopTracking = tracker.onChange(emit);

  const root = options.element;
  root.classList.add('tandem-editor');
  const frame = document.createElement('div');
  frame.className = 'tandem-frame';
  const surface = document.createElement('div');
  surface.className = 'tandem-surface';
  let toolbar: Toolbar | null = null;

  const editor = new Editor({
    element: surface,
    editable: !readOnly,
    extensions: [
      ...createSchemaExtensions(),
      ...createCollaborationExtensions({ ydoc, provider: ws, user }),
      LinkShortcut.configure({ onRequest: () => toolbar?.openLinkForm() }),
    ],
    editorProps: {
      attributes: {
        class: 'tandem-prose',
        'aria-label': `Document ${options.document}`,
        'data-testid': 'editor',
      },
    },
  });

  const cleanups: Array<() => void> = [];
  if (options.chrome !== false) {
    const bar = document.createElement('div');
    bar.className = 'tandem-bar';
    toolbar = createToolbar(editor);
    const meta = document.createElement('div');
    meta.className = 'tandem-meta';
    const presence = createPresenceList(ws.awareness);
    const pill = createStatusPill();
    pill.update(snapshot());
    listeners.add((status) => pill.update(status));
    meta.append(presence.element, pill.element);
    bar.append(toolbar.element, meta);
    frame.append(bar);
    cleanups.push(() => toolbar?.destroy(), () => presence.destroy());
  }
  frame.append(surface);
  root.append(frame);

  let destroyed = false;
  return {
    editor,
    provider: ws,
    ydoc,
    get status() {
      return snapshot();
    },
    onStatus(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    setUser(next) {
      user.name = next.name;
      if (isValidColor(next.color)) user.color = next.color;
      editor.commands.updateUser({ name: user.name, color: user.color });
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const cleanup of cleanups) cleanup();
      listeners.clear();
      stopTracking();
      ydoc.off('update', onUpdate);
      ws.off('status', onStatus);
      ws.off('sync', onSync);
      ws.off('connection-close', onConnectionClose);
      ws.off('closed', onClosed);
      editor.destroy();
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
