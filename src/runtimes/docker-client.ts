import { createRequire } from 'node:module';
import type Docker from 'dockerode';

/** The slice of the Docker Engine API Cyrange uses, so dockerode stays behind one small seam. */
export type DockerClient = Pick<
  Docker,
  'createContainer' | 'getContainer' | 'getImage' | 'listContainers' | 'listImages' | 'pull' | 'getEvents' | 'ping' | 'modem'
>;

let client: DockerClient | null = null;

/**
 * The Docker client for `DOCKER_HOST`, or the default socket; made once per process. dockerode
 * (with its ssh and gRPC stacks) is loaded only then, so commands that never talk to Docker start fast.
 */
export function dockerClient(): DockerClient {
  if (!client) {
    const DockerCtor = createRequire(import.meta.url)('dockerode') as typeof Docker;
    client = new DockerCtor();
  }
  return client;
}

/** Labels every Cyrange container carries: its ownership tags. */
export const LABEL_RANGE = 'cyrange.range';
export const LABEL_HOST = 'cyrange.host';

/** Name of a host's container: the same shape as its namespace name, `cyr_<instance>_<host>`. */
export function containerName(instance: string, host: string): string {
  return `cyr_${instance}_${host}`;
}

/** Whether an error from dockerode is a 404 (no such container or image). */
export function isNotFound(e: unknown): boolean {
  return (e as { statusCode?: number }).statusCode === 404;
}

/** Whether an error from dockerode says the object is already in the wanted state (304). */
export function isNotModified(e: unknown): boolean {
  return (e as { statusCode?: number }).statusCode === 304;
}
