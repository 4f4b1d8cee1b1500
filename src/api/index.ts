/** The REST API, consoles, metrics and web UI server (Fastify). */
export { buildServer, type ServerOptions } from './server.js';
export { JobRunner, type Job, reconcileOnStart } from './jobs.js';
