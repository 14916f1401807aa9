// The grid every stored weight sits on: model-codec.ts writes weights as integers in these units, and model.ts puts
// vectors on the same grid before adding them to a centroid, so removing a paper subtracts exactly what it added.

/** Stored weights are multiples of 1 / WEIGHT_SCALE. */
export const WEIGHT_SCALE = 1000;

/** A weight on the stored grid. */
export const quantize = (w: number): number => Math.round(w * WEIGHT_SCALE) / WEIGHT_SCALE;
