/**
 * `tandem/editor`: createEditor and its types, without side effects (no custom element is
 * registered). Yjs, y-websocket, y-indexeddb, lib0 and TipTap come from the app's own copies.
 */
export {
  createEditor,
  toWebSocketUrl,
  type ConnectionState,
  type CreateEditorOptions,
  type Denial,
  type DenialReason,
  type EditorStatus,
  type PresentPerson,
  type TandemEditor,
  type TandemStrings,
  type TokenOption,
} from './create-editor.js';
export { loadUser, saveUser, randomUser, type TandemUser } from './identity.js';
export { tokenFromEndpoint } from './tokens/token-endpoint.js';
export { DEFAULT_STRINGS } from './ui/strings.js';
export type { SaveState } from './save-tracker.js';
