// plural.js: the plural rules the string modules use in their function
// values. English: 1 is singular; French: 0 and 1 are.

export const plural = (n, one, many) => (Number(n) === 1 ? one : many);
export const pluralFr = (n, one, many) => (Math.abs(Number(n)) < 2 ? one : many);
