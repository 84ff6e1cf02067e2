/**
 * The formatting toolbar: one labelled button per command, each showing its shortcut in the
 * tooltip and its state with aria-pressed. Arrow keys move between buttons (one tab stop, the
 * WAI-ARIA toolbar pattern). State is refreshed on every editor transaction.
 */
import type { Editor } from '@tiptap/core';
import { icon, type IconName } from './icons.js';
import { createLinkForm, type LinkForm } from './link-form.js';
import { format, type TandemStrings } from './strings.js';

interface ToolbarButton {
  id: string;
  label: string;
  shortcut?: string;
  icon?: IconName;
  text?: string;
  run: (editor: Editor) => void;
  isActive?: (editor: Editor) => boolean;
  isEnabled?: (editor: Editor) => boolean;
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const MOD = isMac ? '⌘' : 'Ctrl+';
const SHIFT = isMac ? '⇧' : 'Shift+';
const ALT = isMac ? '⌥' : 'Alt+';

function groups(strings: TandemStrings, openLinkForm: () => void): ToolbarButton[][] {
  const heading = (level: 1 | 2 | 3): ToolbarButton => ({
    id: `heading-${level}`,
    label: format(strings.heading, { level }),
    shortcut: `${MOD}${ALT}${level}`,
    text: `H${level}`,
    run: (e) => e.chain().focus().toggleHeading({ level }).run(),
    isActive: (e) => e.isActive('heading', { level }),
  });
  return [
    [
      { id: 'undo', label: strings.undo, shortcut: `${MOD}Z`, icon: 'undo', run: (e) => e.chain().focus().undo().run(), isEnabled: (e) => e.can().undo() },
      { id: 'redo', label: strings.redo, shortcut: `${MOD}${SHIFT}Z`, icon: 'redo', run: (e) => e.chain().focus().redo().run(), isEnabled: (e) => e.can().redo() },
    ],
    [heading(1), heading(2), heading(3)],
    [
      { id: 'bold', label: strings.bold, shortcut: `${MOD}B`, icon: 'bold', run: (e) => e.chain().focus().toggleBold().run(), isActive: (e) => e.isActive('bold') },
      { id: 'italic', label: strings.italic, shortcut: `${MOD}I`, icon: 'italic', run: (e) => e.chain().focus().toggleItalic().run(), isActive: (e) => e.isActive('italic') },
      { id: 'strike', label: strings.strike, shortcut: `${MOD}${SHIFT}S`, icon: 'strike', run: (e) => e.chain().focus().toggleStrike().run(), isActive: (e) => e.isActive('strike') },
      { id: 'code', label: strings.code, shortcut: `${MOD}E`, icon: 'code', run: (e) => e.chain().focus().toggleCode().run(), isActive: (e) => e.isActive('code') },
      { id: 'link', label: strings.link, shortcut: `${MOD}K`, icon: 'link', run: () => openLinkForm(), isActive: (e) => e.isActive('link') },
    ],
    [
      { id: 'bullet-list', label: strings.bulletList, shortcut: `${MOD}${SHIFT}8`, icon: 'bulletList', run: (e) => e.chain().focus().toggleBulletList().run(), isActive: (e) => e.isActive('bulletList') },
      { id: 'ordered-list', label: strings.orderedList, shortcut: `${MOD}${SHIFT}7`, icon: 'orderedList', run: (e) => e.chain().focus().toggleOrderedList().run(), isActive: (e) => e.isActive('orderedList') },
      { id: 'blockquote', label: strings.blockquote, shortcut: `${MOD}${SHIFT}B`, icon: 'blockquote', run: (e) => e.chain().focus().toggleBlockquote().run(), isActive: (e) => e.isActive('blockquote') },
      { id: 'code-block', label: strings.codeBlock, shortcut: `${MOD}${ALT}C`, icon: 'codeBlock', run: (e) => e.chain().focus().toggleCodeBlock().run(), isActive: (e) => e.isActive('codeBlock') },
    ],
  ];
}

export interface Toolbar {
  element: HTMLElement;
  /** Opens the link form for the current selection (also bound to Mod-K). */
  openLinkForm(): void;
  destroy(): void;
}

export function createToolbar(editor: Editor, strings: TandemStrings): Toolbar {
  const wrapper = document.createElement('div');
  wrapper.className = 'tandem-toolbar-wrap';
  const bar = document.createElement('div');
  bar.className = 'tandem-toolbar';
  bar.setAttribute('role', 'toolbar');
  bar.setAttribute('aria-label', strings.toolbar);
  wrapper.append(bar);

  let linkForm: LinkForm | null = null;
  const openLinkForm = (): void => {
    if (!editor.isEditable) return;
    linkForm?.destroy();
    linkForm = createLinkForm(editor, strings, () => {
      linkForm = null;
    });
    wrapper.append(linkForm.element);
    linkForm.focus();
  };

  const buttons: Array<{ spec: ToolbarButton; element: HTMLButtonElement }> = [];
  for (const group of groups(strings, openLinkForm)) {
    const groupElement = document.createElement('div');
    groupElement.className = 'tandem-toolbar-group';
    groupElement.setAttribute('role', 'group');
    for (const spec of group) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'tandem-tool';
      button.dataset.testid = `tool-${spec.id}`;
      button.setAttribute('aria-label', spec.label);
      if (spec.shortcut) button.setAttribute('aria-keyshortcuts', spec.shortcut.replace('⌘', 'Meta+').replace('⇧', 'Shift+').replace('⌥', 'Alt+'));
      button.title = spec.shortcut ? `${spec.label} (${spec.shortcut})` : spec.label;
      button.innerHTML = spec.icon ? icon(spec.icon) : `<span class="tandem-tool-text" aria-hidden="true">${spec.text ?? ''}</span>`;
      if (spec.isActive) button.setAttribute('aria-pressed', 'false');
      // Keep the editor's selection: a mousedown on the button would otherwise blur it.
      button.addEventListener('mousedown', (event) => event.preventDefault());
      button.addEventListener('click', () => spec.run(editor));
      groupElement.append(button);
      buttons.push({ spec, element: button });
    }
    bar.append(groupElement);
  }

  let focusIndex = 0;
  const setTabStop = (index: number): void => {
    focusIndex = index;
    buttons.forEach(({ element }, i) => (element.tabIndex = i === index ? 0 : -1));
  };
  setTabStop(0);
  bar.addEventListener('keydown', (event) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    const jump = event.key === 'Home' ? 0 : event.key === 'End' ? buttons.length - 1 : null;
    if (step === 0 && jump === null) return;
    event.preventDefault();
    const next = jump ?? (focusIndex + step + buttons.length) % buttons.length;
    setTabStop(next);
    buttons[next]!.element.focus();
  });
  bar.addEventListener('focusin', (event) => {
    const index = buttons.findIndex(({ element }) => element === event.target);
    if (index >= 0) setTabStop(index);
  });

  const update = (): void => {
    const editable = editor.isEditable;
    for (const { spec, element } of buttons) {
      element.disabled = !editable || (spec.isEnabled ? !spec.isEnabled(editor) : false);
      if (spec.isActive) {
        const active = spec.isActive(editor);
        element.setAttribute('aria-pressed', String(active));
        element.classList.toggle('is-active', active);
      }
    }
  };
  editor.on('transaction', update);
  // setEditable emits 'update' without a transaction.
  editor.on('update', update);
  update();

  return {
    element: wrapper,
    openLinkForm,
    destroy() {
      editor.off('transaction', update);
      editor.off('update', update);
      linkForm?.destroy();
      wrapper.remove();
    },
  };
}
