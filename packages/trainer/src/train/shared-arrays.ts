import type { TrainingData } from './engine-data.js';

// Data-parallel workers read the images and the parameters in place: these copies sit on
// SharedArrayBuffers, which every worker thread maps without a copy of its own.

/** Copies a typed array onto a SharedArrayBuffer so that workers read it without copies. */
export function shareArray<T extends Uint8Array | Float32Array>(array: T): T {
  const Ctor = array.constructor as { new (buffer: SharedArrayBuffer): T };
  const shared = new Ctor(new SharedArrayBuffer(array.byteLength));
  shared.set(array as never);
  return shared;
}

export function shareTrainingData(data: TrainingData): TrainingData {
  return {
    trainImages: shareArray(data.trainImages),
    trainLabels: shareArray(data.trainLabels),
    testImages: shareArray(data.testImages),
    testLabels: shareArray(data.testLabels),
    devImages: shareArray(data.devImages),
    devLabels: shareArray(data.devLabels),
    normalization: data.normalization,
  };
}
