import { describe, expect, it } from 'vitest';
import { routeConfigSchema } from '../config/schema.js';
import { ModelRoutes, type RouteTarget } from './model-routes.js';

const route = (strategy: string, targets: { provider: string; model: string; weight?: number }[]) => routeConfigSchema.parse({ name: 'r', strategy, targets });
const names = (targets: RouteTarget[]) => targets.map((target) => `${target.provider}/${target.model}`);
const always = () => true;

/** A random source that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length]!;
}

describe('ModelRoutes', () => {
  it('keeps the listed order for fallback routes', () => {
    const routes = new ModelRoutes([route('fallback', [{ provider: 'a', model: 'm1' }, { provider: 'b', model: 'm2' }, { provider: 'a', model: 'm3' }])]);
    const configured = routes.get('r')!;
    expect(names(routes.order(configured, configured.targets, { streaming: false, ready: always }))).toEqual(['a/m1', 'b/m2', 'a/m3']);
  });

  it('draws the first target of a weighted route in proportion to its weight, the others following as listed', () => {
    // Weights 1, 3, 6 split [0, 10) into [0, 1), [1, 4), [4, 10).
    const config = route('weighted', [{ provider: 'a', model: 'x', weight: 1 }, { provider: 'b', model: 'y', weight: 3 }, { provider: 'c', model: 'z', weight: 6 }]);
    const routes = new ModelRoutes([config], sequence(0.05, 0.15, 0.39, 0.41, 0.99));
    const configured = routes.get('r')!;
    const firsts = Array.from({ length: 5 }, () => routes.order(configured, configured.targets, { streaming: false, ready: always }));
    expect(firsts.map((order) => order[0]!.provider)).toEqual(['a', 'b', 'b', 'c', 'c']);
    expect(names(firsts[3]!)).toEqual(['c/z', 'a/x', 'b/y']);
  });

  it('draws a weighted first target among those ready to answer when any is', () => {
    const config = route('weighted', [{ provider: 'a', model: 'x', weight: 9 }, { provider: 'b', model: 'y', weight: 1 }]);
    const routes = new ModelRoutes([config], () => 0);
    const configured = routes.get('r')!;
    expect(names(routes.order(configured, configured.targets, { streaming: false, ready: (target) => target.provider !== 'a' }))).toEqual(['b/y', 'a/x']);
    // None ready: the draw covers them all, and the gateway finds each circuit open in turn.
    expect(names(routes.order(configured, configured.targets, { streaming: false, ready: () => false }))).toEqual(['a/x', 'b/y']);
  });

  it('orders a latency route by the moving average of each way of answering, unmeasured targets first', () => {
    const routes = new ModelRoutes([route('latency', [{ provider: 'a', model: 'x' }, { provider: 'b', model: 'y' }, { provider: 'c', model: 'z' }])]);
    const configured = routes.get('r')!;
    const order = (streaming: boolean) => names(routes.order(configured, configured.targets, { streaming, ready: always }));
    expect(order(false)).toEqual(['a/x', 'b/y', 'c/z']);
    routes.observe('a', 'x', false, 300);
    expect(order(false)).toEqual(['b/y', 'c/z', 'a/x']);
    routes.observe('b', 'y', false, 100);
    routes.observe('c', 'z', false, 200);
    expect(order(false)).toEqual(['b/y', 'c/z', 'a/x']);
    // b slows down: 100 + 0.2 × (900 − 100) = 260, then 260 + 0.2 × (900 − 260) = 388.
    routes.observe('b', 'y', false, 900);
    expect(routes.latencyOf('b', 'y', false)).toEqual({ averageMs: 260, answers: 2 });
    expect(order(false)).toEqual(['c/z', 'b/y', 'a/x']);
    routes.observe('b', 'y', false, 900);
    expect(routes.latencyOf('b', 'y', false).averageMs).toBeCloseTo(388, 9);
    expect(order(false)).toEqual(['c/z', 'a/x', 'b/y']);
    // Streams are measured apart (time to the first token): none yet, so the listed order.
    expect(order(true)).toEqual(['a/x', 'b/y', 'c/z']);
    routes.observe('a', 'x', true, 50);
    expect(order(true)).toEqual(['b/y', 'c/z', 'a/x']);
    // A measure that is not a number changes nothing.
    routes.observe('c', 'z', false, Number.NaN);
    expect(routes.latencyOf('c', 'z', false)).toEqual({ averageMs: 200, answers: 1 });
  });

  it('names the routes that use a provider', () => {
    const routes = new ModelRoutes([
      routeConfigSchema.parse({ name: 'one', targets: [{ provider: 'a', model: 'x' }] }),
      routeConfigSchema.parse({ name: 'two', targets: [{ provider: 'b', model: 'x' }, { provider: 'a', model: 'y' }] }),
    ]);
    expect(routes.usersOf('a')).toEqual(['one', 'two']);
    expect(routes.usersOf('b')).toEqual(['two']);
    expect(routes.usersOf('c')).toEqual([]);
  });
});
