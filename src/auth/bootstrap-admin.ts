// First start: make sure an admin key exists. LOUPE_ADMIN_KEY installs a chosen key
// non-interactively; otherwise a key is generated and shown once.
import { uuidv7 } from 'uuidv7';
import { DEFAULT_PROJECT_ID } from '../domain/project.js';
import type { Store } from '../store/ports.js';
import { generateKeySecret, hashKeySecret, keyPrefix } from './api-key-secret.js';

export interface BootstrapResult {
  /** The generated secret, when one was created (to be printed once). */
  createdSecret: string | null;
}

export async function bootstrapAdminKey(store: Store, adminKey: string | undefined): Promise<BootstrapResult> {
  await store.projects.ensure(DEFAULT_PROJECT_ID, 'Default project');
  if (adminKey) {
    const hash = hashKeySecret(adminKey);
    if (!(await store.apiKeys.findByHash(hash))) {
      await store.apiKeys.insert({
        id: uuidv7(), project_id: DEFAULT_PROJECT_ID, name: 'admin (LOUPE_ADMIN_KEY)', prefix: keyPrefix(adminKey),
        hash, scopes: ['admin'], created_at: Date.now(), revoked_at: null,
      });
    }
    return { createdSecret: null };
  }
  if ((await store.apiKeys.countActive()) > 0) return { createdSecret: null };
  const secret = generateKeySecret();
  await store.apiKeys.insert({
    id: uuidv7(), project_id: DEFAULT_PROJECT_ID, name: 'admin (first start)', prefix: keyPrefix(secret),
    hash: hashKeySecret(secret), scopes: ['admin'], created_at: Date.now(), revoked_at: null,
  });
  return { createdSecret: secret };
}
