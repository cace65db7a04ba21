import { isIPv4, isIPv6 } from 'node:net';

/**
 * IP address parsing and classification for outbound-target checks (SSRF protection). Pure: no DNS,
 * no sockets. Addresses are handled as 128-bit integers; an IPv4 address is its IPv4-mapped IPv6
 * form (`::ffff:a.b.c.d`), so one CIDR matcher covers both families.
 */

export type AddressClass =
  'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'multicast' | 'reserved';

export interface IpAddress {
  family: 4 | 6;
  /** 128-bit value; IPv4 as `::ffff:a.b.c.d`. */
  value: bigint;
}

const MAPPED_PREFIX = 0xffffn << 32n;
const V4_MASK = 0xffffffffn;

/**
 * One part of a loose IPv4 address as `inet_aton` (and the WHATWG URL parser) reads it: decimal,
 * `0x` hex or leading-zero octal. Null when it is none of these.
 */
function ipv4Part(p: string): number | null {
  let n: number;
  if (/^0x[0-9a-f]*$/i.test(p)) n = p.length === 2 ? 0 : parseInt(p.slice(2), 16);
  else if (/^0[0-7]*$/.test(p)) n = parseInt(p, 8);
  else if (/^[1-9][0-9]*$/.test(p)) n = Number(p);
  else return null;
  return Number.isSafeInteger(n) ? n : Infinity;
}

/**
 * IPv4 in every form `inet_aton` accepts, which is also what `getaddrinfo` and browsers accept:
 * `127.0.0.1`, `2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`. The last part fills the remaining
 * bytes. Null when the text is not such an address (then it is a host name).
 */
export function parseIpv4Loose(text: string): number | null {
  const s = text.endsWith('.') && text.length > 1 ? text.slice(0, -1) : text;
  const parts = s.split('.');
  if (parts.length > 4 || parts.some((p) => p === '')) return null;
  const nums = parts.map(ipv4Part);
  if (nums.some((n) => n === null)) return null;
  const values = nums as number[];
  const last = values[values.length - 1];
  if (values.slice(0, -1).some((n) => n > 255)) return null;
  if (last >= 256 ** (5 - values.length)) return null;
  let v = 0;
  for (let i = 0; i < values.length - 1; i++) v += values[i] * 256 ** (3 - i);
  return v + last;
}

/** Eight 16-bit groups of a valid IPv6 address (zone id and brackets already removed). */
function ipv6Groups(s: string): number[] {
  let text = s;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseIpv4Loose(dotted[2])!;
    tail.push(Math.floor(v4 / 65536), v4 % 65536);
    text = dotted[1].endsWith('::') ? dotted[1] : dotted[1].slice(0, -1);
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const hex = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = hex(head);
  const right = [...hex(rest ?? ''), ...tail];
  if (rest === undefined) return [...left, ...tail];
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * Parses a host as an IP address: IPv4 (loose forms too, see `parseIpv4Loose`), IPv6 with or without
 * brackets and zone id. Null for a host name.
 */
export function parseIp(host: string): IpAddress | null {
  const h = host.trim();
  const v4 = parseIpv4Loose(h);
  if (v4 !== null) return { family: 4, value: MAPPED_PREFIX | BigInt(v4) };
  const bare = h.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (!isIPv6(bare)) return null;
  let value = 0n;
  for (const g of ipv6Groups(bare)) value = (value << 16n) | BigInt(g);
  return { family: 6, value };
}

/** Strict dotted-quad or IPv6 (for allow-list entries, where loose forms would only confuse). */
function parseIpStrict(text: string): IpAddress | null {
  const bare = text.replace(/^\[(.*)\]$/, '$1');
  return isIPv4(bare) || isIPv6(bare) ? parseIp(bare) : null;
}

function groupsOf(value: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
}

/**
 * The IPv4 address an IPv6 address carries and routes to, or null: IPv4-mapped (`::ffff:a.b.c.d`),
 * IPv4-translated (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated), NAT64
 * (`64:ff9b::a.b.c.d`) and 6to4 (`2002:aabb:ccdd::`).
 */
export function embeddedIpv4(ip: IpAddress): number | null {
  if (ip.family === 4) return Number(ip.value & V4_MASK);
  const g = groupsOf(ip.value);
  const low = Number(ip.value & V4_MASK);
  const zeros = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zeros(0, 5) && g[5] === 0xffff) return low;
  if (zeros(0, 4) && g[4] === 0xffff && g[5] === 0) return low;
  if (zeros(0, 6) && low > 1) return low;
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(2, 6)) return low;
  if (g[0] === 0x2002) return g[1] * 65536 + g[2];
  return null;
}

const v4 = (a: number, b: number, c: number, d: number) => ((a * 256 + b) * 256 + c) * 256 + d;
const inV4 = (n: number, base: number, bits: number) =>
  Math.floor(n / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits));

