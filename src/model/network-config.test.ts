import { describe, expect, it } from 'vitest';
import { DEFAULT_NETWORK_CONFIG, applyNetworkPatch, cloneNetworkConfig, resolveNetworkConfig } from './network-config.js';

describe('mode resolution: host over plugin over default, field by field', () => {
  it.each([
    ['no network given anywhere', undefined, undefined, { mode: 'bridged', auto_assign: true }],
    ['plugin default only', { mode: 'dhcp' as const }, undefined, { mode: 'dhcp' }],
    ['host override wins over the plugin', { mode: 'dhcp' as const }, { mode: 'bridged' as const }, { mode: 'bridged', auto_assign: true }],
    [
      'host overrides one field, inherits the rest',
      { mode: 'bridged' as const, subnet: '10.1.0.0/24', gateway: '10.1.0.1', auto_assign: true },
      { auto_assign: false },
      { mode: 'bridged', subnet: '10.1.0.0/24', gateway: '10.1.0.1', auto_assign: false },
    ],
    [
      'bridged plugin, vsock host: network fields are dropped',
      { mode: 'bridged' as const, subnet: '10.1.0.0/24', gateway: '10.1.0.1' },
      { mode: 'vsock' as const },
      { mode: 'vsock' },
    ],
    [
      'bridged to dhcp keeps subnet and gateway, drops auto_assign',
      { mode: 'bridged' as const, subnet: '10.1.0.0/24', auto_assign: true },
      { mode: 'dhcp' as const },
      { mode: 'dhcp', subnet: '10.1.0.0/24' },
    ],
    [
      'vsock plugin, host switches back to bridged',
      { mode: 'vsock' as const },
      { mode: 'bridged' as const, subnet: '10.2.0.0/24' },
      { mode: 'bridged', subnet: '10.2.0.0/24', auto_assign: true },
    ],
  ])('%s', (_name, plugin, host, want) => {
    expect(resolveNetworkConfig(plugin, host)).toEqual(want);
  });

  it('patching never changes the base (clone/patch/apply)', () => {
    const base = { mode: 'bridged' as const, subnet: '10.0.0.0/24', auto_assign: true };
    const copy = cloneNetworkConfig(base);
    const out = applyNetworkPatch(base, { mode: 'vsock' });
    expect(base).toEqual(copy);
    expect(out).not.toBe(base);
    expect(applyNetworkPatch(base, undefined)).toEqual(base);
    expect(applyNetworkPatch(base, undefined)).not.toBe(base);
    expect(DEFAULT_NETWORK_CONFIG).toEqual({ mode: 'bridged', auto_assign: true });
  });
});

describe('applyNetworkPatch: one patch over one base', () => {
  type Cfg = Parameters<typeof applyNetworkPatch>[0];
  type Patch = Parameters<typeof applyNetworkPatch>[1];
  const bridged: Cfg = { mode: 'bridged', subnet: '10.1.0.0/24', gateway: '10.1.0.1', auto_assign: false };

  it.each<[string, Cfg, Patch, Cfg]>([
    ['no patch: a copy of the base', bridged, undefined, bridged],
    ['an empty patch inherits everything', bridged, {}, bridged],
    ['one field patched, the others inherited', bridged, { gateway: '10.1.0.254' }, { ...bridged, gateway: '10.1.0.254' }],
    ['the same mode again keeps every field', bridged, { mode: 'bridged' }, bridged],
    ['bridged → vsock drops subnet, gateway and auto_assign', bridged, { mode: 'vsock' }, { mode: 'vsock' }],
    [
      'bridged → vsock drops them even when the patch gives them',
      bridged,
      { mode: 'vsock', subnet: '10.9.0.0/24', auto_assign: true },
      { mode: 'vsock' },
    ],
    [
      'bridged → dhcp keeps subnet and gateway, drops auto_assign',
      bridged,
      { mode: 'dhcp' },
      { mode: 'dhcp', subnet: '10.1.0.0/24', gateway: '10.1.0.1' },
    ],
    ['dhcp ignores an auto_assign patch', { mode: 'dhcp' }, { auto_assign: false }, { mode: 'dhcp' }],
    ['vsock → bridged starts with auto_assign true', { mode: 'vsock' }, { mode: 'bridged' }, { mode: 'bridged', auto_assign: true }],
    [
      'dhcp → bridged keeps subnet, adds auto_assign true',
      { mode: 'dhcp', subnet: '10.1.0.0/24' },
      { mode: 'bridged' },
      { mode: 'bridged', subnet: '10.1.0.0/24', auto_assign: true },
    ],
    ['auto_assign false survives a bridged patch without it', bridged, { subnet: '10.2.0.0/24' }, { ...bridged, subnet: '10.2.0.0/24' }],
  ])('%s', (_name, base, patch, want) => {
    expect(applyNetworkPatch(base, patch)).toEqual(want);
  });

  it('works on frozen input and returns a fresh object every time', () => {
    const base = Object.freeze({ ...bridged });
    const patch = Object.freeze({ mode: 'dhcp' as const });
    const a = applyNetworkPatch(base, patch);
    const b = applyNetworkPatch(base, patch);
    expect(a).toEqual(b);
    expect(a).not.toBe(b);
    expect(base).toEqual(bridged);
    expect(patch).toEqual({ mode: 'dhcp' });
  });

  it('hands out copies of the default that callers may change without touching it', () => {
    const got = resolveNetworkConfig(undefined, undefined) as { mode: string; auto_assign?: boolean };
    expect(got).not.toBe(DEFAULT_NETWORK_CONFIG);
    got.mode = 'vsock';
    delete got.auto_assign;
    expect(resolveNetworkConfig(undefined, undefined)).toEqual({ mode: 'bridged', auto_assign: true });
    expect(Object.isFrozen(DEFAULT_NETWORK_CONFIG)).toBe(true);
  });

  it('clones share nothing with their source', () => {
    const src = { mode: 'bridged' as const, subnet: '10.0.0.0/24' };
    const copy = cloneNetworkConfig(src) as { subnet?: string };
    copy.subnet = '10.9.9.0/24';
    expect(src.subnet).toBe('10.0.0.0/24');
  });

  it.each<[string, Patch, Patch, Cfg]>([
    [
      'plugin fields fill what the host leaves out',
      { mode: 'bridged', subnet: '10.1.0.0/24' },
      { gateway: '10.1.0.9' },
      { mode: 'bridged', subnet: '10.1.0.0/24', gateway: '10.1.0.9', auto_assign: true },
    ],
    [
      'a host field beats the plugin field',
      { mode: 'bridged', auto_assign: false },
      { auto_assign: true },
      { mode: 'bridged', auto_assign: true },
    ],
    ['a vsock plugin leaves nothing for a host that only sets a subnet', { mode: 'vsock' }, { subnet: '10.1.0.0/24' }, { mode: 'vsock' }],
    [
      'a dhcp host on a bridged plugin with auto_assign false',
      { mode: 'bridged', auto_assign: false, gateway: '10.1.0.1' },
      { mode: 'dhcp' },
      { mode: 'dhcp', gateway: '10.1.0.1' },
    ],
  ])('host over plugin: %s', (_name, plugin, hostCfg, want) => {
    expect(resolveNetworkConfig(plugin, hostCfg)).toEqual(want);
  });
});
