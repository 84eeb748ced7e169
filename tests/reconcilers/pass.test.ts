import { describe, expect, it } from 'vitest';
import { INITIAL_PROBE_STATE } from '../../reconcilers/http/hysteresis.ts';
import { summarizeHttpPass } from '../../reconcilers/http/pass.ts';
import { Semaphore } from '../../reconcilers/http/semaphore.ts';
import { runPass, type PassStep } from '../../reconcilers/pass.ts';
import type { HttpBinding } from '../../reconcilers/types.ts';
import { bindingOf } from './harnesses.ts';

describe('runPass', () => {
  it('runs the steps in order, stops at one that throws, times each, and always summarizes', async () => {
    const ran: string[] = [];
    const timed: string[] = [];
    const steps: PassStep<string[]>[] = [
      { name: 'a', run: (p) => void p.push('a') },
      {
        name: 'b',
        run: () => {
          throw new Error('b broke');
        },
      },
      { name: 'c', run: (p) => void p.push('c') },
    ];
    const summary = await runPass('http', steps, ran, (p, error) => ({ ran: [...p], error: (error as Error | undefined)?.message }), (_c, step) => timed.push(step));
    expect(summary).toEqual({ ran: ['a'], error: 'b broke' });
    expect(timed).toEqual(['a', 'b']);
  });

  it('summarizes without an error when every step ran', async () => {
    expect(await runPass('kubernetes', [{ name: 'a', run: () => undefined }], 1, (p, error) => [p, error])).toEqual([1, undefined]);
  });
});

describe('summarizeHttpPass', () => {
  const binding = bindingOf('component:default/a', { http: { url: 'http://127.0.0.1:9/h' } }) as HttpBinding;
  const pass = { binding, state: INITIAL_PROBE_STATE, thresholds: { failureThreshold: 1, successThreshold: 1 }, limiter: new Semaphore(1) };

  it('a pass whose step threw says unknown', () => {
    expect(summarizeHttpPass(pass, new Error('boom')).findings).toEqual([
      { ref: 'component:default/a', check: 'http', finding: 'unknown', target: { url: 'http://127.0.0.1:9/h' }, message: 'GET http://127.0.0.1:9/h: the probe failed: boom' },
    ]);
  });

  it('an aborted pass says nothing', () => {
    expect(summarizeHttpPass(pass, undefined).findings).toBeUndefined();
  });
});
