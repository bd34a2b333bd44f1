// Budgets (seeds 001 and 004): CRUD, each answered with its current usage, what remains and
// when it resets. Changes reach the gateway's enforcement at once.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { uuidv7 } from 'uuidv7';
import { z } from 'zod';
import type { BudgetGuard } from '../../budgets/budget-guard.js';
import { budgetInputSchema, budgetPatchSchema, type Budget } from '../../domain/budget.js';
import type { Store } from '../../store/ports.js';
import { callerKey } from '../auth-plugin.js';
import { notFound } from '../errors.js';
import { budgetAnswer } from './cost-response-schemas.js';

const idParams = z.strictObject({ id: z.string().min(1).max(64) });

export function registerBudgetsRoutes(app: FastifyInstance, store: Store, guard: BudgetGuard): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  const present = async (budget: Budget) => {
    const status = await guard.status(budget);
    return { ...budget, created_at: new Date(budget.created_at).toISOString(), updated_at: new Date(budget.updated_at).toISOString(), ...status, remaining: Math.max(0, budget.amount - status.current_usage) };
  };

  typed.get('/api/v1/budgets', { config: { scope: 'read' }, schema: { tags: ['budgets'], summary: 'Budgets with their usage', response: { 200: z.object({ budgets: z.array(budgetAnswer) }) } } }, async (request) => {
    const budgets = await store.budgets.list(callerKey(request).project_id);
    return { budgets: await Promise.all(budgets.map(present)) };
  });

  typed.post('/api/v1/budgets', { config: { scope: 'admin' }, schema: { tags: ['budgets'], summary: 'Create a budget', body: budgetInputSchema, response: { 201: budgetAnswer } } }, async (request, reply) => {
    const projectId = callerKey(request).project_id;
    const now = Date.now();
    const input = request.body;
    const budget: Budget = { id: uuidv7(), project_id: projectId, name: input.name, budget_type: input.budget_type, amount: input.amount, scope: input.scope, scope_value: input.scope_value ?? null, action: input.action, is_active: input.is_active, created_at: now, updated_at: now };
    await store.budgets.insert(budget);
    await guard.reload(projectId);
    return reply.code(201).send(await present(budget));
  });

  typed.get('/api/v1/budgets/:id', { config: { scope: 'read' }, schema: { tags: ['budgets'], summary: 'One budget', params: idParams, response: { 200: budgetAnswer } } }, async (request) => {
    const budget = await store.budgets.get(callerKey(request).project_id, request.params.id);
    if (!budget) throw notFound('budget');
    return present(budget);
  });

  typed.patch('/api/v1/budgets/:id', { config: { scope: 'admin' }, schema: { tags: ['budgets'], summary: 'Change name, amount, action or is_active', params: idParams, body: budgetPatchSchema, response: { 200: budgetAnswer } } }, async (request) => {
    const projectId = callerKey(request).project_id;
    const current = await store.budgets.get(projectId, request.params.id);
    if (!current) throw notFound('budget');
    const patch = request.body;
    const budget: Budget = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)), updated_at: Date.now() };
    await store.budgets.update(budget);
    await guard.reload(projectId);
    return present(budget);
  });

  typed.delete('/api/v1/budgets/:id', { config: { scope: 'admin' }, schema: { tags: ['budgets'], summary: 'Delete a budget', params: idParams } }, async (request) => {
    const projectId = callerKey(request).project_id;
    if (!(await store.budgets.delete(projectId, request.params.id))) throw notFound('budget');
    await guard.reload(projectId);
    return { deleted: true };
  });
}
