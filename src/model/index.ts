/** Pure blueprint model: schema, validation, IPAM, mode resolution, naming and renderers. No I/O. */
export * from './errors.js';
export * from './ip.js';
export * from './ipam.js';
export * from './schema.js';
export * from './network-config.js';
export * from './naming.js';
export * from './types.js';
export * from './resources.js';
export * from './blueprint.js';
export * from './resolve.js';
export * from './standalone.js';
export * from './nic-edit.js';
export * from './host-edit.js';
export * from './policy.js';
export * from './policy-eval.js';
export * from './guest-config.js';
export * from './microvm-boot.js';
