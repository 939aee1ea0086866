import { BlockList, isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * Loopback only: on a pod or compose network every neighbour (and, behind an ingress that is not a
 * configured trusted proxy, every internet client) would otherwise count as the operator.
 */
export const DEFAULT_TRUSTED_NETWORKS = '127.0.0.0/8,::1/128';

/** A set of CIDRs (IPv4 and IPv6); IPv4-mapped IPv6 addresses count as their IPv4 address. */
export class NetworkSet {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(cidrs: string) {
    const items = cidrs.split(',').map((c) => c.trim()).filter(Boolean);
    this.empty = items.length === 0;
    for (const cidr of items) {
      const [address = '', bits] = cidr.split('/');
      const family = isIP(address);
      if (family === 0) throw new Error(`'${cidr}' is not an IP address or CIDR`);
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (bits === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(bits), type);
    }
  }

  has(address: string | undefined): boolean {
    if (!address || this.empty) return false;
    const plain = unmap(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Checks a CIDR list setting; the message says what a good value looks like. */
export function isCidrList(value: string): boolean {
  try {
    new NetworkSet(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy, in which case
 * `X-Forwarded-For` is read from the right, skipping trusted proxies, to the first address that
 * is not one. A peer that is not a trusted proxy cannot claim an address by sending the header.
 */
export function clientAddress(request: FastifyRequest, proxies: NetworkSet): string | undefined {
  const peer = request.raw.socket.remoteAddress;
  if (!proxies.has(peer)) return peer === undefined ? undefined : unmap(peer);
  const header = request.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = unmap(hops[i] ?? '');
    if (isIP(hop) === 0) return peer === undefined ? undefined : unmap(peer);
    if (!proxies.has(hop)) return hop;
  }
  return hops.length > 0 ? unmap(hops[0] ?? '') : unmap(peer ?? '');
}

function unmap(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
