// Which network addresses Loupe may call on behalf of API-configured providers: never
// private, loopback, link-local or unspecified ones (cloud metadata at 169.254.169.254,
// the host itself, the internal network), unless the operator allow-listed them.
import { BlockList, isIP } from 'node:net';

const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) PRIVATE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96]] as const) PRIVATE.addSubnet(network, prefix, 'ipv6');

/** IPv4-mapped and IPv4-compatible IPv6 addresses are judged as the IPv4 they carry. */
function embeddedIpv4(address: string): string | null {
  const match = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address) ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!match) return null;
  if (match.length === 2) return match[1]!;
  const high = parseInt(match[1]!, 16);
  const low = parseInt(match[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

export interface Allowlist {
  hosts: Set<string>;
  blocks: BlockList;
}

/** Entries are hosts, host:port pairs or CIDRs (LOUPE_UPSTREAM_ALLOWLIST, comma-separated). */
export function parseAllowlist(entries: readonly string[]): Allowlist {
  const hosts = new Set<string>();
  const blocks = new BlockList();
  for (const raw of entries.flatMap((entry) => entry.split(',')).map((entry) => entry.trim().toLowerCase()).filter(Boolean)) {
    const cidr = /^(.+)\/(\d{1,3})$/.exec(raw);
    const family = cidr ? isIP(cidr[1]!) : 0;
    if (cidr && family) blocks.addSubnet(cidr[1]!, Number(cidr[2]), family === 6 ? 'ipv6' : 'ipv4');
    else if (isIP(raw)) blocks.addAddress(raw, isIP(raw) === 6 ? 'ipv6' : 'ipv4');
    else hosts.add(raw);
  }
  return { hosts, blocks };
}

export function isPrivateAddress(address: string): boolean {
  const mapped = embeddedIpv4(address);
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export function addressAllowed(address: string, allowlist: Allowlist): boolean {
  const mapped = embeddedIpv4(address) ?? address;
  const family = isIP(mapped);
  if (family !== 0 && allowlist.blocks.check(mapped, family === 6 ? 'ipv6' : 'ipv4')) return true;
  return !isPrivateAddress(address);
}
