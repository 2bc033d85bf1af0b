/**
 * A stored run's checkpoint as a file: a simlab checkpoint zip (tfjs layers models + config +
 * history, and a torchvision backbone.safetensors for ResNet-18) or a bare torchvision resnet18
 * .safetensors.
 */
import type * as tf from '@tensorflow/tfjs';
import { exportCheckpoint } from '../../ml/io/checkpoint-file';
import { exportTorchvisionResNet18 } from '../../ml/io/torchvision-resnet';
import type { DatasetStore } from '../../storage/dataset-store';
import type { CheckpointSlot } from '../../storage/run-schema';
import type { RunStore } from '../../storage/run-store';
import { fileSlug } from '../../common/file-name';
import type { RunHistoryFile } from './run-history-file';
import { classifierOf, loadStoredRun, rebuildRun } from './stored-run';
import type { RunFile } from '../../common/run-types';

/** The run's checkpoint `slot` as a simlab checkpoint zip: backbone (+ supervised classifier), config, history, and backbone.safetensors for ResNet-18. */
export async function exportRunCheckpoint(
  datasets: DatasetStore,
  runs: RunStore,
  runId: string,
  slot: CheckpointSlot,
): Promise<RunFile> {
  const t0 = performance.now();
  const { record, ckpt } = await loadStoredRun(runs, runId, slot);
  const meta = await datasets.getMeta(ckpt.config.dataset.id);
  const r = rebuildRun(ckpt);
  try {
    const models: Record<string, tf.LayersModel> = { backbone: r.backbone };
    const head = classifierOf(r.method);
    if (head) models.classifier = head;
    const extra: Record<string, Uint8Array> = {};
    if (r.config.backbone.name === 'resnet18') {
      extra['backbone.safetensors'] = await exportTorchvisionResNet18(r.backbone, {
        fc: head ?? undefined,
        metadata: { run: record.name, epoch: String(ckpt.position.epoch) },
      });
    }
    const history: RunHistoryFile = {
      format: 'simlab-run-history',
      run: {
        name: record.name,
        status: record.status,
        backend: record.backend,
        adapter: record.adapter,
        createdAt: record.createdAt,
        endedAt: record.endedAt,
      },
      slot,
      classNames: meta?.classes ?? [],
      datasetFingerprint: ckpt.config.dataset.fingerprint,
      position: ckpt.position,
      best: ckpt.best,
      curves: slot === 'latest' ? record.curves : ckpt.curves,
      final: slot === 'latest' ? record.final : null,
    };
    const bytes = await exportCheckpoint({ models, config: ckpt.config, history, extra });
    return {
      fileName: `${fileSlug(record.name)}-epoch${ckpt.position.epoch}.simlab.zip`,
      bytes,
      ms: performance.now() - t0,
    };
  } finally {
    r.dispose();
  }
}

/** A ResNet-18 run's backbone (+ supervised fc) as a torchvision resnet18 .safetensors file. */
export async function exportRunSafetensors(
  runs: RunStore,
  runId: string,
  slot: CheckpointSlot,
): Promise<RunFile> {
  const t0 = performance.now();
  const { record, ckpt } = await loadStoredRun(runs, runId, slot);
  if (ckpt.config.backbone.name !== 'resnet18')
    throw new Error(
      `.safetensors export is for ResNet-18 backbones (torchvision resnet18 layout); this run uses ${ckpt.config.backbone.name}`,
    );
  const r = rebuildRun(ckpt);
  try {
    const bytes = await exportTorchvisionResNet18(r.backbone, {
      fc: classifierOf(r.method) ?? undefined,
      metadata: { run: record.name, epoch: String(ckpt.position.epoch) },
    });
    return {
      fileName: `${fileSlug(record.name)}-epoch${ckpt.position.epoch}-resnet18.safetensors`,
      bytes,
      ms: performance.now() - t0,
    };
  } finally {
    r.dispose();
  }
}
