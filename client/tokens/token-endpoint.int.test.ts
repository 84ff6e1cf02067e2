import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tokenFromEndpoint } from './token-endpoint.js';

/** A real HTTP endpoint answering each path with a fixed status, type and body. */
const ANSWERS: Record<string, [number, string, string]> = {
  '/text': [200, 'text/plain', '  header.payload.signature\n'],
  '/json': [200, 'application/json; charset=utf-8', '{"token":"json.token.value"}'],
  '/json-string': [200, 'application/json', '"quoted.token.value"'],
  '/json-without-token': [200, 'application/json', '{"jwt":"elsewhere"}'],
  '/empty': [200, 'text/plain', '   '],
  '/denied': [401, 'application/json', '{"error":"login required"}'],
};

describe('token endpoint', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const [status, type, body] = ANSWERS[req.url ?? ''] ?? [404, 'text/plain', 'not found'];
      res.writeHead(status, { 'content-type': type }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('takes the token from a text body (trimmed), a JSON { token } body, or a JSON string', async () => {
    expect(await tokenFromEndpoint(`${base}/text`)()).toBe('header.payload.signature');
    expect(await tokenFromEndpoint(`${base}/json`)()).toBe('json.token.value');
    expect(await tokenFromEndpoint(`${base}/json-string`)()).toBe('quoted.token.value');
  });

  it('fails on an error status, an empty body, or JSON without a token', async () => {
    await expect(tokenFromEndpoint(`${base}/denied`)()).rejects.toThrow('token endpoint answered 401');
    await expect(tokenFromEndpoint(`${base}/empty`)()).rejects.toThrow('no token');
    await expect(tokenFromEndpoint(`${base}/json-without-token`)()).rejects.toThrow('no token');
  });
});
