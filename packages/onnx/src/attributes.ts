import { describeValue, invalidChoiceMessage } from '@onnxpipe/core';
import { ONNXPIPE_ONNX_INVALID_ARGUMENT } from './errors.js';
import type { OnnxAttribute, OnnxAttributeType, OnnxTensor } from './model-types.js';
import { validateTensor } from './tensor-codec.js';

/** The attribute of one `type`, e.g. `AttributeOf<'INTS'>` has `ints: number[]`. */
export type AttributeOf<T extends OnnxAttributeType> = Extract<OnnxAttribute, { type: T }>;

/** The attribute types this package reads and writes. */
export const ATTRIBUTE_TYPES: readonly OnnxAttributeType[] = [
  'FLOAT',
  'INT',
  'STRING',
  'TENSOR',
  'FLOATS',
  'INTS',
  'STRINGS',
];

function fail(message: string): never {
  throw new ONNXPIPE_ONNX_INVALID_ARGUMENT(message);
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    fail(`attribute 'name' must be a non-empty string; received ${describeValue(name)}`);
  }
}

function checkInt(name: string, value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    fail(`attribute ${describeValue(name)}: ${what} must be a safe integer; received ${describeValue(value)}`);
  }
  return value;
}

function checkFloat(name: string, value: unknown, what: string): number {
  if (typeof value !== 'number') {
    fail(`attribute ${describeValue(name)}: ${what} must be a number; received ${describeValue(value)}`);
  }
  return value;
}

function checkString(name: string, value: unknown, what: string): string {
  if (typeof value !== 'string') {
    fail(`attribute ${describeValue(name)}: ${what} must be a string; received ${describeValue(value)}`);
  }
  return value;
}

function checkList<T>(name: string, values: unknown, check: (v: unknown, what: string) => T): T[] {
  if (!Array.isArray(values)) {
    fail(`attribute ${describeValue(name)}: value must be an array; received ${describeValue(values)}`);
  }
  return values.map((value, index) => check(value, `element ${index}`));
}

/**
 * Typed attribute constructors. ONNX attributes carry their type, and a JS number cannot say
 * whether it is an INT or a FLOAT, so each constructor names it; values are checked here so
 * that a mistake surfaces where it was made, not in the runtime.
 *
 * @example
 * ```ts
 * builder.node('Conv', [x, w, b], {
 *   attributes: [attr.ints('kernel_shape', [3, 3]), attr.ints('pads', [1, 1, 1, 1])],
 * });
 * builder.node('LeakyRelu', [y], { attributes: [attr.float('alpha', 0.1)] });
 * ```
 */
export const attr = {
  int(name: string, value: number): AttributeOf<'INT'> {
    checkName(name);
    return { name, type: 'INT', i: checkInt(name, value, 'value') };
  },
  float(name: string, value: number): AttributeOf<'FLOAT'> {
    checkName(name);
    return { name, type: 'FLOAT', f: checkFloat(name, value, 'value') };
  },
  string(name: string, value: string): AttributeOf<'STRING'> {
    checkName(name);
    return { name, type: 'STRING', s: checkString(name, value, 'value') };
  },
  tensor(name: string, value: OnnxTensor): AttributeOf<'TENSOR'> {
    checkName(name);
    validateTensor(value);
    return { name, type: 'TENSOR', t: value };
  },
  ints(name: string, values: readonly number[]): AttributeOf<'INTS'> {
    checkName(name);
    return { name, type: 'INTS', ints: checkList(name, values, (v, what) => checkInt(name, v, what)) };
  },
  floats(name: string, values: readonly number[]): AttributeOf<'FLOATS'> {
    checkName(name);
    return {
      name,
      type: 'FLOATS',
      floats: checkList(name, values, (v, what) => checkFloat(name, v, what)),
    };
  },
  strings(name: string, values: readonly string[]): AttributeOf<'STRINGS'> {
    checkName(name);
    return {
      name,
      type: 'STRINGS',
      strings: checkList(name, values, (v, what) => checkString(name, v, what)),
    };
  },
} as const;

/**
 * Checks an attribute built by hand (not through {@link attr}) before it is encoded.
 *
 * @throws ONNXPIPE_ONNX_INVALID_ARGUMENT (or ONNXPIPE_ONNX_BAD_TENSOR for a TENSOR attribute)
 */
export function validateAttribute(attribute: OnnxAttribute): void {
  const { name } = attribute;
  checkName(name);
  switch (attribute.type) {
    case 'FLOAT':
      checkFloat(name, attribute.f, "'f'");
      return;
    case 'INT':
      checkInt(name, attribute.i, "'i'");
      return;
    case 'STRING':
      checkString(name, attribute.s, "'s'");
      return;
    case 'TENSOR':
      validateTensor(attribute.t);
      return;
    case 'FLOATS':
      checkList(name, attribute.floats, (v, what) => checkFloat(name, v, what));
      return;
    case 'INTS':
      checkList(name, attribute.ints, (v, what) => checkInt(name, v, what));
      return;
    case 'STRINGS':
      checkList(name, attribute.strings, (v, what) => checkString(name, v, what));
      return;
    default:
      fail(
        `attribute ${describeValue(name)}: ${invalidChoiceMessage(
          'type',
          ATTRIBUTE_TYPES,
          (attribute as { type: unknown }).type,
        )}`,
      );
  }
}
