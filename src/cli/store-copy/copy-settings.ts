// The small tables of a store, copied whole and idempotently (an existing row is updated to
// the source's): projects, API keys (hashes, revocations), providers and their health, price
// overrides, budgets, research configurations, alert rules with their events, and suggestions.
import type { Store } from '../../store/ports.js';

export async function copySettings(source: Store, target: Store): Promise<void> {
  const projects = await source.projects.list();
  for (const project of projects) {
    await target.projects.ensure(project.id, project.name, project.created_at);
    await target.projects.setCaptureContent(project.id, project.capture_content);
  }
  for (const project of projects) {
    for (const key of await source.apiKeys.list(project.id)) {
      if (!(await target.apiKeys.get(project.id, key.id))) await target.apiKeys.insert({ ...key, revoked_at: null });
      if (key.revoked_at !== null) await target.apiKeys.revoke(project.id, key.id, key.revoked_at);
    }
    const research = await source.researchConfig.get(project.id);
    if (research) await target.researchConfig.put(project.id, research.document, research.updated_at);
  }
  for (const provider of await source.providers.list()) await target.providers.upsert(provider);
  for (const health of await source.providers.listHealth()) await target.providers.saveHealth(health);
  for (const override of await source.priceOverrides.all()) await target.priceOverrides.upsert(override);
  for (const budget of await source.budgets.list()) {
    if (await target.budgets.get(budget.project_id, budget.id)) await target.budgets.update(budget);
    else await target.budgets.insert(budget);
  }
  for (const rule of await source.alerts.listRules()) await target.alerts.putRule(rule);
  for (const event of await source.alerts.listEvents({ limit: Number.MAX_SAFE_INTEGER })) await target.alerts.putEvent(event);
  for (const suggestion of await source.suggestions.list()) await target.suggestions.put(suggestion);
}
