// What an IP address reaches: the public internet, this machine, or a network the portal
// fetcher must never be pointed at (intranet, cloud metadata, link-local, multicast…).
// Ranges from the IANA special-purpose registries; addresses that carry an IPv4 address inside
// IPv6 (mapped, NAT64) are judged by that IPv4 address.

import net from 'node:net';

export type AddressKind = 'public' | 'loopback' | 'internal';

type Range = readonly [prefix: number[], bits: number];

const IPV4_INTERNAL: Range[] = [
  [[0, 0, 0, 0], 8], // "this network", unspecified
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10], // CGNAT
  [[169, 254, 0, 0], 16], // link-local, cloud metadata
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2, 0], 24], // documentation
  [[192, 88, 99, 0], 24], // 6to4 relay
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15], // benchmarking
  [[198, 51, 100, 0], 24], // documentation
  [[203, 0, 113, 0], 24], // documentation
  [[224, 0, 0, 0], 4], // multicast
  [[240, 0, 0, 0], 4], // reserved, broadcast
];

// As 16-bit groups.
const IPV6_INTERNAL: Range[] = [
  [[0, 0, 0, 0, 0, 0, 0, 0], 96], // unspecified, IPv4-compatible (deprecated)
  [[0x64, 0xff9b, 1], 48], // local-use NAT64
  [[0x100, 0, 0, 0], 64], // discard
  [[0x2001, 0], 23], // IETF protocol assignments, Teredo
  [[0x2001, 0xdb8], 32], // documentation
  [[0x2002], 16], // 6to4
  [[0xfc00], 7], // unique local
  [[0xfe80], 10], // link-local
  [[0xfec0], 10], // site-local (deprecated)
  [[0xff00], 8], // multicast
];

export function addressKind(address: string): AddressKind {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  switch (net.isIP(ip)) {
    case 4:
      return ipv4Kind(ip.split('.').map(Number));
    case 6:
      return ipv6Kind(ipv6Groups(ip));
    default:
      // Not an address at all: nothing to connect to is safe to assume.
      return 'internal';
  }
}

function ipv4Kind(octets: number[]): AddressKind {
  if (octets[0] === 127) return 'loopback';
  return IPV4_INTERNAL.some((range) => inRange(octets, 8, range)) ? 'internal' : 'public';
}

function ipv6Kind(groups: number[]): AddressKind {
  const embedsIpv4 =
    inRange(groups, 16, [[0, 0, 0, 0, 0, 0xffff], 96]) || // IPv4-mapped
    inRange(groups, 16, [[0x64, 0xff9b, 0, 0, 0, 0], 96]); // NAT64
  if (embedsIpv4) return ipv4Kind([groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff]);
  if (groups.every((g, i) => g === (i === 7 ? 1 : 0))) return 'loopback';
  return IPV6_INTERNAL.some((range) => inRange(groups, 16, range)) ? 'internal' : 'public';
}

/** Whether the first `bits` bits of `parts` (each `width` bits) equal the range's prefix. */
function inRange(parts: number[], width: number, [prefix, bits]: Range): boolean {
  for (let i = 0, left = bits; left > 0; i++, left -= width) {
    const shift = Math.max(0, width - left);
    if ((parts[i]! ^ (prefix[i] ?? 0)) >> shift !== 0) return false;
  }
  return true;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing IPv4 part split). */
function ipv6Groups(ip: string): number[] {
  const toGroups = (part: string): number[] =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [parseInt(g, 16)];
          const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = ip.split('::');
  const high = toGroups(head);
  const low = tail === undefined ? [] : toGroups(tail);
  return [...high, ...new Array<number>(8 - high.length - low.length).fill(0), ...low];
}
