/**
 * README.txt of a simlab checkpoint zip (see checkpoint-file.ts): what is inside and how to load
 * it in TensorFlow.js and in PyTorch, written from the manifest.
 */

/** The manifest fields the README describes. */
export interface ReadmeInput {
  format: string;
  formatVersion: number;
  created: string;
  models: { name: string; params: number; inputShape: (number | null)[][] }[];
  extra: string[];
}

/** The README text for a checkpoint with this manifest. */
export function checkpointReadme(manifest: ReadmeInput): string {
  const models = manifest.models
    .map(
      (m) =>
        `  models/${m.name}/model.json + weights.bin   (${m.params.toLocaleString('en-US')} values, input ${JSON.stringify(m.inputShape)})`,
    )
    .join('\n');
  const extras = manifest.extra.map((e) => `  extra/${e}`).join('\n');
  const st = manifest.extra.filter((e) => e.endsWith('.safetensors'));
  return `simlab checkpoint (format ${manifest.format}, version ${manifest.formatVersion}), created ${manifest.created}

Contents
  manifest.json   format, version, the models, and the sha256 of every other file
  config.json     the run configuration (backbone, method, optimiser, data, seed)
  history.json    training curves and metrics
${models}${extras ? '\n' + extras : ''}

Loading in TensorFlow.js
  The models are in the standard tfjs "layers-model" format (model.json + weights.bin).
  Unzip, then:
    const model = await tf.loadLayersModel('file://path/to/models/${manifest.models[0]?.name ?? 'backbone'}/model.json'); // tfjs-node
    const model = await tf.loadLayersModel('https://host/path/models/${manifest.models[0]?.name ?? 'backbone'}/model.json'); // browser
  or from bytes already in memory:
    const json = JSON.parse(modelJsonText);
    const model = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: weightsBinArrayBuffer }));
  Layers named TorchBatchNorm, HardSwish, HardSigmoid or SeededDropout are simlab's own: register
  them first (simlab's src/ml/models/backbones/layers/*.ts; TorchBatchNorm is PyTorch's BatchNorm2d
  with weights gamma/beta/moving_mean/moving_variance/num_batches_tracked).
  Images are NHWC float32; simlab's backbones output the global-average-pool embedding.

Loading in PyTorch
${
  st.length > 0
    ? st
        .map((e) => `  extra/${e} is a torchvision resnet18 state_dict in .safetensors format:`)
        .join('\n') +
      `
    from safetensors.torch import load_file
    model = torchvision.models.resnet18()
    # CIFAR stem only (see the file's metadata "stem"): conv1 = 3x3 stride 1, no max-pool
    model.conv1 = torch.nn.Conv2d(3, 64, 3, 1, 1, bias=False); model.maxpool = torch.nn.Identity()
    # no fc.* keys in the file: model.fc = torch.nn.Identity()  (the output is then the embedding)
    model.load_state_dict(load_file("${st[0]}"), strict=True)
  Widths other than 64 are torchvision's ResNet with every stage built at width*[1, 2, 4, 8].`
    : `  A ResNet-18 backbone can be exported from simlab as a torchvision resnet18 .safetensors file
  (load it with safetensors.torch.load_file + model.load_state_dict).`
}
  Other architectures: rebuild the network from config.json in PyTorch and copy the weights from
  weights.bin; each model.json lists the weights in order (name, shape, dtype) in weightsManifest.
  Layouts are channels-last: conv kernels [kh, kw, in, out] (PyTorch: permute(3, 2, 0, 1)),
  dense kernels [in, out] (PyTorch: transpose).
`;
}
