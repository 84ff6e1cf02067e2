/**
 * `<tandem-editor server-url=".." document=".." user-name=".." user-color=".." token=".."
 * token-endpoint=".." offline="false" history="false" read-only placeholder=".." transport="auto|websocket|http">`: createEditor
 * as a custom element for plain HTML pages. The editor is created when the element is connected,
 * recreated when an attribute changes (`read-only` just toggles typing), and destroyed when the
 * element is removed. Status changes are also dispatched as `tandem-status` events. The class is built on
 * first use, so importing this module is harmless where there is no DOM (server-side rendering).
 */
import { createEditor, type TandemEditor } from './create-editor.js';
import { loadUser } from './identity.js';
import { tokenFromEndpoint } from './tokens/token-endpoint.js';

export const TANDEM_EDITOR_ATTRIBUTES = ['server-url', 'document', 'user-name', 'user-color', 'token', 'token-endpoint', 'offline', 'history', 'read-only', 'placeholder', 'transport'] as const;

export interface TandemEditorElement extends HTMLElement {
  /** The running editor, or null while disconnected or misconfigured. */
  readonly tandem: TandemEditor | null;
}

function createElementClass(): CustomElementConstructor {
  return class extends HTMLElement implements TandemEditorElement {
    static readonly observedAttributes = TANDEM_EDITOR_ATTRIBUTES;
    #tandem: TandemEditor | null = null;
    #remount = false;

    get tandem(): TandemEditor | null {
      return this.#tandem;
    }

    connectedCallback(): void {
      this.#mount();
    }

    disconnectedCallback(): void {
      this.#unmount();
    }

    attributeChangedCallback(name: string, oldValue: string | null, newValue: string | null): void {
      if (oldValue === newValue || !this.isConnected) return;
      if (name === 'read-only') return this.#tandem?.setReadOnly(newValue !== null && newValue !== 'false');
      if (this.#remount) return;
      // Several attributes often change together: rebuild once, after the current task.
      this.#remount = true;
      queueMicrotask(() => {
        this.#remount = false;
        if (!this.isConnected) return;
        this.#unmount();
        this.#mount();
      });
    }

    #mount(): void {
      if (this.#tandem) return;
      const document = this.getAttribute('document');
      if (!document) {
        console.warn('<tandem-editor>: the document attribute is required');
        return;
      }
      const remembered = loadUser();
      const endpoint = this.getAttribute('token-endpoint');
      // The endpoint is resolved against the page, so a relative path works.
      const token = endpoint ? tokenFromEndpoint(new URL(endpoint, location.href).toString()) : (this.getAttribute('token') ?? undefined);
      const readOnly = this.getAttribute('read-only');
      const placeholder = this.getAttribute('placeholder');
      const transport = this.getAttribute('transport');
      try {
        this.#tandem = createEditor({
          element: this,
          serverUrl: this.getAttribute('server-url') ?? location.origin,
          document,
          user: { name: this.getAttribute('user-name') ?? remembered.name, color: this.getAttribute('user-color') ?? remembered.color, id: remembered.id },
          offline: this.getAttribute('offline') !== 'false',
          history: this.getAttribute('history') !== 'false',
          readOnly: readOnly !== null && readOnly !== 'false',
          onStatus: (status) => this.dispatchEvent(new CustomEvent('tandem-status', { detail: status })),
          ...(placeholder !== null ? { placeholder } : {}),
          ...(transport === 'auto' || transport === 'websocket' || transport === 'http' ? { transport } : {}),
          ...(token ? { token } : {}),
        });
        this.dispatchEvent(new CustomEvent('tandem-ready', { detail: this.#tandem }));
      } catch (error) {
        console.error('<tandem-editor>: could not start the editor', error);
      }
    }

    #unmount(): void {
      this.#tandem?.destroy();
      this.#tandem = null;
    }
  };
}

/** Registers `<tandem-editor>` (or another tag name) once; safe to call repeatedly. */
export function defineTandemEditor(tagName = 'tandem-editor'): void {
  if (typeof customElements === 'undefined' || customElements.get(tagName)) return;
  customElements.define(tagName, createElementClass());
}
