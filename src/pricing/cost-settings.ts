// Per-model cost settings held in memory (loaded at boot, changed through the API, read again
// when an instance sharing the store changes them) and applied to every call on its way to the
// store, so an override wins over the catalog for ingested and gateway calls alike. A cost the
// client reported itself is left as given.
import type { CallRecord } from '../domain/call-record.js';
import type { PriceOverride } from '../domain/price-override.js';
import type { PriceOverrideRepository } from '../store/ports.js';
import { LocalChanges } from '../live/cross-instance-settings.js';
import { priceWithSetting } from './price-call.js';

export class CostSettings {
  private overrides = new Map<string, PriceOverride>();
  private readonly changes = new LocalChanges();
  /** Called after a change made here is stored, to tell the instances sharing the store. */
  onLocalChange: () => void = () => undefined;

  private constructor(private readonly repository: PriceOverrideRepository) {}

  static async load(repository: PriceOverrideRepository): Promise<CostSettings> {
    const settings = new CostSettings(repository);
    await settings.refresh();
    return settings;
  }

  /** Takes the settings as stored (another instance may have changed them). */
  async refresh(): Promise<void> {
    const stored = await this.changes.read(() => this.repository.all());
    if (stored) this.overrides = new Map(stored.map((override) => [key(override.project_id, override.model), override]));
  }

  list(projectId: string): PriceOverride[] {
    return [...this.overrides.values()].filter((override) => override.project_id === projectId).sort((a, b) => a.model.localeCompare(b.model));
  }

  get(projectId: string, model: string): PriceOverride | null {
    return this.overrides.get(key(projectId, model)) ?? null;
  }

  async set(override: PriceOverride): Promise<void> {
    await this.repository.upsert(override);
    this.changes.made();
    this.overrides.set(key(override.project_id, override.model), override);
    this.onLocalChange();
  }

  async delete(projectId: string, model: string): Promise<boolean> {
    const deleted = await this.repository.delete(projectId, model);
    this.changes.made();
    this.overrides.delete(key(projectId, model));
    this.onLocalChange();
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
