// The calls of a trace in tree order: each under the call its parent_id names when that call is
// in the trace, siblings by start. A parent outside the trace (a span that was no model call,
// such as an agent's, or one not yet received) leaves its children at the top level.

export interface TreeItem {
  id: string;
  parent_id: string | null;
  started_at: number;
}

export interface Placed<T> {
  item: T;
  depth: number;
  /** The id of the parent this item is shown under; null at the top level. */
  shown_under: string | null;
}

const byStart = (a: TreeItem, b: TreeItem) => a.started_at - b.started_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Depth-first, without recursion (a trace may nest deeply); a parent cycle is cut where it is entered. */
export function treeOrder<T extends TreeItem>(items: readonly T[]): Placed<T>[] {
  const ids = new Set(items.map((item) => item.id));
  const children = new Map<string, T[]>();
  const roots: T[] = [];
  for (const item of items) {
    const parent = item.parent_id;
    if (parent !== null && parent !== item.id && ids.has(parent)) {
      const siblings = children.get(parent);
      if (siblings) siblings.push(item);
      else children.set(parent, [item]);
    } else {
      roots.push(item);
    }
  }
  for (const siblings of children.values()) siblings.sort(byStart);
  const visited = new Set<string>();
  const walk = (top: T): Placed<T>[] => {
    const tree: Placed<T>[] = [];
    const stack: { item: T; depth: number; under: string | null }[] = [{ item: top, depth: 0, under: null }];
    while (stack.length > 0) {
      const { item, depth, under } = stack.pop()!;
      if (visited.has(item.id)) continue;
      visited.add(item.id);
      tree.push({ item, depth, shown_under: under });
      const below = children.get(item.id) ?? [];
      for (let index = below.length - 1; index >= 0; index--) stack.push({ item: below[index]!, depth: depth + 1, under: item.id });
    }
    return tree;
  };
  const trees = roots.map(walk);
  // Items only reachable through a cycle of parents: the earliest not yet placed starts a tree.
  for (const item of [...items].sort(byStart)) if (!visited.has(item.id)) trees.push(walk(item));
  return trees.sort((a, b) => byStart(a[0]!.item, b[0]!.item)).flat();
}
