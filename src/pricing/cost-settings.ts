// Per-model cost settings held in memory (loaded at boot, changed through the API) and
// applied to every call on its way to the store, so an override wins over the catalog for
// ingested and gateway calls alike. A cost the client reported itself is left as given.
import type { CallRecord } from '../domain/call-record.js';
import type { PriceOverride } from '../domain/price-override.js';
import type { PriceOverrideRepository } from '../store/ports.js';
import { priceWithSetting } from './price-call.js';

export class CostSettings {
  private readonly overrides = new Map<string, PriceOverride>();

  private constructor(private readonly repository: PriceOverrideRepository) {}

  static async load(repository: PriceOverrideRepository): Promise<CostSettings> {
    const settings = new CostSettings(repository);
    for (const override of await repository.all()) settings.overrides.set(key(override.project_id, override.model), override);
    return settings;
  }

  list(projectId: string): PriceOverride[] {
    return [...this.overrides.values()].filter((override) => override.project_id === projectId).sort((a, b) => a.model.localeCompare(b.model));
  }

  get(projectId: string, model: string): PriceOverride | null {
    return this.overrides.get(key(projectId, model)) ?? null;
  }

  async set(override: PriceOverride): Promise<void> {
    await this.repository.upsert(override);
    this.overrides.set(key(override.project_id, override.model), override);
  }

  async delete(projectId: string, model: string): Promise<boolean> {
    const deleted = await this.repository.delete(projectId, model);
    this.overrides.delete(key(projectId, model));
    return deleted;
  }

  /** Re-prices a call when its project has settings for its model. */
  apply(call: CallRecord): void {
    if (call.price_source === 'reported' || call.price_source === 'cache') return;
    const override = this.overrides.get(key(call.project_id, call.model));
    if (override) priceWithSetting(call, override);
  }
}

function key(projectId: string, model: string): string {
  return `${projectId}\u0000${model}`;
}
