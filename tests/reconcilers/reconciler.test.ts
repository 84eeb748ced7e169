import { describe } from 'vitest';
import { reconcilerContract } from './contract.ts';
import { httpHarness, kubernetesHarness } from './harnesses.ts';

/** Every Reconciler implementation: HTTP over real endpoints, Kubernetes over a real API server. */
const HARNESSES = [httpHarness(), kubernetesHarness()];

describe.each(HARNESSES)('Reconciler contract: $name', (harness) => {
  reconcilerContract(harness);
});
