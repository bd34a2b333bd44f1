// Joins a provider base URL and an adapter's relative path without doubling or losing the
// slash between them, keeping any path prefix of the base (`https://openrouter.ai/api/v1`).
export function joinUpstreamUrl(baseUrl: string, path: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  const suffix = path.startsWith('/') ? path : `/${path}`;
  return `${base}${suffix}`;
}
