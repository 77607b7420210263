/** Class names of MNIST, indexed by label: the label is the digit itself. */
export const DIGIT_LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** Class names of Fashion-MNIST, indexed by label, as its authors list them. */
export const FASHION_MNIST_LABELS = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** A list of class names indexed by label. */
export type ClassNames = readonly string[];
