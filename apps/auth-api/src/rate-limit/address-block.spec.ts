import { addressBlockOf } from './address-block';

describe('addressBlockOf (the unit of per-address sign-in limits)', () => {
  it('keeps IPv4 addresses, and IPv4-mapped IPv6 ones as IPv4', () => {
    expect(addressBlockOf('203.0.113.7')).toBe('203.0.113.7');
    expect(addressBlockOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('counts IPv6 addresses by their /64 network, whatever their spelling', () => {
    const block = '2001:db8:1:2::/64';
    for (const ip of ['2001:db8:1:2::1', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:DB8:1:2:0:0:0:9', '2001:db8:1:2::abcd%eth0']) {
      expect({ ip, block: addressBlockOf(ip) }).toEqual({ ip, block });
    }
    expect(addressBlockOf('2001:db8:1:3::1')).not.toBe(block);
    expect(addressBlockOf('::1')).toBe('0:0:0:0::/64');
    expect(addressBlockOf('2001:db8::')).toBe('2001:db8:0:0::/64');
    expect(addressBlockOf('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
  });
});
