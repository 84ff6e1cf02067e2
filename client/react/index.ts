/**
 * `tandem/react`: `<TandemEditor doc serverUrl token … />` and hooks for status and presence.
 * The component owns one createEditor instance per document: it is created after mount,
 * destroyed on unmount, and rebuilt only when `doc`, `serverUrl`, `offline`, `chrome`,
 * `history`, `placeholder` or `transport` change. Callbacks and the token are read through refs, so inline
 * functions do not reconnect; `readOnly` and `user` are applied to the running editor.
 */
import { createElement, useEffect, useRef, useState, type CSSProperties, type ReactElement } from 'react';
import {
  createEditor,
  type CreateEditorOptions,
  type EditorStatus,
  type PresentPerson,
  type TandemEditor as TandemEditorInstance,
  type TokenOption,
} from '../create-editor.js';
import { loadUser, type TandemUser } from '../identity.js';

export type { EditorStatus, PresentPerson, TandemEditorInstance, TokenOption };

export interface TandemEditorProps extends Omit<CreateEditorOptions, 'element' | 'document' | 'user'> {
  /** Document name. */
  doc: string;
  /** Default: the user remembered in this browser (or a random one). */
  user?: TandemUser;
  /** Called with the running editor after mount, and with null when it is destroyed. */
  onReady?: (tandem: TandemEditorInstance | null) => void;
  className?: string;
  style?: CSSProperties;
}

export function TandemEditor(props: TandemEditorProps): ReactElement {
  const host = useRef<HTMLDivElement | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const [tandem, setTandem] = useState<TandemEditorInstance | null>(null);
  const hasToken = props.token !== undefined;
  const { doc, serverUrl, offline, chrome, history, placeholder, transport } = props;

  useEffect(() => {
    if (!host.current) return;
    const initial = latest.current;
    // The latest token prop at each call: a new string or function takes effect at the next renewal.
    const token: TokenOption | undefined = hasToken
      ? () => {
          const current = latest.current.token;
          if (current === undefined) throw new Error('the token prop was removed');
          return typeof current === 'function' ? current() : current;
        }
      : undefined;
    const instance = createEditor({
      element: host.current,
      serverUrl,
      document: doc,
      user: initial.user ?? loadUser(),
      ...(token ? { token } : {}),
      ...(offline !== undefined ? { offline } : {}),
      ...(chrome !== undefined ? { chrome } : {}),
      ...(history !== undefined ? { history } : {}),
      ...(placeholder !== undefined ? { placeholder } : {}),
      ...(transport !== undefined ? { transport } : {}),
      ...(initial.strings ? { strings: initial.strings } : {}),
      readOnly: initial.readOnly === true,
      onStatus: (status) => latest.current.onStatus?.(status),
      onSaveState: (state) => latest.current.onSaveState?.(state),
      onPresence: (people) => latest.current.onPresence?.(people),
    });
    setTandem(instance);
    latest.current.onReady?.(instance);
    return () => {
      instance.destroy();
      setTandem(null);
      latest.current.onReady?.(null);
    };
  }, [doc, serverUrl, offline, chrome, history, placeholder, transport, hasToken]);

  const readOnly = props.readOnly === true;
  useEffect(() => tandem?.setReadOnly(readOnly), [tandem, readOnly]);
  const { name, color, id } = props.user ?? {};
  useEffect(() => {
    if (tandem && name !== undefined) tandem.setUser({ name, ...(color ? { color } : {}), ...(id ? { id } : {}) });
  }, [tandem, name, color, id]);

  return createElement('div', { ref: host, className: props.className, style: props.style, 'data-tandem-doc': doc });
}

/** The editor's status, re-rendering on every change; null without an editor. */
export function useTandemStatus(tandem: TandemEditorInstance | null): EditorStatus | null {
  const [status, setStatus] = useState<EditorStatus | null>(() => tandem?.status ?? null);
  useEffect(() => {
    setStatus(tandem?.status ?? null);
    return tandem?.onStatus(setStatus);
  }, [tandem]);
  return status;
}

/** Who is in the document (one entry per person), re-rendering on every change. */
export function useTandemPresence(tandem: TandemEditorInstance | null): PresentPerson[] {
  const [people, setPeople] = useState<PresentPerson[]>(() => tandem?.presence ?? []);
  useEffect(() => {
    setPeople(tandem?.presence ?? []);
    return tandem?.onPresence(setPeople);
  }, [tandem]);
  return people;
}
