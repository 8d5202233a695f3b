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

function addCidrs(list: BlockList, cidrs: string[]): void {
  for (const cidr of cidrs) {
    const [address, bits] = cidr.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (isIP(address) === 0) throw new Error(`not an IP range: ${cidr}`);
    const prefix = bits === undefined ? (family === 'ipv6' ? 128 : 32) : Number(bits);
    list.addSubnet(address, prefix, family);
  }
}

/** `::ffff:10.0.0.1` is 10.0.0.1. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

export class AddressPolicy {
  private readonly denied = new BlockList();
  private readonly allowed = new BlockList();

  constructor(opts: { allow?: string[]; deny?: string[]; hostDenylist?: string[] } = {}) {
    addCidrs(this.denied, [...DENIED_V4, ...DENIED_V6, ...(opts.deny ?? [])]);
    addCidrs(this.allowed, opts.allow ?? []);
    this.hostDenylist = (opts.hostDenylist ?? []).map((h) => h.toLowerCase());
  }

  private readonly hostDenylist: string[];

  isAddressAllowed(address: string): boolean {
    const ip = unmapped(address);
    const family = isIP(ip);
    if (family === 0) return false;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (this.allowed.check(ip, type)) return true;
    return !this.denied.check(ip, type);
  }

  isHostAllowed(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    return !this.hostDenylist.some((d) => (d.startsWith('*.') ? h.endsWith(d.slice(1)) || h === d.slice(2) : h === d));
  }
}
