import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/**
 * Which addresses a download may reach when the TelAPI it talks to is public: none of this host,
 * its private networks, link-local (cloud metadata at 169.254.169.254) or anything the internet does
 * not route, however the address is written.
 */

const NON_PUBLIC_IPV4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network": 0.0.0.0 reaches the local host
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
];

const NON_PUBLIC_IPV6: ReadonlyArray<readonly [string, number]> = [
  ['::', 96], // unspecified, loopback and the deprecated IPv4-compatible form
  ['64:ff9b:1::', 48], // NAT64 for local use
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
];

/** The well-known NAT64 prefix (/96): an IPv6-only host reaches IPv4 through it. */
const NAT64_PREFIX = '64:ff9b::';

const NON_PUBLIC = new BlockList();
for (const [network, prefix] of NON_PUBLIC_IPV4) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
  NON_PUBLIC.addSubnet(`${NAT64_PREFIX}${network}`, 96 + prefix, 'ipv6');
}
for (const [network, prefix] of NON_PUBLIC_IPV6) NON_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** An IP address (IPv4-mapped IPv6 included) that is not on the public internet. */
export function isNonPublicAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 0) return false;
  // BlockList checks an IPv4-mapped IPv6 address (::ffff:a.b.c.d) against the IPv4 networks too.
  return NON_PUBLIC.check(address, version === 4 ? 'ipv4' : 'ipv6');
}

/** `localhost` and the names under it (RFC 6761): this host. */
const LOCALHOST_SUFFIX = '.localhost';

/**
 * A URL's hostname (as URL normalises it: decimal, octal and hex IPv4 become dotted quads, IPv6 is
 * bracketed) that names a non-public address without a lookup: a literal address, or `localhost`
 * and the names under it. Any other name is checked when it resolves.
 */
export function isNonPublicHost(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (name === LOCALHOST_SUFFIX.slice(1) || name.endsWith(LOCALHOST_SUFFIX)) return true;
  return isNonPublicAddress(name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name);
}

/** Names only a local network resolves (RFC 6762 .local, RFC 8375 home.arpa, and common private suffixes). */
const LOCAL_SUFFIXES = ['.local', '.home.arpa', '.lan', '.internal', '.intranet', '.localdomain'];

/**
 * Whether a host a URL names can be reached from the internet at all, judged from the name alone: not
 * a non-public address (isNonPublicHost), not a name only a local network resolves, not a single
 * label (`raspberrypi`). A public-looking name may still resolve to a private address.
 */
export function isLocalOnlyHost(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  if (isNonPublicHost(name)) return true;
  if (!name.startsWith('[') && !name.includes('.')) return true;
  return LOCAL_SUFFIXES.some((suffix) => name.endsWith(suffix) || name === suffix.slice(1));
}

/**
 * What isLocalOnlyHost judges by, as data, for the editor to run the same algorithm on (the account
 * dialog warns of a public URL the internet cannot reach as it is typed): the networks, the NAT64
 * prefix, and the name suffixes (`localhost` among them, as isNonPublicHost has it).
 */
export function localOnlyRules(): { ipv4: Array<[string, number]>; ipv6: Array<[string, number]>; nat64: string; suffixes: string[] } {
  return {
    ipv4: NON_PUBLIC_IPV4.map(([network, prefix]) => [network, prefix]),
    ipv6: NON_PUBLIC_IPV6.map(([network, prefix]) => [network, prefix]),
    nat64: NAT64_PREFIX,
    suffixes: [LOCALHOST_SUFFIX, ...LOCAL_SUFFIXES],
  };
}

/** The code of the error a refused address raises, in the lookup or before a connection opens. */
export const BLOCKED_ADDRESS_CODE = 'ERR_TELAPI_BLOCKED_ADDRESS';

/**
 * `lookup`, refusing a name that resolves to any non-public address. The check is on the addresses
 * the connection then uses, so a name cannot resolve to a public address for a check and to a
 * private one for the connection (DNS rebinding). `trusted` names (a proxy the user configured)
 * resolve unchecked.
 */
export function publicOnlyLookup(lookup: LookupFunction = dns.lookup, trusted: readonly string[] = []): LookupFunction {
  const unchecked = new Set(trusted.map((name) => name.toLowerCase()));
  return (hostname, options, callback) => {
    if (unchecked.has(hostname.toLowerCase())) {
      lookup(hostname, options, callback);
      return;
    }
    lookup(hostname, options, (error, address, family) => {
      const addresses = typeof address === 'string' ? [address] : (address ?? []).map((entry) => entry.address);
      if (error || !addresses.some(isNonPublicAddress)) {
        callback(error, address, family);
        return;
      }
      const refused = Object.assign(new Error(`${hostname} resolves to an address that is not public`), { code: BLOCKED_ADDRESS_CODE, hostname });
      callback(refused, typeof address === 'string' ? '' : []);
    });
  };
}
