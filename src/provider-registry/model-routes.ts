// Routes of the config file: a model name the applications ask for (`fast`, `gpt-4o`) served
// by a list of provider/model targets. Each request gets the targets in the order the route's
// strategy decides; the gateway tries the first and falls back to the others in that order.
import type { RouteConfig, RouteStrategy } from '../config/schema.js';

export interface RouteTarget {
  provider: string;
  model: string;
  weight: number;
}

export interface ModelRoute {
  name: string;
  strategy: RouteStrategy;
  targets: readonly RouteTarget[];
}

/** A target's recent speed as the `latency` strategy sees it, per way of answering. */
export interface TargetLatency {
  /** Moving average in ms; null before the first answer. */
  averageMs: number | null;
  answers: number;
}

/** Weight of the newest answer in the moving average: about the last ten answers count. */
const SMOOTHING = 0.2;

const latencyKey = (provider: string, model: string, streaming: boolean) => `${streaming ? 's' : 'w'}\u0000${provider}\u0000${model}`;

export class ModelRoutes {
  private readonly routes = new Map<string, ModelRoute>();
  private readonly latencies = new Map<string, TargetLatency>();
  /** When the routes were read from the config (epoch ms): their `created` in /v1/models. */
  readonly definedAt = Date.now();

  /** `random` returns [0, 1) as Math.random does; given for tests of the weighted choice. */
  constructor(routes: readonly RouteConfig[], private readonly random: () => number = Math.random) {
    for (const route of routes) this.routes.set(route.name, { name: route.name, strategy: route.strategy, targets: route.targets.map((target) => ({ ...target })) });
  }

  get(name: string): ModelRoute | null {
    return this.routes.get(name) ?? null;
  }

  list(): ModelRoute[] {
    return [...this.routes.values()];
  }

  /** Route names that send calls to a provider. */
  usersOf(provider: string): string[] {
    return this.list().filter((route) => route.targets.some((target) => target.provider === provider)).map((route) => route.name);
  }

  latencyOf(provider: string, model: string, streaming: boolean): TargetLatency {
    return this.latencies.get(latencyKey(provider, model, streaming)) ?? { averageMs: null, answers: 0 };
  }

  /**
   * The route's targets in the order to try them: as listed (`fallback`); one drawn by weight
   * first, among those `ready` says can answer now when any can (`weighted`); the fastest first,
   * targets not yet measured before all others so that each gets measured (`latency`).
   */
  order(route: ModelRoute, targets: readonly RouteTarget[], context: { streaming: boolean; ready: (target: RouteTarget) => boolean }): RouteTarget[] {
    if (targets.length < 2 || route.strategy === 'fallback') return [...targets];
    if (route.strategy === 'weighted') {
      const ready = targets.filter(context.ready);
      const pool = ready.length > 0 ? ready : targets;
      const first = this.draw(pool);
      return [first, ...targets.filter((target) => target !== first)];
    }
    const average = (target: RouteTarget) => this.latencyOf(target.provider, target.model, context.streaming).averageMs ?? -1;
    // Array.prototype.sort is stable: equal averages keep the listed order.
    return [...targets].sort((a, b) => average(a) - average(b));
  }

  /** An answer's speed: the time to its first token when streamed, else to the whole answer. */
  observe(provider: string, model: string, streaming: boolean, latencyMs: number): void {
    if (!(latencyMs >= 0)) return;
    const key = latencyKey(provider, model, streaming);
    const current = this.latencies.get(key);
    const averageMs = current?.averageMs == null ? latencyMs : current.averageMs + SMOOTHING * (latencyMs - current.averageMs);
    this.latencies.set(key, { averageMs, answers: (current?.answers ?? 0) + 1 });
  }

  private draw(pool: readonly RouteTarget[]): RouteTarget {
    const total = pool.reduce((sum, target) => sum + target.weight, 0);
    let point = this.random() * total;
    for (const target of pool) {
      point -= target.weight;
      if (point < 0) return target;
    }
    return pool[pool.length - 1]!;
  }
}
