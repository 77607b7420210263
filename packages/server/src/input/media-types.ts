/** Image bodies POST /predict takes, by Content-Type. */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;

/** Every body POST /predict takes, by Content-Type. */
export const PREDICT_MEDIA_TYPES = ['application/json', 'multipart/form-data', ...IMAGE_MEDIA_TYPES] as const;

/** sharp's format names of the images we decode, with their media types. */
export const DECODABLE_FORMATS: Readonly<Record<string, string>> = Object.freeze({
  png: 'image/png',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
});

/** Bodies of `POST /v2/models/{name}/infer`: JSON tensors, or JSON + binary tensor data. */
export const INFER_MEDIA_TYPES = ['application/json', 'application/octet-stream'] as const;
