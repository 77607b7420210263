import { createRng } from '@onnxpipe/core';
import { initializeTensors, parameterSpecs, statisticSpecs, tensorLayout } from '../model/network-spec.js';
import { createOptimizer } from '../optim/create-optimizer.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Recipe } from '../recipes/recipe.js';
import type { NetworkBuffers } from './engine-data.js';

/** Everything a run updates: the network's buffers and the optimizer's state. */
export interface TrainingState extends NetworkBuffers {
  readonly optimizer: Optimizer;
}

/**
 * A fresh state for `recipe`, initialised from `seed`: on SharedArrayBuffers when several
 * workers read and update it.
 */
export function createTrainingState(recipe: Recipe, workers: number, seed: number): TrainingState {
  const shared = workers > 1;
  const allocate = (length: number) => {
    const bytes = length * Float32Array.BYTES_PER_ELEMENT;
    return new Float32Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  };
  const specs = parameterSpecs(recipe.network);
  const params = allocate(tensorLayout(specs).total);
  initializeTensors(specs, params, createRng(seed).next);
  const statisticsSpecs = statisticSpecs(recipe.network);
  const statistics = allocate(tensorLayout(statisticsSpecs).total);
  initializeTensors(statisticsSpecs, statistics, () => 0);
  const averaged = recipe.weightAverageDecay === undefined ? undefined : allocate(params.length);
  averaged?.set(params);
  return { params, statistics, averaged, optimizer: createOptimizer(recipe.optimizer, params.length, shared) };
}

/** Named arrays of a state, for checkpoints: parameters, statistics, the average, the optimizer's state. */
export function stateArrays(state: TrainingState): Record<string, Float32Array> {
  return {
    params: state.params,
    statistics: state.statistics,
    ...(state.averaged === undefined ? {} : { averaged: state.averaged }),
    ...Object.fromEntries(Object.entries(state.optimizer.state).map(([name, array]) => [`optimizer.${name}`, array])),
  };
}
