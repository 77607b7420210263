import * as ort from 'onnxruntime-node';
import type { TrainingExecutionProvider } from './execution-provider.js';

/** How the trainer's onnxruntime sessions run. */
export interface SessionSettings {
  readonly provider: TrainingExecutionProvider;
  /** Intra-op threads of each session (onnxruntime splits one op's work over them). */
  readonly threads: number;
  /**
   * Whether idle intra-op threads spin while waiting for work (onnxruntime's default). Spinning
   * shortens the hand-over between ops on an idle machine and wastes the cores other processes
   * need on a busy one. @defaultValue true
   */
  readonly spinning?: boolean;
}

/**
 * A session for one of the trainer's graphs: every optimisation onnxruntime has (its fusions
 * turn a MatMul of a Transpose into one GEMM, a Conv and its ReLU into one kernel), one op at a
 * time (the graphs are chains: parallel branches gain nothing), static shapes so that memory is
 * planned once. On CUDA, ops without a CUDA kernel fall back to the CPU.
 */
export function createTrainingSession(model: Uint8Array, settings: SessionSettings): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    executionProviders: settings.provider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: settings.threads,
    interOpNumThreads: 1,
    enableCpuMemArena: true,
    enableMemPattern: true,
    ...(settings.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  });
}
