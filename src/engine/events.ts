import { withLogContext } from '../sys/index.js';

/** Outcome of one step of an engine operation. */
export type StepStatus = 'started' | 'done' | 'failed' | 'skipped';

/** One progress event: a step of an operation on one instance changed status. */
export interface StepEvent {
  readonly kind: 'step';
  readonly op: 'deploy' | 'destroy' | 'gc' | 'host' | 'nic';
  readonly instance: string;
  readonly step: string;
  readonly status: StepStatus;
  readonly ms?: number;
  readonly error?: string;
}

/** A progress line inside a running step (an image pull, say). */
export interface ProgressEvent {
  readonly kind: 'progress';
  readonly instance: string;
  readonly step: string;
  readonly message: string;
}

/** Everything an engine operation reports while it runs. */
export type EngineEvent = StepEvent | ProgressEvent;

/** Receives engine events; the CLI and the API render them. */
export type EventSink = (e: EngineEvent) => void;

/** A finished step, as kept in an operation's result. */
export interface StepResult {
  readonly step: string;
  readonly status: Exclude<StepStatus, 'started'>;
  readonly ms: number;
  readonly error?: string;
}

/** Runs `fn` as a named step: emits started/done/failed and records the result. */
export async function step<T>(
  ctx: { emit: EventSink; results: StepResult[]; op: StepEvent['op']; instance: string },
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const t0 = performance.now();
  ctx.emit({ kind: 'step', op: ctx.op, instance: ctx.instance, step: name, status: 'started' });
  try {
    // Commands logged inside the step (CYRANGE_LOG=debug) name it.
    const v = await withLogContext({ step: name }, fn);
    const ms = Math.round(performance.now() - t0);
    ctx.results.push({ step: name, status: 'done', ms });
    ctx.emit({ kind: 'step', op: ctx.op, instance: ctx.instance, step: name, status: 'done', ms });
    return v;
  } catch (e) {
    const ms = Math.round(performance.now() - t0);
    const error = (e as Error).message;
    ctx.results.push({ step: name, status: 'failed', ms, error });
    ctx.emit({ kind: 'step', op: ctx.op, instance: ctx.instance, step: name, status: 'failed', ms, error });
    throw e;
  }
}
