/**
 * Every piece of text the editor shows, so an app can translate or reword it (`strings` option).
 * `{count}`, `{name}`, `{level}`, `{names}`, `{time}` and `{message}` are replaced where they appear.
 */

export interface TandemStrings {
  connecting: string;
  connected: string;
  /** Connected over the HTTP fallback (WebSockets did not get through, or `transport: 'http'`). */
  connectedHttp: string;
  /** A connection was lost (or stopped answering) and the first new attempt is under way. */
  reconnecting: string;
  /** No connection, and the last attempt failed or the browser has no network. */
  offline: string;
  /** The connection state once access is denied (the token function failed, or the server refused the token). */
  denied: string;
  /** The banner above the text once access is denied. */
  deniedMessage: string;
  saved: string;
  unsaved: string;
  viewOnly: string;
  /** Shown in an empty document. */
  placeholder: string;
  /** Accessible name of the presence list. */
  presenceOne: string;
  presenceMany: string;
  /** After the local user's name in the presence list. */
  you: string;
  /** Accessible name of the "+3" avatar. */
  presenceMore: string;
  /** The editable area's accessible name. */
  documentLabel: string;
  toolbar: string;
  undo: string;
  redo: string;
  heading: string;
  bold: string;
  italic: string;
  strike: string;
  code: string;
  link: string;
  bulletList: string;
  orderedList: string;
  blockquote: string;
  codeBlock: string;
  linkForm: string;
  linkAddress: string;
  linkPlaceholder: string;
  linkApply: string;
  linkRemove: string;
  linkCancel: string;
  /** The history button and the panel's title. */
  history: string;
  historyClose: string;
  historyLoading: string;
  historyEmpty: string;
  historyFailed: string;
  historyKindAuto: string;
  historyKindNamed: string;
  historyKindPreRestore: string;
  historyKindRestore: string;
  historyEditedBy: string;
  historyVersions: string;
  historyNameVersion: string;
  historyNameLabel: string;
  historyNameSave: string;
  historyNamed: string;
  historyCancel: string;
  historyPreview: string;
  historyLegend: string;
  historyUnchanged: string;
  historyAdded: string;
  historyRemoved: string;
  historyRestore: string;
  historyRestoreQuestion: string;
  historyRestoreConfirm: string;
  historyRestoring: string;
  historyRestored: string;
}

export const DEFAULT_STRINGS: Readonly<TandemStrings> = Object.freeze({
  connecting: 'Connecting…',
  connected: 'Connected',
  connectedHttp: 'Connected · HTTP fallback',
  reconnecting: 'Reconnecting…',
  offline: 'Offline — changes kept on this device',
  denied: 'No access',
  deniedMessage: 'You don’t have access to this document. Changes you make here are not saved.',
  saved: 'All changes saved',
  unsaved: 'Unsaved changes',
  viewOnly: 'View only',
  placeholder: 'Start writing…',
  presenceOne: '1 person in this document',
  presenceMany: '{count} people in this document',
  you: '(you)',
  presenceMore: 'and {names}',
  documentLabel: 'Document {name}',
  toolbar: 'Formatting',
  undo: 'Undo',
  redo: 'Redo',
  heading: 'Heading {level}',
  bold: 'Bold',
  italic: 'Italic',
  strike: 'Strikethrough',
  code: 'Inline code',
  link: 'Link',
  bulletList: 'Bulleted list',
  orderedList: 'Numbered list',
  blockquote: 'Quote',
  codeBlock: 'Code block',
  linkForm: 'Edit link',
  linkAddress: 'Link address',
  linkPlaceholder: 'Paste or type a link…',
  linkApply: 'Apply',
  linkRemove: 'Remove',
  linkCancel: 'Cancel',
  history: 'Version history',
  historyClose: 'Close version history',
  historyLoading: 'Loading…',
  historyEmpty: 'No versions yet. They are saved automatically as you write.',
  historyFailed: 'That did not work: {message}',
  historyKindAuto: 'Autosaved',
  historyKindNamed: 'Named',
  historyKindPreRestore: 'Before a restore',
  historyKindRestore: 'Restore',
  historyEditedBy: 'Edited by {names}',
  historyVersions: 'Versions',
  historyNameVersion: 'Name this version',
  historyNameLabel: 'Version name',
  historyNameSave: 'Save',
  historyNamed: 'Saved as “{name}”.',
  historyCancel: 'Cancel',
  historyPreview: 'Version of {time}',
  historyLegend: 'Compared with the current document: highlighted text is only in this version, struck-through text only in the current document.',
  historyUnchanged: 'Same as the current document.',
  historyAdded: 'Only in this version',
  historyRemoved: 'Only in the current document',
  historyRestore: 'Restore this version',
  historyRestoreQuestion: 'Restore the version of {time}? The document becomes this version for everyone; Undo brings the current content back.',
  historyRestoreConfirm: 'Restore',
  historyRestoring: 'Restoring…',
  historyRestored: 'Version restored. Undo brings the previous content back.',
});

/** The defaults with the app's replacements; unknown keys and non-string values are ignored. */
export function resolveStrings(overrides: Partial<TandemStrings> | undefined): TandemStrings {
  const strings = { ...DEFAULT_STRINGS };
  for (const key of Object.keys(DEFAULT_STRINGS) as Array<keyof TandemStrings>) {
    const value = overrides?.[key];
    if (typeof value === 'string') strings[key] = value;
  }
  return strings;
}

/** `format('Heading {level}', { level: 2 })` → `Heading 2`. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => (key in values ? String(values[key]) : match));
}
