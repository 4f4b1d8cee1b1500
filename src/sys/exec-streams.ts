/** The standard streams of one exec in a host: the caller's, or else this process's own. */
export interface ExecStreams {
  readonly stdin: NodeJS.ReadableStream;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** The streams an exec uses: those given, and ours for the rest (the CLI's terminal). */
export function execStreams(opts: {
  readonly stdin?: NodeJS.ReadableStream | undefined;
  readonly stdout?: NodeJS.WritableStream | undefined;
  readonly stderr?: NodeJS.WritableStream | undefined;
}): ExecStreams {
  return { stdin: opts.stdin ?? process.stdin, stdout: opts.stdout ?? process.stdout, stderr: opts.stderr ?? process.stderr };
}

/**
 * Forwards what arrives on the caller's `stdin` to `onData` (and its end to `onEnd`) until the
 * returned function is called. That removes only the listeners added here (the stream and its
 * other listeners stay the caller's) and pauses our own stdin again, so the CLI can exit.
 */
export function forwardInput(stdin: NodeJS.ReadableStream, onData: (chunk: Buffer) => void, onEnd?: () => void): () => void {
  const data = (chunk: Buffer | string) => onData(Buffer.from(chunk));
  const end = () => onEnd?.();
  stdin.on('data', data);
  stdin.once('end', end);
  return () => {
    stdin.off('data', data);
    stdin.off('end', end);
    if (stdin === process.stdin) process.stdin.pause();
  };
}
