/** The machine below everything else: subprocesses (argv only), process supervision, namespaces, waiting. */
export * from './attached.js';
export * from './cancel.js';
export * from './exec.js';
export * from './exec-streams.js';
export * from './ip-batch.js';
export * from './libexec.js';
export * from './log.js';
export * from './netns.js';
export * from './procs.js';
export * from './wait.js';
