import { describe, expect, it } from 'vitest';
import { treeOrder, type TreeItem } from './trace-tree.js';

const item = (id: string, parent: string | null, start: number): TreeItem => ({ id, parent_id: parent, started_at: start });
const shape = (items: TreeItem[]) => treeOrder(items).map(({ item: { id }, depth, shown_under }) => `${id}@${depth}<${shown_under ?? '-'}`);

describe('treeOrder', () => {
  it('nests children under their parent, siblings by start, depth first', () => {
    const items = [item('c2', 'root', 30), item('root', null, 0), item('c1', 'root', 10), item('g1', 'c1', 12), item('other', null, 20)];
    expect(shape(items)).toEqual(['root@0<-', 'c1@1<root', 'g1@2<c1', 'c2@1<root', 'other@0<-']);
  });

  it('puts a call whose parent is not in the trace at the top level', () => {
    expect(shape([item('a', 'agent-span', 5), item('b', 'agent-span', 1)])).toEqual(['b@0<-', 'a@0<-']);
  });

  it('cuts a cycle of parents and a call that names itself, placing every call once', () => {
    const placed = shape([item('x', 'y', 1), item('y', 'x', 2), item('self', 'self', 3)]);
    expect(placed).toEqual(['x@0<-', 'y@1<x', 'self@0<-']);
  });

  it('orders equal starts by id and survives a chain 5,000 deep', () => {
    expect(shape([item('b', null, 0), item('a', null, 0)])).toEqual(['a@0<-', 'b@0<-']);
    const chain = Array.from({ length: 5000 }, (_, index) => item(`n${index}`, index === 0 ? null : `n${index - 1}`, index));
    const placed = treeOrder(chain.reverse());
    expect(placed.map((p) => p.depth)).toEqual(Array.from({ length: 5000 }, (_, index) => index));
  });
});
