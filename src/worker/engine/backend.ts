/**
 * The engine's backend part: tfjs start-up, the self-test the page compares across backends,
 * the one-step parity check and the bench/ benchmarks.
 */
import * as tf from '@tensorflow/tfjs';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import { initBackend, type BackendReport } from '../../ml/backend';
import { benchmarkAugment } from '../../ml/augment/benchmark';
import { registerWasmTrainingKernels } from '../../ml/kernels/wasm/register';
import type { EngineApi } from '../api';
import { matmulGflops } from '../augment-preview';
import { benchKnn, benchProbe } from '../bench-eval';
import { benchGpuProfile } from '../bench-gpu-profile';
import { benchTrainStep } from '../bench-train';
import { stepParity } from '../debug-step';
import type { EngineContext } from './context';

export type BackendPart = Pick<
  EngineApi,
  | 'init'
  | 'selfTest'
  | 'stepParity'
  | 'benchAugment'
  | 'benchTrainStep'
  | 'benchKnn'
  | 'benchProbe'
  | 'benchGpuProfile'
  | 'benchMatmul'
>;

export function backendPart({ ready, markReady }: EngineContext): BackendPart {
  return {
    async init({ backend, wasmThreads }) {
      const report = await initBackend({
        force: backend,
        wasmPaths: {
          'tfjs-backend-wasm.wasm': wasmUrl,
          'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
          'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
        },
        wasmThreads,
      });
      // tfjs-backend-wasm 4.22 cannot train convnets without these (and its input gradient is slow).
      if (report.active === 'wasm') registerWasmTrainingKernels();
      markReady(report);
      return report;
    },

    async selfTest() {
      await ready;
      // (x·W + b) then softmax: exercises matmul, broadcast add and a reduction.
      const values = tf.tidy(() => {
        const x = tf.tensor2d([0.5, -1, 2, 0.25, 3, -0.5, 1, 1.5], [2, 4]);
        const w = tf.tensor2d(
          [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, -0.8, 0.9, 1.0, -1.1, 1.2],
          [4, 3],
        );
        const b = tf.tensor1d([0.01, -0.02, 0.03]);
        return tf.softmax(tf.add(tf.matMul(x, w), b));
      });
      const data = Array.from(await values.data());
      values.dispose();
      return { backend: tf.getBackend() as BackendReport['active'], values: data };
    },

    async stepParity(o) {
      await ready;
      return stepParity(o);
    },

    async benchAugment(o) {
      await ready;
      const r = await benchmarkAugment(o);
      const sorted = [...r.pairMs].sort((a, b) => a - b);
      return {
        backend: tf.getBackend() as BackendReport['active'],
        medianPairMs: sorted[Math.floor(sorted.length / 2)],
      };
    },

    async benchTrainStep(o) {
      await ready;
      return benchTrainStep({
        ...o,
        backbone: o.backbone as Parameters<typeof benchTrainStep>[0]['backbone'],
      });
    },

    async benchKnn(o) {
      await ready;
      return benchKnn(o);
    },

    async benchProbe(o) {
      await ready;
      return benchProbe(o);
    },

    async benchGpuProfile(o) {
      await ready;
      return benchGpuProfile(o);
    },

    async benchMatmul({ n, repeats }) {
      await ready;
      return {
        backend: tf.getBackend() as BackendReport['active'],
        gflops: await matmulGflops(n, repeats),
      };
    },
  };
}
