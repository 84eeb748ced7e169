import { describe } from 'vitest';
import { reconcilerContract } from './contract.ts';
import { httpHarness } from './harnesses.ts';

/** Every Reconciler implementation; the KubernetesReconciler joins with a harness over a real API server. */
const HARNESSES = [httpHarness()];

describe.each(HARNESSES)('Reconciler contract: $name', (harness) => {
  reconcilerContract(harness);
});
