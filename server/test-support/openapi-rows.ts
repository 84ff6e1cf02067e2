/**
 * The rows of the OpenAPI conformance test (server/http/openapi/openapi-conformance.int.test.ts):
 * one real request each, to a server with auth (or, marked `open`, one without) holding a document
 * a WebsocketProvider wrote. Each row names the operation it exercises and the status it must get;
 * the test then holds the answer against the description. Rows run in order.
 */
import { expect } from 'vitest';
import * as Y from 'yjs';
import type { HttpMethod } from '../http/openapi/openapi-types.js';

/** The document the WebsocketProvider writes before the rows run, and its text rendering. */
export const WRITTEN = {
  name: 'spec-doc',
  content: {
    type: 'doc',
    content: [
      { type: 'heading', attrs: { level: 1 }, content: [{ type: 'text', text: 'Minutes' }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'Ship ' }, { type: 'text', text: 'Friday', marks: [{ type: 'bold' }] }] },
    ],
  },
  text: 'Minutes\nShip Friday',
  html: '<h1>Minutes</h1><p>Ship <strong>Friday</strong></p>',
} as const;

/** Bodies above this are refused with 413 (the test server runs with `--max-message-bytes` at it). */
export const MAX_BODY_BYTES = 65_536;

export interface RequestSpec {
  /** Path and query. */
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Buffer;
}

export interface Tokens {
  /** write on spec-*. */
  writer: string;
  /** read on spec-*. */
  reader: string;
  /** read on another document only. */
  stranger: string;
  admin: string;
  expired: string;
}

/** With auth; open mode on loopback; open mode on 0.0.0.0 (`--insecure`), reached over 127.0.0.1. */
export type ServerName = 'auth' | 'open' | 'open-public';

export interface RowContext {
  tokens: Tokens;
  /** Sends a preparatory request (to the server with auth unless told). */
  send: (method: string, request: RequestSpec, server?: ServerName) => Promise<Answer>;
  /** The current ETag of a document, from a real GET. */
  etag: (name: string) => Promise<string>;
}

export interface RouteRow {
  /** What the row proves; the test's name. */
  name: string;
  method: HttpMethod;
  /** The path template in the description. */
  path: string;
  /** The server it is sent to; 'auth' when absent. */
  server?: ServerName;
  request(ctx: RowContext): RequestSpec | Promise<RequestSpec>;
  status: number;
  /** The `error.code` a JSON error answer must carry. */
  code?: string;
  /** More assertions on the answer's content. */
  expectAnswer?(answer: Answer, ctx: RowContext): void | Promise<void>;
}

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });
export const EVIL_HOST = { host: 'evil.example' };

/** An update inserting `text` into Y.Text 't' from a fresh client (no dependencies). */
export function freshUpdate(text: string): Buffer {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Buffer.from(Y.encodeStateAsUpdate(doc));
}

/** An update whose structs continue a client's edit the server never saw (409). */
export function dependentUpdate(): Buffer {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'first');
  const before = Y.encodeStateVector(doc);
  doc.getText('t').insert(5, ' second');
  return Buffer.from(Y.encodeStateAsUpdate(doc, before));
}

export const OCTETS = { 'content-type': 'application/octet-stream' };
export const JSON_BODY = { 'content-type': 'application/json' };

export const textOf = (answer: Answer): string => answer.body.toString('utf8');
export const jsonOf = <T>(answer: Answer): T => JSON.parse(textOf(answer)) as T;

export function expectBody(expected: string): (answer: Answer) => void {
  return (answer) => expect(textOf(answer)).toBe(expected);
}
