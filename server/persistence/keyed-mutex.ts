/**
 * Runs async sections one at a time per key (per document), in arrival order; different keys do
 * not wait for each other. A key's entry is dropped as soon as nothing holds or awaits it, so the
 * map stays as small as the number of documents with a section in progress.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key);
    let release!: () => void;
    const tail = new Promise<void>((resolve) => (release = resolve));
    this.#tails.set(key, tail);
    try {
      if (previous) await previous;
      return await section();
    } finally {
      release();
      // Only the last in line clears the key; a later arrival has already replaced the tail.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }

  get size(): number {
    return this.#tails.size;
  }
}
