/**
 * Kubernetes resource quantities (`500m`, `1Gi`, `1.5e3`), parsed exactly:
 * the value is the fraction `numerator / denominator` of BigInts, so
 * `0.5` = `500m`, `1Gi` = `1024Mi`, `1G` = `1000M` and `1.5Gi` = `1536Mi`
 * compare equal with no floating point anywhere. The grammar is the API's:
 * a signed decimal number, then one suffix: binary (`Ki Mi Gi Ti Pi Ei`),
 * decimal (`n u m k M G T P E`, or none) or a decimal exponent (`e3`, `E-2`).
 */
export interface Quantity {
  numerator: bigint;
  /** Always positive. */
  denominator: bigint;
}

/** Power of 2 of each binary suffix. */
const BINARY: Readonly<Record<string, bigint>> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };

/** Power of 10 of each decimal suffix. */
const DECIMAL: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const GRAMMAR = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Exponents beyond this are refused rather than expanded into huge BigInts. */
const MAX_EXPONENT = 1000;

/** Parses a quantity; a number is read as its decimal text. Undefined when it is not one. */
export function parseQuantity(value: unknown): Quantity | undefined {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string') return undefined;
  const match = GRAMMAR.exec(text.trim());
  if (!match) return undefined;
  const [, sign, number, suffix = ''] = match;
  const [whole, fraction = ''] = number.split('.');
  let numerator = BigInt((whole || '0') + fraction) * (sign === '-' ? -1n : 1n);
  let denominator = 10n ** BigInt(fraction.length);
  if (suffix in BINARY) {
    numerator *= 2n ** BINARY[suffix];
  } else {
    const exponent = suffix in DECIMAL ? DECIMAL[suffix] : Number(suffix.slice(1));
    if (Math.abs(exponent) > MAX_EXPONENT) return undefined;
    if (exponent >= 0) numerator *= 10n ** BigInt(exponent);
    else denominator *= 10n ** BigInt(-exponent);
  }
  return reduce({ numerator, denominator });
}

const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [a < 0n ? -a : a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};

function reduce(q: Quantity): Quantity {
  if (q.numerator === 0n) return { numerator: 0n, denominator: 1n };
  const d = gcd(q.numerator, q.denominator);
  return { numerator: q.numerator / d, denominator: q.denominator / d };
}

/** True when both are quantities of the same value. */
export function quantitiesEqual(a: unknown, b: unknown): boolean {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  return x !== undefined && y !== undefined && x.numerator * y.denominator === y.numerator * x.denominator;
}
