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

/** Open connections per document and per address, shared by a quota and the slots it handed out. */
interface Counts {
  total: number;
  perDoc: Map<string, number>;
  perAddress: Map<string, number>;
}

/**
 * One reserved connection. A plain object with a method rather than a release closure: a
 * connection keeps its slot for its whole life, and a closure with its scope costs ~120 bytes
 * more per idle connection.
 */
export class QuotaSlot {
  #counts: Counts | null;
  readonly #docName: string;
  readonly #address: string | null;

  constructor(counts: Counts, docName: string, address: string | null) {
    this.#counts = counts;
    this.#docName = docName;
    this.#address = address;
  }

  /** Gives the slot back; idempotent. */
  release(): void {
    const counts = this.#counts;
    if (counts === null) return;
    this.#counts = null;
    counts.total--;
    increment(counts.perDoc, this.#docName, -1);
    if (this.#address !== null) increment(counts.perAddress, this.#address, -1);
  }
}

export class ConnectionQuota {
  readonly #limits: QuotaLimits;
  readonly #counts: Counts = { total: 0, perDoc: new Map(), perAddress: new Map() };

  constructor(limits: QuotaLimits) {
    this.#limits = limits;
  }

  get total(): number {
    return this.#counts.total;
  }

  /** Reserves a slot, or says why not. */
  reserve(docName: string, address: string | null): QuotaSlot | { refusal: QuotaRefusal } {
    const counts = this.#counts;
    if (counts.total >= this.#limits.maxConnections) {
      return { refusal: { status: 503, code: 'server-full', message: 'too many connections on this server' } };
    }
    if ((counts.perDoc.get(docName) ?? 0) >= this.#limits.maxConnectionsPerDoc) {
      return { refusal: { status: 503, code: 'document-full', message: 'too many connections to this document' } };
    }
    if (address !== null && (counts.perAddress.get(address) ?? 0) >= this.#limits.maxConnectionsPerIp) {
      return { refusal: { status: 429, code: 'too-many-connections', message: 'too many connections from this address' } };
    }
    counts.total++;
    increment(counts.perDoc, docName, 1);
    if (address !== null) increment(counts.perAddress, address, 1);
    return new QuotaSlot(counts, docName, address);
  }
}

function increment(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by;
  if (next > 0) map.set(key, next);
  else map.delete(key);
}
