import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { buildTrainingGraph } from '../backends/onnxruntime/graph/training-graph.js';
import { StateBuffers } from '../backends/onnxruntime/state-buffers.js';
import { StepRunner } from '../backends/onnxruntime/step-runner.js';
import type { RecipeName } from '../recipes/recipe.js';
import { resolveRecipe } from '../recipes/resolve-recipe.js';
import { createTrainingState } from '../train/training-state.js';

/** Time per op type in one training step on onnxruntime (its own profiler), largest first. */
export interface OpProfile {
  readonly op: string;
  readonly ms: number;
  readonly nodes: number;
}

/**
 * Runs `steps` training steps of `recipe`'s graph on one intra-op thread with onnxruntime's
 * profiler after `warmupSteps`, on random images (the op times do not depend on the pixels), and
 * returns the mean time per step of each op type, including the fused ones onnxruntime makes
 * (`FusedConv`, `FusedMatMul`, ...). Also returns the process CPU time per step, which a busy
 * machine inflates less than wall time.
 */
export async function profileOnnxRuntimeStep(options: {
  recipe?: RecipeName;
  batchSize: number;
  steps: number;
  warmupSteps: number;
}): Promise<{ ops: OpProfile[]; cpuMsPerStep: number }> {
  const recipe = resolveRecipe(options.recipe ?? 'reference');
  const graph = buildTrainingGraph(recipe, options.batchSize);
  const dir = mkdtempSync(join(tmpdir(), 'onnxpipe-profile-'));
  try {
    const session = await ort.InferenceSession.create(graph.model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      intraOpNumThreads: 1,
      enableProfiling: true,
      profileFilePrefix: join(dir, 'step'),
    });
    const runner = new StepRunner(
      recipe,
      graph,
      session,
      new StateBuffers(recipe.network, createTrainingState(recipe, 1, 1)),
    );
    const pixels = recipe.network.inputShape.reduce((a, b) => a * b, 1);
    const x = Float32Array.from({ length: options.batchSize * pixels }, (_, i) => ((i * 7919) % 255) / 255);
    const y = Int32Array.from({ length: options.batchSize }, (_, i) => i % recipe.network.classes);
    for (let i = 0; i < options.warmupSteps; i++) await runner.run({ x, y, dropoutSeed: i }, 1e-3, i + 1);
    const before = process.cpuUsage();
    for (let i = 0; i < options.steps; i++)
      await runner.run({ x, y, dropoutSeed: i }, 1e-3, options.warmupSteps + i + 1);
    const cpu = process.cpuUsage(before);
    session.endProfiling();
    await session.release();
    const file = readdirSync(dir).find((f) => f.endsWith('.json'));
    if (file === undefined) throw new Error(`onnxruntime wrote no profile in ${dir}`);
    const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      cat: string;
      name: string;
      dur: number;
      args?: { op_name?: string };
    }[];
    const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').length;
    const byOp = new Map<string, { us: number; nodes: Set<string> }>();
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
      const op = e.args?.op_name ?? 'unknown';
      const entry = byOp.get(op) ?? { us: 0, nodes: new Set<string>() };
      entry.us += e.dur;
      entry.nodes.add(e.name);
      byOp.set(op, entry);
    }
    const ops = [...byOp]
      .map(([op, { us, nodes }]) => ({ op, ms: us / runs / 1000, nodes: nodes.size }))
      .sort((a, b) => b.ms - a.ms);
    return { ops, cpuMsPerStep: (cpu.user + cpu.system) / 1000 / options.steps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
