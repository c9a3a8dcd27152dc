// What an IP address reaches: the public internet, this machine, or a network the portal
// fetcher must never be pointed at (intranet, cloud metadata, link-local, multicast…).
// Ranges from the IANA special-purpose registries, checked by node:net's BlockList, which also
// judges an IPv4-mapped IPv6 address (::ffff:10.0.0.1) by its IPv4 rules; a NAT64 address
// (64:ff9b::/96) is judged by the IPv4 address it carries.

import net from 'node:net';

export type AddressKind = 'public' | 'loopback' | 'internal';

const IPV4_INTERNAL: [string, number][] = [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

const IPV6_INTERNAL: [string, number][] = [
  ['::', 96], // unspecified, IPv4-compatible (deprecated)
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001::', 23], // IETF protocol assignments, Teredo
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const internal = new net.BlockList();
for (const [prefix, bits] of IPV4_INTERNAL) internal.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of IPV6_INTERNAL) internal.addSubnet(prefix, bits, 'ipv6');

const nat64 = new net.BlockList();
nat64.addSubnet('64:ff9b::', 96, 'ipv6');

export function addressKind(address: string): AddressKind {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = net.isIP(ip);
  // Not an address at all: nothing to connect to is safe to assume.
  if (family === 0) return 'internal';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (type === 'ipv6' && nat64.check(ip, 'ipv6')) return addressKind(nat64Ipv4(ip));
  if (loopback.check(ip, type)) return 'loopback';
  return internal.check(ip, type) ? 'internal' : 'public';
}

/** The IPv4 address in the last 32 bits of a NAT64 address (`64:ff9b::c0a8:101` → 192.168.1.1). */
function nat64Ipv4(ip: string): string {
  const tail = ip.split(':').slice(-2);
  if (tail[1]?.includes('.')) return tail[1];
  const [high, low] = tail.map((g) => parseInt(g || '0', 16)) as [number, number];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}
