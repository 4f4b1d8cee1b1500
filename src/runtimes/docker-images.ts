import { CyrangeError } from '../model/index.js';
import { type DockerClient, isNotFound } from './docker-client.js';

/** An image's own entrypoint and command, needed to wrap the entrypoint. */
export interface ImageConfig {
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
}

interface PullEvent {
  id?: string;
  status?: string;
  progress?: string;
  error?: string;
}

const pulls = new Map<string, Promise<void>>();

/**
 * Uses a local image as it is, or pulls a missing one, reporting per-layer progress.
 * Concurrent callers for the same image share one pull. A failure names the host and the image.
 */
export async function ensureImage(
  docker: DockerClient,
  image: string,
  host: string,
  onProgress?: (line: string) => void,
): Promise<ImageConfig> {
  try {
    return configOf(await docker.getImage(image).inspect());
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  let pull = pulls.get(image);
  if (!pull) {
    pull = pullImage(docker, image, onProgress).finally(() => pulls.delete(image));
    pulls.set(image, pull);
  }
  try {
    await pull;
  } catch (e) {
    throw new CyrangeError('CYR_RUNTIME', `host "${host}": pull of image "${image}" failed: ${(e as Error).message}`, {
      hint: 'build or load the image locally (docker build / docker load), or check registry access',
      cause: e,
    });
  }
  return configOf(await docker.getImage(image).inspect());
}

async function pullImage(docker: DockerClient, image: string, onProgress?: (line: string) => void): Promise<void> {
  const stream = (await docker.pull(image)) as NodeJS.ReadableStream;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, out: PullEvent[]) => {
        const failed = err ?? out.find((o) => o.error);
        if (failed) reject(failed instanceof Error ? failed : new Error((failed as PullEvent).error));
        else resolve();
      },
      (ev: PullEvent) => {
        if (ev.error) return;
        onProgress?.(`${image}: ${ev.id ? `${ev.id} ` : ''}${ev.status ?? ''}${ev.progress ? ` ${ev.progress}` : ''}`);
      },
    );
  });
}

function configOf(info: { Config?: { Entrypoint?: string[] | string | null; Cmd?: string[] | string | null } }): ImageConfig {
  const asList = (v: string[] | string | null | undefined) => (v == null ? [] : typeof v === 'string' ? ['/bin/sh', '-c', v] : v);
  return { entrypoint: asList(info.Config?.Entrypoint), cmd: asList(info.Config?.Cmd) };
}