/** IPv4 ranges that are not the public internet, most specific first. */
const V4_RANGES: [number, number, AddressClass][] = [
  [v4(0, 0, 0, 0), 8, 'unspecified'], // "this network"; 0.0.0.0 reaches the local host on Linux
  [v4(127, 0, 0, 0), 8, 'loopback'],
  [v4(10, 0, 0, 0), 8, 'private'],
  [v4(172, 16, 0, 0), 12, 'private'],
  [v4(192, 168, 0, 0), 16, 'private'],
  [v4(100, 64, 0, 0), 10, 'private'], // carrier-grade NAT (shared address space)
  [v4(169, 254, 0, 0), 16, 'link-local'], // includes 169.254.169.254, the cloud metadata service
  [v4(192, 0, 0, 0), 24, 'reserved'], // IETF protocol assignments
  [v4(198, 18, 0, 0), 15, 'reserved'], // benchmarking
  [v4(224, 0, 0, 0), 4, 'multicast'],
  [v4(240, 0, 0, 0), 4, 'reserved'], // includes 255.255.255.255 (broadcast)
];

export function classifyIpv4(n: number): AddressClass {
  for (const [base, bits, cls] of V4_RANGES) if (inV4(n, base, bits)) return cls;
  return 'public';
}

/** What kind of address this is; an IPv6 address carrying an IPv4 one is classified by the latter. */
export function classifyIp(ip: IpAddress): AddressClass {
  if (ip.family === 4) return classifyIpv4(Number(ip.value & V4_MASK));
  if (ip.value === 0n) return 'unspecified';
  if (ip.value === 1n) return 'loopback';
  const embedded = embeddedIpv4(ip);
  if (embedded !== null) return classifyIpv4(embedded);
  const [g0, g1, g2, g3] = groupsOf(ip.value);
  if ((g0 & 0xff00) === 0xff00) return 'multicast'; // ff00::/8
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local'; // fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return 'private'; // fec0::/10, site-local (deprecated)
  if ((g0 & 0xfe00) === 0xfc00) return 'private'; // fc00::/7, unique local
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'private'; // 64:ff9b:1::/48, local-use NAT64
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'reserved'; // 100::/64, discard
  if (g0 === 0x2001 && g1 === 0xdb8) return 'reserved'; // 2001:db8::/32, documentation
  return 'public';
}

/** The class of a host that is an IP literal (any form `parseIp` reads), or null for a host name. */
export function classifyHost(host: string): AddressClass | null {
  const ip = parseIp(host);
  return ip ? classifyIp(ip) : null;
}

/** Canonical text of an address: dotted quad for IPv4, compressed lower-case IPv6. */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    const n = Number(ip.value & V4_MASK);
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  }
  const g = groupsOf(ip.value).map((x) => x.toString(16));
  // The longest run of two or more zero groups becomes "::".
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === '0') j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

export interface Cidr {
  /** The network as written, for messages. */
  text: string;
  value: bigint;
  /** Prefix length on the 128-bit value (an IPv4 /8 is /104 here). */
  bits: number;
}

/** `10.0.0.0/8`, `fd00::/8`, or a single address (a /32 or /128). Null when it is neither. */
export function parseCidr(text: string): Cidr | null {
  const [addr, len, extra] = text.split('/');
  if (extra !== undefined) return null;
  const ip = parseIpStrict(addr);
  if (!ip) return null;
  const max = ip.family === 4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return null;
  const prefix = len === undefined ? max : Number(len);
  if (prefix > max) return null;
  const bits = ip.family === 4 ? prefix + 96 : prefix;
  const mask = bits === 0 ? 0n : ((1n << BigInt(bits)) - 1n) << BigInt(128 - bits);
  return { text, value: ip.value & mask, bits };
}

export function inCidr(ip: IpAddress, c: Cidr): boolean {
  const shift = BigInt(128 - c.bits);
  if (ip.value >> shift === c.value >> shift) return true;
  // An IPv6 form of an IPv4 address (::ffff:127.0.0.1, 64:ff9b::…) matches IPv4 ranges too.
  const embedded = ip.family === 6 ? embeddedIpv4(ip) : null;
  return embedded !== null && (MAPPED_PREFIX | BigInt(embedded)) >> shift === c.value >> shift;
}

/**
 * An allow-list as written in an environment variable: `false`/empty (nothing), `true` (everything),
 * or a comma-separated list of addresses, CIDR ranges and host names.
 */
export interface AllowList {
  all: boolean;
  cidrs: Cidr[];
  /** Lower-case host names, without a trailing dot. */
  hosts: Set<string>;
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i;

/** Parses an allow-list; throws an Error naming the first entry that is none of the accepted forms. */
export function parseAllowList(spec: string | undefined): AllowList {
  const v = (spec ?? '').trim();
  const list: AllowList = { all: false, cidrs: [], hosts: new Set() };
  if (['', 'false', '0', 'no', 'off'].includes(v.toLowerCase())) return list;
  if (['true', '1', 'yes', 'on'].includes(v.toLowerCase())) return { ...list, all: true };
  for (const raw of v.split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const cidr = parseCidr(entry);
    if (cidr) list.cidrs.push(cidr);
    else if (
      !/^[\d.]+(\/\d+)?$/.test(entry) &&
      !entry.includes(':') &&
      HOST_NAME.test(entry.replace(/\.$/, ''))
    )
      list.hosts.add(entry.replace(/\.$/, '').toLowerCase());
    else throw new Error(`"${entry}" is not an IP address, a CIDR range (10.0.0.0/8) or a host name`);
  }
  return list;
}
