import type { BackendSelection } from '../backends/select-backend.js';
import type { EpochRecord } from './epoch-record.js';
import type { EvaluationShard } from './gradient-engine.js';

export interface TrainingProgress {
  readonly epoch: number;
  readonly done: number;
  readonly total: number;
}

export interface TrainingEvents {
  /** Human log lines in the reference's format. */
  log(line: string): void;
  /** Called after every step, for progress bars. */
  progress?(progress: TrainingProgress): void;
  /** The same facts as the log lines, structured (for `--json`). */
  stepLogged?(step: { epoch: number; images: number; total: number; loss: number }): void;
  epochDone?(record: EpochRecord): void;
}

export interface TrainingResult {
  readonly history: readonly EpochRecord[];
  readonly backend: BackendSelection;
  readonly workers: number;
  readonly params: Float32Array;
  readonly evaluation: EvaluationShard;
  /** The commit the run started from (`-dirty` with uncommitted changes), null outside git. */
  readonly gitCommit: string | null;
}
