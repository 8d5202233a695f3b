// Which addresses outbound preview fetches may reach. Private, loopback, link-local, multicast and
// reserved ranges are refused unless explicitly allowed; checked on the resolved address, at
// connection time, so DNS answers (and redirects) cannot smuggle a request inside.
import { BlockList, isIP } from 'node:net';

const DENIED_V4 = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.0.0.0/24', '192.0.2.0/24', '192.88.99.0/24', '192.168.0.0/16', '198.18.0.0/15',
  '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4',
];
const DENIED_V6 = [
  '::/127', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64', '2001::/23', '2001:db8::/32', '2002::/16',
  'fc00::/7', 'fe80::/10', 'fec0::/10', 'ff00::/8',
];

function parseCidr(cidr: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } {
  const [address, bits] = cidr.split('/');
  const version = isIP(address);
  if (version === 0) throw new Error(`not an IP range: ${cidr}`);
  const family = version === 6 ? 'ipv6' : 'ipv4';
  return { address, prefix: bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits), family };
}

function blockList(cidrs: string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const { address, prefix, family } = parseCidr(cidr);
    list.addSubnet(address, prefix, family);
  }
  return list;
}

/** `::ffff:10.0.0.1` is 10.0.0.1. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

export class AddressPolicy {
  private readonly hostDenylist: string[];
  private readonly deny: string[];
  private readonly allow: string[];
  private lists: { denied: BlockList; allowed: BlockList } | undefined;

  constructor(opts: { allow?: string[]; deny?: string[]; hostDenylist?: string[] } = {}) {
    this.deny = opts.deny ?? [];
    this.allow = opts.allow ?? [];
    for (const cidr of [...this.deny, ...this.allow]) parseCidr(cidr);
    this.hostDenylist = (opts.hostDenylist ?? []).map((h) => h.toLowerCase());
  }

  isAddressAllowed(address: string): boolean {
    const ip = unmapped(address);
    const family = isIP(ip);
    if (family === 0) return false;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    // Built on first use: Node's first IPv6 check compiles a large regular expression (about 5 ms of start-up).
    this.lists ??= {
      denied: blockList([...DENIED_V4, ...DENIED_V6, ...this.deny]),
      allowed: blockList(this.allow),
    };
    if (this.lists.allowed.check(ip, type)) return true;
    return !this.lists.denied.check(ip, type);
  }

  isHostAllowed(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return !this.hostDenylist.some((d) => (d.startsWith('*.') ? h.endsWith(d.slice(1)) || h === d.slice(2) : h === d));
  }
}
