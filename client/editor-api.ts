/** What `createEditor` takes and returns (create-editor.ts builds it): the embedding API's types. */
import type { Editor } from '@tiptap/core';
import type * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import type { EditorStatus } from './editor-status.js';
import type { TandemUser } from './identity.js';
import type { PresentPerson } from './presence-people.js';
import type { SaveState } from './save-tracker.js';
import type { TokenOption } from './tokens/token-session.js';
import type { TransportMode } from './transport/transport-selector.js';
import type { TandemStrings } from './ui/strings.js';

export interface CreateEditorOptions {
  /** Element the editor (toolbar, status, presence and text) is rendered into. */
  element: HTMLElement;
  /** The Tandem server: `ws(s)://host[:port][/prefix]`; `http(s)://` is accepted too. */
  serverUrl: string;
  /** Document name (1-128 of `A-Z a-z 0-9 . _ -`). */
  document: string;
  /** Name and caret colour shown to the others; `id` groups one person's tabs. */
  user: TandemUser;
  /**
   * Access token (JWT), sent as the `token` query parameter; or a function returning one
   * (possibly async), called before connecting and again shortly before each token expires.
   * A read-only grant makes the editor read-only.
   */
  token?: TokenOption;
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
  /**
   * Start read-only (also `setReadOnly`). A read-only token is read-only whatever this says.
   * @default false
   */
  readOnly?: boolean;
  /**
   * Shown in an empty document.
   * @default strings.placeholder ('Start writing…')
   */
  placeholder?: string;
  /**
   * The version history button and panel (list, preview with changes, name, restore); needs `chrome`.
   * @default true
   */
  history?: boolean;
  /**
   * How to reach the server. 'auto' uses WebSockets and falls back to HTTP (fetch and a streamed
   * response) where they do not get through, returning to WebSockets once they do
   * (transport/transport-selector.ts); 'websocket' and 'http' use only that one.
   * @default 'auto'
   */
  transport?: TransportMode;
  /** Replacements for the texts the editor shows (ui/strings.ts). */
  strings?: Partial<TandemStrings>;
  /** Every status change (connection, save state, read-only, denial). */
  onStatus?: (status: EditorStatus) => void;
  /** Every change between "All changes saved" and "Unsaved changes". */
  onSaveState?: (state: SaveState) => void;
  /** Every change of who is here (one entry per person). */
  onPresence?: (people: PresentPerson[]) => void;
}

export interface TandemEditor {
  editor: Editor;
  provider: WebsocketProvider;
  ydoc: Y.Doc;
  readonly status: EditorStatus;
  /** Who is in the document, one entry per person, the local user first. */
  readonly presence: PresentPerson[];
  /** Calls `listener` with every status change; returns the unsubscribe function. */
  onStatus(listener: (status: EditorStatus) => void): () => void;
  /** Calls `listener` with every change of who is here; returns the unsubscribe function. */
  onPresence(listener: (people: PresentPerson[]) => void): () => void;
  /** Changes the name and colour the others see. */
  setUser(user: TandemUser): void;
  /** Turns typing off or on (a read-only token stays read-only). */
  setReadOnly(readOnly: boolean): void;
  /** Releases the editor, the connection, presence, the IndexedDB handle and every listener. */
  destroy(): void;
}
