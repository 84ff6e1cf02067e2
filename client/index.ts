/**
 * The embeddable Tandem client as one self-contained script (dist/client/lib/tandem-editor.js,
 * served at /lib/tandem-editor.js): everything of `tandem/editor` and `tandem/element`, with
 * Yjs and TipTap bundled in. Importing it registers `<tandem-editor>`.
 */
export * from './editor.js';
export * from './element.js';
