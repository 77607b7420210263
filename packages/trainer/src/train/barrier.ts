/**
 * A reusable barrier for worker threads over shared memory: data-parallel workers meet here
 * between computing their gradients and updating their slice of the parameters, without a round
 * trip through the main thread. Slot 0 counts arrivals, slot 1 is the generation, slot 2 a flag a
 * worker raises when its gradient failed, so that the others skip the update instead of waiting.
 */
export class Barrier {
  readonly #cells: Int32Array;
  readonly #parties: number;

  private constructor(cells: Int32Array, parties: number) {
    this.#cells = cells;
    this.#parties = parties;
  }

  static create(parties: number): Barrier {
    return new Barrier(new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT)), parties);
  }

  /** The same barrier in another thread, from {@link buffer}. */
  static attach(buffer: SharedArrayBuffer, parties: number): Barrier {
    return new Barrier(new Int32Array(buffer), parties);
  }

  get buffer(): SharedArrayBuffer {
    return this.#cells.buffer as SharedArrayBuffer;
  }

  /** Blocks until every party has arrived; returns whether any of them reported a failure. */
  arriveAndWait(failed = false): boolean {
    if (failed) Atomics.store(this.#cells, 2, 1);
    const generation = Atomics.load(this.#cells, 1);
    if (Atomics.add(this.#cells, 0, 1) === this.#parties - 1) {
      Atomics.store(this.#cells, 0, 0);
      Atomics.add(this.#cells, 1, 1);
      Atomics.notify(this.#cells, 1);
    } else {
      while (Atomics.load(this.#cells, 1) === generation) Atomics.wait(this.#cells, 1, generation);
    }
    return Atomics.load(this.#cells, 2) !== 0;
  }

  /** Clears the failure flag; the main thread calls it before a step, while no worker waits. */
  reset(): void {
    Atomics.store(this.#cells, 2, 0);
  }
}
