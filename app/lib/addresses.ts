// Which IP addresses a webhook may be sent to. A URL an admin types could point the server at
// itself or at the network it sits in (a database's admin port, a cloud's metadata service), and
// the server would then post to it and show what it answered: every address a delivery would
// connect to is classified here first (app/lib/webhook-http.server.ts).

/** An address range that is not the public internet, with what a person is told about it. */
type Range = { bits: number[]; prefix: number; name: string };

const v4 = (dotted: string, prefix: number, name: string): Range => ({ bits: dotted.split(".").map(Number), prefix, name });

const LOOPBACK = "a loopback address (this machine)";
const PRIVATE = "a private network address";
const LINK_LOCAL = "a link-local address";
const RESERVED = "a reserved address";

// RFC 6890's special-purpose ranges that are not reachable on the internet, or reach this machine
// or its neighbours. Documentation and benchmarking ranges are included: nothing real lives there.
const V4_RANGES: Range[] = [
  v4("0.0.0.0", 8, "an address of this network (0.0.0.0/8)"),
  v4("10.0.0.0", 8, PRIVATE),
  v4("100.64.0.0", 10, "a shared address (carrier-grade NAT, 100.64.0.0/10)"),
  v4("127.0.0.0", 8, LOOPBACK),
  v4("169.254.0.0", 16, LINK_LOCAL),
  v4("172.16.0.0", 12, PRIVATE),
  v4("192.0.0.0", 24, RESERVED),
  v4("192.0.2.0", 24, RESERVED),
  v4("192.168.0.0", 16, PRIVATE),
  v4("198.18.0.0", 15, RESERVED),
  v4("198.51.100.0", 24, RESERVED),
  v4("203.0.113.0", 24, RESERVED),
  v4("224.0.0.0", 4, "a multicast address"),
  v4("240.0.0.0", 4, RESERVED),
];

/** The four bytes of a dotted IPv4 address, or undefined when it is not one. */
export function parseIPv4(text: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!match) return undefined;
  const bytes = match.slice(1).map(Number);
  return bytes.every((b) => b <= 255) ? bytes : undefined;
}

/** The eight 16-bit groups of an IPv6 address (a zone "%eth0" dropped), or undefined when it is not one. */
export function parseIPv6(text: string): number[] | undefined {
  let rest = text.replace(/%.*$/, "").toLowerCase();
  if (rest.startsWith("[") && rest.endsWith("]")) rest = rest.slice(1, -1);
  if (!/^[0-9a-f:.]+$/.test(rest) || !rest.includes(":")) return undefined;
  // An IPv4 address may end it ("::ffff:10.0.0.1"): its four bytes are the last two groups.
  const lastColon = rest.lastIndexOf(":");
  const dotted = rest.slice(lastColon + 1);
  if (dotted.includes(".")) {
    const bytes = parseIPv4(dotted);
    if (!bytes) return undefined;
    const hex = (hi: number, lo: number) => ((hi << 8) | lo).toString(16);
    rest = `${rest.slice(0, lastColon + 1)}${hex(bytes[0], bytes[1])}:${hex(bytes[2], bytes[3])}`;
  }
  const halves = rest.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const head = groups(halves[0]);
  const back = halves.length === 2 ? groups(halves[1]) : [];
  if ([...head, ...back].some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const known = head.length + back.length;
  if (halves.length === 2 ? known > 7 : known !== 8) return undefined;
  const zeros = halves.length === 2 ? 8 - known : 0;
  return [...head, ...Array<string>(zeros).fill("0"), ...back].map((g) => parseInt(g, 16));
}

function inV4Range(bytes: number[], range: Range): boolean {
  let bits = range.prefix;
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i] & mask) !== (range.bits[i] & mask)) return false;
  }
  return true;
}

function classifyV4(bytes: number[]): string | undefined {
  return V4_RANGES.find((range) => inV4Range(bytes, range))?.name;
}

/** The IPv4 address carried in the last 32 bits of an IPv6 address. */
const lastV4 = (g: number[]) => [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff];

function classifyV6(g: number[]): string | undefined {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return "the unspecified address (::)";
  if (zeroUpTo(7) && g[7] === 1) return LOOPBACK;
  // An IPv4 address written as IPv6 reaches that IPv4 address: mapped (::ffff:a.b.c.d), translated
  // (::ffff:0:a.b.c.d), the old compatible form (::a.b.c.d), and NAT64's well-known prefix.
  if (zeroUpTo(5) && g[5] === 0xffff) return classifyV4(lastV4(g));
  if (zeroUpTo(4) && g[4] === 0xffff && g[5] === 0) return classifyV4(lastV4(g));
  if (zeroUpTo(6)) return classifyV4(lastV4(g));
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyV4(lastV4(g));
  // 6to4 (2002::/16) carries an IPv4 address in its next 32 bits.
  if (g[0] === 0x2002) return classifyV4([g[1] >> 8, g[1] & 0xff, g[2] >> 8, g[2] & 0xff]);
  if ((g[0] & 0xffc0) === 0xfe80) return LINK_LOCAL;
  if ((g[0] & 0xffc0) === 0xfec0) return PRIVATE;
  if ((g[0] & 0xfe00) === 0xfc00) return "a unique local address (fc00::/7)";
  if ((g[0] & 0xff00) === 0xff00) return "a multicast address";
  if (g[0] === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return RESERVED;
  if (g[0] === 0x2001 && g[1] === 0x0db8) return RESERVED;
  // NAT64's local-use prefix (64:ff9b:1::/48, RFC 8215) translates to whatever IPv4 the network
  // chooses, internal ones included; Teredo (2001::/32) tunnels to an IPv4 address too.
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return "a NAT64 address for local use (64:ff9b:1::/48)";
  if (g[0] === 0x2001 && g[1] === 0x0000) return "a Teredo tunnel address (2001::/32)";
  return undefined;
}

/**
 * Why a webhook may not be sent to this address, in words ("a private network address"), or
 * undefined for an address on the public internet. Anything that is not an IP address is refused.
 */
export function forbiddenAddress(address: string): string | undefined {
  const bytes = parseIPv4(address);
  if (bytes) return classifyV4(bytes);
  const groups = parseIPv6(address);
  if (groups) return classifyV6(groups);
  return "not an IP address";
}

/** Whether the text is an IP address (v4, or v6 with or without brackets) rather than a host name. */
export function isIpAddress(text: string): boolean {
  return parseIPv4(text) !== undefined || parseIPv6(text) !== undefined;
}
