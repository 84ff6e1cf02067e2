/** Mod-K asks the host UI to edit the link at the selection (the toolbar opens its link form). */
import { Extension } from '@tiptap/core';

export interface LinkShortcutOptions {
  /**
   * Called when the user presses Mod-K.
   * @default () => undefined
   */
  onRequest: () => void;
}

export const LinkShortcut = Extension.create<LinkShortcutOptions>({
  name: 'tandemLinkShortcut',

  addOptions() {
    return { onRequest: () => undefined };
  },

  addKeyboardShortcuts() {
    return {
      'Mod-k': () => {
        this.options.onRequest();
        return true;
      },
    };
  },
});
