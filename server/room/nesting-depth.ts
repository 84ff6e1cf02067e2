/**
 * How deep an update would nest Y types, decided before it is applied.
 *
 * Yjs, y-prosemirror and the export renderers all recurse once per level of nesting, so a
 * document nested thousands of levels deep overflows their stacks: exports fail, and deleting the
 * outer block throws inside Yjs halfway through, leaving the live document partly changed. An
 * update that would create a type deeper than MAX_NESTING_DEPTH is refused whole.
 *
 * Depth counts types: a root type (a document's XmlFragment) is 0, a paragraph in it 1, its
 * XmlText 2; each bulleted-list level adds two (list, item), so lists nest about 60 levels.
 *
 * The update's items are decoded (never integrated) and each new type's container is found the
 * way Yjs will find it: the parent named in the item, else the parent of the item it was inserted
 * after (origin) or before (right origin), in the update itself or in the document. Chains of such
 * references are walked iteratively, so a crafted chain cannot overflow this code's stack either.
 * A container that cannot be found yet (a dependency missing) counts as a root: a lower bound.
 * When the update can unlock structs Yjs holds pending, those are checked with it, since they
 * integrate in the same step.
 */
import * as Y from 'yjs';

export const MAX_NESTING_DEPTH = 128;

type Struct = Y.Item | Y.GC | Y.Skip;

export function isTypeItem(struct: Struct): struct is Y.Item {
  return struct instanceof Y.Item && struct.content instanceof Y.ContentType;
}

/** True when applying `update` to `doc` would create a type nested deeper than `maxDepth`. */
export function exceedsNestingDepth(doc: Y.Doc, update: Uint8Array, maxDepth = MAX_NESTING_DEPTH): boolean {
  let structs: Struct[] = Y.decodeUpdate(update).structs;
  const pending = doc.store.pendingStructs;
  if (pending && structs.some((struct) => pending.missing.has(struct.id.client))) {
    structs = structs.concat(Y.decodeUpdateV2(pending.update).structs);
  }
  if (!structs.some(isTypeItem)) return false;
  const depths = new ContainerDepths(doc, structs);
  return structs.some((struct) => isTypeItem(struct) && depths.of(struct) + 1 > maxDepth);
}

/** Where an item's container depth comes from: a known depth, or another new item (plus offset). */
type Step = { depth: number } | { next: Y.Item; offset: 0 | 1 };

/** The depth of the type that will contain each new item, memoised. */
class ContainerDepths {
  readonly #doc: Y.Doc;
  /** New structs by client, ascending clock. */
  readonly #byClient = new Map<number, Struct[]>();
  readonly #items = new Map<Y.Item, number>();
  readonly #types = new Map<Y.AbstractType<unknown>, number>();

  constructor(doc: Y.Doc, structs: Struct[]) {
    this.#doc = doc;
    for (const struct of structs) {
      const list = this.#byClient.get(struct.id.client);
      if (list) list.push(struct);
      else this.#byClient.set(struct.id.client, [struct]);
    }
    for (const list of this.#byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock);
  }

  of(item: Y.Item): number {
    const chain: [Y.Item, 0 | 1][] = [];
    const seen = new Set<Y.Item>();
    let current = item;
    let depth: number;
    for (;;) {
      const known = this.#items.get(current);
      if (known !== undefined) {
        depth = known;
        break;
      }
      // A reference cycle: Yjs cannot integrate it either.
      if (seen.has(current)) {
        depth = 0;
        break;
      }
      seen.add(current);
      const step = this.#step(current);
      if ('depth' in step) {
        depth = step.depth;
        this.#items.set(current, depth);
        break;
      }
      chain.push([current, step.offset]);
      current = step.next;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const [link, offset] = chain[i]!;
      depth += offset;
      this.#items.set(link, depth);
    }
    return this.#items.get(item) ?? depth;
  }

  #step(item: Y.Item): Step {
    const parent: unknown = item.parent;
    if (typeof parent === 'string') return { depth: 0 };
    if (parent instanceof Y.ID) {
      const fresh = this.#findNew(parent);
      if (fresh) return isTypeItem(fresh) ? { next: fresh, offset: 1 } : { depth: 0 };
      const existing = this.#findInDocument(parent);
      return { depth: existing && isTypeItem(existing) ? this.#typeDepth((existing.content as Y.ContentType).type) : 0 };
    }
    // No parent written: Yjs takes the parent of the left neighbour, else of the right one.
    const neighbour = item.origin ?? item.rightOrigin;
    if (!neighbour) return { depth: 0 };
    const fresh = this.#findNew(neighbour);
    if (fresh) return fresh instanceof Y.Item ? { next: fresh, offset: 0 } : { depth: 0 };
    const existing = this.#findInDocument(neighbour);
    const container: unknown = existing instanceof Y.Item ? existing.parent : null;
    return { depth: container instanceof Y.AbstractType ? this.#typeDepth(container) : 0 };
  }

  /** A type in the document: 0 for a root, else one more than the type holding it. */
  #typeDepth(type: Y.AbstractType<unknown>): number {
    const path: Y.AbstractType<unknown>[] = [];
    let current: Y.AbstractType<unknown> | null = type;
    let depth = 0;
    while (current) {
      const known = this.#types.get(current);
      if (known !== undefined) {
        depth = known;
        break;
      }
      if (!current._item) {
        this.#types.set(current, 0);
        break;
      }
      path.push(current);
      const container: unknown = current._item.parent;
      current = container instanceof Y.AbstractType ? (container as Y.AbstractType<unknown>) : null;
    }
    for (let i = path.length - 1; i >= 0; i--) this.#types.set(path[i]!, ++depth);
    return this.#types.get(type) ?? depth;
  }

  #findNew(id: Y.ID): Struct | null {
    const list = this.#byClient.get(id.client);
    if (!list) return null;
    let low = 0;
    let high = list.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const struct = list[middle]!;
      if (id.clock < struct.id.clock) high = middle - 1;
      else if (id.clock >= struct.id.clock + struct.length) low = middle + 1;
      else return struct;
    }
    return null;
  }

  #findInDocument(id: Y.ID): Y.Item | Y.GC | null {
    if (id.clock >= Y.getState(this.#doc.store, id.client)) return null;
    return Y.getItem(this.#doc.store, id);
  }
}
