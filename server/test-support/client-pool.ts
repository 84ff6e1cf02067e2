/** The clients a test opened, so that one call in afterEach destroys them all. */
import { connectClient, type TestClient } from './test-client.js';

export type ClientOptions = Parameters<typeof connectClient>[2];

export class ClientPool {
  readonly #clients: TestClient[] = [];
  readonly #wsUrl: () => string;

  /** `wsUrl` is read at each connect: the server may have been restarted on another port. */
  constructor(wsUrl: () => string) {
    this.#wsUrl = wsUrl;
  }

  get all(): readonly TestClient[] {
    return this.#clients;
  }

  connect(doc: string, options: ClientOptions = {}): TestClient {
    const client = connectClient(this.#wsUrl(), doc, options);
    this.#clients.push(client);
    return client;
  }

  destroyAll(): void {
    for (const client of this.#clients.splice(0)) client.destroy();
  }
}
