/**
 * torchvision-style initialisation from simlab's seeded RNG (never tf.random): every conv kernel
 * ~ N(0, 2 / fan_out), i.e. `nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")` as in
 * torchvision's ResNet and MobileNetV3 (He et al. 2015); conv biases 0; batch norm γ = 1, β = 0,
 * running mean 0, running var 1 (already so from the layers' builders). fan_out follows PyTorch's
 * weight layout: conv [O, I, kh, kw] → O·kh·kw; depthwise [C, 1, kh, kw] → C·kh·kw.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../rng';

/** Fills every Conv2D / DepthwiseConv2D kernel of `model` in place (layer order, one RNG fork per kernel); biases zeroed. */
export function initKaimingNormal(model: tf.LayersModel, seed: number): void {
  const rng = createRng(seed);
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'DepthwiseConv2D') continue;
    const [kernel, ...rest] = layer.getWeights();
    const [kh, kw, cin, mult] = kernel.shape;
    const fanOut = kh * kw * (cls === 'Conv2D' ? mult : cin * mult);
    const std = Math.sqrt(2 / fanOut);
    const r = rng.fork();
    const data = new Float32Array(kernel.size);
    for (let i = 0; i < data.length; i++) data[i] = r.normal() * std;
    const values = [tf.tensor(data, kernel.shape, 'float32'), ...rest.map((b) => tf.zerosLike(b))];
    layer.setWeights(values);
    for (const t of values) t.dispose();
  }
}
