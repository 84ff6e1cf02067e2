/**
 * Counts open (and opening) connections per client address and per document, so that one
 * address or one document cannot take the whole server. A slot is reserved before the token is
 * checked and released exactly once, when the socket closes or the upgrade is refused.
 * A null address is not limited per address (loopback: this machine, or a reverse proxy whose
 * forwarded addresses are not trusted, where every user would share one bucket).
 */
export interface QuotaLimits {
  maxConnections: number;
  maxConnectionsPerDoc: number;
  maxConnectionsPerIp: number;
}

export type QuotaRefusal = { status: number; code: string; message: string };

export class ConnectionQuota {
  readonly #limits: QuotaLimits;
  readonly #perDoc = new Map<string, number>();
  readonly #perAddress = new Map<string, number>();
  #total = 0;

  constructor(limits: QuotaLimits) {
    this.#limits = limits;
  }

  get total(): number {
    return this.#total;
  }

  /** Reserves a slot, or says why not; the returned release function is idempotent. */
  reserve(docName: string, address: string | null): { release: () => void } | { refusal: QuotaRefusal } {
    if (this.#total >= this.#limits.maxConnections) {
      return { refusal: { status: 503, code: 'server-full', message: 'too many connections on this server' } };
    }
    if ((this.#perDoc.get(docName) ?? 0) >= this.#limits.maxConnectionsPerDoc) {
      return { refusal: { status: 503, code: 'document-full', message: 'too many connections to this document' } };
    }
    if (address !== null && (this.#perAddress.get(address) ?? 0) >= this.#limits.maxConnectionsPerIp) {
      return { refusal: { status: 429, code: 'too-many-connections', message: 'too many connections from this address' } };
    }
    this.#total++;
    increment(this.#perDoc, docName, 1);
    if (address !== null) increment(this.#perAddress, address, 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
        increment(this.#perDoc, docName, -1);
        if (address !== null) increment(this.#perAddress, address, -1);
      },
    };
  }
}

function increment(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next > 0) map.set(key, next);
  else map.delete(key);
}
