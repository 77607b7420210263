import type { BackendSelection } from '../backends/select-backend.js';
import type { EpochRecord } from './epoch-record.js';
import type { Recipe } from '../recipes/recipe.js';
import type { DevSet } from './dev-set.js';
import type { EvaluationShard } from './engine-data.js';

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
  readonly recipe: Recipe;
  readonly history: readonly EpochRecord[];
  readonly backend: BackendSelection;
  readonly workers: number;
  /** The trained weights as exported: the moving average when the recipe keeps one. */
  readonly params: Float32Array;
  /** Population statistics of the batch normalisations (empty without any). */
  readonly statistics: Float32Array;
  /** The final weights on the test set. */
  readonly evaluation: EvaluationShard;
  /** The development set and the final weights on it, when one was measured. */
  readonly dev?: { readonly set: DevSet; readonly evaluation: EvaluationShard };
  /** The commit the run started from (`-dirty` with uncommitted changes), null outside git. */
  readonly gitCommit: string | null;
}
