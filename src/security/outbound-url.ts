// Checks an upstream base URL that arrived through the API: http(s) only, no credentials in
// it, and every address its host resolves to must be public or allow-listed. The same
// check runs again at connect time (see guardedLookup), so DNS rebinding cannot slip past.
import { lookup } from 'node:dns/promises';
import { lookup as lookupCallback, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { addressAllowed, type Allowlist } from './outbound-address.js';

export class OutboundUrlError extends Error {}

function hostAllowed(url: URL, allowlist: Allowlist): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return allowlist.hosts.has(host) || allowlist.hosts.has(`${host}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`);
}

export async function checkOutboundUrl(raw: string, allowlist: Allowlist): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundUrlError('is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new OutboundUrlError('must use http or https');
  if (url.username || url.password) throw new OutboundUrlError('must not carry credentials (user:password@)');
  if (hostAllowed(url, allowlist)) return url;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((entry) => entry.address);
  if (addresses.length === 0) throw new OutboundUrlError(`host ${host} does not resolve`);
  const refused = addresses.find((address) => !addressAllowed(address, allowlist));
  if (refused) throw new OutboundUrlError(`resolves to ${refused}, a private, loopback or link-local address (allow it with LOUPE_UPSTREAM_ALLOWLIST)`);
  return url;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A dns.lookup for connections to untrusted upstreams that refuses forbidden addresses. */
export function guardedLookup(allowlist: Allowlist, trustedHost: (host: string) => boolean) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    lookupCallback(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const refused = trustedHost(hostname) ? undefined : list.find((entry) => !addressAllowed(entry.address, allowlist));
      if (refused) return callback(Object.assign(new Error(`refused to connect to ${refused.address} (private address)`), { code: 'EADDRNOTALLOWED' }), []);
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
