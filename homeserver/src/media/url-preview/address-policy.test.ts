import { describe, expect, it } from 'vitest';
import { AddressPolicy } from './address-policy.js';

describe('AddressPolicy', () => {
  const policy = new AddressPolicy();
  it('refuses private, loopback, link-local and mapped addresses', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '100.64.0.1'])
      expect(policy.isAddressAllowed(a), a).toBe(false);
  });
  it('lets public addresses through', () => {
    for (const a of ['93.184.216.34', '1.1.1.1', '2606:4700:4700::1111']) expect(policy.isAddressAllowed(a), a).toBe(true);
  });
  it('applies the allow list before the built-in denials, and extra denials', () => {
    const p = new AddressPolicy({ allow: ['127.0.0.1/32'], deny: ['1.1.1.0/24'], hostDenylist: ['*.example.org', 'bad.test'] });
    expect(p.isAddressAllowed('127.0.0.1')).toBe(true);
    expect(p.isAddressAllowed('127.0.0.2')).toBe(false);
    expect(p.isAddressAllowed('1.1.1.1')).toBe(false);
    expect(p.isHostAllowed('a.example.org')).toBe(false);
    expect(p.isHostAllowed('example.org')).toBe(false);
    expect(p.isHostAllowed('BAD.test.')).toBe(false);
    expect(p.isHostAllowed('good.test')).toBe(true);
  });
});
