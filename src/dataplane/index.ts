/** Kernel data plane: range namespaces, bridges, veths, nftables and DHCP, driven through the sys executor. */
export * from './netns.js';
export * from './link-plan.js';
export * from './nft-plan.js';
export * from './nft-bridge-plan.js';
export * from './dnsmasq-plan.js';
export * from './range-net.js';
export * from './host-net.js';
export * from './metadata.js';
export * from './host-bridge.js';
export * from './tc-plan.js';
export * from './rate-limit.js';
export * from './stats.js';
