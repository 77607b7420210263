export { mnistTestDataDir, readMnistTestDigits } from './mnist-test-digits.js';
