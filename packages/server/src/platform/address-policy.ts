import net from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Whether an IP address is one an outbound fetch on behalf of a user may connect to: global unicast only. Refused:
 * loopback, private (10/8, 172.16/12, 192.168/16), link-local (169.254/16 with the cloud metadata services, fe80::/10),
 * carrier-grade NAT (100.64/10), unspecified, broadcast, multicast, reserved and documentation ranges, unique-local
 * IPv6 (fc00::/7), and the IPv6 forms that carry an IPv4 address (IPv4-mapped `::ffff:a.b.c.d`, judged as that IPv4
 * address; NAT64, 6to4, Teredo, refused outright). Anything that is not an IP address in canonical text form is
 * refused too (`0x7f.1` and other legacy spellings are for the URL parser to normalise, not for this check).
 */
export function isPublicAddress(address: string): boolean {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (net.isIP(bare) === 0) return false;
  // process() turns an IPv4-mapped IPv6 address into the IPv4 address it carries.
  return ipaddr.process(bare).range() === 'unicast';
}

/** The IP address a URL's hostname spells, without the brackets of an IPv6 literal; undefined for a name. */
export function addressLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return net.isIP(bare) === 0 ? undefined : bare;
}
