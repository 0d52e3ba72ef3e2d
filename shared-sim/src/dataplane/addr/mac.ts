import { hashBytes } from '../../core/hash';

declare const macBrand: unique symbol;
/** A MAC address in the lower-case colon form Linux prints: `3e:01:ed:47:de:7f`. */
export type MacAddr = string & { readonly [macBrand]: true };

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff' as MacAddr;
export const ZERO_MAC = '00:00:00:00:00:00' as MacAddr;

function fmt(bytes: readonly number[]): MacAddr {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':') as MacAddr;
}

/**
 * A locally administered unicast MAC, as the kernel's `eth_hw_addr_random` gives veth, bridge and
 * VXLAN devices — derived from `key` instead of a random number generator.
 */
export function randomMac(key: string): MacAddr {
  const b = hashBytes(`mac:${key}`, 6);
  b[0] = ((b[0] ?? 0) & 0xfe) | 0x02;
  return fmt(b);
}

/** A virtual NIC MAC in the KVM/QEMU range 52:54:00, as cloud and lab VMs have. */
export function nicMac(key: string): MacAddr {
  const b = hashBytes(`nic:${key}`, 3);
  return fmt([0x52, 0x54, 0x00, ...b]);
}

export function parseMac(text: string): MacAddr | undefined {
  return /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(text.toLowerCase())
    ? (text.toLowerCase() as MacAddr)
    : undefined;
}

/** The EUI-64 link-local IPv6 address the kernel gives an interface from its MAC (addr_gen_mode eui64). */
export function linkLocalIpv6(mac: MacAddr): string {
  const b = mac.split(':').map((h) => parseInt(h, 16));
  const g = [
    ((b[0] ?? 0) ^ 0x02) * 256 + (b[1] ?? 0),
    (b[2] ?? 0) * 256 + 0xff,
    0xfe00 + (b[3] ?? 0),
    (b[4] ?? 0) * 256 + (b[5] ?? 0),
  ];
  return formatIpv6Groups([0xfe80, 0, 0, 0, ...g]);
}

/** RFC 5952 text: lower-case hex, the longest run of two or more zero groups written as `::`. */
export function formatIpv6Groups(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
