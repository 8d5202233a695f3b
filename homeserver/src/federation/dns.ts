// federation/'s DnsResolver over node:dns.
import { promises as dns } from 'node:dns';
import type { DnsResolver, SrvRecord } from '@parley/federation';

const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ESERVFAIL', 'EREFUSED', 'ETIMEOUT', 'ECONNREFUSED']);

export const nodeDns: DnsResolver = {
  async resolveSrv(name: string): Promise<SrvRecord[]> {
    try {
      return await dns.resolveSrv(name);
    } catch (err) {
      if (NO_RECORDS.has((err as NodeJS.ErrnoException).code ?? '')) return [];
      throw err;
    }
  },
};
